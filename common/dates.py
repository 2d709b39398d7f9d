"""Calendar arithmetic shared by every app."""

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """Calendar-month arithmetic (rules.md §0): 2026-02-02 + 12 months = 2027-02-02; a day that does
    not exist in the target month falls back to its last day (Jan 31 + 1 month = Feb 28)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
