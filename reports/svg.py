"""Server-side SVG for the same chart data Chart.js draws (reports/dashboards/tables.chart_data):
grouped bars and lines, a value axis on the left, a percent axis on the right, x labels, a
legend. Plain SVG with presentation attributes (no style attribute: the CSP forbids them), so
it prints, works without JavaScript, and WeasyPrint can put it in a PDF."""

from decimal import Decimal
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#0d6efd", "#198754", "#dc3545", "#fd7e14", "#6f42c1", "#20c997", "#6c757d", "#d63384")
WIDTH, HEIGHT = 760, 340
LEFT, RIGHT, TOP, BOTTOM = 70, 50, 16, 90


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10.0 * magnitude


def _fmt(value: float) -> str:
    return f"{Decimal(str(value)).normalize():,f}" if value % 1 else f"{int(value):,}"


def chart_svg(data: dict[str, Any], *, title: str) -> SafeString:
    labels: list[str] = data["labels"]
    sets: list[dict[str, Any]] = data["datasets"]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(len(labels), 1)
    value_sets = [d for d in sets if d["axis"] == "value"]
    vmax = _nice_max(max((v or 0 for d in value_sets for v in d["data"]), default=0))
    pmax = _nice_max(max((v or 0 for d in sets if d["axis"] == "percent" for v in d["data"]), default=0))

    def y(value: float, axis: str) -> float:
        top = pmax if axis == "percent" else vmax
        return TOP + plot_h - (max(value, 0) / top) * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" class="report-chart-svg" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    for i in range(5):  # grid and value axis ticks
        value = vmax * i / 4
        yy = y(value, "value")
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#dee2e6"/>')
        out.append(f'<text x="{LEFT - 6}" y="{yy + 4:.1f}" text-anchor="end">{_fmt(value)}</text>')
        if any(d["axis"] == "percent" for d in sets):
            out.append(f'<text x="{WIDTH - RIGHT + 6}" y="{yy + 4:.1f}">{_fmt(pmax * i / 4)}%</text>')
    out.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}" stroke="#495057"/>')
    out.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" stroke="#495057"/>'
    )
    slot = plot_w / n
    bars = [d for d in sets if d["type"] == "bar"]
    bar_w = slot * 0.8 / max(len(bars), 1)
    every = max(1, n // 12)  # at most about twelve x labels
    for i, label in enumerate(labels):
        if i % every == 0:
            x = LEFT + slot * (i + 0.5)
            out.append(
                f'<text x="{x:.1f}" y="{TOP + plot_h + 14}" text-anchor="end" '
                f'transform="rotate(-40 {x:.1f} {TOP + plot_h + 14})">{escape(label)}</text>'
            )
    for k, d in enumerate(sets):
        color = PALETTE[k % len(PALETTE)]
        if d["type"] == "bar":
            b = bars.index(d)
            for i, v in enumerate(d["data"]):
                if not v:
                    continue
                x = LEFT + slot * i + slot * 0.1 + b * bar_w
                yy = y(v, d["axis"])
                out.append(
                    f'<rect x="{x:.1f}" y="{yy:.1f}" width="{bar_w:.1f}" height="{TOP + plot_h - yy:.1f}" '
                    f'fill="{color}"><title>{escape(d["label"])} {escape(labels[i])}: '
                    f"{_fmt(v)}</title></rect>"
                )
        else:
            points = [
                f"{LEFT + slot * (i + 0.5):.1f},{y(v, d['axis']):.1f}"
                for i, v in enumerate(d["data"])
                if v is not None
            ]
            if points:
                out.append(
                    f'<polyline points="{" ".join(points)}" fill="none" stroke="{color}" stroke-width="2"/>'
                )
    lx, ly = LEFT, HEIGHT - 12
    for k, d in enumerate(sets):  # legend, left to right
        color = PALETTE[k % len(PALETTE)]
        out.append(f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{color}"/>')
        out.append(f'<text x="{lx + 14}" y="{ly}">{escape(d["label"])}</text>')
        lx += 24 + 6 * len(d["label"])
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 (every text above is escaped)
