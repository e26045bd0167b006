"""The retry policy: 5 minutes, doubling, capped at 60, jitter within 10%, 5 days then stop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from notify.retry import RetryPolicy, next_attempt_at
from workflow.config import Config

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
POLICY = RetryPolicy()


def delay(attempt: int, *, elapsed: timedelta = timedelta(0), jitter: float = 0.0) -> timedelta:
    now = T0 + elapsed
    when = next_attempt_at(attempt, first_failure_at=T0, now=now, policy=POLICY, jitter=jitter)
    assert when is not None
    return when - now


def test_retries_start_5_minutes_after_the_first_failure_and_double():
    assert [delay(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (5, 10, 20, 40)]


def test_the_delay_is_capped_at_60_minutes():
    assert delay(5) == timedelta(minutes=60)
    assert delay(50) == timedelta(minutes=60)
    assert delay(5, jitter=1.0) == timedelta(minutes=60)


@pytest.mark.parametrize("jitter", [-1.0, -0.5, 0.0, 0.37, 1.0])
def test_jitter_moves_a_retry_by_at_most_10_percent(jitter):
    for attempt in (1, 2, 3, 4, 5, 9):
        base = min(timedelta(minutes=5) * 2 ** (attempt - 1), timedelta(minutes=60))
        got = delay(attempt, jitter=jitter)
        assert base * 0.9 <= got <= base * 1.1
        assert got <= timedelta(minutes=60)


def test_jitter_at_the_extremes_is_exactly_10_percent_below_the_cap():
    assert delay(1, jitter=-1.0) == timedelta(minutes=4, seconds=30)
    assert delay(1, jitter=1.0) == timedelta(minutes=5, seconds=30)


def test_jitter_outside_minus_one_to_one_is_refused():
    with pytest.raises(ValueError, match="jitter"):
        delay(1, jitter=1.5)


def test_after_5_days_of_failures_it_gives_up():
    at_end = T0 + timedelta(days=5)
    assert next_attempt_at(200, first_failure_at=T0, now=at_end, policy=POLICY,
                           jitter=0.0) is None
    later = at_end + timedelta(hours=1)
    assert next_attempt_at(2, first_failure_at=T0, now=later, policy=POLICY, jitter=0) is None


def test_the_last_retry_is_pulled_in_to_the_5_day_mark():
    now = T0 + timedelta(days=5) - timedelta(minutes=10)
    when = next_attempt_at(120, first_failure_at=T0, now=now, policy=POLICY, jitter=1.0)
    assert when == T0 + timedelta(days=5)


def test_the_policy_comes_from_the_configuration():
    config = Config(retry_initial=timedelta(minutes=1), retry_cap=timedelta(minutes=8),
                    retry_jitter=0.0, retry_give_up=timedelta(hours=2))
    policy = RetryPolicy.from_config(config)
    assert policy == RetryPolicy(timedelta(minutes=1), timedelta(minutes=8), 0.0,
                                 timedelta(hours=2))
    steps = [next_attempt_at(n, first_failure_at=T0, now=T0, policy=policy, jitter=1.0)
             for n in (1, 2, 3, 4, 5)]
    assert [s - T0 for s in steps if s] == [timedelta(minutes=m) for m in (1, 2, 4, 8, 8)]


def test_a_whole_outage_retries_about_125_times_in_5_days():
    now, attempt, times = T0, 1, []
    while (when := next_attempt_at(attempt, first_failure_at=T0, now=now, policy=POLICY,
                                   jitter=0.0)) is not None:
        times.append(when)
        now, attempt = when, attempt + 1
    assert times[-1] == T0 + timedelta(days=5)
    assert 115 <= len(times) <= 125
