"""The dashboard framework: roll-up metrics, series read from them, tables, charts, drill-down.

How to add a dashboard (one module per dashboard, e.g. reports/dashboards/notices.py):

1. Declare its roll-up metrics: `register_metric(RollupMetric(name=..., facts_sql=..., records=...,
   columns=(Column(...), ...), account_path="account", employee_path="counselor"|None,
   per_day=False))`. `facts_sql` is a SELECT of facts, one row per base record counted, with
   exactly these columns in this order (names do not matter, the roll-up renames them):

       day date, key text, account_id integer, employee_id integer|NULL, n integer, amount numeric

   `key` is the metric's own breakdown ('' if none; an agency id, an aging bucket, a notice
   kind: at most 40 characters). The SQL reads `%(first)s` and `%(last)s` (the days recomputed,
   inclusive: select only facts whose day is in them) and `%(tz)s` (settings.TIME_ZONE: a
   timestamp's local day is `(ts AT TIME ZONE %(tz)s)::date`); a `per_day=True` metric (a
   snapshot such as aging) is run once per day with `%(as_of)s`; one that replays the ledger
   also sets `nightly_snapshot=True` (taken nightly for the last day, and by a backfill). No
   other placeholder, and a literal % is written %%. A fact's account gives its dimensions; a
   metric whose records have no account (a drawer session) gives account_id NULL and
   `account_path=None`: an account filter (utility, class, ZIP, low income) then shows none of it.
   The roll-up (reports/rollup.py) joins the facts to each account's dimensions (utilities,
   class, postal code, low income) and groups them into `DailyFigure` rows:
   `INSERT INTO reports_dailyfigure SELECT day, metric, key, dims..., employee_id, SUM(n),
   SUM(amount) FROM (<your facts>) JOIN reports_dims USING (account_id) GROUP BY ...`, after
   deleting the metric's rows for those days, in one transaction: re-running changes nothing.
   Beat picks a registered metric up by itself (nightly and every 15 minutes); past days are
   filled with `manage.py reports_rollup --days N`.
2. Declare the drill-down: `records(*, key, start, end) -> QuerySet` returns the SAME records the
   facts count with that key and a day in start..end (key '' = every key: a series with key None
   links with key ''); select_related what the columns read (the page must stay a fixed number
   of queries). `account_path`/`employee_path` say how to reach the account ('' when the record
   is the Account) and the employee from the record: the framework adds the filters
   (`Filters.base_q`, the same definitions as `Filters.rollup_q` on the roll-up) and pages by
   keyset on the primary key. `columns` are what the drill-down page and its CSV show
   (`Column(label, value(record), href(record) or None, money=bool)`; `account_link(account)`
   links an account). A metric whose records are not a plain QuerySet (aging: a ledger replay)
   subclasses RollupMetric and overrides `drill_page()` instead.
3. Declare the dashboard: `register_dashboard(Dashboard(slug=..., title=..., description=...,
   series=(Series(metric, key|None, label, measure="count"|"amount"|"total", stock=False), ...),
   ratios=(Ratio(label, numerator_label, (denominator_labels...), percent=True),),
   quantiles=(Quantile(label, metric, q, divisor),) (a median or p90 per period, from a metric
   whose key is each record's whole-number value, e.g. minutes),
   breakdown=Breakdown(by="employee"|"key", title, row_label, columns=(series labels...),
   ratios=(...), names=fn(keys) -> {key: name}) or None, chart=(("label", "bar"|"line"), ...),
   uses_employee=True|False))`. Labels are unique within a dashboard; a percent ratio draws on
   the chart's right axis.
4. Add the module's name to `DASHBOARD_MODULES` in reports/dashboards/__init__.py (imported by
   ReportsConfig.ready()). The index, the page, its chart (Chart.js, and SVG for print), the
   tables, every cell's drill-down link and the CSV exports come from the framework: no view,
   URL or template to write.
5. Tests: build base records with the factories, run the roll-up (reports/tests/dash.py:
   `rollup(first, last)`, `periods(slug, **filters)`, `breakdown(...)`, `column`, `cell`),
   compare each figure with the same figure computed from the base records, and each cell's
   drill-down with the records it counts (see reports/tests/test_dashboard_*.py).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Model, QuerySet

from reports.dashboards.filters import Filters


@dataclass(frozen=True)
class Column:
    """One column of a drill-down: `value(record)` for the cell, `href(record)` for its link."""

    label: str
    value: Callable[[Any], Any]
    href: Callable[[Any], str] | None = None
    money: bool = False


@dataclass(frozen=True)
class DrillPage:
    rows: list[Any]
    next_after: int | None  # the keyset cursor of the next page, None on the last page


@dataclass(frozen=True)
class RollupMetric:
    name: str
    facts_sql: str
    columns: tuple[Column, ...] = ()
    records: Callable[..., QuerySet] | None = None  # (filters, key, start, end) -> QuerySet
    account_path: str | None = "account"  # None: facts without an account (a drawer)
    employee_path: str | None = None
    per_day: bool = False
    # A snapshot that replays the whole ledger (aging: minutes at a million accounts) is taken by
    # the nightly run for its last day only and by a backfill for every day; the 15-minute
    # refresh leaves it alone (rollup_days(snapshots=...)).
    nightly_snapshot: bool = False

    def queryset(self, *, filters: Filters, key: str, start: date, end: date) -> QuerySet:
        assert self.records is not None, f"{self.name} has no records() and no drill_page()"
        qs = self.records(key=key, start=start, end=end)
        return qs.filter(filters.base_q(account_path=self.account_path, employee_path=self.employee_path))

    def drill_page(
        self, *, filters: Filters, key: str, start: date, end: date, after: int, limit: int
    ) -> DrillPage:
        """Keyset pagination on the primary key: page 1,000 costs what page 1 does."""
        qs = self.queryset(filters=filters, key=key, start=start, end=end)
        rows = list(qs.filter(pk__gt=after).order_by("pk")[: limit + 1])
        more = len(rows) > limit
        rows = rows[:limit]
        return DrillPage(rows, rows[-1].pk if more else None)


@dataclass(frozen=True)
class Series:
    """A column of the dashboard's time table: one metric (and key; None sums every key)."""

    metric: str
    key: str | None
    label: str
    measure: str = "count"  # "count", "amount" (money) or "total" (the amount column, not money)
    stock: bool = False  # a snapshot (aging): a period shows its last day, not a sum


@dataclass(frozen=True)
class Ratio:
    """A derived column: numerator / sum(denominators), from series already in the table."""

    label: str
    numerator: str  # Series label
    denominators: tuple[str, ...]
    percent: bool = True


@dataclass(frozen=True)
class Quantile:
    """A distribution's quantile per period (a median, a 90th percentile), read from a metric
    whose key is each record's value as a whole number (minutes, days): the roll-up keeps the
    distribution, a sum could not give a median. Linear interpolation between the two nearest
    values (PostgreSQL's percentile_cont), shown as value / divisor (minutes -> hours). Its
    drill-down lists every record of the metric in the period (key '')."""

    label: str
    metric: str
    q: float
    divisor: int = 1


@dataclass(frozen=True)
class Breakdown:
    """A second table over the whole date range, one row per employee or per key."""

    by: str  # "employee" or "key"
    title: str
    row_label: str
    columns: tuple[str, ...]  # Series labels (flows only) shown in this table
    ratios: tuple[Ratio, ...] = ()
    names: Callable[[Iterable[str]], dict[str, str]] | None = None  # key -> display name


@dataclass(frozen=True)
class Dashboard:
    slug: str
    title: str
    description: str
    series: tuple[Series, ...]
    ratios: tuple[Ratio, ...] = ()
    breakdown: Breakdown | None = None
    chart: tuple[tuple[str, str], ...] = ()  # (column label, "bar" | "line")
    quantiles: tuple[Quantile, ...] = ()  # time table only, after the ratios
    uses_employee: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def series_named(self, label: str) -> Series:
        return next(s for s in self.series if s.label == label)


_metrics: dict[str, RollupMetric] = {}
_dashboards: dict[str, Dashboard] = {}


def register_metric(metric: RollupMetric) -> RollupMetric:
    _metrics[metric.name] = metric  # by name: ready() may run twice
    return metric


def register_dashboard(dashboard: Dashboard) -> Dashboard:
    missing = {s.metric for s in (*dashboard.series, *dashboard.quantiles)} - set(_metrics)
    assert not missing, f"{dashboard.slug}: register the metrics {missing} first"
    _dashboards[dashboard.slug] = dashboard
    return dashboard


def metrics() -> list[RollupMetric]:
    return list(_metrics.values())


def metric(name: str) -> RollupMetric | None:
    return _metrics.get(name)


def dashboards() -> list[Dashboard]:
    return list(_dashboards.values())


def dashboard(slug: str) -> Dashboard | None:
    return _dashboards.get(slug)


def rate(numerator: Decimal | int, denominator: Decimal | int, *, percent: bool) -> Decimal | None:
    if not denominator:
        return None
    value = Decimal(numerator) / Decimal(denominator) * (100 if percent else 1)
    return value.quantize(Decimal("0.1"))


def account_link(account: Model) -> str:
    from django.urls import reverse

    return reverse("accounts:detail", args=[account.number])
