// Warn before the idle session ends, then send the user to sign in again: a counselor mid-call
// should not lose a half-typed note to a silent expiry.
(function () {
  const seconds = parseInt(document.body.dataset.sessionSeconds || "", 10);
  if (!seconds) return;
  const warnAt = Math.max(seconds - 120, 1) * 1000;
  setTimeout(function () {
    const box = document.createElement("div");
    box.className = "alert alert-warning session-warning";
    box.setAttribute("role", "alert");
    box.textContent = "Your session ends in 2 minutes without activity. Reload or continue working to stay signed in.";
    document.body.appendChild(box);
  }, warnAt);
  setTimeout(function () { window.location.reload(); }, seconds * 1000 + 1000);
})();

// Aging bar segments are sized from their amounts here, not by inline styles (CSP forbids them).
function sizeAgingBars(root) {
  root.querySelectorAll(".aging-bar").forEach(function (bar) {
    const parts = Array.from(bar.children);
    const total = parts.reduce(function (s, el) { return s + parseFloat(el.dataset.amount || "0"); }, 0);
    parts.forEach(function (el) { el.style.width = (100 * parseFloat(el.dataset.amount) / total) + "%"; });
  });
}
sizeAgingBars(document);
document.body.addEventListener("htmx:afterSwap", function (e) { sizeAgingBars(e.target); });

// A header checkbox selects every row checkbox of the same name in its form (the order board:
// dispatching tonight's 200 orders must not take 200 clicks); it shows "mixed" when only some are.
document.querySelectorAll("input[data-select-all]").forEach(function (all) {
  const boxes = function () {
    return Array.from(all.form.querySelectorAll('input[type=checkbox][name="' + all.dataset.selectAll + '"]'));
  };
  all.addEventListener("change", function () {
    boxes().forEach(function (box) { box.checked = all.checked; });
  });
  all.form.addEventListener("change", function (e) {
    if (e.target === all) return;
    const checked = boxes().filter(function (box) { return box.checked; }).length;
    all.checked = checked > 0 && checked === boxes().length;
    all.indeterminate = checked > 0 && checked < boxes().length;
  });
});

// htmx puts the focus back on the field that had it before a swap, over the swapped content's
// own autofocus; an element marked data-focus-after-swap (the counter's Post button once the
// distribution is shown) takes it, so the keyboard user's next Enter does the next step.
document.body.addEventListener("htmx:afterSwap", function (e) {
  const next = e.target.querySelector("[data-focus-after-swap]");
  if (next) next.focus();
});

// Shortcuts written on buttons ("Post payment (Alt+P)") are declared with aria-keyshortcuts, so
// screen readers announce them, and run here: accesskey's modifiers differ between browsers
// (Alt, Alt+Shift, Ctrl+Option) and a visible label must say one thing.
document.addEventListener("keydown", function (e) {
  if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || !e.code.startsWith("Key")) return;
  const shortcut = "Alt+" + e.code.slice(3);
  const target = Array.from(document.querySelectorAll("[aria-keyshortcuts]")).find(function (el) {
    return el.getAttribute("aria-keyshortcuts").split(" ").includes(shortcut) && !el.disabled && el.getClientRects().length > 0;
  });
  if (!target) return;
  e.preventDefault();
  target.focus();
  target.click();
});
