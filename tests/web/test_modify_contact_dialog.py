"""Common Settings as the help page words it: Manage Contacts in the upper-right corner,
the Modify Contact dialog of each row, clearing a pending receiver, the 15-contact limit."""

from __future__ import annotations

import re

from tests.web.conftest import add_contact, text, verified_contact


def _dialog(page: str, category: str) -> str:
    found = re.search(rf'<dialog id="modify-{category}".*?</dialog>', page, re.S)
    assert found, category
    return found.group(0)


def _toolbar(page: str) -> str:
    found = re.search(r'<div class="toolbar">.*?</div>', page, re.S)
    assert found
    return found.group(0)


def test_manage_contacts_is_in_the_toolbar_beside_the_common_settings_heading(owner):
    toolbar = _toolbar(text(owner.get("/settings/")))
    assert "<h1>Common Settings</h1>" in toolbar
    assert re.search(r'<a class="button primary" href="/contacts/"[^>]*>Manage Contacts</a>',
                     toolbar)


def test_modify_opens_the_rows_modify_contact_dialog_or_without_script_the_page(owner):
    page = text(owner.get("/settings/"))
    link = re.search(r'<a href="([^"]+)" data-testid="modify-icp_filing" '
                     r'data-dialog="modify-icp_filing"', page)
    assert link
    assert link.group(1) == "/settings/icp_filing/receivers"
    dialog = _dialog(page, "icp_filing")
    assert "Modify Contact: ICP filing notifications" in dialog
    assert "data-open" not in dialog
    for words in ("Zhang Wei", "Default receiver", "Add Receiver", ">OK</button>",
                  ">Save</button>"):
        assert words in dialog, words
    # Field ids are unique on the page, so every label names its own field.
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    assert 'for="icp_filing-name"' in dialog
    assert owner.get(link.group(1)).status_code == 200


def test_ok_in_the_dialog_adds_the_receiver_and_reopens_the_dialog(owner, system):
    response = owner.post("/settings/icp_filing/receivers/add", {
        "via": "dialog", "icp_filing-name": "Wang Fang",
        "icp_filing-email": "wang@acme.example", "icp_filing-title": "CEO",
        "icp_filing-mobile": ""})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/settings/?modify=icp_filing")
    dialog = _dialog(text(owner.get(response.headers["Location"])), "icp_filing")
    assert "data-open" in dialog
    assert "Wang Fang" in dialog
    assert "Pending" in dialog
    assert [c.name for c in system.contacts.list("acme")] == ["Wang Fang"]


def test_a_refusal_in_the_dialog_is_shown_in_the_open_dialog(owner, system):
    response = owner.post("/settings/icp_filing/receivers/add", {
        "via": "dialog", "icp_filing-name": "X", "icp_filing-email": "wang@acme.example",
        "icp_filing-title": "CEO", "icp_filing-mobile": ""})
    assert response.status_code == 400
    dialog = _dialog(text(response), "icp_filing")
    assert "data-open" in dialog
    assert re.search(r'<p class="error" data-field="name">[^<]*2 to 12 Chinese characters', dialog)
    assert 'value="wang@acme.example"' in dialog
    assert system.contacts.list("acme") == []


def test_save_in_the_dialog_returns_to_common_settings(owner, system, mail_sink):
    contact_id = verified_contact(owner, system, mail_sink)
    response = owner.post("/settings/icp_filing/receivers",
                          {"via": "dialog", "contacts": [str(contact_id)]})
    assert response.headers["Location"] == "/settings/#row-icp_filing"
    assert [c.id for c in system.settings.receivers("acme", "icp_filing")] == [contact_id]


def test_a_selected_contact_pending_again_can_be_cleared(owner, system, mail_sink):
    contact_id = verified_contact(owner, system, mail_sink)
    owner.post("/settings/icp_filing/receivers", {"contacts": [str(contact_id)]})
    owner.post(f"/contacts/{contact_id}/edit", {"name": "Wang Fang", "title": "CEO",
                                                "email": "fang@acme.example", "mobile": ""})
    for page in (text(owner.get("/settings/icp_filing/receivers")),
                 _dialog(text(owner.get("/settings/")), "icp_filing")):
        row = re.search(rf'<tr data-contact-id="{contact_id}">.*?</tr>', page, re.S).group(0)
        box = re.search(r"<input[^>]*>", row, re.S).group(0)
        assert "checked" in box
        assert "disabled" not in box
        assert 'type="hidden"' not in row
        assert "Clear the check box and Save to remove it" in row
    response = owner.post("/settings/icp_filing/receivers", {})  # cleared, then Save
    assert response.status_code == 302
    assert system.settings.receivers("acme", "icp_filing") == []
    # Selecting it again while it is unverified is refused.
    again = owner.post("/settings/icp_filing/receivers", {"contacts": [str(contact_id)]})
    assert again.status_code == 409
    assert system.settings.receivers("acme", "icp_filing") == []


def test_at_15_contacts_add_receiver_is_disabled_with_the_reason_before_typing(owner):
    for i in range(14):
        assert add_contact(owner, email=f"c{i}@acme.example").status_code == 302
    assert "contact-limit" not in text(owner.get("/settings/"))
    assert add_contact(owner, email="c14@acme.example").status_code == 302
    reason = "You already have 15 contacts, the most allowed."
    for url in ("/settings/", "/settings/icp_filing/receivers", "/contacts/",
                "/contacts/new"):
        page = text(owner.get(url))
        assert reason in page, url
    dialog = _dialog(text(owner.get("/settings/")), "icp_filing")
    assert re.search(r'<fieldset class="plain" disabled>', dialog)
    assert re.search(r'<fieldset class="plain" disabled>',
                     text(owner.get("/settings/icp_filing/receivers")))
    contacts = text(owner.get("/contacts/"))
    assert re.search(r'<button class="primary" type="button" disabled[^>]*>Add Receiver',
                     contacts)
    assert 'href="/contacts/new"' not in contacts
