"""A drill-down's date of a moment (created, closed, conducted, logged) is the local day, the day
the dashboard counted it on: late in a Phoenix evening is the next day in UTC."""

from datetime import UTC, date, datetime, time
from types import SimpleNamespace

import pytest
from django.utils import timezone

from reports.dashboards import base

LATE = timezone.make_aware(datetime.combine(date(2026, 12, 1), time(23, 30)))  # 06:30 UTC, Dec 2

COLUMNS = [  # metric, column, the record's attribute holding the moment
    ("arrangements", "Created", "created_at"),
    ("pledges.pledged", "Closed", "closed_at"),
    ("drawers.closed", "Closed", "closed_at"),
    ("productivity.interviews", "Conducted", "conducted_at"),
    ("productivity.contacts", "Logged", "created_at"),
]


@pytest.mark.parametrize(("name", "label", "attr"), COLUMNS)
def test_a_late_evening_moment_shows_its_local_day(name, label, attr):
    metric = base.metric(name)
    assert metric is not None, name
    [column] = [c for c in metric.columns if c.label == label]
    record = SimpleNamespace(**{attr: LATE.astimezone(UTC)})  # as the database returns it
    assert column.value(record) == timezone.localdate(LATE) == LATE.date()
