"""The retry policy of temporary delivery failures (docs/behaviour.md#delivery): pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from workflow.config import Config


@dataclass(frozen=True)
class RetryPolicy:
    """5 minutes after the first failure, doubling, capped, jittered; give up after 5 days."""

    initial: timedelta = timedelta(minutes=5)
    cap: timedelta = timedelta(minutes=60)
    jitter: float = 0.10  # at most this fraction either way
    give_up: timedelta = timedelta(days=5)

    @classmethod
    def from_config(cls, config: Config) -> RetryPolicy:
        return cls(initial=config.retry_initial, cap=config.retry_cap,
                   jitter=config.retry_jitter, give_up=config.retry_give_up)


def next_attempt_at(
    attempt: int,
    *,
    first_failure_at: datetime,
    now: datetime,
    policy: RetryPolicy,
    jitter: float,
) -> datetime | None:
    """When to try again after failed attempt number ``attempt`` (1 = the first failure),
    or None to give up.

    ``jitter`` in [-1, 1] scales the policy's jitter fraction (the caller draws it, so this
    stays pure). Delays never exceed the cap; the last retry is pulled in to the give-up
    moment, so a delivery failing for the whole lifetime is tried once more right at its
    end and then given up.
    """
    if attempt < 1:
        raise ValueError(f"attempt must be 1 or more, not {attempt}")
    if not -1.0 <= jitter <= 1.0:
        raise ValueError(f"jitter must be within [-1, 1], not {jitter}")
    deadline = first_failure_at + policy.give_up
    if now >= deadline:
        return None
    base = min(policy.initial * 2 ** min(attempt - 1, 20), policy.cap)
    delay = min(base * (1 + policy.jitter * jitter), policy.cap)
    return min(now + delay, deadline)


__all__ = ["RetryPolicy", "next_attempt_at"]
