"""An agency's remittance file as a job (common.jobs): the page stores the file and sends the
officer to the job's page at once; a worker validates and posts it, all or nothing, with
progress. A 50,000-line remittance could not be posted within a request at all."""

import hashlib
from typing import Any

from django.urls import reverse

from collections_app.services.agency import remittance_import
from common.jobs import JobOutcome, Progress, job_handler, job_input, job_submit
from common.models import Job

REMITTANCE = "collections.remittance_import"


def remittance_submit(*, data: bytes, file_name: str, agency: Any, actor: Any) -> Job:
    """The same file for the same agency finds its job (key: agency and the file's sha256); a copy
    of an imported remittance with other bytes is still refused by the import's content digest."""
    return job_submit(
        kind=REMITTANCE,
        key=f"{REMITTANCE}:{agency.pk}:{hashlib.sha256(data).hexdigest()}",
        label=f"Remittance from {agency.name}: {file_name}"[:200],
        actor=actor,
        permission="collections_app.change_agencyreferral",
        params={"agency_id": agency.pk},
        data=data,
        data_name=file_name,
    )


@job_handler(REMITTANCE)
def _run(job: Job, progress: Progress) -> JobOutcome:
    data = job_input(job)
    record = remittance_import(
        data=data,
        file_name=job.input_name,
        agency_id=job.params["agency_id"],
        actor=job.created_by,
        progress=progress,
    )
    return JobOutcome(
        result={
            "summary": f"{record.lines} agency payments posted (${record.total:,.2f}; "
            f"commission ${record.commission:,.2f}).",
            "link": reverse("collections_app:remittance"),
            "link_label": "Import another remittance",
        }
    )
