"""A local SMS gateway speaking Alibaba Cloud's SMS API (Dysmsapi 2017-05-25).

``SendSms`` and ``QuerySendDetails`` over real HTTP on loopback, ACS3-HMAC-SHA256
signatures checked with the keys it was given, answers and error codes in Alibaba's shape
(business refusals such as ``isv.MOBILE_NUMBER_ILLEGAL`` come back with HTTP 200 and their
``Code``; signature and server errors as 4xx/5xx JSON). It keeps what it accepted and takes
faults. Used by `icpsim sms-gateway`, embedded in `serve`, one per scenario, and by tests.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request, Response

from .httpserve import LocalServer
from .smsapi import HTTP_STATUS, SmsError, acs3_signature, fill, template_params

VERSION = "2017-05-25"
MODES = ("up", "down", "fail")
DEFAULT_TEMPLATES = {
    "SMS_900001": "${text}",  # notifications: the short text icpsim renders
    "SMS_900002": "${text}",  # mobile verification links
}
_MOBILE = re.compile(r"^(?:\+?86)?(1\d{10})$")


@dataclass(frozen=True)
class ReceivedSms:
    """One message the gateway accepted for one phone number."""

    biz_id: str
    phone: str
    sign_name: str
    template_code: str
    params: Mapping[str, str]
    content: str
    out_id: str
    received_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {"biz_id": self.biz_id, "phone": self.phone, "sign_name": self.sign_name,
                "template_code": self.template_code, "params": dict(self.params),
                "content": self.content, "out_id": self.out_id,
                "received_at": self.received_at.isoformat()}


@dataclass
class _Faults:
    mode: str = "up"
    code: str = "isv.BUSINESS_LIMIT_CONTROL"
    count: int | None = None  # fail: how many more sends; None = until up


class SmsGateway:
    def __init__(self, *, access_key_id: str, access_key_secret: str, host: str = "127.0.0.1",
                 port: int = 0, sign_names: tuple[str, ...] = ("ICPSim",),
                 templates: Mapping[str, str] | None = None, store: Path | None = None,
                 clock: Callable[[], datetime] | None = None):
        if not access_key_id or not access_key_secret:
            raise ValueError("the SMS gateway needs an access key id and secret")
        self.keys = {access_key_id: access_key_secret}
        self.host, self.port = host, port
        self.sign_names = sign_names
        self.templates = dict(templates or DEFAULT_TEMPLATES)
        self.store = store
        self.clock = clock or (lambda: datetime.now(UTC))
        self.received: list[ReceivedSms] = []
        self.refused: list[tuple[str, str]] = []  # (phone numbers, code)
        self.faults = _Faults()
        self._lock = threading.Lock()
        self._server = LocalServer(self._wsgi, host=host, port=port, name="sms-gateway")

    # lifecycle -----------------------------------------------------------------------
    def start(self) -> SmsGateway:
        self._server.start()
        self.port = self._server.port
        return self

    def stop(self) -> None:
        self._server.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def set_mode(self, mode: str, *, code: str | None = None, count: int | None = None) -> None:
        """``up``; ``down`` (every call answers 503 ServiceUnavailable); ``fail`` (the next
        ``count`` sends, or all until ``up``, are refused with ``code``)."""
        if mode not in MODES:
            raise ValueError(f"unknown SMS gateway mode {mode!r}: choose from {MODES}")
        with self._lock:
            self.faults = _Faults(mode=mode, code=code or "isv.BUSINESS_LIMIT_CONTROL",
                                  count=count)

    def messages(self, phone: str | None = None) -> list[ReceivedSms]:
        with self._lock:
            return [m for m in self.received if phone is None or m.phone == phone]

    # HTTP ----------------------------------------------------------------------------
    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        request_id = str(uuid.uuid4()).upper()
        try:
            body = self._handle(request, request_id)
            response = Response(json.dumps(body, ensure_ascii=False), 200,
                                mimetype="application/json")
        except SmsError as exc:
            payload = {"RequestId": request_id, "Code": exc.code, "Message": exc.message}
            if exc.status != 200:
                payload.update(HostId=request.host, Recommend="")
            response = Response(json.dumps(payload, ensure_ascii=False), exc.status,
                                mimetype="application/json")
        except Exception as exc:  # any crash still answers in the API's JSON shape
            payload = {"RequestId": request_id, "HostId": request.host,
                       "Code": "InternalError", "Message": f"{type(exc).__name__}",
                       "Recommend": ""}
            response = Response(json.dumps(payload), 500, mimetype="application/json")
        return response(environ, start_response)

    def _handle(self, request: Request, request_id: str) -> dict[str, Any]:
        if request.method != "POST":
            raise SmsError("UnsupportedHTTPMethod", "use POST", 405)
        params = {**request.args.to_dict(), **request.form.to_dict()}
        action = request.headers.get("x-acs-action") or params.get("Action", "")
        self._check_signature(request)
        if (request.headers.get("x-acs-version") or params.get("Version")) != VERSION:
            raise SmsError("InvalidVersion", f"Specified version is not valid; use {VERSION}",
                           400)
        with self._lock:
            if self.faults.mode == "down":
                raise SmsError("ServiceUnavailable", "The request has failed due to a "
                               "temporary failure of the server.", 503)
        if action == "SendSms":
            return self._send(params, request_id)
        if action == "QuerySendDetails":
            return self._query(params, request_id)
        raise SmsError("InvalidAction.NotFound", f"Specified api {action!r} is not found", 404)

    def _check_signature(self, request: Request) -> None:
        auth = request.headers.get("Authorization", "")
        match = re.fullmatch(r"ACS3-HMAC-SHA256 Credential=([^,]*),SignedHeaders=([^,]*),"
                             r"Signature=([0-9a-f]+)", auth)
        if not match:
            raise SmsError("MissingParameter", "the request is not signed (ACS3-HMAC-SHA256)",
                           400)
        key_id, signed, signature = match.groups()
        secret = self.keys.get(key_id)
        if secret is None:
            raise SmsError("InvalidAccessKeyId.NotFound", "Specified access key is not found.",
                           404)
        payload = hashlib.sha256(request.get_data()).hexdigest()
        if request.headers.get("x-acs-content-sha256", "") != payload:
            raise SmsError("SignatureDoesNotMatch", "the body does not match its hash", 400)
        expected = acs3_signature(secret, method=request.method, path=request.path,
                                  query=request.args.to_dict(),
                                  headers={h: request.headers.get(h, "")
                                           for h in signed.split(";")},
                                  payload_hash=payload)
        if not hmac.compare_digest(expected, signature):
            raise SmsError("SignatureDoesNotMatch", "Specified signature is not matched with "
                           "our calculation.", 400)

    def _send(self, params: Mapping[str, str], request_id: str) -> dict[str, Any]:
        phones = [p.strip() for p in params.get("PhoneNumbers", "").split(",") if p.strip()]
        sign, code = params.get("SignName", ""), params.get("TemplateCode", "")
        try:
            self._check_send(phones, sign, code)
            values = template_params(params.get("TemplateParam", ""))
            content = fill(self.templates[code], values)
            with self._lock:
                self._take_fault()
        except SmsError as exc:
            with self._lock:
                self.refused.append((",".join(phones), exc.code))
            raise
        biz_id = f"{uuid.uuid4().int % 10**18:018d}^0"
        now = self.clock()
        sent = [ReceivedSms(biz_id=biz_id, phone=_MOBILE.match(p).group(1),  # type: ignore
                            sign_name=sign, template_code=code, params=values,
                            content=f"【{sign}】{content}", out_id=params.get("OutId", ""),
                            received_at=now) for p in phones]
        with self._lock:
            self.received.extend(sent)
            if self.store is not None:
                self.store.parent.mkdir(parents=True, exist_ok=True)
                with self.store.open("a", encoding="utf-8") as f:
                    for m in sent:
                        f.write(json.dumps(m.as_json(), ensure_ascii=False) + "\n")
        return {"RequestId": request_id, "Code": "OK", "Message": "OK", "BizId": biz_id}

    def _check_send(self, phones: list[str], sign: str, code: str) -> None:
        if not phones or len(phones) > 1000:
            raise SmsError("isv.MOBILE_COUNT_OVER_LIMIT" if phones else "MissingPhoneNumbers",
                           "give 1 to 1000 phone numbers")
        bad = [p for p in phones if not _MOBILE.match(p)]
        if bad:
            raise SmsError("isv.MOBILE_NUMBER_ILLEGAL", f"illegal mobile number {bad[0]!r}")
        if sign not in self.sign_names:
            raise SmsError("isv.SMS_SIGNATURE_ILLEGAL", f"illegal sign name {sign!r}")
        if code not in self.templates:
            raise SmsError("isv.SMS_TEMPLATE_ILLEGAL", f"illegal template {code!r}")

    def _take_fault(self) -> None:
        f = self.faults
        if f.mode != "fail":
            return
        if f.count is not None:
            if f.count <= 0:
                self.faults = _Faults()
                return
            f.count -= 1
        raise SmsError(f.code, f"refused by the gateway's fault setting ({f.code})",
                       HTTP_STATUS.get(f.code, 200))

    def _query(self, params: Mapping[str, str], request_id: str) -> dict[str, Any]:
        phone = params.get("PhoneNumber", "")
        day = params.get("SendDate", "")
        if not phone or not re.fullmatch(r"\d{8}", day):
            raise SmsError("isv.INVALID_PARAMETERS", "PhoneNumber and SendDate (yyyyMMdd) "
                           "are required")
        try:
            size = min(max(int(params.get("PageSize", "10")), 1), 50)
            page = max(int(params.get("CurrentPage", "1")), 1)
        except ValueError:
            raise SmsError("isv.INVALID_PARAMETERS", "PageSize and CurrentPage are "
                           "numbers") from None
        biz = params.get("BizId")
        found = [m for m in self.messages(phone) if f"{m.received_at:%Y%m%d}" == day
                 and (not biz or m.biz_id == biz)]
        rows = found[(page - 1) * size: page * size]
        return {"RequestId": request_id, "Code": "OK", "Message": "OK",
                "TotalCount": len(found), "SmsSendDetailDTOs": {"SmsSendDetailDTO": [
                    {"PhoneNum": m.phone, "SendStatus": 3, "ErrCode": "DELIVERED",
                     "TemplateCode": m.template_code, "Content": m.content, "OutId": m.out_id,
                     "SendDate": f"{m.received_at:%Y-%m-%d %H:%M:%S}",
                     "ReceiveDate": f"{m.received_at:%Y-%m-%d %H:%M:%S}"} for m in rows]}}


__all__ = ["DEFAULT_TEMPLATES", "MODES", "ReceivedSms", "SmsGateway", "acs3_signature"]
