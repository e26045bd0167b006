"""The project's objects in the SDK models' words: contacts, items, channel statuses, pages."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from notify.catalog import CHANNELS, SECTIONS, Category, Section
from workflow.clock import as_utc

from .errors import invalid
from .params import Params

T = TypeVar("T")
OWNER_CONTACT_ID = 0  # the account owner, listed with IsAccount; not a stored contact
# API status field -> catalog channel (TtsStatus: no such channel in the catalog).
STATUS_FIELDS = {"EmailStatus": "email", "PmsgStatus": "internal", "SmsStatus": "sms",
                 "WebhookStatus": "webhook", "TtsStatus": None}
STATE_CODES = {"unavailable": -2, "required": -1, "off": 0, "on": 1}
API_CHANNEL = {"email": "email", "internal": "pmsg", "sms": "sms", "webhook": "webhook"}
POSITION_ALIASES = {"Others": "Other"}
ITEMS: tuple[Category, ...] = tuple(c for s in SECTIONS for c in s.categories)
DEFAULT_PAGE, MAX_PAGE = 20, 100


def account_uid(account_id: str) -> int:
    """A stable numeric uid for an account (the SDK models want an integer)."""
    return int.from_bytes(hashlib.sha256(account_id.encode()).digest()[:6], "big")


def ms(when: datetime | None) -> int | None:
    return None if when is None else int(as_utc(when).timestamp() * 1000)


def language(params: Params) -> str:
    locale = (params.text("Locale", max_length=20) or "en").lower()
    return "zh" if locale.startswith("zh") else "en"


def position(value: str | None) -> str | None:
    return None if value is None else POSITION_ALIASES.get(value, value)


def owner_contact(account: Any, *, name_key: str = "ContactName",
                  uid_key: str = "AccountUid", mobile: str | None = None) -> dict[str, Any]:
    """The account owner; its mobile (RulesService.owner_mobile) counts as verified."""
    return {uid_key: account_uid(account.id), "ContactId": OWNER_CONTACT_ID,
            name_key: account.owner_name, "Email": account.owner_email,
            "IsAccount": True, "IsObsolete": False, "IsVerifiedEmail": True,
            "IsVerifiedMobile": bool(mobile),
            "LastEmailVerificationTimeStamp": ms(account.created_at),
            "LastMobileVerificationTimeStamp": None, "Mobile": mobile or "",
            "Position": "Other"}


def contact(row: Any, account_id: str, *, name_key: str = "ContactName",
            uid_key: str = "AccountUid") -> dict[str, Any]:
    mobile_verified = bool(row.mobile) and row.mobile_status == "verified"
    return {uid_key: account_uid(account_id), "ContactId": row.id, name_key: row.name,
            "Email": row.email, "IsAccount": False, "IsObsolete": row.status == "expired",
            "IsVerifiedEmail": row.status == "verified",
            "IsVerifiedMobile": mobile_verified,
            "LastEmailVerificationTimeStamp": ms(row.verified_at),
            "LastMobileVerificationTimeStamp": ms(row.mobile_verified_at)
            if mobile_verified else None,
            "Mobile": row.mobile or "", "Position": row.title}


def item_id(category: Category) -> int:
    return ITEMS.index(category) + 1


def item_of(number: int | None) -> Category:
    if number is None or not 1 <= number <= len(ITEMS):
        from notify.errors import UnknownCategory

        raise UnknownCategory(f"subscription item {number} does not exist")
    return ITEMS[number - 1]


def group_id(section: Section) -> int:
    return SECTIONS.index(section) + 1


def statuses(category: Category, states: dict[str, str]) -> dict[str, int]:
    """Each API status field: the channel's state, -2 for a channel the catalog lacks."""
    out = {}
    for name, channel in STATUS_FIELDS.items():
        state = states.get(channel) if channel else None
        out[name] = STATE_CODES[state] if state in STATE_CODES else -2
    return out


def channel_text(states: dict[str, str]) -> str:
    return ",".join(API_CHANNEL.get(c, c) for c in (*CHANNELS, "sms", "webhook")
                    if states.get(c) in ("on", "required"))


def filtered(rows: list[dict[str, Any]], params: Params, *, id_field: str, id_minimum: int,
             text_fields: tuple[str, ...], text_max: int) -> list[dict[str, Any]]:
    """The rows a List action's ``<id_field>`` and ``Filter`` (any text field holds it,
    without case) ask for."""
    wanted = params.number(id_field, minimum=id_minimum)
    if wanted is not None:
        rows = [r for r in rows if r[id_field] == wanted]
    text = (params.text("Filter", max_length=text_max) or "").lower()
    if text:
        rows = [r for r in rows if any(text in r[f].lower() for f in text_fields)]
    return rows


def page(rows: Sequence[T], params: Params) -> tuple[list[T], int | None]:
    """``MaxResults`` rows after ``NextToken``; the next token (None on the last page)."""
    size = params.number("MaxResults", minimum=1, maximum=MAX_PAGE) or DEFAULT_PAGE
    token = params.text("NextToken", max_length=20) or "0"
    if not token.isdigit():
        raise invalid("NextToken", "is not a token this endpoint gave out")
    start = int(token)
    chunk = list(rows[start:start + size])
    return chunk, (start + size if start + size < len(rows) else None)


__all__ = ["ITEMS", "OWNER_CONTACT_ID", "STATUS_FIELDS", "account_uid", "channel_text",
           "contact", "filtered", "group_id", "item_id", "item_of", "language", "ms",
           "owner_contact", "page", "position", "statuses"]
