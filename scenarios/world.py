"""One scenario's isolated world: fresh database, simulated clock, its own SMTP server."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import text
from sqlmodel import SQLModel

from notify.mailsink import MailSink
from notify.system import System, build_system
from workflow.clock import SimulatedClock
from workflow.config import Config
from workflow.db import Database

from .mail import Mail, read
from .model import Scenario


class World:
    """The system under test plus what the runner needs to address it by scenario names."""

    def __init__(self, scenario: Scenario, system: System, clock: SimulatedClock,
                 sink: MailSink):
        self.scenario = scenario
        self.system = system
        self.clock = clock
        self.sink = sink
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
        out: dict[str, int] = {"mail server": len(self.sink.messages)}
        with self.system.db.engine.connect() as conn:
            for table in SQLModel.metadata.sorted_tables:
                rows = conn.execute(text(f'SELECT * FROM "{table.name}"')).all()
                out[table.name] = hash(tuple(sorted(map(repr, rows))))
        return out


@contextmanager
def open_world(scenario: Scenario) -> Iterator[World]:
    """Build the world, create the accounts, and tear everything down afterwards."""
    with tempfile.TemporaryDirectory(prefix="icpsim-scenario-") as tmp, MailSink() as sink:
        config = Config(instance_path=Path(tmp), database_url="sqlite://",
                        smtp_url=sink.url, secret_key="scenario-runner")
        clock = SimulatedClock(scenario.start)
        db = Database(config.database_url)
        system = build_system(config, clock=clock, db=db, create_tables=True)
        try:
            for account in scenario.accounts:
                system.accounts.create(account.id, owner_name=account.owner_name,
                                       owner_email=account.owner_email,
                                       language=account.language)
            yield World(scenario, system, clock, sink)
        finally:
            system.close()
