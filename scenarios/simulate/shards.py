"""A population run in shards: its accounts dealt into a fixed number of parts, each part
a simulation of its own (database, clock, random streams) in a process of its own, and
their tallies added up.

Accounts share no filing, contact, setting or message, so the parts are independent and
each runs the whole machinery for its accounts. The number of shards is a constant, never
the machine's core count: the same model and seed give the same files on any machine
(with fewer cores the shards take turns, in one process when there is one core).
"""

from __future__ import annotations

import os
import resource
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta
from multiprocessing import get_context
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, cast

from .calendar import calendar_named
from .collect import Results, results
from .driver import Progress, Simulation
from .model import SimulationModel
from .population import Population, generate
from .sampling import Sampler
from .tally import Tally, merged, tally

SHARDS = 2


@dataclass(frozen=True)
class Cost:
    """What a run used: its shards, their stops, and the peak memory of its processes."""

    shards: int
    processes: int
    stops: int
    peak_rss_mb: float  # the parent's peak plus each shard process's: an upper bound


def part(population: Population, k: int, shards: int) -> Population:
    """Shard ``k`` of ``shards``: the accounts dealt round-robin, with their filings."""
    accounts = population.accounts[k::shards]
    ids = {a.id for a in accounts}
    return Population(accounts, tuple(f for f in population.filings if f.account in ids))


def run(model: SimulationModel, *, seed: int, workdir: Path, window: timedelta,
        progress: Progress | None = None, shards: int = SHARDS) -> tuple[Results, Cost]:
    job = _Job(model, seed, workdir, window, shards)
    processes = min(shards, len(os.sched_getaffinity(0)))
    if processes > 1:
        tallies, child_rss = _in_processes(job, progress)
    else:
        tallies, child_rss = _in_turn(job, progress), 0.0
    total = merged(tallies)
    cost = Cost(shards, processes, total.stops, round(peak_rss_mb() + child_rss, 1))
    return results(model, seed, calendar_named(model.calendar), total), cost


@dataclass(frozen=True)
class _Job:
    model: SimulationModel
    seed: int
    workdir: Path
    window: timedelta
    shards: int

    def run_part(self, k: int, progress: Progress | None) -> Tally:
        """Shard ``k``: the population drawn (the same in every shard), its part kept."""
        calendar = calendar_named(self.model.calendar)
        mine = part(generate(self.model, Sampler(self.seed), calendar), k, self.shards)
        folder = self.workdir / f"shard-{k}"
        folder.mkdir()
        sim = Simulation(self.model, seed=self.seed, workdir=folder, window=self.window,
                         shard=k, progress=progress)
        try:
            return tally(sim, sim.run(mine))
        finally:
            sim.close()


def _in_turn(job: _Job, progress: Progress | None) -> list[Tally]:
    done = [0]  # filings of the shards already run

    def tick(at: datetime, filings: int) -> None:
        if progress is not None:
            progress(at, done[0] + filings)

    out = []
    for k in range(job.shards):
        out.append(job.run_part(k, tick))
        done[0] += out[-1].filings
    return out


def _in_processes(job: _Job, progress: Progress | None) -> tuple[list[Tally], float]:
    """Each shard in a forked process; each sends back its tally and peak memory, and
    reports its simulated time and filings created in shared memory for the progress
    bar."""
    ctx = get_context("fork")
    n, start = job.shards, job.model.start
    where = ctx.Array("d", 2 * n, lock=False)  # per shard: seconds, filings
    pipes, children = [], []
    for k in range(n):
        mine, theirs = ctx.Pipe(duplex=False)
        child = ctx.Process(target=_child, name=f"icpsim-shard-{k}", daemon=True,
                            args=(theirs, job, k, where))
        child.start()
        theirs.close()
        pipes.append(mine)
        children.append(child)
    answers: dict[int, Any] = {}
    try:
        while len(answers) < n:
            for conn in wait([p for k, p in enumerate(pipes) if k not in answers],
                             timeout=0.25):
                k = pipes.index(cast(Connection, conn))
                answers[k] = _answer(pipes[k], children[k])
            if progress is not None:
                progress(start + timedelta(seconds=min(where[0::2])), int(sum(where[1::2])))
    finally:
        for child in children:
            child.join(timeout=5)
            if child.is_alive():
                child.kill()
    return [answers[k][0] for k in range(n)], sum(a[1] for a in answers.values())


def _child(conn: Connection, job: _Job, k: int, where: Any) -> None:
    def tick(at: datetime, filings: int) -> None:
        where[2 * k], where[2 * k + 1] = (at - job.model.start).total_seconds(), filings

    try:
        found = job.run_part(k, tick)
        conn.send(("ok", (found, peak_rss_mb())))
    except BaseException:
        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


def _answer(conn: Connection, child: Any) -> Any:
    try:
        status, value = conn.recv()
    except EOFError:
        child.join(timeout=5)
        raise RuntimeError(f"simulation shard {child.name} ended without an answer "
                           f"(exit code {child.exitcode})") from None
    if status != "ok":
        raise RuntimeError(f"simulation shard {child.name} failed:\n{value}")
    return value


def peak_rss_mb() -> float:
    """The process's peak resident memory so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


__all__ = ["SHARDS", "Cost", "part", "run"]
