"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives and can fail.

Used by `icpsim mail-sink` (the default target when no SMTP URL is configured), by the
scenario runner (one per scenario, faults set by the `mail_server` action) and by tests.
"""

from __future__ import annotations

import asyncio
import mailbox
import socket
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from workflow.config import Config, ConfigError

from .stopping import wait_until_stopped

SCENARIO_MODES = ("up", "down", "tempfail", "reject")  # the faults scenario files can ask for
MODES = (*SCENARIO_MODES, "drop", "hold")  # and two more for the project's own tests


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    received_at: datetime

    @property
    def subject(self) -> str:
        return str(self.message.get("Subject", ""))

    @property
    def text(self) -> str:
        """The plain-text body (or the first text part), CRLF line ends read as LF."""
        part = self.message.get_body(preferencelist=("plain", "html"))
        return part.get_content().replace("\r\n", "\n") if part is not None else ""

    def header(self, name: str) -> str:
        return str(self.message.get(name, ""))


@dataclass
class _Faults:
    mode: str = "up"
    code: int | None = None
    count: int | None = None  # tempfail: how many more messages; None = until up
    addresses: frozenset[str] | None = None  # reject: these only; None = all
    refused: list[tuple[str, int]] = field(default_factory=list)


class _Handler:
    def __init__(self, sink: MailSink):
        self.sink = sink

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str,
                          mail_options: Any) -> str:
        await self.sink._wait_while_held()
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: Any) -> str:
        code = self.sink._rcpt_refusal(address)
        if code is not None:
            return f"{code} 5.7.1 <{address}>: recipient refused by the test mail server"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return self.sink._accept(envelope, server)


class MailSink:
    """An SMTP server on 127.0.0.1 with switchable faults; thread-safe to inspect."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0,
                 maildir: Path | str | None = None):
        self.host = host
        self.port = port or free_port(host)
        self.maildir = mailbox.Maildir(str(maildir), create=True) if maildir else None
        self._lock = threading.Lock()
        self._messages: list[ReceivedMail] = []
        self._faults = _Faults()
        self._controller: Controller | None = None
        self._released = threading.Event()
        self._released.set()
        self.holding = threading.Event()  # set once a client waits in `hold` mode

    # lifecycle ---------------------------------------------------------------
    def start(self) -> MailSink:
        if self._controller is None:
            self._controller = Controller(_Handler(self), hostname=self.host, port=self.port)
            self._controller.start()
        return self

    def stop(self) -> None:
        self._released.set()
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> MailSink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    # faults ------------------------------------------------------------------
    def set_mode(self, mode: str, *, code: int | None = None, count: int | None = None,
                 addresses: list[str] | None = None) -> None:
        """`up`, `down` (refuse connections), `tempfail` (answer ``code``, default 451,
        to the next ``count`` messages), `reject` (answer ``code``, default 550, for
        ``addresses``), `drop` (close the connection after DATA, ``count`` times), `hold`
        (keep every client waiting at MAIL FROM until the mode changes; ``holding`` is set
        once one waits: tests use it to catch a sender mid-batch)."""
        if mode not in MODES:
            raise ValueError(f"mail server mode {mode!r} is not one of {', '.join(MODES)}")
        with self._lock:
            addrs = frozenset(a.lower() for a in addresses) if addresses else None
            self._faults = _Faults(mode=mode, code=code, count=count, addresses=addrs)
            if mode == "hold":
                self.holding.clear()
                self._released.clear()
            else:
                self._released.set()
        if mode == "down":
            self.stop()
        else:
            self.start()

    @property
    def mode(self) -> str:
        return self._faults.mode

    async def _wait_while_held(self) -> None:
        if not self._released.is_set():
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self._released.wait)

    def _rcpt_refusal(self, address: str) -> int | None:
        with self._lock:
            f = self._faults
            if f.mode == "reject" and (f.addresses is None or address.lower() in f.addresses):
                code = f.code or 550
                f.refused.append((address, code))
                return code
        return None

    def _accept(self, envelope: Any, server: Any) -> str:
        with self._lock:
            f = self._faults
            if f.mode in ("tempfail", "drop") and (f.count is None or f.count > 0):
                if f.count is not None:
                    f.count -= 1
                    if f.count == 0:
                        self._faults = _Faults()
                if f.mode == "drop":
                    server.transport.close()
                    return "421 4.4.2 connection dropped by the test mail server"
                return f"{f.code or 451} 4.3.0 temporary failure at the test mail server"
            raw = envelope.original_content or envelope.content
            msg = message_from_bytes(raw, policy=policy.default)
            assert isinstance(msg, EmailMessage)
            mail = ReceivedMail(
                mail_from=envelope.mail_from,
                rcpt_tos=tuple(envelope.rcpt_tos),
                message=msg,
                received_at=datetime.now(UTC),
            )
            self._messages.append(mail)
            if self.maildir is not None:
                self.maildir.add(raw)
        return "250 OK queued"

    # inspection --------------------------------------------------------------
    @property
    def messages(self) -> list[ReceivedMail]:
        with self._lock:
            return list(self._messages)

    def to(self, address: str) -> list[ReceivedMail]:
        address = address.lower()
        return [m for m in self.messages if address in (r.lower() for r in m.rcpt_tos)]

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()


def free_port(host: str = "127.0.0.1") -> int:
    """A port free now (aiosmtpd's Controller cannot take port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def serve_forever(config: Config, *, port: int | None = None) -> int:
    """`icpsim mail-sink`: keep every message in a Maildir until Ctrl-C or SIGTERM."""
    if not Path(config.instance_path).is_dir():
        raise ConfigError(f"the instance folder {config.instance_path} does not exist: "
                          "create it, or set ICPSIM_INSTANCE_PATH to one that does",
                          field="ICPSIM_INSTANCE_PATH")
    maildir = Path(config.instance_path) / "mail"
    sink = MailSink(port=port or config.mail_sink_port, maildir=maildir)
    sink.start()
    try:
        wait_until_stopped(f"icpsim mail sink on {sink.url}, keeping mail in {maildir} "
                           "(Ctrl-C to stop)")
    finally:
        sink.stop()
        print(f"mail sink stopped; {len(sink.messages)} message(s) received", flush=True)
    return 0
