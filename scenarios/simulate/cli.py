"""`icpsim simulate MODEL.yaml`: validate the model, run it, write and print the results."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from . import shards
from .driver import WINDOW
from .model import SimulationModel
from .modelfile import InvalidModel, load_model
from .outputs import write_files, write_json_report, write_text_report
from .report_html import write_report

EXIT_RAN, EXIT_INVALID = 0, 2


def simulate_command(path: str | Path, *, seed: int | None = None, out: str | Path | None = None,
                     report: str = "text", step: timedelta = WINDOW,
                     stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Exit 0 when it ran, 2 when the model file is invalid (nothing runs)."""
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    try:
        model = load_model(path)
    except InvalidModel as exc:
        for problem in exc.problems:
            stderr.write(f"{problem}\n")
        stderr.write(f"icpsim simulate: {len(exc.problems)} problem(s); nothing was run\n")
        if report == "json":
            json.dump({"errors": [{"path": str(p.path), "line": p.line, "message": p.message}
                                  for p in exc.problems]}, stdout, indent=2)
            stdout.write("\n")
        return EXIT_INVALID
    folder = Path(out) if out is not None else Path("simulation-out") / _safe(model.name)
    chosen = model.seed if seed is None else seed
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="icpsim-simulate-") as work:
        with _progress(model, stderr) as tick:
            results, cost = shards.run(model, seed=chosen, workdir=Path(work), window=step,
                                       progress=tick)
        run = {"wall_seconds": round(time.perf_counter() - started, 3),
               "peak_rss_mb": cost.peak_rss_mb, "shards": cost.shards,
               "processes": cost.processes, "stops": cost.stops,
               "step_seconds": int(step.total_seconds())}
        files = write_files(results, folder, run)  # filings.csv from the runs' part files
        files.append(write_report(results, run, folder / "report.html"))
    if report == "json":
        write_json_report(results, run, files, stdout)
    else:
        write_text_report(results, run, files, stdout)
    return EXIT_RAN


@contextmanager
def _progress(model: SimulationModel, stream: TextIO) -> Iterator[Any]:
    """A progress bar (simulated day, filings created, elapsed) on a terminal only."""
    if not stream.isatty():
        yield None
        return
    total = max(1, int(model.duration.total_seconds()))
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[day]}"),
                  TextColumn("{task.fields[filings]} filings"), TimeElapsedColumn(),
                  transient=True) as bar:
        task = bar.add_task(model.name, total=total, day="", filings=0)

        def tick(at: datetime, filings: int) -> None:
            bar.update(task, completed=(at - model.start).total_seconds(),
                       day=at.astimezone(model.start.tzinfo).date().isoformat(),
                       filings=filings)

        yield tick


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in name).strip(".") or "model"


__all__ = ["simulate_command"]
