"""A counselor's case in a real browser: hardship interview, an arrangement above her credit
authority, a supervisor's approval, and the agreement PDF."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.tests.factories import AccountFactory, CustomerFactory, charge
from conftest import browser_sign_in, pdf_text
from counseling.models import Arrangement, ArrangementStatus, CreditAuthority

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_interview_arrangement_above_authority_approval_and_agreement(
    page: Page, live_server, make_user, browser
):
    carmen = make_user("carmen", "Counselor", first_name="Carmen", last_name="Ortiz")
    CreditAuthority.objects.create(user=carmen, max_amount=Decimal("400.00"), max_months=4)
    make_user("grace", "Supervisor", first_name="Grace", last_name="Holloway")
    today = timezone.localdate()
    account = AccountFactory(
        number="0000770001", customer=CustomerFactory(first_name="Rosa", last_name="Delgado")
    )
    charge(account, "540.00", due=today - timedelta(days=45))

    browser_sign_in(page, live_server.url, "carmen")
    page.goto(f"{live_server.url}/accounts/0000770001/")
    page.get_by_role("navigation", name="Quick actions").get_by_role(
        "link", name="Hardship interview"
    ).click()
    page.get_by_label("People in the household").fill("4")
    page.get_by_label("Hardship reason").select_option("job_loss")
    page.get_by_label("What happened").fill("Laid off from the warehouse in October")
    page.get_by_label("SNAP / CalFresh").check()
    page.get_by_label("Documents seen").fill("termination letter, SNAP award letter")
    page.get_by_label("Income 1").select_option("unemployment")
    page.get_by_label("Amount 1").fill("2200")
    page.get_by_label("How often 1").select_option("monthly")
    page.get_by_label("Rent / mortgage").fill("1100")
    page.get_by_label("Food").fill("500")
    page.get_by_role("button", name="Save interview and compute").click()

    expect(page.get_by_test_id("fpl")).to_have_text("80.0%")  # 26,400 / 33,000
    expect(page.get_by_test_id("low-income")).to_contain_text("Yes")
    expect(page.get_by_test_id("recommendation")).to_contain_text("Down payment $0.00")
    page.get_by_role("link", name="Propose an arrangement").click()

    expect(page.get_by_test_id("eligibility")).not_to_contain_text("✗")
    page.get_by_label("Monthly installments").fill("6")
    page.get_by_label("Down payment today").fill("0")
    page.get_by_label("Why the customer needs it").fill("Job loss; SNAP household; can pay about $90 a month")
    page.get_by_role("button", name="Show schedule").click()
    expect(page.get_by_test_id("schedule-preview")).to_contain_text("90.00")
    page.get_by_role("button", name="Propose arrangement").click()
    expect(
        page.get_by_text("Above your credit authority: sent to a supervisor for approval.")
    ).to_be_visible()
    expect(page.get_by_test_id("arrangement-status")).to_have_text("Awaiting supervisor approval")

    boss = browser.new_context().new_page()
    browser_sign_in(boss, live_server.url, "grace")
    boss.goto(f"{live_server.url}/counseling/approvals/")
    row = boss.get_by_test_id("arrangement-approvals").get_by_role("row", name=re.compile("0000770001"))
    expect(row).to_contain_text("540.00")
    row.get_by_label("Note").fill("Verified SNAP award; approve 6 months")
    row.get_by_role("button", name="Approve").click()
    expect(boss.get_by_text("Arrangement approved.")).to_be_visible()

    arrangement = Arrangement.objects.get()
    assert arrangement.status == ArrangementStatus.ACTIVE and arrangement.decided_by.username == "grace"
    page.reload()
    expect(page.get_by_test_id("arrangement-status")).to_have_text("Active")
    href = page.get_by_role("link", name="Agreement (PDF, for signature)").get_attribute("href")
    text = pdf_text(page.context.request.get(f"{live_server.url}{href}").body())
    assert "Payment arrangement agreement" in text and "Rosa Delgado" in text and "0000770001" in text
    assert (
        "$540.00" in text and "Customer signature and date" in text and "Approved by Grace Holloway" in text
    )
    assert text.count("90.00") >= 6
