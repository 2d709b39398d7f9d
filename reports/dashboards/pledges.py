"""Pledges by agency: pledged (by pledge date), paid (by the day the pledge was paid in full),
days from pledge to payment, and expired unpaid (by the day the nightly run expired it)."""

from collections.abc import Iterable
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from counseling.models import Agency, Pledge, PledgeStatus
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

CLOSED_DAY = "(p.closed_at AT TIME ZONE %(tz)s)::date"
CLOSED_IN_RANGE = f"{CLOSED_DAY} BETWEEN %(first)s AND %(last)s"

PLEDGED_SQL = """
SELECT p.pledged_on, p.agency_id::text, p.account_id, p.counselor_id, 1, p.amount
FROM counseling_pledge p WHERE p.pledged_on BETWEEN %(first)s AND %(last)s
"""
PAID_SQL = f"""
SELECT {CLOSED_DAY}, p.agency_id::text, p.account_id, p.counselor_id, 1, p.paid_amount
FROM counseling_pledge p WHERE p.status = 'paid' AND {CLOSED_IN_RANGE}
"""  # noqa: S608 (fixed fragments)
# amount: the days from the pledge to its payment (their sum; the dashboard divides by the count)
DAYS_SQL = f"""
SELECT {CLOSED_DAY}, p.agency_id::text, p.account_id, p.counselor_id, 1, {CLOSED_DAY} - p.pledged_on
FROM counseling_pledge p WHERE p.status = 'paid' AND {CLOSED_IN_RANGE}
"""  # noqa: S608 (fixed fragments)
EXPIRED_SQL = f"""
SELECT {CLOSED_DAY}, p.agency_id::text, p.account_id, p.counselor_id, 1, p.amount - p.paid_amount
FROM counseling_pledge p WHERE p.status = 'expired' AND {CLOSED_IN_RANGE}
"""  # noqa: S608 (fixed fragments)


def _records(kind: str):  # type: ignore[no-untyped-def]
    def records(*, key: str, start: date, end: date) -> QuerySet:
        qs = Pledge.objects.select_related("account__customer", "agency", "counselor")
        if key:
            qs = qs.filter(agency_id=int(key)) if key.isdigit() else qs.none()
        if kind == "pledged":
            return qs.filter(pledged_on__range=(start, end))
        status = PledgeStatus.EXPIRED if kind == "expired" else PledgeStatus.PAID
        return qs.filter(status=status, closed_at__date__range=(start, end))

    return records


COLUMNS = (
    Column("Account", lambda p: p.account.number, lambda p: account_link(p.account)),
    Column("Customer", lambda p: str(p.account.customer)),
    Column("Agency", lambda p: p.agency.name),
    Column("Program", lambda p: p.program),
    Column("Pledged on", lambda p: p.pledged_on),
    Column("Status", lambda p: p.get_status_display()),
    Column("Closed", lambda p: timezone.localdate(p.closed_at) if p.closed_at else ""),
    Column("Pledged", lambda p: p.amount, money=True),
    Column("Paid", lambda p: p.paid_amount, money=True),
)

for name, sql in (("pledged", PLEDGED_SQL), ("paid", PAID_SQL), ("days", DAYS_SQL), ("expired", EXPIRED_SQL)):
    register_metric(
        RollupMetric(
            name=f"pledges.{name}",
            facts_sql=sql,
            records=_records(name),
            employee_path="counselor",
            columns=COLUMNS,
        )
    )


def agency_names(keys: Iterable[str]) -> dict[str, str]:
    ids = [int(k) for k in keys if k.isdigit()]
    return {str(pk): name for pk, name in Agency.objects.filter(pk__in=ids).values_list("pk", "name")}


AVG_DAYS = Ratio("Average days to pay", "Days to pay (total)", ("Paid",), percent=False)
PAID_RATE = Ratio("Paid / pledged ($, %)", "Paid ($)", ("Pledged ($)",))

register_dashboard(
    Dashboard(
        slug="pledges",
        title="Pledges by agency",
        description="What agencies pledged and what they paid, how many days payment took, and "
        "pledges that expired unpaid.",
        series=(
            Series("pledges.pledged", None, "Pledged"),
            Series("pledges.pledged", None, "Pledged ($)", "amount"),
            Series("pledges.paid", None, "Paid"),
            Series("pledges.paid", None, "Paid ($)", "amount"),
            Series("pledges.days", None, "Days to pay (total)", "total"),
            Series("pledges.expired", None, "Expired"),
            Series("pledges.expired", None, "Expired unpaid ($)", "amount"),
        ),
        ratios=(AVG_DAYS, PAID_RATE),
        breakdown=Breakdown(
            by="key",
            title="Per agency",
            row_label="Agency",
            columns=(
                "Pledged",
                "Pledged ($)",
                "Paid",
                "Paid ($)",
                "Days to pay (total)",
                "Expired",
                "Expired unpaid ($)",
            ),
            ratios=(AVG_DAYS, PAID_RATE),
            names=agency_names,
        ),
        chart=(("Pledged ($)", "bar"), ("Paid ($)", "bar"), ("Expired unpaid ($)", "bar")),
    )
)
