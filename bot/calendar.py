"""Working days: the configured weekdays, less a country's public holidays, plus its make-up days.

Make-up working days are weekend days a government moves work to, such as China's 调休
Saturdays around the Spring Festival and National Day; the `holidays` package lists them as
`weekend_workdays`. A make-up day is a working day whatever the configured weekdays are.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _country_calendar(country: str, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(country, years=year)


def is_public_holiday(day: date, country: str | None) -> bool:
    return country is not None and day in _country_calendar(country, day.year)


def is_makeup_workday(day: date, country: str | None) -> bool:
    if country is None:
        return False
    workdays: set[date] = _country_calendar(country, day.year).weekend_workdays
    return day in workdays


def is_working_day(day: date, *, weekdays: Iterable[int], country: str | None) -> bool:
    """Whether the round runs on `day` (weekdays: Monday is 0).

    A make-up working day counts even off the configured weekdays; a public holiday never
    counts, even on one of them.
    """
    if is_makeup_workday(day, country):
        return True
    return day.weekday() in set(weekdays) and not is_public_holiday(day, country)


def holiday_name(day: date, country: str | None) -> str | None:
    """The holiday's name, for the log line that says why no round runs today."""
    if country is None:
        return None
    name: str | None = _country_calendar(country, day.year).get(day)
    return name
