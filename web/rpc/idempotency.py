"""``ClientToken``: the same token and parameters within 24 hours answer the first answer.

A call reserves its token before it acts (a row with status 0), so a second process
receiving the same call at the same time is told to wait instead of acting twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from workflow.api_models import IdempotentCall
from workflow.clock import Clock
from workflow.db import Database

from .errors import ApiError, invalid

LIFETIME = timedelta(hours=24)
IN_PROGRESS = 0


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]


def params_hash(params: Mapping[str, Any]) -> str:
    wanted = {k: v for k, v in params.items() if k not in ("ClientToken", "Locale")}
    return hashlib.sha256(json.dumps(wanted, sort_keys=True, default=str).encode()).hexdigest()


class IdempotencyBook:
    def __init__(self, db: Database, clock: Clock):
        self.db = db
        self.clock = clock

    def begin(self, account_id: str, action: str, token: str, digest: str) -> Answer | None:
        """The stored answer of an earlier call, or None after reserving the token."""
        if len(token) > 64:
            raise invalid("ClientToken", "is longer than 64 characters")
        now = self.clock.now()
        key = (account_id, action, token)
        try:
            with self.db.transaction() as s:
                s.execute(delete(IdempotentCall).where(
                    col(IdempotentCall.account_id) == account_id,
                    col(IdempotentCall.action) == action, col(IdempotentCall.token) == token,
                    col(IdempotentCall.created_at) < now - LIFETIME))
                row = s.get(IdempotentCall, key)
                if row is None:
                    s.add(IdempotentCall(account_id=account_id, action=action, token=token,
                                         params_hash=digest, status=IN_PROGRESS,
                                         answer={}, created_at=now))
                    return None
                if row.params_hash != digest:
                    raise ApiError("IdempotentParameterMismatch",
                                   f"the ClientToken {token!r} was used with other parameters "
                                   f"for {action}: use a new token for a different request",
                                   400)
                if row.status == IN_PROGRESS:
                    raise _in_progress(token)
                return Answer(row.status, dict(row.answer))
        except IntegrityError:  # another process reserved it between our read and write
            raise _in_progress(token) from None

    def finish(self, account_id: str, action: str, token: str, answer: Answer) -> None:
        with self.db.transaction() as s:
            row = s.get(IdempotentCall, (account_id, action, token))
            if row is not None:
                row.status, row.answer = answer.status, answer.body
                s.add(row)

    def abandon(self, account_id: str, action: str, token: str) -> None:
        """A refused call keeps nothing: the same token may be tried again."""
        with self.db.transaction() as s:
            s.execute(delete(IdempotentCall).where(
                col(IdempotentCall.account_id) == account_id,
                col(IdempotentCall.action) == action, col(IdempotentCall.token) == token,
                col(IdempotentCall.status) == IN_PROGRESS))


def _in_progress(token: str) -> ApiError:
    return ApiError("IdempotentRequestInProgress",
                    f"a call with the ClientToken {token!r} is still running: retry shortly",
                    409)


__all__ = ["Answer", "IdempotencyBook", "params_hash"]
