"""A validated simulation model: the population, its behaviour per stage, the mail faults."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path


@dataclass(frozen=True)
class RealTime:
    """A duration in real time: ``lognormal`` (median, p90), ``fixed`` or ``uniform``."""

    kind: str
    low: timedelta  # median, fixed value or min
    high: timedelta | None = None  # p90 or max


@dataclass(frozen=True)
class BusinessDays:
    """A whole number of working days: ``fixed``, ``uniform`` or ``triangular``."""

    low: int
    high: int
    mode: int | None = None

    @property
    def kind(self) -> str:
        if self.low == self.high:
            return "fixed"
        return "uniform" if self.mode is None else "triangular"


def fixed(value: timedelta) -> RealTime:
    return RealTime("fixed", value)


@dataclass(frozen=True)
class Contacts:
    per_account: tuple[int, int] = (0, 2)
    verify: float = 1.0
    verify_after: RealTime = field(default_factory=lambda: fixed(timedelta(hours=1)))


@dataclass(frozen=True)
class Batch:
    """A fixed number of filings created at one moment."""

    at: datetime
    count: int


@dataclass(frozen=True)
class Filings:
    count: int = 0
    arrival: str = "uniform"  # uniform | poisson | working_hours
    schedule: tuple[Batch, ...] = ()
    types: tuple[tuple[str, float], ...] = (("first_filing", 1.0),)


@dataclass(frozen=True)
class Stages:
    submit_after: RealTime = field(default_factory=lambda: fixed(timedelta(hours=1)))
    abandon: float = 0.0
    initial_review: BusinessDays = BusinessDays(1, 2)
    initial_reject: float = 0.0
    sms_complete: float = 1.0
    sms_after: RealTime = field(default_factory=lambda: fixed(timedelta(hours=2)))
    authority_review: BusinessDays = BusinessDays(1, 20, 5)
    authority_reject: float = 0.0
    resubmit: float = 0.0
    resubmit_after: BusinessDays = BusinessDays(1, 5)
    inspection_rate: float = 0.0  # per approved filing and year
    inspection_fail: float = 0.0
    rectify: float = 1.0
    extend: float = 0.0
    inspection_review: BusinessDays = BusinessDays(5, 5)


@dataclass(frozen=True)
class Outage:
    at: datetime
    length: timedelta


@dataclass(frozen=True)
class Mail:
    tempfail: float = 0.0
    reject: float = 0.0
    outages: tuple[Outage, ...] = ()


@dataclass(frozen=True)
class SimulationModel:
    path: Path
    name: str
    start: datetime
    duration: timedelta
    calendar: str = "cn"
    seed: int = 0
    accounts: int = 10
    languages: tuple[tuple[str, float], ...] = (("en", 1.0),)
    contacts: Contacts = Contacts()
    channels: tuple[tuple[str, float], ...] = (("email", 1.0), ("internal", 1.0))
    filings: Filings = Filings()
    stages: Stages = Stages()
    mail: Mail = Mail()

    @property
    def end(self) -> datetime:
        return self.start + self.duration

    @property
    def filing_count(self) -> int:
        if self.filings.schedule:
            return sum(b.count for b in self.filings.schedule)
        return self.filings.count
