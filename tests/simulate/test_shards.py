"""A run in shards: every account and filing in exactly one part, and with nothing left to
chance the sharded run tells exactly what one run of the whole population tells."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from scenarios.simulate import shards
from scenarios.simulate.calendar import calendar_named
from scenarios.simulate.modelfile import load_model
from scenarios.simulate.population import generate
from scenarios.simulate.sampling import Sampler

PREDICTABLE = """\
contacts:
  per_account: {min: 1, max: 2}
  verify: {probability: 1, after: {fixed: 2h}}
channels: {email: 1, internal: 1, sms: 0.5}
filings:
  schedule:
    - {at: 2026-09-01T10:00:00+08:00, count: 9}
    - {at: 2026-09-03T15:00:00+08:00, count: 8}
stages:
  submit: {after: {fixed: 1h}}
  initial_review: {business_days: {fixed: 1}, reject: 0}
  sms_verification: {complete: 1, after: {fixed: 2h}}
  authority_review: {business_days: {fixed: 2}, reject: 0}
"""


def test_every_account_and_filing_is_in_exactly_one_shard(model_file) -> None:
    model = load_model(model_file(PREDICTABLE, accounts=5))
    population = generate(model, Sampler(3), calendar_named("cn"))
    parts = [shards.part(population, k, 2) for k in range(2)]
    accounts = [a.id for p in parts for a in p.accounts]
    assert sorted(accounts) == sorted(a.id for a in population.accounts)
    assert sorted(f.id for p in parts for f in p.filings) == [f.id for f in population.filings]
    for part in parts:
        assert {f.account for f in part.filings} <= {a.id for a in part.accounts}
    assert all(p.filings for p in parts)


def test_a_predictable_model_gives_the_same_results_in_shards_as_in_one_run(
        model_file, tmp_path: Path) -> None:
    model = load_model(model_file(PREDICTABLE, accounts=5))
    found = {}
    for n in (1, 2):
        work = tmp_path / f"shards-{n}"
        work.mkdir()
        results, cost = shards.run(model, seed=11, workdir=work, window=timedelta(hours=6),
                                   shards=n)
        assert cost.shards == n
        found[n] = results
    one, two = found[1], found[2]
    assert two.summary == one.summary
    assert two.summary["filings_by_state"] == {"approved": 17}
    assert two.summary["messages"]["sms"]["sent"] > 0
    assert list(two.filings) == list(one.filings)
    assert two.daily == one.daily
    assert two.states_over_time == one.states_over_time
