"""The whole flow on a real PostgreSQL server (the races run there too, via `shared_db`)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from notify.system import System, build_system
from workflow.config import Config
from workflow.db import Database

LINK = re.compile(r"/verify/([A-Za-z0-9_-]+)")


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
