"""Notifications webhook contacts and the delivery rules of user subscriptions (daily
limits, keyword filters, receive hours) through the official SDK against a served
instance whose embedded receiver answers the robots' calls."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from alibabacloud_notifications20241225 import models as n

from .conftest import refusal
from .served import Served, served_with_receiver


class _Refusing(BaseHTTPRequestHandler):
    """A robot that refuses every message (HTTP 403), as a misconfigured one does."""

    def do_POST(self) -> None:  # noqa: N802 (the http.server spelling)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(403)
        self.end_headers()
        self.wfile.write(b'{"errcode": 310000, "errmsg": "keywords not in content"}')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def refusing_robot() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def served(tmp_path_factory, refusing_robot) -> Iterator[Served]:
    server = served_with_receiver(tmp_path_factory.mktemp("serve"),
                                  allow_hosts=refusing_robot)
    yield server
    server.stop()


def _url(t, name: str) -> str:
    return f"{t.served.sink}/hook/{t.id}-{name}"


def _create(t, name: str = "ops", **more) -> int:
    t.notifications.create_webhook_contact(n.CreateWebhookContactRequest(
        contact_name=name, server_url=_url(t, name), **more))
    rows = t.notifications.read_all_webhook_contacts(
        n.ReadAllWebhookContactsRequest()).body.data
    return next(r.contact_id for r in rows if r.contact_name == name)


def _icp(t):
    return next(s for s in t.notifications.read_user_subscription_list(
        n.ReadUserSubscriptionListRequest()).body.data if s.category_code == "icp_filing")


def test_a_webhook_contact_is_created_read_changed_and_deleted(tenant):
    inbox = tenant.notifications
    hook = _create(tenant, "ops", webhook_type="lark", bot_security_token="s3cret")
    got = inbox.read_webhook_contact(n.ReadWebhookContactRequest(contact_id=hook)).body.data
    assert (got.contact_name, got.server_url, got.webhook_type) == (
        "ops", _url(tenant, "ops"), "lark")
    assert got.bot_security_token == "******"  # the secret is never read back
    inbox.update_webhook_contact(n.UpdateWebhookContactRequest(
        contact_id=hook, contact_name="night", webhook_type="wecom"))
    rows = inbox.read_all_webhook_contacts(n.ReadAllWebhookContactsRequest()).body.data
    assert [(r.contact_id, r.contact_name, r.webhook_type) for r in rows] == [
        (hook, "night", "wecom")]
    inbox.delete_webhook_contact(n.DeleteWebhookContactRequest(contact_id=hook))
    assert inbox.read_all_webhook_contacts(n.ReadAllWebhookContactsRequest()).body.data == []
    err = refusal(lambda: inbox.read_webhook_contact(
        n.ReadWebhookContactRequest(contact_id=hook)))
    assert (err.code, err.status_code) == ("unknown_webhook", 404)


def test_bad_webhook_contacts_are_refused_with_the_message_center_codes(tenant):
    inbox = tenant.notifications
    for request, code in [
        (n.CreateWebhookContactRequest(contact_name="bot", server_url="ftp://x.example/h"),
         "invalid_webhook"),
        (n.CreateWebhookContactRequest(contact_name="bot", server_url=_url(tenant, "b"),
                                       webhook_type="pager"), "invalid_webhook"),
    ]:
        err = refusal(lambda request=request: inbox.create_webhook_contact(request))
        assert (err.code, err.status_code) == (code, 400)
    for i in range(5):
        _create(tenant, f"bot{i}")
    err = refusal(lambda: inbox.create_webhook_contact(n.CreateWebhookContactRequest(
        contact_name="sixth", server_url=_url(tenant, "sixth"))))
    assert (err.code, err.status_code) == ("webhook_limit_reached", 409)


def test_testing_a_webhook_contact_really_calls_the_robot_and_answers_its_outcome(tenant):
    hook = _create(tenant, "signed", webhook_type="dingtalk", bot_security_token="k3y")
    answer = tenant.notifications.test_webhook_contact(
        n.TestWebhookContactRequest(contact_id=hook)).body
    assert (answer.success, answer.http_code) == (True, 200)
    assert "accepted" in answer.data
    status, body = tenant.served.control(
        "GET", f"/_icpsim/v1/webhook-calls?webhook={tenant.id}-signed")
    assert status == 200
    [call] = body["calls"]
    assert call["url"] == _url(tenant, "signed")
    assert call["signature_valid"] is True
    assert "icpsim test message" in call["body"]
    assert call["headers"]


def test_a_refusing_robot_is_reported_as_the_test_outcome(tenant, refusing_robot):
    hook = _create(tenant, "broken")
    tenant.notifications.update_webhook_contact(n.UpdateWebhookContactRequest(
        contact_id=hook, server_url=f"http://{refusing_robot}/robot/send"))
    answer = tenant.notifications.test_webhook_contact(
        n.TestWebhookContactRequest(contact_id=hook)).body
    assert (answer.success, answer.http_code) == (False, 403)
    assert "not accepted" in answer.data
    assert "keywords not in content" in answer.data


def test_limits_keywords_webhooks_and_hours_are_stored_and_read_back(tenant):
    inbox = tenant.notifications
    hook = _create(tenant, "ops")
    inbox.update_user_subscription(n.UpdateUserSubscriptionRequest(
        category_codes=["icp_filing"],
        channel_configs=[
            n.UpdateUserSubscriptionRequestChannelConfigs(channel_type="sms",
                                                          checked_state="true",
                                                          fatigue_day_limit=3),
            n.UpdateUserSubscriptionRequestChannelConfigs(channel_type="webhook",
                                                          checked_state="true")],
        common_contacts=[n.UpdateUserSubscriptionRequestCommonContacts(
            contact_id=0,
            message_source=n.UpdateUserSubscriptionRequestCommonContactsMessageSource(
                keyword_whitelist=["approved"], keyword_blacklist=["draft"]))],
        webhook_contacts=[n.UpdateUserSubscriptionRequestWebhookContacts(
            contact_id=hook,
            message_source=n.UpdateUserSubscriptionRequestWebhookContactsMessageSource(
                keyword_blacklist=["test"]))],
        receive_time_list=[9, 10, 11, 12]))
    icp = _icp(tenant)
    configs = {c.channel_type: (c.checked_state, c.fatigue_day_limit)
               for c in icp.channel_configs}
    assert configs["sms"] == ("true", 3)
    assert configs["webhook"] == ("true", None)
    owner = icp.contact.common_contacts[0]
    assert (owner.message_source.keyword_whitelist, owner.message_source.keyword_blacklist) == (
        ["approved"], ["draft"])
    [robot] = icp.contact.webhook_contacts
    assert (robot.contact_id, robot.contact_name) == (hook, "ops")
    assert robot.message_source.keyword_blacklist == ["test"]
    assert icp.receive_time_list == [9, 10, 11, 12]
    inbox.update_user_subscription(n.UpdateUserSubscriptionRequest(
        category_codes=["icp_filing"],
        channel_configs=[n.UpdateUserSubscriptionRequestChannelConfigs(
            channel_type="sms", fatigue_day_limit=0)]))
    assert {c.channel_type: c.fatigue_day_limit for c in _icp(tenant).channel_configs}[
        "sms"] is None  # 0 removes the limit


def test_bad_limits_hours_and_keywords_are_refused_and_change_nothing(tenant):
    inbox = tenant.notifications
    before = _icp(tenant).to_map()
    cases = [
        (n.UpdateUserSubscriptionRequest(
            category_codes=["icp_filing"],
            channel_configs=[n.UpdateUserSubscriptionRequestChannelConfigs(
                channel_type="email", checked_state="false", fatigue_day_limit=100000)]),
         "invalid_limit"),
        (n.UpdateUserSubscriptionRequest(category_codes=["icp_filing"],
                                         receive_time_list=[8, 24]), "invalid_hours"),
        (n.UpdateUserSubscriptionRequest(
            category_codes=["icp_filing"],
            channel_configs=[n.UpdateUserSubscriptionRequestChannelConfigs(
                channel_type="fax", checked_state="false")]), "invalid_channel"),
        (n.UpdateUserSubscriptionRequest(
            category_codes=["icp_filing"], receive_time_list=[9],
            common_contacts=[n.UpdateUserSubscriptionRequestCommonContacts(
                contact_id=0,
                message_source=n.UpdateUserSubscriptionRequestCommonContactsMessageSource(
                    keyword_whitelist=["x" * 500]))]), "invalid_data"),
        (n.UpdateUserSubscriptionRequest(
            category_codes=["icp_filing"], receive_time_list=[9],
            webhook_contacts=[n.UpdateUserSubscriptionRequestWebhookContacts(
                contact_id=987654)]), "unknown_webhook"),
    ]
    for request, code in cases:
        err = refusal(lambda request=request: inbox.update_user_subscription(request))
        assert err.code == code, request.to_map()
        assert 400 <= err.status_code < 500
    assert _icp(tenant).to_map() == before
