"""Wake-up instead of polling: relay and dispatch start when a transition commits.

A waiter blocks until there may be work: on PostgreSQL a ``LISTEN`` connection (psycopg
3) hears the ``NOTIFY`` a transition's transaction sends at commit, from any process;
on SQLite, an event the same process's commits set. The waker thread then runs relay
and dispatch until they find nothing. The scheduler's interval jobs stay as the
fallback: a missed notification costs at most one poll interval.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Protocol

from sqlalchemy.engine import make_url

from workflow.db import Database
from workflow.transition import WAKE_CHANNEL

log = logging.getLogger(__name__)
MAX_DRAIN_ROUNDS = 1000
SLICE = 0.5  # longest single wait, so a stop is seen quickly


class Waiter(Protocol):
    def wait(self, timeout: float) -> bool:
        """Block up to ``timeout`` seconds; True if there may be work."""
        ...

    def close(self) -> None: ...


class LocalWaiter:
    """Commits of this process (SQLite, or PostgreSQL without LISTEN)."""

    def __init__(self, db: Database):
        self.event = db.outbox_committed

    def wait(self, timeout: float) -> bool:
        if not self.event.wait(timeout):
            return False
        # Cleared after waking: a commit after this point sets it again and the drain
        # that follows reads every commit made before it.
        self.event.clear()
        return True

    def close(self) -> None:
        pass


class PostgresWaiter:
    """``LISTEN`` on its own autocommit connection; reconnects after a loss."""

    def __init__(self, database_url: str):
        self.conninfo = make_url(database_url).set(drivername="postgresql").render_as_string(
            hide_password=False)
        self.conn: Any = None

    def _connect(self) -> Any:
        import psycopg

        conn = psycopg.connect(self.conninfo, autocommit=True)
        conn.execute(f"LISTEN {WAKE_CHANNEL}")
        return conn

    def wait(self, timeout: float) -> bool:
        import psycopg

        try:
            if self.conn is None:
                self.conn = self._connect()
                return True  # notifications sent while we were not listening: look now
            heard = any(True for _ in self.conn.notifies(timeout=timeout, stop_after=1))
            if heard:  # one drain serves every notification already queued
                for _ in self.conn.notifies(timeout=0):
                    pass
            return heard
        except psycopg.Error as exc:
            log.warning("wake-up connection lost (%s); polling until it is back", exc)
            self.close()
            threading.Event().wait(timeout)
            return False

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            finally:
                self.conn = None


def waiter_for(db: Database) -> Waiter:
    if db.url.get_backend_name() == "postgresql":
        return PostgresWaiter(db.url.render_as_string(hide_password=False))
    return LocalWaiter(db)


class Waker:
    """A daemon thread: wait for a wake-up, then relay and dispatch until idle."""

    def __init__(self, system: Any, waiter: Waiter):
        from .worker import guarded

        self.waiter = waiter
        self.relay = guarded("relay_due", system.relay_due)
        self.dispatch = guarded("dispatch_due", system.dispatch_due)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="icpsim-wakeup", daemon=True)

    def start(self) -> Waker:
        self.thread.start()
        return self

    def _run(self) -> None:
        try:
            while not self.stopping.is_set():
                if self.waiter.wait(SLICE) and not self.stopping.is_set():
                    self.drain()
        finally:
            self.waiter.close()

    def drain(self) -> int:
        """Relay, then dispatch, until a round finds nothing; returns the work done."""
        total = 0
        for _ in range(MAX_DRAIN_ROUNDS):
            done = self.relay() + self.dispatch()
            total += done
            if not done or self.stopping.is_set():
                break
        return total

    def stop(self, timeout: float = 30) -> None:
        self.stopping.set()
        self.thread.join(timeout)


def start_waker(system: Any) -> Waker | None:
    """The waker of ``system`` when its configuration enables wake-up, else None."""
    if not system.config.wakeup:
        return None
    return Waker(system, waiter_for(system.db)).start()


__all__ = ["LocalWaiter", "PostgresWaiter", "Waker", "start_waker", "waiter_for"]
