"""A validated scenario as values: accounts, steps (with their lines) and checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from workflow.durations import format_duration


@dataclass(frozen=True)
class AccountSpec:
    id: str
    owner_name: str
    owner_email: str
    language: str = "en"


@dataclass(frozen=True)
class Check:
    """One check inside ``expect``: its kind (``filing``, ``emails``...) and its fields."""

    kind: str
    line: int
    fields: dict[str, Any] = field(default_factory=dict)
    account: str | None = None  # resolved: the one account when the file leaves it out

    def describe(self) -> str:
        shown = ", ".join(f"{k}: {_show(v)}" for k, v in self.fields.items())
        return f"{self.kind} {{{shown}}}"


@dataclass(frozen=True)
class Step:
    """One step: the action, its arguments, the account it concerns, the error it expects."""

    number: int  # 1-based position in the file
    line: int
    action: str
    args: dict[str, Any] = field(default_factory=dict)
    account: str | None = None  # resolved: None only when the action concerns no account
    expect_error: str | None = None
    checks: tuple[Check, ...] = ()

    def describe(self) -> str:
        if self.action == "expect":
            return "expect " + "; ".join(c.describe() for c in self.checks)
        if set(self.args) == {"value"}:
            return f"{self.action} {_show(self.args['value'])}"
        shown = ", ".join(f"{k}: {_show(v)}" for k, v in self.args.items())
        return f"{self.action} {{{shown}}}"


@dataclass(frozen=True)
class Scenario:
    path: Path
    name: str
    start: datetime
    accounts: tuple[AccountSpec, ...]
    steps: tuple[Step, ...]
    description: str = ""

    def account(self, account_id: str) -> AccountSpec:
        return next(a for a in self.accounts if a.id == account_id)


def _show(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return format_duration(value)
    return str(value)
