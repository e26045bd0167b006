"""`icpsim serve` and `icpsim catalog`: first-run sign-in, mail sink, clean shutdown."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import stat
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

from rich.console import Console

from notify.mailsink import free_port
from web.overview import print_overview
from workflow.config import Config

ROOT = Path(__file__).resolve().parents[2]


def _start(instance: Path, port: int, **extra_env: str) -> tuple[subprocess.Popen, list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ICPSIM_")}
    env.update(ICPSIM_INSTANCE_PATH=str(instance), ICPSIM_MAIL_SINK_PORT=str(free_port()),
               ICPSIM_SMS_GATEWAY_PORT=str(free_port()),
               ICPSIM_WEBHOOK_SINK_PORT=str(free_port()),
               ICPSIM_SECRET_KEY="test", PYTHONUNBUFFERED="1")
    env.update(extra_env)
    proc = subprocess.Popen([sys.executable, "-m", "web.cli", "serve", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:  # blocks until the server says it is up
        lines.append(line)
        if "Sign in" in line and ("with the passwords" in line or "shown once" in line):
            if "shown once" in line:
                lines += [proc.stdout.readline(), proc.stdout.readline()]
            break
    return proc, lines


def _stop(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    return out


def _sign_in(base: str, username: str, password: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/signin", timeout=10).read().decode()
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": username, "password": password,
                                   "csrf_token": token}).encode()
    return opener.open(base + "/signin", data=data, timeout=10).read().decode()


def test_serve_prints_how_to_sign_in_and_stops_cleanly(tmp_path):
    port = free_port()
    proc, lines = _start(tmp_path, port)
    try:
        out = "".join(lines)
        assert f"http://127.0.0.1:{port}" in out
        assert "embedded mail sink" in out
        demo = re.search(r"ID: demo\s+password: (\S+)", out).group(1)
        review = re.search(r"ID: reviewer\s+password: (\S+)", out).group(1)
        base = f"http://127.0.0.1:{port}"
        assert "Common Settings" in _sign_in(base, "demo", demo)
        assert "ICP Filings" in _sign_in(base, "reviewer", review)
    finally:
        _stop(proc)
    assert (tmp_path / "mail").is_dir()
    # A second run keeps the accounts and says where the passwords are.
    proc, lines = _start(tmp_path, port)
    _stop(proc)
    assert "first-run-credentials.txt" in "".join(lines)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_serve_generates_its_session_key_and_keeps_every_secret_file_0600(tmp_path):
    instance = tmp_path / "instance"
    port = free_port()
    proc, lines = _start(instance, port, ICPSIM_SECRET_KEY="")  # not set: generate one
    try:
        out = "".join(lines)
        printed = re.search(r"session key: generated .* shown this once: (\S+)", out).group(1)
        demo = re.search(r"ID: demo\s+password: (\S+)", out).group(1)
        assert "Common Settings" in _sign_in(f"http://127.0.0.1:{port}", "demo", demo)
    finally:
        _stop(proc)
    assert (instance / "secret_key").read_text().strip() == printed
    private = ["secret_key", "reviewer.hash", "first-run-credentials.txt", "icpsim.db"]
    private += [p.name for p in instance.glob("icpsim.db-*")]  # WAL and shared memory
    for name in private:
        assert _mode(instance / name) == 0o600, name
    assert _mode(instance) == 0o700
    assert _mode(instance / "mail") == 0o700  # the sink's mail, with its links
    proc, lines = _start(instance, port, ICPSIM_SECRET_KEY="")
    _stop(proc)
    assert printed not in "".join(lines)  # shown once, never again
    assert "session key" not in "".join(lines)


def test_catalog_prints_the_catalog_and_the_demo_settings(tmp_path):
    console = Console(record=True, width=160)
    config = Config(instance_path=tmp_path, secret_key="test")
    assert print_overview(config, console=console) == 0
    out = console.export_text()
    assert "ICP filing notifications" in out
    assert "Product Message" in out
    assert "Settings of account 'demo'" in out
    assert "Zhang Wei" in out
