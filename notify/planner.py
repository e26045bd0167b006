"""The notification planner: one outbox event + settings + contacts -> planned deliveries."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

SKIP_REASONS = {
    "pending": "contact is pending verification",
    "expired": "contact verification link expired",
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
    """The account's owner: always a receiver, always verified; the account's language."""

    name: str
    email: str
    language: str = "en"


@dataclass(frozen=True)
class PlannedDelivery:
    dedup_key: str
    channel: str  # email | internal
    receiver: str  # owner | contact | account
    language: str
    contact_id: int | None = None
    to_address: str | None = None
    to_name: str | None = None
    status: str = "pending"  # pending | skipped
    reason: str | None = None


def dedup_key(event_id: int, channel: str, receiver: str, contact_id: int | None = None) -> str:
    """The unique key of (event, receiver, channel): at most one delivery each."""
    suffix = f"contact:{contact_id}" if receiver == "contact" else receiver
    return f"event:{event_id}:{channel}:{suffix}"


def plan(
    event: EventLike,
    *,
    channels: Iterable[str],
    owner: Owner,
    contacts: Sequence[ContactLike],
) -> list[PlannedDelivery]:
    """Email: one per receiver (owner + each selected contact, unverified ones skipped with
    the reason); internal: one message per event in the account's inbox."""
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
    if "internal" in chosen:
        out.append(PlannedDelivery(dedup_key(event.id, "internal", "account"), "internal",
                                   "account", lang))
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
        "next_attempt_at": now if pending else None, "done_at": None if pending else now,
    }


__all__ = ["Owner", "PlannedDelivery", "as_row", "dedup_key", "plan"]
