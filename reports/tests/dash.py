"""Helpers for the dashboard tests: run the roll-up, read a dashboard's table as numbers."""

from datetime import date
from typing import Any

from reports.dashboards import base
from reports.dashboards.filters import FilterForm
from reports.dashboards.tables import Table, breakdown_table, time_table
from reports.rollup import rollup_days


def rollup(first: date, last: date | None = None) -> None:
    rollup_days(first=first, last=last or first)


def filters(**params: Any) -> Any:
    form = FilterForm({k: (v.isoformat() if isinstance(v, date) else v) for k, v in params.items()})
    assert form.is_valid(), form.errors
    return form.filters()


def column(table: Table, label: str) -> list[Any]:
    i = table.columns.index(label)
    return [row.cells[i].value for row in table.rows]


def cell(table: Table, row: str, label: str) -> Any:
    i = table.columns.index(label)
    return next(r.cells[i] for r in table.rows if r.label == row)


def periods(slug: str, **params: Any) -> Table:
    return time_table(base.dashboard(slug), filters(**params))


def breakdown(slug: str, **params: Any) -> Table:
    found = breakdown_table(base.dashboard(slug), filters(**params))
    assert found is not None
    return found
