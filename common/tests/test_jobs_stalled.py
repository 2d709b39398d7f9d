"""The watchdog's check for stored jobs (common.jobs_recovery): a job that stopped is sent to a
worker again (from scratch, or only its missing parts), audited, once per pass, never while it is
moving; the job page shows it as *Stalled*. (The real-worker proof: test_jobs_killed_worker.py.)"""

from datetime import timedelta

import pytest
from django.utils import timezone

from common.jobs import _claim
from common.models import AuditEvent, Job, JobPart, JobStatus
from common.tests.kill_kinds import COUNT, SPLIT
from common.watchdog import watchdog_run

pytestmark = pytest.mark.django_db
PERM = "common.view_audit"


def _job(status: str, *, idle: int, kind: str = COUNT, parts: int = 0, **extra) -> Job:  # type: ignore[no-untyped-def]
    """A job whose last sign of life was `idle` minutes ago."""
    then = timezone.now() - timedelta(minutes=idle)
    heartbeat = None if status == JobStatus.QUEUED else then
    fields = {"total": 4, "done": 2, "parts": parts, "status": status, "created_at": then, **extra}
    return Job.objects.create(
        kind=kind, key=f"k{Job.objects.count()}", label="x", permission=PERM, heartbeat_at=heartbeat,
        started_at=heartbeat, **fields,
    )  # fmt: skip


def _sent(callbacks) -> list[tuple[str, dict]]:  # type: ignore[no-untyped-def,type-arg]
    """(task, kwargs) of each message the committed transaction handed to the broker."""
    from unittest import mock

    sent = []
    with mock.patch("celery.app.task.Task.apply_async", lambda task, args=None, kwargs=None, **o: sent.append(
            (task.name.rsplit(".", 1)[1], kwargs))):  # fmt: skip
        for callback in callbacks:
            callback()
    return sent


def test_a_running_job_that_stopped_starts_over_once_audited_and_is_left_alone_while_it_waits(
    django_capture_on_commit_callbacks, settings
):
    stopped = _job(JobStatus.RUNNING, idle=settings.WATCHDOG_STALLED_MINUTES + 1)
    moving = _job(JobStatus.RUNNING, idle=settings.WATCHDOG_STALLED_MINUTES - 1)
    _job(JobStatus.DONE, idle=600)
    _job(JobStatus.FAILED, idle=600)
    with django_capture_on_commit_callbacks() as callbacks:
        assert watchdog_run()["resumed"]["jobs"] == 1
    assert _sent(callbacks) == [("job_run", {"job_id": stopped.pk})]
    stopped.refresh_from_db()
    assert stopped.status == JobStatus.QUEUED and stopped.done == 0 and not stopped.is_stalled
    audit = AuditEvent.objects.get(verb="job.requeue")
    assert audit.target_id == str(stopped.pk)
    assert audit.data == {"by": "watchdog", "was": "running", "action": "restart", "done": 2, "total": 4,
                          "parts": []}  # fmt: skip
    with django_capture_on_commit_callbacks() as callbacks:
        assert watchdog_run()["resumed"]["jobs"] == 0, "sent once: the next pass waits for the worker"
    assert callbacks == []
    moving.refresh_from_db()
    assert moving.status == JobStatus.RUNNING and moving.done == 2, "a job moving recently is left alone"


def test_a_queued_job_nobody_took_is_sent_again_but_not_one_just_submitted(
    django_capture_on_commit_callbacks, settings
):
    lost = _job(JobStatus.QUEUED, idle=settings.WATCHDOG_STALLED_MINUTES + 1, done=0)
    _job(JobStatus.QUEUED, idle=1, done=0)
    with django_capture_on_commit_callbacks() as callbacks:
        assert watchdog_run()["resumed"]["jobs"] == 1
    assert _sent(callbacks) == [("job_run", {"job_id": lost.pk})]
    assert AuditEvent.objects.get(verb="job.requeue").data["was"] == "queued"


def test_a_split_job_whose_parts_stopped_gets_its_missing_parts_then_its_join(
    django_capture_on_commit_callbacks, settings
):
    idle = settings.WATCHDOG_STALLED_MINUTES + 1
    job = _job(JobStatus.RUNNING, idle=idle, kind=SPLIT, parts=3, parts_done=1)
    JobPart.objects.bulk_create([JobPart(job=job, index=0, data=b"part 0"), JobPart(job=job, index=1),
                                 JobPart(job=job, index=2)])  # fmt: skip
    with django_capture_on_commit_callbacks() as callbacks:
        assert watchdog_run()["resumed"]["jobs"] == 1
    parts_sent = sorted(_sent(callbacks), key=str)
    assert parts_sent == [("job_part_run", {"job_id": job.pk, "index": i}) for i in (1, 2)]
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.parts_done == 1, "the part already stored stands"
    assert bytes(JobPart.objects.get(job=job, index=0).data) == b"part 0"

    # the parts are stored but the worker died in the join: only the join is sent again
    JobPart.objects.filter(job=job).update(data=b"x")
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks() as callbacks:
        assert watchdog_run()["resumed"]["jobs"] == 1
    assert _sent(callbacks) == [("job_join_run", {"job_id": job.pk})]


def test_a_second_delivery_of_a_job_a_live_worker_runs_is_dropped_a_stalled_one_starts_over(settings):
    moving = _job(JobStatus.RUNNING, idle=0)
    assert _claim(moving.pk) is None
    moving.refresh_from_db()
    assert moving.done == 2, "the running attempt is untouched"
    stopped = _job(JobStatus.RUNNING, idle=settings.WATCHDOG_STALLED_MINUTES + 1)
    claimed = _claim(stopped.pk)
    assert claimed is not None and claimed.status == JobStatus.RUNNING and claimed.done == 0


def test_the_job_page_shows_a_stalled_job_as_stalled(client, make_user, settings):
    user = make_user("sam", "Supervisor")
    client.force_login(user)
    job = _job(JobStatus.RUNNING, idle=settings.WATCHDOG_STALLED_MINUTES + 1, created_by=user)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'data-testid="job-status">Stalled<' in page and "2 of 4" in page
    assert 'hx-trigger="every 1s"' in page, "it keeps polling: the page sees it move again"
    assert "<td>Stalled</td>" in client.get("/jobs/").content.decode()
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'data-testid="job-status">Running<' in page and "Stalled" not in page
