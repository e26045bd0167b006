"""Recording what an attempt did to a delivery: its new status, retry time and the log row.

An email's outcome is committed right after the server's reply to it (``record_one``), so a
worker killed at any moment leaves at most the one message it was sending unrecorded: that
one goes out again once its lease ends, every other one exactly once.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, update
from sqlmodel import Session

from workflow.clock import as_utc
from workflow.db import Database
from workflow.fastsql import Prepared

from .metrics import observe_outcome, observe_outcomes
from .models import Delivery, DeliveryAttempt
from .retry import RetryPolicy, next_attempt_at

log = logging.getLogger(__name__)

_COLUMNS = ("status", "reason", "attempts", "failures", "first_failure_at", "next_attempt_at",
            "done_at", "body")
_TABLE = cast(Table, Delivery.__table__)  # type: ignore[attr-defined]
_ATTEMPTS = cast(Table, DeliveryAttempt.__table__)  # type: ignore[attr-defined]
_RECORD = update(_TABLE).where(
    _TABLE.c.id == bindparam("b_id"), _TABLE.c.claimed_by == bindparam("b_token")).values(
    claimed_until=None, claimed_by=None, **{c: bindparam(f"b_{c}") for c in _COLUMNS})


@dataclass(frozen=True)
class Outcome:
    result: str  # sent | temporary | permanent | released (not tried: lease running out)
    detail: str = ""


def record(s: Session, deliveries: list[Delivery], outcomes: dict[int | None, Outcome], *,
           now: datetime, policy: RetryPolicy) -> None:
    """Write each outcome to its delivery (if still ours) and log every attempt.

    One executemany UPDATE and one INSERT for all of them, in the caller's transaction:
    for what needs no round trip to a server (internal messages, unsendable or released
    emails).
    """
    rows = [_rows(d, outcomes[d.id], now=now, policy=policy) for d in deliveries]
    if not rows:
        return
    result = s.connection().execute(_RECORD, [update_row for update_row, _ in rows])
    _warn_if_lost(len(rows) - result.rowcount if result.rowcount >= 0 else 0)
    attempts = [attempt for _, attempt in rows if attempt is not None]
    if attempts:
        s.connection().execute(insert(_ATTEMPTS), attempts)
    observe_outcomes(s, deliveries, outcomes)


def record_one(db: Database, d: Delivery, outcome: Outcome, *, now: datetime,
               policy: RetryPolicy, event_at: datetime | None = None) -> None:
    """Commit one email's outcome at once, in its own short transaction; ``event_at``
    (when its transition committed) gives the delivery latency metric."""
    update_row, attempt = _rows(d, outcome, now=now, policy=policy)
    statements = _prepared()
    with db.raw_transaction() as tx:
        _warn_if_lost(1 - tx.execute(statements["record"], update_row))
        if attempt is not None:
            tx.execute(statements["attempt"], attempt)
    observe_outcome(d, outcome.result, event_at)


def _warn_if_lost(lost: int) -> None:
    if lost > 0:
        log.warning("%d deliveries lost their lease before their outcome was recorded", lost)


@cache
def _prepared() -> dict[str, Prepared]:
    return {"record": Prepared(_RECORD),
            "attempt": Prepared(insert(_ATTEMPTS),
                                keys=("delivery_id", "at", "outcome", "detail"))}


def _rows(d: Delivery, outcome: Outcome, *, now: datetime,
          policy: RetryPolicy) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The UPDATE parameters of ``d`` and its attempt row (None when it was not tried)."""
    values = {**{c: getattr(d, c) for c in _COLUMNS},
              **changes(d, outcome, now=now, policy=policy)}
    update_row = {"b_id": d.id, "b_token": d.claimed_by,
                  **{f"b_{k}": v for k, v in values.items()}}
    if outcome.result == "released":
        return update_row, None
    return update_row, {"delivery_id": d.id, "at": now, "outcome": outcome.result,
                        "detail": outcome.detail}


def changes(d: Delivery, outcome: Outcome, *, now: datetime,
            policy: RetryPolicy) -> dict[str, Any]:
    """The columns an outcome changes (pure): sent, failed, or a retry time."""
    if outcome.result == "released":
        return {}
    done = {"attempts": d.attempts + 1, "done_at": now, "next_attempt_at": None}
    purge = {"body": None} if d.kind == "verification" else {}
    if outcome.result == "sent":
        return {**done, **purge, "status": "sent", "reason": None}
    if outcome.result == "permanent":
        return {**done, **purge, "status": "failed", "reason": outcome.detail}
    first = as_utc(d.first_failure_at) if d.first_failure_at else now
    failures = d.failures + 1
    when = next_attempt_at(failures, first_failure_at=first, now=now, policy=policy,
                           jitter=random.uniform(-1.0, 1.0))
    if when is None:
        return {**done, **purge, "status": "failed", "failures": failures,
                "first_failure_at": first,
                "reason": f"gave up after {_days(policy)} of failures: {outcome.detail}"}
    return {"attempts": d.attempts + 1, "failures": failures, "first_failure_at": first,
            "next_attempt_at": when, "reason": f"will retry: {outcome.detail}"}


def _days(policy: RetryPolicy) -> str:
    days = policy.give_up.total_seconds() / 86400
    return f"{days:g} days" if days >= 1 else f"{policy.give_up}"


__all__ = ["Outcome", "changes", "record", "record_one"]
