"""Prepared statements on raw connections store and load exactly what the ORM does."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError, OperationalError

from tests.integration.conftest import drive
from workflow.accounts import AccountService
from workflow.config import Config
from workflow.db import Database
from workflow.fastsql import Prepared
from workflow.filings import FilingService
from workflow.lifecycle import State
from workflow.models import Filing, OutboxEvent, Timer, TransitionLog
from workflow.transition import load_row

AT = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
def any_db(shared_db) -> Database:
    return shared_db


@pytest.fixture
def service(any_db, clock) -> FilingService:
    AccountService(any_db, clock).create("acme", owner_name="Ann", owner_email="ann@acme.example")
    return FilingService(any_db, clock, Config(secret_key="test"))


def test_rows_written_raw_read_back_through_the_orm(service, any_db, clock):
    service.create("acme", "F1", type="first_filing", domain="acme.cn", website="Acme",
                   actor="ann")
    drive(service, "acme", "F1", State.rectification, actor="ann", now=AT)
    moved = service.fire("acme", "F1", "extend_deadline", actor="ann", now=AT)
    with any_db.transaction() as s:
        stored = s.exec(select(Filing)).scalars().one()
        log = s.exec(select(TransitionLog).order_by(TransitionLog.id)).scalars().all()
        event = s.exec(select(OutboxEvent).order_by(OutboxEvent.id.desc())).scalars().first()
        timer = s.exec(select(Timer).where(Timer.kind == "rectification_timeout",
                                           Timer.status == "pending")).scalars().one()
    assert stored.deadline_extended is True
    assert moved.deadline_extended is True
    assert stored.model_dump() == moved.model_dump()
    assert stored.updated_at == AT
    assert stored.updated_at.tzinfo is not None
    assert log[-1].at == AT
    assert log[-1].data["deadline"] == moved.rectification_deadline.isoformat()
    assert event.at == AT
    assert event.facts["to_state"] == "rectification"
    assert timer.due_at == stored.rectification_deadline
    assert timer.detail == {}
    assert [t.status for t in _timers(any_db, "sms_timeout")] == ["cancelled"]


def test_rows_written_by_the_orm_load_raw_as_the_orm_loads_them(service, any_db):
    created = service.create("acme", "F1", type="first_filing", domain="acme.cn",
                             website="Acme", actor="ann")
    with any_db.raw_transaction() as tx:
        row = load_row(tx, account_id="acme", filing_id="F1")
    assert row == service.get("acme", "F1").model_dump() == created.model_dump()
    assert row["created_at"].tzinfo is not None
    assert row["deadline_extended"] is False


def test_json_and_nulls_round_trip(any_db, clock):
    service = FilingService(any_db, clock, Config(secret_key="test"))
    AccountService(any_db, clock).create("acme", owner_name="Ann", owner_email="a@acme.example")
    filing = service.create("acme", "F1", type="first_filing", domain="acme.cn", website="A",
                            actor="ann")
    detail = {"zh": "京ICP备", "n": [1, 2.5, None], "ok": True}
    insert = Prepared(Timer.__table__.insert(),  # type: ignore[attr-defined]
                      keys=("filing_pk", "kind", "due_at", "status", "created_at", "detail",
                            "done_at"))
    by_id = Prepared(select(Timer.__table__).where(  # type: ignore[attr-defined]
        Timer.__table__.c.kind == bindparam("k")))  # type: ignore[attr-defined]
    with any_db.raw_transaction() as tx:
        tx.execute(insert, {"filing_pk": filing.pk, "kind": "probe", "due_at": AT,
                            "status": "pending", "created_at": AT + timedelta(hours=8),
                            "detail": detail, "done_at": None})
    with any_db.raw_transaction() as tx:
        raw = tx.fetch_one(by_id, {"k": "probe"})
    with any_db.transaction() as s:
        orm = s.exec(select(Timer).where(Timer.kind == "probe")).scalars().one()
        assert raw == orm.model_dump()
    assert raw is not None
    assert raw["detail"] == detail
    assert raw["done_at"] is None


def test_an_exception_rolls_the_raw_transaction_back(service, any_db):
    service.create("acme", "F1", type="first_filing", domain="acme.cn", website="A", actor="a")
    update = Prepared(Filing.__table__.update(), keys=("state",))  # type: ignore[attr-defined]

    def write_then_fail() -> None:
        with any_db.raw_transaction() as tx:
            tx.execute(update, {"state": "approved"})
            raise RuntimeError("after the write")

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert service.get("acme", "F1").state == "draft"


def _timers(db: Database, kind: str) -> list[Timer]:
    with db.transaction() as s:
        return list(s.exec(select(Timer).where(Timer.kind == kind)).scalars().all())


def test_driver_errors_surface_as_sqlalchemy_errors_and_roll_back(service, any_db):
    service.create("acme", "F1", type="first_filing", domain="acme.cn", website="A", actor="a")
    table = Filing.__table__  # type: ignore[attr-defined]
    insert = Prepared(table.insert(), keys=("account_id", "filing_id", "type", "domain",
                                            "website", "state", "version", "created_at",
                                            "updated_at", "deadline_extended"))
    copy = {**service.get("acme", "F1").model_dump(), "filing_id": "F2"}

    def insert_twice() -> None:
        with any_db.raw_transaction() as tx:
            tx.execute(insert, copy)
            tx.execute(insert, copy)  # the unique (account_id, filing_id) refuses it

    with pytest.raises(IntegrityError):
        insert_twice()
    assert [f.filing_id for f in service.list("acme")] == ["F1"]


def test_a_transaction_that_cannot_begin_fails_cleanly_and_frees_the_writer(file_db, clock):
    service = FilingService(file_db, clock, Config(secret_key="test"))
    AccountService(file_db, clock).create("acme", owner_name="Ann", owner_email="a@acme.example")
    service.create("acme", "F1", type="first_filing", domain="acme.cn", website="A", actor="a")
    with file_db.raw_transaction() as tx:
        tx.cursor.execute("PRAGMA busy_timeout=50")  # fail fast instead of waiting 30 s
    other = sqlite3.connect(file_db.url.database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        with pytest.raises(OperationalError, match="locked"):
            service.fire("acme", "F1", "submit", actor="ann")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert service.get("acme", "F1").state == "draft"
    assert service.fire("acme", "F1", "submit", actor="ann").state == "submitted"
