"""Dysmsapi 2017-05-25 as the local gateway speaks it, pure: the ACS3-HMAC-SHA256
signature, refusals with Alibaba's codes, and template parameters."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from urllib.parse import quote


class SmsError(Exception):
    def __init__(self, code: str, message: str, status: int = 200):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


# Codes answered with HTTP 200 (a business refusal) versus an HTTP error status.
HTTP_STATUS = {"SignatureDoesNotMatch": 400, "InvalidAccessKeyId.NotFound": 404,
                "MissingParameter": 400, "InvalidAction.NotFound": 404,
                "Throttling.User": 400, "ServiceUnavailable": 503, "InternalError": 500,
                "UnsupportedHTTPMethod": 405, "InvalidVersion": 400}


def acs3_signature(secret: str, *, method: str, path: str, query: Mapping[str, str],
                   headers: Mapping[str, str], payload_hash: str) -> str:
    """The ACS3-HMAC-SHA256 signature of a request, as Alibaba Cloud documents it
    ("Request syntax and signature method V3"): lower-cased signed headers, sorted."""
    canonical_query = "&".join(f"{_enc(k)}={_enc(v)}" for k, v in sorted(query.items()))
    names = sorted(h.lower() for h in headers)
    lowered = {k.lower(): v for k, v in headers.items()}
    canonical_headers = "".join(f"{h}:{lowered[h].strip()}\n" for h in names)
    canonical = "\n".join([method, path or "/", canonical_query, canonical_headers,
                           ";".join(names), payload_hash])
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return hmac.new(secret.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def _enc(value: str) -> str:
    return quote(value, safe="~")


def template_params(raw: str) -> dict[str, str]:
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise SmsError("isv.INVALID_JSON_PARAM", "TemplateParam is not JSON") from None
    if not isinstance(data, dict):
        raise SmsError("isv.INVALID_JSON_PARAM", "TemplateParam is not a JSON object")
    return {str(k): str(v) for k, v in data.items()}


def fill(template: str, params: Mapping[str, str]) -> str:
    missing = [n for n in re.findall(r"\$\{(\w+)\}", template) if n not in params]
    if missing:
        raise SmsError("isv.TEMPLATE_MISSING_PARAMETERS", f"missing template parameter "
                       f"{missing[0]!r}")
    return re.sub(r"\$\{(\w+)\}", lambda m: params[m.group(1)], template)


__all__ = ["HTTP_STATUS", "SmsError", "acs3_signature", "fill", "template_params"]
