"""Sign-in returns only to paths on this console, and needs its CSRF token like any form."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.web.conftest import text

OFF_SITE = ["//evil.example/x", "https://evil.example/x", "/\\evil.example/x",
            "/\\/evil.example", "/\t/evil.example", "/\n/evil.example", "\\\\evil.example",
            "javascript:alert(1)", "evil.example", "http:/evil.example", "/ /evil.example"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_sign_in_never_returns_off_site(anon, target):
    response = anon.post(f"/signin?next={quote(target, safe='')}",
                         {"username": "acme", "password": "acme-pass"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/settings/"


def test_sign_in_returns_to_a_page_of_the_console_with_its_query(anon):
    response = anon.post(f"/signin?next={quote('/messages/?type=product', safe='')}",
                         {"username": "acme", "password": "acme-pass"})
    assert response.headers["Location"] == "/messages/?type=product"


def test_a_sign_in_without_the_csrf_token_is_refused(anon):
    response = anon.client.post("/signin", data={"username": "acme", "password": "acme-pass"})
    assert response.status_code == 400
    assert "reload the page" in text(response)
    assert anon.get("/settings/").status_code == 302
