"""Rows that restate other rows within one document: (内数) components and their parent,
(累計) cumulative series, (再掲) restated indicators and 【再掲】 restated projects.

Links are by stable key within one plan (all files sharing `plan.id`), so a document
split over several files is checked as one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from checker.diagnostics import Finding, Location, ModelPath, Related, Text, Year
from checker.functions import Target, check_function, plan_set_indicators
from checker.functions.sums import compare_sum
from checker.values import Number, normalise_unit


@dataclass(frozen=True)
class Placed:
    """An indicator with the file and path it was found at."""

    file: str
    path: ModelPath
    indicator: Any
    plan: Any


def indicators_by_plan(files: list[Any]) -> dict[str, list[Placed]]:
    by_plan: dict[str, list[Placed]] = defaultdict(list)
    for loaded, path, indicator in plan_set_indicators(files):
        by_plan[loaded.model.plan.id].append(Placed(loaded.name, path, indicator, loaded.model))
    return by_plan


def series_cells(indicator: Any) -> list[tuple[ModelPath, Text, Any]]:
    """Every value of an indicator with its path and a label: baseline, actuals, targets."""
    cells: list[tuple[ModelPath, Text, Any]] = []
    if indicator.baseline is not None:
        year = Year(indicator.baseline.year)
        cells.append((("baseline", "value"), Text(f"基準値（{year.render('ja')}）", f"baseline ({year.render('en')})"),
                      indicator.baseline.value))
    for row, ja, en in (("actuals", "実績", "actual"), ("targets", "目標", "target")):
        for year, cell in sorted(getattr(indicator, row).items()):
            cells.append(((row, year), Text(f"{Year(year).render('ja')}の{ja}", f"{en} {Year(year).render('en')}"), cell))
    return cells


@check_function("indicator_links", given=("plan_set",), kinds=("unknown_link",))
def indicator_links(target: Target, options: dict[str, Any]) -> Iterator[Finding]:
    """`component_of` and `restates` name the key of an indicator in the same document."""
    for placed_list in indicators_by_plan(target.node).values():
        keys = {placed.indicator.key for placed in placed_list if placed.indicator.key}
        for placed in placed_list:
            for field in ("component_of", "restates"):
                key = getattr(placed.indicator, field)
                if key is None or key in keys:
                    continue
                yield Finding(
                    "unknown_link",
                    Location(placed.file, placed.path + (field,)),
                    {"field": field, "key": key, "indicator": placed.indicator.name, "plan": placed.plan.plan.id},
                )


@check_function(
    "components_sum",
    given=("plan_set",),
    kinds=("component_mismatch", "component_within_rounding", "component_beyond_declared_rounding"),
)
def components_sum(target: Target, options: dict[str, Any]) -> Iterator[Finding]:
    """A parent row equals the sum of its (内数) component rows in every column its
    components all state: baseline, every actual and every target. Whole counts must add
    up exactly; values with decimals may differ by half a unit per component."""
    kinds = {"beyond_rounding": "component_mismatch", "within_rounding": "component_within_rounding",
             "beyond_declared_rounding": "component_beyond_declared_rounding"}
    for placed_list in indicators_by_plan(target.node).values():
        keyed = {placed.indicator.key: placed for placed in placed_list if placed.indicator.key}
        children: dict[str, list[Placed]] = defaultdict(list)
        for placed in placed_list:
            parent_key = placed.indicator.component_of
            if parent_key is None:
                continue
            if parent_key in keyed:  # an unknown key is indicator_links' finding
                children[parent_key].append(placed)
        for parent_key, parts in children.items():
            parent = keyed[parent_key]
            part_cells = [{path: cell for path, _, cell in series_cells(part.indicator)} for part in parts]
            for path, label, stated in series_cells(parent.indicator):
                values = [cells.get(path) for cells in part_cells]
                if not isinstance(stated, Number) or not all(isinstance(value, Number) for value in values):
                    continue
                # Whole counts are exact; decimals were rounded row by row.
                rounded = any(cell.places > 0 for cell in [stated, *values])  # type: ignore[union-attr]  # all Numbers (above)
                outcome = compare_sum(stated, values, parent.plan.plan.rounding, half_unit_per_item=rounded)  # type: ignore[arg-type]  # all Numbers (above)
                if outcome is None:
                    continue
                kind, args = outcome
                yield Finding(
                    kinds[kind],
                    Location(parent.file, parent.path + path),
                    {**args, "column": label, "indicator": parent.indicator.name,
                     "components": [Text(part.indicator.name, part.indicator.name) for part in parts]},
                    [Related(Location(part.file, part.path + path), Text(f"内数: {part.indicator.name}",
                                                                          f"component: {part.indicator.name}"))
                     for part in parts],
                )


def _noted(cell: Number) -> bool:
    return cell.reset or bool(cell.marks)


@check_function("cumulative_series", given=("indicators",), kinds=("decreased", "target_below"))
def cumulative_series(target: Target, options: dict[str, Any]) -> Iterator[Finding]:
    """A (累計) series never decreases: each actual is at least the one before it (the
    baseline first), and each target is at least the baseline and the target before it,
    unless a declared series break lies between them or the target carries a note."""
    indicator = target.node
    if not indicator.cumulative:
        return
    observed: list[tuple[int, ModelPath, Number]] = []
    if indicator.baseline is not None and isinstance(indicator.baseline.value, Number):
        observed.append((indicator.baseline.year, ("baseline", "value"), indicator.baseline.value))
    observed += [(year, ("actuals", year), cell) for year, cell in sorted(indicator.actuals.items())
                 if isinstance(cell, Number)]
    observed.sort(key=lambda item: item[0])
    for (year0, path0, cell0), (year1, path1, cell1) in pairwise(observed):
        if cell1.value >= cell0.value or indicator.break_between(year0, year1):
            continue
        yield Finding(
            "decreased",
            Location(target.file, target.path + path1),
            {"indicator": indicator.name, "year": Year(year1), "stated": cell1.value,
             "previous_year": Year(year0), "previous": cell0.value},
            [Related(Location(target.file, target.path + path0), Text("前の値", "the earlier value"))],
        )
    floor: tuple[int, ModelPath, Number, Text] | None = None
    if observed and observed[0][1] == ("baseline", "value"):
        year, path, cell = observed[0]
        floor = (year, path, cell, Text("基準値", "baseline"))
    for year, cell in sorted(indicator.targets.items()):
        if not isinstance(cell, Number):
            continue
        if (floor is not None and cell.value < floor[2].value and not _noted(cell)
                and not indicator.break_between(floor[0], year)):
            yield Finding(
                "target_below",
                Location(target.file, target.path + ("targets", year)),
                {"indicator": indicator.name, "year": Year(year), "stated": cell.value,
                 "earlier": floor[2].value, "earlier_label": floor[3], "earlier_year": Year(floor[0])},
                [Related(Location(target.file, target.path + floor[1]), floor[3])],
            )
        floor = (year, ("targets", year), cell, Text("前の年度の目標", "the earlier target"))


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, Number) and isinstance(right, Number):
        return left.value == right.value
    return getattr(left, "text", left) == getattr(right, "text", right)


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    return str(getattr(value, "text", value))


@check_function("restated_indicators", given=("plan_set",), kinds=("restated_differs",))
def restated_indicators(target: Target, options: dict[str, Any]) -> Iterator[Finding]:
    """A (再掲) row equals the row it restates in unit, department and every value."""
    for placed_list in indicators_by_plan(target.node).values():
        keyed = {placed.indicator.key: placed for placed in placed_list if placed.indicator.key}
        for placed in placed_list:
            key = placed.indicator.restates
            if key is None:
                continue
            original = keyed.get(key)
            if original is None:
                continue  # indicator_links reports it
            mine, theirs = placed.indicator, original.indicator
            pairs: list[tuple[ModelPath, Text, Any, Any]] = [
                (("unit",), Text("単位", "unit"), normalise_unit(mine.unit), normalise_unit(theirs.unit)),
                (("department",), Text("所管課", "department"), mine.department, theirs.department),
            ]
            labels: dict[ModelPath, Text] = {}
            cells: dict[ModelPath, list[Any]] = {}
            for side, indicator in enumerate((mine, theirs)):
                for path, label, cell in series_cells(indicator):
                    labels.setdefault(path, label)
                    cells.setdefault(path, [None, None])[side] = cell
            pairs += [(path, labels[path], mine_cell, their_cell) for path, (mine_cell, their_cell) in cells.items()]
            for path, label, stated, expected in pairs:
                if _same(stated, expected):
                    continue
                # A value the restated row leaves out is reported at its row (`actuals:`).
                here = path if stated is not None or len(path) == 1 else path[:1]
                yield Finding(
                    "restated_differs",
                    Location(placed.file, placed.path + here, key=here != path),
                    {"indicator": mine.name, "field": label, "stated": _shown(stated), "original": _shown(expected)},
                    [Related(Location(original.file, original.path + path), Text("再掲元の値", "the original"))],
                )


@check_function(
    "restated_projects", given=("plan_set",), kinds=("restated_project_differs", "double_counted"),
)
def restated_projects(target: Target, options: dict[str, Any]) -> Iterator[Finding]:
    """A 【再掲】 project equals its original (the unmarked row with the same code in the same
    document) in name, department, account, cost and outlook; and where its list's total
    includes it (the default; `restated_in_total: false` says the total leaves it out), its
    cost is in two totals and is pointed out: a sum of those totals counts it twice."""
    from checker.model import ProjectList

    originals: dict[tuple[str, str], tuple[str, ModelPath, Any, Any]] = {}
    restated: list[tuple[str, str, ModelPath, Any, Any]] = []
    for loaded in sorted(target.node, key=lambda item: item.name):
        plan_id = loaded.model.plan.id
        for s_index, theme in enumerate(loaded.model.themes):
            if not isinstance(theme.projects, ProjectList):
                continue
            for i_index, item in enumerate(theme.projects.items):
                if item.code is None:
                    continue
                path: ModelPath = ("themes", s_index, "projects", "items", i_index)
                if item.restated:
                    restated.append((plan_id, loaded.name, path, item, theme))
                    continue
                else:
                    originals.setdefault((plan_id, item.code), (loaded.name, path, item, theme))
    fields = (("name", Text("事業名", "name")), ("department", Text("担当課", "department")),
              ("account", Text("予算科目", "budget account")), ("cost", Text("事業費", "cost")),
              ("outlook", Text("動向", "outlook")))
    for plan_id, file, path, item, theme in restated:
        found = originals.get((plan_id, item.code))
        if found is None:
            continue  # the original may be in a part of the document not encoded
        original_file, original_path, original, original_theme = found
        for field, label in fields:
            mine, theirs = getattr(item, field), getattr(original, field)
            if _same(mine, theirs):
                continue
            yield Finding(
                "restated_project_differs",
                Location(file, path + (field,)),
                {"project": item.name, "code": item.code, "field": label, "stated": _shown(mine),
                 "original": _shown(theirs), "original_theme": original_theme.title},
                [Related(Location(original_file, original_path + (field,)), Text("再掲元", "the original"))],
            )
        if theme.projects.restated_in_total and isinstance(item.cost, Number) and item.cost.value != 0:
            yield Finding(
                "double_counted",
                Location(file, path + ("cost",)),
                {"project": item.name, "cost": item.cost.value, "theme": theme.title,
                 "original_theme": original_theme.title},
                [Related(Location(original_file, original_path + ("cost",)), Text("再掲元", "the original"))],
            )
