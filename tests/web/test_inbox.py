"""Internal Messages: unread badge, newest first, filter, open, mark all read, delete."""

from __future__ import annotations

import re

from tests.web.conftest import text


def _notify(system, *triggers: str) -> None:
    system.filings.create("acme", "F1", type="first_filing", domain="acme.cn",
                          website="Acme", actor="acme")
    for trigger in triggers:
        data = {"reason": "Name mismatch"} if trigger == "reject" else None
        system.filings.fire("acme", "F1", trigger, data, actor="test")
        system.run_due()


def _ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-message-id="(\d+)"', page)]


def test_messages_list_newest_first_with_the_unread_badge(owner, system):
    _notify(system, "submit", "start_review", "reject")
    page = text(owner.get("/messages/"))
    ids = _ids(page)
    assert len(ids) == 3
    assert ids == sorted(ids, reverse=True)
    assert re.search(r'data-testid="unread-badge">3<', page)
    assert "F1" in page


def test_filter_by_type(owner, system):
    _notify(system, "submit", "start_review", "reject")
    page = text(owner.get("/messages/?type=application_review_result"))
    assert len(_ids(page)) == 1
    assert owner.get("/messages/?type=nope").status_code == 404


def test_opening_a_message_marks_it_read(owner, system):
    _notify(system, "submit")
    message_id = _ids(text(owner.get("/messages/")))[0]
    page = text(owner.get(f"/messages/{message_id}"))
    assert "F1" in page
    assert "acme.cn" in page
    assert "unread-badge" not in page
    assert system.inbox.unread_count("acme") == 0


def test_mark_all_read_and_delete(owner, system):
    _notify(system, "submit", "start_review")
    assert owner.post("/messages/read-all").status_code == 302
    assert system.inbox.unread_count("acme") == 0
    first = _ids(text(owner.get("/messages/")))[0]
    assert owner.post(f"/messages/{first}/delete", {"confirmed": "yes"}).status_code == 302
    assert first not in _ids(text(owner.get("/messages/")))
    assert owner.post("/messages/delete-all", {"confirmed": "yes"}).status_code == 302
    assert _ids(text(owner.get("/messages/"))) == []


def test_another_accounts_message_is_a_404(owner, other, system):
    _notify(system, "submit")
    message_id = _ids(text(owner.get("/messages/")))[0]
    assert other.get(f"/messages/{message_id}").status_code == 404
    assert other.post(f"/messages/{message_id}/delete").status_code == 404
    assert _ids(text(other.get("/messages/"))) == []
    assert system.inbox.unread_count("acme") == 1
