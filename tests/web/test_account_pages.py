"""Message Center > Revision History and Set Message Language; times in the account's zone."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from tests.web.conftest import add_contact, text
from workflow.models import Account


def _rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr data-subject=\"([^\"]+)\"", body)


def test_revision_history_shows_who_changed_what_before_and_after(owner, system):
    owner.post("/settings/icp_filing/channels", {"channels": ["email"]})
    assert add_contact(owner, name="Wang Fang", email="wang@acme.example").status_code == 302
    contact = system.contacts.list("acme")[0]
    owner.post(f"/contacts/{contact.id}/edit", {"name": "Wang Fang", "email": "fang@acme.example",
                                                "title": "CEO", "mobile": ""})
    page = text(owner.get("/account/history"))
    assert "Revision History" in page
    assert _rows(page) == [f"contact:{contact.id}", f"contact:{contact.id}",
                           "channels:icp_filing"]  # newest first
    assert "2026-03-02 09:00 (UTC+8)" in page  # the test clock: 01:00 UTC
    assert "ICP filing notifications: Channels" in page
    assert "Internal Messages:</span> on" in page
    assert "Internal Messages:</span> off" in page
    assert "Contact Wang Fang" in page
    assert "wang@acme.example" in page
    assert "fang@acme.example" in page
    assert ">acme<" in page  # who: the owner's account


def test_revision_history_filters_by_category_and_pages(owner, system):
    owner.post("/settings/icp_filing/channels", {"channels": ["email"]})
    owner.post("/settings/promotions/channels", {"channels": ["email"]})
    add_contact(owner)
    page = text(owner.get("/account/history?category=icp_filing"))
    assert _rows(page) == ["channels:icp_filing"]
    assert _rows(text(owner.get("/account/history?category=contacts")))[0].startswith("contact:")
    assert owner.get("/account/history?category=nonsense").status_code == 404
    for n in range(25):  # 27 entries: two pages of 20
        owner.post("/settings/promotions/channels",
                   {"channels": ["email"] if n % 2 else ["email", "internal"]})
    first = text(owner.get("/account/history?category=promotions"))
    assert len(_rows(first)) == 20
    assert "Page 1 of 2" in first
    second = text(owner.get("/account/history?category=promotions&page=2"))
    assert len(_rows(second)) == 6
    assert "Page 2 of 2" in second
    assert 'rel="prev"' in second


def test_revision_history_is_the_owners_own(owner, other, reviewer, anon):
    owner.post("/settings/icp_filing/channels", {"channels": ["email"]})
    assert _rows(text(other.get("/account/history"))) == []
    assert reviewer.get("/account/history").status_code == 403
    assert reviewer.get("/account/message-language").status_code == 403
    assert anon.get("/account/history").status_code == 302


def test_message_language_applies_to_new_messages_only(owner, system):
    page = text(owner.get("/account/message-language"))
    assert "applies to new messages only" in page
    assert re.search(r'value="en"\s+checked', page)
    response = owner.post("/account/message-language", {"language": "zh"})
    assert response.status_code == 302
    assert system.accounts.get("acme").language == "zh"
    assert re.search(r'value="zh"\s+checked', text(owner.get("/account/message-language")))
    assert system.accounts.get("other").language == "en"


def test_an_unknown_message_language_is_refused_and_changes_nothing(owner, system):
    response = owner.post("/account/message-language", {"language": "fr"})
    assert response.status_code == 400
    assert "Choose English or Chinese as the message language." in text(response)
    assert system.accounts.get("acme").language == "en"


def test_times_follow_the_accounts_time_zone_and_are_labelled(owner, system, clock, mail_sink):
    with system.db.transaction() as s:
        account = s.exec(select(Account).where(Account.id == "acme")).one()
        account.time_zone = "America/Sao_Paulo"
        s.add(account)
    owner.post("/filings/new", {"filing_id": "F1", "type": "first_filing",
                                "domain": "acme.cn", "website": "Acme"})
    page = text(owner.get("/filings/acme/F1"))
    assert "2026-03-01 22:00 (UTC-3)" in page
    assert "UTC+8" not in page
    # the same zone in the verification email and in a refusal naming a time
    add_contact(owner)
    system.run_due()
    contact = system.contacts.list("acme")[0]
    assert "2026-03-04 22:00 (UTC-3)" in mail_sink.to("wang@acme.example")[-1].text
    owner.post(f"/contacts/{contact.id}/resend", {})
    clock.advance(timedelta(seconds=5))
    refused = text(owner.post(f"/contacts/{contact.id}/resend", {}))
    assert "Try again after 22:01:00 (UTC-3)." in refused
