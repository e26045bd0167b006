"""Console defects found by following the help page: each test failed before its fix."""

from __future__ import annotations

import re

from tests.web.conftest import text


def test_every_page_links_a_favicon_that_is_served(anon, owner):
    for console, url in ((anon, "/signin"), (owner, "/settings/"), (owner, "/contacts/")):
        page = text(console.get(url))
        icon = re.search(r'<link rel="icon" href="([^"]+)"', page)
        assert icon, url
        response = console.get(icon.group(1))
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"
        assert b"<svg" in response.get_data()
    assert anon.get("/favicon.ico").status_code == 200
