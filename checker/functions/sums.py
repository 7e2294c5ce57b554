"""Totals against their parts: a project list's 合計 and its items, and the same
comparison for any stated sum (table rows, component rows)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from checker.diagnostics import Finding, Location, Related, Text
from checker.functions import Target, check_function
from checker.rounding import ROUNDING_KINDS, RoundingByKind
from checker.values import Interval, Number, interval

SUM_KINDS = ("beyond_rounding", "within_rounding", "beyond_declared_rounding", "truncated")

# A rounding other than half up, with its name in messages.
ROUNDING_NAMES = {
    "四捨五入": Text("四捨五入", "rounding half up (四捨五入)"),
    "切り捨て": Text("切り捨て", "truncation (切り捨て)"),
    "切り上げ": Text("切り上げ", "rounding up (切り上げ)"),
}


def compare_sum(
    stated: Number, parts: list[Number], rounding: str | None, half_unit_per_item: bool = True
) -> tuple[str, dict[str, Any]] | None:
    """How a stated sum compares with its parts: None when consistent, else the outcome
    kind and its numbers.

    With a declared rounding each value stands for an interval (the XBRL Calculations 1.1
    approach) and the sum is consistent when the stated total's interval overlaps the sum
    of the parts' intervals. Without one, an exact match passes; a gap of at most half a
    unit per part is `within_rounding` (each part may have been rounded half up on its
    own); a larger gap that truncating every value (切り捨て: the total up to one unit per
    part above its parts) or rounding every value up (切り上げ: below) explains is
    `truncated`, with that rounding; any other gap is `beyond_rounding`. Without the half
    unit per part (exact counts) every gap is `beyond_rounding`.
    """
    computed = sum((part.value for part in parts), Decimal(0))
    difference = stated.value - computed
    args: dict[str, Any] = {
        "stated": stated.value, "computed": computed, "difference": difference, "count": len(parts),
    }
    if rounding is not None:
        stated_interval, parts_interval = _sum_intervals(stated, parts, rounding)
        if stated_interval.overlaps(parts_interval):
            return None
        args.update(rounding=rounding, stated_interval=stated_interval.text(), computed_interval=parts_interval.text())
        return "beyond_declared_rounding", args
    if difference == 0:
        return None
    step = max([stated.step] + [part.step for part in parts])
    allowance = step * len(parts) / 2 if half_unit_per_item else Decimal(0)
    args["allowance"] = allowance
    if abs(difference) <= allowance:
        return "within_rounding", args
    # Truncated, each part stands for [value, value + step): the parts' exact sum is below
    # theirs plus one step each, and the truncated total can exceed their sum by less than
    # that; rounded up (切り上げ), it falls short by less than that.
    if half_unit_per_item and abs(difference) < sum((part.step for part in parts), Decimal(0)):
        explaining = "切り捨て" if difference > 0 else "切り上げ"
        args.update(rounding=explaining, rounding_name=ROUNDING_NAMES[explaining])
        return "truncated", args
    return "beyond_rounding", args


def _sum_intervals(stated: Number, parts: list[Number], rounding: str) -> tuple[Interval, Interval]:
    """What the stated total and the sum of its parts stand for under `rounding`."""
    return interval(stated, rounding), sum((interval(part, rounding) for part in parts), Interval(Decimal(0), Decimal(0)))


def declared_rounding(node: Any, plan: Any, kind: str) -> str | None:
    """The rounding in force for `kind` of value (`rates` or `totals`) at a project list,
    a table or an indicator: the nearest declaration that covers that kind, the node's
    own before its plan's. `rounding: 切り捨て` covers every kind; `rounding: {rates:
    切り捨て}` covers rates alone, and totals then take the plan's declaration (or none)."""
    if kind not in ROUNDING_KINDS:
        raise ValueError(f"rounding is declared for {', '.join(ROUNDING_KINDS)}, not {kind!r}")
    for declared in (getattr(node, "rounding", None), plan.plan.rounding):
        if isinstance(declared, RoundingByKind):
            declared = declared.of(kind)
        if declared is not None:
            return declared
    return None


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
    if not isinstance(total, Number):
        return
    amounts = [
        (index, item.cost) for index, item in enumerate(projects.items)
        if isinstance(item.cost, Number) and (projects.restated_in_total or not item.restated)
    ]
    if not amounts:
        return
    outcome = compare_sum(
        total, [cost for _, cost in amounts], declared_rounding(projects, target.plan, "totals"), options["half_unit_per_item"]
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
