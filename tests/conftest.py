"""Shared fixtures: a simulated clock, a fresh database, a real loopback SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

import notify.models  # noqa: F401  (tables are defined before freezegun runs)
import workflow.models  # noqa: F401
from notify.mailsink import MailSink
from workflow.clock import SimulatedClock
from workflow.config import Config
from workflow.db import Database

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(START)


@pytest.fixture
def db() -> Iterator[Database]:
    database = Database("sqlite://")
    database.create_all()
    yield database
    database.dispose()


@pytest.fixture
def file_db(tmp_path) -> Iterator[Database]:
    """A SQLite file, for tests with several threads or processes."""
    database = Database(f"sqlite:///{tmp_path / 'icpsim.db'}")
    database.create_all()
    yield database
    database.dispose()


@pytest.fixture
def mail_sink() -> Iterator[MailSink]:
    with MailSink() as sink:
        yield sink


@pytest.fixture
def config(mail_sink: MailSink, tmp_path) -> Config:
    return Config(instance_path=tmp_path, smtp_url=mail_sink.url, secret_key="test")


@pytest.fixture
def system(config: Config, clock: SimulatedClock, db: Database):
    """The whole assembled system on an in-memory database and a loopback SMTP server."""
    from notify.system import build_system

    built = build_system(config, clock=clock, db=db)
    yield built
    built.sender.close()
