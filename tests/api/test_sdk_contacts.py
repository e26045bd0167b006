"""MscOpenSubscription contacts through the official SDK against a served icpsim."""

from __future__ import annotations

import pytest
from alibabacloud_mscopensubscription20210713 import models as m

from .conftest import new_tenant, refusal


def _create(t, name="Li Lei", email=None, position="CEO", **kw):
    return t.subscription.create_contact(m.CreateContactRequest(
        contact_name=name, email=email or f"li.lei@{t.id}.example", position=position,
        **kw)).body.contact_id


def test_a_created_contact_is_pending_until_its_emailed_link_is_opened(tenant):
    contact_id = _create(tenant, mobile="13800138000")
    got = tenant.subscription.get_contact(m.GetContactRequest(contact_id=contact_id)).body
    assert got.contact.contact_name == "Li Lei"
    assert got.contact.email == f"li.lei@{tenant.id}.example"
    assert got.contact.position == "CEO"
    assert got.contact.mobile == "13800138000"
    assert got.contact.is_verified_email is False
    assert got.contact.is_account is False
    assert got.contact.is_obsolete is False
    assert got.contact.last_email_verification_time_stamp is None

    page = tenant.verify(f"li.lei@{tenant.id}.example")
    assert "verified" in page.lower()
    got = tenant.subscription.get_contact(m.GetContactRequest(contact_id=contact_id)).body
    assert got.contact.is_verified_email is True
    assert got.contact.last_email_verification_time_stamp > 1_600_000_000_000


def test_the_owner_is_listed_first_as_the_account_and_cannot_be_deleted(tenant):
    _create(tenant)
    listed = tenant.subscription.list_contacts(m.ListContactsRequest()).body
    owner = listed.contacts[0]
    assert owner.is_account is True
    assert owner.is_verified_email is True
    assert owner.email == f"owner@{tenant.id}.example"
    assert [c.is_account for c in listed.contacts] == [True, False]
    assert listed.total_count == 2
    err = refusal(lambda: tenant.subscription.delete_contact(
        m.DeleteContactRequest(contact_id=owner.contact_id)))
    assert err.code == "owner_not_changeable"
    assert err.status_code == 409


def test_updating_a_verified_contact_makes_it_verify_again_at_the_new_address(tenant):
    contact_id = _create(tenant)
    tenant.verify(f"li.lei@{tenant.id}.example")
    answer = tenant.subscription.update_contact(m.UpdateContactRequest(
        contact_id=contact_id, contact_name="Han Meimei", email=f"han@{tenant.id}.example")).body
    assert answer.result is True
    got = tenant.subscription.get_contact(m.GetContactRequest(contact_id=contact_id)).body
    assert got.contact.contact_name == "Han Meimei"
    assert got.contact.email == f"han@{tenant.id}.example"
    assert got.contact.is_verified_email is False
    tenant.verify(f"han@{tenant.id}.example")
    got = tenant.subscription.get_contact(m.GetContactRequest(contact_id=contact_id)).body
    assert got.contact.is_verified_email is True


def test_send_verification_message_emails_a_new_link_and_the_old_one_dies(tenant):
    contact_id = _create(tenant)
    mails = tenant.served.mails(to=f"li.lei@{tenant.id}.example", kind="verification")
    first = mails[-1]["links"][0]
    answer = tenant.subscription.send_verification_message(
        m.SendVerificationMessageRequest(contact_id=contact_id, type=2)).body
    assert answer.success is True
    links = [mail["links"][0] for mail in
             tenant.served.mails(to=f"li.lei@{tenant.id}.example", kind="verification")]
    assert len(links) == 2
    assert links[-1] != first
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(first, timeout=30)
    assert caught.value.code == 410
    tenant.verify(f"li.lei@{tenant.id}.example")
    err = refusal(lambda: tenant.subscription.send_verification_message(
        m.SendVerificationMessageRequest(contact_id=contact_id, type=2)))
    assert err.code == "contact_already_verified"


def test_a_second_resend_within_a_minute_is_refused_with_alibabas_code(tenant):
    contact_id = _create(tenant)
    send = m.SendVerificationMessageRequest(contact_id=contact_id, type=2)
    tenant.subscription.send_verification_message(send)
    err = refusal(lambda: tenant.subscription.send_verification_message(send))
    assert err.code == "SendValidateCodeExceedsLimitForAccount"
    assert err.status_code == 429


def test_deleting_a_contact_removes_it_and_it_is_then_unknown(tenant):
    contact_id = _create(tenant)
    answer = tenant.subscription.delete_contact(m.DeleteContactRequest(contact_id=contact_id))
    assert answer.body.result is True
    listed = tenant.subscription.list_contacts(m.ListContactsRequest()).body
    assert [c.contact_id for c in listed.contacts if not c.is_account] == []
    err = refusal(lambda: tenant.subscription.get_contact(
        m.GetContactRequest(contact_id=contact_id)))
    assert (err.code, err.status_code) == ("unknown_contact", 404)


def test_bad_contact_fields_are_refused_with_their_codes_and_nothing_is_stored(tenant):
    cases = [({"name": "X"}, "invalid_name"), ({"email": "not-an-email"}, "invalid_email"),
             ({"position": "Janitor"}, "invalid_title"),
             ({"mobile": "12345"}, "invalid_mobile")]
    for change, code in cases:
        err = refusal(lambda change=change: _create(tenant, **change))
        assert (err.code, err.status_code) == (code, 400), change
        assert err.data["Message"]
    listed = tenant.subscription.list_contacts(m.ListContactsRequest()).body
    assert listed.total_count == 1  # the owner alone
    assert tenant.served.mails(to=f"li.lei@{tenant.id}.example") == []


def test_missing_and_malformed_parameters_are_alibabas_parameter_errors(tenant):
    err = refusal(lambda: tenant.subscription.create_contact(
        m.CreateContactRequest(contact_name="Li Lei", position="CEO")))
    assert (err.code, err.status_code) == ("MissingParameter", 400)
    assert "Email" in err.data["Message"]
    err = refusal(lambda: tenant.subscription.list_contacts(
        m.ListContactsRequest(max_results=1000)))
    assert (err.code, err.status_code) == ("InvalidParameter", 400)


def test_the_api_spelling_others_is_the_consoles_other(tenant):
    contact_id = _create(tenant, position="Others")
    got = tenant.subscription.get_contact(m.GetContactRequest(contact_id=contact_id)).body
    assert got.contact.position == "Other"


def test_duplicate_email_and_the_sixteenth_contact_are_refused(served):
    t = new_tenant(served)
    _create(t, email="dup@acme.example")
    err = refusal(lambda: _create(t, name="Han Meimei", email="DUP@acme.example"))
    assert (err.code, err.status_code) == ("duplicate_contact", 409)
    for n in range(14):
        _create(t, name=f"Contact {chr(65 + n)}", email=f"c{n}@acme.example")
    err = refusal(lambda: _create(t, name="One Too Many", email="c99@acme.example"))
    assert (err.code, err.status_code) == ("contact_limit_reached", 409)


def test_paging_through_fifteen_contacts_four_at_a_time_sees_each_once(served):
    t = new_tenant(served)
    for n in range(15):
        _create(t, name=f"Contact {chr(65 + n)}", email=f"p{n}@acme.example")
    seen, token, pages = [], None, 0
    while True:
        body = t.subscription.list_contacts(
            m.ListContactsRequest(max_results=4, next_token=token)).body
        pages += 1
        assert len(body.contacts) <= 4
        assert body.total_count == 16
        seen += [c.contact_id for c in body.contacts]
        if body.next_token is None:
            break
        token = str(body.next_token)
    assert pages == 4
    assert len(seen) == len(set(seen)) == 16
    err = refusal(lambda: t.subscription.list_contacts(
        m.ListContactsRequest(max_results=4, next_token="garbage")))
    assert err.code == "InvalidParameter"
