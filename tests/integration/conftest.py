"""Helpers shared by the integration tests of filings."""

from __future__ import annotations

from datetime import datetime

import pytest

from workflow.accounts import AccountService
from workflow.clock import Clock
from workflow.config import Config
from workflow.db import Database
from workflow.filings import FilingService
from workflow.lifecycle import State, path_to

# The data of the triggers that require some, for tests that walk the lifecycle.
TRIGGER_DATA = {
    "reject": {"reason": "the ID photo is blurry"},
    "approve": {"icp_number": "京ICP备2026000001号"},
    "fail_inspection": {"items": ["website title"]},
}


@pytest.fixture
def settings() -> Config:
    return Config(secret_key="test")


@pytest.fixture
def service(db: Database, clock: Clock, settings: Config) -> FilingService:
    return filing_service(db, clock, settings)


def filing_service(db: Database, clock: Clock, settings: Config) -> FilingService:
    """Filings on ``db``, with accounts "acme" and "other"."""
    accounts = AccountService(db, clock)
    for account in ("acme", "other"):
        accounts.create(account, owner_name="Zhang Wei", owner_email=f"owner@{account}.example")
    return FilingService(db, clock, settings)


def drive(service: FilingService, account: str, filing_id: str, state: State, *,
          actor: str = "alice", now: datetime | None = None) -> None:
    """Fire the shortest path from draft to ``state`` on an existing filing."""
    for trigger in path_to(state):
        service.fire(account, filing_id, trigger, TRIGGER_DATA.get(trigger), actor=actor, now=now)
