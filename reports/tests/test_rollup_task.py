"""The beat entries' tasks run in a real Celery worker and leave the same roll-up when sent twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import AccountFactory, charge
from reports.models import DailyFigure, RollupRun
from reports.tasks import rollup_nightly, rollup_today

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_worker_runs_the_nightly_and_today_roll_ups_idempotently(celery_worker, settings):
    settings.REPORTS_ROLLUP_DAYS = 3
    today = timezone.localdate()
    charge(AccountFactory(), "45.00", due=today - timedelta(days=40))
    rows = rollup_nightly.delay().get(timeout=60)
    assert rows > 0
    stored = sorted(map(repr, DailyFigure.objects.values_list("day", "metric", "key", "count", "amount")))
    days = set(DailyFigure.objects.values_list("day", flat=True))
    assert days == {today - timedelta(days=i) for i in range(3)}
    assert rollup_today.delay().get(timeout=60) > 0
    assert (
        sorted(map(repr, DailyFigure.objects.values_list("day", "metric", "key", "count", "amount")))
        == stored
    )
    assert RollupRun.objects.filter(finished_at__isnull=False).count() == 2
