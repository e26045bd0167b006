"""Mailbox: the emails the embedded mail sink stored in its Maildir (local use only);
an owner sees its own account's emails, the operator all of them."""

from __future__ import annotations

import mailbox
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, g, render_template
from markupsafe import Markup, escape

from notify.mail_scope import email_message_ids
from workflow.clock import as_utc

from .services import services

bp = Blueprint("mailbox", __name__, url_prefix="/mailbox")
_URL = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class Mail:
    key: str
    subject: str
    sender: str
    to: tuple[str, ...]
    date: datetime
    text: str
    stored_at: float  # when the sink stored it (sub-second: orders mail of one second)
    message_id: str = ""

    @property
    def html(self) -> Markup:
        """The plain text, escaped, with its links clickable."""
        out, last = [], 0
        for m in _URL.finditer(self.text):
            out += [escape(self.text[last:m.start()]),
                    Markup('<a href="{0}">{0}</a>').format(m.group(0))]
            last = m.end()
        out.append(escape(self.text[last:]))
        return Markup("").join(out)


def maildir_path() -> Path | None:
    path = current_app.config.get("ICPSIM_MAILDIR")
    return Path(path) if path else None


def mailbox_enabled() -> bool:
    path = maildir_path()
    return path is not None and path.is_dir()


def read_mails() -> list[Mail]:
    path = maildir_path()
    if path is None or not path.is_dir():
        return []
    box = mailbox.Maildir(str(path), create=False)
    mails = [_parse(key, box.get_bytes(key), box.get_message(key).get_date())
             for key in box.keys()]
    return sorted(mails, key=lambda m: m.stored_at, reverse=True)  # newest arrival first


def _parse(key: str, raw: bytes, stored_at: float) -> Mail:
    msg = message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    body = msg.get_body(preferencelist=("plain", "html"))
    try:
        date = parsedate_to_datetime(str(msg["Date"])) if msg["Date"] else None
    except (TypeError, ValueError):
        date = None
    if date is None:  # no Date header: when the sink stored it
        date = datetime.fromtimestamp(stored_at, UTC)
    date = as_utc(date)
    to = tuple(addr for _, addr in getaddresses([str(v) for v in msg.get_all("To", [])]))
    return Mail(key=key, subject=str(msg.get("Subject", "")), sender=str(msg.get("From", "")),
                to=to, date=date, text=body.get_content() if body is not None else "",
                stored_at=stored_at, message_id=str(msg.get("Message-ID", "")).strip())


def _visible(mails: list[Mail]) -> list[Mail]:
    """The operator sees the whole sink; an owner only the mail its own account's
    deliveries sent (by Message-ID, whatever the address)."""
    if g.user.is_operator:
        return mails
    system = services()
    mine = email_message_ids(system.db, g.user.account_id, mail_from=system.config.mail_from)
    return [m for m in mails if m.message_id in mine]


@bp.route("/")
def index() -> Any:
    if not mailbox_enabled():
        abort(404)
    return render_template("mailbox.html", mails=_visible(read_mails()))


@bp.route("/<key>")
def show(key: str) -> Any:
    if not mailbox_enabled():
        abort(404)
    mail = next((m for m in _visible(read_mails()) if m.key == key), None)
    if mail is None:
        abort(404)
    return render_template("mail.html", mail=mail)
