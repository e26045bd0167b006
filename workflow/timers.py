"""The timers job: claim due Timer rows and fire each once, in its own transaction.

A reminder announces the order's expiry, so a late one (a worker stopped for weeks) is
sent only if it still tells the truth when the worker gets to it: it is skipped once the
expiry it announces is due, and when a later reminder of the same order is due too (the
later one is sent instead). On time, every reminder goes out.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, and_, bindparam, func, or_
from sqlmodel import select

from .config import Config
from .db import Database, UTCDateTime
from .deadlines import TimerKind, open_states
from .errors import StaleFiling
from .fastsql import Prepared, RawTransaction
from .leases import claim
from .lifecycle import NotificationType, State, allows, as_state
from .models import Timer
from .transition import apply_trigger, load_row, record

SYSTEM_ACTOR = "system"


def fire_due_timers(db: Database, *, now: datetime, config: Config) -> int:
    """Fire (or skip, when stale) every pending timer due at ``now``; returns how many.

    Claims are leases, so several workers may run this at once and each timer is
    handled by exactly one of them.
    """
    done = 0
    due = due_timers(now)
    while True:
        with db.transaction() as s:
            batch = claim(s, Timer, due=due, now=now, lease=config.lease,
                          limit=config.batch_size)
        if not batch:
            return done
        for timer in sorted(batch, key=lambda t: (t.due_at, t.id)):
            done += _fire_one(db, timer, now=now, config=config)


def due_timers(now: Any) -> ColumnElement[bool]:
    """Timers the job fires at ``now`` (a datetime or a bound parameter)."""
    return and_(Timer.status == "pending", Timer.due_at <= now)  # type: ignore[arg-type]


def next_timer_query() -> Select[Any]:
    """The due time of the earliest pending timer."""
    return select(func.min(Timer.due_at)).where(Timer.status == "pending")


def next_timer_at(db: Database) -> datetime | None:
    """When the earliest pending timer is due, or None."""
    with db.transaction() as s:
        return s.execute(next_timer_query()).scalar_one()


def _fire_one(db: Database, timer: Timer, *, now: datetime, config: Config) -> int:
    try:
        with db.raw_transaction() as tx:
            return fire_claimed(tx, timer, now=now, config=config)
    except StaleFiling:
        return 0  # another transaction moved the filing: retried when the lease ends


def fire_claimed(tx: RawTransaction, timer: Any, *, now: datetime, config: Config) -> int:
    """Fire (or skip, when stale) one timer this worker claimed, in the caller's
    transaction; 1 when handled, 0 when the claim was lost. ``timer`` is a Timer or a row
    with its attributes (the batched path of bulk runs, workflow/batch.py)."""
    if not _take(tx, timer, now=now):
        return 0  # our lease ran out and another worker took it
    row = load_row(tx, pk=timer.filing_pk)
    state = as_state(row["state"])
    at = max(timer.due_at, row["updated_at"])  # history stays in order
    kind = TimerKind(timer.kind)
    if kind == TimerKind.expiry_reminder:
        obsolete = _obsolete_reminder(tx, timer, state, row, now=now, config=config)
        if obsolete:
            return _skip(tx, timer, obsolete)
        record(tx, row, kind.value, source=state, dest=state, actor=SYSTEM_ACTOR,
               now=at, data=dict(timer.detail),
               notification=NotificationType.application_progress.value)
    elif allows(state, kind.value, once_used=row["deadline_extended"]):
        apply_trigger(tx, row, kind.value, None, actor=SYSTEM_ACTOR, now=at, config=config)
    else:
        return _skip(tx, timer, f"filing is {state}")
    return 1


def _obsolete_reminder(tx: RawTransaction, timer: Timer, state: State, row: dict[str, Any], *,
                       now: datetime, config: Config) -> str | None:
    """Why the reminder must not be sent at ``now``, or None to send it."""
    if state not in open_states():
        return f"filing is {state}"
    announced = timer.detail.get("expires_at")
    expires_at = (datetime.fromisoformat(announced) if announced
                  else row["created_at"] + config.order_lifetime)
    if expires_at <= now:
        return "the expiry it announces is due"
    later = tx.fetch_one(_statements()["later_reminder"], {
        "k_pk": timer.filing_pk, "k_id": timer.id, "k_due": timer.due_at, "k_now": now})
    if later is not None:
        return "a later reminder is due too"
    return None


def _take(tx: RawTransaction, timer: Timer, *, now: datetime) -> bool:
    """Mark our claimed, pending timer fired; False if it is no longer ours."""
    return tx.execute(_statements()["take"], {"k_id": timer.id, "k_by": timer.claimed_by,
                                              "done_at": now}) == 1


def _skip(tx: RawTransaction, timer: Timer, reason: str) -> int:
    """A stale timer: the filing left the states it was meant for."""
    tx.execute(_statements()["skip"], {"k_id": timer.id,
                                       "detail": {**timer.detail, "skipped": reason}})
    return 1


@cache
def _statements() -> dict[str, Prepared]:
    timer = cast(Table, Timer.__table__)  # type: ignore[attr-defined]
    by_id = timer.c.id == bindparam("k_id")
    return {
        "take": Prepared(timer.update()
                         .where(by_id, timer.c.status == "pending",
                                timer.c.claimed_by == bindparam("k_by"))
                         .values(status="fired", claimed_until=None, claimed_by=None),
                         keys=("done_at",)),
        "skip": Prepared(timer.update().where(by_id).values(status="skipped"),
                         keys=("detail",)),
        "later_reminder": Prepared(
            select(timer.c.id).where(
                timer.c.filing_pk == bindparam("k_pk"), timer.c.id != bindparam("k_id"),
                timer.c.kind == TimerKind.expiry_reminder.value,
                # pending, or fired already by another worker
                or_(timer.c.status == "pending", timer.c.status == "fired"),
                timer.c.due_at > bindparam("k_due", type_=UTCDateTime),
                timer.c.due_at <= bindparam("k_now", type_=UTCDateTime)).limit(1)),
    }
