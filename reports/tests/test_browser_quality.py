"""A supervisor draws a sample of a cashier's receipts in a real browser, scores two items with the
keyboard-friendly checklist, records a training need; the cashier then reads it under My reviews."""

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from conftest import browser_sign_in
from reports.models import QualityReview
from reports.tests import quality_setup as work

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_reviews_a_cashiers_receipts_and_the_cashier_reads_it(
    page: Page, live_server, make_user
) -> None:
    make_user("grace", "Supervisor", first_name="Grace", last_name="Holloway")
    cashier = make_user("carl", "Cashier", first_name="Carl", last_name="Mendez")
    for day in range(1, 9):
        work.receipt(cashier, date(2026, 3, day))

    browser_sign_in(page, live_server.url, "grace")
    page.get_by_role("button", name="Oversight").click()  # the menu's group (issue 16)
    page.get_by_role("link", name="Quality review").click()
    draw = page.get_by_role("region", name="Draw a sample")
    draw.get_by_label("Employee").select_option(label="Carl Mendez (carl)")
    draw.get_by_label("Period start").fill("2026-03-01")
    draw.get_by_label("Period end").fill("2026-03-31")
    draw.get_by_label("Receipts").check()
    draw.get_by_label("Sample size").fill("3")
    draw.get_by_role("button", name="Draw sample").click()
    expect(page.get_by_text("Sample drawn: 3 of 8 items.")).to_be_visible()
    expect(page.get_by_test_id("review-item")).to_have_count(3)

    verdicts = [("Pass", "Pass", "Pass", "Pass"), ("Pass", "Fail", "Pass", "N/A")]
    for position, answers in enumerate(verdicts, start=1):
        item = page.get_by_test_id("review-item").nth(position - 1)
        for group, answer in zip(item.get_by_role("group").all(), answers, strict=True):
            group.get_by_label(answer, exact=True).check()
        if position == 2:
            item.get_by_label("Comment on item 2").fill("Check number not recorded")
        item.get_by_role("button", name=f"Save score for item {position}").click()
        expect(page.get_by_text(f"Item {position} scored.")).to_be_visible()
    expect(page.get_by_test_id("review-score")).to_contain_text("85.7% of answered questions passed")

    conclude = page.get_by_role("region", name="Findings and corrective action")
    conclude.get_by_role("textbox", name="Findings").fill("Check tenders entered without the check number")
    conclude.get_by_role("combobox", name="Action").select_option(label="Training need")
    conclude.get_by_label("Corrective action or training need").fill("Tender refresher with the lead cashier")
    conclude.get_by_role("button", name="Conclude review").click()
    expect(page.get_by_test_id("review-findings")).to_contain_text("Tender refresher")
    review = QualityReview.objects.get()
    assert review.action_category == "training" and review.items.filter(scored_at__isnull=False).count() == 2

    page.context.clear_cookies()
    browser_sign_in(page, live_server.url, "carl")
    expect(page.get_by_role("link", name="Quality review", include_hidden=True)).to_have_count(0)
    page.get_by_role("button", name="My work").click()  # the menu's group (issue 16)
    page.get_by_role("link", name="My reviews").click()
    row = page.get_by_test_id("my-reviews").get_by_role("row", name=re.compile("Mar 01, 2026"))
    expect(row).to_contain_text("85.7%")
    expect(row).to_contain_text("Training need")
    row.get_by_role("link", name=f"Read review {review.pk}").click()
    expect(page.get_by_test_id("review-findings")).to_contain_text("Tender refresher with the lead cashier")
    expect(page.get_by_text("Check number not recorded")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Save score|Conclude"))).to_have_count(0)
