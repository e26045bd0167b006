"""The durable Timer rows a filing's state implies: created and cancelled with transitions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, bindparam
from sqlalchemy.engine import Connection

from .config import Config
from .fastsql import Prepared, RawTransaction
from .lifecycle import State, Trigger, reachable, sources
from .models import Timer

TIMER = cast(Table, Timer.__table__)  # type: ignore[attr-defined]


class TimerKind(StrEnum):
    sms_timeout = "sms_timeout"
    expire = "expire"
    expiry_reminder = "expiry_reminder"
    rectification_timeout = "rectification_timeout"


# Timers that belong to one stay in a state: cancelled when the filing leaves it (or,
# for extend_deadline, re-enters it), created again on entry with the filing's deadline.
STAY_TIMERS: dict[TimerKind, tuple[State, str]] = {
    TimerKind.sms_timeout: (State.sms_verification, "sms_deadline"),
    TimerKind.rectification_timeout: (State.rectification, "rectification_deadline"),
}
# Timers counted from the filing's creation; they only matter in these states.
ORDER_TIMERS = (TimerKind.expire, TimerKind.expiry_reminder)


@cache
def open_states() -> frozenset[State]:
    """The states in which the order can still expire (and gets reminders)."""
    return frozenset(sources(Trigger.expire))


def schedule_created(conn: Connection, pk: Any, created_at: datetime, *, config: Config) -> None:
    """The order's expiry and its reminders, counted from creation."""
    conn.execute(TIMER.insert(), created_timers(pk, created_at, config=config))


def created_timers(pk: Any, created_at: datetime, *, config: Config) -> list[dict[str, Any]]:
    """The Timer rows of a new order: its expiry and its reminders."""
    expires_at = created_at + config.order_lifetime
    rows = [_row(pk, TimerKind.expire, expires_at, created_at)]
    for before in config.reminders:
        if before < config.order_lifetime:
            rows.append(_row(pk, TimerKind.expiry_reminder, created_at + before, created_at,
                             reminder_days=before.days, expires_at=expires_at.isoformat()))
    return rows


def insert_timers(tx: RawTransaction, rows: list[dict[str, Any]]) -> None:
    """Timer rows (as ``created_timers`` makes them) on the raw path."""
    for row in rows:
        tx.execute(_insert(), row)


def reschedule(
    tx: RawTransaction, row: Mapping[str, Any], *, source: State, dest: State, now: datetime
) -> None:
    """Cancel the timers the transition made stale and create those ``dest`` implies.

    ``row`` is the filing after the transition, carrying its new deadlines.
    """
    stale, entering = _timer_changes(source, dest)
    if stale:
        tx.execute(_cancel(stale), {"k_pk": row["pk"], "done_at": now})
    for kind, field in entering:
        if row[field] is not None:
            tx.execute(_insert(), _row(row["pk"], kind, row[field], now))


@cache
def _timer_changes(source: State, dest: State) -> tuple[tuple[str, ...],
                                                        tuple[tuple[TimerKind, str], ...]]:
    """The timer kinds a move from ``source`` to ``dest`` cancels, and the (kind, deadline
    field) it creates."""
    stale = tuple(kind.value for kind, (state, _) in STAY_TIMERS.items() if state == source)
    # Order timers become stale once no state they fire in can be reached.
    if not open_states() & reachable(dest):
        stale += tuple(k.value for k in ORDER_TIMERS)
    entering = tuple((kind, field) for kind, (state, field) in STAY_TIMERS.items()
                     if state == dest)
    return stale, entering


@cache
def _cancel(kinds: tuple[str, ...]) -> Prepared:
    # The kinds are constants of the statement (one per combination): no IN expansion.
    return Prepared(TIMER.update()
                    .where(TIMER.c.filing_pk == bindparam("k_pk"), TIMER.c.status == "pending",
                           TIMER.c.kind.in_([bindparam(f"k_kind{i}", kind)
                                             for i, kind in enumerate(kinds)]))
                    .values(status="cancelled"), keys=("done_at",))


@cache
def _insert() -> Prepared:
    return Prepared(TIMER.insert(), keys=("filing_pk", "kind", "due_at", "status", "created_at",
                                          "detail"))


def _row(pk: Any, kind: TimerKind, due: datetime, now: datetime, **detail: object) -> dict:
    return {"filing_pk": pk, "kind": kind.value, "due_at": due, "status": "pending",
            "created_at": now, "detail": detail}
