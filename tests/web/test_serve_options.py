"""`icpsim serve` options and refusals: clear errors, never a traceback."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from notify.mailsink import free_port

ROOT = Path(__file__).resolve().parents[2]


def _serve(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ICPSIM_")}
    env.update(ICPSIM_INSTANCE_PATH=str(tmp_path), ICPSIM_MAIL_SINK_PORT=str(free_port()),
               ICPSIM_SMS_GATEWAY_PORT=str(free_port()),
               ICPSIM_WEBHOOK_SINK_PORT=str(free_port()), ICPSIM_SECRET_KEY="test")
    return subprocess.run([sys.executable, "-m", "web.cli", "serve", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)


def test_a_taken_port_is_refused_with_a_code_and_no_traceback(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _serve(tmp_path, "--port", str(port))
    assert done.returncode == 2
    assert f"icpsim: cannot_listen: cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_threads_must_be_a_positive_whole_number(tmp_path):
    done = _serve(tmp_path, "--threads", "0")
    assert done.returncode == 2
    assert "--threads: '0' is not a whole number of at least 1" in done.stderr
    assert "Traceback" not in done.stderr


def test_simulated_clock_and_several_workers_are_refused_together(tmp_path):
    done = _serve(tmp_path, "--workers", "2", "--simulated-clock", "2026-01-05T09:00:00Z")
    assert done.returncode == 2
    assert "cannot be combined with --workers" in done.stderr
    assert "Traceback" not in done.stderr


def _ready(base: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "serve ended early"
        try:
            with urllib.request.urlopen(base + "/ready", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:  # not listening yet, or bound but no process accepting yet
            pass
        time.sleep(0.2)
    raise AssertionError(f"{base} never became ready")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_several_workers_share_the_port_one_that_dies_is_replaced_and_sigterm_stops_all(
        tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ICPSIM_")}
    env.update(ICPSIM_INSTANCE_PATH=str(tmp_path), ICPSIM_MAIL_SINK_PORT=str(free_port()),
               ICPSIM_SMS_GATEWAY_PORT=str(free_port()),
               ICPSIM_WEBHOOK_SINK_PORT=str(free_port()), ICPSIM_SECRET_KEY="test",
               PYTHONUNBUFFERED="1")
    log = tmp_path / "serve.log"
    proc = subprocess.Popen([sys.executable, "-m", "web.cli", "serve", "--port", str(port),
                             "--workers", "2"], cwd=ROOT, env=env, stdout=log.open("wb"),
                            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _ready(base, proc)
        found = re.search(r"serving from 2 processes: (\d+), (\d+)", log.read_text())
        assert found, log.read_text()
        first, second = int(found.group(1)), int(found.group(2))
        assert _alive(first)
        assert _alive(second)
        # the demo account was made once, before the processes started
        assert log.read_text().count("account owner  ID: demo") == 1
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while "starting another" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert f"process {first} ended (signal {signal.SIGKILL})" in log.read_text()
        for _ in range(6):  # every answer, from whichever process takes the connection
            with urllib.request.urlopen(base + "/health", timeout=30) as answer:
                assert answer.status == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=90) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "icpsim console stopped" in log.read_text()
    assert not _alive(second)


def test_with_real_mail_and_sms_endpoints_no_embedded_receiver_starts(tmp_path, mail_sink):
    with socket.socket() as taken:  # every receiver port is taken: starting one would fail
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = str(taken.getsockname()[1])
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("ICPSIM_")}
        env.update(ICPSIM_INSTANCE_PATH=str(tmp_path), ICPSIM_SECRET_KEY="test",
                   ICPSIM_SMTP_URL=mail_sink.url, ICPSIM_SMS_URL="http://sms.example.com",
                   ICPSIM_MAIL_SINK_PORT=busy, ICPSIM_SMS_GATEWAY_PORT=busy,
                   ICPSIM_WEBHOOK_SINK_PORT=busy, PYTHONUNBUFFERED="1")
        log = tmp_path / "serve.log"
        proc = subprocess.Popen([sys.executable, "-m", "web.cli", "serve", "--port", str(port),
                                 "--workers", "2"], cwd=ROOT, env=env,
                                stdout=log.open("wb"), stderr=subprocess.STDOUT)
        try:
            _ready(f"http://127.0.0.1:{port}", proc)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=90) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    out = log.read_text()
    assert f"mail: sent to {mail_sink.url}" in out
    assert "sms: sent to http://sms.example.com; webhooks: sent out" in out
    assert "embedded" not in out


def test_the_serving_processes_stop_when_their_parent_is_killed_outright(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ICPSIM_")}
    env.update(ICPSIM_INSTANCE_PATH=str(tmp_path), ICPSIM_MAIL_SINK_PORT=str(free_port()),
               ICPSIM_SMS_GATEWAY_PORT=str(free_port()),
               ICPSIM_WEBHOOK_SINK_PORT=str(free_port()), ICPSIM_SECRET_KEY="test",
               PYTHONUNBUFFERED="1")
    log = tmp_path / "serve.log"
    proc = subprocess.Popen([sys.executable, "-m", "web.cli", "serve", "--port", str(port),
                             "--workers", "2", "--no-jobs"], cwd=ROOT, env=env,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        _ready(f"http://127.0.0.1:{port}", proc)
        found = re.search(r"serving from 2 processes: (\d+), (\d+)", log.read_text())
        assert found, log.read_text()
    finally:
        proc.kill()  # no SIGTERM handling, no goodbye
        proc.wait()
    children = [int(found.group(1)), int(found.group(2))]
    deadline = time.monotonic() + 60
    while any(map(_alive, children)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(map(_alive, children)), "a serving process outlived its parent"
