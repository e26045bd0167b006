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
import time
from typing import Any, Protocol

from sqlalchemy.engine import make_url

from workflow.db import Database
from workflow.transition import WAKE_CHANNEL

from .metrics import JOB_ITEMS

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
    """A daemon thread that owns this process's relay and dispatch: it runs them until
    idle on each wake-up, and at least every poll interval (the fallback).

    One thread per process: the SMTP sender's one connection is never shared between a
    woken dispatch and a scheduled one.
    """

    def __init__(self, system: Any, waiter: Waiter):
        from .worker import guarded

        self.interval = system.config.poll_interval.total_seconds()
        self.batch = system.config.batch_size
        self.waiter = waiter
        self.system = system
        self.handed = 0  # deliveries the last relay claimed and sent itself
        self.relay = guarded("relay_due", self._relay_and_send)
        self.dispatch = guarded("dispatch_due", system.dispatch_due)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="icpsim-wakeup", daemon=True)

    def start(self) -> Waker:
        self.thread.start()
        return self

    def _run(self) -> None:
        try:
            poll_at = 0.0  # a first drain at start: work left by a previous run
            while not self.stopping.is_set():
                woken = self.waiter.wait(max(0.0, min(SLICE, poll_at - time.monotonic())))
                if self.stopping.is_set():
                    break
                polled = time.monotonic() >= poll_at
                if woken or polled:
                    self.drain(polled=polled)
                    poll_at = time.monotonic() + self.interval
        finally:
            self.waiter.close()

    def _relay_and_send(self) -> int:
        """Relay, claiming the deliveries it plans and sending them in the same turn: a
        transition's messages leave without a dispatch claim of their own. They count
        as dispatch's work in the log and the metrics."""
        self.handed = 0
        relayed, sent = self.system.relay_and_send()
        self.handed = sent
        if sent:
            JOB_ITEMS.labels("dispatch_due").inc(sent)
            log.info("dispatch_due: %d done (planned by the relay)", sent)
        return relayed

    def drain(self, *, polled: bool = True) -> int:
        """Relay, then dispatch, until a round leaves nothing behind; returns the work done.

        A round that claimed less than a full batch of each took everything due when it
        looked (dispatch looks after the relay's commit): work that comes later comes with
        its own wake-up, so no empty round is spent confirming it.

        Only new outbox events wake us, and the relay sends what it plans: on a wake-up
        (not ``polled``) dispatch runs only when the relay left a full batch behind.
        Retries and released leases wait for the poll, as before.
        """
        total = 0
        for _ in range(MAX_DRAIN_ROUNDS):
            relayed = self.relay()
            full = max(relayed, self.handed) >= self.batch
            dispatched = self.dispatch() if polled or full else 0
            total += relayed + self.handed + dispatched
            if max(relayed, self.handed, dispatched) < self.batch or self.stopping.is_set():
                break
        return total

    def stop(self, timeout: float = 30) -> None:
        self.stopping.set()
        self.thread.join(timeout)


WOKEN_JOBS = ("relay_due", "dispatch_due")


def scheduled_jobs(waker: Waker | None) -> tuple[str, ...]:
    """The jobs the scheduler runs: all of them, or those the waker does not own."""
    from .due import JOBS

    return JOBS if waker is None else tuple(j for j in JOBS if j not in WOKEN_JOBS)


def start_waker(system: Any) -> Waker | None:
    """The waker of ``system`` when its configuration enables wake-up, else None."""
    if not system.config.wakeup:
        return None
    return Waker(system, waiter_for(system.db)).start()


__all__ = ["WOKEN_JOBS", "LocalWaiter", "PostgresWaiter", "Waker", "scheduled_jobs",
           "start_waker", "waiter_for"]
