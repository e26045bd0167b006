"""Notification texts: every type in English and Chinese names the filing and what happened."""

from __future__ import annotations

import email.policy
from datetime import UTC, datetime
from email import message_from_bytes, policy
from typing import Any

import pytest

from notify.compose import email_message, message_id, rendered
from notify.models import Delivery
from notify.senders import wire_bytes

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
BASE = {"filing_id": "F-2026-001", "filing_type": "first_filing", "domain": "acme.cn",
        "website": "Acme Shop"}


def delivery(type_: str, trigger: str, language: str, **facts: Any) -> Delivery:
    return Delivery(dedup_key="event:9:email:owner", account_id="acme", channel="email",
                    receiver="owner", to_address="owner@acme.example", to_name="张伟",
                    language=language, notification_type=type_, filing_id="F-2026-001",
                    facts={**BASE, "trigger": trigger, **facts})


CASES = [
    ("application_progress", "submit", {"to_state": "submitted"},
     {"en": ["Submitted", "has been submitted"], "zh": ["已提交"]}),
    ("application_progress", "pass_review",
     {"to_state": "sms_verification", "deadline": "2026-03-03T01:00:00+00:00"},
     {"en": ["SMS verification", "2026-03-03 09:00 (UTC+8)"],
      "zh": ["短信核验", "2026-03-03 09:00 (UTC+8)"]}),
    ("application_progress", "expiry_reminder",
     {"to_state": "draft", "reminder_days": 30, "expires_at": "2026-04-16T01:00:00+00:00"},
     {"en": ["Reminder", "30 days", "2026-04-16 09:00 (UTC+8)"],
      "zh": ["提醒", "30 天", "2026-04-16"]}),
    ("application_progress", "extend_deadline",
     {"to_state": "rectification", "deadline": "2026-03-22T01:00:00+00:00"},
     {"en": ["extended", "2026-03-22 09:00 (UTC+8)"], "zh": ["延长", "2026-03-22 09:00 (UTC+8)"]}),
    ("application_review_result", "reject", {"to_state": "rejected", "reason": "Name mismatch"},
     {"en": ["rejected", "Name mismatch"], "zh": ["驳回", "Name mismatch"]}),
    ("application_review_result", "sms_timeout",
     {"to_state": "rejected", "reason": "SMS verification not completed within 24 h"},
     {"en": ["rejected", "within 24 h"], "zh": ["驳回", "within 24 h"]}),
    ("application_review_result", "approve",
     {"to_state": "approved", "icp_number": "京ICP备2026000001号"},
     {"en": ["approved", "京ICP备2026000001号"], "zh": ["已通过", "京ICP备2026000001号"]}),
    ("application_review_result", "expire",
     {"to_state": "expired", "reason": "filing order older than 45 days"},
     {"en": ["expired", "older than 45 days"], "zh": ["已过期", "older than 45 days"]}),
    ("item_review_result", "pass_inspection", {"to_state": "approved"},
     {"en": ["all items qualified"], "zh": ["全部合格"]}),
    ("item_review_result", "fail_inspection",
     {"to_state": "rectification", "items": ["Website name", "Server location"],
      "deadline": "2026-03-12T01:00:00+00:00"},
     {"en": ["rectification required", "Website name", "Server location",
             "2026-03-12 09:00 (UTC+8)"],
      "zh": ["需要整改", "Website name", "Server location", "2026-03-12 09:00 (UTC+8)"]}),
    ("item_review_result", "rectification_timeout",
     {"to_state": "cancelled", "reason": "rectification deadline passed"},
     {"en": ["cancelled", "deadline passed"], "zh": ["已注销", "整改期限已过"]}),
]


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize(("type_", "trigger", "facts", "phrases"), CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_every_notification_names_the_filing_its_domain_and_what_happened(
        type_, trigger, facts, phrases, language):
    text = rendered(delivery(type_, trigger, language, **facts))
    assert "F-2026-001" in text.subject
    assert "acme.cn" in text.subject
    assert "F-2026-001" in text.body
    assert "acme.cn" in text.body
    assert "Acme Shop" in text.body
    whole = f"{text.subject}\n{text.body}"
    for phrase in phrases[language]:
        assert phrase.lower() in whole.lower()
    assert "\n" not in text.subject


def test_english_and_chinese_texts_differ_and_greet_the_receiver_by_name():
    en = rendered(delivery("application_progress", "submit", "en", to_state="submitted"))
    zh = rendered(delivery("application_progress", "submit", "zh", to_state="submitted"))
    assert en.body.startswith("Dear 张伟,")
    assert zh.body.startswith("张伟，您好")
    assert "阿里云消息中心" in zh.body
    assert "Alibaba Cloud Message Center" in en.body


def test_a_verification_delivery_keeps_its_stored_text():
    d = Delivery(dedup_key="verification:3", account_id="acme", channel="email",
                 receiver="contact", kind="verification", subject="Verify", body="link\n")
    assert (rendered(d).subject, rendered(d).body) == ("Verify", "link\n")


def test_the_email_is_one_mime_message_to_one_receiver_with_stable_headers():
    d = delivery("application_review_result", "approve", "zh", to_state="approved",
                 icp_number="京ICP备2026000001号")
    msg = email_message(d, rendered(d), mail_from="Message Center <no-reply@icpsim.example>",
                        now=NOW)
    raw = msg.as_bytes()
    assert raw.isascii()  # RFC 2047 names and subject, base64 body
    assert b"=?utf-8?" in raw
    back = message_from_bytes(raw, policy=policy.default)
    assert [a.addr_spec for a in back["To"].addresses] == ["owner@acme.example"]
    assert back["To"].addresses[0].display_name == "张伟"
    assert "京ICP备2026000001号" in str(back["Subject"])
    assert back["Message-ID"] == "<event.9.email.owner@icpsim.example>"
    assert back["Message-ID"] == message_id("event:9:email:owner", "x <a@icpsim.example>")
    assert back["Date"].datetime == NOW
    assert back["X-ICPSim-Type"] == "application_review_result"
    assert back["X-ICPSim-Filing"] == "F-2026-001"
    assert "京ICP备2026000001号" in back.get_content()


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_wire_form_is_exactly_what_the_email_generator_writes(language):
    d = delivery("item_review_result", "fail_inspection", language, to_state="rectification",
                 items=["a very long item name " * 12], deadline="2026-03-12T01:00:00+00:00")
    msg = email_message(d, rendered(d), mail_from="Message Center <no-reply@icpsim.example>",
                        now=NOW)
    assert wire_bytes(msg) == msg.as_bytes(policy=email.policy.SMTP)
    assert b"\r\n" in wire_bytes(msg)
    assert b"\n" not in wire_bytes(msg).replace(b"\r\n", b"")


@pytest.mark.parametrize(("zone", "shown"), [("Asia/Shanghai", "2026-03-03 09:00 (UTC+8)"),
                                             ("Asia/Kolkata", "2026-03-03 06:30 (UTC+5:30)"),
                                             ("America/Sao_Paulo", "2026-03-02 22:00 (UTC-3)")])
def test_times_in_messages_are_in_the_accounts_zone_and_labelled(zone, shown):
    d = delivery("application_progress", "pass_review", "en", to_state="sms_verification",
                 deadline="2026-03-03T01:00:00+00:00", time_zone=zone)
    body = rendered(d).body
    assert shown in body
    assert "time_zone" not in body


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize(("type_", "trigger", "state"), [
    ("application_review_result", "reject", "rejected"),
    ("application_review_result", "sms_timeout", "rejected"),
    ("application_review_result", "expire", "expired"),
    ("item_review_result", "rectification_timeout", "cancelled")])
def test_a_reason_written_as_a_sentence_ends_with_one_full_stop(type_, trigger, state,
                                                                 language):
    reason = "The name does not match the entity." if language == "en" else "名称与主体不符。"
    text = rendered(delivery(type_, trigger, language, to_state=state, reason=reason))
    assert ".." not in text.body
    assert "。。" not in text.body
    assert ".。" not in text.body
    assert "。）" not in text.body
    assert reason.rstrip(".。") in text.body


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_sms_text_ends_a_sentence_reason_with_one_full_stop(language):
    text = rendered(delivery("sms", "reject", language, to_state="rejected",
                             reason="Name mismatch.", items=["Website name"]))
    assert ".." not in text.body
    assert ".。" not in text.body


@pytest.mark.parametrize(("language", "words"), [("en", "deadline extended"),
                                                  ("zh", "整改期限已延长")])
def test_extend_deadline_has_its_own_subject_not_rectification_required(language, words):
    text = rendered(delivery("application_progress", "extend_deadline", language,
                             to_state="rectification", deadline="2026-03-22T01:00:00+00:00"))
    assert words in text.subject
    assert "2026-03-22" in text.subject
    assert "Rectification required" not in text.subject
    assert "待整改" not in text.subject


def test_a_starting_process_compiles_every_template_of_every_language() -> None:
    from importlib.resources import files

    from notify.render import load_templates

    shipped = sorted(f"{lang.name}/{t.name}" for lang in files("notify").joinpath(
        "templates").iterdir() if lang.is_dir() for t in lang.iterdir())
    assert len(shipped) == 12  # six messages, English and Chinese
    assert load_templates() == len(shipped)
