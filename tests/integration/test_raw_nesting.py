"""A raw transaction opened inside another is refused at once: it never waits for itself."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from workflow.accounts import AccountService
from workflow.config import Config
from workflow.db import Database, NestedTransaction
from workflow.fastsql import Prepared
from workflow.filings import FilingService
from workflow.models import Filing

SET_STATE = Prepared(Filing.__table__.update(), keys=("state",))  # type: ignore[attr-defined]


@pytest.fixture
def service(shared_db, clock) -> FilingService:
    AccountService(shared_db, clock).create("acme", owner_name="Ann",
                                            owner_email="ann@acme.example")
    filings = FilingService(shared_db, clock, Config(secret_key="test"))
    filings.create("acme", "F1", type="first_filing", domain="acme.cn", website="A", actor="a")
    return filings


def in_thread(work) -> dict[str, Any]:
    """Run ``work`` in a daemon thread, waiting a bounded time: a hang fails the test
    instead of stopping the suite."""
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = work()
        except BaseException as exc:  # handed to the test
            result["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=20)
    assert not thread.is_alive(), "the nested raw transaction is waiting for itself"
    return result


def test_a_raw_transaction_nested_in_another_is_refused_with_a_clear_error(service, shared_db):
    def nest() -> str:
        with shared_db.raw_transaction() as tx:
            tx.execute(SET_STATE, {"state": "submitted"})
            with pytest.raises(NestedTransaction) as refused:
                with shared_db.raw_transaction():
                    pass  # never reached
            return str(refused.value)

    result = in_thread(nest)
    assert "error" not in result, result.get("error")
    assert "already open in this thread" in result["value"]
    # the outer transaction went on and committed; the database is free again
    assert service.get("acme", "F1").state == "submitted"
    moved = in_thread(lambda: service.fire("acme", "F1", "start_review", actor="a"))
    assert moved["value"].state == "under_review"


def test_a_refused_nesting_rolls_back_an_outer_transaction_that_lets_it_escape(service,
                                                                               shared_db):
    def nest_and_fail() -> None:
        with shared_db.raw_transaction() as tx:
            tx.execute(SET_STATE, {"state": "submitted"})
            with shared_db.raw_transaction():
                pass

    assert isinstance(in_thread(nest_and_fail)["error"], NestedTransaction)
    assert service.get("acme", "F1").state == "draft"
    assert in_thread(lambda: service.fire("acme", "F1", "submit", actor="a"))["value"].state \
        == "submitted"


def test_raw_transactions_of_two_threads_take_turns_instead_of_being_refused(file_db: Database,
                                                                             clock):
    holding, release = threading.Event(), threading.Event()
    results: dict[str, Any] = {}

    def hold() -> None:
        with file_db.raw_transaction():
            holding.set()
            release.wait(timeout=20)

    def wait_then_run() -> None:
        try:
            with file_db.raw_transaction():
                results["second"] = "ran"
        except BaseException as exc:
            results["second"] = exc

    first = threading.Thread(target=hold, daemon=True)
    first.start()
    assert holding.wait(timeout=20)
    second = threading.Thread(target=wait_then_run, daemon=True)
    second.start()  # waits for the first thread's transaction
    release.set()
    first.join(timeout=20)
    second.join(timeout=20)
    assert results == {"second": "ran"}
