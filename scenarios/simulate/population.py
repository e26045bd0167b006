"""The population a model describes: accounts with contacts and channels, filings arriving."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from .calendar import WorkCalendar
from .model import SimulationModel
from .sampling import Sampler

WORK_START, WORK_HOURS = time(9), 9  # working_hours arrivals: 09:00-18:00 local


@dataclass(frozen=True, slots=True)
class ContactPlan:
    account: str
    name: str
    email: str  # the address it is changing to at the start
    verifies_after: timedelta | None  # None: never opens the new link
    mobile: str | None = None  # accounts with SMS on: verified at the start


@dataclass(frozen=True, slots=True)
class AccountPlan:
    id: str
    language: str
    channels: tuple[str, ...]  # email | internal | sms, as the account turned them on
    contacts: tuple[ContactPlan, ...]
    owner_mobile: str | None = None  # accounts with SMS on


@dataclass(frozen=True, slots=True)
class FilingPlan:
    index: int
    account: str
    id: str
    type: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Population:
    accounts: tuple[AccountPlan, ...]
    filings: tuple[FilingPlan, ...]


def generate(model: SimulationModel, sampler: Sampler, calendar: WorkCalendar) -> Population:
    accounts = tuple(_account(model, sampler, i) for i in range(1, model.accounts + 1))
    times = _arrivals(model, sampler, calendar)
    filings = tuple(
        FilingPlan(n, accounts[sampler.between(0, len(accounts) - 1)].id, f"F{n:07d}",
                   sampler.pick(model.filings.types), at)
        for n, at in enumerate(times, start=1))
    return Population(accounts, filings)


def _account(model: SimulationModel, sampler: Sampler, i: int) -> AccountPlan:
    aid = f"acct-{i:06d}"
    language = sampler.pick(model.languages)
    channels = tuple(name for name, p in model.channels if sampler.chance(p))
    low, high = model.contacts.per_account
    contacts = []
    for c in range(1, sampler.between(low, high) + 1):
        after = (sampler.real(model.contacts.verify_after)
                 if sampler.chance(model.contacts.verify) else None)
        # mainland China mobiles (11 digits from 1), one per account and contact number
        mobile = f"138{i:06d}{c:02d}" if "sms" in channels else None
        contacts.append(ContactPlan(aid, f"Contact {_letters(c)}",
                                    f"c{c}.new@{aid}.example.com", after, mobile))
    owner = f"139{i:08d}" if "sms" in channels else None
    return AccountPlan(aid, language, channels, tuple(contacts), owner)


def _letters(n: int) -> str:
    """1 -> A, 2 -> B, ... (contact names hold letters only)."""
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _arrivals(model: SimulationModel, sampler: Sampler, calendar: WorkCalendar
              ) -> list[datetime]:
    """Creation times, in order, inside the simulated period."""
    f, start, span = model.filings, model.start, model.duration.total_seconds()
    if f.schedule:
        return [b.at for b in f.schedule for _ in range(b.count)]
    if f.arrival == "poisson":
        out: list[datetime] = []
        t, rate = 0.0, f.count / span
        while len(out) < f.count:
            t += sampler.exponential(rate)
            if t >= span:
                break
            out.append(start + timedelta(seconds=round(t)))
        return out
    if f.arrival == "working_hours":
        local = start.tzinfo
        days = [start.date() + timedelta(days=d) for d in range(int(span // 86400) + 1)]
        days = [d for d in days if calendar.is_working_day(d)] or days
        out = []
        for _ in range(f.count):
            day = days[sampler.between(0, len(days) - 1)]
            moment = datetime.combine(day, WORK_START, local) + timedelta(
                seconds=round(sampler.uniform(0, WORK_HOURS * 3600)))
            out.append(min(max(moment, start), model.end - timedelta(seconds=1)))
        return sorted(out)
    return sorted(start + timedelta(seconds=round(sampler.uniform(0, span - 1)))
                  for _ in range(f.count))


__all__ = ["AccountPlan", "ContactPlan", "FilingPlan", "Population", "generate"]
