"""Endpoints for load balancers and monitoring: /health, /ready and /metrics.

They answer before the console's sign-in and CSRF (a probe has no session), so they
live in a small WSGI app of their own that the server puts in front of the console.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .migrate import current_revision, head_revision

OPS_PATHS = frozenset({"/health", "/ready", "/metrics"})
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def ops_app(system: Any) -> WsgiApp:
    """/health: the process answers. /ready: the database answers and is at the newest
    migration. /metrics: Prometheus text (prometheus-client's WSGI app)."""
    from prometheus_client import make_wsgi_app

    from notify.metrics import registry_for

    app = Flask(__name__)
    metrics = make_wsgi_app(registry=registry_for(system.db))

    @app.get("/health")
    def health() -> Any:
        return jsonify(status="ok")

    @app.get("/ready")
    def ready() -> Any:
        try:
            with system.db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
                at = current_revision(conn)
        except SQLAlchemyError as exc:
            return _not_ready("database_unreachable",
                              f"the database does not answer: {type(exc).__name__}")
        head = head_revision()
        if at != head:
            return _not_ready("migrations_pending",
                              f"the database is at migration {at or 'none'}, the code "
                              f"needs {head}: run `icpsim db upgrade`")
        return jsonify(status="ready", migration=head)

    return _route_metrics(app, metrics)


def _not_ready(code: str, message: str) -> Any:
    response = jsonify(status="not_ready", code=code, message=message)
    response.status_code = 503
    return response


def _route_metrics(flask_wsgi: WsgiApp, metrics: WsgiApp) -> WsgiApp:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/metrics":
            return metrics(environ, start_response)
        return flask_wsgi(environ, start_response)

    return app


def with_ops(console: WsgiApp, ops: WsgiApp) -> WsgiApp:
    """One WSGI app: the ops paths to ``ops``, everything else to the console."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        target = ops if environ.get("PATH_INFO") in OPS_PATHS else console
        return target(environ, start_response)

    return app


__all__ = ["OPS_PATHS", "ops_app", "with_ops"]
