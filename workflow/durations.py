"""Human durations such as ``90s``, ``30m``, ``25h``, ``3d`` or ``1d2h``."""

from __future__ import annotations

import re
from datetime import timedelta

_PART = re.compile(r"(\d+)([dhms])")
_WHOLE = re.compile(r"^(?:\d+[dhms])+$")
_UNIT = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(text: str) -> timedelta:
    """Parse a compact duration; raise ValueError naming the text when malformed."""
    value = str(text).strip().replace(" ", "")
    if not _WHOLE.match(value):
        raise ValueError(f"{text!r} is not a duration like 90s, 30m, 25h, 3d or 1d2h")
    units = [unit for _, unit in _PART.findall(value)]
    if len(set(units)) != len(units) or units != sorted(units, key="dhms".index):
        raise ValueError(f"{text!r} repeats or misorders its units (write them as 1d2h30m)")
    seconds = sum(int(n) * _UNIT[u] for n, u in _PART.findall(value))
    if seconds <= 0:
        raise ValueError(f"{text!r} must be longer than zero")
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta) -> str:
    """The inverse of parse_duration, for messages and reports."""
    seconds = int(delta.total_seconds())
    if seconds == 0:
        return "0s"
    out = []
    for unit, size in _UNIT.items():
        n, seconds = divmod(seconds, size)
        if n:
            out.append(f"{n}{unit}")
    return "".join(out)
