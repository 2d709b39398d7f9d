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
