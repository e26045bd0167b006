"""The relay, dispatch and timers jobs of a bulk run, batched.

A year of a large population makes millions of deliveries: the live jobs' ORM sessions
and one commit per email would cost far more than the work itself. Here each job run is
one transaction on the prepared-statement path (workflow/fastsql.py), and rows are written
with executemany, but every step is the product's own:

- relay: each outbox event goes through the receiver planner (``notify.planner.plan``,
  rules included) with the account's channels, receivers, webhooks and rules as the
  relay reads them (``notify.settings``, ``notify.webhooks``, ``notify.rulecounts``); the
  planned deliveries are inserted with the planner's own rows (``as_row``), skipped ones
  with their reason;
- dispatch: each due delivery is rendered and composed as the dispatcher does (the email
  templates, ``email_message``, the inbox message, ``send_one`` for SMS and webhooks),
  handed to the recording sender, and its outcome recorded with the dispatcher's own
  status and retry rules (``notify.outcomes.changes``) plus an attempt row;
- timers: ``workflow.batch.fire_due_timers``, each timer fired by the timers job's own code.

The settle loop, the probe and the contact-expiry job are the product's, unchanged.
An account's audience is read once and kept until its settings or contacts change (every
such change writes an audit entry, which is what is watched); accounts with daily limits
are read again on every run, as their counts come from the deliveries of the day.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, cast

from sqlalchemy import event as sa_event
from sqlmodel import Session

from notify.catalog import ICP_FILING
from notify.channelsend import CHANNELS, ChannelSenders, send_one
from notify.compose import email_message, rendered
from notify.models import Delivery, Webhook
from notify.outcomes import Outcome, changes
from notify.planner import Owner, WebhookTarget, as_row, plan
from notify.retry import RetryPolicy
from notify.rulecounts import RuleInputs, rule_inputs
from notify.senders import SendFailure
from notify.settings import enabled_channels, receiver_contacts
from notify.system import System
from notify.webhooks import selected_webhooks
from workflow.batch import fire_due_timers
from workflow.config import Config
from workflow.db import Database
from workflow.fastsql import RawTransaction
from workflow.models import Account

from . import statements as sql
from .sender import RecordingSender

CATEGORY = ICP_FILING
# SQLite page cache per connection of the run's database. At 100k filings (2025, busy model)
# 8 MiB ran in 110 s and 356 MB, 32 MiB in 120 s and 470 MB, 2 MiB (the default) in 139 s.
CACHE_KIB = 8 * 1024


@dataclass(frozen=True)
class Audience:
    """What the relay reads of an account to plan its events."""

    owner: Owner
    channels: tuple[str, ...]
    contacts: tuple[Any, ...]
    webhooks: tuple[WebhookTarget, ...]
    inputs: RuleInputs


def audience_of(s: Session, account_id: str, now: datetime) -> Audience | None:
    """The account's owner, channels, receivers, webhooks and rules, as the relay reads
    them (notify/relay.py)."""
    account = s.get(Account, account_id)
    if account is None:
        return None
    inputs = rule_inputs(s, account, CATEGORY, now=now)
    return Audience(
        owner=Owner(name=account.owner_name, email=account.owner_email,
                    language=account.language, mobile=inputs.owner_mobile),
        channels=tuple(enabled_channels(s, account_id, CATEGORY)),
        contacts=tuple(receiver_contacts(s, account_id, CATEGORY)),
        webhooks=tuple(WebhookTarget(h.id, h.name) for h in
                       selected_webhooks(s, account_id, CATEGORY) if h.id is not None),
        inputs=inputs)


class BatchedJobs:
    def __init__(self, db: Database, config: Config, sender: RecordingSender):
        self.db, self.config, self.sender = db, config, sender
        self.channels = cast(ChannelSenders, sender.channels)
        self.policy = RetryPolicy.from_config(config)
        self.audiences: dict[str, Audience] = {}
        self.last_audit = 0

    # relay ---------------------------------------------------------------------------
    def relay(self, now: datetime) -> int:
        """Plan every unrelayed event (up to a batch) in one transaction."""
        with self.db.raw_transaction() as tx:
            found = tx.fetch_all(sql.unrelayed(self.config.batch_size), {"now": now})
            events = [sql.Event(**r) for r in found]
            if not events:
                return 0
            self._forget_changed(tx)
            missing = {e.account_id for e in events} - self.audiences.keys()
            if not missing:
                self._plan(tx, events, now)
                return len(events)
        self._read_audiences(missing, now)
        with self.db.raw_transaction() as tx:
            self._plan(tx, events, now)
        return len(events)

    def _forget_changed(self, tx: RawTransaction) -> None:
        """Drop the audiences of accounts whose settings or contacts changed since."""
        for row in tx.fetch_all(sql.audited_since(), {"last": self.last_audit}):
            self.audiences.pop(row["account_id"], None)
            self.last_audit = max(self.last_audit, row["last"])

    def _read_audiences(self, accounts: set[str], now: datetime) -> None:
        with self.db.transaction() as s:
            for account_id in sorted(accounts):
                found = audience_of(s, account_id, now)
                if found is not None:
                    self.audiences[account_id] = found

    def _plan(self, tx: RawTransaction, events: list[sql.Event], now: datetime) -> None:
        rows: list[dict[str, Any]] = []
        for event in events:
            audience = self.audiences.get(event.account_id)
            if audience is None:  # a foreign key makes this unreachable
                raise RuntimeError(f"outbox event {event.id} names unknown account "
                                   f"{event.account_id}")
            inputs = audience.inputs
            title, body = inputs.text_of(event)
            planned = plan(event, channels=audience.channels, owner=audience.owner,
                           contacts=audience.contacts, webhooks=audience.webhooks,
                           rules=inputs.rules, now=now, title=title, body=body,
                           sent_today=inputs.counts)
            inputs.count(planned)
            rows.extend({**as_row(p, event, account_id=event.account_id, category=CATEGORY,
                                  now=now), **sql.UNSET} for p in planned)
        inbox, attempts = self._first_attempts(tx, rows, now)
        if rows and tx.execute_many(sql.insert_deliveries(tx.dialect.name, tuple(rows[0])),
                                    rows) != len(rows):
            raise RuntimeError("the relay found deliveries of these events already planned")
        tx.execute_many(sql.insert_inbox(), inbox)
        tx.execute_many(sql.insert_attempt(), attempts)
        tx.execute_many(sql.relayed(), [{"k_id": e.id, "at": now} for e in events])
        # counts of accounts with daily limits come from the day's deliveries: read again
        for account_id in {e.account_id for e in events}:
            if self.audiences[account_id].inputs.rules.per_day:
                del self.audiences[account_id]

    def _first_attempts(self, tx: RawTransaction, rows: list[dict[str, Any]], now: datetime
                        ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The dispatcher's first attempt at each delivery due at once, before its row is
        written: the row goes in with its outcome (sent, failed, or pending with its retry
        time) and its attempt row, as relay then dispatch at this same moment would leave
        them, in one write instead of an insert and an update. Ids are given here, after
        the highest stored one (one writer), so attempts and inbox messages can name them.
        """
        found = tx.fetch_one(sql.last_delivery(), {})
        next_id = (found or {}).get("last") or 0
        attempts: list[dict[str, Any]] = []
        inbox: list[dict[str, Any]] = []
        for row in rows:
            next_id += 1
            row["id"] = next_id
            if row["status"] != "pending" or row["next_attempt_at"] > now:
                continue  # skipped by the planner, or held by receive hours
            d = sql.DeliveryRow(**{c: row[c] for c in sql.DELIVERY_COLUMNS})
            outcome = self._attempt(tx, d, now, inbox)
            row.update(changes(cast(Delivery, d), outcome, now=now, policy=self.policy))
            attempts.append({"delivery_id": d.id, "at": now, "outcome": outcome.result,
                             "detail": outcome.detail})
        return inbox, attempts

    # dispatch ------------------------------------------------------------------------
    def dispatch(self, now: datetime) -> int:
        """Send every due delivery (up to a batch) and record the outcomes, one transaction."""
        with self.db.raw_transaction() as tx:
            due = [sql.DeliveryRow(**r) for r in tx.fetch_all(
                sql.due_deliveries(self.config.batch_size), {"now": now})]
            if not due:
                return 0
            updates: list[dict[str, Any]] = []
            attempts: list[dict[str, Any]] = []
            inbox: list[dict[str, Any]] = []
            for d in due:
                outcome = self._attempt(tx, d, now, inbox)
                values = changes(cast(Delivery, d), outcome, now=now, policy=self.policy)
                updates.append({"k_id": d.id, **{f"b_{c}": values.get(c, getattr(d, c))
                                                 for c in sql.RECORDED}})
                attempts.append({"delivery_id": d.id, "at": now, "outcome": outcome.result,
                                 "detail": outcome.detail})
            tx.execute_many(sql.insert_inbox(), inbox)
            tx.execute_many(sql.record(), updates)
            tx.execute_many(sql.insert_attempt(), attempts)
            return len(due)

    def _attempt(self, tx: RawTransaction, d: sql.DeliveryRow, now: datetime,
                 inbox: list[dict[str, Any]]) -> Outcome:
        """One send of one delivery, as the dispatcher makes it (nothing recorded yet)."""
        if d.channel == "email":
            return self._email(d, now)
        if d.channel in CHANNELS:
            hooks = self._webhooks(tx, [d]) if d.channel == "webhook" else {}
            return Outcome(*send_one(self.db, cast(Delivery, d), self.channels, hooks))
        return self._inbox(d, now, inbox)

    def _email(self, d: sql.DeliveryRow, now: datetime) -> Outcome:
        delivery = cast(Delivery, d)
        try:
            msg = email_message(delivery, rendered(delivery), mail_from=self.config.mail_from,
                                now=now)
        except Exception as exc:  # as the dispatcher: a broken message fails alone
            return Outcome("permanent", f"cannot compose the message: {exc}")
        try:
            refused = self.sender.send(msg, to=[d.to_address or ""])
        except SendFailure as exc:
            return _failed(exc)
        mine = refused.get(d.to_address or "")
        return _failed(mine) if mine else Outcome("sent", "accepted by the server")

    def _inbox(self, d: sql.DeliveryRow, now: datetime, inbox: list[dict[str, Any]]) -> Outcome:
        if d.channel != "internal":
            return Outcome("permanent", f"unknown channel {d.channel!r}")
        try:
            text = rendered(cast(Delivery, d))
        except Exception as exc:
            return Outcome("permanent", f"cannot render the message: {exc}")
        inbox.append({"account_id": d.account_id, "delivery_id": d.id, "category": d.category,
                      "type": d.notification_type, "filing_id": d.filing_id,
                      "title": text.subject, "body": text.body, "created_at": now,
                      "read": False})
        return Outcome("sent", "stored in the inbox")

    def _webhooks(self, tx: RawTransaction, due: list[sql.DeliveryRow]) -> dict[int, Webhook]:
        ids = sorted({d.webhook_id for d in due if d.channel == "webhook" and d.webhook_id})
        found = (tx.fetch_one(sql.webhook_by_id(), {"k_id": i}) for i in ids)
        return {row["id"]: Webhook(**row) for row in found if row is not None}


def _failed(exc: SendFailure) -> Outcome:
    return Outcome("permanent" if exc.permanent else "temporary", exc.detail[:500])


class BatchedSystem(System):
    """The assembled system with the batched relay, dispatch and timers jobs: its
    ``settle`` (the clock-driven job loop every run uses) runs these."""

    batched: BatchedJobs

    def relay_due(self, now: datetime | None = None) -> int:
        with self.jobs_lock:
            return self.batched.relay(self._now(now))

    def dispatch_due(self, now: datetime | None = None) -> int:
        with self.jobs_lock:
            return self.batched.dispatch(self._now(now))

    def fire_due_timers(self, now: datetime | None = None) -> int:
        return fire_due_timers(self.db, now=self._now(now), config=self.config)


def throwaway_database(db: Database) -> None:
    """Tune the run's own SQLite file for bulk writes: it is deleted when the run ends,
    so a crash may lose it (no syncing), and a page cache four times the default keeps
    the hot part of the indexes of millions of delivery rows in memory. Applies to
    connections opened from now on."""

    @sa_event.listens_for(db.engine, "connect")
    def _bulk(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA synchronous=OFF")
        cur.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        cur.close()

    db.dispose()  # the connections opened so far were opened without it


def batched(system: System, sender: RecordingSender) -> BatchedSystem:
    """``system`` with its jobs batched and every message handed to ``sender``."""
    out = BatchedSystem(**{f.name: getattr(system, f.name) for f in fields(System)
                           if f.name != "jobs_lock"})
    system.sender.close()
    if system.channels is not None:
        system.channels.close()
    out.sender = cast(Any, sender)
    out.channels = cast(ChannelSenders, sender.channels)
    out.batched = BatchedJobs(out.db, out.config, sender)
    return out


__all__ = ["Audience", "BatchedJobs", "BatchedSystem", "audience_of", "batched",
           "throwaway_database"]
