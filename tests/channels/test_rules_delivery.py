"""Daily limits, keyword filters and receive hours, stored and applied by the relay."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from notify.models import Delivery
from tests.channels.test_sms_delivery import deliver_all
from workflow.errors import IcpsimError


def rows(csystem, channel="email"):
    with csystem.db.transaction() as s:
        return list(s.exec(select(Delivery).where(Delivery.channel == channel,
                                                  Delivery.kind == "notification")
                           .order_by(Delivery.id)).all())


def filing(csystem):
    csystem.filings.create("acme", "F1", type="first_filing", domain="acme.cn",
                           website="Acme Shop", actor="owner")


def test_the_daily_limit_skips_what_is_over_it_and_a_new_local_day_starts_again(csystem,
                                                                              clock):
    csystem.rules.set_limit("acme", "icp_filing", "email", 2, actor="owner")
    filing(csystem)
    for trigger in ("submit", "start_review", "reject"):
        data = {"reason": "blurry photo"} if trigger == "reject" else None
        csystem.filings.fire("acme", "F1", trigger, data, actor="reviewer")
        csystem.relay_due()
    assert [(d.status, d.reason) for d in rows(csystem)] == [
        ("pending", None), ("pending", None),
        ("skipped", "daily limit of 2 email messages per receiver reached")]
    assert [d.status for d in rows(csystem, "internal")] == ["pending"] * 3
    clock.set(datetime(2026, 3, 2, 16, 0, tzinfo=UTC))  # midnight in Shanghai
    csystem.filings.fire("acme", "F1", "submit", None, actor="owner")
    csystem.relay_due()
    assert rows(csystem)[-1].status == "pending"


def test_keyword_filters_skip_messages_for_one_receiver(csystem):
    csystem.rules.set_keywords("acme", "icp_filing", "owner", deny=["Rejected"],
                               actor="owner")
    filing(csystem)
    csystem.filings.fire("acme", "F1", "submit", None, actor="owner")
    csystem.filings.fire("acme", "F1", "start_review", None, actor="reviewer")
    csystem.filings.fire("acme", "F1", "reject", {"reason": "blurry"}, actor="reviewer")
    deliver_all(csystem)
    assert [d.status for d in rows(csystem)] == ["sent", "sent", "skipped"]
    assert rows(csystem)[-1].reason == "message holds the denied keyword 'Rejected'"
    assert {d.status for d in rows(csystem, "internal")} == {"sent"}


def test_receive_hours_hold_messages_until_the_next_allowed_hour(csystem, clock):
    clock.set(datetime(2026, 3, 2, 13, 0, tzinfo=UTC))  # 21:00 in Shanghai
    csystem.rules.set_receive_hours("acme", "icp_filing", range(9, 18), actor="owner")
    filing(csystem)
    csystem.filings.fire("acme", "F1", "submit", None, actor="owner")
    csystem.relay_due()
    csystem.dispatch_due()
    [email] = rows(csystem)
    assert email.status == "pending"
    assert email.next_attempt_at == datetime(2026, 3, 3, 1, 0, tzinfo=UTC)
    deliver_all(csystem)
    [email] = rows(csystem)
    assert (email.status, email.done_at) == ("sent", datetime(2026, 3, 3, 1, 0, tzinfo=UTC))


@pytest.mark.parametrize(("call", "code"), [
    (lambda r: r.set_limit("acme", "icp_filing", "email", 0, actor="o"), "invalid_limit"),
    (lambda r: r.set_limit("acme", "icp_filing", "email", "3", actor="o"), "invalid_limit"),
    (lambda r: r.set_limit("acme", "events", "email", 3, actor="o"), "invalid_limit"),
    (lambda r: r.set_limit("acme", "security_events", "email", 3, actor="o"),
     "invalid_limit"),
    (lambda r: r.set_limit("acme", "nope", "email", 3, actor="o"), "unknown_category"),
    (lambda r: r.set_receive_hours("acme", "icp_filing", [], actor="o"), "invalid_hours"),
    (lambda r: r.set_receive_hours("acme", "icp_filing", [25], actor="o"), "invalid_hours"),
    (lambda r: r.set_receive_hours("acme", "icp_filing", [9], [8], actor="o"),
     "invalid_hours"),
    (lambda r: r.set_keywords("acme", "icp_filing", "owner", allow=[""], actor="o"),
     "invalid_data"),
    (lambda r: r.set_keywords("acme", "icp_filing", "contact:99", deny=["x"], actor="o"),
     "unknown_contact"),
    (lambda r: r.set_keywords("acme", "icp_filing", "boss", deny=["x"], actor="o"),
     "invalid_data"),
    (lambda r: r.set_owner_mobile("acme", "12345", actor="o"), "invalid_mobile"),
])
def test_bad_rule_values_are_refused_and_change_nothing(csystem, call, code):
    with pytest.raises(IcpsimError) as exc:
        call(csystem.rules)
    assert exc.value.code == code
    assert csystem.rules.limits("acme", "icp_filing") == {}
    assert csystem.rules.receive_hours("acme", "icp_filing") is None
    assert csystem.rules.keywords("acme", "icp_filing") == []
    assert csystem.rules.owner_mobile("acme") is None


def test_rules_are_read_back_replaced_and_removed(csystem):
    r = csystem.rules
    r.set_limit("acme", "icp_filing", "sms", 5, actor="o")
    assert r.limits("acme", "icp_filing") == {"sms": 5}
    r.set_limit("acme", "icp_filing", "sms", None, actor="o")
    assert r.limits("acme", "icp_filing") == {}
    r.set_keywords("acme", "icp_filing", "owner", allow=["ICP"], deny=["promo"], actor="o")
    [kw] = r.keywords("acme", "icp_filing")
    assert (kw.receiver, kw.allow, kw.deny) == ("owner", ("ICP",), ("promo",))
    r.set_keywords("acme", "icp_filing", "owner", actor="o")
    assert r.keywords("acme", "icp_filing") == []
    hours = r.set_receive_hours("acme", "icp_filing", [22, 23, 0], [0, 1, 2, 3, 4],
                                actor="o")
    assert r.receive_hours("acme", "icp_filing") == hours
    r.set_receive_hours("acme", "icp_filing", None, actor="o")
    assert r.receive_hours("acme", "icp_filing") is None


def test_limits_keywords_hours_and_webhooks_work_on_every_database(shared_system,
                                                                   webhook_sink, clock):
    s = shared_system
    hook = s.webhooks.add("acme", name="ops", type="custom",
                          url=webhook_sink.hook_url("ops"), actor="owner")
    s.settings.set_channels("acme", "icp_filing", ["email", "webhook"], actor="owner")
    s.webhooks.select("acme", "icp_filing", [hook.id], actor="owner")
    s.rules.set_limit("acme", "icp_filing", "webhook", 1, actor="owner")
    s.rules.set_keywords("acme", "icp_filing", "owner", deny=["Under initial review"],
                         actor="owner")
    s.rules.set_receive_hours("acme", "icp_filing", list(range(8, 20)), actor="owner")
    filing(s)
    s.filings.fire("acme", "F1", "submit", None, actor="owner")
    s.filings.fire("acme", "F1", "start_review", None, actor="reviewer")
    deliver_all(s)
    assert [(d.status, (d.reason or "")[:30]) for d in rows(s)] == [
        ("sent", ""), ("skipped", "message holds the denied keywo")]
    assert [d.status for d in rows(s, "webhook")] == ["sent", "skipped"]
    assert len(webhook_sink.received()) == 1
