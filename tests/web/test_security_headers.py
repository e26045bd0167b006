"""Every response carries the security headers; no page needs inline script or style."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import text

HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
OWNER_PAGES = ["/settings/", "/settings/icp_filing/receivers", "/contacts/", "/contacts/new",
               "/messages/", "/filings/", "/filings/new", "/filings/acme/F1", "/mailbox/",
               "/no/such/page", "/contacts/999/edit"]
REVIEWER_PAGES = ["/filings/", "/filings/acme/F1", "/mailbox/", "/settings/"]
# What a strict Content-Security-Policy blocks: inline scripts, handlers, styles, js: links.
INLINE = re.compile(r"<script(?![^>]*\bsrc=)|\son[a-z]+\s*=|\sstyle\s*=|<style|javascript:", re.I)


@pytest.fixture
def filing(system):
    return system.filings.create("acme", "F1", type="first_filing", domain="acme.cn",
                                 website="Acme", actor="acme")


def _assert_headers(response) -> None:
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp


@pytest.mark.parametrize("url", OWNER_PAGES)
def test_every_owner_page_carries_the_security_headers_and_no_inline_script(owner, filing,
                                                                            url):
    response = owner.get(url)
    assert response.mimetype == "text/html"
    _assert_headers(response)
    assert not INLINE.search(text(response)), INLINE.search(text(response))


@pytest.mark.parametrize("url", REVIEWER_PAGES)
def test_every_reviewer_page_carries_the_security_headers_and_no_inline_script(reviewer,
                                                                               filing, url):
    response = reviewer.get(url)
    _assert_headers(response)
    assert not INLINE.search(text(response))


def test_public_pages_redirects_errors_and_static_files_carry_them_too(anon, owner):
    for response in (anon.get("/signin"), anon.get("/verify/not-a-token"),
                     anon.get("/settings/"), anon.get("/static/style.css"),
                     anon.signin("acme", "wrong"),
                     owner.client.post("/contacts/new", data={"name": "x"})):  # no CSRF token
        _assert_headers(response)
    assert not INLINE.search(text(anon.get("/signin")))

