"""Notifications 2024-12-25 and MscCommonQuery through the official SDKs."""

from __future__ import annotations

import json

from alibabacloud_msccommonquery20210407 import models as q
from alibabacloud_mscopensubscription20210713 import models as m
from alibabacloud_notifications20241225 import models as n

from .conftest import new_tenant, refusal


def _filing_news(t, filing="F-1", triggers=("submit", "start_review")):
    status, body = t.served.control("POST", f"/_icpsim/v1/accounts/{t.id}/filings", {
        "id": filing, "type": "first_filing", "domain": f"{t.id}.example", "website": "Web"})
    assert status == 201, body
    for trigger in triggers:
        status, body = t.served.control(
            "POST", f"/_icpsim/v1/filings/{filing}/fire?account={t.id}", {"trigger": trigger})
        assert status == 200, body


def test_the_inbox_lists_newest_first_and_counts_reads_them_and_deletes_them(tenant):
    _filing_news(tenant)
    inbox = tenant.notifications
    listed = inbox.read_message_list(n.ReadMessageListRequest()).body.data
    assert listed.count == 2
    newest, older = listed.rows
    assert "under review" in newest.title.lower() or newest.gmt_created >= older.gmt_created
    assert newest.gmt_created >= older.gmt_created
    assert (newest.status, newest.category_code) == (0, "icp_filing")
    assert newest.class_id == older.class_id
    assert inbox.read_message_new_total(n.ReadMessageNewTotalRequest()).body.data == 2
    by_class = inbox.read_num_group_by_class(n.ReadNumGroupByClassRequest()).body.data
    assert [(c.class_id, c.msg_count) for c in by_class] == [(newest.class_id, 2)]

    assert inbox.read_message(n.ReadMessageRequest(msg_id=str(older.msg_id))).body.data
    assert inbox.read_message_new_total(n.ReadMessageNewTotalRequest()).body.data == 1
    unread = inbox.read_message_list(n.ReadMessageListRequest(status=0)).body.data
    assert [r.msg_id for r in unread.rows] == [newest.msg_id]
    totals = inbox.read_num_group_total(n.ReadNumGroupTotalRequest()).body.data
    product = next(g for g in totals if g.id == newest.class_id)
    assert (product.total_count, product.read_count, product.un_read_count) == (2, 1, 1)

    content = inbox.read_message_content(
        n.ReadMessageContentRequest(msg_id=str(newest.msg_id))).body.data.datas
    assert content.item[0].content == newest.content
    assert [x.msg_id for x in content.next_item] == [older.msg_id]
    assert content.last_item == []
    assert inbox.read_message_new_total(n.ReadMessageNewTotalRequest()).body.data == 0

    _filing_news(tenant, "F-2", ("submit",))
    assert inbox.read_all_message(n.ReadAllMessageRequest()).body.data is True
    assert inbox.read_message_new_total(n.ReadMessageNewTotalRequest()).body.data == 0
    assert inbox.del_message(n.DelMessageRequest(msg_id=str(older.msg_id))).body.data
    assert inbox.read_message_list(n.ReadMessageListRequest()).body.data.count == 2
    err = refusal(lambda: inbox.del_message(n.DelMessageRequest(msg_id=str(older.msg_id))))
    assert (err.code, err.status_code) == ("unknown_message", 404)
    assert inbox.delete_all_message(n.DeleteAllMessageRequest()).body.data is True
    assert inbox.read_message_list(n.ReadMessageListRequest()).body.data.count == 0


def test_messages_are_paged_by_page_or_by_token(tenant):
    _filing_news(tenant, triggers=("submit", "start_review", "pass_review"))
    inbox = tenant.notifications
    page = inbox.read_message_list(n.ReadMessageListRequest(page=2, page_size=2)).body.data
    assert (page.count, page.page, len(page.rows)) == (3, 2, 1)
    first = inbox.read_message_list(n.ReadMessageListRequest(max_results=2)).body.data
    rest = inbox.read_message_list(
        n.ReadMessageListRequest(max_results=2, next_token=first.next_token)).body.data
    assert len({r.msg_id for r in first.rows + rest.rows}) == 3
    assert rest.next_token is None


def test_another_accounts_messages_are_not_found(served):
    alice, mallory = new_tenant(served, "alice"), new_tenant(served, "mallory")
    _filing_news(alice, triggers=("submit",))
    msg = alice.notifications.read_message_list(n.ReadMessageListRequest()).body.data.rows[0]
    for call in (lambda: mallory.notifications.read_message(
                     n.ReadMessageRequest(msg_id=str(msg.msg_id))),
                 lambda: mallory.notifications.del_message(
                     n.DelMessageRequest(msg_id=str(msg.msg_id))),
                 lambda: mallory.notifications.read_message_content(
                     n.ReadMessageContentRequest(msg_id=str(msg.msg_id)))):
        err = refusal(call)
        assert (err.code, err.status_code) == ("unknown_message", 404)
    assert mallory.notifications.delete_all_message(n.DeleteAllMessageRequest()).body.data
    assert alice.notifications.read_message_list(n.ReadMessageListRequest()).body.data.count


def test_the_message_language_is_read_and_changed_for_new_messages(tenant):
    inbox = tenant.notifications
    assert inbox.read_message_language(n.ReadMessageLanguageRequest()).body.data == "en-US"
    inbox.update_message_language(n.UpdateMessageLanguageRequest(prefer_lang="zh-CN"))
    assert inbox.read_message_language(n.ReadMessageLanguageRequest()).body.data == "zh-CN"
    _filing_news(tenant, triggers=("submit",))
    row = inbox.read_message_list(n.ReadMessageListRequest()).body.data.rows[0]
    assert "备案" in row.title
    err = refusal(lambda: inbox.update_message_language(
        n.UpdateMessageLanguageRequest(prefer_lang="fr-FR")))
    assert (err.code, err.status_code) == ("invalid_language", 400)
    assert inbox.read_message_language(n.ReadMessageLanguageRequest()).body.data == "zh-CN"


def test_common_contacts_are_the_owner_and_the_accounts_contacts(tenant):
    contact_id = tenant.subscription.create_contact(m.CreateContactRequest(
        contact_name="Li Lei", email=f"li@{tenant.id}.example", position="CEO",
        mobile="13800138000")).body.contact_id
    rows = tenant.notifications.read_all_common_contacts(
        n.ReadAllCommonContactsRequest()).body.data
    assert [(r.contact_id, r.email_confirmed) for r in rows] == [(0, True), (contact_id, False)]
    one = tenant.notifications.read_common_contact(
        n.ReadCommonContactRequest(contact_id=contact_id)).body.data
    assert (one.contact_email, one.contact_mobile, one.position) == (
        f"li@{tenant.id}.example", "13800138000", "CEO")


def test_user_subscriptions_read_update_and_reset_the_same_settings(tenant):
    email = f"li@{tenant.id}.example"
    contact_id = tenant.subscription.create_contact(m.CreateContactRequest(
        contact_name="Li Lei", email=email, position="CEO")).body.contact_id
    tenant.verify(email)
    inbox = tenant.notifications
    subs = {s.category_code: s for s in inbox.read_user_subscription_list(
        n.ReadUserSubscriptionListRequest()).body.data}
    icp = subs["icp_filing"]
    assert {c.channel_type: c.checked_state for c in icp.channel_configs} == {
        "email": "true", "pmsg": "true", "sms": "false", "webhook": "false"}
    assert [c.contact_id for c in icp.contact.common_contacts] == [0]
    inbox.update_user_subscription(n.UpdateUserSubscriptionRequest(
        category_codes=["icp_filing"],
        channel_configs=[n.UpdateUserSubscriptionRequestChannelConfigs(
            channel_type="email", checked_state="false")],
        common_contacts=[n.UpdateUserSubscriptionRequestCommonContacts(
            contact_id=contact_id)]))
    item = next(i for i in tenant.subscription.list_subscription_items(
        m.ListSubscriptionItemsRequest(max_results=100)).body.subscription_items
        if i.item_name == "ICP filing notifications")
    assert (item.email_status, item.pmsg_status, item.contact_ids) == (0, 1, [0, contact_id])
    err = refusal(lambda: inbox.update_user_subscription(n.UpdateUserSubscriptionRequest(
        category_codes=["account_security"],
        channel_configs=[n.UpdateUserSubscriptionRequestChannelConfigs(
            channel_type="email", checked_state="false")])))
    assert (err.code, err.status_code) == ("channel_required", 400)
    inbox.reset_user_subscription(n.ResetUserSubscriptionRequest(category_codes=["icp_filing"]))
    item = next(i for i in tenant.subscription.list_subscription_items(
        m.ListSubscriptionItemsRequest(max_results=100)).body.subscription_items
        if i.item_name == "ICP filing notifications")
    assert (item.email_status, item.pmsg_status) == (1, 1)

    history = inbox.read_revision_history_list(n.ReadRevisionHistoryListRequest(
        category_code="icp_filing",
        page_info=n.ReadRevisionHistoryListRequestPageInfo(max_results=10))).body.data
    actions = [r.operation_item_code for r in history.rows]
    assert actions[:3] == ["set_channels", "set_channels", "select_receivers"]
    assert json.loads(history.rows[0].new_value)["email"] == "on"
    assert history.rows[0].operator_name == tenant.id


def test_the_catalog_is_read_as_groups_classes_and_meta_config(tenant):
    inbox = tenant.notifications
    groups = inbox.read_category_group_list(n.ReadCategoryGroupListRequest()).body.data
    assert ("product", "Product Message") in [(g.group_code, g.group_name) for g in groups]
    classes = inbox.read_class_name(n.ReadClassNameRequest()).body.data
    assert len(classes) == len(groups) == 6
    meta = inbox.read_meta_config(n.ReadMetaConfigRequest()).body.data
    icp = next(c for c in meta["Categories"] if c["CategoryCode"] == "icp_filing")
    assert icp["Channels"] == {"email": "on", "pmsg": "on", "sms": "off", "webhook": "off"}


def test_list_messages_is_the_sent_log_with_channel_and_time_filters(tenant):
    email = f"li@{tenant.id}.example"
    tenant.subscription.create_contact(m.CreateContactRequest(
        contact_name="Li Lei", email=email, position="CEO"))
    _filing_news(tenant, triggers=("submit",))
    log = tenant.common_query
    everything = log.list_messages(q.ListMessagesRequest()).body
    kinds = sorted(d.channel_type for d in everything.data)
    assert kinds == ["email", "email", "pmsg"]  # verification, owner's email, inbox message
    emails = log.list_messages(q.ListMessagesRequest(channel_type="email")).body
    assert emails.total == 2
    verification = next(d for d in emails.data if d.receiver == email)
    assert verification.content == ""  # the link is never shown again
    assert verification.status == "sent"
    future = log.list_messages(q.ListMessagesRequest(
        start_timestamp=everything.data[0].timestamp + 3_600_000)).body
    assert future.total == 0
    page = log.list_messages(q.ListMessagesRequest(page_no=2, page_size=2)).body
    assert (page.total, len(page.data)) == (3, 1)
    err = refusal(lambda: log.list_messages(q.ListMessagesRequest(channel_type="fax")))
    assert (err.code, err.status_code) == ("InvalidParameter", 400)


def _settings(tenant, *codes):
    """The user subscriptions of ``codes`` and the settings history, as the SDK reads them."""
    inbox = tenant.notifications
    subs = {s.category_code: s.to_map() for s in inbox.read_user_subscription_list(
        n.ReadUserSubscriptionListRequest()).body.data if s.category_code in codes}
    history = inbox.read_revision_history_list(n.ReadRevisionHistoryListRequest(
        page_info=n.ReadRevisionHistoryListRequestPageInfo(max_results=50))).body.data
    return subs, history.total_count


def test_an_update_refused_at_its_last_category_changes_no_category(tenant):
    inbox = tenant.notifications
    email = f"li@{tenant.id}.example"
    contact_id = tenant.subscription.create_contact(m.CreateContactRequest(
        contact_name="Li Lei", email=email, position="CEO")).body.contact_id
    tenant.verify(email)
    inbox.update_user_subscription(n.UpdateUserSubscriptionRequest(
        category_codes=["icp_filing"],
        common_contacts=[n.UpdateUserSubscriptionRequestCommonContacts(contact_id=contact_id)]))
    tenant.subscription.update_contact(m.UpdateContactRequest(  # pending again
        contact_id=contact_id, contact_name="Li Xiaolei", email=email))
    before = _settings(tenant, "icp_filing", "account_balance", "account_security")

    # A daily limit icp_filing takes, then one account_security's required email refuses.
    err = refusal(lambda: inbox.update_user_subscription(n.UpdateUserSubscriptionRequest(
        category_codes=["icp_filing", "account_security"],
        channel_configs=[n.UpdateUserSubscriptionRequestChannelConfigs(
            channel_type="email", fatigue_day_limit=5)])))
    assert (err.code, err.status_code) == ("invalid_limit", 400)
    assert _settings(tenant, "icp_filing", "account_balance", "account_security") == before

    # icp_filing keeps its (now pending) receiver and turns email off; account_balance
    # refuses the pending contact as a new receiver.
    err = refusal(lambda: inbox.update_user_subscription(n.UpdateUserSubscriptionRequest(
        category_codes=["icp_filing", "account_balance"],
        channel_configs=[n.UpdateUserSubscriptionRequestChannelConfigs(
            channel_type="email", checked_state="false", fatigue_day_limit=5)],
        common_contacts=[n.UpdateUserSubscriptionRequestCommonContacts(
            contact_id=contact_id)])))
    assert (err.code, err.status_code) == ("contact_not_verified", 409)
    assert _settings(tenant, "icp_filing", "account_balance", "account_security") == before
