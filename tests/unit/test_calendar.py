"""Working days: weekdays, public holidays, and make-up working days."""

from __future__ import annotations

from datetime import date

import pytest

from bot.calendar import holiday_name, is_working_day

MON_FRI = (0, 1, 2, 3, 4)


@pytest.mark.parametrize(
    ("day", "weekdays", "expected"),
    [
        (date(2025, 9, 26), MON_FRI, True),  # a Friday
        (date(2025, 9, 27), MON_FRI, False),  # a Saturday
        (date(2025, 9, 24), (0, 2, 4), True),  # a Wednesday, mon,wed,fri
        (date(2025, 9, 25), (0, 2, 4), False),  # a Thursday, mon,wed,fri
    ],
)
def test_weekdays_alone(day: date, weekdays: tuple[int, ...], expected: bool) -> None:
    assert is_working_day(day, weekdays=weekdays, country=None) is expected


def test_without_a_country_only_the_weekday_matters() -> None:
    assert is_working_day(date(2025, 10, 1), weekdays=MON_FRI, country=None)
    assert not is_working_day(date(2025, 9, 28), weekdays=MON_FRI, country=None)


def test_china_national_day_is_off_and_its_makeup_days_are_on() -> None:
    # 2025: 1-8 October off; Sunday 28 September and Saturday 11 October are worked instead.
    assert not is_working_day(date(2025, 10, 1), weekdays=MON_FRI, country="CN")
    assert not is_working_day(date(2025, 10, 8), weekdays=MON_FRI, country="CN")
    assert is_working_day(date(2025, 9, 28), weekdays=MON_FRI, country="CN")
    assert is_working_day(date(2025, 10, 11), weekdays=MON_FRI, country="CN")
    assert not is_working_day(date(2025, 10, 12), weekdays=MON_FRI, country="CN")
    assert is_working_day(date(2025, 10, 9), weekdays=MON_FRI, country="CN")


def test_a_makeup_day_counts_off_the_configured_weekdays() -> None:
    mon_wed_fri = (0, 2, 4)
    assert is_working_day(date(2025, 10, 11), weekdays=mon_wed_fri, country="CN")
    assert not is_working_day(date(2025, 10, 14), weekdays=mon_wed_fri, country="CN")  # Tue


def test_spring_festival_2026() -> None:
    # Saturday 14 and 28 February 2026 are make-up days; 16-20 and 23 February are off.
    assert is_working_day(date(2026, 2, 14), weekdays=MON_FRI, country="CN")
    assert is_working_day(date(2026, 2, 28), weekdays=MON_FRI, country="CN")
    for day in (16, 17, 18, 19, 20, 23):
        assert not is_working_day(date(2026, 2, day), weekdays=MON_FRI, country="CN")
    assert is_working_day(date(2026, 2, 24), weekdays=MON_FRI, country="CN")


def test_us_holidays_have_no_makeup_days() -> None:
    assert not is_working_day(date(2025, 7, 4), weekdays=MON_FRI, country="US")
    assert not is_working_day(date(2025, 7, 5), weekdays=MON_FRI, country="US")
    assert is_working_day(date(2025, 7, 7), weekdays=MON_FRI, country="US")
    assert holiday_name(date(2025, 7, 4), "US") == "Independence Day"
    assert holiday_name(date(2025, 7, 7), "US") is None
