"""Who may sign in: the two roles, account owners' and the reviewer's password hashes.

Every check of a password checks exactly one hash, whether or not the user exists (a
dummy hash stands in), so the time a refusal takes tells nothing about which ids exist.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from workflow.errors import NotFound

from .services import services

REVIEWER = "reviewer"  # the user name of the simulated Alibaba Cloud / authority reviewer
OWNER = "owner"  # role: one account's owner; sees only that account
OPERATOR = "operator"  # role: runs the simulator; reviews every filing, sees every message


@dataclass(frozen=True)
class User:
    role: str  # owner | operator
    account_id: str | None
    name: str

    @property
    def is_operator(self) -> bool:
        return self.role == OPERATOR

    @property
    def is_reviewer(self) -> bool:
        """The operator reviews filings (standing in for Alibaba Cloud and the authority)."""
        return self.is_operator

    @property
    def username(self) -> str:
        return self.account_id or REVIEWER


def reviewer_hash_file(instance_path: Path | str) -> Path:
    return Path(instance_path) / "reviewer.hash"


def set_reviewer_password(instance_path: Path | str, password: str) -> None:
    """Store the reviewer's password hash in the instance folder (never the password)."""
    path = reviewer_hash_file(instance_path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # 0600 from creation
    with os.fdopen(fd, "w") as out:
        out.write(generate_password_hash(password) + "\n")


def _reviewer_hash() -> str | None:
    configured = current_app.config.get("ICPSIM_REVIEWER_HASH")
    if configured:
        return str(configured)
    path = reviewer_hash_file(services().config.instance_path)
    return path.read_text().strip() if path.exists() else None


def password_hash(username: str) -> str | None:
    """The stored hash of ``username`` (None: no such user, or no password)."""
    if username == REVIEWER:
        return _reviewer_hash()
    try:
        return services().accounts.get(username).password_hash  # type: ignore[no-any-return]
    except NotFound:
        return None


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """Checked when there is no hash to check, so an unknown id takes as long to refuse."""
    return generate_password_hash(secrets.token_urlsafe(16))


def authenticate(username: str, password: str) -> User | None:
    """The user, or None; always checks one password hash, whether or not ``username``
    exists, so the time taken tells nothing."""
    stored = password_hash(username)
    ok = check_password_hash(stored or dummy_hash(), password) and stored is not None
    if not ok:
        return None
    if username == REVIEWER:
        return User(OPERATOR, None, "Reviewer")
    account = services().accounts.get(username)
    return User(OWNER, account.id, account.owner_name)


def fingerprint(stored: str | None) -> str:
    """Names the password hash a session was opened with, revealing nothing of it."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, (stored or "").encode(), hashlib.sha256).hexdigest()[:32]


__all__ = ["OPERATOR", "OWNER", "REVIEWER", "User", "authenticate", "dummy_hash",
           "fingerprint", "password_hash", "reviewer_hash_file", "set_reviewer_password"]
