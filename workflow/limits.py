"""The documented maximum size of every text field, and one check for them all.

Every surface (console, scenario files, later APIs) reaches the services, and the
services check sizes here, so a value that is too large is refused the same way
everywhere and nothing of it is stored. The table is in docs/LIMITS.md.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from .errors import IcpsimError, InvalidData


@dataclass(frozen=True)
class Limit:
    """A field's maximum length in characters (or count, for lists)."""

    field: str
    maximum: int
    meaning: str


NAME = Limit("name", 12, "contact and owner names")
EMAIL = Limit("email", 254, "email addresses (RFC 5321 path limit)")
MOBILE = Limit("mobile", 20, "mobile numbers as typed (11 digits once cleaned)")
REASON = Limit("reason", 500, "rejection reasons")
ITEM = Limit("item", 500, "each unqualified item name")
ITEMS = Limit("items", 50, "unqualified items of one inspection")
WEBSITE = Limit("website", 100, "website names")
DOMAIN = Limit("domain", 253, "domain names (DNS limit)")
ICP_NUMBER = Limit("icp_number", 50, "ICP numbers")
FILING_ID = Limit("filing_id", 64, "filing (order) ids")
ACCOUNT_ID = Limit("account_id", 64, "account ids")
DEADLINE_DAYS = Limit("deadline_days", 365, "days of a rectification deadline")
MAX_ROW_ID = 2**63 - 1  # the largest id a database integer holds (SQLite and PostgreSQL)
LIMITS = (NAME, EMAIL, MOBILE, REASON, ITEM, ITEMS, WEBSITE, DOMAIN, ICP_NUMBER, FILING_ID,
          ACCOUNT_ID, DEADLINE_DAYS)


def is_row_id(value: object) -> bool:
    """A whole number a table's id column can hold; anything else names no row."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ROW_ID


def excerpt(value: object, size: int = 40) -> str:
    """``repr(value)``, cut short: messages quote input, never megabytes of it."""
    shown = repr(value) if len(str(value)) <= size * 2 else repr(str(value)[:size * 2])
    if len(shown) <= size:
        return shown
    quote = shown[-1] if shown[-1] in "'\"" else ""  # keep the closing quote repr chose
    return shown[:size - 3 - len(quote)] + "..." + quote


def has_control(value: str, *, allow_newlines: bool = False) -> bool:
    """Control, format, surrogate or unassigned characters (line breaks only if allowed)."""
    return any(unicodedata.category(ch).startswith("C")
               and not (allow_newlines and ch in "\n\t")
               for ch in value)


def bounded_text(value: object, limit: Limit, *, error: type[IcpsimError] = InvalidData,
                 field: str | None = None, multiline: bool = False, what: str = "") -> str:
    """``value`` stripped, if it is text of at most ``limit`` characters without control
    characters (line breaks allowed when ``multiline``); else ``error`` names the field."""
    name = field or limit.field
    what = what or repr(name)
    if not isinstance(value, str):
        raise error(f"{what} must be text", field=name)
    if len(value) > limit.maximum * 4 or len(value.strip()) > limit.maximum:
        raise error(f"{what} is {len(value.strip())} characters long; at most "
                    f"{limit.maximum} are allowed", field=name)
    if has_control(value, allow_newlines=multiline):
        raise error(f"{what} must not contain control characters"
                    + ("" if multiline else " or line breaks"), field=name)
    return value.strip()


__all__ = ["LIMITS", "MAX_ROW_ID", "Limit", "bounded_text", "excerpt", "has_control", "is_row_id"]
