"""MscOpenSubscription webhooks, their choice per item and the mobile's verification,
through the official SDK against a served instance with its embedded receiver."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator

import pytest
from alibabacloud_mscopensubscription20210713 import models as m
from alibabacloud_notifications20241225 import models as n

from .conftest import new_tenant, refusal
from .served import Served, served_with_receiver, sms_to


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Served]:
    server = served_with_receiver(tmp_path_factory.mktemp("serve"))
    yield server
    server.stop()


def _hook(t, name: str) -> str:
    return f"{t.served.sink}/hook/{t.id}-{name}"


def _create(t, name: str = "ops") -> int:
    return t.subscription.create_webhook(m.CreateWebhookRequest(
        webhook_name=name, server_url=_hook(t, name))).body.webhook_id


def _icp(t):
    items = t.subscription.list_subscription_items(
        m.ListSubscriptionItemsRequest(max_results=100)).body.subscription_items
    return next(i for i in items if i.item_name == "ICP filing notifications")


def test_a_created_webhook_is_read_back_listed_changed_and_deleted(tenant):
    hook_id = _create(tenant)
    got = tenant.subscription.get_webhook(m.GetWebhookRequest(webhook_id=hook_id)).body
    assert (got.webhook.webhook_id, got.webhook.webhook_name, got.webhook.server_url) == (
        hook_id, "ops", _hook(tenant, "ops"))
    answer = tenant.subscription.update_webhook(m.UpdateWebhookRequest(
        webhook_id=hook_id, webhook_name="night ops", server_url=_hook(tenant, "night")))
    assert answer.body.result is True
    listed = tenant.subscription.list_webhooks(m.ListWebhooksRequest()).body
    assert listed.total_count == 1
    assert [(w.webhook_id, w.webhook_name, w.server_url) for w in listed.webhooks] == [
        (hook_id, "night ops", _hook(tenant, "night"))]
    assert tenant.subscription.delete_webhook(
        m.DeleteWebhookRequest(webhook_id=hook_id)).body.result is True
    assert tenant.subscription.list_webhooks(m.ListWebhooksRequest()).body.webhooks == []
    err = refusal(lambda: tenant.subscription.get_webhook(
        m.GetWebhookRequest(webhook_id=hook_id)))
    assert (err.code, err.status_code) == ("unknown_webhook", 404)


def test_the_webhook_rules_of_the_message_center_come_back_with_their_codes(tenant):
    cases = [("bot", "ftp://example.com/x", "invalid_webhook"),
             ("bot", "http://10.0.0.8/hook", "invalid_webhook"),
             ("", _hook(tenant, "x"), "MissingParameter")]
    for name, url, code in cases:
        err = refusal(lambda name=name, url=url: tenant.subscription.create_webhook(
            m.CreateWebhookRequest(webhook_name=name, server_url=url)))
        assert (err.code, err.status_code) == (code, 400), url
    _create(tenant, "bot0")
    err = refusal(lambda: _create(tenant, "bot0"))
    assert (err.code, err.status_code) == ("duplicate_webhook", 409)
    for i in range(1, 5):
        _create(tenant, f"bot{i}")
    err = refusal(lambda: _create(tenant, "sixth"))
    assert (err.code, err.status_code) == ("webhook_limit_reached", 409)
    assert tenant.subscription.list_webhooks(m.ListWebhooksRequest()).body.total_count == 5


def test_chosen_webhooks_and_the_webhook_channel_show_in_every_view_of_the_item(tenant):
    first, second = _create(tenant, "dev"), _create(tenant, "ops")
    icp = _icp(tenant)
    assert (icp.webhook_status, icp.sms_status, icp.webhook_ids) == (0, 0, [])
    tenant.subscription.update_subscription_item(m.UpdateSubscriptionItemRequest(
        item_id=icp.item_id, webhook_status=1, sms_status=1, webhook_ids=[second, first]))
    icp = _icp(tenant)
    assert (icp.webhook_status, icp.sms_status) == (1, 1)
    assert icp.webhook_ids == [first, second]
    detail = tenant.subscription.get_subscription_item_detail(
        m.GetSubscriptionItemDetailRequest(item_id=icp.item_id)).body.subscription_item_detail
    assert [(w.webhook_id, w.name) for w in detail.webhooks] == [(first, "dev"),
                                                                 (second, "ops")]
    tenant.subscription.delete_webhook(m.DeleteWebhookRequest(webhook_id=first))
    assert _icp(tenant).webhook_ids == [second]


def test_an_unknown_webhook_id_changes_nothing_on_the_item(tenant):
    hook = _create(tenant)
    icp = _icp(tenant)
    tenant.subscription.update_subscription_item(m.UpdateSubscriptionItemRequest(
        item_id=icp.item_id, webhook_ids=[hook]))
    err = refusal(lambda: tenant.subscription.update_subscription_item(
        m.UpdateSubscriptionItemRequest(item_id=icp.item_id, email_status=0,
                                        webhook_ids=[hook, 999999])))
    assert (err.code, err.status_code) == ("unknown_webhook", 404)
    after = _icp(tenant)
    assert (after.email_status, after.webhook_ids) == (1, [hook])


def test_a_mobile_is_verified_by_the_sms_link_sent_on_send_verification_message(tenant):
    contact_id = tenant.subscription.create_contact(m.CreateContactRequest(
        contact_name="Wang Wu", email=f"wang@{tenant.id}.example", position="CEO",
        mobile="13912345678")).body.contact_id
    before = tenant.subscription.get_contact(
        m.GetContactRequest(contact_id=contact_id)).body.contact
    assert (before.is_verified_mobile, before.last_mobile_verification_time_stamp) == (
        False, None)
    answer = tenant.subscription.send_verification_message(
        m.SendVerificationMessageRequest(contact_id=contact_id, type=1))
    assert answer.body.result == 1
    texts = sms_to(tenant.served, "13912345678", kind="verification")
    assert texts, "no verification SMS was sent"
    with urllib.request.urlopen(texts[-1]["links"][0], timeout=30) as page:
        page.read()
    after = tenant.subscription.get_contact(
        m.GetContactRequest(contact_id=contact_id)).body.contact
    assert after.is_verified_mobile is True
    assert after.last_mobile_verification_time_stamp > 0
    err = refusal(lambda: tenant.subscription.send_verification_message(
        m.SendVerificationMessageRequest(contact_id=contact_id, type=1)))
    assert err.code == "contact_already_verified"


def test_asking_to_verify_a_mobile_that_is_not_set_is_refused(tenant):
    contact_id = tenant.subscription.create_contact(m.CreateContactRequest(
        contact_name="Zhao Liu", email=f"zhao@{tenant.id}.example",
        position="CEO")).body.contact_id
    err = refusal(lambda: tenant.subscription.send_verification_message(
        m.SendVerificationMessageRequest(contact_id=contact_id, type=1)))
    assert (err.code, err.status_code) == ("mobile_not_set", 409)


def test_the_owners_mobile_counts_as_verified_and_a_bad_one_creates_no_account(served):
    status, body = served.control("POST", "/_icpsim/v1/accounts", {
        "id": "mobile-owner", "owner": {"name": "Owner", "email": "o@mobile.example",
                                        "mobile": "13611112222"}})
    assert status == 201, body
    client = served.subscription(served.key("mobile-owner"))
    owner = client.get_contact(m.GetContactRequest(contact_id=0)).body.contact
    assert (owner.mobile, owner.is_verified_mobile) == ("13611112222", True)
    status, body = served.control("POST", "/_icpsim/v1/accounts", {
        "id": "bad-mobile", "owner": {"name": "Owner", "email": "o@bad.example",
                                      "mobile": "12345"}})
    assert (status, body["code"]) == (400, "invalid_mobile")
    status, _ = served.control("POST", "/_icpsim/v1/accounts/bad-mobile/access-keys")
    assert status == 404


def test_one_accounts_key_never_sees_or_touches_another_accounts_webhooks(served):
    alice, mallory = new_tenant(served, "alice"), new_tenant(served, "mallory")
    hook = _create(alice, "ops")
    assert mallory.subscription.list_webhooks(m.ListWebhooksRequest()).body.total_count == 0
    assert mallory.notifications.read_all_webhook_contacts(
        n.ReadAllWebhookContactsRequest()).body.data == []
    icp = _icp(mallory)
    for call in (
        lambda: mallory.subscription.get_webhook(m.GetWebhookRequest(webhook_id=hook)),
        lambda: mallory.subscription.update_webhook(m.UpdateWebhookRequest(
            webhook_id=hook, webhook_name="mine", server_url=_hook(mallory, "mine"))),
        lambda: mallory.subscription.delete_webhook(m.DeleteWebhookRequest(webhook_id=hook)),
        lambda: mallory.subscription.update_subscription_item(
            m.UpdateSubscriptionItemRequest(item_id=icp.item_id, webhook_ids=[hook])),
        lambda: mallory.notifications.read_webhook_contact(
            n.ReadWebhookContactRequest(contact_id=hook)),
        lambda: mallory.notifications.test_webhook_contact(
            n.TestWebhookContactRequest(contact_id=hook)),
        lambda: mallory.notifications.delete_webhook_contact(
            n.DeleteWebhookContactRequest(contact_id=hook)),
    ):
        err = refusal(call)
        assert (err.code, err.status_code) == ("unknown_webhook", 404)
        assert alice.id not in str(err.data)
    got = alice.subscription.get_webhook(m.GetWebhookRequest(webhook_id=hook)).body.webhook
    assert (got.webhook_name, got.server_url) == ("ops", _hook(alice, "ops"))
