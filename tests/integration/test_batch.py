"""Many creations and transitions in one transaction: each exactly as the service does it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from workflow.batch import filing_batch
from workflow.errors import InvalidData, InvalidTransition, UnknownAccount
from workflow.filings import DuplicateFiling, FilingService
from workflow.models import OutboxEvent, Timer, TransitionLog

from .conftest import filing_service


@pytest.fixture
def batch_service(shared_db, clock, settings) -> FilingService:
    return filing_service(shared_db, clock, settings)


def test_a_batch_creates_and_moves_filings_as_the_service_does(batch_service, clock,
                                                               settings) -> None:
    now = clock.now()
    with filing_batch(batch_service.db, settings) as batch:
        a = batch.create("acme", "F1", type="first_filing", domain="Shop.CN",
                         website=" Shop ", actor="alice", now=now)
        batch.create("other", "F2", type="new_website", domain="b.cn", website="B",
                     actor="bob", now=now)
        batch.fire(a["pk"], "submit", actor="alice", now=now + timedelta(hours=1))
        batch.fire(a["pk"], "start_review", actor="rev", now=now + timedelta(hours=2))
    f1 = batch_service.get("acme", "F1")
    assert (f1.state, f1.domain, f1.website, f1.version) == ("under_review", "shop.cn",
                                                             "Shop", 3)
    assert [h.trigger for h in batch_service.history("acme", "F1")] == ["submit",
                                                                       "start_review"]
    assert batch_service.get("other", "F2").state == "draft"
    with batch_service.db.transaction() as s:
        assert s.exec(select(func.count()).select_from(OutboxEvent)).one() == 2
        kinds = sorted(s.exec(select(Timer.kind).where(Timer.filing_pk == a["pk"])).all())
    assert kinds == ["expire", "expiry_reminder", "expiry_reminder"]  # as create() makes


def test_a_refused_move_writes_nothing_and_the_batch_goes_on(batch_service, clock,
                                                             settings) -> None:
    now = clock.now()
    with filing_batch(batch_service.db, settings) as batch:
        row = batch.create("acme", "F1", type="first_filing", domain="a.cn", website="A",
                           actor="alice", now=now)
        with pytest.raises(InvalidTransition):
            batch.fire(row["pk"], "approve", {"icp_number": "X"}, actor="x", now=now)
        with pytest.raises(InvalidData):
            batch.create("acme", "bad id!", type="first_filing", domain="a.cn", website="A",
                         actor="alice", now=now)
        with pytest.raises(DuplicateFiling):
            batch.create("acme", "F1", type="first_filing", domain="a.cn", website="A",
                         actor="alice", now=now)
        with pytest.raises(UnknownAccount):
            batch.create("nobody", "F9", type="first_filing", domain="a.cn", website="A",
                         actor="alice", now=now)
        batch.fire(row["pk"], "submit", actor="alice", now=now)
    assert batch_service.get("acme", "F1").state == "submitted"
    with batch_service.db.transaction() as s:
        assert s.exec(select(func.count()).select_from(TransitionLog)).one() == 1
    assert [f.filing_id for f in batch_service.list()] == ["F1"]


def test_an_error_leaving_the_batch_rolls_all_of_it_back(batch_service, clock,
                                                         settings) -> None:
    def create_then_fail() -> None:
        with filing_batch(batch_service.db, settings) as batch:
            batch.create("acme", "F1", type="first_filing", domain="a.cn", website="A",
                         actor="alice", now=clock.now())
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        create_then_fail()
    assert batch_service.list() == []
