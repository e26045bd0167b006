"""Sending one SMS or webhook delivery: its text, its sender, its outcome (docs/behaviour.md).

The dispatcher claims deliveries and records outcomes; this module only turns one
delivery into one send through the channel's sender and says how it went.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlmodel import col, select

from workflow.db import Database

from .compose import rendered, template_facts
from .models import Delivery, Webhook
from .render import render
from .robots import Message
from .senders import SendFailure
from .smssender import SmsSender, short_text
from .webhooksender import WebhookSender

log = logging.getLogger(__name__)
CHANNELS = ("sms", "webhook")


@dataclass
class ChannelSenders:
    """The senders of the version 2 channels, one per process."""

    sms: SmsSender
    webhook: WebhookSender

    def close(self) -> None:
        self.sms.close()
        self.webhook.close()


def sms_text(d: Delivery) -> str:
    """The SMS of a delivery: the stored verification text, or the short notification."""
    if d.kind == "verification" or d.notification_type is None:
        return d.body or ""
    return short_text(render("sms", d.language, **template_facts(d)).body)


def robot_message(d: Delivery) -> Message:
    text = rendered(d)
    facts = {"event": f"{d.category}.{d.kind}", "category": d.category,
             "type": d.notification_type, "filing_id": d.filing_id,
             "delivery": d.dedup_key, "facts": dict(d.facts)}
    return Message(title=text.subject, body=text.body.strip(), language=d.language,
                   facts=facts)


def webhooks_of(db: Database, deliveries: list[Delivery]) -> dict[int, Webhook]:
    """The webhooks the batch's webhook deliveries go to, read once (by id)."""
    ids = {d.webhook_id for d in deliveries if d.channel == "webhook" and d.webhook_id}
    if not ids:
        return {}
    with db.transaction() as s:
        rows = s.exec(select(Webhook).where(col(Webhook.id).in_(ids))).all()
        return {h.id: h for h in rows if h.id is not None}


def send_one(db: Database, d: Delivery, senders: ChannelSenders | None,
             hooks: dict[int, Webhook] | None = None) -> tuple[str, str]:
    """Send one delivery of a version 2 channel: (``sent`` | ``temporary`` |
    ``permanent``, detail). ``hooks`` are the batch's webhooks (else read here)."""
    if senders is None:
        return "permanent", f"this process has no {d.channel} sender"
    try:
        if d.channel == "sms":
            return "sent", senders.sms.deliver(d, sms_text(d))
        if d.channel == "webhook":
            hook = _webhook(db, d) if hooks is None else hooks.get(d.webhook_id or 0)
            if hook is None or hook.account_id != d.account_id:
                return "permanent", "the webhook was deleted"
            return "sent", senders.webhook.deliver(hook, robot_message(d))
    except SendFailure as exc:
        return ("permanent" if exc.permanent else "temporary"), exc.detail[:500]
    except Exception as exc:  # a broken template or payload must not stop the batch
        log.exception("cannot send delivery %s", d.id)
        return "permanent", f"cannot compose the message: {exc}"[:500]
    return "permanent", f"unknown channel {d.channel!r}"


def _webhook(db: Database, d: Delivery) -> Webhook | None:
    if d.webhook_id is None:
        return None
    with db.transaction() as s:
        hook = s.get(Webhook, d.webhook_id)
        return hook if hook is not None and hook.account_id == d.account_id else None


__all__ = ["CHANNELS", "ChannelSenders", "robot_message", "send_one", "sms_text",
           "webhooks_of"]
