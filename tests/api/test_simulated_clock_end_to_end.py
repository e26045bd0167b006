"""Driven only over HTTP: a served instance on a simulated clock, the SDKs and the control
API; 25 hours pass in one call and the SMS-verification timeout rejects the filing."""

from __future__ import annotations

import urllib.request
from datetime import UTC, datetime

import pytest
from alibabacloud_msccommonquery20210407 import models as q
from alibabacloud_mscopensubscription20210713 import models as m
from alibabacloud_notifications20241225 import models as n

from .served import Served


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    start = datetime.now(UTC).replace(microsecond=0).isoformat()
    server = Served(tmp_path_factory.mktemp("simulated"), simulated_clock=start)
    yield server
    server.stop()


def test_sms_timeout_rejection_reaches_the_sdk_after_advancing_25_hours(simulated):
    s = simulated
    key = s.account("acme")
    msc, inbox, log = s.subscription(key), s.notifications(key), s.common_query(key)
    status, clock = s.control("GET", "/_icpsim/v1/clock")
    assert (status, clock["simulated"]) == (200, True)
    start = datetime.fromisoformat(clock["now"])

    contact_id = msc.create_contact(m.CreateContactRequest(
        contact_name="Li Lei", email="li.lei@acme.example", position="CEO")).body.contact_id
    link = s.mails(to="li.lei@acme.example", kind="verification")[-1]["links"][0]
    assert link.startswith(s.base + "/verify/")
    urllib.request.urlopen(link, timeout=30).read()
    assert msc.get_contact(m.GetContactRequest(contact_id=contact_id)).body.contact \
        .is_verified_email is True
    items = msc.list_subscription_items(m.ListSubscriptionItemsRequest(max_results=100))
    icp = next(i for i in items.body.subscription_items
               if i.item_name == "ICP filing notifications")
    msc.update_subscription_item(m.UpdateSubscriptionItemRequest(
        item_id=icp.item_id, contact_ids=[contact_id]))

    status, filing = s.control("POST", "/_icpsim/v1/accounts/acme/filings", {
        "id": "F-1", "type": "first_filing", "domain": "acme.example", "website": "Acme"})
    assert status == 201, filing
    for trigger in ("submit", "start_review", "pass_review"):
        status, filing = s.control("POST", "/_icpsim/v1/filings/F-1/fire",
                                   {"trigger": trigger})
        assert status == 200, filing
    assert filing["state"] == "sms_verification"

    status, clock = s.control("POST", "/_icpsim/v1/clock/advance", {"by": "25h"})
    assert status == 200, clock
    assert (datetime.fromisoformat(clock["now"]) - start).total_seconds() == 25 * 3600
    status, filing = s.control("GET", "/_icpsim/v1/filings/F-1")
    assert filing["state"] == "rejected"
    timeout = filing["history"][-1]
    assert timeout["trigger"] == "sms_timeout"
    assert timeout["actor"] != "control-api"
    # The timer fired at its own due time (24 h), not at the end of the advance.
    fired_at = datetime.fromisoformat(timeout["at"])
    assert (fired_at - start).total_seconds() < 25 * 3600

    rows = inbox.read_message_list(n.ReadMessageListRequest()).body.data.rows
    newest = rows[0]
    assert newest.title == "[ICP filing] Filing F-1 (acme.example) rejected"
    assert "SMS" in newest.content
    assert newest.status == 0
    assert newest.category_code == "icp_filing"

    sent = log.list_messages(q.ListMessagesRequest(channel_type="email")).body
    rejection = [d for d in sent.data if d.receiver == "li.lei@acme.example"
                 and d.title.endswith("rejected") and "SMS" in d.content]
    assert len(rejection) == 1
    assert rejection[0].status == "sent"
    assert rejection[0].timestamp >= int(fired_at.timestamp() * 1000)
    mails = s.mails(to="li.lei@acme.example", kind="notification")
    assert any("SMS" in mail["body"] and mail["filing"] == "F-1" for mail in mails)
