"""Totals against their parts: a project list's 合計 and its items, and the same
comparison for any stated sum (table rows, component rows)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from pydantic import Field

from checker.diagnostics import Finding, Location, Related, Text
from checker.functions import Target, check_function
from checker.functions.options import FunctionOptions
from checker.values import Interval, Number, interval

_SUM_ARGS = ("stated", "computed", "difference", "count", "unit")
SUM_KINDS = {
    "beyond_rounding": (*_SUM_ARGS, "allowance"),
    "within_rounding": (*_SUM_ARGS, "allowance"),
    "beyond_declared_rounding": (*_SUM_ARGS, "rounding", "stated_interval", "computed_interval"),
}


class SumOptions(FunctionOptions):
    half_unit_per_item: bool = Field(True, description="Without a declared rounding, allow half a unit per item "
                                     "(each item rounded on its own to the list's unit); false: every gap is an error.")


def compare_sum(
    stated: Number, parts: list[Number], rounding: str | None, half_unit_per_item: bool = True
) -> tuple[str, dict[str, Any]] | None:
    """How a stated sum compares with its parts: None when consistent, else the finding
    kind and its numbers.

    With a declared rounding each value stands for an interval (the XBRL Calculations 1.1
    approach) and the sum is consistent when the stated total's interval overlaps the sum
    of the parts' intervals. Without one, an exact match passes; a gap of at most half a
    unit per part is `within_rounding` (each part may have been rounded on its own), a
    larger one `beyond_rounding`.
    """
    computed = sum((part.value for part in parts), Decimal(0))
    difference = stated.value - computed
    args: dict[str, Any] = {
        "stated": stated.value, "computed": computed, "difference": difference, "count": len(parts),
    }
    if rounding is not None:
        stated_interval = interval(stated, rounding)
        parts_interval = sum((interval(part, rounding) for part in parts), Interval(Decimal(0), Decimal(0)))
        if stated_interval.overlaps(parts_interval):
            return None
        args.update(rounding=rounding, stated_interval=stated_interval.text(), computed_interval=parts_interval.text())
        return "beyond_declared_rounding", args
    if difference == 0:
        return None
    step = max([stated.step] + [part.step for part in parts])
    allowance = step * len(parts) / 2 if half_unit_per_item else Decimal(0)
    args["allowance"] = allowance
    return ("within_rounding" if abs(difference) <= allowance else "beyond_rounding"), args


def declared_rounding(node: Any, plan: Any) -> str | None:
    """The rounding a list or table declares, else its plan's."""
    return getattr(node, "rounding", None) or plan.plan.rounding


@check_function(
    "sum_matches",
    given=("project_lists",),
    kinds=SUM_KINDS,
    options=SumOptions,
)
def sum_matches(target: Target, options: SumOptions) -> Iterator[Finding]:
    """The stated total equals the sum of the items' costs.

    Items rounded one by one to the list's unit can each be off by half a unit, so a sum
    of n items may differ from the rounded total by up to n/2 units: such a gap is
    `within_rounding`; a larger one is `beyond_rounding`. A declared rounding
    (四捨五入, 切り捨て, 切り上げ) replaces this with interval arithmetic. Items whose cost
    is absent (`—`) do not count, nor 【再掲】 items when the list's total leaves them out. Option `half_unit_per_item: false` makes every gap an error.
    """
    projects = target.node
    total = projects.total
    if not isinstance(total, Number):
        return
    amounts = [
        (index, item.cost) for index, item in enumerate(projects.items)
        if isinstance(item.cost, Number) and (projects.restated_in_total or not item.restated)
    ]
    if not amounts:
        return
    outcome = compare_sum(
        total, [cost for _, cost in amounts], declared_rounding(projects, target.plan), options.half_unit_per_item
    )
    if outcome is None:
        return
    kind, args = outcome
    related = [
        Related(
            Location(target.file, target.path + ("items", index, "cost")),
            Text(f"内訳 {projects.items[index].no or index + 1}", f"item {projects.items[index].no or index + 1}"),
        )
        for index, _ in amounts
    ]
    yield Finding(kind, Location(target.file, target.path + ("total",)), {**args, "unit": projects.unit}, related)
