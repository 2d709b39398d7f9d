"""A returned check on a split tender, in a real browser: the cashier takes $120 cash and check
no. 1234 for $65.51 for two accounts, opens the receipt, sees *Returned by the bank* only beside
the check, records the return and sees exactly the check reversed, with one fee."""

import re
import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import EntryKind, LedgerEntry
from accounts.tests.factories import AccountFactory, CustomerFactory, charge
from conftest import browser_sign_in
from payments.models import ReturnedItem
from payments.tests.factories import drawer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(tempfile.gettempdir()) / "returns-shots"  # looked at by eye, not asserted


def test_cashier_records_a_returned_check_of_a_split_tender(page: Page, live_server, make_user):
    SHOTS.mkdir(parents=True, exist_ok=True)
    make_user("dale", "Cashier")
    counter = drawer("D05")
    today = timezone.localdate()
    owner = CustomerFactory(first_name="Rosa", last_name="Delgado")
    home = AccountFactory(number="0000910001", customer=owner)
    shop = AccountFactory(number="0000910002", customer=owner)
    charge(home, "40.00", due=today - timedelta(days=35))
    charge(shop, "145.51", due=today - timedelta(days=5))

    browser_sign_in(page, live_server.url, "dale")
    page.get_by_role("combobox", name="Drawer").select_option(value=str(counter.pk))
    page.get_by_label("Opening float (counted)").fill("100.00")
    page.get_by_role("button", name="Open drawer").click()
    page.get_by_label("Account 1").fill("0000910001")
    page.get_by_label("Amount 1").fill("40.00")
    page.get_by_label("Account 2").fill("0000910002")
    page.get_by_label("Amount 2").fill("145.51")
    page.get_by_label("Tender", exact=True).select_option("cash")
    page.get_by_label("Amount handed over", exact=True).fill("120.00")
    page.get_by_label("Tender 2").select_option("check")
    page.get_by_label("Amount handed over 2").fill("65.51")
    page.get_by_label("Check / MO number 2").fill("1234")
    page.get_by_label("Bank 2").fill("Desert Schools FCU")
    page.get_by_role("button", name=re.compile("Preview distribution")).click()
    expect(page.get_by_test_id("change-due")).to_have_text("$0.00")
    page.get_by_role("button", name=re.compile("Post payment")).click()
    expect(page.get_by_test_id("receipt-change")).to_have_text("$0.00")

    # the return is offered per tender, only beside the check, with the check's amount
    tenders = page.get_by_test_id("receipt-tenders")
    expect(tenders.get_by_text(re.compile("Returned by the bank"))).to_have_count(1)
    check_row = tenders.get_by_role("row", name=re.compile("Check #1234"))
    cash_row = tenders.get_by_role("row", name=re.compile("^Cash"))
    expect(cash_row).not_to_contain_text("Returned by the bank")
    expect(check_row).to_contain_text("Returned by the bank… ($65.51)")
    page.screenshot(path=str(SHOTS / "1-receipt-before.png"), full_page=True)

    check_row.get_by_text("Returned by the bank…").click()
    expect(check_row.get_by_label("Returned on")).to_have_value(today.isoformat())
    check_row.get_by_label("Reason").select_option("NSF")
    page.screenshot(path=str(SHOTS / "2-return-form.png"), full_page=True)
    check_row.get_by_role("button", name="Record returned item").click()

    expect(
        page.get_by_text(re.compile(r"Returned check no\. 1234 recorded: \$65\.51 reversed"))
    ).to_be_visible()
    expect(page.get_by_text("0000910001 $40.00, 0000910002 $25.51")).to_be_visible()
    expect(page.get_by_text("fee $25.00 charged to account 0000910001")).to_be_visible()
    statuses = page.get_by_test_id("payment-status")
    expect(statuses.nth(0)).to_contain_text("Returned (NSF)")
    expect(statuses.nth(1)).to_contain_text("Partly returned (NSF)")
    expect(statuses.nth(1)).to_contain_text("$25.51 taken back")
    expect(page.get_by_text(re.compile("Returned by the bank"))).to_have_count(0)
    expect(page.get_by_role("button", name="Void receipt")).to_have_count(0)
    expect(page.get_by_role("link", name="Customer letter (PDF)")).to_be_visible()
    page.screenshot(path=str(SHOTS / "3-receipt-after.png"), full_page=True)

    item = ReturnedItem.objects.get()
    assert item.amount == Decimal("65.51") and item.fee == Decimal("25.00")
    reversed_total = sum(e.amount for e in LedgerEntry.objects.filter(kind=EntryKind.PAYMENT_REVERSAL))
    assert reversed_total == Decimal("65.51")
    assert LedgerEntry.objects.filter(kind=EntryKind.FEE).count() == 1

    page.goto(f"{live_server.url}/accounts/0000910002/")
    expect(page.locator("body")).to_contain_text("25.51")
    page.screenshot(path=str(SHOTS / "4-account-after.png"), full_page=True)
