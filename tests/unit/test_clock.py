from datetime import UTC, datetime, timedelta, timezone

import pytest

from workflow.clock import SimulatedClock, SystemClock, as_utc


def test_simulated_clock_moves_only_when_told_and_never_back():
    start = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    clock = SimulatedClock(start)
    assert clock.now() == datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    clock.advance(timedelta(days=45))
    assert clock.now() == datetime(2026, 4, 16, 1, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="cannot move back"):
        clock.set(start)


def test_system_clock_is_aware_utc():
    assert SystemClock().now().tzinfo is UTC


def test_naive_times_are_taken_as_utc():
    assert as_utc(datetime(2026, 1, 1, 12)) == datetime(2026, 1, 1, 12, tzinfo=UTC)
