"""An unfiltered page reads DailyTotal (the roll-up summed over the account dimensions) instead of
DailyFigure: for every dashboard, the tables it shows are the same whichever it reads, the
employee filter included; an account filter reads DailyFigure."""

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
    assert DailyTotal.objects.exists()
    per_metric = DailyFigure.objects.values("metric").annotate(n=Sum("count"), a=Sum("amount"))
    totals = DailyTotal.objects.values("metric").annotate(n=Sum("count"), a=Sum("amount"))
    assert sorted(map(repr, per_metric)) == sorted(map(repr, totals))
    staff = DailyFigure.objects.exclude(employee=None).select_related("employee").first().employee
    for dash in base.dashboards():
        for filters in (_filters(), _filters(employee=staff)):
            assert not filters.account_filtered
            from_totals = _shown(dash, filters)
            monkeypatch.setattr(Filters, "account_filtered", property(lambda self: True))
            from_figures = _shown(dash, filters)
            monkeypatch.undo()
            assert from_totals == from_figures, dash.slug


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


def test_an_account_filter_reads_the_dimensions():
    assert _filters(utility="water").account_filtered and _filters(postal_code="85004").account_filtered
    assert (
        _filters(low_income=False).account_filtered and _filters(account_class="commercial").account_filtered
    )
