"""Draws from the model's distributions, all from one seeded generator (deterministic)."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import timedelta

from .model import BusinessDays, RealTime

Z90 = 1.2815515655446004  # the standard normal's 90th percentile


class Sampler:
    def __init__(self, seed: int | str):
        self.rng = random.Random(seed)

    def chance(self, p: float) -> bool:
        """True with probability ``p``; 0 and 1 are certain (and draw nothing)."""
        if p <= 0.0:
            return False
        if p >= 1.0:
            return True
        return self.rng.random() < p

    def real(self, d: RealTime) -> timedelta:
        if d.kind == "fixed" or d.high is None:
            return d.low
        low, high = d.low.total_seconds(), d.high.total_seconds()
        if d.kind == "uniform":
            seconds = self.rng.uniform(low, high)
        else:  # lognormal with that median and 90th percentile
            sigma = math.log(high / low) / Z90
            seconds = self.rng.lognormvariate(math.log(low), sigma)
        return timedelta(seconds=round(seconds))

    def days(self, d: BusinessDays) -> int:
        if d.low == d.high:
            return d.low
        if d.mode is None:
            return self.rng.randint(d.low, d.high)
        return min(d.high, max(d.low, round(self.rng.triangular(d.low, d.high, d.mode))))

    def pick(self, shares: Sequence[tuple[str, float]]) -> str:
        """A name drawn by weight."""
        names = [n for n, w in shares if w > 0]
        if len(names) == 1:
            return names[0]
        return self.rng.choices(names, weights=[w for _, w in shares if w > 0])[0]

    def between(self, low: int, high: int) -> int:
        return low if low == high else self.rng.randint(low, high)

    def uniform(self, low: float, high: float) -> float:
        return self.rng.uniform(low, high)

    def exponential(self, rate: float) -> float:
        return self.rng.expovariate(rate)


__all__ = ["Sampler"]
