"""Perform a step's action on the system, addressing contacts by email and filings by id."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from notify.compose import message_id
from notify.errors import UnknownContact
from notify.inbox import UnknownMessage
from workflow.errors import IcpsimError

from .actions_v2 import V2_PERFORM
from .model import Step
from .world import World

FIRE_DATA = ("reason", "icp_number", "items", "deadline_days")
OWNER_TRIGGERS = ("submit", "withdraw")


class NoVerificationEmail(IcpsimError):
    """verify_contact found no verification email for the address at the mail server."""

    code = "no_verification_email"


def contact_id(world: World, account: str, email: str) -> int:
    contact = world.system.contacts.find_by_email(account, email)
    if contact is None or contact.id is None:
        raise UnknownContact(f"account {account!r} has no contact {email}")
    return contact.id


def _actor(world: World, step: Step) -> str:
    return world.owner(step.account or world.default_account())


def set_channels(world: World, step: Step, a: dict[str, Any]) -> str:
    states = world.system.settings.set_channels(step.account or "", a["category"], a["channels"],
                                                actor=_actor(world, step))
    return "saved: " + ", ".join(f"{k} {v}" for k, v in states.items())


def add_contact(world: World, step: Step, a: dict[str, Any]) -> str:
    contact = world.system.contacts.add(step.account or "", name=a["name"], email=a["email"],
                                        title=a["title"], mobile=a.get("mobile"),
                                        actor=_actor(world, step))
    return f"contact {contact.email} is {contact.status}"


def verify_contact(world: World, step: Step, a: dict[str, Any]) -> str:
    email, which = a["email"], a.get("link", "latest")
    mails = [m for m in world.mails()
             if m.kind == "verification" and email.lower() in m.to and m.token]
    # One address may be a contact of several accounts: keep this account's emails,
    # known by the Message-ID the dispatcher derives from each delivery's key.
    ours = {message_id(d.dedup_key, world.system.config.mail_from) for d in
            world.system.deliveries.list(step.account, to=email, kind="verification")}
    mails = [m for m in mails if m.message_id in ours] or mails
    if not mails:
        raise NoVerificationEmail(f"the mail server received no verification email for {email}")
    mail = mails[-1] if which == "latest" else mails[0]
    assert mail.token is not None
    world.system.contacts.verify(mail.token)
    return f"opened the {which} of {len(mails)} link(s) sent to {email}"


def resend_verification(world: World, step: Step, a: dict[str, Any]) -> str:
    account = step.account or ""
    contact = world.system.contacts.resend(account, contact_id(world, account, a["email"]),
                                           actor=_actor(world, step))
    return f"new link sent; {contact.email} is {contact.status}"


def modify_contact(world: World, step: Step, a: dict[str, Any]) -> str:
    account = step.account or ""
    contact = world.system.contacts.modify(
        account, contact_id(world, account, a["email"]), name=a.get("name"),
        email=a.get("new_email"), title=a.get("title"), mobile=a.get("mobile"),
        actor=_actor(world, step))
    return f"contact {contact.email} is {contact.status}"


def delete_contact(world: World, step: Step, a: dict[str, Any]) -> str:
    account = step.account or ""
    world.system.contacts.delete(account, contact_id(world, account, a["email"]),
                                 actor=_actor(world, step))
    return f"contact {a['email']} deleted"


def select_receivers(world: World, step: Step, a: dict[str, Any]) -> str:
    account = step.account or ""
    ids = [contact_id(world, account, email) for email in a["contacts"]]
    saved = world.system.settings.select_receivers(account, a["category"], ids,
                                                   actor=_actor(world, step))
    return "receivers: owner" + "".join(f", {c.email}" for c in saved)


def set_language(world: World, step: Step, a: dict[str, Any]) -> str:
    world.system.accounts.set_language(step.account or "", a["language"])
    return f"language is {a['language']}"


def create_filing(world: World, step: Step, a: dict[str, Any]) -> str:
    account = step.account or ""
    filing = world.system.filings.create(account, a["id"], type=a["type"], domain=a["domain"],
                                         website=a["website"], actor=_actor(world, step))
    world.filing_accounts[a["id"]] = account
    return f"{filing.filing_id} ({filing.type}, {filing.domain}) is {filing.state}"


def fire(world: World, step: Step, a: dict[str, Any]) -> str:
    filing_id, trigger = a["filing"], a["trigger"]
    account = world.account_of_filing(filing_id, step.account)
    data = {k: a[k] for k in FIRE_DATA if k in a}
    actor = world.owner(account) if trigger in OWNER_TRIGGERS else "reviewer"
    before = world.system.filings.get(account, filing_id).state
    filing = world.system.filings.fire(account, filing_id, trigger, data or None, actor=actor)
    return f"{filing_id}: {before} -> {filing.state}"


def mail_server(world: World, step: Step, a: dict[str, Any]) -> str:
    world.sink.set_mode(a["mode"], code=a.get("code"), count=a.get("count"),
                        addresses=a.get("addresses"))
    return f"mail server {a['mode']}"


def retry_delivery(world: World, step: Step, a: dict[str, Any]) -> str:
    filing = a.get("filing")
    if step.account:
        accounts = [step.account]
    elif filing and filing in world.filing_accounts:
        accounts = [world.filing_accounts[filing]]
    else:
        accounts = [acc.id for acc in world.scenario.accounts]
    retried = sum(world.system.deliveries.retry_failed(
        account, to=a["to"], type=a.get("type"), filing_id=filing, actor=_actor(world, step))
        for account in accounts)
    return f"{retried} failed deliveries to {a['to']} queued again"


def inbox(world: World, step: Step, a: dict[str, Any]) -> str:
    service, account = world.system.inbox, step.account or ""
    if "mark_read" in a:
        if a["mark_read"] == "all":
            service.mark_all_read(account)
            return "marked every internal message read"
        service.mark_read(account, _latest_message(world, account))
        return "marked the latest internal message read"
    if a["delete"] == "all":
        service.delete_all(account)
        return "deleted every internal message"
    service.delete(account, _latest_message(world, account))
    return "deleted the latest internal message"


def _latest_message(world: World, account: str) -> int:
    messages = world.system.inbox.list(account)  # newest first
    if not messages or messages[0].id is None:
        raise UnknownMessage(f"account {account!r} has no internal message")
    return messages[0].id


PERFORM: dict[str, Callable[[World, Step, dict[str, Any]], str]] = {
    "set_channels": set_channels, "add_contact": add_contact, "verify_contact": verify_contact,
    "resend_verification": resend_verification, "modify_contact": modify_contact,
    "delete_contact": delete_contact, "select_receivers": select_receivers,
    "set_language": set_language, "create_filing": create_filing, "fire": fire,
    "mail_server": mail_server, "retry_delivery": retry_delivery, "inbox": inbox,
    **V2_PERFORM,
}
