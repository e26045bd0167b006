"""The due probe: which jobs have work now and the next due time, as the jobs see them."""

from __future__ import annotations

from datetime import timedelta

from notify.dispatch import next_attempt_query
from notify.due import next_due_at, probe
from notify.verification import next_expiry_at
from workflow.clock import as_utc
from workflow.timers import next_timer_at


def _next_attempt_at(db):
    with db.transaction() as s:
        when = s.execute(next_attempt_query()).scalar_one()
    return None if when is None else as_utc(when)


def _old_next_due(db):
    times = [t for t in (next_timer_at(db), _next_attempt_at(db), next_expiry_at(db)) if t]
    return min(times, default=None)


def test_an_empty_database_has_no_work_and_nothing_due(system, clock):
    due = probe(system.db, clock.now())
    assert due.jobs == frozenset()
    assert due.next_at is None
    assert next_due_at(system.db) is None


def test_each_job_is_flagged_while_it_has_work_and_no_longer_once_run(system, clock):
    system.accounts.create("acme", owner_name="Zhang Wei", owner_email="o@acme.example",
                           language="en")
    system.filings.create("acme", "F1", type="first_filing", domain="acme.cn",
                          website="Acme Shop", actor="acme")
    system.contacts.add("acme", name="Li Na", email="li@acme.example", title="CEO",
                        actor="owner")
    system.filings.fire("acme", "F1", "submit", None, actor="reviewer")
    now = clock.now()
    assert "relay_due" in probe(system.db, now).jobs
    assert system.relay_due(now) > 0
    due = probe(system.db, now)
    assert "relay_due" not in due.jobs
    assert "dispatch_due" in due.jobs
    assert system.dispatch_due(now) > 0
    due = probe(system.db, now)
    assert due.jobs == frozenset()
    assert due.next_at == next_due_at(system.db) == _old_next_due(system.db)
    assert due.next_at is not None
    assert due.next_at > now

    # At the next due time (a timer or the link's expiry) the probe names that job.
    later = due.next_at
    flagged = probe(system.db, later).jobs
    assert flagged & {"fire_due_timers", "expire_contacts"}
    assert system.run_due(later) > 0
    assert probe(system.db, later).jobs == frozenset()


def test_settle_returns_the_work_done_and_the_next_due_time(system, clock):
    system.accounts.create("acme", owner_name="Zhang Wei", owner_email="o@acme.example",
                           language="en")
    system.contacts.add("acme", name="Li Na", email="li@acme.example", title="CEO",
                        actor="owner")
    done, when = system.settle()
    assert done > 0
    assert when == clock.now() + timedelta(hours=72) == system.next_due_at()
    assert system.settle() == (0, when)
    assert "expire_contacts" in probe(system.db, when).jobs
