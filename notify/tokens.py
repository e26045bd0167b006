"""Verification link tokens, pure: random tokens, their stored hash, expiry and state."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

TOKEN_BYTES = 32  # 256 bits of randomness (docs/behaviour.md#verification-links)


class LinkState(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    USED = "used"
    SUPERSEDED = "superseded"


def new_token() -> str:
    """A fresh URL-safe token; only its hash is ever stored."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """The SHA-256 hex digest stored in place of the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def expiry(created_at: datetime, lifetime: timedelta) -> datetime:
    """When a link created at ``created_at`` stops working."""
    return created_at + lifetime


def link_state(
    now: datetime,
    *,
    expires_at: datetime,
    used_at: datetime | None = None,
    revoked_at: datetime | None = None,
) -> LinkState:
    """Classify a link at ``now``; a used link stays "used" even after it would expire.

    A link works while ``now < expires_at``; revocation (a newer link, a modification)
    makes it "superseded".
    """
    if used_at is not None:
        return LinkState.USED
    if revoked_at is not None:
        return LinkState.SUPERSEDED
    if now >= expires_at:
        return LinkState.EXPIRED
    return LinkState.VALID


__all__ = ["TOKEN_BYTES", "LinkState", "expiry", "hash_token", "link_state", "new_token"]
