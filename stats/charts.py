"""Charts as SVG drawn on the server: no script, no outside asset, no inline
style (colours come from classes in static/stats/css/stats.css). Each chart
has a <title> and <desc> and prints its numbers as text, so it reads without
the picture."""

from __future__ import annotations

import itertools
from xml.sax.saxutils import escape

from django.utils.safestring import mark_safe

_ids = itertools.count(1)


def _head(width: int, height: int, title: str, desc: str, testid: str) -> tuple[str, str]:
    n = next(_ids)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="stats-chart" viewBox="0 0 {width} {height}" '
            f'width="100%" role="img" aria-labelledby="chart-t{n} chart-d{n}" data-testid="{testid}">'
            f'<title id="chart-t{n}">{escape(title)}</title><desc id="chart-d{n}">{escape(desc)}</desc>'), "</svg>"


def _legend(series: list[tuple[str, str]], x: int, y: int) -> str:
    parts = []
    for i, (label, css) in enumerate(series):
        parts.append(f'<rect x="{x + i * 170}" y="{y - 10}" width="12" height="12" class="{css}"/>'
                     f'<text x="{x + i * 170 + 18}" y="{y}" class="stats-legend">{escape(label)}</text>')
    return "".join(parts)


def bar_chart(rows: list[dict], *, measures: list[tuple[str, str]], title: str, desc: str,
              testid: str = "chart-bars") -> str:
    """Horizontal grouped bars, one group per row; ``measures`` are (key, label)."""
    css = ["stats-bar-a", "stats-bar-b", "stats-bar-c"]
    label_w, bar_area, bar_h, gap = 200, 380, 11, 10
    group_h = bar_h * len(measures) + gap
    width = label_w + bar_area + 70
    height = 40 + max(1, len(rows)) * group_h + 10
    top = max([r[m] for r in rows for m, _label in measures] + [1])
    start, end = _head(width, height, title, desc, testid)
    parts = [start, _legend([(label, css[i]) for i, (_m, label) in enumerate(measures)], label_w, 18)]
    for i, row in enumerate(rows):
        y = 34 + i * group_h
        parts.append(f'<text x="{label_w - 8}" y="{y + bar_h * len(measures) / 2 + 4:.0f}" text-anchor="end" '
                     f'class="stats-label">{escape(str(row["label"]))}</text>')
        for j, (measure, _label) in enumerate(measures):
            value = row[measure]
            w = round(bar_area * value / top, 1)
            by = y + j * bar_h
            parts.append(f'<rect x="{label_w}" y="{by}" width="{w}" height="{bar_h - 2}" class="{css[j]}">'
                         f'<title>{escape(str(row["label"]))}: {value}</title></rect>'
                         f'<text x="{label_w + w + 4}" y="{by + bar_h - 3}" class="stats-value">{value}</text>')
    if not rows:
        parts.append(f'<text x="{label_w}" y="50" class="stats-label">—</text>')
    parts.append(f'<line x1="{label_w}" y1="26" x2="{label_w}" y2="{height - 6}" class="stats-axis"/>')
    parts.append(end)
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


def column_chart(rows: list[dict], *, measures: list[tuple[str, str]], title: str, desc: str,
                 testid: str = "chart-years") -> str:
    """Vertical grouped columns, one group per row (years, oldest first)."""
    css = ["stats-bar-a", "stats-bar-b", "stats-bar-c"]
    left, plot_h, col_w, gap = 50, 200, 18, 26
    group_w = col_w * len(measures) + gap
    width = max(360, left + max(1, len(rows)) * group_w + 20)
    height = plot_h + 80
    base = 40 + plot_h
    top = max([r[m] for r in rows for m, _label in measures] + [1])
    start, end = _head(width, height, title, desc, testid)
    parts = [start, _legend([(label, css[i]) for i, (_m, label) in enumerate(measures)], left, 18)]
    for tick in (0, 0.5, 1):
        y = base - plot_h * tick
        parts.append(f'<line x1="{left}" y1="{y:.0f}" x2="{width - 10}" y2="{y:.0f}" class="stats-grid"/>'
                     f'<text x="{left - 6}" y="{y + 4:.0f}" text-anchor="end" class="stats-value">'
                     f'{round(top * tick)}</text>')
    for i, row in enumerate(rows):
        x = left + 10 + i * group_w
        for j, (measure, _label) in enumerate(measures):
            value = row[measure]
            h = round(plot_h * value / top, 1)
            parts.append(f'<rect x="{x + j * col_w}" y="{base - h}" width="{col_w - 2}" height="{h}" class="{css[j]}">'
                         f'<title>{escape(str(row["label"]))}: {value}</title></rect>'
                         f'<text x="{x + j * col_w + (col_w - 2) / 2:.0f}" y="{base - h - 4}" text-anchor="middle" '
                         f'class="stats-value">{value}</text>')
        parts.append(f'<text x="{x + (col_w * len(measures)) / 2:.0f}" y="{base + 18}" text-anchor="middle" '
                     f'class="stats-label">{escape(str(row["label"]))}</text>')
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - 10}" y2="{base}" class="stats-axis"/>')
    parts.append(end)
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
