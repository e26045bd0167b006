"""A file that is not a valid scenario: exit 2, file:line: what is wrong, nothing run."""

from __future__ import annotations

import json

import pytest

CASES = [
    # (steps, line, words in the message)
    ("  - advance: [1d\n  - advance: 1d\n", 8, "invalid YAML"),
    ("  - add_contct: {name: Li Lei, email: l@acme.example, title: CEO}\n", 7,
     "unknown action 'add_contct' (did you mean 'add_contact'?)"),
    ("  - advance: 1d\n  - create_filing: {id: F1, type: first_filing, domain: a.cn,"
     " website: A}\n    fire: {filing: F1, trigger: submit}\n", 8,
     "expected exactly one action key, found create_filing, fire"),
    ("  - create_filing: {id: F1, type: first_filing, domain: a.cn}\n", 7,
     "missing field 'website'"),
    ("  - select_receivers: {category: icp_filing, contacts: l@acme.example}\n", 7,
     "field 'contacts': expected a list"),
    ("  - advance: 1d\n  - advance: 2 days\n", 8, "is not a duration"),
    ("  - expect:\n      filng: {id: F1, state: draft}\n", 8,
     "unknown check 'filng' (did you mean 'filing'?)"),
    ("  - expect:\n      emails: {to: l@acme.example, cuont: 1}\n", 8,
     "unknown field 'cuont'"),
    ("  - expect:\n      emails: {to: l@acme.example, count: many}\n", 8,
     "field 'count': expected a whole number"),
    ("  - expect:\n      filing: {id: F1, state: aproved}\n", 8,
     "field 'state': expected one of"),
    ("  - add_contact: {name: Li Lei, email: l@acme.example, title: CEO, account: acne}\n", 7,
     "unknown account 'acne' (did you mean 'acme'?)"),
    ("  - mail_server: {mode: flaky}\n", 7, "field 'mode': expected one of up, down"),
    ("  - advance: 1d\n  - advance_to: 2026-03-02T10:00:00+08:00\n", 8,
     "is before the scenario's time"),
    ("  - expect:\n      filing: {id: F1, state: draft}\n    expect_error: invalid_data\n", 9,
     "cannot be refused"),
    ("  - fire: {filing: F1, trigger: submit}\n    expect_error: Not A Code\n", 8,
     "is not an error code"),
    ("  - inbox: {mark_read: all, delete: all}\n", 7, "give exactly one of mark_read, delete"),
    ("  - modify_contact: {email: l@acme.example}\n", 7, "give at least one of name"),
    ("  - mail_server: {mode: up, account: acme}\n", 7, "unknown field 'account'"),
    ("  - account: acme\n    advance: 1d\n", 7, "takes no account"),
    ("  - advance: 1d\n  - expect:\n      contact: {email: l@acme.example}\n", 9,
     "give at least one of status, exists"),
]


@pytest.mark.parametrize(("steps", "line", "words"), CASES,
                         ids=[c[2].split("(")[0][:40] for c in CASES])
def test_invalid_step_exits_2_naming_file_and_line(write, icpsim_run, steps, line, words):
    path = write(steps)
    result = icpsim_run(path)
    assert result.code == 2
    assert f"{path}:{line}: " in result.err
    assert words in result.err
    assert result.out == ""  # no scenario was run, no report


def test_missing_top_level_fields_and_offsetless_start(write, icpsim_run):
    path = write(raw="""\
        name: no start
        start: 2026-03-02T09:00:00
        accounts: []
        """)
    result = icpsim_run(path)
    assert result.code == 2
    assert f"{path}:2: scenario: field 'start': the time 2026-03-02T09:00:00 needs a UTC " \
           "offset" in result.err
    assert f"{path}:3: accounts: expected a list of one or more accounts" in result.err
    assert "missing field 'steps'" not in result.err  # steps is checked as a list
    assert "steps: expected a list of steps" in result.err


def test_account_is_required_when_there_are_several(write, icpsim_run):
    path = write(raw="""\
        name: two accounts
        start: 2026-03-02T09:00:00+08:00
        accounts:
          - id: acme
            owner: {name: Zhang Wei, email: owner@acme.example}
          - id: beta
            owner: {name: Wang Fang, email: owner@beta.example}
        steps:
          - add_contact: {name: Li Lei, email: l@acme.example, title: CEO}
          - create_filing: {id: F1, type: first_filing, domain: a.cn, website: A, account: beta}
          - fire: {filing: F1, trigger: submit}
        """)
    result = icpsim_run(path)
    assert result.code == 2
    assert f"{path}:9: step 1 (add_contact): which account?" in result.err
    assert ":10:" not in result.err
    assert ":11:" not in result.err


def test_one_invalid_file_stops_the_whole_run(write, icpsim_run, tmp_path):
    good = write("  - advance: 1d\n", name="a_good.yaml")
    bad = write("  - advance: soon\n", name="b_bad.yaml")
    result = icpsim_run(tmp_path)
    assert result.code == 2
    assert f"{bad}:7:" in result.err
    assert str(good) not in result.err
    assert result.out == ""


def test_a_missing_path_or_empty_folder_is_invalid(icpsim_run, tmp_path):
    (tmp_path / "empty").mkdir()
    result = icpsim_run(tmp_path / "nope.yaml", tmp_path / "empty")
    assert result.code == 2
    assert "no such file or folder" in result.err
    assert "no *.yaml or *.yml scenario file" in result.err


def test_invalid_files_in_json_report_are_listed(write, icpsim_run):
    path = write("  - advance: 1w\n")
    result = icpsim_run(path, report="json")
    assert result.code == 2
    (error,) = json.loads(result.out)["errors"]
    assert error == {"path": str(path), "line": 7, "message": error["message"]}
    assert "1w" in error["message"]
