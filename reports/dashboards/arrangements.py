"""Arrangements: created (every request, any outcome), kept (paid in full) and broken, by the day
it happened, and the kept rate per counselor (kept / (kept + broken) of plans that ended)."""

from datetime import date

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from counseling.models import Arrangement, ArrangementStatus
from reports.dashboards.base import (
    Breakdown,
    Column,
    Dashboard,
    Ratio,
    RollupMetric,
    Series,
    account_link,
    register_dashboard,
    register_metric,
)

# created: the local day of created_at; kept/broken: the day the plan ended (ended_on)
FACTS_SQL = """
SELECT (a.created_at AT TIME ZONE %(tz)s)::date, 'created', a.account_id, a.counselor_id, 1, a.total
FROM counseling_arrangement a
WHERE a.created_at >= %(first)s::timestamp AT TIME ZONE %(tz)s
  AND a.created_at < (%(last)s::date + 1)::timestamp AT TIME ZONE %(tz)s
UNION ALL
SELECT a.ended_on, a.status, a.account_id, a.counselor_id, 1, a.total
FROM counseling_arrangement a
WHERE a.status IN ('kept', 'broken') AND a.ended_on BETWEEN %(first)s AND %(last)s
"""


def records(*, key: str, start: date, end: date) -> QuerySet:
    qs = Arrangement.objects.select_related("account__customer", "counselor")
    if key == "created":
        return qs.filter(created_at__date__range=(start, end))  # local dates (USE_TZ, TIME_ZONE)
    if key in (ArrangementStatus.KEPT, ArrangementStatus.BROKEN):
        return qs.filter(status=key, ended_on__range=(start, end))
    return qs.none()


def _who(user: object) -> str:
    return user.get_full_name() or user.get_username()  # type: ignore[attr-defined]


register_metric(
    RollupMetric(
        name="arrangements",
        facts_sql=FACTS_SQL,
        records=records,
        employee_path="counselor",
        columns=(
            Column(
                "Arrangement", lambda a: f"#{a.pk}", lambda a: reverse("counseling:arrangement", args=[a.pk])
            ),
            Column("Account", lambda a: a.account.number, lambda a: account_link(a.account)),
            Column("Customer", lambda a: str(a.account.customer)),
            Column("Counselor", lambda a: _who(a.counselor)),
            Column("Created", lambda a: timezone.localdate(a.created_at)),
            Column("Status", lambda a: a.get_status_display()),
            Column("Ended", lambda a: a.ended_on or ""),
            Column("Total", lambda a: a.total, money=True),
        ),
    )
)

KEPT_RATE = Ratio("Kept rate (%)", "Kept", ("Kept", "Broken"))

register_dashboard(
    Dashboard(
        slug="arrangements",
        title="Arrangements",
        description="Arrangements created, kept (paid in full) and broken, and each counselor's kept "
        "rate: kept / (kept + broken) of the plans that ended in the period.",
        series=(
            Series("arrangements", "created", "Created"),
            Series("arrangements", "kept", "Kept"),
            Series("arrangements", "broken", "Broken"),
            Series("arrangements", "created", "Created ($)", "amount"),
        ),
        ratios=(KEPT_RATE,),
        breakdown=Breakdown(
            by="employee",
            title="Per counselor",
            row_label="Counselor",
            columns=("Created", "Kept", "Broken"),
            ratios=(KEPT_RATE,),
        ),
        chart=(("Created", "bar"), ("Kept", "bar"), ("Broken", "bar"), ("Kept rate (%)", "line")),
    )
)
