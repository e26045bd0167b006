"""The contract's vocabulary as data: every action and check, its fields and their types."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from notify.catalog import CHANNELS
from notify.mailsink import SCENARIO_MODES as MAIL_MODES
from notify.models import CONTACT_STATUSES, DELIVERY_KINDS, DELIVERY_STATUSES
from notify.smsgateway import MODES as SMS_MODES
from notify.webhooks import TYPES as ROBOT_TYPES
from notify.webhooksink import MODES as WEBHOOK_MODES
from workflow.durations import parse_duration
from workflow.lifecycle import NotificationType, State

NOTIFICATION_TYPES = tuple(t.value for t in NotificationType)
FILING_STATES = tuple(s.value for s in State)
# Whole-string patterns: use fullmatch (``$`` would accept a trailing newline).
ERROR_CODE = re.compile(r"[a-z][a-z0-9_]*")
ACCOUNT_ID = re.compile(r"[a-z0-9-]{1,64}")
MAX_INT = 2**63 - 1  # what a database integer holds
# The simulated clock stays in these years, so every deadline it sets still fits a datetime.
EARLIEST, LATEST = datetime(1970, 1, 1, tzinfo=UTC), datetime(9000, 1, 1, tzinfo=UTC)
SMTP_CODES = {"tempfail": (400, 499), "reject": (500, 599)}  # RFC 5321 4yz and 5yz replies


class FieldError(ValueError):
    """A value of the wrong type or form; the message says what was expected."""


@dataclass(frozen=True)
class Kind:
    """A field type: ``text``, ``int``, ``bool``, ``duration``, ``time``, ``enum`` or a list."""

    name: str
    choices: tuple[str, ...] = ()
    is_list: bool = False

    def convert(self, value: Any) -> Any:
        if self.is_list:
            if not isinstance(value, list):
                raise FieldError(f"expected a list, got {_what(value)}")
            return [Kind(self.name, self.choices).convert(v) for v in value]
        return _CONVERTERS[self.name](self, value)

    def describe(self) -> str:
        base = "one of " + ", ".join(self.choices) if self.name == "enum" else self.name
        return f"a list of {base}" if self.is_list else base


def _what(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    shown = repr(value)
    return f"{type(value).__name__} {shown if len(shown) <= 60 else shown[:57] + '...'}"


def _text(kind: Kind, value: Any) -> str:
    # YAML reads 13800138000 as a number and F1 as text; both are text to a scenario.
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise FieldError(f"expected text, got {_what(value)}")
    return str(value)


def _int(kind: Kind, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_INT:
        raise FieldError(f"expected a whole number from 0 to {MAX_INT}, got {_what(value)}")
    return value


def _bool(kind: Kind, value: Any) -> bool:
    if not isinstance(value, bool):
        raise FieldError(f"expected true or false, got {_what(value)}")
    return value


def _enum(kind: Kind, value: Any) -> str:
    if not isinstance(value, str) or value not in kind.choices:
        raise FieldError(f"expected one of {', '.join(kind.choices)}, got {_what(value)}")
    return value


def _duration(kind: Kind, value: Any) -> Any:
    if not isinstance(value, str):
        raise FieldError(f"expected a duration like 90s, 30m, 25h, 3d or 1d2h, got {_what(value)}")
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise FieldError(str(exc)) from None


def _time(kind: Kind, value: Any) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise FieldError(f"{value!r} is not an ISO 8601 time") from None
    if not isinstance(value, datetime):
        raise FieldError(f"expected an ISO 8601 time with offset, got {_what(value)}")
    if value.tzinfo is None:
        raise FieldError(f"the time {value.isoformat()} needs a UTC offset, e.g. +08:00")
    try:
        in_range = EARLIEST <= value < LATEST
    except OverflowError:  # the offset takes it out of the calendar
        in_range = False
    if not in_range:
        raise FieldError(f"the time {value.isoformat()} is outside the years "
                         f"{EARLIEST.year}-{LATEST.year - 1} a scenario can simulate")
    return value


_CONVERTERS = {"text": _text, "int": _int, "bool": _bool, "enum": _enum,
               "duration": _duration, "time": _time}

TEXT, INT, BOOL = Kind("text"), Kind("int"), Kind("bool")
TEXTS = Kind("text", is_list=True)
INTS = Kind("int", is_list=True)


def enum(*choices: str, is_list: bool = False) -> Kind:
    return Kind("enum", choices, is_list)


@dataclass(frozen=True)
class Shape:
    """An action's or check's fields: required, optional, and "one of" groups."""

    required: dict[str, Kind]
    optional: dict[str, Kind]
    # "required": concerns an account's data, so ``account`` is needed when there are
    # several accounts; "optional": ``account`` narrows it; "": no account at all.
    scope: str = ""
    scalar: Kind | None = None  # the value is one scalar (``advance: 3d``), not a mapping
    exactly_one: tuple[str, ...] = ()
    at_least_one: tuple[str, ...] = ()

    @property
    def fields(self) -> dict[str, Kind]:
        return {**self.required, **self.optional}


ACTIONS: dict[str, Shape] = {
    "set_channels": Shape({"category": TEXT, "channels": enum(*CHANNELS, is_list=True)}, {},
                          scope="required"),
    "add_contact": Shape({"name": TEXT, "email": TEXT, "title": TEXT}, {"mobile": TEXT},
                         scope="required"),
    "verify_contact": Shape({"email": TEXT}, {"link": enum("latest", "first")}, scope="required"),
    "resend_verification": Shape({"email": TEXT}, {"channel": enum("email", "sms")},
                                 scope="required"),
    "modify_contact": Shape({"email": TEXT},
                            {"name": TEXT, "new_email": TEXT, "title": TEXT, "mobile": TEXT},
                            scope="required",
                            at_least_one=("name", "new_email", "title", "mobile")),
    "delete_contact": Shape({"email": TEXT}, {}, scope="required"),
    "select_receivers": Shape({"category": TEXT, "contacts": TEXTS}, {}, scope="required"),
    "set_language": Shape({"language": TEXT}, {}, scope="required"),
    "create_filing": Shape({"id": TEXT, "type": TEXT, "domain": TEXT, "website": TEXT}, {},
                           scope="required"),
    "fire": Shape({"filing": TEXT, "trigger": TEXT},
                  {"reason": TEXT, "icp_number": TEXT, "items": TEXTS, "deadline_days": INT},
                  scope="optional"),
    "advance": Shape({}, {}, scalar=Kind("duration")),
    "advance_to": Shape({}, {}, scalar=Kind("time")),
    "mail_server": Shape({"mode": enum(*MAIL_MODES)},
                         {"code": INT, "count": INT, "addresses": TEXTS}),
    "retry_delivery": Shape({"to": TEXT},
                            {"type": enum(*NOTIFICATION_TYPES), "filing": TEXT}, scope="optional"),
    "inbox": Shape({}, {"mark_read": enum("latest", "all"), "delete": enum("latest", "all")},
                   scope="required", exactly_one=("mark_read", "delete")),
    # version 2: SMS, webhook robots, limits and filters
    "verify_mobile": Shape({"email": TEXT}, {"link": enum("latest", "first")},
                           scope="required"),
    "add_webhook": Shape({"name": TEXT, "type": enum(*ROBOT_TYPES)},
                         {"secret": TEXT, "url": TEXT}, scope="required"),
    "delete_webhook": Shape({"name": TEXT}, {}, scope="required"),
    "select_webhooks": Shape({"category": TEXT, "webhooks": TEXTS}, {}, scope="required"),
    "set_limit": Shape({"category": TEXT, "channel": enum(*CHANNELS), "per_day": INT}, {},
                       scope="required"),
    "set_keywords": Shape({"category": TEXT},
                          {"contact": TEXT, "webhook": TEXT, "allow": TEXTS, "deny": TEXTS},
                          scope="required"),
    "set_receive_hours": Shape({"category": TEXT, "hours": INTS}, {"days": INTS},
                               scope="required"),
    "sms_gateway": Shape({"mode": enum(*SMS_MODES)}, {"code": TEXT, "count": INT}),
    "webhook_server": Shape({"mode": enum(*WEBHOOK_MODES)},
                            {"status": INT, "count": INT, "seconds": INT}),
    "expect": Shape({}, {}),  # its checks are described by CHECKS
}

CHECKS: dict[str, Shape] = {
    "filing": Shape({"id": TEXT, "state": enum(*FILING_STATES)}, {}, scope="optional"),
    "contact": Shape({"email": TEXT},
                     {"status": enum(*CONTACT_STATUSES), "exists": BOOL},
                     scope="required", at_least_one=("status", "exists")),
    "receivers": Shape({"category": TEXT, "contacts": TEXTS}, {}, scope="required"),
    "emails": Shape({"count": INT},
                    {"to": TEXT, "kind": enum(*DELIVERY_KINDS),
                     "type": enum(*NOTIFICATION_TYPES), "filing": TEXT,
                     "subject_contains": TEXT, "body_contains": TEXT}),
    "inbox": Shape({}, {"type": enum(*NOTIFICATION_TYPES), "filing": TEXT, "count": INT,
                        "unread": INT}, scope="required", at_least_one=("count", "unread")),
    "deliveries": Shape({"count": INT},
                        {"to": TEXT, "kind": enum(*DELIVERY_KINDS), "channel": enum(*CHANNELS),
                         "status": enum(*DELIVERY_STATUSES),
                         "type": enum(*NOTIFICATION_TYPES), "filing": TEXT}, scope="optional"),
    "channels": Shape({"category": TEXT, "channels": enum(*CHANNELS, is_list=True)}, {},
                      scope="required"),
    # version 2
    "sms": Shape({"count": INT},
                 {"to": TEXT, "kind": enum("notification", "verification"),
                  "type": enum(*NOTIFICATION_TYPES), "filing": TEXT, "body_contains": TEXT}),
    "webhooks": Shape({"count": INT},
                      {"webhook": TEXT,  # type: a robot type or a notification type
                       "type": enum(*ROBOT_TYPES, *NOTIFICATION_TYPES), "filing": TEXT,
                       "body_contains": TEXT}),
}

# Step-level keys that sit beside the action key.
STEP_KEYS = ("expect_error", "account")
