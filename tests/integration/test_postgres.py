"""The same services on a real PostgreSQL server: the whole flow, contact limit, leases."""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from notify.dispatch import dispatch_due
from notify.senders import SmtpSender
from notify.system import System, build_system
from workflow.config import Config
from workflow.db import Database
from workflow.errors import IcpsimError

LINK = re.compile(r"/verify/([A-Za-z0-9_-]+)")


@pytest.fixture
def pg_db(pg_url: str) -> Iterator[Database]:
    """A fresh database in the session's PostgreSQL cluster, with every table."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    database = Database(pg_url.rsplit("/", 1)[0] + f"/{name}")
    database.create_all()
    yield database
    database.dispose()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def pg_system(pg_db: Database, config: Config, clock) -> Iterator[System]:
    built = build_system(config, clock=clock, db=pg_db)
    yield built
    built.sender.close()


def _verified_contact(system: System, mail_sink, email: str) -> int:
    contact = system.contacts.add("acme", name="Li Na", email=email,
                                  title="Technical Director", actor="owner")
    system.run_due()
    token = LINK.search(mail_sink.to(email)[-1].text).group(1)
    system.contacts.verify(token)
    return contact.id


def test_a_filing_notifies_owner_and_verified_receiver_on_postgresql(pg_system, mail_sink):
    system = pg_system
    system.accounts.create("acme", owner_name="Zhang Wei", owner_email="owner@acme.example")
    cid = _verified_contact(system, mail_sink, "lina@acme.example")
    system.settings.select_receivers("acme", "icp_filing", [cid], actor="owner")
    system.filings.create("acme", "F1", type="first_filing", domain="acme.cn",
                          website="Acme Shop", actor="owner")
    system.filings.fire("acme", "F1", "submit", actor="owner")
    system.run_due()
    assert system.filings.get("acme", "F1").state == "submitted"
    assert len(mail_sink.to("owner@acme.example")) == 1
    assert len(mail_sink.to("lina@acme.example")) == 2  # verification + notification
    assert system.inbox.unread_count("acme") == 1
    system.run_due()  # nothing is sent twice
    assert len(mail_sink.messages) == 3


def test_only_one_of_two_concurrent_fifteenth_contacts_is_stored_on_postgresql(pg_system):
    system = pg_system
    system.accounts.create("acme", owner_name="Zhang Wei", owner_email="owner@acme.example")
    for n in range(14):
        system.contacts.add("acme", name=f"Contact {chr(65 + n)}", email=f"c{n}@acme.example",
                            title="Other", actor="owner")
    errors: list[str] = []
    barrier = threading.Barrier(2)

    def add(n: int) -> None:
        barrier.wait()
        try:
            system.contacts.add("acme", name="Late Comer", email=f"late{n}@acme.example",
                                title="Other", actor="owner")
        except IcpsimError as exc:
            errors.append(exc.code)

    threads = [threading.Thread(target=add, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == ["contact_limit_reached"]
    assert len(system.contacts.list("acme")) == 15


def test_two_dispatchers_on_postgresql_send_each_email_once(pg_system, mail_sink):
    system = pg_system
    system.accounts.create("acme", owner_name="Zhang Wei", owner_email="owner@acme.example")
    for n in range(15):
        system.contacts.add("acme", name=f"Contact {chr(65 + n)}", email=f"c{n}@acme.example",
                            title="Other", actor="owner")
    system.config = system.config.with_(batch_size=4)  # several claims per dispatcher
    barrier = threading.Barrier(2)

    def dispatch() -> None:
        sender = SmtpSender.from_url(system.config.smtp_url, mail_from=system.config.mail_from)
        barrier.wait()
        try:
            dispatch_due(system.db, now=system.clock.now(), config=system.config, sender=sender)
        finally:
            sender.close()

    threads = [threading.Thread(target=dispatch) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    system.run_due()
    received = sorted(r for m in mail_sink.messages for r in m.rcpt_tos)
    assert received == sorted(f"c{n}@acme.example" for n in range(15))
