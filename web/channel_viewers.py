"""The SMS and webhook-call viewers beside the Mailbox: what the embedded SMS gateway and
webhook receiver got. An owner sees only its own account's messages; the reviewer (the
operator) sees everything (docs/behaviour.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, g, render_template, request

from notify.models import Delivery

from .services import services

bp = Blueprint("viewers", __name__)


def _read(key: str) -> list[dict[str, Any]] | None:
    path = current_app.config.get(key)
    if not path:
        return None
    file = Path(path)
    if not file.exists():
        return []
    rows = []
    for line in file.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except ValueError:
            continue
    return list(reversed(rows))  # newest first


def _my_deliveries(channel: str) -> dict[str, Delivery]:
    rows = services().deliveries.list(g.user.account_id, channel=channel)
    return {str(d.id): d for d in rows} | {d.dedup_key: d for d in rows}


@bp.route("/sms/")
def sms() -> Any:
    rows = _read("ICPSIM_SMS_STORE")
    if rows is None or g.user is None:
        abort(404)
    if g.user.account_id is not None:  # an owner sees only what its deliveries sent
        mine = _my_deliveries("sms")
        rows = [r for r in rows if str(r.get("out_id")) in mine]
    return render_template("sms_viewer.html", rows=rows)


@bp.route("/webhook-calls/")
def webhook_calls() -> Any:
    rows = _read("ICPSIM_WEBHOOK_STORE")
    if rows is None or g.user is None:
        abort(404)
    if g.user.account_id is not None:
        mine = _my_deliveries("webhook")
        test = f"test:{g.user.account_id}:"
        rows = [r for r in rows if str(r.get("delivery")) in mine
                or str(r.get("delivery", "")).startswith(test)]
    return render_template("webhook_calls.html", rows=rows)


def viewers_enabled() -> dict[str, Any]:
    out: dict[str, Any] = {
        "sms_enabled": bool(current_app.config.get("ICPSIM_SMS_STORE")),
        "webhook_calls_enabled": bool(current_app.config.get("ICPSIM_WEBHOOK_STORE"))}
    user = getattr(g, "user", None)
    if request.blueprint == "contacts" and user is not None and user.account_id:
        out["owner_mobile"] = services().rules.owner_mobile(user.account_id)
    return out


__all__ = ["bp", "viewers_enabled"]
