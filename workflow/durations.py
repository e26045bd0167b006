"""Human durations such as ``90s``, ``30m``, ``25h``, ``3d`` or ``1d2h``."""

from __future__ import annotations

import re
from datetime import timedelta

# ASCII digits only: ``\d`` would take fullwidth and other Unicode digits too.
_PART = re.compile(r"([0-9]+)([dhms])")
_WHOLE = re.compile(r"(?:[0-9]+[dhms])+")
_UNIT = {"d": 86400, "h": 3600, "m": 60, "s": 1}
MAX_DURATION = timedelta(days=36500)  # a hundred years: far beyond any deadline or retry
_MAX_DIGITS = 12  # more digits than this exceed MAX_DURATION in any unit


def parse_duration(text: str) -> timedelta:
    """Parse a compact duration; raise ValueError naming the text when malformed."""
    value = str(text).strip().replace(" ", "")
    if not _WHOLE.fullmatch(value):
        raise ValueError(f"{_shown(text)} is not a duration like 90s, 30m, 25h, 3d or 1d2h")
    parts = _PART.findall(value)
    units = [unit for _, unit in parts]
    if len(set(units)) != len(units) or units != sorted(units, key="dhms".index):
        raise ValueError(f"{_shown(text)} repeats or misorders its units (write them as 1d2h30m)")
    if any(len(n.lstrip("0")) > _MAX_DIGITS for n, _ in parts):
        raise ValueError(f"{_shown(text)} is longer than the maximum of "
                         f"{format_duration(MAX_DURATION)}")
    seconds = sum(int(n) * _UNIT[u] for n, u in parts)
    if seconds <= 0:
        raise ValueError(f"{_shown(text)} must be longer than zero")
    if seconds > MAX_DURATION.total_seconds():
        raise ValueError(f"{_shown(text)} is longer than the maximum of "
                         f"{format_duration(MAX_DURATION)}")
    return timedelta(seconds=seconds)


def _shown(text: object) -> str:
    shown = repr(text)
    return shown if len(shown) <= 60 else shown[:57] + "...'"


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
