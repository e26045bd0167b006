"""The SMS sender: Alibaba Cloud's official SDK (Dysmsapi 2017-05-25 ``SendSms``) on a
configurable endpoint, its answers classified like SMTP replies (docs/behaviour.md).

Throttling, flow control and server errors are temporary (retried with the email
policy); illegal numbers, signature, template and key errors are permanent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from workflow.config import Config, ConfigError

from .models import Delivery
from .senders import PermanentFailure, SendFailure, TemporaryFailure

# The SDK (with its HTTP stack) is imported when the first SMS is sent: the commands and
# processes that never send one (scenario runs, simulations, the console) skip its cost.
if TYPE_CHECKING:
    from alibabacloud_dysmsapi20170525.client import Client
    from alibabacloud_tea_openapi.exceptions import AlibabaCloudException

MAX_LATIN, MAX_CJK = 160, 70  # one message part (docs/behaviour.md)
TEMPORARY_CODES = frozenset({
    "isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL", "isp.SYSTEM_ERROR",
    "isp.RAM_PERMISSION_DENY_TEMP", "ServiceUnavailable", "InternalError",
    "isv.OUT_OF_SERVICE", "isv.AMOUNT_NOT_ENOUGH", "SignatureNonceUsed",
})


def classify(code: str, status: int | None = None) -> type[SendFailure]:
    """Temporary: throttling, flow control, server trouble; permanent: everything else the
    gateway refused (numbers, signs, templates, keys, parameters)."""
    if code in TEMPORARY_CODES or code.startswith(("Throttling", "isp.")):
        return TemporaryFailure
    if status is not None and (status >= 500 or status == 429):
        return TemporaryFailure
    return PermanentFailure


def short_text(text: str) -> str:
    """One SMS part: at most 160 Latin or 70 Chinese characters, cut with an ellipsis."""
    text = " ".join(text.split())
    limit = MAX_LATIN if text.isascii() else MAX_CJK
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class SmsTarget:
    endpoint: str  # host[:port]
    protocol: str  # http | https
    access_key_id: str
    access_key_secret: str
    sign_name: str
    template_notification: str
    template_verification: str
    timeout_ms: int = 10_000

    @classmethod
    def from_config(cls, config: Config) -> SmsTarget:
        parts = urlsplit(config.sms_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"ICPSIM_SMS_URL={config.sms_url!r} is not an http:// or "
                              "https:// URL", field="ICPSIM_SMS_URL")
        return cls(endpoint=parts.netloc, protocol=parts.scheme,
                   access_key_id=config.sms_access_key_id,
                   access_key_secret=config.sms_access_key_secret,
                   sign_name=config.sms_sign_name,
                   template_notification=config.sms_template_notification,
                   template_verification=config.sms_template_verification,
                   timeout_ms=int(config.webhook_timeout.total_seconds() * 1000))


class SmsSender:
    """One SDK client, built on first use; ``deliver`` sends one SMS of one delivery."""

    def __init__(self, target: SmsTarget):
        self.target = target
        self._client: Client | None = None

    @classmethod
    def from_config(cls, config: Config) -> SmsSender:
        return cls(SmsTarget.from_config(config))

    def _sdk(self) -> Client:
        if self._client is None:
            from alibabacloud_dysmsapi20170525.client import Client
            from alibabacloud_tea_openapi.models import Config as SdkConfig

            t = self.target
            if not t.access_key_id or not t.access_key_secret:
                raise PermanentFailure("no SMS access key configured: set "
                                       "ICPSIM_SMS_ACCESS_KEY_ID and ICPSIM_SMS_ACCESS_KEY_SECRET")
            self._client = Client(SdkConfig(
                access_key_id=t.access_key_id, access_key_secret=t.access_key_secret,
                endpoint=t.endpoint, protocol=t.protocol))
        return self._client

    def deliver(self, delivery: Delivery, text: str) -> str:
        """Send ``text`` to the delivery's mobile; the gateway's BizId on success, else
        TemporaryFailure or PermanentFailure with the gateway's code."""
        from alibabacloud_dysmsapi20170525.models import SendSmsRequest
        from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
        from darabonba.runtime import RuntimeOptions

        t = self.target
        template = (t.template_verification if delivery.kind == "verification"
                    else t.template_notification)
        request = SendSmsRequest(
            phone_numbers=delivery.to_address or "", sign_name=t.sign_name,
            template_code=template, out_id=str(delivery.id or ""),
            template_param=json.dumps({"text": short_text(text)}, ensure_ascii=False))
        runtime = RuntimeOptions(autoretry=False, read_timeout=t.timeout_ms,
                                 connect_timeout=t.timeout_ms)
        try:
            response = self._sdk().send_sms_with_options(request, runtime)
        except AlibabaCloudException as exc:
            code = str(exc.code or "")
            raise classify(code, exc.status_code)(
                f"{code} (HTTP {exc.status_code}): {_message(exc)}"[:500]) from exc
        except SendFailure:
            raise
        except Exception as exc:  # connection refused, timeout, a body that is not JSON
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}"[:500]) from exc
        body = response.body
        code = str(getattr(body, "code", "") or "")
        if code != "OK":
            raise classify(code)(f"{code}: {getattr(body, 'message', '')}"[:500])
        return f"accepted by the SMS gateway (BizId {body.biz_id})"

    def close(self) -> None:
        self._client = None


def _message(exc: AlibabaCloudException) -> str:
    data = getattr(exc, "data", None)
    if isinstance(data, dict) and data.get("Message"):
        return str(data["Message"])
    return str(exc.message or exc)


__all__ = ["SmsSender", "SmsTarget", "classify", "short_text"]
