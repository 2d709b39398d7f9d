"""An administrator issues an integration token, copies its key (shown once), and revokes it:
Debian's Chromium, driven by Playwright, against a live server."""

import os
import re
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from common.models import IntegrationToken
from conftest import browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("SHOTS_DIR", "test-results")) / "tokens"  # look at them: the page must read right


def test_administrator_issues_then_revokes_a_token(page: Page, live_server, make_user):
    SHOTS.mkdir(parents=True, exist_ok=True)
    make_user("ada", "Administrator", is_staff=True)
    make_user("ivr", "Cashier")
    browser_sign_in(page, live_server.url, "ada")
    page.get_by_role("link", name="Integration tokens").click()
    page.get_by_role("link", name=re.compile("Add integration token")).click()
    page.get_by_label("Name").fill("IVR vendor")
    page.get_by_label("User").select_option(label="ivr")
    page.get_by_role("button", name="Save", exact=True).click()
    key = page.get_by_test_id("issued-key").inner_text().strip()
    expect(page.get_by_text("cannot be shown again")).to_be_visible()
    page.screenshot(path=str(SHOTS / "token-issued.png"), full_page=True)
    assert len(key) == 40
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200

    page.get_by_role("link", name="Back to integration tokens").click()
    row = page.locator("#result_list tbody tr", has_text="IVR vendor")
    expect(row).to_contain_text(key[:8])
    expect(page.get_by_text(key)).to_have_count(0)
    row.locator("input[name=_selected_action]").check()
    page.locator("select[name=action]").select_option("revoke")
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_text("Revoked: the next call")).to_be_visible()
    expect(page.locator("#result_list tbody tr", has_text="IVR vendor")).to_contain_text("revoked")
    page.screenshot(path=str(SHOTS / "token-list.png"), full_page=True)
    assert IntegrationToken.objects.get().revoked_at is not None
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
