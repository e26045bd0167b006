"""MscOpenSubscription 2021-07-13 webhooks: the account's robots, over the WebhookService.

The SDK's webhook has a name and a server URL only; a robot created here is a DingTalk
robot (the type the Message Center's webhooks of this product are) and keeps its type
when changed. Every rule (at most five, the URL rule, unique names) is the service's.
"""

from __future__ import annotations

from typing import Any

from . import shapes
from .registry import Call, action

V = "2021-07-13"
DEFAULT_TYPE = "dingtalk"


def webhook(hook: Any, *, name_key: str = "WebhookName") -> dict[str, Any]:
    return {"WebhookId": hook.id, name_key: hook.name, "ServerUrl": hook.url}


def _webhook_id(call: Call) -> int:
    number = call.params.number("WebhookId", required=True, minimum=1)
    assert number is not None
    return number


@action(V, "CreateWebhook", writes=True, client_token=True)
def create_webhook(call: Call) -> dict[str, Any]:
    p = call.params
    hook = call.system.webhooks.add(
        call.account_id, name=p.text("WebhookName", required=True, max_length=100) or "",
        type=DEFAULT_TYPE, url=p.text("ServerUrl", required=True, max_length=2000) or "",
        actor=call.account_id)
    return {"WebhookId": hook.id}


@action(V, "GetWebhook")
def get_webhook(call: Call) -> dict[str, Any]:
    return {"Webhook": webhook(call.system.webhooks.get(call.account_id, _webhook_id(call)))}


@action(V, "ListWebhooks")
def list_webhooks(call: Call) -> dict[str, Any]:
    rows = shapes.filtered([webhook(h) for h in call.system.webhooks.list(call.account_id)],
                           call.params, id_field="WebhookId", id_minimum=1,
                           text_fields=("WebhookName", "ServerUrl"), text_max=100)
    chunk, token = shapes.page(rows, call.params)
    return {"Webhooks": chunk, "TotalCount": len(rows), "NextToken": token}


@action(V, "UpdateWebhook", writes=True, client_token=True)
def update_webhook(call: Call) -> dict[str, Any]:
    p = call.params
    call.system.webhooks.modify(
        call.account_id, _webhook_id(call), name=p.text("WebhookName", max_length=100),
        url=p.text("ServerUrl", max_length=2000), actor=call.account_id)
    return {"Result": True}


@action(V, "DeleteWebhook", writes=True)
def delete_webhook(call: Call) -> dict[str, Any]:
    call.system.webhooks.delete(call.account_id, _webhook_id(call), actor=call.account_id)
    return {"Result": True}


__all__ = ["V", "webhook"]
