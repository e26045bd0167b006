"""The actions the endpoint answers, by product version: one table, read by the dispatcher,
the README's actions table and its test."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .params import Params

PRODUCTS = {
    "2021-07-13": "MscOpenSubscription",
    "2024-12-25": "Notifications",
    "2021-04-07": "MscCommonQuery",
}


@dataclass(frozen=True)
class Call:
    """One authenticated call: the key's account, its parameters, the system and now."""

    account_id: str
    params: Params
    system: Any
    now: datetime
    action: str


Handler = Callable[[Call], dict[str, Any]]


@dataclass(frozen=True)
class Action:
    version: str
    name: str
    handler: Handler
    writes: bool = False
    client_token: bool = False
    supported: bool = True
    note: str = field(default="")
    atomic: bool = False  # its service calls commit together or not at all

    @property
    def product(self) -> str:
        return PRODUCTS[self.version]


ACTIONS: dict[tuple[str, str], Action] = {}


def action(version: str, name: str, *, writes: bool = False, client_token: bool = False,
           supported: bool = True, note: str = "", atomic: bool = False
           ) -> Callable[[Handler], Handler]:
    """Register ``handler`` as the answer to ``name`` of the product ``version``;
    ``atomic``: the handler's service calls run in one transaction (``Database.atomic``),
    for actions that change several settings, so a refusal halfway changes nothing."""
    if version not in PRODUCTS:
        raise ValueError(f"unknown product version {version}")

    def register(handler: Handler) -> Handler:
        key = (version, name)
        if key in ACTIONS:
            raise ValueError(f"{name} {version} is registered twice")
        ACTIONS[key] = Action(version, name, handler, writes=writes,
                              client_token=client_token, supported=supported, note=note,
                              atomic=atomic)
        return handler

    return register


def load_all() -> dict[tuple[str, str], Action]:
    """Every action of every product (importing the product modules registers them)."""
    from . import (  # noqa: F401
        common_query,
        notifications,
        subscription,
        subscription_webhooks,
        user_subscriptions,
        webhook_contacts,
    )

    return ACTIONS


def actions_table() -> str:
    """The README's table of supported actions, made from this registry."""
    lines = ["| product | version | action | answered |", "|---|---|---|---|"]
    for act in sorted(load_all().values(), key=lambda a: (a.product, a.name)):
        if act.supported:
            status = f"yes ({act.note})" if act.note else "yes"
        else:
            status = f"no: {act.note}"
        lines.append(f"| {act.product} | {act.version} | `{act.name}` | {status} |")
    return "\n".join(lines)


__all__ = ["ACTIONS", "PRODUCTS", "Action", "Call", "action", "actions_table", "load_all"]
