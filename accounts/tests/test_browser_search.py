import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.tests.factories import AccountFactory, CustomerFactory, charge, pay
from conftest import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_counselor_finds_a_misspelled_surname_and_opens_the_account(page: Page, live_server, make_user):
    make_user("carmen", "Counselor")
    today = timezone.localdate()
    account = AccountFactory(
        number="0000812345",
        customer=CustomerFactory(
            first_name="Guadalupe", last_name="Villanueva", search_name="VILLANUEVA, GUADALUPE"
        ),
    )
    AccountFactory(customer=CustomerFactory(first_name="Tom", last_name="Villa", search_name="VILLA, TOM"))
    charge(account, "140.00", due=today - timedelta(days=70))
    pay(account, "40.00", on=today - timedelta(days=10))

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("carmen")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Find account").click()
    page.get_by_label("Account number, bill number, name, service address or phone").fill("Vilanueva")
    results = page.get_by_test_id("search-results")  # live results (htmx) as she types
    expect(results).to_contain_text("Guadalupe Villanueva")
    expect(page).to_have_url(re.compile(r"q=Vilanueva"))
    results.get_by_role("link", name="0000812345").click()

    expect(page.get_by_test_id("account-number")).to_have_text("0000812345")
    expect(page.get_by_test_id("balance")).to_have_text("$100.00")
    expect(page.get_by_test_id("aging")).to_contain_text("100.00")
    expect(page.get_by_test_id("flags")).to_contain_text("Over 60 days past due")
    expect(page.get_by_test_id("timeline")).to_contain_text("Payment")
    # the aging bar is drawn by our script (no inline styles under the CSP)
    expect(page.locator(".aging-bar > div").first).to_have_attribute("style", re.compile(r"width: 100%"))
