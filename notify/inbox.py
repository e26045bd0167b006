"""Internal messages: an account's inbox, newest first, read flags, deletion.

The rules: docs/behaviour.md#internal-messages.
"""

from __future__ import annotations

from sqlalchemy import delete, func, update
from sqlmodel import col, select

from workflow.clock import Clock
from workflow.db import Database
from workflow.errors import NotFound

from .models import InboxMessage


class UnknownMessage(NotFound):
    code = "unknown_message"


class InboxService:
    """Every method is scoped to one account: another account's message is not found."""

    def __init__(self, db: Database, clock: Clock):
        self.db = db
        self.clock = clock

    def list(self, account_id: str, *, type: str | None = None,
             unread_only: bool = False) -> list[InboxMessage]:
        """Newest first, optionally of one notification type or only the unread ones."""
        query = select(InboxMessage).where(InboxMessage.account_id == account_id)
        if type is not None:
            query = query.where(InboxMessage.type == type)
        if unread_only:
            query = query.where(col(InboxMessage.read).is_(False))
        query = query.order_by(col(InboxMessage.created_at).desc(), col(InboxMessage.id).desc())
        with self.db.transaction() as s:
            return list(s.exec(query).all())

    def unread_count(self, account_id: str, *, type: str | None = None) -> int:
        query = select(func.count()).select_from(InboxMessage).where(
            InboxMessage.account_id == account_id, col(InboxMessage.read).is_(False))
        if type is not None:
            query = query.where(InboxMessage.type == type)
        with self.db.transaction() as s:
            return int(s.exec(query).one())

    def get(self, account_id: str, message_id: int) -> InboxMessage:
        with self.db.transaction() as s:
            row = s.get(InboxMessage, message_id)
        if row is None or row.account_id != account_id:
            raise UnknownMessage(f"message {message_id} does not exist in account "
                                 f"{account_id!r}")
        return row

    def open(self, account_id: str, message_id: int) -> InboxMessage:
        """The message, marked read (opening it in the console reads it)."""
        self.mark_read(account_id, message_id)
        return self.get(account_id, message_id)

    def mark_read(self, account_id: str, message_id: int) -> None:
        with self.db.transaction() as s:
            done = s.execute(update(InboxMessage).where(
                col(InboxMessage.id) == message_id, col(InboxMessage.account_id) == account_id)
                .values(read=True))
            if getattr(done, "rowcount", 1) == 0:
                raise UnknownMessage(f"message {message_id} does not exist in account "
                                     f"{account_id!r}")

    def mark_all_read(self, account_id: str) -> int:
        """Mark every unread message read; returns how many changed."""
        with self.db.transaction() as s:
            done = s.execute(update(InboxMessage).where(
                col(InboxMessage.account_id) == account_id, col(InboxMessage.read).is_(False))
                .values(read=True))
            return int(getattr(done, "rowcount", 0) or 0)

    def delete(self, account_id: str, message_id: int) -> None:
        with self.db.transaction() as s:
            done = s.execute(delete(InboxMessage).where(
                col(InboxMessage.id) == message_id, col(InboxMessage.account_id) == account_id))
            if getattr(done, "rowcount", 1) == 0:
                raise UnknownMessage(f"message {message_id} does not exist in account "
                                     f"{account_id!r}")

    def delete_all(self, account_id: str) -> int:
        """Delete every message of the account; returns how many."""
        with self.db.transaction() as s:
            done = s.execute(delete(InboxMessage).where(col(InboxMessage.account_id) == account_id))
            return int(getattr(done, "rowcount", 0) or 0)


__all__ = ["InboxService", "UnknownMessage"]
