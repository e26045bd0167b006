"""Filings: list, create, the detail page, role-bound actions, refusals and deliveries."""

from __future__ import annotations

import re

from tests.web.conftest import content, field_error, text


def _create(owner, filing_id: str = "F1") -> None:
    response = owner.post("/filings/new", {"filing_id": filing_id, "type": "first_filing",
                                           "domain": "acme.cn", "website": "Acme Shop"})
    assert response.status_code == 302, text(response)


def _fire(console, trigger: str, filing_id: str = "F1", account: str = "acme", **data):
    """Press a button as the page offers it (the version from the page's hidden field)."""
    page = text(console.get(f"/filings/{account}/{filing_id}"))
    version = re.search(r'name="expected_version" type="hidden" value="(\d+)"', page)
    return console.post(f"/filings/{account}/{filing_id}/fire",
                        {"trigger": trigger, "expected_version": version.group(1) if version
                         else "1", **data})


def test_owner_creates_a_filing_and_sees_it_as_draft(owner):
    _create(owner)
    page = text(owner.get("/filings/"))
    assert "F1" in page
    assert "acme.cn" in page
    assert "Draft" in page
    detail = text(owner.get("/filings/acme/F1"))
    assert '<g class="state current" data-state="draft">' in detail
    assert 'value="submit"' in detail
    assert 'value="withdraw"' in detail
    assert "start_review" not in re.findall(r'value="(\w+)"', detail)


def test_create_refusals_are_shown_next_to_the_field(owner, system):
    cases = [({"domain": "not a domain"}, "domain"), ({"filing_id": "bad id!"}, "filing_id"),
             ({"website": " "}, "website")]
    for change, field in cases:
        data = {"filing_id": "F1", "type": "first_filing", "domain": "acme.cn",
                "website": "Acme"}
        data.update(change)
        response = owner.post("/filings/new", data)
        assert response.status_code == 400
        assert field_error(response, field), change
    assert system.filings.list("acme") == []
    _create(owner)
    response = owner.post("/filings/new", {"filing_id": "F1", "type": "first_filing",
                                           "domain": "acme.cn", "website": "Acme"})
    assert "already have a filing with this order ID" in field_error(response, "filing_id")


def test_the_happy_path_between_owner_and_reviewer(owner, reviewer, system):
    _create(owner)
    assert _fire(owner, "submit").status_code == 302
    assert "acme" in text(reviewer.get("/filings/"))
    assert _fire(reviewer, "start_review").status_code == 302
    assert _fire(reviewer, "pass_review").status_code == 302
    assert "SMS deadline" in text(owner.get("/filings/acme/F1"))
    assert _fire(owner, "verify_sms").status_code == 302
    page = text(reviewer.get("/filings/acme/F1"))
    assert 'name="icp_number"' in page
    assert 'name="reason"' in page
    assert _fire(reviewer, "approve", icp_number="京ICP备12345678号-1").status_code == 302
    detail = text(owner.get("/filings/acme/F1"))
    assert '<g class="state current" data-state="approved">' in detail
    assert "京ICP备12345678号-1" in detail
    assert detail.count('class="timeline"') == 1
    assert "Verify SMS" in detail
    assert system.filings.get("acme", "F1").state == "approved"


def test_a_missing_required_datum_is_refused_next_to_its_field(owner, reviewer, system):
    _create(owner)
    _fire(owner, "submit")
    _fire(reviewer, "start_review")
    response = _fire(reviewer, "reject", reason="  ")
    assert response.status_code == 400
    assert field_error(response, "reason") == "Add a reason for the rejection."
    assert system.filings.get("acme", "F1").state == "under_review"
    response = _fire(reviewer, "reject", reason="The website name does not match")
    assert response.status_code == 302
    assert "The website name does not match" in text(owner.get("/filings/acme/F1"))


def test_fail_inspection_needs_items_and_a_whole_number_of_days(owner, reviewer, system):
    _create(owner)
    for console, trigger in ((owner, "submit"), (reviewer, "start_review"),
                             (reviewer, "pass_review"), (owner, "verify_sms")):
        _fire(console, trigger)
    _fire(reviewer, "approve", icp_number="ICP-1")
    _fire(reviewer, "start_inspection")
    response = _fire(reviewer, "fail_inspection", items="")
    assert response.status_code == 400
    assert field_error(response, "items")
    response = _fire(reviewer, "fail_inspection", items="Homepage", deadline_days="ten")
    assert response.status_code == 400
    assert field_error(response, "deadline_days")
    response = _fire(reviewer, "fail_inspection", items="Homepage", deadline_days="0")
    assert response.status_code == 400
    assert field_error(response, "deadline_days")
    assert system.filings.get("acme", "F1").state == "item_review"
    response = _fire(reviewer, "fail_inspection", items="Homepage\nContact page",
                     deadline_days="5")
    assert response.status_code == 302
    page = text(owner.get("/filings/acme/F1"))
    assert "Rectification deadline" in page
    assert "Homepage, Contact page" in page


def test_a_stale_form_is_a_409_with_a_message(owner, system):
    _create(owner)
    response = owner.post("/filings/acme/F1/fire", {"trigger": "submit",
                                                    "expected_version": "1"})
    assert response.status_code == 302
    response = owner.post("/filings/acme/F1/fire", {"trigger": "withdraw",
                                                    "expected_version": "1"})
    assert response.status_code == 409
    assert "This filing changed after you opened the page" in text(response)
    assert "Not possible now" in text(response)
    assert system.filings.get("acme", "F1").state == "submitted"


def test_a_trigger_the_state_does_not_allow_is_a_409(owner, system):
    _create(owner)
    response = _fire(owner, "cancel")
    assert response.status_code == 409
    assert "This action is not possible in the filing" in text(response)


def test_each_role_may_press_only_its_own_buttons(owner, reviewer, system):
    _create(owner)
    assert _fire(owner, "start_review").status_code == 403
    assert _fire(reviewer, "submit").status_code == 403
    assert _fire(owner, "no_such_trigger").status_code == 403
    assert system.filings.get("acme", "F1").state == "draft"


def test_another_accounts_filing_is_a_404(owner, other, system):
    _create(owner)
    assert other.get("/filings/acme/F1").status_code == 404
    assert other.post("/filings/acme/F1/fire", {"trigger": "submit",
                                               "expected_version": "1"}).status_code == 404
    assert "F1" not in content(other.get("/filings/"))
    assert other.get("/filings/other/F1").status_code == 404
    assert system.filings.get("acme", "F1").state == "draft"


def test_the_detail_page_shows_the_notifications_it_caused(owner, system):
    _create(owner)
    _fire(owner, "submit")
    system.run_due()
    page = text(owner.get("/filings/acme/F1"))
    section = page[page.index('id="deliveries"'):]
    assert "Application progress" in section
    assert "owner@acme.example" in section
    assert "Internal Messages" in section
    assert "Sent" in section


def _failed_delivery(owner, system, mail_sink) -> int:
    _create(owner)
    mail_sink.set_mode("reject", code=550)
    _fire(owner, "submit")
    system.run_due()
    mail_sink.set_mode("up")
    failed = system.deliveries.list("acme", filing_id="F1", status="failed")
    assert failed
    return failed[0].id


def test_a_failed_delivery_can_be_retried_from_the_filing_page(owner, system, mail_sink):
    delivery_id = _failed_delivery(owner, system, mail_sink)
    page = text(owner.get("/filings/acme/F1"))
    row = re.search(rf'<tr data-delivery-id="{delivery_id}">.*?</tr>', page, re.S).group(0)
    assert "Failed" in row
    assert ">Retry</button>" in row
    assert "Permanent failure" in row
    response = owner.post(f"/filings/acme/F1/deliveries/{delivery_id}/retry")
    assert response.status_code == 302
    system.run_due()
    assert system.deliveries.get("acme", delivery_id).status == "sent"
    response = owner.post(f"/filings/acme/F1/deliveries/{delivery_id}/retry")
    assert response.status_code == 409
    assert "Only a failed delivery can be retried." in text(response)


def test_another_accounts_delivery_cannot_be_retried(owner, other, system, mail_sink):
    delivery_id = _failed_delivery(owner, system, mail_sink)
    assert other.post(f"/filings/acme/F1/deliveries/{delivery_id}/retry").status_code == 404
    other.post("/filings/new", {"filing_id": "F1", "type": "first_filing",
                                "domain": "other.cn", "website": "Other"})
    assert other.post(f"/filings/other/F1/deliveries/{delivery_id}/retry").status_code == 404
    assert system.deliveries.get("acme", delivery_id).status == "failed"


def test_times_are_stored_in_utc_and_shown_in_beijing_time(owner, system):
    _create(owner)  # the test clock stands at 2026-03-02 01:00 UTC
    assert system.filings.get("acme", "F1").created_at.isoformat().endswith("+00:00")
    page = text(owner.get("/filings/acme/F1"))
    assert "2026-03-02 09:00 (UTC+8)" in page
