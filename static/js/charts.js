// Draws each <canvas data-chart="ID"> from the JSON in <script id="ID" type="application/json">
// (Django's json_script): no inline script under the Content-Security-Policy. Sets
// data-chart-drawn="true" once Chart.js has drawn, so a test (or a person) can tell it ran.
(function () {
  if (typeof Chart === "undefined") return;
  const palette = ["#0d6efd", "#198754", "#dc3545", "#fd7e14", "#6f42c1", "#20c997", "#6c757d", "#d63384"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    const data = JSON.parse(source.textContent);
    const hasPercent = data.datasets.some(function (d) { return d.axis === "percent"; });
    const chart = new Chart(canvas, {
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (d, i) {
          return {
            type: d.type, label: d.label, data: d.data, yAxisID: d.axis === "percent" ? "percent" : "value",
            backgroundColor: palette[i % palette.length], borderColor: palette[i % palette.length],
            order: d.type === "line" ? 0 : 1,
          };
        }),
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          value: { type: "linear", position: "left", beginAtZero: true },
          percent: { type: "linear", position: "right", beginAtZero: true, display: hasPercent,
                     grid: { drawOnChartArea: false }, ticks: { callback: function (v) { return v + "%"; } } },
        },
      },
    });
    canvas.dataset.chartDrawn = chart.width > 0 ? "true" : "false";
  });
})();
