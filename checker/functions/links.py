"""Rows that restate other rows within one document: (内数) components and their parent,
(累計) cumulative series, (再掲) restated indicators and 【再掲】 restated projects.

Links are by stable key within one plan (all files sharing `plan.id`), so a document
split over several files is checked as one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from itertools import pairwise
from typing import Any, NamedTuple, cast

from checker.diagnostics import (
    Checked,
    Finding,
    Location,
    ModelPath,
    NotApplicable,
    Related,
    RelationRecord,
    Text,
    Unchecked,
    Year,
)
from checker.functions import Target, check_function, plan_sections, plan_set_indicators
from checker.functions.sums import compare_sum, declared_rounding
from checker.values import Absent, Number, Unreadable, normalise_unit


# A check's own records are NamedTuples where nothing compares, hashes or replaces them as
# dataclasses: making a frozen dataclass execs six generated methods at import (about 1 ms a
# class, paid by every one-file run), a NamedTuple a fifth of that.
class Placed(NamedTuple):
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


def keyed_indicators(placed_list: list[Placed]) -> dict[str, Placed]:
    """Key -> the first indicator (by file, then path order) of one document with that
    key; a second use of a key is document_keys' finding, and links go to the first."""
    keyed: dict[str, Placed] = {}
    for placed in placed_list:
        if placed.indicator.key:
            keyed.setdefault(placed.indicator.key, placed)
    return keyed


def blocking_reason(cell: Any) -> Text:
    """Why `cell`, which is not a number, cannot take part in an arithmetic relation."""
    if isinstance(cell, Number):
        raise ValueError(f"a number blocks no relation: {cell.text}")
    if cell is None:
        return Text("値が記載されていない", "the value is not stated")
    if isinstance(cell, Absent):
        return Text(f"値がない（{cell.text}）", f"no value ({cell.text})")
    if isinstance(cell, Unreadable):
        return Text(f"読めない値（{cell.text}）", f"unreadable value ({cell.text})")
    text = getattr(cell, "text", str(cell))
    return Text(f"数ではない（{text}）", f"not a number ({text})")


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


def lost_indicators(placed_list: list[Placed]) -> list[Any]:
    """The indicators of a document the loader could not read (`checker.model.Dropped`): a
    link to one is not unknown, and a parent's components may be among them."""
    plans = {id(placed.plan): placed.plan for placed in placed_list}
    return [item for plan in plans.values() for path, _ in plan_sections(plan)
            for item in plan.dropped_items(path + ("indicators",))]


@check_function(
    "indicator_links", given=("plan_set",), kinds={"unknown_link": ("field", "key", "indicator", "plan")},
)
def indicator_links(target: Target, options: dict[str, Any]) -> Iterator[Finding | RelationRecord]:
    """`component_of` and `restates` name the key of an indicator in the same document."""
    for placed_list in indicators_by_plan(target.node).values():
        keys = {placed.indicator.key for placed in placed_list if placed.indicator.key}
        lost = lost_indicators(placed_list)
        for placed in placed_list:
            for field in ("component_of", "restates"):
                key = getattr(placed.indicator, field)
                if key is None:
                    continue
                unread = [item for item in lost if item.key in (key, None)] if key not in keys else []
                if unread:  # the indicator it names may be the one the loader could not read
                    yield Unchecked(Location(placed.file, placed.path + (field,)),
                                    Text(f"{field} の参照先 {key}", f"the indicator {field} names, {key}"), unread[0].reason())
                    continue
                yield Checked(Location(placed.file, placed.path + (field,)))
                if key in keys:
                    continue
                yield Finding(
                    "unknown_link",
                    Location(placed.file, placed.path + (field,)),
                    {"field": field, "key": key, "indicator": placed.indicator.name, "plan": placed.plan.plan.id},
                )


COMPONENTS = Text("親の行＝内数の行の和", "parent row = sum of its (内数) component rows")
_COMPONENT_ARGS = ("stated", "computed", "difference", "count", "column", "indicator", "components", "allowance")


@check_function(
    "components_sum",
    given=("plan_set",),
    kinds={"component_mismatch": _COMPONENT_ARGS, "component_within_rounding": _COMPONENT_ARGS,
           "component_beyond_declared_rounding": (*_COMPONENT_ARGS[:-1], "rounding", "stated_interval",
                                                  "computed_interval"),
           "component_truncated": (*_COMPONENT_ARGS, "rounding", "rounding_name")},
)
def components_sum(target: Target, options: dict[str, Any]) -> Iterator[Finding | RelationRecord]:
    """A parent row equals the sum of its (内数) component rows in every column its
    components all state: baseline, every actual and every target. Whole counts must add
    up exactly; values with decimals may differ by half a unit per component. A column
    where the parent states a number and a component does not (blank, absent, text,
    unreadable) is not checked, at that component's cell."""
    kinds = {"beyond_rounding": "component_mismatch", "within_rounding": "component_within_rounding",
             "beyond_declared_rounding": "component_beyond_declared_rounding", "truncated": "component_truncated"}
    for placed_list in indicators_by_plan(target.node).values():
        keyed = keyed_indicators(placed_list)
        children: dict[str, list[Placed]] = defaultdict(list)
        for placed in placed_list:
            parent_key = placed.indicator.component_of
            if parent_key is None:
                continue
            if parent_key in keyed:  # an unknown key is indicator_links' finding
                children[parent_key].append(placed)
        lost = lost_indicators(placed_list)
        for parent_key, parts in children.items():
            parent = keyed[parent_key]
            if lost:  # the unread indicator may be one of the components
                yield Unchecked(Location(parent.file, parent.path + ("key",)),
                                Text("内数の行の和 = 親の行", "the sum of the component rows = the parent row"),
                                lost[0].reason())
                continue
            part_cells = [{path: cell for path, _, cell in series_cells(part.indicator)} for part in parts]
            for path, label, stated in series_cells(parent.indicator):
                values = [cells.get(path) for cells in part_cells]
                here = Location(parent.file, parent.path + path)
                blocked = next(((part, value) for part, value in zip(parts, values, strict=True)
                                if not isinstance(value, Number)), None)
                if not isinstance(stated, Number):
                    if isinstance(stated, Unreadable) and blocked is None:
                        yield Unchecked(here, COMPONENTS, blocking_reason(stated))
                    continue
                if blocked is not None:
                    part, value = blocked
                    yield Unchecked(Location(part.file, part.path + path), COMPONENTS, blocking_reason(value))
                    continue
                yield Checked(here)
                numbers = cast(list[Number], values)  # none blocked: every one is a Number
                # Whole counts are exact; decimals were rounded row by row.
                rounded = any(cell.places > 0 for cell in [stated, *numbers])
                outcome = compare_sum(stated, numbers, declared_rounding(parent.indicator, parent.plan, "totals"), half_unit_per_item=rounded)
                if outcome is None:
                    continue
                kind, args = outcome
                yield Finding(
                    kinds[kind],
                    here,
                    {**args, "column": label, "indicator": parent.indicator.name,
                     "components": [Text(part.indicator.name, part.indicator.name) for part in parts]},
                    [Related(Location(part.file, part.path + path), Text(f"内数: {part.indicator.name}",
                                                                          f"component: {part.indicator.name}"))
                     for part in parts],
                )


def _noted(cell: Number) -> bool:
    return cell.reset or bool(cell.marks)


NEVER_DECREASES = Text("累計は前の値より減らない", "a running total does not fall below its earlier value")
TARGET_NOT_BELOW = Text("累計の目標は基準値・前の目標を下回らない",
                        "a cumulative target is not below the baseline or an earlier target")


def break_reason(series_break: Any) -> Text:
    year = Year(series_break.year)
    return Text(f"{year.render('ja')}から系列の定義が変わる（{series_break.note}）",
                f"the series changes meaning from {year.render('en')} ({series_break.note})")


def _floor_chain(
    indicator: Any, file: str, base: ModelPath, baseline: Any, targets: dict[int, Any], prefix: ModelPath,
) -> Iterator[Finding | RelationRecord]:
    """Each target of one chain (the original targets, or a revision's) against the floor
    before it: the chain's baseline first, then each earlier target."""
    floor: tuple[int, ModelPath, Number, Text] | None = None
    if baseline is not None and isinstance(baseline.value, Number):
        floor = (baseline.year, prefix + ("baseline", "value"), baseline.value, Text("基準値", "baseline"))
    for year, cell in sorted(targets.items()):
        path = prefix + ("targets", year)
        here = Location(file, base + path)
        if not isinstance(cell, Number):
            if floor is not None and not isinstance(cell, Absent):
                yield Unchecked(here, TARGET_NOT_BELOW, blocking_reason(cell))
            continue
        if floor is not None:
            series_break = indicator.break_between(floor[0], year)
            if series_break is not None:
                yield NotApplicable(here, TARGET_NOT_BELOW, break_reason(series_break))
            elif _noted(cell):
                yield NotApplicable(here, TARGET_NOT_BELOW, Text(f"再設定の印がある目標（{cell.text}）",
                                                                 f"a target marked as reset ({cell.text})"))
            else:
                yield Checked(here)
                if cell.value < floor[2].value:
                    yield Finding(
                        "target_below",
                        here,
                        {"indicator": indicator.name, "year": Year(year), "stated": cell.value,
                         "earlier": floor[2].value, "earlier_label": floor[3], "earlier_year": Year(floor[0])},
                        [Related(Location(file, base + floor[1]), floor[3])],
                    )
        floor = (year, path, cell, Text("前の年度の目標", "the earlier target"))


@check_function("cumulative_series", given=("indicators",),
                kinds={"decreased": ("indicator", "year", "stated", "previous_year", "previous"),
                       "target_below": ("indicator", "year", "stated", "earlier", "earlier_label", "earlier_year")})
def cumulative_series(target: Target, options: dict[str, Any]) -> Iterator[Finding | RelationRecord]:
    """A (累計) series never decreases: each actual is at least the one before it (the
    baseline first), and each target is at least the baseline and the target before it,
    unless a declared series break lies between them or the target carries a note. A
    revision's targets (改訂後の期待値) form a chain of their own that restarts at the
    revision's baseline."""
    indicator = target.node
    if not indicator.counts_running_total:
        return
    observed: list[tuple[int, ModelPath, Number]] = []
    if indicator.baseline is not None and isinstance(indicator.baseline.value, Number):
        observed.append((indicator.baseline.year, ("baseline", "value"), indicator.baseline.value))
    for year, cell in sorted(indicator.actuals.items()):
        if isinstance(cell, Number):
            observed.append((year, ("actuals", year), cell))
        elif not isinstance(cell, Absent):
            yield Unchecked(Location(target.file, target.path + ("actuals", year)), NEVER_DECREASES,
                            blocking_reason(cell))
    observed.sort(key=lambda item: item[0])
    for (year0, path0, cell0), (year1, path1, cell1) in pairwise(observed):
        here = Location(target.file, target.path + path1)
        series_break = indicator.break_between(year0, year1)
        if series_break is not None:
            yield NotApplicable(here, NEVER_DECREASES, break_reason(series_break))
            continue
        yield Checked(here)
        if cell1.value >= cell0.value:
            continue
        yield Finding(
            "decreased",
            here,
            {"indicator": indicator.name, "year": Year(year1), "stated": cell1.value,
             "previous_year": Year(year0), "previous": cell0.value},
            [Related(Location(target.file, target.path + path0), Text("前の値", "the earlier value"))],
        )
    yield from _floor_chain(indicator, target.file, target.path, indicator.baseline, indicator.targets, ())
    for index, revision in enumerate(indicator.revisions):
        yield from _floor_chain(indicator, target.file, target.path, revision.baseline, revision.targets,
                                ("revisions", index))


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, Number) and isinstance(right, Number):
        return left.value == right.value
    return getattr(left, "text", left) == getattr(right, "text", right)


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    return str(getattr(value, "text", value))


RESTATED = Text("再掲の行＝再掲元の行", "a (再掲) row = the row it restates")


@check_function("restated_indicators", given=("plan_set",),
                kinds={"restated_differs": ("indicator", "field", "stated", "original")})
def restated_indicators(target: Target, options: dict[str, Any]) -> Iterator[Finding | RelationRecord]:
    """A (再掲) row equals the row it restates in unit, department and every value."""
    for placed_list in indicators_by_plan(target.node).values():
        keyed = keyed_indicators(placed_list)
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
                if stated is None and expected is None:
                    continue  # neither row states it: nothing is restated
                # A value the restated row leaves out is reported at its row (`actuals:`).
                here = path if stated is not None or len(path) == 1 else path[:1]
                location = Location(placed.file, placed.path + here, key=here != path)
                if isinstance(stated, Unreadable) or isinstance(expected, Unreadable):
                    blocking = (location if isinstance(stated, Unreadable)
                                else Location(original.file, original.path + path))
                    yield Unchecked(blocking, RESTATED, blocking_reason(
                        stated if isinstance(stated, Unreadable) else expected))
                    continue
                yield Checked(location)
                if _same(stated, expected):
                    continue
                yield Finding(
                    "restated_differs",
                    location,
                    {"indicator": mine.name, "field": label, "stated": _shown(stated), "original": _shown(expected)},
                    [Related(Location(original.file, original.path + path), Text("再掲元の値", "the original"))],
                )


@check_function(
    "restated_projects", given=("plan_set",),
    kinds={"restated_project_differs": ("project", "code", "field", "stated", "original", "original_theme"),
           "double_counted": ("project", "cost", "theme", "original_theme")},
)
def restated_projects(target: Target, options: dict[str, Any]) -> Iterator[Finding | RelationRecord]:
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
            if mine is None and theirs is None:
                continue
            yield Checked(Location(file, path + (field,)))
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
