"""The check every browser test runs (page_guard.py) catches what it is there for: on a page served
with the app's CSP, an inline style, a throwing script and an unlabelled field each fail it, and
a clean page passes. Uses `browser`, not `page`, so the suite's own guard stays out of it."""

import pytest
from django.conf import settings
from django.utils.csp import build_policy
from playwright._impl._sync_base import SyncBase

from common.tests.page_guard import PageGuard

pytestmark = pytest.mark.browser

PAGE = '<!doctype html><html lang="en"><head><title>t</title></head><body><main><h1>Fine</h1>{}</main></body>'


def guarded(browser, monkeypatch, body: str) -> PageGuard:  # type: ignore[no-untyped-def]
    csp = build_policy(settings.SECURE_CSP, nonce="n0nce")  # the app's own policy
    guard = PageGuard()
    monkeypatch.setattr(SyncBase, "_sync", guard.sync_hook(SyncBase._sync))
    context = browser.new_context()
    guard.watch_context(context)
    page = context.new_page()
    guard.watch(page)
    page.route(
        "http://guard.test/**",
        lambda route: route.fulfill(
            body=PAGE.format(body), content_type="text/html", headers={"Content-Security-Policy": csp}
        ),
    )
    page.goto("http://guard.test/page")
    page.get_by_role("heading").inner_text()  # the test's next call: the loaded page is checked
    return guard


def test_a_clean_page_passes(browser, monkeypatch):
    guard = guarded(browser, monkeypatch, '<label for="a">Amount</label><input id="a">')
    guard.finish()
    assert guard.checked == ["http://guard.test/page"]


@pytest.mark.parametrize(
    ("body", "found"),
    [
        ('<p style="color: red">x</p>', "CSP violation: style-src-attr"),
        ("<style>p { color: red }</style>", "CSP violation: style-src-elem"),
        ('<script>document.title = "x"</script>', "CSP violation: script-src-elem"),
        ("<input>", "axe critical label"),
    ],
)
def test_a_csp_violation_or_a_serious_accessibility_finding_fails(browser, monkeypatch, body, found):
    guard = guarded(browser, monkeypatch, body)
    with pytest.raises(AssertionError, match=found):
        guard.finish()
