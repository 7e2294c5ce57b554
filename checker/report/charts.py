"""The HTML report's charts: static SVG written here, in Python, as text.

Plain SVG, not a charting library: the report must be one file that opens offline from a
file share (no script, no font or image fetched), and a chart here is a few dozen shapes.
Vega-Lite would need its runtime (about 800 KB of script) or a renderer to SVG (node, or
vl-convert's 40 MB of binaries) for the same rectangles; matplotlib's SVG is several times
larger and embeds its own glyph outlines. These functions take plain numbers and labels and
return an `<svg>` element: deterministic (the same data gives the same bytes: coordinates
are rounded to 0.1 and nothing depends on time or order of hashing), with a `<title>` and a
`<desc>` (the text equivalent, beside the table the report prints under each chart), and
every label escaped (`esc`). Each mark carries `class="mark"` and a `data-key` with its
position, so a test can count one mark per indicator.

Colour is never the only signal: a rate at or above 100 % is a filled bar with "✓" beside
its value, one below is hatched; a gap beyond the rounding allowance is a cross, one
within it a circle.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from checker.report.safe import shown
from checker.values import format_decimal

# a label longer than this is cut in the chart (the table under it holds it whole)
MAX_LABEL = 26


def esc(text: object) -> str:
    """A user string as HTML or SVG text: shown (control and bidi characters escaped, see
    `checker.report.safe.shown`), then its markup characters as entities."""
    return html.escape(shown(text), quote=True)


def _n(value: float) -> str:
    """A coordinate: one decimal, no trailing zero, never `-0`."""
    text = f"{round(value, 1):.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _cut(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[:MAX_LABEL - 1] + "…"


def _svg(width: float, height: float, title: str, desc: str, body: list[str], ident: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {_n(width)} {_n(height)}" '
            f'width="{_n(width)}" height="{_n(height)}" aria-labelledby="{ident}-t {ident}-d">'
            f'<title id="{ident}-t">{esc(title)}</title><desc id="{ident}-d">{esc(desc)}</desc>'
            + "".join(body) + "</svg>")


@dataclass(frozen=True)
class RateBar:
    """One indicator's stated rate (None: no rate stated for the year)."""

    label: str
    rate: Decimal | None
    text: str  # the rate as shown beside the bar (the stated text, or why there is none)
    note: str = ""  # after it (the band the document printed: [A])


@dataclass(frozen=True)
class BandZone:
    """A band of the plan's 評価区分: rates from `low` (included) up to `high`."""

    mark: str
    low: Decimal | None
    high: Decimal | None


def rate_chart(bars: Sequence[RateBar], title: str, desc: str, ident: str, bands: Sequence[BandZone] = (),
               no_rate: str = "—") -> str:
    """Horizontal bars, one per indicator, against a line at 100 % (and the plan's bands
    as shaded zones with their marks). Rates above the scale are drawn to its end with an
    arrow; the scale is 0–150 %, or up to the next 50 % above the largest rate (at most 300 %)."""
    left, right, top, row = 320.0, 110.0, 26.0, 20.0
    plot = 360.0
    stated = [bar.rate for bar in bars if bar.rate is not None]
    largest = max([Decimal(150), *stated])
    scale_max = min(Decimal(300), ((largest + 49) // 50) * 50)
    height = top + row * len(bars) + 22

    def x(rate: Decimal) -> float:
        return left + plot * float(max(Decimal(0), min(rate, scale_max)) / scale_max)

    body: list[str] = []
    for position, band in enumerate(bands):
        low = band.low if band.low is not None else Decimal(0)
        high = band.high if band.high is not None else scale_max
        if low >= scale_max or high <= 0:
            continue
        shade = "band-a" if position % 2 == 0 else "band-b"
        body.append(f'<rect class="band {shade}" x="{_n(x(low))}" y="{_n(top - 4)}" width="{_n(x(high) - x(low))}" '
                    f'height="{_n(row * len(bars) + 4)}"/>')
        body.append(f'<text class="band-mark" x="{_n((x(low) + x(high)) / 2)}" y="{_n(top - 8)}" '
                    f'text-anchor="middle">{esc(band.mark)}</text>')
    for tick in range(0, int(scale_max) + 1, 50):
        body.append(f'<line class="tick" x1="{_n(x(Decimal(tick)))}" x2="{_n(x(Decimal(tick)))}" y1="{_n(top - 4)}" '
                    f'y2="{_n(top + row * len(bars))}"/>')
        body.append(f'<text class="axis" x="{_n(x(Decimal(tick)))}" y="{_n(height - 6)}" '
                    f'text-anchor="middle">{tick}%</text>')
    for index, bar in enumerate(bars):
        y = top + row * index
        body.append(f'<text class="label" x="{_n(left - 6)}" y="{_n(y + 14)}" text-anchor="end">'
                    f'<title>{esc(bar.label)}</title>{esc(_cut(bar.label))}</text>')
        if bar.rate is None:
            body.append(f'<g class="mark none" data-key="{index}"><text class="value" x="{_n(left + 4)}" '
                        f'y="{_n(y + 14)}">{esc(no_rate)}{esc(" " + bar.note) if bar.note else ""}</text></g>')
            continue
        reached = bar.rate >= 100
        end = x(bar.rate)
        arrow = (f'<path class="over" d="M{_n(end)} {_n(y + 3)} l7 7 l-7 7z"/>' if bar.rate > scale_max else "")
        body.append(f'<g class="mark {"reached" if reached else "short"}" data-key="{index}">'
                    f'<rect x="{_n(left)}" y="{_n(y + 3)}" width="{_n(max(end - left, 1))}" height="{_n(row - 6)}"/>'
                    f'{arrow}<text class="value" x="{_n(end + 10)}" y="{_n(y + 14)}">'
                    f'{esc(bar.text)}{" ✓" if reached else ""}{esc(" " + bar.note) if bar.note else ""}</text></g>')
    body.append(f'<line class="hundred" x1="{_n(x(Decimal(100)))}" x2="{_n(x(Decimal(100)))}" y1="{_n(top - 4)}" '
                f'y2="{_n(top + row * len(bars))}"/>')
    return _svg(left + plot + right, height, title, desc, body, ident)


@dataclass(frozen=True)
class Gap:
    """A stated total against the sum of its items: the difference, the allowance rounding
    explains (None: no allowance, or the relation was not checked), and what to write."""

    label: str
    difference: Decimal | None  # None: not compared (not checked)
    allowance: Decimal | None
    text: str


def gap_chart(gaps: Sequence[Gap], title: str, desc: str, ident: str) -> str:
    """One row per total: the gap (stated − sum of the items) on an axis measured in
    rounding allowances, the allowance shaded; a gap within it is a circle, one beyond it a
    cross, a gap beyond 2.7 allowances drawn at the edge with an arrow."""
    left, plot, right, top, row = 320.0, 240.0, 250.0, 24.0, 20.0
    centre = left + plot / 2
    unit = plot / 6  # one allowance
    height = top + row * len(gaps) + 22
    body = [(f'<rect class="allowance" x="{_n(centre - unit)}" y="{_n(top - 4)}" width="{_n(2 * unit)}" '
            f'height="{_n(row * len(gaps) + 4)}"/>'),
            f'<line class="zero" x1="{_n(centre)}" x2="{_n(centre)}" y1="{_n(top - 4)}" y2="{_n(top + row * len(gaps))}"/>']
    for index, gap in enumerate(gaps):
        y = top + row * index + row / 2
        body.append(f'<text class="label" x="{_n(left - 6)}" y="{_n(y + 4)}" text-anchor="end">'
                    f'<title>{esc(gap.label)}</title>{esc(_cut(gap.label))}</text>')
        value = f'<text class="value" x="{_n(left + plot + 8)}" y="{_n(y + 4)}">{esc(gap.text)}</text>'
        if gap.difference is None:
            body.append(f'<g class="mark unchecked" data-key="{index}"><path d="M{_n(centre - 5)} {_n(y)} h10"/>'
                        f'{value}</g>')
            continue
        if gap.difference == 0:
            where = 0.0
        elif not gap.allowance:
            where = 2.7 if gap.difference > 0 else -2.7
        else:
            where = max(-2.7, min(2.7, float(gap.difference / gap.allowance)))
        cx = centre + unit * where
        beyond = gap.difference != 0 and (not gap.allowance or abs(gap.difference) > gap.allowance)
        shape = (f'<path d="M{_n(cx - 5)} {_n(y - 5)} l10 10 m0 -10 l-10 10"/>' if beyond
                 else f'<circle cx="{_n(cx)}" cy="{_n(y)}" r="5"/>')
        if abs(where) >= 2.7:
            shape += (f'<path class="over" d="M{_n(cx + 8)} {_n(y - 5)} l6 5 l-6 5z"/>' if where > 0
                      else f'<path class="over" d="M{_n(cx - 8)} {_n(y - 5)} l-6 5 l6 5z"/>')
        body.append(f'<g class="mark {"beyond" if beyond else "within"}" data-key="{index}">{shape}{value}</g>')
    for tick, text in ((-1, "−1×"), (0, "0"), (1, "+1×")):
        body.append(f'<text class="axis" x="{_n(centre + unit * tick)}" y="{_n(height - 6)}" '
                    f'text-anchor="middle">{text}</text>')
    return _svg(left + plot + right, height, title, desc, body, ident)


@dataclass(frozen=True)
class Point:
    year: int
    value: Decimal


def series_chart(label: str, years: Sequence[int], targets: Sequence[Point], actuals: Sequence[Point],
                 baseline: Point | None, title: str, desc: str, ident: str, year_label=str) -> str:
    """One indicator over the years: its targets (dashed line, hollow squares), its actuals
    (solid line, filled circles) and its baseline (a diamond); the value axis from 0 (or
    the least value, when below 0) to the greatest."""
    width, height, left, right, top, bottom = 300.0, 150.0, 52.0, 10.0, 12.0, 34.0
    values = [point.value for point in (*targets, *actuals, *([baseline] if baseline else []))]
    low = min([Decimal(0), *values])
    high = max([*values, low + 1])
    span = high - low if high != low else Decimal(1)
    step = (width - left - right) / max(1, len(years) - 1)
    place = {year: left + step * index if len(years) > 1 else left + (width - left - right) / 2
             for index, year in enumerate(years)}

    def y(value: Decimal) -> float:
        return top + (height - top - bottom) * (1 - float((value - low) / span))

    body = [f'<line class="axis-line" x1="{_n(left)}" x2="{_n(width - right)}" y1="{_n(y(low))}" y2="{_n(y(low))}"/>',
            f'<text class="axis" x="{_n(left - 4)}" y="{_n(y(high) + 4)}" text-anchor="end">{esc(format_decimal(high))}</text>',
            f'<text class="axis" x="{_n(left - 4)}" y="{_n(y(low) + 4)}" text-anchor="end">{esc(format_decimal(low))}</text>']
    for index, year in enumerate(years):
        if len(years) <= 4 or index % 2 == 0 or index == len(years) - 1:
            body.append(f'<text class="axis" x="{_n(place[year])}" y="{_n(height - bottom + 14)}" '
                        f'text-anchor="middle">{esc(year_label(year))}</text>')
    if len(targets) > 1:
        body.append('<polyline class="target-line" points="'
                    + " ".join(f"{_n(place[p.year])},{_n(y(p.value))}" for p in targets) + '"/>')
    if len(actuals) > 1:
        body.append('<polyline class="actual-line" points="'
                    + " ".join(f"{_n(place[p.year])},{_n(y(p.value))}" for p in actuals) + '"/>')
    for point in targets:
        body.append(f'<rect class="target" x="{_n(place[point.year] - 3.5)}" y="{_n(y(point.value) - 3.5)}" '
                    f'width="7" height="7"/>')
    for point in actuals:
        body.append(f'<circle class="actual" cx="{_n(place[point.year])}" cy="{_n(y(point.value))}" r="3.5"/>')
    if baseline is not None and baseline.year in place:
        cx, cy = place[baseline.year], y(baseline.value)
        body.append(f'<path class="baseline" d="M{_n(cx)} {_n(cy - 5)} l5 5 l-5 5 l-5 -5z"/>')
    return _svg(width, height, title, desc, [f'<g class="mark series" data-key="{esc(ident)}">', *body, "</g>"], ident)
