"""A run goes through the lifecycle table, its timers and the planner: with certain
behaviour and fixed durations, its counts are exactly what the table implies."""

from __future__ import annotations

import math
import statistics
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import select

from notify.models import Delivery
from scenarios.simulate.calendar import business_days_between

TWO_BATCHES = """\
filings:
  schedule:
    - {at: 2026-09-01T10:00:00+08:00, count: 6}
    - {at: 2026-09-03T15:00:00+08:00, count: 6}
"""
NO_CONTACTS = """\
contacts: {per_account: {min: 0, max: 0}}
channels: {email: 0, internal: 1}
"""


def test_when_nobody_verifies_by_sms_every_filing_is_rejected_24_hours_after_review(
        model_file, simulate) -> None:
    path = model_file(NO_CONTACTS + TWO_BATCHES + """\
stages:
  submit: {after: {fixed: 1h}}
  initial_review: {business_days: {fixed: 1}, reject: 0}
  sms_verification: {complete: 0}
  resubmit: {probability: 0}
""")
    run = simulate(path)
    s = run.summary
    assert s["filings_by_state"] == {"rejected": 12}
    expected = {"submit": 12, "start_review": 12, "pass_review": 12, "sms_timeout": 12}
    assert {k: v for k, v in s["transitions_by_trigger"].items() if v} == expected
    assert s["sms_timeouts"] == 12
    assert s["notifications_by_type"] == {"application_progress": 36,
                                          "application_review_result": 12}
    assert s["messages"]["internal"]["sent"] == 48
    assert s["messages"]["email"]["sent"] == 0
    for row in run.results.filings:
        moments = dict(run.history(row["filing"]))
        assert moments["sms_timeout"] - moments["pass_review"] == timedelta(hours=24)


def test_when_everyone_acts_at_once_every_filing_is_approved_in_fixed_business_days(
        model_file, simulate) -> None:
    path = model_file(NO_CONTACTS + TWO_BATCHES + """\
stages:
  submit: {after: {fixed: 1h}}
  initial_review: {business_days: {fixed: 1}, reject: 0}
  sms_verification: {complete: 1, after: {fixed: 2h}}
  authority_review: {business_days: {fixed: 2}, reject: 0}
""")
    s = simulate(path).summary
    assert s["filings_by_state"] == {"approved": 12}
    assert {k: v for k, v in s["transitions_by_trigger"].items() if v} == {
        "submit": 12, "start_review": 12, "pass_review": 12, "verify_sms": 12, "approve": 12}
    assert s["notifications_by_type"] == {"application_progress": 48,
                                          "application_review_result": 12}
    assert s["time_to_approval"]["approved"] == 12
    assert s["time_to_approval"]["business_days"] == {"p50": 3, "p90": 3, "p99": 3, "max": 3}
    assert s["time_to_approval"]["calendar_days"]["max"] == 5.08  # Thursday to Tuesday


def test_filings_move_on_the_dates_of_the_state_council_schedule(model_file, simulate) -> None:
    path = model_file(NO_CONTACTS + """\
filings:
  schedule:
    - {at: 2026-09-18T10:00:00+08:00, count: 1}
    - {at: 2026-09-30T10:00:00+08:00, count: 1}
stages:
  submit: {after: {fixed: 1s}}
  initial_review: {business_days: {fixed: 1}}
  sms_verification: {complete: 1, after: {fixed: 1h}}
  authority_review: {business_days: {fixed: 1}}
""", start="2026-09-15T09:00:00+08:00", duration="30d")
    run = simulate(path)
    friday = {t: at.isoformat() for t, at in run.history("F0000001")}
    assert friday["pass_review"] == "2026-09-20T10:00:01+08:00"  # the adjusted working Sunday
    assert friday["verify_sms"] == "2026-09-20T11:00:01+08:00"
    assert friday["approve"] == "2026-09-21T11:00:01+08:00"
    eve = {t: at.isoformat() for t, at in run.history("F0000002")}
    assert eve["pass_review"] == "2026-10-08T10:00:01+08:00"  # after the National Day week
    assert eve["approve"] == "2026-10-09T11:00:01+08:00"
    days = {r["date"]: r for r in run.results.daily}
    assert days["2026-09-20"]["working_day"] == 1
    assert days["2026-10-03"]["working_day"] == 0
    assert days["2026-09-20"]["pass_review"] == 1


def test_authority_reviews_fall_in_the_model_range_with_its_median(model_file,
                                                                    simulate) -> None:
    low, high, mode = 1, 20, 5
    path = model_file(NO_CONTACTS + f"""\
filings:
  schedule:
    - {{at: 2026-03-02T10:00:00+08:00, count: 150}}
    - {{at: 2026-03-05T14:00:00+08:00, count: 150}}
stages:
  submit: {{after: {{fixed: 1h}}}}
  initial_review: {{business_days: {{fixed: 1}}}}
  sms_verification: {{complete: 1, after: {{fixed: 1h}}}}
  authority_review: {{business_days: {{min: {low}, max: {high}, mode: {mode}}}}}
""", start="2026-03-02T09:00:00+08:00", duration="45d", accounts=3)
    run = simulate(path)
    spans = []
    for row in run.results.filings:
        moments = dict(run.history(row["filing"]))
        if "verify_sms" in moments and "approve" in moments:
            spans.append(business_days_between(run.sim.calendar, moments["verify_sms"],
                                               moments["approve"]))
    assert len(spans) == 300
    assert min(spans) >= low
    assert max(spans) <= high
    # the triangular distribution's median (mode below the middle)
    median = high - math.sqrt((high - low) * (high - mode) / 2)
    assert abs(statistics.median(spans) - median) <= 0.1 * median


def test_missed_receivers_match_the_skipped_delivery_records(model_file, simulate) -> None:
    path = model_file(TWO_BATCHES + """\
contacts:
  per_account: {min: 1, max: 3}
  verify: {probability: 0.5, after: {median: 3h, p90: 2d}}
channels: {email: 1, internal: 1}
stages:
  submit: {after: {median: 2h, p90: 1d}}
  initial_review: {business_days: {min: 1, max: 2}}
  sms_verification: {complete: 1, after: {fixed: 1h}}
  authority_review: {business_days: {min: 1, max: 3}}
""")
    run = simulate(path)
    with run.sim.system.db.transaction() as s:
        skipped = s.exec(select(func.count()).select_from(Delivery).where(
            Delivery.kind == "notification", Delivery.status == "skipped",
            Delivery.receiver == "contact")).one()
        contacts = s.exec(select(func.count(func.distinct(Delivery.contact_id))).where(
            Delivery.kind == "notification", Delivery.status == "skipped")).one()
    missed = run.summary["receivers_missed"]
    assert missed["messages"] == skipped > 0
    assert missed["contacts"] == contacts
    assert sum(run.summary["messages"]["email"]["skipped"].values()) == skipped


def test_contacts_that_never_verify_miss_every_email_notification(model_file,
                                                                  simulate) -> None:
    path = model_file(TWO_BATCHES + """\
contacts:
  per_account: {min: 2, max: 2}
  verify: {probability: 0}
channels: {email: 1, internal: 1}
stages:
  submit: {after: {fixed: 1h}}
  sms_verification: {complete: 0}
""")
    s = simulate(path).summary
    events = sum(s["notifications_by_type"].values())
    assert s["receivers_missed"]["messages"] == 2 * events
    assert s["receivers_missed"]["contacts"] == s["population"]["contacts"]
    assert s["contacts"] == {"verified_again": 0, "never_verified": 8}


def test_a_mail_outage_delays_emails_and_loses_none(model_file, simulate) -> None:
    path = model_file(TWO_BATCHES + """\
contacts: {per_account: {min: 0, max: 0}}
channels: {email: 1, internal: 0}
stages:
  submit: {after: {fixed: 1h}}
  sms_verification: {complete: 0}
mail: {outages: [{at: 2026-09-01T10:30:00+08:00, for: 1d}]}
""")
    run = simulate(path)
    s = run.summary
    events = sum(s["notifications_by_type"].values())
    assert s["mail_server"]["outage"] > 0  # attempts refused while the server was down
    assert s["messages"]["email"] == {"sent": events, "failed": 0, "pending": 0,
                                      "skipped": {}}
    assert s["messages"]["internal"]["sent"] == 0
    with run.sim.system.db.transaction() as session:
        first = session.exec(select(func.min(Delivery.done_at)).where(
            Delivery.kind == "notification")).one()
    assert first.astimezone(run.sim.model.start.tzinfo).isoformat() >= "2026-09-02T10:30"


def test_accounts_with_sms_on_text_the_owner_and_every_verified_mobile(model_file,
                                                                       simulate) -> None:
    # contacts never confirm their new email address but verified their mobile: the
    # planner skips them by email and reaches them by SMS
    path = model_file(TWO_BATCHES + """\
contacts:
  per_account: {min: 1, max: 1}
  verify: {probability: 0}
channels: {email: 1, internal: 1, sms: 1}
stages:
  submit: {after: {fixed: 1h}}
  sms_verification: {complete: 0}
""")
    run = simulate(path)
    s = run.summary
    events = sum(s["notifications_by_type"].values())
    assert s["messages"]["sms"] == {"sent": 2 * events, "failed": 0, "pending": 0,
                                    "skipped": {}}
    assert s["messages"]["email"]["sent"] == events  # the owner only
    assert s["receivers_missed"]["messages"] == events  # the contact, by email
    assert sum(r["sms"] for r in run.results.daily) == 2 * events
    with run.sim.system.db.transaction() as session:
        texted = session.exec(select(func.count(func.distinct(Delivery.to_address))).where(
            Delivery.kind == "notification", Delivery.channel == "sms")).one()
    assert texted == 2 * s["population"]["accounts"]  # one owner and one contact each
