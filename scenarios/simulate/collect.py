"""What happened, read back from the run's own database (delivery records, history, outbox).

The run's database is always its own SQLite file, so local dates are computed in SQL with
SQLite's date functions at the model's fixed UTC offset.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import text

from notify.planner import MOBILE_SKIP_REASONS, SKIP_REASONS
from workflow.lifecycle import LIFECYCLE

from .calendar import WorkCalendar, business_days_between
from .driver import RunState, Simulation

TRIGGERS = tuple(r.trigger.value for r in LIFECYCLE)
DAILY_COLUMNS = ("date", "working_day", "arrivals", *TRIGGERS, "reminders", "emails",
                 "internal_messages", "sms", "webhook_calls", "failures", "skips")
FILING_COLUMNS = ("filing", "account", "type", "created_at", "first_submitted_at",
                  "approved_at", "final_state", "business_days_to_approval", "transitions",
                  "notifications")
# a selected receiver whose email (or, for SMS, mobile) was not verified when notified
NOT_VERIFIED = (*SKIP_REASONS.values(), MOBILE_SKIP_REASONS["pending"],
                MOBILE_SKIP_REASONS["expired"])
SIMULATED = ("email", "internal", "sms")  # the channels a run sends on
SENT_COLUMN = {"email": "emails", "internal": "internal_messages", "sms": "sms",
               "webhook": "webhook_calls"}


class FilingRows:
    """The rows of filings.csv, kept as tuples; each is a dict (FILING_COLUMNS and
    ``_calendar_days``) when iterated over."""

    KEYS = (*FILING_COLUMNS, "_calendar_days")

    def __init__(self) -> None:
        self._rows: list[tuple[Any, ...]] = []

    def append(self, values: tuple[Any, ...]) -> None:
        self._rows.append(values)

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        keys = self.KEYS
        for values in self._rows:
            yield dict(zip(keys, values, strict=True))


@dataclass(frozen=True)
class Results:
    summary: dict[str, Any]
    daily: list[dict[str, Any]]
    filings: FilingRows
    states_over_time: dict[str, list[int]]  # state -> filings in it at each day's end


def collect(sim: Simulation, state: RunState) -> Results:
    conn = sim.system.db.engine.connect()
    try:
        return _Collector(sim, state, conn).results()
    finally:
        conn.close()


class _Collector:
    def __init__(self, sim: Simulation, state: RunState, conn: Any):
        self.sim, self.state, self.conn = sim, state, conn
        self.model = sim.model
        self.calendar: WorkCalendar = sim.calendar
        offset = self.model.start.utcoffset() or timedelta(0)
        self.shift = f"{int(offset.total_seconds() // 60):+d} minutes"

    def rows(self, sql: str, **params: Any) -> list[Any]:
        return list(self.conn.execute(text(sql), {"shift": self.shift, **params}).all())

    def results(self) -> Results:
        filings = self.filings()
        daily, states = self.daily()
        return Results(self.summary(filings), daily, filings, states)

    # summary ---------------------------------------------------------------------------
    def summary(self, filings: FilingRows) -> dict[str, Any]:
        m, st = self.model, self.state
        by_trigger = dict(self.rows("SELECT trigger, count(*) FROM transitionlog GROUP BY 1"))
        messages: dict[str, Any] = {}
        for channel, status, reason, n in self.rows(
                "SELECT channel, status, coalesce(reason, ''), count(*) FROM delivery "
                "WHERE kind = 'notification' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"):
            out = messages.setdefault(channel, {"sent": 0, "failed": 0, "pending": 0,
                                                "skipped": {}})
            if status == "skipped":
                out["skipped"][reason] = n
            else:
                out[status] += n
        for channel in SIMULATED:
            messages.setdefault(channel, {"sent": 0, "failed": 0, "pending": 0, "skipped": {}})
        messages = dict(sorted(messages.items()))
        missed = self.rows(
            "SELECT count(*), count(DISTINCT contact_id) FROM delivery WHERE kind = "
            "'notification' AND status = 'skipped' AND receiver = 'contact' AND reason IN "
            f"({', '.join(repr(r) for r in NOT_VERIFIED)})")[0]
        verification = dict(self.rows(
            "SELECT status, count(*) FROM delivery WHERE kind = 'verification' GROUP BY 1"))
        approved = [(f["business_days_to_approval"], f["_calendar_days"]) for f in filings
                    if f["approved_at"]]
        contacts = sum(len(a.contacts) for a in st.population.accounts)
        return {
            "model": m.name, "seed": self.sim.seed, "calendar": m.calendar,
            "start": m.start.isoformat(), "end": m.end.isoformat(),
            "population": {"accounts": len(st.population.accounts), "contacts": contacts,
                           "filings": len(filings)},
            "filings_by_state": dict(sorted(Counter(f["final_state"] for f in filings).items())),
            "transitions_by_trigger": {t: by_trigger.get(t, 0) for t in TRIGGERS},
            "reminders": by_trigger.get("expiry_reminder", 0),
            "notifications_by_type": dict(self.rows(
                "SELECT notification_type, count(*) FROM outboxevent GROUP BY 1 ORDER BY 1")),
            "messages": messages,
            "mail_server": dict(sorted(self.sim.sender.outcomes.items())),
            "sms_gateway": {"accepted": self.sim.sender.channels.sms.accepted},
            "receivers_missed": {"messages": missed[0], "contacts": missed[1]},
            "contacts": {"verified_again": st.contacts_verified,
                         "never_verified": contacts - st.contacts_verified},
            "verification_emails": dict(sorted(verification.items())),
            "time_to_approval": {
                "approved": len(approved),
                "business_days": percentiles([b for b, _ in approved]),
                "calendar_days": percentiles([c for _, c in approved])},
            "sms_timeouts": by_trigger.get("sms_timeout", 0),
            "expiries": by_trigger.get("expire", 0),
            "rectification_cancellations": by_trigger.get("rectification_timeout", 0),
            "refused_moves": dict(sorted(st.refused.items())),
        }

    # filings ---------------------------------------------------------------------------
    def filings(self) -> FilingRows:
        """One row per filing, in filing order, read in one streamed query (a year of a
        large population has millions of history rows: none is held in memory)."""
        zone = self.model.start.tzinfo
        out = FilingRows()
        for (fid, account, ftype, created, fstate, submitted, approved, moves,
             notes) in self.conn.execute(text(
                "SELECT f.filing_id, f.account_id, f.type, f.created_at, f.state, h.sub, h.ok, "
                "coalesce(h.n, 0), coalesce(o.n, 0) FROM filing f LEFT JOIN ("
                "SELECT filing_pk, min(CASE WHEN trigger = 'submit' THEN at END) AS sub, "
                "min(CASE WHEN trigger = 'approve' THEN at END) AS ok, count(*) AS n "
                "FROM transitionlog GROUP BY filing_pk) h ON h.filing_pk = f.pk LEFT JOIN ("
                "SELECT filing_pk, count(*) AS n FROM outboxevent GROUP BY filing_pk) o "
                "ON o.filing_pk = f.pk ORDER BY f.filing_id")):
            sub = _time(submitted).astimezone(zone) if submitted else None
            ok = _time(approved).astimezone(zone) if approved else None
            days = business_days_between(self.calendar, sub, ok) if sub and ok else None
            out.append((
                fid, account, ftype, _time(created).astimezone(zone).isoformat(),
                sub.isoformat() if sub else "", ok.isoformat() if ok else "", fstate,
                days if days is not None else "", moves, notes,
                round((ok - sub).total_seconds() / 86400, 2) if sub and ok else None))
        return out

    # daily -----------------------------------------------------------------------------
    def daily(self) -> tuple[list[dict[str, Any]], dict[str, list[int]]]:
        m = self.model
        first = m.start.date()
        last = m.end.astimezone(m.start.tzinfo).date()
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        rows: dict[str, dict[str, Any]] = {d.isoformat(): dict.fromkeys(DAILY_COLUMNS, 0)
                                           for d in days}
        for d in days:
            rows[d.isoformat()]["date"] = d.isoformat()
            rows[d.isoformat()]["working_day"] = int(self.calendar.is_working_day(d))
        for day, n in self.rows("SELECT date(created_at, :shift), count(*) FROM filing "
                                "GROUP BY 1"):
            _add(rows, day, "arrivals", n)
        for day, trigger, n in self.rows("SELECT date(at, :shift), trigger, count(*) FROM "
                                         "transitionlog GROUP BY 1, 2"):
            _add(rows, day, "reminders" if trigger == "expiry_reminder" else trigger, n)
        for day, channel, status, n in self.rows(
                "SELECT date(coalesce(done_at, created_at), :shift), channel, status, count(*) "
                "FROM delivery WHERE kind = 'notification' GROUP BY 1, 2, 3"):
            if status == "sent":
                _add(rows, day, SENT_COLUMN[channel], n)
            elif status == "failed":
                _add(rows, day, "failures", n)
            elif status == "skipped":
                _add(rows, day, "skips", n)
        return list(rows.values()), self.states_by_day(days)

    def states_by_day(self, days: list[date]) -> dict[str, list[int]]:
        """Filings per state at the end of each local day, replayed from the history."""
        index = {d.isoformat(): i for i, d in enumerate(days)}
        delta: dict[str, list[int]] = defaultdict(lambda: [0] * len(days))
        for day, n in self.rows("SELECT date(created_at, :shift), count(*) FROM filing "
                                "GROUP BY 1"):
            if day in index:
                delta["draft"][index[day]] += n
        for day, source, dest, n in self.rows(
                "SELECT date(at, :shift), source, dest, count(*) FROM transitionlog "
                "WHERE source != dest GROUP BY 1, 2, 3"):
            if day in index:
                delta[source][index[day]] -= n
                delta[dest][index[day]] += n
        out = {}
        for name, changes in sorted(delta.items()):
            level, series = 0, []
            for change in changes:
                level += change
                series.append(level)
            out[name] = series
        return out


def _add(rows: dict[str, dict[str, Any]], day: str, column: str, n: int) -> None:
    if day in rows:
        rows[day][column] += n


def _time(value: Any) -> datetime:
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def percentiles(values: list[Any]) -> dict[str, Any]:
    """p50, p90, p99 (nearest rank) and max; None when there is nothing to measure."""
    ordered = sorted(v for v in values if v is not None)
    if not ordered:
        return {"p50": None, "p90": None, "p99": None, "max": None}

    def rank(p: float) -> Any:
        return ordered[max(0, math.ceil(len(ordered) * p / 100) - 1)]

    return {"p50": rank(50), "p90": rank(90), "p99": rank(99), "max": ordered[-1]}


__all__ = ["DAILY_COLUMNS", "FILING_COLUMNS", "FilingRows", "Results", "collect", "percentiles"]
