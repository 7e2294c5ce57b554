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
  `value(cross)`, `number(target, declared, cross)` (the cell as a relation reads it),
  `has(cross)`, `location(file, cross)`, `label(here)`, `unit(cross)` and
  `marks(target, declared, cross)` at the cell where it meets a cross line (a key of the
  other axis); `line.index` (a `TableIndex`) finds any line of its table by key.
- `evaluate_relation(target, relation, where, options)`: evaluates one `Relation` (one
  declared in the data, or one built in code, e.g. from a table's kind) on a table
  target; `where` is the model path its unknown-line findings are reported at. It yields
  findings and relation records; a record that is not checked carries the form's main
  kind. `options` is any FunctionOptions (`half_unit_per_item` is read when present).
- `FORMS` / `register_form(check, main_kind, kinds)`: the dispatch table keyed by
  relation form. A module registers an evaluator `(target, relation, where, options) ->
  Iterator[Finding | RelationRecord]` for its forms, and the kinds its findings carry
  join `table_relations'` (each kind's arguments include `cell_args`'). Helpers for
  evaluators: `relation_lines` (the stated line, the operands and the cross lines: what
  every form starts with), built of `lines_of` (resolve a relation's operands, yielding
  unknown-line findings) and `cross_lines` (the cross lines after `only` / `skip`), `read_cells` (the numbers at one
  cross line, or the record why not), `cell_args` (the arguments naming the stated cell),
  `at_cross` and `cross_at` (the cross line named in a relation and in a message),
  `additive` (whether a line adds up), `unknown_line`.
- `tree_sums(target)`: the hierarchy (a line with children that states values is their
  sum), run by `table_relations` after the relations. What is a rate (never summed) and
  which sums group a share column's 端数調整 is read from the target table's `relations`
  (`relations_of`): a target whose table carries its kind's relations too has them in force.

Findings name the stated line (`line`) and the cross line (`at`: 「令和3年度」列 / column
令和3年度 for a row relation, 「議会費」行 / row 議会費 for a column relation); `row` and
`column` are the stated cell's row and column.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Literal, NamedTuple, TypeVar

from pydantic import Field

from checker.diagnostics import (
    Checked,
    Finding,
    Fix,
    Location,
    ModelPath,
    NotApplicable,
    Operand,
    Related,
    RelationRecord,
    Text,
    Unchecked,
    closest,
    did_you_mean,
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
from checker.kinds import kind_in_force, kind_relations
from checker.model import Relation
from checker.patterns import lazy_pattern
from checker.values import Absent, Bound, Number, format_decimal, interval, normalise_unit, round_declared

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
# a line with children that states values is their sum (the hierarchy, undeclared)
TREE_KINDS = {"tree_sum_mismatch": ("stated", "computed", "difference", "count", *_CELL_ARGS, "of", "rounding_note")}
DIFFERENCE_KINDS = {"difference_mismatch": ("stated", "computed", "difference", *_CELL_ARGS, "of", "rounding")}
PRODUCT_KINDS = {"product_mismatch": ("stated", "computed", "exact", "base", "factor", "places", *_CELL_ARGS, "of",
                                      "by", "rounding")}
_SHARE_ARGS = ("stated", "computed", "exact", "places", *_CELL_ARGS, "of", "total")
SHARE_KINDS = {
    "share_mismatch": (*_SHARE_ARGS, "amount", "whole", "scale", "rounding"),
    # 端数調整: one share rounded the other way so that the shares total the whole's
    "share_adjusted": (*_SHARE_ARGS, "whole_share", "rounded_sum", "whole_line"),
}
# the operands of a sum or difference in different units
UNIT_KINDS = {"table_unit_mismatch": (*_CELL_ARGS, "unit", "unit_line", "other_unit", "other")}
# a line name that is not in the table: a relation the data declares (TAB005), or a user
# rule that does not fit the table (RULE001)
UNKNOWN_ROW = {"unknown_row": ("reference", "option", "table", "known", "suggestion", "axis")}
# every kind table_relations reports; register_form adds the kinds of forms other modules evaluate
RELATION_KINDS: dict[str, tuple[str, ...]] = {
    **SUM_TABLE_KINDS, **RATIO_KINDS, **SUBSET_KINDS, **EQUAL_KINDS, **BOUND_KINDS, **TREE_KINDS, **UNIT_KINDS,
    **UNKNOWN_ROW}
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


_INDEXES_KEPT = 64
_INDEXES: dict[tuple[int, int], TableIndex] = {}


@dataclass(eq=False)
class TableIndex:
    """A table's rows and columns at every depth, by key, with their model paths within
    the file and their parents."""

    table: Any
    position: int  # the table's index in the file's `tables`
    rows: dict[str, _Entry] = field(default_factory=dict)
    columns: dict[str, _Entry] = field(default_factory=dict)
    stating: set[str] = field(default_factory=set)  # the column keys some row states a value in

    @classmethod
    def of(cls, table: Any, position: int) -> TableIndex:
        """The index of `table`, built once per table and kept while it is among the last
        few indexed: every operand of every relation resolves through it, and building it
        per operand made a sum over n lines cost n² (a 2,000-款 budget took 55 s)."""
        cached = _INDEXES.get((id(table), position))
        if cached is not None and cached.table is table:
            return cached
        index = cls._build(table, position)
        if len(_INDEXES) >= _INDEXES_KEPT:
            _INDEXES.pop(next(iter(_INDEXES)))
        _INDEXES[(id(table), position)] = index  # holds the table, so its id is not reused meanwhile
        return index

    @classmethod
    def _build(cls, table: Any, position: int) -> TableIndex:
        index = cls(table, position)
        for path, row, parent in table.all_rows():
            index.rows.setdefault(row.key, (("tables", position, *path), row, parent))
        for path, column, parent in table.all_columns():
            index.columns.setdefault(column.key, (("tables", position, *path), column, parent))
        index.stating = {key for _, row, _ in index.rows.values() for key, cell in row.values.items() if not _blank(cell)}
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


def table_prefix(table: Any, here: Any) -> str:
    """What a label of a line or cell of `table` starts with when it is read from the table
    `here`: nothing for the same table, else its number (①), or its id, and a space."""
    return "" if table is here else f"{table.number or table.id} "


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
        name = table_prefix(self.table, here) + self.title
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

    def number(self, target: Target, declared: Any, cross: str) -> tuple[Number | None, str | None]:
        """The cell as a relation reads it (`as_number` under the marks in force for it, a
        cell the row leaves out being a blank): the number and the declared mark that made
        it 0, or (None, None) when it blocks the relation."""
        cell = self.value(cross)
        return as_number(Absent("blank", "") if cell is None else cell, self.marks(target, declared, cross))

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
    return did_you_mean(closest(str(reference).rpartition("/")[2], keys))


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
        keys = [key for key, (_, column, _) in index.columns.items() if not column.columns or key in index.stating]
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


def _states_nothing(target: Target, declared: Any, line: Line, cross: str) -> bool:
    """The cell is blank or absent and no declaration makes it 0."""
    cell = line.value(cross)
    return _blank(cell) and line.number(target, declared, cross)[0] is None


def read_cells(
    target: Target, declared: Any, lines: list[Line], cross: str, relation: Text, bound: bool = False
) -> list[tuple[Number, str | None]] | RelationRecord:
    """The numbers of `lines` at the cross line (with the declared mark that made a cell
    0), or why the relation cannot be evaluated there: NotApplicable when no line states
    anything there (or a line's table has no such cross line), else Unchecked at the
    first cell that is not a number, the reason naming every such cell. `bound`: the
    stated (first) cell may be a bound (1,350以上), read as its number."""
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
    for position, (line, cell) in enumerate(zip(lines, cells)):
        if bound and position == 0 and isinstance(cell, Bound):
            read.append((cell.number, None))
            continue
        number, mark = line.number(target, declared, cross)
        if number is None:
            blocked.append((line, _cell_name(line, cross, here, cell_form(cell))))
        else:
            read.append((number, mark))
    if blocked:
        return Unchecked(blocked[0][0].location(target.file, cross), named, joined([why for _, why in blocked]))
    return read


def _names(lines: list[Line], here: Any) -> list[Text]:
    return [line.label(here) for line in lines]


def cell_args(target: Target, stated: Line, cross: str, mark: str | None) -> dict[str, Any]:
    """The arguments every finding at a stated cell carries: the stated line (`line`),
    the cross line (`at`), and the cell's row and column (the stated one with its mark)."""
    name = zero_note(stated.label(target.node), mark)
    other = stated.index.title(_OTHER[stated.axis], cross)
    if stated.axis == "row":
        return {"line": name, "at": cross_at(stated, cross), "row": name, "column": cross}
    return {"line": name, "at": cross_at(stated, cross), "row": Text(other, other), "column": name}


_cell_args = cell_args  # the name helper B's first series code imports


def _stated(relation: Relation) -> dict[str, list[str]]:
    return {relation.axis: [relation.line]}


def relation_lines(
    target: Target, relation: Relation, operands: dict[str, list[str]], where: ModelPath
) -> Generator[Finding | Unchecked, None, tuple[dict[str, list[Line]], list[str]] | None]:
    """A form's lines and where it is evaluated: its stated line (`lines[relation.axis]`)
    and its operands by option (`lines_of`), then the cross lines (`cross_lines`); the
    findings of either are yielded, and None returned when any key failed
    (`found = yield from relation_lines(...)`)."""
    lines = yield from lines_of(target, relation.axis, {**_stated(relation), **operands}, where)
    if lines is None:
        return None
    crosses = yield from cross_lines(target, relation, lines[relation.axis][0], where)
    if crosses is None:
        return None
    return lines, crosses


def _operands(target: Target, lines: list[Line], cross: str, read: list[tuple[Number, str | None]],
              weights: Sequence[int | None]) -> tuple[Operand, ...]:
    """The cells an equality read at a cross line besides the stated one, for the blame
    pass (checker/functions/blame.py): each with its value and its weight."""
    return tuple(Operand(line.location(target.file, cross), number.value, weight)
                 for line, (number, _), weight in zip(lines, read, weights))


def relations_of(target: Target) -> list[Relation]:
    """The relations in force on the table: its `relations` (a table kind's included, when
    the target carries them), which decide which lines are rates and which sums group
    the shares."""
    return list(target.node.relations)


# --- forms ---------------------------------------------------------------------------------

Evaluator = Callable[[Target, Relation, ModelPath, Any], Iterator[Finding | RelationRecord]]


# A check's own records are NamedTuples where nothing compares, hashes or replaces them as
# dataclasses: making a frozen dataclass execs six generated methods at import (about 1 ms a
# class, paid by every one-file run), a NamedTuple a fifth of that.
class Form(NamedTuple):
    evaluate: Evaluator
    main_kind: str  # the kind whose rule a record not checked belongs to


FORMS: dict[str, Form] = {}


_E = TypeVar("_E", bound=Evaluator)


def register_form(check: str, main_kind: str, kinds: Mapping[str, tuple[str, ...]]) -> Callable[[_E], _E]:
    """Register the evaluator of relation form `check`; `kinds` (its findings' kinds and
    arguments) join table_relations' kinds, so that rules can report them."""

    def register(evaluate: _E) -> _E:
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
    said = False
    for item in form.evaluate(target, relation, where, options):
        said = True
        yield replace(item, kind=form.main_kind) if isinstance(item, Unchecked) and item.kind is None else item
    if not said:  # no cross line to evaluate at (`only: []`, a table without columns): say so
        word = _AXIS[_OTHER[relation.axis]]
        yield NotApplicable(Location(target.file, where),
                            Text(f"{relation.line} の {relation.check} の関係", f"the {relation.check} relation of {relation.line}"),
                            Text(f"評価する{word.ja}がない", f"there is no {word.en} to evaluate it at"))


def additive(line: Line, relations: list[Relation]) -> bool:
    """Whether the line's values add up along its axis (into a parent line, or down a sum
    of the other axis): its `additive` when given, else not when a ratio relation states
    it (a rate, a 進捗率), else yes."""
    if line.node.additive is not None:
        return bool(line.node.additive)
    return not any(relation.check == "ratio" and relation.axis == line.axis and relation.line == line.key
                   for relation in relations)


def _states_share(axis: str, key: str, relations: list[Relation]) -> bool:
    return any(relation.check == "share" and relation.axis == axis and relation.line == key for relation in relations)


def _not_summed(stated: Line, cross: str, text: Text, target: Target) -> NotApplicable:
    """The record of a sum that does not run through a cross line of values that do not add up."""
    axis = _OTHER[stated.axis]
    title, word = stated.index.title(axis, cross), _AXIS[axis]
    return NotApplicable(stated.location(target.file, cross), at_cross(text, stated, cross),
                         Text(f"「{title}」{word.ja}は足し合わせない値（比率など）", f"{word.en} {title} holds values that "
                              "do not add up (a rate or the like)"))


def cell_unit(line: Line, cross: str, number: Number) -> str | None:
    """The unit a number is in: written on the value itself, else its line's (row, then
    column, then table)."""
    return normalise_unit(number.unit or line.unit(cross))


def _unit_clash(target: Target, lines: list[Line], cross: str, read: list[tuple[Number, str | None]]
                ) -> Finding | None:
    """The finding that the operands of a sum or difference are in different units (千円
    against 円), at the stated cell, naming both units; None when they agree (a cell whose
    unit is stated nowhere agrees with any)."""
    units = [cell_unit(line, cross, number) for line, (number, _) in zip(lines, read)]
    reference = next(((position, unit) for position, unit in enumerate(units) if unit is not None), None)
    if reference is None:
        return None
    position, unit = reference
    clash = next((other for other, other_unit in enumerate(units) if other_unit not in (None, unit)), None)
    if clash is None:
        return None
    here, stated = target.node, lines[0]
    return Finding(
        "table_unit_mismatch",
        stated.location(target.file, cross),
        {**cell_args(target, stated, cross, read[0][1]), "unit": unit, "unit_line": lines[position].label(here),
         "other_unit": units[clash], "other": lines[clash].label(here)},
        [Related(lines[clash].location(target.file, cross), Text(f"{units[clash]}の値", f"the value in {units[clash]}")),
         *([Related(lines[position].location(target.file, cross), Text(f"{unit}の値", f"the value in {unit}"))]
           if position else [])],
    )


def _clash_reason(clash: Finding) -> Text:
    args = clash.args
    return Text(f"{args['unit_line'].ja}は{args['unit']}、{args['other'].ja}は{args['other_unit']}",
                f"{args['unit_line'].en} is in {args['unit']}, {args['other'].en} in {args['other_unit']}")


def _rounding_for(target: Target, stated: Line, cross: str, relations: list[Relation]) -> str | None:
    """A sum's rounding at one cross line: the rates' where a share relation states the
    cross line (構成比 add up as rates), else the totals'."""
    kind = "rates" if _states_share(_OTHER[stated.axis], cross, relations) else "totals"
    return declared_rounding(stated.table, target.plan, kind)


def _sums(
    target: Target, relation: Relation, total: Line, parts: list[Line], crosses: list[str], half_unit: bool,
    tree: bool, unit_findings: bool = True,
) -> Iterator[Finding | RelationRecord]:
    """A sum at each cross line: skipped (not applicable) where the cross line's values do
    not add up, a unit clash where the operands' units differ (a finding, or with
    `unit_findings` false the record that the sum is not checked), else compared."""
    relations = relations_of(target)
    kinds = ({"beyond_rounding": "tree_sum_mismatch", "beyond_declared_rounding": "tree_sum_mismatch"} if tree else
             {"beyond_rounding": "sum_mismatch", "within_rounding": "sum_within_rounding",
              "beyond_declared_rounding": "sum_beyond_declared_rounding", "truncated": "sum_truncated"})
    here = target.node
    text = Text(f"{total.label(here).ja} ＝ {joined(_names(parts, here)).ja} の和",
                f"{total.label(here).en} = the sum of {joined(_names(parts, here)).en}")
    for cross in crosses:
        cross_axis = _OTHER[total.axis]
        if cross in total.index.lines(cross_axis) and not additive(Line(cross_axis, total.index, cross), relations):
            yield _not_summed(total, cross, text, target)
            continue
        if tree and all(_states_nothing(target, relation, part, cross) for part in parts):
            # the printed table does not break this cross line down (構成比 printed for the 款 only)
            yield NotApplicable(total.location(target.file, cross), at_cross(text, total, cross),
                                Text("内訳はここに値を載せていない", "its parts state no value here"))
            continue
        read = read_cells(target, relation, [total, *parts], cross, text)
        if not isinstance(read, list):
            yield read
            continue
        (stated, stated_mark), values = read[0], read[1:]
        location = total.location(target.file, cross)
        clash = _unit_clash(target, [total, *parts], cross, read)
        if clash is not None and not unit_findings:
            yield Unchecked(location, at_cross(text, total, cross), _clash_reason(clash))
            continue
        yield Checked(location, relation=at_cross(text, total, cross),
                      operands=_operands(target, parts, cross, values, [1] * len(parts)))
        if clash is not None:
            yield clash
            continue
        rounding = _rounding_for(target, total, cross, relations)
        # A mark declared zero is exactly 0: it adds nothing and carries no rounding.
        outcome = compare_sum(stated, [value for value, mark in values if mark is None], rounding, half_unit)
        if outcome is None or outcome[0] not in kinds:
            continue
        kind, args = outcome
        of_names = [zero_note(part.label(here), mark) for part, (_, mark) in zip(parts, values)]
        related = [Related(part.location(target.file, cross), name) for part, name in zip(parts, of_names)]
        found = {**args, "allowance": args.get("allowance", Decimal(0)), **cell_args(target, total, cross, stated_mark),
                 "of": of_names}
        if tree:
            found = {key: found[key] for key in TREE_KINDS["tree_sum_mismatch"] if key in found}
            found["rounding_note"] = (Text("", "") if kind == "beyond_rounding" else Text(
                f"（{args['rounding']}で {args['stated_interval']} と {args['computed_interval']} が重なりません）",
                f" (under {args['rounding']}, {args['stated_interval']} and {args['computed_interval']} do not overlap)"))
        yield Finding(kinds[kind], location, found, related)


@register_form("sum", "sum_mismatch", SUM_TABLE_KINDS)
def evaluate_sum(target: Target, relation: Relation, where: ModelPath, options: Any, unit_findings: bool = True
                 ) -> Iterator[Finding | RelationRecord]:
    """The line = the sum of `of`, at every cross line whose values add up; operands in
    different units are a finding (`unit_findings`; else the sum is not checked there)."""
    found = yield from relation_lines(target, relation, {"of": list(relation.of)}, where)
    if found is None:
        return
    lines, crosses = found
    [total], parts = lines[relation.axis], lines["of"]
    half_unit = bool(getattr(options, "half_unit_per_item", False))
    yield from _sums(target, relation, total, parts, crosses, half_unit, False, unit_findings)


def tree_sums(target: Target) -> Iterator[Finding | RelationRecord]:
    """Every line with children (sub-rows, sub-columns) that states values is the sum of
    its additive children at every cross line whose values add up: the hierarchy, written
    once as a tree (款 > 項 > 目). The relations in force (a table kind's included) decide
    which lines are rates."""
    table = target.node
    relations = relations_of(target)
    position = _table_position(target, "")
    if position is None:
        return
    index = TableIndex.of(table, position)
    for axis in ("row", "column"):
        for key, (path, node, _) in index.lines(axis).items():
            children = node.rows if axis == "row" else node.columns
            if not children or not (node.values if axis == "row" else key in index.stating):
                continue
            line = Line(axis, index, key)
            parts = [Line(axis, index, child.key) for child in children]
            summed = [part for part in parts if additive(part, relations)]
            built = Relation.model_construct(check="sum", row=key if axis == "row" else None,
                                             column=key if axis == "column" else None, of=[p.key for p in summed])
            crosses = yield from cross_lines(target, built, line, path)
            if crosses is None:
                continue
            if not summed:
                yield NotApplicable(Location(target.file, path), Text(f"{line.title} ＝ 内訳の和", f"{line.title} = "
                                    "the sum of its parts"), Text("内訳に足し合わせる値がない（すべて比率など）",
                                                                  "none of its parts adds up (all are rates or the like)"))
                continue
            for item in _sums(target, built, line, summed, crosses, False, True):
                yield replace(item, kind="tree_sum_mismatch") if isinstance(item, Unchecked) and item.kind is None else item


@register_form("ratio", "ratio_mismatch", RATIO_KINDS)
def evaluate_ratio(target: Target, relation: Relation, where: ModelPath, options: Any
                   ) -> Iterator[Finding | RelationRecord]:
    """The line = numerator ÷ denominator × scale, rounded to `places` decimals (the
    stated value's own when not given) the declared way, at every cross line."""
    refs = {"numerator": [str(relation.numerator)], "denominator": [str(relation.denominator)]}
    found = yield from relation_lines(target, relation, refs, where)
    if found is None:
        return
    lines, crosses = found
    [ratio], [top], [bottom] = lines[relation.axis], lines["numerator"], lines["denominator"]
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
        yield Checked(ratio.location(target.file, cross), relation=at_cross(text, ratio, cross),
                      operands=_operands(target, [top, bottom], cross, read[1:], [None, None]))
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
             **cell_args(target, ratio, cross, stated_mark),
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
    found = yield from relation_lines(target, relation, {option: [other]}, where)
    if found is None:
        return
    lines, crosses = found
    [mine], [theirs] = lines[relation.axis], lines[option]
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
             **cell_args(target, part, cross, mark), "whole_row": zero_note(total.label(target.node), whole_mark)},
            [Related(total.location(target.file, cross), zero_note(Text("全体", "the whole"), whole_mark))],
        )


@register_form("equal", "not_equal", EQUAL_KINDS)
def evaluate_equal(target: Target, relation: Relation, where: ModelPath, options: Any
                   ) -> Iterator[Finding | RelationRecord]:
    """The line equals `other` (of this table, or `table-id/key` of another), at every
    cross line both have."""
    other = str(relation.other)
    text = _pair_text(target, relation, other, "＝", "=")
    for pair in _pairs(target, relation, "other", other, where, text):
        if not isinstance(pair, tuple):
            yield pair
            continue
        mine, theirs, cross, value, reference, mark, other_mark = pair
        yield Checked(mine.location(target.file, cross), relation=at_cross(text, mine, cross),
                      operands=(Operand(theirs.location(target.file, cross), reference.value, 1),))
        if value.value == reference.value:
            continue
        word = _AXIS[relation.axis]
        yield Finding(
            "not_equal",
            mine.location(target.file, cross),
            {"stated": value.value, "other_value": reference.value, "difference": value.value - reference.value,
             **cell_args(target, mine, cross, mark), "other": zero_note(theirs.label(target.node), other_mark)},
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
    found = yield from relation_lines(target, relation, {}, where)
    if found is None:
        return
    lines, crosses = found
    [line] = lines[relation.axis]
    name = line.label(target.node)
    bounds = f"{'' if low is None else format_decimal(low)}～{'' if high is None else format_decimal(high)}"
    text = Text(f"{name.ja}が {bounds} の範囲にある", f"{name.en} lies within {bounds}")
    for cross in crosses:
        cell = line.value(cross)
        value, mark = line.number(target, relation, cross)
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
             **cell_args(target, line, cross, mark)},
        )


_FIGURE = lazy_pattern(r"-?\d[\d,]*(?:\.\d+)?")


def _rounding_text(rounding: str | None) -> Text:
    return Text(rounding or "四捨五入", rounding or "half up")


def _fix_text(cell: Any, value: Decimal, places: int) -> str | None:
    """The replacement of a printed figure by `value` at `places` decimals, grouped by
    commas where the figure was (a grouped figure is quoted, and the fix keeps its quotes)
    and keeping a bound's words (1,350以上); None when the figure cannot be found in its text."""
    printed = _FIGURE.search(getattr(cell, "text", ""))
    if printed is None:
        return None
    new = format_decimal(value, places)
    if "," not in printed.group():
        new = new.replace(",", "")
    if isinstance(cell, Bound):
        return cell.text[:printed.start()] + new + cell.text[printed.end():]
    return new


def _consistent(stated: Number, exact: Decimal, computed: Decimal, digits: int, rounding: str | None,
                precise: bool) -> bool:
    """A stated figure rounded from an exact value: equal to it rounded half up when no
    rounding is declared, else the exact value within what the stated figure stands for."""
    if rounding is None:
        return computed == stated.value and precise
    stated_interval = interval(stated, rounding)
    return stated_interval.low <= exact <= stated_interval.high and precise


@register_form("difference", "difference_mismatch", DIFFERENCE_KINDS)
def evaluate_difference(target: Target, relation: Relation, where: ModelPath, options: Any
                        ) -> Iterator[Finding | RelationRecord]:
    """The line = `of[0]` − `of[1]` − … (増減 = 本年度 − 前年度), at every cross line, under
    the totals' declared rounding (each value an interval) or exactly."""
    found = yield from relation_lines(target, relation, {"of": list(relation.of)}, where)
    if found is None:
        return
    lines, crosses = found
    [stated_line], operands = lines[relation.axis], lines["of"]
    here = target.node
    formula = Text(" − ".join(line.label(here).ja for line in operands), " − ".join(line.label(here).en for line in operands))
    text = Text(f"{stated_line.label(here).ja} ＝ {formula.ja}", f"{stated_line.label(here).en} = {formula.en}")
    half_unit = bool(getattr(options, "half_unit_per_item", False))
    rounding = declared_rounding(stated_line.table, target.plan, "totals")
    for cross in crosses:
        read = read_cells(target, relation, [stated_line, *operands], cross, text)
        if not isinstance(read, list):
            yield read
            continue
        location = stated_line.location(target.file, cross)
        yield Checked(location, relation=at_cross(text, stated_line, cross),
                      operands=_operands(target, operands, cross, read[1:], [1] + [-1] * (len(operands) - 1)))
        clash = _unit_clash(target, [stated_line, *operands], cross, read)
        if clash is not None:
            yield clash
            continue
        (stated, mark), (minuend, _), subtrahends = read[0], read[1], read[2:]
        computed = minuend.value - sum((value.value for value, _ in subtrahends), Decimal(0))
        # minuend = stated + subtrahends: the sum comparison, intervals and all
        addends = [value for value, value_mark in [read[0], *subtrahends] if value_mark is None]
        outcome = compare_sum(minuend, addends, rounding, half_unit)
        if outcome is None or outcome[0] == "within_rounding":
            continue
        names = [zero_note(line.label(here), value_mark) for line, (_, value_mark) in zip(operands, read[1:])]
        fix = _fix_text(stated_line.value(cross), computed, stated.places)
        yield Finding(
            "difference_mismatch", location,
            {"stated": stated.value, "computed": computed, "difference": stated.value - computed,
             **cell_args(target, stated_line, cross, mark), "of": formula,
             "rounding": Text(rounding or "宣言なし（完全一致）", rounding or "none declared: exact")},
            [Related(line.location(target.file, cross), name) for line, name in zip(operands, names)],
            None if fix is None or mark is not None else Fix(location, fix),
        )


@register_form("product", "product_mismatch", PRODUCT_KINDS)
def evaluate_product(target: Target, relation: Relation, where: ModelPath, options: Any
                     ) -> Iterator[Finding | RelationRecord]:
    """The line = `of` × `by` (a factor, or a line of the same axis), at `places` decimals
    (the stated value's own when not given): rounded up where the stated value is a bound
    以上 (a base × rate target), else the totals' declared rounding (half up when none)."""
    by_line = isinstance(relation.by, str)
    refs = {"of": [relation.of[0]], **({"by": [str(relation.by)]} if by_line else {})}
    found = yield from relation_lines(target, relation, refs, where)
    if found is None:
        return
    lines, crosses = found
    [stated_line], [base_line] = lines[relation.axis], lines["of"]
    factor_lines = lines.get("by", [])
    here = target.node
    by_text = factor_lines[0].label(here) if factor_lines else Text(format_decimal(Decimal(str(relation.by))),
                                                                    format_decimal(Decimal(str(relation.by))))
    text = Text(f"{stated_line.label(here).ja} ＝ {base_line.label(here).ja} × {by_text.ja}",
                f"{stated_line.label(here).en} = {base_line.label(here).en} × {by_text.en}")
    declared = declared_rounding(stated_line.table, target.plan, "totals")
    for cross in crosses:
        read = read_cells(target, relation, [stated_line, base_line, *factor_lines], cross, text, bound=True)
        if not isinstance(read, list):
            yield read
            continue
        (stated, mark), (base, base_mark) = read[0], read[1]
        factor = read[2][0].value if factor_lines else Decimal(str(relation.by))
        cell = stated_line.value(cross)
        at_least = isinstance(cell, Bound) and cell.kind in ("at_least", "above")
        rounding = "切り上げ" if at_least else declared
        location = stated_line.location(target.file, cross)
        yield Checked(location, relation=at_cross(text, stated_line, cross),
                      operands=_operands(target, [base_line, *factor_lines], cross, read[1:], [None] * (1 + len(factor_lines))))
        exact = base.value * factor
        digits = stated.places if relation.places is None else relation.places
        computed = round_declared(exact, digits, rounding)
        if _consistent(stated, exact, computed, digits, rounding, mark is not None or stated.places == digits):
            continue
        related = [Related(base_line.location(target.file, cross), zero_note(Text("基数", "the base"), base_mark))]
        if factor_lines:
            related.append(Related(factor_lines[0].location(target.file, cross), Text("乗数", "the factor")))
        fix = _fix_text(cell, computed, digits)
        yield Finding(
            "product_mismatch", location,
            {"stated": stated.value, "computed": computed, "exact": exact, "base": base.value, "factor": factor,
             "places": digits, **cell_args(target, stated_line, cross, mark),
             "of": zero_note(base_line.label(here), base_mark), "by": by_text,
             "rounding": Text("切り上げ（以上）", "rounded up (a bound 以上)") if at_least else _rounding_text(rounding)},
            related,
            None if fix is None or mark is not None else Fix(location, fix),
        )


@dataclass
class _Share:
    cross: str
    stated: Number
    mark: str | None
    computed: Decimal
    exact: Decimal
    digits: int
    amount: Number
    consistent: bool


def _share_groups(index: TableIndex, axis: str, relations: list[Relation]) -> list[tuple[str, list[str]]]:
    """The wholes of the cross axis and their parts, whose shares add up: a line with
    children (its additive children), and a declared sum along that axis."""
    groups = []
    for key, (_, node, _) in index.lines(axis).items():
        children = node.rows if axis == "row" else node.columns
        parts = [child.key for child in children if additive(Line(axis, index, child.key), relations)]  # type: ignore[arg-type]
        if parts:
            groups.append((key, parts))
    groups += [(relation.line, list(relation.of)) for relation in relations
               if relation.check == "sum" and relation.axis == axis]
    return groups


def _adjusted(share: _Share, shares: dict[str, _Share], groups: list[tuple[str, list[str]]]
              ) -> tuple[str, Decimal, Decimal] | None:
    """端数調整: the whole whose shares this one was adjusted to total, with the whole's
    stated share and the sum the shares would have rounded to; None when the mismatch is
    not one. The share is one unit of its last digit off, rounded the other way (it lies
    on the exact value's other side), and its parts' stated shares total the whole's
    exactly while their shares as rounded would not."""
    unit = Decimal(1).scaleb(-share.digits)
    off = share.stated.value - share.computed
    other_way = {round_declared(share.exact, share.digits, "切り捨て"), round_declared(share.exact, share.digits, "切り上げ")}
    if abs(off) != unit or share.stated.value not in other_way:
        return None
    for whole, parts in groups:
        if share.cross not in parts or whole not in shares or any(part not in shares for part in parts):
            continue
        whole_share = shares[whole].stated.value
        stated_sum = sum((shares[part].stated.value for part in parts), Decimal(0))
        rounded_sum = sum((shares[part].computed for part in parts), Decimal(0))
        if stated_sum == whole_share and rounded_sum != whole_share and (whole_share - rounded_sum) * off > 0:
            return whole, whole_share, rounded_sum
    return None


@register_form("share", "share_mismatch", SHARE_KINDS)
def evaluate_share(target: Target, relation: Relation, where: ModelPath, options: Any
                   ) -> Iterator[Finding | RelationRecord]:
    """The line = `of` ÷ (`of` at the `total` cross line) × scale, at `places` decimals
    (the stated value's own when not given) under the rates' declared rounding (構成比 =
    款 ÷ 合計 × 100). A share one unit off that makes its parts' shares total their whole's
    exactly (a city's 端数調整) is reported as such (share_adjusted), with no fix; any
    other mismatch is share_mismatch."""
    lines = yield from lines_of(target, relation.axis, {**_stated(relation), "of": [relation.of[0]]}, where)
    if lines is None:
        return
    [share_line], [amount_line] = lines[relation.axis], lines["of"]
    cross_axis = _OTHER[relation.axis]
    total = str(relation.total)
    if total not in share_line.index.lines(cross_axis):
        yield unknown_line(target, "total", total, where, cross_axis)
        return
    crosses = yield from cross_lines(target, relation, share_line, where)
    if crosses is None:
        return
    here, scale = target.node, Decimal(relation.scale)
    total_title = share_line.index.title(cross_axis, total)
    text = Text(f"{share_line.label(here).ja} ＝ {amount_line.label(here).ja} ÷ {amount_line.label(here).ja}"
                f"（{total_title}）× {scale}",
                f"{share_line.label(here).en} = {amount_line.label(here).en} / {amount_line.label(here).en} "
                f"({total_title}) × {scale}")
    rounding = declared_rounding(share_line.table, target.plan, "rates")
    whole_cell = amount_line.value(total)
    whole, whole_mark = amount_line.number(target, relation, total)
    outcomes: list[RelationRecord | _Share] = []
    for cross in crosses:
        read = read_cells(target, relation, [share_line, amount_line], cross, text)
        if not isinstance(read, list):
            outcomes.append(read)
            continue
        if whole is None or whole.value == 0:
            why = (_cell_name(amount_line, total, here, cell_form(whole_cell)) if whole is None else
                   _cell_name(amount_line, total, here, zero_note(Text("0", "0"), whole_mark)))
            outcomes.append(Unchecked(amount_line.location(target.file, total), at_cross(text, share_line, cross), why))
            continue
        (stated, mark), (amount, _) = read
        exact = amount.value / whole.value * scale
        digits = stated.places if relation.places is None else relation.places
        computed = round_declared(exact, digits, rounding)
        consistent = _consistent(stated, exact, computed, digits, rounding, mark is not None or stated.places == digits)
        outcomes.append(_Share(cross, stated, mark, computed, exact, digits, amount, consistent))
    shares = {item.cross: item for item in outcomes if isinstance(item, _Share)}
    groups = _share_groups(share_line.index, cross_axis, relations_of(target))
    for item in outcomes:
        if not isinstance(item, _Share):
            yield item
            continue
        location = share_line.location(target.file, item.cross)
        assert whole is not None
        yield Checked(location, relation=at_cross(text, share_line, item.cross),
                      operands=(Operand(amount_line.location(target.file, item.cross), item.amount.value),
                       Operand(amount_line.location(target.file, total), whole.value)))
        if item.consistent:
            continue
        args = {"stated": item.stated.value, "computed": item.computed, "exact": round_declared(item.exact, item.digits + 3, None),
                "places": item.digits, **cell_args(target, share_line, item.cross, item.mark),
                "of": amount_line.label(here), "total": Text(total_title, total_title)}
        related = [Related(amount_line.location(target.file, item.cross), Text("部分", "the part")),
                   Related(amount_line.location(target.file, total), Text("全体", "the whole"))]
        adjusted = _adjusted(item, shares, groups) if item.mark is None else None
        if adjusted is not None:
            group, whole_share, rounded_sum = adjusted
            title = share_line.index.title(cross_axis, group)
            yield Finding("share_adjusted", location,
                          {**args, "whole_share": whole_share, "rounded_sum": rounded_sum,
                           "whole_line": Text(title, title)}, related)
            continue
        assert whole is not None
        fix = _fix_text(share_line.value(item.cross), item.computed, item.digits)
        yield Finding("share_mismatch", location,
                      {**args, "amount": item.amount.value, "whole": whole.value, "scale": scale,
                       "rounding": _rounding_text(rounding)},
                      related, None if fix is None or item.mark is not None else Fix(location, fix))


# --- check functions -----------------------------------------------------------------------


@check_function("table_relations", given=("tables",), kinds=RELATION_KINDS, options=HalfUnitOptions)
def table_relations(target: Target, options: HalfUnitOptions) -> Iterator[Finding | RelationRecord]:
    """Every relation the table declares holds at every cross line (every column for a
    row relation, every row for a column relation, narrowed by `only` / `skip`); a cross
    line where a cell it needs is not a number is reported as unchecked, and one that no
    line states as not applicable."""
    from checker.functions.blame import assign_blame

    in_force = kind_in_force(target)  # the table with its kind's relations and zeros in force too (checker/kinds.py)
    yield from assign_blame(in_force, _in_force(target, in_force, options))


def _in_force(target: Target, in_force: Target, options: HalfUnitOptions) -> Iterator[Finding | RelationRecord]:
    for index, relation in enumerate(target.node.relations):
        yield from evaluate_relation(in_force, relation, target.path + ("relations", index), options)
    yield from kind_relations(in_force, options)
    yield from tree_sums(in_force)


def _user(target: Target, relation: Relation, options: Any) -> Iterator[Finding | RelationRecord]:
    """A user rule's relation: its records name no kind (the rule's own is the main one)."""
    yield from FORMS[relation.check].evaluate(target, relation, target.path, options)


@check_function("row_sum", given=("tables",), kinds={**SUM_TABLE_KINDS, **UNKNOWN_ROW}, options=RowSumOptions,
                target_mismatch="unknown_row")
def row_sum(target: Target, options: RowSumOptions) -> Iterator[Finding | RelationRecord]:
    """`row` equals the sum of the rows `of`, in every column; a column where they are in
    different units is not checked (TAB012 reports it for a declared sum)."""
    relation = Relation(check="sum", row=options.row, of=list(options.of))
    yield from evaluate_sum(target, relation, target.path, options, unit_findings=False)


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
        value, mark = line.number(target, None, cross)
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
