"""A counselor in a real browser asks why an account may be shut off, then what an assistance
pledge would change; a supervisor puts a new policy version in force."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.tests.factories import AccountFactory, CustomerFactory, charge
from collections_app.models import Notice
from conftest import browser_sign_in
from policy.models import PolicyVersion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_decision_whatif_pledge_and_new_policy_version(page: Page, live_server, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("carmen", "Counselor")
    make_user("grace", "Supervisor")
    today = timezone.localdate()
    account = AccountFactory(
        number="0000880001", customer=CustomerFactory(first_name="Rosa", last_name="Delgado")
    )
    charge(account, "310.00", due=today - timedelta(days=95))
    Notice.objects.create(
        account=account,
        kind="shutoff",
        method="mail",
        addressee="Rosa Delgado",
        amount_due="310.00",
        sent_on=today - timedelta(days=30),
        idempotency_key="test-notice-1",
    )

    browser_sign_in(page, live_server.url, "carmen")
    page.goto(f"{live_server.url}/accounts/0000880001/")
    page.get_by_role("navigation", name="Quick actions").get_by_role("link", name="Shutoff decision").click()
    decision = page.get_by_test_id("decision")
    expect(decision).to_contain_text("Past due $310.00")
    expect(page.get_by_test_id("rules")).to_contain_text("DAYS_DELINQUENT")

    page.get_by_role("link", name="What if…").click()
    expect(page.get_by_label("Account number")).to_have_value("0000880001")
    page.get_by_label("If an agency pledges $").fill("200")
    page.get_by_label("expected by").fill((today + timedelta(days=20)).isoformat())
    page.get_by_role("button", name="Evaluate").click()
    expect(page.get_by_role("heading", name="If an agency pledges $200.00")).to_be_visible()
    expect(page.get_by_test_id("decision").first).to_have_attribute("data-status", "blocked")
    expect(page.get_by_test_id("deciding").first).to_contain_text("pledge")

    page.context.clear_cookies()
    browser_sign_in(page, live_server.url, "grace")
    page.goto(f"{live_server.url}/collections/policy/")
    page.get_by_role("link", name="New version").click()
    page.get_by_label("AZ_MESA — ", exact=False).check()
    page.get_by_label("Note").fill("Council adopted Mesa's fee schedule")
    page.get_by_role("button", name="Save version").click()
    expect(page.get_by_test_id("policy-current")).to_contain_text("v2")
    assert PolicyVersion.objects.get(version=2).presets == ["DEFAULT", "AZ_MESA"]
