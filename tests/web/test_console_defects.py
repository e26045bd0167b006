"""Console defects found by following the help page: each test failed before its fix."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.web.conftest import add_contact, text


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
    assert [m.id for m in system.inbox.list("acme")] != []
    assert first not in [m.id for m in system.inbox.list("acme")]


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


def _contact_row(page: str, name: str) -> str:
    found = re.search(r'<tr data-contact-id="\d+">(?:(?!</tr>).)*' + name + r".*?</tr>",
                      page, re.S)
    assert found, name
    return found.group(0)


def _log_rows(page: str) -> list[str]:
    table = re.search(r'<table class="verification-log">.*?</table>', page, re.S)
    assert table
    return re.findall(r'<tr data-delivery-id="\d+">.*?</tr>', table.group(0), re.S)


def test_a_verification_email_the_mail_server_refused_shows_failed_with_the_reason(
        owner, system, mail_sink):
    mail_sink.set_mode("reject")
    assert add_contact(owner).status_code == 302
    assert "Sending" in _contact_row(text(owner.get("/contacts/")), "Wang Fang")
    system.run_due()
    page = text(owner.get("/contacts/"))
    row = _contact_row(page, "Wang Fang")
    assert 'data-testid="verification-state">Failed<' in row
    assert "550" in row  # the server's reply
    assert "Resend verification" in row
    [logged] = _log_rows(page)
    assert "Failed" in logged
    assert "wang@acme.example" in logged
    assert ">Retry</button>" in logged


def test_a_verification_email_while_the_mail_server_is_down_shows_it_is_retrying(
        owner, system, mail_sink):
    mail_sink.set_mode("down")
    add_contact(owner)
    system.run_due()
    row = _contact_row(text(owner.get("/contacts/")), "Wang Fang")
    assert "Sending, retrying" in row
    assert "It will be tried again." in row
    mail_sink.set_mode("up")
    system.clock.advance(timedelta(hours=1))
    system.run_due()
    row = _contact_row(text(owner.get("/contacts/")), "Wang Fang")
    assert 'data-testid="verification-state">Sent<' in row


def test_retry_in_the_delivery_log_sends_a_new_verification_email(owner, system, mail_sink):
    mail_sink.set_mode("reject")
    add_contact(owner)
    system.run_due()
    [failed] = system.deliveries.list("acme", kind="verification")
    mail_sink.set_mode("up")
    response = owner.post(f"/contacts/verifications/{failed.id}/retry")
    assert response.status_code == 302
    system.run_due()
    assert len(mail_sink.to("wang@acme.example")) == 1
    page = text(owner.get("/contacts/"))
    assert 'data-testid="verification-state">Sent<' in _contact_row(page, "Wang Fang")
    rows = _log_rows(page)
    assert len(rows) == 2
    assert "Sent" in rows[0]
    assert "Failed" in rows[1]
    assert ">Retry</button>" not in page  # the failed one is superseded


def test_another_accounts_verification_cannot_be_retried(owner, other, system, mail_sink):
    mail_sink.set_mode("reject")
    add_contact(owner)
    system.run_due()
    [failed] = system.deliveries.list("acme", kind="verification")
    assert other.post(f"/contacts/verifications/{failed.id}/retry").status_code == 404
    assert len(system.deliveries.list("acme", kind="verification")) == 1
