"""Two dispatchers (and two relays) racing on the same rows send each email exactly once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

from sqlalchemy import insert
from sqlmodel import select

from notify.dispatch import dispatch_due
from notify.models import Delivery, DeliveryAttempt
from notify.relay import relay_due
from notify.senders import SmtpSender
from workflow.models import Account, Filing, OutboxEvent

N = 60


def seed_events(db, now, count: int) -> None:
    with db.transaction() as s:
        s.add(Account(id="acme", owner_name="Zhang Wei", owner_email="owner@acme.example",
                      created_at=now))
        s.flush()
        s.execute(insert(Filing), [{
            "account_id": "acme", "filing_id": f"F{i}", "type": "first_filing",
            "domain": f"site{i}.cn", "website": f"Site {i}", "state": "submitted",
            "created_at": now, "updated_at": now} for i in range(count)])
        pks = s.exec(select(Filing.pk).order_by(Filing.pk)).all()
        s.execute(insert(OutboxEvent), [{
            "account_id": "acme", "filing_pk": pk, "at": now,
            "notification_type": "application_progress", "trigger": "submit",
            "facts": {"filing_id": f"F{i}", "filing_type": "first_filing",
                      "domain": f"site{i}.cn", "website": f"Site {i}", "trigger": "submit",
                      "from_state": "draft", "to_state": "submitted"}}
            for i, pk in enumerate(pks)])


def race(*targets) -> list[int]:
    """Run each target in its own thread, from one barrier, until it finds no more work."""
    done: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(targets))

    def run(target) -> None:
        try:
            barrier.wait()
            total = 0
            while (n := target()) > 0:
                total += n
            done.append(total)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert not any(t.is_alive() for t in threads)
    return done


def test_two_relays_racing_plan_each_event_once(shared_db, config, clock):
    seed_events(shared_db, clock.now(), N)
    small = config.with_(batch_size=7)
    done = race(*[lambda: relay_due(shared_db, now=clock.now(), config=small)] * 2)
    assert sum(done) == N
    with shared_db.transaction() as s:
        keys = s.exec(select(Delivery.dedup_key)).all()
    assert len(keys) == len(set(keys)) == 2 * N


def test_two_dispatchers_racing_on_the_same_rows_send_each_email_once(shared_db, config,
                                                                      clock, mail_sink):
    seed_events(shared_db, clock.now(), N)
    relay_due(shared_db, now=clock.now(), config=config)
    small = config.with_(batch_size=5)
    senders = [SmtpSender.from_url(mail_sink.url, mail_from=config.mail_from) for _ in "ab"]
    later = clock.now() + timedelta(seconds=1)
    done = race(*[lambda sender=sender: dispatch_due(shared_db, now=later, config=small,
                                                     sender=sender) for sender in senders])
    for sender in senders:
        sender.close()
    assert sum(done) == 2 * N
    assert Counter(m.message["Message-ID"] for m in mail_sink.messages).most_common(1)[0][1] == 1
    assert len(mail_sink.messages) == N
    with shared_db.transaction() as s:
        statuses = Counter(s.exec(select(Delivery.status)).all())
        attempts = s.exec(select(DeliveryAttempt)).all()
    assert statuses == Counter({"sent": 2 * N})
    assert len(attempts) == 2 * N
