"""The lifecycle picture is drawn from the lifecycle table, current state highlighted."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from web.lifecycle_svg import lifecycle_svg
from workflow import names
from workflow.lifecycle import LIFECYCLE, State


def test_every_state_is_drawn_once_and_only_the_current_one_is_filled():
    svg = str(lifecycle_svg("under_review"))
    ET.fromstring(svg)  # well-formed
    assert sorted(re.findall(r'data-state="(\w+)"', svg)) == sorted(s.value for s in State)
    assert re.findall(r'class="state current" data-state="(\w+)"', svg) == ["under_review"]


def test_the_next_states_and_their_triggers_are_marked():
    svg = str(lifecycle_svg("under_review"))
    nexts = {r.dest.value for r in LIFECYCLE if State.under_review in r.sources}
    assert set(re.findall(r'class="state reachable" data-state="(\w+)"', svg)) == nexts
    labels = re.findall(r'<text class="label"[^>]*>([^<]+)</text>', svg)
    assert set(labels) == {names.trigger(r.trigger.value) for r in LIFECYCLE
                           if State.under_review in r.sources}


def test_states_and_triggers_are_drawn_by_their_names_in_the_console_language():
    svg = str(lifecycle_svg("sms_verification", "zh"))
    assert "待工信部短信核验" in svg
    assert "完成短信核验" in svg  # the verify_sms trigger's label
    assert "sms_verification<" not in svg
    assert ">Authority review<" in str(lifecycle_svg("sms_verification"))


def test_a_final_state_has_no_outgoing_marks():
    svg = str(lifecycle_svg("withdrawn"))
    assert 'class="state reachable"' not in svg
    assert 'class="edge next"' not in svg
