"""Mailbox: the embedded mail sink's Maildir, shown only when it is in use."""

from __future__ import annotations

import re
import smtplib
from collections.abc import Iterator

import pytest

from notify.mailsink import MailSink
from tests.web.conftest import add_contact, content, text


@pytest.fixture
def mail_sink(tmp_path) -> Iterator[MailSink]:
    """The sink stores mail where the console looks: <instance>/mail."""
    with MailSink(maildir=tmp_path / "mail") as sink:
        yield sink


def test_the_mailbox_shows_the_verification_email_with_a_working_link(owner, anon, system):
    add_contact(owner)
    system.run_due()
    page = text(owner.get("/mailbox/"))
    assert "wang@acme.example" in page
    key = re.search(r'href="/mailbox/([^"]+)"', page).group(1)
    mail = text(owner.get(f"/mailbox/{key}"))
    link = re.search(r'<a href="(http://[^"]+/verify/[^"]+)"', mail).group(1)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    assert "Email address verified" in text(anon.get(path))


def test_an_owner_sees_only_mail_to_its_own_addresses(owner, other, reviewer, system):
    add_contact(owner)
    system.run_due()
    assert "wang@acme.example" not in text(other.get("/mailbox/"))
    key = re.search(r'href="/mailbox/([^"]+)"', text(owner.get("/mailbox/"))).group(1)
    assert other.get(f"/mailbox/{key}").status_code == 404
    assert "wang@acme.example" in text(reviewer.get("/mailbox/"))


def test_the_mailbox_link_appears_only_with_the_embedded_sink(app, owner):
    assert "Mailbox</a>" in text(owner.get("/settings/"))
    app.config["ICPSIM_MAILDIR"] = None
    assert "Mailbox</a>" not in text(owner.get("/settings/"))
    assert owner.get("/mailbox/").status_code == 404


def _keys(console) -> set[str]:
    return set(re.findall(r'href="/mailbox/([^"/]+)"', text(console.get("/mailbox/"))))


def test_an_owner_adding_another_accounts_addresses_sees_none_of_its_messages(
        owner, other, reviewer, system):
    # The other account's owner is told about a filing, and its contact gets a live link.
    system.filings.create("other", "F9", type="first_filing", domain="other.cn",
                          website="Other", actor="other")
    system.filings.fire("other", "F9", "submit", actor="other")
    add_contact(other, name="Li Lei", email="li@other.example")
    system.run_due()
    theirs = _keys(other)
    assert len(theirs) == 2
    # The owner of acme names both of those addresses as its own contacts.
    assert add_contact(owner, name="Li Na", email="owner@other.example").status_code == 302
    assert add_contact(owner, name="Li Lei", email="li@other.example").status_code == 302
    system.run_due()
    mine = _keys(owner)
    assert len(mine) == 2  # its own two verification emails, nothing of the other account
    assert not mine & theirs
    for key in theirs:
        assert owner.get(f"/mailbox/{key}").status_code == 404
    page = content(owner.get("/mailbox/"))
    assert "Verify your email address" in page
    assert "F9" not in page  # nor the other account's filing news
    assert "other.cn" not in page
    assert _keys(reviewer) == mine | theirs  # the operator sees the whole sink


def test_mail_that_no_delivery_of_the_account_sent_is_shown_only_to_the_operator(
        owner, reviewer, mail_sink):
    host, port = mail_sink.url.removeprefix("smtp://").rsplit(":", 1)
    with smtplib.SMTP(host, int(port)) as smtp:
        smtp.sendmail("someone@elsewhere.example", ["owner@acme.example"],
                      "Subject: not from icpsim\r\nMessage-ID: <x@elsewhere.example>\r\n\r\nhi\r\n")
    assert "not from icpsim" not in text(owner.get("/mailbox/"))
    assert "not from icpsim" in text(reviewer.get("/mailbox/"))
