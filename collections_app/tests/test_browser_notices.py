"""A collections officer in a real browser: builds the shutoff-notice batch for the business day
(a job on a real worker: the page shows its progress), prints and downloads its PDF (rendered in
parallel parts and joined), marks it sent, and finds the notice on the account page.

1,000 notices, issue 13's proof, on the test's one worker thread (solo pool: about 40 s of
rendering); bench/notice_pdf.py measures 1,000 and 10,000 on real worker processes. Set
NOTICE_PDF_KEEP=<path> to keep the downloaded PDF and look at its pages."""

import os
import re
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from accounts.tests.factories import AccountFactory, CustomerFactory
from collections_app import notice_jobs
from collections_app.models import Notice
from collections_app.tests.billing import bill, use_policy
from conftest import browser_sign_in, pdf_text
from policy_engine.calendar import Calendar

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "jobs"])]
OTHERS = 999


def test_officer_builds_downloads_and_sends_the_shutoff_notices(
    page: Page, live_server, make_user, celery_worker, monkeypatch
):
    monkeypatch.setattr(notice_jobs, "PDF_PART", 100)  # 10 parts: the progress moves by 100
    use_policy("AZ_MESA")
    make_user("olivia", "Collections officer", first_name="Olivia", last_name="Reyes")
    # notices go out on business days: tonight's batch, or the last business day's on a weekend
    day = Calendar().previous_business_day(timezone.localdate())
    account = AccountFactory(
        number="0000880001", customer=CustomerFactory(first_name="Ana", last_name="Vega")
    )
    bill(account, "212.40", due=day - timedelta(days=90))
    for _ in range(OTHERS):
        bill(AccountFactory(), "80.00", due=day - timedelta(days=90))

    browser_sign_in(page, live_server.url, "olivia")
    page.goto(f"{live_server.url}/collections/")
    page.get_by_test_id("notices-nav").get_by_role("link", name="Notices").click()
    page.get_by_label("Notice", exact=True).select_option("shutoff")
    page.get_by_label("For", exact=True).fill(day.isoformat())
    page.get_by_role("button", name="Build batch").click()

    # the request returned at once: the job's page, polling until the batch is built
    expect(page.get_by_test_id("job-title")).to_contain_text("Build: Shutoff notice batch")
    expect(page.get_by_test_id("job-status")).to_have_text("Done", timeout=240_000)
    expect(page.get_by_test_id("job-summary")).to_contain_text("1,000 notices")
    page.get_by_test_id("job-link").click()
    expect(page.get_by_test_id("batch-title")).to_contain_text("Shutoff notice")
    row = page.get_by_test_id("batch-notices").get_by_role("row", name=re.compile("0000880001"))
    expect(row).to_contain_text("212.40")
    expect(row).to_contain_text("Ana Vega")
    notice = Notice.objects.get(account=account)
    assert notice.earliest_action is not None and notice.pay_by is not None

    batch_url = page.url
    page.get_by_test_id("batch-pdf").click()
    progress = page.get_by_test_id("job-progress")
    # part by part: a count between the first part and the last is seen on the page
    expect(progress).to_contain_text(re.compile(r"\b[1-8]00 of 1,000\b"), timeout=240_000)
    expect(page.get_by_test_id("job-status")).to_have_text("Done", timeout=240_000)
    with page.expect_download() as download_info:
        page.get_by_test_id("job-download").click()
    download = download_info.value
    assert download.suggested_filename == f"notices-shutoff-{day:%Y%m%d}.pdf"
    data = Path(download.path()).read_bytes()
    if os.environ.get("NOTICE_PDF_KEEP"):
        Path(os.environ["NOTICE_PDF_KEEP"]).write_bytes(data)
    assert len(PdfReader(BytesIO(data)).pages) == 1_000
    text = pdf_text(data)
    assert "Notice 1 of 1,000" in text and "Notice 1,000 of 1,000" in text
    assert "0000880001" in text and "$212.40" in text and "Notice of disconnection" in text
    assert f"{notice.earliest_action:%B} {notice.earliest_action.day}, {notice.earliest_action.year}" in text

    page.goto(batch_url)
    page.get_by_role("button", name="Mark sent").click()
    expect(page.get_by_test_id("batch-sent")).to_contain_text(f"Sent {day:%b} {day:%d}, {day.year}")
    notice.refresh_from_db()
    assert notice.sent_on == day and notice.fee_amount == 3  # Mesa's $3 notice charge

    page.goto(f"{live_server.url}/accounts/0000880001/")
    expect(page.get_by_text("Shutoff notice sent (first-class mail)")).to_be_visible()
    page.get_by_role("navigation", name="Quick actions").get_by_role("link", name="Notices").click()
    expect(page.get_by_test_id("account-notices")).to_contain_text(f"{day:%b} {day:%d}, {day.year}")
