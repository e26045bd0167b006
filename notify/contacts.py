"""Contacts of an account and their email verification: the ContactService.

The rules: docs/behaviour.md#contacts and docs/behaviour.md#verification-links.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from workflow.accounts import get_account
from workflow.clock import Clock, as_utc, shown_time
from workflow.config import Config
from workflow.db import Database
from workflow.errors import UnknownAccount
from workflow.limits import is_row_id
from workflow.models import Account

from . import audit
from .channel_errors import MobileNotSet
from .errors import (
    ContactAlreadyVerified,
    ContactLimitReached,
    DuplicateContact,
    InvalidChannel,
    ResendLimited,
    UnknownContact,
)
from .models import AuditEntry, Contact, ReceiverSelection, VerificationLink
from .validation import clean_email, clean_mobile, clean_name, clean_title
from .verification import (
    VerifyResult,
    drop_unsent_links,
    expire_contacts,
    issue_link,
    next_expiry_at,
    open_link,
)

RESEND_WINDOW = timedelta(days=1)  # the daily resend limit counts a rolling 24 hours


class ContactService:
    def __init__(self, db: Database, clock: Clock, config: Config):
        self.db = db
        self.clock = clock
        self.config = config

    # queries -------------------------------------------------------------------
    def list(self, account_id: str) -> list[Contact]:
        with self.db.transaction() as s:
            get_account(s, account_id)
            query = select(Contact).where(Contact.account_id == account_id).order_by(
                col(Contact.id))
            return list(s.exec(query).all())

    def get(self, account_id: str, contact_id: int) -> Contact:
        with self.db.transaction() as s:
            return get_contact(s, account_id, contact_id)

    def find_by_email(self, account_id: str, email: str) -> Contact | None:
        key = (email or "").strip().lower()
        with self.db.transaction() as s:
            return _by_key(s, account_id, key)

    # changes -------------------------------------------------------------------
    def add(self, account_id: str, *, name: str, email: str, title: str,
            mobile: str | None = None, actor: str) -> Contact:
        """Store a pending contact and queue its verification email (never rate-limited)."""
        name, address = clean_name(name), clean_email(email).address  # in form order
        contact = Contact(account_id=account_id, name=name, email=address,
                          email_key=address.lower(), title=clean_title(title),
                          mobile=clean_mobile(mobile))
        now = self.clock.now()
        with self.db.transaction() as s:
            account = _lock_account(s, account_id)
            count = s.exec(select(func.count()).select_from(Contact)
                           .where(Contact.account_id == account_id)).one()
            if count >= self.config.max_contacts:
                raise ContactLimitReached(
                    f"account {account_id!r} already has {count} contacts, "
                    f"the most allowed is {self.config.max_contacts}")
            _check_unique(s, account, contact.email)
            contact.status = "pending"
            contact.mobile_status = "pending" if contact.mobile else None
            contact.created_at = contact.updated_at = now
            _flush(s, contact, account_id)
            issue_link(s, account, contact, now=now, actor=actor, resend=False,
                       config=self.config)
            if contact.mobile:
                issue_link(s, account, contact, now=now, actor=actor, resend=False,
                           config=self.config, channel="sms")
            audit.record(s, account_id=account_id, actor=actor, subject=_subject(contact),
                         action="add", changes=audit.diff({}, _values(contact)), at=now)
        return contact

    def modify(self, account_id: str, contact_id: int, *, name: str | None = None,
               email: str | None = None, title: str | None = None,
               mobile: str | None = None, actor: str) -> Contact:
        """Change fields (``mobile=""`` clears it); any change means verifying again."""
        given: dict[str, Any] = {}
        if name is not None:
            given["name"] = clean_name(name)
        if email is not None:
            given["email"] = clean_email(email).address
        if title is not None:
            given["title"] = clean_title(title)
        if mobile is not None:
            given["mobile"] = clean_mobile(mobile)
        now = self.clock.now()
        with self.db.transaction() as s:
            account = _lock_account(s, account_id)
            contact = get_contact(s, account_id, contact_id)
            old = _values(contact)
            if "email" in given and given["email"].lower() != contact.email_key:
                _check_unique(s, account, given["email"])
            if not audit.diff({k: old[k] for k in given}, given):
                return contact  # nothing changed: stay as is, send nothing
            new_mobile = "mobile" in given and given["mobile"] != contact.mobile
            for key, value in given.items():
                setattr(contact, key, value)
            contact.email_key = contact.email.lower()
            contact.status, contact.verified_at, contact.updated_at = "pending", None, now
            _flush(s, contact, account_id)
            issue_link(s, account, contact, now=now, actor=actor, resend=False,
                       config=self.config)
            if new_mobile:
                _mobile_changed(s, account, contact, now=now, actor=actor, config=self.config)
            audit.record(s, account_id=account_id, actor=actor, subject=_subject(contact),
                         action="modify", changes=audit.diff(old, _values(contact)), at=now)
        return contact

    def delete(self, account_id: str, contact_id: int, *, actor: str) -> None:
        """Remove the contact and its receiver selections; its delivery log stays."""
        now = self.clock.now()
        with self.db.transaction() as s:
            _lock_account(s, account_id)
            contact = get_contact(s, account_id, contact_id)
            cats = s.exec(select(ReceiverSelection.category)
                          .where(ReceiverSelection.contact_id == contact_id)).all()
            for category in sorted(cats):
                ids = sorted(s.exec(select(ReceiverSelection.contact_id).where(
                    ReceiverSelection.account_id == account_id,
                    ReceiverSelection.category == category)).all())
                audit.record(s, account_id=account_id, actor=actor,
                             subject=f"receivers:{category}", action="contact_deleted",
                             changes={"contacts": {"old": ids,
                                                   "new": [i for i in ids if i != contact_id]}},
                             at=now)
            s.execute(delete(ReceiverSelection).where(
                col(ReceiverSelection.contact_id) == contact_id))
            s.execute(delete(VerificationLink).where(
                col(VerificationLink.contact_id) == contact_id))
            drop_unsent_links(s, contact_id, now=now, reason="contact deleted")
            audit.record(s, account_id=account_id, actor=actor, subject=_subject(contact),
                         action="delete", changes=audit.diff(_values(contact), {}), at=now)
            s.delete(contact)

    def resend(self, account_id: str, contact_id: int, *, actor: str,
               channel: str = "email") -> Contact:
        """A new link (older ones of that channel stop working) by email or, for the
        mobile, by SMS; limited per contact and channel, and per account (both channels)."""
        if channel not in ("email", "sms"):
            raise InvalidChannel(f"verification is resent by email or sms, not {channel!r}")
        now = self.clock.now()
        with self.db.transaction() as s:
            account = _lock_account(s, account_id)
            contact = get_contact(s, account_id, contact_id)
            field = "status" if channel == "email" else "mobile_status"
            if channel == "sms" and not contact.mobile:
                raise MobileNotSet(f"contact {contact_id} has no mobile to verify")
            if getattr(contact, field) == "verified":
                what = "" if channel == "email" else "the mobile of "
                raise ContactAlreadyVerified(f"{what}contact {contact_id} is already verified")
            last = s.exec(select(func.max(VerificationLink.created_at)).where(
                VerificationLink.contact_id == contact_id, VerificationLink.channel == channel,
                col(VerificationLink.is_resend).is_(True))).one()
            if last is not None and now < as_utc(last) + self.config.resend_interval:
                zone, again = account.time_zone, as_utc(last) + self.config.resend_interval
                raise ResendLimited(
                    f"a link was resent to contact {contact_id} at "
                    f"{shown_time(last, zone, '%H:%M:%S')}; try again after "
                    f"{shown_time(again, zone, '%H:%M:%S')}")
            sent = s.exec(select(func.count()).select_from(AuditEntry).where(
                AuditEntry.account_id == account_id, AuditEntry.action == "resend",
                AuditEntry.at > now - RESEND_WINDOW)).one()
            if sent >= self.config.resend_daily_limit:
                raise ResendLimited(
                    f"account {account_id!r} has resent {sent} verification emails in the "
                    f"last 24 hours, the most allowed is {self.config.resend_daily_limit}")
            old = getattr(contact, field)
            setattr(contact, field, "pending")
            s.add(contact)
            issue_link(s, account, contact, now=now, actor=actor, resend=True,
                       config=self.config, channel=channel)
            audit.record(s, account_id=account_id, actor=actor, subject=_subject(contact),
                         action="resend", changes=audit.diff({field: old},
                                                             {field: "pending"}), at=now)
        return contact

    def verify(self, token: str) -> VerifyResult:
        """Open a link: its contact becomes verified; any other link is refused."""
        with self.db.transaction() as s:
            return open_link(s, token, now=self.clock.now())


def _mobile_changed(s: Session, account: Account, contact: Contact, *, now: Any, actor: str,
                    config: Config) -> None:
    """A new mobile is verified by an SMS link; a removed one drops its links."""
    assert contact.id is not None
    contact.mobile_verified_at = None
    if contact.mobile:
        contact.mobile_status = "pending"
        issue_link(s, account, contact, now=now, actor=actor, resend=False, config=config,
                   channel="sms")
    else:
        contact.mobile_status = None
        s.execute(update(VerificationLink).where(
            col(VerificationLink.contact_id) == contact.id,
            col(VerificationLink.channel) == "sms", col(VerificationLink.used_at).is_(None),
            col(VerificationLink.revoked_at).is_(None)).values(revoked_at=now))
        drop_unsent_links(s, contact.id, now=now, reason="mobile removed", channel="sms")
    s.add(contact)


def get_contact(session: Session, account_id: str, contact_id: int) -> Contact:
    """The account's contact; another account's contact is as unknown as a missing one."""
    contact = session.get(Contact, contact_id) if is_row_id(contact_id) else None
    if contact is None or contact.account_id != account_id:
        raise UnknownContact(f"contact {contact_id} does not exist in account {account_id!r}",
                             field="contacts")
    return contact


def _lock_account(s: Session, account_id: str) -> Account:
    # Serializes contact changes of one account (PostgreSQL); SQLite's BEGIN IMMEDIATE
    # already serializes every write transaction.
    account = s.exec(select(Account).where(Account.id == account_id).with_for_update()).first()
    if account is None:
        raise UnknownAccount(f"account {account_id!r} does not exist")
    return account


def _by_key(s: Session, account_id: str, key: str) -> Contact | None:
    return s.exec(select(Contact).where(Contact.account_id == account_id,
                                        Contact.email_key == key)).first()


def _check_unique(s: Session, account: Account, email: str) -> None:
    """No two contacts share an address, and none uses the owner's (in any letter case):
    the owner already receives every message, so such a contact would always be skipped."""
    if email.lower() == (account.owner_email or "").lower():
        raise DuplicateContact(
            f"{email} is the account owner's address; the owner already receives "
            "every message")
    other = _by_key(s, account.id, email.lower())
    if other is not None:
        raise DuplicateContact(
            f"contact {other.id} of account {account.id!r} already uses {other.email}")


def _flush(s: Session, contact: Contact, account_id: str) -> None:
    try:
        with s.begin_nested():
            s.add(contact)
            s.flush()
    except IntegrityError:  # a concurrent writer took the address (PostgreSQL)
        raise DuplicateContact(
            f"account {account_id!r} already has a contact at {contact.email}") from None


def _subject(contact: Contact) -> str:
    return f"contact:{contact.id}"


def _values(contact: Contact) -> dict[str, Any]:
    return {"name": contact.name, "email": contact.email, "title": contact.title,
            "mobile": contact.mobile, "status": contact.status,
            "mobile_status": contact.mobile_status}


__all__ = ["ContactService", "VerifyResult", "expire_contacts", "get_contact",
           "next_expiry_at"]
