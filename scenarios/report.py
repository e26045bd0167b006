"""Reports of a run: a text timeline (rich on a terminal, plain otherwise) and JSON."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape

from .results import Event, ScenarioResult, StepResult, local, summary

_MARK = {"passed": ("ok", "green"), "failed": ("FAIL", "bold red"), "not_run": ("skip", "dim")}
_EVENT_STYLE = {"transition": "cyan", "email": "green", "refused": "yellow", "retry": "yellow",
                "failed": "red", "skipped": "magenta", "inbox": "blue", "contact": "white"}


def text_lines(result: ScenarioResult) -> list[tuple[str, str]]:
    """The timeline of one scenario as (text, style) lines."""
    verdict = "PASSED" if result.passed else "FAILED"
    lines = [(f"== {result.name}  [{result.path}]", "bold")]
    if result.description:
        lines.append((f"   {' '.join(result.description.split())}", "dim"))
    for step in result.steps:
        lines.extend(_step_lines(step, result))
    ended = local(result.ended_at, result.zone)
    lines.append((f"   {verdict}  ({len(result.steps)} steps, simulated until {ended})",
                  "bold green" if result.passed else "bold red"))
    for step, failure in result.failures:
        lines.append((f"   step {step.number} (line {failure.line}): {step.description}",
                      "red"))
        lines.append((f"     expected: {failure.expected}", "red"))
        lines.append((f"     found:    {failure.found}", "red"))
    return lines


def _step_lines(step: StepResult, result: ScenarioResult) -> list[tuple[str, str]]:
    mark, style = _MARK[step.status]
    when = local(step.at, result.zone)
    head = f"  {mark:<4} {when}  step {step.number} (line {step.line})  {step.description}"
    out = [(head, style if step.status != "passed" else "")]
    pad = " " * 7
    if step.outcome:
        out.append((f"{pad}-> {step.outcome}", "dim"))
    for event, repeats in _condensed(step.events):
        out.append((f"{pad}{local(event.at, result.zone)}  {event.kind:<10} {event.text}",
                    _EVENT_STYLE.get(event.kind, "")))
        if repeats:
            out.append((f"{pad}{'':26}  {'':<10} ... {repeats} more like this ...", "dim"))
    for failure in step.failures:
        out.append((f"{pad}!! line {failure.line}: expected {failure.expected}; "
                    f"found {failure.found}", "bold red"))
    return out


def _condensed(events: tuple[Event, ...]) -> list[tuple[Event, int]]:
    """Runs of one delivery's retries become first, "N more", last (JSON keeps them all)."""
    out: list[tuple[Event, int]] = []
    run: list[Event] = []

    def flush() -> None:
        if len(run) > 3:
            out.extend([(run[0], len(run) - 2), (run[-1], 0)])
        else:
            out.extend((e, 0) for e in run)
        run.clear()

    for event in events:
        if run and (event.kind, _gist(event)) != (run[0].kind, _gist(run[0])):
            flush()
        run.append(event)
    flush()
    return out


def _gist(event: Event) -> str:
    return event.text.split(" (")[0]


def write_text(results: list[ScenarioResult], out: TextIO | None = None) -> None:
    out = out or sys.stdout
    rich = out.isatty()
    console = Console(file=out, highlight=False, soft_wrap=True) if rich else None
    for result in results:
        for text, style in [*text_lines(result), ("", "")]:
            if console is not None:
                console.print(f"[{style}]{escape(text)}[/]" if style else escape(text))
            else:
                out.write(text + "\n")
    last = summary(results)
    if console is not None:
        passed = all(r.passed for r in results)
        console.print(f"[bold {'green' if passed else 'red'}]{escape(last)}[/]")
    else:
        out.write(last + "\n")


def to_json(results: list[ScenarioResult]) -> dict[str, Any]:
    """The same facts as the text report, as plain data."""
    return {
        "scenarios": [_scenario(r) for r in results],
        "summary": {"total": len(results), "passed": sum(r.passed for r in results),
                    "failed": sum(not r.passed for r in results), "text": summary(results)},
    }


def _scenario(result: ScenarioResult) -> dict[str, Any]:
    return {
        "name": result.name,
        "path": str(result.path),
        "description": result.description,
        "verdict": "passed" if result.passed else "failed",
        "seconds": round(result.seconds, 4),
        "ended_at": result.ended_at.astimezone(result.zone).isoformat(),
        "steps": [{
            "number": s.number,
            "line": s.line,
            "action": s.action,
            "description": s.description,
            "at": s.at.astimezone(result.zone).isoformat(),
            "status": s.status,
            "outcome": s.outcome,
            "events": [{"at": e.at.astimezone(result.zone).isoformat(), "kind": e.kind,
                        "text": e.text} for e in s.events],
            "failures": [{"line": f.line, "expected": f.expected, "found": f.found}
                         for f in s.failures],
        } for s in result.steps],
    }


def write_json(results: list[ScenarioResult], out: TextIO | None = None) -> None:
    out = out or sys.stdout
    json.dump(to_json(results), out, ensure_ascii=False, indent=2)
    out.write("\n")
