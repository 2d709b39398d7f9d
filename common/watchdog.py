"""The watchdog (Celery beat, every few minutes): work that stopped, or never started, is started.

1. Stalled work. Apps register a check (`register_stall_check`) in their AppConfig.ready(): a
   callable that resumes what of theirs has made no progress for WATCHDOG_STALLED_MINUTES and
   returns how many it resumed (collections_app: shutoff runs; common: stored jobs, in
   common/jobs_recovery.py). common imports no app above it.
2. Missed schedule. Beat sends each entry of CELERY_BEAT_SCHEDULE when it falls due; if Redis is
   down at that moment, beat logs the failure and moves on to the next due time: the 02:30 list
   or the 15-minute reconnection sweep simply never runs. Every publish of a scheduled task is
   recorded (`record_published`, from Celery's after_task_publish signal, in PostgreSQL); an
   entry whose next due time after its last publish is more than WATCHDOG_MISSED_GRACE_MINUTES in
   the past was dropped, and the watchdog sends it now. The nightly tasks are idempotent per
   business date, so a run sent twice does its work once.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from celery.schedules import maybe_schedule
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from common.models import ScheduledRun

log = logging.getLogger(__name__)

WATCHDOG_TASK = "common.tasks.watchdog"

_stall_checks: dict[str, Callable[[timedelta], int]] = {}


def register_stall_check(name: str, check: Callable[[timedelta], int]) -> None:
    """`check(stalled_after)` resumes the work of one kind idle longer than `stalled_after` and
    returns how many it resumed. Registered once per name (AppConfig.ready may run twice)."""
    _stall_checks[name] = check


def stalled_after() -> timedelta:
    return timedelta(minutes=settings.WATCHDOG_STALLED_MINUTES)


def scheduled_tasks() -> set[str]:
    return {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}


def record_published(task: str, *, at: datetime | None = None) -> None:
    """Note that `task` reached the broker. Never raises: it runs inside the publisher."""
    if task not in scheduled_tasks():
        return
    try:
        with transaction.atomic():  # a savepoint when the caller is inside a transaction
            ScheduledRun.objects.bulk_create(
                [ScheduledRun(task=task, last_sent_at=at or timezone.now())],
                update_conflicts=True,
                unique_fields=["task"],
                update_fields=["last_sent_at"],
            )
    except Exception:
        log.exception("watchdog: could not record that %s was sent", task)


def missed_entries(*, now: datetime | None = None) -> list[tuple[str, dict[str, Any], float]]:
    """(entry name, entry, minutes overdue) for each schedule entry beat did not send. A task never
    recorded (a new entry, a fresh install) gets `now` as its baseline instead of a run."""
    from config.celery import app

    now = now or timezone.now()
    grace = timedelta(minutes=settings.WATCHDOG_MISSED_GRACE_MINUTES).total_seconds()
    last = dict(ScheduledRun.objects.values_list("task", "last_sent_at"))
    missed = []
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        task = entry["task"]
        if task == WATCHDOG_TASK:
            continue
        if task not in last:
            record_published(task, at=now)
            continue
        schedule = maybe_schedule(entry["schedule"], app=app)
        # beat keeps its times in the app's zone; a crontab reads hours off the value it is given
        sent = timezone.localtime(last[task])
        overdue = -schedule.remaining_estimate(sent).total_seconds()  # past its next due time
        if overdue >= grace:
            missed.append((name, entry, overdue / 60))
    return missed


def start_missed(*, now: datetime | None = None) -> list[tuple[str, str]]:
    """Send each missed entry now; returns (task, task id) of what was sent."""
    from config.celery import app

    sent = []
    for name, entry, minutes in missed_entries(now=now):
        log.warning(
            "watchdog: %s (%s) missed its run %.0f min ago; sending it now", name, entry["task"], minutes
        )
        result = app.send_task(
            entry["task"],
            args=entry.get("args", ()),
            kwargs=entry.get("kwargs", {}),
            **entry.get("options", {}),
        )
        record_published(entry["task"])  # also recorded by the publish signal; this is the floor
        sent.append((entry["task"], result.id))
    return sent


def resume_stalled() -> dict[str, int]:
    resumed = {}
    for name, check in _stall_checks.items():
        try:
            resumed[name] = check(stalled_after())
        except Exception:  # one app's failure must not stop the others' recovery
            log.exception("watchdog: the stall check %s failed", name)
    return resumed


def watchdog_run() -> dict[str, Any]:
    resumed = resume_stalled()
    started = start_missed()
    return {"resumed": resumed, "started": [task for task, _ in started]}
