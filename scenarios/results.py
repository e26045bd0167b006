"""What running a scenario produced: a timeline of events per step and the verdicts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path


@dataclass(frozen=True)
class Event:
    """Something that happened: a transition, an email received/refused, a message..."""

    at: datetime
    kind: str  # transition | email | refused | retry | failed | skipped | inbox | contact
    text: str


@dataclass(frozen=True)
class Failure:
    """An expectation that did not hold: where it is written, what it said, what was found."""

    line: int
    expected: str
    found: str


@dataclass(frozen=True)
class StepResult:
    number: int
    line: int
    action: str
    description: str
    at: datetime  # simulated time when the step started
    status: str  # passed | failed | not_run
    outcome: str = ""  # e.g. "refused with link_invalid, as expected"
    failures: tuple[Failure, ...] = ()
    events: tuple[Event, ...] = ()


@dataclass(frozen=True)
class ScenarioResult:
    path: Path
    name: str
    description: str
    zone: tzinfo  # the scenario's display zone (the UTC offset of ``start``)
    steps: tuple[StepResult, ...]
    seconds: float  # wall time
    ended_at: datetime  # simulated time at the end

    @property
    def passed(self) -> bool:
        return all(s.status == "passed" for s in self.steps)

    @property
    def failures(self) -> list[tuple[StepResult, Failure]]:
        return [(s, f) for s in self.steps for f in s.failures]


def local(when: datetime, zone: tzinfo) -> str:
    """A simulated time in the scenario's zone, e.g. ``2026-03-02 09:00:00 +08:00``."""
    shown = when.astimezone(zone)
    offset = shown.strftime("%z")
    return f"{shown:%Y-%m-%d %H:%M:%S} {offset[:3]}:{offset[3:]}"


def summary(results: list[ScenarioResult]) -> str:
    failed = sum(1 for r in results if not r.passed)
    noun = "scenario" if len(results) == 1 else "scenarios"
    if not failed:
        return f"{len(results)} {noun}: all passed"
    return f"{len(results)} {noun}: {len(results) - failed} passed, {failed} failed"
