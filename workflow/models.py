"""Tables of the kernel and the lifecycle: accounts, filings, history, outbox, timers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from .db import utc_field as _when


class Account(SQLModel, table=True):
    """A tenant. Its owner is the ICP filing owner: always a receiver, always verified."""

    id: str = Field(primary_key=True, max_length=64)
    owner_name: str
    owner_email: str
    language: str = "en"  # the message language: notifications are written in it
    time_zone: str = Field(default="Asia/Shanghai", max_length=64)  # every time shown to it
    password_hash: str | None = None
    created_at: datetime = _when()


class ConsolePreference(SQLModel, table=True):
    """A console user's own settings, kept across sessions: the console language."""

    username: str = Field(primary_key=True, max_length=64)  # an account id, or ``reviewer``
    language: str = Field(default="en", max_length=8)


class Filing(SQLModel, table=True):
    """An ICP filing order; ``filing_id`` is the id users see, unique per account."""

    __table_args__ = (UniqueConstraint("account_id", "filing_id"),)
    pk: int | None = Field(default=None, primary_key=True)
    account_id: str = Field(foreign_key="account.id")  # the unique index serves lookups
    filing_id: str = Field(max_length=64)
    type: str
    domain: str
    website: str
    state: str
    version: int = 1
    created_at: datetime = _when()
    updated_at: datetime = _when()
    icp_number: str | None = None
    sms_deadline: datetime | None = _when(default=None)
    rectification_deadline: datetime | None = _when(default=None)
    deadline_extended: bool = False
    created_by: str | None = None


class TransitionLog(SQLModel, table=True):
    """One row per transition (or reminder) of a filing: its history."""

    id: int | None = Field(default=None, primary_key=True)
    filing_pk: int = Field(foreign_key="filing.pk", index=True)
    at: datetime = _when()
    trigger: str
    source: str
    dest: str
    actor: str
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class OutboxEvent(SQLModel, table=True):
    """A notification to plan, written in the same transaction as the transition."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: str = Field(foreign_key="account.id")
    filing_pk: int = Field(foreign_key="filing.pk")
    at: datetime = _when()
    notification_type: str
    trigger: str
    facts: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    relayed_at: datetime | None = _when(default=None, index=True)
    claimed_until: datetime | None = _when(default=None)
    claimed_by: str | None = None


class Timer(SQLModel, table=True):
    """A durable lifecycle deadline; fired by the scheduler, survives restarts."""

    # The timers job and the probe look for pending timers by due time: without status
    # first, every fired or cancelled timer of the past is walked through on each look.
    __table_args__ = (Index("ix_timer_status_due_at", "status", "due_at"),)
    id: int | None = Field(default=None, primary_key=True)
    filing_pk: int = Field(foreign_key="filing.pk", index=True)
    kind: str  # sms_timeout | expire | expiry_reminder | rectification_timeout
    due_at: datetime = _when(index=True)
    status: str = "pending"  # pending | fired | cancelled | skipped
    created_at: datetime = _when()
    done_at: datetime | None = _when(default=None)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    claimed_until: datetime | None = _when(default=None)
    claimed_by: str | None = None


# The sign-in guard's tables are registered with these (migrations, create_all).
from . import api_models  # noqa: E402, F401  (the API tables register with these)
from .security_models import SignInFailure, SignInState  # noqa: E402, F401
