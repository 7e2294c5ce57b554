"""Every number in plans/ is printed in its seed: an independent second pass that
re-reads each section's lines of the seed text and finds each encoded number there."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest

from checker.loader import load_file
from checker.values import Bound, Number
from tests.conftest import ROOT, real_plan_files

SEEDS = ROOT.parent / "shared" / "seeds"


def _seed_lines(seed: Path, ranges: list[tuple[int, int]]) -> str:
    lines = seed.read_text(encoding="utf-8").splitlines()
    picked = [line for first, last in ranges for line in lines[first - 1:last]]
    return unicodedata.normalize("NFKC", "\n".join(picked))


def _sections(plan) -> list:
    """Every part of a plan that names its own seed lines."""
    found = [*plan.themes, *plan.policies, *plan.tables]
    for goal in plan.goals:
        found += [goal, *goal.areas]
    return found


def _direction_numbers(direction) -> list[tuple[str, Decimal]]:
    return [(count.name, abs(count.value.value)) for count in direction.counts if isinstance(count.value, Number)]


def _ungrouped(text: str) -> str:
    return re.sub(r"(?<=\d),(?=\d{3})", "", text)  # 1,234 -> 1234


def _printed_grouped(value: Decimal, raw: str) -> bool:
    """An amount glued to the code after it ("維持5,7930705122") still shows its grouped
    form "5,793", starting at a digit boundary and ending where a group cannot go on."""
    if value < 1000 or value != value.to_integral_value():
        return False
    grouped = f"{int(value):,}"
    return re.search(rf"(?<![\d,]){re.escape(grouped)}(?!,\d)", raw) is not None


def _seed_numbers(text: str) -> set[Decimal]:
    return {Decimal(match) for match in re.findall(r"\d+(?:\.\d+)?", text)}


def _numbers(section) -> list[tuple[str, Decimal | str]]:
    """(where, value) for every number the section states."""
    found: list[tuple[str, Decimal | str]] = []  # codes stay text: "030309"

    def add(where: str, cell) -> None:
        number = cell.number if isinstance(cell, Bound) else cell
        if isinstance(number, Number):
            found.append((where, abs(number.value)))

    for indicator in section.indicators:
        if indicator.baseline is not None:
            add(f"{indicator.name} baseline", indicator.baseline.value)
        for row in ("targets", "actuals", "rates"):
            for year, cell in getattr(indicator, row).items():
                add(f"{indicator.name} {row} {year}", cell)
    for row in getattr(section, "rows", []):  # statistics tables
        for column, cell in row.values.items():
            add(f"{row.name} {column}", cell)
    projects = getattr(section, "projects", None)
    if projects is not None:
        for item in projects.items:
            if hasattr(item, "cost"):
                add(f"{item.name} cost", item.cost)
                if item.code is not None:
                    found.append((f"{item.name} code", item.code))
            else:
                for year, cell in item.costs.items():
                    add(f"{item.name} cost {year}", cell)
        if getattr(projects, "total", None) is not None:
            add("total", projects.total)
        for outlook, count in (getattr(projects, "outlook_counts", None) or {}).items():
            found.append((f"outlook {outlook}", Decimal(count)))
    for figure in section.figures:  # a figure printed outside the grid, or a cell printed again
        if figure.value is not None:
            add(f"figure {figure.quote}", figure.value)
    return found


PLAN_FILES = real_plan_files()


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed documents (../shared/seeds) are not beside this checkout")
@pytest.mark.parametrize("path", PLAN_FILES, ids=lambda path: path.name)
def test_every_figure_quotes_its_section_of_the_seed(path):
    loaded = load_file(path)
    assert loaded.model is not None, loaded.findings
    seed = SEEDS / loaded.model.plan.source.seed
    for part in _sections(loaded.model) + [loaded.model]:
        if not part.figures:
            continue
        ranges = part.source.line_ranges() if part is not loaded.model else [(1, 10**6)]
        text = _squeezed(_seed_lines(seed, ranges))
        unquoted = [figure.quote for figure in part.figures if not figure.quote or _squeezed(figure.quote) not in text]
        assert unquoted == [], f"{path.name}: quotes not in seed lines {ranges}"
        # the items a count lists ({items: [...]}) are printed there too
        listed = [item for figure in part.figures for ref in _value_refs(figure) for item in ref.items or []]
        unprinted = [item for item in listed if _squeezed(item) not in text]
        assert unprinted == [], f"{path.name}: listed items not in seed lines {ranges}"


def _value_refs(figure) -> list:
    """The references of a figure that name one value each (equals, sum, product)."""
    return [ref for ref in [figure.equals, *(figure.sum or []), *(figure.product or [])] if ref is not None]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed documents (../shared/seeds) are not beside this checkout")
@pytest.mark.parametrize("path", PLAN_FILES, ids=lambda path: path.name)
def test_every_number_is_printed_in_its_seed_section(path):
    loaded = load_file(path)
    assert loaded.model is not None, loaded.findings
    seed = SEEDS / loaded.model.plan.source.seed
    sections = _sections(loaded.model)
    directions = [direction for goal in loaded.model.goals for direction in goal.directions]
    assert sections
    for part in sections + directions:
        assert part.source is not None and part.source.lines is not None, part.title
        raw = _seed_lines(seed, part.source.line_ranges())
        text = _ungrouped(raw)
        printed = _seed_numbers(text)
        numbers = _direction_numbers(part) if part in directions else _numbers(part)
        # The extraction sometimes glues a code to the row number beside it ("0705122"), so a
        # code is looked for inside the digit runs; every other number must stand alone, or
        # show its grouped form ("5,793") at a digit boundary.
        missing = [
            (where, value) for where, value in numbers
            if (value not in text if isinstance(value, str)
                else value not in printed and not _printed_grouped(value, raw))
        ]
        assert missing == [], f"{path.name} {part.title}: not in seed lines {part.source.lines}"
