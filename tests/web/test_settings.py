"""Message Center > Common Settings and the Modify Contact page of a category."""

from __future__ import annotations

import re

from tests.web.conftest import add_contact, field_error, text, verified_contact


def _row(page: str, category: str) -> str:
    match = re.search(rf'<tr id="row-{category}".*?</tr>', page, re.S)
    assert match, category
    return match.group(0)


def test_common_settings_lists_sections_categories_channels_and_contacts(owner):
    page = text(owner.get("/settings/"))
    for section in ("Account Message", "Product Message", "Security Message",
                    "Fault Message", "Activity Message", "Service Message"):
        assert section in page
    icp = _row(page, "icp_filing")
    assert "ICP filing notifications" in icp
    assert icp.count('name="channels"') == 4  # email, internal, SMS, webhook
    assert icp.count("checked") == 2  # SMS and webhook are off by default
    assert "Zhang Wei" in icp
    assert ">Modify</a>" in icp


def test_required_channels_are_checked_and_disabled_unavailable_ones_absent(owner):
    page = text(owner.get("/settings/"))
    security = _row(page, "security_events")
    assert security.count("disabled") == 2
    assert "(required)" in security
    events = _row(page, "events")
    assert 'value="email"' not in events
    assert 'value="internal"' in events


def test_selecting_email_only_is_saved(owner, system):
    response = owner.post("/settings/icp_filing/channels", {"channels": ["email"]})
    assert response.status_code == 302
    assert system.settings.channels("acme", "icp_filing") == {
        "email": "on", "internal": "off", "sms": "off", "webhook": "off"}
    icp = _row(text(owner.get("/settings/")), "icp_filing")
    assert re.search(r'value="email"\s+aria-label="Email"\s+checked', icp)
    assert not re.search(r'value="internal"\s+aria-label="Internal Messages"\s+checked', icp)


def test_selecting_no_channel_is_refused_next_to_the_row(owner, system):
    response = owner.post("/settings/icp_filing/channels", {})
    assert response.status_code == 400
    row = _row(text(response), "icp_filing")
    assert "Choose at least one channel" in row
    assert system.settings.channels("acme", "icp_filing") == {
        "email": "on", "internal": "on", "sms": "off", "webhook": "off"}


def test_turning_off_a_required_channel_is_refused(owner):
    response = owner.post("/settings/security_events/channels", {"channels": ["internal"]})
    assert response.status_code == 400
    assert "required for this message type and cannot be turned off" in field_error(
        response, "channels")


def test_turning_on_an_unavailable_channel_is_refused(owner):
    response = owner.post("/settings/events/channels", {"channels": ["email", "internal"]})
    assert response.status_code == 400
    assert "cannot be sent through that channel" in field_error(response, "channels")


def test_an_unknown_category_is_a_404(owner):
    assert owner.get("/settings/nope/receivers").status_code == 404
    assert owner.post("/settings/nope/channels", {"channels": ["email"]}).status_code == 404


def test_modify_contact_shows_the_owner_as_checked_disabled_default_receiver(owner):
    page = text(owner.get("/settings/icp_filing/receivers"))
    assert "Modify Contact: ICP filing notifications" in page
    owner_row = re.search(r'<tr class="owner">.*?</tr>', page, re.S).group(0)
    assert "checked disabled" in owner_row
    assert "Default receiver" in owner_row
    assert "Add Receiver" in page
    assert ">OK</button>" in page
    assert ">Save</button>" in page


def test_add_receiver_from_modify_contact_stores_a_pending_contact(owner, system, mail_sink):
    response = owner.post("/settings/icp_filing/receivers/add", {
        "name": "Wang Fang", "email": "wang@acme.example", "title": "CEO", "mobile": ""})
    assert response.status_code == 302
    assert response.headers["Location"] == "/settings/icp_filing/receivers"
    page = text(owner.get("/settings/icp_filing/receivers"))
    row = re.search(r'<tr data-contact-id="\d+">.*?</tr>', page, re.S).group(0)
    assert "Wang Fang" in row
    assert "Pending" in row
    assert "disabled" in row
    assert "Cannot be selected until the email address is verified" in row
    system.run_due()
    assert mail_sink.to("wang@acme.example")


def test_add_receiver_refusals_are_shown_next_to_their_fields(owner, system):
    cases = [
        ({"name": "X"}, "name", "2 to 12 Chinese characters or letters"),
        ({"name": "Wang 123"}, "name", "2 to 12 Chinese characters or letters"),
        ({"email": "not-an-email"}, "email", "Enter a valid email address"),
        ({"title": "Boss"}, "title", "Choose a title from the list"),
        ({"mobile": "12345"}, "mobile", "11 digits starting with 1"),
    ]
    for change, field, message in cases:
        data = {"name": "Wang Fang", "email": "wang@acme.example", "title": "CEO",
                "mobile": ""}
        data.update(change)
        response = owner.post("/settings/icp_filing/receivers/add", data)
        assert response.status_code == 400, change
        assert message in field_error(response, field), (change, text(response))
    assert system.contacts.list("acme") == []


def test_a_new_verified_contact_appears_on_refresh_and_can_be_saved(owner, system,
                                                                     mail_sink):
    contact_id = verified_contact(owner, system, mail_sink)
    page = text(owner.get("/settings/icp_filing/receivers"))
    row = re.search(rf'<tr data-contact-id="{contact_id}">.*?</tr>', page, re.S).group(0)
    assert "Verified" in row
    assert "disabled" not in row
    response = owner.post("/settings/icp_filing/receivers", {"contacts": [str(contact_id)]})
    assert response.status_code == 302
    assert [c.id for c in system.settings.receivers("acme", "icp_filing")] == [contact_id]
    assert "Wang Fang" in _row(text(owner.get("/settings/")), "icp_filing")
    # Save replaces the set: nothing checked leaves only the owner.
    owner.post("/settings/icp_filing/receivers", {})
    assert system.settings.receivers("acme", "icp_filing") == []


def test_an_unverified_contact_cannot_be_selected(owner, system):
    add_contact(owner)
    contact = system.contacts.list("acme")[0]
    response = owner.post("/settings/icp_filing/receivers", {"contacts": [str(contact.id)]})
    assert response.status_code == 409
    assert "Only a verified contact can be selected" in field_error(response, "contacts")
    assert system.settings.receivers("acme", "icp_filing") == []


def test_another_accounts_contact_cannot_be_selected(owner, other, system, mail_sink):
    contact_id = verified_contact(owner, system, mail_sink)
    response = other.post("/settings/icp_filing/receivers", {"contacts": [str(contact_id)]})
    assert response.status_code == 404
    assert system.settings.receivers("other", "icp_filing") == []


def test_the_contact_column_marks_a_receiver_that_must_verify_again(owner, system, mail_sink):
    contact_id = verified_contact(owner, system, mail_sink)
    owner.post("/settings/icp_filing/receivers", {"contacts": [str(contact_id)]})
    owner.post(f"/contacts/{contact_id}/edit", {"name": "Wang Fang", "title": "CEO",
                                                "email": "fang@acme.example", "mobile": ""})
    assert "Wang Fang (Pending)" in _row(text(owner.get("/settings/")), "icp_filing")
    page = text(owner.get("/settings/icp_filing/receivers"))
    row = re.search(rf'<tr data-contact-id="{contact_id}">.*?</tr>', page, re.S).group(0)
    assert "receives nothing until the email is verified again" in row
    # Saving keeps it selected (it was already a receiver) though it cannot be newly checked.
    assert owner.post("/settings/icp_filing/receivers",
                      {"contacts": [str(contact_id)]}).status_code == 302
    assert [c.id for c in system.settings.receivers("acme", "icp_filing")] == [contact_id]
