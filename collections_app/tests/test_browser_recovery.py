"""Recovery in a real browser: a collections officer records a bankruptcy from the account page
and sees the flag with the assurance deadline; she asks to write off an uncollectible balance
and a supervisor approves it from the queue."""

import os
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.tests.factories import AccountFactory, CustomerFactory, charge, pay
from collections_app.models import ContactAttempt, WriteOff
from conftest import browser_sign_in


def shot(page: Page, name: str) -> None:
    """Screenshots for a person to look at, when SCREENSHOTS names a directory."""
    if directory := os.environ.get("SCREENSHOTS"):
        page.screenshot(path=f"{directory}/{name}.png", full_page=True)


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_records_a_bankruptcy_and_a_supervisor_approves_a_write_off(
    page: Page, live_server, make_user, browser
):
    officer = make_user("olga", "Collections officer", first_name="Olga", last_name="Reyes")
    make_user("sam", "Supervisor", first_name="Sam", last_name="Okafor")
    debtor = AccountFactory(number="0000880001", customer=CustomerFactory(first_name="Ray", last_name="Lund"))
    charge(debtor, "120.00", due=date(2026, 9, 20), billed=date(2026, 9, 1))
    charge(debtor, "80.00", due=date(2026, 10, 20), billed=date(2026, 10, 1))
    pay(debtor, "50.00", on=date(2026, 10, 5))
    gone = AccountFactory(number="0000880002", status="final", water__ended_on=date(2026, 1, 15))
    charge(gone, "200.00", due=timezone.localdate() - timedelta(days=200))
    for days in (60, 45):  # letters came back, calls reached no one: "debtor not found" is on record
        ContactAttempt.objects.create(
            account=gone, at=timezone.now() - timedelta(days=days), method="phone", made_by=officer
        )

    browser_sign_in(page, live_server.url, "olga")
    page.goto(f"{live_server.url}/accounts/0000880001/")
    page.get_by_role("navigation", name="Quick actions").get_by_role("link", name="Bankruptcy").click()
    page.get_by_label("Chapter").select_option("7")
    page.get_by_label("Case number").fill("26-bk-10441")
    page.get_by_label("Court").fill("U.S. Bankruptcy Court, D. Ariz.")
    page.get_by_label("Petition date").fill("2026-10-15")
    page.get_by_role("button", name="Record bankruptcy").click()

    expect(page.get_by_text("assurance due Nov 04, 2026").first).to_be_visible()
    expect(page.get_by_test_id("flags")).to_contain_text(
        "Bankruptcy ch. 7 — no collection on $150.00 pre-petition; assurance due Nov 04, 2026"
    )

    page.goto(f"{live_server.url}/accounts/0000880002/")
    page.get_by_role("navigation", name="Quick actions").get_by_role("link", name="Request write-off").click()
    # the policy's rules are shown before anything is asked, with the evidence each criterion has
    expect(page.get_by_test_id("writeoff-eligible-amount")).to_contain_text("Would write off $200.00")
    expect(page.get_by_test_id("writeoff-evidence")).to_contain_text("2 contact attempts reached no one")
    shot(page, "writeoff-form")
    page.get_by_label("Why it is uncollectible").select_option("procedures_exhausted")
    page.get_by_label("What was tried").fill("Letters and calls")
    page.get_by_role("button", name="Request write-off").click()
    expect(page.get_by_test_id("writeoff-request")).to_contain_text("no disconnection notice was sent")
    shot(page, "writeoff-refused")
    page.get_by_label("Why it is uncollectible").select_option("debtor_not_found")
    page.get_by_label("What was tried").fill(
        "Mail returned unclaimed; phone disconnected; skip trace found nothing"
    )
    page.get_by_role("button", name="Request write-off").click()
    expect(page.get_by_text("Write-off of $200.00 requested: a supervisor must approve it.")).to_be_visible()
    expect(page.get_by_test_id("flags")).to_contain_text("Write-off of $200.00 awaiting approval")

    boss = browser.new_context().new_page()
    browser_sign_in(boss, live_server.url, "sam")
    boss.goto(f"{live_server.url}/collections/recovery/write-offs/")
    row = boss.get_by_test_id("writeoff-queue").get_by_role("row", name=re.compile("0000880002"))
    expect(row).to_contain_text("debtor_not_found")
    row.get_by_label("Note").fill("Skip trace report attached")
    row.get_by_role("button", name="Approve").click()
    expect(boss.get_by_text("Write-off approved: $200.00 posted.")).to_be_visible()

    write_off = WriteOff.objects.get()
    assert write_off.status == "posted" and write_off.decided_by.username == "sam"
    page.reload()
    expect(page.get_by_test_id("flags")).to_contain_text(
        "Written off $200.00 — balance kept for re-application"
    )
