"""Totals against their parts: a project list's 合計 and its items, and the same
comparison for any stated sum (table rows, component rows)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from checker.diagnostics import Finding, Location, ModelPath, Related, Text, Unchecked
from checker.functions import Target, check_function
from checker.values import Interval, Number, Unreadable, interval

SUM_KINDS = ("beyond_rounding", "within_rounding", "beyond_declared_rounding")


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


def unread(target: Target, container: ModelPath, at: ModelPath, relation: Text) -> Unchecked | None:
    """The record of a relation over the list or mapping at `container` that is not
    evaluated because the loader could not read one of its items (a sum or count of the
    rest would be a false finding), located at `at`; None when nothing was lost."""
    lost = target.plan.dropped_items(container)
    return Unchecked(Location(target.file, at), relation, lost[0].reason()) if lost else None


def unreadable_value(target: Target, path: ModelPath, cell: Unreadable, relation: Text) -> Unchecked:
    """The record of a relation not evaluated because a value at `path` could not be read."""
    return Unchecked(Location(target.file, path), relation,
                     Text(f"値「{cell.text}」を読めませんでした", f"the value {cell.text} could not be read"))


def declared_rounding(node: Any, plan: Any) -> str | None:
    """The rounding a list or table declares, else its plan's."""
    return getattr(node, "rounding", None) or plan.plan.rounding


@check_function(
    "sum_matches",
    given=("project_lists",),
    kinds=SUM_KINDS,
    options={"half_unit_per_item": True},
)
def sum_matches(target: Target, options: dict[str, Any]) -> Iterator[Finding]:
    """The stated total equals the sum of the items' costs.

    Items rounded one by one to the list's unit can each be off by half a unit, so a sum
    of n items may differ from the rounded total by up to n/2 units: such a gap is
    `within_rounding`; a larger one is `beyond_rounding`. A declared rounding
    (四捨五入, 切り捨て, 切り上げ) replaces this with interval arithmetic. Items whose cost
    is absent (`—`) do not count, nor 【再掲】 items when the list's total leaves them out. Option `half_unit_per_item: false` makes every gap an error.
    """
    projects = target.node
    total = projects.total
    relation = Text("合計 = 内訳の和", "total = the sum of the items")
    if isinstance(total, Unreadable):
        yield unreadable_value(target, target.path + ("total",), total, relation)
    if not isinstance(total, Number):
        return
    blocked = unread(target, target.path + ("items",), target.path + ("total",), relation) or next(
        (unreadable_value(target, target.path + ("items", index, "cost"), item.cost, relation)
         for index, item in enumerate(projects.items) if isinstance(item.cost, Unreadable)), None)
    if blocked is not None:
        yield blocked
        return
    amounts = [
        (index, item.cost) for index, item in enumerate(projects.items)
        if isinstance(item.cost, Number) and (projects.restated_in_total or not item.restated)
    ]
    if not amounts:
        return
    outcome = compare_sum(
        total, [cost for _, cost in amounts], declared_rounding(projects, target.plan), options["half_unit_per_item"]
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
