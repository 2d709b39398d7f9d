"""A cashier in a real browser takes a payment in full on a disconnected account: the preview
warns that the service is off and which reconnection fee will follow before she posts, and the
receipt says it too. The fee is charged only when the crew completes the reconnection."""

import os
import re
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import LedgerEntry, Service
from collections_app.models.orders import OrderKind, OrderStatus, ServiceOrder
from collections_app.services.orders import order_complete, order_dispatch
from collections_app.tests.shutoff_setup import any_day_policy, delinquent
from conftest import browser_sign_in, pdf_text
from payments.tests.factories import drawer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_cashier_sees_the_service_off_and_the_fee_to_come_before_posting_and_on_the_receipt(
    page: Page, live_server, make_user, tmp_path
):
    # screenshots to look at: BROWSER_SHOTS_DIR=/some/dir keeps them after the run
    shots = Path(os.environ.get("BROWSER_SHOTS_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    make_user("dale", "Cashier")
    officer = make_user("olivia", "Collections officer")
    counter = drawer("D09")
    today = timezone.localdate()
    any_day_policy()
    account = delinquent(as_of=today, number="0000960001", first="Ana", last="Reyes", amount="182.40")
    Service.objects.filter(account=account).update(status="disconnected")
    off_on = today - timedelta(days=12)
    ServiceOrder.objects.create(
        account=account,
        kind=OrderKind.DISCONNECT,
        status=OrderStatus.COMPLETED,
        reason="Shutoff list",
        scheduled_for=off_on,
        completed_at=timezone.make_aware(datetime.combine(off_on, time(10, 30))),
        idempotency_key="browser-disconnect",
    )

    browser_sign_in(page, live_server.url, "dale")
    page.get_by_role("combobox", name="Drawer").select_option(value=str(counter.pk))
    page.get_by_label("Opening float (counted)").fill("100.00")
    page.get_by_role("button", name="Open drawer").click()
    page.get_by_label("Account 1").fill("0000960001")
    page.keyboard.press("Tab")
    page.keyboard.type("182.40")
    page.get_by_label("Tender", exact=True).select_option("cash")
    page.get_by_label("Amount handed over", exact=True).fill("200.00")
    page.get_by_role("button", name=re.compile("Preview distribution")).click()

    preview = page.get_by_test_id("preview")
    off = preview.get_by_test_id("note-service_off")
    expect(off).to_contain_text(f"Service is OFF (water disconnected since {off_on:%b %d, %Y})")
    fee = preview.get_by_test_id("note-reconnect_ordered")
    expect(fee).to_contain_text("This payment orders a reconnection — a reconnection fee will follow")
    expect(fee).to_contain_text("$25.00 charged when the crew restores service during normal hours")
    expect(fee).to_contain_text("$50.00 only if the customer asks for after-hours service")
    expect(fee).to_contain_text("Reconnection during normal hours")
    expect(page.get_by_test_id("change-due")).to_have_text("$17.60")
    page.screenshot(path=str(shots / "1-preview.png"), full_page=True)

    page.get_by_role("button", name=re.compile("Post payment")).click()
    expect(page.get_by_test_id("receipt-number")).to_be_visible()
    order = ServiceOrder.objects.get(kind=OrderKind.RECONNECT)
    expect(page.get_by_test_id("receipt-note-service_off")).to_contain_text("Service was OFF")
    ordered = page.get_by_test_id("receipt-note-reconnect_ordered")
    expect(ordered).to_contain_text(f"Reconnection ordered (#{order.pk})")
    expect(ordered).to_contain_text("$25.00 charged when the crew restores service")
    page.screenshot(path=str(shots / "2-receipt.png"), full_page=True)
    account.refresh_from_db()
    assert account.balance == 0 and not LedgerEntry.objects.filter(account=account, kind="fee").exists()

    # printing is a POST that counts the print (the receipt page's buttons)
    def printed(button: str) -> bytes:
        form = page.locator("form", has=page.get_by_role("button", name=button))
        token = form.locator("input[name=csrfmiddlewaretoken]").get_attribute("value")
        response = page.context.request.post(
            f"{live_server.url}{form.get_attribute('action')}",
            form={"csrfmiddlewaretoken": token},
            headers={"Referer": page.url},
        )
        assert response.status == 200
        return response.body()

    text = pdf_text(printed("Print receipt (PDF)"))
    assert "Service was OFF" in text and f"Reconnection ordered (#{order.pk})" in text and "$25.00" in text
    slip = page.context.new_page()
    slip.set_content(printed("Receipt printer (80 mm)").decode())
    expect(slip.locator("body")).to_contain_text(f"Reconnection ordered (#{order.pk})")
    slip.screenshot(path=str(shots / "3-receipt-80mm.png"), full_page=True)

    # the crew restores the water: now, and only now, the fee is charged
    order_dispatch(order_ids=[order.pk], crew="Crew 7", actor=officer)
    done = order_complete(order_id=order.pk, outcome="done", actor=officer)
    assert done.fee is not None and done.fee.amount == 25
    account.refresh_from_db()
    assert account.balance == 25
