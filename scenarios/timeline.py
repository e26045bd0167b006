"""Watch the world between job runs and tell what happened, as timeline events."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from notify.models import Contact, Delivery, DeliveryAttempt, InboxMessage
from workflow.models import Filing, TransitionLog

from .results import Event, local
from .world import World


class Observer:
    """Remembers what it has already reported; ``collect()`` returns only what is new."""

    def __init__(self, world: World):
        self.world = world
        self.last_transition = self.last_attempt = self.last_inbox = 0
        self.mail_seen = self.sms_seen = self.calls_seen = 0
        self.contacts: dict[int, tuple[str, str]] = {}
        self.reported: set[tuple[int | None, int, str]] = set()

    def collect(self) -> list[Event]:
        now = self.world.now()
        events: list[Event] = []
        with self.world.system.db.transaction() as s:
            # One query for the newest ids first: most looks find few tables changed, and
            # a query for rows past an id that did not move can only come back empty.
            transition, attempt, inbox = s.execute(_NEWEST).one()
            if (transition or 0) > self.last_transition:
                events += self._transitions(s)
            if (attempt or 0) > self.last_attempt:
                events += self._attempts(s)
            events += self._outcomes(s, now)
            if (inbox or 0) > self.last_inbox:
                events += self._inbox(s)
            events += self._contacts(list(s.exec(select(Contact)).all()), now)
        mails = self.world.mails()
        events += [Event(now, "email", f"received by {m.summary()}")
                   for m in mails[self.mail_seen:]]
        self.mail_seen = len(mails)
        if self.world.sms is not None:
            texts = self.world.sms.messages()
            events += [Event(now, "sms", f"received by {m.phone}: {m.content!r}")
                       for m in texts[self.sms_seen:]]
            self.sms_seen = len(texts)
        if self.world.webhooks is not None:
            calls = self.world.webhooks.received()
            events += [Event(now, "webhook", f"call to {c.path} ({c.robot or 'unknown'}, "
                             f"signature {c.signature}) answered {c.status}")
                       for c in calls[self.calls_seen:]]
            self.calls_seen = len(calls)
        return sorted(events, key=lambda e: e.at)

    def _transitions(self, s: Session) -> list[Event]:
        rows = s.exec(select(TransitionLog, Filing)
                      .join(Filing, col(Filing.pk) == TransitionLog.filing_pk)
                      .where(col(TransitionLog.id) > self.last_transition)
                      .order_by(col(TransitionLog.id))).all()
        self.last_transition = max([self.last_transition, *(log.id or 0 for log, _ in rows)])
        zone = self.world.scenario.start.tzinfo
        return [Event(log.at, "transition", _transition(log, filing, zone))
                for log, filing in rows]

    def _attempts(self, s: Session) -> list[Event]:
        # Plain rows, not ORM objects (this runs at every stop that did work): each row has
        # the attempt's and its delivery's fields by name, so it serves as both.
        rows = s.execute(_ATTEMPTS.where(col(DeliveryAttempt.id) > self.last_attempt)).all()
        self.last_attempt = max([self.last_attempt, *(r.id or 0 for r in rows)])
        return [e for r in rows if (e := self._attempt(r, r)) is not None]

    def _outcomes(self, s: Session, now: datetime) -> list[Event]:
        """Deliveries that became skipped or failed since the last look."""
        rows = s.exec(select(Delivery).where(col(Delivery.status).in_(("skipped", "failed")))
                      .order_by(col(Delivery.id))).all()
        events = []
        for d in rows:
            key = (d.id, d.attempts, d.status)  # a delivery retried by hand may fail again
            if key in self.reported:
                continue
            self.reported.add(key)
            events.append(Event(d.done_at or now, d.status, f"{d.channel} {_what(d)} to "
                                f"{_to(d)} {d.status}: {d.reason or ''}"))
        return events

    def _inbox(self, s: Session) -> list[Event]:
        rows = s.exec(select(InboxMessage).where(col(InboxMessage.id) > self.last_inbox)
                      .order_by(col(InboxMessage.id))).all()
        self.last_inbox = max([self.last_inbox, *(m.id or 0 for m in rows)])
        return [Event(m.created_at, "inbox", f"internal message to {m.account_id} [{m.type}"
                      f"{' ' + m.filing_id if m.filing_id else ''}]: {m.title!r}") for m in rows]

    def _attempt(self, attempt: Any, delivery: Any) -> Event | None:
        what = f"{_what(delivery)} to {_to(delivery)}"
        detail = " ".join(attempt.detail.split())
        if attempt.outcome == "sent":
            if delivery.attempts > 1:
                return Event(attempt.at, "retry", f"{what} delivered on a retry")
            return None
        if attempt.outcome == "temporary" and delivery.status == "pending":
            when = delivery.next_attempt_at
            retry = f"; next try at {local(when, self.world.scenario.start.tzinfo)}" \
                if when and self.world.scenario.start.tzinfo else ""
            return Event(attempt.at, "refused", f"{what} refused for now ({detail}){retry}")
        return Event(attempt.at, "refused", f"{what} refused ({attempt.outcome}: {detail})")

    def _contacts(self, rows: list[Contact], now: datetime) -> list[Event]:
        events = []
        seen = {c.id: (c.email, c.status) for c in rows if c.id is not None}
        for cid, (email, status) in seen.items():
            old = self.contacts.get(cid)
            if old is None:
                events.append(Event(now, "contact", f"{email} added ({status})"))
            elif old != (email, status):
                change = f"{old[0]} -> {email}, " if old[0] != email else ""
                events.append(Event(now, "contact", f"{email}: {change}{old[1]} -> {status}"))
        for cid, (email, _) in self.contacts.items():
            if cid not in seen:
                events.append(Event(now, "contact", f"{email} deleted"))
        self.contacts = seen
        return events


_ATTEMPTS = (
    sa_select(col(DeliveryAttempt.id), col(DeliveryAttempt.at), col(DeliveryAttempt.outcome),
           col(DeliveryAttempt.detail), col(Delivery.attempts), col(Delivery.status),
           col(Delivery.next_attempt_at), col(Delivery.kind), col(Delivery.filing_id),
           col(Delivery.notification_type), col(Delivery.to_address),
           col(Delivery.account_id), col(Delivery.channel), col(Delivery.to_name))
    .join(Delivery, col(Delivery.id) == DeliveryAttempt.delivery_id)
    .order_by(col(DeliveryAttempt.id)))
_NEWEST = select(*(select(func.max(c)).scalar_subquery() for c in (
    col(TransitionLog.id), col(DeliveryAttempt.id), col(InboxMessage.id))))


def _transition(log: TransitionLog, filing: Filing, zone: tzinfo | None) -> str:
    data = {k: v for k, v in (log.data or {}).items() if v not in (None, "", [])}
    facts = ", ".join(f"{k}={_fact(v, zone)}" for k, v in data.items())
    facts = f" [{facts}]" if facts else ""
    if log.source == log.dest and log.trigger != "extend_deadline":
        return f"{filing.filing_id}: {log.trigger} while {log.source}{facts}"
    return f"{filing.filing_id}: {log.source} -> {log.dest} ({log.trigger} by {log.actor}){facts}"


def _fact(value: Any, zone: tzinfo | None) -> str:
    """A recorded datum for people: lists bracketed, ISO times in the scenario's zone."""
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    if isinstance(value, str) and zone is not None and "T" in value:
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            return value
        return local(when, zone) if when.tzinfo else value
    return str(value)


def _what(delivery: Delivery) -> str:
    if delivery.kind == "verification":
        return "verification SMS" if delivery.channel == "sms" else "verification email"
    filing = f" {delivery.filing_id}" if delivery.filing_id else ""
    return f"{delivery.notification_type}{filing}"


def _to(delivery: Delivery) -> str:
    if delivery.channel == "webhook":
        return f"webhook {delivery.to_name}"
    return delivery.to_address or delivery.account_id
