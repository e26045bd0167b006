"""Scenario files: loading with line numbers, validation, the runner and its reports."""

from __future__ import annotations

from .cli import run_command
from .model import Scenario
from .problems import InvalidScenario, Problem
from .results import ScenarioResult
from .runner import run_scenario
from .validate import load_scenario

__all__ = ["InvalidScenario", "Problem", "Scenario", "ScenarioResult", "load_scenario",
           "run_command", "run_scenario"]
