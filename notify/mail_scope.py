"""Which emails are an account's own: the Message-IDs its email deliveries were sent with.

Viewers of a shared mail sink (the console's Mailbox) show an account owner only these,
matched by Message-ID rather than by address: an owner who adds another account's
address as a contact must not read the mail that account's deliveries sent there.
"""

from __future__ import annotations

from sqlmodel import col, select

from workflow.db import Database

from .compose import message_id
from .models import Delivery


def email_message_ids(db: Database, account_id: str, *, mail_from: str) -> frozenset[str]:
    """The Message-ID of every email delivery of ``account_id`` (sent or not yet)."""
    query = select(Delivery.dedup_key).where(col(Delivery.account_id) == account_id,
                                             col(Delivery.channel) == "email")
    with db.transaction() as s:
        keys = s.exec(query).all()
    return frozenset(message_id(key, mail_from) for key in keys)


__all__ = ["email_message_ids"]
