"""Request and answer bodies of the control API; the OpenAPI document is made from them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Text = Field(min_length=1, max_length=254)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Owner(Strict):
    name: str = Field(min_length=1, max_length=64)
    email: str = Field(min_length=3, max_length=254)
    mobile: str | None = Field(default=None, max_length=20)


class NewAccount(Strict):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9-]+$")
    owner: Owner
    language: str = Field(default="en", pattern=r"^(en|zh)$")


class AccountPath(BaseModel):
    id: str = Field(min_length=1, max_length=64)


class FilingPath(BaseModel):
    filing: str = Field(min_length=1, max_length=64)


class NewFiling(Strict):
    id: str = Field(min_length=1, max_length=64)
    type: str = Field(min_length=1, max_length=32)
    domain: str = Field(min_length=1, max_length=253)
    website: str = Field(min_length=1, max_length=100)


class AccountQuery(BaseModel):
    account: str | None = Field(default=None, max_length=64)


class Fire(Strict):
    trigger: str = Field(min_length=1, max_length=64)
    data: dict[str, Any] | None = None
    actor: str = Field(default="control-api", min_length=1, max_length=64)


class MailQuery(BaseModel):
    to: str | None = Field(default=None, max_length=254)
    kind: str | None = Field(default=None, pattern=r"^(notification|verification)$")


class WebhookQuery(BaseModel):
    webhook: str | None = Field(default=None, max_length=64)


class Advance(Strict):
    by: str | None = Field(default=None, min_length=1, max_length=32,
                           description="a duration such as 3d, 25h, 1d2h30m")
    to: str | None = Field(default=None, max_length=40, description="an ISO 8601 time")


class Account(BaseModel):
    id: str
    owner: Owner
    language: str


class AccessKey(BaseModel):
    AccessKeyId: str
    AccessKeySecret: str


class HistoryEntry(BaseModel):
    at: str
    trigger: str
    source: str
    dest: str
    actor: str
    data: dict[str, Any]


class Filing(BaseModel):
    id: str
    account: str
    type: str
    domain: str
    website: str
    state: str
    version: int
    icp_number: str | None
    sms_deadline: str | None
    rectification_deadline: str | None
    created_at: str
    allowed_triggers: list[str]
    history: list[HistoryEntry]


class Email(BaseModel):
    to: list[str]
    subject: str
    body: str
    kind: str
    type: str
    filing: str
    links: list[str]
    message_id: str
    received_at: str


class Mailbox(BaseModel):
    emails: list[Email]


class SmsList(BaseModel):
    messages: list[dict[str, Any]]


class WebhookCalls(BaseModel):
    calls: list[dict[str, Any]]


class Clock(BaseModel):
    now: str
    simulated: bool


class Health(BaseModel):
    status: str


class Error(BaseModel):
    code: str
    message: str


class Report(BaseModel):
    model_config = ConfigDict(extra="allow")
