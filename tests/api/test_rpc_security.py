"""Signatures, replays, idempotency and account isolation of the RPC endpoint."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from alibabacloud_msccommonquery20210407 import models as q
from alibabacloud_mscopensubscription20210713 import models as m
from alibabacloud_notifications20241225 import models as n

from .conftest import new_tenant, refusal
from .served import Key
from .signing import send

LIST = {"MaxResults": "5"}


def test_a_wrong_secret_is_refused_as_a_signature_mismatch(served, tenant):
    forged = served.subscription(Key(tenant.key.id, "not-the-secret"))
    err = refusal(lambda: forged.list_contacts(m.ListContactsRequest()))
    assert (err.code, err.status_code) == ("SignatureDoesNotMatch", 400)


def test_a_body_changed_after_signing_is_refused(served, tenant):
    def tamper(req):
        req.body = req.body.replace(b"Li+Lei", b"Mallory")

    status, body = send(served.base, tenant.key, "CreateContact", tamper=tamper, form={
        "ContactName": "Li Lei", "Email": f"li@{tenant.id}.example", "Position": "CEO"})
    assert (status, body["Code"]) == (400, "SignatureDoesNotMatch")
    assert tenant.subscription.list_contacts(m.ListContactsRequest()).body.total_count == 1


def test_a_query_changed_after_signing_is_refused(served, tenant):
    def tamper(req):
        req.query["MaxResults"] = "6"

    status, body = send(served.base, tenant.key, "ListContacts", method="GET", query=LIST,
                        tamper=tamper)
    assert (status, body["Code"]) == (400, "SignatureDoesNotMatch")


def test_an_unknown_or_deleted_key_is_not_found(served, tenant):
    stranger = served.subscription(Key("LTAIunknownunknown0000", "whatever"))
    err = refusal(lambda: stranger.list_contacts(m.ListContactsRequest()))
    assert (err.code, err.status_code) == ("InvalidAccessKeyId.NotFound", 404)


def test_a_request_dated_more_than_fifteen_minutes_away_is_refused(served, tenant):
    for delta in (timedelta(minutes=-16), timedelta(minutes=16)):
        date = (datetime.now(UTC) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")
        status, body = send(served.base, tenant.key, "ListContacts", method="GET",
                            query=LIST, date=date)
        assert (status, body["Code"]) == (400, "InvalidTimeStamp.Expired")
    date = (datetime.now(UTC) - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    status, _ = send(served.base, tenant.key, "ListContacts", method="GET", query=LIST,
                     date=date)
    assert status == 200


def test_a_reused_nonce_is_refused_as_a_replay(served, tenant):
    status, _ = send(served.base, tenant.key, "ListContacts", method="GET", query=LIST,
                     nonce="nonce-once-only")
    assert status == 200
    status, body = send(served.base, tenant.key, "ListContacts", method="GET", query=LIST,
                        nonce="nonce-once-only")
    assert (status, body["Code"]) == (400, "SignatureNonceUsed")


def test_unsigned_and_half_signed_requests_are_refused(served, tenant):
    def strip(req):
        del req.headers["Authorization"]

    status, body = send(served.base, tenant.key, "ListContacts", tamper=strip)
    assert (status, body["Code"]) == (400, "IncompleteSignature")

    def unsign_nonce(req):
        req.headers["Authorization"] = req.headers["Authorization"].replace(
            "x-acs-signature-nonce;", "")

    status, body = send(served.base, tenant.key, "ListContacts", tamper=unsign_nonce)
    assert (status, body["Code"]) == (400, "IncompleteSignature")


def test_unknown_actions_versions_and_methods_answer_in_alibabas_json_shape(served, tenant):
    status, body = send(served.base, tenant.key, "StealEverything")
    assert (status, body["Code"]) == (404, "InvalidAction.NotFound")
    assert set(body) >= {"RequestId", "HostId", "Code", "Message", "Recommend"}
    status, body = send(served.base, tenant.key, "ListContacts", version="2099-01-01")
    assert (status, body["Code"]) == (400, "InvalidVersion")
    status, body = send(served.base, tenant.key, "ListContacts", method="DELETE")
    assert (status, body["Code"]) == (405, "UnsupportedHTTPMethod")
    request = urllib.request.Request(served.base + "/?Action=ListContacts&Version=2021-07-13")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=30)
    assert caught.value.code == 400
    assert caught.value.headers["Content-Type"] == "application/json"


def test_client_token_replays_the_first_answer_and_refuses_other_parameters(tenant):
    first = tenant.subscription.create_contact(m.CreateContactRequest(
        contact_name="Li Lei", email=f"li@{tenant.id}.example", position="CEO",
        client_token="token-1")).body
    again = tenant.subscription.create_contact(m.CreateContactRequest(
        contact_name="Li Lei", email=f"li@{tenant.id}.example", position="CEO",
        client_token="token-1")).body
    assert again.contact_id == first.contact_id
    assert again.request_id != first.request_id
    listed = tenant.subscription.list_contacts(m.ListContactsRequest()).body
    assert listed.total_count == 2  # the owner and one contact: the replay did nothing
    assert len(tenant.served.mails(to=f"li@{tenant.id}.example")) == 1
    err = refusal(lambda: tenant.subscription.create_contact(m.CreateContactRequest(
        contact_name="Han Meimei", email=f"han@{tenant.id}.example", position="CEO",
        client_token="token-1")))
    assert (err.code, err.status_code) == ("IdempotentParameterMismatch", 400)
    # A refused call keeps no answer: its token can be used again once the call is right.
    err = refusal(lambda: tenant.subscription.create_contact(m.CreateContactRequest(
        contact_name="X", email=f"x@{tenant.id}.example", position="CEO",
        client_token="token-2")))
    assert err.code == "invalid_name"
    fixed = tenant.subscription.create_contact(m.CreateContactRequest(
        contact_name="X Y", email=f"x@{tenant.id}.example", position="CEO",
        client_token="token-2")).body
    assert fixed.contact_id > first.contact_id


def test_one_accounts_key_never_sees_or_touches_another_accounts_data(served):
    alice, mallory = new_tenant(served, "alice"), new_tenant(served, "mallory")
    contact_id = alice.subscription.create_contact(m.CreateContactRequest(
        contact_name="Li Lei", email=f"li@{alice.id}.example", position="CEO")).body.contact_id
    listed = mallory.subscription.list_contacts(m.ListContactsRequest()).body
    assert [c.email for c in listed.contacts] == [f"owner@{mallory.id}.example"]
    for call in (
        lambda: mallory.subscription.get_contact(m.GetContactRequest(contact_id=contact_id)),
        lambda: mallory.subscription.update_contact(m.UpdateContactRequest(
            contact_id=contact_id, contact_name="Mallory")),
        lambda: mallory.subscription.delete_contact(
            m.DeleteContactRequest(contact_id=contact_id)),
        lambda: mallory.subscription.send_verification_message(
            m.SendVerificationMessageRequest(contact_id=contact_id, type=2)),
        lambda: mallory.notifications.read_common_contact(
            n.ReadCommonContactRequest(contact_id=contact_id)),
    ):
        err = refusal(call)
        assert (err.code, err.status_code) == ("unknown_contact", 404)
        assert f"li@{alice.id}" not in str(err.data)
    items = mallory.subscription.list_subscription_items(
        m.ListSubscriptionItemsRequest(max_results=100)).body.subscription_items
    icp = next(i for i in items if i.item_name == "ICP filing notifications")
    err = refusal(lambda: mallory.subscription.update_subscription_item(
        m.UpdateSubscriptionItemRequest(item_id=icp.item_id, contact_ids=[contact_id])))
    assert (err.code, err.status_code) == ("unknown_contact", 404)
    got = alice.subscription.get_contact(m.GetContactRequest(contact_id=contact_id)).body
    assert got.contact.contact_name == "Li Lei"
    assert mallory.common_query.list_messages(q.ListMessagesRequest()).body.total == 0
    assert mallory.notifications.read_message_list(
        n.ReadMessageListRequest()).body.data.count == 0
