"""Hand-made signed requests, signed by the SDK's own signing code, to test refusals the
SDK clients never make (a stale date, a reused nonce, a tampered body)."""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime
from typing import Any

from alibabacloud_openapi_util.client import Client as Util
from Tea.request import TeaRequest

from .served import Key


def send(base: str, key: Key, action: str, *, version: str = "2021-07-13",
         query: dict[str, str] | None = None, form: dict[str, str] | None = None,
         date: str | None = None, nonce: str | None = None, method: str = "POST",
         tamper: Any = None) -> tuple[int, dict[str, Any]]:
    """Sign like the SDK; ``tamper(request)`` may change the request after signing."""
    body = urllib.parse.urlencode(form or {}).encode()
    req = TeaRequest()
    req.method, req.pathname, req.query = method, "/", dict(query or {})
    host = urllib.parse.urlparse(base).netloc
    req.headers = {
        "host": host, "x-acs-action": action, "x-acs-version": version,
        "x-acs-date": date or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "x-acs-signature-nonce": nonce or uuid.uuid4().hex,
        "x-acs-content-sha256": hashlib.sha256(body).hexdigest(), "accept": "application/json",
    }
    if form is not None:
        req.headers["content-type"] = "application/x-www-form-urlencoded"
    req.headers["Authorization"] = Util.get_authorization(
        req, "ACS3-HMAC-SHA256", req.headers["x-acs-content-sha256"], key.id, key.secret)
    req.body = body
    if tamper is not None:
        tamper(req)
    url = base + "/" + ("?" + urllib.parse.urlencode(req.query) if req.query else "")
    http = urllib.request.Request(url, data=req.body if method == "POST" else None,
                                  method=method,
                                  headers={k: v for k, v in req.headers.items() if k != "host"})
    try:
        with urllib.request.urlopen(http, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


__all__ = ["send"]
