// Draws the quality trend from the page's json_script block (no inline script under the CSP).
(function () {
  "use strict";
  document.querySelectorAll("canvas[data-chart-source]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chartSource);
    if (!source || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: [{ label: "Score (%)", data: data.scores, spanGaps: true }] },
      options: { animation: false, scales: { y: { min: 0, max: 100 } } }
    });
  });
})();
