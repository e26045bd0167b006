"""Instance secrets are generated once, 0600 from creation, and the environment wins."""

from __future__ import annotations

import os
import stat

from sqlalchemy import text

from web.secret_files import instance_secret
from workflow.db import Database


def test_a_generated_secret_is_created_0600_and_kept(tmp_path):
    first = instance_secret(tmp_path / "inst", "session.key", env_var="X_KEY", environ={})
    again = instance_secret(tmp_path / "inst", "session.key", env_var="X_KEY", environ={})
    mode = stat.S_IMODE((tmp_path / "inst" / "session.key").stat().st_mode)
    assert mode == 0o600
    assert first.created
    assert not again.created
    assert first.value == again.value
    assert len(first.value) >= 40


def test_two_instances_get_different_secrets(tmp_path):
    a = instance_secret(tmp_path / "a", "session.key", env_var="X_KEY", environ={})
    b = instance_secret(tmp_path / "b", "session.key", env_var="X_KEY", environ={})
    assert a.value != b.value


def test_the_environment_overrides_and_writes_nothing(tmp_path):
    secret = instance_secret(tmp_path, "admin.token", env_var="X_TOKEN",
                             environ={"X_TOKEN": "from-env"})
    assert secret.value == "from-env"
    assert not secret.created
    assert not (tmp_path / "admin.token").exists()


def test_a_new_sqlite_database_file_is_created_0600(tmp_path):
    old = os.umask(0o022)  # the usual umask would make it 0644
    try:
        db = Database(f"sqlite:///{tmp_path / 'data' / 'icpsim.db'}")
        db.create_all()
        with db.transaction() as s:
            s.exec(text("SELECT 1"))
        files = sorted(p.name for p in (tmp_path / "data").iterdir())
        assert files == ["icpsim.db", "icpsim.db-shm", "icpsim.db-wal"]  # open: WAL too
        for name in files:
            assert stat.S_IMODE((tmp_path / "data" / name).stat().st_mode) == 0o600, name
    finally:
        os.umask(old)
        db.dispose()
