"""Run a validated scenario step by step on its own world and record what happened."""

from __future__ import annotations

import time
from datetime import datetime

from workflow.errors import IcpsimError

from .actions import PERFORM
from .checks import evaluate
from .model import Scenario, Step
from .results import Event, Failure, ScenarioResult, StepResult, local
from .stepping import step_to
from .timeline import Observer
from .world import World, open_world


class Run:
    """The state of one run: the world, its observer and the events of the current step."""

    def __init__(self, world: World):
        self.world = world
        self.observer = Observer(world)
        self.events: list[Event] = []

    def settle(self, *, look: bool = True) -> tuple[int, datetime | None]:
        """Run every job due now (without moving the clock) and note what happened;
        returns the work done and the next due time as it stands once settled.

        ``look=False``: only look for news when the jobs did some work (the clock moved,
        nothing else did).
        """
        done, due = self.world.system.settle(self.world.now())
        if look or done:
            self.events.extend(self.observer.collect())
        return done, due

    def advance_to(self, target: datetime) -> str:
        """Step from due time to due time up to ``target``, running the jobs at each."""
        # Settling at a stop also tells the next due time (the observer only reads), so
        # each stop after the first costs no extra query for it.
        stops = step_to(self.world.clock, target, next_due=self.world.system.next_due_at(),
                        settle=lambda: self.settle(look=False))
        zone = self.world.scenario.start.tzinfo
        return f"clock at {local(target, zone) if zone else target} ({stops} due times on the way)"

    def step(self, step: Step) -> tuple[str, list[Failure]]:
        """Perform one step; the outcome text and the failures (empty when it passed)."""
        if step.action == "expect":
            failures = [f for c in step.checks if (f := evaluate(self.world, c)) is not None]
            return "", failures
        if step.action == "advance":
            return self.advance_to(self.world.now() + step.args["value"]), []
        if step.action == "advance_to":
            return self.advance_to(step.args["value"]), []
        before = self.world.fingerprint() if step.expect_error else None
        try:
            outcome = PERFORM[step.action](self.world, step, step.args)
        except IcpsimError as exc:
            refused = f"refused: {exc.code}: {exc.message}"
            if step.expect_error is None:
                return refused, [Failure(step.line, "the step to succeed", refused)]
            if exc.code != step.expect_error:
                return refused, [Failure(step.line, f"refusal with {step.expect_error}",
                                         refused)]
            changed = [k for k, v in self.world.fingerprint().items()
                       if before is not None and before.get(k) != v]
            if changed:
                return refused, [Failure(step.line, f"{step.expect_error} and no change",
                                         f"{exc.code}, but it changed {', '.join(changed)}")]
            return f"refused with {exc.code}, as expected: {exc.message}", []
        if step.expect_error is not None:
            return outcome, [Failure(step.line, f"refusal with {step.expect_error}",
                                     f"the step succeeded ({outcome})")]
        return outcome, []


def run_scenario(scenario: Scenario) -> ScenarioResult:
    """Run every step in a fresh world; a failed action stops the steps after it."""
    started = time.perf_counter()
    zone = scenario.start.tzinfo
    assert zone is not None
    try:
        results, ended = _run_steps(scenario)
    except Exception as exc:  # the world itself could not be built or torn down
        found = f"{type(exc).__name__}: {exc}"
        results = [StepResult(0, 1, "setup", "start the scenario's database, clock and "
                              "mail server", scenario.start, "failed", found,
                              (Failure(1, "the scenario to start", found),))]
        ended = scenario.start
    return ScenarioResult(scenario.path, scenario.name, scenario.description, zone,
                          tuple(results), time.perf_counter() - started, ended)


def _run_steps(scenario: Scenario) -> tuple[list[StepResult], datetime]:
    results: list[StepResult] = []
    with open_world(scenario) as world:
        run = Run(world)
        run.settle()
        stopped = False
        for step in scenario.steps:
            at = world.now()
            if stopped:
                results.append(StepResult(step.number, step.line, step.action,
                                          step.describe(), at, "not_run"))
                continue
            run.events = []
            try:
                outcome, failures = run.step(step)
                # advance settles at each stop itself; expect only reads, at a settled time
                if step.action not in ("advance", "advance_to", "expect"):
                    run.settle()
            except Exception as exc:  # a bug below us: report it as this step's failure
                outcome = f"internal error: {type(exc).__name__}: {exc}"
                failures = [Failure(step.line, "the step to run", outcome)]
            if failures and step.action != "expect":
                stopped = True
            results.append(StepResult(
                step.number, step.line, step.action, step.describe(), at,
                "failed" if failures else "passed", outcome, tuple(failures),
                tuple(run.events)))
        ended = world.now()
    return results, ended
