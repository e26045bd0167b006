"""What one run did, read back from its own database (delivery records, history, outbox)
as sums: a shard's tally, which the tallies of the other shards add up with (``merged``).

The run's database is always its own SQLite file, so local dates are computed in SQL with
SQLite's date functions at the model's fixed UTC offset.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from notify.planner import MOBILE_SKIP_REASONS, SKIP_REASONS

from .calendar import WorkCalendar, business_days_between
from .driver import RunState, Simulation

FILING_COLUMNS = ("filing", "account", "type", "created_at", "first_submitted_at",
                  "approved_at", "final_state", "business_days_to_approval", "transitions",
                  "notifications")
# a selected receiver whose email (or, for SMS, mobile) was not verified when notified
NOT_VERIFIED = (*SKIP_REASONS.values(), MOBILE_SKIP_REASONS["pending"],
                MOBILE_SKIP_REASONS["expired"])
SENT_COLUMN = {"email": "emails", "internal": "internal_messages", "sms": "sms",
               "webhook": "webhook_calls"}


@dataclass
class Tally:
    """What one run's database and counters hold, as sums: the tallies of runs of disjoint
    parts of a population add up to the tally of the whole (``merged``)."""

    transitions: Counter[str] = field(default_factory=Counter)  # trigger -> n
    messages: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # channel,
    # status, reason -> n (notifications)
    accounts: int = 0
    contacts: int = 0
    missed_messages: int = 0
    missed_contacts: int = 0
    verification: Counter[str] = field(default_factory=Counter)  # status -> n
    notifications: Counter[str] = field(default_factory=Counter)  # type -> n
    mail_server: Counter[str] = field(default_factory=Counter)
    sms_accepted: int = 0
    contacts_verified: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    daily: Counter[tuple[str, str]] = field(default_factory=Counter)  # (date, column) -> n
    state_changes: Counter[tuple[str, str]] = field(default_factory=Counter)  # (date, state)
    filings: int = 0
    filing_parts: list[Path] = field(default_factory=list)  # FilingRows' files
    final_states: Counter[str] = field(default_factory=Counter)
    approval_business_days: Counter[int] = field(default_factory=Counter)
    approval_calendar_days: Counter[float] = field(default_factory=Counter)
    stops: int = 0


def merged(tallies: list[Tally]) -> Tally:
    out = Tally()
    for t in tallies:
        for f in fields(Tally):
            mine, theirs = getattr(out, f.name), getattr(t, f.name)
            if isinstance(mine, Counter):
                mine.update(theirs)  # keeps negative changes, which + would drop
            elif isinstance(mine, list):
                mine.extend(theirs)
            else:
                setattr(out, f.name, mine + theirs)
    return out


def tally(sim: Simulation, state: RunState) -> Tally:
    sim.system.db.dispose()  # the run's connections and their page caches: done with
    conn = sim.system.db.engine.connect()
    try:
        return _Reader(sim, conn).tally(state)
    finally:
        conn.close()


class _Reader:
    def __init__(self, sim: Simulation, conn: Any):
        self.sim, self.conn = sim, conn
        self.model = sim.model
        self.calendar: WorkCalendar = sim.calendar
        offset = self.model.start.utcoffset() or timedelta(0)
        self.shift = f"{int(offset.total_seconds() // 60):+d} minutes"

    def rows(self, sql: str, **params: Any) -> list[Any]:
        return list(self.conn.execute(text(sql), {"shift": self.shift, **params}).all())

    def tally(self, state: RunState) -> Tally:
        accounts = state.population.accounts
        t = Tally(accounts=len(accounts), contacts=sum(len(a.contacts) for a in accounts),
                  sms_accepted=self.sim.sender.channels.sms.accepted,
                  contacts_verified=state.contacts_verified, refused=Counter(state.refused),
                  mail_server=Counter(self.sim.sender.outcomes), stops=state.stops)
        t.transitions.update(dict(self.rows(
            "SELECT trigger, count(*) FROM transitionlog GROUP BY 1")))
        for channel, status, reason, n in self.rows(
                "SELECT channel, status, coalesce(reason, ''), count(*) FROM delivery "
                "WHERE kind = 'notification' GROUP BY 1, 2, 3"):
            t.messages[channel, status, reason] = n
        t.missed_messages, t.missed_contacts = self.rows(
            "SELECT count(*), count(DISTINCT contact_id) FROM delivery WHERE kind = "
            "'notification' AND status = 'skipped' AND receiver = 'contact' AND reason IN "
            f"({', '.join(repr(r) for r in NOT_VERIFIED)})")[0]
        t.verification.update(dict(self.rows(
            "SELECT status, count(*) FROM delivery WHERE kind = 'verification' GROUP BY 1")))
        t.notifications.update(dict(self.rows(
            "SELECT notification_type, count(*) FROM outboxevent GROUP BY 1")))
        self.daily(t)
        self.filings(t)
        return t

    def filings(self, t: Tally) -> None:
        """One row per filing, in filing order, read in one streamed query (a year of a
        large population has millions of history rows: none is held in memory) and
        written to the run's part file of filings.csv."""
        zone = self.model.start.tzinfo
        path = self.sim.config.instance_path / "filings.part.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            for (fid, account, ftype, created, fstate, submitted, approved, moves,
                 notes) in self.conn.execute(text(
                    "SELECT f.filing_id, f.account_id, f.type, f.created_at, f.state, h.sub, "
                    "h.ok, coalesce(h.n, 0), coalesce(o.n, 0) FROM filing f LEFT JOIN ("
                    "SELECT filing_pk, min(CASE WHEN trigger = 'submit' THEN at END) AS sub, "
                    "min(CASE WHEN trigger = 'approve' THEN at END) AS ok, count(*) AS n "
                    "FROM transitionlog GROUP BY filing_pk) h ON h.filing_pk = f.pk LEFT JOIN ("
                    "SELECT filing_pk, count(*) AS n FROM outboxevent GROUP BY filing_pk) o "
                    "ON o.filing_pk = f.pk ORDER BY f.filing_id")):
                sub = _time(submitted).astimezone(zone) if submitted else None
                ok = _time(approved).astimezone(zone) if approved else None
                days: int | str = ""
                if sub and ok:
                    days = business_days_between(self.calendar, sub, ok)
                    t.approval_business_days[days] += 1
                    t.approval_calendar_days[round((ok - sub).total_seconds() / 86400, 2)] += 1
                writer.writerow((fid, account, ftype, _time(created).astimezone(zone).isoformat(),
                                 sub.isoformat() if sub else "", ok.isoformat() if ok else "",
                                 fstate, days, moves, notes))
                t.filings += 1
                t.final_states[fstate] += 1
        t.filing_parts.append(path)

    def daily(self, t: Tally) -> None:
        """Counts per local date, and the changes of filings per state on each."""
        for day, n in self.rows("SELECT date(created_at, :shift), count(*) FROM filing "
                                "GROUP BY 1"):
            t.daily[day, "arrivals"] += n
            t.state_changes[day, "draft"] += n
        for day, trigger, n in self.rows("SELECT date(at, :shift), trigger, count(*) FROM "
                                         "transitionlog GROUP BY 1, 2"):
            t.daily[day, "reminders" if trigger == "expiry_reminder" else trigger] += n
        for day, channel, status, n in self.rows(
                "SELECT date(coalesce(done_at, created_at), :shift), channel, status, count(*) "
                "FROM delivery WHERE kind = 'notification' GROUP BY 1, 2, 3"):
            column = {"sent": SENT_COLUMN[channel], "failed": "failures",
                      "skipped": "skips"}.get(status)
            if column is not None:
                t.daily[day, column] += n
        for day, source, dest, n in self.rows(
                "SELECT date(at, :shift), source, dest, count(*) FROM transitionlog "
                "WHERE source != dest GROUP BY 1, 2, 3"):
            t.state_changes[day, source] -= n
            t.state_changes[day, dest] += n


def _time(value: Any) -> datetime:
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


__all__ = ["FILING_COLUMNS", "Tally", "merged", "tally"]
