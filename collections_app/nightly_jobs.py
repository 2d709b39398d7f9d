"""Nightly runs started by hand, as jobs (common.jobs): the officer's button stores a job and lands
on its page (running, then the outcome and a link back), instead of holding the request while
the run works through every account. Each run is already one per business date (BatchRun), so a
job per (run, date) is its idempotency key: a second click that day shows the same job."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.urls import reverse

from common.jobs import JobOutcome, Progress, job_handler, job_submit
from common.models import Job

KIND = "collections.nightly_run"


@dataclass(frozen=True)
class _Run:
    label: str
    permission: str
    link: str  # URL name of the page the run's results are on
    start: Callable[..., Any]  # (business_date=, actor=) -> BatchRun
    summary: Callable[[Any], str]


def _deposits(run: Any) -> str:
    c = run.counts
    refunds = c.get("refunds_applied", 0) + c.get("refund_checks", 0)
    return (
        f"Deposits for {run.business_date:%b %d}: {c.get('installments_billed', 0)} installments billed, "
        f"{c.get('interest_credits', 0)} interest credits, {refunds} refunds, "
        f"{c.get('final_applied', 0)} applied to final bills."
    )


def _runs() -> dict[str, _Run]:
    # imported here: the services import models that are not ready when this module is registered
    from collections_app.services.agency import referral_batch_run
    from collections_app.services.deposits_nightly import deposits_nightly_run
    from collections_app.services.refunds_nightly import refunds_nightly_run
    from collections_app.services.write_offs import small_balance_run

    return {
        "deposits": _Run(
            "Deposit billing, interest and refunds",
            "collections_app.add_batchrun",
            "collections_app:deposits",
            deposits_nightly_run,
            _deposits,
        ),
        "agency": _Run(
            "Agency referral batch",
            "collections_app.add_agencyreferral",
            "collections_app:referrals",
            referral_batch_run,
            lambda run: (
                f"Referral batch {run.business_date:%b %d, %Y}: {run.counts.get('referred', 0)} referred."
            ),
        ),
        "write_off": _Run(
            "Small-balance write-off",
            "collections_app.add_batchrun",
            "collections_app:write_offs",
            small_balance_run,
            lambda run: f"Small-balance write-off for {run.business_date:%b %d, %Y}: {run.total} accounts.",
        ),
        "refunds": _Run(
            "Credit refund proposals and unclaimed checks",
            "collections_app.add_batchrun",
            "collections_app:refunds",
            refunds_nightly_run,
            lambda run: (
                f"Refund run for {run.business_date:%b %d, %Y}: {run.counts.get('proposed', 0)} proposed "
                f"(${run.counts.get('proposed_total', '0.00')}), {run.counts.get('unclaimed', 0)} unclaimed "
                "checks returned."
            ),
        ),
    }


def nightly_run_submit(*, run: str, business_date: date, actor: Any) -> Job:
    spec = _runs()[run]
    return job_submit(
        kind=KIND,
        key=f"{KIND}:{run}:{business_date.isoformat()}",
        label=f"{spec.label} {business_date:%b %d, %Y}",
        params={"run": run, "business_date": business_date.isoformat()},
        actor=actor,
        permission=spec.permission,
    )


@job_handler(KIND)
def _nightly(job: Job, progress: Progress) -> JobOutcome:
    spec = _runs()[job.params["run"]]
    progress(0, 1)
    # the run service owns its transaction (all of the night's work or none); a DomainError it
    # raises fails the job with its message, as the button's message used to say it
    run = spec.start(business_date=date.fromisoformat(job.params["business_date"]), actor=job.created_by)
    progress(1, 1)
    return JobOutcome(
        result={"summary": spec.summary(run), "link": reverse(spec.link), "link_label": "Open the results"}
    )
