"""SMS through the official Alibaba Cloud SDK to the embedded gateway: verification of
mobiles, notifications to verified mobiles only, and the gateway's faults."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from notify.dispatch import next_attempt_query
from notify.models import Delivery, DeliveryAttempt, ReceiverSelection
from workflow.errors import IcpsimError


def deliver_all(system, *, rounds: int = 2000) -> None:
    system.relay_due()
    system.dispatch_due()
    for _ in range(rounds):
        with system.db.transaction() as s:
            when = s.execute(next_attempt_query()).scalar_one()
        if when is None:
            return
        system.clock.set(max(when, system.clock.now()))
        system.relay_due()
        system.dispatch_due()
    raise AssertionError("deliveries still pending")


def sms_link(gateway, mobile: str) -> str:
    text = [m for m in gateway.messages(mobile) if "/verify/" in m.content][-1].content
    return re.search(r"/verify/([A-Za-z0-9_-]+)", text).group(1)


def verified_contact(system, gateway, *, email="li@acme.example", mobile="13800138000"):
    contact = system.contacts.add("acme", name="Li Na", email=email, title="CEO",
                                  mobile=mobile, actor="owner")
    system.dispatch_due()
    system.contacts.verify(sms_link(gateway, mobile))
    return contact


def sms_rows(system, **where) -> list[Delivery]:
    with system.db.transaction() as s:
        query = select(Delivery).where(Delivery.channel == "sms")
        for key, value in where.items():
            query = query.where(getattr(Delivery, key) == value)
        return list(s.exec(query.order_by(Delivery.id)).all())


def start_filing(system, *, sms_on=True, contacts=()):
    system.settings.set_channels("acme", "icp_filing",
                                 ["email", "internal", *(["sms"] if sms_on else [])],
                                 actor="owner")
    if contacts:
        system.settings.select_receivers("acme", "icp_filing", list(contacts), actor="owner")
    system.filings.create("acme", "F1", type="first_filing", domain="acme.cn",
                          website="Acme Shop", actor="owner")


def test_adding_a_mobile_sends_an_sms_link_that_verifies_the_mobile_alone(csystem,
                                                                          sms_gateway):
    contact = csystem.contacts.add("acme", name="Li Na", email="li@acme.example",
                                   title="CEO", mobile="138 0013 8000", actor="owner")
    assert contact.mobile_status == "pending"
    csystem.dispatch_due()
    [sms] = sms_gateway.messages("13800138000")
    assert sms.content.startswith("【ICPSim】Li Na: verify this mobile")
    assert sms.template_code == "SMS_900002"
    result = csystem.contacts.verify(sms_link(sms_gateway, "13800138000"))
    assert result.channel == "sms"
    after = csystem.contacts.get("acme", contact.id)
    assert (after.mobile_status, after.status) == ("verified", "pending")


def test_a_verified_mobile_gets_the_notification_sms_and_an_unverified_one_is_skipped(
        csystem, sms_gateway):
    li = verified_contact(csystem, sms_gateway)
    wang = csystem.contacts.add("acme", name="Wang Fang", email="wang@acme.example",
                                title="CEO", mobile="13900139000", actor="owner")
    start_filing(csystem, contacts=())
    with csystem.db.transaction() as s:  # selected before any verification (as seeded)
        s.add_all([ReceiverSelection(account_id="acme", category="icp_filing",
                                     contact_id=c.id) for c in (li, wang)])
    csystem.filings.fire("acme", "F1", "submit", None, actor="owner")
    deliver_all(csystem)
    [sent] = [m for m in sms_gateway.messages("13800138000") if "/verify/" not in m.content]
    assert sent.content == "【ICPSim】[ICP filing] F1 (acme.cn): Submitted"
    assert sent.out_id.isdigit()
    skipped = sms_rows(csystem, contact_id=wang.id, kind="notification")
    assert [(d.status, d.reason) for d in skipped] == [
        ("skipped", "mobile is pending verification")]
    assert [m for m in sms_gateway.messages("13900139000") if "/verify/" not in m.content] == []


def test_the_owners_mobile_gets_sms_without_verification(csystem, sms_gateway):
    csystem.rules.set_owner_mobile("acme", "+86 139 0000 0000", actor="owner")
    start_filing(csystem)
    csystem.filings.fire("acme", "F1", "submit", None, actor="owner")
    deliver_all(csystem)
    [sms] = sms_gateway.messages("13900000000")
    assert "F1" in sms.content
    [row] = sms_rows(csystem, receiver="owner")
    assert (row.status, row.attempts) == ("sent", 1)


def test_sms_stays_off_until_chosen(csystem, sms_gateway):
    csystem.rules.set_owner_mobile("acme", "13900000000", actor="owner")
    start_filing(csystem, sms_on=False)
    csystem.filings.fire("acme", "F1", "submit", None, actor="owner")
    deliver_all(csystem)
    assert sms_gateway.messages() == []


def test_a_throttled_sms_is_retried_and_then_accepted(csystem, sms_gateway):
    csystem.rules.set_owner_mobile("acme", "13900000000", actor="owner")
    start_filing(csystem)
    sms_gateway.set_mode("fail", code="isv.BUSINESS_LIMIT_CONTROL", count=1)
    csystem.filings.fire("acme", "F1", "submit", None, actor="owner")
    csystem.relay_due()
    csystem.dispatch_due()
    [row] = sms_rows(csystem)
    assert row.status == "pending"
    assert "isv.BUSINESS_LIMIT_CONTROL" in row.reason
    assert row.next_attempt_at >= csystem.clock.now() + timedelta(minutes=4)
    deliver_all(csystem)
    [row] = sms_rows(csystem)
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(sms_gateway.messages("13900000000")) == 1


def test_an_illegal_number_fails_at_once(csystem, sms_gateway):
    csystem.rules.set_owner_mobile("acme", "13900000000", actor="owner")
    start_filing(csystem)
    sms_gateway.set_mode("fail", code="isv.MOBILE_NUMBER_ILLEGAL")
    csystem.filings.fire("acme", "F1", "submit", None, actor="owner")
    deliver_all(csystem)
    [row] = sms_rows(csystem)
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.reason.startswith("isv.MOBILE_NUMBER_ILLEGAL")
    # the email of the same event still went out
    with csystem.db.transaction() as s:
        email = s.exec(select(Delivery).where(Delivery.channel == "email")).one()
    assert email.status == "sent"


def test_a_gateway_down_for_five_days_fails_the_sms_with_every_attempt_logged(csystem,
                                                                             sms_gateway):
    csystem.rules.set_owner_mobile("acme", "13900000000", actor="owner")
    start_filing(csystem)
    sms_gateway.set_mode("down")
    started = csystem.clock.now()
    csystem.filings.fire("acme", "F1", "submit", None, actor="owner")
    deliver_all(csystem)
    [row] = sms_rows(csystem)
    assert row.status == "failed"
    assert row.reason.startswith("gave up after 5 days")
    assert "ServiceUnavailable" in row.reason
    assert row.done_at - started >= timedelta(days=5)
    with csystem.db.transaction() as s:
        attempts = s.exec(select(DeliveryAttempt).where(
            DeliveryAttempt.delivery_id == row.id)).all()
    assert len(attempts) == row.attempts > 100
    assert {a.outcome for a in attempts} == {"temporary"}


def test_a_wrong_access_key_secret_fails_every_sms_at_once(csystem, sms_gateway):
    from notify.smssender import SmsSender, SmsTarget

    target = csystem.channels.sms.target
    csystem.channels.sms = SmsSender(SmsTarget(**{**target.__dict__,
                                                  "access_key_secret": "not-the-secret"}))
    csystem.rules.set_owner_mobile("acme", "13900000000", actor="owner")
    start_filing(csystem)
    csystem.filings.fire("acme", "F1", "submit", None, actor="owner")
    deliver_all(csystem)
    [row] = sms_rows(csystem)
    assert (row.status, row.reason.split(" ")[0]) == ("failed", "SignatureDoesNotMatch")
    assert sms_gateway.messages() == []


def test_resending_the_mobile_link_is_limited_like_email(csystem, sms_gateway):
    contact = csystem.contacts.add("acme", name="Li Na", email="li@acme.example",
                                   title="CEO", mobile="13800138000", actor="owner")
    csystem.dispatch_due()
    first = sms_link(sms_gateway, "13800138000")
    csystem.contacts.resend("acme", contact.id, channel="sms", actor="owner")
    csystem.dispatch_due()
    with pytest.raises(IcpsimError) as exc:
        csystem.contacts.resend("acme", contact.id, channel="sms", actor="owner")
    assert exc.value.code == "resend_limited"
    # the email link is resent on its own clock
    csystem.contacts.resend("acme", contact.id, channel="email", actor="owner")
    with pytest.raises(IcpsimError) as old:
        csystem.contacts.verify(first)
    assert old.value.code == "link_invalid"
    csystem.contacts.verify(sms_link(sms_gateway, "13800138000"))
    assert csystem.contacts.get("acme", contact.id).mobile_status == "verified"


def test_resending_to_a_contact_without_mobile_is_refused(csystem):
    contact = csystem.contacts.add("acme", name="Li Na", email="li@acme.example",
                                   title="CEO", actor="owner")
    with pytest.raises(IcpsimError) as exc:
        csystem.contacts.resend("acme", contact.id, channel="sms", actor="owner")
    assert exc.value.code == "mobile_not_set"


def test_changing_the_mobile_needs_a_new_sms_verification(csystem, sms_gateway):
    contact = verified_contact(csystem, sms_gateway)
    changed = csystem.contacts.modify("acme", contact.id, mobile="13700137000", actor="owner")
    assert changed.mobile_status == "pending"
    csystem.dispatch_due()
    assert len(sms_gateway.messages("13700137000")) == 1
    removed = csystem.contacts.modify("acme", contact.id, mobile="", actor="owner")
    assert (removed.mobile, removed.mobile_status) == (None, None)


def test_a_malformed_sms_url_is_a_clear_configuration_error(tmp_path):
    from notify.smssender import SmsSender
    from workflow.config import Config

    with pytest.raises(IcpsimError) as exc:
        SmsSender.from_config(Config(instance_path=tmp_path, sms_url="dysmsapi.aliyuncs.com"))
    assert exc.value.code == "invalid_config"
    assert "ICPSIM_SMS_URL" in exc.value.message
