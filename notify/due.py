"""One read-only probe: which jobs have work at ``now`` and when the next work falls due."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, exists
from sqlmodel import select

from workflow.clock import as_utc
from workflow.db import Database, UTCDateTime
from workflow.fastsql import Prepared
from workflow.leases import lease_free
from workflow.models import OutboxEvent, Timer
from workflow.timers import due_timers, next_timer_query

from .dispatch import due_deliveries, next_attempt_query
from .models import Delivery
from .relay import unrelayed
from .verification import lapsed_links, next_expiry_query

JOBS = ("expire_contacts", "fire_due_timers", "relay_due", "dispatch_due")


@dataclass(frozen=True)
class Due:
    """What the probe saw: the jobs with work now (in run order) and the next due time."""

    jobs: frozenset[str]
    next_at: datetime | None


def probe(db: Database, now: datetime) -> Due:
    """Ask once, in one SELECT, what each job's own query would find at ``now``.

    Only an optimisation: each job still claims its rows by lease, so a stale answer
    costs a job run that finds nothing, never a row handled twice.
    """
    # A prepared statement on the raw connection: the SQLAlchemy Session and execution
    # machinery would cost several times the query itself, on every stop.
    with db.raw_transaction() as tx:
        row = tx.fetch_one(_statement(), {"now": now})
    assert row is not None  # a SELECT without FROM always has its one row
    jobs = frozenset(job for job in JOBS if row[job])
    return Due(jobs, _earliest(row[t] for t in _TIMES))


def next_due_at(db: Database) -> datetime | None:
    """The earliest moment a job has work: a timer, a retry, a link expiry."""
    with db.raw_transaction() as tx:
        row = tx.fetch_one(_next_statement(), {})
    assert row is not None
    return _earliest(row[t] for t in _TIMES)


def _earliest(times: Iterable[datetime | None]) -> datetime | None:
    return min((as_utc(t) for t in times if t is not None), default=None)


def _times() -> list[Select[Any]]:
    """Each job's own next-due query: timer, delivery attempt (after any lease), link expiry."""
    return [next_timer_query(), next_attempt_query(), next_expiry_query()]


@cache
def _statement() -> Prepared:
    now = bindparam("now", type_=UTCDateTime)
    # Each job's own due condition and the claim's lease test: the probe cannot drift
    # from what the jobs would find.
    flags = [
        exists().where(lapsed_links(now)),
        exists().where(due_timers(now), lease_free(Timer, now)),
        exists().where(unrelayed(), lease_free(OutboxEvent, now)),
        exists().where(due_deliveries(now), lease_free(Delivery, now)),
    ]
    return Prepared(select(*(f.label(job) for f, job in zip(flags, JOBS, strict=True)),
                           *_labelled_times()))


@cache
def _next_statement() -> Prepared:
    return Prepared(select(*_labelled_times()))


_TIMES = ("next_timer", "next_attempt", "next_expiry")


def _labelled_times() -> list[Any]:
    return [t.scalar_subquery().label(name) for t, name in zip(_times(), _TIMES, strict=True)]


__all__ = ["JOBS", "Due", "next_due_at", "probe"]
