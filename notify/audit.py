"""The revision history of channels, receivers and contacts (docs/behaviour.md#audit)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from workflow.db import Database

from .models import AuditEntry


def record(
    session: Session,
    *,
    account_id: str,
    actor: str,
    subject: str,
    action: str,
    changes: dict[str, Any],
    at: datetime,
) -> AuditEntry:
    """Add one entry to the history in the caller's transaction.

    ``subject`` names what changed (``contact:3``, ``channels:icp_filing``,
    ``receivers:icp_filing``); ``changes`` maps each field to ``{"old": .., "new": ..}``.
    """
    entry = AuditEntry(
        account_id=account_id,
        at=at,
        actor=actor,
        subject=subject,
        action=action,
        changes=changes,
    )
    session.add(entry)
    return entry


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """``{field: {"old": .., "new": ..}}`` for the fields whose value differs."""
    return {
        k: {"old": old.get(k), "new": new.get(k)}
        for k in dict.fromkeys([*old, *new])
        if old.get(k) != new.get(k)
    }


class AuditService:
    def __init__(self, db: Database):
        self.db = db

    def history(self, account_id: str, subject: str | None = None) -> list[AuditEntry]:
        """The account's entries, newest first; only ``subject``'s when given."""
        query = select(AuditEntry).where(AuditEntry.account_id == account_id)
        if subject is not None:
            query = query.where(AuditEntry.subject == subject)
        query = query.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
        with self.db.transaction() as s:
            return list(s.exec(query).all())

    def page(self, account_id: str, *, subjects: tuple[str, ...] = (), offset: int = 0,
             limit: int = 20) -> tuple[list[AuditEntry], int]:
        """One page of the account's entries, newest first, and how many there are in all.

        ``subjects`` keeps the entries whose subject is one of them, or starts with one
        ending in ``:`` (``"contact:"``: every contact); empty keeps all.
        """
        where: list[Any] = [col(AuditEntry.account_id) == account_id]
        if subjects:
            where.append(or_(*(col(AuditEntry.subject).startswith(x, autoescape=True)
                               if x.endswith(":") else col(AuditEntry.subject) == x
                               for x in subjects)))
        with self.db.transaction() as s:
            total = s.exec(select(func.count()).select_from(AuditEntry).where(*where)).one()
            rows = s.exec(select(AuditEntry).where(*where)
                          .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
                          .offset(max(offset, 0)).limit(limit)).all()
            return list(rows), int(total)


__all__ = ["AuditService", "diff", "record"]
