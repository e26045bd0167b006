"""The YAML loader remembers lines; the validator names the line of every problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenarios.loader import LoadError, load_text
from scenarios.problems import InvalidScenario
from scenarios.validate import Validator


def test_mappings_and_lists_remember_their_lines() -> None:
    doc = load_text("a: 1\nb:\n  - x\n  - {c: 2}\n")
    assert doc.line_of("a") == 1
    assert doc.line_of("b") == 2
    assert doc["b"].line_of(0) == 3
    assert doc["b"].line_of(1) == 4
    assert doc["b"][1].line_of("c") == 4


def test_duplicate_key_is_an_error_with_its_line() -> None:
    with pytest.raises(LoadError) as caught:
        load_text("name: a\nsteps: []\nname: b\n")
    assert caught.value.line == 3
    assert "duplicate key 'name'" in caught.value.message


def test_broken_yaml_names_the_line() -> None:
    with pytest.raises(LoadError) as caught:
        load_text("name: a\nsteps:\n  - advance: [1d\n  - expect: {}\n")
    assert caught.value.line >= 3


def test_scalar_values_keep_yaml_meaning_but_ids_become_text() -> None:
    doc = load_text(
        "name: n\nstart: 2026-03-02T09:00:00+08:00\n"
        "accounts: [{id: a, owner: {name: Zhang Wei, email: o@a.example}}]\n"
        "steps:\n  - add_contact: {name: Li Lei, email: l@a.example, title: CEO,"
        " mobile: 13800138000}\n  - advance: 1d2h\n")
    scenario = Validator(Path("x.yaml")).scenario(doc)
    assert scenario.steps[0].args["mobile"] == "13800138000"
    assert scenario.steps[0].account == "a"
    assert scenario.steps[1].args["value"].total_seconds() == 26 * 3600
    assert scenario.start.utcoffset() is not None


def test_a_step_with_two_actions_is_refused_at_its_line() -> None:
    doc = load_text(
        "name: n\nstart: 2026-03-02T09:00:00+08:00\n"
        "accounts: [{id: a, owner: {name: Zhang Wei, email: o@a.example}}]\n"
        "steps:\n  - advance: 1d\n  - advance: 1d\n    mail_server: {mode: up}\n")
    with pytest.raises(InvalidScenario) as caught:
        Validator(Path("x.yaml")).scenario(doc)
    (problem,) = caught.value.problems
    assert problem.line == 6
    assert "exactly one action key" in problem.message
