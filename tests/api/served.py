"""A real `icpsim serve` on a free port, and the official SDK clients pointed at it."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from notify.mailsink import free_port

ROOT = Path(__file__).resolve().parents[2]
ADMIN_TOKEN = "test-admin-token-0123456789"


@dataclass(frozen=True)
class Key:
    id: str
    secret: str


class Served:
    """``icpsim serve`` in a subprocess; ``control()`` calls its control API."""

    def __init__(self, instance: Path, *, simulated_clock: str | None = None,
                 admin_token: str | None = ADMIN_TOKEN, env: dict[str, str] | None = None):
        if admin_token == ADMIN_TOKEN:  # unique: a test never talks to another's server
            admin_token = f"{ADMIN_TOKEN}-{uuid.uuid4().hex}"
        self.log = instance / "serve.log"
        instance.mkdir(parents=True, exist_ok=True)
        self.token = admin_token
        environ = {k: v for k, v in os.environ.items() if not k.startswith("ICPSIM_")}
        environ.update(ICPSIM_INSTANCE_PATH=str(instance), ICPSIM_SECRET_KEY="test",
                       PYTHONUNBUFFERED="1")
        if admin_token is not None:
            environ["ICPSIM_ADMIN_TOKEN"] = admin_token
        environ.update(env or {})
        # A free port can be taken by another process before the server binds it (the
        # machine runs other test suites): try again on new ports.
        for _attempt in range(3):
            self.port, sink_port = _two_free_ports()
            self.base = f"http://127.0.0.1:{self.port}"
            environ["ICPSIM_MAIL_SINK_PORT"] = str(sink_port)
            # The embedded SMS gateway and webhook receiver default to fixed ports (8026,
            # 8027): other servers on the machine may hold them.
            for name in ("ICPSIM_SMS_GATEWAY_PORT", "ICPSIM_WEBHOOK_SINK_PORT"):
                if name not in (env or {}):
                    environ[name] = str(free_port())
            args = [sys.executable, "-m", "web.cli", "serve", "--port", str(self.port)]
            if simulated_clock:
                args += ["--simulated-clock", simulated_clock]
            self._offset = self.log.stat().st_size if self.log.exists() else 0
            with open(self.log, "a") as out:
                self.proc = subprocess.Popen(args, cwd=ROOT, env=environ, stdout=out,
                                             stderr=subprocess.STDOUT)
            if self._wait_up():
                return
            self.proc.kill()
            self.proc.wait(timeout=30)
        raise RuntimeError(f"icpsim serve did not come up: {self.log.read_text()}")

    def _wait_up(self) -> bool:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(self.base + "/_icpsim/v1/health",
                                            timeout=2) as answer:
                    if json.loads(answer.read()) != {"status": "ok"}:
                        continue
                if self.token is None:
                    return True
                return self.control("GET", "/_icpsim/v1/clock")[0] == 200  # ours, not another
            except (OSError, ValueError, http.client.HTTPException):
                time.sleep(0.1)
        return False

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        with open(self.log) as log:  # this server's lines only
            log.seek(self._offset)
            return log.read()

    def control(self, method: str, path: str, body: Any = None, *, token: str | None = None,
                raw: bytes | None = None, content_type: str = "application/json"
                ) -> tuple[int, Any]:
        data = raw if raw is not None else (
            None if body is None else json.dumps(body).encode())
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", content_type)
        bearer = self.token if token is None else token
        if bearer:
            request.add_header("Authorization", f"Bearer {bearer}")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    def account(self, account_id: str, *, email: str | None = None) -> Key:
        status, body = self.control("POST", "/_icpsim/v1/accounts", {
            "id": account_id, "owner": {"name": "Owner " + account_id[:5],
                                        "email": email or f"owner@{account_id}.example"}})
        assert status == 201, body
        return self.key(account_id)

    def key(self, account_id: str) -> Key:
        status, body = self.control("POST", f"/_icpsim/v1/accounts/{account_id}/access-keys")
        assert status == 201, body
        return Key(body["AccessKeyId"], body["AccessKeySecret"])

    def mails(self, **query: str) -> list[dict[str, Any]]:
        qs = "&".join(f"{k}={v}" for k, v in query.items())
        status, body = self.control("GET", f"/_icpsim/v1/mailbox?{qs}")
        assert status == 200, body
        return list(body["emails"])

    def config(self, key: Key) -> Any:
        from alibabacloud_tea_openapi.models import Config

        return Config(access_key_id=key.id, access_key_secret=key.secret,
                      endpoint=f"127.0.0.1:{self.port}", protocol="http",
                      read_timeout=30000, connect_timeout=5000)

    def subscription(self, key: Key) -> Any:
        from alibabacloud_mscopensubscription20210713.client import Client

        return Client(self.config(key))

    def notifications(self, key: Key) -> Any:
        from alibabacloud_notifications20241225.client import Client

        return Client(self.config(key))

    def common_query(self, key: Key) -> Any:
        from alibabacloud_msccommonquery20210407.client import Client

        return Client(self.config(key))


def served_with_receiver(instance: Path, *, allow_hosts: str = "") -> Served:
    """A served instance whose embedded webhook receiver listens on a known port
    (``served.sink`` is its base URL: robots post to ``{sink}/hook/<name>``)."""
    port = free_port()
    server = Served(instance, env={"ICPSIM_WEBHOOK_SINK_PORT": str(port),
                                   "ICPSIM_WEBHOOK_ALLOW_HOSTS": allow_hosts})
    server.sink = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
    return server


def sms_to(served: Served, to: str, *, kind: str = "verification",
           wait: float = 30) -> list[dict[str, Any]]:
    """The SMS the embedded gateway got for ``to`` (waiting for the worker to send one)."""
    deadline = time.monotonic() + wait
    while True:
        status, body = served.control("GET", f"/_icpsim/v1/sms?to={to}&kind={kind}")
        assert status == 200, body
        if body["messages"] or time.monotonic() > deadline:
            return list(body["messages"])
        time.sleep(0.2)


def _two_free_ports() -> tuple[int, int]:
    first = free_port()
    second = free_port()
    while second == first:
        second = free_port()
    return first, second


__all__ = ["ADMIN_TOKEN", "Key", "Served", "served_with_receiver", "sms_to"]
