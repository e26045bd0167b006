"""Helpers for simulation tests: small model files, runs kept open for inspection."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from scenarios.simulate.collect import Results, collect
from scenarios.simulate.driver import Simulation
from scenarios.simulate.model import SimulationModel
from scenarios.simulate.modelfile import load_model

BASE = """\
name: {name}
start: {start}
duration: {duration}
calendar: {calendar}
seed: 5
accounts: {{count: {accounts}, language: {{en: 0.5, zh: 0.5}}}}
"""


@pytest.fixture
def model_file(tmp_path: Path) -> Callable[..., Path]:
    """Write a model: the header (name, start, ...) and the given YAML body."""

    def write(body: str, *, name: str = "test-model", start: str = "2026-09-01T09:00:00+08:00",
              duration: str = "20d", calendar: str = "cn", accounts: int = 4) -> Path:
        path = tmp_path / f"{name}.yaml"
        path.write_text(BASE.format(name=name, start=start, duration=duration,
                                    calendar=calendar, accounts=accounts)
                        + textwrap.dedent(body), encoding="utf-8")
        return path

    return write


class Run:
    def __init__(self, sim: Simulation, results: Results):
        self.sim = sim
        self.results = results
        self.summary = results.summary

    def history(self, filing_id: str) -> list[tuple[str, object]]:
        """(trigger, local time) of every history row of the filing."""
        filing = self.sim.system.filings.find(filing_id)
        zone = self.sim.model.start.tzinfo
        return [(h.trigger, h.at.astimezone(zone))
                for h in self.sim.system.filings.history(filing.account_id, filing_id)]


@pytest.fixture
def simulate(tmp_path: Path) -> Iterator[Callable[..., Run]]:
    """Run a model file in-process and keep its database open for the test to read."""
    opened: list[Simulation] = []

    def run(path: Path, *, seed: int | None = None) -> Run:
        model: SimulationModel = load_model(path)
        work = tmp_path / f"work{len(opened)}"
        work.mkdir()
        sim = Simulation(model, seed=model.seed if seed is None else seed, workdir=work)
        opened.append(sim)
        state = sim.run()
        return Run(sim, collect(sim, state))

    yield run
    for sim in opened:
        sim.close()
