"""The embedded SMS gateway's and webhook receiver's stores as the control API shows them.

Each store is a JSON-lines file the sink appends to (``web/channel_sinks.py``); a line
that cannot be read (a write cut short) is skipped, never an error. An SMS row is
completed from the delivery it carried (its ``OutId``): kind, notification type, filing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sqlmodel import select

from notify.models import Delivery

_URL = re.compile(r"https?://[^\s<>\"'】]+")
_VALID = {"valid": True, "invalid": False}


def read_lines(path: Path | None) -> list[dict[str, Any]]:
    """The store's rows, oldest first."""
    if path is None or not path.is_file():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict):
            rows.append(row)
    return rows


def _deliveries(system: Any, ids: set[int]) -> dict[int, Delivery]:
    if not ids:
        return {}
    with system.db.transaction() as s:
        found = s.exec(select(Delivery).where(Delivery.id.in_(sorted(ids)))).all()  # type: ignore[union-attr]
        return {d.id: d for d in found if d.id is not None}


def sms_messages(path: Path | None, system: Any) -> list[dict[str, Any]]:
    rows = read_lines(path)
    ids = {int(r["out_id"]) for r in rows if str(r.get("out_id", "")).isdigit()}
    deliveries = _deliveries(system, ids)
    out = []
    for row in rows:
        body = str(row.get("content", ""))
        out_id = str(row.get("out_id", ""))
        delivery = deliveries.get(int(out_id)) if out_id.isdigit() else None
        kind = delivery.kind if delivery is not None else (
            "verification" if "/verify/" in body else "notification")
        out.append({"to": str(row.get("phone", "")), "body": body, "kind": kind,
                    "type": (delivery.notification_type if delivery else None) or "",
                    "filing": (delivery.filing_id if delivery else None) or "",
                    "links": _URL.findall(body),
                    "received_at": str(row.get("received_at", ""))})
    return out


def webhook_calls_of(path: Path | None) -> list[dict[str, Any]]:
    out = []
    for row in read_lines(path):
        where = str(row.get("path", ""))
        name = where[len("/hook/"):] if where.startswith("/hook/") else where
        out.append({"webhook": name, "url": str(row.get("url", "")),
                    "headers": row.get("headers") or {}, "body": str(row.get("body", "")),
                    "signature_valid": _VALID.get(str(row.get("signature"))),
                    "received_at": str(row.get("received_at", ""))})
    return out


__all__ = ["read_lines", "sms_messages", "webhook_calls_of"]
