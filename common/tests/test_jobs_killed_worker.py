"""Issue 13 "Runs recover by themselves", for stored jobs, with a REAL worker process: started on
the test database and Redis, SIGKILLed in the middle of a job, a fresh worker started, and the
watchdog's pass (a short stalled period) sends the job again; it ends as an uninterrupted job
does. Each test is bounded (worker_process.DEADLINE) and kills its workers whatever happens."""

import time
from uuid import uuid4

import pytest

from common.jobs import job_submit
from common.models import AuditEvent, Job, JobPart, JobStatus
from common.tests.kill_kinds import COUNT, SPLIT
from common.tests.worker_process import worker_processes
from common.watchdog import watchdog_run

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "jobs"])
PERM = "common.view_audit"
STALLED_SECONDS = 2


def _submit(kind: str, **params: object) -> Job:
    return job_submit(kind=kind, key=str(uuid4()), label=kind, params=params, actor=None, permission=PERM)


def _fresh(job: Job) -> Job:
    job.refresh_from_db()
    return job


def _outcome(job: Job) -> tuple:  # type: ignore[type-arg]
    job = Job.objects.defer(None).get(pk=job.pk)
    return job.status, job.result, bytes(job.output_data), job.output_name, job.done, job.total


def _left_as_killed(job: Job) -> tuple:  # type: ignore[type-arg]
    """Status and progress right after the kill; a second look later must find the same."""
    job = _fresh(job)
    return job.status, job.done, job.total, job.parts_done, job.heartbeat_at


def _recover(workers, job: Job, settings) -> list[dict]:  # type: ignore[no-untyped-def]
    """Passes of the watchdog (as beat runs them) until one sends the job again."""
    settings.WATCHDOG_STALLED_MINUTES = STALLED_SECONDS / 60
    passes: list[dict] = []  # type: ignore[type-arg]

    def one_pass() -> bool:
        passes.append(watchdog_run())
        return passes[-1]["resumed"]["jobs"] > 0

    workers.wait_until("the watchdog sends the stalled job again", one_pass, every=0.5)
    assert passes[-1]["resumed"]["jobs"] == 1, "one job stalled, sent once"
    return passes


def test_a_job_whose_worker_is_killed_is_sent_again_and_ends_as_an_uninterrupted_one(tmp_path, settings):
    params = {"n": 6, "step": 0.4}
    with worker_processes(tmp_path) as workers:
        workers.start("first")
        reference = _submit(COUNT, **params)
        workers.wait_until("the reference job", lambda: _fresh(reference).finished)
        assert reference.status == JobStatus.DONE

        job = _submit(COUNT, **params)
        workers.wait_until("the job's first progress", lambda: _fresh(job).done >= 1)
        settings.WATCHDOG_STALLED_MINUTES = STALLED_SECONDS / 60
        assert watchdog_run()["resumed"]["jobs"] == 0, "a job reporting progress is never sent again"
        workers.kill(workers.procs[0])
        killed = _left_as_killed(job)
        assert killed[0] == JobStatus.RUNNING and 1 <= killed[1] < 6
        time.sleep(1.5)
        assert _left_as_killed(job) == killed, "nothing moves after the kill: the job is left running"
        assert not AuditEvent.objects.filter(verb="killtest.row", data__job=job.pk).exists(), (
            "the killed attempt's transaction died with it: nothing half done"
        )

        workers.start("fresh")
        passes = _recover(workers, job, settings)
        workers.wait_until("the recovered job", lambda: _fresh(job).finished)
        assert _outcome(job) == _outcome(reference)
        rows = AuditEvent.objects.filter(verb="killtest.row", data__job=job.pk)
        assert sorted(rows.values_list("data__i", flat=True)) == list(range(6)), "its work, once"
        requeue = AuditEvent.objects.get(verb="job.requeue", target_id=str(job.pk))
        assert requeue.data["by"] == "watchdog" and requeue.data["was"] == "running"
        assert requeue.data["action"] == "restart"
        assert watchdog_run()["resumed"]["jobs"] == 0 and len(passes) >= 1


def test_a_split_job_whose_worker_is_killed_gets_only_its_missing_parts_again(tmp_path, settings):
    params = {"n": 4, "step": 0.6}
    with worker_processes(tmp_path) as workers:
        workers.start("first")
        reference = _submit(SPLIT, **params)
        workers.wait_until("the reference job", lambda: _fresh(reference).finished)

        job = _submit(SPLIT, **params)
        stored = JobPart.objects.filter(job_id=job.pk, data__isnull=False)
        workers.wait_until("the first part stored", lambda: stored.exists())
        workers.kill(workers.procs[0])
        killed = _left_as_killed(job)
        assert killed[0] == JobStatus.RUNNING and 1 <= killed[3] < 4
        first_parts = {p.index: bytes(p.data) for p in stored}
        time.sleep(1.0)
        assert _left_as_killed(job) == killed, "nothing moves after the kill"

        workers.start("fresh")
        _recover(workers, job, settings)
        requeue = AuditEvent.objects.get(verb="job.requeue", target_id=str(job.pk))
        assert requeue.data["action"] == "parts"
        assert sorted(requeue.data["parts"]) == sorted(set(range(4)) - set(first_parts))
        workers.wait_until("the recovered job", lambda: _fresh(job).finished)
        assert _outcome(job) == _outcome(reference)
