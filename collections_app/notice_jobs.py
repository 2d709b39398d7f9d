"""Notice batches as jobs (common.jobs): building a batch, and printing it to one PDF rendered in
parallel parts on the workers. Registered in CollectionsConfig.ready(); the notices pages submit
them and send the officer to the job's page (progress, then the batch or the download)."""

from datetime import date
from typing import Any

from django.urls import reverse

from collections_app.models import NoticeBatch
from collections_app.pdf_notices import PDF_PART, batch_notice_ids, batch_title, notices_pdf_part, pdf_join
from collections_app.services.notices import notice_batch_build
from common.jobs import JobOutcome, JobSplit, Progress, job_handler, job_submit
from common.models import Job

BUILD = "notices.batch_build"
PDF = "notices.batch_pdf"


def notice_batch_build_submit(*, kind: str, business_date: date, actor: Any, key: str) -> Job:
    """The build of a batch, as a job. `key` is the form's one-time key: a double click shows
    the same job; a later build (a new page) completes the batch with what is missing since."""
    label = f"{dict(NoticeBatch._meta.get_field('kind').choices)[kind]} batch {business_date:%b %d, %Y}"
    return job_submit(
        kind=BUILD,
        key=f"{BUILD}:{key}",
        label=f"Build: {label}",
        params={"kind": kind, "business_date": business_date.isoformat()},
        actor=actor,
        permission="collections_app.add_noticebatch",
    )


def notice_batch_pdf_submit(*, batch: NoticeBatch, actor: Any) -> Job:
    """The batch's PDF, as a job. One job per content of the batch: asking again for the same
    notices shows the same job (and its file); a batch completed since gets a new PDF."""
    ids = batch_notice_ids(batch)
    fingerprint = f"{len(ids)}:{max(ids, default=0)}:{batch.sent_on or ''}"
    return job_submit(
        kind=PDF,
        key=f"{PDF}:{batch.pk}:{fingerprint}",
        label=f"PDF: {batch_title(batch)} ({len(ids)} notices)",
        params={"batch_id": batch.pk},
        actor=actor,
        permission="collections_app.view_notice",
    )


@job_handler(BUILD)
def _build(job: Job, progress: Progress) -> JobOutcome:
    batch = notice_batch_build(
        kind=job.params["kind"],
        business_date=date.fromisoformat(job.params["business_date"]),
        actor=job.created_by,
        progress=progress,
    )
    n = batch.notices.filter(voided=False).count()
    return JobOutcome(
        result={
            "summary": f"{batch} is ready: {n:,} notices.",
            "link": reverse("collections_app:notice_batch", args=[batch.pk]),
            "link_label": "Open the batch",
            "batch_id": batch.pk,
        }
    )


@job_handler(PDF)
def _pdf(job: Job, progress: Progress) -> JobSplit:
    batch = NoticeBatch.objects.get(pk=job.params["batch_id"])
    ids = batch_notice_ids(batch)
    title = batch_title(batch)
    chunks = [ids[i : i + PDF_PART] for i in range(0, len(ids), PDF_PART)] or [[]]
    parts = [
        {"ids": c, "first": i * PDF_PART + 1, "of": len(ids), "title": title} for i, c in enumerate(chunks)
    ]
    return JobSplit(parts=parts, units=[len(c) for c in chunks])


@job_handler(PDF, step="part")
def _pdf_part(job: Job, params: dict[str, Any]) -> bytes:
    return notices_pdf_part(params["ids"], first=params["first"], of=params["of"], title=params["title"])


@job_handler(PDF, step="join")
def _pdf_join(job: Job, parts: list[bytes]) -> JobOutcome:
    batch = NoticeBatch.objects.get(pk=job.params["batch_id"])
    data = parts[0] if len(parts) == 1 else pdf_join(parts)
    return JobOutcome(
        result={
            "summary": f"{batch_title(batch)}: {job.total:,} notices, one page each.",
            "link": reverse("collections_app:notice_batch", args=[batch.pk]),
            "link_label": "Back to the batch",
        },
        output=data,
        output_name=f"notices-{batch.kind}-{batch.business_date:%Y%m%d}.pdf",
        output_type="application/pdf",
    )
