"""The dispatch job: claim due deliveries, send them (SMTP | inbox), record every attempt."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, type_coerce
from sqlmodel import Session, col, select

from workflow.config import Config
from workflow.db import Database, UTCDateTime
from workflow.leases import claim

from .channelsend import CHANNELS, ChannelSenders, send_one, webhooks_of
from .compose import email_message, rendered
from .metrics import event_times
from .models import Delivery, InboxMessage
from .outcomes import Outcome, record, record_one
from .retry import RetryPolicy
from .senders import Sender, SendFailure

log = logging.getLogger(__name__)


def dispatch_due(db: Database, *, now: datetime, config: Config, sender: Sender,
                 channels: ChannelSenders | None = None) -> int:
    """Deliver what is due at ``now``; returns the deliveries claimed.

    Internal messages are written in the claiming transaction; emails, SMS and webhook
    calls go out after it commits, outside any transaction, one at a time, each one's
    outcome committed right after the server's answer to it.
    """
    with db.transaction() as s:
        claimed: list[Delivery] = claim(s, Delivery, due=due_deliveries(now), now=now,
                                        lease=config.lease,
                                        limit=config.batch_size)
        if not claimed:
            return 0
        batch = take(s, claimed, now=now, config=config)
    deliver(db, batch, now=now, config=config, sender=sender, channels=channels)
    return len(claimed)


@dataclass
class Claimed:
    """Deliveries this worker holds the lease of, their internal messages already
    written: what is left is sending the rest after the claiming transaction commits."""

    emails: list[Delivery]
    remote: list[Delivery]  # SMS and webhook calls
    times: dict[int | None, datetime]  # when each one's transition committed (latency)
    claimed: int = 0  # every delivery claimed, internal messages included

    def __len__(self) -> int:
        return len(self.emails) + len(self.remote)


def take(s: Session, claimed: list[Delivery], *, now: datetime, config: Config,
         times: dict[int | None, datetime] | None = None) -> Claimed:
    """In the claiming transaction: write the internal messages and their outcomes; the
    rest is for ``deliver`` once that transaction has committed."""
    policy = RetryPolicy.from_config(config)
    emails = [d for d in claimed if d.channel == "email"]
    remote = [d for d in claimed if d.channel in CHANNELS]
    inbox = [d for d in claimed if d.channel not in CHANNELS and d.channel != "email"]
    record(s, inbox, {d.id: _to_inbox(s, d, now=now) for d in inbox}, now=now,
           policy=policy)
    if times is None:  # read in the claiming transaction: no second one per batch
        times = event_times(s, remote + emails)
    return Claimed(emails=emails, remote=remote, times=times, claimed=len(claimed))


def deliver(db: Database, batch: Claimed, *, now: datetime, config: Config, sender: Sender,
            channels: ChannelSenders | None) -> None:
    """Send what ``take`` left, after the claiming transaction committed."""
    if not batch:
        return
    policy = RetryPolicy.from_config(config)
    started, budget = time.monotonic(), config.lease.total_seconds() / 2
    hooks = webhooks_of(db, batch.remote)
    for d in batch.remote:
        if time.monotonic() - started > budget:  # leave them to the next claim
            outcome = Outcome("released")
        else:
            outcome = Outcome(*send_one(db, d, channels, hooks))
        record_one(db, d, outcome, now=now, policy=policy, event_at=batch.times.get(d.event_id))
    if batch.emails:
        send_emails(db, batch.emails, sender=sender, config=config, now=now, policy=policy,
                    times=batch.times)


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


def send_emails(db: Database, emails: list[Delivery], *, sender: Sender, config: Config,
                now: datetime, policy: RetryPolicy,
                times: dict[int | None, datetime] | None = None) -> None:
    """Compose every message first, then send them over the sender's one connection,
    recording each outcome as soon as the server has answered. ``times``: when each
    one's transition committed (read here when not given)."""
    unsendable: dict[int | None, Outcome] = {}
    ready: list[tuple[Delivery, EmailMessage]] = []
    for d in emails:
        try:
            ready.append((d, email_message(d, rendered(d), mail_from=config.mail_from,
                                           now=now)))
        except Exception as exc:
            log.exception("cannot compose delivery %s", d.id)
            unsendable[d.id] = Outcome("permanent", f"cannot compose the message: {exc}")
    if unsendable:
        with db.transaction() as s:
            record(s, [d for d in emails if d.id in unsendable], unsendable, now=now,
                   policy=policy)
    check = getattr(sender, "check", None)
    if ready and check is not None:
        check()
    if times is None:
        times = event_times(db, [d for d, _ in ready])
    started, budget = time.monotonic(), config.lease.total_seconds() / 2
    for n, (d, msg) in enumerate(ready):
        if time.monotonic() - started > budget:
            # Stop well before the lease ends, so no other worker sends these too.
            rest = [r for r, _ in ready[n:]]
            with db.transaction() as s:
                record(s, rest, dict.fromkeys((r.id for r in rest), Outcome("released")),
                       now=now, policy=policy)
            return
        record_one(db, d, _send(sender, d, msg), now=now, policy=policy,
                   event_at=times.get(d.event_id))


def _send(sender: Sender, d: Delivery, msg: EmailMessage) -> Outcome:
    try:
        refused = sender.send(msg, to=[d.to_address or ""])
    except SendFailure as exc:
        return _failed(exc)
    mine = refused.get(d.to_address or "")
    return _failed(mine) if mine else Outcome("sent", "accepted by the server")


def _failed(exc: SendFailure) -> Outcome:
    return Outcome("permanent" if exc.permanent else "temporary", exc.detail[:500])


def due_deliveries(now: Any) -> ColumnElement[bool]:
    """Deliveries the job attempts at ``now`` (a datetime or a bound parameter)."""
    return and_(col(Delivery.status) == "pending", col(Delivery.next_attempt_at) <= now)


def next_attempt_query() -> Select[Any]:
    """The earliest moment a pending delivery may be tried (after any lease on it)."""
    later = type_coerce(case((col(Delivery.claimed_until) > col(Delivery.next_attempt_at),
                              col(Delivery.claimed_until)), else_=col(Delivery.next_attempt_at)),
                        UTCDateTime)
    return select(func.min(later)).where(col(Delivery.status) == "pending")


__all__ = ["Claimed", "Outcome", "deliver", "dispatch_due", "due_deliveries",
           "next_attempt_query", "send_emails", "take"]
