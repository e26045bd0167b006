"""The `icpsim` command answers bad input with a code and a message, never a traceback."""

from __future__ import annotations

import logging

import pytest

from web.cli import main


@pytest.fixture
def instance(tmp_path, monkeypatch):
    monkeypatch.setenv("ICPSIM_INSTANCE_PATH", str(tmp_path))
    return tmp_path


@pytest.fixture(autouse=True)
def _process_logging_undone():
    """`worker` and `serve` set up the process's logging on the captured stderr of the
    test: put the root logger back, or later tests' threads log to a closed file."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_a_malformed_setting_is_named_and_exits_2(instance, monkeypatch, capsys):
    monkeypatch.setenv("ICPSIM_LINK_LIFETIME", "three days")
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert "invalid_config" in err
    assert "ICPSIM_LINK_LIFETIME" in err
    assert "Traceback" not in err


def test_the_worker_refuses_a_database_without_tables(instance, capsys):
    assert main(["worker"]) == 2
    err = capsys.readouterr().err
    assert "schema_missing" in err
    assert "icpsim db upgrade" in err


def test_db_upgrade_creates_the_database_and_says_where(instance, capsys):
    assert main(["db", "upgrade"]) == 0
    assert (instance / "icpsim.db").exists()
    assert "is up to date" in capsys.readouterr().out


def test_running_a_missing_scenario_file_exits_2_naming_it(instance, capsys):
    assert main(["run", str(instance / "nope.yaml")]) == 2
    assert "nope.yaml" in capsys.readouterr().err


@pytest.mark.parametrize("broken", ["empty", "unreadable"])
def test_serve_with_an_unusable_session_key_file_says_so_in_one_line(instance, monkeypatch,
                                                                    capsys, broken):
    monkeypatch.delenv("ICPSIM_SECRET_KEY", raising=False)
    key = instance / "secret_key"
    key.write_text("")
    if broken == "unreadable":
        key.unlink()
        key.mkdir()  # a folder where the key should be: reading it fails for anyone
    assert main(["serve", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("icpsim: invalid_config: ")
    assert "secret_key" in err
    assert "ICPSIM_SECRET_KEY" in err
    assert err.count("\n") == 1
    assert not (instance / "icpsim.db").exists()  # nothing started, nothing created
