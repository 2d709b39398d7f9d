"""A cashier's day in a real browser: open the drawer, take a split-tender payment for two
accounts, print the receipt, close with a short blind count; a supervisor signs it off."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.tests.factories import AccountFactory, CustomerFactory, charge
from conftest import browser_sign_in, pdf_text
from payments.models import DrawerSession, SessionStatus
from payments.tests.factories import drawer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_cashier_day_with_split_tender_receipt_short_count_and_signoff(
    page: Page, live_server, make_user, browser
):
    make_user("dale", "Cashier")
    make_user("grace", "Supervisor")
    counter = drawer("D07")
    today = timezone.localdate()
    water = AccountFactory(number="0000900001", customer=CustomerFactory(first_name="Ana", last_name="Ruiz"))
    rent = AccountFactory(number="0000900002", customer=CustomerFactory(first_name="Ana", last_name="Ruiz"))
    charge(water, "64.20", due=today - timedelta(days=12))
    charge(rent, "35.80", due=today + timedelta(days=9), code="SLW")

    browser_sign_in(page, live_server.url, "dale")
    expect(page).to_have_url(re.compile(r"/cashier/$"))
    page.get_by_role("combobox", name="Drawer").select_option(value=str(counter.pk))
    page.get_by_label("Opening float (counted)").fill("200.00")
    page.get_by_role("button", name="Open drawer").click()
    expect(page.get_by_text("Drawer open. You can take payments.")).to_be_visible()

    # two accounts, keyboard only: type, Tab, type ...
    page.get_by_label("Account 1").fill("0000900001")
    page.keyboard.press("Tab")
    page.keyboard.type("64.20")
    page.get_by_label("Account 2").fill("0000900002")
    page.get_by_label("Amount 2").fill("35.80")
    page.get_by_label("Tender", exact=True).select_option("check")
    page.get_by_label("Amount handed over", exact=True).fill("60.00")
    page.get_by_label("Check / MO number", exact=True).fill("4417")
    page.get_by_label("Bank", exact=True).fill("Desert Schools FCU")
    page.get_by_label("Tender 2").select_option("cash")
    page.get_by_label("Amount handed over 2").fill("50.00")
    page.get_by_role("button", name=re.compile("Preview distribution")).click()
    preview = page.get_by_test_id("preview")
    expect(preview).to_contain_text("Water $64.20")
    expect(preview).to_contain_text("Solid waste $35.80")
    expect(page.get_by_test_id("change-due")).to_have_text("$10.00")
    page.get_by_role("button", name=re.compile("Post payment")).click()

    expect(page.get_by_test_id("receipt-change")).to_have_text("$10.00")
    receipt_number = page.get_by_test_id("receipt-number").inner_text()
    # printing is a POST (it counts the print); the GET page itself writes nothing
    print_form = page.locator("form", has=page.get_by_role("button", name="Print receipt (PDF)"))
    token = print_form.locator("input[name=csrfmiddlewaretoken]").get_attribute("value")
    pdf = page.context.request.post(
        f"{live_server.url}{print_form.get_attribute('action')}", form={"csrfmiddlewaretoken": token}
    )
    assert pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.body())
    assert f"Payment receipt {receipt_number}" in text
    assert "0000900001" in text and "0000900002" in text and "Total paid $100.00" in text
    assert "Check #4417" in text and "Change due $10.00" in text and "COPY" not in text

    # close: 200 float + 40 cash kept (50 handed - 10 change) = 240 expected; she counts 230
    page.get_by_role("link", name="Next customer (Alt+N)").click()
    page.get_by_role("link", name="Close drawer…").click()
    expect(page.locator("body")).not_to_contain_text("240.00")  # blind
    page.get_by_label("$100 bills").fill("2")
    page.get_by_label("$10 bills").fill("3")
    page.get_by_label("Checks total", exact=True).fill("60.00")
    page.get_by_label("Number of checks").fill("1")
    page.get_by_role("button", name="Submit count and close").click()
    expect(page.get_by_test_id("over-short")).to_contain_text("Short $10.00: a supervisor must sign off")
    expect(page.get_by_test_id("close-table")).to_contain_text("240.00")
    session = DrawerSession.objects.get()
    assert session.status == SessionStatus.PENDING_SIGNOFF

    supervisor = browser.new_context().new_page()
    browser_sign_in(supervisor, live_server.url, "grace")
    supervisor.goto(f"{live_server.url}/cashier/sessions/")
    row = supervisor.get_by_test_id("pending-signoff").get_by_role("row", name=re.compile("D07"))
    expect(row).to_contain_text("-$10.00")
    row.get_by_label("Reason").fill("Ten-dollar bill given as change twice; cashier retrained")
    row.get_by_role("button", name="Sign off").click()
    expect(supervisor.get_by_text("Drawer signed off.")).to_be_visible()
    session.refresh_from_db()
    assert session.status == SessionStatus.SIGNED_OFF and session.signed_off_by.username == "grace"
