"""Moving a simulated clock from due time to due time, running the jobs at each stop.

The scenario runner and the served simulated clock (``POST /_icpsim/v1/clock/advance``)
both move time this way, so every timer, retry and expiry happens at its own time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from workflow.clock import SimulatedClock

# The limits measure lack of progress, never the amount of work: an advance may visit any
# number of due times as long as the jobs do something at them.
MAX_IDLE_STOPS = 1_000  # due times in a row at which the jobs did nothing
MAX_OVERDUE = 300  # seconds in a row work stays overdue although the jobs ran


class Stuck(RuntimeError):
    """The jobs keep reporting work due, yet do none of it when run."""


def step_to(clock: SimulatedClock, target: datetime, *, next_due: datetime | None,
            settle: Callable[[], tuple[int, datetime | None]]) -> int:
    """Stop at each due time up to ``target`` (``settle`` runs the jobs there and returns
    the work done and the next due time), then at ``target``; returns the stops made."""
    stops = overdue = idle = 0
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
        done, due = settle()
        stops += 1
        idle = 0 if done else idle + 1
        if idle > MAX_IDLE_STOPS or overdue > MAX_OVERDUE:
            raise Stuck(f"the jobs never settle: work is due at {clock.now()} but "
                        f"{idle} stops in a row did none of it")
    clock.set(target)
    settle()
    return stops


__all__ = ["MAX_IDLE_STOPS", "MAX_OVERDUE", "Stuck", "step_to"]
