"""First run: the database schema, a demo account and the reviewer's password."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from werkzeug.security import generate_password_hash

from workflow.config import Config

from .auth import REVIEWER, reviewer_hash_file, set_reviewer_password
from .migrate import upgrade

if TYPE_CHECKING:
    from notify.system import System

DEMO_ACCOUNT = "demo"
DEMO_OWNER = ("Zhang Wei", "zhang.wei@demo.example")
CREDENTIALS = "first-run-credentials.txt"


@dataclass(frozen=True)
class Credentials:
    """Passwords made on this run (None: made on an earlier run, see the file)."""

    demo_password: str | None
    reviewer_password: str | None
    file: Path


def prepare_database(config: Config) -> None:
    """Create or upgrade the schema with the Alembic migrations."""
    upgrade(config)


def ensure_demo(system: System) -> Credentials:
    """A demo account (owner password) and a reviewer password, each made once."""
    instance = Path(system.config.instance_path)
    file = instance / CREDENTIALS
    demo_password = reviewer_password = None
    if not system.accounts.list():
        demo_password = secrets.token_urlsafe(9)
        system.accounts.create(DEMO_ACCOUNT, owner_name=DEMO_OWNER[0],
                               owner_email=DEMO_OWNER[1],
                               password_hash=generate_password_hash(demo_password))
    if not reviewer_hash_file(instance).exists():
        reviewer_password = secrets.token_urlsafe(9)
        set_reviewer_password(instance, reviewer_password)
    if demo_password or reviewer_password:
        lines = []
        if demo_password:
            lines.append(f"account owner: {DEMO_ACCOUNT} / {demo_password}")
        if reviewer_password:
            lines.append(f"reviewer:      {REVIEWER} / {reviewer_password}")
        # Local development convenience: readable by this user only, from creation on.
        fd = os.open(file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")
    return Credentials(demo_password, reviewer_password, file)
