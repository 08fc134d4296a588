"""Geometry of the small trend charts, drawn as server-side SVG (no chart library, no CDN)."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 320, 140, 34, 22, 10


@dataclass(frozen=True)
class Mark:
    """One point or bar of a chart, with its label and value as text."""

    x: float
    y: float
    w: float
    h: float
    label: str
    text: str


@dataclass(frozen=True)
class Chart:
    """A chart's marks, polyline and axis ticks in SVG user units."""

    width: int
    height: int
    marks: list[Mark]
    polyline: str
    y_ticks: list[tuple[float, str]]
    baseline: float


def _scale(values: list[float], top: float | None) -> float:
    peak = max([*values, 0.0])
    return top if top is not None else (peak if peak > 0 else 1.0)


def chart(
    values: list[float],
    labels: list[str],
    texts: list[str],
    *,
    top: float | None = None,
    tick_format: str = "{:.0%}",
) -> Chart:
    """Lay out values on a WIDTH×HEIGHT canvas; the same marks serve a line or a bar chart."""
    n = max(len(values), 1)
    peak = _scale(values, top)
    inner_w, inner_h = WIDTH - PAD_LEFT - 6, HEIGHT - PAD_BOTTOM - PAD_TOP
    step = inner_w / n
    baseline = PAD_TOP + inner_h
    marks = []
    for i, (value, label, text) in enumerate(zip(values, labels, texts, strict=True)):
        h = inner_h * (value / peak) if peak else 0.0
        marks.append(Mark(PAD_LEFT + step * i + step / 2, baseline - h, step * 0.6, h, label, text))
    polyline = " ".join(f"{m.x:.1f},{m.y:.1f}" for m in marks)
    ticks = [(baseline - inner_h * f, tick_format.format(peak * f)) for f in (0.0, 0.5, 1.0)]
    return Chart(WIDTH, HEIGHT, marks, polyline, ticks, baseline)
