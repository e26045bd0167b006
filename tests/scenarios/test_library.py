"""Every file of the scenario library is valid and passes against the real system."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from scenarios.report import write_text
from scenarios.runner import run_scenario
from scenarios.validate import load_scenario

LIBRARY = Path(__file__).resolve().parents[2] / "scenarios" / "library"
FILES = sorted(p for p in LIBRARY.iterdir() if p.suffix in (".yaml", ".yml"))


def test_the_library_tells_at_least_15_stories() -> None:
    assert len(FILES) >= 15


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_library_scenario_passes(path: Path) -> None:
    result = run_scenario(load_scenario(path))
    if not result.passed:
        report = io.StringIO()
        write_text([result], report)
        pytest.fail(f"{path.name} failed:\n{report.getvalue()}", pytrace=False)
