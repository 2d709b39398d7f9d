"""Fairness: notices sent, shutoffs done and protections applied per 1,000 active accounts, by the
service address's postal code and by low-income status, beside the city-wide rate.

- Notices: every notice sent (`sent_on` in the range, not voided), by its sent day; key = kind.
- Shutoffs: disconnect orders completed with the work done, by the local day they were completed.
- Protections applied: shutoff candidates the engine held (status 'held') in a shutoff run, by the
  run's business date; key = the deciding rule (medical certificate, pledge, appeal, weather...).
  Each run decides again, so an account held in three runs counts three holds.
- The denominator is the group's active accounts at the range's end: the aging roll-up's
  'active' snapshot (status active, opened on or before the day) of min(end, today). A group's
  rate is its count / its active accounts * 1,000; the city-wide rate is the same over every
  account the other filters select. A rate more than 1.5 times the city-wide one is marked; a
  group under 100 active accounts carries a small-numbers caution.
The postal code and low-income status are the account's as of the roll-up (reports/rollup.py).
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from collections_app.models import Notice, ServiceOrder, ShutoffCandidate
from reports.dashboards.base import Column, Dashboard, RollupMetric, Series, account_link, register_dashboard
from reports.dashboards.base import register_metric as metric
from reports.dashboards.filters import Filters
from reports.dashboards.tables import Cell, Row, Table
from reports.models import DailyFigure

FLAG_RATIO = Decimal("1.5")
SMALL_GROUP = 100
PER = 1000

NOTICES_SQL = """
SELECT n.sent_on, n.kind, n.account_id, NULL::integer, 1, n.amount_due
FROM collections_app_notice n
WHERE n.sent_on BETWEEN %(first)s AND %(last)s AND NOT n.voided
"""
SHUTOFFS_SQL = """
SELECT (o.completed_at AT TIME ZONE %(tz)s)::date, '', o.account_id, NULL::integer, 1, 0
FROM collections_app_serviceorder o
WHERE o.kind = 'disconnect' AND o.status = 'completed' AND o.outcome = 'done'
  AND o.completed_at >= %(first)s::timestamp AT TIME ZONE %(tz)s
  AND o.completed_at < (%(last)s::date + 1)::timestamp AT TIME ZONE %(tz)s
"""
HELD_SQL = """
SELECT r.business_date, c.deciding_code, c.account_id, NULL::integer, 1, c.past_due
FROM collections_app_shutoffcandidate c JOIN collections_app_batchrun r ON r.id = c.run_id
WHERE c.status = 'held' AND r.kind = 'shutoff' AND r.business_date BETWEEN %(first)s AND %(last)s
"""


def notices(*, key: str, start: date, end: date) -> QuerySet:
    qs = Notice.objects.select_related("account__customer", "account__premise").filter(
        sent_on__range=(start, end), voided=False
    )
    return qs.filter(kind=key) if key else qs


def shutoffs(*, key: str, start: date, end: date) -> QuerySet:
    return ServiceOrder.objects.select_related("account__customer", "account__premise").filter(
        kind="disconnect", status="completed", outcome="done", completed_at__date__range=(start, end)
    )


def held(*, key: str, start: date, end: date) -> QuerySet:
    qs = ShutoffCandidate.objects.select_related("account__customer", "account__premise", "run").filter(
        status="held", run__kind="shutoff", run__business_date__range=(start, end)
    )
    return qs.filter(deciding_code=key) if key else qs


ACCOUNT_COLUMNS = (
    Column("Account", lambda r: r.account.number, lambda r: account_link(r.account)),
    Column("Customer", lambda r: str(r.account.customer)),
    Column("ZIP code", lambda r: r.account.premise.postal_code),
)
metric(
    RollupMetric(
        name="fairness_notices",
        facts_sql=NOTICES_SQL,
        records=notices,
        columns=(
            Column("Notice", lambda n: f"#{n.pk}"),
            *ACCOUNT_COLUMNS,
            Column("Kind", lambda n: n.get_kind_display()),
            Column("Sent", lambda n: n.sent_on),
        ),
    )
)
metric(
    RollupMetric(
        name="fairness_shutoffs",
        facts_sql=SHUTOFFS_SQL,
        records=shutoffs,
        columns=(
            Column("Order", lambda o: f"#{o.pk}", lambda o: reverse("collections_app:order", args=[o.pk])),
            *ACCOUNT_COLUMNS,
            Column("Utility", lambda o: o.utility),
            Column("Completed", lambda o: timezone.localtime(o.completed_at).date()),
        ),
    )
)
metric(
    RollupMetric(
        name="fairness_held",
        facts_sql=HELD_SQL,
        records=held,
        columns=(
            Column("Candidate", lambda c: f"#{c.pk}"),
            *ACCOUNT_COLUMNS,
            Column("Run", lambda c: c.run.business_date),
            Column("Protection", lambda c: c.deciding_code),
            Column("Why", lambda c: c.reason),
        ),
    )
)

MEASURES = (  # (metric, label)
    ("fairness_notices", "Notices"),
    ("fairness_shutoffs", "Shutoffs"),
    ("fairness_held", "Protections applied"),
)
COLUMNS = [
    "Active accounts",
    *(
        c
        for _, label in MEASURES
        for c in (label, f"{label} per 1,000", f"City-wide {label.lower()} per 1,000")
    ),
    "Caution",
]


def per_thousand(n: int, active: int) -> Decimal | None:
    return (Decimal(n) * PER / active).quantize(Decimal("0.1")) if active else None


def snapshot_day(filters: Filters) -> date:
    return min(filters.end, timezone.localdate())


def group_tables(filters: Filters) -> dict[str, Table]:
    """Two queries whatever the city's size: the counts per (postal code, low income) over the
    range, and the active accounts per (postal code, low income) on the snapshot day."""
    base = DailyFigure.objects.filter(filters.rollup_q())
    counts = (
        base.filter(metric__in=[m for m, _ in MEASURES], day__range=(filters.start, filters.end))
        .values("postal_code", "low_income", "metric")
        .annotate(n=Sum("count"))
    )
    snap = snapshot_day(filters)
    active = (
        base.filter(metric="aging", key="active", day=snap)
        .values("postal_code", "low_income")
        .annotate(n=Sum("count"))
    )
    by_zip: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_low: dict[bool, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    city: dict[str, int] = defaultdict(int)
    for r in counts:
        for bucket in (by_zip[r["postal_code"]], by_low[r["low_income"]], city):
            bucket[r["metric"]] += r["n"]
    for r in active:
        for bucket in (by_zip[r["postal_code"]], by_low[r["low_income"]], city):
            bucket["active"] += r["n"]
    zip_drills = {z: {"postal_code": z} for z in by_zip if z}
    low_drills = {k: {"low_income": "yes" if k else "no"} for k in by_low}
    low_names = {True: "Low-income households", False: "Other households"}
    return {
        "postal-codes": _table(
            "By ZIP code (service address), highest shutoff rate first",
            "ZIP code",
            {z: (z or "(none)", by_zip[z], zip_drills.get(z)) for z in by_zip},
            city,
            filters,
        ),
        "low-income": _table(
            "By low-income status (active low-income program enrollment), highest shutoff rate first",
            "Households",
            {k: (low_names[k], by_low[k], low_drills[k]) for k in by_low},
            city,
            filters,
        ),
    }


def _link(drill: dict[str, str], group_q: dict[str, str] | None) -> dict[str, str] | None:
    """The drill-down of a group's cell; a group the filters cannot name (no ZIP) has none."""
    return None if group_q is None else {**drill, **group_q}


def _table(
    title: str,
    row_label: str,
    groups: dict[Any, tuple[str, dict[str, int], dict[str, str] | None]],
    city: dict[str, int],
    filters: Filters,
) -> Table:
    snap = snapshot_day(filters)
    span = {"from": filters.start.isoformat(), "to": filters.end.isoformat()}
    rows = []
    for name, figures, group_q in groups.values():
        active = figures.get("active", 0)
        active_drill = {"metric": "aging", "key": "active", "from": snap.isoformat(), "to": snap.isoformat()}
        cells = [Cell(active, drill=_link(active_drill, group_q))]
        flags = []
        rates = {}
        for name_metric, label in MEASURES:
            n = figures.get(name_metric, 0)
            mine = per_thousand(n, active)
            citywide = per_thousand(city.get(name_metric, 0), city.get("active", 0))
            rates[label] = mine
            high = mine is not None and citywide is not None and mine > citywide * FLAG_RATIO
            if high:
                flags.append(label.lower())
            cells += [
                Cell(n, drill=_link({"metric": name_metric, "key": "", **span}, group_q)),
                Cell(mine, flag="more than 1.5 times the city-wide rate" if high else ""),
                Cell(citywide),
            ]
        caution = []
        if flags:
            caution.append(f"Above 1.5x city-wide: {', '.join(flags)}")
        if active < SMALL_GROUP:
            caution.append(f"Small numbers: {active} active accounts (under {SMALL_GROUP})")
        cells.append(Cell("; ".join(caution)))
        rows.append((rates, Row(name, cells)))
    # highest shutoff rate first, then notices; groups without a rate (no active account) last
    rows.sort(
        key=lambda r: tuple(
            -(r[0][label] if r[0][label] is not None else Decimal(-1)) for label in ("Shutoffs", "Notices")
        )
    )
    return Table(title, row_label, COLUMNS, [row for _, row in rows])


register_dashboard(
    Dashboard(
        slug="fairness",
        title="Fairness",
        description="Notices, shutoffs and protections applied per 1,000 active accounts (active at "
        "the range's end) by ZIP code and by low-income status, beside the city-wide rate: a group "
        "more than 1.5 times the city-wide rate is marked, a group under 100 accounts is cautioned.",
        series=(
            Series("fairness_notices", None, "Notices"),
            Series("fairness_shutoffs", None, "Shutoffs"),
            Series("fairness_held", None, "Protections applied"),
            Series("aging", "active", "Active accounts", stock=True),
        ),
        chart=(("Notices", "bar"), ("Shutoffs", "bar"), ("Protections applied", "bar")),
        uses_employee=False,
        extra={"tables": group_tables},
    )
)
