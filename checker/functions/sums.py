"""Totals against their itemised amounts (合計 and 内訳)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from checker.diagnostics import Finding, Location, Related, Text
from checker.functions import Target, check_function
from checker.values import Number


@check_function(
    "sum_matches",
    given=("project_lists",),
    kinds=("beyond_rounding", "within_rounding"),
    options={"half_unit_per_item": True},
)
def sum_matches(target: Target, options: dict[str, Any]) -> Iterator[Finding]:
    """The stated total equals the sum of the items' costs.

    Items rounded one by one to the list's unit can each be off by half a unit, so a sum
    of n items may differ from the rounded total by up to n/2 units: such a gap is
    `within_rounding`; a larger one is `beyond_rounding`. Items whose cost is absent
    (`—`) do not count. Option `half_unit_per_item: false` makes every gap an error.
    """
    projects = target.node
    total = projects.total
    if not isinstance(total, Number):
        return
    amounts = [
        (index, item.cost) for index, item in enumerate(projects.items) if isinstance(item.cost, Number)
    ]
    if not amounts:
        return
    computed = sum((cost.value for _, cost in amounts), Decimal(0))
    if computed == total.value:
        return
    step = max([total.step] + [cost.step for _, cost in amounts])
    allowance = step * len(amounts) / 2 if options["half_unit_per_item"] else Decimal(0)
    difference = total.value - computed
    kind = "within_rounding" if abs(difference) <= allowance else "beyond_rounding"
    related = [
        Related(
            Location(target.file, target.path + ("items", index, "cost")),
            Text(f"内訳 {projects.items[index].no or index + 1}", f"item {projects.items[index].no or index + 1}"),
        )
        for index, _ in amounts
    ]
    yield Finding(
        kind,
        Location(target.file, target.path + ("total",)),
        {
            "stated": total.value,
            "computed": computed,
            "difference": difference,
            "allowance": allowance,
            "count": len(amounts),
            "unit": projects.unit,
        },
        related,
    )
