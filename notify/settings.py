"""Notification settings per account and category: channels and receivers.

The rules: docs/behaviour.md#categories-and-channels and docs/behaviour.md#receivers.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete
from sqlmodel import Session, col, select

from workflow.accounts import get_account
from workflow.clock import Clock
from workflow.db import Database
from workflow.limits import excerpt

from . import audit
from .catalog import CHANNELS, SECTIONS, Category, Section, effective_channels, get_category
from .catalog import enabled as enabled_of
from .contacts import get_contact
from .errors import (
    ChannelRequired,
    ChannelUnavailable,
    ContactNotVerified,
    InvalidChannel,
    NoChannelSelected,
)
from .models import ChannelSetting, Contact, ReceiverSelection


@dataclass(frozen=True)
class Receiver:
    """One line of a receiver list: the owner (fixed default) or a selected contact."""

    kind: str  # owner | contact
    name: str
    email: str
    status: str  # verified for the owner
    contact_id: int | None = None

    @property
    def is_default(self) -> bool:
        return self.kind == "owner"


@dataclass(frozen=True)
class CategorySettings:
    category: Category
    channels: dict[str, str]  # channel -> required | unavailable | on | off
    receivers: tuple[Receiver, ...]


@dataclass(frozen=True)
class SectionSettings:
    section: Section
    categories: tuple[CategorySettings, ...]


def channel_states(session: Session, account_id: str, category: str) -> dict[str, str]:
    """Channel -> state for the account: the catalog's fixed states and saved choices."""
    cat = get_category(category)
    saved = session.exec(select(ChannelSetting).where(
        ChannelSetting.account_id == account_id, ChannelSetting.category == category)).all()
    return effective_channels(cat, {row.channel: row.enabled for row in saved})


def enabled_channels(session: Session, account_id: str, category: str) -> list[str]:
    """The channels a notification of ``category`` goes out on (for the relay)."""
    return enabled_of(channel_states(session, account_id, category))


def receiver_contacts(session: Session, account_id: str, category: str) -> list[Contact]:
    """Every selected contact, whatever its status (the relay skips unverified ones)."""
    get_category(category)
    query = select(Contact).join(
        ReceiverSelection, col(ReceiverSelection.contact_id) == Contact.id).where(
        ReceiverSelection.account_id == account_id, ReceiverSelection.category == category,
        Contact.account_id == account_id).order_by(col(Contact.id))
    return list(session.exec(query).all())


def check_channels(category: str, channels: list[str]) -> list[str]:
    """The channels to turn on, refused as ``set_channels`` would (it writes nothing)."""
    cat = get_category(category)
    chosen = list(dict.fromkeys(channels))
    unknown = [c for c in chosen if c not in CHANNELS]
    if unknown:
        raise InvalidChannel(f"channel {excerpt(unknown[0])} does not exist: choose from "
                             f"{', '.join(CHANNELS)}")
    for channel, default in cat.defaults.items():
        if default == "unavailable" and channel in chosen:
            raise ChannelUnavailable(f"{category!r} does not offer the {channel} channel")
        if default == "required" and channel not in chosen:
            raise ChannelRequired(f"the {channel} channel of {category!r} is required "
                                  "and cannot be turned off")
    if not chosen:
        raise NoChannelSelected(f"select at least one channel for {category!r}")
    return chosen


class SettingsService:
    def __init__(self, db: Database, clock: Clock):
        self.db = db
        self.clock = clock

    def channels(self, account_id: str, category: str) -> dict[str, str]:
        with self.db.transaction() as s:
            get_account(s, account_id)
            return channel_states(s, account_id, category)

    def set_channels(self, account_id: str, category: str, channels: list[str], *,
                     actor: str) -> dict[str, str]:
        """Turn on exactly ``channels`` (required ones must be among them)."""
        cat = get_category(category)
        chosen = check_channels(category, channels)
        with self.db.transaction() as s:
            get_account(s, account_id)
            old = channel_states(s, account_id, category)
            for channel, default in cat.defaults.items():
                if default in ("on", "off"):
                    s.merge(ChannelSetting(account_id=account_id, category=category,
                                           channel=channel, enabled=channel in chosen))
            new = channel_states(s, account_id, category)
            changes = audit.diff(old, new)
            if changes:
                audit.record(s, account_id=account_id, actor=actor,
                             subject=f"channels:{category}", action="set_channels",
                             changes=changes, at=self.clock.now())
        return new

    def receivers(self, account_id: str, category: str) -> list[Contact]:
        """The saved contacts of ``category`` (the owner, always a receiver, is implied)."""
        with self.db.transaction() as s:
            get_account(s, account_id)
            return receiver_contacts(s, account_id, category)

    def select_receivers(self, account_id: str, category: str, contact_ids: list[int], *,
                         actor: str) -> list[Contact]:
        """Replace the saved set; a newly added contact must be verified."""
        get_category(category)
        with self.db.transaction() as s:
            get_account(s, account_id)
            old = [c.id for c in receiver_contacts(s, account_id, category)]
            wanted = [get_contact(s, account_id, cid) for cid in dict.fromkeys(contact_ids)]
            for contact in wanted:
                if contact.id not in old and contact.status != "verified":
                    raise ContactNotVerified(
                        f"contact {contact.id} ({contact.email}) is {contact.status}, "
                        "only a verified contact can be selected")
            new = sorted(c.id for c in wanted if c.id is not None)
            s.execute(delete(ReceiverSelection).where(
                col(ReceiverSelection.account_id) == account_id,
                col(ReceiverSelection.category) == category))
            s.add_all(ReceiverSelection(account_id=account_id, category=category,
                                        contact_id=cid) for cid in new)
            if old != new:
                audit.record(s, account_id=account_id, actor=actor,
                             subject=f"receivers:{category}", action="select_receivers",
                             changes={"contacts": {"old": old, "new": new}},
                             at=self.clock.now())
            return sorted(wanted, key=lambda c: c.id or 0)

    def common_settings(self, account_id: str) -> list[SectionSettings]:
        """Every section and category with its channel states and receivers (owner first)."""
        with self.db.transaction() as s:
            account = get_account(s, account_id)
            owner = Receiver(kind="owner", name=account.owner_name,
                             email=account.owner_email, status="verified")
            sections = []
            for section in SECTIONS:
                rows = tuple(CategorySettings(
                    category=cat,
                    channels=channel_states(s, account_id, cat.key),
                    receivers=(owner, *(
                        Receiver(kind="contact", name=c.name, email=c.email,
                                 status=c.status, contact_id=c.id)
                        for c in receiver_contacts(s, account_id, cat.key))),
                ) for cat in section.categories)
                sections.append(SectionSettings(section=section, categories=rows))
            return sections


__all__ = ["CategorySettings", "Receiver", "SectionSettings", "SettingsService",
           "channel_states", "check_channels", "enabled_channels", "receiver_contacts"]
