"""Statistics tables: the relations between their rows, column by column.

Each relation is one function a user ruleset can call on a table it selects
(`given: tables[id=population-by-age]`, `then: {function: row_sum, options: {row: total,
of: [young, working-age, old]}}`). `table_relations` runs the same functions for the
relations a table declares in its data, so a declared relation and a user rule are
checked the same way.

Rows are named by key: `old` in the same table, `population-by-age/old` in another table
of the same file. A column is compared only where every value it needs is a number; a
blank or `—` is not zero.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from checker.diagnostics import Finding, Fix, Location, ModelPath, Related, Text, Unchecked
from checker.functions import Target, check_function
from checker.functions.sums import compare_sum, declared_rounding
from checker.values import Number, format_decimal, interval, round_declared

SUM_TABLE_KINDS = ("sum_mismatch", "sum_within_rounding", "sum_beyond_declared_rounding")
RELATION_KINDS = (*SUM_TABLE_KINDS, "ratio_mismatch", "subset_exceeds", "not_equal", "unknown_row")
ROW_KINDS = ("decreased", "out_of_bounds", "unknown_row")


@dataclass(frozen=True)
class RowRef:
    path: ModelPath  # of the row within its file
    table: Any
    row: Any

    def cell(self, column: str) -> Number | None:
        value = self.row.values.get(column)
        return value if isinstance(value, Number) else None

    def location(self, file: str, column: str) -> Location:
        return Location(file, self.path + ("values", column))

    def label(self, here: Any) -> Text:
        name = self.row.name if self.table is here else f"{self.table.number or self.table.id} {self.row.name}"
        return Text(name, name)


def resolve_row(target: Target, reference: str) -> RowRef | None:
    """A row of the target table (`old`) or of another table in its file (`table-id/old`)."""
    table_id, _, row_key = reference.rpartition("/")
    for index, table in enumerate(target.plan.tables):
        if (table.id == table_id) if table_id else (table is target.node):
            for row_index, row in enumerate(table.rows):
                if row.key == row_key:
                    return RowRef(("tables", index, "rows", row_index), table, row)
    return None


def _unknown(target: Target, option: str, reference: str, where: ModelPath) -> Finding:
    known = ", ".join(row.key for row in target.node.rows)
    return Finding(
        "unknown_row",
        Location(target.file, where),
        {"reference": reference, "option": option, "table": target.node.title, "known": known},
    )


def _unread_row(target: Target, reference: str, where: ModelPath) -> Unchecked | None:
    """Not an unknown row when the loader could not read a row (or table) it may name: the
    relation is not evaluated."""
    table_id, _, row_key = reference.rpartition("/")
    tables = target.plan.tables
    index = next((index for index, table in enumerate(tables)
                  if ((table.id == table_id) if table_id else (table is target.node))), None)
    if index is None:
        container, name = ("tables",), table_id
    else:
        container, name = ("tables", index, "rows"), row_key
    lost = [item for item in target.plan.dropped_items(container) if item.key in (name, None)]
    relation = Text(f"行 {reference} を使う関係", f"the relation over row {reference}")
    return Unchecked(Location(target.file, where), relation, lost[0].reason()) if lost else None


def _resolve_all(
    target: Target, references: dict[str, list[str]], where: ModelPath
) -> tuple[dict[str, list[RowRef]], list[Finding]]:
    resolved: dict[str, list[RowRef]] = {}
    problems: list[Finding] = []
    for option, names in references.items():
        rows = []
        for name in names:
            ref = resolve_row(target, str(name))
            if ref is None:
                problems.append(_unread_row(target, str(name), where) or _unknown(target, option, str(name), where))
            else:
                rows.append(ref)
        resolved[option] = rows
    return resolved, problems


def _columns(ref: RowRef) -> list[str]:
    """The row's columns in the table's column order (then any the columns list lacks)."""
    order = [column.key for column in ref.table.columns]
    keys = list(ref.row.values)
    return [key for key in order if key in keys] + [key for key in keys if key not in order]


def _names(refs: list[RowRef], here: Any) -> list[Text]:
    return [ref.label(here) for ref in refs]


def check_sum(target: Target, row: str, of: list[str], half_unit_per_item: bool, where: ModelPath) -> Iterator[Finding]:
    refs, problems = _resolve_all(target, {"row": [row], "of": list(of)}, where)
    yield from problems
    if problems:
        return
    [total], parts = refs["row"], refs["of"]
    rounding = declared_rounding(total.table, target.plan)
    kinds = {"beyond_rounding": "sum_mismatch", "within_rounding": "sum_within_rounding",
             "beyond_declared_rounding": "sum_beyond_declared_rounding"}
    for column in _columns(total):
        stated = total.cell(column)
        values = [part.cell(column) for part in parts]
        if stated is None or any(value is None for value in values):
            continue
        outcome = compare_sum(stated, values, rounding, half_unit_per_item)  # type: ignore[arg-type]
        if outcome is None:
            continue
        kind, args = outcome
        related = [Related(part.location(target.file, column), part.label(target.node)) for part in parts]
        yield Finding(
            kinds[kind],
            total.location(target.file, column),
            {**args, "allowance": args.get("allowance", Decimal(0)), "column": column,
             "row": total.label(target.node), "of": _names(parts, target.node)},
            related,
        )


def check_ratio(
    target: Target, row: str, numerator: str, denominator: str, scale: Decimal, places: int | None, where: ModelPath
) -> Iterator[Finding]:
    refs, problems = _resolve_all(target, {"row": [row], "numerator": [numerator], "denominator": [denominator]}, where)
    yield from problems
    if problems:
        return
    [ratio], [top], [bottom] = refs["row"], refs["numerator"], refs["denominator"]
    rounding = declared_rounding(ratio.table, target.plan)
    for column in _columns(ratio):
        stated, num, den = ratio.cell(column), top.cell(column), bottom.cell(column)
        if stated is None or num is None or den is None or den.value == 0:
            continue
        exact = num.value / den.value * scale
        digits = stated.places if places is None else places
        computed = round_declared(exact, digits, rounding)
        # The stated ratio stands for an interval under the declared rounding; the exact
        # quotient must fall in it (half up when none is declared).
        if rounding is None:
            consistent = computed == stated.value and stated.places == digits
        else:
            stated_interval = interval(stated, rounding)
            consistent = stated_interval.low <= exact <= stated_interval.high and stated.places == digits
        if consistent:
            continue
        location = ratio.location(target.file, column)
        yield Finding(
            "ratio_mismatch",
            location,
            {"stated": stated.value, "computed": computed, "exact": round_declared(exact, digits + 3, None),
             "numerator": num.value, "denominator": den.value, "scale": scale, "places": digits,
             "column": column, "row": ratio.label(target.node),
             "numerator_row": top.label(target.node), "denominator_row": bottom.label(target.node),
             "rounding": Text(rounding or "四捨五入", rounding or "half up")},
            [Related(top.location(target.file, column), Text("分子", "numerator")),
             Related(bottom.location(target.file, column), Text("分母", "denominator"))],
            Fix(location, format_decimal(computed, digits).replace(",", "")),
        )


def _paired_cells(
    target: Target, row: str, option: str, other: str, where: ModelPath
) -> Iterator[Finding | tuple[RowRef, RowRef, str, Number, Number]]:
    """The unknown-row findings, then (row, other row, column, value, other value) for every
    column where both rows state a number."""
    refs, problems = _resolve_all(target, {"row": [row], option: [other]}, where)
    yield from problems
    if problems:
        return
    [mine], [theirs] = refs["row"], refs[option]
    for column in _columns(mine):
        value, reference = mine.cell(column), theirs.cell(column)
        if value is not None and reference is not None:
            yield mine, theirs, column, value, reference


def check_subset(target: Target, row: str, whole: str, where: ModelPath) -> Iterator[Finding]:
    for pair in _paired_cells(target, row, "of", whole, where):
        if isinstance(pair, (Finding, Unchecked)):
            yield pair
            continue
        part, total, column, value, limit = pair
        if value.value <= limit.value:
            continue
        yield Finding(
            "subset_exceeds",
            part.location(target.file, column),
            {"stated": value.value, "whole": limit.value, "difference": value.value - limit.value,
             "column": column, "row": part.label(target.node), "whole_row": total.label(target.node)},
            [Related(total.location(target.file, column), Text("全体", "the whole"))],
        )


def check_equal(target: Target, row: str, other: str, where: ModelPath) -> Iterator[Finding]:
    for pair in _paired_cells(target, row, "other", other, where):
        if isinstance(pair, (Finding, Unchecked)):
            yield pair
            continue
        mine, theirs, column, value, reference = pair
        if value.value == reference.value:
            continue
        yield Finding(
            "not_equal",
            mine.location(target.file, column),
            {"stated": value.value, "other_value": reference.value, "difference": value.value - reference.value,
             "column": column, "row": mine.label(target.node), "other": theirs.label(target.node)},
            [Related(theirs.location(target.file, column), Text("同じ量を示す行", "the row stating the same quantity"))],
        )


@check_function(
    "table_relations", given=("tables",), kinds=RELATION_KINDS, options={"half_unit_per_item": False}
)
def table_relations(target: Target, options: dict[str, Any]) -> Iterator[Finding]:
    """Every relation the table declares holds in every column its rows share."""
    for index, relation in enumerate(target.node.relations):
        where = target.path + ("relations", index)
        if relation.check == "sum":
            yield from check_sum(target, relation.row, relation.of, options["half_unit_per_item"], where)
        elif relation.check == "ratio":
            yield from check_ratio(target, relation.row, relation.numerator, relation.denominator,
                                   Decimal(relation.scale), relation.places, where)
        elif relation.check == "subset":
            yield from check_subset(target, relation.row, relation.of[0], where)
        else:
            yield from check_equal(target, relation.row, relation.other, where)


@check_function(
    "row_sum", given=("tables",), kinds=SUM_TABLE_KINDS + ("unknown_row",),
    options={"row": None, "of": None, "half_unit_per_item": False}, required=("row", "of"),
)
def row_sum(target: Target, options: dict[str, Any]) -> Iterator[Finding]:
    """`row` equals the sum of the rows `of`, in every column."""
    yield from check_sum(target, options["row"], list(options["of"]), options["half_unit_per_item"], target.path)


@check_function(
    "row_ratio", given=("tables",), kinds=("ratio_mismatch", "unknown_row"),
    options={"row": None, "numerator": None, "denominator": None, "scale": 1, "places": None},
    required=("row", "numerator", "denominator"),
)
def row_ratio(target: Target, options: dict[str, Any]) -> Iterator[Finding]:
    """`row` equals numerator / denominator × scale, rounded to `places` decimals (its own
    stated decimals when not given) the declared way, in every column."""
    yield from check_ratio(target, options["row"], options["numerator"], options["denominator"],
                           Decimal(str(options["scale"])), options["places"], target.path)


@check_function(
    "row_subset", given=("tables",), kinds=("subset_exceeds", "unknown_row"), options={"row": None, "of": None},
    required=("row", "of"),
)
def row_subset(target: Target, options: dict[str, Any]) -> Iterator[Finding]:
    """`row` (a うち row) is not larger than the row `of`, in every column."""
    whole = options["of"][0] if isinstance(options["of"], list) else options["of"]
    yield from check_subset(target, options["row"], whole, target.path)


@check_function(
    "row_equal", given=("tables",), kinds=("not_equal", "unknown_row"), options={"row": None, "other": None},
    required=("row", "other"),
)
def row_equal(target: Target, options: dict[str, Any]) -> Iterator[Finding]:
    """`row` equals `other` (a row of this table, or `table-id/row` of another) in every
    column both have."""
    yield from check_equal(target, options["row"], options["other"], target.path)


@check_function("row_non_decreasing", given=("tables",), kinds=ROW_KINDS, options={"row": None}, required=("row",))
def row_non_decreasing(target: Target, options: dict[str, Any]) -> Iterator[Finding]:
    """`row` never decreases from one column to the next (a cumulative count)."""
    refs, problems = _resolve_all(target, {"row": [options["row"]]}, target.path)
    yield from problems
    if problems:
        return
    [ref] = refs["row"]
    previous: tuple[str, Number] | None = None
    for column in _columns(ref):
        value = ref.cell(column)
        if value is None:
            continue
        if previous is not None and value.value < previous[1].value:
            yield Finding(
                "decreased",
                ref.location(target.file, column),
                {"stated": value.value, "previous": previous[1].value, "column": column,
                 "previous_column": previous[0], "row": ref.label(target.node)},
                [Related(ref.location(target.file, previous[0]), Text("前の列", "the previous column"))],
            )
        previous = (column, value)


@check_function(
    "row_bound", given=("tables",), kinds=ROW_KINDS, options={"row": None, "min": None, "max": None}, required=("row",)
)
def row_bound(target: Target, options: dict[str, Any]) -> Iterator[Finding]:
    """Every value of `row` lies within [min, max] (either may be left out)."""
    low = None if options["min"] is None else Decimal(str(options["min"]))
    high = None if options["max"] is None else Decimal(str(options["max"]))
    refs, problems = _resolve_all(target, {"row": [options["row"]]}, target.path)
    yield from problems
    if problems:
        return
    [ref] = refs["row"]
    for column in _columns(ref):
        value = ref.cell(column)
        if value is None or ((low is None or value.value >= low) and (high is None or value.value <= high)):
            continue
        yield Finding(
            "out_of_bounds",
            ref.location(target.file, column),
            {"stated": value.value, "min": "—" if low is None else low, "max": "—" if high is None else high,
             "column": column, "row": ref.label(target.node)},
        )
