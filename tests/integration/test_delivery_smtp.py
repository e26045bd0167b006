"""The SMTP sender against a real loopback server, and the `icpsim mail-sink` command."""

from __future__ import annotations

import mailbox
import os
import signal
import smtplib
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest

from notify.mailsink import free_port
from notify.senders import PermanentFailure, SmtpSender, TemporaryFailure, parse_url

ROOT = Path(__file__).resolve().parents[2]
FROM = "Message Center <no-reply@icpsim.example>"


def message(*to: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = FROM
    msg["To"] = ", ".join(to)
    msg["Subject"] = "ICP 备案"
    msg.set_content("hello\n")
    return msg


@pytest.fixture
def sender(mail_sink):
    smtp = SmtpSender.from_url(mail_sink.url, mail_from=FROM)
    yield smtp
    smtp.close()


@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://127.0.0.1:8025", ("smtp", "127.0.0.1", 8025, None, None)),
    ("smtp://mail.example", ("smtp", "mail.example", 25, None, None)),
    ("smtps://mail.example", ("smtps", "mail.example", 465, None, None)),
    ("smtp+starttls://bot%40x.example:p%3Ass@mail.example:2525",
     ("smtp+starttls", "mail.example", 2525, "bot@x.example", "p:ss")),
])
def test_smtp_urls_name_the_scheme_host_port_and_login(url, expected):
    t = parse_url(url)
    assert (t.scheme, t.host, t.port, t.username, t.password) == expected


def test_a_url_that_is_not_smtp_is_refused():
    with pytest.raises(ValueError, match="not an SMTP URL"):
        parse_url("http://mail.example")


def test_an_accepted_message_reaches_the_server_with_the_envelope_sender(sender, mail_sink):
    assert sender.send(message("a@x.example")) == {}
    [mail] = mail_sink.messages
    assert mail.mail_from == "no-reply@icpsim.example"
    assert mail.subject == "ICP 备案"


def test_a_4xx_is_a_temporary_failure(sender, mail_sink):
    mail_sink.set_mode("tempfail", count=1)
    with pytest.raises(TemporaryFailure) as failed:
        sender.send(message("a@x.example"))
    assert failed.value.code == 451
    assert sender.send(message("a@x.example")) == {}


def test_a_5xx_is_a_permanent_failure_per_recipient(sender, mail_sink):
    mail_sink.set_mode("reject", addresses=["bad@x.example"])
    with pytest.raises(PermanentFailure) as failed:
        sender.send(message("bad@x.example"))
    assert failed.value.recipients["bad@x.example"].code == 550
    refused = sender.send(message("good@x.example", "bad@x.example"))
    assert set(refused) == {"bad@x.example"}
    assert refused["bad@x.example"].permanent
    assert [m.rcpt_tos for m in mail_sink.messages] == [("good@x.example",)]


def test_a_server_that_is_down_is_a_temporary_failure(sender, mail_sink):
    mail_sink.set_mode("down")
    with pytest.raises(TemporaryFailure):
        sender.send(message("a@x.example"))


def test_after_a_dropped_connection_the_next_send_reconnects(sender, mail_sink):
    mail_sink.set_mode("drop", count=1)
    with pytest.raises(TemporaryFailure):
        sender.send(message("a@x.example"))
    assert sender.send(message("a@x.example")) == {}
    assert len(mail_sink.messages) == 1


def test_the_mail_sink_command_keeps_mail_in_a_maildir_until_sigterm(tmp_path):
    port = free_port()
    env = {**os.environ, "ICPSIM_INSTANCE_PATH": str(tmp_path)}
    sink = subprocess.Popen([sys.executable, "-m", "web.cli", "mail-sink", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert sink.stdout is not None
        banner = sink.stdout.readline().decode()  # printed once the server listens
        assert f"127.0.0.1:{port}" in banner
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.send_message(message("a@x.example"))
    finally:
        sink.send_signal(signal.SIGTERM)
        output, _ = sink.communicate(timeout=60)
    assert sink.returncode == 0, output.decode()
    assert len(mailbox.Maildir(str(tmp_path / "mail"))) == 1
