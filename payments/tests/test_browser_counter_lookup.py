"""At the counter, keyboard only: a phone's last four digits that two customers share bring a
short list; arrow keys choose, Enter takes the choice, and the preview names that customer."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.tests.factories import AccountFactory, CustomerFactory
from conftest import browser_sign_in
from payments.tests.factories import drawer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _person(first: str, last: str, phone: str):  # type: ignore[no-untyped-def]
    return CustomerFactory(
        first_name=first,
        last_name=last,
        search_name=f"{last}, {first}".upper(),
        phone=phone,
        phone_digits=phone,
    )


def test_a_short_list_is_chosen_with_the_keyboard(page: Page, live_server, make_user):
    make_user("dale", "Cashier")
    counter = drawer("K01")
    AccountFactory(number="0000000184", customer=_person("Rosa", "Ibarra", "6025550142"))
    AccountFactory(number="0000000950", customer=_person("Tom", "Ochoa", "4805550142"))

    browser_sign_in(page, live_server.url, "dale")
    page.get_by_role("combobox", name="Drawer").select_option(value=str(counter.pk))
    page.get_by_label("Opening float (counted)").fill("200.00")
    page.get_by_role("button", name="Open drawer").click()
    expect(page.get_by_label("Account 1")).to_be_focused()

    page.keyboard.type("0142")
    page.keyboard.press("Tab")
    page.keyboard.type("20.00")
    page.get_by_label("Tender", exact=True).select_option("cash")
    page.get_by_label("Amount handed over", exact=True).fill("20.00")
    page.keyboard.press("Enter")  # Enter submits: the preview

    expect(page.get_by_text("0142 matches 2 accounts: choose one")).to_be_visible()
    picks = page.get_by_test_id("picks-0")
    first = picks.get_by_role("radio").first
    expect(first).to_be_focused()
    second_label = picks.locator("label").nth(1).inner_text()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")

    preview = page.get_by_test_id("preview")
    chosen = re.match(r"(\d+) · (\S+ \S+)", second_label)
    assert chosen
    expect(preview).to_contain_text(chosen.group(2))
    expect(page.get_by_label("Account 1")).to_have_value(chosen.group(1))
    expect(page.get_by_label("Amount 1")).to_be_focused()
    page.get_by_role("button", name=re.compile("Post payment")).press("Enter")
    expect(page.get_by_test_id("receipt-number")).to_be_visible()
