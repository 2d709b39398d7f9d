"""The bill import as a job (common.jobs): the page stores the file and sends staff to the job's
page at once; a worker validates and imports it, all or nothing, with progress. A 50,000-line file
took longer than a request may last (the web worker was killed at 30 s after committing)."""

import hashlib
from typing import Any

from django.urls import reverse

from accounts.services.bills import bill_import
from common.jobs import JobOutcome, Progress, job_handler, job_input, job_submit
from common.models import Job

BILLS = "accounts.bill_import"


def bill_import_submit(*, data: bytes, file_name: str, actor: Any) -> Job:
    """The same file again (whoever sends it) finds its job: the key is the file's sha256. The
    import itself stays idempotent by bill number, should the same bills come in another file."""
    return job_submit(
        kind=BILLS,
        key=f"{BILLS}:{hashlib.sha256(data).hexdigest()}",
        label=f"Bill import: {file_name}"[:200],
        actor=actor,
        permission="accounts.add_billimport",
        data=data,
        data_name=file_name,
    )


@job_handler(BILLS)
def _run(job: Job, progress: Progress) -> JobOutcome:
    data = job_input(job)
    result = bill_import(data=data, file_name=job.input_name, actor=job.created_by, progress=progress)
    return JobOutcome(
        result={
            "summary": f"{result.created} bills imported, {result.skipped} already there (skipped).",
            "link": reverse("accounts:bill_import"),
            "link_label": "Import another file",
        }
    )
