"""Leased claims: a worker takes due rows for a while; a crashed worker's claims return."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_, update
from sqlmodel import Session, select


def claim(
    session: Session,
    model: Any,
    *,
    due: ColumnElement[bool],
    now: datetime,
    lease: timedelta,
    limit: int,
) -> list[Any]:
    """Claim up to ``limit`` rows of ``model`` matching ``due`` whose lease is free.

    The conditional UPDATE repeats the lease condition, so two workers never hold the
    same row: on SQLite the statement runs under the write lock (BEGIN IMMEDIATE), on
    PostgreSQL the candidate SELECT skips rows another transaction has locked.
    ``model`` needs ``id``, ``claimed_until`` and ``claimed_by`` columns. Returns the
    claimed rows, ordered by id. ``now`` decides what is due; on PostgreSQL the lease
    itself is taken and tested on the database's clock.
    """
    on_postgresql = session.get_bind().dialect.name == "postgresql"
    # PostgreSQL: leases run on the database's clock, so a worker whose own clock is
    # skewed can neither steal a live lease nor hold one too long. (SQLite has one
    # machine's clock anyway; the scenario runner's simulated clock runs there.)
    lease_now: Any = func.statement_timestamp() if on_postgresql else now
    free = lease_free(model, lease_now)
    candidates = select(model.id).where(due, free).order_by(model.id).limit(limit)
    if on_postgresql:
        candidates = candidates.with_for_update(skip_locked=True)
    token = secrets.token_hex(8)
    # One round trip: the UPDATE hands back the rows it claimed (RETURNING, on SQLite
    # and PostgreSQL alike) instead of a SELECT of the token after it.
    rows = session.scalars(
        update(model)
        .where(model.id.in_(candidates.scalar_subquery()), free)
        .values(claimed_until=lease_now + lease, claimed_by=token)
        .returning(model),
        execution_options={"synchronize_session": False, "populate_existing": True},
    ).all()
    return sorted(rows, key=lambda row: row.id)


def lease_free(model: Any, now: Any) -> ColumnElement[bool]:
    """Rows of ``model`` no worker holds at ``now`` (a datetime or a bound parameter)."""
    return or_(model.claimed_until.is_(None), model.claimed_until < now)

