"""Time as a parameter: the system clock and a simulated clock, both in UTC."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class SimulatedClock:
    """A clock that only moves when told to; never moves backwards."""

    def __init__(self, start: datetime):
        self._now = as_utc(start)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, when: datetime) -> None:
        when = as_utc(when)
        with self._lock:
            if when < self._now:
                raise ValueError(f"the clock cannot move back from {self._now} to {when}")
            self._now = when

    def advance(self, delta: timedelta) -> datetime:
        self.set(self.now() + delta)
        return self.now()


def as_utc(when: datetime) -> datetime:
    """Naive datetimes are taken as UTC (SQLite drops zones); aware ones are converted."""
    if when.tzinfo is UTC:  # the common case, on every bound and loaded time
        return when
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)
