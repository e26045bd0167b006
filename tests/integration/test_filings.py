"""Filings: creation, and transitions writing state, history, outbox and timers in one go."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from tests.integration.conftest import TRIGGER_DATA, drive, filing_service
from workflow import transition
from workflow.errors import IcpsimError, InvalidData, InvalidTransition, StaleFiling, UnknownFiling
from workflow.lifecycle import LIFECYCLE, State, Trigger
from workflow.models import Filing, OutboxEvent, Timer, TransitionLog

ALLOWED = {(s, r.trigger.value): r for r in LIFECYCLE for s in r.sources}


def _new(service, filing_id="F1", *, account="acme", state=State.draft):
    service.create(account, filing_id, type="first_filing", domain="acme.cn",
                   website="Acme Shop", actor="alice")
    drive(service, account, filing_id, state)
    return service.get(account, filing_id)


def _counts(db) -> dict[str, object]:
    with db.transaction() as s:
        counts: dict[str, object] = {
            m.__name__: s.exec(select(func.count()).select_from(m)).one()
            for m in (Filing, TransitionLog, OutboxEvent, Timer)
        }
        counts["timers"] = sorted(s.exec(select(Timer.id, Timer.status)).all())
        counts["filings"] = sorted(s.exec(select(Filing.pk, Filing.state, Filing.version)).all())
    return counts


def _last(db, model):
    with db.transaction() as s:
        return s.exec(select(model).order_by(model.id.desc())).first()


@pytest.mark.parametrize(("state", "trigger"), [(s, t.value) for s in State for t in Trigger])
def test_every_state_and_trigger_pair_moves_or_is_refused_without_a_trace(
        service, db, state, trigger):
    before = _new(service, state=state)
    counts = _counts(db)
    if (state, trigger) not in ALLOWED:
        with pytest.raises(InvalidTransition) as refused:
            service.fire("acme", "F1", trigger, TRIGGER_DATA.get(trigger), actor="bob")
        assert refused.value.code == "invalid_transition"
        assert _counts(db) == counts
        return
    rule = ALLOWED[(state, trigger)]
    after = service.fire("acme", "F1", trigger, TRIGGER_DATA.get(trigger), actor="bob")
    assert after.state == rule.dest
    assert after.version == before.version + 1
    assert service.get("acme", "F1").state == rule.dest
    now = _counts(db)
    assert now["TransitionLog"] == counts["TransitionLog"] + 1
    assert now["OutboxEvent"] == counts["OutboxEvent"] + 1
    log, event = _last(db, TransitionLog), _last(db, OutboxEvent)
    assert (log.trigger, log.source, log.dest, log.actor) == (trigger, state, rule.dest, "bob")
    assert event.notification_type == rule.notification
    assert event.facts["from_state"] == state
    assert event.facts["to_state"] == rule.dest


def test_outbox_facts_name_the_filing_and_what_happened(service, db, clock):
    _new(service, state=State.authority_review)
    service.fire("acme", "F1", "approve", {"icp_number": "京ICP备2026000001号"}, actor="bob")
    event = _last(db, OutboxEvent)
    assert event.account_id == "acme"
    assert event.trigger == "approve"
    assert event.facts == {
        "filing_id": "F1", "filing_type": "first_filing", "domain": "acme.cn",
        "website": "Acme Shop", "trigger": "approve", "from_state": "authority_review",
        "to_state": "approved", "icp_number": "京ICP备2026000001号"}
    assert service.get("acme", "F1").icp_number == "京ICP备2026000001号"


def test_pass_review_sets_the_sms_deadline_and_its_timer(service, db, clock, settings):
    filing = _new(service, state=State.sms_verification)
    deadline = clock.now() + settings.sms_window
    assert filing.sms_deadline == deadline
    assert _last(db, OutboxEvent).facts["deadline"] == deadline.isoformat()
    timer = _last(db, Timer)
    assert (timer.kind, timer.due_at, timer.status) == ("sms_timeout", deadline, "pending")


def test_fail_inspection_records_items_and_a_deadline_in_days(service, db, clock):
    _new(service, state=State.item_review)
    filing = service.fire("acme", "F1", "fail_inspection",
                          {"items": ["title", "contact"], "deadline_days": 3}, actor="reviewer")
    assert filing.rectification_deadline == clock.now() + timedelta(days=3)
    facts = _last(db, OutboxEvent).facts
    assert facts["items"] == ["title", "contact"]
    assert facts["deadline"] == (clock.now() + timedelta(days=3)).isoformat()


def test_the_deadline_extends_once_per_rectification(service, db, clock, settings):
    filing = _new(service, state=State.rectification)
    first = filing.rectification_deadline
    extended = service.fire("acme", "F1", "extend_deadline", actor="alice")
    assert extended.rectification_deadline == first + settings.extension_period
    assert service.allowed_triggers(extended) == ["rectify"]
    counts = _counts(db)
    with pytest.raises(InvalidTransition, match="only once"):
        service.fire("acme", "F1", "extend_deadline", actor="alice")
    assert _counts(db) == counts
    service.fire("acme", "F1", "rectify", actor="alice")
    again = service.fire("acme", "F1", "fail_inspection", {"items": ["title"]}, actor="reviewer")
    assert not again.deadline_extended
    assert service.fire("acme", "F1", "extend_deadline", actor="alice").deadline_extended


def test_history_records_when_trigger_from_to_actor_and_data(service, clock):
    _new(service)
    service.fire("acme", "F1", "submit", actor="alice")
    clock.advance(timedelta(hours=2))
    service.fire("acme", "F1", "start_review", actor="reviewer")
    service.fire("acme", "F1", "reject", {"reason": "wrong domain owner"}, actor="reviewer")
    history = service.history("acme", "F1")
    assert [(h.trigger, h.source, h.dest, h.actor) for h in history] == [
        ("submit", "draft", "submitted", "alice"),
        ("start_review", "submitted", "under_review", "reviewer"),
        ("reject", "under_review", "rejected", "reviewer")]
    assert history[1].at == clock.now()
    assert history[2].data == {"reason": "wrong domain owner"}


def test_a_missing_datum_is_invalid_data_and_writes_nothing(service, db):
    _new(service, state=State.under_review)
    counts = _counts(db)
    with pytest.raises(InvalidData) as refused:
        service.fire("acme", "F1", "reject", actor="reviewer")
    assert (refused.value.code, refused.value.field) == ("invalid_data", "reason")
    assert _counts(db) == counts


def test_another_accounts_filing_is_unknown(service, db):
    _new(service)
    counts = _counts(db)
    for account, filing_id in (("other", "F1"), ("acme", "F404")):
        with pytest.raises(UnknownFiling) as refused:
            service.fire(account, filing_id, "submit", actor="mallory")
        assert refused.value.code == "unknown_filing"
        with pytest.raises(UnknownFiling):
            service.get(account, filing_id)
    assert _counts(db) == counts
    assert service.find("F1").account_id == "acme"


def test_a_stale_expected_version_is_a_conflict(service, db):
    filing = _new(service)
    service.fire("acme", "F1", "submit", actor="alice", expected_version=filing.version)
    counts = _counts(db)
    with pytest.raises(StaleFiling) as refused:
        service.fire("acme", "F1", "withdraw", actor="bob", expected_version=filing.version)
    assert refused.value.code == "conflict"
    assert _counts(db) == counts


def test_a_failure_after_the_state_update_leaves_nothing(service, db, monkeypatch):
    _new(service, state=State.under_review)
    counts = _counts(db)

    def broken_outbox(*args, **kwargs):
        raise RuntimeError("outbox write failed")

    monkeypatch.setattr(transition, "write_outbox", broken_outbox)
    with pytest.raises(RuntimeError, match="outbox write failed"):
        service.fire("acme", "F1", "pass_review", actor="reviewer")
    assert _counts(db) == counts
    assert service.get("acme", "F1").state == State.under_review


def test_two_concurrent_fires_on_one_filing_one_wins(shared_db, clock, settings):
    file_db = shared_db
    service = filing_service(file_db, clock, settings)
    filing = _new(service)
    barrier, outcomes = threading.Barrier(2), []

    def fire(trigger):
        barrier.wait()
        try:
            moved = service.fire("acme", "F1", trigger, actor=trigger,
                                 expected_version=filing.version)
            outcomes.append(("moved", moved.state))
        except IcpsimError as exc:
            outcomes.append(("refused", exc.code))

    threads = [threading.Thread(target=fire, args=(t,)) for t in ("submit", "withdraw")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    (won, state), (lost, code) = sorted(outcomes)
    assert (won, lost) == ("moved", "refused")
    assert code in {"conflict", "invalid_transition"}
    assert service.get("acme", "F1").state == state
    assert len(service.history("acme", "F1")) == 1


def test_create_schedules_expiry_and_reminders(service, db, clock, settings):
    filing = _new(service)
    assert (filing.state, filing.version, filing.created_by) == ("draft", 1, "alice")
    with db.transaction() as s:
        timers = sorted((t.due_at - filing.created_at, t.kind)
                        for t in s.exec(select(Timer)).all())
    assert timers == [(timedelta(days=30), "expiry_reminder"),
                      (timedelta(days=40), "expiry_reminder"), (timedelta(days=45), "expire")]


@pytest.mark.parametrize(("field", "values"), [
    ("type", {"type": "second_filing"}),
    ("domain", {"domain": "not a domain"}),
    ("domain", {"domain": "localhost"}),
    ("domain", {"domain": "-bad.cn"}),
    ("domain", {"domain": "acme.123"}),
    ("website", {"website": "  "}),
    ("filing_id", {"filing_id": "F 1"}),
    ("filing_id", {"filing_id": "F" * 65}),
])
def test_create_refuses_bad_fields_and_stores_nothing(service, db, field, values):
    args = {"filing_id": "F1", "type": "new_website", "domain": "acme.cn", "website": "Acme"}
    args.update(values)
    with pytest.raises(InvalidData) as refused:
        service.create("acme", args.pop("filing_id"), actor="alice", **args)
    assert (refused.value.code, refused.value.field) == ("invalid_data", field)
    assert service.list() == []


def test_create_accepts_chinese_domains_and_lowercases(service):
    filing = service.create("acme", "F-2", type="add_access", domain="Shop.例子.中国",
                            website="例子商店", actor="alice")
    assert filing.domain == "shop.例子.中国"


def test_a_filing_id_is_unique_per_account(service):
    _new(service)
    with pytest.raises(IcpsimError) as refused:
        _new(service)
    assert refused.value.code == "duplicate_filing"
    _new(service, account="other")
    assert [f.account_id for f in service.list()] == ["acme", "other"]
    assert [f.filing_id for f in service.list("other")] == ["F1"]


def test_allowed_triggers_are_the_manual_ones_of_the_state(service):
    assert service.allowed_triggers(_new(service)) == ["submit", "withdraw"]
    sms = _new(service, "F2", state=State.sms_verification)
    assert service.allowed_triggers(sms) == ["verify_sms"]


def test_an_unknown_trigger_is_refused_and_writes_nothing(service, db):
    _new(service)
    counts = _counts(db)
    with pytest.raises(InvalidTransition) as refused:
        service.fire("acme", "F1", "approve_everything", actor="mallory")
    assert refused.value.code == "invalid_transition"
    assert _counts(db) == counts
