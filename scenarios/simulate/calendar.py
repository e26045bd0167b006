"""Working days: China's State Council schedule (chinese-calendar) or plain Monday-Friday."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Protocol

import chinese_calendar

from workflow.errors import IcpsimError


class CalendarRangeError(IcpsimError):
    code = "calendar_out_of_range"


class WorkCalendar(Protocol):
    name: str

    def is_working_day(self, day: date) -> bool: ...

    def check_range(self, first: date, last: date) -> None: ...


class MondayToFriday:
    """``calendar: none``: every Monday to Friday works, no holidays."""

    name = "none"

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5

    def check_range(self, first: date, last: date) -> None:
        return None


class ChinaCalendar:
    """``calendar: cn``: statutory holidays off, adjusted working weekends on."""

    name = "cn"

    def __init__(self) -> None:
        self.first_year, self.last_year = known_years()

    def is_working_day(self, day: date) -> bool:
        return _is_workday(day)

    def check_range(self, first: date, last: date) -> None:
        if first.year < self.first_year or last.year > self.last_year:
            raise CalendarRangeError(
                f"the simulated period {first.isoformat()} to {last.isoformat()} runs past "
                f"the years the Chinese holiday schedule is known for ({self.first_year}-"
                f"{self.last_year}, chinese-calendar package): shorten it or use calendar: none")


@lru_cache(maxsize=8192)
def _is_workday(day: date) -> bool:
    return bool(chinese_calendar.is_workday(day))


def known_years() -> tuple[int, int]:
    """The years the installed chinese-calendar knows (its holiday table's range)."""
    days = chinese_calendar.constants.holidays
    return min(days).year, max(days).year


def calendar_named(name: str) -> WorkCalendar:
    return ChinaCalendar() if name == "cn" else MondayToFriday()


def add_business_days(calendar: WorkCalendar, start: datetime, days: int) -> datetime:
    """The ``days``-th working day after ``start``'s local date, at ``start``'s time of day."""
    day = start.date()
    left = days
    while left > 0:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            left -= 1
    return start.replace(year=day.year, month=day.month, day=day.day)


def business_days_between(calendar: WorkCalendar, start: datetime, end: datetime) -> int:
    """Working days after ``start``'s date up to and including ``end``'s date."""
    day, last, n = start.date(), end.date(), 0
    while day < last:
        day += timedelta(days=1)
        n += calendar.is_working_day(day)
    return n


__all__ = ["CalendarRangeError", "ChinaCalendar", "MondayToFriday", "WorkCalendar",
           "add_business_days", "business_days_between", "calendar_named", "known_years"]
