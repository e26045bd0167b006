"""Scenario files: loading with line numbers, validation, the runner and its reports."""

from __future__ import annotations

from importlib import import_module
from typing import Any

# Imported on first use: `icpsim simulate` and the other commands that load a module of
# this package do not pay for the scenario runner's imports.
_EXPORTS = {"InvalidScenario": ".problems", "Problem": ".problems", "Scenario": ".model",
            "ScenarioResult": ".results", "load_scenario": ".validate",
            "run_command": ".cli", "run_scenario": ".runner"}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = sorted(_EXPORTS)
