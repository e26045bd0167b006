"""`icpsim serve` options and refusals: clear errors, never a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
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
