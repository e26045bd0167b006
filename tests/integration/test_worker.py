"""The worker: APScheduler sweepers with safe options, a crash-proof job, a clean stop."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlmodel import select

from notify.models import Delivery
from notify.system import build_system
from notify.worker import JOBS, guarded, register_jobs
from workflow.config import Config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def file_config(file_db, mail_sink, tmp_path) -> Config:
    return Config(instance_path=tmp_path, database_url=file_db.url.render_as_string(False),
                  smtp_url=mail_sink.url, secret_key="test",
                  poll_interval=timedelta(seconds=1))


def seed_event(config: Config, db) -> None:
    system = build_system(config, db=db)
    try:
        system.accounts.create("acme", owner_name="Zhang Wei", owner_email="owner@acme.example")
        system.filings.create("acme", "F1", type="first_filing", domain="acme.cn",
                              website="Acme", actor="acme")
        system.filings.fire("acme", "F1", "submit", actor="acme")
    finally:
        system.sender.close()


def statuses(db) -> list[str]:
    with db.transaction() as s:
        return list(s.exec(select(Delivery.status)).all())


def test_the_jobs_are_registered_as_sweepers_that_never_pile_up(file_config, file_db):
    system = build_system(file_config, db=file_db)
    scheduler = BackgroundScheduler(timezone="UTC")
    register_jobs(scheduler, system)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == set(JOBS)
    for job in jobs.values():
        assert job.misfire_grace_time is None
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.trigger.interval == timedelta(seconds=1)
    system.close()


def test_a_failing_job_is_logged_and_does_not_raise(caplog):
    def boom() -> int:
        raise RuntimeError("database went away")

    with caplog.at_level(logging.ERROR, logger="notify.worker"):
        assert guarded("relay_due", boom)() == 0
    assert "job relay_due failed" in caplog.text
    assert "database went away" in caplog.text


def test_an_in_process_scheduler_runs_the_same_jobs_until_shut_down(file_config, file_db,
                                                                     mail_sink):
    seed_event(file_config, file_db)
    system = build_system(file_config, db=file_db)
    scheduler = BackgroundScheduler(timezone="UTC")
    register_jobs(scheduler, system, interval=0.05)
    ran = threading.Event()
    scheduler.add_listener(lambda event: ran.set() if statuses(file_db) == ["sent"] * 2
                           else None)
    scheduler.start()
    try:
        assert ran.wait(timeout=60)
    finally:
        scheduler.shutdown(wait=True)
        system.close()
    assert len(mail_sink.to("owner@acme.example")) == 1


def test_the_worker_command_delivers_and_stops_cleanly_on_sigterm(file_config, file_db,
                                                                  mail_sink, tmp_path):
    seed_event(file_config, file_db)
    env = {**os.environ, "ICPSIM_DATABASE_URL": file_config.database_url,
           "ICPSIM_SMTP_URL": mail_sink.url, "ICPSIM_INSTANCE_PATH": str(tmp_path),
           "ICPSIM_POLL_INTERVAL": "1s"}
    worker = subprocess.Popen([sys.executable, "-m", "web.cli", "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(1200):  # bounded poll of the database, not a timing assertion
            if statuses(file_db) == ["sent", "sent"]:
                break
            with pytest.raises(subprocess.TimeoutExpired):
                worker.wait(timeout=0.05)
        assert statuses(file_db) == ["sent", "sent"]
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=60)
    assert worker.returncode == 0, output.decode()
    assert b"icpsim worker stopped" in output
    assert len(mail_sink.messages) == 1
