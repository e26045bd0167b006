"""What the APIs check callers with: access keys, nonces, idempotency tokens, call
allowances, the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app

from workflow.clock import Clock, SystemClock

from .idempotency import IdempotencyBook
from .keys import AccessKeyStore
from .replay import NonceBook
from .throttle import Throttle

EXTENSION = "icpsim_api"


@dataclass(frozen=True)
class ApiSecurity:
    clock: Clock
    keys: AccessKeyStore
    nonces: NonceBook
    idempotency: IdempotencyBook
    throttle: Throttle

    @classmethod
    def for_system(cls, system: Any) -> ApiSecurity:
        db, clock, config = system.db, system.clock, system.config
        return cls(clock, AccessKeyStore.for_instance(db, clock, config.instance_path),
                   NonceBook(db, SystemClock()), IdempotencyBook(db, clock),
                   Throttle(db, rate=config.api_rate_limit, burst=config.api_burst))

    def wall_time(self) -> datetime | None:
        """The machine's time when the service's clock is simulated (else None)."""
        return None if isinstance(self.clock, SystemClock) else SystemClock().now()


def security() -> ApiSecurity:
    api: ApiSecurity = current_app.extensions[EXTENSION]
    return api


__all__ = ["EXTENSION", "ApiSecurity", "security"]
