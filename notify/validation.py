"""Contact form rules, pure: each check returns the clean value or refuses.

The rules: docs/behaviour.md#contacts.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from workflow import limits
from workflow.limits import excerpt

from .errors import InvalidEmail, InvalidMobile, InvalidName, InvalidTitle

TITLES = (
    "CEO",
    "Technical Director",
    "Maintenance Director",
    "Project Director",
    "Finance Director",
    "Other",
)
NAME_MIN, NAME_MAX = 2, limits.NAME.maximum
_TITLE_KEYS = {t.lower(): t for t in TITLES}
_MOBILE = re.compile(r"1[0-9]{10}")  # ASCII digits: \d takes fullwidth ones too
_MOBILE_SEPARATORS = re.compile(r"[ \-]")


@dataclass(frozen=True)
class Email:
    """A checked address: ``address`` to store and send to, ``key`` to compare."""

    address: str
    key: str


def _has_control(value: str) -> bool:
    # CR/LF would let a value inject mail headers; no control character belongs in a form.
    return limits.has_control(value)


def _too_long(value: str, limit: limits.Limit) -> bool:
    # Checked before any other work, so a megabyte of input costs nothing.
    return len(value) > 4 * limit.maximum or len(value.strip()) > limit.maximum


def clean_name(value: str) -> str:
    """2-12 letters or Chinese characters; single spaces inside; outer spaces dropped."""
    if not isinstance(value, str) or _has_control(value):
        raise InvalidName("the name must not contain line breaks or control characters")
    if _too_long(value, limits.NAME):
        raise InvalidName(f"the name must be {NAME_MIN}-{NAME_MAX} characters long, "
                          f"not {len(value.strip())}")
    name = re.sub(" +", " ", unicodedata.normalize("NFC", value).strip(" "))
    bad = sorted({ch for ch in name if ch != " " and not ch.isalpha()})
    if bad:
        shown = " ".join(repr(ch) for ch in bad)
        raise InvalidName(
            f"the name {name!r} may hold only letters, Chinese characters and spaces, "
            f"not {shown}"
        )
    if not NAME_MIN <= len(name) <= NAME_MAX:
        raise InvalidName(
            f"the name {name!r} must be {NAME_MIN}-{NAME_MAX} characters long, "
            f"not {len(name)}"
        )
    return name


def clean_email(value: str) -> Email:
    """A syntactically valid address (no DNS lookup); reserved test domains are allowed."""
    if not isinstance(value, str) or _has_control(value):
        raise InvalidEmail("the email address must not contain line breaks or control characters")
    raw = value.strip()
    if not raw:
        raise InvalidEmail("the email address is required")
    if _too_long(value, limits.EMAIL):
        raise InvalidEmail(f"the email address is {len(raw)} characters long; at most "
                           f"{limits.EMAIL.maximum} are allowed")
    try:
        # test_environment admits .test; no SMTPUTF8 so every address can be sent to.
        checked = validate_email(
            raw, check_deliverability=False, test_environment=True, allow_smtputf8=False
        )
    except EmailNotValidError as exc:
        raise InvalidEmail(f"the email address {excerpt(raw, 80)} is not valid: {exc}") from None
    address = checked.ascii_email or checked.normalized
    return Email(address=address, key=address.lower())


def clean_title(value: str) -> str:
    """One of TITLES (any letter case); returns its canonical spelling."""
    key = value.strip().lower() if isinstance(value, str) else ""
    if key not in _TITLE_KEYS:
        raise InvalidTitle(f"the title {excerpt(value)} is not one of: {', '.join(TITLES)}")
    return _TITLE_KEYS[key]


def clean_mobile(value: str | None) -> str | None:
    """Optional; a mainland China mobile: 11 digits starting with 1 (+86, spaces allowed)."""
    if value is None:
        return None
    if not isinstance(value, str) or _has_control(value):
        raise InvalidMobile("the mobile number must not contain line breaks or control characters")
    if _too_long(value, limits.MOBILE):
        raise InvalidMobile("the mobile number must be a mainland China number: "
                            "11 digits starting with 1")
    digits = _MOBILE_SEPARATORS.sub("", value.strip())
    if not digits:
        return None
    if digits.startswith("+86"):
        digits = digits[3:]
    if not _MOBILE.fullmatch(digits):
        raise InvalidMobile(
            f"the mobile number {excerpt(value)} must be a mainland China number: "
            "11 digits starting with 1"
        )
    return digits


def clean_owner_name(value: str) -> str:
    """An account owner's name follows the contact name rule (12 characters, docs/LIMITS.md)."""
    return clean_name(value)


__all__ = ["TITLES", "Email", "clean_email", "clean_mobile", "clean_name", "clean_owner_name",
           "clean_title"]
