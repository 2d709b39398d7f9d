from datetime import date

import pytest

from common.dates import add_months


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 2, 2), 12, date(2027, 2, 2)),  # rules.md §0
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 11, 22), -6, date(2026, 5, 22)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
    ],
)
def test_calendar_month_arithmetic(start, months, expected):
    assert add_months(start, months) == expected
