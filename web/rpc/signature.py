"""ACS3-HMAC-SHA256 request signatures, checked the way the official SDKs make them.

The canonical request is ``METHOD\\n/\\nQUERY\\nHEADERS\\nSIGNED_HEADERS\\nPAYLOAD_HASH``
(``alibabacloud_openapi_util``): query keys sorted, values percent-encoded with only
``~`` safe; every header named in ``SignedHeaders`` lower-cased as ``name:value``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from .errors import incomplete_signature, signature_mismatch

ALGORITHM = "ACS3-HMAC-SHA256"


@dataclass(frozen=True)
class Authorization:
    key_id: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(value: str | None) -> Authorization:
    """The parts of an ``Authorization: ACS3-HMAC-SHA256 Credential=...`` header."""
    if not value:
        raise incomplete_signature("the request carries no Authorization header")
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise incomplete_signature(f"the signature algorithm must be {ALGORITHM}")
    parts: dict[str, str] = {}
    for item in rest.split(","):
        name, sep, val = item.strip().partition("=")
        if sep:
            parts[name] = val
    key_id, signed, signature = (parts.get("Credential"), parts.get("SignedHeaders"),
                                 parts.get("Signature"))
    if not key_id or not signed or not signature:
        raise incomplete_signature(
            "the Authorization header needs Credential, SignedHeaders and Signature")
    headers = tuple(h for h in signed.split(";") if h)
    for required in ("host", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"):
        if required not in headers:
            raise incomplete_signature(f"the header {required} must be signed")
    return Authorization(key_id, headers, signature)


def canonical_request(*, method: str, path: str, query: Mapping[str, str],
                      header: Callable[[str], list[str]], signed_headers: tuple[str, ...],
                      payload_hash: str) -> str:
    canon_query = "&".join(f"{k}={quote(query[k], safe='~', encoding='utf-8')}"
                           for k in sorted(query))
    canon_headers = "".join(
        f"{name}:{','.join(sorted(v.strip() for v in header(name)))}\n"
        for name in sorted(signed_headers))
    return "\n".join([method, path or "/", canon_query, canon_headers,
                      ";".join(sorted(signed_headers)), payload_hash])


def expected_signature(canonical: str, secret: str) -> str:
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    to_sign = f"{ALGORITHM}\n{digest}"
    return hmac.new(secret.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def check_payload(body: bytes, declared: str | None) -> str:
    """The body's SHA-256 hex digest, which must equal ``x-acs-content-sha256``."""
    actual = hashlib.sha256(body).hexdigest()
    if declared is None:
        raise incomplete_signature("the header x-acs-content-sha256 is missing")
    if not hmac.compare_digest(actual, declared.strip().lower()):
        raise signature_mismatch("the body does not match x-acs-content-sha256")
    return actual


def verify(auth: Authorization, canonical: str, secret: str) -> None:
    if not hmac.compare_digest(expected_signature(canonical, secret), auth.signature.lower()):
        raise signature_mismatch(
            "the request signature does not match the signature computed with the access "
            "key's secret; check the secret and the signing method")


__all__ = ["ALGORITHM", "Authorization", "canonical_request", "check_payload",
           "expected_signature", "parse_authorization", "verify"]
