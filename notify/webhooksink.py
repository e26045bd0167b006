"""A local webhook receiver: records every call robots make and checks its signature.

Real HTTP on loopback (like the mail sink for email): `icpsim webhook-sink`, embedded in
`serve`, one per scenario, and in tests. ``lookup`` names the robot type and secret
configured for a path, so the receiver can tell valid, invalid and missing signatures.
Faults: ``down`` (connections refused), ``fail`` (answer ``status`` to the next ``count``
calls), ``hang`` (answer only after ``seconds``: the sender's timeout).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request, Response

from .httpserve import LocalServer
from .robots import DELIVERY_HEADER, check_signature

log = logging.getLogger(__name__)
MODES = ("up", "down", "fail", "hang")
Lookup = Callable[[str], "tuple[str, str | None] | None"]  # URL -> (type, secret)


@dataclass(frozen=True)
class ReceivedCall:
    path: str
    url: str  # without the query (what a webhook is configured with)
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    robot: str | None  # the configured type, when known
    signature: str  # valid | invalid | none | unknown (no robot configured there)
    status: int  # what the receiver answered
    received_at: datetime

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def as_json(self) -> dict[str, Any]:
        delivery = next((v for k, v in self.headers.items()
                         if k.lower() == DELIVERY_HEADER.lower()), None)
        return {"path": self.path, "url": self.url, "robot": self.robot, "delivery": delivery,
                "headers": dict(self.headers), "signature": self.signature,
                "status": self.status, "body": self.text,
                "received_at": self.received_at.isoformat()}


class WebhookSink:
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0,
                 lookup: Lookup | None = None, store: Path | None = None,
                 clock: Callable[[], datetime] | None = None):
        self.lookup = lookup or (lambda url: None)
        self.store = store
        self.clock = clock or (lambda: datetime.now(UTC))
        self.calls: list[ReceivedCall] = []
        self.mode, self.status, self.seconds = "up", 500, 0.0
        self.count: int | None = None
        self._lock = threading.Lock()
        self._server = LocalServer(self._wsgi, host=host, port=port, name="webhook-sink")

    def start(self) -> WebhookSink:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def url(self) -> str:
        return f"http://{self._server.host}:{self._server.port}"

    def hook_url(self, name: str) -> str:
        """A receiving URL for a robot called ``name``."""
        return f"{self.url}/hook/{name}"

    def set_mode(self, mode: str, *, status: int | None = None, count: int | None = None,
                 seconds: float | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown webhook receiver mode {mode!r}: choose from {MODES}")
        with self._lock:
            self.mode, self.status, self.count = mode, status or 500, count
            self.seconds = seconds if seconds is not None else 5.0
        if mode == "down" and self._server.running:
            self._server.stop()
        elif mode != "down" and not self._server.running:
            self._server.start()

    def received(self) -> list[ReceivedCall]:
        with self._lock:
            return list(self.calls)

    def _answer(self) -> tuple[int, float]:
        with self._lock:
            if self.mode in ("fail", "hang"):
                if self.count is not None:
                    if self.count <= 0:
                        self.mode = "up"
                        return 200, 0.0
                    self.count -= 1
                return (self.status, 0.0) if self.mode == "fail" else (200, self.seconds)
            return 200, 0.0

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        body = request.get_data()
        url = f"{self.url}{request.path}"
        try:
            known = self.lookup(url)
        except Exception:  # no database yet, or it is busy: the call is still recorded
            log.exception("cannot look up the robot configured at %s", url)
            known = None
        robot, secret = known if known is not None else (None, None)
        if robot is None:
            signature = "unknown"
        else:
            try:
                signature = check_signature(robot, secret, query=request.args.to_dict(),
                                            headers=dict(request.headers), body=body)
            except (ValueError, OverflowError):
                signature = "invalid"
        status, delay = self._answer()
        if delay:
            time.sleep(delay)
        call = ReceivedCall(path=request.path, url=url, query=request.args.to_dict(),
                            headers=dict(request.headers), body=body, robot=robot,
                            signature=signature, status=status, received_at=self.clock())
        with self._lock:
            self.calls.append(call)
            if self.store is not None:
                self.store.parent.mkdir(parents=True, exist_ok=True)
                with self.store.open("a", encoding="utf-8") as f:
                    f.write(json.dumps(call.as_json(), ensure_ascii=False) + "\n")
        answer = {"errcode": 0, "errmsg": "ok"} if status < 300 else {
            "errcode": status, "errmsg": "refused by the receiver's fault setting"}
        return Response(json.dumps(answer), status, mimetype="application/json")(
            environ, start_response)


__all__ = ["MODES", "ReceivedCall", "WebhookSink"]
