"""Imports point down only: workflow < notify < scenarios < web (docs/design.md#layers)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "workflow": {"notify", "web", "scenarios", "flask", "flask_wtf", "apscheduler"},
    "notify": {"web", "scenarios", "flask", "flask_wtf"},
    "scenarios": {"web", "flask", "flask_wtf"},
}


def imported_roots(path: Path) -> set[str]:
    """The top-level packages a module imports (relative imports stay in the package)."""
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_layer_never_imports_the_layers_above_it(package):
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_roots(path) & FORBIDDEN[package])
        for path in modules(package)
    }
    assert {name: bad for name, bad in offenders.items() if bad} == {}


def test_the_workflow_layer_is_checked_at_all():
    names = {path.name for path in modules("workflow")}
    assert {"lifecycle.py", "filings.py", "timers.py"} <= names


def test_imported_roots_sees_plain_and_from_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import flask.json\nfrom notify.relay import relay_due\nfrom . import x\n")
    assert imported_roots(sample) == {"flask", "notify"}
