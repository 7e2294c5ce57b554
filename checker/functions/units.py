"""Units: a value's written unit agrees with its declared unit; money scales are never
mixed; % and ‰ are not confused; an indicator keeps one unit in every document."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from checker.diagnostics import Finding, Location, ModelPath, Related, Text
from checker.functions import Target, check_function, plan_set_indicators
from checker.values import money_scale, normalise_unit, stated_number

_PER_MILLE = "‰"
_PERCENT = "%"


def compare_units(written: str | None, declared: str | None) -> str | None:
    """The kind of disagreement between a written and a declared unit, or None."""
    written_n, declared_n = normalise_unit(written), normalise_unit(declared)
    if written_n is None or declared_n is None or written_n == declared_n:
        return None
    # `46人` under 人/月: the value names the counted thing, the column the rate of it.
    if "/" in declared_n and declared_n.split("/", 1)[0] == written_n:
        return None
    if {written_n, declared_n} == {_PERCENT, _PER_MILLE}:
        return "percent_permille"
    if money_scale(written_n) is not None and money_scale(declared_n) is not None:
        return "money_scale"
    return "unit_mismatch"


def _indicator_cells(indicator: Any) -> Iterator[tuple[ModelPath, Any, str | None]]:
    """(path, cell, declared unit) for every value of an indicator. Rates are in %."""
    if indicator.baseline is not None:
        yield ("baseline", "value"), indicator.baseline.value, indicator.unit
    for row in ("targets", "actuals"):
        for year, cell in sorted(getattr(indicator, row).items()):
            yield (row, year), cell, indicator.unit
    for year, cell in sorted(indicator.rates.items()):
        yield ("rates", year), cell, _PERCENT


@check_function(
    "value_units",
    given=("indicators", "project_lists", "major_project_lists"),
    kinds={kind: ("written", "declared", "value", "name")
           for kind in ("unit_mismatch", "money_scale", "percent_permille")},
)
def value_units(target: Target, options: dict[str, Any]) -> Iterator[Finding]:
    """Each value's written unit (`46人`, `8,345 千円`, `75.4%`) agrees with the unit declared
    for its indicator or list (rates are always %)."""
    from checker.model import Indicator, ProjectList

    node = target.node
    cells: list[tuple[ModelPath, Any, str | None]] = []
    if isinstance(node, Indicator):
        cells = list(_indicator_cells(node))
    elif isinstance(node, ProjectList):
        cells = [(("items", index, "cost"), item.cost, node.unit) for index, item in enumerate(node.items)]
        if node.total is not None:
            cells.append((("total",), node.total, node.unit))
    else:  # MajorProjectList: yearly planned costs
        cells = [
            (("items", index, "costs", year), cell, node.unit)
            for index, item in enumerate(node.items)
            for year, cell in sorted(item.costs.items())
        ]
    for path, cell, declared in cells:
        number = stated_number(cell)
        if number is None:
            continue
        kind = compare_units(number.unit, declared)
        if kind is None:
            continue
        related = [] if path[0] == "rates" else [
            Related(Location(target.file, target.path + ("unit",)), Text("宣言された単位", "declared unit"))
        ]
        yield Finding(
            kind,
            Location(target.file, target.path + path),
            {"written": number.unit, "declared": declared, "value": number.text,
             "name": getattr(node, "name", None) or Text("事業一覧", "project list")},
            related,
        )


@check_function("indicator_unit_consistent", given=("plan_set",),
                kinds={"unit_changed": ("key", "name", "unit", "reference_unit", "reference_file")})
def indicator_unit_consistent(target: Target, options: dict[str, Any]) -> Iterator[Finding]:
    """An indicator (by its stable key) has the same unit in every plan that states it.
    The first occurrence (by file name) is the reference the others are compared to;
    another use of the key in the reference's own document is document_keys' finding."""
    first: dict[str, tuple[str, ModelPath, str, str]] = {}
    for loaded, indicator_path, indicator in plan_set_indicators(target.node):
        if indicator.key is None or indicator.unit is None:
            continue
        path: ModelPath = indicator_path + ("unit",)
        if indicator.key not in first:
            first[indicator.key] = (loaded.name, path, indicator.unit, loaded.model.plan.id)
            continue
        ref_file, ref_path, ref_unit, ref_plan = first[indicator.key]
        if ref_plan == loaded.model.plan.id:
            continue
        if normalise_unit(ref_unit) == normalise_unit(indicator.unit):
            continue
        yield Finding(
            "unit_changed",
            Location(loaded.name, path),
            {"key": indicator.key, "name": indicator.name, "unit": indicator.unit,
             "reference_unit": ref_unit, "reference_file": ref_file},
            [Related(Location(ref_file, ref_path), Text("最初に宣言された単位", "unit first declared"))],
        )
