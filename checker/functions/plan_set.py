"""The same quantity across documents, by its stable key: an observed value (a baseline
or an actual for a year) is the same in every document that states it, a target that
changed between documents carries a reset mark (`58 [※]`) and its footnote, and a
running total (累計) in one edition adds up the per-year counts another edition prints.

Only statements of different documents (different `plan.id`) are compared here: a key
used twice within one document is document_keys' finding, not a restatement."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any, NamedTuple

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
from checker.functions import Target, check_function, plan_set_indicators
from checker.functions.links import blocking_reason, break_reason
from checker.functions.sums import compare_sum
from checker.values import Absent, Number, Unreadable, normalise_unit


def _lagged(cell: Number, year: int) -> bool:
    return cell.measured_year is not None and cell.measured_year != year


def _lag_reason(cell: Number) -> Text:
    return Text(f"別の時点に測った値（{cell.measured}）", f"measured at another time ({cell.measured})")


# A check's own records are NamedTuples where nothing compares, hashes or replaces them as
# dataclasses: making a frozen dataclass execs six generated methods at import (about 1 ms a
# class, paid by every one-file run), a NamedTuple a fifth of that.
class Statement(NamedTuple):
    """One stated value of a key for a year, with where it is."""

    file: str
    path: ModelPath
    cell: Any  # a Number, or an Unreadable that blocks the comparison
    indicator: Any
    plan_id: str


def _counting(indicator: Any) -> tuple[str, int] | None:
    """How an indicator counts: per period (None), or as the running total of a per-year
    key since a year. Only statements that count the same way are equal values."""
    running = indicator.running_total_of
    return None if running is None else (running.key, running.since)


def _observations(indicator: Any) -> Iterator[tuple[int, ModelPath, Any]]:
    """(year, path, cell) of an indicator's observed values: its baseline and actuals."""
    if indicator.baseline is not None:
        yield indicator.baseline.year, ("baseline", "value"), indicator.baseline.value
    for year, cell in sorted(indicator.actuals.items()):
        yield year, ("actuals", year), cell


SAME_OBSERVATION = Text("同じ指標・同じ年度の値は文書間で等しい",
                        "the same indicator's value for a year is equal in every document")
SAME_TARGET = Text("同じ指標・同じ年度の目標は、再設定の印がない限り文書間で等しい",
                   "the same indicator's target for a year is equal in every document unless marked as reset")


@check_function(
    "same_quantity_across_plans",
    given=("plan_set",),
    kinds={
        "observed_differs": ("key", "indicator", "year", "stated", "reference", "reference_file"),
        "target_changed": ("key", "indicator", "year", "stated", "reference", "reference_file"),
    },
)
def same_quantity_across_plans(target: Target, options: dict[str, Any]) -> Iterator[Finding | RelationRecord]:
    """Values of one key and year agree across documents: baselines and actuals are
    observations and must be equal (004's 令和2年度 actual is 000's 令和2年度 baseline);
    targets may change between documents only with a reset mark or a declared revision
    (改訂後の期待値). The first statement in file order is the reference; statements of
    the reference's own document are not compared with it. A year on or after a declared
    series break of either indicator is not compared (the quantity changed meaning), nor
    a value measured for another year than its column. A running total (累計) and the
    per-year counts it adds up share a key without being equal values."""
    observed: dict[tuple[str, int, Any], list[Statement]] = defaultdict(list)
    targets: dict[tuple[str, int, Any], list[Statement]] = defaultdict(list)
    for loaded, path, indicator in plan_set_indicators(target.node):
        if indicator.key is None:
            continue
        plan_id, counting = loaded.model.plan.id, _counting(indicator)
        # An unreadable value would have been compared: it blocks the comparison, at it.
        for year, cell_path, cell in _observations(indicator):
            if isinstance(cell, (Number, Unreadable)):
                observed[(indicator.key, year, counting)].append(
                    Statement(loaded.name, path + cell_path, cell, indicator, plan_id))
        for year, cell in indicator.targets.items():
            if isinstance(cell, (Number, Unreadable)):
                targets[(indicator.key, year, counting)].append(
                    Statement(loaded.name, path + ("targets", year), cell, indicator, plan_id))

    def broken(indicator: Any, year: int) -> Any:
        return next((item for item in indicator.series_breaks if item.year <= year), None)

    for kind, table, relation in (("observed_differs", observed, SAME_OBSERVATION),
                                  ("target_changed", targets, SAME_TARGET)):
        for (key, year, _), statements in sorted(table.items(), key=lambda item: item[0][:2]):
            if len({statement.plan_id for statement in statements}) < 2:
                continue
            usable = [s for s in statements if isinstance(s.cell, Number) and not _lagged(s.cell, year)
                      and broken(s.indicator, year) is None]
            reference = usable[0] if usable else None
            for statement in statements:
                if statement is reference:
                    continue
                if reference is not None and statement.plan_id == reference.plan_id:
                    continue
                here = Location(statement.file, statement.path)
                if isinstance(statement.cell, Unreadable):
                    yield Unchecked(here, relation, blocking_reason(statement.cell))
                    continue
                if _lagged(statement.cell, year):
                    yield Unchecked(here, relation, _lag_reason(statement.cell))
                    continue
                series_break = broken(statement.indicator, year)
                if series_break is not None:
                    yield NotApplicable(here, relation, break_reason(series_break))
                    continue
                assert reference is not None  # this statement is usable
                if kind == "target_changed":
                    declared = _declared_change(statement, reference, year)
                    if declared is not None:
                        yield NotApplicable(here, relation, declared)
                        continue
                yield Checked(here)
                if statement.cell.value == reference.cell.value:
                    continue
                yield Finding(
                    kind,
                    here,
                    {"key": key, "indicator": statement.indicator.name, "year": Year(year),
                     "stated": statement.cell.value, "reference": reference.cell.value,
                     "reference_file": reference.file},
                    [Related(Location(reference.file, reference.path),
                             Text(f"{reference.file} の同じ指標", f"the same indicator in {reference.file}"))],
                )


def _declared_change(statement: Statement, reference: Statement, year: int) -> Text | None:
    """Why two targets may differ: a reset mark on either, or a declared revision."""
    for side in (statement, reference):
        if side.cell.reset:
            return Text(f"再設定の印がある目標（{side.cell.text}）", f"a target marked as reset ({side.cell.text})")
    for side in (statement, reference):
        revision = side.indicator.revised_for(year)
        if revision is not None:
            return Text(f"目標が改訂されている（{revision.note}）", f"the target was revised ({revision.note})")
    return None


RUNNING_TOTAL = Text("累計＝起点からの単年度の値の和", "running total = sum of the per-year values since its start")


@check_function(
    "running_totals",
    given=("plan_set",),
    kinds={
        "running_total_differs": ("indicator", "key", "year", "since", "stated", "computed", "difference", "count"),
        "running_total_unknown_key": ("indicator", "key"),
        "running_total_unit_differs": ("indicator", "key", "unit", "per_year_unit", "per_year_file"),
    },
)
def running_totals(target: Target, options: dict[str, Any]) -> Iterator[Finding | RelationRecord]:
    """A running total (累計, `running_total_of: {key, since}`) printed in one edition equals,
    for each year it states (baseline and actuals), the sum of the per-year values of
    `key` (the baselines and actuals of the indicators with that key that are not running
    totals, the first statement of each year in file order) from `since` through that
    year. A per-year value missing, not a number or measured for another year leaves that
    year unchecked, at the blocking cell; a year before `since` or across a declared
    series break is not applicable. Decimal values may differ by half a unit per year."""
    indicators = list(plan_set_indicators(target.node))
    per_year: dict[str, dict[int, tuple[str, ModelPath, Any, Any]]] = defaultdict(dict)
    series: dict[str, list[tuple[str, ModelPath, Any]]] = defaultdict(list)
    for loaded, path, indicator in indicators:
        if indicator.key is None or indicator.counts_running_total:
            continue
        series[indicator.key].append((loaded.name, path, indicator))
        for year, cell_path, cell in _observations(indicator):
            if not isinstance(cell, Absent):
                per_year[indicator.key].setdefault(year, (loaded.name, path + cell_path, cell, indicator))
    for loaded, path, indicator in indicators:
        running = indicator.running_total_of
        if running is None:
            continue
        sources = series.get(running.key)
        if not sources:
            yield Finding("running_total_unknown_key", Location(loaded.name, path + ("running_total_of", "key")),
                          {"indicator": indicator.name, "key": running.key})
            continue
        source_file, source_path, source = sources[0]
        if normalise_unit(source.unit) != normalise_unit(indicator.unit) and None not in (source.unit, indicator.unit):
            yield Finding(
                "running_total_unit_differs", Location(loaded.name, path + ("unit",)),
                {"indicator": indicator.name, "key": running.key, "unit": indicator.unit,
                 "per_year_unit": source.unit, "per_year_file": source_file},
                [Related(Location(source_file, source_path + ("unit",)), Text("単年度の値の単位", "the per-year unit"))],
            )
        values = per_year[running.key]
        for year, cell_path, cell in _observations(indicator):
            here = Location(loaded.name, path + cell_path)
            if isinstance(cell, Absent):
                continue
            if year < running.since:
                yield NotApplicable(here, RUNNING_TOTAL, Text(
                    f"累計の起点（{Year(running.since).render('ja')}）より前の年度",
                    f"a year before the running total starts ({Year(running.since).render('en')})"))
                continue
            if not isinstance(cell, Number):
                yield Unchecked(here, RUNNING_TOTAL, blocking_reason(cell))
                continue
            if _lagged(cell, year):
                yield Unchecked(here, RUNNING_TOTAL, _lag_reason(cell))
                continue
            series_break = indicator.break_between(running.since, year) or next(
                (item for _, _, other in sources for item in other.series_breaks
                 if running.since < item.year <= year), None)
            if series_break is not None:
                yield NotApplicable(here, RUNNING_TOTAL, break_reason(series_break))
                continue
            blocked = _blocking_year(values, running.since, year, source_file, source_path)
            if blocked is not None:
                yield Unchecked(blocked[0], RUNNING_TOTAL, blocked[1])
                continue
            parts = [values[each] for each in range(running.since, year + 1)]
            yield Checked(here)
            rounded = any(part[2].places > 0 for part in parts) or cell.places > 0
            outcome = compare_sum(cell, [part[2] for part in parts], loaded.model.plan.rounding,
                                  half_unit_per_item=rounded)
            if outcome is None or outcome[0] == "within_rounding":
                continue
            args = outcome[1]
            yield Finding(
                "running_total_differs", here,
                {"indicator": indicator.name, "key": running.key, "year": Year(year), "since": Year(running.since),
                 "stated": args["stated"], "computed": args["computed"], "difference": args["difference"],
                 "count": args["count"]},
                [Related(Location(file, part_path), Text(f"単年度の値（{Year(each).render('ja')}）",
                                                         f"per-year value ({Year(each).render('en')})"))
                 for each, (file, part_path, _, _) in zip(range(running.since, year + 1), parts, strict=True)],
            )


def _blocking_year(
    values: dict[int, tuple[str, ModelPath, Any, Any]], since: int, until: int, source_file: str,
    source_path: ModelPath,
) -> tuple[Location, Text] | None:
    """The first per-year value from `since` through `until` that cannot be added, and why."""
    for year in range(since, until + 1):
        found = values.get(year)
        if found is None:
            return Location(source_file, source_path + ("actuals", year)), Text(
                f"{Year(year).render('ja')}の単年度の値が記載されていない",
                f"no per-year value for {Year(year).render('en')}")
        file, path, cell, _ = found
        if not isinstance(cell, Number):
            return Location(file, path), blocking_reason(cell)
        if _lagged(cell, year):
            return Location(file, path), _lag_reason(cell)
    return None
