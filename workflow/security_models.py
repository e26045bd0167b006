"""Tables of the console's sign-in guard: failed attempts, locks and session versions.

They live in the database so that every process serving the console sees the same
limits and the same signed-out sessions. Keyed by the user name as typed at sign-in (an
account id, or ``reviewer``), whether or not such an account exists: an unknown id is
locked like a known one, so the answers never tell which ids exist.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .db import UTCDateTime


class SignInState(SQLModel, table=True):
    """One row per user name: the sign-in lock and the version of its sessions.

    The row is also the per-user mutex of the guard: it is locked (``FOR UPDATE`` on
    PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite) while a failure is counted.
    """

    username: str = Field(primary_key=True, max_length=64)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    session_version: int = 0  # raised by signing out or a new password: old cookies die


class SignInFailure(SQLModel, table=True):
    """A failed sign-in (wrong password or unknown id); pruned once out of the window."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, index=True)
    at: datetime = Field(sa_type=UTCDateTime)


__all__ = ["SignInFailure", "SignInState"]
