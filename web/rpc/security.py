"""What the APIs check callers with: access keys, nonces, idempotency tokens, the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app

from workflow.clock import Clock, SystemClock

from .idempotency import IdempotencyBook
from .keys import AccessKeyStore
from .replay import NonceBook

EXTENSION = "icpsim_api"


@dataclass(frozen=True)
class ApiSecurity:
    clock: Clock
    keys: AccessKeyStore
    nonces: NonceBook
    idempotency: IdempotencyBook

    @classmethod
    def for_system(cls, system: Any) -> ApiSecurity:
        db, clock = system.db, system.clock
        return cls(clock, AccessKeyStore.for_instance(db, clock, system.config.instance_path),
                   NonceBook(db, SystemClock()), IdempotencyBook(db, clock))

    def wall_time(self) -> datetime | None:
        """The machine's time when the service's clock is simulated (else None)."""
        return None if isinstance(self.clock, SystemClock) else SystemClock().now()


def security() -> ApiSecurity:
    api: ApiSecurity = current_app.extensions[EXTENSION]
    return api


__all__ = ["EXTENSION", "ApiSecurity", "security"]
