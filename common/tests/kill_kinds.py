"""Job kinds for the killed-worker tests, registered in the test process (job_submit checks the
kind) and in the worker subprocess (common.tests.killed_worker imports this module)."""

import time

from django.db import transaction

from common.audit import audit_record
from common.jobs import JobOutcome, JobSplit, Progress, job_handler
from common.models import Job

COUNT = "killtest.count"
SPLIT = "killtest.split"


@job_handler(COUNT)
def _count(job: Job, progress: Progress) -> JobOutcome:
    """n audit rows in one transaction, one step every `step` seconds; the output depends on the
    params only, so an uninterrupted job and a recovered one must produce the same bytes."""
    n, step = job.params["n"], job.params["step"]
    with transaction.atomic(durable=True):
        for i in range(n):
            audit_record(actor=None, verb="killtest.row", data={"job": job.pk, "i": i})
            progress(i + 1, n, force=True)
            time.sleep(step)
    output = ",".join(str(i * i) for i in range(n)).encode()
    return JobOutcome(result={"summary": f"{n} rows"}, output=output, output_name="squares.txt")


@job_handler(SPLIT)
def _split(job: Job, progress: Progress) -> JobSplit:
    return JobSplit(parts=[{"i": i, "step": job.params["step"]} for i in range(job.params["n"])])


@job_handler(SPLIT, step="part")
def _part(job: Job, params: dict) -> bytes:  # type: ignore[type-arg]
    time.sleep(params["step"])
    return f"part {params['i']}".encode()


@job_handler(SPLIT, step="join")
def _join(job: Job, parts: list[bytes]) -> JobOutcome:
    return JobOutcome(result={"summary": f"{len(parts)} parts"}, output=b"|".join(parts), output_name="p.txt")
