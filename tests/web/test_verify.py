"""The verification link page: verified, expired, already used, invalid, in plain words."""

from __future__ import annotations

from datetime import timedelta

from tests.web.conftest import add_contact, text, verification_link


def _path(link: str) -> str:
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def test_opening_the_link_verifies_without_signing_in(owner, anon, system, mail_sink):
    add_contact(owner)
    system.run_due()
    page = anon.get(_path(verification_link(mail_sink, "wang@acme.example")))
    assert page.status_code == 200
    assert "Email address verified" in text(page)
    assert system.contacts.list("acme")[0].status == "verified"


def test_a_used_link_says_already_used(owner, anon, system, mail_sink):
    add_contact(owner)
    system.run_due()
    path = _path(verification_link(mail_sink, "wang@acme.example"))
    anon.get(path)
    page = anon.get(path)
    assert page.status_code == 410
    assert "already used" in text(page)


def test_an_expired_link_says_expired(owner, anon, system, mail_sink, clock):
    add_contact(owner)
    system.run_due()
    clock.advance(timedelta(hours=72, seconds=1))
    page = anon.get(_path(verification_link(mail_sink, "wang@acme.example")))
    assert page.status_code == 410
    assert "This link has expired" in text(page)
    assert system.contacts.list("acme")[0].status != "verified"


def test_a_superseded_link_says_use_the_newest(owner, anon, system, mail_sink):
    add_contact(owner)
    system.run_due()
    old = _path(verification_link(mail_sink, "wang@acme.example"))
    owner.post(f"/contacts/{system.contacts.list('acme')[0].id}/resend")
    page = anon.get(old)
    assert page.status_code == 410
    assert "newest email" in text(page)


def test_an_unknown_link_says_invalid(anon):
    page = anon.get("/verify/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    assert page.status_code == 410
    assert "This link is invalid" in text(page)
