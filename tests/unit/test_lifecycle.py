"""The lifecycle table and what is derived from it: pure, no database, no clock."""

from __future__ import annotations

import pytest

from workflow.diagram import (
    BEHAVIOUR,
    README,
    final_states,
    markdown_table,
    mermaid,
    with_section,
)
from workflow.errors import InvalidData, InvalidTransition
from workflow.lifecycle import (
    LIFECYCLE,
    RULES,
    NotificationType,
    State,
    Trigger,
    check_data,
    machine,
    manual_triggers,
    next_state,
    reachable,
)

ALLOWED = {(s, r.trigger.value): r.dest for r in LIFECYCLE for s in r.sources}


def test_every_trigger_has_exactly_one_row():
    assert [r.trigger for r in LIFECYCLE] == list(Trigger)


@pytest.mark.parametrize(("state", "trigger"), [(s, t.value) for s in State for t in Trigger])
def test_next_state_follows_the_table_and_refuses_every_other_pair(state, trigger):
    if (state, trigger) in ALLOWED:
        assert next_state(state, trigger) == ALLOWED[(state, trigger)]
    else:
        with pytest.raises(InvalidTransition) as refused:
            next_state(state, trigger)
        assert refused.value.code == "invalid_transition"


def test_stored_values_are_converted_to_enum_members():
    moved = next_state("draft", "submit")
    assert moved is State.submitted


def test_an_unknown_trigger_is_an_invalid_transition():
    with pytest.raises(InvalidTransition, match="not a trigger"):
        next_state(State.draft, "approve_everything")
    with pytest.raises(InvalidTransition):
        check_data("approve_everything", {})


def test_the_deadline_extends_once_per_rectification():
    assert next_state(State.rectification, "extend_deadline") is State.rectification
    with pytest.raises(InvalidTransition, match="only once"):
        next_state(State.rectification, "extend_deadline", once_used=True)


def test_users_are_offered_manual_triggers_only():
    assert manual_triggers(State.sms_verification) == ["verify_sms"]
    assert manual_triggers("rectification") == ["rectify", "extend_deadline"]
    assert manual_triggers("rectification", once_used=True) == ["rectify"]
    assert manual_triggers(State.cancelled) == []
    offered = {t for s in State for t in manual_triggers(s)}
    assert offered == {r.trigger.value for r in LIFECYCLE if not r.timer}


def test_the_machine_is_built_once_without_escape_hatches():
    assert machine() is machine()
    assert not any(name.startswith("to_") for name in machine().events)


def test_timer_triggers_are_the_three_deadlines():
    timers = {r.trigger.value for r in LIFECYCLE if r.timer}
    assert timers == {"sms_timeout", "expire", "rectification_timeout"}


def test_review_results_and_item_results_use_their_notification_types():
    assert RULES["approve"].notification is NotificationType.application_review_result
    assert RULES["fail_inspection"].notification is NotificationType.item_review_result
    assert RULES["submit"].notification is NotificationType.application_progress


@pytest.mark.parametrize(("trigger", "data", "field"), [
    ("reject", None, "reason"),
    ("reject", {"reason": "   "}, "reason"),
    ("reject", {"reason": 42}, "reason"),
    ("approve", {}, "icp_number"),
    ("approve", {"icp_number": ""}, "icp_number"),
    ("fail_inspection", {}, "items"),
    ("fail_inspection", {"items": []}, "items"),
    ("fail_inspection", {"items": "title"}, "items"),
    ("fail_inspection", {"items": ["title", ""]}, "items"),
    ("fail_inspection", {"items": ["title"], "deadline_days": 0}, "deadline_days"),
    ("fail_inspection", {"items": ["title"], "deadline_days": -3}, "deadline_days"),
    ("fail_inspection", {"items": ["title"], "deadline_days": "5"}, "deadline_days"),
    ("fail_inspection", {"items": ["title"], "deadline_days": True}, "deadline_days"),
])
def test_missing_or_malformed_data_is_invalid_data_naming_the_field(trigger, data, field):
    with pytest.raises(InvalidData) as refused:
        check_data(trigger, data)
    assert refused.value.code == "invalid_data"
    assert refused.value.field == field


def test_good_data_comes_back_clean():
    assert check_data("reject", {"reason": " blurry ID photo "}) == {"reason": "blurry ID photo"}
    assert check_data("fail_inspection", {"items": [" title "], "deadline_days": 5}) == {
        "items": ["title"], "deadline_days": 5}
    assert check_data("submit", None) == {}


def test_open_orders_can_still_reach_an_open_state_from_review():
    assert State.rejected in reachable(State.authority_review)
    assert reachable(State.withdrawn) == {State.withdrawn}
    assert State.draft not in reachable(State.approved)


def test_the_diagram_draws_every_row_of_the_table():
    diagram = mermaid()
    assert diagram.startswith("stateDiagram-v2\n    [*] --> draft\n")
    for r in LIFECYCLE:
        for s in r.sources:
            assert f"    {s} --> {r.dest}: {r.trigger}" in diagram
    assert set(final_states()) == {State.withdrawn, State.expired, State.cancelled}
    assert "classDef" not in diagram


def test_the_diagram_highlights_the_current_state():
    diagram = mermaid("under_review")
    assert diagram.endswith("    class under_review current\n")
    with pytest.raises(ValueError, match="nowhere"):
        mermaid("nowhere")


def test_the_markdown_table_has_one_row_per_trigger():
    rows = markdown_table().splitlines()[2:]
    assert len(rows) == len(LIFECYCLE)
    assert rows[0] == ("| `submit` | draft, rejected | submitted | application_progress |  |  |")
    assert "`sms_timeout` *(timer)*" in rows[5]
    assert "`items` (required), `deadline_days` (optional)" in markdown_table()


@pytest.mark.parametrize("document", [README, BEHAVIOUR], ids=lambda p: p.name)
def test_the_documents_show_the_lifecycle_the_code_defines(document):
    text = document.read_text(encoding="utf-8")
    assert text == with_section(text), (
        f"{document.name}'s lifecycle section is out of date: run `make docs`")
    assert "```mermaid\nstateDiagram-v2" in text


def test_readme_without_markers_is_refused():
    with pytest.raises(ValueError, match="markers"):
        with_section("# no markers here\n")
