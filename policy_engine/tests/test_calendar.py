"""rules.md §0: business days, the federal holiday calendar, calendar-month arithmetic."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policy_engine.calendar import (
    DEFAULT_HOLIDAYS,
    Calendar,
    add_months,
    federal_holidays,
    months_between,
)

CAL = Calendar()


def test_2026_federal_observed_holidays_match_rules_md_exactly():
    expected = [
        (1, 1),
        (1, 19),
        (2, 16),
        (5, 25),
        (6, 19),
        (7, 3),
        (9, 7),
        (10, 12),
        (11, 11),
        (11, 26),
        (12, 25),
    ]
    assert sorted(federal_holidays(2026)) == [date(2026, m, d) for m, d in expected]
    assert federal_holidays(2026)[date(2026, 7, 3)] == "Independence Day"  # Jul 4 is a Saturday


def test_2027_weekend_holidays_are_observed_on_the_nearest_weekday():
    days = federal_holidays(2027)
    assert date(2027, 6, 18) in days  # Juneteenth Sat -> Fri
    assert date(2027, 7, 5) in days  # Jul 4 Sun -> Mon
    assert date(2027, 12, 24) in days  # Christmas Sat -> Fri
    assert date(2027, 12, 31) in days  # New Year's Day 2028 is a Saturday: observed in 2027
    assert date(2027, 11, 25) in days  # 4th Thursday
    assert len(days) == 12


def test_new_years_day_observed_in_prior_year_is_not_repeated():
    assert date(2028, 1, 1) not in federal_holidays(2028)
    assert date(2021, 12, 31) in federal_holidays(2021)


def test_juneteenth_only_from_2021():
    assert date(2020, 6, 19) not in federal_holidays(2020)
    assert date(2021, 6, 18) in federal_holidays(2021)  # Jun 19 2021 was a Saturday


def test_default_holidays_cover_2026_and_2027():
    assert {d.year for d in DEFAULT_HOLIDAYS} == {2026, 2027}
    assert len(DEFAULT_HOLIDAYS) == 23


def test_seven_business_days_from_wednesday_before_thanksgiving_skip_the_holiday():
    # Thu 19, Fri 20, Mon 23, Tue 24, Wed 25, (Thu 26 Thanksgiving), Fri 27, Mon 30
    assert CAL.add_business_days(date(2026, 11, 18), 7) == date(2026, 11, 30)


def test_business_days_count_backwards_too():
    assert CAL.add_business_days(date(2026, 11, 30), -7) == date(2026, 11, 18)


def test_next_business_day_is_on_or_after():
    assert CAL.next_business_day(date(2026, 7, 1)) == date(2026, 7, 1)
    assert CAL.next_business_day(date(2026, 7, 3)) == date(2026, 7, 6)  # holiday, Sat, Sun
    assert CAL.previous_business_day(date(2026, 7, 5)) == date(2026, 7, 2)


def test_custom_calendar_replaces_the_default():
    st_george = Calendar([date(2026, 7, 24), date(2026, 11, 27)])  # Pioneer Day, day after Thanksgiving
    assert not st_george.is_business_day(date(2026, 7, 24))
    assert st_george.is_business_day(date(2026, 11, 26))  # federal holiday not in this calendar
    assert st_george.is_holiday(date(2026, 11, 27))


def test_weekend_is_not_a_business_day_even_without_holidays():
    cal = Calendar([])
    assert not cal.is_business_day(date(2026, 3, 7))
    assert cal.is_weekend(date(2026, 3, 8))


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 2, 2), 12, date(2027, 2, 2)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 15), -6, date(2025, 9, 15)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
    ],
)
def test_add_months_is_calendar_month_arithmetic(start, months, expected):
    assert add_months(start, months) == expected


def test_months_between_counts_whole_months():
    assert months_between(date(2026, 1, 15), date(2026, 4, 14)) == 2
    assert months_between(date(2026, 1, 15), date(2026, 4, 15)) == 3
    assert months_between(date(2026, 4, 15), date(2026, 1, 15)) == 0


DATES = st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31))


@given(DATES, st.integers(min_value=1, max_value=60))
def test_adding_business_days_lands_on_a_business_day_with_exactly_n_between(start, n):
    end = CAL.add_business_days(start, n)
    assert CAL.is_business_day(end)
    assert CAL.business_days_between(start, end) == n


@given(DATES)
def test_next_business_day_is_the_first_one(d):
    nb = CAL.next_business_day(d)
    assert CAL.is_business_day(nb)
    assert all(not CAL.is_business_day(d + timedelta(days=i)) for i in range((nb - d).days))
