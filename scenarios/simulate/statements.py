"""The rows and prepared statements of the bulk run's batched jobs (scenarios/simulate/jobs.py):
the outbox events the relay plans, the deliveries the dispatcher claims, and the SQL
that reads and writes them on the prepared-statement path (workflow/fastsql.py)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite

from notify.models import AuditEntry, Delivery, DeliveryAttempt, InboxMessage, Webhook
from workflow.db import UTCDateTime
from workflow.fastsql import Prepared
from workflow.leases import lease_free
from workflow.models import OutboxEvent

DELIVERY = cast(Table, Delivery.__table__)  # type: ignore[attr-defined]
ATTEMPT = cast(Table, DeliveryAttempt.__table__)  # type: ignore[attr-defined]
INBOX = cast(Table, InboxMessage.__table__)  # type: ignore[attr-defined]
OUTBOX = cast(Table, OutboxEvent.__table__)  # type: ignore[attr-defined]
AUDIT = cast(Table, AuditEntry.__table__)  # type: ignore[attr-defined]
WEBHOOK = cast(Table, Webhook.__table__)  # type: ignore[attr-defined]
# what the planner's rows leave to column defaults, given here (prepared statements skip
# SQLAlchemy's Python-side defaults)
UNSET = {"subject": None, "body": None, "failures": 0, "first_failure_at": None,
         "claimed_until": None, "claimed_by": None}
# what recording an outcome writes back to the delivery
RECORDED = ("status", "reason", "attempts", "failures", "first_failure_at", "next_attempt_at",
            "done_at", "body")


@dataclass(slots=True)
class Event:
    id: int | None  # always stored (the planner's EventLike allows None)
    account_id: str
    notification_type: str
    facts: dict[str, Any]


@dataclass(slots=True)
class DeliveryRow:
    """A claimed delivery as a plain row with the Delivery attributes composing reads."""

    id: int
    dedup_key: str
    account_id: str
    event_id: int | None
    kind: str
    category: str
    notification_type: str | None
    filing_id: str | None
    channel: str
    receiver: str
    contact_id: int | None
    to_address: str | None
    to_name: str | None
    language: str
    facts: dict[str, Any]
    subject: str | None
    body: str | None
    status: str
    reason: str | None
    attempts: int
    failures: int
    first_failure_at: datetime | None
    next_attempt_at: datetime | None
    done_at: datetime | None
    webhook_id: int | None


DELIVERY_COLUMNS = tuple(f.name for f in fields(DeliveryRow))


@cache
def unrelayed(limit: int) -> Prepared:
    now = bindparam("now", type_=UTCDateTime)
    o = OUTBOX.c
    return Prepared(select(o.id, o.account_id, o.notification_type, o.facts)
                    .where(o.relayed_at.is_(None), lease_free(OutboxEvent, now))
                    .order_by(o.id).limit(limit))


@cache
def audited_since() -> Prepared:
    a = AUDIT.c
    return Prepared(select(a.account_id, func.max(a.id).label("last"))
                    .where(a.id > bindparam("last")).group_by(a.account_id)
                    .order_by(a.account_id))


@cache
def insert_deliveries(dialect: str, keys: tuple[str, ...]) -> Prepared:
    """Insert deliveries given as rows with ``keys``: the planner's ``as_row`` columns, the
    ones it leaves to defaults (UNSET) and the id."""
    insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return Prepared(insert(DELIVERY).on_conflict_do_nothing(index_elements=["dedup_key"]),
                    keys=keys)


@cache
def last_delivery() -> Prepared:
    return Prepared(select(func.max(DELIVERY.c.id).label("last")))


@cache
def relayed() -> Prepared:
    return Prepared(OUTBOX.update().where(OUTBOX.c.id == bindparam("k_id"))
                    .values(relayed_at=bindparam("at", type_=UTCDateTime),
                            claimed_until=None, claimed_by=None))


@cache
def due_deliveries(limit: int) -> Prepared:
    now = bindparam("now", type_=UTCDateTime)
    d = DELIVERY.c
    return Prepared(select(*(d[name] for name in DELIVERY_COLUMNS))
                    .where(d.status == "pending", d.next_attempt_at <= now,
                           lease_free(Delivery, now))
                    .order_by(d.id).limit(limit))


@cache
def record() -> Prepared:
    return Prepared(DELIVERY.update().where(DELIVERY.c.id == bindparam("k_id"))
                    .values(claimed_until=None, claimed_by=None,
                            **{c: bindparam(f"b_{c}") for c in RECORDED}))


@cache
def insert_attempt() -> Prepared:
    return Prepared(ATTEMPT.insert(), keys=("delivery_id", "at", "outcome", "detail"))


@cache
def insert_inbox() -> Prepared:
    return Prepared(INBOX.insert(), keys=("account_id", "delivery_id", "category", "type",
                                          "filing_id", "title", "body", "created_at", "read"))


@cache
def webhook_by_id() -> Prepared:
    return Prepared(select(WEBHOOK).where(WEBHOOK.c.id == bindparam("k_id")))


__all__ = ["DELIVERY_COLUMNS", "RECORDED", "UNSET", "DeliveryRow", "Event", "audited_since",
           "due_deliveries", "insert_attempt", "insert_deliveries", "insert_inbox",
           "last_delivery", "record", "relayed", "unrelayed", "webhook_by_id"]
