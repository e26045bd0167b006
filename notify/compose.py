"""Composing a delivery: template facts, rendered text and the MIME email (pure)."""

from __future__ import annotations

import base64
import re
from datetime import datetime
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache
from typing import Any

from workflow.clock import as_utc, shown_time

from .models import Delivery
from .render import Rendered, render

KIND_HEADER, TYPE_HEADER, FILING_HEADER = "X-ICPSim-Kind", "X-ICPSim-Type", "X-ICPSim-Filing"

STATES = {
    "en": {
        "draft": "Draft", "submitted": "Submitted", "under_review": "Under initial review",
        "sms_verification": "Awaiting SMS verification",
        "authority_review": "Under Communications Administration review",
        "approved": "Approved", "rejected": "Rejected", "withdrawn": "Withdrawn",
        "expired": "Expired", "item_review": "Under item review",
        "rectification": "Rectification required", "cancelled": "Cancelled",
    },
    "zh": {
        "draft": "草稿", "submitted": "已提交", "under_review": "阿里云初审中",
        "sms_verification": "待工信部短信核验", "authority_review": "管局审核中",
        "approved": "已通过", "rejected": "已驳回", "withdrawn": "已撤回", "expired": "已过期",
        "item_review": "备案信息核查中", "rectification": "待整改", "cancelled": "已注销",
    },
}
FILING_TYPES = {
    "en": {"first_filing": "First filing", "new_website": "New website",
           "add_access": "Add access", "change_filing": "Change filing",
           "cancel_access": "Cancel access", "cancel_filing": "Cancel filing"},
    "zh": {"first_filing": "首次备案", "new_website": "新增网站", "add_access": "新增接入",
           "change_filing": "变更备案", "cancel_access": "取消接入", "cancel_filing": "注销主体"},
}
# Optional facts: templates test them with `{% if %}`, so they are always defined.
_OPTIONAL: dict[str, Any] = {"reason": None, "icp_number": None, "items": [], "deadline": None,
             "reminder_days": None, "expires_at": None, "to_name": None}


def when(iso: str | datetime | None, zone: str | None = None) -> str | None:
    """A stored time as the message shows it, in the account's zone (Asia/Shanghai unless
    it has another), labelled: ``2026-03-03 09:00 (UTC+8)``."""
    if iso is None or iso == "":
        return None
    return shown_time(datetime.fromisoformat(iso) if isinstance(iso, str) else iso, zone)


def template_facts(delivery: Delivery) -> dict[str, Any]:
    lang = delivery.language if delivery.language in STATES else "en"
    facts: dict[str, Any] = {**_OPTIONAL, **delivery.facts}
    zone = facts.pop("time_zone", None)  # the account's, written in by the relay
    facts.update(
        account_id=delivery.account_id, to_name=delivery.to_name,
        deadline=when(facts["deadline"], zone), expires_at=when(facts["expires_at"], zone),
        state=STATES[lang].get(facts.get("to_state", ""), facts.get("to_state", "")),
        from_state_label=STATES[lang].get(facts.get("from_state", ""), ""),
        filing_type_label=FILING_TYPES[lang].get(facts.get("filing_type", ""), ""),
        items=list(facts["items"] or []))
    return facts


def rendered(delivery: Delivery) -> Rendered:
    """The subject and body of a delivery: stored ones (verification) or from templates."""
    if delivery.kind == "verification" or delivery.notification_type is None:
        return Rendered(subject=delivery.subject or "", body=delivery.body or "")
    return render(delivery.notification_type, delivery.language, **template_facts(delivery))


def message_id(dedup_key: str, mail_from: str) -> str:
    """Stable per (event, receiver, channel): a resend of one delivery keeps its id."""
    domain = _sender(mail_from)[1].rpartition("@")[2] or "icpsim.invalid"
    return f"<{_NOT_ID.sub('.', dedup_key)}@{domain}>"


_NOT_ID = re.compile(r"[^A-Za-z0-9.-]")


@lru_cache(maxsize=16)
def _sender(mail_from: str) -> tuple[str, str]:
    return parseaddr(mail_from)


def email_message(delivery: Delivery, text: Rendered, *, mail_from: str,
                  now: datetime) -> EmailMessage:
    """One MIME email to one receiver, its headers encoded once here (RFC 2047).

    Headers go in with ``set_raw`` already encoded, so building and flattening a message
    costs a fraction of letting the email package parse and refold each one (bench).
    """
    msg = EmailMessage()
    msg.set_raw("From", _address_header(*_sender(mail_from)))
    msg.set_raw("To", _address_header(_one_line(delivery.to_name or ""),
                                      delivery.to_address or ""))
    msg.set_raw("Subject", _text_header("Subject", _one_line(text.subject)))
    msg.set_raw("Date", _date_header(now))
    msg.set_raw("Message-ID", message_id(delivery.dedup_key, mail_from))
    msg.set_raw(KIND_HEADER, delivery.kind)
    if delivery.notification_type:
        msg.set_raw(TYPE_HEADER, delivery.notification_type)
    if delivery.filing_id:
        msg.set_raw(FILING_HEADER, _text_header(FILING_HEADER, _one_line(delivery.filing_id)))
    msg.set_raw("MIME-Version", "1.0")
    body = "\r\n".join(text.body.splitlines()) + "\r\n"
    msg.set_raw("Content-Type", 'text/plain; charset="utf-8"')
    if body.isascii() and max(map(len, body.splitlines()), default=0) < 990:
        msg.set_raw("Content-Transfer-Encoding", "7bit")
        msg.set_payload(body)
    else:
        msg.set_raw("Content-Transfer-Encoding", "base64")
        msg.set_payload(base64.encodebytes(body.encode("utf-8")).decode("ascii"))
    return msg


@lru_cache(maxsize=4096)
def _address_header(name: str, addr_spec: str) -> str:
    """``name <addr>`` with a non-ASCII name RFC 2047 encoded; the address is checked."""
    address = Address(display_name=name, addr_spec=addr_spec)  # ValueError if malformed
    if not address.addr_spec.isascii():
        raise ValueError(f"{addr_spec!r} needs SMTPUTF8, which the sender does not use")
    return formataddr((address.display_name, address.addr_spec), charset="utf-8")


@lru_cache(maxsize=16)
def _date_header(now: datetime) -> str:
    return format_datetime(as_utc(now))  # a dispatch run stamps all its emails with one now


# Cached: every receiver of an event in one language gets the same subject.
@lru_cache(maxsize=4096)
def _text_header(name: str, value: str) -> str:
    """An unstructured header value: ASCII as is, else RFC 2047 base64 encoded-words."""
    if value.isascii():
        if len(value) + len(name) < 76:
            return value
        return Header(value, "us-ascii", header_name=name).encode(linesep="\n")
    words, chunk = [], b""
    for char in value:  # whole characters, at most 36 bytes a word: lines stay < 78
        data = char.encode("utf-8")
        if len(chunk) + len(data) > 36:
            words.append(chunk)
            chunk = b""
        chunk += data
    words.append(chunk)
    return "\n ".join(f"=?utf-8?b?{base64.b64encode(w).decode('ascii')}?=" for w in words)


def _one_line(value: str) -> str:
    return " ".join(value.split())


__all__ = ["FILING_HEADER", "KIND_HEADER", "TYPE_HEADER", "email_message", "message_id",
           "rendered", "template_facts", "when"]
