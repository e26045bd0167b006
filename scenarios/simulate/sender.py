"""The recording sender: takes every email the dispatcher hands it, counts it, and fails
some as the model's ``mail`` section says (outages, temporary failures, rejections); SMS
and webhook calls are taken and counted the same way (the model has no faults for them)."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from email.message import EmailMessage
from typing import Any

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
        self.channels = RecordingChannels(self)

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
        # the raw header, not msg.get(): parsing every header back costs more than sending
        if any(k == KIND_HEADER and v == "verification" for k, v in msg.raw_items()):
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


class RecordingChannels:
    """The SMS and webhook senders of a bulk run (``notify.channelsend.ChannelSenders``):
    each message is counted; a verification SMS's link is kept for its mobile."""

    def __init__(self, owner: RecordingSender):
        self.owner = owner
        self.sms = _Recorder(owner, "sms")
        self.webhook = _Recorder(owner, "webhook")

    def close(self) -> None:
        return None


class _Recorder:
    def __init__(self, owner: RecordingSender, channel: str):
        self.owner, self.channel = owner, channel
        self.accepted = 0

    def deliver(self, target: Any, text: Any) -> str:
        """Take one SMS (a delivery and its text) or webhook call (a webhook and its
        message); what the real senders return on success."""
        self.accepted += 1
        if self.channel == "sms" and getattr(target, "kind", "") == "verification":
            found = _LINK.search(str(text))
            if found is not None and target.to_address:
                self.owner.links[target.to_address] = found.group(1)
        return f"recorded by the simulation ({self.channel})"

    def close(self) -> None:
        return None


def _text(msg: EmailMessage) -> str:
    payload = msg.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload.decode("utf-8", "replace")
    return str(msg.get_payload())


__all__ = ["RecordingChannels", "RecordingSender"]
