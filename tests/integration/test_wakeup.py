"""Wake-up: a committed transition starts relay and dispatch without waiting for a poll."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import text

from notify.dispatch import deliver
from notify.due import JOBS
from notify.relay import relay_and_take
from notify.system import build_system
from notify.wakeup import (
    LocalWaiter,
    PostgresWaiter,
    scheduled_jobs,
    start_waker,
    waiter_for,
)
from workflow.clock import SystemClock
from workflow.config import Config
from workflow.db import Database
from workflow.errors import InvalidTransition


def _wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


@pytest.fixture
def live(shared_db, mail_sink, tmp_path):
    """A system on the system clock over a database other threads share; no scheduler."""
    # A poll interval of an hour: only a wake-up can deliver within the test.
    config = Config(instance_path=tmp_path, database_url=shared_db.url.render_as_string(False),
                    smtp_url=mail_sink.url, secret_key="test", poll_interval=timedelta(hours=1))
    system = build_system(config, clock=SystemClock(), db=shared_db)
    system.accounts.create("acme", owner_name="Zhang Wei", owner_email="owner@acme.example")
    system.filings.create("acme", "F1", type="first_filing", domain="acme.cn",
                          website="Acme", actor="acme")
    yield system
    system.sender.close()


def test_a_committed_transition_wakes_the_waiter_of_its_database(live):
    waiter = waiter_for(live.db)
    try:
        waiter.wait(0.05)  # PostgreSQL: the first call connects and says "look now"
        live.relay_due()
        assert waiter.wait(0.05) is False  # nothing happened since
        live.filings.fire("acme", "F1", "submit", actor="acme")
        assert waiter.wait(10) is True
    finally:
        waiter.close()


def test_a_refused_transition_wakes_nobody(live):
    waiter = waiter_for(live.db)
    try:
        waiter.wait(0.05)
        with pytest.raises(InvalidTransition):
            live.filings.fire("acme", "F1", "approve", {"icp_number": "x"}, actor="reviewer")
        assert waiter.wait(0.3) is False
    finally:
        waiter.close()


def test_the_waker_delivers_a_transitions_email_with_no_scheduler_running(live, mail_sink):
    waker = start_waker(live)
    assert waker is not None
    try:
        live.filings.fire("acme", "F1", "submit", actor="acme")
        assert _wait_for(lambda: mail_sink.to("owner@acme.example"))
        live.filings.fire("acme", "F1", "start_review", actor="reviewer")
        assert _wait_for(lambda: len(mail_sink.to("owner@acme.example")) == 2)
    finally:
        waker.stop()
    assert not waker.thread.is_alive()
    assert [m.subject for m in mail_sink.messages].count(mail_sink.messages[0].subject) == 1


def test_wake_up_switched_off_leaves_relay_and_dispatch_to_the_scheduler(live):
    live.config = live.config.with_(wakeup=False)
    assert start_waker(live) is None
    assert scheduled_jobs(None) == JOBS


def test_the_waker_owns_relay_and_dispatch_so_one_thread_uses_the_smtp_connection(live):
    waker = start_waker(live)
    try:
        assert set(scheduled_jobs(waker)) == set(JOBS) - {"relay_due", "dispatch_due"}
    finally:
        waker.stop()


def test_a_commit_no_wake_up_reaches_is_delivered_by_the_poll(file_db, mail_sink, tmp_path):
    url = file_db.url.render_as_string(False)
    config = Config(instance_path=tmp_path, database_url=url, smtp_url=mail_sink.url,
                    secret_key="test", poll_interval=timedelta(milliseconds=300))
    worker = build_system(config, clock=SystemClock(), db=file_db)
    other = build_system(config, clock=SystemClock(), db=Database(url))  # another process
    other.accounts.create("acme", owner_name="Zhang Wei", owner_email="owner@acme.example")
    other.filings.create("acme", "F1", type="first_filing", domain="acme.cn",
                         website="Acme", actor="acme")
    waker = start_waker(worker)
    try:
        time.sleep(0.1)  # the waker has made its first look and now waits
        other.filings.fire("acme", "F1", "submit", actor="acme")
        assert not file_db.outbox_committed.is_set()  # no wake-up crosses processes on SQLite
        assert _wait_for(lambda: mail_sink.to("owner@acme.example"))
    finally:
        waker.stop()
        worker.sender.close()
        other.close()


def test_sqlite_wakes_within_the_process_and_postgresql_listens(live):
    waiter = waiter_for(live.db)
    expected = LocalWaiter if live.db.is_sqlite else PostgresWaiter
    assert isinstance(waiter, expected)
    waiter.close()


def test_a_lost_listen_connection_falls_back_to_polling_and_comes_back(pg_db):
    waiter = PostgresWaiter(pg_db.url.render_as_string(False))
    try:
        assert waiter.wait(0.05) is True  # connected: look once for what was missed
        waiter.conn.close()  # the connection dies under it
        assert waiter.wait(0.05) is False  # logged, no exception: the poll carries on
        assert waiter.wait(0.05) is True  # reconnected, and looks again
    finally:
        waiter.close()


def test_the_wakeups_relay_holds_what_it_planned_so_no_dispatch_sends_it_twice(live, mail_sink):
    live.filings.fire("acme", "F1", "submit", actor="acme")
    now = live.clock.now()
    relayed, batch = relay_and_take(live.db, now=now, config=live.config)
    assert relayed == 1
    assert [d.to_address for d in batch.emails] == ["owner@acme.example"]
    # Committed with the relay and leased to it: another worker's dispatch finds nothing.
    assert live.dispatch_due() == 0
    deliver(live.db, batch, now=now, config=live.config, sender=live.sender,
            channels=live.channels)
    assert len(mail_sink.to("owner@acme.example")) == 1
    assert live.dispatch_due() == 0
    assert [d.status for d in live.deliveries.list("acme", to="owner@acme.example")] == ["sent"]


def test_a_pooled_postgresql_connection_the_server_dropped_is_replaced_unseen(
        pg_db, monkeypatch):
    import workflow.db

    with pg_db.transaction() as s:
        pid = s.execute(text("SELECT pg_backend_pid()")).scalar_one()
    other = Database(pg_db.url.render_as_string(False))
    try:  # a server restart or an idle timeout, as seen by the pooled connection
        with other.transaction() as s:
            s.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        other.dispose()
    monkeypatch.setattr(workflow.db, "PING_AFTER_IDLE", 0.0)  # the pooled one is "idle"
    with pg_db.transaction() as s:
        assert s.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
