"""A supervisor in a real browser: the arrangements dashboard, filtered to one counselor, draws
its chart (Chart.js under the CSP, no console error) and a number opens the arrangements behind it."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import browser_sign_in
from reports.tests.dash import rollup
from reports.tests.test_dashboard_arrangements import arrangement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_filters_arrangements_to_a_counselor_and_drills_into_broken_ones(
    page: Page, live_server, make_user
):
    today = timezone.localdate()
    make_user("grace", "Supervisor", first_name="Grace", last_name="Holloway")
    ana = make_user("ana", "Counselor", first_name="Ana", last_name="Ruiz")
    ben = make_user("ben", "Counselor", first_name="Ben", last_name="Ito")
    broken = [
        arrangement(
            ana, created=today - timedelta(days=20 + i), status="broken", ended=today - timedelta(days=i)
        )
        for i in range(2)
    ]
    arrangement(ana, created=today - timedelta(days=30), status="kept", ended=today - timedelta(days=3))
    arrangement(ben, created=today - timedelta(days=9), status="broken", ended=today - timedelta(days=2))
    rollup(today - timedelta(days=60), today)

    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    browser_sign_in(page, live_server.url, "grace")
    page.goto(f"{live_server.url}/supervisor/")
    page.get_by_test_id("dashboards-link").click()
    page.get_by_role("link", name=re.compile("^Arrangements")).click()
    expect(page.get_by_role("heading", name="Arrangements", level=1)).to_be_visible()

    page.get_by_label("Employee").select_option(label="Ana Ruiz")
    page.get_by_role("button", name="Show").click()
    chart = page.get_by_test_id("chart")
    expect(chart).to_have_attribute("data-chart-drawn", "true")
    box = chart.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100
    per = page.get_by_test_id("table-breakdown")
    expect(per.get_by_role("row")).to_have_count(2)  # the header and Ana's row: Ben is filtered out
    row = per.get_by_role("row", name=re.compile("Ana Ruiz"))
    expect(row.get_by_role("cell").nth(2)).to_have_text("2")  # Created, Kept, Broken

    row.get_by_role("link", name="2").last.click()
    expect(page.get_by_test_id("drill-title")).to_contain_text("Broken")
    rows = page.get_by_test_id("drill-table").locator("tbody tr")
    expect(rows).to_have_count(2)
    for arr in broken:
        expect(page.get_by_role("link", name=f"#{arr.pk}")).to_be_visible()
    assert errors == []
