"""A range that runs past today: every period whose snapshot day is today (the current one and
the later ones, clipped to today) shows today's snapshot. Before the fix only the last of them
did (one dict entry per day), so the current week of an aging dashboard read 0 accounts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import AccountFactory, charge
from reports.tests.dash import column, periods, rollup

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_every_period_clipped_to_today_shows_todays_snapshot():
    AccountFactory()
    charge(AccountFactory(), "50.00", due=TODAY - timedelta(days=45))
    rollup(TODAY)
    table = periods("aging", start=TODAY, end=TODAY + timedelta(days=20), grain="week")
    assert len(table.rows) >= 3
    assert column(table, "Active accounts") == [2] * len(table.rows)
    assert column(table, "Past-due accounts") == [1] * len(table.rows)
