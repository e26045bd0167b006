"""Sign-in: required on every page but sign-in and the verification link; roles."""

from __future__ import annotations

import pytest

from tests.web.conftest import text

PAGES = [
    "/", "/settings/", "/settings/icp_filing/receivers", "/contacts/", "/contacts/new",
    "/contacts/1/edit", "/contacts/1/delete", "/messages/", "/messages/1", "/filings/",
    "/filings/new", "/filings/acme/F1", "/mailbox/", "/mailbox/x",
]
POSTS = [
    "/settings/icp_filing/channels", "/settings/icp_filing/receivers",
    "/settings/icp_filing/receivers/add", "/contacts/1/resend", "/messages/read-all",
    "/messages/1/delete", "/messages/delete-all", "/filings/acme/F1/fire",
    "/filings/acme/F1/deliveries/1/retry", "/signout",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_asks_to_sign_in_first(anon, url):
    response = anon.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/signin?next=")


@pytest.mark.parametrize("url", POSTS)
def test_every_form_asks_to_sign_in_first(anon, url):
    response = anon.post(url, {})
    assert response.status_code == 302
    assert "/signin" in response.headers["Location"]


def test_the_sign_in_page_and_the_verification_link_are_public(anon):
    assert anon.get("/signin").status_code == 200
    page = anon.get("/verify/not-a-token")
    assert page.status_code == 410
    assert "This link is invalid" in text(page)


def test_owner_signs_in_with_account_id_and_password(anon):
    response = anon.signin("acme")
    assert response.status_code == 302
    assert response.headers["Location"] == "/settings/"
    assert "Zhang Wei" in text(anon.get("/settings/"))


def test_a_wrong_password_is_refused_next_to_the_password(anon):
    response = anon.signin("acme", "wrong")
    assert response.status_code == 400
    assert "incorrect" in text(response)
    assert anon.get("/settings/").status_code == 302


def test_an_unknown_account_is_refused_like_a_wrong_password(anon):
    assert anon.signin("nobody", "x").status_code == 400


def test_sign_in_returns_to_the_page_asked_for_but_never_off_site(anon):
    response = anon.post("/signin?next=/contacts/", {"username": "acme",
                                                     "password": "acme-pass"})
    assert response.headers["Location"] == "/contacts/"
    anon.post("/signout")
    response = anon.post("/signin?next=//evil.example/x", {"username": "acme",
                                                           "password": "acme-pass"})
    assert response.headers["Location"] == "/settings/"


def test_reviewer_lands_on_filings_and_has_no_message_center(reviewer):
    assert reviewer.get("/").headers["Location"] == "/filings/"
    page = reviewer.get("/settings/")
    assert page.status_code == 403
    assert "Common Settings chooses how each kind of message reaches an account" in text(page)
    assert "Only the account owner" in text(page)
    assert "no Message Center" not in text(page)


def test_the_reviewers_403_says_what_each_owner_page_is_for(reviewer):
    for url, purpose in (("/contacts/", "Manage Contacts keeps the people"),
                         ("/messages/", "Internal Messages holds the messages")):
        page = reviewer.get(url)
        assert page.status_code == 403
        assert purpose in text(page)
        assert "Only the account owner, signed in with the account ID" in text(page)


def test_reviewer_without_a_password_cannot_sign_in(app, anon):
    app.config["ICPSIM_REVIEWER_HASH"] = None
    assert anon.signin("reviewer", "anything").status_code == 400


def test_sign_out_ends_the_session(owner):
    assert owner.post("/signout").status_code == 302
    assert owner.get("/settings/").status_code == 302


def test_a_post_without_csrf_token_is_refused_and_changes_nothing(owner, system):
    response = owner.client.post("/contacts/new", data={
        "name": "Wang Fang", "email": "wang@acme.example", "title": "CEO"})
    assert response.status_code == 400
    assert "reload the page" in text(response)
    assert system.contacts.list("acme") == []
    response = owner.client.post("/settings/icp_filing/channels", data={"channels": "email"})
    assert response.status_code == 400
    assert system.settings.channels("acme", "icp_filing") == {
        "email": "on", "internal": "on", "sms": "off", "webhook": "off"}


@pytest.mark.parametrize("url", [u for u in POSTS if u != "/signout"] + [
    "/contacts/new", "/contacts/1/edit", "/contacts/1/delete", "/filings/new",
    "/settings/icp_filing/receivers"])
def test_every_form_refuses_a_post_without_csrf_token(owner, system, url):
    system.filings.create("acme", "F1", type="first_filing", domain="acme.cn",
                          website="Acme", actor="acme")
    response = owner.client.post(url, data={"trigger": "submit", "expected_version": "1",
                                            "filing_id": "F2", "channels": "email"})
    assert response.status_code == 400
    assert system.filings.get("acme", "F1").state == "draft"
    assert [f.filing_id for f in system.filings.list("acme")] == ["F1"]


def test_signing_out_needs_the_csrf_token_too(owner):
    assert owner.client.post("/signout").status_code == 400
    assert owner.get("/settings/").status_code == 200


def test_a_post_with_a_forged_token_is_refused(owner, system):
    response = owner.client.post("/contacts/new", data={
        "name": "Wang Fang", "email": "wang@acme.example", "title": "CEO",
        "csrf_token": "forged"})
    assert response.status_code == 400
    assert system.contacts.list("acme") == []


def test_unknown_pages_get_the_console_404_page(owner):
    page = owner.get("/no/such/page")
    assert page.status_code == 404
    assert "Page not found" in text(page)


def test_a_crash_shows_the_500_page_without_a_traceback(app, owner, monkeypatch, system):
    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(system.contacts, "list", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    page = owner.get("/contacts/")
    assert page.status_code == 500
    assert "unexpected error" in text(page)
    assert "secret internals" not in text(page)
    assert "Traceback" not in text(page)
