"""Sign-in limits and session versions, held in the database so every process agrees.

Five failed sign-ins for one user name within 15 minutes lock that name for 15 minutes,
whatever the source address (docs/behaviour.md#sign-in-and-sessions). An attempt is
counted as a failure from the moment it starts until its password is found right, so
parallel guesses cannot slip past the limit while the first ones are still being checked.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, func, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from .clock import Clock
from .db import Database
from .errors import IcpsimError
from .security_models import SignInFailure, SignInState

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCK = timedelta(minutes=15)
_INSERTS: dict[str, Any] = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


class TooManyAttempts(IcpsimError):
    code = "too_many_attempts"
    http_status = 429


class SignInGuard:
    def __init__(self, db: Database, clock: Clock, *, max_failures: int = MAX_FAILURES,
                 window: timedelta = WINDOW, lock: timedelta = LOCK):
        self.db = db
        self.clock = clock
        self.max_failures = max_failures
        self.window = window
        self.lock = lock

    def attempt(self, username: str) -> None:
        """Start an attempt: TooManyAttempts while the name is locked or has as many
        failures (counting attempts still being checked) as the limit allows."""
        now = self.clock.now()
        with self.db.transaction() as s:
            state = _state_for_update(s, username)
            if state.locked_until is not None and state.locked_until > now:
                raise self._refusal(state.locked_until - now)
            _forget_old(s, keep=username, before=now - self.window, now=now)
            if _failures(s, username) >= self.max_failures:
                raise self._refusal(self.lock)
            s.add(SignInFailure(username=username, at=now))

    def passed(self, username: str) -> None:
        """The password was right: the name's failures are forgiven."""
        with self.db.transaction() as s:
            s.execute(delete(SignInFailure).where(col(SignInFailure.username) == username))

    def failed(self, username: str) -> bool:
        """The password was wrong (the attempt stays counted); True when this failure
        locked the name."""
        now = self.clock.now()
        with self.db.transaction() as s:
            state = _state_for_update(s, username)
            if _failures(s, username) < self.max_failures:
                return False
            state.locked_until = now + self.lock
            s.execute(delete(SignInFailure).where(col(SignInFailure.username) == username))
            s.add(state)
            return True

    def session_version(self, username: str) -> int:
        with self.db.transaction() as s:
            state = s.get(SignInState, username)
            return state.session_version if state is not None else 0

    def end_sessions(self, username: str) -> int:
        """Every session of ``username`` signed so far stops working; the new version."""
        with self.db.transaction() as s:
            state = _state_for_update(s, username)
            state.session_version += 1
            s.add(state)
            return state.session_version

    def _refusal(self, wait: timedelta) -> TooManyAttempts:
        minutes = max(1, math.ceil(wait.total_seconds() / 60))
        return TooManyAttempts(
            f"Too many failed sign-in attempts for this account ID: try again in "
            f"{minutes} minute{'s' if minutes != 1 else ''}.", field="username")


def _state_for_update(s: Session, username: str) -> SignInState:
    """The name's row, created if missing and locked against other writers."""
    insert = _INSERTS[s.get_bind().dialect.name]
    query = select(SignInState).where(col(SignInState.username) == username).with_for_update()
    while True:
        s.execute(insert(SignInState).values(username=username, session_version=0)
                  .on_conflict_do_nothing(index_elements=["username"]))
        state = s.exec(query).one_or_none()
        if state is not None:
            return state
        # Forgotten (an idle row) between our insert and our lock: make it again.


def _forget_old(s: Session, *, keep: str, before: datetime, now: datetime) -> None:
    """Drop failures out of the window and rows that say nothing any more (no lock, no
    ended session), so names tried once, such as a spray of made-up ids, do not pile up.
    Rows another sign-in holds are skipped, never waited for (no deadlock)."""
    old = select(SignInFailure.id).where(col(SignInFailure.at) <= before)
    s.execute(delete(SignInFailure).where(
        col(SignInFailure.id).in_(old.with_for_update(skip_locked=True).scalar_subquery())))
    idle = select(SignInState.username).where(
        col(SignInState.username) != keep, col(SignInState.session_version) == 0,
        or_(col(SignInState.locked_until).is_(None), col(SignInState.locked_until) <= now),
        ~exists().where(col(SignInFailure.username) == col(SignInState.username)))
    s.execute(delete(SignInState).where(
        col(SignInState.username).in_(idle.with_for_update(skip_locked=True)
                                      .scalar_subquery())))


def _failures(s: Session, username: str) -> int:
    query = select(func.count()).select_from(SignInFailure).where(
        col(SignInFailure.username) == username)
    return int(s.exec(query).one())


__all__ = ["LOCK", "MAX_FAILURES", "WINDOW", "SignInGuard", "TooManyAttempts"]
