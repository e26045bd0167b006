"""Tables of the HTTP APIs: access keys, seen signature nonces, idempotent calls, call
allowances.

They live in the database because several processes serving one instance must agree
on them (docs/design.md#http-apis-webrpc-webcontrol).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from .db import UTCDateTime


def _when(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


class AccessKey(SQLModel, table=True):
    """An account's access key; its secret is stored encrypted (ACS3 needs it back)."""

    id: str = Field(primary_key=True, max_length=64)
    account_id: str = Field(foreign_key="account.id", index=True)
    secret_encrypted: str
    created_at: datetime = _when()


class SignatureNonce(SQLModel, table=True):
    """A signature nonce seen recently: the same nonce again is a replay."""

    nonce: str = Field(primary_key=True, max_length=128)
    access_key_id: str
    seen_at: datetime = _when(index=True)


class IdempotentCall(SQLModel, table=True):
    """The first answer to a call carrying a ClientToken, kept 24 hours."""

    account_id: str = Field(foreign_key="account.id", primary_key=True)
    action: str = Field(primary_key=True, max_length=64)
    token: str = Field(primary_key=True, max_length=64)
    params_hash: str
    status: int
    answer: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = _when(index=True)


class ApiAllowance(SQLModel, table=True):
    """An account's allowance of API calls: a token bucket refilled at the configured rate.

    Times are seconds since the epoch on the machine's clock (a rate is a matter of real
    time, and plain numbers let one SQL statement refill and take on every database).
    """

    account_id: str = Field(primary_key=True, max_length=64)
    tokens: float
    updated: float
