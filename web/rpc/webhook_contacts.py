"""Notifications 2024-12-25 webhook contacts: the account's robots, over the WebhookService,
and a test call to one of them answered with the robot's outcome.

``ContactId`` is the webhook's id; ``WebhookType`` is the robot (the console's types,
plus the names other Alibaba Cloud products use for them); ``BotSecurityToken`` its
signing secret, never read back (a set secret reads as ``******``).
"""

from __future__ import annotations

import re
from typing import Any

from notify.robots import Message
from notify.senders import SendFailure

from .registry import Call, action

V = "2024-12-25"
DEFAULT_TYPE = "dingtalk"
TYPE_ALIASES = {"dingding": "dingtalk", "ding": "dingtalk", "wechat": "wecom",
                "weixin": "wecom", "wxwork": "wecom", "feishu": "lark", "fs": "lark",
                "webhook": "custom"}
HIDDEN = "******"
_HTTP = re.compile(r"HTTP (\d{3})")


def webhook_contact(hook: Any) -> dict[str, Any]:
    return {"ContactId": hook.id, "ContactName": hook.name, "ServerUrl": hook.url,
            "WebhookType": hook.type, "BotSecurityToken": HIDDEN if hook.secret else "",
            "SecurityToken": "", "TemplateCode": ""}


def _type(call: Call) -> str | None:
    raw = call.params.text("WebhookType", max_length=30)
    if raw is None or raw == "":
        return None
    return TYPE_ALIASES.get(raw.strip().lower(), raw.strip().lower())


def _contact_id(call: Call) -> int:
    number = call.params.number("ContactId", required=True, minimum=1)
    assert number is not None
    return number


@action(V, "CreateWebhookContact", writes=True)
def create_webhook_contact(call: Call) -> dict[str, Any]:
    p = call.params
    hook = call.system.webhooks.add(
        call.account_id, name=p.text("ContactName", required=True, max_length=100) or "",
        type=_type(call) or DEFAULT_TYPE,
        url=p.text("ServerUrl", required=True, max_length=2000) or "",
        secret=p.text("BotSecurityToken", max_length=400), actor=call.account_id)
    return {"Data": hook.id}


@action(V, "ReadAllWebhookContacts")
def read_all_webhook_contacts(call: Call) -> dict[str, Any]:
    return {"Data": [webhook_contact(h) for h in call.system.webhooks.list(call.account_id)]}


@action(V, "ReadWebhookContact")
def read_webhook_contact(call: Call) -> dict[str, Any]:
    return {"Data": webhook_contact(call.system.webhooks.get(call.account_id,
                                                             _contact_id(call)))}


@action(V, "UpdateWebhookContact", writes=True)
def update_webhook_contact(call: Call) -> dict[str, Any]:
    p = call.params
    call.system.webhooks.modify(
        call.account_id, _contact_id(call), name=p.text("ContactName", max_length=100),
        type=_type(call), url=p.text("ServerUrl", max_length=2000),
        secret=p.text("BotSecurityToken", max_length=400), actor=call.account_id)
    return {}


@action(V, "DeleteWebhookContact", writes=True)
def delete_webhook_contact(call: Call) -> dict[str, Any]:
    call.system.webhooks.delete(call.account_id, _contact_id(call), actor=call.account_id)
    return {}


@action(V, "TestWebhookContact", note="a real call to the robot; its outcome in Data")
def test_webhook_contact(call: Call) -> dict[str, Any]:
    hook = call.system.webhooks.get(call.account_id, _contact_id(call))
    message = Message(title="icpsim test message",
                      body=f"A test message from the Message Center of account "
                           f"{call.account_id} to the webhook {hook.name}.",
                      facts={"event": "test", "delivery": f"test:{hook.account_id}:{hook.id}"})
    try:
        detail = call.system.channels.webhook.deliver(hook, message)
    except SendFailure as exc:
        return {"Data": f"not accepted: {exc.detail}", "HttpCode": exc.code or 0,
                "Success": False}
    found = _HTTP.search(detail)
    return {"Data": detail, "HttpCode": int(found.group(1)) if found else 200}


__all__ = ["V", "webhook_contact"]
