"""Statistics tables: the relations between their lines, along rows or along columns.

A relation states one *line* of a table: a row (`row: total`, evaluated at every column:
its cells across the columns) or a column (`column: 計`, evaluated at every row: its
cells down the rows), in terms of other lines of the same axis. The lines it does not
state are its *cross lines*: every line of the other axis, at every depth of the tree,
in printed order (a header column or a heading row only where it states values),
narrowed by the relation's `only` / `skip`. Lines are named by key at any depth of the
row and column trees: `old` in the same table, `population-by-age/old` for a line of
another table of the same file.

A relation is evaluated at each cross line where every value it needs is a number; a
blank or `—` is not zero unless the relation, its column (or a header over it), its
table or the plan declares that mark to mean zero (`means_zero`, nearest first). Each
cross line yields a relation record: Checked at the stated cell, Unchecked at the cell
that blocked it (with why), NotApplicable where no line states anything.

The API other modules build on:

- `Line` (`resolve_line(target, reference, axis)`): a row or a column of a table, with
  `value(cross)`, `has(cross)`, `location(file, cross)`, `label(here)`, `unit(cross)` and
  `marks(target, declared, cross)` at the cell where it meets a cross line (a key of the
  other axis).
- `evaluate_relation(target, relation, where, options)`: evaluates one `Relation` (one
  declared in the data, or one built in code, e.g. from a table's kind) on a table
  target; `where` is the model path its unknown-line findings are reported at. It yields
  findings and relation records; a record that is not checked carries the form's main
  kind. `options` is any FunctionOptions (`half_unit_per_item` is read when present).
- `FORMS` / `register_form(check, main_kind, kinds)`: the dispatch table keyed by
  relation form. A module registers an evaluator `(target, relation, where, options) ->
  Iterator[Finding | RelationRecord]` for its forms, and the kinds its findings carry
  join `table_relations`'. Helpers for evaluators: `lines_of` (resolve a relation's
  operands, yielding unknown-line findings), `cross_lines` (the cross lines after `only`
  / `skip`), `read_cells` (the numbers at one cross line, or the record why not),
  `at_cross` and `cross_at` (the cross line named in a relation and in a message).

Findings name the stated line (`line`) and the cross line (`at`: 「令和3年度」列 / column
令和3年度 for a row relation, 「議会費」行 / row 議会費 for a column relation); `row` and
`column` are the stated cell's row and column.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Literal

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
from checker.functions import FUNCTIONS, Target, check_function
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
from checker.kinds import kind_relations
from checker.model import Relation
from checker.values import Absent, Number, format_decimal, interval, round_declared

Axis = Literal["row", "column"]

_CELL_ARGS = ("line", "at", "column", "row")
_SUM_ARGS = ("stated", "computed", "difference", "count", "allowance", *_CELL_ARGS, "of")
SUM_TABLE_KINDS = {
    "sum_mismatch": _SUM_ARGS,
    "sum_within_rounding": _SUM_ARGS,
    "sum_beyond_declared_rounding": (*_SUM_ARGS, "rounding", "stated_interval", "computed_interval"),
    "sum_truncated": (*_SUM_ARGS, "rounding", "rounding_name"),
}
RATIO_KINDS = {"ratio_mismatch": ("stated", "computed", "exact", "numerator", "denominator", "scale", "places",
                                  *_CELL_ARGS, "numerator_row", "denominator_row", "rounding")}
SUBSET_KINDS = {"subset_exceeds": ("stated", "whole", "difference", *_CELL_ARGS, "whole_row")}
EQUAL_KINDS = {"not_equal": ("stated", "other_value", "difference", *_CELL_ARGS, "other")}
BOUND_KINDS = {"out_of_bounds": ("stated", "min", "max", *_CELL_ARGS)}
# a line name that is not in the table: a relation the data declares (TAB005), or a user
# rule that does not fit the table (RULE001)
UNKNOWN_ROW = {"unknown_row": ("reference", "option", "table", "known", "suggestion", "axis")}
# every kind table_relations reports; register_form adds the kinds of forms other modules evaluate
RELATION_KINDS: dict[str, tuple[str, ...]] = {**SUM_TABLE_KINDS, **RATIO_KINDS, **SUBSET_KINDS, **EQUAL_KINDS, **BOUND_KINDS, **UNKNOWN_ROW}
_ROW = Field(description="The row's key: `old` in the selected table, `table-id/old` in another table of the file.")

_AXIS = {"row": Text("行", "row"), "column": Text("列", "column")}
_OTHER: dict[str, Axis] = {"row": "column", "column": "row"}


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


# --- lines ---------------------------------------------------------------------------------


# (model path within the file, the line, its parent line or None)
_Entry = tuple[ModelPath, Any, Any]


@dataclass(eq=False)
class TableIndex:
    """A table's rows and columns at every depth, by key, with their model paths within
    the file and their parents."""

    table: Any
    position: int  # the table's index in the file's `tables`
    rows: dict[str, _Entry] = field(default_factory=dict)
    columns: dict[str, _Entry] = field(default_factory=dict)

    @classmethod
    def of(cls, table: Any, position: int) -> TableIndex:
        index = cls(table, position)
        for path, row, parent in table.all_rows():
            index.rows.setdefault(row.key, (("tables", position, *path), row, parent))
        for path, column, parent in table.all_columns():
            index.columns.setdefault(column.key, (("tables", position, *path), column, parent))
        return index

    def lines(self, axis: str) -> dict[str, _Entry]:
        return self.rows if axis == "row" else self.columns

    def column_title(self, key: str) -> str:
        """A column as printed: its header, under its parent header's when it has a name of
        its own (令和3年度 見込量); a key no column declares, as it is."""
        entry = self.columns.get(key)
        if entry is None:
            return key
        _, column, parent = entry
        if column.name is None:
            return str(column.key)
        return f"{self.column_title(parent.key)} {column.name}" if parent is not None else str(column.name)

    def row_title(self, key: str) -> str:
        entry = self.rows.get(key)
        return key if entry is None else str(entry[1].name)

    def title(self, axis: str, key: str) -> str:
        return self.row_title(key) if axis == "row" else self.column_title(key)

    def ancestors(self, axis: str, key: str) -> list[Any]:
        """The line `key` of `axis` and the lines over it, nearest first."""
        found = []
        entry = self.lines(axis).get(key)
        while entry is not None:
            found.append(entry[1])
            entry = self.lines(axis).get(entry[2].key) if entry[2] is not None else None
        return found


@dataclass(eq=False)
class Line:
    """A row (its cells across the columns) or a column (its cells down the rows) of a
    table; `cross` below is always a key of the other axis."""

    axis: Axis
    index: TableIndex
    key: str

    @property
    def table(self) -> Any:
        return self.index.table

    @property
    def node(self) -> Any:
        return self.index.lines(self.axis)[self.key][1]

    @property
    def path(self) -> ModelPath:
        return self.index.lines(self.axis)[self.key][0]

    @property
    def title(self) -> str:
        return self.index.title(self.axis, self.key)

    def label(self, here: Any) -> Text:
        """The line's printed name, with its table's number (or id) when it is not `here`."""
        name = self.title if self.table is here else f"{self.table.number or self.table.id} {self.title}"
        return Text(name, name)

    def _cell(self, cross: str) -> tuple[_Entry | None, str]:
        """The cell's row (None when the table has no such row) and column key."""
        if self.axis == "row":
            return self.index.rows[self.key], cross
        return self.index.rows.get(cross), self.key

    def has(self, cross: str) -> bool:
        """Whether the line's table has the cross line (a row may state a column the
        columns list lacks: a blank cell of the printed table otherwise)."""
        if self.axis == "row":
            return cross in self.node.values or cross in self.index.columns
        return cross in self.index.rows

    def value(self, cross: str) -> Any:
        """The cell as read (None when the row leaves the column out: a blank)."""
        row, column = self._cell(cross)
        return None if row is None else row[1].values.get(column)

    def location(self, file: str, cross: str) -> Location:
        row, column = self._cell(cross)
        return Location(file, self.path if row is None else row[0] + ("values", column))

    def columns_at(self, cross: str) -> list[Any]:
        """The cell's column and the headers over it, nearest first."""
        return self.index.ancestors("column", self._cell(cross)[1])

    def rows_at(self, cross: str) -> list[Any]:
        """The cell's row and the rows over it, nearest first."""
        return self.index.ancestors("row", self.key if self.axis == "row" else cross)

    def unit(self, cross: str) -> str | None:
        """The cell's unit: its row's (or a row's over it), else its column's (or its header
        column's), else the table's."""
        for line in (*self.rows_at(cross), *self.columns_at(cross)):
            if line.unit:
                return str(line.unit)
        return self.table.unit

    def marks(self, target: Target, declared: Any, cross: str) -> tuple[str, ...]:
        """The marks that mean zero for this cell: the relation's declaration, else its
        column's (or a header's over it), its table's, the plan's."""
        return declared_zero_marks(declared, *self.columns_at(cross), self.table, target.plan.plan)


def _table_position(target: Target, table_id: str) -> int | None:
    for position, table in enumerate(target.plan.tables):
        if (table.id == table_id) if table_id else (table is target.node):
            return position
    return None


def resolve_line(target: Target, reference: str, axis: Axis) -> Line | None:
    """A line of `axis` at any depth of the target table (`old`) or of another table in its
    file (`table-id/old`); None when there is none."""
    table_id, _, key = str(reference).rpartition("/")
    position = _table_position(target, table_id)
    if position is None:
        return None
    index = TableIndex.of(target.plan.tables[position], position)
    return Line(axis, index, key) if key in index.lines(axis) else None


def _keys(table: Any, axis: str) -> list[str]:
    lines = table.all_rows() if axis == "row" else table.all_columns()
    return [line.key for _, line, _ in lines]


def unknown_line(target: Target, option: str, reference: str, where: ModelPath, axis: Axis) -> Finding:
    """The finding that a relation's `option` names a line `reference` of `axis` that the
    table (this one, or the one `table-id/` names) does not have."""
    table_id = str(reference).rpartition("/")[0]
    position = _table_position(target, table_id)
    table = target.node if position is None else target.plan.tables[position]
    keys = _keys(table, axis)
    return Finding(
        "unknown_row",
        Location(target.file, where),
        {"reference": reference, "option": option, "table": table.title, "known": ", ".join(keys),
         "suggestion": _did_you_mean(reference, keys), "axis": _AXIS[axis]},
    )


def _did_you_mean(reference: str, keys: list[str]) -> Text:
    near = closest(str(reference).rpartition("/")[2], keys)
    return Text(f"（{near} の誤りではありませんか）", f" (did you mean {near}?)") if near else Text("", "")


def _unread_line(target: Target, reference: str, where: ModelPath, axis: Axis) -> Unchecked | None:
    """Not an unknown line when the loader could not read a line (or table) it may name:
    the relation is not evaluated."""
    table_id, _, key = str(reference).rpartition("/")
    position = _table_position(target, table_id)
    containers: list[tuple[ModelPath, str]]
    if position is None:
        containers = [(("tables",), table_id)]
    else:
        field_name = "rows" if axis == "row" else "columns"
        index = TableIndex.of(target.plan.tables[position], position)
        containers = [(("tables", position, field_name), key)]
        containers += [(path + (field_name,), key) for path, _, _ in index.lines(axis).values()]
    lost = [item for container, name in containers for item in target.plan.dropped_items(container)
            if item.key in (name, None)]
    axis_word = _AXIS[axis]
    relation = Text(f"{axis_word.ja} {reference} を使う関係", f"the relation over {axis_word.en} {reference}")
    return Unchecked(Location(target.file, where), relation, lost[0].reason()) if lost else None


def lines_of(
    target: Target, axis: Axis, references: dict[str, list[str]], where: ModelPath
) -> Generator[Finding | Unchecked, None, dict[str, list[Line]] | None]:
    """Resolve each option's line keys along `axis`: yields a finding for each key that
    names no line (or the record that the loader lost the line it may name) and returns
    the lines by option, or None when any key failed (`lines = yield from lines_of(...)`)."""
    resolved: dict[str, list[Line]] = {}
    failed = False
    for option, names in references.items():
        lines = []
        for name in names:
            line = resolve_line(target, str(name), axis)
            if line is None:
                failed = True
                yield _unread_line(target, str(name), where, axis) or unknown_line(target, option, str(name), where, axis)
            else:
                lines.append(line)
        resolved[option] = lines
    return None if failed else resolved


def cross_lines(
    target: Target, relation: Relation, stated: Line, where: ModelPath
) -> Generator[Finding, None, list[str] | None]:
    """The cross lines `relation` is evaluated at, in printed order: every line of the
    other axis of the stated line's table at every depth (a header column or heading row
    only where it states values; a row's extra stated columns after the declared ones),
    then narrowed by `only` / `skip`. Yields a finding per `only` / `skip` key that names
    no cross line and returns the keys, or None when any did (`keys = yield from ...`)."""
    index, cross_axis = stated.index, _OTHER[stated.axis]
    everything = list(index.lines(cross_axis))
    if cross_axis == "column":
        stating = {key for _, row, _ in index.rows.values() for key in row.values}
        keys = [key for key, (_, column, _) in index.columns.items() if not column.columns or key in stating]
        keys += [key for key in stated.node.values if key not in index.columns]
        everything += [key for key in stated.node.values if key not in index.columns]
    else:
        keys = [key for key, (_, row, _) in index.rows.items() if row.values or not row.rows]
    failed = False
    for option, names in (("only", relation.only or []), ("skip", relation.skip)):
        for position, name in enumerate(names):
            if name not in everything:
                failed = True
                yield unknown_line(target, option, name, where + (option, position), cross_axis)
    if failed:
        return None
    if relation.only is not None:
        keys = [key for key in everything if key in relation.only]
    return [key for key in keys if key not in relation.skip]


def at_cross(relation: Text, stated: Line, cross: str) -> Text:
    """A relation named at one cross line: 「…（「B」列）」, 「…（「議会費」行）」."""
    where = cross_at(stated, cross)
    return Text(f"{relation.ja}（{where.ja}）", f"{relation.en} ({where.en})")


def cross_at(stated: Line, cross: str) -> Text:
    """The cross line as a message names it: 「令和3年度」列 / column 令和3年度."""
    axis = _OTHER[stated.axis]
    title = stated.index.title(axis, cross)
    return Text(f"「{title}」{_AXIS[axis].ja}", f"{_AXIS[axis].en} {title}")


def _cell_name(line: Line, cross: str, here: Any, form: Text) -> Text:
    """Why one cell blocks a relation: 「乙の「B」が空欄」, 「計の「議会費」行が空欄」."""
    name = line.label(here)
    title = line.index.title(_OTHER[line.axis], cross)
    if line.axis == "row":
        return Text(f"{name.ja}の「{title}」が{form.ja}", f"{name.en}, column {title}, is {form.en}")
    return Text(f"{name.ja}の「{title}」行が{form.ja}", f"{name.en}, row {title}, is {form.en}")


def _blank(cell: Any) -> bool:
    return cell is None or isinstance(cell, Absent)


def read_cells(
    target: Target, declared: Any, lines: list[Line], cross: str, relation: Text
) -> list[tuple[Number, str | None]] | RelationRecord:
    """The numbers of `lines` at the cross line (with the declared mark that made a cell
    0), or why the relation cannot be evaluated there: NotApplicable when no line states
    anything there (or a line's table has no such cross line), else Unchecked at the
    first cell that is not a number, the reason naming every such cell."""
    here = target.node
    stated = lines[0]
    first = stated.location(target.file, cross)
    named = at_cross(relation, stated, cross)
    for line in lines:
        if not line.has(cross):
            title, word = line.table.title, _AXIS[_OTHER[line.axis]]
            return NotApplicable(first, named, Text(f"表「{title}」に「{cross}」の{word.ja}がない",
                                                    f"table {title} has no {word.en} {cross}"))
    cells = [line.value(cross) for line in lines]
    if all(_blank(cell) for cell in cells):
        reason = (Text("この列はどの行にも値がない", "no row states a value in this column") if stated.axis == "row"
                  else Text("この行はどの列にも値がない", "no column states a value in this row"))
        return NotApplicable(first, named, reason)
    read: list[tuple[Number, str | None]] = []
    blocked: list[tuple[Line, Text]] = []
    for line, cell in zip(lines, cells):
        number, mark = as_number(Absent("blank", "") if cell is None else cell, line.marks(target, declared, cross))
        if number is None:
            blocked.append((line, _cell_name(line, cross, here, cell_form(cell))))
        else:
            read.append((number, mark))
    if blocked:
        return Unchecked(blocked[0][0].location(target.file, cross), named, joined([why for _, why in blocked]))
    return read


def _names(lines: list[Line], here: Any) -> list[Text]:
    return [line.label(here) for line in lines]


def _cell_args(target: Target, stated: Line, cross: str, mark: str | None) -> dict[str, Any]:
    """The arguments every finding at a stated cell carries: the stated line (`line`),
    the cross line (`at`), and the cell's row and column (the stated one with its mark)."""
    name = zero_note(stated.label(target.node), mark)
    other = stated.index.title(_OTHER[stated.axis], cross)
    if stated.axis == "row":
        return {"line": name, "at": cross_at(stated, cross), "row": name, "column": cross}
    return {"line": name, "at": cross_at(stated, cross), "row": Text(other, other), "column": name}


def _stated(relation: Relation) -> dict[str, list[str]]:
    return {relation.axis: [relation.line]}


# --- forms ---------------------------------------------------------------------------------

Evaluator = Callable[[Target, Relation, ModelPath, Any], Iterator[Finding | RelationRecord]]


@dataclass(frozen=True)
class Form:
    evaluate: Evaluator
    main_kind: str  # the kind whose rule a record not checked belongs to


FORMS: dict[str, Form] = {}


def register_form(check: str, main_kind: str, kinds: Mapping[str, tuple[str, ...]]) -> Callable[[Evaluator], Evaluator]:
    """Register the evaluator of relation form `check`; `kinds` (its findings' kinds and
    arguments) join table_relations' kinds, so that rules can report them."""

    def register(evaluate: Evaluator) -> Evaluator:
        FORMS[check] = Form(evaluate, main_kind)
        RELATION_KINDS.update({kind: tuple(args) for kind, args in kinds.items()})
        spec = FUNCTIONS.get("table_relations")
        if spec is not None:
            spec.kinds.update({kind: tuple(args) for kind, args in kinds.items()})
        return evaluate

    return register


def evaluate_relation(
    target: Target, relation: Relation, where: ModelPath, options: Any = None
) -> Iterator[Finding | RelationRecord]:
    """Evaluate one relation on the table target: its findings and a record per cross line.
    A record not checked names the form's main kind (a ratio not checked is TAB002's, not
    TAB001's); a form no module evaluates is one record not checked, at `where`."""
    form = FORMS.get(relation.check)
    if form is None:
        yield Unchecked(Location(target.file, where),
                        Text(f"{relation.line} の {relation.check} の関係", f"the {relation.check} relation of {relation.line}"),
                        Text(f"形式 {relation.check} を評価する検査が読み込まれていない",
                             f"no check that evaluates the form {relation.check} is loaded"))
        return
    for item in form.evaluate(target, relation, where, options):
        yield replace(item, kind=form.main_kind) if isinstance(item, Unchecked) and item.kind is None else item


@register_form("sum", "sum_mismatch", SUM_TABLE_KINDS)
def evaluate_sum(target: Target, relation: Relation, where: ModelPath, options: Any
                 ) -> Iterator[Finding | RelationRecord]:
    """The line = the sum of `of`, at every cross line."""
    lines = yield from lines_of(target, relation.axis, {**_stated(relation), "of": list(relation.of)}, where)
    if lines is None:
        return
    [total], parts = lines[relation.axis], lines["of"]
    crosses = yield from cross_lines(target, relation, total, where)
    if crosses is None:
        return
    half_unit = bool(getattr(options, "half_unit_per_item", False))
    rounding = declared_rounding(total.table, target.plan, "totals")
    kinds = {"beyond_rounding": "sum_mismatch", "within_rounding": "sum_within_rounding",
             "beyond_declared_rounding": "sum_beyond_declared_rounding", "truncated": "sum_truncated"}
    here = target.node
    text = Text(f"{total.label(here).ja} ＝ {joined(_names(parts, here)).ja} の和",
                f"{total.label(here).en} = the sum of {joined(_names(parts, here)).en}")
    for cross in crosses:
        read = read_cells(target, relation, [total, *parts], cross, text)
        if not isinstance(read, list):
            yield read
            continue
        (stated, stated_mark), values = read[0], read[1:]
        location = total.location(target.file, cross)
        yield Checked(location)
        # A mark declared zero is exactly 0: it adds nothing and carries no rounding.
        outcome = compare_sum(stated, [value for value, mark in values if mark is None], rounding, half_unit)
        if outcome is None:
            continue
        kind, args = outcome
        of_names = [zero_note(part.label(here), mark) for part, (_, mark) in zip(parts, values)]
        related = [Related(part.location(target.file, cross), name) for part, name in zip(parts, of_names)]
        yield Finding(
            kinds[kind], location,
            {**args, "allowance": args.get("allowance", Decimal(0)), **_cell_args(target, total, cross, stated_mark),
             "of": of_names},
            related,
        )


@register_form("ratio", "ratio_mismatch", RATIO_KINDS)
def evaluate_ratio(target: Target, relation: Relation, where: ModelPath, options: Any
                   ) -> Iterator[Finding | RelationRecord]:
    """The line = numerator ÷ denominator × scale, rounded to `places` decimals (the
    stated value's own when not given) the declared way, at every cross line."""
    refs = {**_stated(relation), "numerator": [str(relation.numerator)], "denominator": [str(relation.denominator)]}
    lines = yield from lines_of(target, relation.axis, refs, where)
    if lines is None:
        return
    [ratio], [top], [bottom] = lines[relation.axis], lines["numerator"], lines["denominator"]
    crosses = yield from cross_lines(target, relation, ratio, where)
    if crosses is None:
        return
    scale, places = Decimal(relation.scale), relation.places
    rounding = declared_rounding(ratio.table, target.plan, "rates")
    here = target.node
    text = Text(f"{ratio.label(here).ja} ＝ {top.label(here).ja} ÷ {bottom.label(here).ja} × {scale}",
                f"{ratio.label(here).en} = {top.label(here).en} / {bottom.label(here).en} × {scale}")
    for cross in crosses:
        read = read_cells(target, relation, [ratio, top, bottom], cross, text)
        if not isinstance(read, list):
            yield read
            continue
        (stated, stated_mark), (num, num_mark), (den, den_mark) = read
        if den.value == 0:
            name, where_text = zero_note(bottom.label(here), den_mark), cross_at(ratio, cross)
            yield Unchecked(bottom.location(target.file, cross), at_cross(text, ratio, cross),
                            Text(f"分母の{name.ja}の「{ratio.index.title(_OTHER[ratio.axis], cross)}」が 0"
                                 if ratio.axis == "row" else f"分母の{name.ja}の{where_text.ja}が 0",
                                 f"the denominator, {name.en} in {where_text.en}, is 0"))
            continue
        yield Checked(ratio.location(target.file, cross))
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
        location = ratio.location(target.file, cross)
        yield Finding(
            "ratio_mismatch",
            location,
            {"stated": stated.value, "computed": computed, "exact": round_declared(exact, digits + 3, None),
             "numerator": num.value, "denominator": den.value, "scale": scale, "places": digits,
             **_cell_args(target, ratio, cross, stated_mark),
             "numerator_row": zero_note(top.label(here), num_mark),
             "denominator_row": zero_note(bottom.label(here), den_mark),
             "rounding": Text(rounding or "四捨五入", rounding or "half up")},
            [Related(top.location(target.file, cross), zero_note(Text("分子", "numerator"), num_mark)),
             Related(bottom.location(target.file, cross), zero_note(Text("分母", "denominator"), den_mark))],
            Fix(location, format_decimal(computed, digits).replace(",", "")),
        )


def _pair_text(target: Target, relation: Relation, other: str, ja: str, en: str) -> Text:
    """The relation between two lines, named by their labels (or keys, when one is unknown)."""
    here = target.node
    names = []
    for reference in (relation.line, other):
        line = resolve_line(target, str(reference), relation.axis)
        names.append(line.label(here) if line is not None else Text(str(reference), str(reference)))
    return Text(f"{names[0].ja} {ja} {names[1].ja}", f"{names[0].en} {en} {names[1].en}")


def _pairs(
    target: Target, relation: Relation, option: str, other: str, where: ModelPath, text: Text
) -> Iterator[Finding | RelationRecord | tuple[Line, Line, str, Number, Number, str | None, str | None]]:
    """The unknown-line findings, then per cross line either why the pair cannot be
    compared (a record) or (line, other line, cross, value, other value, and the marks
    that made either 0); a compared cross line's Checked is the caller's."""
    lines = yield from lines_of(target, relation.axis, {**_stated(relation), option: [other]}, where)
    if lines is None:
        return
    [mine], [theirs] = lines[relation.axis], lines[option]
    crosses = yield from cross_lines(target, relation, mine, where)
    if crosses is None:
        return
    for cross in crosses:
        read = read_cells(target, relation, [mine, theirs], cross, text)
        if not isinstance(read, list):
            yield read
            continue
        (value, mark), (reference, other_mark) = read
        yield mine, theirs, cross, value, reference, mark, other_mark


@register_form("subset", "subset_exceeds", SUBSET_KINDS)
def evaluate_subset(target: Target, relation: Relation, where: ModelPath, options: Any
                    ) -> Iterator[Finding | RelationRecord]:
    """The line (a うち line) is not larger than `of[0]`, at every cross line."""
    whole = relation.of[0]
    for pair in _pairs(target, relation, "of", whole, where, _pair_text(target, relation, whole, "≦", "≤")):
        if not isinstance(pair, tuple):
            yield pair
            continue
        part, total, cross, value, limit, mark, whole_mark = pair
        yield Checked(part.location(target.file, cross))
        if value.value <= limit.value:
            continue
        yield Finding(
            "subset_exceeds",
            part.location(target.file, cross),
            {"stated": value.value, "whole": limit.value, "difference": value.value - limit.value,
             **_cell_args(target, part, cross, mark), "whole_row": zero_note(total.label(target.node), whole_mark)},
            [Related(total.location(target.file, cross), zero_note(Text("全体", "the whole"), whole_mark))],
        )


@register_form("equal", "not_equal", EQUAL_KINDS)
def evaluate_equal(target: Target, relation: Relation, where: ModelPath, options: Any
                   ) -> Iterator[Finding | RelationRecord]:
    """The line equals `other` (of this table, or `table-id/key` of another), at every
    cross line both have."""
    other = str(relation.other)
    for pair in _pairs(target, relation, "other", other, where, _pair_text(target, relation, other, "＝", "=")):
        if not isinstance(pair, tuple):
            yield pair
            continue
        mine, theirs, cross, value, reference, mark, other_mark = pair
        yield Checked(mine.location(target.file, cross))
        if value.value == reference.value:
            continue
        word = _AXIS[relation.axis]
        yield Finding(
            "not_equal",
            mine.location(target.file, cross),
            {"stated": value.value, "other_value": reference.value, "difference": value.value - reference.value,
             **_cell_args(target, mine, cross, mark), "other": zero_note(theirs.label(target.node), other_mark)},
            [Related(theirs.location(target.file, cross),
                     zero_note(Text(f"同じ量を示す{word.ja}", f"the {word.en} stating the same quantity"), other_mark))],
        )


@register_form("bound", "out_of_bounds", BOUND_KINDS)
def evaluate_bound(target: Target, relation: Relation, where: ModelPath, options: Any
                   ) -> Iterator[Finding | RelationRecord]:
    """Every value of the line lies within [min, max] (either may be left out). A blank or
    absent cell states nothing to bound (not applicable); text or an unreadable value is
    unchecked."""
    low, high = relation.min, relation.max
    lines = yield from lines_of(target, relation.axis, _stated(relation), where)
    if lines is None:
        return
    [line] = lines[relation.axis]
    crosses = yield from cross_lines(target, relation, line, where)
    if crosses is None:
        return
    name = line.label(target.node)
    bounds = f"{'' if low is None else format_decimal(low)}～{'' if high is None else format_decimal(high)}"
    text = Text(f"{name.ja}が {bounds} の範囲にある", f"{name.en} lies within {bounds}")
    for cross in crosses:
        cell = line.value(cross)
        value, mark = as_number(Absent("blank", "") if cell is None else cell, line.marks(target, relation, cross))
        location = line.location(target.file, cross)
        if value is None:
            form, title = cell_form(cell), line.index.title(_OTHER[line.axis], cross)
            reason = (Text(f"「{title}」が{form.ja}", f"column {title} is {form.en}") if line.axis == "row"
                      else Text(f"「{title}」行が{form.ja}", f"row {title} is {form.en}"))
            if _blank(cell):
                yield NotApplicable(location, at_cross(text, line, cross), reason)
            else:
                yield Unchecked(location, at_cross(text, line, cross), reason)
            continue
        yield Checked(location)
        if (low is None or value.value >= low) and (high is None or value.value <= high):
            continue
        yield Finding(
            "out_of_bounds",
            location,
            {"stated": value.value, "min": "—" if low is None else low, "max": "—" if high is None else high,
             **_cell_args(target, line, cross, mark)},
        )


# --- check functions -----------------------------------------------------------------------


@check_function("table_relations", given=("tables",), kinds=RELATION_KINDS, options=HalfUnitOptions)
def table_relations(target: Target, options: HalfUnitOptions) -> Iterator[Finding | RelationRecord]:
    """Every relation the table declares holds at every cross line (every column for a
    row relation, every row for a column relation, narrowed by `only` / `skip`); a cross
    line where a cell it needs is not a number is reported as unchecked, and one that no
    line states as not applicable."""
    for index, relation in enumerate(target.node.relations):
        yield from evaluate_relation(target, relation, target.path + ("relations", index), options)
    yield from kind_relations(target, options)  # the relations the table's kind knows (checker/kinds.py)


def _user(target: Target, relation: Relation, options: Any) -> Iterator[Finding | RelationRecord]:
    """A user rule's relation: its records name no kind (the rule's own is the main one)."""
    yield from FORMS[relation.check].evaluate(target, relation, target.path, options)


@check_function("row_sum", given=("tables",), kinds={**SUM_TABLE_KINDS, **UNKNOWN_ROW}, options=RowSumOptions,
                target_mismatch="unknown_row")
def row_sum(target: Target, options: RowSumOptions) -> Iterator[Finding | RelationRecord]:
    """`row` equals the sum of the rows `of`, in every column."""
    yield from _user(target, Relation(check="sum", row=options.row, of=list(options.of)), options)


@check_function("row_ratio", given=("tables",), kinds={**RATIO_KINDS, **UNKNOWN_ROW}, options=RowRatioOptions,
                target_mismatch="unknown_row")
def row_ratio(target: Target, options: RowRatioOptions) -> Iterator[Finding | RelationRecord]:
    """`row` equals numerator / denominator × scale, rounded to `places` decimals (its own
    stated decimals when not given) the declared way, in every column."""
    relation = Relation(check="ratio", row=options.row, numerator=options.numerator,
                        denominator=options.denominator, scale=options.scale, places=options.places)
    yield from _user(target, relation, options)


@check_function("row_subset", given=("tables",), kinds={**SUBSET_KINDS, **UNKNOWN_ROW}, options=RowSubsetOptions,
                target_mismatch="unknown_row")
def row_subset(target: Target, options: RowSubsetOptions) -> Iterator[Finding | RelationRecord]:
    """`row` (a うち row) is not larger than the row `of`, in every column."""
    whole = options.of[0] if isinstance(options.of, list) else options.of
    yield from _user(target, Relation(check="subset", row=options.row, of=[whole]), options)


@check_function("row_equal", given=("tables",), kinds={**EQUAL_KINDS, **UNKNOWN_ROW}, options=RowEqualOptions,
                target_mismatch="unknown_row")
def row_equal(target: Target, options: RowEqualOptions) -> Iterator[Finding | RelationRecord]:
    """`row` equals `other` (a row of this table, or `table-id/row` of another) in every
    column both have."""
    yield from _user(target, Relation(check="equal", row=options.row, other=options.other), options)


@check_function("row_non_decreasing", given=("tables",), options=RowOptions, target_mismatch="unknown_row",
                kinds={"decreased": ("stated", "previous", "column", "previous_column", "row"), **UNKNOWN_ROW})
def row_non_decreasing(target: Target, options: RowOptions) -> Iterator[Finding | RelationRecord]:
    """`row` never decreases from one column to the next (a cumulative count). Each value
    is compared with the nearest stated value before it; a cell that is not a number
    between stated values is a hole in the series, reported as unchecked."""
    lines = yield from lines_of(target, "row", {"row": [options.row]}, target.path)
    if lines is None:
        return
    [line] = lines["row"]
    name = line.label(target.node)
    text = Text(f"{name.ja}が前の列から減らない", f"{name.en} does not decrease from one column to the next")
    crosses = yield from cross_lines(target, Relation.model_construct(check="bound", row=options.row), line, target.path)
    if crosses is None:
        return
    if all(_blank(line.value(cross)) for cross in crosses):
        if crosses:
            yield NotApplicable(line.location(target.file, crosses[0]), text,
                                Text("この行はどの列にも値がない", "the row states no value in any column"))
        return
    previous: tuple[str, Number, str | None] | None = None
    for cross in crosses:
        cell = line.value(cross)
        value, mark = as_number(Absent("blank", "") if cell is None else cell, line.marks(target, None, cross))
        if value is None:
            form = cell_form(cell)
            yield Unchecked(line.location(target.file, cross), at_cross(text, line, cross),
                            Text(f"「{cross}」が{form.ja}", f"column {cross} is {form.en}"))
            continue
        if previous is not None:
            yield Checked(line.location(target.file, cross))
            if value.value < previous[1].value:
                yield Finding(
                    "decreased",
                    line.location(target.file, cross),
                    {"stated": value.value, "previous": previous[1].value, "column": cross,
                     "previous_column": previous[0], "row": zero_note(name, mark)},
                    [Related(line.location(target.file, previous[0]),
                             zero_note(Text("前の列", "the previous column"), previous[2]))],
                )
        previous = (cross, value, mark)


@check_function("row_bound", given=("tables",), options=RowBoundOptions, target_mismatch="unknown_row",
                kinds={**BOUND_KINDS, **UNKNOWN_ROW})
def row_bound(target: Target, options: RowBoundOptions) -> Iterator[Finding | RelationRecord]:
    """Every value of `row` lies within [min, max] (either may be left out). A blank or
    absent cell states nothing to bound (not applicable); text or an unreadable value is
    unchecked."""
    # built, not validated: a rule may state neither bound (every value is then within)
    relation = Relation.model_construct(check="bound", row=options.row, min=options.min, max=options.max)
    yield from _user(target, relation, options)
