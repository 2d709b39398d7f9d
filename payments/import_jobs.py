"""Lockbox and agency payment files as jobs (common.jobs): the page stores the file and sends
staff to the job's page at once; a worker validates and posts it, all or nothing, with progress.
A 50,000-line file could not be posted within a request at all."""

import hashlib
from typing import Any

from django.urls import reverse

from common.jobs import JobOutcome, Progress, job_handler, job_input, job_submit
from common.models import Job
from payments.models import PaymentFile
from payments.services.files import payment_file_import

FILE = "payments.file_import"


def payment_file_submit(*, data: bytes, file_name: str, source: str, actor: Any) -> Job:
    """The same file again finds its job (the key is the file's sha256, as PaymentFile's own
    check); each line stays idempotent by its external_id across files."""
    label = dict(PaymentFile.Source.choices).get(source, source)
    return job_submit(
        kind=FILE,
        key=f"{FILE}:{hashlib.sha256(data).hexdigest()}",
        label=f"{label} file: {file_name}"[:200],
        actor=actor,
        permission="payments.import_payment_file",
        params={"source": source},
        data=data,
        data_name=file_name,
    )


@job_handler(FILE)
def _run(job: Job, progress: Progress) -> JobOutcome:
    data = job_input(job)
    record = payment_file_import(
        data=data,
        file_name=job.input_name,
        source=job.params["source"],
        actor=job.created_by,
        progress=progress,
    )
    return JobOutcome(
        result={
            "summary": f"{record.posted} payments posted (${record.total:,.2f}); "
            f"{record.skipped} already posted from earlier files.",
            "link": reverse("payments:file_import"),
            "link_label": "Import another file",
        }
    )
