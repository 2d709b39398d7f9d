"""A supervisor's own large adjustment in a real browser: it waits, her Approvals screen offers
her no decision on it, and another supervisor approves it."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Account, AdjustmentStatus
from accounts.tests.factories import AccountFactory, CustomerFactory, fund
from conftest import browser_sign_in
from policy.tests.helpers import use_policy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisors_own_5000_credit_waits_for_another_supervisor(
    page: Page, live_server, make_user, settings
):
    use_policy(adjustments__approval_limit="100.00")
    make_user("grace", "Supervisor", first_name="Grace", last_name="Holloway")
    make_user("otto", "Supervisor", first_name="Otto", last_name="Brandt")
    account = AccountFactory(number="0000880001", customer=CustomerFactory(first_name="Ann", last_name="Lee"))
    water = fund("WTR")

    browser_sign_in(page, live_server.url, "grace")
    page.goto(f"{live_server.url}/accounts/0000880001/adjust/")
    expect(page.get_by_text("whatever your role")).to_be_visible()
    page.get_by_label("Fund").select_option(str(water.pk))
    page.get_by_label("Amount").fill("-5000.00")
    page.get_by_label("Reason code").select_option(index=1)
    page.get_by_label("Note").fill("goodwill credit after the main break")
    page.get_by_role("button", name="Post adjustment").click()
    expect(page.get_by_text("someone other than you must approve it")).to_be_visible()
    account.refresh_from_db()
    assert account.balance == 0

    page.goto(f"{live_server.url}/accounts/adjustments/pending/")
    row = page.get_by_test_id("pending-adjustments").get_by_role("row", name=re.compile("0000880001"))
    expect(row.get_by_text("Your request: someone else decides.")).to_be_visible()
    expect(row.get_by_role("button", name="Approve")).to_have_count(0)

    page.context.clear_cookies()
    browser_sign_in(page, live_server.url, "otto")
    page.goto(f"{live_server.url}/accounts/adjustments/pending/")
    row = page.get_by_test_id("pending-adjustments").get_by_role("row", name=re.compile("0000880001"))
    row.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Adjustment approved and posted.")).to_be_visible()
    assert Account.objects.get(pk=account.pk).balance == -5000
    assert account.adjustments.get().status == AdjustmentStatus.POSTED
