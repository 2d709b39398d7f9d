"""The dashboard framework: access, filter errors, query counts, table CSVs, the SVG fallback."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AccountFactory, charge
from conftest import assert_access
from reports.dashboards import base
from reports.dashboards.tables import chart_data
from reports.svg import chart_svg
from reports.tests.dash import periods, rollup

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = TODAY - timedelta(days=2)


def seed(n: int) -> None:
    for i in range(n):
        account = AccountFactory()
        charge(account, f"{20 + i}.00", due=DAY - timedelta(days=10 * i))


@pytest.fixture
def sup(client, make_user):
    client.force_login(make_user("sup", "Supervisor"))
    return client


def test_only_supervision_opens_dashboards_drill_downs_and_csvs(role_clients):
    query = urlencode({"metric": "aging", "key": "current", "from": DAY, "to": DAY})
    for path in (
        reverse("reports:dashboards"),
        *(reverse("reports:dashboard", args=[d.slug]) for d in base.dashboards()),
        reverse("reports:drill", args=["aging"]) + "?" + query,
        reverse("reports:drill_csv", args=["aging"]) + "?" + query,
        reverse("reports:table_csv", args=["aging", "periods"]),
    ):
        assert_access(role_clients, path, {"Supervisor"})


def test_the_index_lists_every_dashboard_and_the_home_and_menu_link_it(sup):
    page = sup.get(reverse("reports:dashboards")).content.decode()
    for dash in base.dashboards():
        assert reverse("reports:dashboard", args=[dash.slug]) in page
    home = sup.get(reverse("reports:home")).content.decode()
    assert home.count(f'href="{reverse("reports:dashboards")}"') >= 2  # the menu and the home's button


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"start": "2026-05-01", "end": "2026-04-01"}, "end", "The end date is before the start date."),
        ({"start": "2022-01-01", "end": "2026-04-01"}, "end", "The range is longer than two years"),
        ({"start": "yesterday"}, "start", "Enter a valid date."),
        ({"employee": "999999"}, "employee", "No active employee has that id"),
        ({"grain": "year"}, "grain", "Select a valid choice."),
    ],
)
def test_bad_filters_answer_a_clear_message(sup, params, field, message):
    response = sup.get(reverse("reports:dashboard", args=["arrangements"]), params)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert message in response.content.decode()
    csv = sup.get(reverse("reports:table_csv", args=["arrangements", "periods"]), params)
    assert csv.status_code == 400 and message in csv.content.decode()


def test_unknown_dashboard_table_or_figure_is_not_found_or_refused(sup):
    assert sup.get(reverse("reports:dashboard", args=["nope"])).status_code == 404
    assert sup.get(reverse("reports:table_csv", args=["aging", "breakdown"])).status_code == 404
    bad = sup.get(
        reverse("reports:drill", args=["aging"]), {"metric": "arrangements", "from": DAY, "to": DAY}
    )
    assert bad.status_code == 400 and "This dashboard has no such figure." in bad.content.decode()


def test_the_roll_up_twice_changes_nothing():
    seed(6)
    rollup(DAY - timedelta(days=3), TODAY)
    fields = [
        "day",
        "metric",
        "key",
        "utilities",
        "account_class",
        "postal_code",
        "low_income",
        "employee",
        "count",
        "amount",
    ]
    from reports.models import DailyFigure

    first = sorted(map(repr, DailyFigure.objects.values_list(*fields)))
    assert first
    rollup(DAY - timedelta(days=3), TODAY)
    rollup(DAY, DAY)
    assert sorted(map(repr, DailyFigure.objects.values_list(*fields))) == first


def test_beat_runs_the_roll_up_nightly_and_every_15_minutes_and_the_watchdog_catches_a_miss(settings):
    from common.watchdog import missed_entries, record_published

    entries = {e["task"]: name for name, e in settings.CELERY_BEAT_SCHEDULE.items()}
    assert {"reports.tasks.rollup_nightly", "reports.tasks.rollup_today"} <= set(entries)
    for task in entries:
        record_published(task, at=timezone.now())
    record_published("reports.tasks.rollup_nightly", at=timezone.now() - timedelta(days=2))
    assert entries["reports.tasks.rollup_nightly"] in {name for name, _, _ in missed_entries()}


@pytest.mark.parametrize("n", [4, 12])
def test_dashboard_and_drill_down_queries_do_not_grow_with_rows(sup, django_assert_max_num_queries, n):
    seed(n)
    rollup(DAY)
    params = {"start": DAY - timedelta(days=40), "end": DAY, "grain": "week"}
    with django_assert_max_num_queries(10):
        assert sup.get(reverse("reports:dashboard", args=["aging"]), params).status_code == 200
    drill = {**params, "metric": "aging", "key": "active", "from": DAY, "to": DAY}
    with django_assert_max_num_queries(10):
        response = sup.get(reverse("reports:drill", args=["aging"]), drill)
    assert response.status_code == 200 and len(response.context["rows"]) == n


def test_table_csv_has_the_page_s_numbers(sup):
    seed(3)
    rollup(DAY)
    params = {"start": DAY, "end": DAY, "grain": "day"}
    response = sup.get(reverse("reports:table_csv", args=["aging", "periods"]), params)
    lines = b"".join(response.streaming_content).decode().splitlines()
    table = periods("aging", **params)
    assert lines[0].split(",") == ["Period", *table.columns]
    assert lines[1].split(",")[1:] == ["" if c.value is None else str(c.value) for c in table.rows[0].cells]


def test_the_page_draws_a_chart_from_json_and_an_svg_fallback_with_the_same_figures(sup):
    seed(3)
    rollup(DAY)
    params = {"start": DAY, "end": DAY, "grain": "day"}
    page = sup.get(reverse("reports:dashboard", args=["aging"]), params)
    html = page.content.decode()
    assert 'id="chart-data" type="application/json"' in html and 'data-chart="chart-data"' in html
    assert "<svg" in html and "style=" not in html.split("<main", 1)[-1]
    data = chart_data(base.dashboard("aging"), periods("aging", **params))
    svg = chart_svg(data, title="Aging")
    assert svg.count("<rect") >= 2 and "Delinquency rate" in svg
    two = chart_svg(
        {
            "labels": ["a", "b"],
            "datasets": [{"label": "L", "type": "line", "axis": "percent", "data": [10.0, 20.0]}],
        },
        title="t",
    )
    assert "<polyline" in two and "20%" in two


def test_the_backfill_command_covers_the_days_a_month_at_a_time():
    from django.core.management import call_command

    from reports.models import RollupRun

    seed(2)
    call_command("reports_rollup", "--first", str(DAY - timedelta(days=40)), "--last", str(DAY))
    runs = list(RollupRun.objects.order_by("first_day").values_list("first_day", "last_day"))
    assert runs == [(DAY - timedelta(days=40), DAY - timedelta(days=10)), (DAY - timedelta(days=9), DAY)]
    assert periods("aging", start=DAY, end=DAY, grain="day").rows[0].cells[-1].value is not None
