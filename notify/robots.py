"""Webhook robots' message formats and signatures, pure (docs/behaviour.md).

- DingTalk: ``markdown`` message; with a secret, ``timestamp`` (ms) and ``sign`` =
  base64(HMAC-SHA256(key=secret, msg="{timestamp}\\n{secret}")) added to the URL query.
- WeCom: ``markdown`` message (``content``); no signature.
- Lark: ``post`` message (``text`` when asked); with a secret, ``timestamp`` (s) and
  ``sign`` = base64(HMAC-SHA256(key="{timestamp}\\n{secret}", msg="")) in the body.
- Slack: ``text`` fallback plus ``blocks`` (header and mrkdwn section); no signature.
- custom: icpsim's JSON; with a secret, ``X-Icpsim-Signature: sha256=<hex HMAC of body>``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SIGNATURE_HEADER = "X-Icpsim-Signature"
DELIVERY_HEADER = "X-Icpsim-Delivery"  # the delivery's key, for receivers that log calls


@dataclass(frozen=True)
class Message:
    """What a robot says: a title, a plain-text body and the facts (custom JSON)."""

    title: str
    body: str
    language: str = "en"
    facts: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Call:
    """One HTTP POST: the URL (with any query signature), the JSON body bytes, headers."""

    url: str
    body: bytes
    headers: Mapping[str, str]


def dingtalk_sign(timestamp_ms: int, secret: str) -> str:
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def lark_sign(timestamp_s: int, secret: str) -> str:
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def custom_sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def payload(kind: str, message: Message, *, lark_format: str = "post") -> dict[str, Any]:
    """The JSON body of a robot ``kind`` for ``message`` (before any signature)."""
    markdown = f"### {message.title}\n\n{message.body}"
    if kind == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": message.title, "text": markdown}}
    if kind == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": markdown}}
    if kind == "lark":
        if lark_format == "text":
            return {"msg_type": "text", "content": {"text": f"{message.title}\n{message.body}"}}
        lang = "zh_cn" if message.language == "zh" else "en_us"
        lines = [[{"tag": "text", "text": line}] for line in message.body.splitlines() if line]
        return {"msg_type": "post",
                "content": {"post": {lang: {"title": message.title, "content": lines}}}}
    if kind == "slack":
        return {"text": f"{message.title}\n{message.body}", "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": message.title[:150]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": message.body[:3000]}}]}
    if kind == "custom":
        return {"title": message.title, "body": message.body, "language": message.language,
                **{k: v for k, v in message.facts.items() if k not in ("title", "body")}}
    raise ValueError(f"unknown robot type {kind!r}")


def build_call(kind: str, url: str, message: Message, *, secret: str | None,
               now_ms: int) -> Call:
    """The signed HTTP call a robot of ``kind`` at ``url`` receives for ``message``."""
    data = payload(kind, message)
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if message.facts.get("delivery"):
        headers[DELIVERY_HEADER] = str(message.facts["delivery"])
    if secret and kind == "dingtalk":
        url = _with_query(url, timestamp=str(now_ms), sign=dingtalk_sign(now_ms, secret))
    if secret and kind == "lark":
        seconds = now_ms // 1000
        data = {"timestamp": str(seconds), "sign": lark_sign(seconds, secret), **data}
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    if secret and kind == "custom":
        headers[SIGNATURE_HEADER] = custom_sign(body, secret)
    return Call(url=url, body=body, headers=headers)


def check_signature(kind: str, secret: str | None, *, query: Mapping[str, str],
                    headers: Mapping[str, str], body: bytes) -> str:
    """How a received call is signed: ``valid``, ``invalid`` or ``none`` (no secret and
    no signature); a missing signature when there is a secret is ``invalid``."""
    got: str | None
    if kind == "dingtalk":
        got, ts = query.get("sign"), query.get("timestamp", "")
        want = dingtalk_sign(int(ts), secret) if secret and ts.isdigit() else None
    elif kind == "lark":
        try:
            data = json.loads(body)
        except ValueError:
            data = {}
        data = data if isinstance(data, dict) else {}
        got, ts = data.get("sign"), str(data.get("timestamp", ""))
        want = lark_sign(int(ts), secret) if secret and ts.isdigit() else None
    elif kind == "custom":
        lowered = {k.lower(): v for k, v in headers.items()}
        got = lowered.get(SIGNATURE_HEADER.lower())
        want = custom_sign(body, secret) if secret else None
    else:  # WeCom and Slack robots are not signed: their URL is the secret
        return "none"
    if not secret:
        return "none" if got is None else "invalid"
    if got is None or want is None:
        return "invalid"
    return "valid" if hmac.compare_digest(str(got), want) else "invalid"


def _with_query(url: str, **extra: str) -> str:
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *extra.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


__all__ = ["DELIVERY_HEADER", "SIGNATURE_HEADER", "Call", "Message", "build_call",
           "check_signature",
           "custom_sign", "dingtalk_sign", "lark_sign", "payload"]
