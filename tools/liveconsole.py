"""The console on a background thread with its own mail sink: browser tests, screenshots.

A development tool, not part of the installed package: the browser tests
(tests/browser/conftest.py) and bench/screenshots.py import it from the repository root.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from werkzeug.security import generate_password_hash
from werkzeug.serving import BaseWSGIServer, make_server

from web.auth import set_reviewer_password
from workflow.config import Config

if TYPE_CHECKING:
    from notify.mailsink import MailSink
    from notify.system import System

HOST = "127.0.0.1"


@dataclass
class LiveConsole:
    """A running console: its URL, the assembled system and the mail sink behind it."""

    url: str
    system: System
    sink: MailSink
    server: BaseWSGIServer
    thread: threading.Thread

    def run_jobs(self) -> int:
        """Run the relay, dispatch, timer and expiry jobs until nothing is due."""
        return int(self.system.run_due())

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()
        self.system.close()
        self.sink.stop()


def start_console(instance: Path, *, accounts: dict[str, tuple[str, str, str]],
                  reviewer_password: str) -> LiveConsole:
    """Serve a fresh console from ``instance``; accounts: id -> (owner, email, password)."""
    from notify.mailsink import MailSink, free_port
    from notify.system import build_system
    from web.app import create_app

    port = free_port(HOST)
    sink = MailSink(maildir=instance / "mail").start()
    config = Config(instance_path=instance, smtp_url=sink.url, base_url=f"http://{HOST}:{port}",
                    secret_key=secrets.token_urlsafe(32))
    system = build_system(config, create_tables=True)
    for account_id, (owner, email, password) in accounts.items():
        system.accounts.create(account_id, owner_name=owner, owner_email=email,
                               password_hash=generate_password_hash(password))
    set_reviewer_password(instance, reviewer_password)
    server = make_server(HOST, port, create_app(system=system), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="console", daemon=True)
    thread.start()
    return LiveConsole(url=config.base_url, system=system, sink=sink, server=server,
                       thread=thread)
