"""Load and check a model file (SIMULATE.md); every problem names its file and line."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from workflow.durations import parse_duration
from workflow.lifecycle import FilingType

from ..loader import LoadError, load_file
from ..problems import InvalidScenario, Problem, hint, line_of
from ..schema import FieldError, Kind
from .calendar import known_years
from .model import (
    Batch,
    BusinessDays,
    Contacts,
    Filings,
    Mail,
    Outage,
    RealTime,
    SimulationModel,
    Stages,
)

TOP = ("name", "start", "duration", "calendar", "seed", "accounts", "contacts", "channels",
       "filings", "stages", "mail")
STAGES = {"submit": ("after", "abandon"), "initial_review": ("business_days", "reject"),
          "sms_verification": ("complete", "after"),
          "authority_review": ("business_days", "reject"), "resubmit": ("probability", "after"),
          "inspection": ("yearly_rate", "fail", "rectify", "extend", "business_days")}
ARRIVALS = ("uniform", "poisson", "working_hours")
CHANNELS = ("email", "internal", "sms")
LANGUAGES = ("en", "zh")
CALENDARS = ("cn", "none")
MAX_FILINGS = 1_000_000


class InvalidModel(InvalidScenario):
    """A file that is not a valid model; ``problems`` lists every reason, with lines."""


def load_model(path: Path | str) -> SimulationModel:
    """Load and validate one model file; raise InvalidModel naming each problem's line."""
    path = Path(path)
    try:
        doc = load_file(path)
    except LoadError as exc:
        raise InvalidModel([Problem(path, exc.line, exc.message)]) from None
    return ModelReader(path).model(doc)


class ModelReader:
    def __init__(self, path: Path):
        self.path = path
        self.problems: list[Problem] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    # the document ------------------------------------------------------------------
    def model(self, doc: Any) -> SimulationModel:
        if not isinstance(doc, dict):
            self.problem(getattr(doc, "line", 1), "a model file must be a mapping with "
                         "name, start, duration, filings and stages")
            raise InvalidModel(self.problems)
        top = self.section(doc, None, TOP, "model")
        name = self.text(doc, "name", required=True)
        start = self.time(doc, "start", "model", required=True)
        duration = self.duration(doc, "duration", "model", required=True)
        calendar = self.choice(doc, "calendar", CALENDARS, "model") or "cn"
        seed = self.integer(doc, "seed", "model", low=0) or 0
        accounts = self.section(doc, "accounts", ("count", "language"), "accounts")
        contacts = self.contacts(self.section(doc, "contacts", ("per_account", "verify"),
                                              "contacts"))
        channels = self.shares(doc, "channels", CHANNELS, "channels", each=True)
        filings = self.filings(self.section(doc, "filings", (
            "count", "arrival", "schedule", "types"), "filings", required=True))
        stages = self.stages(self.section(doc, "stages", tuple(STAGES), "stages"))
        mail = self.mail(self.section(doc, "mail", ("tempfail", "reject", "outages"), "mail"))
        count = self.integer(accounts, "count", "accounts", low=1) or 10
        languages = self.shares(accounts, "language", LANGUAGES, "accounts: language")
        del top
        if calendar == "cn" and start is not None and duration is not None:
            self.calendar_range(doc, start, duration)
        if self.problems:
            raise InvalidModel(self.problems)
        assert name is not None
        assert start is not None
        assert duration is not None
        return SimulationModel(
            self.path, name, start, duration, calendar, seed, count,
            languages or (("en", 1.0),), contacts,
            channels or (("email", 1.0), ("internal", 1.0)), filings, stages, mail)

    def calendar_range(self, doc: Any, start: datetime, duration: timedelta) -> None:
        first, last = known_years()
        end = (start + duration).astimezone(start.tzinfo)
        if start.year < first or end.year > last:
            self.problem(line_of(doc, "duration", 1),
                         f"model: the period {start.date().isoformat()} to "
                         f"{end.date().isoformat()} runs past the years the Chinese holiday "
                         f"schedule is known for ({first}-{last}, chinese-calendar package): "
                         "shorten it or use calendar: none")

    # sections ----------------------------------------------------------------------
    def contacts(self, m: Any) -> Contacts:
        per = self.range(m, "per_account", "contacts", low=0, high=15) or (0, 2)
        verify = self.section(m, "verify", ("probability", "after"), "contacts: verify")
        return Contacts(per, self.probability(verify, "probability", "contacts: verify", 1.0),
                        self.real(verify, "after", "contacts: verify")
                        or RealTime("fixed", timedelta(hours=1)))

    def filings(self, m: Any) -> Filings:
        where = "filings"
        schedule: list[Batch] = []
        if "schedule" in m and "count" in m:
            self.problem(line_of(m, "schedule", m.line), "filings: give either count (with "
                         "arrival) or schedule, not both")
        if "schedule" in m:
            items = m["schedule"]
            if not isinstance(items, list) or not items:
                self.problem(line_of(m, "schedule", m.line), "filings: schedule: expected a "
                             "list of {at: TIME, count: N}")
                items = []
            for i, item in enumerate(items):
                line = line_of(items, i, m.line)
                if not isinstance(item, dict):
                    self.problem(line, "filings: schedule: each entry is {at: TIME, count: N}")
                    continue
                self.section_of(item, ("at", "count"), "filings: schedule", line)
                at = self.time(item, "at", "filings: schedule", required=True, line=line)
                n = self.integer(item, "count", "filings: schedule", low=1, required=True,
                                 line=line)
                if at is not None and n is not None:
                    schedule.append(Batch(at, n))
        elif "count" not in m and hasattr(m, "line"):  # present, yet neither given
            self.problem(m.line, "filings: give count (with arrival) or schedule")
        count = self.integer(m, "count", where, low=1, high=MAX_FILINGS) or 0
        arrival = self.choice(m, "arrival", ARRIVALS, where) or "uniform"
        types = self.shares(m, "types", tuple(FilingType), "filings: types")
        return Filings(count, arrival, tuple(sorted(schedule, key=lambda b: b.at)),
                       types or (("first_filing", 1.0),))

    def stages(self, m: Any) -> Stages:
        d = Stages()
        parts = {key: self.section(m, key, fields, f"stages: {key}")
                 for key, fields in STAGES.items()}
        sub, ini, sms = parts["submit"], parts["initial_review"], parts["sms_verification"]
        auth, res, ins = parts["authority_review"], parts["resubmit"], parts["inspection"]
        resubmit_after = self.section(res, "after", ("business_days",),
                                      "stages: resubmit: after")
        return Stages(
            submit_after=self.real(sub, "after", "stages: submit") or d.submit_after,
            abandon=self.probability(sub, "abandon", "stages: submit", d.abandon),
            initial_review=self.days(ini, "business_days", "stages: initial_review")
            or d.initial_review,
            initial_reject=self.probability(ini, "reject", "stages: initial_review", 0.0),
            sms_complete=self.probability(sms, "complete", "stages: sms_verification", 1.0),
            sms_after=self.real(sms, "after", "stages: sms_verification") or d.sms_after,
            authority_review=self.days(auth, "business_days", "stages: authority_review")
            or d.authority_review,
            authority_reject=self.probability(auth, "reject", "stages: authority_review", 0.0),
            resubmit=self.probability(res, "probability", "stages: resubmit", 0.0),
            resubmit_after=self.days(resubmit_after, "business_days",
                                     "stages: resubmit: after") or d.resubmit_after,
            inspection_rate=self.number(ins, "yearly_rate", "stages: inspection", 0.0, 1000.0),
            inspection_fail=self.probability(ins, "fail", "stages: inspection", 0.0),
            rectify=self.probability(ins, "rectify", "stages: inspection", 1.0),
            extend=self.probability(ins, "extend", "stages: inspection", 0.0),
            inspection_review=self.days(ins, "business_days", "stages: inspection")
            or d.inspection_review,
        )

    def mail(self, m: Any) -> Mail:
        outages: list[Outage] = []
        items = m.get("outages", [])
        if not isinstance(items, list):
            self.problem(line_of(m, "outages", m.line), "mail: outages: expected a list of "
                         "{at: TIME, for: DURATION}")
            items = []
        for i, item in enumerate(items):
            line = line_of(items, i, m.line)
            if not isinstance(item, dict):
                self.problem(line, "mail: outages: each entry is {at: TIME, for: DURATION}")
                continue
            self.section_of(item, ("at", "for"), "mail: outages", line)
            at = self.time(item, "at", "mail: outages", required=True, line=line)
            length = self.duration(item, "for", "mail: outages", required=True, line=line)
            if at is not None and length is not None:
                outages.append(Outage(at, length))
        return Mail(self.probability(m, "tempfail", "mail", 0.0),
                    self.probability(m, "reject", "mail", 0.0), tuple(outages))

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


__all__ = ["InvalidModel", "load_model"]
