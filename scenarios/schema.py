"""The contract's vocabulary as data: every action and check, its fields and their types."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workflow.durations import parse_duration

CHANNELS = ("email", "internal", "sms", "webhook")
NOTIFICATION_TYPES = ("application_progress", "application_review_result", "item_review_result")
FILING_STATES = (
    "draft", "submitted", "under_review", "sms_verification", "authority_review", "approved",
    "rejected", "withdrawn", "expired", "item_review", "rectification", "cancelled",
)
CONTACT_STATUSES = ("pending", "verified", "expired")
DELIVERY_STATUSES = ("pending", "sent", "failed", "skipped")
MAIL_MODES = ("up", "down", "tempfail", "reject")
ROBOT_TYPES = ("dingtalk", "wecom", "lark", "slack", "custom")  # version 2
SMS_MODES = ("up", "down", "fail")
WEBHOOK_MODES = ("up", "down", "fail", "hang")
ERROR_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
ACCOUNT_ID = re.compile(r"^[a-z0-9-]{1,64}$")


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
    return f"{type(value).__name__} {value!r}"


def _text(kind: Kind, value: Any) -> str:
    # YAML reads 13800138000 as a number and F1 as text; both are text to a scenario.
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise FieldError(f"expected text, got {_what(value)}")
    return str(value)


def _int(kind: Kind, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FieldError(f"expected a whole number >= 0, got {_what(value)}")
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
                    {"to": TEXT, "kind": enum("notification", "verification"),
                     "type": enum(*NOTIFICATION_TYPES), "filing": TEXT,
                     "subject_contains": TEXT, "body_contains": TEXT}),
    "inbox": Shape({}, {"type": enum(*NOTIFICATION_TYPES), "filing": TEXT, "count": INT,
                        "unread": INT}, scope="required", at_least_one=("count", "unread")),
    "deliveries": Shape({"count": INT},
                        {"to": TEXT, "channel": enum(*CHANNELS),
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
