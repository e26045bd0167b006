"""A failed expectation gives exit 1 naming the step and its line; JSON and JUnit agree."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

FILING = """\
  - create_filing: {id: F1, type: first_filing, domain: acme.cn, website: Acme Shop}
  - fire: {filing: F1, trigger: submit}
"""


def test_failed_expectation_exits_1_naming_step_and_line(write, icpsim_run):
    path = write(FILING + "  - expect:\n      filing: {id: F1, state: approved}\n")
    result = icpsim_run(path)
    assert result.code == 1
    assert "step 3 (line 10)" in result.out
    assert "expected: filing {id: F1, state: approved}" in result.out
    assert "found:    F1 is submitted" in result.out
    assert result.out.rstrip().endswith("1 scenario: 0 passed, 1 failed")


def test_a_refusal_that_does_not_come_is_a_failure(write, icpsim_run):
    path = write(FILING + "  - fire: {filing: F1, trigger: start_review}\n"
                 "    expect_error: invalid_transition\n  - advance: 1d\n")
    result = icpsim_run(path, report="json")
    assert result.code == 1
    steps = json.loads(result.out)["scenarios"][0]["steps"]
    assert steps[2]["status"] == "failed"
    assert steps[2]["failures"][0]["expected"] == "refusal with invalid_transition"
    assert steps[3]["status"] == "not_run"  # a failed action stops the steps after it


def test_an_unexpected_refusal_names_its_code(write, icpsim_run):
    path = write(FILING + "  - fire: {filing: F1, trigger: approve}\n")
    result = icpsim_run(path)
    assert result.code == 1
    assert "invalid_transition" in result.out
    assert "step 3 (line 9)" in result.out


def test_a_refusal_with_another_code_is_a_failure(write, icpsim_run):
    path = write(FILING + "  - fire: {filing: F9, trigger: submit}\n"
                 "    expect_error: invalid_transition\n")
    result = icpsim_run(path)
    assert result.code == 1
    assert "unknown_filing" in result.out


def test_json_and_junit_carry_the_verdicts(write, icpsim_run, tmp_path):
    good = write(FILING + "  - expect:\n      filing: {id: F1, state: submitted}\n",
                 name="a.yaml", title="good one")
    bad = write(FILING + "  - expect:\n      filing: {id: F1, state: draft}\n",
                name="b.yaml", title="bad one")
    junit = tmp_path / "out" / "junit.xml"
    result = icpsim_run(good, bad, report="json", junit=junit)
    assert result.code == 1
    data = json.loads(result.out)
    assert [s["verdict"] for s in data["scenarios"]] == ["passed", "failed"]
    assert data["summary"] == {"total": 2, "passed": 1, "failed": 1,
                               "text": "2 scenarios: 1 passed, 1 failed"}
    events = data["scenarios"][0]["steps"][1]["events"]
    assert any(e["kind"] == "transition" and "draft -> submitted" in e["text"] for e in events)
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    assert suite.get("tests") == "2"
    assert suite.get("failures") == "1"
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert cases["good one"].find("failure") is None
    failure = cases["bad one"].find("failure")
    assert failure is not None
    assert "line 10" in (failure.get("message") or "")


def test_all_passed_summary_and_exit_0(write, icpsim_run):
    path = write(FILING + "  - expect:\n      filing: {id: F1, state: submitted}\n")
    result = icpsim_run(path)
    assert result.code == 0, result.out
    assert result.out.rstrip().endswith("1 scenario: all passed")


def test_advance_runs_each_timer_at_its_own_time(write, icpsim_run):
    path = write(FILING + """\
  - fire: {filing: F1, trigger: start_review}
  - fire: {filing: F1, trigger: pass_review}
  - advance: 3d
  - expect:
      filing: {id: F1, state: rejected}
""")
    result = icpsim_run(path, report="json")
    assert result.code == 0, result.out
    advance = json.loads(result.out)["scenarios"][0]["steps"][4]
    (timeout,) = [e for e in advance["events"] if "sms_timeout" in e["text"]]
    assert timeout["at"] == "2026-03-03T09:00:00+08:00"
    assert advance["at"] == "2026-03-02T09:00:00+08:00"


def test_text_timeline_shows_simulated_time_in_the_start_offset(write, icpsim_run):
    path = write(FILING + "  - advance: 1d2h\n"
                 "  - expect:\n      filing: {id: F1, state: submitted}\n")
    result = icpsim_run(path)
    assert result.code == 0, result.out
    assert "2026-03-02 09:00:00 +08:00  step 2 (line 8)  fire {filing: F1, trigger: submit}" \
        in result.out
    assert "transition F1: draft -> submitted (submit by owner@acme.example)" in result.out
    assert "2026-03-03 11:00:00 +08:00  step 4 (line 10)  expect filing" in result.out


def test_rich_output_on_a_terminal(write):
    import io

    from scenarios.report import write_text
    from scenarios.runner import run_scenario
    from scenarios.validate import load_scenario

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Terminal()
    write_text([run_scenario(load_scenario(write(FILING)))], out)
    assert "1 scenario: all passed" in out.getvalue()
    assert "draft -> submitted" in out.getvalue()


def test_a_world_that_cannot_start_is_a_failed_scenario(write, monkeypatch):
    from contextlib import contextmanager

    from scenarios import runner
    from scenarios.validate import load_scenario

    @contextmanager
    def broken(scenario):
        raise OSError("no free port")
        yield

    monkeypatch.setattr(runner, "open_world", broken)
    result = runner.run_scenario(load_scenario(write(FILING)))
    assert not result.passed
    (step,) = result.steps
    assert step.action == "setup"
    assert "OSError: no free port" in step.failures[0].found


def test_a_check_that_fails_does_not_stop_the_steps_after_it(write, icpsim_run):
    path = write(FILING + """\
  - expect:
      filing: {id: F1, state: draft}
  - fire: {filing: F1, trigger: start_review}
  - expect:
      filing: {id: F1, state: under_review}
""")
    result = icpsim_run(path, report="json")
    assert result.code == 1
    statuses = [s["status"] for s in json.loads(result.out)["scenarios"][0]["steps"]]
    assert statuses == ["passed", "passed", "failed", "passed", "passed"]


def test_a_refusal_that_changed_something_is_a_failure(write, icpsim_run, monkeypatch):
    from scenarios.actions import PERFORM
    from workflow.errors import IcpsimError

    def sloppy(world, step, args):  # changes the language, then refuses
        world.system.accounts.set_language(step.account, "zh")
        raise IcpsimError("refused after all", code="invalid_language")

    monkeypatch.setitem(PERFORM, "set_language", sloppy)
    path = write("  - set_language: {language: xx}\n    expect_error: invalid_language\n")
    result = icpsim_run(path)
    assert result.code == 1
    assert "invalid_language, but it changed account" in result.out
