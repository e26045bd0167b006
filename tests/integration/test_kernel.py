"""The database kernel: UTC round trips, transactions and leased claims."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from workflow.accounts import AccountService
from workflow.errors import IcpsimError
from workflow.leases import claim
from workflow.models import Account, Filing, OutboxEvent

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _events(db, n):
    with db.transaction() as s:
        s.add(Account(id="acme", owner_name="Zhang Wei", owner_email="o@acme.example",
                      created_at=NOW))
        s.flush()
        filing = Filing(account_id="acme", filing_id="F1", type="first_filing",
                        domain="acme.cn", website="Acme", state="draft",
                        created_at=NOW, updated_at=NOW)
        s.add(filing)
        s.flush()
        for _ in range(n):
            s.add(OutboxEvent(account_id="acme", filing_pk=filing.pk, at=NOW,
                              notification_type="application_progress", trigger="submit"))


def test_times_come_back_as_aware_utc_whatever_zone_went_in(db, clock):
    beijing = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    with db.transaction() as s:
        s.add(Account(id="acme", owner_name="Zhang Wei", owner_email="o@acme.example",
                      created_at=beijing))
    with db.transaction() as s:
        loaded = s.get(Account, "acme")
        assert loaded.created_at == beijing
        assert loaded.created_at.tzinfo == UTC


def test_a_failed_transaction_leaves_nothing(db, clock):
    accounts = AccountService(db, clock)

    def write_then_fail():
        with db.transaction() as s:
            s.add(Account(id="acme", owner_name="Zhang Wei", owner_email="o@acme.example",
                          created_at=NOW))
            s.flush()
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        write_then_fail()
    assert accounts.list() == []


def test_two_claims_never_share_a_row(file_db):
    _events(file_db, 5)
    due = OutboxEvent.relayed_at.is_(None)
    with file_db.transaction() as s:
        first = [e.id for e in claim(s, OutboxEvent, due=due, now=NOW,
                                     lease=timedelta(minutes=1), limit=3)]
    with file_db.transaction() as s:
        second = [e.id for e in claim(s, OutboxEvent, due=due, now=NOW,
                                      lease=timedelta(minutes=1), limit=10)]
    assert len(first) == 3
    assert len(second) == 2
    assert not set(first) & set(second)


def test_a_crashed_workers_claims_return_after_the_lease(file_db):
    _events(file_db, 2)
    due = OutboxEvent.relayed_at.is_(None)
    with file_db.transaction() as s:
        claim(s, OutboxEvent, due=due, now=NOW, lease=timedelta(minutes=1), limit=10)
    with file_db.transaction() as s:
        assert claim(s, OutboxEvent, due=due, now=NOW + timedelta(seconds=59),
                     lease=timedelta(minutes=1), limit=10) == []
    with file_db.transaction() as s:
        later = claim(s, OutboxEvent, due=due, now=NOW + timedelta(seconds=61),
                      lease=timedelta(minutes=1), limit=10)
    assert len(later) == 2


def test_unknown_account_is_refused_with_its_code(db, clock):
    with pytest.raises(IcpsimError) as err:
        AccountService(db, clock).get("nobody")
    assert err.value.code == "unknown_account"


def test_language_must_be_en_or_zh(db, clock):
    accounts = AccountService(db, clock)
    accounts.create("acme", owner_name="Zhang Wei", owner_email="o@acme.example")
    with pytest.raises(IcpsimError) as err:
        accounts.set_language("acme", "fr")
    assert err.value.code == "invalid_language"
    assert accounts.set_language("acme", "zh").language == "zh"
    assert accounts.get("acme").language == "zh"
