"""A counselor refers a customer to an agency and sets up terms in a real browser (issue 16): the
referral ends on a confirmation with the letter to print (without the internal note), and the
arrangement form previews without the "why" and says the limits before the preview."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.tests.factories import AccountFactory, CustomerFactory, charge
from conftest import browser_sign_in, pdf_text
from counseling.services.arrangements import offer
from counseling.tests.factories import agency

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_referral_confirmation_letter_and_arrangement_terms(page: Page, live_server, make_user, tmp_path):
    shots = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)  # set it to keep and look at them
    make_user("carmen", "Counselor", first_name="Carmen", last_name="Ortiz")
    account = AccountFactory(
        number="0000771601", customer=CustomerFactory(first_name="Rosa", last_name="Delgado")
    )
    charge(account, "900.00", due=timezone.localdate() - timedelta(days=45))
    agency("Valley Community Action")

    browser_sign_in(page, live_server.url, "carmen")
    page.goto(f"{live_server.url}/accounts/0000771601/")
    page.get_by_role("navigation", name="Quick actions").get_by_role("link", name="Refer to agency").click()
    page.get_by_label("Agency").select_option(label="Valley Community Action")
    page.get_by_label("Program").fill("LIHEAP winter crisis")
    page.get_by_label("Internal note").fill("Owes a neighbour; do not mention the landlord dispute")
    page.get_by_role("button", name="Refer to an assistance agency").click()

    expect(page.get_by_test_id("referral-confirmation")).to_have_text("Referral recorded")
    expect(page.get_by_role("main")).to_contain_text("Valley Community Action")
    expect(page.get_by_test_id("referral-pledges")).to_contain_text("No pledge from an agency yet")
    page.screenshot(path=str(shots / "referral-confirmation.png"), full_page=True)
    href = page.get_by_role("link", name="Print the referral letter").get_attribute("href")
    text = pdf_text(page.context.request.get(f"{live_server.url}{href}").body())
    assert "Valley Community Action" in text and "LIHEAP winter crisis" in text and "Rosa Delgado" in text
    assert "landlord" not in text and "neighbour" not in text

    _, limits = offer(account=account, today=timezone.localdate())
    page.goto(f"{live_server.url}/counseling/accounts/0000771601/arrangement/")
    installments = page.get_by_label("Monthly installments")
    expect(
        page.get_by_text(f"The policy allows at most {limits.max_months} monthly installments.")
    ).to_be_visible()
    installments.fill(str(limits.max_months + 48))
    page.get_by_label("Down payment today").fill("0")
    page.get_by_role("button", name="Show schedule").click()  # no "why" typed: not needed to preview
    expect(
        page.get_by_text(f"Policy allows at most {limits.max_months} monthly installments.", exact=True)
    ).to_have_count(1)
    expect(page.get_by_test_id("schedule-preview")).to_have_count(0)
    page.get_by_label("Monthly installments").fill("6")
    page.get_by_role("button", name="Show schedule").click()
    expect(page.get_by_test_id("schedule-preview")).to_contain_text("150.00")
    page.screenshot(path=str(shots / "arrangement-preview.png"), full_page=True)
