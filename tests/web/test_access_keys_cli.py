"""`icpsim access-key create|list|delete`, and secrets that are never stored in the clear."""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _icpsim(instance: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ICPSIM_")}
    env["ICPSIM_INSTANCE_PATH"] = str(instance)
    return subprocess.run([sys.executable, "-m", "web.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def _make_account(instance: Path) -> None:
    from notify.system import build_system
    from web.migrate import upgrade
    from workflow.config import Config

    config = Config(instance_path=instance)
    upgrade(config)
    system = build_system(config)
    system.accounts.create("acme", owner_name="Zhang Wei", owner_email="zw@acme.example")
    system.close()


def test_create_prints_two_lines_list_shows_the_key_and_delete_removes_it(tmp_path):
    _make_account(tmp_path)
    made = _icpsim(tmp_path, "access-key", "create", "acme")
    assert made.returncode == 0, made.stderr
    lines = made.stdout.splitlines()
    assert len(lines) == 2
    key_id = re.fullmatch(r"AccessKeyId: (LTAI\w{20})", lines[0]).group(1)
    secret = re.fullmatch(r"AccessKeySecret: (\w{30})", lines[1]).group(1)

    listed = _icpsim(tmp_path, "access-key", "list", "acme")
    assert key_id in listed.stdout
    assert secret not in listed.stdout
    with sqlite3.connect(tmp_path / "icpsim.db") as conn:
        dump = "\n".join(conn.iterdump())
    assert key_id in dump
    assert secret not in dump  # stored encrypted
    key_file = tmp_path / "access_key_encryption_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    gone = _icpsim(tmp_path, "access-key", "delete", key_id)
    assert gone.returncode == 0
    assert key_id not in _icpsim(tmp_path, "access-key", "list", "acme").stdout
    again = _icpsim(tmp_path, "access-key", "delete", key_id)
    assert again.returncode == 2
    assert "unknown_access_key" in again.stderr


def test_a_key_for_an_unknown_account_is_refused(tmp_path):
    _make_account(tmp_path)
    made = _icpsim(tmp_path, "access-key", "create", "nobody")
    assert made.returncode == 2
    assert "unknown_account" in made.stderr
    assert "AccessKeySecret" not in made.stdout


def test_serve_prints_a_generated_admin_token_once_and_keeps_it_0600(tmp_path):
    from tests.api.served import Served

    first = Served(tmp_path, admin_token=None)
    out = first.stop()
    token = re.search(r"admin token \(shown once; kept in (\S+)\): (\S+)", out)
    assert token is not None, out
    assert Path(token.group(1)).read_text().strip() == token.group(2)
    assert stat.S_IMODE(Path(token.group(1)).stat().st_mode) == 0o600
    second = Served(tmp_path, admin_token=None)
    try:
        assert second.control("GET", "/_icpsim/v1/clock", token=token.group(2))[0] == 200
        assert second.control("GET", "/_icpsim/v1/clock", token="guess")[0] == 401
    finally:
        out = second.stop()
    assert token.group(2) not in out
