"""Calendar and business days (rules.md §0).

A business day is Monday-Friday minus the utility's holiday calendar. The default calendar is
the US federal *observed* holidays (a Saturday holiday is observed the Friday before, a Sunday
holiday the Monday after), computed for any year so the engine never runs off the end of a
table. Month arithmetic (`add_months`) is calendar-month with the day clamped to the month's
end, which is what "once every 12 months" means in the rules.
"""

import calendar as _cal
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

WEEKDAY_CODES = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
ONE_DAY = timedelta(days=1)


def add_months(d: date, months: int) -> date:
    """Calendar-month arithmetic: 2026-02-02 + 12 = 2027-02-02; Jan 31 + 1 = Feb 28/29."""
    index = d.month - 1 + months
    year, month = d.year + index // 12, index % 12 + 1
    return date(year, month, min(d.day, _cal.monthrange(year, month)[1]))


def months_between(start: date, end: date) -> int:
    """Whole calendar months from start to end (0 if end is before start + 1 month)."""
    if end < start:
        return 0
    months = (end.year - start.year) * 12 + end.month - start.month
    while months > 0 and add_months(start, months) > end:
        months -= 1
    return months


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    last = date(year, month, _cal.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(d: date) -> date:
    if d.weekday() == 5:
        return d - ONE_DAY
    if d.weekday() == 6:
        return d + ONE_DAY
    return d


def federal_holidays(year: int) -> dict[date, str]:
    """US federal holidays as observed (5 U.S.C. 6103; OPM in-lieu-of rule), dated within `year`.

    New Year's Day of the next year falling on a Saturday is observed on Dec 31 of this year, so
    it appears in this year's list (and not in the next year's)."""
    fixed = {
        (1, 1): "New Year's Day",
        (7, 4): "Independence Day",
        (11, 11): "Veterans Day",
        (12, 25): "Christmas Day",
    }
    if year >= 2021:
        fixed[(6, 19)] = "Juneteenth National Independence Day"
    days: dict[date, str] = {}
    for (month, day), name in fixed.items():
        observed = _observed(date(year, month, day))
        if observed.year == year:
            days[observed] = name
    next_new_year = _observed(date(year + 1, 1, 1))
    if next_new_year.year == year:
        days[next_new_year] = "New Year's Day"
    days[_nth_weekday(year, 1, 0, 3)] = "Birthday of Martin Luther King, Jr."
    days[_nth_weekday(year, 2, 0, 3)] = "Washington's Birthday"
    days[_last_weekday(year, 5, 0)] = "Memorial Day"
    days[_nth_weekday(year, 9, 0, 1)] = "Labor Day"
    days[_nth_weekday(year, 10, 0, 2)] = "Columbus Day"
    days[_nth_weekday(year, 11, 3, 4)] = "Thanksgiving Day"
    return dict(sorted(days.items()))


DEFAULT_HOLIDAYS: dict[date, str] = {**federal_holidays(2026), **federal_holidays(2027)}


class Calendar:
    """The utility's working calendar. Immutable; build a new one when the holiday table changes."""

    def __init__(self, holidays: Iterable[date] | Mapping[date, str] | None = None) -> None:
        if holidays is None:
            holidays = DEFAULT_HOLIDAYS
        self.holidays: frozenset[date] = frozenset(holidays)

    def __repr__(self) -> str:
        return f"Calendar({len(self.holidays)} holidays)"

    def is_holiday(self, d: date) -> bool:
        return d in self.holidays

    def is_weekend(self, d: date) -> bool:
        return d.weekday() >= 5

    def is_business_day(self, d: date) -> bool:
        return d.weekday() < 5 and d not in self.holidays

    def next_business_day(self, d: date) -> date:
        """The first business day on or after d."""
        while not self.is_business_day(d):
            d += ONE_DAY
        return d

    def previous_business_day(self, d: date) -> date:
        """The last business day on or before d."""
        while not self.is_business_day(d):
            d -= ONE_DAY
        return d

    def add_business_days(self, d: date, n: int) -> date:
        """d plus n business days (d itself is not counted); negative n counts backwards.

        add_business_days(Wed 2026-11-18, 7) = Mon 2026-11-30 (Thanksgiving skipped)."""
        step = ONE_DAY if n >= 0 else -ONE_DAY
        remaining = abs(n)
        while remaining:
            d += step
            if self.is_business_day(d):
                remaining -= 1
        return d

    def business_days_between(self, start: date, end: date) -> int:
        """Business days in (start, end]: how many business days have passed since start."""
        count, d = 0, start
        while d < end:
            d += ONE_DAY
            if self.is_business_day(d):
                count += 1
        return count

    def roll_forward(self, d: date) -> date:
        """FRBP 9006(a)(1)(C): a period ending on a weekend or legal holiday runs to the next day
        that is neither. Every federal holiday is a legal holiday (9006(a)(6)) even when this
        utility's calendar leaves it out; the utility's own closures count as well, which can
        only lengthen the period."""
        while not self.is_business_day(d) or d in federal_holidays(d.year):
            d += ONE_DAY
        return d
