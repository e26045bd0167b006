"""A worker killed with SIGKILL mid-batch: after its lease, everything goes out, and at most
the message it was sending when it died goes out twice."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlmodel import col, select

from notify.catalog import ICP_FILING
from notify.compose import message_id
from notify.dispatch import dispatch_due
from notify.models import ChannelSetting, Contact, Delivery, InboxMessage, ReceiverSelection
from notify.senders import SmtpSender
from notify.system import build_system
from workflow.config import Config
from workflow.models import Account, Filing, OutboxEvent

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


def start_worker(config: Config, log: Path, **settings: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ICPSIM_DATABASE_URL": config.database_url,
           "ICPSIM_SMTP_URL": config.smtp_url, "ICPSIM_INSTANCE_PATH": str(config.instance_path),
           "ICPSIM_LEASE": "30s", "ICPSIM_POLL_INTERVAL": "1s", **settings}
    with log.open("ab") as out:
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


MANY = 2000
KILLS = 10


def seed_many(db, n: int) -> None:
    """``n`` submitted filings of an account that wants email only: ``n`` emails to relay."""
    now = datetime.now(UTC)
    with db.transaction() as s:
        s.add(Account(id="acme", owner_name="Zhang Wei", owner_email="owner@acme.example",
                      created_at=now))
        s.flush()
        s.add_all(ChannelSetting(account_id="acme", category=ICP_FILING, channel=channel,
                                 enabled=channel == "email") for channel in ("email", "internal"))
        s.flush()
        s.execute(insert(Filing), [{"account_id": "acme", "filing_id": f"F{i}",
                                    "type": "first_filing", "domain": f"s{i}.cn",
                                    "website": f"Site {i}", "state": "submitted",
                                    "created_at": now, "updated_at": now} for i in range(n)])
        s.execute(insert(OutboxEvent), [{
            "account_id": "acme", "filing_pk": i + 1, "at": now,
            "notification_type": "application_progress", "trigger": "submit",
            "facts": {"filing_id": f"F{i}", "filing_type": "first_filing", "domain": f"s{i}.cn",
                      "website": f"Site {i}", "trigger": "submit", "from_state": "draft",
                      "to_state": "submitted"}} for i in range(n)])


def pending(db) -> int:
    """Emails not sent yet: events still to relay and deliveries not sent."""
    with db.transaction() as s:
        events = s.exec(select(OutboxEvent.id).where(col(OutboxEvent.relayed_at).is_(None)))
        deliveries = s.exec(select(Delivery.id).where(Delivery.status != "sent"))
        return len(events.all()) + len(deliveries.all())


def wait_for(condition, worker: subprocess.Popen[bytes], log: Path) -> None:
    for _ in range(3000):  # bounded poll (150 s on a loaded machine), not a timing assertion
        if condition():
            return
        with pytest.raises(subprocess.TimeoutExpired):
            worker.wait(timeout=0.05)
    raise AssertionError(f"the worker made no progress: {log.read_text()[-2000:]}")


def test_a_worker_killed_again_and_again_repeats_at_most_one_email_per_kill(file_db,
                                                                            mail_sink,
                                                                            tmp_path):
    config = Config(instance_path=tmp_path, database_url=file_db.url.render_as_string(False),
                    smtp_url=mail_sink.url, secret_key="test")
    seed_many(file_db, MANY)
    log = tmp_path / "worker.log"
    # A short lease, so a killed worker's claims come back to the next one quickly; small
    # batches, so a kill lands mid-batch with many claimed emails not yet sent.
    settings = {"ICPSIM_LEASE": "2s", "ICPSIM_BATCH_SIZE": "50"}
    chance = random.Random(11)
    kills = 0
    while kills < KILLS:
        worker = start_worker(config, log, **settings)
        before = len(mail_sink.messages)
        try:
            # mid-flow: this worker has sent some emails and has more in hand
            wait_for(lambda b=before: len(mail_sink.messages) > b + chance.randint(1, 40)
                     or pending(file_db) == 0, worker, log)
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
        if pending(file_db) == 0:
            break
        kills += 1
    assert kills >= KILLS // 2, "the emails all went out before the worker was killed much"
    worker = start_worker(config, log, **settings)
    try:
        wait_for(lambda: pending(file_db) == 0, worker, log)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)

    with file_db.transaction() as s:
        keys = s.exec(select(Delivery.dedup_key)).all()
    expected = {message_id(key, config.mail_from) for key in keys}
    received = Counter(m.message["Message-ID"] for m in mail_sink.messages)
    lost = expected - set(received)
    unexpected = set(received) - expected
    duplicates = sum(count - 1 for count in received.values())
    assert len(expected) == MANY
    assert (len(lost), len(unexpected)) == (0, 0)
    assert duplicates <= kills, f"{duplicates} duplicates after {kills} kills"
