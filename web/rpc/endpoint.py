"""The Alibaba-compatible RPC endpoint: a small Flask app answering ``/`` for the SDKs.

It is its own app (mounted in front of the console by ``web.api_mount``) so no console
rule reaches it: no CSRF, no sign-in redirect, no HTML error page. Every answer is JSON;
every refusal has Alibaba's error shape.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from flask import Flask, Response, request
from orjson import dumps
from werkzeug.exceptions import HTTPException

from workflow.errors import IcpsimError

from ..services import EXTENSION, services
from .errors import ApiError, from_domain, unknown_key
from .idempotency import Answer, params_hash
from .params import Params
from .registry import PRODUCTS, Call, load_all
from .replay import check_date
from .security import ApiSecurity, security
from .signature import canonical_request, check_payload, parse_authorization, verify

log = logging.getLogger(__name__)
HOST_ID = "icpsim.local"
MAX_BODY = 1 << 20
RECOMMEND = "icpsim README: Use your Alibaba Cloud SDK code against icpsim"


def create_rpc_app(system: Any, api: ApiSecurity) -> Flask:
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.extensions[EXTENSION] = system
    app.extensions["icpsim_api"] = api
    load_all()
    app.add_url_rule("/", "rpc", rpc, methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    app.register_error_handler(Exception, _crash)
    return app


def rpc() -> Response:
    request_id = str(uuid.uuid4()).upper()
    try:
        status, body = _answer()
    except ApiError as exc:
        status, body = exc.status, _error(exc)
        if exc.headers:
            return _respond(body, status, request_id, exc.headers)
    return _respond(body, status, request_id)


def _respond(body: dict[str, Any], status: int, request_id: str,
             headers: dict[str, str] | None = None) -> Response:
    body["RequestId"] = request_id
    if status >= 400:
        body["HostId"] = HOST_ID
    return Response(dumps(body), status=status, mimetype="application/json", headers=headers)


def _answer() -> tuple[int, dict[str, Any]]:
    if request.method not in ("GET", "POST"):
        raise ApiError("UnsupportedHTTPMethod",
                       f"{request.method} is not supported: send POST (or GET)", 405)
    name = request.headers.get("x-acs-action") or request.args.get("Action")
    version = request.headers.get("x-acs-version") or request.args.get("Version")
    if not version:
        raise ApiError("MissingParameter", "the action's version (x-acs-version) is required",
                       400)
    if version not in PRODUCTS:
        raise ApiError("InvalidVersion", f"version {version!r} is not one of "
                       f"{', '.join(sorted(PRODUCTS))}", 400)
    if not name:
        raise ApiError("MissingParameter", "the action (x-acs-action) is required", 400)
    found = load_all().get((version, name))
    if found is None:
        raise ApiError("InvalidAction.NotFound", f"{PRODUCTS[version]} {version} has no "
                       f"action {name!r}", 404)
    api = security()
    account_id = _authenticate(api)
    params = Params({**request.args.to_dict(), **request.form.to_dict()})
    call = Call(account_id, params, services(), api.clock.now(), name)
    token = params.text("ClientToken") if found.client_token else None
    if not token:
        return 200, _run(found.handler, call, writes=found.writes, atomic=found.atomic)
    key = (account_id, name, token)
    stored = api.idempotency.begin(*key, params_hash(params.raw))
    if stored is not None:
        return stored.status, dict(stored.body)
    try:
        body = _run(found.handler, call, writes=found.writes, atomic=found.atomic)
    except BaseException:
        api.idempotency.abandon(*key)
        raise
    api.idempotency.finish(*key, Answer(200, body))
    return 200, body


def _run(handler: Any, call: Call, *, writes: bool, atomic: bool) -> dict[str, Any]:
    try:
        if atomic:
            with call.system.db.atomic():
                body = handler(call)
        else:
            body = handler(call)
    except IcpsimError as exc:
        raise from_domain(exc) from None
    if writes:  # what the call queued (a verification email) is handed on at once
        call.system.run_due()
    return {"Success": True, "Code": "200", "Message": "success", **body}


def _authenticate(api: ApiSecurity) -> str:
    """The account of the signing key; every check of the ACS3 signature on the way, then
    the account's call allowance, in one short transaction (the key's row, the nonce and
    the allowance)."""
    environ = request.environ
    header = _header_reader(environ)
    auth = parse_authorization(environ.get("HTTP_AUTHORIZATION"))
    payload = check_payload(request.get_data(cache=True),
                            environ.get("HTTP_X_ACS_CONTENT_SHA256"))
    with api.keys.db.raw_transaction() as tx:
        key = api.keys.lookup(auth.key_id, tx)
        if key is None:
            raise unknown_key(auth.key_id)
        canonical = canonical_request(
            method=request.method, path=request.path, query=request.args.to_dict(),
            header=header, signed_headers=auth.signed_headers, payload_hash=payload)
        verify(auth, canonical, key.secret)
        check_date(environ.get("HTTP_X_ACS_DATE"), api.clock.now(), also=api.wall_time())
        api.nonces.claim(environ.get("HTTP_X_ACS_SIGNATURE_NONCE"), key.id, tx)
        api.throttle.take(key.account_id, tx)
    return key.account_id


_UNPREFIXED = frozenset({"CONTENT_TYPE", "CONTENT_LENGTH"})


def _header_reader(environ: dict[str, Any]) -> Any:
    """``getlist`` of a request header by name, read straight from the WSGI environ (as
    Werkzeug's headers do it, without walking every header on each look-up)."""

    def getlist(name: str) -> list[str]:
        key = name.upper().replace("-", "_")
        value = environ.get(key if key in _UNPREFIXED else "HTTP_" + key)
        return [] if value is None else [value]

    return getlist


def _error(exc: ApiError) -> dict[str, Any]:
    return {"Code": exc.code, "Message": exc.message,
            "Recommend": RECOMMEND}


def _crash(exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        error = ApiError("InvalidParameter" if (exc.code or 500) < 500 else "InternalError",
                         exc.description or exc.name, exc.code or 500)
    else:
        log.exception("RPC call failed")
        error = ApiError("InternalError", "the server failed to answer; nothing was changed "
                         "by the failed step", 500)
    body = {"RequestId": str(uuid.uuid4()).upper(), "HostId": HOST_ID, **_error(error)}
    return Response(dumps(body), status=error.status, mimetype="application/json")


__all__ = ["create_rpc_app"]
