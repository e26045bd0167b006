"""The verification email: queued in the account's language, sent over SMTP, link opened."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from notify.contacts import ContactService
from notify.models import Delivery
from workflow.accounts import AccountService
from workflow.config import Config
from workflow.errors import IcpsimError

LINK = re.compile(r"(https?://\S+/verify/([A-Za-z0-9_-]+))")


def queued(db) -> list[Delivery]:
    with db.transaction() as s:
        return list(s.exec(select(Delivery).order_by(Delivery.id)).all())


@pytest.mark.parametrize(("language", "phrases"), [
    ("en", ["Verify your email address", "Zhang Wei", "acme", "valid for 72 hours",
            "2026-03-05 09:00 (UTC+8)", "added you", "alice"]),
    ("zh", ["请验证您的邮箱地址", "Zhang Wei", "acme", "72 小时内有效", "2026-03-05 09:00 (UTC+8)",
            "alice"]),
])
def test_the_email_says_who_asked_for_which_account_the_link_and_how_long_it_works(
        db, clock, language, phrases):
    AccountService(db, clock).create("acme", owner_name="Zhang Wei",
                                     owner_email="owner@acme.example", language=language)
    config = Config(secret_key="test", base_url="https://console.icpsim.example/")
    ContactService(db, clock, config).add("acme", name="李娜", email="li.na@acme.example",
                                          title="CEO", actor="alice")
    mail = queued(db)[0]
    assert mail.language == language
    text = f"{mail.subject}\n{mail.body}"
    for phrase in phrases:
        assert phrase in text
    assert "李娜" in mail.body
    assert LINK.search(mail.body).group(1).startswith("https://console.icpsim.example/verify/")
    assert "\n" not in mail.subject
    assert "\r" not in mail.subject


def test_a_verification_email_received_over_smtp_verifies_its_contact(system, mail_sink):
    system.accounts.create("acme", owner_name="Zhang Wei", owner_email="owner@acme.example")
    contact = system.contacts.add("acme", name="Li Na", email="li.na@acme.example",
                                  title="Technical Director", actor="owner")
    system.run_due()
    [mail] = mail_sink.to("li.na@acme.example")
    assert "Verify your email address" in mail.subject
    url, token = LINK.search(mail.text).groups()
    assert url.startswith(f"{system.config.base_url}/verify/")
    assert system.contacts.verify(token).contact_id == contact.id
    assert system.contacts.get("acme", contact.id).status == "verified"
    [row] = queued(system.db)
    assert (row.status, row.body) == ("sent", None)  # the raw link is purged once sent
    with pytest.raises(IcpsimError) as exc:
        system.contacts.verify(token)
    assert exc.value.reason == "used"


def test_after_a_change_of_address_only_the_new_address_gets_a_working_link(
        system, mail_sink, clock):
    system.accounts.create("acme", owner_name="Zhang Wei", owner_email="owner@acme.example")
    contact = system.contacts.add("acme", name="Li Na", email="old@acme.example",
                                  title="CEO", actor="owner")
    system.run_due()
    clock.advance(timedelta(minutes=1))
    system.contacts.modify("acme", contact.id, email="new@acme.example", actor="owner")
    system.run_due()
    [old_mail] = mail_sink.to("old@acme.example")
    [new_mail] = mail_sink.to("new@acme.example")
    with pytest.raises(IcpsimError) as exc:
        system.contacts.verify(LINK.search(old_mail.text).group(2))
    assert exc.value.reason == "superseded"
    assert system.contacts.verify(LINK.search(new_mail.text).group(2)).email == (
        "new@acme.example")


def test_a_link_replaced_before_it_was_sent_is_never_sent(system, mail_sink, clock):
    system.accounts.create("acme", owner_name="Zhang Wei", owner_email="owner@acme.example")
    contact = system.contacts.add("acme", name="Li Na", email="li.na@acme.example",
                                  title="CEO", actor="owner")
    system.contacts.resend("acme", contact.id, actor="owner")
    system.run_due()
    [mail] = mail_sink.to("li.na@acme.example")
    assert system.contacts.verify(LINK.search(mail.text).group(2)).status == "verified"
    assert [d.status for d in queued(system.db)] == ["skipped", "sent"]
