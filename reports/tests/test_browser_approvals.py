"""A supervisor's approvals in a real browser: the menu badge says what waits and opens the queue;
she approves an arrangement above a counselor's authority, rejects a write-off with a reason, and
the count drops each time."""

import pytest
from playwright.sync_api import Page, expect

from collections_app.models import WriteOffStatus
from common.models import AuditEvent
from conftest import browser_sign_in
from counseling.models import ArrangementStatus
from policy.tests.helpers import use_policy
from reports.tests import approval_setup as made

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_works_the_queue_from_the_menu_badge(page: Page, live_server, make_user):
    use_policy("DEFAULT")
    make_user("grace", "Supervisor", first_name="Grace", last_name="Holloway")
    arrangement = made.arrangement(make_user("carmen", "Counselor"))
    write_off = made.write_off(make_user("olga", "Collections officer"))
    assert arrangement.status == ArrangementStatus.PENDING_APPROVAL

    browser_sign_in(page, live_server.url, "grace")
    badge = page.get_by_test_id("nav-badge")
    expect(badge).to_have_text("2 waiting for you: open the approvals queue")
    expect(page.get_by_test_id("pending-count")).to_have_text("2")
    badge.click()
    expect(page.get_by_test_id("approvals-title")).to_be_visible()

    row = page.get_by_test_id(f"approval-arrangement-{arrangement.pk}")
    expect(row).to_contain_text("carmen")
    expect(row).to_contain_text("800.00")
    row.get_by_label("Reason").fill("income verified")
    row.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("approved.")
    expect(page.get_by_test_id("nav-badge")).to_have_text("1 waiting for you: open the approvals queue")
    expect(page.get_by_test_id(f"approval-arrangement-{arrangement.pk}")).to_have_count(0)

    row = page.get_by_test_id(f"approval-write_off-{write_off.pk}")
    row.get_by_role("button", name="Reject").click()  # no reason yet: refused, nothing changes
    expect(page.get_by_role("status")).to_contain_text("Give the reason for rejecting.")
    row = page.get_by_test_id(f"approval-write_off-{write_off.pk}")
    row.get_by_label("Reason").fill("the customer wrote back last week")
    row.get_by_role("button", name="Reject").click()
    expect(page.get_by_role("status")).to_contain_text("rejected.")
    expect(page.get_by_test_id("nav-badge")).to_have_count(0)
    expect(page.get_by_test_id("queue-empty")).to_be_visible()

    arrangement.refresh_from_db()
    write_off.refresh_from_db()
    assert arrangement.status == ArrangementStatus.ACTIVE and arrangement.decided_by.username == "grace"
    assert write_off.status == WriteOffStatus.REJECTED
    assert write_off.decision_note == "the customer wrote back last week"
    rejected = AuditEvent.objects.get(verb="write_off.reject")
    assert rejected.data["note"] == "the customer wrote back last week"
    page.get_by_role("link", name="Supervisor", exact=True).click()
    expect(page.get_by_test_id("pending-count")).to_have_text("0")
