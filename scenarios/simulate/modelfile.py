"""Load and check a model file (SIMULATE.md); every problem names its file and line."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from workflow.lifecycle import FilingType

from ..loader import LoadError, load_file
from ..problems import InvalidScenario, Problem, line_of
from .calendar import known_years
from .fields import FieldReader
from .model import (
    Batch,
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


class ModelReader(FieldReader):
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


__all__ = ["InvalidModel", "load_model"]
