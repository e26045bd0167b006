"""Working days: the State Council's 2026 schedule (chinese-calendar), and Monday-Friday."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from scenarios.simulate.calendar import (
    CalendarRangeError,
    ChinaCalendar,
    MondayToFriday,
    add_business_days,
    business_days_between,
)

CST = timezone(timedelta(hours=8))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


@pytest.mark.parametrize(("start", "days", "end"), [
    # Friday before the adjusted working Sunday of the National Day holiday
    ("2026-09-18T10:00", 1, "2026-09-20T10:00"),
    ("2026-09-18T10:00", 2, "2026-09-21T10:00"),
    # Mid-Autumn Festival, Friday 25 to Sunday 27 September, off
    ("2026-09-24T15:30", 1, "2026-09-28T15:30"),
    # eve of the National Day holiday: 1-7 October off, Thursday 8 October works
    ("2026-09-30T10:00", 1, "2026-10-08T10:00"),
    # Saturday 10 October is an adjusted working day
    ("2026-10-09T09:00", 1, "2026-10-10T09:00"),
    ("2026-10-09T09:00", 2, "2026-10-12T09:00"),
    # Spring Festival: Saturday 14 February works, 15-23 February off
    ("2026-02-13T11:00", 1, "2026-02-14T11:00"),
    ("2026-02-14T11:00", 1, "2026-02-24T11:00"),
    # Labour Day: 1-5 May off, Saturday 9 May works
    ("2026-04-30T09:00", 1, "2026-05-06T09:00"),
    ("2026-05-08T09:00", 1, "2026-05-09T09:00"),
    # New Year: 1-3 January off, Sunday 4 January works
    ("2025-12-31T09:00", 1, "2026-01-04T09:00"),
])
def test_business_days_follow_the_state_council_schedule(start: str, days: int,
                                                          end: str) -> None:
    assert add_business_days(ChinaCalendar(), at(start), days) == at(end)


def test_without_a_holiday_calendar_only_monday_to_friday_count() -> None:
    plain = MondayToFriday()
    assert add_business_days(plain, at("2026-09-18T10:00"), 1) == at("2026-09-21T10:00")
    assert add_business_days(plain, at("2026-09-30T10:00"), 1) == at("2026-10-01T10:00")


def test_business_days_between_counts_working_days_after_the_start_date() -> None:
    cn = ChinaCalendar()
    assert business_days_between(cn, at("2026-09-30T10:00"), at("2026-10-08T10:00")) == 1
    assert business_days_between(cn, at("2026-09-18T10:00"), at("2026-09-21T09:00")) == 2


def test_a_period_past_the_known_years_is_refused_with_a_clear_error() -> None:
    cn = ChinaCalendar()
    with pytest.raises(CalendarRangeError, match="2004-2026") as caught:
        cn.check_range(at("2026-12-01T00:00").date(), at("2027-01-15T00:00").date())
    assert caught.value.code == "calendar_out_of_range"
