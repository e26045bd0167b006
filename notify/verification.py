"""Verification links of contacts: issuing one with its email, opening it, expiring contacts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, update
from sqlmodel import Session, col, select

from workflow.clock import as_utc, shown_time
from workflow.config import Config
from workflow.db import Database
from workflow.models import Account

from . import audit
from .errors import LinkInvalid
from .models import Contact, Delivery, VerificationLink
from .render import render
from .tokens import LinkState, expiry, hash_token, link_state, new_token

_REFUSALS = {
    LinkState.EXPIRED: "this verification link has expired; ask for a new one",
    LinkState.USED: "this verification link has already been used",
    LinkState.SUPERSEDED: "this verification link was replaced by a newer one",
}


@dataclass(frozen=True)
class VerifyResult:
    account_id: str
    contact_id: int
    email: str
    status: str  # always "verified": a refusal raises LinkInvalid with its reason
    verified_at: datetime
    channel: str = "email"  # what the link verified: the email or (sms) the mobile


def issue_link(session: Session, account: Account, contact: Contact, *, now: datetime,
               actor: str, resend: bool, config: Config,
               channel: str = "email") -> VerificationLink:
    """Revoke the contact's older links of ``channel``, store a new one (hash only), queue
    its email (``channel="email"``) or SMS to the contact's mobile (``"sms"``).

    The message is a ``Delivery(kind="verification")`` holding the raw link in its
    pre-rendered body; the dispatcher sends it and purges the body
    (docs/design.md#verification-emails).
    """
    assert contact.id is not None
    address = contact.email if channel == "email" else (contact.mobile or "")
    session.execute(update(VerificationLink).where(
        col(VerificationLink.contact_id) == contact.id,
        col(VerificationLink.channel) == channel, *_active()).values(revoked_at=now))
    drop_unsent_links(session, contact.id, now=now, reason="superseded by a newer link",
                      channel=channel)
    token = new_token()
    link = VerificationLink(contact_id=contact.id, token_hash=hash_token(token),
                            email=address, created_at=now, is_resend=resend,
                            expires_at=expiry(now, config.link_lifetime), channel=channel)
    session.add(link)
    session.flush()
    message = render(
        "verification" if channel == "email" else "verification_sms", account.language,
        account_id=account.id,
        owner_name=account.owner_name, contact_name=contact.name, requested_by=actor,
        link=f"{config.base_url.rstrip('/')}/verify/{token}",
        valid_hours=int(config.link_lifetime.total_seconds() // 3600),
        expires_at=shown_time(link.expires_at, account.time_zone))
    session.add(Delivery(
        kind="verification", channel=channel, receiver="contact", contact_id=contact.id,
        account_id=account.id, to_address=address, to_name=contact.name,
        language=account.language, subject=message.subject, body=message.body,
        dedup_key=f"verification:{link.id}", status="pending", next_attempt_at=now,
        created_at=now))
    return link


def drop_unsent_links(session: Session, contact_id: int, *, now: datetime,
                      reason: str, channel: str | None = None) -> None:
    """Skip queued verification messages of the contact (of ``channel``, default every
    channel): their links no longer work.

    The body (the raw link) is purged; a message a dispatcher holds right now is left alone.
    """
    only = () if channel is None else (col(Delivery.channel) == channel,)
    session.execute(update(Delivery).where(
        col(Delivery.kind) == "verification", col(Delivery.contact_id) == contact_id, *only,
        col(Delivery.status) == "pending",
        or_(col(Delivery.claimed_until).is_(None), col(Delivery.claimed_until) < now),
    ).values(status="skipped", reason=reason, body=None, done_at=now, next_attempt_at=None))


def open_link(session: Session, token: str, *, now: datetime) -> VerifyResult:
    """Use the link: its contact becomes verified; otherwise LinkInvalid with a reason."""
    link = session.exec(select(VerificationLink).where(
        VerificationLink.token_hash == hash_token(token or ""))).first()
    if link is None or not token:
        raise LinkInvalid("this verification link is not valid", reason="unknown")
    state = link_state(now, expires_at=link.expires_at, used_at=link.used_at,
                       revoked_at=link.revoked_at)
    if state is not LinkState.VALID:
        raise LinkInvalid(_REFUSALS[state], reason=state.value)
    contact = session.get(Contact, link.contact_id)
    assert contact is not None  # links are deleted with their contact
    assert contact.id is not None
    link.used_at = now
    field = "status" if link.channel == "email" else "mobile_status"
    old = getattr(contact, field)
    setattr(contact, field, "verified")
    if link.channel == "email":
        contact.verified_at = now
    else:
        contact.mobile_verified_at = now
    session.add_all([link, contact])
    audit.record(session, account_id=contact.account_id, actor=link.email,
                 subject=f"contact:{contact.id}", action="verify",
                 changes=audit.diff({field: old}, {field: "verified"}), at=now)
    return VerifyResult(account_id=contact.account_id, contact_id=contact.id,
                        email=contact.email, status="verified", verified_at=now,
                        channel=link.channel)


def expire_contacts(db: Database, *, now: datetime) -> int:
    """Mark pending contacts whose current link has expired as ``expired``."""
    with db.transaction() as s:
        rows = s.exec(select(Contact, VerificationLink.channel).where(lapsed_links(now))
                      .distinct()).all()
        for contact, channel in rows:
            field = "status" if channel == "email" else "mobile_status"
            setattr(contact, field, "expired")
            s.add(contact)
            audit.record(s, account_id=contact.account_id, actor="system",
                         subject=f"contact:{contact.id}", action="expire",
                         changes={field: {"old": "pending", "new": "expired"}}, at=now)
        return len(rows)


def lapsed_links(now: Any) -> ColumnElement[bool]:
    """A pending contact whose current link has expired at ``now`` (a datetime or a bound
    parameter): what the expiry job marks."""
    return and_(col(VerificationLink.contact_id) == Contact.id, _pending(),
                *_active(), col(VerificationLink.expires_at) <= now)


def _pending() -> ColumnElement[bool]:
    """The link's channel is still pending on its contact (email: status; sms: mobile)."""
    return or_(and_(col(VerificationLink.channel) == "email", col(Contact.status) == "pending"),
               and_(col(VerificationLink.channel) == "sms",
                    col(Contact.mobile_status) == "pending"))


def next_expiry_query() -> Select[Any]:
    """The earliest expiry of a pending contact's current link."""
    return select(func.min(VerificationLink.expires_at)).join(
        Contact, col(VerificationLink.contact_id) == Contact.id).where(_pending(), *_active())


def next_expiry_at(db: Database) -> datetime | None:
    """The earliest expiry of a pending contact's current link (for the scheduler)."""
    with db.transaction() as s:
        when = s.execute(next_expiry_query()).scalar_one()
    return None if when is None else as_utc(when)


def _active() -> tuple[Any, ...]:
    """A link neither used nor revoked (it may still have expired)."""
    return (col(VerificationLink.used_at).is_(None), col(VerificationLink.revoked_at).is_(None))


__all__ = ["VerifyResult", "drop_unsent_links", "expire_contacts", "issue_link",
           "next_expiry_at", "open_link"]
