"""Replay protection: the request time window and signature nonces, on the service clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from workflow.api_models import SignatureNonce
from workflow.clock import Clock
from workflow.db import Database

from .errors import ApiError, invalid, missing

WINDOW = timedelta(minutes=15)


def check_date(value: str | None, now: datetime, *, also: datetime | None = None
               ) -> datetime:
    """``x-acs-date`` (``2026-11-29T18:00:00Z``) within 15 minutes of ``now`` (or of
    ``also``: the machine's time when the service runs on a simulated clock, since the
    SDKs stamp requests with the machine's time)."""
    if not value:
        raise missing("x-acs-date")
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise invalid("x-acs-date", "must be an ISO 8601 UTC time such as "
                                    "2026-01-01T00:00:00Z") from None
    if when.tzinfo is None:
        raise invalid("x-acs-date", "must say its zone (Z)")
    if abs(when - now) > WINDOW and (also is None or abs(when - also) > WINDOW):
        raise ApiError("InvalidTimeStamp.Expired",
                       f"the request time {value} is more than 15 minutes away from the "
                       f"server's time {now:%Y-%m-%dT%H:%M:%SZ}", 400)
    return when


class NonceBook:
    """Nonces seen within the window, in the database so every process agrees.

    Kept on the machine's clock: a replay is a matter of transport time, and a simulated
    clock jumping ahead must not forget the nonces of the last minutes.
    """

    def __init__(self, db: Database, clock: Clock):
        self.db = db
        self.clock = clock

    def claim(self, nonce: str | None, key_id: str) -> None:
        if not nonce:
            raise missing("x-acs-signature-nonce")
        if len(nonce) > 128:
            raise invalid("x-acs-signature-nonce", "is longer than 128 characters")
        now = self.clock.now()
        try:
            with self.db.transaction() as s:
                s.execute(delete(SignatureNonce).where(
                    col(SignatureNonce.seen_at) < now - WINDOW))
                s.add(SignatureNonce(nonce=nonce, access_key_id=key_id, seen_at=now))
        except IntegrityError:
            raise ApiError("SignatureNonceUsed",
                           f"the signature nonce {nonce!r} was already used within 15 "
                           "minutes: sign every request with a new nonce", 400) from None


__all__ = ["WINDOW", "NonceBook", "check_date"]
