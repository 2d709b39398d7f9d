"""Stored jobs (common.jobs) that stopped: found by the watchdog and handed to a worker again.

A job is stalled when nothing moved for WATCHDOG_STALLED_MINUTES (`Job.is_stalled`):
- *running* with an old heartbeat (moved when a worker claims it, by every progress report, by
  every stored part): its worker died. acks_late brings the message back only after the broker's
  visibility timeout, and not at all if the message was lost with Redis;
- *queued* and never claimed for that long (submission or last re-queue): its message was lost
  (the broker was down when the request committed) or is stuck behind a dead worker.

What the watchdog does, once per job per pass, in the job's own locked transaction (a worker that
moves the heartbeat meanwhile wins: the job is then left alone), audited as `job.requeue`:
- a job in its handler (or queued) is re-queued and starts over from nothing: handlers are
  all-or-nothing, so the dead attempt left no work behind, and a late worker of the old attempt
  can no longer finish it (`_finish` and progress only touch a *running* job);
- a split job whose parts stopped gets its missing parts sent again (parts already stored stand;
  a part stored twice counts once); all parts stored but no join: the join is sent again.
The heartbeat moves with the re-queue, so the next pass leaves the job alone while it waits.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from common.audit import audit_record
from common.models import Job, JobPart, JobStatus

log = logging.getLogger(__name__)


def stalled_jobs(*, stalled_after: timedelta) -> QuerySet[Job]:
    return (
        Job.objects.filter(status__in=(JobStatus.QUEUED, JobStatus.RUNNING))
        .alias(last_sign=Coalesce("heartbeat_at", "created_at"))
        .filter(last_sign__lt=timezone.now() - stalled_after)
        .order_by("pk")
    )


@transaction.atomic(durable=True)
def job_requeue(*, job_id: int, stalled_after: timedelta) -> str | None:
    """Hand a stalled job to a worker again; returns what was sent ("restart", "parts", "join"),
    or None when the job moved, finished or was re-queued meanwhile."""
    from common.tasks import job_join_run, job_part_run, job_run

    job = stalled_jobs(stalled_after=stalled_after).select_for_update(no_key=True).filter(pk=job_id).first()
    if job is None:
        return None
    was, done, total = job.status, job.done, job.total
    missing: list[int] = []
    if job.status == JobStatus.RUNNING and job.parts:
        missing = list(JobPart.objects.filter(job=job, data__isnull=True).values_list("index", flat=True))
        action = "parts" if missing else "join"
    else:
        action = "restart"
        # queued: a worker that claims it resets it as well; running: the old attempt is over
        job.status, job.done, job.parts, job.parts_done, job.started_at = JobStatus.QUEUED, 0, 0, 0, None
        JobPart.objects.filter(job=job).delete()
    job.heartbeat_at = timezone.now()
    job.save(update_fields=["status", "done", "parts", "parts_done", "started_at", "heartbeat_at"])
    audit_record(
        actor=None,
        verb="job.requeue",
        target=job,
        data={"by": "watchdog", "was": was, "action": action, "done": done, "total": total, "parts": missing},
    )
    if action == "restart":
        job_run.delay_on_commit(job_id=job.pk)
    elif action == "parts":
        for index in missing:
            job_part_run.delay_on_commit(job_id=job.pk, index=index)
    else:
        job_join_run.delay_on_commit(job_id=job.pk)
    return action


def requeue_stalled_jobs(stalled_after: timedelta) -> int:
    """The watchdog's check for jobs (registered in CommonConfig.ready)."""
    count = 0
    for job_id in list(stalled_jobs(stalled_after=stalled_after).values_list("pk", flat=True)):
        action = job_requeue(job_id=job_id, stalled_after=stalled_after)
        if action is not None:
            log.warning("watchdog: job %s stalled for %s; sent again (%s)", job_id, stalled_after, action)
            count += 1
    return count
