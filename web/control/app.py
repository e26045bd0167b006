"""The control API app: bearer-token auth, validated JSON bodies, JSON errors, its OpenAPI.

flask-openapi3 validates each request against the same pydantic models it documents
(OpenAPI 3.1), on plain Flask: the control API is a small Flask app of its own, mounted
beside the console, so no console rule (CSRF, sign-in) reaches it.
"""

from __future__ import annotations

import copy
import hmac
import logging
from typing import Any

from flask import Response, current_app, jsonify, request
from flask_openapi3 import Info, OpenAPI
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from workflow.errors import IcpsimError

from ..rpc.security import EXTENSION as API_EXTENSION
from ..rpc.security import ApiSecurity
from ..services import EXTENSION
from . import routes

log = logging.getLogger(__name__)
PREFIX = "/_icpsim"
OPEN = {f"{PREFIX}/v1/health", f"{PREFIX}/openapi.json"}
CONSOLE = "icpsim_console"


def create_control_app(system: Any, api: ApiSecurity, *, console: Any = None) -> OpenAPI:
    app = OpenAPI(__name__, info=Info(title="icpsim control API", version="1"),
                  security_schemes={"bearer": {"type": "http", "scheme": "bearer"}},
                  doc_ui=False, validation_error_status=400,
                  validation_error_callback=_invalid)
    app.config["MAX_CONTENT_LENGTH"] = 1 << 20
    app.extensions[EXTENSION] = system
    app.extensions[API_EXTENSION] = api
    app.extensions[CONSOLE] = console
    app.before_request(_check_token)
    routes.register(app)
    app.add_url_rule(f"{PREFIX}/openapi.json", "openapi", lambda: jsonify(_document(app)))
    app.register_error_handler(IcpsimError, _refused)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(Exception, _crash)
    return app


def _document(app: OpenAPI) -> dict[str, Any]:
    doc = copy.deepcopy(app.api_doc)
    run = doc.get("paths", {}).get(f"{PREFIX}/v1/scenarios/run", {}).get("post")
    if run is not None:  # the scenario file is YAML text, not a JSON model
        run["requestBody"] = {"required": True, "content": {
            "application/yaml": {"schema": {"type": "string"}}}}
    return doc


def _check_token() -> Response | None:
    if request.path in OPEN:
        return None
    token = current_app.extensions[EXTENSION].config.admin_token
    given = request.headers.get("Authorization", "")
    scheme, _, value = given.partition(" ")
    if not token or scheme.lower() != "bearer" or not hmac.compare_digest(
            value.strip().encode(), token.encode()):
        return error("unauthorized", "send Authorization: Bearer <admin token> (printed by "
                     "`icpsim serve` at first start, or ICPSIM_ADMIN_TOKEN)", 401)
    return None


def error(code: str, message: str, status: int, **extra: Any) -> Response:
    response = jsonify({"code": code, "message": message, **extra})
    response.status_code = status
    return response


def _invalid(exc: ValidationError) -> Response:
    problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}"
                         for e in exc.errors())
    return error("invalid_data", problems or "the request is not valid", 400)


def _refused(exc: IcpsimError) -> Response:
    status = exc.http_status if exc.http_status in (400, 401, 404, 409) else (
        409 if exc.http_status == 429 else 400)
    return error(exc.code, exc.message, status)


def _http(exc: HTTPException) -> Response:
    codes = {404: "not_found", 405: "method_not_allowed", 413: "too_large",
             415: "unsupported_media_type"}
    status = exc.code or 400
    return error(codes.get(status, "invalid_request"), exc.description or exc.name,
                 status if status < 500 else 400)


def _crash(exc: Exception) -> Response:
    log.exception("control API call failed")
    return error("internal_error", "the server failed to answer", 500)


__all__ = ["PREFIX", "create_control_app", "error"]
