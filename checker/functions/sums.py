"""Totals against their parts: a project list's 合計 and its items, and the same
comparison for any stated sum (table rows, component rows)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from pydantic import Field

from checker.diagnostics import Checked, Finding, Location, ModelPath, Related, Text, Unchecked
from checker.functions import Target, check_function
from checker.functions.options import FunctionOptions
from checker.rounding import ROUNDING_KINDS, RoundingByKind
from checker.values import Absent, Interval, Number, Unreadable, interval

# The outcomes of compare_sum; each caller maps them to kinds of its own.
SUM_OUTCOMES = ("beyond_rounding", "within_rounding", "beyond_declared_rounding", "truncated")
_SUM_ARGS = ("stated", "computed", "difference", "count", "unit")
SUM_KINDS = {
    "beyond_rounding": (*_SUM_ARGS, "allowance"),
    "within_rounding": (*_SUM_ARGS, "allowance"),
    "beyond_declared_rounding": (*_SUM_ARGS, "rounding", "stated_interval", "computed_interval"),
    "truncated": (*_SUM_ARGS, "allowance", "rounding", "rounding_name"),
}

# A rounding other than half up, with its name in messages.
ROUNDING_NAMES = {
    "四捨五入": Text("四捨五入", "rounding half up (四捨五入)"),
    "切り捨て": Text("切り捨て", "truncation (切り捨て)"),
    "切り上げ": Text("切り上げ", "rounding up (切り上げ)"),
}


class SumOptions(FunctionOptions):
    half_unit_per_item: bool = Field(True, description="Without a declared rounding, allow half a unit per item "
                                     "(each item rounded on its own to the list's unit); false: every gap is an error.")


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


def declared_zero_marks(*levels: Any) -> tuple[str, ...]:
    """The absence marks that mean zero, by the nearest level that declares `means_zero`
    (a relation, a column, a table or list, the plan header, nearest first)."""
    for level in levels:
        marks = getattr(level, "means_zero", None)
        if marks is not None:
            return tuple(marks)
    return ()


def zero_mark(cell: Any, marks: tuple[str, ...]) -> str | None:
    """The declared mark an absent cell is printed with ("blank", "-", "—"), when the
    declaration makes it zero; None otherwise. Notes such as `(※4)` never match: they are
    not in any declaration (the model refuses them)."""
    if not isinstance(cell, Absent) or not marks:
        return None
    text = cell.text.strip()
    if not text:
        return "blank" if "blank" in marks else None
    printed = unicodedata.normalize("NFKC", text)
    declared = {unicodedata.normalize("NFKC", mark) for mark in marks if mark != "blank"}
    return text if printed in declared else None


def as_number(cell: Any, marks: tuple[str, ...]) -> tuple[Number | None, str | None]:
    """The number a cell takes part in a relation with, and the declared mark that made it
    zero (None when it is printed as a number). (None, None): the cell blocks the relation."""
    if isinstance(cell, Number):
        return cell, None
    mark = zero_mark(cell, marks)
    if mark is not None:
        return Number(Decimal(0), 0, cell.text), mark
    return None, None


def cell_form(cell: Any) -> Text:
    """How a cell that is not a number is printed, for the reason a relation is not checked."""
    if cell is None or (isinstance(cell, Absent) and not cell.text.strip()):
        return Text("空欄", "blank")
    if isinstance(cell, Absent):
        text = cell.text.strip()
        if cell.reason.startswith("note ") or not any(char.isalpha() for char in text):
            return Text(f"「{text}」", text)  # a dash or a note mark says no more than itself
        ja, en = cell.describe()  # a word: say what it means (未集計: not yet counted)
        return Text(f"「{text}」" + ("" if ja == text else f"（{ja}）"), f"{text} ({en})")
    if isinstance(cell, Unreadable):
        return Text(f"読み取れない値「{cell.text}」", f"the unreadable value {cell.text}")
    text = getattr(cell, "text", str(cell))
    return Text(f"数値でない「{text}」", f"{text}, not a number")


def zero_note(label: Text, mark: str | None) -> Text:
    """A label with the note that its cell was printed blank (or with a dash) and counted as 0."""
    if mark is None:
        return label
    if mark == "blank":
        return Text(f"{label.ja}（空欄を0とした）", f"{label.en} (blank, taken as 0)")
    return Text(f"{label.ja}（「{mark}」を0とした）", f"{label.en} ({mark}, taken as 0)")


def joined(texts: list[Text]) -> Text:
    return Text("、".join(text.ja for text in texts), "; ".join(text.en for text in texts))


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


@check_function(
    "sum_matches",
    given=("project_lists",),
    kinds=SUM_KINDS,
    options=SumOptions,
)
def sum_matches(target: Target, options: SumOptions) -> Iterator[Finding | Checked | Unchecked]:
    """The stated total equals the sum of the items' costs.

    Items rounded one by one to the list's unit can each be off by half a unit, so a sum
    of n items may differ from the rounded total by up to n/2 units: such a gap is
    `within_rounding`; a larger one is `beyond_rounding`. A declared rounding
    (四捨五入, 切り捨て, 切り上げ) replaces this with interval arithmetic. Items whose cost
    is blank or absent (`—`, `(※4)`) or unreadable leaves the sum unchecked (reported as
    such, at that cost), unless the list or the plan declares that mark to mean zero
    (`means_zero`); 【再掲】 items do not count when the list's total leaves them out.
    Option `half_unit_per_item: false` makes every gap an error.
    """
    projects = target.node
    total = projects.total
    if total is None:
        return  # no 合計 is printed: there is no sum to check
    marks = declared_zero_marks(projects, target.plan.plan)
    at_total = Location(target.file, target.path + ("total",))
    relation = Text("合計 ＝ 内訳の事業費の和", "the total = the sum of the items' costs")
    stated, _ = as_number(total, marks)
    if stated is None:
        form = cell_form(total)
        yield Unchecked(at_total, relation, Text(f"合計が{form.ja}", f"the total is {form.en}"))
        return
    lost = unread(target, target.path + ("items",), target.path + ("total",), relation)
    if lost is not None:  # the sum of the items read would be a false finding
        yield lost
        return
    counted = [
        (index, item) for index, item in enumerate(projects.items) if projects.restated_in_total or not item.restated
    ]
    if not counted:
        yield Unchecked(at_total, relation, Text("合計に含まれる内訳がない", "the list has no items the total counts"))
        return
    amounts: list[tuple[int, Number, str | None]] = []
    blocked: list[tuple[int, Text]] = []
    for index, item in counted:
        cost, mark = as_number(item.cost, marks)
        if cost is None:
            form, no = cell_form(item.cost), item.no or index + 1
            blocked.append((index, Text(f"内訳 {no} の事業費が{form.ja}", f"item {no}'s cost is {form.en}")))
        else:
            amounts.append((index, cost, mark))
    if blocked:
        yield Unchecked(Location(target.file, target.path + ("items", blocked[0][0], "cost")), relation,
                        joined([reason for _, reason in blocked]))
        return
    yield Checked(at_total)
    # A mark declared zero is exactly 0: it adds nothing and carries no rounding.
    outcome = compare_sum(
        stated, [cost for _, cost, mark in amounts if mark is None], declared_rounding(projects, target.plan, "totals"),
        options.half_unit_per_item,
    )
    if outcome is None:
        return
    kind, args = outcome
    related = [
        Related(
            Location(target.file, target.path + ("items", index, "cost")),
            zero_note(Text(f"内訳 {projects.items[index].no or index + 1}",
                           f"item {projects.items[index].no or index + 1}"), mark),
        )
        for index, _, mark in amounts
    ]
    yield Finding(kind, at_total, {**args, "unit": projects.unit}, related)
