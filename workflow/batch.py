"""Many filing creations and transitions in one transaction (bulk runs, imports).

Each call is exactly what ``FilingService.create`` / ``fire`` does, on the raw path
(workflow/transition.py); only the transaction is shared. A refused call raises before
writing anything, so the batch goes on; an exception leaving the ``with`` rolls it all back.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, bindparam, select

from .config import Config
from .db import Database, UTCDateTime
from .deadlines import created_timers, insert_timers
from .errors import UnknownAccount, UnknownFiling
from .fastsql import Prepared, RawTransaction
from .filings import DuplicateFiling, check_new_filing
from .leases import lease_free
from .lifecycle import State
from .models import Account, Timer
from .timers import due_timers, fire_claimed
from .transition import FILING, Row, apply_trigger, load_row

TIMER = cast(Table, Timer.__table__)  # type: ignore[attr-defined]

ACCOUNT = cast(Table, Account.__table__)  # type: ignore[attr-defined]
_NEW_KEYS = ("account_id", "filing_id", "type", "domain", "website", "state", "version",
             "created_at", "updated_at", "deadline_extended", "created_by")


class FilingBatch:
    """Creates and moves filings inside one raw transaction."""

    def __init__(self, tx: RawTransaction, config: Config):
        self.tx = tx
        self.config = config

    def create(self, account_id: str, filing_id: str, *, type: str, domain: str, website: str,
               actor: str, now: datetime) -> Row:
        """A new filing in ``draft`` with its expiry and reminder timers; its row."""
        domain, website = check_new_filing(filing_id, type=type, domain=domain, website=website)
        try:
            load_row(self.tx, account_id=account_id, filing_id=filing_id)
        except UnknownFiling:
            pass
        else:
            raise DuplicateFiling(f"filing {filing_id!r} already exists in {account_id!r}",
                                  field="filing_id")
        # Checked first: a failed INSERT would abort the whole transaction on PostgreSQL.
        if self.tx.fetch_one(_account(), {"k_account": account_id}) is None:
            raise UnknownAccount(f"account {account_id!r} does not exist")
        self.tx.execute(_insert(), {
            "account_id": account_id, "filing_id": filing_id, "type": type,
            "domain": domain, "website": website, "state": State.draft.value,
            "version": 1, "created_at": now, "updated_at": now,
            "deadline_extended": False, "created_by": actor})
        row = load_row(self.tx, account_id=account_id, filing_id=filing_id)
        insert_timers(self.tx, created_timers(row["pk"], now, config=self.config))
        return row

    def fire(self, pk: int, trigger: str, data: Mapping[str, Any] | None = None, *,
             actor: str, now: datetime) -> Row:
        """Apply ``trigger`` to the filing with primary key ``pk``; its new row."""
        row = load_row(self.tx, pk=pk)
        return apply_trigger(self.tx, row, trigger, data, actor=actor, now=now,
                             config=self.config)


@contextmanager
def filing_batch(db: Database, config: Config) -> Iterator[FilingBatch]:
    """One transaction for many creations and transitions; committed when the block ends."""
    with db.raw_transaction() as tx:
        yield FilingBatch(tx, config)


@dataclass(frozen=True, slots=True)
class ClaimedTimer:
    """A claimed timer row, with the attributes the timers job reads."""

    id: int
    filing_pk: int
    kind: str
    due_at: datetime
    detail: dict[str, Any]
    claimed_by: str


def fire_due_timers(db: Database, *, now: datetime, config: Config) -> int:
    """The timers job with every due timer claimed and fired in one transaction: each
    one exactly as ``workflow.timers.fire_due_timers`` fires it (``fire_claimed``), in
    the same order (due time, then id). For a single writer (bulk runs): a filing moved
    by another transaction meanwhile rolls the whole batch back."""
    done = 0
    while True:
        with db.raw_transaction() as tx:
            token = secrets.token_hex(8)
            due = tx.fetch_all(_due_timers(), {"now": now})
            tx.execute_many(_claim_timer(), [{"k_id": r["id"], "until": now + config.lease,
                                              "token": token} for r in due])
            for row in due:
                timer = ClaimedTimer(**row, claimed_by=token)
                done += fire_claimed(tx, timer, now=now, config=config)
        if not due:
            return done


@cache
def _due_timers() -> Prepared:
    now = bindparam("now", type_=UTCDateTime)
    t = TIMER.c
    return Prepared(select(t.id, t.filing_pk, t.kind, t.due_at, t.detail)
                    .where(due_timers(now), lease_free(Timer, now))
                    .order_by(t.due_at, t.id))


@cache
def _claim_timer() -> Prepared:
    return Prepared(TIMER.update().where(TIMER.c.id == bindparam("k_id"))
                    .values(claimed_until=bindparam("until", type_=UTCDateTime),
                            claimed_by=bindparam("token")))


@cache
def _account() -> Prepared:
    return Prepared(select(ACCOUNT.c.id).where(ACCOUNT.c.id == bindparam("k_account")))


@cache
def _insert() -> Prepared:
    return Prepared(FILING.insert(), keys=_NEW_KEYS)


__all__ = ["ClaimedTimer", "FilingBatch", "filing_batch", "fire_due_timers"]
