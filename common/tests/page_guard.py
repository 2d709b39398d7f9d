"""Every page a browser test visits is checked: axe-core (from npm) finds no serious or critical
accessibility violation, and the console shows no error (a Content-Security-Policy violation is
one) and the page throws nothing. Used by the `page` fixture in conftest.py, so each browser test
gets it without asking.

Each document a page shows is checked once it has loaded, just before the test's next call to
Playwright (every sync call goes through SyncBase._sync, which the fixture wraps), and at the end
of the test for the pages still open. Checking from inside Playwright's event or route handlers
is not possible: a call made there while a navigation is pending never returns. axe is injected
through Playwright's evaluate (the DevTools protocol), which the page's CSP does not govern;
bypass_csp stays off, so the app's own violations still reach the console.
"""

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import greenlet
from playwright._impl._sync_base import SyncBase
from playwright.sync_api import BrowserContext, ConsoleMessage, Error, Page

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# WCAG 2.0/2.1 A and AA plus axe's best practices, reported from "serious" up. Fewer rules would
# be faster, but these are the ones a screen-reader or keyboard user trips on.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = ("serious", "critical")

_RUN_AXE = """async ([tags, blocking]) => {
  // preload: false, or axe re-parses @import-ed sheets through <style> elements the CSP refuses
  // (only css-orientation-lock needs them, an experimental rule axe does not run by default)
  const options = {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"], preload: false};
  const result = await axe.run(document, options);
  return result.violations
    .filter((v) => blocking.includes(v.impact))
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.filter((n) => blocking.includes(n.impact)).map((n) => n.target.join(" ")),
      why: ((v.nodes[0].any[0] || v.nodes[0].all[0] || v.nodes[0].none[0] || {}).message || "").slice(0, 200),
    }));
}"""


_CSP_LISTENER = """document.addEventListener("securitypolicyviolation", (e) => {
  window.__pageGuardCsp({
    documentURI: e.documentURI, directive: e.violatedDirective, blockedURI: e.blockedURI,
    sourceFile: e.sourceFile, lineNumber: e.lineNumber, sample: e.sample,
  });
});"""


class PageGuard:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.checked: list[str] = []
        self._pages: list[Page] = []
        self._last_url: dict[int, str] = {}
        self._unchecked: set[int] = set()  # ids of pages whose current document axe has not seen
        self._busy = False
        self._axe_source: str | None = None
        self.skipped: list[str] = []  # documents left before the test made any call on them

    def sync_hook(self, original: Callable[..., Any]) -> Callable[..., Any]:
        """SyncBase._sync, checking the loaded documents first (only for the test's own calls)."""
        guard = self

        def _sync(wrapper: SyncBase, awaitable: Any) -> Any:
            if not guard._busy and greenlet.getcurrent().parent is None:
                guard._busy = True
                try:
                    for page in guard._pages:
                        guard.check(page)
                finally:
                    guard._busy = False
            return original(wrapper, awaitable)

        return _sync

    def watch_context(self, context: BrowserContext) -> None:
        context.on("page", self.watch)
        # Chromium writes CSP violations to its log, which Playwright's console event does not
        # carry; the page's own securitypolicyviolation event reports each one.
        context.expose_binding("__pageGuardCsp", self._on_csp)
        context.add_init_script(_CSP_LISTENER)

    def _on_csp(self, source: dict[str, Any], v: dict[str, Any]) -> None:
        where = f"{v['sourceFile'] or v['documentURI']}:{v['lineNumber']}"
        what = f"{v['blockedURI'] or 'inline'}" + (f" {v['sample']!r}" if v["sample"] else "")
        self.problems.append(f"{v['documentURI']}: CSP violation: {v['directive']} blocked {what} at {where}")

    def watch(self, page: Page) -> None:
        if any(p is page for p in self._pages):
            return
        self._pages.append(page)
        page.on("console", lambda message: self._on_console(page, message))
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: page error: {error}"))
        page.on("framenavigated", lambda frame: self._on_navigated(page, frame))

    def _on_console(self, page: Page, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url") or page.url
            if where == page.url and message.text.startswith("Failed to load resource"):
                return  # the page's own status (a 429 lockout, a 400 form): what the test asserts
            self.problems.append(f"{page.url}: console error: {message.text} (at {where})")

    def _on_navigated(self, page: Page, frame: object) -> None:
        if frame != page.main_frame:
            return
        if id(page) in self._unchecked:
            self.skipped.append(self._last_url.get(id(page), "?"))
        if page.url.startswith("http"):
            self._unchecked.add(id(page))
            self._last_url[id(page)] = page.url

    def check(self, page: Page) -> None:
        """axe on the document the page shows now, once per document."""
        key = id(page)
        if key not in self._unchecked or page.is_closed():
            return
        self._unchecked.discard(key)
        url = page.url
        try:
            page.wait_for_load_state("load", timeout=15_000)
            if not page.evaluate("() => typeof window.axe === 'object'"):
                if self._axe_source is None:
                    self._axe_source = AXE_JS.read_text()
                # a function body, so Playwright does not have to guess whether the source is one
                page.evaluate(f"() => {{ {self._axe_source}\n}}")
            violations = page.evaluate(_RUN_AXE, [AXE_TAGS, list(BLOCKING)])
        except Error as error:
            self.problems.append(f"{url}: axe could not run: {error.message.splitlines()[0]}")
            return
        self.checked.append(url)
        for v in violations:
            where = ", ".join(v["targets"])
            self.problems.append(
                f"{url}: axe {v['impact']} {v['id']} ({v['help']}): {where} [first: {v['why']}]"
            )

    def finish(self) -> None:
        self._busy = True
        for page in self._pages:
            self.check(page)
        if log := os.environ.get("PAGE_GUARD_LOG"):
            with open(log, "a") as f:
                f.writelines(f"checked {url}\n" for url in self.checked)
                f.writelines(f"skipped {url}\n" for url in self.skipped)
        if self.problems:
            listing = "\n".join(f"- {p}" for p in dict.fromkeys(self.problems))
            raise AssertionError(f"{len(self.problems)} accessibility/console problem(s):\n{listing}")
