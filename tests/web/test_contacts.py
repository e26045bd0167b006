"""Manage Contacts: Add Receiver, Modify, Delete, Resend verification, refusals."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.web.conftest import add_contact, field_error, text, verified_contact


def test_add_receiver_lists_the_contact_as_pending(owner, system):
    response = add_contact(owner, mobile="138 0013 8000")
    assert response.status_code == 302
    page = text(owner.get("/contacts/"))
    assert "Wang Fang" in page
    assert "13800138000" in page
    assert "Pending" in page
    assert "Resend verification" in page
    assert "Add Receiver" in page
    assert "verification email is being sent" in page


def test_contact_refusals_are_shown_next_to_the_field(owner, system):
    for change, field in (({"name": "W"}, "name"), ({"email": "x@"}, "email"),
                          ({"title": ""}, "title"), ({"mobile": "2380013800"}, "mobile")):
        response = add_contact(owner, **change)
        assert response.status_code == 400
        assert field_error(response, field), change
    assert system.contacts.list("acme") == []


def test_a_duplicate_email_is_refused_whatever_its_case(owner, system):
    add_contact(owner)
    response = add_contact(owner, name="Other Name", email="WANG@acme.example")
    assert response.status_code == 409
    assert field_error(response, "email")
    assert len(system.contacts.list("acme")) == 1


def test_the_sixteenth_contact_is_refused(owner, system):
    for i in range(15):
        assert add_contact(owner, email=f"c{i}@acme.example").status_code == 302
    response = add_contact(owner, email="c15@acme.example")
    assert response.status_code == 409
    assert "You already have 15 contacts, the most allowed." in text(response)
    assert len(system.contacts.list("acme")) == 15


def test_modifying_a_verified_contact_means_verifying_again(owner, system, mail_sink):
    contact_id = verified_contact(owner, system, mail_sink)
    form = text(owner.get(f"/contacts/{contact_id}/edit"))
    assert 'value="Wang Fang"' in form
    assert "must verify again" in form
    response = owner.post(f"/contacts/{contact_id}/edit", {
        "name": "Wang Fang", "email": "fang@acme.example", "title": "Other", "mobile": ""})
    assert response.status_code == 302
    page = text(owner.get("/contacts/"))
    assert "must verify again" in page
    assert "Pending" in page
    assert system.contacts.get("acme", contact_id).status == "pending"


def test_modify_refusals_change_nothing(owner, system, mail_sink):
    contact_id = verified_contact(owner, system, mail_sink)
    response = owner.post(f"/contacts/{contact_id}/edit", {
        "name": "Wang Fang", "email": "bad", "title": "CEO", "mobile": ""})
    assert response.status_code == 400
    assert field_error(response, "email")
    assert system.contacts.get("acme", contact_id).status == "verified"


def test_delete_asks_to_confirm_then_deletes(owner, system):
    add_contact(owner)
    contact = system.contacts.list("acme")[0]
    confirm = owner.get(f"/contacts/{contact.id}/delete")
    assert confirm.status_code == 200
    assert "Delete <strong>Wang Fang</strong>" in text(confirm)
    assert system.contacts.list("acme")
    assert owner.post(f"/contacts/{contact.id}/delete").status_code == 302
    assert system.contacts.list("acme") == []


def test_resend_verification_sends_a_new_link_and_is_rate_limited(owner, system, mail_sink,
                                                                  clock):
    add_contact(owner)
    contact = system.contacts.list("acme")[0]
    assert owner.post(f"/contacts/{contact.id}/resend").status_code == 302
    assert "A new verification email is being sent" in text(owner.get("/contacts/"))
    response = owner.post(f"/contacts/{contact.id}/resend")
    assert response.status_code == 429
    assert "Try again after" in text(response)
    clock.advance(timedelta(seconds=61))
    assert owner.post(f"/contacts/{contact.id}/resend").status_code == 302


def test_an_expired_contact_offers_resend(owner, system, clock):
    add_contact(owner)
    clock.advance(timedelta(hours=73))
    system.run_due()
    page = text(owner.get("/contacts/"))
    row = re.search(r'<tr data-contact-id="\d+">.*?</tr>', page, re.S).group(0)
    assert "Expired" in row
    assert "Resend verification" in row


def test_another_accounts_contact_is_a_404(owner, other, system):
    add_contact(owner)
    contact = system.contacts.list("acme")[0]
    assert other.get(f"/contacts/{contact.id}/edit").status_code == 404
    assert other.get(f"/contacts/{contact.id}/delete").status_code == 404
    assert other.post(f"/contacts/{contact.id}/delete").status_code == 404
    assert other.post(f"/contacts/{contact.id}/resend").status_code == 404
    response = other.post(f"/contacts/{contact.id}/edit", {
        "name": "Evil Name", "email": "evil@other.example", "title": "CEO"})
    assert response.status_code == 404
    assert "Wang Fang" not in text(other.get("/contacts/"))
    assert system.contacts.list("acme")[0].name == "Wang Fang"
