"""Refusals of the Alibaba-compatible endpoint, and domain errors mapped to Alibaba codes.

Every answer of the endpoint that is not a success goes through ``ApiError`` so the
official SDKs always read ``{"RequestId", "HostId", "Code", "Message", "Recommend"}``.
"""

from __future__ import annotations

from workflow.errors import Conflict, IcpsimError, NotFound


class ApiError(Exception):
    """An Alibaba-shaped refusal: a ``code``, a human ``message`` and an HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400, *,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.headers = headers or {}  # sent with the answer (Retry-After)


def signature_mismatch(message: str) -> ApiError:
    return ApiError("SignatureDoesNotMatch", message, 400)


def incomplete_signature(message: str) -> ApiError:
    return ApiError("IncompleteSignature", message, 400)


def unknown_key(key_id: str) -> ApiError:
    return ApiError("InvalidAccessKeyId.NotFound",
                    f"the access key {key_id!r} does not exist", 404)


def missing(name: str) -> ApiError:
    return ApiError("MissingParameter", f"the parameter {name} is required", 400)


def invalid(name: str, why: str) -> ApiError:
    return ApiError("InvalidParameter", f"the parameter {name} {why}", 400)


# Product errors with a code Alibaba documents for the same case.
ALIBABA_CODES = {
    "resend_limited": "SendValidateCodeExceedsLimitForAccount",
}


def from_domain(exc: IcpsimError) -> ApiError:
    """A domain refusal as the endpoint answers it: same meaning, Alibaba's shape."""
    code = ALIBABA_CODES.get(exc.code, exc.code)
    if isinstance(exc, NotFound):
        status = 404
    elif exc.http_status == 429:
        status = 429
    elif isinstance(exc, Conflict):
        status = 409
    else:
        status = 400
    return ApiError(code, exc.message, status)


__all__ = ["ALIBABA_CODES", "ApiError", "from_domain", "incomplete_signature", "invalid",
           "missing", "signature_mismatch", "unknown_key"]
