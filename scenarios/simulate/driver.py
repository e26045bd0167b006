"""The run: the population set up through the real services, then the clock-driven job loop.

Planned moves (population behaviour) are applied in batches, one transaction per stop,
through the lifecycle's own transition function; the system's jobs (timers, relay,
dispatch, contact expiry) run at every stop as in every other run. A stop is at most one
``window`` of simulated time after the earliest work due, so many moves share a stop; the
start and end of each mail outage are stops too. Each move still happens at its own time,
and a move of a filing whose lifecycle timer falls due first waits until that timer has
fired (and is then refused if it no longer applies), so the order of events per filing is
the order of their times.
"""

from __future__ import annotations

import heapq
import itertools
import random
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select, type_coerce

from notify.system import System, build_system
from workflow.batch import FilingBatch, filing_batch
from workflow.clock import SimulatedClock
from workflow.config import Config
from workflow.db import UTCDateTime
from workflow.errors import IcpsimError
from workflow.fastsql import Prepared
from workflow.models import Timer, TransitionLog

from .calendar import WorkCalendar, calendar_named
from .jobs import batched, throwaway_database
from .model import SimulationModel
from .policies import Move, Policies
from .population import Population, generate
from .sampling import Sampler
from .sender import RecordingSender
from .setup import set_up

WINDOW = timedelta(hours=6)
TIMER_TRIGGERS = ("sms_timeout", "expire", "rectification_timeout")
Progress = Callable[[datetime, int], None]


@dataclass
class RunState:
    """What the run keeps besides the database: its counters and the population."""

    population: Population
    refused: Counter[str] = field(default_factory=Counter)
    contacts_verified: int = 0
    contacts_missed_link: int = 0
    stops: int = 0


class Simulation:
    def __init__(self, model: SimulationModel, *, seed: int, workdir: Path,
                 progress: Progress | None = None, window: timedelta = WINDOW, shard: int = 0):
        self.model = model
        self.seed = seed
        self.window = window
        self.progress = progress
        self.zone = model.start.tzinfo
        self.calendar: WorkCalendar = calendar_named(model.calendar)
        self.calendar.check_range(model.start.date(), model.end.astimezone(self.zone).date())
        self.config = Config(instance_path=workdir,
                             # a file, not memory: a year of 100k filings keeps
                             # millions of delivery rows, which must not live in RAM
                             database_url=f"sqlite:///{workdir / 'simulation.db'}",
                             secret_key=secrets.token_hex(16), smtp_url="smtp://127.0.0.1:1",
                             batch_size=5000)
        self.clock = SimulatedClock(model.start)
        # Each shard draws its behaviour and mail faults from streams of its own, so a
        # shard's run depends on the seed and its own part of the population only.
        self.sampler = Sampler(f"{seed}/{shard}/behaviour")
        self.sender = RecordingSender(model.mail, now=self.clock.now,
                                      rng=random.Random(f"{seed}/{shard}/mail"))
        self.shard = shard
        built = build_system(self.config, clock=self.clock, create_tables=True)
        throwaway_database(built.db)
        self.system: System = batched(built, self.sender)
        self.policies = Policies(model.stages, self.sampler, self.calendar, zone=self.zone,
                                 end=model.end)
        self._agenda: list[tuple[datetime, int, int, Move]] = []
        self._seq = itertools.count()
        self._pk: dict[int, int] = {}  # filing index -> primary key
        self._index: dict[int, int] = {}  # primary key -> filing index
        self._last_history = 0
        self.created = 0

    # the run ------------------------------------------------------------------------
    def run(self, population: Population | None = None) -> RunState:
        """Run ``population`` (by default the whole one the model and seed describe)."""
        # The dispatcher's retry jitter draws from the random module: seed it too.
        random.seed(f"{self.seed}/{self.shard}/retry")
        if population is None:
            population = generate(self.model, Sampler(self.seed), self.calendar)
        self._plans = {plan.index: plan for plan in population.filings}
        state = RunState(population)
        self.state = state
        self.clicks = set_up(self.system, self.sender, population)
        for plan in population.filings:
            self._push(plan.at, plan.index, Move(plan.at, "create"))
        due = self.system.settle(self.clock.now())[1]
        end = self.model.end
        while True:
            nxt = min((t for t in (self._peek(), due) if t is not None), default=None)
            if nxt is None or nxt > end:
                break
            now = self.clock.now()
            if nxt <= now and (self._peek() is None or self._peek() > now):  # type: ignore[operator]
                nxt = now + timedelta(seconds=1)  # due now although the jobs just ran
            stop = min(max(now, self._grid(nxt)), self._boundary(nxt), end)
            self.clicks.run_due(stop, system=self.system, clock=self.clock, sender=self.sender)
            self.clock.set(stop)
            self._moves(stop)
            due = self.system.settle(stop)[1]
            self._timer_followups()
            state.stops += 1
            if self.progress is not None:
                self.progress(stop, self.created)
        if self.clock.now() < end:
            self.clock.set(end)
            self.system.settle(end)
        state.contacts_verified, state.contacts_missed_link = (self.clicks.verified,
                                                               self.clicks.failed)
        return state

    def close(self) -> None:
        self.system.close()

    # moves ----------------------------------------------------------------------------
    def _push(self, at: datetime, index: int, move: Move) -> None:
        if at <= self.model.end:
            heapq.heappush(self._agenda, (at, next(self._seq), index, move))

    def _peek(self) -> datetime | None:
        return self._agenda[0][0] if self._agenda else None

    def _boundary(self, at: datetime) -> datetime:
        """The first start or end of a mail outage at or after ``at`` (a stop of its own,
        so the mail waiting then meets the outage)."""
        later = [t for o in self.model.mail.outages for t in (o.at, o.at + o.length) if t >= at]
        return min(later, default=self.model.end)

    def _grid(self, at: datetime) -> datetime:
        steps = -(-(at - self.model.start) // self.window)  # ceiling
        return self.model.start + self.window * steps

    def _moves(self, stop: datetime) -> None:
        """Apply every move due by ``stop`` in one transaction; a move whose filing has a
        timer due first waits for the next round, after the jobs fired that timer."""
        waiting: list[tuple[datetime, int, int, Move]] = []
        with filing_batch(self.system.db, self.config) as batch:
            timers = {r["filing_pk"]: r["due"] for r in batch.tx.fetch_all(
                _due_timers(), {"stop": stop})}
            while self._agenda and self._agenda[0][0] <= stop:
                entry = heapq.heappop(self._agenda)
                at, _, index, move = entry
                pk = self._pk.get(index)
                if pk is not None and pk in timers and timers[pk] <= at:
                    waiting.append(entry)
                    continue
                row = self._apply(batch, index, move)
                if row is None:
                    continue
                for key in ("sms_deadline", "rectification_deadline"):
                    if row.get(key) is not None and row[key] <= stop:
                        timers[row["pk"]] = min(row[key], timers.get(row["pk"], row[key]))
                if move.trigger == "create":
                    first = row["created_at"] + min((*self.config.reminders,
                                                     self.config.order_lifetime))
                    if first <= stop:
                        timers[row["pk"]] = first
        for entry in waiting:
            heapq.heappush(self._agenda, entry)

    def _apply(self, batch: FilingBatch, index: int, move: Move) -> dict[str, Any] | None:
        try:
            if move.trigger == "create":
                plan = self._plans[index]
                row = batch.create(plan.account, plan.id, type=plan.type,
                                   domain=f"site{index}.example.cn",
                                   website=f"Website {index}", actor="applicant", now=move.at)
                self._pk[index], self._index[row["pk"]] = row["pk"], index
                self.created += 1
                follow = self.policies.created(move.at)
            else:
                row = batch.fire(self._pk[index], move.trigger, move.data, actor=move.actor,
                                 now=move.at)
                follow = self.policies.after(move.trigger, move.at, filing=index)
        except IcpsimError:
            self.state.refused[move.trigger] += 1  # the filing moved on meanwhile
            return None
        for m in follow:
            self._push(m.at, index, m)
        return row

    def _timer_followups(self) -> None:
        """What applicants do after a lifecycle timer moved their filing (resubmit)."""
        with self.system.db.raw_transaction() as tx:
            rows = tx.fetch_all(_fired_since(), {"last": self._last_history})
        for r in rows:
            self._last_history = max(self._last_history, r["id"])
            index = self._index.get(r["filing_pk"])
            if index is not None:
                for m in self.policies.after(r["trigger"], r["at"], filing=index):
                    self._push(m.at, index, m)


@cache
def _due_timers() -> Prepared:
    t = cast(Table, Timer.__table__)  # type: ignore[attr-defined]
    due = type_coerce(func.min(t.c.due_at), UTCDateTime).label("due")
    stop = bindparam("stop", type_=UTCDateTime)
    return Prepared(select(t.c.filing_pk, due).where(t.c.status == "pending", t.c.due_at <= stop)
                    .group_by(t.c.filing_pk))


@cache
def _fired_since() -> Prepared:
    h = cast(Table, TransitionLog.__table__)  # type: ignore[attr-defined]
    return Prepared(select(h.c.id, h.c.filing_pk, h.c.trigger, h.c.at)
                    .where(h.c.id > bindparam("last"), h.c.actor == "system",
                           h.c.trigger.in_([bindparam(f"k_t{i}", name)
                                            for i, name in enumerate(TIMER_TRIGGERS)]))
                    .order_by(h.c.id))


__all__ = ["RunState", "Simulation"]
