"""Relay and dispatch against a real loopback SMTP server: once per receiver, faults, retries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest
from sqlalchemy import update

from notify.catalog import CHANNELS, ICP_FILING
from notify.dispatch import next_attempt_query
from notify.models import ChannelSetting, Contact, Delivery, ReceiverSelection
from notify.senders import SmtpSender
from workflow.errors import Conflict, NotFound
from workflow.models import OutboxEvent

OWNER = "owner@acme.example"


def next_attempt_at(db):
    """The earliest moment a pending delivery may be tried, or None."""
    with db.transaction() as s:
        return s.execute(next_attempt_query()).scalar_one()


def seed(system, *, contacts: Sequence[tuple[str, str]] = (), language: str = "en",
         channels: Sequence[str] = ("email", "internal"), account: str = "acme") -> None:
    """An account, its contacts (email, status) all selected as receivers, its channels."""
    system.accounts.create(account, owner_name="Zhang Wei",
                           owner_email=f"owner@{account}.example", language=language)
    now = system.clock.now()
    with system.db.transaction() as s:
        rows = [Contact(account_id=account, name=f"Contact {i}", email=email,
                        email_key=email.lower(), title="CEO", status=status, created_at=now,
                        updated_at=now) for i, (email, status) in enumerate(contacts)]
        s.add_all(rows)
        s.flush()
        s.add_all(ReceiverSelection(account_id=account, category=ICP_FILING, contact_id=c.id)
                  for c in rows)
        s.add_all(ChannelSetting(account_id=account, category=ICP_FILING, channel=ch,
                                 enabled=ch in channels) for ch in CHANNELS)


def notify(system, *triggers: str, account: str = "acme", filing: str = "F1") -> None:
    if not system.filings.list(account):
        system.filings.create(account, filing, type="first_filing", domain="acme.cn",
                              website="Acme Shop", actor=account)
    for trigger in triggers:
        data = {"reason": "Name mismatch"} if trigger == "reject" else None
        system.filings.fire(account, filing, trigger, data, actor="reviewer")


def deliver_all(system, *, rounds: int = 1000) -> int:
    """Relay and dispatch, then move the clock to each retry until none is pending."""
    system.relay_due()
    system.dispatch_due()
    for n in range(rounds):
        when = next_attempt_at(system.db)
        if when is None:
            return n
        system.clock.set(max(when, system.clock.now()))
        system.relay_due()
        system.dispatch_due()
    raise AssertionError("deliveries still pending")


def rows(system, **filters) -> list[Delivery]:
    return system.deliveries.list("acme", **filters)


def test_an_event_mails_the_owner_and_each_verified_contact_alone_and_writes_one_message(
        system, mail_sink):
    seed(system, contacts=[("li@acme.example", "verified"), ("wang@acme.example", "pending"),
                           ("zhao@acme.example", "verified")])
    notify(system, "submit")
    deliver_all(system)
    assert sorted(r for m in mail_sink.messages for r in m.rcpt_tos) == [
        "li@acme.example", OWNER, "zhao@acme.example"]
    assert all(len(m.rcpt_tos) == 1 and len(m.message["To"].addresses) == 1
               for m in mail_sink.messages)
    [skipped] = rows(system, status="skipped")
    assert (skipped.to_address, skipped.reason) == ("wang@acme.example",
                                                   "contact is pending verification")
    [message] = system.inbox.list("acme")
    assert "F1" in message.title
    assert "acme.cn" in message.body
    assert {d.dedup_key for d in rows(system)} >= {"event:1:email:owner",
                                                   "event:1:internal:account"}


def test_relaying_again_or_after_a_lost_lease_creates_no_duplicate(system, mail_sink):
    seed(system, contacts=[("li@acme.example", "verified")])
    notify(system, "submit")
    assert system.relay_due() == 1
    assert system.relay_due() == 0
    with system.db.transaction() as s:  # as if a worker died after inserting
        s.execute(update(OutboxEvent).values(relayed_at=None))
    assert system.relay_due() == 1
    assert len(rows(system)) == 3
    deliver_all(system)
    assert len(mail_sink.messages) == 2


def test_settings_are_read_when_the_event_is_planned(system, mail_sink):
    seed(system)
    notify(system, "submit")
    deliver_all(system)
    system.settings.set_channels("acme", ICP_FILING, ["internal"], actor="acme")
    notify(system, "start_review")
    deliver_all(system)
    assert len(mail_sink.messages) == 1
    assert len(system.inbox.list("acme")) == 2


def test_a_451_three_times_then_accepted_is_delivered_once_after_four_attempts(
        system, mail_sink):
    seed(system, channels=["email"])
    mail_sink.set_mode("tempfail", count=3)
    notify(system, "submit")
    start = system.clock.now()
    deliver_all(system)
    [d] = rows(system)
    attempts = system.deliveries.attempts(d.id)
    assert [a.outcome for a in attempts] == ["temporary"] * 3 + ["sent"]
    assert all("451" in a.detail for a in attempts[:3])
    gaps = [b.at - a.at for a, b in zip([*attempts[:1], *attempts], attempts, strict=False)]
    assert attempts[0].at == start
    for gap, minutes in zip(gaps[1:], (5, 10, 20), strict=True):
        assert timedelta(minutes=minutes * 0.9) <= gap <= timedelta(minutes=minutes * 1.1)
    assert (d.status, d.attempts) == ("sent", 4)
    assert len(mail_sink.to(OWNER)) == 1


def test_a_550_for_one_receiver_fails_it_at_once_and_the_others_are_sent(system, mail_sink):
    seed(system, contacts=[("li@acme.example", "verified"), ("zhao@acme.example", "verified")])
    mail_sink.set_mode("reject", addresses=["li@acme.example"])
    notify(system, "submit")
    deliver_all(system)
    [failed] = rows(system, status="failed")
    assert failed.to_address == "li@acme.example"
    assert failed.attempts == 1
    assert "550" in (failed.reason or "")
    assert [a.outcome for a in system.deliveries.attempts(failed.id)] == ["permanent"]
    assert len(mail_sink.to(OWNER)) == 1
    assert len(mail_sink.to("zhao@acme.example")) == 1
    assert not mail_sink.to("li@acme.example")


def test_a_server_down_for_over_5_days_fails_the_email_and_the_inbox_is_unaffected(
        system, mail_sink):
    seed(system)
    mail_sink.set_mode("down")
    notify(system, "submit")
    start = system.clock.now()
    deliver_all(system)
    [email] = rows(system, channel="email")
    assert email.status == "failed"
    assert "gave up after 5 days" in (email.reason or "")
    attempts = system.deliveries.attempts(email.id)
    assert {a.outcome for a in attempts} == {"temporary"}
    assert attempts[-1].at - start >= timedelta(days=5)
    assert all(b.at - a.at <= timedelta(minutes=60) for a, b in zip(attempts, attempts[1:],
                                                                     strict=False))
    assert len(system.inbox.list("acme")) == 1
    assert rows(system, channel="internal")[0].status == "sent"


def test_a_connection_dropped_mid_data_is_retried_and_delivered_once(system, mail_sink):
    seed(system, channels=["email"])
    mail_sink.set_mode("drop", count=1)
    notify(system, "submit")
    deliver_all(system)
    [d] = rows(system)
    assert [a.outcome for a in system.deliveries.attempts(d.id)] == ["temporary", "sent"]
    assert d.status == "sent"
    assert len(mail_sink.messages) == 1


def test_the_sender_reconnects_after_the_server_went_away_between_batches(system, mail_sink):
    seed(system, channels=["email"])
    notify(system, "submit")
    deliver_all(system)
    mail_sink.stop()  # closes the connection the sender keeps open
    mail_sink.start()
    notify(system, "start_review")
    deliver_all(system)
    assert len(mail_sink.messages) == 2
    assert {d.attempts for d in rows(system)} == {1}


def test_one_connection_carries_the_whole_batch(system, mail_sink, monkeypatch):
    opened = []
    connect = SmtpSender._connect

    def counting(self):
        opened.append(1)
        return connect(self)

    monkeypatch.setattr(SmtpSender, "_connect", counting)
    seed(system, contacts=[(f"c{i}@acme.example", "verified") for i in range(6)],
         channels=["email"])
    notify(system, "submit", "start_review")
    deliver_all(system)
    assert len(mail_sink.messages) == 14
    assert len(opened) == 1


def test_a_failed_delivery_is_retried_by_hand_and_nothing_else_is(system, mail_sink):
    seed(system, contacts=[("li@acme.example", "verified")])
    mail_sink.set_mode("reject", addresses=["li@acme.example"])
    notify(system, "submit")
    deliver_all(system)
    [failed] = rows(system, status="failed")
    mail_sink.set_mode("up")
    again = system.deliveries.retry("acme", failed.id, actor="acme")
    assert (again.status, again.next_attempt_at) == ("pending", system.clock.now())
    deliver_all(system)
    assert len(mail_sink.to("li@acme.example")) == 1
    sent = rows(system, to="li@acme.example")[0]
    assert (sent.status, sent.attempts) == ("sent", 2)
    with pytest.raises(Conflict) as refused:
        system.deliveries.retry("acme", sent.id, actor="acme")
    assert refused.value.code == "not_failed"
    with pytest.raises(NotFound):
        system.deliveries.retry("other", sent.id, actor="other")


def test_retry_failed_requeues_every_failed_notification_to_an_address(system, mail_sink):
    seed(system, contacts=[("li@acme.example", "verified")])
    mail_sink.set_mode("reject", addresses=["li@acme.example"])
    notify(system, "submit", "start_review")
    deliver_all(system)
    assert len(rows(system, status="failed")) == 2
    mail_sink.set_mode("up")
    assert system.deliveries.retry_failed("acme", to="LI@acme.example",
                                          type="application_progress") == 2
    assert system.deliveries.retry_failed("acme", to="li@acme.example") == 0
    deliver_all(system)
    assert len(mail_sink.to("li@acme.example")) == 2


def test_the_log_filters_by_filing_receiver_channel_status_and_type(system, mail_sink):
    seed(system, contacts=[("li@acme.example", "verified")])
    notify(system, "submit", "start_review", "reject")
    deliver_all(system)
    assert len(rows(system, filing_id="F1")) == 9
    assert len(rows(system, to=OWNER)) == 3
    assert len(rows(system, channel="internal", status="sent")) == 3
    assert len(rows(system, type="application_review_result")) == 3
    assert len(rows(system, kind="verification")) == 0
    assert system.deliveries.list("nobody") == []
