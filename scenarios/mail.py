"""What the scenario's mail server received, read as facts a check can match on."""

from __future__ import annotations

import re
from dataclasses import dataclass

from notify.compose import FILING_HEADER, KIND_HEADER, TYPE_HEADER
from notify.mailsink import ReceivedMail

_TOKEN = re.compile(r"/verify/([A-Za-z0-9_\-]+)")


@dataclass(frozen=True)
class Mail:
    """One received email: envelope recipients, kind, type, filing, subject and body."""

    to: tuple[str, ...]
    kind: str  # notification | verification
    type: str
    filing: str
    subject: str
    body: str
    message_id: str = ""

    def matches(self, *, to: str | None = None, kind: str | None = None,
                type: str | None = None, filing: str | None = None,
                subject_contains: str | None = None, body_contains: str | None = None) -> bool:
        return ((to is None or to.lower() in self.to)
                and (kind or "notification") == self.kind
                and (type is None or type == self.type)
                and (filing is None or filing == self.filing)
                and (subject_contains is None or subject_contains in self.subject)
                and (body_contains is None or body_contains in self.body))

    def summary(self) -> str:
        what = self.type or self.kind
        filing = f" {self.filing}" if self.filing else ""
        return f"{', '.join(self.to)}: {what}{filing} {self.subject!r}"

    @property
    def token(self) -> str | None:
        """The verification token of the link this email holds, if any."""
        found = _TOKEN.search(self.body)
        return found.group(1) if found else None


def read(received: ReceivedMail) -> Mail:
    body = received.text
    kind = received.header(KIND_HEADER).strip().lower()
    if kind not in ("notification", "verification"):
        # Without the header, a verification email is the one holding a /verify/ link.
        kind = "verification" if _TOKEN.search(body) else "notification"
    return Mail(
        to=tuple(r.lower() for r in received.rcpt_tos),
        kind=kind,
        type=received.header(TYPE_HEADER).strip(),
        filing=received.header(FILING_HEADER).strip(),
        subject=received.subject,
        body=body,
        message_id=received.header("Message-ID").strip(),
    )
