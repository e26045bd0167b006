"""Moving a simulated clock from due time to due time, running the jobs at each stop.

The scenario runner and the served simulated clock (``POST /_icpsim/v1/clock/advance``)
both move time this way, so every timer, retry and expiry happens at its own time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from workflow.clock import SimulatedClock

MAX_STOPS = 20_000  # due times one advance may visit before the jobs are deemed stuck
MAX_OVERDUE = 300  # seconds in a row work stays overdue although the jobs ran


class Stuck(RuntimeError):
    """The jobs keep reporting work due at a time they have already run at."""


def step_to(clock: SimulatedClock, target: datetime, *, next_due: datetime | None,
            settle: Callable[[], datetime | None]) -> int:
    """Stop at each due time up to ``target`` (``settle`` runs the jobs there and returns
    the next due time), then at ``target``; returns the number of stops on the way."""
    stops = overdue = 0
    due = next_due
    while True:
        if due is None or due > target:
            break
        if due <= clock.now():  # due now yet the jobs just ran (a lease?): nudge on
            overdue += 1
            due = clock.now() + timedelta(seconds=1)
            if due > target:
                break
        else:
            overdue = 0
        clock.set(due)
        due = settle()
        stops += 1
        if stops > MAX_STOPS or overdue > MAX_OVERDUE:
            raise Stuck(f"the jobs never settle: still work due at {clock.now()} after "
                        f"{stops} stops")
    clock.set(target)
    settle()
    return stops


__all__ = ["MAX_OVERDUE", "MAX_STOPS", "Stuck", "step_to"]
