"""Instance secrets are generated once, 0600 from creation, and the environment wins."""

from __future__ import annotations

import stat

from web.secret_files import instance_secret


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
