"""Long work as stored jobs: the request stores a job and returns at once; a Celery worker runs it.

Every long job (a notice batch and its PDF, an import, an export, a report, a nightly run
started by hand) follows this one pattern. An app registers its kinds in AppConfig.ready():

    from common.jobs import JobOutcome, JobSplit, job_handler

    @job_handler("notices.batch_build")
    def build(job: Job, progress: Progress) -> JobOutcome:
        ...                                  # the work: ONE transaction of its own (atomic, durable)
        progress(done, total)                # as often as you like; visible at once (see Progress)
        return JobOutcome(result={"summary": "994 notices", "link": "/collections/..."},
                          output=pdf_bytes, output_name="x.pdf", output_type="application/pdf")

and a view submits one (`job_submit` returns at once; redirect to `job.get_absolute_url()`):

    job = job_submit(kind="notices.batch_build", key=form_key, label="Shutoff notices Oct 21",
                     params={...}, actor=request.user, permission="collections_app.add_noticebatch",
                     data=uploaded_bytes, data_name="bills.csv")      # data: optional input file

- `key` is the idempotency key: a repeated submission (a double click, a replayed post, the same
  file again) finds the job already there and shows it. A failed job submitted again is re-queued.
- The handler runs outside any transaction and owns its own: it must commit all of its work or
  none of it (a failed handler leaves nothing partial; the job shows the error). Raise
  `DomainError` for a failure staff can act on; its message is shown as it is.
- `result` is a small JSON summary shown on the job page: "summary" (a sentence), "link" (where
  the work can be seen), "errors" (a list of {"line": n, "message": "..."} for imports).
- Work that splits across workers (e.g. rendering 10,000 notices) returns `JobSplit(parts=[...])`
  instead: each part's params go to the kind's `@job_handler(kind, step="part")` function
  (`part(job, params) -> bytes`), in parallel on every worker; when the last part is stored the
  `@job_handler(kind, step="join")` function (`join(job, parts: list[bytes]) -> JobOutcome`) makes
  the output. A part that fails fails the job and its stored parts are deleted.
- Tests that run jobs on a real worker (the `celery_worker` fixture) allow the progress alias:
  `@pytest.mark.django_db(transaction=True, databases=["default", "jobs"])`.
- Staff see their jobs at /jobs/ and a job at /jobs/<id>/ (live progress, outcome, Download),
  only with the job's `permission`; submissions and downloads are in the audit trail.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from common.audit import audit_record
from common.exceptions import DomainError
from common.models import Job, JobPart, JobStatus

logger = logging.getLogger(__name__)
PROGRESS_DB = "jobs"  # settings.DATABASES: the autocommit connection for progress only
MAX_ERRORS = 1000  # bad lines of a rejected import kept on its job page
PROGRESS_EVERY = 0.5  # seconds: at most two progress writes a second, however often it is called


@dataclass(frozen=True)
class JobOutcome:
    result: dict[str, Any] = field(default_factory=dict)
    output: bytes | None = None
    output_name: str = ""
    output_type: str = "application/octet-stream"


@dataclass(frozen=True)
class JobSplit:
    parts: list[dict[str, Any]]
    units: list[int] | None = None  # what each part counts for in the progress (default 1 each)


_handlers: dict[tuple[str, str], Callable[..., Any]] = {}


def job_handler(kind: str, *, step: str = "run") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the function that runs jobs of `kind` (step "run"), or a split job's "part"/"join"."""
    if step not in ("run", "part", "join"):
        raise ValueError(step)

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        _handlers[(kind, step)] = fn  # ready() may run more than once in tests: last one wins
        return fn

    return register


def handler_for(kind: str, step: str = "run") -> Callable[..., Any]:
    try:
        return _handlers[(kind, step)]
    except KeyError:
        raise DomainError("job.kind", f"No {step} handler registered for jobs of kind {kind!r}.") from None


class Progress:
    """`progress(done, total=None)`: how far the job is.

    Written through the second database alias `jobs` in autocommit, NOT the default connection:
    the handler's work is one transaction on "default", still open while it reports progress, and
    anything written there would stay invisible to the job page until the very end (and vanish
    with a rollback). The progress row is the only thing written outside that transaction; the
    handler never touches its own Job row, so the two connections never wait for each other.
    """

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self._last = 0.0

    def __call__(self, done: int, total: int | None = None, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < PROGRESS_EVERY and (total is None or done < total):
            return
        self._last = now
        values: dict[str, Any] = {"done": max(done, 0), "heartbeat_at": timezone.now()}
        if total is not None:
            values["total"] = max(total, 0)
        Job.objects.using(PROGRESS_DB).filter(pk=self.job_id, status=JobStatus.RUNNING).update(**values)


@transaction.atomic
def job_submit(
    *,
    kind: str,
    key: str,
    label: str,
    actor: AbstractBaseUser | AnonymousUser | None,
    permission: str,
    params: dict[str, Any] | None = None,
    data: bytes | None = None,
    data_name: str = "",
) -> Job:
    """Store the job and enqueue it once the transaction commits; returns at once.

    Not durable on purpose: a caller's service may submit inside its own transaction, and the
    worker is then only told after that outer transaction commits (never about a rolled-back job).
    """
    handler_for(kind)  # an unknown kind fails here, in the request, not later in a worker
    user = actor if actor is not None and actor.is_authenticated else None
    job, created = Job.objects.select_for_update(no_key=True).get_or_create(
        key=key[:200],
        defaults={
            "kind": kind,
            "label": label[:200],
            "permission": permission,
            "params": params or {},
            "input_data": data,
            "input_name": data_name[:200],
            "created_by": user,
        },
    )
    if job.kind != kind:
        raise DomainError("job.key_reused", "This key belongs to another kind of job.")
    if not created and job.status != JobStatus.FAILED:
        return job  # queued, running or done: the same job, shown again
    if not created:  # failed before: try again, from nothing (the handler left nothing partial)
        job.status, job.error, job.done, job.parts, job.parts_done = JobStatus.QUEUED, "", 0, 0, 0
        job.result, job.started_at, job.finished_at = {}, None, None
        job.heartbeat_at = timezone.now()  # queued again now: not stalled since its first attempt
        job.save(update_fields=["status", "error", "done", "parts", "parts_done", "result",
                                "started_at", "finished_at", "heartbeat_at"])  # fmt: skip
    audit_record(actor=user, verb="job.submit" if created else "job.retry", target=job, data={"kind": kind})
    from common.tasks import job_run  # tasks import this module

    job_run.delay_on_commit(job_id=job.pk)
    return job


def job_input(job: Job) -> bytes:
    """The uploaded file of a job (deferred by the manager: loaded only by the handler that reads it)."""
    return bytes(Job.objects.only("input_data").get(pk=job.pk).input_data)


def job_visible(job: Job, user: AbstractBaseUser | AnonymousUser) -> bool:
    """Who may see a job and download its output: whoever holds the job's permission."""
    return bool(user.is_authenticated and user.has_perm(job.permission))


@transaction.atomic(durable=True)
def job_output_read(*, job_id: int, actor: AbstractBaseUser) -> Job:
    """The output of a finished job, for a download (audited: outputs carry customers' data)."""
    job = Job.objects.defer("input_data").filter(pk=job_id).first()
    if job is None or job.status != JobStatus.DONE or job.output_data is None:
        raise DomainError("job.no_output", "This job has no file to download (yet).")
    audit_record(actor=actor, verb="job.download", target=job, data={"name": job.output_name})
    return job


# --- run by the workers (common.tasks) --------------------------------------------------------


def _claim(job_id: int) -> Job | None:
    """Mark the job running; None if it is finished (a message delivered again after the end)."""
    with transaction.atomic(durable=True):
        job = Job.objects.select_for_update(no_key=True).filter(pk=job_id).first()
        if job is None or job.finished:
            return None
        if job.status == JobStatus.RUNNING and not job.is_stalled:
            # A second delivery while a live worker runs it (the watchdog's re-send crossing a
            # message stuck behind a dead worker, a visibility-timeout redelivery): running it
            # twice at once could commit its work twice. Only a job that stopped starts over.
            logger.warning("job %s is running with a recent heartbeat: this delivery is dropped", job_id)
            return None
        # a job found "running" and stalled was cut off (its worker died; acks_late delivered it
        # again): its transaction was rolled back with the worker, so it starts over
        job.status, job.started_at, job.heartbeat_at = JobStatus.RUNNING, timezone.now(), timezone.now()
        job.done = job.parts = job.parts_done = 0
        job.save(update_fields=["status", "started_at", "heartbeat_at", "done", "parts", "parts_done"])
        JobPart.objects.filter(job=job).delete()
        return job


@transaction.atomic(durable=True)
def _finish(job_id: int, outcome: JobOutcome) -> None:
    job = Job.objects.select_for_update(no_key=True).get(pk=job_id)
    if job.status != JobStatus.RUNNING:
        return
    job.status, job.finished_at, job.result = JobStatus.DONE, timezone.now(), outcome.result
    job.done = job.total = max(job.total, job.done)
    fields = ["status", "finished_at", "result", "done", "total"]
    if outcome.output is not None:
        job.output_data, job.output_size = outcome.output, len(outcome.output)
        job.output_name, job.output_type = outcome.output_name, outcome.output_type
        fields += ["output_data", "output_size", "output_name", "output_type"]
    job.save(update_fields=fields)
    JobPart.objects.filter(job=job).delete()


@transaction.atomic(durable=True)
def job_fail(*, job_id: int, error: str, result: dict[str, Any] | None = None) -> None:
    """The job failed: it shows the error (and `result`'s errors, e.g. an import's bad lines), and
    any parts already rendered are deleted."""
    job = Job.objects.select_for_update(no_key=True).get(pk=job_id)
    if job.finished:
        return
    job.status, job.finished_at, job.error = JobStatus.FAILED, timezone.now(), error[:2000]
    job.result = result or {}
    job.save(update_fields=["status", "finished_at", "error", "result"])
    JobPart.objects.filter(job=job).delete()
    audit_record(actor=None, verb="job.failed", target=job, data={"error": job.error[:200]})


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    return f"{type(exc).__name__}: {exc}"


def job_execute(job_id: int) -> None:
    """Run a job's handler (the `job_run` task). A split job hands its parts to the workers."""
    job = _claim(job_id)
    if job is None:
        return
    try:
        outcome = handler_for(job.kind)(job, Progress(job.pk))
    except Exception as exc:  # any failure is the job's, shown on its page
        logger.exception("job %s (%s) failed", job_id, job.kind)
        # a rejected import lists its bad lines (the file's own numbers) on the job page
        # (the first MAX_ERRORS of them: the message says how many there are in all)
        errors = [{"line": n, "message": m} for n, m in getattr(exc, "errors", [])[:MAX_ERRORS]]
        job_fail(job_id=job_id, error=_error_text(exc), result={"errors": errors} if errors else None)
        return
    if isinstance(outcome, JobSplit):
        _split(job.pk, outcome)
    else:
        _finish(job.pk, outcome)


@transaction.atomic(durable=True)
def _split(job_id: int, split: JobSplit) -> None:
    from common.tasks import job_join_run, job_part_run

    units = split.units or [1] * len(split.parts)
    job = Job.objects.select_for_update(no_key=True).get(pk=job_id)
    pairs = enumerate(zip(split.parts, units, strict=True))
    JobPart.objects.bulk_create(JobPart(job=job, index=i, params=p, units=u) for i, (p, u) in pairs)
    job.parts, job.parts_done, job.done, job.total = len(split.parts), 0, 0, sum(units)
    job.save(update_fields=["parts", "parts_done", "done", "total"])
    if not split.parts:
        transaction.on_commit(lambda: job_join_run.delay(job_id=job_id))
    for i in range(len(split.parts)):
        job_part_run.delay_on_commit(job_id=job_id, index=i)


def job_part_execute(job_id: int, index: int) -> None:
    """Render one part; the part that completes the set enqueues the join."""
    job = Job.objects.filter(pk=job_id).first()
    part = JobPart.objects.defer("data").filter(job_id=job_id, index=index).first()
    if job is None or job.status != JobStatus.RUNNING or part is None:
        return  # failed meanwhile, or restarted: nothing to do
    try:
        data = handler_for(job.kind, "part")(job, part.params)
    except Exception as exc:
        logger.exception("job %s part %s failed", job_id, index)
        job_fail(job_id=job_id, error=f"Part {index + 1} of {job.parts}: {_error_text(exc)}")
        return
    from common.tasks import job_join_run

    with transaction.atomic(durable=True):
        # The job row lock orders the parts finishing at once: exactly one of them sees the
        # last count and enqueues the join; a part delivered twice is stored and counted once.
        job = Job.objects.select_for_update(no_key=True).get(pk=job_id)
        if job.status != JobStatus.RUNNING:
            return
        if not JobPart.objects.filter(pk=part.pk, data__isnull=True).update(data=data):
            return
        job.parts_done += 1
        job.done = min(job.done + part.units, job.total)
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["parts_done", "done", "heartbeat_at"])
        if job.parts_done == job.parts:
            job_join_run.delay_on_commit(job_id=job_id)


def job_join_execute(job_id: int) -> None:
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.status != JobStatus.RUNNING:
        return
    stored = JobPart.objects.filter(job_id=job_id).order_by("index").values_list("data", flat=True)
    parts = [bytes(d) for d in stored if d is not None]
    try:
        if len(parts) != job.parts:
            raise DomainError("job.part_missing", "A part of the job was not rendered.")
        outcome = handler_for(job.kind, "join")(job, parts)
    except Exception as exc:
        logger.exception("job %s join failed", job_id)
        job_fail(job_id=job_id, error=_error_text(exc))
        return
    _finish(job_id, outcome)
