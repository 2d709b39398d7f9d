"""Reads for outside parties: a customer's payment history for a credit reference letter, and
the annual count of discontinuations a regulator asks for (e.g. Cal. HSC 116920 asks water
systems to report residential disconnections for non-payment each year)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from accounts.models import Account
from collections_app.models import DepositStatus, OrderKind, OrderStatus, SecurityDeposit, ServiceOrder
from common.dates import add_months
from common.money import to_money
from payments.models import ReturnedItem

# A due date counts as paid late when, at the end of that day, something due by then was still
# owed (credits count on their effective date, charges on their due date) — the same reading the
# engine's facts use for "late payments in 12 months".
LATE_SQL = """
WITH e AS (
    SELECT kind, amount, is_debit, effective_date, COALESCE(due_date, effective_date) AS d
    FROM accounts_ledgerentry WHERE account_id = %(id)s AND effective_date <= %(as_of)s
),
byday AS (
    SELECT CASE WHEN is_debit THEN d ELSE effective_date END AS d, SUM(amount) AS amt,
           bool_or(is_debit AND kind = 'charge') AS charge_due
    FROM e GROUP BY 1
),
run AS (SELECT d, charge_due, SUM(amt) OVER (ORDER BY d) AS owed FROM byday)
SELECT count(*) FILTER (WHERE d >= %(y1)s), count(*)
FROM run WHERE charge_due AND owed > 0 AND d < %(as_of)s AND d >= %(y2)s
"""


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


@dataclass(frozen=True)
class CreditHistory:
    as_of: date
    service_since: date
    service_until: date | None
    months_of_service: int
    late_12: int
    late_24: int
    returned_12: int
    returned_24: int
    disconnections_12: int
    disconnections_24: int
    balance: Decimal
    deposit_held: Decimal

    def summary(self) -> dict[str, Any]:
        return {
            k: (v.isoformat() if isinstance(v, date) else str(v) if isinstance(v, Decimal) else v)
            for k, v in self.__dict__.items()
        }


def _months_between(start: date, end: date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    return max(months - (1 if end.day < start.day else 0), 0)


def credit_history(*, account: Account, as_of: date) -> CreditHistory:
    y1, y2 = add_months(as_of, -12), add_months(as_of, -24)
    with connection.cursor() as cursor:
        cursor.execute(LATE_SQL, {"id": account.pk, "as_of": as_of, "y1": y1, "y2": y2})
        late_12, late_24 = cursor.fetchone()
    returned = [
        on
        for _, on in ReturnedItem.objects.filter(
            lines__payment__account_id=account.pk, returned_on__gte=y2, returned_on__lte=as_of
        )
        .values_list("pk", "returned_on")
        .distinct()
    ]
    cut_off = list(
        ServiceOrder.objects.filter(
            account_id=account.pk,
            kind__in=[OrderKind.DISCONNECT, OrderKind.LOW_FLOW],
            status=OrderStatus.COMPLETED,
            completed_at__gte=_midnight(y2),
            completed_at__lt=_midnight(as_of + timedelta(days=1)),
        ).values_list("completed_at", flat=True)
    )
    deposit = SecurityDeposit.objects.filter(account_id=account.pk, status=DepositStatus.HELD).aggregate(
        s=Sum("held_amount")
    )["s"]
    until = account.closed_on if account.closed_on and account.closed_on <= as_of else None
    return CreditHistory(
        as_of=as_of,
        service_since=account.opened_on,
        service_until=until,
        months_of_service=_months_between(account.opened_on, until or as_of),
        late_12=late_12,
        late_24=late_24,
        returned_12=sum(1 for d in returned if d >= y1),
        returned_24=len(returned),
        disconnections_12=sum(1 for t in cut_off if t >= _midnight(y1)),
        disconnections_24=len(cut_off),
        balance=account.balance,
        deposit_held=to_money(deposit or 0),
    )


DISCONTINUATIONS_SQL = """
SELECT EXTRACT(MONTH FROM o.completed_at AT TIME ZONE %(tz)s)::int AS month, o.utility,
       a.account_class IN ('residential', 'multi_unit') AS residential,
       count(*) FILTER (WHERE o.kind = 'disconnect'),
       count(*) FILTER (WHERE o.kind = 'low_flow'),
       count(*) FILTER (WHERE o.kind = 'reconnect')
FROM collections_app_serviceorder o JOIN accounts_account a ON a.id = o.account_id
WHERE o.status = 'completed' AND o.kind IN ('disconnect', 'low_flow', 'reconnect')
  AND o.completed_at >= %(start)s AND o.completed_at < %(end)s
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3 DESC
"""

DISCONTINUATION_COLUMNS = [
    "year",
    "month",
    "utility",
    "customer_class",
    "disconnections",
    "low_flow_limitations",
    "reconnections",
]


@dataclass(frozen=True)
class DiscontinuationRow:
    year: int
    month: int
    utility: str
    residential: bool
    disconnections: int
    low_flow: int
    reconnections: int

    @property
    def customer_class(self) -> str:
        return "residential" if self.residential else "non-residential"

    def csv(self) -> list[Any]:
        return [
            self.year,
            self.month,
            self.utility,
            self.customer_class,
            self.disconnections,
            self.low_flow,
            self.reconnections,
        ]


def discontinuations(*, year: int) -> list[DiscontinuationRow]:
    """Completed disconnect, low-flow and reconnect orders in `year`, by local month, utility and
    class. One grouped query (the order_open index does not help here; the table is small)."""
    params = {
        "tz": settings.TIME_ZONE,
        "start": _midnight(date(year, 1, 1)),
        "end": _midnight(date(year + 1, 1, 1)),
    }
    with connection.cursor() as cursor:
        cursor.execute(DISCONTINUATIONS_SQL, params)
        return [DiscontinuationRow(year, *row) for row in cursor.fetchall()]


def discontinuation_totals(rows: list[DiscontinuationRow]) -> list[DiscontinuationRow]:
    """The year's totals per utility and class (month 0)."""
    totals: dict[tuple[str, bool], list[int]] = {}
    for r in rows:
        t = totals.setdefault((r.utility, r.residential), [0, 0, 0])
        t[0], t[1], t[2] = t[0] + r.disconnections, t[1] + r.low_flow, t[2] + r.reconnections
    return [
        DiscontinuationRow(rows[0].year, 0, utility, residential, *counts)
        for (utility, residential), counts in sorted(totals.items(), key=lambda kv: (kv[0][0], not kv[0][1]))
    ]
