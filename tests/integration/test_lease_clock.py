"""On PostgreSQL, leases run on the database's clock: a skewed worker steals nothing."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from workflow.leases import claim
from workflow.models import Account, Filing, OutboxEvent

DUE = OutboxEvent.relayed_at.is_(None)  # type: ignore[union-attr]


def _events(db, n: int) -> None:
    now = datetime.now(UTC)
    with db.transaction() as s:
        s.add(Account(id="acme", owner_name="Zhang Wei", owner_email="o@acme.example",
                      created_at=now))
        s.flush()
        filing = Filing(account_id="acme", filing_id="F1", type="first_filing",
                        domain="acme.cn", website="Acme", state="draft",
                        created_at=now, updated_at=now)
        s.add(filing)
        s.flush()
        for _ in range(n):
            s.add(OutboxEvent(account_id="acme", filing_pk=filing.pk, at=now,
                              notification_type="application_progress", trigger="submit"))


def _claim(db, *, now: datetime, lease: timedelta) -> list[int]:
    with db.transaction() as s:
        return [e.id for e in claim(s, OutboxEvent, due=DUE, now=now, lease=lease, limit=10)]


def test_a_worker_with_a_clock_ten_minutes_fast_cannot_steal_a_live_lease(pg_db):
    _events(pg_db, 3)
    honest = datetime.now(UTC)
    assert len(_claim(pg_db, now=honest, lease=timedelta(minutes=1))) == 3
    skewed = honest + timedelta(minutes=10)
    assert _claim(pg_db, now=skewed, lease=timedelta(minutes=1)) == []


def test_a_lease_taken_by_a_slow_clock_still_ends_on_time(pg_db):
    _events(pg_db, 2)
    slow = datetime.now(UTC) - timedelta(hours=1)  # its own lease would have ended already
    assert len(_claim(pg_db, now=slow, lease=timedelta(minutes=1))) == 2
    with pg_db.transaction() as s:
        until = s.exec(select(OutboxEvent.claimed_until)).all()
    assert all(u > datetime.now(UTC) for u in until)  # held for a minute from the database's now
    assert _claim(pg_db, now=datetime.now(UTC), lease=timedelta(minutes=1)) == []


def test_a_crashed_workers_lease_returns_by_the_database_clock(pg_db):
    _events(pg_db, 2)
    assert len(_claim(pg_db, now=datetime.now(UTC), lease=timedelta(milliseconds=300))) == 2
    time.sleep(0.5)  # the lease ends on the database's clock; the next worker runs an hour slow
    again = _claim(pg_db, now=datetime.now(UTC) - timedelta(hours=1), lease=timedelta(minutes=1))
    assert len(again) == 2
