"""The planner's version 2 rules: SMS, webhooks, daily limits, keywords, receive hours."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from notify.planner import Owner, PlannedDelivery, WebhookTarget, as_row, plan
from notify.rules import KeywordFilter, ReceiveHours, Rules, clean_hours, clean_words, local_day

OWNER = Owner(name="Zhang Wei", email="owner@acme.example", language="en")
# 2026-03-02 is a Monday; Shanghai is UTC+8.
MONDAY_NOON_SH = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)


@dataclass
class Event:
    id: int | None = 7
    notification_type: str = "application_progress"
    facts: dict[str, Any] = field(default_factory=lambda: {"filing_id": "F1"})


@dataclass
class Contact:
    id: int
    name: str
    email: str
    status: str = "verified"
    mobile: str | None = None
    mobile_status: str | None = None


def by_key(planned: list[PlannedDelivery]) -> dict[str, PlannedDelivery]:
    return {p.dedup_key: p for p in planned}


# SMS ----------------------------------------------------------------------------------

def test_sms_goes_only_to_verified_mobiles_and_says_why_the_others_get_none():
    contacts = [Contact(1, "Li Na", "li@a.example", mobile="13800000001",
                        mobile_status="verified"),
                Contact(2, "Wang Fang", "wang@a.example", mobile="13800000002",
                        mobile_status="pending"),
                Contact(3, "Chen Jie", "chen@a.example"),
                Contact(4, "Zhao Lei", "zhao@a.example", mobile="13800000004",
                        mobile_status="expired")]
    planned = by_key(plan(Event(), channels=["sms"], owner=OWNER, contacts=contacts))
    assert set(planned) == {f"event:7:sms:contact:{i}" for i in (1, 2, 3, 4)}
    ok = planned["event:7:sms:contact:1"]
    assert (ok.status, ok.to_address, ok.channel) == ("pending", "13800000001", "sms")
    assert planned["event:7:sms:contact:2"].reason == "mobile is pending verification"
    assert planned["event:7:sms:contact:3"].reason == "contact has no mobile"
    assert planned["event:7:sms:contact:4"].reason == "mobile verification link expired"


def test_a_verified_email_with_an_unverified_mobile_still_gets_email_but_no_sms():
    contact = Contact(1, "Li Na", "li@a.example", mobile="13800000001",
                      mobile_status="pending")
    planned = by_key(plan(Event(), channels=["email", "sms"], owner=OWNER,
                          contacts=[contact]))
    assert planned["event:7:email:contact:1"].status == "pending"
    assert planned["event:7:sms:contact:1"].status == "skipped"


def test_the_owners_mobile_counts_as_verified_and_without_one_the_owner_gets_no_sms():
    with_mobile = Owner(name="Zhang Wei", email="o@a.example", mobile="13900000000")
    planned = by_key(plan(Event(), channels=["sms"], owner=with_mobile, contacts=[]))
    assert planned["event:7:sms:owner"].to_address == "13900000000"
    assert plan(Event(), channels=["sms"], owner=OWNER, contacts=[]) == []


def test_two_receivers_with_one_mobile_get_one_sms():
    contacts = [Contact(1, "Li Na", "li@a.example", mobile="13900000000",
                        mobile_status="verified")]
    owner = Owner(name="Zhang Wei", email="o@a.example", mobile="13900000000")
    planned = by_key(plan(Event(), channels=["sms"], owner=owner, contacts=contacts))
    assert planned["event:7:sms:owner"].status == "pending"
    assert planned["event:7:sms:contact:1"].reason == "another receiver has the same mobile"


# webhooks -----------------------------------------------------------------------------

def test_each_selected_webhook_gets_one_call_per_event_and_none_when_the_channel_is_off():
    hooks = [WebhookTarget(3, "ops"), WebhookTarget(5, "dev")]
    planned = by_key(plan(Event(), channels=["webhook"], owner=OWNER, contacts=[],
                          webhooks=hooks))
    assert set(planned) == {"event:7:webhook:webhook:3", "event:7:webhook:webhook:5"}
    assert planned["event:7:webhook:webhook:3"].webhook_id == 3
    assert planned["event:7:webhook:webhook:5"].to_name == "dev"
    assert plan(Event(), channels=["email"], owner=OWNER, contacts=[], webhooks=hooks)[0] \
        .channel == "email"


def test_a_planned_webhook_row_keeps_its_webhook_id():
    p = plan(Event(), channels=["webhook"], owner=OWNER, contacts=[],
             webhooks=[WebhookTarget(3, "ops")])[0]
    row = as_row(p, Event(), account_id="acme", category="icp_filing", now=MONDAY_NOON_SH)
    assert (row["webhook_id"], row["channel"], row["receiver"]) == (3, "webhook", "webhook")


# daily limits -------------------------------------------------------------------------

def test_the_daily_limit_counts_what_each_receiver_already_has_today():
    contacts = [Contact(1, "Li Na", "li@a.example")]
    rules = Rules(per_day={"email": 2})
    planned = by_key(plan(Event(), channels=["email"], owner=OWNER, contacts=contacts,
                          rules=rules, now=MONDAY_NOON_SH,
                          sent_today={("email", "owner"): 2, ("email", "contact:1"): 1}))
    owner = planned["event:7:email:owner"]
    assert (owner.status, owner.reason) == (
        "skipped", "daily limit of 2 email messages per receiver reached")
    assert planned["event:7:email:contact:1"].status == "pending"


def test_the_daily_limit_is_per_channel_and_other_channels_are_unlimited():
    owner = Owner(name="Zhang Wei", email="o@a.example", mobile="13900000000")
    rules = Rules(per_day={"sms": 1})
    planned = by_key(plan(Event(), channels=["email", "sms"], owner=owner, contacts=[],
                          rules=rules, now=MONDAY_NOON_SH,
                          sent_today={("sms", "owner"): 1, ("email", "owner"): 50}))
    assert planned["event:7:sms:owner"].status == "skipped"
    assert planned["event:7:email:owner"].status == "pending"


def test_a_required_channel_and_internal_messages_have_no_daily_limit():
    rules = Rules(required=frozenset({"email"}), per_day={"email": 1, "internal": 1})
    planned = by_key(plan(Event(), channels=["email", "internal"], owner=OWNER, contacts=[],
                          rules=rules, now=MONDAY_NOON_SH,
                          sent_today={("email", "owner"): 9, ("internal", "account"): 9}))
    assert {p.status for p in planned.values()} == {"pending"}


def test_the_local_day_of_shanghai_starts_at_16_utc():
    start, end = local_day(datetime(2026, 3, 2, 15, 59, tzinfo=UTC))
    assert (start, end) == (datetime(2026, 3, 1, 16, tzinfo=UTC),
                            datetime(2026, 3, 2, 16, tzinfo=UTC))
    assert local_day(datetime(2026, 3, 2, 16, 0, tzinfo=UTC))[0] == datetime(
        2026, 3, 2, 16, tzinfo=UTC)


# keyword filters ----------------------------------------------------------------------

def test_allow_words_deliver_only_messages_holding_one_in_title_or_body():
    rules = Rules(keywords={"owner": KeywordFilter(allow=("Approved",))})
    kept = plan(Event(), channels=["email"], owner=OWNER, contacts=[], rules=rules,
                now=MONDAY_NOON_SH, title="Filing F1 approved", body="...")
    assert kept[0].status == "pending"
    in_body = plan(Event(), channels=["email"], owner=OWNER, contacts=[], rules=rules,
                   now=MONDAY_NOON_SH, title="Filing F1", body="It was APPROVED today")
    assert in_body[0].status == "pending"
    dropped = plan(Event(), channels=["email"], owner=OWNER, contacts=[], rules=rules,
                   now=MONDAY_NOON_SH, title="Filing F1 rejected", body="bad photo")
    assert (dropped[0].status, dropped[0].reason) == (
        "skipped", "message holds none of the allowed keywords 'Approved'")


def test_deny_words_win_over_allow_words_and_filter_only_their_receiver():
    contacts = [Contact(1, "Li Na", "li@a.example")]
    rules = Rules(keywords={"contact:1": KeywordFilter(allow=("filing",), deny=("rejected",))})
    planned = by_key(plan(Event(), channels=["email"], owner=OWNER, contacts=contacts,
                          rules=rules, now=MONDAY_NOON_SH, title="Filing rejected",
                          body="reason: blurry photo"))
    assert planned["event:7:email:contact:1"].reason == \
        "message holds the denied keyword 'rejected'"
    assert planned["event:7:email:owner"].status == "pending"


def test_keyword_filters_apply_to_webhooks_by_name_but_never_to_internal_messages():
    rules = Rules(keywords={"webhook:3": KeywordFilter(deny=("F1",)),
                            "account": KeywordFilter(deny=("F1",))})
    planned = by_key(plan(Event(), channels=["webhook", "internal"], owner=OWNER,
                          contacts=[], webhooks=[WebhookTarget(3, "ops")], rules=rules,
                          now=MONDAY_NOON_SH, title="F1", body=""))
    assert planned["event:7:webhook:webhook:3"].status == "skipped"
    assert planned["event:7:internal:account"].status == "pending"


def test_keywords_are_checked_before_the_limit_so_a_filtered_message_uses_no_quota():
    rules = Rules(per_day={"email": 1}, keywords={"owner": KeywordFilter(deny=("x",))})
    planned = plan(Event(), channels=["email"], owner=OWNER, contacts=[], rules=rules,
                   now=MONDAY_NOON_SH, title="x", body="", sent_today={("email", "owner"): 1})
    assert planned[0].reason == "message holds the denied keyword 'x'"


# receive hours ------------------------------------------------------------------------

def test_a_message_inside_the_receive_hours_is_due_at_once():
    rules = Rules(hours=ReceiveHours(frozenset(range(9, 18))))
    p = plan(Event(), channels=["email"], owner=OWNER, contacts=[], rules=rules,
             now=MONDAY_NOON_SH)[0]
    assert p.due_at is None
    assert as_row(p, Event(), account_id="a", category="icp_filing",
                  now=MONDAY_NOON_SH)["next_attempt_at"] == MONDAY_NOON_SH


def test_a_message_outside_the_receive_hours_waits_for_the_next_allowed_local_hour():
    rules = Rules(hours=ReceiveHours(frozenset(range(9, 18))))
    evening = datetime(2026, 3, 2, 12, 30, tzinfo=UTC)  # 20:30 in Shanghai
    p = plan(Event(), channels=["email"], owner=OWNER, contacts=[], rules=rules,
             now=evening)[0]
    assert (p.status, p.due_at) == ("pending", datetime(2026, 3, 3, 1, 0, tzinfo=UTC))
    row = as_row(p, Event(), account_id="a", category="icp_filing", now=evening)
    assert row["next_attempt_at"] == datetime(2026, 3, 3, 1, 0, tzinfo=UTC)


def test_receive_hours_across_midnight():
    hours = ReceiveHours(frozenset({22, 23, 0, 1}))
    assert hours.allows(datetime(2026, 3, 2, 16, 30, tzinfo=UTC))  # 00:30 local
    assert hours.next_allowed(datetime(2026, 3, 2, 18, 0, tzinfo=UTC)) == datetime(
        2026, 3, 3, 14, 0, tzinfo=UTC)  # 02:00 local -> 22:00 local


def test_receive_hours_skip_a_day_without_allowed_hours():
    weekdays = ReceiveHours(frozenset({9}), days=frozenset(range(5)))
    friday_evening = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)  # Friday 20:00 local
    assert weekdays.next_allowed(friday_evening) == datetime(2026, 3, 9, 1, 0, tzinfo=UTC)


def test_required_channels_and_internal_messages_ignore_receive_hours():
    rules = Rules(required=frozenset({"email"}), hours=ReceiveHours(frozenset({9})))
    evening = datetime(2026, 3, 2, 12, 30, tzinfo=UTC)
    planned = plan(Event(), channels=["email", "internal"], owner=OWNER, contacts=[],
                   rules=rules, now=evening)
    assert [p.due_at for p in planned] == [None, None]


def test_a_skipped_contact_is_not_moved_by_receive_hours():
    rules = Rules(hours=ReceiveHours(frozenset({9})))
    planned = plan(Event(), channels=["email"], owner=OWNER,
                   contacts=[Contact(1, "Li Na", "li@a.example", status="pending")],
                   rules=rules, now=datetime(2026, 3, 2, 12, 30, tzinfo=UTC))
    assert planned[1].status == "skipped"
    assert planned[1].due_at is None


# validation of rule values -------------------------------------------------------------

@pytest.mark.parametrize(("hours", "days"), [([], None), ([24], None), ([-1], None),
                                             (["9"], None), ([True], None), ([9], []),
                                             ([9], [7])])
def test_bad_hours_or_days_are_refused(hours, days):
    with pytest.raises(ValueError, match="hours|days"):
        clean_hours(hours, days)


def test_keywords_are_trimmed_deduplicated_and_bounded():
    assert clean_words([" ICP  filing ", "icp filing", "ok"], "allow") == ("ICP filing", "ok")
    with pytest.raises(ValueError, match="non-empty"):
        clean_words([""], "deny")
    with pytest.raises(ValueError, match="longer than"):
        clean_words(["x" * 51], "deny")
    with pytest.raises(ValueError, match="at most 20"):
        clean_words([f"w{i}" for i in range(21)], "deny")
