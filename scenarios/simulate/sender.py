"""The recording sender: takes every email the dispatcher hands it, counts it, and fails
some as the model's ``mail`` section says (outages, temporary failures, rejections)."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from email.message import EmailMessage

from notify.compose import KIND_HEADER
from notify.senders import PermanentFailure, SendFailure, TemporaryFailure

from .model import Mail

_LINK = re.compile(r"/verify/([A-Za-z0-9_\-]+)")


class RecordingSender:
    """A `notify.senders.Sender` that keeps counts, not messages (bulk runs send millions).

    Verification links are kept per address until used: the population's contacts
    "click" the link they received, as a person would.
    """

    def __init__(self, mail: Mail, *, now: Callable[[], datetime], rng: random.Random):
        self.mail = mail
        self.now = now
        self.rng = rng
        self.outcomes: Counter[str] = Counter()
        self.links: dict[str, str] = {}
        self.faults = True  # off while the population is set up, before the period starts

    def down(self, at: datetime) -> bool:
        return any(o.at <= at < o.at + o.length for o in self.mail.outages)

    def send(self, msg: EmailMessage, *,
             to: Sequence[str] | None = None) -> dict[str, SendFailure]:
        recipients = list(to or [])
        if not self.faults:
            return self._accept(msg, recipients)
        if self.down(self.now()):
            self.outcomes["outage"] += 1
            raise TemporaryFailure("ConnectionRefusedError: the mail server is down (outage)")
        draw = self.rng.random()
        if draw < self.mail.reject:
            self.outcomes["rejected"] += 1
            raise PermanentFailure("550 5.1.1 mailbox unavailable", code=550)
        if draw < self.mail.reject + self.mail.tempfail:
            self.outcomes["tempfail"] += 1
            raise TemporaryFailure("451 4.3.0 try again later", code=451)
        return self._accept(msg, recipients)

    def _accept(self, msg: EmailMessage, recipients: list[str]) -> dict[str, SendFailure]:
        self.outcomes["accepted"] += 1
        if msg.get(KIND_HEADER) == "verification":
            found = _LINK.search(_text(msg))
            if found is not None:
                for address in recipients:
                    self.links[address.lower()] = found.group(1)
        return {}

    def take_link(self, address: str) -> str | None:
        """The verification token last sent to ``address`` (forgotten once taken)."""
        return self.links.pop(address.lower(), None)

    def close(self) -> None:
        return None


def _text(msg: EmailMessage) -> str:
    payload = msg.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload.decode("utf-8", "replace")
    return str(msg.get_payload())


__all__ = ["RecordingSender"]
