"""The run's files: summary.json, daily.csv, filings.csv (byte-identical for the same
model and seed, except summary.json's last group: the run's wall time and peak memory),
and the terminal summary (text or JSON) with the run's cost."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

from .collect import DAILY_COLUMNS, Results
from .tally import FILING_COLUMNS

RUN_GROUP = "run"  # the run's own cost in summary.json: the one part that varies


def write_files(results: Results, out: Path, run: dict[str, Any]) -> list[Path]:
    """summary.json (with the run's cost as its last group), daily.csv, filings.csv."""
    out.mkdir(parents=True, exist_ok=True)
    summary = out / "summary.json"
    summary.write_text(json.dumps({**results.summary, RUN_GROUP: run}, indent=2,
                                  ensure_ascii=False) + "\n", encoding="utf-8")
    daily = out / "daily.csv"
    _csv(daily, DAILY_COLUMNS, results.daily)
    filings = out / "filings.csv"
    _csv(filings, FILING_COLUMNS, results.filings)
    return [summary, daily, filings]


def _csv(path: Path, columns: tuple[str, ...], rows: Iterable[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore",
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def write_json_report(results: Results, run: dict[str, Any], files: list[Path],
                      out: TextIO) -> None:
    json.dump({**results.summary, RUN_GROUP: run, "files": [str(p) for p in files]}, out,
              indent=2, ensure_ascii=False)
    out.write("\n")


def write_text_report(results: Results, run: dict[str, Any], files: list[Path],
                      out: TextIO) -> None:
    s = results.summary
    console = Console(file=out, width=100, highlight=False)
    console.print(f"[bold]{s['model']}[/bold] (seed {s['seed']}, calendar {s['calendar']}): "
                  f"{s['start']} to {s['end']}")
    p = s["population"]
    console.print(f"{p['filings']} filings of {p['accounts']} accounts with {p['contacts']} "
                  f"contacts; ran in {run['wall_seconds']:.1f} s, peak memory "
                  f"{run['peak_rss_mb']:.0f} MB (all processes)")
    console.print(_table("Filings by final state", s["filings_by_state"]))
    console.print(_table("Transitions by trigger",
                         {k: v for k, v in s["transitions_by_trigger"].items() if v}))
    console.print(_table("Notifications by type", s["notifications_by_type"]))
    msgs = Table(title="Messages by channel")
    for col in ("channel", "sent", "failed", "pending", "skipped"):
        msgs.add_column(col, justify="left" if col == "channel" else "right")
    for channel, m in s["messages"].items():
        msgs.add_row(channel, str(m["sent"]), str(m["failed"]), str(m["pending"]),
                     str(sum(m["skipped"].values())))
    console.print(msgs)
    missed, t = s["receivers_missed"], s["time_to_approval"]
    console.print(f"Receivers missed (selected, not verified): {missed['messages']} messages "
                  f"to {missed['contacts']} contacts")
    console.print(f"Approved: {t['approved']}; business days to approval p50/p90/p99/max: "
                  f"{_four(t['business_days'])}; calendar days: {_four(t['calendar_days'])}")
    console.print(f"SMS timeouts {s['sms_timeouts']}, expiries {s['expiries']}, "
                  f"rectification cancellations {s['rectification_cancellations']}")
    console.print("Files: " + ", ".join(str(f) for f in files))


def _table(title: str, data: dict[str, Any]) -> Table:
    table = Table(title=title)
    table.add_column("name")
    table.add_column("count", justify="right")
    for k, v in data.items():
        table.add_row(str(k), str(v))
    return table


def _four(p: dict[str, Any]) -> str:
    return "/".join("-" if p[k] is None else f"{p[k]:g}" for k in ("p50", "p90", "p99", "max"))


__all__ = ["RUN_GROUP", "write_files", "write_json_report", "write_text_report"]
