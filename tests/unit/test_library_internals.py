"""The product builds and reads library objects through their public APIs only: no writes
into an object's ``__dict__``, no pydantic or SQLAlchemy private attributes."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("workflow", "notify", "scenarios", "web")
PRIVATE = {"_sa_instance_state", "class_manager", "__pydantic_fields_set__",
           "__pydantic_extra__", "__pydantic_private__"}


def reaches_in(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, what) of each use of another object's internals in a module."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "__dict__":
            found.append((node.lineno, "__dict__"))
        elif isinstance(node, ast.Attribute) and node.attr in PRIVATE:
            found.append((node.lineno, node.attr))
        elif isinstance(node, ast.Constant) and node.value in PRIVATE:
            found.append((node.lineno, str(node.value)))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "__setattr__" and isinstance(node.func.value, ast.Name)
              and node.func.value.id == "object" and node.args
              and not (isinstance(node.args[0], ast.Name) and node.args[0].id == "self")):
            # object.__setattr__(self, ...) in a frozen dataclass of our own is fine
            found.append((node.lineno, "object.__setattr__ on another object"))
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_reaches_into_library_internals(package):
    offenders = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        if hits := reaches_in(tree):
            offenders[str(path.relative_to(ROOT))] = hits
    assert offenders == {}


def test_the_check_catches_a_write_into_a_models_internals():
    source = ("def build(row):\n"
              "    filing = manager.new_instance()\n"
              "    filing.__dict__.update(row)\n"
              "    object.__setattr__(filing, '__pydantic_fields_set__', set(row))\n")
    assert sorted(reaches_in(ast.parse(source))) == [
        (3, "__dict__"), (4, "__pydantic_fields_set__"),
        (4, "object.__setattr__ on another object")]
