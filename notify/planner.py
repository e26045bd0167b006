"""The notification planner: one outbox event + settings + contacts -> planned deliveries.

Pure: the relay hands it the settings, the day's counts and (when keyword filters exist)
the message text; it answers which deliveries to insert, skipped ones with their reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from .rules import Rules, apply_rules

SKIP_REASONS = {
    "pending": "contact is pending verification",
    "expired": "contact verification link expired",
}
MOBILE_SKIP_REASONS = {
    None: "contact has no mobile",
    "pending": "mobile is pending verification",
    "expired": "mobile verification link expired",
}


class EventLike(Protocol):
    id: int | None
    notification_type: str
    facts: dict[str, Any]


class ContactLike(Protocol):
    id: int | None
    name: str
    email: str
    status: str


@dataclass(frozen=True)
class Owner:
    """The account's owner: always a receiver, always verified; the account's language.

    Its mobile, when the account has one, counts as verified."""

    name: str
    email: str
    language: str = "en"
    mobile: str | None = None


@dataclass(frozen=True)
class WebhookTarget:
    """A webhook selected for the category: one call per event."""

    id: int
    name: str


@dataclass(frozen=True)
class PlannedDelivery:
    dedup_key: str
    channel: str  # email | internal | sms | webhook
    receiver: str  # owner | contact | account | webhook
    language: str
    contact_id: int | None = None
    to_address: str | None = None  # email address or mobile
    to_name: str | None = None
    status: str = "pending"  # pending | skipped
    reason: str | None = None
    webhook_id: int | None = None
    due_at: datetime | None = None  # later than planning when receive hours say so

    @property
    def receiver_key(self) -> str:
        return receiver_key(self.receiver, self.contact_id, self.webhook_id)


def receiver_key(receiver: str, contact_id: int | None = None,
                 webhook_id: int | None = None) -> str:
    """``owner``, ``account``, ``contact:<id>`` or ``webhook:<id>``: whom rules are set for."""
    if receiver == "contact":
        return f"contact:{contact_id}"
    if receiver == "webhook":
        return f"webhook:{webhook_id}"
    return receiver


def dedup_key(event_id: int, channel: str, receiver: str, contact_id: int | None = None,
              webhook_id: int | None = None) -> str:
    """The unique key of (event, receiver, channel): at most one delivery each."""
    return f"event:{event_id}:{channel}:{receiver_key(receiver, contact_id, webhook_id)}"


def plan(
    event: EventLike,
    *,
    channels: Iterable[str],
    owner: Owner,
    contacts: Sequence[ContactLike],
    webhooks: Sequence[WebhookTarget] = (),
    rules: Rules | None = None,
    now: datetime | None = None,
    title: str = "",
    body: str = "",
    sent_today: Mapping[tuple[str, str], int] | None = None,
) -> list[PlannedDelivery]:
    """Email: one per receiver (owner + each selected contact, unverified ones skipped with
    the reason); SMS: the same receivers by mobile, verified mobiles only; webhook: one per
    selected webhook; internal: one message per event in the account's inbox.

    Then the rules, except on exempt channels: a receiver's keyword filter on ``title`` and
    ``body``; the channel's daily limit per receiver (``sent_today`` holds what the
    receiver already has today, by channel and receiver key); receive hours move the
    due time of what is left to the next allowed hour (``now`` is the planning time).
    """
    if event.id is None:
        raise ValueError("an event must be stored (have an id) before it is planned")
    chosen = set(channels)
    lang = owner.language
    out: list[PlannedDelivery] = []
    if "email" in chosen:
        out.append(PlannedDelivery(dedup_key(event.id, "email", "owner"), "email", "owner",
                                   lang, to_address=owner.email, to_name=owner.name))
        seen = {owner.email.lower()}
        for contact in contacts:
            out.append(_for_contact(event.id, contact, lang, seen))
    if "sms" in chosen:
        out.extend(_sms(event.id, owner, contacts, lang))
    if "webhook" in chosen:
        out.extend(PlannedDelivery(dedup_key(event.id, "webhook", "webhook", webhook_id=w.id),
                                   "webhook", "webhook", lang, to_name=w.name, webhook_id=w.id)
                   for w in webhooks)
    if "internal" in chosen:
        out.append(PlannedDelivery(dedup_key(event.id, "internal", "account"), "internal",
                                   "account", lang))
    return apply_rules(out, rules, now=now, title=title, body=body,
                       sent_today=sent_today or {})


def _sms(event_id: int, owner: Owner, contacts: Sequence[ContactLike],
         lang: str) -> list[PlannedDelivery]:
    out = []
    seen: set[str] = set()
    if owner.mobile:
        seen.add(owner.mobile)
        out.append(PlannedDelivery(dedup_key(event_id, "sms", "owner"), "sms", "owner", lang,
                                   to_address=owner.mobile, to_name=owner.name))
    for contact in contacts:
        mobile: str | None = getattr(contact, "mobile", None) or None
        state = getattr(contact, "mobile_status", None) if mobile else None
        reason = None
        if state != "verified":
            reason = MOBILE_SKIP_REASONS.get(state, f"mobile is {state}")
        elif mobile in seen:
            reason = "another receiver has the same mobile"
        if mobile:
            seen.add(mobile)
        out.append(PlannedDelivery(dedup_key(event_id, "sms", "contact", contact.id), "sms",
                                   "contact", lang, contact_id=contact.id, to_address=mobile,
                                   to_name=contact.name,
                                   status="skipped" if reason else "pending", reason=reason))
    return out


def _for_contact(event_id: int, contact: ContactLike, lang: str,
                 seen: set[str]) -> PlannedDelivery:
    key = dedup_key(event_id, "email", "contact", contact.id)
    reason = None
    if contact.status != "verified":
        reason = SKIP_REASONS.get(contact.status, f"contact is {contact.status}")
    elif contact.email.lower() in seen:
        reason = "another receiver has the same address"
    seen.add(contact.email.lower())
    return PlannedDelivery(key, "email", "contact", lang, contact_id=contact.id,
                           to_address=contact.email, to_name=contact.name,
                           status="skipped" if reason else "pending", reason=reason)


def as_row(planned: PlannedDelivery, event: EventLike, *, account_id: str, category: str,
           now: Any) -> Mapping[str, Any]:
    """The Delivery columns of a planned delivery (the relay inserts these)."""
    pending = planned.status == "pending"
    return {
        "dedup_key": planned.dedup_key, "account_id": account_id, "event_id": event.id,
        "kind": "notification", "category": category,
        "notification_type": event.notification_type,
        "filing_id": event.facts.get("filing_id"), "channel": planned.channel,
        "receiver": planned.receiver, "contact_id": planned.contact_id,
        "to_address": planned.to_address, "to_name": planned.to_name,
        "language": planned.language, "facts": dict(event.facts), "status": planned.status,
        "reason": planned.reason, "attempts": 0, "created_at": now,
        "next_attempt_at": (planned.due_at or now) if pending else None,
        "done_at": None if pending else now, "webhook_id": planned.webhook_id,
    }


__all__ = ["Owner", "PlannedDelivery", "WebhookTarget", "as_row", "dedup_key", "plan",
           "receiver_key"]
