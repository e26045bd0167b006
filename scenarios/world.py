"""One scenario's isolated world: fresh database, simulated clock, its own SMTP server."""

from __future__ import annotations

import secrets
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from sqlmodel import SQLModel

from notify.mailsink import MailSink
from notify.smsgateway import SmsGateway
from notify.system import System, build_system
from notify.webhooksink import WebhookSink
from workflow.clock import SimulatedClock
from workflow.config import Config
from workflow.db import Database

from .mail import Mail, read
from .model import Scenario


class World:
    """The system under test plus what the runner needs to address it by scenario names."""

    def __init__(self, scenario: Scenario, system: System, clock: SimulatedClock,
                 sink: MailSink, sms: SmsGateway | None = None,
                 webhooks: WebhookSink | None = None,
                 robots: dict[str, tuple[str, str | None]] | None = None):
        self.scenario = scenario
        self.system = system
        self.clock = clock
        self.sink = sink
        self.sms = sms  # the scenario's SMS gateway and webhook receiver (version 2)
        self.webhooks = webhooks
        self.robots = robots if robots is not None else {}  # URL -> robot type, secret
        self.filing_accounts: dict[str, str] = {}  # filing id -> account id
        self._mails: list[Mail] = []  # parsed once: header parsing is not cheap

    def now(self) -> datetime:
        return self.clock.now()

    def mails(self) -> list[Mail]:
        """Every email the scenario's server received so far, oldest first."""
        received = self.sink.messages
        self._mails.extend(read(m) for m in received[len(self._mails):])
        return list(self._mails)

    def owner(self, account_id: str) -> str:
        return self.scenario.account(account_id).owner_email

    def default_account(self) -> str:
        return self.scenario.accounts[0].id

    def account_of_filing(self, filing_id: str, given: str | None = None) -> str:
        return given or self.filing_accounts.get(filing_id) or self.default_account()

    def fingerprint(self) -> dict[str, int]:
        """A hash of every table's rows and of the mail received: to prove nothing changed."""
        out: dict[str, int] = {"mail server": len(self.sink.messages),
                               "sms gateway": len(self.sms.messages()) if self.sms else 0,
                               "webhook receiver": len(self.webhooks.received())
                               if self.webhooks else 0}
        # The driver's own cursor: rows are only compared with rows read the same way, and
        # SQLAlchemy's result machinery would cost more than the queries themselves.
        pooled = self.system.db.engine.raw_connection()
        try:
            driver = pooled.driver_connection
            assert driver is not None  # a checked-out connection always has its driver's
            cursor = driver.cursor()
            for table in SQLModel.metadata.sorted_tables:
                cursor.execute(f'SELECT * FROM "{table.name}"')
                out[table.name] = hash(tuple(sorted(map(repr, cursor.fetchall()))))
        finally:
            pooled.close()
        return out


@contextmanager
def open_world(scenario: Scenario) -> Iterator[World]:
    """Build the world, create the accounts, and tear everything down afterwards."""
    with tempfile.TemporaryDirectory(prefix="icpsim-scenario-") as tmp, MailSink() as sink:
        key_id, key_secret = f"LTAI{secrets.token_hex(8)}", secrets.token_urlsafe(24)
        clock = SimulatedClock(scenario.start)
        robots: dict[str, tuple[str, str | None]] = {}
        sms = SmsGateway(access_key_id=key_id, access_key_secret=key_secret,
                         clock=clock.now).start()
        hooks = WebhookSink(lookup=robots.get, clock=clock.now).start()
        config = Config(instance_path=Path(tmp), database_url="sqlite://",
                        smtp_url=sink.url, secret_key="scenario-runner", sms_url=sms.url,
                        sms_access_key_id=key_id, sms_access_key_secret=key_secret,
                        webhook_sink_port=hooks.port, webhook_timeout=timedelta(seconds=1))
        db = _take_database()
        system = build_system(config, clock=clock, db=db)
        try:
            for account in scenario.accounts:
                system.accounts.create(account.id, owner_name=account.owner_name,
                                       owner_email=account.owner_email,
                                       language=account.language)
            yield World(scenario, system, clock, sink, sms, hooks, robots)
        finally:
            system.close()  # disposing of the engine drops its in-memory database
            sms.stop()
            hooks.stop()
            _spare.append(db)


# Databases whose in-memory SQLite went with their last scenario: the engine (and so its
# dialect and compiled-statement cache, keyed by dialect) is reused, sparing each scenario
# the compilation of every statement again. A list, so concurrent worlds each take their
# own; a disposed StaticPool engine opens a new, empty database on first use.
_spare: list[Database] = []
_copying = threading.Lock()


def _take_database() -> Database:
    """An in-memory database with every table and no row, on a reused engine if any."""
    try:
        db = _spare.pop()
    except IndexError:
        db = Database("sqlite://")
    # Copying an empty schema page by page costs far less than create_all's DDL.
    pooled = db.engine.raw_connection()
    target: Any = pooled.driver_connection
    try:
        with _copying:
            _template()[1].backup(target)
    finally:
        pooled.close()
    return db


@cache
def _template() -> tuple[Database, sqlite3.Connection]:
    """An in-memory database made once by create_all: what every world starts from."""
    import notify.models  # noqa: F401  (registers the tables)
    import workflow.models  # noqa: F401

    db = Database("sqlite://")
    db.create_all()
    driver = db.engine.raw_connection().driver_connection
    assert isinstance(driver, sqlite3.Connection)
    return db, driver  # the Database too: its pool must not close the connection
