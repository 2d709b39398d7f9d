"""A dashboard's numbers for some filters, read from the roll-up in a fixed number of queries."""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import DateField, QuerySet, Sum
from django.db.models.functions import Trunc
from django.utils import timezone

from reports.dashboards.base import Dashboard, Quantile, Ratio, Series, rate
from reports.dashboards.filters import Filters, employee_name
from reports.models import DailyFigure, DailyTotal


@dataclass(frozen=True)
class Cell:
    value: Decimal | int | None
    money: bool = False
    percent: bool = False
    drill: dict[str, str] | None = None  # the drill-down's GET parameters (beyond the filters)
    flag: str = ""  # a marker shown beside the value (fairness: a rate far above the city's)


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[Cell]


@dataclass(frozen=True)
class Table:
    title: str
    row_label: str
    columns: list[str]
    rows: list[Row]


def period_start(day: date, grain: str) -> date:
    if grain == "week":
        return day - timedelta(days=day.weekday())  # PostgreSQL's date_trunc('week'): Monday
    if grain == "month":
        return day.replace(day=1)
    return day


def periods(filters: Filters) -> list[tuple[date, date, date]]:
    """(key, first day, last day) of each period, clipped to the filters' range."""
    out = []
    cursor = filters.start
    while cursor <= filters.end:
        key = period_start(cursor, filters.grain)
        if filters.grain == "month":
            nxt = (key.replace(day=28) + timedelta(days=4)).replace(day=1)
        elif filters.grain == "week":
            nxt = key + timedelta(days=7)
        else:
            nxt = key + timedelta(days=1)
        last = min(nxt - timedelta(days=1), filters.end)
        out.append((key, cursor, last))
        cursor = nxt
    return out


def _value(series: Series, n: int, amount: Decimal) -> Decimal | int:
    return n if series.measure == "count" else amount


def _ratio_cell(ratio: Ratio, values: dict[str, Any]) -> Cell:
    den = sum((values.get(d) or 0) for d in ratio.denominators)
    return Cell(rate(values.get(ratio.numerator) or 0, den, percent=ratio.percent), percent=ratio.percent)


def quantile(values: list[tuple[int, int]], q: float) -> float | None:
    """percentile_cont(q) of a distribution given as (value, how many times), sorted or not."""
    values = sorted(values)
    total = sum(n for _, n in values)
    if not total:
        return None
    pos = q * (total - 1)  # the 0-based rank, between two records when fractional
    low_rank, frac = int(pos), pos - int(pos)

    def at(rank: int) -> int:
        seen = 0
        for value, n in values:
            seen += n
            if rank < seen:
                return value
        return values[-1][0]

    low = at(low_rank)
    return low + (at(low_rank + 1) - low) * frac if frac else float(low)


def _quantile_cell(qt: Quantile, dist: list[tuple[int, int]], drill: dict[str, str]) -> Cell:
    found = quantile(dist, qt.q)
    value = None if found is None else (Decimal(str(found)) / qt.divisor).quantize(Decimal("0.1"))
    return Cell(value, drill=drill if found is not None else None)


def figures(filters: Filters) -> QuerySet:
    """The roll-up rows the filters select: DailyTotal when at most one account filter other than
    a ZIP code is set (every account, or one utility, class or low-income value: how pages are
    used), DailyFigure otherwise. Both have day, metric, key, employee, count and amount, and sum
    to the same figures."""
    dimension = filters.totals_dimension()
    if dimension is None:
        return DailyFigure.objects.filter(filters.rollup_q())
    name, value = dimension
    q = DailyTotal.objects.filter(dimension=name, value=value)
    return q if filters.employee is None else q.filter(employee=filters.employee)


def time_table(dash: Dashboard, filters: Filters) -> Table:
    """Periods down, series across (then ratios). Two queries: flows summed per period in the
    database; snapshots (stock series) read on each period's last day."""
    spans = periods(filters)
    base = figures(filters)
    flows = [s for s in dash.series if not s.stock]
    stocks = [s for s in dash.series if s.stock]
    sums: dict[tuple[date, str, str | None], tuple[int, Decimal]] = {}
    flow_metrics = {s.metric for s in flows} | {q.metric for q in dash.quantiles}
    if flow_metrics:
        rows = (
            base.filter(metric__in=flow_metrics, day__range=(filters.start, filters.end))
            .annotate(period=Trunc("day", filters.grain, output_field=DateField()))
            .values("period", "metric", "key")
            .annotate(n=Sum("count"), amount=Sum("amount"))
        )
        for r in rows:
            sums[(r["period"], r["metric"], r["key"])] = (r["n"], r["amount"])
    today = timezone.localdate()
    snapshot = {key: min(last, today) for key, _, last in spans}
    if stocks:
        rows = (
            base.filter(metric__in={s.metric for s in stocks}, day__in=set(snapshot.values()))
            .values("day", "metric", "key")
            .annotate(n=Sum("count"), amount=Sum("amount"))
        )
        # several periods share a day when the range runs past today (each is clipped to today)
        by_day: dict[date, list[date]] = defaultdict(list)
        for key, day in snapshot.items():
            by_day[day].append(key)
        for r in rows:
            for key in by_day[r["day"]]:
                sums[(key, r["metric"], r["key"])] = (r["n"], r["amount"])

    # a quantile reads its metric's distribution per period: (value, count) of each key
    dists: dict[tuple[date, str], list[tuple[int, int]]] = defaultdict(list)
    for (p, m, k), (n, _amount) in sums.items():
        if k is not None and k.lstrip("-").isdigit():
            dists[(p, m)].append((int(k), n))
    # a series with key None sums every key of its metric
    for (p, m, _k), (n, amount) in list(sums.items()):
        total = sums.get((p, m, None), (0, Decimal("0.00")))
        sums[(p, m, None)] = (total[0] + n, total[1] + amount)
    out = []
    for key, first, last in spans:
        values: dict[str, Any] = {}
        cells = []
        for s in dash.series:
            n, amount = sums.get((key, s.metric, s.key), (0, Decimal("0.00")))
            value = _value(s, n, amount)
            values[s.label] = value
            start, end = (snapshot[key], snapshot[key]) if s.stock else (first, last)
            drill = {"metric": s.metric, "key": s.key or "", "from": start.isoformat(), "to": end.isoformat()}
            cells.append(Cell(value, money=s.measure == "amount", drill=drill))
        cells += [_ratio_cell(r, values) for r in dash.ratios]
        cells += [
            _quantile_cell(
                q,
                dists.get((key, q.metric), []),
                {"metric": q.metric, "key": "", "from": first.isoformat(), "to": last.isoformat()},
            )
            for q in dash.quantiles
        ]
        label = first.isoformat() if filters.grain == "day" else f"{first.isoformat()} to {last.isoformat()}"
        out.append(Row(label, cells))
    columns = [s.label for s in dash.series] + [r.label for r in dash.ratios]
    columns += [q.label for q in dash.quantiles]
    return Table(dash.title, "Period", columns, out)


def breakdown_table(
    dash: Dashboard, filters: Filters, *, staff: Mapping[int, Any] | None = None
) -> Table | None:
    """One row per employee (or key) over the whole range: one query, plus one for the names of
    employees not in `staff` (the filter form's read of the active staff: usually none)."""
    bd = dash.breakdown
    if bd is None:
        return None
    series = [dash.series_named(label) for label in bd.columns]
    field = "employee" if bd.by == "employee" else "key"
    rows = (
        figures(filters)
        .filter(metric__in={s.metric for s in series}, day__range=(filters.start, filters.end))
        .values(field, "metric", "key")
        .annotate(n=Sum("count"), amount=Sum("amount"))
    )
    grouped: dict[Any, dict[str, tuple[int, Decimal]]] = defaultdict(dict)
    for r in rows:
        for s in series:
            if r["metric"] == s.metric and (s.key is None or r["key"] == s.key):
                n, amount = grouped[r[field]].get(s.label, (0, Decimal("0.00")))
                grouped[r[field]][s.label] = (n + r["n"], amount + r["amount"])
    if bd.by == "employee":
        known = staff or {}
        missing = [k for k in grouped if k is not None and k not in known]
        users = [*(known[k] for k in grouped if k in known), *get_user_model().objects.filter(pk__in=missing)]
        names = {u.pk: employee_name(u) for u in users}
        names[None] = "(no employee)"
    else:
        names = bd.names(grouped.keys()) if bd.names else {k: k for k in grouped}
    out = []
    for group in sorted(grouped, key=lambda g: str(names.get(g, g))):
        values: dict[str, Any] = {}
        cells = []
        for s in series:
            n, amount = grouped[group].get(s.label, (0, Decimal("0.00")))
            values[s.label] = _value(s, n, amount)
            drill = {
                "metric": s.metric,
                "key": s.key or "",
                "from": filters.start.isoformat(),
                "to": filters.end.isoformat(),
            }
            if bd.by == "employee":
                drill["employee"] = str(group)
            else:
                drill["key"] = group
            # the filters cannot say "no employee" (empty means everyone): such a row has no link
            # rather than one listing everybody's records
            link = None if bd.by == "employee" and group is None else drill
            cells.append(Cell(values[s.label], money=s.measure == "amount", drill=link))
        cells += [_ratio_cell(r, values) for r in bd.ratios]
        out.append(Row(str(names.get(group, group)), cells))
    return Table(bd.title, bd.row_label, [*bd.columns, *(r.label for r in bd.ratios)], out)


def chart_data(dash: Dashboard, table: Table) -> dict[str, Any]:
    """What charts.js (Chart.js) and reports/svg.py draw: labels and datasets, all plain JSON."""
    index = {label: i for i, label in enumerate(table.columns)}
    datasets = []
    for label, kind in dash.chart:
        cells = [row.cells[index[label]] for row in table.rows]
        percent = any(c.percent for c in cells)
        datasets.append(
            {
                "label": label,
                "type": kind,
                "axis": "percent" if percent else "value",
                "data": [None if c.value is None else float(c.value) for c in cells],
            }
        )
    return {"labels": [row.label.split(" to ")[0] for row in table.rows], "datasets": datasets}
