"""The control API's view of the SMS gateway and webhook receiver: what a filing's
notification sent to a contact's mobile and to a robot, with the contract's fields and
filters."""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Iterator

import pytest
from alibabacloud_mscopensubscription20210713 import models as m

from .served import Served, served_with_receiver, sms_to

MOBILE = "13700001234"


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Served]:
    server = served_with_receiver(tmp_path_factory.mktemp("serve"))
    yield server
    server.stop()


def _calls(served: Served, webhook: str, wait: float = 30) -> list[dict]:
    deadline = time.monotonic() + wait
    while True:
        status, body = served.control("GET", f"/_icpsim/v1/webhook-calls?webhook={webhook}")
        assert status == 200, body
        if body["calls"] or time.monotonic() > deadline:
            return list(body["calls"])
        time.sleep(0.2)


def test_a_filing_notification_shows_as_sms_and_webhook_call_with_its_filing(tenant):
    sub = tenant.subscription
    email = f"sun@{tenant.id}.example"
    contact = sub.create_contact(m.CreateContactRequest(
        contact_name="Sun Qi", email=email, position="CEO", mobile=MOBILE)).body.contact_id
    tenant.verify(email)
    [verification] = sms_to(tenant.served, MOBILE, kind="verification")
    assert set(verification) == {"to", "body", "kind", "type", "filing", "links",
                                 "received_at"}
    assert verification["to"] == MOBILE
    with urllib.request.urlopen(verification["links"][0], timeout=30) as page:
        page.read()
    robot = f"{tenant.id}-ops"
    hook = sub.create_webhook(m.CreateWebhookRequest(
        webhook_name="ops", server_url=f"{tenant.served.sink}/hook/{robot}")).body.webhook_id
    icp = next(i for i in sub.list_subscription_items(m.ListSubscriptionItemsRequest(
        max_results=100)).body.subscription_items if i.item_name == "ICP filing notifications")
    sub.update_subscription_item(m.UpdateSubscriptionItemRequest(
        item_id=icp.item_id, sms_status=1, webhook_status=1, contact_ids=[contact],
        webhook_ids=[hook]))
    filing = f"F-{tenant.id}"
    status, body = tenant.served.control("POST", f"/_icpsim/v1/accounts/{tenant.id}/filings", {
        "id": filing, "type": "first_filing", "domain": f"{tenant.id}.example",
        "website": "Web"})
    assert status == 201, body
    status, body = tenant.served.control(
        "POST", f"/_icpsim/v1/filings/{filing}/fire?account={tenant.id}", {"trigger": "submit"})
    assert status == 200, body

    [text] = sms_to(tenant.served, MOBILE, kind="notification")
    assert (text["kind"], text["filing"]) == ("notification", filing)
    assert text["type"]
    assert filing in text["body"]
    assert sms_to(tenant.served, "13999999999", kind="notification", wait=0) == []

    [call] = _calls(tenant.served, robot)
    assert call["url"] == f"{tenant.served.sink}/hook/{robot}"
    assert filing in call["body"]
    assert call["signature_valid"] is None  # no secret: nothing to check
    assert any(k.lower() == "content-type" for k in call["headers"])
    assert _calls(tenant.served, f"{tenant.id}-nobody", wait=0) == []


def test_the_sms_filters_are_validated(served):
    status, body = served.control("GET", "/_icpsim/v1/sms?kind=fax")
    assert status == 400
    assert set(body) >= {"code", "message"}
