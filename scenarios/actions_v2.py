"""Version 2 actions: mobiles, webhook robots, limits, keywords, receive hours, and the
faults of the scenario's SMS gateway and webhook receiver (docs/scenarios.md)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from notify.channel_errors import UnknownWebhook
from notify.errors import UnknownContact
from workflow.errors import IcpsimError

from .model import Step
from .world import World

_TOKEN = re.compile(r"/verify/([A-Za-z0-9_\-]+)")


class NoVerificationSms(IcpsimError):
    """verify_mobile found no verification SMS for the contact's mobile at the gateway."""

    code = "no_verification_sms"


def _actor(world: World, step: Step) -> str:
    return world.owner(step.account or world.default_account())


def _contact(world: World, account: str, email: str) -> Any:
    contact = world.system.contacts.find_by_email(account, email)
    if contact is None or contact.id is None:
        raise UnknownContact(f"account {account!r} has no contact {email}")
    return contact


def _webhook_id(world: World, account: str, name: str) -> int:
    hook = world.system.webhooks.find_by_name(account, name)
    if hook is None or hook.id is None:
        raise UnknownWebhook(f"account {account!r} has no webhook named {name!r}")
    return hook.id


def verify_mobile(world: World, step: Step, a: dict[str, Any]) -> str:
    account, which = step.account or "", a.get("link", "latest")
    contact = _contact(world, account, a["email"])
    if not contact.mobile or world.sms is None:
        raise NoVerificationSms(f"contact {a['email']} has no mobile")
    ours = {str(d.id) for d in world.system.deliveries.list(
        account, to=contact.mobile, kind="verification", channel="sms")}
    links = [m for m in world.sms.messages(contact.mobile)
             if m.out_id in ours and _TOKEN.search(m.content)]
    if not links:
        raise NoVerificationSms(f"the SMS gateway received no verification SMS for "
                                f"{contact.mobile}")
    sms = links[-1] if which == "latest" else links[0]
    world.system.contacts.verify(_TOKEN.search(sms.content).group(1))  # type: ignore[union-attr]
    return f"opened the {which} of {len(links)} SMS link(s) sent to {contact.mobile}"


def resend_verification(world: World, step: Step, a: dict[str, Any]) -> str:
    account, channel = step.account or "", a.get("channel", "email")
    contact = world.system.contacts.resend(account, _contact(world, account, a["email"]).id,
                                           channel=channel, actor=_actor(world, step))
    state = contact.status if channel == "email" else contact.mobile_status
    return f"new {channel} link sent; {contact.email} is {state}"


def add_webhook(world: World, step: Step, a: dict[str, Any]) -> str:
    assert world.webhooks is not None
    url = a.get("url") or world.webhooks.hook_url(a["name"])
    hook = world.system.webhooks.add(step.account or "", name=a["name"], type=a["type"],
                                     url=url, secret=a.get("secret"),
                                     actor=_actor(world, step))
    world.robots[url] = (a["type"], a.get("secret"))  # what the robot itself knows
    return f"webhook {hook.name} ({hook.type}) at {hook.url}"


def delete_webhook(world: World, step: Step, a: dict[str, Any]) -> str:
    account = step.account or ""
    world.system.webhooks.delete(account, _webhook_id(world, account, a["name"]),
                                 actor=_actor(world, step))
    return f"webhook {a['name']} deleted"


def select_webhooks(world: World, step: Step, a: dict[str, Any]) -> str:
    account = step.account or ""
    ids = [_webhook_id(world, account, name) for name in a["webhooks"]]
    saved = world.system.webhooks.select(account, a["category"], ids,
                                         actor=_actor(world, step))
    return "webhooks: " + (", ".join(h.name for h in saved) or "none")


def set_limit(world: World, step: Step, a: dict[str, Any]) -> str:
    world.system.rules.set_limit(step.account or "", a["category"], a["channel"],
                                 a["per_day"], actor=_actor(world, step))
    return f"at most {a['per_day']} {a['channel']} messages per receiver and day"


def set_keywords(world: World, step: Step, a: dict[str, Any]) -> str:
    account = step.account or ""
    if "contact" in a and "webhook" in a:
        raise IcpsimError("give contact or webhook, not both", code="invalid_data")
    if "contact" in a:
        receiver = f"contact:{_contact(world, account, a['contact']).id}"
    elif "webhook" in a:
        receiver = f"webhook:{_webhook_id(world, account, a['webhook'])}"
    else:
        receiver = "owner"
    kw = world.system.rules.set_keywords(account, a["category"], receiver,
                                         allow=a.get("allow"), deny=a.get("deny"),
                                         actor=_actor(world, step))
    return f"{receiver}: allow {list(kw.allow)}, deny {list(kw.deny)}"


def set_receive_hours(world: World, step: Step, a: dict[str, Any]) -> str:
    hours = world.system.rules.set_receive_hours(step.account or "", a["category"],
                                                 a["hours"], a.get("days"),
                                                 actor=_actor(world, step))
    assert hours is not None
    return f"receive hours {sorted(hours.hours)} (local)"


def sms_gateway(world: World, step: Step, a: dict[str, Any]) -> str:
    assert world.sms is not None
    world.sms.set_mode(a["mode"], code=a.get("code"), count=a.get("count"))
    return f"SMS gateway {a['mode']}"


def webhook_server(world: World, step: Step, a: dict[str, Any]) -> str:
    assert world.webhooks is not None
    world.webhooks.set_mode(a["mode"], status=a.get("status"), count=a.get("count"),
                            seconds=a.get("seconds", 2))
    return f"webhook receiver {a['mode']}"


V2_PERFORM: dict[str, Callable[[World, Step, dict[str, Any]], str]] = {
    "verify_mobile": verify_mobile, "resend_verification": resend_verification,
    "add_webhook": add_webhook, "delete_webhook": delete_webhook,
    "select_webhooks": select_webhooks, "set_limit": set_limit, "set_keywords": set_keywords,
    "set_receive_hours": set_receive_hours, "sms_gateway": sms_gateway,
    "webhook_server": webhook_server,
}
