"""Scheduled work beat could not send while Redis was down runs when Redis returns: the
watchdog compares the beat schedule with what reached the broker and sends what was missed."""

import time
from datetime import timedelta

import pytest
from celery.result import AsyncResult
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from common.health import HEARTBEAT_KEY
from common.models import ScheduledRun
from common.tests.faults import redis_down
from common.watchdog import missed_entries, record_published, watchdog_run
from config.celery import app

SWEEP = "collections_app.tasks.shutoff.reconnect_sweep"
HEARTBEAT = "common.tasks.heartbeat"


def _all_sent(at) -> None:  # type: ignore[no-untyped-def]
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        record_published(entry["task"], at=at)


@pytest.mark.django_db
def test_a_task_never_recorded_gets_a_baseline_not_a_run():
    assert missed_entries() == []  # a fresh install does not run the whole night at once
    assert (
        ScheduledRun.objects.count() == len({e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}) - 1
    )
    assert missed_entries() == []


@pytest.mark.django_db
def test_an_entry_is_missed_only_past_its_due_time_and_the_grace():
    now = timezone.now()
    _all_sent(now)
    assert missed_entries() == []
    ScheduledRun.objects.filter(task=HEARTBEAT).update(last_sent_at=now - timedelta(minutes=2))
    assert missed_entries() == [], "one minute late is within the grace: beat may be sending it"
    ScheduledRun.objects.filter(task=HEARTBEAT).update(last_sent_at=now - timedelta(minutes=10))
    ScheduledRun.objects.filter(task="counseling.tasks.follow_ups").update(
        last_sent_at=now - timedelta(days=2)
    )
    assert {e["task"] for _, e, _ in missed_entries()} == {HEARTBEAT, "counseling.tasks.follow_ups"}


@pytest.mark.django_db(transaction=True)
def test_work_beat_dropped_while_redis_was_down_runs_when_redis_returns():
    from celery.contrib.testing.worker import start_worker

    _all_sent(timezone.now() - timedelta(minutes=20))
    sweep_before = ScheduledRun.objects.get(task=SWEEP).last_sent_at
    # what beat does at the quarter hour with Redis down: the publish fails, beat logs it and moves on
    with redis_down(), pytest.raises(Exception):  # noqa: B017 (kombu's OperationalError, whichever form)
        app.send_task(SWEEP)
    assert ScheduledRun.objects.get(task=SWEEP).last_sent_at == sweep_before, "nothing reached the broker"
    # (the other entries were "sent" at the same time and are not yet due)
    for task in {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()} - {SWEEP, HEARTBEAT}:
        ScheduledRun.objects.filter(task=task).update(last_sent_at=timezone.now())
    cache.delete(HEARTBEAT_KEY)

    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        from common.watchdog import start_missed

        sent = dict(start_missed())
        assert set(sent) == {SWEEP, HEARTBEAT}
        assert isinstance(AsyncResult(sent[SWEEP], app=app).get(timeout=60), int)  # the sweep ran
        deadline = time.monotonic() + 30
        while cache.get(HEARTBEAT_KEY) is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert cache.get(HEARTBEAT_KEY) is not None, "the missed heartbeat ran: /healthz sees beat again"
    assert ScheduledRun.objects.get(task=SWEEP).last_sent_at > sweep_before
    assert watchdog_run()["started"] == [], "sent once: the next pass finds nothing missed"
