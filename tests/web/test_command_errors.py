"""Commands run as a user runs them (a real process): bad configuration or a busy port is
one clear line on stderr and exit 2, never a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ICPSIM = str(Path(sys.executable).with_name("icpsim"))


def icpsim(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ICPSIM_")}
    return subprocess.run([ICPSIM, *args], env={**clean, **env}, capture_output=True,
                          text=True, timeout=timeout, check=False)


def assert_one_clear_line(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("icpsim: ")
    for word in words:
        assert word in lines[0]


@pytest.mark.parametrize(("variable", "value", "words"), [
    ("ICPSIM_SMTP_URL", "http://x", ("ICPSIM_SMTP_URL", "is not an SMTP URL")),
    ("ICPSIM_SMTP_URL", "smtp://127.0.0.1:99999", ("ICPSIM_SMTP_URL", "out of range")),
    ("ICPSIM_DATABASE_URL", "bogus://x", ("ICPSIM_DATABASE_URL", "is not a database URL")),
    ("ICPSIM_POLL_INTERVAL", "99999999999999999999d", ("ICPSIM_POLL_INTERVAL", "maximum")),
    ("ICPSIM_RETRY_GIVE_UP", "１d", ("ICPSIM_RETRY_GIVE_UP", "is not a duration")),
    ("ICPSIM_BATCH_SIZE", "-5", ("ICPSIM_BATCH_SIZE", "must be from 1")),
    ("ICPSIM_BATCH_SIZE", "9" * 5000, ("ICPSIM_BATCH_SIZE", "not a whole number")),
    ("ICPSIM_RETRY_JITTER", "nan", ("ICPSIM_RETRY_JITTER", "not a finite number")),
])
def test_the_worker_refuses_bad_configuration_in_one_line(tmp_path, variable, value, words):
    result = icpsim("worker", env={"ICPSIM_INSTANCE_PATH": str(tmp_path), variable: value})
    assert_one_clear_line(result, "invalid_config", *words)


def test_the_worker_on_a_database_it_cannot_open_says_so(tmp_path):
    result = icpsim("worker", env={"ICPSIM_INSTANCE_PATH": str(tmp_path),
                                   "ICPSIM_DATABASE_URL": f"sqlite:///{tmp_path}/no/such/x.db"})
    assert_one_clear_line(result)


def test_the_mail_sink_without_its_instance_folder_says_so(tmp_path):
    missing = tmp_path / "nowhere"
    result = icpsim("mail-sink", env={"ICPSIM_INSTANCE_PATH": str(missing)})
    assert_one_clear_line(result, "instance folder", str(missing), "ICPSIM_INSTANCE_PATH")


def test_the_mail_sink_on_a_busy_port_says_so(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = icpsim("mail-sink", "--port", str(port),
                        env={"ICPSIM_INSTANCE_PATH": str(tmp_path)})
    assert_one_clear_line(result, "mail-sink", "address already in use")
