"""Refunds in a real browser: a cashier asks to refund a final account's $250 credit (above the
$100 approval limit), a supervisor approves it in the refunds queue and issues it by check, and
the register (and its CSV for accounts payable) shows the check."""

import csv
import io
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.tests.factories import CustomerFactory
from collections_app.models.refunds import Refund
from collections_app.tests.refund_setup import in_credit
from conftest import browser_sign_in

# the register's CSV is made by a worker (an export job): the progress alias is allowed
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "jobs"])]


def test_cashier_requests_supervisor_approves_and_issues_register_shows_it(
    page: Page, live_server, make_user, browser, tmp_path, celery_worker
):
    shots = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)  # set it to keep and look at them
    shots.mkdir(parents=True, exist_ok=True)
    make_user("cass", "Cashier", first_name="Cass", last_name="Ito")
    make_user("sam", "Supervisor", first_name="Sam", last_name="Okafor")
    customer = CustomerFactory(
        first_name="Ana", last_name="Molina", mail_line1="77 Saguaro Ln", mail_city="Tempe"
    )
    account = in_credit("250.00", number="0000990001", customer=customer)

    browser_sign_in(page, live_server.url, "cass")
    page.goto(f"{live_server.url}/accounts/0000990001/")
    expect(page.get_by_test_id("flags")).to_contain_text("Credit balance $250.00")
    page.get_by_role("navigation", name="Quick actions").get_by_role("link", name="Request refund").click()
    expect(page.get_by_test_id("refundable")).to_have_text("$250.00")
    page.get_by_label("Amount to refund ($)").fill("250.00")
    page.get_by_label("Check", exact=True).check()
    page.get_by_label("Why (overpayment").fill("Overpaid the final bill; customer moved to Tempe")
    page.screenshot(path=str(shots / "1-cashier-request.png"), full_page=True)
    page.get_by_role("button", name="Request refund").click()
    expect(page.get_by_text("above the approval limit, a second person must approve it")).to_be_visible()
    expect(page.get_by_test_id("flags")).to_contain_text("Refund of $250.00 awaiting approval")
    page.screenshot(path=str(shots / "2-account-flag.png"), full_page=True)

    boss = browser.new_context(accept_downloads=True).new_page()
    browser_sign_in(boss, live_server.url, "sam")
    boss_menu = boss.get_by_role("navigation", name="Main")
    boss_menu.get_by_role("button", name="Oversight").click()  # the menu's group (issue 16)
    boss_menu.get_by_role("link", name="Refunds").click()
    row = boss.get_by_test_id("refund-requested").get_by_role("row", name=re.compile("0000990001"))
    expect(row).to_contain_text("cass")
    expect(row).to_contain_text("77 Saguaro Ln")
    boss.screenshot(path=str(shots / "3-queue-awaiting.png"), full_page=True)
    row.get_by_role("button", name="Approve").click()
    expect(boss.get_by_text("Refund of $250.00 approved: issue it below.")).to_be_visible()

    row = boss.get_by_test_id("refund-approved").get_by_role("row", name=re.compile("0000990001"))
    expect(row).to_contain_text("sam")
    row.get_by_label("Check number").fill("10452")
    row.get_by_role("button", name="Issue check").click()
    expect(boss.get_by_text("Refund of $250.00 issued to Ana Molina.")).to_be_visible()
    expect(boss.get_by_test_id("refund-outstanding")).to_contain_text("10452")
    boss.screenshot(path=str(shots / "4-queue-issued.png"), full_page=True)

    boss.get_by_role("link", name="Refund register").click()
    boss.get_by_label("Method").select_option("check")
    boss.get_by_role("button", name="Filter").click()
    row = boss.get_by_test_id("refund-register").get_by_role("row", name=re.compile("0000990001"))
    expect(row).to_contain_text("Ana Molina")
    expect(row).to_contain_text("250.00")
    expect(row).to_contain_text("CR")
    expect(row).to_contain_text("10452")
    boss.screenshot(path=str(shots / "5-register.png"), full_page=True)
    boss.get_by_role("button", name="CSV for accounts payable").click()  # a job: its page, then Download
    expect(boss.get_by_test_id("job-status")).to_have_text("Done", timeout=60_000)
    with boss.expect_download() as download:
        boss.get_by_test_id("job-download").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text())))
    assert rows[1][1:] == [
        "0000990001",
        "Ana Molina",
        "77 Saguaro Ln, Tempe, AZ 85004",
        "250.00",
        "check",
        "CR",
        "issued",
        "sam",
        timezone.localdate().isoformat(),
        "10452",
    ]

    page.reload()
    expect(page.get_by_test_id("flags")).to_contain_text("Refund check 10452 for $250.00 not cashed yet")
    account.refresh_from_db()
    assert account.balance == 0
    assert Refund.objects.get().issued_by.username == "sam"
