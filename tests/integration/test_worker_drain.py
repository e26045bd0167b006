"""A worker's tick empties its queue: relay and dispatch run until idle, not one batch a tick."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlmodel import col, select

from notify.models import Delivery
from notify.system import build_system
from notify.worker import draining, register_jobs
from workflow.config import Config
from workflow.models import OutboxEvent

FILINGS = 30
BATCH = 10
HOUR = 3600.0  # the interval of the scheduler below: only its first tick runs in a test


@pytest.fixture
def slow_config(file_db, mail_sink, tmp_path) -> Config:
    return Config(instance_path=tmp_path, database_url=file_db.url.render_as_string(False),
                  smtp_url=mail_sink.url, secret_key="test", batch_size=BATCH,
                  poll_interval=timedelta(hours=1))


def seed_submitted(config: Config, db) -> None:
    """FILINGS filings submitted: one outbox event each, for the owner (email + inbox)."""
    system = build_system(config, db=db)
    try:
        system.accounts.create("acme", owner_name="Zhang Wei", owner_email="owner@acme.example")
        for i in range(FILINGS):
            system.filings.create("acme", f"F{i}", type="first_filing", domain=f"s{i}.cn",
                                  website=f"Site {i}", actor="acme")
            system.filings.fire("acme", f"F{i}", "submit", actor="acme")
    finally:
        system.close()


def unrelayed(db) -> int:
    with db.transaction() as s:
        return len(s.exec(select(OutboxEvent.id).where(
            col(OutboxEvent.relayed_at).is_(None))).all())


def statuses(db) -> list[str]:
    with db.transaction() as s:
        return list(s.exec(select(Delivery.status)).all())


def first_tick(config: Config, db, done) -> None:
    """Start a scheduler ticking once an hour and wait (bounded) until ``done()``."""
    system = build_system(config, db=db)
    scheduler = BackgroundScheduler(timezone="UTC")
    register_jobs(scheduler, system, interval=HOUR)
    scheduler.start()
    try:
        for _ in range(600):  # bounded poll, not a timing assertion
            if done():
                return
            time.sleep(0.05)
    finally:
        scheduler.shutdown(wait=True)
        system.close()


def test_one_tick_relays_every_pending_event_not_one_batch(slow_config, file_db):
    seed_submitted(slow_config, file_db)
    assert unrelayed(file_db) == FILINGS

    first_tick(slow_config, file_db, lambda: unrelayed(file_db) == 0)

    assert unrelayed(file_db) == 0
    assert len(statuses(file_db)) == 2 * FILINGS  # an email and an inbox message each


def test_one_tick_sends_every_due_email_not_one_batch(slow_config, file_db, mail_sink):
    seed_submitted(slow_config, file_db)
    system = build_system(slow_config, db=file_db)
    try:
        while system.relay_due():
            pass
    finally:
        system.close()
    assert statuses(file_db) == ["pending"] * 2 * FILINGS

    first_tick(slow_config, file_db, lambda: len(mail_sink.messages) == FILINGS)

    assert len(mail_sink.to("owner@acme.example")) == FILINGS
    assert statuses(file_db) == ["sent"] * 2 * FILINGS


def test_draining_stops_when_the_job_finds_nothing_more():
    queue = [3, 2, 0, 5]
    assert draining(lambda: queue.pop(0))() == 5
    assert queue == [5]


def test_draining_stops_at_its_time_budget_even_if_work_remains():
    calls = []

    def busy() -> int:
        calls.append(1)
        time.sleep(0.01)
        return 1

    assert draining(busy, budget=0.05)() == len(calls)
    assert 1 <= len(calls) < 1000


def test_draining_stops_between_batches_once_asked_to():
    stop = threading.Event()
    calls = []

    def busy() -> int:
        calls.append(1)
        if len(calls) == 3:
            stop.set()
        return 1

    assert draining(busy, budget=HOUR, stop=stop)() == 3
