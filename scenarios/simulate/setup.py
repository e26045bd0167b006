"""The population set up through the Message Center's own services, and its contacts
opening their verification links later (the link each received by email)."""

from __future__ import annotations

import heapq
import itertools
from datetime import datetime

from notify.catalog import ICP_FILING
from notify.system import System
from workflow.clock import SimulatedClock
from workflow.errors import IcpsimError

from .population import Population
from .sender import RecordingSender

SELECTABLE = ("email", "internal", "sms")  # the channels the simulation models (no webhooks)
DEFAULT_ON = ("email", "internal")  # the category's channels on by default


def set_up(system: System, sender: RecordingSender, population: Population) -> Clicks:
    """Accounts, channels, and contacts: existing receivers confirming a new address.

    Each contact is added, verified and selected as a receiver, then its address changes
    (the product makes it verify again). Accounts with SMS on give their owner's mobile
    and their contacts' mobiles, which the contacts verify by the SMS link they receive.
    The returned clicks are the contacts that will open the new email link, and when.
    """
    s, now = system, system.clock.now()
    clicks = Clicks()
    sender.faults = False  # the mail server works while the population is set up
    for n, account in enumerate(population.accounts, start=1):
        s.accounts.create(account.id, owner_name=f"Owner {n}",
                          owner_email=f"owner@{account.id}.example.com",
                          language=account.language)
        channels = [c for c in SELECTABLE if c in account.channels] or ["internal"]
        if channels != list(DEFAULT_ON):
            s.settings.set_channels(account.id, ICP_FILING, channels, actor="owner")
        if account.owner_mobile is not None:
            s.rules.set_owner_mobile(account.id, account.owner_mobile, actor="owner")
        for contact in account.contacts:
            s.contacts.add(account.id, name=contact.name, title="Technical Director",
                           email=_old(contact.email), mobile=contact.mobile, actor="owner")
    s.settle(now)
    for account in population.accounts:
        ids = []
        for contact in account.contacts:
            ids.append(s.contacts.verify(_link(sender, _old(contact.email))).contact_id)
            if contact.mobile is not None:
                s.contacts.verify(_link(sender, contact.mobile))
        if not ids:
            continue
        s.settings.select_receivers(account.id, ICP_FILING, ids, actor="owner")
        for cid, contact in zip(ids, account.contacts, strict=True):
            s.contacts.modify(account.id, cid, email=contact.email, actor="owner")
            if contact.verifies_after is not None:
                clicks.plan(now + contact.verifies_after, contact.email)
    s.settle(now)
    sender.faults = True
    return clicks


def _link(sender: RecordingSender, address: str) -> str:
    token = sender.take_link(address)
    if token is None:
        raise RuntimeError(f"no verification message reached {address}")
    return token


def _old(email: str) -> str:
    return email.replace(".new@", "@")


class Clicks:
    """Contacts opening the link they received, each at its own time."""

    def __init__(self) -> None:
        self._due: list[tuple[datetime, int, str]] = []
        self._order = itertools.count()  # ties keep the order of planning
        self.verified = 0
        self.failed = 0  # the link had expired (or never arrived)

    def plan(self, at: datetime, email: str) -> None:
        heapq.heappush(self._due, (at, next(self._order), email))

    def run_due(self, stop: datetime, *, system: System, clock: SimulatedClock,
                sender: RecordingSender) -> None:
        """Open every link due by ``stop``, moving the clock to each click's time."""
        while self._due and self._due[0][0] <= stop:
            at, _, email = heapq.heappop(self._due)
            clock.set(at)
            token = sender.take_link(email)
            try:
                if token is None:
                    raise LookupError(email)
                system.contacts.verify(token)
                self.verified += 1
            except (IcpsimError, LookupError):
                self.failed += 1


__all__ = ["SELECTABLE", "Clicks", "set_up"]
