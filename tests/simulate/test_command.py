"""`icpsim simulate`: deterministic files, the report, and invalid models refused with lines."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from scenarios.simulate.cli import simulate_command
from web.cli import main

BUSY = """\
contacts:
  per_account: {min: 0, max: 3}
  verify: {probability: 0.7, after: {median: 3h, p90: 2d}}
channels: {email: 0.8, internal: 1.0, sms: 0.3}
filings: {count: 25, arrival: working_hours, types: {first_filing: 0.6, new_website: 0.4}}
stages:
  submit: {after: {median: 4h, p90: 2d}, abandon: 0.1}
  initial_review: {business_days: {min: 1, max: 2}, reject: 0.2}
  sms_verification: {complete: 0.8, after: {median: 2h, p90: 20h}}
  authority_review: {business_days: {min: 1, max: 5, mode: 2}, reject: 0.1}
  resubmit: {probability: 0.7, after: {business_days: {min: 1, max: 3}}}
mail: {tempfail: 0.05, reject: 0.01, outages: [{at: 2026-09-04T02:00:00+08:00, for: 6h}]}
"""
DETERMINISTIC = ("summary.json", "daily.csv", "filings.csv")


def run(path: Path, out: Path, *args: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = simulate_command(path, out=out, stdout=stdout, stderr=stderr,
                            seed=int(args[0]) if args else None)
    return code, stdout.getvalue(), stderr.getvalue()


def test_same_model_and_seed_give_byte_identical_files_and_another_seed_does_not(
        model_file, tmp_path: Path) -> None:
    path = model_file(BUSY)
    for name, seed in (("a", "11"), ("b", "11"), ("c", "12")):
        code, _, err = run(path, tmp_path / name, seed)
        assert code == 0, err
    for name in DETERMINISTIC:
        first = _without_run_cost((tmp_path / "a" / name).read_bytes())
        assert first == _without_run_cost((tmp_path / "b" / name).read_bytes()), name
        assert first != _without_run_cost((tmp_path / "c" / name).read_bytes()), name


def _without_run_cost(data: bytes) -> bytes:
    """The file's bytes; for summary.json, up to its last group (the run's wall time and
    peak memory), which is checked to be that group and nothing else."""
    marker = b',\n  "run": {\n'
    if not data.startswith(b"{\n  \"model\""):
        return data
    head, found, tail = data.partition(marker)
    assert found, "summary.json ends with the run's cost"
    run = json.loads(b"{" + tail[:-2] + b"\n")
    assert set(run) == {"wall_seconds", "peak_rss_mb", "shards", "processes", "stops",
                        "step_seconds"}
    assert tail.endswith(b"}\n}\n")
    return head


def test_summary_json_carries_the_run_wall_time_and_peak_memory(model_file,
                                                                tmp_path: Path) -> None:
    code, _, err = run(model_file(BUSY), tmp_path / "out")
    assert code == 0, err
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert list(summary)[-1] == "run"
    assert summary["run"]["wall_seconds"] > 0
    assert 20 < summary["run"]["peak_rss_mb"] < 2000


def test_the_command_writes_the_files_and_a_self_contained_report(model_file,
                                                                  tmp_path: Path,
                                                                  capsys) -> None:
    path = model_file(BUSY)
    out = tmp_path / "out"
    assert main(["simulate", str(path), "--out", str(out), "--report", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["model"] == "test-model"
    assert report["population"]["filings"] == 25
    assert report["run"]["wall_seconds"] > 0
    assert report["run"]["peak_rss_mb"] > 0
    assert report["messages"]["sms"]["sent"] > 0  # 30% of the accounts turn SMS on
    assert report["sms_gateway"]["accepted"] >= report["messages"]["sms"]["sent"]
    for name in (*DETERMINISTIC, "report.html"):
        assert (out / name).is_file(), name
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 5
    for loads in ('src="http', "src='http", 'href="http', "url(http", "<link", "<script"):
        assert loads not in page  # nothing fetched when the page is viewed
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert sum(summary["filings_by_state"].values()) == 25
    daily = (out / "daily.csv").read_text().splitlines()
    sms = daily[0].split(",").index("sms")
    assert sum(int(line.split(",")[sms]) for line in daily[1:]) == \
        summary["messages"]["sms"]["sent"]
    assert daily[0].startswith("date,working_day,arrivals,submit,start_review")
    assert daily[0].endswith("emails,internal_messages,sms,webhook_calls,failures,skips")
    assert len(daily) == 1 + 21  # one row per local date of the 20 days


def test_the_text_summary_names_the_counts_an_operator_asks_for(model_file,
                                                                tmp_path: Path) -> None:
    code, out, _ = run(model_file(BUSY), tmp_path / "out")
    assert code == 0
    for words in ("Filings by final state", "Messages by channel", "Receivers missed",
                  "business days to approval", "SMS timeouts"):
        assert words in out


@pytest.mark.parametrize(("body", "line", "words"), [
    ("filings: {count: 5}\nstages:\n  submit: {abandon: 1.5}\n", 9, "between 0 and 1"),
    ("filings: {count: 5}\nstages:\n  initial_review: {business_days: {min: 4, max: 2}}\n",
     9, "min 4 is above max 2"),
    ("filings: {count: 5}\nstages:\n  authority_reveiw: {reject: 0.1}\n", 9,
     "did you mean 'authority_review'"),
    ("filings: {count: 5, arrival: hourly}\n", 7, "arrival 'hourly' is not known"),
    ("filings: {count: 5}\ncontacts: {verify: {after: {median: 3h}}}\n", 8,
     "missing field 'p90'"),
    ("filings: {count: 5}\nmail: {outages: [{at: yesterday, for: 6h}]}\n", 8,
     "ISO 8601"),
    ("stages: {}\n", 1, "missing section 'filings'"),
])
def test_an_invalid_model_exits_2_naming_file_and_line_and_runs_nothing(
        model_file, tmp_path: Path, body: str, line: int, words: str) -> None:
    path = model_file(body)
    code, _, err = run(path, tmp_path / "out")
    assert code == 2
    assert f"{path}:{line}: " in err
    assert words in err
    assert "nothing was run" in err
    assert not (tmp_path / "out").exists()


def test_a_period_past_the_calendar_package_years_is_refused_up_front(
        model_file, tmp_path: Path) -> None:
    path = model_file("filings: {count: 5}\n", start="2026-12-01T09:00:00+08:00",
                      duration="60d")
    code, _, err = run(path, tmp_path / "out")
    assert code == 2
    assert f"{path}:3: " in err
    assert "2004-2026" in err
    assert "calendar: none" in err
    assert not (tmp_path / "out").exists()


def test_a_model_that_is_not_yaml_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: [unclosed\n", encoding="utf-8")
    code, _, err = run(path, tmp_path / "out")
    assert code == 2
    assert str(path) in err


def test_filings_without_count_or_schedule_are_refused(model_file, tmp_path: Path) -> None:
    path = model_file("filings: {arrival: uniform}\n")
    code, _, err = run(path, tmp_path / "out")
    assert code == 2
    assert f"{path}:7: filings: give count (with arrival) or schedule" in err


@pytest.mark.parametrize("name", ["quiet-month", "busy-quarter"])
def test_the_example_models_are_valid(name: str) -> None:
    from scenarios.simulate.modelfile import load_model

    root = Path(__file__).resolve().parents[2]
    model = load_model(root / "simulations" / f"{name}.yaml")
    assert model.name == name
    assert model.filing_count > 0
