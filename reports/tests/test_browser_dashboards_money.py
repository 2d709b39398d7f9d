"""A supervisor in a real browser: drawer over/short per drawer draws its chart under the CSP,
and the count of drawers short beyond the tolerance opens exactly those sessions, each linking
to its drawer report."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import browser_sign_in
from payments.models import DrawerSession, SessionStatus
from reports.tests.dash import rollup
from reports.tests.test_dashboard_returns_drawers import seed_drawers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_drills_from_a_drawer_into_its_sessions_short_beyond_tolerance(
    page: Page, live_server, make_user
):
    today = timezone.localdate()
    make_user("grace", "Supervisor", first_name="Grace", last_name="Holloway")
    cashiers = make_user("cam", "Cashier", first_name="Cam", last_name="Diaz"), make_user("dee", "Cashier")
    seed_drawers(cashiers)
    rollup(today - timedelta(days=60), today)
    short = DrawerSession.objects.get(
        drawer__code="D2", cashier=cashiers[1], status=SessionStatus.PENDING_SIGNOFF
    )

    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    browser_sign_in(page, live_server.url, "grace")
    page.goto(f"{live_server.url}/supervisor/dashboards/")
    page.get_by_role("link", name=re.compile("^Drawer over.short by drawer")).click()
    expect(page.get_by_role("heading", name="Drawer over/short by drawer", level=1)).to_be_visible()
    page.get_by_label("Employee").select_option(label="dee")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("chart")).to_have_attribute("data-chart-drawn", "true")

    per = page.get_by_test_id("table-breakdown")
    row = per.get_by_role("row", name=re.compile("D2 Test D2"))
    row.get_by_role("cell").last.get_by_role("link", name="1").click()  # short beyond the tolerance
    expect(page.get_by_test_id("drill-title")).to_contain_text("Short beyond tolerance")
    expect(page.get_by_test_id("drill-table").locator("tbody tr")).to_have_count(1)
    link = page.get_by_role("link", name=f"#{short.pk}")
    expect(link).to_have_attribute("href", reverse("payments:session_report", args=[short.pk]))
    assert errors == []
