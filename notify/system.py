"""The assembled system: services over one database, clock and mail sender, and the jobs.

The CLI, the web console, the scenario runner and the worker all build one of these;
the jobs are plain methods the scheduler, tests and the runner call alike.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

from workflow.accounts import AccountService
from workflow.clock import Clock, SystemClock
from workflow.config import Config
from workflow.db import Database
from workflow.filings import FilingService
from workflow.timers import fire_due_timers

from .channelsend import ChannelSenders
from .contacts import ContactService, expire_contacts
from .deliveries import DeliveryService
from .dispatch import deliver, dispatch_due
from .due import JOBS, next_due_at, probe
from .inbox import InboxService
from .relay import relay_and_take, relay_due
from .rulestore import RulesService
from .senders import SmtpSender
from .settings import SettingsService
from .smssender import SmsSender
from .webhooks import WebhookService
from .webhooksender import WebhookSender

MAX_ROUNDS = 1000


@dataclass
class System:
    config: Config
    clock: Clock
    db: Database
    sender: SmtpSender
    accounts: AccountService
    filings: FilingService
    contacts: ContactService
    settings: SettingsService
    deliveries: DeliveryService
    inbox: InboxService
    # the SMS and webhook channels (docs/behaviour.md#sms-and-webhook-robots)
    webhooks: WebhookService
    rules: RulesService
    channels: ChannelSenders | None
    # Relay and dispatch of one process take turns: the senders' connections are never
    # shared between threads (a request's run_due and the worker's wake-up thread), and a
    # run_due that finds the work in another thread's hands returns once it is done.
    jobs_lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    # jobs ------------------------------------------------------------------
    def _now(self, now: datetime | None) -> datetime:
        return self.clock.now() if now is None else now

    def relay_due(self, now: datetime | None = None) -> int:
        with self.jobs_lock:
            return relay_due(self.db, now=self._now(now), config=self.config)

    def relay_and_send(self, now: datetime | None = None) -> tuple[int, int]:
        """The wake-up's relay: ``relay_due``, then at once the sending of the deliveries
        it planned that are due, claimed in the relay's own transaction; returns the
        events relayed and the deliveries sent or tried. What is left (more than a
        batch, retries) is dispatch's."""
        with self.jobs_lock:
            now = self._now(now)
            relayed, batch = relay_and_take(self.db, now=now, config=self.config)
            deliver(self.db, batch, now=now, config=self.config, sender=self.sender,
                    channels=self.channels)
            return relayed, batch.claimed

    def dispatch_due(self, now: datetime | None = None) -> int:
        with self.jobs_lock:
            return dispatch_due(self.db, now=self._now(now), config=self.config,
                                sender=self.sender, channels=self.channels)

    def fire_due_timers(self, now: datetime | None = None) -> int:
        return fire_due_timers(self.db, now=self._now(now), config=self.config)

    def expire_contacts(self, now: datetime | None = None) -> int:
        return expire_contacts(self.db, now=self._now(now))

    def run_due(self, now: datetime | None = None) -> int:
        """Run every job until nothing more is due at ``now``; returns the work done."""
        return self.settle(now)[0]

    def settle(self, now: datetime | None = None) -> tuple[int, datetime | None]:
        """Run every job until nothing more is due at ``now``: the work done, and the
        earliest due time after that (``next_due_at()`` as it stands once settled).

        A round runs the jobs in order, skipping those the probe finds idle; a job after
        one that did work runs anyway, as it may have been handed work (a fired timer
        writes an outbox event, the relay a delivery). An idle round is one probe.
        """
        with self.jobs_lock:
            return self._settle(self._now(now))

    def _settle(self, now: datetime) -> tuple[int, datetime | None]:
        total = 0
        for _ in range(MAX_ROUNDS):
            due = probe(self.db, now)
            if not due.jobs:
                return total, due.next_at
            done = 0
            for name in JOBS:
                if done or name in due.jobs:
                    done += getattr(self, name)(now)
            total += done
            if done == 0:  # the probe saw work the claims did not get (another worker)
                return total, next_due_at(self.db)
        raise RuntimeError(f"jobs still busy after {MAX_ROUNDS} rounds at {now}")

    def next_due_at(self) -> datetime | None:
        """The earliest future moment a job has work: a timer, a retry, a link expiry."""
        return next_due_at(self.db)

    def close(self) -> None:
        self.sender.close()
        if self.channels is not None:
            self.channels.close()
        self.db.dispose()


def build_system(
    config: Config,
    *,
    clock: Clock | None = None,
    db: Database | None = None,
    create_tables: bool = False,
) -> System:
    clock = clock or SystemClock()
    db = db or Database(config.database_url)
    if create_tables:
        import notify.models  # noqa: F401  (registers the tables)
        import workflow.models  # noqa: F401

        db.create_all()
    return System(
        config=config,
        clock=clock,
        db=db,
        sender=SmtpSender.from_url(config.smtp_url, mail_from=config.mail_from),
        accounts=AccountService(db, clock),
        filings=FilingService(db, clock, config),
        contacts=ContactService(db, clock, config),
        settings=SettingsService(db, clock),
        deliveries=DeliveryService(db, clock, config),
        inbox=InboxService(db, clock),
        webhooks=WebhookService(db, clock, config),
        rules=RulesService(db, clock),
        channels=ChannelSenders(sms=SmsSender.from_config(config),
                                webhook=WebhookSender(config)),
    )
