"""Mounts the HTTP APIs in front of the console: ``/`` with an Alibaba action goes to the
RPC endpoint, ``/_icpsim/...`` to the control API, everything else to the console."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask

from .control import create_control_app
from .rpc.endpoint import create_rpc_app
from .rpc.security import ApiSecurity
from .services import EXTENSION

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class ApiDispatcher:
    def __init__(self, console: WSGIApp, *, rpc: WSGIApp, control: WSGIApp):
        self.console, self.rpc, self.control = console, rpc, control

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        if path == "/_icpsim" or path.startswith("/_icpsim/"):
            return self.control(environ, start_response)
        if path == "/" and ("HTTP_X_ACS_ACTION" in environ
                            or "Action=" in environ.get("QUERY_STRING", "")):
            return self.rpc(environ, start_response)
        return self.console(environ, start_response)


def mount_apis(app: Flask) -> None:
    system = app.extensions[EXTENSION]
    api = ApiSecurity.for_system(system)
    rpc = create_rpc_app(system, api)
    control = create_control_app(system, api, console=app)
    app.extensions["icpsim_api"] = api
    app.wsgi_app = ApiDispatcher(app.wsgi_app, rpc=rpc.wsgi_app,  # type: ignore[method-assign]
                                 control=control.wsgi_app)


__all__ = ["ApiDispatcher", "mount_apis"]
