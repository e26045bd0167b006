"""A worker killed with SIGKILL mid-batch: after its lease, everything goes out exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from notify.catalog import ICP_FILING
from notify.dispatch import dispatch_due
from notify.models import Contact, Delivery, InboxMessage, ReceiverSelection
from notify.senders import SmtpSender
from notify.system import build_system
from workflow.config import Config

ROOT = Path(__file__).resolve().parents[2]
LEASE = timedelta(seconds=30)
FILINGS = 3
CONTACTS = ("li@acme.example", "zhao@acme.example")


def seed(config: Config, db) -> None:
    system = build_system(config, db=db)
    try:
        system.accounts.create("acme", owner_name="Zhang Wei", owner_email="owner@acme.example")
        now = system.clock.now()
        with db.transaction() as s:
            for email in CONTACTS:
                contact = Contact(account_id="acme", name="Li Na", email=email,
                                  email_key=email, title="CEO", status="verified",
                                  created_at=now, updated_at=now)
                s.add(contact)
                s.flush()
                s.add(ReceiverSelection(account_id="acme", category=ICP_FILING,
                                        contact_id=contact.id))
        for i in range(FILINGS):
            system.filings.create("acme", f"F{i}", type="first_filing", domain=f"s{i}.cn",
                                  website=f"Site {i}", actor="acme")
            system.filings.fire("acme", f"F{i}", "submit", actor="acme")
    finally:
        system.sender.close()


def start_worker(config: Config, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ICPSIM_DATABASE_URL": config.database_url,
           "ICPSIM_SMTP_URL": config.smtp_url, "ICPSIM_INSTANCE_PATH": str(config.instance_path),
           "ICPSIM_LEASE": "30s", "ICPSIM_POLL_INTERVAL": "1s"}
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", "web.cli", "worker"], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)


def claimed_emails(db) -> list[Delivery]:
    with db.transaction() as s:
        return list(s.exec(select(Delivery).where(
            Delivery.channel == "email", Delivery.status == "pending",
            col(Delivery.claimed_until).is_not(None))).all())


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(file_db, mail_sink,
                                                                          tmp_path):
    config = Config(instance_path=tmp_path, database_url=file_db.url.render_as_string(False),
                    smtp_url=mail_sink.url, secret_key="test", lease=LEASE)
    seed(config, file_db)
    emails = FILINGS * (1 + len(CONTACTS))
    mail_sink.set_mode("hold")  # the worker's first MAIL FROM waits: it is mid-batch
    worker = start_worker(config, tmp_path / "worker.log")
    try:
        assert mail_sink.holding.wait(timeout=60), (tmp_path / "worker.log").read_text()
        for _ in range(600):  # bounded: the claim committed before the first send
            if len(claimed_emails(file_db)) == emails:
                break
            with pytest.raises(subprocess.TimeoutExpired):
                worker.wait(timeout=0.05)
        assert len(claimed_emails(file_db)) == emails
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL
    mail_sink.set_mode("up")
    assert mail_sink.messages == []

    sender = SmtpSender.from_url(mail_sink.url, mail_from=config.mail_from)
    try:
        assert dispatch_due(file_db, now=datetime.now(UTC), config=config, sender=sender) == 0
        after_lease = datetime.now(UTC) + LEASE + timedelta(seconds=1)
        while dispatch_due(file_db, now=after_lease, config=config, sender=sender):
            pass
    finally:
        sender.close()

    ids = Counter(m.message["Message-ID"] for m in mail_sink.messages)
    assert len(ids) == emails
    assert set(ids.values()) == {1}
    with file_db.transaction() as s:
        statuses = Counter(s.exec(select(Delivery.status)).all())
        inbox = s.exec(select(InboxMessage)).all()
    assert statuses == Counter({"sent": emails + FILINGS})
    assert len(inbox) == FILINGS
