"""Small SVG charts drawn on the server: no script, nothing fetched, readable by screen readers.

Pure functions returning SVG markup; every text they are given is escaped. Each chart carries
`role="img"`, an `aria-label` and a `<title>`; the page shows the same numbers in a table, so the
chart is never the only way to read them. Series differ by dash pattern and marker shape as
well as by colour, so colour is never the only cue.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

# Colours with 4.5:1 or more on white.
SERIES_STYLES = (
    ("#0b5cad", "", "circle"),
    ("#1b5e20", "8 4", "square"),
    ("#9b1c1c", "2 4", "triangle"),
    ("#6b4e00", "12 4 2 4", "diamond"),
)
INK = "#1a1a1a"
RULE = "#8a8a8a"


def percent(value: float | None) -> str:
    """A share as a whole percentage; "–" when there is nothing to rate."""
    return "–" if value is None else f"{round(value * 100)}%"


def _open(width: int, height: int, title: str, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="100%" style="max-width: {width}px" role="img" aria-label="{escape(label)}" '
        'preserveAspectRatio="xMidYMid meet">'
        f"<title>{escape(title)}</title>"
    )


def bar_chart(
    *, title: str, bars: Sequence[tuple[str, float | None]], maximum: float = 1.0, width: int = 640, bar_height: int = 36
) -> str:
    """Horizontal bars (label, share between 0 and `maximum`), each labelled with its percentage."""
    font, gap, top = 18, 10, 10
    labels = [_cut(label, 24) for label, _value in bars]
    # Wide enough for the longest label (Chinese names run long), up to half the chart.
    label_width = min(max((_text_width(label, font) for label in labels), default=0) + 16, width * 0.5)
    plot = width - label_width - 70
    height = top * 2 + max(len(bars), 1) * (bar_height + gap)
    summary = "; ".join(f"{label}: {percent(value)}" for label, value in bars)
    parts = [_open(width, height, title, f"{title}. {summary}" if bars else title)]
    for index, (label, value) in enumerate(bars):
        y = top + index * (bar_height + gap)
        length = 0.0 if value is None or maximum <= 0 else max(0.0, min(value / maximum, 1.0)) * plot
        middle = y + bar_height / 2
        parts.append(
            f'<text x="{label_width - 8:.1f}" y="{middle:.1f}" text-anchor="end" dominant-baseline="middle" '
            f'fill="{INK}" font-size="{font}">{escape(_fit(labels[index], label_width - 16, font))}</text>'
            f'<rect x="{label_width:.1f}" y="{y}" width="{length:.1f}" height="{bar_height}" fill="{SERIES_STYLES[0][0]}"/>'
            f'<text x="{label_width + length + 8:.1f}" y="{middle:.1f}" dominant-baseline="middle" '
            f'fill="{INK}" font-size="18">{escape(percent(value))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    width: int = 720,
    height: int = 320,
) -> str:
    """Shares (0 to 1) over time, one line per series; a gap where a value is None."""
    left, right, top, bottom = 56, 40, 16, 76
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(labels) - 1, 1)
    parts = [_open(width, height, title, f"{title}: " + ", ".join(name for name, _ in series))]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        y = top + plot_h * (1 - tick)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{RULE}" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y:.1f}" text-anchor="end" dominant-baseline="middle" fill="{INK}" '
            f'font-size="14">{percent(tick)}</text>'
        )
    for index, label in enumerate(labels):
        x = left + index * step
        parts.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 20}" text-anchor="middle" fill="{INK}" font-size="14">'
            f"{escape(_cut(label, 8))}</text>"
        )
    for number, (name, values) in enumerate(series):
        colour, dash, marker = SERIES_STYLES[number % len(SERIES_STYLES)]
        points = [point for run in _runs(values, left, step, top, plot_h) for point in run]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        for run in _runs(values, left, step, top, plot_h):
            if len(run) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="3"{dash_attr}/>')
        parts.extend(_marker(marker, x, y, colour) for x, y in points)
        legend_x = left + number * (plot_w / max(len(series), 1))
        legend_y = height - 18
        parts.append(
            f'<line x1="{legend_x:.1f}" x2="{legend_x + 28:.1f}" y1="{legend_y}" y2="{legend_y}" stroke="{colour}" '
            f'stroke-width="3"{dash_attr}/>'
            + _marker(marker, legend_x + 14, legend_y, colour)
            + f'<text x="{legend_x + 34:.1f}" y="{legend_y}" dominant-baseline="middle" fill="{INK}" font-size="15">'
            f"{escape(_cut(name, 18))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _runs(
    values: Sequence[float | None], left: float, step: float, top: float, plot_h: float
) -> list[list[tuple[float, float]]]:
    """The unbroken stretches of a series: a month with nothing to rate breaks the line."""
    runs: list[list[tuple[float, float]]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            runs.append([])
        else:
            runs[-1].append((left + index * step, top + plot_h * (1 - max(0.0, min(value, 1.0)))))
    return [run for run in runs if run]


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    size = 5
    if shape == "square":
        return f'<rect x="{x - size:.1f}" y="{y - size:.1f}" width="{2 * size}" height="{2 * size}" fill="{colour}"/>'
    if shape == "triangle":
        points = f"{x:.1f},{y - size - 1:.1f} {x - size - 1:.1f},{y + size:.1f} {x + size + 1:.1f},{y + size:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    if shape == "diamond":
        points = f"{x:.1f},{y - size - 1:.1f} {x + size + 1:.1f},{y:.1f} {x:.1f},{y + size + 1:.1f} {x - size - 1:.1f},{y:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size}" fill="{colour}"/>'


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text_width(text: str, font_size: float) -> float:
    """About how wide a text is drawn: a Chinese character is one em, a Latin letter about 0.6."""
    return sum(font_size if ord(char) > 0x2E7F else font_size * 0.6 for char in text)


def _fit(text: str, width: float, font_size: float) -> str:
    """The text, shortened with "…" until it fits `width`."""
    while len(text) > 1 and _text_width(text, font_size) > width:
        text = text[:-2] + "…"
    return text
