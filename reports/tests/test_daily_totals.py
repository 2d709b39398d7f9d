"""A page with no account filter, or one utility, class or low-income value, reads DailyTotal (the
roll-up summed per dimension) instead of DailyFigure: for every dashboard and such filter, the
tables it shows are the same whichever it reads, with and without an employee; a ZIP code or two
account filters read DailyFigure."""

import pytest
from django.db.models import Sum

from reports.dashboards import base, tables
from reports.dashboards.filters import Filters
from reports.models import DailyFigure, DailyTotal
from reports.rollup import rollup_days
from reports.tests.test_monthly_pdf import FIRST, TODAY, seed

pytestmark = pytest.mark.django_db


def _filters(**kw) -> Filters:
    values = {
        "start": FIRST,
        "end": TODAY,
        "grain": "week",
        "utility": "",
        "account_class": "",
        "employee": None,
        "postal_code": "",
        "low_income": None,
    }
    return Filters(**{**values, **kw})


def _shown(dash, filters) -> list:
    out = [tables.time_table(dash, filters)]
    if dash.breakdown is not None:
        out.append(tables.breakdown_table(dash, filters))
    return [(t.columns, [(r.label, [c.value for c in r.cells]) for r in t.rows]) for t in out]


def test_every_dashboard_reads_the_same_figures_from_the_totals(make_user, monkeypatch):
    seed(make_user)
    every = DailyTotal.objects.filter(dimension="")
    per_metric = DailyFigure.objects.values("metric").annotate(n=Sum("count"), a=Sum("amount"))
    totals = every.values("metric").annotate(n=Sum("count"), a=Sum("amount"))
    assert every.exists() and sorted(map(repr, per_metric)) == sorted(map(repr, totals))
    staff = DailyFigure.objects.exclude(employee=None).select_related("employee").first().employee
    variants = [
        {},
        {"utility": "water"},
        {"utility": "sewer"},
        {"account_class": "residential"},
        {"low_income": True},
        {"low_income": False},
    ]
    compared = 0
    for dash in base.dashboards():
        for kw in variants:
            for employee in (None, staff):
                filters = _filters(**kw, employee=employee)
                assert filters.totals_dimension() is not None
                from_totals = _shown(dash, filters)
                monkeypatch.setattr(Filters, "totals_dimension", lambda self: None)
                from_figures = _shown(dash, filters)
                monkeypatch.undo()
                assert from_totals == from_figures, (dash.slug, kw, employee)
                compared += any(
                    v not in (0, None) for _cols, rows in from_totals for _l, vs in rows for v in vs
                )
    assert compared > 50  # most comparisons had figures to compare


def test_a_rerun_rewrites_the_totals_of_its_days_only(make_user):
    seed(make_user)
    before = sorted(
        map(repr, DailyTotal.objects.values_list("day", "metric", "key", "employee", "count", "amount"))
    )
    rollup_days(first=TODAY, last=TODAY, snapshots="none")
    after = sorted(
        map(repr, DailyTotal.objects.values_list("day", "metric", "key", "employee", "count", "amount"))
    )
    assert after == before


def test_a_zip_code_or_two_account_filters_read_the_dimensions():
    assert _filters(postal_code="85004").totals_dimension() is None
    assert _filters(utility="water", account_class="commercial").totals_dimension() is None
    assert _filters(utility="water").totals_dimension() == ("utility", "water")
    assert _filters(low_income=False).totals_dimension() == ("low_income", "false")
    assert _filters().totals_dimension() == ("", "")
