"""A collections officer in a real browser: builds the shutoff-notice batch for the business day,
downloads its PDF, marks it sent, and finds the notice on the account page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.tests.factories import AccountFactory, CustomerFactory
from collections_app.models import Notice
from collections_app.tests.billing import bill, use_policy
from conftest import browser_sign_in, pdf_text
from policy_engine.calendar import Calendar

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_builds_downloads_and_sends_the_shutoff_notices(page: Page, live_server, make_user):
    use_policy("AZ_MESA")
    make_user("olivia", "Collections officer", first_name="Olivia", last_name="Reyes")
    # notices go out on business days: tonight's batch, or the last business day's on a weekend
    day = Calendar().previous_business_day(timezone.localdate())
    account = AccountFactory(
        number="0000880001", customer=CustomerFactory(first_name="Ana", last_name="Vega")
    )
    bill(account, "212.40", due=day - timedelta(days=90))

    browser_sign_in(page, live_server.url, "olivia")
    page.goto(f"{live_server.url}/collections/")
    page.get_by_test_id("notices-nav").get_by_role("link", name="Notices").click()
    page.get_by_label("Notice", exact=True).select_option("shutoff")
    page.get_by_label("For", exact=True).fill(day.isoformat())
    page.get_by_role("button", name="Build batch").click()

    expect(page.get_by_test_id("batch-title")).to_contain_text("Shutoff notice")
    row = page.get_by_test_id("batch-notices").get_by_role("row", name=re.compile("0000880001"))
    expect(row).to_contain_text("212.40")
    expect(row).to_contain_text("Ana Vega")
    notice = Notice.objects.get()
    assert notice.earliest_action is not None and notice.pay_by is not None

    href = page.get_by_test_id("batch-pdf").get_attribute("href")
    response = page.context.request.get(f"{live_server.url}{href}")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    assert "0000880001" in text and "$212.40" in text and "Notice of disconnection" in text
    assert f"{notice.earliest_action:%B} {notice.earliest_action.day}, {notice.earliest_action.year}" in text

    page.get_by_role("button", name="Mark sent").click()
    expect(page.get_by_test_id("batch-sent")).to_contain_text(f"Sent {day:%b} {day:%d}, {day.year}")
    notice.refresh_from_db()
    assert notice.sent_on == day and notice.fee_amount == 3  # Mesa's $3 notice charge

    page.goto(f"{live_server.url}/accounts/0000880001/")
    expect(page.get_by_text("Shutoff notice sent (first-class mail)")).to_be_visible()
    page.get_by_role("navigation", name="Quick actions").get_by_role("link", name="Notices").click()
    expect(page.get_by_test_id("account-notices")).to_contain_text(f"{day:%b} {day:%d}, {day.year}")
