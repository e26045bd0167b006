"""MscOpenSubscription subscription items through the official SDK."""

from __future__ import annotations

from alibabacloud_mscopensubscription20210713 import models as m

from .conftest import refusal


def _items(t):
    return {i.item_name: i for i in t.subscription.list_subscription_items(
        m.ListSubscriptionItemsRequest(max_results=100)).body.subscription_items}


def _icp(t):
    return _items(t)["ICP filing notifications"]


def _verified_contact(t, name="Li Lei"):
    email = f"{name.split()[0].lower()}@{t.id}.example"
    contact_id = t.subscription.create_contact(m.CreateContactRequest(
        contact_name=name, email=email, position="CEO")).body.contact_id
    t.verify(email)
    return contact_id


def test_icp_filing_notifications_offer_email_and_internal_messages_on_by_default(tenant):
    icp = _icp(tenant)
    assert (icp.email_status, icp.pmsg_status) == (1, 1)
    assert icp.description == "Product Message"
    assert icp.contact_ids == [0]  # the owner, always a receiver
    assert icp.webhook_ids == []
    # Channels the catalog does not offer (yet) answer -2: unavailable.
    assert icp.tts_status == -2
    assert icp.sms_status in (-2, 0)
    security = _items(tenant)["Account security"]
    assert (security.email_status, security.pmsg_status) == (-1, -1)
    got = tenant.subscription.get_subscription_item(
        m.GetSubscriptionItemRequest(item_id=icp.item_id)).body.subscription_item
    assert got.to_map() == icp.to_map()


def test_choosing_receivers_and_channels_is_read_back_through_every_view(tenant):
    contact_id = _verified_contact(tenant)
    icp = _icp(tenant)
    answer = tenant.subscription.update_subscription_item(m.UpdateSubscriptionItemRequest(
        item_id=icp.item_id, email_status=0, contact_ids=[contact_id])).body
    assert answer.result is True
    icp = _icp(tenant)
    assert (icp.email_status, icp.pmsg_status) == (0, 1)
    assert icp.contact_ids == [0, contact_id]
    detail = tenant.subscription.get_subscription_item_detail(
        m.GetSubscriptionItemDetailRequest(item_id=icp.item_id)).body.subscription_item_detail
    assert [c.contact_id for c in detail.contacts] == [0, contact_id]
    assert detail.contacts[1].name == "Li Lei"
    assert detail.contacts[1].is_verified_email is True
    assert detail.email_status == 0
    groups = tenant.subscription.list_subscription_item_group_details(
        m.ListSubscriptionItemGroupDetailsRequest()).body.subscription_item_group_details
    product = next(g for g in groups if g.item_group_name == "Product Message")
    icp_detail = next(d for d in product.item_details if d.item_id == icp.item_id)
    assert [c.contact_id for c in icp_detail.contacts] == [0, contact_id]
    assert len(groups) == 6


def test_channel_refusals_of_the_spec_come_back_with_their_codes(tenant):
    items = _items(tenant)
    icp, security = items["ICP filing notifications"], items["Account security"]
    events = items["Events and webinars"]
    cases = [
        (m.UpdateSubscriptionItemRequest(item_id=security.item_id, email_status=0),
         "channel_required"),
        (m.UpdateSubscriptionItemRequest(item_id=events.item_id, email_status=1),
         "channel_unavailable"),
        (m.UpdateSubscriptionItemRequest(item_id=icp.item_id, tts_status=1),
         "channel_unavailable"),
        (m.UpdateSubscriptionItemRequest(item_id=icp.item_id, email_status=0, pmsg_status=0),
         "no_channel_selected"),
    ]
    for request, code in cases:
        err = refusal(lambda request=request: tenant.subscription.update_subscription_item(
            request))
        assert (err.code, err.status_code) == (code, 400), request.to_map()
    after = _items(tenant)
    assert all(after[k].to_map() == v.to_map() for k, v in items.items())


def test_only_a_verified_contact_can_be_chosen_and_a_refusal_changes_no_channel(tenant):
    pending = tenant.subscription.create_contact(m.CreateContactRequest(
        contact_name="Han Meimei", email=f"han@{tenant.id}.example",
        position="CEO")).body.contact_id
    icp = _icp(tenant)
    err = refusal(lambda: tenant.subscription.update_subscription_item(
        m.UpdateSubscriptionItemRequest(item_id=icp.item_id, email_status=0,
                                        contact_ids=[pending])))
    assert (err.code, err.status_code) == ("contact_not_verified", 409)
    after = _icp(tenant)
    assert (after.email_status, after.contact_ids) == (1, [0])


def test_unknown_items_and_contacts_are_not_found(tenant):
    err = refusal(lambda: tenant.subscription.get_subscription_item(
        m.GetSubscriptionItemRequest(item_id=999)))
    assert (err.code, err.status_code) == ("unknown_category", 404)
    icp = _icp(tenant)
    err = refusal(lambda: tenant.subscription.update_subscription_item(
        m.UpdateSubscriptionItemRequest(item_id=icp.item_id, contact_ids=[987654])))
    assert (err.code, err.status_code) == ("unknown_contact", 404)


def test_the_catalog_is_fixed(tenant):
    err = refusal(lambda: tenant.subscription.create_subscription_item(
        m.CreateSubscriptionItemRequest(item_name="My own")))
    assert (err.code, err.status_code) == ("catalog_fixed", 403)
