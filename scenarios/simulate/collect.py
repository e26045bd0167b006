"""What a run's tally (scenarios/simulate/tally.py) says: the summary, the daily rows, the
filing rows and the states over time that the outputs are written from."""

from __future__ import annotations

import csv
import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, timedelta
from operator import itemgetter
from pathlib import Path
from typing import Any

from workflow.lifecycle import LIFECYCLE

from .calendar import WorkCalendar
from .driver import RunState, Simulation
from .model import SimulationModel
from .tally import FILING_COLUMNS, Tally, tally

TRIGGERS = tuple(r.trigger.value for r in LIFECYCLE)
DAILY_COLUMNS = ("date", "working_day", "arrivals", *TRIGGERS, "reminders", "emails",
                 "internal_messages", "sms", "webhook_calls", "failures", "skips")
SIMULATED = ("email", "internal", "sms")  # the channels a run sends on


class FilingRows:
    """The rows of filings.csv, in filing order, each a dict of FILING_COLUMNS (text, as
    in the file): read from the runs' part files when iterated over, never all held in
    memory (a part file holds one run's rows in filing order)."""

    def __init__(self, parts: list[Path], count: int):
        self.parts, self.count = parts, count

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[dict[str, str]]:
        with ExitStack() as files:
            readers = [csv.reader(files.enter_context(p.open(encoding="utf-8", newline="")))
                       for p in self.parts]
            for values in heapq.merge(*readers, key=itemgetter(0)):
                yield dict(zip(FILING_COLUMNS, values, strict=True))


@dataclass(frozen=True)
class Results:
    summary: dict[str, Any]
    daily: list[dict[str, Any]]
    filings: FilingRows
    states_over_time: dict[str, list[int]]  # state -> filings in it at each day's end
    business_days_to_approval: Counter[int]  # days -> approved filings


def collect(sim: Simulation, state: RunState) -> Results:
    """The results of one run of a whole population."""
    return results(sim.model, sim.seed, sim.calendar, tally(sim, state))


def results(model: SimulationModel, seed: int, calendar: WorkCalendar, t: Tally) -> Results:
    """The summary, daily rows, filing rows and states over time of a tally."""
    first = model.start.date()
    last = model.end.astimezone(model.start.tzinfo).date()
    days = [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]
    daily = []
    for day in days:
        row: dict[str, Any] = {c: t.daily[day, c] for c in DAILY_COLUMNS}
        row["date"], row["working_day"] = day, int(calendar.is_working_day(date.fromisoformat(day)))
        daily.append(row)
    return Results(_summary(model, seed, t), daily, FilingRows(t.filing_parts, t.filings),
                   _states_over_time(days, t.state_changes), t.approval_business_days)


def _summary(model: SimulationModel, seed: int, t: Tally) -> dict[str, Any]:
    messages: dict[str, Any] = {}
    for (channel, status, reason), n in sorted(t.messages.items()):
        out = messages.setdefault(channel, {"sent": 0, "failed": 0, "pending": 0,
                                            "skipped": {}})
        if status == "skipped":
            out["skipped"][reason] = n
        else:
            out[status] += n
    for channel in SIMULATED:
        messages.setdefault(channel, {"sent": 0, "failed": 0, "pending": 0, "skipped": {}})
    by_trigger = t.transitions
    return {
        "model": model.name, "seed": seed, "calendar": model.calendar,
        "start": model.start.isoformat(), "end": model.end.isoformat(),
        "population": {"accounts": t.accounts, "contacts": t.contacts,
                       "filings": t.filings},
        "filings_by_state": dict(sorted(t.final_states.items())),
        "transitions_by_trigger": {trigger: by_trigger[trigger] for trigger in TRIGGERS},
        "reminders": by_trigger["expiry_reminder"],
        "notifications_by_type": dict(sorted(t.notifications.items())),
        "messages": dict(sorted(messages.items())),
        "mail_server": dict(sorted(t.mail_server.items())),
        "sms_gateway": {"accepted": t.sms_accepted},
        "receivers_missed": {"messages": t.missed_messages, "contacts": t.missed_contacts},
        "contacts": {"verified_again": t.contacts_verified,
                     "never_verified": t.contacts - t.contacts_verified},
        "verification_emails": dict(sorted(t.verification.items())),
        "time_to_approval": {
            "approved": t.approval_business_days.total(),
            "business_days": percentiles(t.approval_business_days),
            "calendar_days": percentiles(t.approval_calendar_days)},
        "sms_timeouts": by_trigger["sms_timeout"],
        "expiries": by_trigger["expire"],
        "rectification_cancellations": by_trigger["rectification_timeout"],
        "refused_moves": dict(sorted(t.refused.items())),
    }


def _states_over_time(days: list[str], changes: Counter[tuple[str, str]]
                      ) -> dict[str, list[int]]:
    """Filings per state at the end of each local day, replayed from the history."""
    index = {d: i for i, d in enumerate(days)}
    delta: dict[str, list[int]] = defaultdict(lambda: [0] * len(days))
    for (day, state), n in changes.items():
        if day in index:
            delta[state][index[day]] += n
    out = {}
    for name, per_day in sorted(delta.items()):
        level, series = 0, []
        for change in per_day:
            level += change
            series.append(level)
        out[name] = series
    return out


def percentiles(counts: Counter[Any]) -> dict[str, Any]:
    """p50, p90, p99 (nearest rank) and max of the values counted; None when there is
    nothing to measure."""
    ordered = sorted(counts.items())
    total = sum(n for _, n in ordered)
    if not total:
        return {"p50": None, "p90": None, "p99": None, "max": None}

    def rank(p: float) -> Any:
        target, seen = max(1, math.ceil(total * p / 100)), 0
        for value, n in ordered:
            seen += n
            if seen >= target:
                return value
        return ordered[-1][0]

    return {"p50": rank(50), "p90": rank(90), "p99": rank(99), "max": ordered[-1][0]}


__all__ = ["DAILY_COLUMNS", "FilingRows", "Results", "collect", "percentiles", "results"]
