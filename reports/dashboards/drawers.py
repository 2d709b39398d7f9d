"""Drawer over/short: the drawer sessions closed in the range (by the local day of closed_at), their
overages and shortages summed apart, per cashier and per drawer, and the drawers short beyond the
policy's tolerance.

"Beyond the tolerance" is the close's own decision: session_close compares |over/short| with
the policy in force at that moment (cashiering.over_short_signoff) and sends the session to
sign-off when it is over; a short session awaiting or given sign-off is short beyond it. So a
later change of the tolerance does not rewrite past days, and no amount is hard-coded here.

A drawer session has no account: these facts carry none (account_path=None), so the account
filters (utility, class, ZIP, low income) show none of them.
"""

from collections.abc import Iterable
from datetime import date

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from payments.models import Drawer, DrawerSession, SessionStatus
from reports.dashboards.base import (
    Breakdown,
    Column,
    Dashboard,
    RollupMetric,
    Series,
    register_dashboard,
    register_metric,
)
from reports.dashboards.returns import who

CLOSED_DAY = "(s.closed_at AT TIME ZONE %(tz)s)::date"
BEYOND = (SessionStatus.PENDING_SIGNOFF, SessionStatus.SIGNED_OFF)

# (metric, condition, amount): every one reads closed sessions whose closing day is in the range
KINDS = {
    "closed": ("TRUE", "s.over_short"),
    "over": ("s.over_short > 0", "s.over_short"),
    "short": ("s.over_short < 0", "-s.over_short"),
    "beyond": (f"s.over_short < 0 AND s.status IN {tuple(str(s) for s in BEYOND)}", "-s.over_short"),
}


def facts_sql(condition: str, amount: str) -> str:
    return f"""
SELECT {CLOSED_DAY}, s.drawer_id::text, NULL::integer, s.cashier_id, 1, {amount}
FROM payments_drawersession s
WHERE s.status <> 'open' AND s.closed_at IS NOT NULL AND {condition}
  AND s.closed_at >= %(first)s::timestamp AT TIME ZONE %(tz)s
  AND s.closed_at < (%(last)s::date + 1)::timestamp AT TIME ZONE %(tz)s
"""  # noqa: S608 (fixed fragments)


def _records(kind: str):  # type: ignore[no-untyped-def]
    def records(*, key: str, start: date, end: date) -> QuerySet:
        qs = (
            DrawerSession.objects.select_related("drawer", "cashier")
            .exclude(status=SessionStatus.OPEN)
            .filter(closed_at__date__range=(start, end))  # local dates (USE_TZ, TIME_ZONE)
        )
        if key:
            qs = qs.filter(drawer_id=int(key)) if key.isdigit() else qs.none()
        if kind == "over":
            return qs.filter(over_short__gt=0)
        if kind in ("short", "beyond"):
            qs = qs.filter(over_short__lt=0)
        return qs.filter(status__in=BEYOND) if kind == "beyond" else qs

    return records


COLUMNS = (
    Column("Session", lambda s: f"#{s.pk}", lambda s: reverse("payments:session_report", args=[s.pk])),
    Column("Drawer", lambda s: str(s.drawer)),
    Column("Cashier", lambda s: who(s.cashier)),
    Column("Business date", lambda s: s.business_date),
    Column("Closed", lambda s: timezone.localdate(s.closed_at)),
    Column("Status", lambda s: s.get_status_display()),
    Column("Over/short", lambda s: s.over_short, money=True),
)

for name, (condition, amount) in KINDS.items():
    register_metric(
        RollupMetric(
            name=f"drawers.{name}",
            facts_sql=facts_sql(condition, amount),
            records=_records(name),
            account_path=None,
            employee_path="cashier",
            columns=COLUMNS,
        )
    )


def drawer_names(keys: Iterable[str]) -> dict[str, str]:
    ids = [int(k) for k in keys if k.isdigit()]
    return {str(d.pk): str(d) for d in Drawer.objects.filter(pk__in=ids)}


SERIES = (
    Series("drawers.closed", None, "Drawers closed"),
    Series("drawers.over", None, "Over"),
    Series("drawers.over", None, "Over ($)", "amount"),
    Series("drawers.short", None, "Short"),
    Series("drawers.short", None, "Short ($)", "amount"),
    Series("drawers.beyond", None, "Short beyond tolerance"),
)
COLUMNS_SHOWN = ("Drawers closed", "Over", "Over ($)", "Short", "Short ($)", "Short beyond tolerance")
DESCRIPTION = (
    "Drawer sessions closed in the period: overages and shortages summed apart, and the drawers "
    "short by more than the policy's sign-off tolerance at their close."
)

register_dashboard(
    Dashboard(
        slug="drawers",
        title="Drawer over/short by cashier",
        description=DESCRIPTION,
        series=SERIES,
        breakdown=Breakdown(by="employee", title="Per cashier", row_label="Cashier", columns=COLUMNS_SHOWN),
        chart=(("Over ($)", "bar"), ("Short ($)", "bar")),
    )
)
register_dashboard(
    Dashboard(
        slug="drawers-by-drawer",
        title="Drawer over/short by drawer",
        description=DESCRIPTION,
        series=SERIES,
        breakdown=Breakdown(
            by="key", title="Per drawer", row_label="Drawer", columns=COLUMNS_SHOWN, names=drawer_names
        ),
        chart=(("Over ($)", "bar"), ("Short ($)", "bar")),
    )
)
