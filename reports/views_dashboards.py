"""Dashboards: the index, a dashboard (chart + tables), the drill-down behind any number, CSVs."""

import csv
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from reports.dashboards import base
from reports.dashboards.filters import FilterForm, Filters
from reports.dashboards.tables import Cell, Table, breakdown_table, chart_data, time_table
from reports.monthly import MonthlyForm, monthly_submit
from reports.rollup import last_run
from reports.svg import chart_svg

PERM = "common.use_supervision"
DRILL_PAGE = 50
# A drill-down is one cell (one metric, one period, the filters): its CSV is bounded instead of a
# job. 10,000 rows stream in about a second; a bigger cell is narrowed first (the answer says so).
DRILL_CSV_MAX = 10_000


def _dashboard(slug: str) -> base.Dashboard:
    if (dash := base.dashboard(slug)) is None:
        raise Http404("No such dashboard")
    return dash


def _fmt(cell: Cell) -> str:
    if cell.value is None:
        return "—"
    if isinstance(cell.value, str):
        return cell.value
    if cell.percent:
        return f"{cell.value}%"
    if cell.money:
        return f"${Decimal(cell.value):,.2f}"
    return f"{cell.value:,}"


def _render_table(table: Table, slug: str, filters: Filters) -> dict[str, Any]:
    url = reverse("reports:drill", args=[slug])
    rows = []
    for row in table.rows:
        cells = [
            {
                "text": _fmt(c),
                "flag": c.flag,
                "href": f"{url}?{urlencode({**filters.query(), **c.drill})}" if c.drill else "",
            }
            for c in row.cells
        ]
        rows.append({"label": row.label, "cells": cells})
    return {"title": table.title, "row_label": table.row_label, "columns": table.columns, "rows": rows}


def render_tables(tables: list[Table], slug: str, filters: Filters) -> list[dict[str, Any]]:
    """Tables as the page shows them (the monthly PDF prints the same texts)."""
    return [_render_table(t, slug, filters) for t in tables]


def _form_classes(form: forms.Form) -> None:
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs["class"] = (
            f"{css} form-control-sm" if css == "form-control" else f"{css} form-select-sm"
        )


def _extra(dash: base.Dashboard, filters: Filters) -> dict[str, Table]:
    """A dashboard's own tables beyond periods and breakdown (fairness: per group rates)."""
    build = dash.extra.get("tables")
    return build(filters) if build else {}


@permission_required(PERM, raise_exception=True)
def index(request: HttpRequest) -> HttpResponse:
    monthly = MonthlyForm(initial={"month": _last_month()})
    _form_classes(monthly)
    return render(
        request,
        "reports/dashboards.html",
        {"dashboards": base.dashboards(), "last_run": last_run(), "monthly": monthly},
    )


def _last_month() -> str:
    first = timezone.localdate().replace(day=1)
    return (first - timedelta(days=1)).isoformat()[:7]


@require_POST
@permission_required(PERM, raise_exception=True)
def monthly(request: HttpRequest) -> HttpResponse:
    """Stores the monthly PDF's job and answers at once: the job page shows progress, then Download."""
    form = MonthlyForm(request.POST)
    if not form.is_valid():
        _form_classes(form)
        context = {"dashboards": base.dashboards(), "last_run": last_run(), "monthly": form}
        return render(request, "reports/dashboards.html", context, status=400)
    job = monthly_submit(params=form.params(), actor=request.user)
    return redirect(job.get_absolute_url())


@permission_required(PERM, raise_exception=True)
def page(request: HttpRequest, slug: str) -> HttpResponse:
    dash = _dashboard(slug)
    form = FilterForm(request.GET, uses_employee=dash.uses_employee)
    _form_classes(form)
    context: dict[str, Any] = {"dash": dash, "form": form, "last_run": last_run()}
    if not form.is_valid():
        return render(request, "reports/dashboard.html", context, status=400)
    filters = form.filters()
    periods = time_table(dash, filters)
    breakdown = breakdown_table(dash, filters, staff=form.staff)
    data = chart_data(dash, periods)
    query = urlencode(filters.query())
    context |= {
        "filters": filters,
        "query": query,
        "periods": _render_table(periods, slug, filters),
        "breakdown": _render_table(breakdown, slug, filters) if breakdown else None,
        "chart": data,
        "chart_svg": chart_svg(data, title=dash.title),
        "extra_tables": [
            {"name": name, **_render_table(table, slug, filters)}
            for name, table in _extra(dash, filters).items()
        ],
    }
    return render(request, "reports/dashboard.html", context)


class Echo:
    def write(self, value: str) -> str:
        return value


def _stream_csv(name: str, header: list[str], rows: Iterable[list[Any]]) -> StreamingHttpResponse:
    writer = csv.writer(Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _bad(form: forms.Form) -> HttpResponse:
    text = "; ".join(
        f"{form.fields[f].label if f in form.fields else f}: {' '.join(e)}" for f, e in form.errors.items()
    )
    return HttpResponse(f"Bad filters: {text}", status=400, content_type="text/plain; charset=utf-8")


@permission_required(PERM, raise_exception=True)
def table_csv(request: HttpRequest, slug: str, table: str) -> HttpResponse:
    """Read from the roll-up: small whatever the city's size, so it answers in the request."""
    dash = _dashboard(slug)
    form = FilterForm(request.GET, uses_employee=dash.uses_employee)
    if not form.is_valid():
        return _bad(form)
    filters = form.filters()
    if table == "periods":
        found: Table | None = time_table(dash, filters)
    elif table == "breakdown":
        found = breakdown_table(dash, filters, staff=form.staff)
    else:
        found = _extra(dash, filters).get(table)
    if found is None:
        raise Http404("This dashboard has no such table")
    rows = ([row.label, *("" if c.value is None else c.value for c in row.cells)] for row in found.rows)
    return _stream_csv(
        f"{slug}-{table}-{filters.start}-{filters.end}", [found.row_label, *found.columns], rows
    )


class DrillForm(forms.Form):
    metric = forms.CharField(max_length=40)
    key = forms.CharField(max_length=40, required=False)
    first = forms.DateField(label="From")
    last = forms.DateField(label="To")
    after = forms.IntegerField(min_value=0, required=False)

    def __init__(self, data: Any, *, dash: base.Dashboard) -> None:
        super().__init__({**data.dict(), "first": data.get("from"), "last": data.get("to")})
        self.dash = dash

    def clean_metric(self) -> str:
        name = self.cleaned_data["metric"]
        if name not in {s.metric for s in (*self.dash.series, *self.dash.quantiles)}:
            raise forms.ValidationError("This dashboard has no such figure.")
        return name


def _drill_inputs(request: HttpRequest, dash: base.Dashboard) -> tuple[Filters, DrillForm] | HttpResponse:
    filter_form = FilterForm(request.GET, uses_employee=dash.uses_employee)
    drill_form = DrillForm(request.GET, dash=dash)
    if not filter_form.is_valid():
        return _bad(filter_form)
    if not drill_form.is_valid():
        return _bad(drill_form)
    return filter_form.filters(), drill_form


def _cells(metric: base.RollupMetric, record: Any) -> list[dict[str, str]]:
    out = []
    for col in metric.columns:
        value = col.value(record)
        text = f"${value:,.2f}" if col.money else str(value)
        out.append({"text": text, "href": col.href(record) if col.href else ""})
    return out


@permission_required(PERM, raise_exception=True)
def drill(request: HttpRequest, slug: str) -> HttpResponse:
    dash = _dashboard(slug)
    parsed = _drill_inputs(request, dash)
    if isinstance(parsed, HttpResponse):
        return parsed
    filters, form = parsed
    c = form.cleaned_data
    metric = base.metric(c["metric"])
    assert metric is not None
    found = metric.drill_page(
        filters=filters,
        key=c["key"],
        start=c["first"],
        end=c["last"],
        after=c["after"] or 0,
        limit=DRILL_PAGE,
    )
    params = {**filters.query(), "metric": c["metric"], "key": c["key"], "from": c["first"], "to": c["last"]}
    series = [
        s.label for s in dash.series if s.metric == c["metric"] and (s.key is None or s.key == c["key"])
    ] + [q.label for q in dash.quantiles if q.metric == c["metric"]]
    return render(
        request,
        "reports/drill.html",
        {
            "dash": dash,
            "what": " / ".join(series) or c["metric"],
            "first": c["first"],
            "last": c["last"],
            "filters": filters,
            "headers": [col.label for col in metric.columns],
            "rows": [_cells(metric, r) for r in found.rows],
            "next": urlencode({**params, "after": found.next_after}) if found.next_after else "",
            "csv": urlencode(params),
            "back": urlencode(filters.query()),
            "csv_max": DRILL_CSV_MAX,
        },
    )


@permission_required(PERM, raise_exception=True)
def drill_csv(request: HttpRequest, slug: str) -> HttpResponse:
    dash = _dashboard(slug)
    parsed = _drill_inputs(request, dash)
    if isinstance(parsed, HttpResponse):
        return parsed
    filters, form = parsed
    c = form.cleaned_data
    metric = base.metric(c["metric"])
    assert metric is not None
    found = metric.drill_page(
        filters=filters, key=c["key"], start=c["first"], end=c["last"], after=0, limit=DRILL_CSV_MAX
    )
    if found.next_after is not None:
        return HttpResponse(
            # an aging export also stops after the accounts one request may replay
            f"Too many to export at once (more than {DRILL_CSV_MAX:,} records, or more accounts "
            "than one export replays): narrow the dates or the filters to export them.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    rows = ([_plain(col.value(r)) for col in metric.columns] for r in found.rows)
    return _stream_csv(
        f"{slug}-{c['metric']}-{c['key'] or 'all'}-{c['first']}-{c['last']}",
        [col.label for col in metric.columns],
        rows,
    )


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
