"""``Throttling.User``: each account's calls to the Alibaba-compatible endpoint, limited.

A token bucket per account, kept in the database so every process serving one instance
takes from the same allowance: it holds ``burst`` calls and refills at ``rate`` calls per
second. A signed call takes one; a call finding less than one is refused (HTTP 429, with
the time until the next call in ``Retry-After`` and ``x-acs-retry-after``) and takes
nothing, so a client that keeps trying gets through at the rate. Refill and take are
one statement (an upsert that writes nothing when the bucket is short), run in the
transaction that checks the signature and the nonce.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from functools import cache

from sqlalchemy import Float, bindparam, case, select, type_coerce
from sqlalchemy.types import NullType

from workflow.api_models import ApiAllowance
from workflow.db import Database
from workflow.fastsql import Prepared, RawTransaction

from .errors import ApiError


class Throttle:
    def __init__(self, db: Database, *, rate: float, burst: int,
                 now: Callable[[], float] = time.time):
        self.db = db
        self.rate = rate  # calls per second; 0: no limit
        self.burst = burst
        self._now = now

    def take(self, account_id: str, tx: RawTransaction) -> None:
        """One call of ``account_id``, or ``Throttling.User`` when its allowance is spent."""
        if self.rate <= 0:
            return
        statements = _statements(self.db.engine.dialect.name)
        now = self._now()
        values = {"a": account_id, "now": now, "rate": self.rate, "burst": float(self.burst)}
        if tx.execute(statements["take"], values):
            return
        row = tx.fetch_one(statements["level"], values)
        level = 0.0 if row is None else float(row["level"])
        wait = max(0.001, (1 - level) / self.rate)
        raise ApiError(
            "Throttling.User",
            f"Request was denied due to user flow control: this account may make "
            f"{_number(self.rate)} calls per second ({self.burst} at once); retry in "
            f"{wait:.3f} s", 429,
            # HTTP's header in seconds; the SDKs read theirs (milliseconds) into
            # ThrottlingException.retry_after and wait that long when retrying.
            headers={"Retry-After": str(math.ceil(wait)),
                     "x-acs-retry-after": str(math.ceil(wait * 1000))})


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


@cache
def _statements(dialect: str) -> dict[str, Prepared]:
    from sqlalchemy.dialects import postgresql, sqlite

    table = ApiAllowance.__table__  # type: ignore[attr-defined]
    now, rate, burst = (bindparam("now", type_=Float), bindparam("rate", type_=Float),
                        bindparam("burst", type_=Float))
    # The bucket's level now: refilled since its last take (never by a clock stepped back),
    # at most full.
    elapsed = case((now > table.c.updated, now - table.c.updated), else_=0.0)
    refilled = table.c.tokens + elapsed * rate
    level = case((refilled > burst, burst), else_=refilled)
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    take = insert(table).values(account_id=bindparam("a"), tokens=burst - 1.0, updated=now)
    take = take.on_conflict_do_update(
        index_elements=[table.c.account_id],
        set_={"tokens": level - 1.0,
              "updated": case((now > table.c.updated, now), else_=table.c.updated)},
        where=level >= 1.0)
    # Read as the driver gives it (a float; fastsql has no result type for an expression).
    current = select(type_coerce(level, NullType()).label("level")).where(
        table.c.account_id == bindparam("a"))
    return {"take": Prepared(take), "level": Prepared(current)}


__all__ = ["Throttle"]
