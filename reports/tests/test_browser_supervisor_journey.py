"""Issue 14's proof, in one browser session: a supervisor lands on her home (all clear, two items
waiting), opens the dashboards from the menu, filters the arrangements dashboard to one counselor,
drills into her broken arrangements, approves an arrangement from the queue (the count drops) and
downloads the monthly PDF, with not one console message or page error on the way. The screenshots
and the PDF are kept in $SUPERVISOR_SHOTS to be looked at."""

import os
import re
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from accounts.models import LedgerCheckRun
from collections_app.models import BatchRun, RunKind, RunStatus
from collections_app.selectors.field_day import shutoff_business_date
from common.models import ScheduledRun
from conftest import browser_sign_in
from counseling.models import ArrangementStatus
from policy.tests.helpers import use_policy
from reports.dashboards import base
from reports.tests import approval_setup as made
from reports.tests.dash import rollup
from reports.tests.test_dashboard_arrangements import arrangement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "jobs"])]


def calm_night() -> None:
    """Every nightly run ran and the ledger balanced: the home says all clear. Tonight's shutoff list
    is already approved, so only the two requests seeded wait in the queue."""
    now, today = timezone.now(), timezone.localdate()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        ScheduledRun.objects.update_or_create(task=entry["task"], defaults={"last_sent_at": now})
    LedgerCheckRun.objects.create(business_date=today, accounts_checked=1)
    BatchRun.objects.create(
        kind=RunKind.SHUTOFF, business_date=shutoff_business_date(today=today), status=RunStatus.APPROVED
    )


def test_supervisor_journey_dashboards_drill_down_approval_and_monthly_pdf(
    page: Page, live_server, make_user, celery_worker, tmp_path
):
    shots = Path(os.environ.get("SUPERVISOR_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    use_policy("DEFAULT")
    today = timezone.localdate()
    first = today.replace(day=1)  # everything in this month: on the dashboard and in the PDF
    make_user("grace", "Supervisor", first_name="Grace", last_name="Holloway")
    ana = make_user("ana", "Counselor", first_name="Ana", last_name="Ruiz")
    ben = make_user("ben", "Counselor", first_name="Ben", last_name="Ito")
    broken = [
        arrangement(ana, created=first, status="broken", ended=first, total="1234.56"),
        arrangement(ana, created=first, status="broken", ended=today, total="2000.00"),
    ]
    arrangement(ana, created=first, status="kept", ended=today, total="300.00")
    arrangement(ben, created=first, status="broken", ended=today)  # another counselor's: filtered out
    pending = made.arrangement(make_user("carmen", "Counselor"))  # $800 over her $500 authority
    made.write_off(make_user("olga", "Collections officer"))
    assert pending.status == ArrangementStatus.PENDING_APPROVAL
    calm_night()
    rollup(first - timedelta(days=1), today)

    messages: list[str] = []  # every console message (CSP violations are errors) and page error
    page.on("console", lambda m: messages.append(f"console {m.type}: {m.text}"))
    page.on("pageerror", lambda e: messages.append(f"page error: {e}"))
    menu = page.get_by_role("navigation", name="Main")

    # signs in and lands on her home
    browser_sign_in(page, live_server.url, "grace")
    expect(page).to_have_url(f"{live_server.url}/supervisor/")
    expect(page.get_by_test_id("home-title")).to_have_text("Supervisor")
    expect(page.get_by_test_id("all-clear")).to_contain_text("All clear")
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.get_by_test_id("pending-count")).to_have_text("2")
    expect(page.get_by_test_id("nav-badge")).to_have_text("2 waiting for you: open the approvals queue")
    page.screenshot(path=str(shots / "1-home.png"), full_page=True)

    # the arrangements dashboard, from the menu (its Oversight group), filtered to Ana: the chart is drawn
    menu.get_by_role("button", name="Oversight").click()
    menu.get_by_role("link", name="Dashboards", exact=True).click()
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
    ana_row = per.get_by_role("row", name=re.compile("Ana Ruiz"))
    cells = ana_row.get_by_role("cell")  # Created, Kept, Broken, Kept rate (%)
    expect(cells.nth(0)).to_have_text("3")
    expect(cells.nth(1)).to_have_text("1")
    expect(cells.nth(2)).to_have_text("2")
    expect(cells.nth(3)).to_have_text("33.3%")
    page.screenshot(path=str(shots / "2-arrangements-ana.png"), full_page=True)

    # her broken arrangements: exactly the two seeded, by account number
    cells.nth(2).get_by_role("link", name="2").click()
    expect(page.get_by_test_id("drill-title")).to_contain_text("Broken")
    drill = page.get_by_test_id("drill-table")
    headers = drill.locator("thead th").all_inner_texts()
    account = headers.index("Account") + 1
    numbers = drill.locator(f"tbody tr td:nth-child({account})").all_inner_texts()
    assert sorted(numbers) == sorted(a.account.number for a in broken)
    created = drill.locator(f"tbody tr td:nth-child({headers.index('Created') + 1})").all_inner_texts()
    assert created == [first.isoformat()] * 2  # the local day counted, not the UTC one (23:30 here)
    expect(drill).not_to_contain_text("Ben Ito")
    page.screenshot(path=str(shots / "3-drill-broken.png"), full_page=True)

    # the queue, from the menu badge: approves carmen's arrangement with a reason
    page.get_by_test_id("nav-badge").click()
    expect(page.get_by_test_id("approvals-title")).to_be_visible()
    row = page.get_by_test_id(f"approval-arrangement-{pending.pk}")
    expect(row).to_contain_text("carmen")
    expect(row).to_contain_text("800.00")
    page.screenshot(path=str(shots / "4-queue.png"), full_page=True)
    row.get_by_label("Reason").fill("income verified")
    row.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("approved.")
    expect(page.get_by_test_id("nav-badge")).to_have_text("1 waiting for you: open the approvals queue")
    expect(page.get_by_test_id(f"approval-arrangement-{pending.pk}")).to_have_count(0)
    pending.refresh_from_db()
    assert pending.status == ArrangementStatus.ACTIVE and pending.decided_by.username == "grace"

    # back to the dashboards: the monthly PDF, made as a job, downloaded
    menu.get_by_role("button", name="Oversight").click()
    menu.get_by_role("link", name="Dashboards", exact=True).click()
    page.get_by_label("Month", exact=True).fill(first.isoformat()[:7])
    page.get_by_role("button", name="Make the PDF").click()
    expect(page.get_by_test_id("job-status")).to_have_text("Done", timeout=60_000)
    page.screenshot(path=str(shots / "5-job.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_test_id("job-download").click()
    data = Path(download.value.path()).read_bytes()
    (shots / "monthly.pdf").write_bytes(data)
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(BytesIO(data)).pages))
    for dash in base.dashboards():
        assert dash.title in text, dash.title
    assert re.search(r"Ana Ruiz 3 1 2 33\.3%", text), "Ana's arrangements row"
    # Created ($) of the week holding the 1st: Ana's three and Ben's one, and carmen's $800 (made
    # today) too when today is in that week
    same_week = first - timedelta(days=first.weekday()) == today - timedelta(days=today.weekday())
    assert ("$4,634.56" if same_week else "$3,834.56") in text

    assert messages == []
