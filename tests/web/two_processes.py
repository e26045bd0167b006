"""Two consoles on one SQLite file, each with its own engine: two processes, as far as the
database can tell."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.security import generate_password_hash

from notify.system import build_system
from tests.web.conftest import FAST_HASH, PASSWORDS
from web.app import create_app
from workflow.db import Database


@contextmanager
def two_consoles(folder: Path, system: Any) -> Iterator[tuple[Flask, Flask]]:
    """Both with account "acme" and the reviewer (passwords as in conftest.PASSWORDS)."""
    url = f"sqlite:///{folder / 'shared.db'}"
    first, second = Database(url), Database(url)
    first.create_all()
    config = system.config.with_(database_url=url)
    apps = []
    for db in (first, second):
        app = create_app(system=build_system(config, clock=system.clock, db=db))
        app.config.update(TESTING=True, ICPSIM_REVIEWER_HASH=generate_password_hash(
            PASSWORDS["reviewer"], FAST_HASH))
        apps.append(app)
    apps[0].extensions["icpsim"].accounts.create(
        "acme", owner_name="Zhang Wei", owner_email="owner@acme.example",
        password_hash=generate_password_hash(PASSWORDS["acme"], FAST_HASH))
    try:
        yield apps[0], apps[1]
    finally:
        first.dispose()
        second.dispose()
