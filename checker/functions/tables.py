"""Statistics tables: the relations between their rows, column by column.

Each relation is one function a user ruleset can call on a table it selects
(`given: tables[id=population-by-age]`, `then: {function: row_sum, options: {row: total,
of: [young, working-age, old]}}`). `table_relations` runs the same functions for the
relations a table declares in its data, so a declared relation and a user rule are
checked the same way.

Rows are named by key: `old` in the same table, `population-by-age/old` in another table
of the same file. A relation is evaluated column by column, where every value it needs is
a number; a blank or `—` is not zero unless the relation, its column, its table or the
plan declares that mark to mean zero (`means_zero`, nearest first). Each column yields a
relation record: Checked at the stated cell, Unchecked at the cell that blocked it (with
why), NotApplicable where no row states anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from pydantic import Field

from checker.diagnostics import (
    Checked,
    Finding,
    Fix,
    Location,
    ModelPath,
    NotApplicable,
    Related,
    RelationRecord,
    Text,
    Unchecked,
    closest,
)
from checker.functions import Target, check_function
from checker.functions.options import FunctionOptions
from checker.functions.sums import (
    as_number,
    cell_form,
    compare_sum,
    declared_rounding,
    declared_zero_marks,
    joined,
    zero_note,
)
from checker.values import Absent, Number, format_decimal, interval, round_declared

_SUM_ARGS = ("stated", "computed", "difference", "count", "allowance", "column", "row", "of")
SUM_TABLE_KINDS = {
    "sum_mismatch": _SUM_ARGS,
    "sum_within_rounding": _SUM_ARGS,
    "sum_beyond_declared_rounding": (*_SUM_ARGS, "rounding", "stated_interval", "computed_interval"),
    "sum_truncated": (*_SUM_ARGS, "rounding", "rounding_name"),
}
RATIO_KINDS = {"ratio_mismatch": ("stated", "computed", "exact", "numerator", "denominator", "scale", "places",
                                  "column", "row", "numerator_row", "denominator_row", "rounding")}
SUBSET_KINDS = {"subset_exceeds": ("stated", "whole", "difference", "column", "row", "whole_row")}
EQUAL_KINDS = {"not_equal": ("stated", "other_value", "difference", "column", "row", "other")}
# a row name that is not in the table: a relation the data declares (TAB005), or a user
# rule that does not fit the table (RULE001)
UNKNOWN_ROW = {"unknown_row": ("reference", "option", "table", "known", "suggestion")}
RELATION_KINDS = {**SUM_TABLE_KINDS, **RATIO_KINDS, **SUBSET_KINDS, **EQUAL_KINDS, **UNKNOWN_ROW}
_ROW = Field(description="The row's key: `old` in the selected table, `table-id/old` in another table of the file.")


class HalfUnitOptions(FunctionOptions):
    half_unit_per_item: bool = Field(False, description="Without a declared rounding, allow half a unit per "
                                     "summed row (each row rounded on its own); false: every gap is an error.")


class RowSumOptions(HalfUnitOptions):
    row: str = _ROW
    of: list[str] = Field(description="The rows that add up to `row`.")


class RowRatioOptions(FunctionOptions):
    row: str = _ROW
    numerator: str = Field(description="The row divided.")
    denominator: str = Field(description="The row divided by.")
    scale: Decimal = Field(Decimal(1), description="The quotient's factor: 100 for a percentage.")
    places: int | None = Field(None, ge=0, description="Decimals to round to; not given: the stated value's own.")


class RowSubsetOptions(FunctionOptions):
    row: str = _ROW
    of: str | list[str] = Field(description="The row `row` is a part of (うち): a key, or a list of one key.")


class RowEqualOptions(FunctionOptions):
    row: str = _ROW
    other: str = Field(description="The row that states the same quantity.")


class RowOptions(FunctionOptions):
    row: str = _ROW


class RowBoundOptions(FunctionOptions):
    row: str = _ROW
    min: Decimal | None = Field(None, description="The least value allowed; not given: no lower bound.")
    max: Decimal | None = Field(None, description="The greatest value allowed; not given: no upper bound.")


@dataclass(frozen=True)
class RowRef:
    path: ModelPath  # of the row within its file
    table: Any
    row: Any

    def value(self, column: str) -> Any:
        """The cell as read (None when the row leaves the column out: a blank)."""
        return self.row.values.get(column)

    def has_column(self, column: str) -> bool:
        return column in self.row.values or any(declared.key == column for declared in self.table.columns)

    def column(self, column: str) -> Any:
        return next((declared for declared in self.table.columns if declared.key == column), None)

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
        {"reference": reference, "option": option, "table": target.node.title, "known": known,
         "suggestion": _did_you_mean(reference, [row.key for row in target.node.rows])},
    )


def _did_you_mean(reference: str, keys: list[str]) -> Text:
    near = closest(reference.rpartition("/")[2], keys)
    return Text(f"（{near} の誤りではありませんか）", f" (did you mean {near}?)") if near else Text("", "")


def _unread_row(target: Target, reference: str, where: ModelPath) -> Unchecked | None:
    """Not an unknown row when the loader could not read a row (or table) it may name: the
    relation is not evaluated."""
    table_id, _, row_key = reference.rpartition("/")
    tables = target.plan.tables
    index = next((index for index, table in enumerate(tables)
                  if ((table.id == table_id) if table_id else (table is target.node))), None)
    container: ModelPath
    if index is None:
        container, name = ("tables",), table_id
    else:
        container, name = ("tables", index, "rows"), row_key
    lost = [item for item in target.plan.dropped_items(container) if item.key in (name, None)]
    relation = Text(f"行 {reference} を使う関係", f"the relation over row {reference}")
    return Unchecked(Location(target.file, where), relation, lost[0].reason()) if lost else None


def _resolve_all(
    target: Target, references: dict[str, list[str]], where: ModelPath
) -> tuple[dict[str, list[RowRef]], list[Finding | Unchecked]]:
    resolved: dict[str, list[RowRef]] = {}
    problems: list[Finding | Unchecked] = []
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
    """The table's columns in order, then any the row states that the columns list lacks: a
    column the row leaves out is a blank cell of the printed table, not a missing relation."""
    order = [column.key for column in ref.table.columns]
    return order + [key for key in ref.row.values if key not in order]


def _names(refs: list[RowRef], here: Any) -> list[Text]:
    return [ref.label(here) for ref in refs]


def _marks(target: Target, declared: Any, ref: RowRef, column: str) -> tuple[str, ...]:
    """The marks that mean zero for this cell: the relation's declaration, else its
    column's, its table's, the plan's."""
    return declared_zero_marks(declared, ref.column(column), ref.table, target.plan.plan)


def _in_column(relation: Text, column: str) -> Text:
    return Text(f"{relation.ja}（「{column}」列）", f"{relation.en} (column {column})")


def _read(
    target: Target, declared: Any, refs: list[RowRef], column: str, relation: Text
) -> list[tuple[Number, str | None]] | RelationRecord:
    """The numbers of `refs` in `column` (with the declared mark that made a cell 0), or
    why the relation cannot be evaluated there: NotApplicable when no row states anything
    in the column (or a row's table has no such column), else Unchecked at the first cell
    that is not a number, the reason naming every such cell."""
    here = target.node
    first = refs[0].location(target.file, column)
    for ref in refs:
        if not ref.has_column(column):
            title = ref.table.title
            return NotApplicable(first, relation, Text(f"表「{title}」に「{column}」の列がない",
                                                       f"table {title} has no column {column}"))
    cells = [ref.value(column) for ref in refs]
    if all(cell is None or isinstance(cell, Absent) for cell in cells):
        return NotApplicable(first, relation, Text("この列はどの行にも値がない", "no row states a value in this column"))
    read: list[tuple[Number, str | None]] = []
    blocked: list[tuple[RowRef, Text]] = []
    for ref, cell in zip(refs, cells):
        number, mark = as_number(Absent("blank", "") if cell is None else cell, _marks(target, declared, ref, column))
        if number is None:
            form, name = cell_form(cell), ref.label(here)
            blocked.append((ref, Text(f"{name.ja}の「{column}」が{form.ja}", f"{name.en}, column {column}, is {form.en}")))
        else:
            read.append((number, mark))
    if blocked:
        return Unchecked(blocked[0][0].location(target.file, column), relation, joined([why for _, why in blocked]))
    return read


def check_sum(
    target: Target, row: str, of: list[str], half_unit_per_item: bool, where: ModelPath, declared: Any = None
) -> Iterator[Finding | RelationRecord]:
    refs, problems = _resolve_all(target, {"row": [row], "of": list(of)}, where)
    yield from problems
    if problems:
        return
    [total], parts = refs["row"], refs["of"]
    rounding = declared_rounding(total.table, target.plan, "totals")
    kinds = {"beyond_rounding": "sum_mismatch", "within_rounding": "sum_within_rounding",
             "beyond_declared_rounding": "sum_beyond_declared_rounding", "truncated": "sum_truncated"}
    here = target.node
    relation = Text(f"{total.label(here).ja} ＝ {joined(_names(parts, here)).ja} の和",
                    f"{total.label(here).en} = the sum of {joined(_names(parts, here)).en}")
    for column in _columns(total):
        read = _read(target, declared, [total, *parts], column, _in_column(relation, column))
        if not isinstance(read, list):
            yield read
            continue
        (stated, stated_mark), values = read[0], read[1:]
        yield Checked(total.location(target.file, column))
        # A mark declared zero is exactly 0: it adds nothing and carries no rounding.
        outcome = compare_sum(stated, [value for value, mark in values if mark is None], rounding, half_unit_per_item)
        if outcome is None:
            continue
        kind, args = outcome
        of_names = [zero_note(part.label(here), mark) for part, (_, mark) in zip(parts, values)]
        related = [Related(part.location(target.file, column), name) for part, name in zip(parts, of_names)]
        yield Finding(
            kinds[kind],
            total.location(target.file, column),
            {**args, "allowance": args.get("allowance", Decimal(0)), "column": column,
             "row": zero_note(total.label(here), stated_mark), "of": of_names},
            related,
        )


def check_ratio(
    target: Target, row: str, numerator: str, denominator: str, scale: Decimal, places: int | None, where: ModelPath,
    declared: Any = None,
) -> Iterator[Finding | RelationRecord]:
    refs, problems = _resolve_all(target, {"row": [row], "numerator": [numerator], "denominator": [denominator]}, where)
    yield from problems
    if problems:
        return
    [ratio], [top], [bottom] = refs["row"], refs["numerator"], refs["denominator"]
    rounding = declared_rounding(ratio.table, target.plan, "rates")
    here = target.node
    relation = Text(f"{ratio.label(here).ja} ＝ {top.label(here).ja} ÷ {bottom.label(here).ja} × {scale}",
                    f"{ratio.label(here).en} = {top.label(here).en} / {bottom.label(here).en} × {scale}")
    for column in _columns(ratio):
        read = _read(target, declared, [ratio, top, bottom], column, _in_column(relation, column))
        if not isinstance(read, list):
            yield read
            continue
        (stated, stated_mark), (num, num_mark), (den, den_mark) = read
        if den.value == 0:
            name = zero_note(bottom.label(here), den_mark)
            yield Unchecked(bottom.location(target.file, column), _in_column(relation, column),
                            Text(f"分母の{name.ja}の「{column}」が 0", f"the denominator, {name.en} in column {column}, is 0"))
            continue
        yield Checked(ratio.location(target.file, column))
        exact = num.value / den.value * scale
        digits = stated.places if places is None else places
        computed = round_declared(exact, digits, rounding)
        # A blank taken as 0 prints no decimals: its precision is the relation's.
        precise = stated_mark is not None or stated.places == digits
        # The stated ratio stands for an interval under the declared rounding; the exact
        # quotient must fall in it (half up when none is declared).
        if rounding is None:
            consistent = computed == stated.value and precise
        else:
            stated_interval = interval(stated, rounding)
            consistent = stated_interval.low <= exact <= stated_interval.high and precise
        if consistent:
            continue
        location = ratio.location(target.file, column)
        yield Finding(
            "ratio_mismatch",
            location,
            {"stated": stated.value, "computed": computed, "exact": round_declared(exact, digits + 3, None),
             "numerator": num.value, "denominator": den.value, "scale": scale, "places": digits,
             "column": column, "row": zero_note(ratio.label(here), stated_mark),
             "numerator_row": zero_note(top.label(here), num_mark),
             "denominator_row": zero_note(bottom.label(here), den_mark),
             "rounding": Text(rounding or "四捨五入", rounding or "half up")},
            [Related(top.location(target.file, column), zero_note(Text("分子", "numerator"), num_mark)),
             Related(bottom.location(target.file, column), zero_note(Text("分母", "denominator"), den_mark))],
            Fix(location, format_decimal(computed, digits).replace(",", "")),
        )


def _paired_cells(
    target: Target, row: str, option: str, other: str, where: ModelPath, declared: Any, relation: Text
) -> Iterator[Finding | RelationRecord | tuple[RowRef, RowRef, str, Number, Number, str | None, str | None]]:
    """The unknown-row findings, then per column either why the pair cannot be compared
    (a record) or (row, other row, column, value, other value, and the marks that made
    either 0); a compared column's Checked is the caller's."""
    refs, problems = _resolve_all(target, {"row": [row], option: [other]}, where)
    yield from problems
    if problems:
        return
    [mine], [theirs] = refs["row"], refs[option]
    for column in _columns(mine):
        read = _read(target, declared, [mine, theirs], column, _in_column(relation, column))
        if not isinstance(read, list):
            yield read
            continue
        (value, mark), (reference, other_mark) = read
        yield mine, theirs, column, value, reference, mark, other_mark


def _pair_relation(target: Target, row: str, other: str, ja: str, en: str) -> Text:
    """The relation between two rows, named by their labels (or keys, when one is unknown)."""
    here = target.node
    names = []
    for reference in (row, other):
        ref = resolve_row(target, str(reference))
        names.append(ref.label(here) if ref is not None else Text(str(reference), str(reference)))
    return Text(f"{names[0].ja} {ja} {names[1].ja}", f"{names[0].en} {en} {names[1].en}")


def check_subset(target: Target, row: str, whole: str, where: ModelPath, declared: Any = None
                 ) -> Iterator[Finding | RelationRecord]:
    relation = _pair_relation(target, row, whole, "≦", "≤")
    for pair in _paired_cells(target, row, "of", whole, where, declared, relation):
        if not isinstance(pair, tuple):
            yield pair
            continue
        part, total, column, value, limit, mark, whole_mark = pair
        yield Checked(part.location(target.file, column))
        if value.value <= limit.value:
            continue
        yield Finding(
            "subset_exceeds",
            part.location(target.file, column),
            {"stated": value.value, "whole": limit.value, "difference": value.value - limit.value,
             "column": column, "row": zero_note(part.label(target.node), mark),
             "whole_row": zero_note(total.label(target.node), whole_mark)},
            [Related(total.location(target.file, column), zero_note(Text("全体", "the whole"), whole_mark))],
        )


def check_equal(target: Target, row: str, other: str, where: ModelPath, declared: Any = None
                ) -> Iterator[Finding | RelationRecord]:
    relation = _pair_relation(target, row, other, "＝", "=")
    for pair in _paired_cells(target, row, "other", other, where, declared, relation):
        if not isinstance(pair, tuple):
            yield pair
            continue
        mine, theirs, column, value, reference, mark, other_mark = pair
        yield Checked(mine.location(target.file, column))
        if value.value == reference.value:
            continue
        yield Finding(
            "not_equal",
            mine.location(target.file, column),
            {"stated": value.value, "other_value": reference.value, "difference": value.value - reference.value,
             "column": column, "row": zero_note(mine.label(target.node), mark),
             "other": zero_note(theirs.label(target.node), other_mark)},
            [Related(theirs.location(target.file, column),
                     zero_note(Text("同じ量を示す行", "the row stating the same quantity"), other_mark))],
        )


_MAIN_KIND = {"sum": "sum_mismatch", "ratio": "ratio_mismatch", "subset": "subset_exceeds", "equal": "not_equal"}


@check_function("table_relations", given=("tables",), kinds=RELATION_KINDS, options=HalfUnitOptions)
def table_relations(target: Target, options: HalfUnitOptions) -> Iterator[Finding | RelationRecord]:
    """Every relation the table declares holds in every column of the table; a column
    where a cell it needs is not a number is reported as unchecked, and one that no row
    states as not applicable."""
    for index, relation in enumerate(target.node.relations):
        where = target.path + ("relations", index)
        if relation.check == "sum":
            found = check_sum(target, relation.row, relation.of, options.half_unit_per_item, where, relation)
        elif relation.check == "ratio":
            found = check_ratio(target, relation.row, relation.numerator, relation.denominator,
                                Decimal(relation.scale), relation.places, where, relation)
        elif relation.check == "subset":
            found = check_subset(target, relation.row, relation.of[0], where, relation)
        else:
            found = check_equal(target, relation.row, relation.other, where, relation)
        # a relation not checked is its own rule's (TAB002 for a ratio), not TAB001's
        kind = _MAIN_KIND[relation.check]
        for item in found:
            yield replace(item, kind=kind) if isinstance(item, Unchecked) and item.kind is None else item


@check_function("row_sum", given=("tables",), kinds={**SUM_TABLE_KINDS, **UNKNOWN_ROW}, options=RowSumOptions,
                target_mismatch="unknown_row")
def row_sum(target: Target, options: RowSumOptions) -> Iterator[Finding | RelationRecord]:
    """`row` equals the sum of the rows `of`, in every column."""
    yield from check_sum(target, options.row, list(options.of), options.half_unit_per_item, target.path)


@check_function("row_ratio", given=("tables",), kinds={**RATIO_KINDS, **UNKNOWN_ROW}, options=RowRatioOptions,
                target_mismatch="unknown_row")
def row_ratio(target: Target, options: RowRatioOptions) -> Iterator[Finding | RelationRecord]:
    """`row` equals numerator / denominator × scale, rounded to `places` decimals (its own
    stated decimals when not given) the declared way, in every column."""
    yield from check_ratio(target, options.row, options.numerator, options.denominator,
                           options.scale, options.places, target.path)


@check_function("row_subset", given=("tables",), kinds={**SUBSET_KINDS, **UNKNOWN_ROW}, options=RowSubsetOptions,
                target_mismatch="unknown_row")
def row_subset(target: Target, options: RowSubsetOptions) -> Iterator[Finding | RelationRecord]:
    """`row` (a うち row) is not larger than the row `of`, in every column."""
    whole = options.of[0] if isinstance(options.of, list) else options.of
    yield from check_subset(target, options.row, whole, target.path)


@check_function("row_equal", given=("tables",), kinds={**EQUAL_KINDS, **UNKNOWN_ROW}, options=RowEqualOptions,
                target_mismatch="unknown_row")
def row_equal(target: Target, options: RowEqualOptions) -> Iterator[Finding | RelationRecord]:
    """`row` equals `other` (a row of this table, or `table-id/row` of another) in every
    column both have."""
    yield from check_equal(target, options.row, options.other, target.path)


@check_function("row_non_decreasing", given=("tables",), options=RowOptions, target_mismatch="unknown_row",
                kinds={"decreased": ("stated", "previous", "column", "previous_column", "row"), **UNKNOWN_ROW})
def row_non_decreasing(target: Target, options: RowOptions) -> Iterator[Finding | RelationRecord]:
    """`row` never decreases from one column to the next (a cumulative count). Each value
    is compared with the nearest stated value before it; a cell that is not a number
    between stated values is a hole in the series, reported as unchecked."""
    refs, problems = _resolve_all(target, {"row": [options.row]}, target.path)
    yield from problems
    if problems:
        return
    [ref] = refs["row"]
    name = ref.label(target.node)
    relation = Text(f"{name.ja}が前の列から減らない", f"{name.en} does not decrease from one column to the next")
    columns = _columns(ref)
    if all(ref.value(column) is None or isinstance(ref.value(column), Absent) for column in columns):
        if columns:
            yield NotApplicable(ref.location(target.file, columns[0]), relation,
                                Text("この行はどの列にも値がない", "the row states no value in any column"))
        return
    previous: tuple[str, Number, str | None] | None = None
    for column in columns:
        cell = ref.value(column)
        value, mark = as_number(Absent("blank", "") if cell is None else cell, _marks(target, None, ref, column))
        if value is None:
            form = cell_form(cell)
            yield Unchecked(ref.location(target.file, column), _in_column(relation, column),
                            Text(f"「{column}」が{form.ja}", f"column {column} is {form.en}"))
            continue
        if previous is not None:
            yield Checked(ref.location(target.file, column))
            if value.value < previous[1].value:
                yield Finding(
                    "decreased",
                    ref.location(target.file, column),
                    {"stated": value.value, "previous": previous[1].value, "column": column,
                     "previous_column": previous[0], "row": zero_note(name, mark)},
                    [Related(ref.location(target.file, previous[0]),
                             zero_note(Text("前の列", "the previous column"), previous[2]))],
                )
        previous = (column, value, mark)


@check_function("row_bound", given=("tables",), options=RowBoundOptions, target_mismatch="unknown_row",
                kinds={"out_of_bounds": ("stated", "min", "max", "column", "row"), **UNKNOWN_ROW})
def row_bound(target: Target, options: RowBoundOptions) -> Iterator[Finding | RelationRecord]:
    """Every value of `row` lies within [min, max] (either may be left out). A blank or
    absent cell states nothing to bound (not applicable); text or an unreadable value is
    unchecked."""
    low = options.min
    high = options.max
    refs, problems = _resolve_all(target, {"row": [options.row]}, target.path)
    yield from problems
    if problems:
        return
    [ref] = refs["row"]
    name = ref.label(target.node)
    bounds = f"{'' if low is None else format_decimal(low)}～{'' if high is None else format_decimal(high)}"
    relation = Text(f"{name.ja}が {bounds} の範囲にある", f"{name.en} lies within {bounds}")
    for column in _columns(ref):
        cell = ref.value(column)
        value, mark = as_number(Absent("blank", "") if cell is None else cell, _marks(target, None, ref, column))
        location = ref.location(target.file, column)
        if value is None:
            form = cell_form(cell)
            reason = Text(f"「{column}」が{form.ja}", f"column {column} is {form.en}")
            if cell is None or isinstance(cell, Absent):
                yield NotApplicable(location, _in_column(relation, column), reason)
            else:
                yield Unchecked(location, _in_column(relation, column), reason)
            continue
        yield Checked(location)
        if (low is None or value.value >= low) and (high is None or value.value <= high):
            continue
        yield Finding(
            "out_of_bounds",
            location,
            {"stated": value.value, "min": "—" if low is None else low, "max": "—" if high is None else high,
             "column": column, "row": zero_note(name, mark)},
        )
