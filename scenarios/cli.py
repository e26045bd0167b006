"""`icpsim run PATH...`: validate every file first, then run them and report."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from .junit import write_junit
from .model import Scenario
from .report import write_json, write_text
from .runner import run_scenario
from .validate import InvalidScenario, Problem, load_scenario

EXIT_PASSED, EXIT_FAILED, EXIT_INVALID = 0, 1, 2
SUFFIXES = (".yaml", ".yml")


def collect(paths: Sequence[str | Path]) -> tuple[list[Path], list[Problem]]:
    """The scenario files named: files as given, folders' *.yaml / *.yml sorted."""
    files: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
            if not found:
                problems.append(Problem(path, 0, "no *.yaml or *.yml scenario file in this folder"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(path, 0, "no such file or folder"))
    return list(dict.fromkeys(files)), problems


def load_all(paths: Sequence[str | Path]) -> tuple[list[Scenario], list[Problem]]:
    files, problems = collect(paths)
    scenarios: list[Scenario] = []
    for path in files:
        try:
            scenarios.append(load_scenario(path))
        except InvalidScenario as exc:
            problems.extend(exc.problems)
        except Exception as exc:  # a validator bug must still name the file, not crash
            problems.append(Problem(path, 1, f"internal error while validating the file: "
                                    f"{type(exc).__name__}: {exc}"))
    return scenarios, problems


def run_command(paths: Sequence[str | Path], *, report: str = "text",
                junit: str | Path | None = None, out: TextIO | None = None,
                err: TextIO | None = None) -> int:
    """Exit 0 when every scenario passed, 1 when one failed, 2 when a file is invalid.

    No input ends in a traceback: a failure inside a step is that step's failure (the
    runner), and anything else unexpected is one line on ``err`` and exit 2.
    """
    out, err = out or sys.stdout, err or sys.stderr
    try:
        return _run(paths, report=report, junit=junit, out=out, err=err)
    except OSError as exc:  # e.g. the JUnit file's folder cannot be written
        err.write(f"icpsim run: {exc.strerror or exc}: {exc.filename or ''}\n")
    except Exception as exc:
        err.write(f"icpsim run: internal error: {type(exc).__name__}: {exc}\n")
    return EXIT_INVALID


def _run(paths: Sequence[str | Path], *, report: str, junit: str | Path | None,
         out: TextIO, err: TextIO) -> int:
    scenarios, problems = load_all(paths)
    if problems:
        for problem in problems:
            err.write(f"{problem}\n")
        err.write(f"icpsim run: {len(problems)} problem(s); no scenario was run\n")
        if report == "json":
            json.dump({"errors": [{"path": str(p.path), "line": p.line, "message": p.message}
                                  for p in problems]}, out, indent=2)
            out.write("\n")
        return EXIT_INVALID
    results = [run_scenario(s) for s in scenarios]
    if report == "json":
        write_json(results, out)
    else:
        write_text(results, out)
    if junit:
        write_junit(results, junit)
    return EXIT_PASSED if all(r.passed for r in results) else EXIT_FAILED
