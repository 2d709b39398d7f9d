"""A collections officer in a real browser: opens tonight's list, sees why an account is held,
approves the list, dispatches the orders; a payment posted before completion cancels its order."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from collections_app.models.orders import OrderStatus, ServiceOrder
from collections_app.services.shutoff import shutoff_run
from collections_app.tests.shutoff_setup import any_day_policy, delinquent, protect
from conftest import browser_sign_in
from payments.tests.factories import cash, open_session, post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_reviews_approves_dispatches_and_a_payment_cancels_the_order(
    page: Page, live_server, make_user
):
    make_user("olivia", "Collections officer", first_name="Olivia", last_name="Park")
    cashier = make_user("cass", "Cashier")
    counselor = make_user("carmen", "Counselor")
    today = timezone.localdate()
    any_day_policy()  # the test utility allows disconnection any day, so the journey runs any day
    rosa = delinquent(as_of=today, number="0000950001", first="Rosa", last="Delgado")
    delinquent(as_of=today, number="0000950002", first="Ana", last="Reyes", days=120, amount="310.00")
    luz = delinquent(as_of=today, number="0000950003", first="Luz", last="Ortega")
    protect("pledge", luz, as_of=today, user=counselor)
    shutoff_run(business_date=today)  # tonight's run (the 02:30 beat task)

    browser_sign_in(page, live_server.url, "olivia")
    page.goto(f"{live_server.url}/collections/")
    page.get_by_test_id("shutoff-nav").get_by_role("link", name="Shutoff lists").click()
    page.get_by_test_id("shutoff-runs").get_by_role(
        "link", name=re.compile(today.strftime("%b %d, %Y"))
    ).click()
    table = page.get_by_test_id("candidates")
    expect(table).to_contain_text("Rosa Delgado")
    expect(table).to_contain_text("0000950002")
    expect(table).not_to_contain_text("0000950003")

    page.get_by_role("link", name=re.compile("^Held")).click()
    held = page.get_by_test_id("candidate-0000950003")
    expect(held).to_contain_text("Luz Ortega")
    expect(held).to_contain_text("utility policy")  # DEFAULT cites no Texas code (issue 12)
    why = page.get_by_test_id("why-0000950003")
    why.get_by_text("Every rule checked").click()
    expect(why.get_by_role("row", name=re.compile("PLEDGE_PENDING"))).to_be_visible()
    expect(why.get_by_role("row", name=re.compile("DAYS_DELINQUENT"))).to_be_visible()

    page.get_by_role("link", name=re.compile("^On the list")).click()
    page.get_by_test_id("approve").click()
    expect(page.get_by_text("List approved: 2 disconnect orders on the order board.")).to_be_visible()
    orders = page.get_by_test_id("orders")
    expect(orders).to_contain_text("0000950001")
    one = page.get_by_label(re.compile(r"Select order \d+ \(0000950001\)"))
    every = page.get_by_label("Select every order shown")
    one.check()
    assert every.evaluate("box => box.indeterminate"), "one of two selected shows as mixed"
    every.check()  # tonight's list in one click, not one per order
    expect(page.get_by_label(re.compile(r"Select order \d+ \(0000950002\)"))).to_be_checked()
    expect(one).to_be_checked()
    page.get_by_label("Crew", exact=True).fill("Crew 7")
    page.get_by_role("button", name="Dispatch selected").click()
    expect(page.get_by_text("2 dispatched to Crew 7.")).to_be_visible()

    # Rosa pays at the counter while the crew is on its way
    post(open_session(cashier), cashier, (rosa, "150.00"), tenders=[cash("150.00")])
    order = ServiceOrder.objects.get(account=rosa)
    page.get_by_role("link", name=f"#{order.pk}").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Dispatched to crew")
    page.get_by_label("Meter reading").fill("004511")
    page.get_by_role("button", name="Record completion").click()
    expect(
        page.get_by_text(re.compile("Not completed — the order is cancelled: Cancelled at completion"))
    ).to_be_visible()
    expect(page.get_by_test_id("order-status")).to_have_text("Cancelled")
    expect(page.get_by_test_id("cancelled-reason")).to_contain_text("Nothing is past due")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and order.cancelled_code == "NOT_DELINQUENT"
    assert rosa.services.get().status == "connected"
    rosa.refresh_from_db()
    assert rosa.balance == Decimal("0.00")
