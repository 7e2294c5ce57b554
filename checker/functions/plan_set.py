"""The same quantity across documents, by its stable key: an observed value (a baseline
or an actual for a year) is the same in every document that states it, and a target that
changed between documents carries a reset mark (`58 [※]`) and its footnote."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from checker.diagnostics import Finding, Location, ModelPath, Related, Text, Year
from checker.functions import Target, check_function, plan_set_indicators
from checker.values import Number


def _lagged(cell: Number, year: int) -> bool:
    return cell.measured_year is not None and cell.measured_year != year


_SAME_QUANTITY_ARGS = ("key", "indicator", "year", "stated", "reference", "reference_file")


@check_function("same_quantity_across_plans", given=("plan_set",),
                kinds={"observed_differs": _SAME_QUANTITY_ARGS, "target_changed": _SAME_QUANTITY_ARGS})
def same_quantity_across_plans(target: Target, options: dict[str, Any]) -> Iterator[Finding]:
    """Values of one key and year agree across the plan set: baselines and actuals are
    observations and must be equal (004's 令和2年度 actual is 000's 令和2年度 baseline);
    targets may change between documents only with a reset mark. The first statement in
    file order is the reference. A year on or after a declared series break of either
    indicator is not compared (the quantity changed meaning), nor a value measured for
    another year than its column."""
    observed: dict[tuple[str, int], list[tuple[str, ModelPath, Number, Any]]] = defaultdict(list)
    targets: dict[tuple[str, int], list[tuple[str, ModelPath, Number, Any]]] = defaultdict(list)
    for loaded, path, indicator in plan_set_indicators(target.node):
        if indicator.key is None:
            continue
        if indicator.baseline is not None and isinstance(indicator.baseline.value, Number):
            observed[(indicator.key, indicator.baseline.year)].append(
                (loaded.name, path + ("baseline", "value"), indicator.baseline.value, indicator))
        for year, cell in indicator.actuals.items():
            if isinstance(cell, Number):
                observed[(indicator.key, year)].append((loaded.name, path + ("actuals", year), cell, indicator))
        for year, cell in indicator.targets.items():
            if isinstance(cell, Number):
                targets[(indicator.key, year)].append((loaded.name, path + ("targets", year), cell, indicator))

    def broken(indicator: Any, year: int) -> bool:
        return any(series_break.year <= year for series_break in indicator.series_breaks)

    for kind, table in (("observed_differs", observed), ("target_changed", targets)):
        for (key, year), statements in sorted(table.items()):
            usable = [entry for entry in statements if not _lagged(entry[2], year) and not broken(entry[3], year)]
            if len(usable) < 2:
                continue
            ref_file, ref_path, ref_cell, _ = usable[0]
            for file, path, cell, indicator in usable[1:]:
                if cell.value == ref_cell.value:
                    continue
                if kind == "target_changed" and (cell.reset or ref_cell.reset):
                    continue
                yield Finding(
                    kind,
                    Location(file, path),
                    {"key": key, "indicator": indicator.name, "year": Year(year), "stated": cell.value,
                     "reference": ref_cell.value, "reference_file": ref_file},
                    [Related(Location(ref_file, ref_path),
                             Text(f"{ref_file} の同じ指標", f"the same indicator in {ref_file}"))],
                )
