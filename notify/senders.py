"""Mail senders: SMTP (smtplib, one reused connection) with errors mapped for retries."""

from __future__ import annotations

import email.policy
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from typing import Protocol
from urllib.parse import unquote, urlsplit

SCHEMES = {"smtp": 25, "smtps": 465, "smtp+starttls": 587}
_WIRE = email.policy.SMTP  # CRLF line ends, as SMTP DATA wants


class SendFailure(Exception):
    """A message (or a recipient) was not accepted; ``permanent`` says whether to retry."""

    permanent = False

    def __init__(self, detail: str, *, code: int | None = None,
                 recipients: dict[str, SendFailure] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.code = code
        self.recipients = recipients or {}


class TemporaryFailure(SendFailure):
    """A 4xx reply or a connection problem: try again later."""


class PermanentFailure(SendFailure):
    """A 5xx reply: never retried."""

    permanent = True


class Sender(Protocol):
    def send(self, msg: EmailMessage, *,
             to: Sequence[str] | None = None) -> dict[str, SendFailure]: ...

    def close(self) -> None: ...


def failure_for(code: int, detail: bytes | str) -> SendFailure:
    text = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else detail
    cls = PermanentFailure if 500 <= code < 600 else TemporaryFailure
    return cls(f"{code} {text}".strip(), code=code)


@dataclass(frozen=True)
class SmtpTarget:
    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0


def parse_url(url: str) -> SmtpTarget:
    """``smtp://host:port``, ``smtps://`` (SSL), ``smtp+starttls://user:pass@host:port``."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise ValueError(f"{url!r} is not an SMTP URL (smtp://, smtps:// or smtp+starttls://)")
    return SmtpTarget(
        scheme=parts.scheme, host=parts.hostname, port=parts.port or SCHEMES[parts.scheme],
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None)


class SmtpSender:
    """Sends over one SMTP connection, opened on first use, reopened after a drop."""

    def __init__(self, target: SmtpTarget, *, mail_from: str):
        self.target = target
        self.mail_from = mail_from
        self.envelope_from = parseaddr(mail_from)[1] or mail_from
        self._conn: smtplib.SMTP | None = None

    @classmethod
    def from_url(cls, url: str, *, mail_from: str) -> SmtpSender:
        return cls(parse_url(url), mail_from=mail_from)

    def _connect(self) -> smtplib.SMTP:
        t = self.target
        conn: smtplib.SMTP
        if t.scheme == "smtps":
            conn = smtplib.SMTP_SSL(t.host, t.port, timeout=t.timeout,
                                    context=ssl.create_default_context())
        else:
            conn = smtplib.SMTP(t.host, t.port, timeout=t.timeout)
        try:
            if t.scheme == "smtp+starttls":
                conn.starttls(context=ssl.create_default_context())
                conn.ehlo()
            if t.username:
                conn.login(t.username, t.password or "")
        except BaseException:
            _quietly_close(conn)
            raise
        return conn

    def check(self) -> None:
        """Before a batch: drop a reused connection the server has closed meanwhile."""
        if self._conn is None:
            return
        try:
            code, _ = self._conn.noop()
        except (smtplib.SMTPException, OSError):
            code = 0
        if code != 250:
            self.close()

    def send(self, msg: EmailMessage, *,
             to: Sequence[str] | None = None) -> dict[str, SendFailure]:
        """Send one message to ``to`` (default: its To, Cc and Bcc); returns the recipients
        refused while others were accepted.

        Raises TemporaryFailure or PermanentFailure when nobody got the message.
        """
        recipients = list(to) if to is not None else [addr for _, addr in getaddresses(
            [v for k, v in msg.raw_items() if k.lower() in ("to", "cc", "bcc")]) if addr]
        data = wire_bytes(msg)
        try:
            if self._conn is None:
                self._conn = self._connect()
            refused = self._conn.sendmail(self.envelope_from, recipients, data)
        except smtplib.SMTPRecipientsRefused as exc:
            failures = {a: failure_for(c, m) for a, (c, m) in exc.recipients.items()}
            worst = [f for f in failures.values() if not f.permanent] or list(failures.values())
            raise type(worst[0])(worst[0].detail, code=worst[0].code,
                                 recipients=failures) from exc
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code == 421 or isinstance(exc, smtplib.SMTPConnectError):
                self.close()
                raise TemporaryFailure(_detail(exc), code=exc.smtp_code) from exc
            raise failure_for(exc.smtp_code, exc.smtp_error) from exc
        except (smtplib.SMTPException, OSError) as exc:
            # Dropped connection, refused connection, timeout, TLS or login trouble.
            self.close()
            raise TemporaryFailure(_detail(exc)) from exc
        return {a: failure_for(c, m) for a, (c, m) in refused.items()}

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                _quietly_close(conn)


def wire_bytes(msg: EmailMessage) -> bytes:
    """The message as SMTP DATA (CRLF line ends).

    A single-part message whose headers were all set pre-encoded (``set_raw``, as
    notify.compose does) is joined directly: the same bytes the generator writes, without
    re-parsing every header (tests compare both); anything else goes through the generator.
    """
    items = msg.raw_items()
    payload = msg.get_payload()
    if not isinstance(payload, str) or not all(
            type(v) is str and v.isascii() for _, v in items) or not payload.isascii():
        return msg.as_bytes(policy=_WIRE)
    head = "".join(f"{k}: {_CRLF.join(v.splitlines())}\r\n" for k, v in msg.raw_items())
    body = _CRLF.join(payload.splitlines())
    return f"{head}\r\n{body}{_CRLF if payload.endswith(chr(10)) else ''}".encode("ascii")


_CRLF = "\r\n"


def _detail(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:500]


def _quietly_close(conn: smtplib.SMTP) -> None:
    try:
        conn.close()
    except OSError:
        pass


__all__ = ["PermanentFailure", "SendFailure", "Sender", "SmtpSender", "SmtpTarget",
           "TemporaryFailure", "failure_for", "parse_url", "wire_bytes"]
