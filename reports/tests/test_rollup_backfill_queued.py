"""`make run` queues the dashboards' backfill for a worker (the demo city's dashboards fill while
the system is already up); a second start finds the roll-up there and queues nothing."""

import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.tests.factories import AccountFactory, charge
from reports.models import DailyFigure, DailyTotal, RollupRun

pytestmark = pytest.mark.django_db(transaction=True)


def _call(*args: str) -> str:
    out = StringIO()
    call_command("reports_rollup", *args, stdout=out)
    return out.getvalue()


def test_a_queued_backfill_is_run_by_a_worker_once(celery_worker):
    today = timezone.localdate()
    charge(AccountFactory(), "45.00", due=today - timedelta(days=40))
    said = _call("--days", "3", "--if-empty", "--queue")
    assert "queued for a worker" in said
    deadline = time.monotonic() + 60
    while not RollupRun.objects.filter(finished_at__isnull=False).exists():
        assert time.monotonic() < deadline, "the worker never ran the backfill"
        time.sleep(0.2)
    run = RollupRun.objects.get()
    assert (run.first_day, run.last_day) == (today - timedelta(days=2), today)
    # a backfill takes the aging snapshot of every day, and sums it into the totals
    days = {today - timedelta(days=i) for i in range(3)}
    assert set(DailyFigure.objects.filter(metric="aging").values_list("day", flat=True)) == days
    assert set(DailyTotal.objects.filter(metric="aging").values_list("day", flat=True)) == days
    assert "nothing to fill" in _call("--days", "3", "--if-empty", "--queue")
    time.sleep(1)
    assert RollupRun.objects.count() == 1


def test_without_queue_it_runs_here_a_month_at_a_time():
    said = _call("--days", "40")
    assert said.count(" rows") == 2 and RollupRun.objects.count() == 2
