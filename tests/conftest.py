"""Shared fixtures: a simulated clock, a fresh database, a real loopback SMTP server."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

import notify.models  # noqa: F401  (tables are defined before freezegun runs)
import workflow.models  # noqa: F401
from notify.mailsink import MailSink, free_port
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


@pytest.fixture(params=["sqlite_file", "postgresql"])
def shared_db(request) -> Database:
    """A database several threads share: a SQLite file, and PostgreSQL where installed."""
    return request.getfixturevalue("file_db" if request.param == "sqlite_file" else "pg_db")


@pytest.fixture
def pg_database_url(pg_url: str) -> Iterator[str]:
    """The URL of a new, empty database in the session's PostgreSQL cluster."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield pg_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def pg_db(pg_database_url: str) -> Iterator[Database]:
    """A new PostgreSQL database with every table."""
    database = Database(pg_database_url)
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


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL cluster for the session (skips where PostgreSQL is absent)."""
    with postgres_cluster() as url:
        if url is None:
            pytest.skip("PostgreSQL server binaries are not installed")
        yield url


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _as_postgres(cmd: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root; CI runs as root.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@contextmanager
def postgres_cluster() -> Iterator[str | None]:
    """Yield a SQLAlchemy URL of a fresh cluster, or None when PostgreSQL is not installed."""
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if not initdb or not pg_ctl:
        yield None
        return
    root = tempfile.mkdtemp(prefix="icpsim-pg-")
    data = os.path.join(root, "data")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    port = free_port()
    run = {"check": True, "capture_output": True}
    subprocess.run(_as_postgres([initdb, "-D", data, "-U", "postgres", "-A", "trust"]), **run)
    opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(_as_postgres([pg_ctl, "-D", data, "-o", opts, "-w", "-l",
                                 os.path.join(root, "log"), "start"]), **run)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_postgres([pg_ctl, "-D", data, "-m", "immediate", "stop"]),
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
