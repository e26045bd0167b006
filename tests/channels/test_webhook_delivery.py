"""Webhook robots over real HTTP to the embedded receiver: formats, signatures, faults,
the URL rule and the limit of webhooks per account."""

from __future__ import annotations

import pytest
from sqlmodel import select

from notify.models import Delivery, DeliveryAttempt
from tests.channels.test_sms_delivery import deliver_all
from workflow.errors import IcpsimError


def hook(csystem, sink, robots, name="ops", type_="custom", secret="s3cret",
         robot_secret=None):
    url = sink.hook_url(name)
    robots[url] = (type_, robot_secret if robot_secret is not None else secret)
    return csystem.webhooks.add("acme", name=name, type=type_, url=url, secret=secret,
                                actor="owner")


def notify_with(csystem, hooks, trigger="submit"):
    csystem.settings.set_channels("acme", "icp_filing", ["email", "webhook"], actor="owner")
    csystem.webhooks.select("acme", "icp_filing", [h.id for h in hooks], actor="owner")
    csystem.filings.create("acme", "F1", type="first_filing", domain="acme.cn",
                           website="Acme Shop", actor="owner")
    csystem.filings.fire("acme", "F1", trigger, None, actor="owner")


def webhook_rows(csystem):
    with csystem.db.transaction() as s:
        return list(s.exec(select(Delivery).where(Delivery.channel == "webhook")
                           .order_by(Delivery.id)).all())


@pytest.mark.parametrize(("type_", "signature"), [
    ("dingtalk", "valid"), ("wecom", "none"), ("lark", "valid"), ("slack", "none"),
    ("custom", "valid")])
def test_each_robot_gets_one_call_per_event_in_its_own_format(csystem, webhook_sink, robots,
                                                             type_, signature):
    h = hook(csystem, webhook_sink, robots, type_=type_,
             secret=None if type_ in ("wecom", "slack") else "s3cret")
    notify_with(csystem, [h])
    deliver_all(csystem)
    [call] = webhook_sink.received()
    assert call.signature == signature
    body = call.json
    if type_ in ("dingtalk", "wecom"):
        assert body["msgtype"] == "markdown"
    elif type_ == "lark":
        assert body["msg_type"] == "post"
    elif type_ == "slack":
        assert [b["type"] for b in body["blocks"]] == ["header", "section"]
    else:
        assert (body["filing_id"], body["type"]) == ("F1", "application_progress")
    assert "F1" in call.text
    [row] = webhook_rows(csystem)
    assert (row.status, row.to_name, row.webhook_id) == ("sent", "ops", h.id)


def test_two_webhooks_get_one_call_each(csystem, webhook_sink, robots):
    a = hook(csystem, webhook_sink, robots, name="ops")
    b = hook(csystem, webhook_sink, robots, name="dev", type_="dingtalk")
    notify_with(csystem, [a, b])
    deliver_all(csystem)
    assert sorted(c.path for c in webhook_sink.received()) == ["/hook/dev", "/hook/ops"]


def test_a_robot_failing_three_times_is_retried_until_it_answers(csystem, webhook_sink,
                                                                 robots):
    h = hook(csystem, webhook_sink, robots)
    webhook_sink.set_mode("fail", status=500, count=3)
    notify_with(csystem, [h])
    deliver_all(csystem)
    assert [c.status for c in webhook_sink.received()] == [500, 500, 500, 200]
    [row] = webhook_rows(csystem)
    assert (row.status, row.attempts) == ("sent", 4)
    with csystem.db.transaction() as s:
        outcomes = [a.outcome for a in s.exec(select(DeliveryAttempt).where(
            DeliveryAttempt.delivery_id == row.id).order_by(DeliveryAttempt.id)).all()]
    assert outcomes == ["temporary", "temporary", "temporary", "sent"]


def test_a_404_fails_at_once_and_a_429_is_retried(csystem, webhook_sink, robots):
    h = hook(csystem, webhook_sink, robots)
    webhook_sink.set_mode("fail", status=404)
    notify_with(csystem, [h])
    deliver_all(csystem)
    [row] = webhook_rows(csystem)
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.reason.startswith("HTTP 404")
    webhook_sink.set_mode("fail", status=429, count=1)
    csystem.filings.fire("acme", "F1", "start_review", None, actor="reviewer")
    deliver_all(csystem)
    assert webhook_rows(csystem)[-1].status == "sent"


def test_a_robot_that_does_not_answer_in_time_is_retried(csystem, webhook_sink, robots):
    h = hook(csystem, webhook_sink, robots)
    webhook_sink.set_mode("hang", seconds=1.5, count=1)  # the sender waits 0.5 s
    notify_with(csystem, [h])
    csystem.relay_due()
    csystem.dispatch_due()
    [row] = webhook_rows(csystem)
    assert row.status == "pending"
    assert row.reason.startswith("will retry: timeout")
    deliver_all(csystem)
    assert webhook_rows(csystem)[0].status == "sent"


def test_a_robot_that_is_down_is_retried(csystem, webhook_sink, robots):
    h = hook(csystem, webhook_sink, robots)
    webhook_sink.set_mode("down")
    notify_with(csystem, [h])
    csystem.relay_due()
    csystem.dispatch_due()
    assert webhook_rows(csystem)[0].status == "pending"
    webhook_sink.set_mode("up")
    deliver_all(csystem)
    assert webhook_rows(csystem)[0].status == "sent"
    assert len(webhook_sink.received()) == 1


def test_a_wrong_secret_shows_as_an_invalid_signature(csystem, webhook_sink, robots):
    h = hook(csystem, webhook_sink, robots, type_="dingtalk", secret="typo",
             robot_secret="SEC-real")
    notify_with(csystem, [h])
    deliver_all(csystem)
    [call] = webhook_sink.received()
    assert call.signature == "invalid"


def test_a_deleted_webhook_leaves_its_category_and_keeps_its_log(csystem, webhook_sink,
                                                                robots):
    h = hook(csystem, webhook_sink, robots)
    notify_with(csystem, [h])
    deliver_all(csystem)
    csystem.webhooks.delete("acme", h.id, actor="owner")
    assert csystem.webhooks.selected("acme", "icp_filing") == []
    csystem.filings.fire("acme", "F1", "start_review", None, actor="reviewer")
    deliver_all(csystem)
    assert len(webhook_rows(csystem)) == 1
    assert len(webhook_sink.received()) == 1


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/x", "http://localhost/x", "http://10.1.2.3/x",
    "http://192.168.1.10/hook", "http://169.254.169.254/latest/meta-data",
    "http://[::1]/x", "http://[::ffff:127.0.0.1]/x", "ftp://hooks.example/x",
    "https://user:pw@hooks.example/x", "not a url", "http:///x"])
def test_webhook_urls_to_private_addresses_or_not_http_are_refused(csystem, url):
    with pytest.raises(IcpsimError) as exc:
        csystem.webhooks.add("acme", name="x", type="custom", url=url, actor="owner")
    assert exc.value.code == "invalid_webhook"
    assert csystem.webhooks.list("acme") == []


def test_the_operator_can_allow_a_private_host(csystem):
    csystem.webhooks.config = csystem.config.with_(webhook_allow_hosts="10.1.2.3, hooks.lan")
    csystem.webhooks.add("acme", name="lan", type="custom", url="http://10.1.2.3/x",
                         actor="owner")
    csystem.webhooks.add("acme", name="lan2", type="slack", url="https://hooks.lan:8443/x",
                         actor="owner")
    assert [h.name for h in csystem.webhooks.list("acme")] == ["lan", "lan2"]


def test_at_most_five_webhooks_with_distinct_names_and_known_types(csystem, webhook_sink):
    for i in range(5):
        csystem.webhooks.add("acme", name=f"w{i}", type="custom",
                             url=webhook_sink.hook_url(f"w{i}"), actor="owner")
    for kwargs, code in [({"name": "w5"}, "webhook_limit_reached")]:
        with pytest.raises(IcpsimError) as exc:
            csystem.webhooks.add("acme", type="custom", url="https://hooks.example/x",
                                 actor="owner", **kwargs)
        assert exc.value.code == code
    csystem.webhooks.delete("acme", csystem.webhooks.list("acme")[0].id, actor="owner")
    with pytest.raises(IcpsimError) as dup:
        csystem.webhooks.add("acme", name="w1", type="custom", url="https://h.example/x",
                             actor="owner")
    assert dup.value.code == "duplicate_webhook"
    with pytest.raises(IcpsimError) as bad_type:
        csystem.webhooks.add("acme", name="w9", type="teams", url="https://h.example/x",
                             actor="owner")
    assert bad_type.value.code == "invalid_webhook"
    with pytest.raises(IcpsimError) as unknown:
        csystem.webhooks.select("acme", "icp_filing", [999], actor="owner")
    assert unknown.value.code == "unknown_webhook"


def test_another_accounts_webhook_is_unknown(csystem, webhook_sink):
    csystem.accounts.create("beta", owner_name="Li Si", owner_email="owner@beta.example")
    theirs = csystem.webhooks.add("beta", name="x", type="custom",
                                  url=webhook_sink.hook_url("x"), actor="beta")
    with pytest.raises(IcpsimError) as exc:
        csystem.webhooks.select("acme", "icp_filing", [theirs.id], actor="owner")
    assert exc.value.code == "unknown_webhook"
    with pytest.raises(IcpsimError):
        csystem.webhooks.delete("acme", theirs.id, actor="owner")


def test_a_host_name_resolving_to_a_private_address_fails_at_send_time(csystem,
                                                                       webhook_sink):
    import ipaddress
    import socket

    name = socket.gethostname()
    address = socket.getaddrinfo(name, 80)[0][4][0]
    if not ipaddress.ip_address(address).is_private or name.endswith(".local"):
        pytest.skip(f"{name} resolves to {address}, not a private address")
    h = csystem.webhooks.add("acme", name="sneaky", type="custom",
                             url=f"http://{name}:{webhook_sink.port}/hook/sneaky",
                             actor="owner")
    notify_with(csystem, [h])
    deliver_all(csystem)
    [row] = webhook_rows(csystem)
    assert row.status == "failed"
    assert row.reason.startswith("invalid_webhook: the host resolves to")
    assert webhook_sink.received() == []


def test_a_trailing_dot_does_not_hide_localhost(csystem):
    with pytest.raises(IcpsimError) as exc:
        csystem.webhooks.add("acme", name="x", type="custom", url="http://localhost./x",
                             actor="owner")
    assert exc.value.code == "invalid_webhook"
