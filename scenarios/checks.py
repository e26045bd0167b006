"""Evaluate the checks of an ``expect`` step against the system and the mail server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workflow.errors import IcpsimError

from .checks_v2 import V2_CHECKS
from .model import Check
from .results import Failure
from .world import World

MAIL_FILTERS = ("to", "kind", "type", "filing", "subject_contains", "body_contains")


def evaluate(world: World, check: Check) -> Failure | None:
    """None when the check holds, else what was expected and what was found."""
    try:
        found = CHECKS[check.kind](world, {**check.fields, "account": check.account})
    except IcpsimError as exc:
        found = f"{exc.code}: {exc.message}"
    return None if found is None else Failure(check.line, check.describe(), found)


def _filing(world: World, f: dict[str, Any]) -> str | None:
    filings = world.system.filings
    filing = filings.get(f["account"], f["id"]) if f["account"] else filings.find(f["id"])
    return None if filing.state == f["state"] else f"{f['id']} is {filing.state}"


def _contact(world: World, f: dict[str, Any]) -> str | None:
    contact = world.system.contacts.find_by_email(f["account"], f["email"])
    if contact is None:
        return None if f.get("exists") is False else f"no contact {f['email']}"
    if f.get("exists") is False:
        return f"{contact.email} exists and is {contact.status}"
    if "status" in f and contact.status != f["status"]:
        return f"{contact.email} is {contact.status}"
    return None


def _receivers(world: World, f: dict[str, Any]) -> str | None:
    saved = world.system.settings.receivers(f["account"], f["category"])
    emails = sorted(c.email.lower() for c in saved)
    if emails == sorted(e.lower() for e in f["contacts"]):
        return None
    return "owner + [" + ", ".join(emails) + "]"


def _channels(world: World, f: dict[str, Any]) -> str | None:
    states = world.system.settings.channels(f["account"], f["category"])
    on = sorted(c for c, s in states.items() if s in ("on", "required"))
    if on == sorted(set(f["channels"])):
        return None
    return "[" + ", ".join(on) + "] (" + ", ".join(f"{c} {s}" for c, s in states.items()) + ")"


def _emails(world: World, f: dict[str, Any]) -> str | None:
    filters = {k: f[k] for k in MAIL_FILTERS if k in f}
    mails = world.mails()
    hits = [m for m in mails if m.matches(**filters)]
    if len(hits) == f["count"]:
        return None
    near = [m for m in mails if "to" not in f or f["to"].lower() in m.to]
    shown = "; ".join(m.summary() for m in near[-6:]) or "nothing"
    whom = f" to {f['to']}" if "to" in f else ""
    return f"{len(hits)} matching; the server received{whom}: {shown}"


def _inbox(world: World, f: dict[str, Any]) -> str | None:
    rows = [m for m in world.system.inbox.list(f["account"], type=f.get("type"))
            if "filing" not in f or m.filing_id == f["filing"]]
    unread = sum(1 for m in rows if not m.read)
    if f.get("count", len(rows)) == len(rows) and f.get("unread", unread) == unread:
        return None
    return f"{len(rows)} matching, {unread} unread"


def _deliveries(world: World, f: dict[str, Any]) -> str | None:
    # Like ``emails``: verification emails count only when asked for
    # (docs/scenarios.md#deliveries-check).
    rows = world.system.deliveries.list(
        f["account"], to=f.get("to"), channel=f.get("channel"), status=f.get("status"),
        type=f.get("type"), filing_id=f.get("filing"), kind=f.get("kind", "notification"))
    if len(rows) == f["count"]:
        return None
    shown = "; ".join(f"{d.channel} {d.to_address or d.account_id} {d.status}"
                      + (f" ({d.reason})" if d.reason else "") for d in rows[-6:])
    return f"{len(rows)} matching" + (f": {shown}" if shown else "")


CHECKS: dict[str, Callable[[World, dict[str, Any]], str | None]] = {
    "filing": _filing, "contact": _contact, "receivers": _receivers, "channels": _channels,
    "emails": _emails, "inbox": _inbox, "deliveries": _deliveries, **V2_CHECKS,
}
