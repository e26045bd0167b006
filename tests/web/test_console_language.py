"""The language switch in the page header: English or Chinese, back to the same page."""

from __future__ import annotations

from tests.web.conftest import text


def test_the_header_offers_english_and_chinese_on_every_page(anon, owner):
    for page in (anon.get("/signin"), owner.get("/settings/")):
        body = text(page)
        assert "English" in body
        assert "中文" in body
        assert '<html lang="en">' in body


def test_switching_returns_to_the_page_and_marks_it_chinese(owner):
    response = owner.post("/language/zh", {"next": "/messages/?type=product"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/messages/?type=product"
    assert '<html lang="zh-CN">' in text(owner.get("/settings/"))
    owner.post("/language/en", {"next": "/settings/"})
    assert '<html lang="en">' in text(owner.get("/settings/"))


def test_an_unknown_language_or_an_off_site_return_changes_nothing(owner):
    response = owner.post("/language/fr", {"next": "//evil.example/x"})
    assert response.headers["Location"] == "/"
    assert '<html lang="en">' in text(owner.get("/settings/"))


def test_the_choice_is_kept_for_the_user_across_sign_ins(owner, anon):
    owner.post("/language/zh", {"next": "/settings/"})
    owner.post("/signout", {})
    assert '<html lang="en">' in text(anon.get("/signin"))
    anon.post("/signin", {"username": "acme", "password": "acme-pass"})
    assert '<html lang="zh-CN">' in text(anon.get("/settings/"))


def test_a_choice_made_before_signing_in_stays_when_the_user_never_chose(anon):
    anon.post("/language/zh", {"next": "/signin"})
    anon.post("/signin", {"username": "acme", "password": "acme-pass"})
    assert '<html lang="zh-CN">' in text(anon.get("/settings/"))
