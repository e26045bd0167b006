"""Reading the fields of a model file: sections, numbers, durations, distributions.

Every problem is noted with its line and reading goes on, so one pass reports them all.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from workflow.durations import parse_duration

from ..problems import Problem, hint, line_of
from ..schema import FieldError, Kind
from .model import BusinessDays, RealTime


class FieldReader:
    def __init__(self, path: Path):
        self.path = path
        self.problems: list[Problem] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    # structure ----------------------------------------------------------------------
    def section(self, parent: Any, key: str | None, fields: tuple[str, ...], where: str, *,
                required: bool = False) -> Any:
        """The mapping at ``parent[key]`` (``parent`` itself for None), unknown keys noted;
        an empty mapping (line 0) when absent or not a mapping."""
        if key is None:
            node = parent
        elif not isinstance(parent, dict) or key not in parent:
            if required:
                self.problem(getattr(parent, "line", 1), f"{where}: missing section {key!r}")
            return _empty()
        else:
            node = parent[key]
            if not isinstance(node, dict):
                self.problem(line_of(parent, key, 1), f"{where}: expected a mapping with "
                             f"{', '.join(fields)}")
                return _empty()
        self.section_of(node, fields, where, getattr(node, "line", 1))
        return node

    def section_of(self, node: Any, fields: tuple[str, ...], where: str, line: int) -> None:
        for k in node:
            if k not in fields:
                self.problem(line_of(node, k, line), f"{where}: unknown field {k!r}"
                             f"{hint(str(k), fields)}")

    def value(self, m: Any, key: str, where: str, required: bool, line: int) -> Any:
        if key not in m:
            if required:
                self.problem(getattr(m, "line", 0) or line, f"{where}: missing field {key!r}")
            return None
        return m[key]

    # scalars ------------------------------------------------------------------------
    def text(self, m: Any, key: str, *, required: bool = False) -> str | None:
        raw = self.value(m, key, "model", required, 1)
        if raw is None:
            return None
        if not isinstance(raw, str) or not raw.strip():
            self.problem(line_of(m, key, 1), f"model: field {key!r}: expected non-empty text")
            return None
        return raw.strip()

    def time(self, m: Any, key: str, where: str, *, required: bool = False,
             line: int = 1) -> datetime | None:
        raw = self.value(m, key, where, required, line)
        if raw is None:
            return None
        try:
            value: datetime = Kind("time").convert(raw)
            return value
        except FieldError as exc:
            self.problem(line_of(m, key, line), f"{where}: field {key!r}: {exc}")
            return None

    def duration(self, m: Any, key: str, where: str, *, required: bool = False,
                 line: int = 1) -> timedelta | None:
        raw = self.value(m, key, where, required, line)
        if raw is None:
            return None
        try:
            return parse_duration(raw) if isinstance(raw, str) else _not_duration(raw)
        except ValueError as exc:
            self.problem(line_of(m, key, line), f"{where}: field {key!r}: {exc}")
            return None

    def choice(self, m: Any, key: str, choices: tuple[str, ...], where: str) -> str | None:
        raw = self.value(m, key, where, False, 1)
        if raw is None:
            return None
        if raw not in choices:
            self.problem(line_of(m, key, 1), f"{where}: {key} {raw!r} is not known"
                         f"{hint(str(raw), choices)}")
            return None
        return str(raw)

    def integer(self, m: Any, key: str, where: str, *, low: int = 0, high: int | None = None,
                required: bool = False, line: int = 1) -> int | None:
        raw = self.value(m, key, where, required, line)
        if raw is None:
            return None
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < low or (
                high is not None and raw > high):
            upto = f" and at most {high}" if high is not None else ""
            self.problem(line_of(m, key, line), f"{where}: {key} must be a whole number of "
                         f"at least {low}{upto}, got {raw!r}")
            return None
        return raw

    def number(self, m: Any, key: str, where: str, default: float, high: float) -> float:
        raw = self.value(m, key, where, False, 1)
        if raw is None:
            return default
        if (isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw)
                or not 0 <= raw <= high):
            self.problem(line_of(m, key, 1), f"{where}: {key} must be a number between 0 "
                         f"and {high:g}, got {raw!r}")
            return default
        return float(raw)

    def probability(self, m: Any, key: str, where: str, default: float) -> float:
        return self.number(m, key, where, default, 1.0)

    def shares(self, m: Any, key: str, names: tuple[str, ...], where: str, *,
               each: bool = False) -> tuple[tuple[str, float], ...]:
        """Weights by name (``each``: independent probabilities instead)."""
        node = self.section(m, key, names, where)
        out = []
        for name in node:
            if name in names:
                value = self.probability(node, name, where, 0.0) if each else self.number(
                    node, name, where, 0.0, 1e9)
                out.append((str(name), value))
        if node and not each and not any(v > 0 for _, v in out):
            self.problem(line_of(m, key, 1), f"{where}: at least one share must be above 0")
        return tuple(out)

    def range(self, m: Any, key: str, where: str, *, low: int, high: int
              ) -> tuple[int, int] | None:
        node = self.section(m, key, ("min", "max"), f"{where}: {key}")
        if not node:
            return None
        line = getattr(node, "line", 1)
        a = self.integer(node, "min", f"{where}: {key}", low=low, high=high, required=True,
                         line=line)
        b = self.integer(node, "max", f"{where}: {key}", low=low, high=high, required=True,
                         line=line)
        if a is None or b is None:
            return None
        if a > b:
            self.problem(line, f"{where}: {key}: min {a} is above max {b}")
            return None
        return a, b

    def days(self, m: Any, key: str, where: str) -> BusinessDays | None:
        node = self.section(m, key, ("fixed", "min", "max", "mode"), f"{where}: {key}")
        if not node:
            return None
        line, at = getattr(node, "line", 1), f"{where}: {key}"
        if "fixed" in node:
            if len(node) > 1:
                self.problem(line, f"{at}: give fixed alone, or min and max (and mode)")
            n = self.integer(node, "fixed", at, low=1, high=366, line=line)
            return None if n is None else BusinessDays(n, n)
        a = self.integer(node, "min", at, low=1, high=366, required=True, line=line)
        b = self.integer(node, "max", at, low=1, high=366, required=True, line=line)
        mode = self.integer(node, "mode", at, low=1, high=366, line=line)
        if a is None or b is None:
            return None
        if a > b or (mode is not None and not a <= mode <= b):
            self.problem(line, f"{at}: expected min <= mode <= max, got {a}, {mode}, {b}"
                         if mode is not None else f"{at}: min {a} is above max {b}")
            return None
        return BusinessDays(a, b, mode)

    def real(self, m: Any, key: str, where: str) -> RealTime | None:
        node = self.section(m, key, ("median", "p90", "fixed", "min", "max"), f"{where}: {key}")
        if not node:
            return None
        line, at = getattr(node, "line", 1), f"{where}: {key}"
        forms = [f for f in (("median", "p90"), ("fixed",), ("min", "max"))
                 if any(k in node for k in f)]
        if len(forms) != 1:
            self.problem(line, f"{at}: give {{median, p90}}, {{fixed}} or {{min, max}}")
            return None
        kind = {"median": "lognormal", "fixed": "fixed", "min": "uniform"}[forms[0][0]]
        values = [v for k in forms[0]
                  if (v := self.duration(node, k, at, required=True, line=line)) is not None]
        if len(values) != len(forms[0]):
            return None
        if len(values) == 2 and values[0] >= values[1]:
            self.problem(line, f"{at}: {forms[0][0]} must be shorter than {forms[0][-1]}")
            return None
        return RealTime(kind, values[0], values[1] if len(values) == 2 else None)


def _empty() -> dict[str, Any]:
    return {}


def _not_duration(raw: Any) -> timedelta:
    raise ValueError(f"{raw!r} is not a duration like 90s, 30m, 25h, 3d or 1d2h")


__all__ = ["FieldReader"]
