"""Version 2 checks: what the scenario's SMS gateway and webhook receiver received."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from notify.models import Delivery
from notify.robots import DELIVERY_HEADER
from notify.webhooks import TYPES as ROBOT_TYPES

from .world import World


def _by_id(world: World, channel: str) -> dict[str, Delivery]:
    return {str(d.id): d for d in world.system.deliveries.list(channel=channel)}


def _sms(world: World, f: dict[str, Any]) -> str | None:
    assert world.sms is not None
    rows = _by_id(world, "sms")
    kind = f.get("kind", "notification")
    hits = []
    for m in world.sms.messages(f.get("to")):
        d = rows.get(m.out_id)
        if d is None or d.kind != kind:
            continue
        if "type" in f and d.notification_type != f["type"]:
            continue
        if "filing" in f and d.filing_id != f["filing"]:
            continue
        if "body_contains" in f and f["body_contains"] not in m.content:
            continue
        hits.append(m)
    if len(hits) == f["count"]:
        return None
    shown = "; ".join(f"{m.phone}: {m.content!r}" for m in world.sms.messages(f.get("to"))[-5:])
    return f"{len(hits)} matching; the gateway received: {shown or 'nothing'}"


def _webhooks(world: World, f: dict[str, Any]) -> str | None:
    assert world.webhooks is not None
    rows = {d.dedup_key: d for d in world.system.deliveries.list(channel="webhook")}
    hits, unsigned = [], []
    for call in world.webhooks.received():
        d = rows.get(call.headers.get(DELIVERY_HEADER, ""))
        name = d.to_name if d is not None else call.path.rsplit("/", 1)[-1]
        if "webhook" in f and name != f["webhook"]:
            continue
        kind = f.get("type")
        if kind in ROBOT_TYPES and call.robot != kind:
            continue
        if kind and kind not in ROBOT_TYPES and (d is None or d.notification_type != kind):
            continue
        if "filing" in f and (d is None or d.filing_id != f["filing"]):
            continue
        if "body_contains" in f and f["body_contains"] not in call.text:
            continue
        hits.append(call)
        if call.signature not in ("valid", "none"):
            unsigned.append(f"{name}: signature {call.signature}")
    if len(hits) == f["count"] and not unsigned:
        return None
    shown = "; ".join(f"{c.path} ({c.robot}, {c.status}, signature {c.signature})"
                      for c in world.webhooks.received()[-5:])
    bad = f" ({'; '.join(unsigned)})" if unsigned else ""
    return f"{len(hits)} matching{bad}; the receiver got: {shown or 'nothing'}"


V2_CHECKS: dict[str, Callable[[World, dict[str, Any]], str | None]] = {
    "sms": _sms, "webhooks": _webhooks,
}
