"""Lifecycle timers: durable rows fired at their due time, once, and never when stale."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time
from sqlmodel import select

from tests.conftest import START
from tests.integration.conftest import drive, filing_service
from workflow.clock import SimulatedClock, SystemClock
from workflow.errors import InvalidTransition
from workflow.lifecycle import State
from workflow.models import Filing, OutboxEvent, Timer, TransitionLog
from workflow.timers import fire_due_timers, next_timer_at

OPEN = [State.draft, State.submitted, State.under_review, State.rejected]
SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)


class FrozenSystemClock(SystemClock):
    """The system clock under freezegun: ``set`` and ``advance`` move the frozen time."""

    def __init__(self, frozen: Any):
        self.frozen = frozen

    def set(self, when: datetime) -> None:
        if when < self.now():
            raise ValueError(f"the clock cannot move back from {self.now()} to {when}")
        self.frozen.move_to(when)

    def advance(self, delta: timedelta) -> datetime:
        self.frozen.tick(delta)
        return self.now()


@pytest.fixture(params=["simulated", "freezegun"])
def clock(request) -> Iterator[SimulatedClock | FrozenSystemClock]:
    """Every timer test runs on the simulated clock, and on the system clock under
    freezegun (the real-time path a worker takes)."""
    if request.param == "simulated":
        yield SimulatedClock(START)
        return
    with freeze_time(START) as frozen:
        yield FrozenSystemClock(frozen)


def _new(service, filing_id="F1", *, state=State.draft):
    service.create("acme", filing_id, type="first_filing", domain="acme.cn", website="Acme",
                   actor="alice")
    drive(service, "acme", filing_id, state)
    return service.get("acme", filing_id)


def _run(db, clock, settings, at) -> int:
    clock.set(at)
    return fire_due_timers(db, now=clock.now(), config=settings)


def _timers(db, kind=None) -> list[Timer]:
    with db.transaction() as s:
        query = select(Timer).order_by(Timer.id)
        if kind:
            query = query.where(Timer.kind == kind)
        return list(s.exec(query).all())


def _events(db) -> list[OutboxEvent]:
    with db.transaction() as s:
        return list(s.exec(select(OutboxEvent).order_by(OutboxEvent.id)).all())


def test_sms_verification_times_out_after_24_hours(service, db, clock, settings):
    entered = _new(service, state=State.sms_verification).updated_at
    assert _run(db, clock, settings, entered + timedelta(hours=24) - SECOND) == 0
    assert service.get("acme", "F1").state == State.sms_verification
    clock.advance(timedelta(hours=3))  # the job runs late: the transition keeps its due time
    assert fire_due_timers(db, now=clock.now(), config=settings) == 1
    assert service.get("acme", "F1").state == State.rejected
    last = service.history("acme", "F1")[-1]
    assert (last.trigger, last.actor, last.at) == ("sms_timeout", "system",
                                                     entered + timedelta(hours=24))
    assert "24 h" in last.data["reason"]
    event = _events(db)[-1]
    assert (event.notification_type, event.facts["reason"]) == ("application_review_result",
                                                                last.data["reason"])


def test_a_timely_sms_verification_cancels_the_timeout(service, db, clock, settings):
    _new(service, state=State.sms_verification)
    clock.advance(timedelta(hours=23))
    service.fire("acme", "F1", "verify_sms", actor="alice")
    assert _run(db, clock, settings, clock.now() + DAY) == 0
    assert service.get("acme", "F1").state == State.authority_review
    assert [t.status for t in _timers(db, "sms_timeout")] == ["cancelled"]


@pytest.mark.parametrize("state", OPEN)
def test_an_open_order_gets_reminders_at_30_and_40_days_and_expires_at_45(
        service, db, clock, settings, state):
    created = _new(service, state=state).created_at
    assert _run(db, clock, settings, created + 30 * DAY - SECOND) == 0
    assert _run(db, clock, settings, created + 30 * DAY) == 1
    assert _run(db, clock, settings, created + 40 * DAY) == 1
    assert service.get("acme", "F1").state == state
    assert _run(db, clock, settings, created + 45 * DAY - SECOND) == 0
    assert _run(db, clock, settings, created + 45 * DAY) == 1
    assert service.get("acme", "F1").state == State.expired
    reminders = [e for e in _events(db) if e.trigger == "expiry_reminder"]
    assert [(e.notification_type, e.facts["reminder_days"]) for e in reminders] == [
        ("application_progress", 30), ("application_progress", 40)]
    assert reminders[0].facts["expires_at"] == (created + 45 * DAY).isoformat()
    assert reminders[0].facts["from_state"] == reminders[0].facts["to_state"] == state
    history = service.history("acme", "F1")
    assert [h.trigger for h in history[-3:]] == ["expiry_reminder", "expiry_reminder", "expire"]
    assert history[-1].at == created + 45 * DAY


@pytest.mark.parametrize("state", [State.authority_review, State.approved, State.withdrawn,
                                   State.item_review, State.cancelled])
def test_an_order_past_review_gets_no_reminder_and_never_expires(
        service, db, clock, settings, state):
    filing = _new(service, state=state)
    before = len(_events(db))
    _run(db, clock, settings, filing.created_at + 46 * DAY)
    assert service.get("acme", "F1").state == state
    assert len(_events(db)) == before
    order_timers = [t for t in _timers(db) if t.kind in ("expire", "expiry_reminder")]
    assert {t.status for t in order_timers} <= {"skipped", "cancelled"}


def test_an_order_rejected_by_sms_timeout_still_expires(service, db, clock, settings):
    created = _new(service, state=State.sms_verification).created_at
    assert _run(db, clock, settings, created + 31 * DAY) == 2
    assert [h.trigger for h in service.history("acme", "F1")[-2:]] == [
        "sms_timeout", "expiry_reminder"]
    assert _run(db, clock, settings, created + 46 * DAY) == 2
    assert [h.trigger for h in service.history("acme", "F1")[-3:]] == [
        "sms_timeout", "expiry_reminder", "expire"]
    assert service.get("acme", "F1").state == State.expired
    assert [t.status for t in _timers(db, "expiry_reminder")] == ["fired", "skipped"]


def _reminders(db) -> list[int]:
    return [e.facts["reminder_days"] for e in _events(db) if e.trigger == "expiry_reminder"]


@pytest.mark.parametrize("state", OPEN)
def test_a_worker_back_after_the_expiry_sends_no_reminder_only_the_expiry(
        service, db, clock, settings, state):
    created = _new(service, state=state).created_at
    assert _run(db, clock, settings, created + 60 * DAY) == 3  # paused for two months
    assert service.get("acme", "F1").state == State.expired
    assert _reminders(db) == []
    assert [h.trigger for h in service.history("acme", "F1")][-1] == "expire"
    skipped = _timers(db, "expiry_reminder")
    assert [(t.status, t.detail["skipped"]) for t in skipped] == [
        ("skipped", "the expiry it announces is due")] * 2


def test_a_worker_back_at_the_expiry_itself_sends_no_reminder(service, db, clock, settings):
    created = _new(service).created_at
    assert _run(db, clock, settings, created + 45 * DAY) == 3
    assert _reminders(db) == []
    assert service.get("acme", "F1").state == State.expired


def test_a_worker_back_after_both_reminder_days_sends_only_the_later_reminder(
        service, db, clock, settings):
    created = _new(service).created_at
    assert _run(db, clock, settings, created + 41 * DAY) == 2
    assert _reminders(db) == [40]
    assert [(t.status, t.detail.get("skipped")) for t in _timers(db, "expiry_reminder")] == [
        ("skipped", "a later reminder is due too"), ("fired", None)]
    assert service.get("acme", "F1").state == State.draft
    assert _run(db, clock, settings, created + 45 * DAY) == 1
    assert service.get("acme", "F1").state == State.expired


def test_a_late_reminder_still_ahead_of_the_expiry_is_sent_at_its_own_time(
        service, db, clock, settings):
    created = _new(service).created_at
    assert _run(db, clock, settings, created + 35 * DAY) == 1
    assert _reminders(db) == [30]
    assert service.history("acme", "F1")[-1].at == created + 30 * DAY


def test_rectification_is_cancelled_at_the_deadline(service, db, clock, settings):
    entered = _new(service, state=State.rectification).updated_at
    assert _run(db, clock, settings, entered + 10 * DAY - SECOND) == 0
    assert _run(db, clock, settings, entered + 10 * DAY) == 1
    assert service.get("acme", "F1").state == State.cancelled
    event = _events(db)[-1]
    assert (event.trigger, event.notification_type) == ("rectification_timeout",
                                                         "item_review_result")


def test_one_extension_moves_the_rectification_deadline(service, db, clock, settings):
    entered = _new(service, state=State.rectification).updated_at
    clock.advance(5 * DAY)
    service.fire("acme", "F1", "extend_deadline", actor="alice")
    with pytest.raises(InvalidTransition):
        service.fire("acme", "F1", "extend_deadline", actor="alice")
    assert _run(db, clock, settings, entered + 20 * DAY - SECOND) == 0
    assert service.get("acme", "F1").state == State.rectification
    assert _run(db, clock, settings, entered + 20 * DAY) == 1
    assert service.get("acme", "F1").state == State.cancelled
    assert [t.status for t in _timers(db, "rectification_timeout")] == ["cancelled", "fired"]


def test_a_given_deadline_in_days_sets_the_rectification_timer(service, db, clock, settings):
    _new(service, state=State.item_review)
    service.fire("acme", "F1", "fail_inspection", {"items": ["title"], "deadline_days": 3},
                 actor="reviewer")
    assert next_timer_at(db) == clock.now() + 3 * DAY
    assert _run(db, clock, settings, clock.now() + 3 * DAY) == 1
    assert service.get("acme", "F1").state == State.cancelled


def test_a_rectified_filing_never_gets_the_old_deadline(service, db, clock, settings):
    entered = _new(service, state=State.rectification).updated_at
    clock.advance(2 * DAY)
    service.fire("acme", "F1", "rectify", actor="alice")
    clock.advance(2 * DAY)
    service.fire("acme", "F1", "fail_inspection", {"items": ["title"]}, actor="reviewer")
    assert _run(db, clock, settings, entered + 10 * DAY) == 0
    assert service.get("acme", "F1").state == State.rectification
    assert _run(db, clock, settings, entered + 14 * DAY) == 1


def test_a_stale_timer_is_skipped_not_fired(service, db, clock, settings):
    filing = _new(service)
    with db.transaction() as s:  # a timer whose state has gone (e.g. left by a crash)
        s.add(Timer(filing_pk=filing.pk, kind="sms_timeout", due_at=clock.now(),
                    created_at=clock.now()))
    assert _run(db, clock, settings, clock.now()) == 1
    assert service.get("acme", "F1").version == filing.version
    assert service.history("acme", "F1") == []
    assert _timers(db, "sms_timeout")[0].status == "skipped"


def test_next_timer_at_is_the_earliest_pending_due_time(service, db, clock, settings):
    assert next_timer_at(db) is None
    created = _new(service).created_at
    assert next_timer_at(db) == created + 30 * DAY
    _run(db, clock, settings, created + 30 * DAY)
    assert next_timer_at(db) == created + 40 * DAY


def test_two_workers_fire_each_timer_once(shared_db, clock, settings):
    file_db = shared_db
    service = filing_service(file_db, clock, settings.with_(batch_size=3))
    for n in range(12):
        _new(service, f"F{n}", state=State.sms_verification)
    clock.advance(timedelta(hours=25))
    barrier, fired = threading.Barrier(2), []

    def worker():
        barrier.wait()
        fired.append(fire_due_timers(file_db, now=clock.now(), config=settings.with_(
            batch_size=3)))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(fired) == 12
    with file_db.transaction() as s:
        logs = s.exec(select(TransitionLog.filing_pk).where(
            TransitionLog.trigger == "sms_timeout")).all()
        states = set(s.exec(select(Filing.state)).all())
    assert sorted(logs) == sorted(set(logs))
    assert len(logs) == 12
    assert states == {"rejected"}
    assert {t.status for t in _timers(file_db, "sms_timeout")} == {"fired"}


def test_a_reminder_whose_later_one_another_worker_already_sent_is_skipped(
        service, db, clock, settings):
    created = _new(service).created_at
    back = created + 41 * DAY
    thirty = _timers(db, "expiry_reminder")[0]
    with db.transaction() as s:  # a worker claimed the 30-day reminder, then died
        held = s.get(Timer, thirty.id)
        held.claimed_until, held.claimed_by = back + settings.lease, "dead-worker"
        s.add(held)
    assert _run(db, clock, settings, back) == 1
    assert _reminders(db) == [40]
    assert _run(db, clock, settings, back + settings.lease + SECOND) == 1  # the lease ended
    assert _reminders(db) == [40]
    assert _timers(db, "expiry_reminder")[0].detail["skipped"] == "a later reminder is due too"
