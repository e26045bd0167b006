"""The dispatch job: claim due deliveries, send them (SMTP | inbox), record every attempt."""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    func,
    insert,
    type_coerce,
    update,
)
from sqlmodel import Session, col, select

from workflow.clock import as_utc
from workflow.config import Config
from workflow.db import Database, UTCDateTime
from workflow.fastsql import Prepared
from workflow.leases import claim

from .channelsend import CHANNELS, ChannelSenders, send_one, webhooks_of
from .compose import email_message, rendered
from .models import Delivery, DeliveryAttempt, InboxMessage
from .retry import RetryPolicy, next_attempt_at
from .senders import Sender, SendFailure

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    result: str  # sent | temporary | permanent | released (not tried: lease running out)
    detail: str = ""


def dispatch_due(db: Database, *, now: datetime, config: Config, sender: Sender,
                 channels: ChannelSenders | None = None) -> int:
    """Deliver what is due at ``now``; returns the deliveries claimed.

    Internal messages are written in the claiming transaction; emails go out after it
    commits, outside any transaction, and their outcomes are recorded in one more. SMS and
    webhook calls go out one at a time, each outcome recorded right after its send.
    """
    policy = RetryPolicy.from_config(config)
    with db.transaction() as s:
        claimed: list[Delivery] = claim(s, Delivery, due=due_deliveries(now), now=now,
                                        lease=config.lease,
                                        limit=config.batch_size)
        if not claimed:
            return 0
        emails = [d for d in claimed if d.channel == "email"]
        remote = [d for d in claimed if d.channel in CHANNELS]
        inbox = [d for d in claimed if d.channel not in CHANNELS and d.channel != "email"]
        others = {d.id: _to_inbox(s, d, now=now) for d in inbox}
        record(s, inbox, others, now=now, policy=policy)
    started, budget = time.monotonic(), config.lease.total_seconds() / 2
    hooks = webhooks_of(db, remote)
    for d in remote:
        if time.monotonic() - started > budget:  # leave them to the next claim
            outcome = Outcome("released")
        else:
            outcome = Outcome(*send_one(db, d, channels, hooks))
        record_one(db, d, outcome, now=now, policy=policy)
    if emails:
        outcomes = send_emails(emails, sender=sender, config=config, now=now)
        with db.transaction() as s:
            record(s, emails, outcomes, now=now, policy=policy)
    return len(claimed)


def _to_inbox(s: Session, d: Delivery, *, now: datetime) -> Outcome:
    if d.channel != "internal":
        return Outcome("permanent", f"unknown channel {d.channel!r}")
    try:
        text = rendered(d)
    except Exception as exc:  # a broken template must not stop the batch
        log.exception("cannot render delivery %s", d.id)
        return Outcome("permanent", f"cannot render the message: {exc}")
    s.add(InboxMessage(account_id=d.account_id, delivery_id=d.id, category=d.category,
                       type=d.notification_type, filing_id=d.filing_id, title=text.subject,
                       body=text.body, created_at=now))
    return Outcome("sent", "stored in the inbox")


def send_emails(emails: list[Delivery], *, sender: Sender, config: Config,
                now: datetime) -> dict[int | None, Outcome]:
    """Compose every message first, then send them over the sender's one connection."""
    outcomes: dict[int | None, Outcome] = {}
    ready: list[tuple[Delivery, EmailMessage]] = []
    for d in emails:
        try:
            ready.append((d, email_message(d, rendered(d), mail_from=config.mail_from,
                                           now=now)))
        except Exception as exc:
            log.exception("cannot compose delivery %s", d.id)
            outcomes[d.id] = Outcome("permanent", f"cannot compose the message: {exc}")
    check = getattr(sender, "check", None)
    if ready and check is not None:
        check()
    started, budget = time.monotonic(), config.lease.total_seconds() / 2
    for d, msg in ready:
        if time.monotonic() - started > budget:
            # Stop well before the lease ends, so no other worker sends these too.
            outcomes[d.id] = Outcome("released")
            continue
        try:
            refused = sender.send(msg, to=[d.to_address or ""])
        except SendFailure as exc:
            outcomes[d.id] = _failed(exc)
            continue
        mine = refused.get(d.to_address or "")
        outcomes[d.id] = _failed(mine) if mine else Outcome("sent", "accepted by the server")
    return outcomes


def _failed(exc: SendFailure) -> Outcome:
    return Outcome("permanent" if exc.permanent else "temporary", exc.detail[:500])


def record(s: Session, deliveries: list[Delivery], outcomes: dict[int | None, Outcome], *,
           now: datetime, policy: RetryPolicy) -> None:
    """Write each outcome to its delivery (if still ours) and log every attempt.

    One executemany UPDATE and one INSERT for the whole batch, in the caller's transaction.
    """
    if not deliveries:
        return
    updates: list[dict[str, Any]] = []
    attempts: list[dict[str, Any]] = []
    for d in deliveries:
        outcome = outcomes[d.id]
        values = {**_current(d), **_changes(d, outcome, now=now, policy=policy)}
        updates.append({"b_id": d.id, "b_token": d.claimed_by,
                        **{f"b_{k}": v for k, v in values.items()}})
        if outcome.result != "released":
            attempts.append({"delivery_id": d.id, "at": now, "outcome": outcome.result,
                             "detail": outcome.detail})
    result = s.connection().execute(_RECORD, updates)
    if 0 <= result.rowcount < len(updates):
        log.warning("%d deliveries lost their lease before their outcome was recorded",
                    len(updates) - result.rowcount)
    if attempts:
        s.connection().execute(insert(_ATTEMPTS), attempts)


def record_one(db: Database, d: Delivery, outcome: Outcome, *, now: datetime,
               policy: RetryPolicy) -> None:
    """``record`` for one delivery in its own short transaction, on the raw connection
    with prepared statements: right after its send, at a fraction of a Session's cost."""
    values = {**_current(d), **_changes(d, outcome, now=now, policy=policy)}
    params = {"b_id": d.id, "b_token": d.claimed_by,
              **{f"b_{k}": v for k, v in values.items()}}
    with db.raw_transaction() as tx:
        if tx.execute(_RECORD_ONE, params) == 0:
            log.warning("delivery %s lost its lease before its outcome was recorded", d.id)
        if outcome.result != "released":
            tx.execute(_ATTEMPT_ONE, {"delivery_id": d.id, "at": now,
                                      "outcome": outcome.result, "detail": outcome.detail})


_COLUMNS = ("status", "reason", "attempts", "failures", "first_failure_at", "next_attempt_at",
            "done_at", "body")
_TABLE: Any = Delivery.__table__  # type: ignore[attr-defined]
_ATTEMPTS: Any = DeliveryAttempt.__table__  # type: ignore[attr-defined]
_RECORD = update(_TABLE).where(
    _TABLE.c.id == bindparam("b_id"), _TABLE.c.claimed_by == bindparam("b_token")).values(
    claimed_until=None, claimed_by=None, **{c: bindparam(f"b_{c}") for c in _COLUMNS})
_RECORD_ONE = Prepared(_RECORD)
_ATTEMPT_ONE = Prepared(insert(_ATTEMPTS), keys=("delivery_id", "at", "outcome", "detail"))


def _current(d: Delivery) -> dict[str, Any]:
    return {c: getattr(d, c) for c in _COLUMNS}


def _changes(d: Delivery, outcome: Outcome, *, now: datetime,
             policy: RetryPolicy) -> dict[str, Any]:
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


def due_deliveries(now: Any) -> ColumnElement[bool]:
    """Deliveries the job attempts at ``now`` (a datetime or a bound parameter)."""
    return and_(col(Delivery.status) == "pending", col(Delivery.next_attempt_at) <= now)


def next_attempt_query() -> Select[Any]:
    """The earliest moment a pending delivery may be tried (after any lease on it)."""
    later = type_coerce(case((col(Delivery.claimed_until) > col(Delivery.next_attempt_at),
                              col(Delivery.claimed_until)), else_=col(Delivery.next_attempt_at)),
                        UTCDateTime)
    return select(func.min(later)).where(col(Delivery.status) == "pending")


def next_attempt_at_any(db: Database) -> datetime | None:
    """The earliest moment a pending delivery may be tried (after any lease on it)."""
    with db.transaction() as s:
        when = s.execute(next_attempt_query()).scalar_one()
    return None if when is None else as_utc(when)


__all__ = ["Outcome", "dispatch_due", "next_attempt_at_any", "record", "send_emails"]
