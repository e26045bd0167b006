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


DEFAULT_ZONE = "Asia/Shanghai"  # an account's time zone unless it has another


def zone_label(when: datetime) -> str:
    """The UTC offset of an aware time as people read it: ``UTC+8``, ``UTC-3:30``, ``UTC``."""
    offset = when.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign, minutes = ("+" if minutes > 0 else "-"), abs(minutes)
    hours, rest = divmod(minutes, 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def shown_time(when: datetime, zone_name: str | None = None,
               fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored time in an account's zone, labelled: ``2026-11-29 21:10 (UTC+8)``."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        zone = ZoneInfo(zone_name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo(DEFAULT_ZONE)
    local = as_utc(when).astimezone(zone)
    return f"{local.strftime(fmt)} ({zone_label(local)})"
