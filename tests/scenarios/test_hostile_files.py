"""Hostile scenario files: each is refused with exit 2 naming the file and the line.

Every case here once ended in a Python traceback, was accepted silently, or ran into
trouble later; now the validator names it before anything runs.
"""

from __future__ import annotations

import pytest

OWNER = "{name: Zhang Wei, email: owner@acme.example}"


def header(*, start: str = "2026-03-02T09:00:00+08:00", owner: str = OWNER,
           account: str = "acme") -> str:
    return (f"name: hostile\nstart: {start}\naccounts:\n  - id: {account}\n"
            f"    owner: {owner}\nsteps:\n")


STEPS = [
    # (steps after the one-account header, line, words in the message)
    ("  - advance: 99999999999999999999d\n", 7, "longer than the maximum"),
    ("  - advance: 36501d\n", 7, "longer than the maximum of 36500d"),
    ("  - advance: １d\n", 7, "is not a duration"),  # fullwidth digit
    ("  - advance: 1d\n  - advance: 2０m\n", 8, "is not a duration"),
    ("  - expect: " + "[" * 20_000 + "\n", 7, "nested more than 50 levels deep"),
    ("  - expect:\n      emails: {count: " + "9" * 5000 + "}\n", 8,
     "cannot read the value"),
    ("  - expect:\n      emails: {count: " + "9" * 30 + "}\n", 8,
     "expected a whole number from 0 to"),
    ("  - !!omap [advance: 1d]\n", 7, "!!omap is not supported"),
    ("  - advance: 1d\n  - expect: !!omap [{filing: {id: F1, state: draft}}]\n", 8,
     "!!omap is not supported"),
    ("  - expect: {emails: !!set {a}}\n", 7, "!!set is not supported"),
    ('  - create_filing: {id: F1, type: first_filing, domain: a.cn, website: "\\ud800"}\n', 7,
     "lone surrogate"),
    ('  - add_contact: {name: "Li\\udfffLei", email: l@acme.example, title: CEO}\n', 7,
     "lone surrogate"),
    ('  - expect:\n      "\\ud800": {count: 1}\n', 8, "lone surrogate"),
    ("  - mail_server: {mode: tempfail, code: 250}\n", 7,
     "a tempfail code must be an SMTP reply from 400 to 499, not 250"),
    ("  - mail_server: {mode: tempfail, code: 550}\n", 7, "from 400 to 499, not 550"),
    ("  - mail_server: {mode: reject, code: 451}\n", 7,
     "a reject code must be an SMTP reply from 500 to 599, not 451"),
    ("  - mail_server: {mode: reject, code: 99999999999999999999}\n", 7,
     "expected a whole number from 0 to"),
    ("  - mail_server: {mode: down, code: 421}\n", 7, "mode down takes no code"),
    ('  - fire: {filing: F1, trigger: submit}\n    expect_error: "invalid_data\\n"\n', 8,
     "is not an error code"),
    ("  - advance_to: 2026-02-30T09:00:00+08:00\n", 7, "day is out of range for month"),
]


@pytest.mark.parametrize(("steps", "line", "words"), STEPS,
                         ids=[f"{i}-{c[2][:30]}" for i, c in enumerate(STEPS)])
def test_hostile_step_exits_2_naming_file_and_line(write, icpsim_run, steps, line, words):
    path = write(steps)
    result = icpsim_run(path)
    assert result.code == 2, result.err
    assert f"{path}:{line}: " in result.err
    assert words in result.err
    assert result.out == ""
    assert "Traceback" not in result.err
    assert len(result.err) < 2000  # the message quotes the input, never all of it


HEADERS = [
    (header(start="9999-12-31T23:00:00+00:00") + "  - advance: 2h\n", 2,
     "outside the years 1970-8999"),
    (header(start="8999-12-31T23:00:00+00:00") + "  - advance: 2h\n", 7,
     "past the last year a scenario can simulate"),
    (header(start="0001-01-01T00:00:00+08:00") + "  - advance: 2h\n", 2,
     "outside the years"),
    (header(account='"acme\\n"') + "  - advance: 2h\n", 4, "must be 1-64 of a-z, 0-9 and -"),
    (header(owner="{name: Zhang Wei, email: '@'}") + "  - advance: 2h\n", 5,
     "owner: email: the email address '@' is not valid"),
    (header(owner="{name: Zhang Wei, email: 'a@b@c.example'}") + "  - advance: 2h\n", 5,
     "is not valid"),
    (header(owner="{name: Zhang Wei, email: \"o@acme.example\\r\\nBcc: x@evil.example\"}")
     + "  - advance: 2h\n", 5, "line breaks or control characters"),
    (header(owner="{name: Zhang Wei the Magnificent, email: o@acme.example}")
     + "  - advance: 2h\n", 5, "owner: name: the name"),
    ("--- !!omap\n- name: x\n", 1, "!!omap is not supported"),
]


@pytest.mark.parametrize(("raw", "line", "words"), HEADERS,
                         ids=[f"{i}-{c[2][:30]}" for i, c in enumerate(HEADERS)])
def test_hostile_header_exits_2_naming_file_and_line(write, icpsim_run, raw, line, words):
    path = write(raw=raw)
    result = icpsim_run(path)
    assert result.code == 2, result.err
    assert f"{path}:{line}: " in result.err
    assert words in result.err
    assert result.out == ""


def test_a_quoted_surrogate_in_the_name_is_refused(write, icpsim_run):
    path = write(raw=header().replace("name: hostile", 'name: "bad \\ud800 name"')
                 + "  - advance: 1d\n")
    result = icpsim_run(path)
    assert result.code == 2
    assert f"{path}:1: invalid YAML: the text holds a lone surrogate" in result.err


def test_a_file_that_is_not_utf8_is_refused_naming_it(icpsim_run, tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"name: caf\xe9\n")
    result = icpsim_run(path)
    assert result.code == 2
    assert f"{path}:0: cannot read the file" in result.err
