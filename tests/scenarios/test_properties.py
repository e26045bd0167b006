"""Property-based: whatever document it is fed, `icpsim run` answers 0, 1 or 2, never a
traceback; invalid files name file and line, failed steps name what went wrong.

Documents are generated from the scenario vocabulary (every action, check and field,
with hostile values) and as raw YAML-ish text. Each test has a fixed, small budget.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenarios.cli import run_command
from scenarios.schema import ACTIONS, CHECKS, Kind, Shape

BUDGET = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
RUN_BUDGET = settings(BUDGET, max_examples=8)
PROBLEM = re.compile(r"^.+:\d+: .+$")

hostile_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "\n", "a\r\nBcc: x@evil.example", "\x00", "\ud800", "１２３",
                     "F1\n", "owner@acme.example", "lilei@acme.example", "F1", "icp_filing",
                     "x" * 600, "9" * 5000, "99999999999999999999d", "1d", "-1", "１d",
                     "9999-12-31T23:00:00+00:00", "2026-03-02T10:00:00+08:00"]),
)
hostile_int = st.one_of(st.integers(-5, 600), st.sampled_from([2**63, 2**64, -(2**63), 10**30,
                                                              250, 451, 550, 99999999999]))
scalars = st.one_of(hostile_text, hostile_int, st.booleans(), st.none(),
                    st.floats(allow_nan=True, allow_infinity=True))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(hostile_text, inner, max_size=4)),
    max_leaves=12)


def value_for(kind: Kind) -> st.SearchStrategy[Any]:
    """Mostly values of the right type (so documents reach the runner), some of any type."""
    base: st.SearchStrategy[Any] = {
        "text": hostile_text, "int": hostile_int, "bool": st.booleans(),
        "enum": st.sampled_from(kind.choices or ("x",)),
        "duration": st.sampled_from(["1s", "90s", "30m", "25h", "3d", "1d2h", "36500d",
                                     "99999999999999999999d", "0s", "１d"]),
        "time": st.sampled_from(["2026-03-02T10:00:00+08:00", "2026-04-20T09:00:00+08:00",
                                 "8999-12-31T00:00:00+00:00", "2026-02-30T00:00:00+00:00"]),
    }[kind.name]
    if kind.is_list:
        base = st.lists(base, max_size=3)
    return st.one_of(base, base, base, values)


def fields_for(shape: Shape) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {k: value_for(v) for k, v in shape.required.items()},
        optional={k: value_for(v) for k, v in shape.optional.items()})


@st.composite
def steps(draw: st.DrawFn) -> dict[str, Any]:
    action = draw(st.sampled_from(sorted(ACTIONS)))
    shape = ACTIONS[action]
    if action == "expect":
        kinds = draw(st.lists(st.sampled_from(sorted(CHECKS)), min_size=1, max_size=3,
                              unique=True))
        value: Any = {k: draw(fields_for(CHECKS[k])) for k in kinds}
    elif shape.scalar is not None:
        value = draw(value_for(shape.scalar))
    else:
        value = draw(fields_for(shape))
    step = {action: value}
    if draw(st.booleans()) and action not in ("expect", "advance", "advance_to"):
        step["expect_error"] = draw(st.sampled_from(["invalid_data", "invalid_transition",
                                                     "unknown_filing", "invalid_name"]))
    return step


FILING = [{"create_filing": {"id": "F1", "type": "first_filing", "domain": "acme.cn",
                             "website": "Acme"}}]
documents = st.builds(
    lambda start, name, extra, owner: {
        "name": name, "start": start,
        "accounts": [{"id": "acme", "owner": owner}],
        "steps": FILING + extra},
    start=st.sampled_from(["2026-03-02T09:00:00+08:00", "2026-03-02T09:00:00+08:00",
                           "9999-12-31T23:00:00+00:00", "1969-12-31T00:00:00+00:00"]),
    name=hostile_text,
    extra=st.lists(steps(), max_size=6),
    owner=st.one_of(st.just({"name": "Zhang Wei", "email": "owner@acme.example"}),
                    st.fixed_dictionaries({"name": hostile_text, "email": hostile_text})),
)


def run(path: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_command([path], report="json", out=out, err=err)  # must not raise
    return code, out.getvalue(), err.getvalue()


def assert_clean_outcome(path: Path, code: int, out: str, err: str) -> None:
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in out + err
    if code == 2:
        lines = err.splitlines()
        assert lines[-1].startswith("icpsim run: "), err
        for line in lines[:-1]:
            assert line.startswith(f"{path}:"), line
            assert PROBLEM.match(line), line
        assert "internal error" not in err, err
    else:
        assert err == ""


def dump(doc: Any) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


@BUDGET
@given(doc=documents)
def test_generated_documents_are_refused_or_run_never_crash(doc, tmp_path_factory):
    path = tmp_path_factory.mktemp("prop") / "doc.yaml"
    path.write_text(dump(doc), encoding="utf-8", errors="surrogatepass")
    code, out, err = run(path)
    assert_clean_outcome(path, code, out, err)


@RUN_BUDGET
@given(extra=st.lists(steps(), min_size=1, max_size=5))
def test_generated_steps_on_a_valid_header_run_or_are_refused(extra, tmp_path_factory):
    # The same steps after a valid header: many of these files are valid and run, so the
    # services meet hostile values too. A failed step says what was found.
    doc = {"name": "generated", "start": "2026-03-02T09:00:00+08:00",
           "accounts": [{"id": "acme", "owner": {"name": "Zhang Wei",
                                                 "email": "owner@acme.example"}}],
           "steps": FILING + extra}
    path = tmp_path_factory.mktemp("prop") / "doc.yaml"
    path.write_text(dump(doc), encoding="utf-8", errors="surrogatepass")
    code, out, err = run(path)
    assert_clean_outcome(path, code, out, err)
    if code in (0, 1):
        assert "internal error" not in out, out


raw_text = st.one_of(
    st.text(alphabet=st.sampled_from(list("[]{}:-!&*?|>'\"#%@`,\n ab1\t\\")), max_size=200),
    st.builds(lambda depth, tag: f"{tag} " + "[" * depth, st.integers(1, 3000),
              st.sampled_from(["", "!!omap", "!!set", "!!binary", "!!python/object:os.system",
                               "!!timestamp", "!!int"])),
    st.builds(lambda n: "name: x\nstart: " + "9" * n + "\n", st.integers(1, 6000)),
)


@BUDGET
@given(text=raw_text)
def test_raw_text_is_refused_with_file_and_line(text, tmp_path_factory):
    path = tmp_path_factory.mktemp("prop") / "raw.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(path)
    assert_clean_outcome(path, code, out, err)
