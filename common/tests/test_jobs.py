"""Stored jobs (common.jobs, issue 13 "Long work runs in the background"): submitted by a request
that returns at once, run by a real Celery worker, progress visible while the work's own
transaction is open, nothing partial on failure, idempotent resubmission, parts in parallel,
and the job page and download only for those holding the job's permission."""

import threading
import time
from collections.abc import Callable
from uuid import uuid4

import pytest
from django.db import transaction

from common.audit import audit_record
from common.exceptions import DomainError
from common.jobs import JobOutcome, JobSplit, job_handler, job_submit
from common.models import AuditEvent, Job, JobPart

pytestmark = pytest.mark.django_db
# a real worker's progress goes through the second alias (common.jobs.Progress): allow it
JOBS_DB = pytest.mark.django_db(transaction=True, databases=["default", "jobs"])
PERM = "common.view_audit"  # held by supervisors and administrators, not by a cashier
halfway = threading.Event()
carry_on = threading.Event()


@job_handler("test.rows")
def _rows(job: Job, progress: Callable[..., None]) -> JobOutcome:
    """Writes n audit rows in one transaction; fails after `fail_at` of them if asked."""
    n, fail_at = job.params["n"], job.params.get("fail_at")
    with transaction.atomic(durable=True):
        for i in range(n):
            if i == fail_at:
                raise DomainError("test.bad_line", f"Line {i + 1}: not a number.")
            audit_record(actor=None, verb="test.row", data={"job": job.pk, "i": i})
            progress(i + 1, n, force=True)
            if job.params.get("pause") == i + 1:
                halfway.set()  # the test reads the progress now, the transaction still open
                assert carry_on.wait(30)
    return JobOutcome(result={"summary": f"{n} rows"}, output=b"a,b\n1,2\n", output_name="rows.csv",
                      output_type="text/csv")  # fmt: skip


@job_handler("test.split")
def _split(job: Job, progress: Callable[..., None]) -> JobSplit:
    words = job.params["words"]
    return JobSplit(parts=[{"word": w} for w in words], units=[len(w) for w in words])


@job_handler("test.split", step="part")
def _part(job: Job, params: dict) -> bytes:
    if params["word"] == "boom":
        raise ValueError("cannot render boom")
    return params["word"].upper().encode()


@job_handler("test.split", step="join")
def _join(job: Job, parts: list[bytes]) -> JobOutcome:
    return JobOutcome(result={"summary": "joined"}, output=b" ".join(parts), output_name="words.txt",
                      output_type="text/plain")  # fmt: skip


def _wait(job: Job, until: Callable[[Job], bool] = lambda j: j.finished, timeout: float = 60) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if until(job):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job.pk} still {job.status} at {job.done}/{job.total}")


def _submit(user, kind: str = "test.rows", key: str | None = None, **params) -> Job:  # type: ignore[no-untyped-def]
    return job_submit(kind=kind, key=key or str(uuid4()), label=f"Test {kind}", params=params, actor=user,
                      permission=PERM)  # fmt: skip


@JOBS_DB
def test_a_job_runs_on_a_real_worker_and_its_progress_shows_while_its_transaction_is_open(
    celery_worker, make_user
):
    halfway.clear()
    carry_on.clear()
    user = make_user("sam", "Supervisor")
    job = _submit(user, n=4, pause=2)
    assert halfway.wait(30), "the worker never reached the middle"
    job.refresh_from_db()
    # the page's connection sees 2 of 4 while the handler's 2 rows are not committed yet
    assert (job.status, job.done, job.total) == ("running", 2, 4) and job.heartbeat_at is not None
    assert not AuditEvent.objects.filter(verb="test.row").exists()
    carry_on.set()
    job = _wait(job)
    assert job.status == "done" and (job.done, job.total) == (4, 4) and job.result == {"summary": "4 rows"}
    assert bytes(Job.objects.get(pk=job.pk).output_data) == b"a,b\n1,2\n" and job.output_size == 8
    assert AuditEvent.objects.filter(verb="test.row").count() == 4
    assert job.started_at <= job.finished_at


@JOBS_DB
def test_a_failed_job_leaves_nothing_partial_and_shows_why_and_a_resubmission_retries_it(
    celery_worker, make_user
):
    user = make_user("sam", "Supervisor")
    job = _wait(_submit(user, key="import-1", n=5, fail_at=3))
    assert job.status == "failed" and job.error == "Line 4: not a number."
    assert not AuditEvent.objects.filter(verb="test.row").exists()  # 3 rows written, rolled back
    assert AuditEvent.objects.filter(verb="job.failed", target_id=str(job.pk)).exists()
    again = _wait(job_submit(kind="test.rows", key="import-1", label="x", params={"n": 2}, actor=user,
                             permission=PERM))  # fmt: skip
    assert again.pk == job.pk and again.status == "failed"  # same stored params: fails the same way
    Job.objects.filter(pk=job.pk).update(params={"n": 2})
    assert _wait(_submit(user, key="import-1")).status == "done"


def test_a_repeated_submission_finds_the_job_already_there(make_user, django_capture_on_commit_callbacks):
    user = make_user("sam", "Supervisor")
    with django_capture_on_commit_callbacks() as enqueued:
        first = _submit(user, key="k-1", n=1)
    second = _submit(user, key="k-1", n=99)  # a double click: a second post of the same form
    assert first.pk == second.pk and second.params == {"n": 1} and second.status == "queued"
    assert len(enqueued) == 1 and Job.objects.count() == 1
    assert AuditEvent.objects.filter(verb="job.submit", target_id=str(first.pk)).count() == 1
    with pytest.raises(DomainError, match="another kind"):
        _submit(user, kind="test.split", key="k-1", words=[])
    with pytest.raises(DomainError, match="No run handler"):
        _submit(user, kind="test.unknown")


@JOBS_DB
def test_a_split_job_renders_its_parts_on_the_workers_and_joins_them_in_order(celery_worker, make_user):
    user = make_user("sam", "Supervisor")
    job = _wait(_submit(user, kind="test.split", words=["water", "gas", "electric", "sewer"]))
    assert job.status == "done"
    assert bytes(Job.objects.get(pk=job.pk).output_data) == b"WATER GAS ELECTRIC SEWER"
    assert (job.parts, job.parts_done, job.done, job.total) == (4, 4, 21, 21)
    assert not JobPart.objects.exists()  # joined, then deleted
    failed = _wait(_submit(user, kind="test.split", words=["water", "boom", "gas"]))
    assert failed.status == "failed" and "cannot render boom" in failed.error and failed.output_data is None
    assert not JobPart.objects.filter(job=failed).exists()  # the parts already rendered are gone


def test_the_job_page_and_download_need_the_jobs_permission(role_clients, make_user):
    owner = make_user("sam", "Supervisor")
    job = _submit(owner, n=1)
    Job.objects.filter(pk=job.pk).update(status="done", output_data=b"a,b\n", output_name="rows.csv",
                                         output_type="text/csv", output_size=4)  # fmt: skip
    for role, client in role_clients.items():
        allowed = role in {"Supervisor", "Administrator"}
        page = client.get(f"/jobs/{job.pk}/")
        download = client.get(f"/jobs/{job.pk}/download/")
        assert page.status_code == (200 if allowed else 403), role
        assert download.status_code == (200 if allowed else 403), role
    response = role_clients["Supervisor"].get(f"/jobs/{job.pk}/download/")
    assert response.content == b"a,b\n"
    assert 'attachment; filename="rows.csv"' in response["Content-Disposition"]
    # one row a download
    assert AuditEvent.objects.filter(verb="job.download", target_id=str(job.pk)).count() == 3
    assert role_clients["Supervisor"].get("/jobs/999999/").status_code == 404
    queued = _submit(owner, n=1)
    assert role_clients["Supervisor"].get(f"/jobs/{queued.pk}/download/").status_code == 404  # not ready


def test_the_job_page_polls_while_running_and_stops_when_done(client, make_user, django_assert_num_queries):
    user = make_user("sam", "Supervisor")
    client.force_login(user)
    job = _submit(user, n=1)
    Job.objects.filter(pk=job.pk).update(status="running", done=40, total=160)
    client.get(f"/jobs/{job.pk}/")  # warm the session and permission caches out of the count
    # session and user; the job with its submitter in ONE query; the user's permissions (one:
    # common.permission_backend); no menu, badge or roles (a fragment shows none) and no session
    # write (once a minute at most): a poll a second must stay this cheap
    with django_assert_num_queries(4):
        fragment = client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "40 of 160 (25%)" in fragment and "<html" not in fragment
    Job.objects.filter(pk=job.pk).update(status="done", done=160, result={"summary": "160 notices"})
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "hx-trigger" not in page and "160 notices" in page and "Download" not in page
    listing = client.get("/jobs/").content.decode()
    assert f'href="/jobs/{job.pk}/"' in listing and "Test test.rows" in listing
    other = make_user("ann", "Supervisor")
    client.force_login(other)
    assert f'href="/jobs/{job.pk}/"' not in client.get("/jobs/").content.decode()  # only one's own
