"""A collections officer adapts a standard letter for one customer in a real browser: chooses it
on the account, is refused when the appeal paragraph goes, adds a sentence about the customer's
circumstances, previews the PDF, prints it, and finds it kept on the account."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.tests.factories import AccountFactory, CustomerFactory, charge
from conftest import browser_sign_in, pdf_text
from letters.models import SentLetter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
EDIT = "Because of the medical emergency you told us about, we have held this notice for two weeks."


def test_an_officer_adapts_a_disconnection_letter_before_printing(page: Page, live_server, make_user):
    make_user("olive", "Collections officer", first_name="Olive", last_name="Ortiz")
    account = AccountFactory(
        number="0000880001", customer=CustomerFactory(first_name="Rosa", last_name="Delgado")
    )
    charge(account, "212.40", due=timezone.localdate() - timedelta(days=40))

    browser_sign_in(page, live_server.url, "olive")
    page.goto(f"{live_server.url}/accounts/0000880001/")
    page.get_by_role("navigation", name="Quick actions").get_by_role("link", name="Adapt a letter").click()
    page.get_by_label("Standard letter").select_option(label="Disconnection notice")
    page.get_by_role("button", name="Fill in and adapt").click()

    expect(page.get_by_test_id("required-paragraphs")).to_contain_text("Your right to appeal")
    box = page.get_by_label("Letter text")
    standard = box.input_value()
    assert standard.startswith("Dear Rosa Delgado,") and "past due by $212.40" in standard

    # the appeal paragraph removed: refused, with the paragraph quoted, nothing kept
    box.fill("\n\n".join(p for p in standard.split("\n\n") if not p.startswith("Your right to appeal")))
    page.get_by_role("button", name="Print and keep on the account").click()
    expect(page.get_by_test_id("letter-error")).to_contain_text("must keep this paragraph word for word")
    expect(page.get_by_test_id("letter-error")).to_contain_text("Your right to appeal: you may dispute")
    assert not SentLetter.objects.exists()

    page.get_by_role("link", name="Reset to the standard text").click()
    first, rest = page.get_by_label("Letter text").input_value().split("\n\n", 1)
    page.get_by_label("Letter text").fill(f"{first}\n\n{EDIT}\n\n{rest}")
    # Chromium shows the PDF in its viewer; the route keeps the bytes the server sent for reading
    served: list[bytes] = []

    def keep(route):  # type: ignore[no-untyped-def]
        response = route.fetch()
        served.append(response.body())
        route.fulfill(response=response)

    page.context.route("**/preview/", keep)
    with page.context.expect_event("response", lambda r: "/preview/" in r.url) as previewed:
        page.get_by_role("button", name="Preview PDF").click()
    assert previewed.value.headers["content-type"] == "application/pdf"
    preview = pdf_text(served[0])
    assert EDIT in preview and "Your right to appeal" in preview
    assert not SentLetter.objects.exists()  # a preview keeps nothing

    page.get_by_role("button", name="Print and keep on the account").click()
    expect(page.get_by_text("Letter kept on the account.")).to_be_visible()
    expect(page.get_by_test_id("sent-letter")).to_contain_text("Yes: staff changed the standard text")
    href = page.get_by_role("link", name="Print (PDF)").get_attribute("href")
    printed = pdf_text(page.context.request.get(f"{live_server.url}{href}").body())
    assert EDIT in printed and "Your right to appeal" in printed and "Medical emergency" in printed
    assert "Customer Service (602) 555-0180" in printed

    page.goto(f"{live_server.url}/accounts/0000880001/")
    expect(page.get_by_role("link", name=re.compile("Letter: Notice of disconnection"))).to_be_visible()
