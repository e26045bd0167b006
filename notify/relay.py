"""The relay job: unrelayed outbox events -> planned Delivery rows, idempotently."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Insert, and_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from workflow.config import Config
from workflow.db import Database
from workflow.leases import claim
from workflow.models import Account, OutboxEvent

from .catalog import ICP_FILING
from .dispatch import Claimed, due_deliveries, take
from .metrics import real_time
from .models import Contact, Delivery
from .planner import Owner, WebhookTarget, as_row, plan
from .rulecounts import RuleInputs, rule_inputs
from .settings import channel_states, enabled_of, receiver_contacts
from .webhooks import selected_webhooks

log = logging.getLogger(__name__)
CATEGORY = ICP_FILING  # the only category whose events the workflow writes


def unrelayed() -> ColumnElement[bool]:
    """Outbox events the relay has still to plan."""
    return col(OutboxEvent.relayed_at).is_(None)


def relay_due(db: Database, *, now: datetime, config: Config) -> int:
    """Plan every claimed event with the settings as they are now; returns events relayed.

    Claim, planning and the event's ``relayed_at`` commit together; the unique dedup key
    makes a second relay of the same event (a lost lease, two workers) insert nothing.
    """
    with db.transaction() as s:
        return len(_relay(s, now=now, config=config))


def relay_and_take(db: Database, *, now: datetime, config: Config) -> tuple[int, Claimed]:
    """``relay_due``, and in the same transaction the claim of the deliveries it planned
    that are due now (up to a batch): the events relayed, and those deliveries for
    ``dispatch.deliver`` to send. The live path of a wake-up: the new deliveries go out
    without waiting for a dispatch claim of their own, under the same lease rules."""
    with db.transaction() as s:
        events = _relay(s, now=now, config=config)
        if not events:
            return 0, Claimed([], [], {})
        ids = [e.id for e in events]
        mine = claim(s, Delivery, due=and_(due_deliveries(now), col(Delivery.event_id).in_(ids)),
                     now=now, lease=config.lease, limit=config.batch_size)
        at = {e.id: e.at for e in events}
        return len(events), take(s, mine, now=now, config=config,
                                 times={d.event_id: at[d.event_id] for d in mine
                                        if d.event_id in at} if real_time() else {})


def _relay(s: Session, *, now: datetime, config: Config) -> list[OutboxEvent]:
    """Claim a batch of events, plan them and mark them relayed; returns them."""
    events = claim(s, OutboxEvent, due=unrelayed(), now=now,
                   lease=config.lease, limit=config.batch_size)
    if not events:
        return []
    token = events[0].claimed_by
    rows: list[dict[str, Any]] = []
    # Settings are read once per account and batch: one snapshot, one transaction.
    audiences: dict[str, _Audience | None] = {}
    for event in events:
        if event.account_id not in audiences:
            audiences[event.account_id] = _audience(s, event.account_id, now)
        audience = audiences[event.account_id]
        if audience is None:  # a foreign key makes this unreachable; never loop on it
            log.error("outbox event %s names unknown account %s", event.id,
                      event.account_id)
            continue
        title, body = audience.inputs.text_of(event)
        planned = plan(event, channels=audience.channels, owner=audience.owner,
                       contacts=audience.contacts, webhooks=audience.webhooks,
                       rules=audience.inputs.rules, now=now, title=title, body=body,
                       sent_today=audience.inputs.counts)
        audience.inputs.count(planned)
        for p in planned:
            row = dict(as_row(p, event, account_id=event.account_id, category=CATEGORY,
                              now=now))
            row["facts"]["time_zone"] = audience.zone  # times in messages are local
            rows.append(row)
    if rows:
        s.execute(_insert_ignoring_duplicates(s), rows)
    s.execute(update(OutboxEvent).where(col(OutboxEvent.claimed_by) == token)
              .values(relayed_at=now, claimed_until=None, claimed_by=None))
    return events


@dataclass(frozen=True)
class _Audience:
    owner: Owner
    channels: tuple[str, ...]
    contacts: tuple[Contact, ...]
    webhooks: tuple[WebhookTarget, ...]
    inputs: RuleInputs
    zone: str


def _audience(s: Session, account_id: str, now: datetime) -> _Audience | None:
    account = s.get(Account, account_id)
    if account is None:
        return None
    states = channel_states(s, account_id, CATEGORY)  # read once for rules and channels
    inputs = rule_inputs(s, account, CATEGORY, now=now, states=states)
    return _Audience(
        owner=Owner(name=account.owner_name, email=account.owner_email,
                    language=account.language, mobile=inputs.owner_mobile),
        channels=tuple(enabled_of(states)),
        contacts=tuple(receiver_contacts(s, account_id, CATEGORY)),
        webhooks=tuple(WebhookTarget(h.id, h.name) for h in
                       selected_webhooks(s, account_id, CATEGORY) if h.id is not None),
        inputs=inputs, zone=account.time_zone)


def _insert_ignoring_duplicates(s: Session) -> Insert:
    table: Any = Delivery.__table__  # type: ignore[attr-defined]
    dialect = s.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(
            index_elements=["dedup_key"])
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(
            index_elements=["dedup_key"])
    raise NotImplementedError(f"the relay does not support {dialect}")


__all__ = ["relay_and_take", "relay_due"]
