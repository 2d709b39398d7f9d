"""The counter without a mouse: a cashier at the window keeps both hands on the keyboard (and the
scanner). Every step below is a real key press; nothing is clicked or filled by locator."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.tests.factories import AccountFactory, CustomerFactory, charge
from payments.models import Payment
from payments.tests.factories import drawer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_cashier_takes_a_split_payment_from_sign_in_to_receipt_with_the_keyboard_only(
    page: Page, live_server, make_user
):
    make_user("dale", "Cashier")
    counter = drawer("D09")
    today = timezone.localdate()
    ana = CustomerFactory(first_name="Ana", last_name="Ruiz")
    water = AccountFactory(number="0000920001", customer=ana)
    waste = AccountFactory(number="0000920002", customer=ana)
    charge(water, "64.20", due=today - timedelta(days=12))
    charge(waste, "35.80", due=today + timedelta(days=9), code="SLW")
    keys = page.keyboard

    page.goto(f"{live_server.url}/login/")
    expect(page.get_by_label("Username")).to_be_focused()
    keys.type("dale")
    keys.press("Tab")
    keys.type("correct horse battery staple")
    keys.press("Enter")

    # the drawer form is where the cashier's day starts: it has the focus
    expect(page).to_have_url(re.compile(r"/cashier/$"))
    drawer_select = page.get_by_role("combobox", name="Drawer")
    expect(drawer_select).to_be_focused()
    keys.type("D09")  # a closed select picks the option its typed first letters name
    expect(drawer_select).to_have_value(str(counter.pk))
    keys.press("Tab")
    expect(page.get_by_label("Opening float (counted)")).to_be_focused()
    keys.press("Control+A")
    keys.type("200.00")
    keys.press("Enter")
    expect(page.get_by_text("Drawer open. You can take payments.")).to_be_visible()

    # the counter opens on the first account; amounts follow in tab order, account by account
    expect(page.get_by_label("Account 1")).to_be_focused()
    keys.type("0000920001")
    keys.press("Tab")
    expect(page.get_by_label("Amount 1")).to_be_focused()
    keys.type("64.20")
    keys.press("Tab")
    expect(page.get_by_label("Account 2")).to_be_focused()
    keys.type("0000920002")
    keys.press("Tab")
    keys.type("35.80")
    # past the empty lines and the optional payer name to the tender, chosen by typing its name
    for n in (3, 4):
        keys.press("Tab")
        expect(page.get_by_label(f"Account {n}")).to_be_focused()
        keys.press("Tab")
        expect(page.get_by_label(f"Amount {n}")).to_be_focused()
    keys.press("Tab")
    expect(page.get_by_label(re.compile("Paid by"))).to_be_focused()
    keys.press("Tab")
    tender = page.get_by_label("Tender", exact=True)
    expect(tender).to_be_focused()
    keys.type("Cash")
    expect(tender).to_have_value("cash")
    keys.press("Tab")
    expect(page.get_by_label("Amount handed over", exact=True)).to_be_focused()
    keys.type("120.00")
    keys.press("Enter")  # Enter in a field previews, it never posts

    preview = page.get_by_test_id("preview")
    expect(preview).to_contain_text("Water $64.20")
    expect(preview).to_contain_text("Solid waste $35.80")
    expect(page.get_by_test_id("change-due")).to_have_text("$20.00")
    assert not Payment.objects.exists()
    # having checked the distribution, the cashier confirms it from where the focus now is
    post = page.get_by_role("button", name=re.compile("Post payment"))
    expect(post).to_be_focused()
    keys.press("Enter")

    expect(page).to_have_url(re.compile(r"/cashier/receipts/R"))
    expect(page.get_by_test_id("receipt-change")).to_have_text("$20.00")
    assert Payment.objects.count() == 2

    # and the next customer is one shortcut away, landing again on the first account
    keys.press("Alt+KeyN")
    expect(page).to_have_url(re.compile(r"/cashier/$"))
    expect(page.get_by_label("Account 1")).to_be_focused()
    expect(page.get_by_label("Account 1")).to_have_value("")
