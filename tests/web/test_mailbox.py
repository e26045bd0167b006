"""Mailbox: the embedded mail sink's Maildir, shown only when it is in use."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from notify.mailsink import MailSink
from tests.web.conftest import add_contact, text


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
