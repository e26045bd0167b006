"""Tables of the Message Center: contacts, links, settings, audit, deliveries, inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from workflow.db import NEVER_REUSE_IDS
from workflow.db import utc_field as _when

CONTACT_STATUSES = ("pending", "verified", "expired")
DELIVERY_STATUSES = ("pending", "sent", "failed", "skipped")
DELIVERY_KINDS = ("notification", "verification")

class Contact(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("account_id", "email_key"), NEVER_REUSE_IDS)
    id: int | None = Field(default=None, primary_key=True)
    account_id: str = Field(foreign_key="account.id", index=True)
    name: str
    email: str
    email_key: str  # lower-cased email: uniqueness is case-insensitive
    title: str
    mobile: str | None = None
    status: str = "pending"  # pending | verified | expired (of the email)
    created_at: datetime = _when()
    updated_at: datetime = _when()
    verified_at: datetime | None = _when(default=None)
    # the mobile is verified on its own (docs/behaviour.md): None without a mobile
    mobile_status: str | None = None  # pending | verified | expired
    mobile_verified_at: datetime | None = _when(default=None)


class VerificationLink(SQLModel, table=True):
    """A verification link; only the SHA-256 of its token is stored."""

    __table_args__ = NEVER_REUSE_IDS
    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(unique=True)
    email: str
    created_at: datetime = _when()
    expires_at: datetime = _when(index=True)
    used_at: datetime | None = _when(default=None)
    revoked_at: datetime | None = _when(default=None)
    is_resend: bool = False
    channel: str = "email"  # email | sms: what it verifies; ``email`` holds the address


class ChannelSetting(SQLModel, table=True):
    """A user's choice for a selectable channel; absent means the catalog default."""

    account_id: str = Field(foreign_key="account.id", primary_key=True)
    category: str = Field(primary_key=True)
    channel: str = Field(primary_key=True)
    enabled: bool


class ReceiverSelection(SQLModel, table=True):
    """A contact saved as a receiver of a category (the owner is implied)."""

    account_id: str = Field(foreign_key="account.id", primary_key=True)
    category: str = Field(primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", primary_key=True, ondelete="CASCADE")


class AuditEntry(SQLModel, table=True):
    """Revision history of settings and contacts."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: str = Field(foreign_key="account.id", index=True)
    at: datetime = _when()
    actor: str
    subject: str  # e.g. "channels:icp_filing", "receivers:icp_filing", "contact:3"
    action: str
    changes: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class Delivery(SQLModel, table=True):
    """One (event, receiver, channel): the unique dedup_key guards at-most-once."""

    # The next-attempt look-up (probe, scheduler) asks for pending deliveries only: an index
    # led by status keeps it from scanning the whole delivery log.
    __table_args__ = (Index("ix_delivery_status_next_attempt_at", "status", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    dedup_key: str = Field(unique=True)
    account_id: str = Field(foreign_key="account.id", index=True)
    event_id: int | None = Field(default=None, foreign_key="outboxevent.id", index=True)
    kind: str = "notification"  # notification | verification
    category: str = "icp_filing"
    notification_type: str | None = None
    filing_id: str | None = None
    channel: str  # email | internal
    receiver: str  # owner | contact | account (internal messages)
    contact_id: int | None = None  # no FK: the log outlives a deleted contact
    to_address: str | None = None
    to_name: str | None = None
    language: str = "en"
    facts: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    subject: str | None = None  # pre-rendered (verification mail), purged once sent
    body: str | None = None
    status: str = "pending"  # pending | sent | failed | skipped
    reason: str | None = None
    attempts: int = 0
    failures: int = 0  # temporary failures since first_failure_at (retry backoff)
    created_at: datetime = _when()
    next_attempt_at: datetime | None = _when(default=None, index=True)
    first_failure_at: datetime | None = _when(default=None)
    done_at: datetime | None = _when(default=None)
    claimed_until: datetime | None = _when(default=None)
    claimed_by: str | None = None
    webhook_id: int | None = None  # no FK: the log outlives a deleted webhook


class DeliveryAttempt(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="delivery.id", index=True)
    at: datetime = _when()
    outcome: str  # sent | temporary | permanent
    detail: str = ""


class InboxMessage(SQLModel, table=True):
    __table_args__ = NEVER_REUSE_IDS
    id: int | None = Field(default=None, primary_key=True)
    account_id: str = Field(foreign_key="account.id", index=True)
    delivery_id: int | None = Field(default=None, unique=True)
    category: str
    type: str | None = None
    filing_id: str | None = None
    title: str
    body: str
    created_at: datetime = _when()
    read: bool = False


class Webhook(SQLModel, table=True):
    """A webhook robot of an account (docs/behaviour.md); the secret signs its calls."""

    __table_args__ = (UniqueConstraint("account_id", "name"), NEVER_REUSE_IDS)
    id: int | None = Field(default=None, primary_key=True)
    account_id: str = Field(foreign_key="account.id", index=True)
    name: str
    type: str  # dingtalk | wecom | lark | slack | custom
    url: str
    secret: str | None = None
    created_at: datetime = _when()
    updated_at: datetime = _when()


class WebhookSelection(SQLModel, table=True):
    """A webhook saved for a category's webhook channel."""

    account_id: str = Field(foreign_key="account.id", primary_key=True)
    category: str = Field(primary_key=True)
    webhook_id: int = Field(foreign_key="webhook.id", primary_key=True, ondelete="CASCADE")


class ChannelLimit(SQLModel, table=True):
    """At most ``per_day`` messages per receiver and local day on a category's channel."""

    account_id: str = Field(foreign_key="account.id", primary_key=True)
    category: str = Field(primary_key=True)
    channel: str = Field(primary_key=True)
    per_day: int


class KeywordRule(SQLModel, table=True):
    """A receiver's keyword filter in a category; ``receiver`` is ``owner``,
    ``contact:<id>`` or ``webhook:<id>``."""

    account_id: str = Field(foreign_key="account.id", primary_key=True)
    category: str = Field(primary_key=True)
    receiver: str = Field(primary_key=True)
    allow: list[str] = Field(default_factory=list, sa_type=JSON)
    deny: list[str] = Field(default_factory=list, sa_type=JSON)


class ReceiveWindow(SQLModel, table=True):
    """The local hours and weekdays a category's messages are delivered in."""

    account_id: str = Field(foreign_key="account.id", primary_key=True)
    category: str = Field(primary_key=True)
    hours: list[int] = Field(default_factory=list, sa_type=JSON)
    days: list[int] = Field(default_factory=list, sa_type=JSON)


class OwnerMobile(SQLModel, table=True):
    """The account owner's mobile: counts as verified (docs/behaviour.md)."""

    account_id: str = Field(foreign_key="account.id", primary_key=True)
    mobile: str
