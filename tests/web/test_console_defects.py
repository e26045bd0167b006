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


def _messages(system, *triggers: str) -> list[int]:
    system.filings.create("acme", "F1", type="first_filing", domain="acme.cn",
                          website="Acme", actor="acme")
    for trigger in triggers:
        data = {"reason": "Name mismatch"} if trigger == "reject" else None
        system.filings.fire("acme", "F1", trigger, data, actor="test")
        system.run_due()
    return [m.id for m in system.inbox.list("acme")]


def _shown_unread(page: str) -> str:
    found = re.search(r'data-testid="shown-unread">([^<]*)<', page)
    assert found, page
    return found.group(1)


def test_the_inbox_filtered_by_type_shows_the_unread_count_of_that_type(owner, system):
    _messages(system, "submit", "start_review", "reject")
    assert _shown_unread(text(owner.get("/messages/"))) == "3 unread"
    filtered = text(owner.get("/messages/?type=application_review_result"))
    assert _shown_unread(filtered) == "1 unread of this type"
    assert re.search(r'data-testid="unread-badge">3<', filtered)  # the header keeps all


def test_delete_asks_for_confirmation_before_deleting(owner, system):
    first, *_ = _messages(system, "submit", "start_review")
    asked = owner.post(f"/messages/{first}/delete")
    assert asked.status_code == 200
    assert "This cannot be undone" in text(asked)
    assert 'name="confirmed" value="yes"' in text(asked)
    assert len(system.inbox.list("acme")) == 2
    assert owner.post(f"/messages/{first}/delete", {"confirmed": "yes"}).status_code == 302
    assert [m.id for m in system.inbox.list("acme")] != [] and first not in [
        m.id for m in system.inbox.list("acme")]


def test_delete_all_asks_for_confirmation_before_deleting(owner, system):
    _messages(system, "submit", "start_review")
    asked = owner.post("/messages/delete-all")
    assert asked.status_code == 200
    assert "Delete all 2 internal messages?" in text(asked)
    assert len(system.inbox.list("acme")) == 2
    page = text(owner.get("/messages/"))
    assert page.count("data-confirm=") == 3  # Delete All and one Delete per message
    assert owner.post("/messages/delete-all", {"confirmed": "yes"}).status_code == 302
    assert system.inbox.list("acme") == []
