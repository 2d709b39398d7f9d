"""Test helpers for CSV exports that are jobs (collections_app.export_jobs): submit the export as
the button does, let the real worker (celery_worker fixture) make it, read the CSV it stored."""

import csv
import io
from typing import Any

from common.models import Job
from conftest import wait_for_job


def export_job(client: Any, url: str, data: dict[str, str] | None = None) -> Job:
    """POST the export: the request lands on the job's page at once; the job, once finished."""
    response = client.post(url, data or {})
    assert response.status_code == 302 and response["Location"].startswith("/jobs/"), response
    job = Job.objects.get(pk=int(response["Location"].split("/")[2]))
    job = wait_for_job(job)
    assert job.status == "done", job.error
    return job


def job_csv(client: Any, job: Job) -> tuple[bytes, list[list[str]]]:
    """The job's CSV as staff download it from the job page: the bytes and the parsed rows."""
    response = client.get(f"/jobs/{job.pk}/download/")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    data = response.content
    return data, list(csv.reader(io.StringIO(data.decode(), newline="")))
