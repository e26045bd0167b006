"""Replay protection: the request time window and signature nonces, on the service clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, delete

from workflow.api_models import SignatureNonce
from workflow.clock import Clock
from workflow.db import Database
from workflow.fastsql import Prepared, RawTransaction

from .errors import ApiError, invalid, missing

WINDOW = timedelta(minutes=15)
PRUNE_EVERY = timedelta(minutes=5)


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
        self._next_prune = datetime.min.replace(tzinfo=UTC)

    def claim(self, nonce: str | None, key_id: str, tx: RawTransaction | None = None
              ) -> None:
        """Record ``nonce``; ``SignatureNonceUsed`` when it was seen within the window.

        One statement: insert the nonce, or take over its row when that one is older than
        the window; no row written means a replay. Runs in ``tx`` when given.
        """
        if not nonce:
            raise missing("x-acs-signature-nonce")
        if len(nonce) > 128:
            raise invalid("x-acs-signature-nonce", "is longer than 128 characters")
        if tx is None:
            with self.db.raw_transaction() as own:
                return self.claim(nonce, key_id, own)
        now = self.clock.now()
        statements = _statements(self.db)
        written = tx.execute(statements["claim"], {"n": nonce, "k": key_id, "at": now,
                                                   "cutoff": now - WINDOW})
        if now >= self._next_prune:  # keep the table small, not on every request
            tx.execute(statements["prune"], {"cutoff": now - WINDOW})
            self._next_prune = now + PRUNE_EVERY
        if not written:
            raise ApiError("SignatureNonceUsed",
                           f"the signature nonce {nonce!r} was already used within 15 "
                           "minutes: sign every request with a new nonce", 400)


@cache
def _dialect_statements(dialect: str) -> dict[str, Prepared]:
    from sqlalchemy.dialects import postgresql, sqlite

    table = SignatureNonce.__table__  # type: ignore[attr-defined]
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    claim = insert(table).values(nonce=bindparam("n"), access_key_id=bindparam("k"),
                                 seen_at=bindparam("at", type_=table.c.seen_at.type))
    claim = claim.on_conflict_do_update(
        index_elements=[table.c.nonce],
        set_={"access_key_id": claim.excluded.access_key_id,
              "seen_at": claim.excluded.seen_at},
        where=table.c.seen_at < bindparam("cutoff", type_=table.c.seen_at.type))
    prune = delete(table).where(
        table.c.seen_at < bindparam("cutoff", type_=table.c.seen_at.type))
    return {"claim": Prepared(claim), "prune": Prepared(prune)}


def _statements(db: Database) -> dict[str, Prepared]:
    return _dialect_statements(db.engine.dialect.name)


__all__ = ["WINDOW", "NonceBook", "check_date"]
