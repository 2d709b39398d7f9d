"""CSV exports over lists that grow with the city, as jobs (common.jobs): the button stores a job
and lands on its page; a worker reads the rows in ONE read-only snapshot (REPEATABLE READ: the
row count for the progress and the rows themselves agree), streams them with .iterator() and
stores the CSV as the job's output, byte for byte what the direct download used to send.

The key is the export's parameters plus a fingerprint of the rows it reads: their count and the
sum of their PostgreSQL `xmin` (the id of the transaction that last wrote each row), so an insert,
a delete or ANY update of those rows (an exclusion, a refund approved or issued) makes a new job,
and the same export of unchanged rows shows the job already made. The fingerprint covers the
exported table's own rows, not the customer/premise rows joined to them (a renamed customer
alone does not make a new job; export again after the next change, or see the live page).

The refund register (every refund ever made, for accounts payable) and the agency referral file
(every open referral) are jobs the same way, keyed by their filters.

Exports that stay direct downloads, each bounded by what it is: the route sheet (the open orders
of one field day's crews, limited by what crews can visit), the discontinuation report (one row
per month and utility of a year), the GL journal (one row per fund for one day)."""

import csv
import io
import itertools
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from collections_app.models import BatchRun
from collections_app.selectors.recovery import (
    REFERRAL_FILE_COLUMNS,
    referral_file_referrals,
    referral_file_rows,
)
from collections_app.selectors.refunds import REGISTER_COLUMNS, refund_register, register_csv_rows
from collections_app.selectors.shutoff import TABS, run_candidates, run_csv_rows
from common.jobs import JobOutcome, Progress, job_handler, job_submit
from common.models import Job

SHUTOFF = "collections.shutoff_csv"
VIEW_RUN = "collections_app.view_batchrun"
REFUNDS = "collections.refund_register_csv"
REFERRALS = "collections.referral_file_csv"


def fingerprint(qs: QuerySet[Any]) -> str:
    """Count and sum of xmin of the rows `qs` reads (one aggregate query, no rows fetched).

    Sum, not max: xids are 32-bit and wrap around, so a new write could stay under an old max;
    it still changes the sum."""
    xmin = RawSQL(f'"{qs.model._meta.db_table}".xmin::text::bigint', [])  # noqa: S611 (a model's table name)
    agg = qs.order_by().aggregate(n=Count("pk"), x=Sum(xmin))
    return f"{agg['n']}-{agg['x'] or 0}"


def _snapshot() -> None:
    """The first statement of the job's transaction: every later query sees the same data."""
    with connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


def csv_bytes(rows: Iterable[Iterable[Any]], *, total: int, progress: Progress) -> bytes:
    """The rows written as csv.writer writes them into a response (UTF-8, CRLF), with progress.
    `total` counts the data rows; a header row, if any, is the first row and not counted."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    progress(0, total, force=True)
    for i, row in enumerate(rows):
        writer.writerow(row)
        progress(i, total)  # i: the data rows written before this one
    progress(total, total, force=True)
    return out.getvalue().encode("utf-8")


# --- the shutoff list ---------------------------------------------------------------------------


def shutoff_csv_submit(*, run: BatchRun, tab: str, actor: Any) -> Job:
    tab = tab if tab in TABS else "listed"
    rows = run_candidates(run=run, tab=tab)
    return job_submit(
        kind=SHUTOFF,
        key=f"{SHUTOFF}:{run.pk}:{tab}:{fingerprint(rows)}",
        label=f"Shutoff list {run.business_date:%b %d, %Y}: {TABS[tab][0].lower()} (CSV)",
        params={"run_id": run.pk, "tab": tab},
        actor=actor,
        permission=VIEW_RUN,
    )


def shutoff_csv_rows(*, run_id: int, tab: str) -> tuple[BatchRun, int, Iterator[list[Any]]]:
    run = BatchRun.objects.select_related("policy_version").get(pk=run_id)
    return run, run_candidates(run=run, tab=tab).count(), run_csv_rows(run=run, tab=tab)


@job_handler(SHUTOFF)
def _shutoff(job: Job, progress: Progress) -> JobOutcome:
    tab = job.params["tab"]
    with transaction.atomic(durable=True):
        _snapshot()
        run, total, rows = shutoff_csv_rows(run_id=job.params["run_id"], tab=tab)
        data = csv_bytes(rows, total=total, progress=progress)
    return JobOutcome(
        result={
            "summary": f"{total} accounts ({TABS[tab][0]}) on the {run.business_date:%b %d, %Y} list.",
            "link": reverse("collections_app:shutoff_run", args=[run.pk]) + f"?tab={tab}",
            "link_label": "Back to the list",
        },
        output=data,
        output_name=f"shutoff-{run.business_date}-{tab}.csv",
        output_type="text/csv",
    )


# --- the refund register ------------------------------------------------------------------------

REGISTER_FILTERS = ("issued_from", "issued_to", "status", "method")


def _register_qs(params: dict[str, str]) -> Any:
    return refund_register(
        issued_from=date.fromisoformat(params["issued_from"]) if params["issued_from"] else None,
        issued_to=date.fromisoformat(params["issued_to"]) if params["issued_to"] else None,
        status=params["status"],
        method=params["method"],
    )


def refund_register_submit(*, filters: dict[str, Any], actor: Any) -> Job:
    """`filters`: the register form's cleaned data (validated in the request)."""
    params = {
        name: (v.isoformat() if isinstance(v, date) else str(v or ""))
        for name in REGISTER_FILTERS
        for v in [filters.get(name)]
    }
    shown = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in params.items() if v) or "all"
    return job_submit(
        kind=REFUNDS,
        key=f"{REFUNDS}:" + ":".join(params.values()) + f":{fingerprint(_register_qs(params))}",
        label=f"Refund register ({shown}) (CSV)",
        params=params,
        actor=actor,
        permission="collections_app.view_refund",
    )


@job_handler(REFUNDS)
def _refunds(job: Job, progress: Progress) -> JobOutcome:
    with transaction.atomic(durable=True):
        _snapshot()
        qs = _register_qs(job.params)
        total = qs.count()
        data = csv_bytes(
            itertools.chain([REGISTER_COLUMNS], register_csv_rows(qs)), total=total, progress=progress
        )
    return JobOutcome(
        result={
            "summary": f"{total} refunds in the register.",
            "link": reverse("collections_app:refund_register"),
            "link_label": "Back to the register",
        },
        output=data,
        output_name=f"refund-register-{timezone.localdate()}.csv",
        output_type="text/csv",
    )


# --- the agency referral file -------------------------------------------------------------------


def referral_file_submit(*, referred_on: date | None, actor: Any) -> Job:
    day = referred_on.isoformat() if referred_on else ""
    return job_submit(
        kind=REFERRALS,
        key=f"{REFERRALS}:{day}:{fingerprint(referral_file_referrals(referred_on=referred_on))}",
        label=f"Agency referral file ({day or 'all open'}) (CSV)",
        params={"date": day},
        actor=actor,
        permission="collections_app.view_agencyreferral",
    )


@job_handler(REFERRALS)
def _referrals(job: Job, progress: Progress) -> JobOutcome:
    day = job.params["date"]
    referred_on = date.fromisoformat(day) if day else None
    with transaction.atomic(durable=True):
        _snapshot()
        total = referral_file_referrals(referred_on=referred_on).count()
        rows = itertools.chain([REFERRAL_FILE_COLUMNS], referral_file_rows(referred_on=referred_on))
        data = csv_bytes(rows, total=total, progress=progress)
    return JobOutcome(
        result={
            "summary": f"{total} referrals in the file.",
            "link": reverse("collections_app:referrals"),
            "link_label": "Back to the referrals",
        },
        output=data,
        output_name=f"agency-referrals-{day or 'open'}.csv",
        output_type="text/csv",
    )
