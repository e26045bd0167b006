"""What the local sinks received: the mail sink's Maildir, SMS and webhook calls."""

from __future__ import annotations

import mailbox
import re
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.utils import getaddresses
from pathlib import Path
from typing import Any

from flask import current_app
from flask_openapi3 import OpenAPI, Tag

from notify.compose import FILING_HEADER, KIND_HEADER, TYPE_HEADER

from ..services import EXTENSION
from . import schemas as s
from .sinkstores import sms_messages, webhook_calls_of

V1 = "/_icpsim/v1"
BEARER: list[dict[str, list[Any]]] = [{"bearer": []}]
_URL = re.compile(r"https?://[^\s<>\"']+")


def register_observers(app: OpenAPI, tag: Tag) -> None:
    @app.get(f"{V1}/mailbox", tags=[tag], security=BEARER, responses={200: s.Mailbox})
    def mailbox_view(query: s.MailQuery) -> Any:
        mails = read_maildir(_maildir())
        if query.to:
            mails = [m for m in mails if query.to.lower() in m["to"]]
        if query.kind:
            mails = [m for m in mails if m["kind"] == query.kind]
        return {"emails": mails}

    @app.get(f"{V1}/sms", tags=[tag], security=BEARER, responses={200: s.SmsList})
    def sms_view(query: s.MailQuery) -> Any:
        rows = sms_messages(_store("ICPSIM_SMS_STORE"), current_app.extensions[EXTENSION])
        if query.to:
            rows = [r for r in rows if query.to in r["to"]]
        if query.kind:
            rows = [r for r in rows if r["kind"] == query.kind]
        return {"messages": rows}

    @app.get(f"{V1}/webhook-calls", tags=[tag], security=BEARER,
             responses={200: s.WebhookCalls})
    def webhook_calls(query: s.WebhookQuery) -> Any:
        rows = webhook_calls_of(_store("ICPSIM_WEBHOOK_STORE"))
        if query.webhook:
            rows = [r for r in rows if r["webhook"] == query.webhook]
        return {"calls": rows}


def _store(key: str) -> Path | None:
    console = current_app.extensions.get("icpsim_console")
    path = console.config.get(key) if console is not None else None
    return Path(path) if path else None


def _maildir() -> Path | None:
    console = current_app.extensions.get("icpsim_console")
    path = console.config.get("ICPSIM_MAILDIR") if console is not None else None
    return Path(path) if path else None


def read_maildir(path: Path | None) -> list[dict[str, Any]]:
    """Every stored email, oldest first, as the control API shows it."""
    if path is None or not path.is_dir():
        return []
    box = mailbox.Maildir(str(path), create=False)
    out = []
    for key in box.keys():
        try:
            raw, stored = box.get_bytes(key), box.get_message(key).get_date()
        except (KeyError, FileNotFoundError):  # removed while we read
            continue
        msg: Any = message_from_bytes(raw, policy=policy.default)
        part = msg.get_body(preferencelist=("plain",)) if msg.is_multipart() else msg
        body = part.get_content() if part is not None else ""
        to = [a.lower() for _, a in getaddresses(msg.get_all("To", []) +
                                                 msg.get_all("X-Original-To", []))]
        kind = str(msg.get(KIND_HEADER, "")).strip().lower() or (
            "verification" if "/verify/" in body else "notification")
        out.append({"to": sorted(set(to)), "subject": str(msg.get("Subject", "")),
                    "body": body, "kind": kind, "type": str(msg.get(TYPE_HEADER, "")).strip(),
                    "filing": str(msg.get(FILING_HEADER, "")).strip(),
                    "links": _URL.findall(body),
                    "message_id": str(msg.get("Message-ID", "")).strip(),
                    "received_at": datetime.fromtimestamp(stored, UTC).isoformat(),
                    "_at": stored})
    out.sort(key=lambda m: m.pop("_at"))
    return out


__all__ = ["read_maildir", "register_observers", "sms_messages", "webhook_calls_of"]
