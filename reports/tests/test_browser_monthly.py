"""A supervisor in a real browser: the fairness dashboard marks the ZIP code far above the city's
shutoff rate, and the monthly report is made from the dashboards index as a job (its page shows
progress, then Download) and downloads as one PDF holding every dashboard."""

import os
import re
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from accounts.tests.factories import AccountFactory
from conftest import browser_sign_in
from reports.dashboards import base
from reports.tests.dash import rollup
from reports.tests.test_dashboard_fairness import notice, shutoff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "jobs"])]


def test_supervisor_sees_the_marked_zip_code_and_downloads_the_monthly_pdf(
    page: Page, live_server, make_user, celery_worker, tmp_path
):
    shots = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    today = timezone.localdate()
    first = today.replace(day=1)
    make_user("grace", "Supervisor", first_name="Grace", last_name="Holloway")
    south = [AccountFactory(premise__postal_code="85041") for _ in range(3)]
    for _ in range(7):
        AccountFactory(premise__postal_code="85020")
    shutoff(south[0], first)
    shutoff(south[1], first)
    notice(south[2], first)
    rollup(first - timedelta(days=1), today)

    browser_sign_in(page, live_server.url, "grace")
    page.goto(f"{live_server.url}/supervisor/dashboards/")
    page.get_by_role("link", name=re.compile("^Fairness")).click()
    zips = page.get_by_test_id("table-postal-codes")
    expect(zips.get_by_role("row")).to_have_count(3)  # header, 85041 (first: highest rate), 85020
    top = zips.get_by_role("row").nth(1)
    expect(top.get_by_role("rowheader")).to_have_text("85041")
    expect(top.get_by_test_id("flag").first).to_be_visible()
    expect(top).to_contain_text("Small numbers: 3 active accounts")
    page.screenshot(path=str(shots / "fairness.png"), full_page=True)

    page.get_by_role("link", name="Dashboards").first.click()
    page.get_by_label("Month", exact=True).fill(first.isoformat()[:7])
    page.get_by_role("button", name="Make the PDF").click()
    expect(page.get_by_test_id("job-status")).to_have_text("Done", timeout=60_000)
    with page.expect_download() as download:
        page.get_by_test_id("job-download").click()
    data = Path(download.value.path()).read_bytes()
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(data)).pages)
    for dash in base.dashboards():
        assert dash.title in text
    assert "85041" in text and "666.7" in text  # 2 shutoffs / 3 accounts, per 1,000
