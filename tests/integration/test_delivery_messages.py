"""What receivers read: notifications in the account's language, verification emails."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from notify.models import InboxMessage
from tests.integration.test_delivery import deliver_all, notify, rows, seed
from workflow.errors import Conflict


def test_a_verification_email_is_sent_and_its_link_purged(system, mail_sink):
    seed(system)
    system.contacts.add("acme", name="Li Na", email="li@acme.example", title="CEO",
                        actor="acme")
    deliver_all(system)
    [d] = rows(system, kind="verification")
    assert d.status == "sent"
    assert d.body is None
    assert "/verify/" in mail_sink.to("li@acme.example")[0].text
    assert mail_sink.to("li@acme.example")[0].header("X-ICPSim-Kind") == "verification"


def test_a_verification_email_that_fails_is_purged_too_and_cannot_be_retried(system,
                                                                            mail_sink):
    seed(system)
    mail_sink.set_mode("reject")
    system.contacts.add("acme", name="Li Na", email="li@acme.example", title="CEO",
                        actor="acme")
    deliver_all(system)
    [d] = rows(system, kind="verification")
    assert d.status == "failed"
    assert d.body is None
    with pytest.raises(Conflict) as refused:
        system.deliveries.retry("acme", d.id, actor="acme")
    assert refused.value.code == "not_retryable"


@pytest.mark.parametrize(("language", "subject", "phrases"), [
    ("en", "approved: ICP number 京ICP备2026000001号",
     ["Dear Zhang Wei", "acme.cn", "Acme Shop", "京ICP备2026000001号"]),
    ("zh", "已通过：备案号 京ICP备2026000001号",
     ["Zhang Wei，您好", "acme.cn", "Acme Shop", "管局审核"]),
])
def test_the_mail_and_the_message_read_in_the_accounts_language(system, mail_sink, language,
                                                                subject, phrases):
    seed(system, language=language)
    notify(system, "submit", "start_review", "pass_review", "verify_sms")
    deliver_all(system)
    mail_sink.clear()
    system.filings.fire("acme", "F1", "approve", {"icp_number": "京ICP备2026000001号"},
                        actor="reviewer")
    deliver_all(system)
    [mail] = mail_sink.messages
    assert subject in mail.subject
    assert "F1" in mail.subject
    for phrase in phrases:
        assert phrase in mail.text
    assert mail.header("X-ICPSim-Type") == "application_review_result"
    newest = system.inbox.list("acme")[0]
    assert subject in newest.title
    assert newest.type == "application_review_result"


def test_a_language_change_applies_to_new_messages_only(system, mail_sink):
    seed(system, channels=["internal"])
    notify(system, "submit")
    system.relay_due()
    system.accounts.set_language("acme", "zh")
    deliver_all(system)
    notify(system, "start_review")
    deliver_all(system)
    with system.db.transaction() as s:
        titles = [m.title for m in s.exec(select(InboxMessage).order_by(col(InboxMessage.id)))]
    assert titles[0].startswith("[ICP filing]")
    assert titles[1].startswith("【ICP备案】")


def test_a_deadline_reads_in_the_accounts_time_zone_in_the_mail_and_the_message(system,
                                                                               mail_sink):
    from workflow.models import Account

    seed(system)
    with system.db.transaction() as s:
        account = s.get(Account, "acme")
        account.time_zone = "Asia/Kolkata"
        s.add(account)
    notify(system, "submit", "start_review", "pass_review")  # an SMS deadline
    deliver_all(system)
    [mail] = [m for m in mail_sink.messages if "SMS" in m.text]
    shown = next(line for line in mail.text.splitlines() if "(UTC+5:30)" in line)
    assert "UTC+8" not in mail.text
    with system.db.transaction() as s:
        bodies = [m.body for m in s.exec(select(InboxMessage)).all()]
    assert any(shown.strip() in body for body in bodies)
