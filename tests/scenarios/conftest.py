"""Helpers for scenario tests: write a scenario file and run the `icpsim run` command."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from scenarios.cli import run_command

HEADER = """\
name: {name}
start: 2026-03-02T09:00:00+08:00
accounts:
  - id: acme
    owner: {{name: Zhang Wei, email: owner@acme.example}}
steps:
"""


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write a scenario; ``steps`` are appended to a one-account header unless ``raw``."""

    def _write(steps: str = "", *, raw: str | None = None, name: str = "scenario.yaml",
               title: str = "test scenario") -> Path:
        path = tmp_path / name
        body = textwrap.dedent(raw) if raw is not None else (
            HEADER.format(name=title) + textwrap.dedent(steps))
        path.write_text(body, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def icpsim_run() -> Callable[..., Outcome]:
    def _run(*paths: Path | str, report: str = "text", junit: Path | None = None) -> Outcome:
        out, err = io.StringIO(), io.StringIO()
        code = run_command([str(p) for p in paths], report=report, junit=junit, out=out,
                           err=err)
        return Outcome(code, out.getvalue(), err.getvalue())

    return _run
