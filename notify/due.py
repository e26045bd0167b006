"""One read-only probe: which jobs have work at ``now`` and when the next work falls due."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, case, exists, func, or_, type_coerce
from sqlmodel import col, select

from workflow.clock import as_utc
from workflow.db import Database, UTCDateTime
from workflow.fastsql import Prepared
from workflow.models import OutboxEvent, Timer

from .models import Contact, Delivery, VerificationLink

JOBS = ("expire_contacts", "fire_due_timers", "relay_due", "dispatch_due")


@dataclass(frozen=True)
class Due:
    """What the probe saw: the jobs with work now (in run order) and the next due time."""

    jobs: frozenset[str]
    next_at: datetime | None


def probe(db: Database, now: datetime) -> Due:
    """Ask once, in one SELECT, what each job's own query would find at ``now``.

    Only an optimisation: each job still claims its rows by lease, so a stale answer
    costs a job run that finds nothing, never a row handled twice.
    """
    # A prepared statement on the raw connection: the SQLAlchemy Session and execution
    # machinery would cost several times the query itself, on every stop.
    with db.raw_transaction() as tx:
        row = tx.fetch_one(_statement(), {"now": now})
    assert row is not None  # a SELECT without FROM always has its one row
    jobs = frozenset(job for job in JOBS if row[job])
    return Due(jobs, _earliest(row[t] for t in _TIMES))


def next_due_at(db: Database) -> datetime | None:
    """The earliest moment a job has work: a timer, a retry, a link expiry."""
    with db.raw_transaction() as tx:
        row = tx.fetch_one(_next_statement(), {})
    assert row is not None
    return _earliest(row[t] for t in _TIMES)


def _earliest(times: Iterable[datetime | None]) -> datetime | None:
    return min((as_utc(t) for t in times if t is not None), default=None)


def _free(model: Any, now: Any) -> ColumnElement[bool]:
    # The claim's own lease test (workflow/leases.py): rows leased to a worker are not work.
    return or_(model.claimed_until.is_(None), model.claimed_until < now)


def _times() -> list[Select[Any]]:
    """The earliest pending timer, delivery attempt (after any lease) and link expiry."""
    later = type_coerce(case((col(Delivery.claimed_until) > col(Delivery.next_attempt_at),
                              col(Delivery.claimed_until)), else_=col(Delivery.next_attempt_at)),
                        UTCDateTime)
    return [
        select(func.min(Timer.due_at)).where(Timer.status == "pending"),
        select(func.min(later)).where(col(Delivery.status) == "pending"),
        select(func.min(VerificationLink.expires_at)).join(
            Contact, col(VerificationLink.contact_id) == Contact.id).where(
            Contact.status == "pending", *_active_link()),
    ]


def _active_link() -> tuple[ColumnElement[bool], ...]:
    return (col(VerificationLink.used_at).is_(None), col(VerificationLink.revoked_at).is_(None))


@cache
def _statement() -> Prepared:
    now = bindparam("now", type_=UTCDateTime)
    flags = [
        # notify.verification.expire_contacts
        exists().where(col(VerificationLink.contact_id) == Contact.id,
                       col(Contact.status) == "pending", *_active_link(),
                       col(VerificationLink.expires_at) <= now),
        # workflow.timers.fire_due_timers
        exists().where(col(Timer.status) == "pending", col(Timer.due_at) <= now,
                       _free(Timer, now)),
        # notify.relay.relay_due
        exists().where(col(OutboxEvent.relayed_at).is_(None), _free(OutboxEvent, now)),
        # notify.dispatch.dispatch_due
        exists().where(col(Delivery.status) == "pending", col(Delivery.next_attempt_at) <= now,
                       _free(Delivery, now)),
    ]
    return Prepared(select(*(f.label(job) for f, job in zip(flags, JOBS, strict=True)),
                           *_labelled_times()))


@cache
def _next_statement() -> Prepared:
    return Prepared(select(*_labelled_times()))


_TIMES = ("next_timer", "next_attempt", "next_expiry")


def _labelled_times() -> list[Any]:
    return [t.scalar_subquery().label(name) for t, name in zip(_times(), _TIMES, strict=True)]


__all__ = ["JOBS", "Due", "next_due_at", "probe"]
