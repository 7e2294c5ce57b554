"""A statistics table: a header row of column labels over rows that each start with their
label, a 合計 row and ratio rows, as a `tables:` entry; a table kind (budget, cost_sheet, ...)
recognised from the kinds registry's own labels (rules/kinds/tables.yaml, `checker.kinds`).

Recognised without a mapping: the first row (in the top 40) whose first labelled cell is
followed by at least two labels, with at least one row under it whose cells to the right are
numbers. Multi-row merged headers are flattened (人口 over 令和2年 is the column 人口令和2年,
named 令和2年), except 和暦 years over the same sub-labels (令和3年度 over 計画値, 実績値, 進捗率,
twice or more), which become a column tree as a service_progress table has it. The unit comes
from （単位：人）, a row's from its label (受益者数（人）). A 合計 row becomes the stated total:
with no kind recognised, a `sum` relation over the rows above it that are not ratios (率, 割合,
当たり, 構成比, or in %); with a kind, the kind's relations apply. The relations the table's
formulas compute (`formulas.py`) are declared (`_formula_relations`); a 決算 table is the
registry's settlement_revenue or settlement_expenditure, whose relations state its identities.
`read_table` reads a table where a mapping file puts it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from checker.diagnostics import Text
from checker.importer import formulas
from checker.importer.indicators import _YEAR_IN_RE, year_of
from checker.importer.problems import ImportProblem
from checker.importer.projects import (
    TOTAL_LABELS,
    Recognised,
    _cell_problems,
    _formula_problems,
    _ref,
    _unit_and_year,
    flattened,
    header_rows,
    normal,
)
from checker.importer.workbook import Sheet, address

_RATIO_WORDS = ("率", "割合", "当たり", "あたり", "構成比", "比率", "平均")


def _numeric(text: str) -> bool:
    from checker.values import CellError, Number, parse_cell

    try:
        return isinstance(parse_cell(text), Number)
    except CellError:
        return False


def _find(sheet: Sheet) -> tuple[int, int] | None:
    """(header row, label column)."""
    for row in range(1, min(sheet.max_row, 40) + 1):
        texts = [(column, sheet.header_text(row, column)) for column in sheet.header_columns(row, row)]
        labelled = [(column, text) for column, text in texts if text and not _numeric(text)]
        if len(labelled) < 3 or any(_numeric(text) for _, text in texts if text):
            continue
        # the row labels: the first labelled column whose cells below are words, not numbers
        label_col = next((column for column, _ in labelled
                          if any(sheet.text(r, column) and not _numeric(sheet.text(r, column))
                                 for r in range(row + 1, min(row + 6, sheet.max_row) + 1))), labelled[0][0])
        below = [row2 for row2 in range(row + 1, min(row + 6, sheet.max_row) + 1)
                 if sheet.text(row2, label_col) and
                 any(_numeric(sheet.text(row2, c)) for c in sheet.columns_in(row2) if c > label_col)]
        if below:
            return row, label_col
    return None


def _worded(text: str) -> bool:
    """A cell a statistics table cannot hold: words (a department, an account), not a
    number, a bound or an absence."""
    from checker.values import Absent, Bound, CellError, Number, parse_cell

    if not text:
        return False
    try:
        cell = parse_cell(text)
    except CellError:
        return False  # a defective number: the loader reports it at its value
    return not isinstance(cell, (Number, Bound, Absent))


def _kind(column_labels: list[list[str]], row_labels: list[str]) -> tuple[str | None, Text]:
    """The table kind whose column and row labels the table prints most of, and why: two
    column labels at least for a kind with column roles (本年度, 前年度: rows alone say little);
    for a kind whose columns are only years (a cost sheet), rows of three of its roles, one of
    them a line its relations state (トータルコスト: 利用者数 and その他 alone are no cost sheet).
    Each column is matched by any of its labels (the flattened header, the bottom one)."""
    none = Text("", "")
    try:
        from checker.kinds import normalised, registry
    except ImportError:  # a checker without the kinds registry
        return None, none

    def index(roles: dict[str, Any]) -> dict[str, str]:
        return {form: role for role, spec in roles.items() for word in spec.labels for form in normalised(word)[:2]}

    def role_of(label: str, known: dict[str, str]) -> str | None:
        whole, bare, _ = normalised(label)
        return known.get(whole) or known.get(bare)

    best, best_score, best_why = None, (0, 0), none
    for name, spec in registry().items():
        columns_known, rows_known = index(spec.columns), index(spec.rows)
        matched_columns = [labels[-1] for labels in column_labels if any(role_of(label, columns_known) for label in labels)]
        matched_rows = [label for label in row_labels if role_of(label, rows_known)]
        if spec.columns:
            enough = len(matched_columns) >= 2
        else:
            roles = {role_of(label, rows_known) for label in matched_rows}
            enough = len(roles) >= 3 and any(relation.line in roles for relation in spec.relations)
        score = (len(matched_columns), len(matched_rows))
        if enough and score > best_score:
            best, best_score = name, score
            shown = list(dict.fromkeys([*matched_columns, *matched_rows]))[:6]
            best_why = Text("、".join(shown), ", ".join(shown))
    return best, best_why


_YEAR_ONLY = re.compile(r"^(?:(?:令和|平成|昭和)(?:元|\d{1,2})年度?|[RH]\d{1,2}年?度?|(?:19|20)\d{2}年度?)$")
_UNIT_IN_LABEL = re.compile(r"[（(]\s*(人|円|千円|件|回|%|％|人/月|回/月|日/月|時間)\s*[)）]\s*$")


@dataclass
class Layout:
    """Where a table is in its sheet: the header rows, the label column, the value columns,
    and what a mapping file gives (the total's row, the unit, the kind)."""

    first: int
    last: int
    label_col: int
    value_cols: list[int]
    total_row: int | None = None
    unit: str | None = None
    kind: str | None = None
    mapped: bool = False
    row_range: tuple[int, int] | None = None  # the data rows (a mapping's), else down to the first blank label


def recognise(sheet: Sheet, index: int) -> Recognised | Text:
    found = _find(sheet)
    if found is None:
        return Text("見出しの行と数値の行からなる表がありません", "no table of a header row over rows of numbers")
    first, label_col = found
    last = header_rows(sheet, first)
    labels = flattened(sheet, first, last)
    value_cols = [column for column in labels if column > label_col]
    worded = [labels[column] for column in value_cols if any(_worded(sheet.text(row, column))
                                                              for row in sheet.rows_in(column, last + 1))]
    if worded:
        return Text(f"数値でない列があります（{'、'.join(worded)}）: 統計表ではありません",
                    f"columns of words ({', '.join(worded)}): not a statistics table")
    return read_table(sheet, index, Layout(first, last, label_col, value_cols))


def _column_tree(sheet: Sheet, layout: Layout) -> list[tuple[int | None, list[int]]] | None:
    """Year headers over sub-columns (令和3年度 over 計画値, 実績値, 進捗率, twice or more, the same
    sub-labels under each): the groups in order, each (the header's column, its columns), a
    column under no year header (None, [it]); else None (the header is flattened)."""
    first, last = layout.first, layout.last
    if last == first:
        return None
    runs: list[tuple[str, list[int]]] = []  # consecutive columns under one top label
    for column in layout.value_cols:
        top = normal(sheet.header_text(first, column))
        if runs and top and runs[-1][0] == top and runs[-1][1][-1] == column - 1:
            runs[-1][1].append(column)
        else:
            runs.append((top, [column]))

    def yearly(top: str, columns: list[int]) -> bool:
        return len(columns) >= 2 and bool(_YEAR_ONLY.match(top)) and \
            all(normal(sheet.header_text(last, column)) not in ("", top) for column in columns)

    years = [columns for top, columns in runs if yearly(top, columns)]
    if len(years) < 2:
        return None
    subs = [{normal(sheet.header_text(last, column)) for column in columns} for columns in years]
    if not all(sub & subs[0] for sub in subs[1:]):
        return None
    return [(columns[0], columns) if yearly(top, columns) else (None, columns) for top, columns in runs]


def read_table(sheet: Sheet, index: int, layout: Layout) -> Recognised | Text:
    """The table under the header rows `layout.first`-`layout.last`, recognised or given by a
    mapping file: its columns (a tree when year headers stand over sub-columns), its rows
    down to the first blank label, the 合計's relation, the kind, the relations its
    formulas compute."""
    first, last, label_col = layout.first, layout.last, layout.label_col
    labels = flattened(sheet, first, last)
    value_cols = [column for column in layout.value_cols if column in labels]
    if not value_cols:
        return Text("見出しのある値の列がありません", "no value column with a header")
    columns: list[dict[str, Any]] = []
    keys: dict[int, str] = {}
    names: dict[int, str] = {}  # the printed label each column is recognised by
    candidates: list[list[str]] = []
    cells: dict[tuple[str | int, ...], str] = {}
    tree = _column_tree(sheet, layout)

    def leaf(column: int, path: tuple[str | int, ...], prefix: str = "") -> dict[str, Any]:
        key = line_key(labels[column] if not prefix else prefix + sheet.header_text(last, column))
        if key in keys.values():
            key = f"{key}_{address(first, column).rstrip('0123456789')}"
        keys[column] = key
        entry: dict[str, Any] = {"key": key}
        bottom = sheet.header_text(last, column)
        if bottom and normal(bottom) != key:
            entry["name"] = bottom
        elif not bottom and normal(labels[column]) != key:
            entry["name"] = labels[column]
        names[column] = bottom or labels[column]
        candidates.append([labels[column], bottom] if bottom else [labels[column]])
        year = _YEAR_IN_RE.search(unicodedata.normalize("NFKC", labels[column]))
        if not prefix and year is not None and year_of(year.group(0)) is not None:
            entry["year"] = year.group(0)  # 令和2年 as printed: the loader reads it as the year
        unit = _UNIT_IN_LABEL.search(unicodedata.normalize("NFKC", bottom or labels[column]))
        if unit is not None and unit.group(1) in ("%", "％"):
            entry["unit"] = "%"
        if any(word in names[column] for word in _RATIO_WORDS):
            entry["additive"] = False
        cells[(*path, "key")] = _ref(sheet, last if prefix else first, column)
        return entry

    if tree is None:
        for column in value_cols:
            columns.append(leaf(column, ("columns", len(columns))))
    else:
        for owner, group in tree:
            if owner is None:
                for column in group:
                    columns.append(leaf(column, ("columns", len(columns))))
                continue
            top = sheet.header_text(first, owner)
            position = len(columns)
            parent: dict[str, Any] = {"key": normal(top), "year": top}
            cells[("columns", position, "key")] = _ref(sheet, first, owner)
            parent["columns"] = [leaf(column, ("columns", position, "columns", sub), top) for sub, column in enumerate(group)]
            columns.append(parent)
    rows: list[dict[str, Any]] = []
    problems: list[ImportProblem] = []
    total_key: str | None = None
    row_numbers: dict[str, int] = {}
    low, high = layout.row_range or (last + 1, sheet.max_row)
    for row in range(low, high + 1):
        name = sheet.text(row, label_col)
        if not name:
            if rows and layout.row_range is None:
                break
            continue
        values: dict[str, str] = {}
        for column in value_cols:
            text = sheet.text(row, column)
            if text:
                values[keys[column]] = text
                cells[("rows", len(rows), "values", keys[column])] = _ref(sheet, row, column)
                problems += _cell_problems(sheet, row, column)
        key = line_key(name)
        if key in {row_["key"] for row_ in rows}:
            key = f"{key}_{row}"
        entry: dict[str, Any] = {"key": key, "name": name}
        row_unit = _UNIT_IN_LABEL.search(unicodedata.normalize("NFKC", name))
        if row_unit is not None:
            entry["unit"] = "%" if row_unit.group(1) in ("%", "％") else row_unit.group(1)
        if any(word in name for word in _RATIO_WORDS) or all(text.endswith("%") for text in values.values() if text):
            entry["additive"] = False
        if (layout.total_row == row) if layout.total_row is not None else \
                normal(name) in {normal(word) for word in TOTAL_LABELS}:
            total_key = key
        entry["values"] = values
        cells[("rows", len(rows), "name")] = _ref(sheet, row, label_col)
        if row in sheet.hidden_rows:
            problems.append(ImportProblem("IMP007", _ref(sheet, row, label_col), {"row": row}))
        row_numbers[key] = row
        rows.append(entry)
    if not rows:
        return Text("表の行がありません", "no table rows")
    unit, _ = _unit_and_year(sheet, first, "")
    unit = layout.unit or unit
    kind: str | None
    if layout.kind is not None:
        kind, why = (layout.kind, Text("対応づけファイルによる", "by the mapping file"))
    else:
        kind, why = _kind(candidates, [row["name"] for row in rows])
    title = next((sheet.text(r, c) for r in range(1, first) for c in sheet.columns_in(r)
                  if sheet.text(r, c) and "単位" not in sheet.text(r, c)), sheet.name)
    table: dict[str, Any] = {"id": f"table-{index + 1}", "title": title}
    if kind is not None:
        table["kind"] = kind
    if unit:
        table["unit"] = unit
    table["columns"] = columns
    table["rows"] = rows
    letters = address(first, label_col)[:-len(str(first))]
    how = "（対応づけファイルによる）" if layout.mapped else ""
    explain = [Text(f"{sheet.name}: 統計表{how}（見出し {first}〜{last} 行目、行の見出しは {letters} 列）",
                    f"{sheet.name}: a table{' (by the mapping file)' if layout.mapped else ''}, header rows "
                    f"{first}-{last}, row labels in column {letters}"),
               Text(f"  列 {len(keys)}（{'、'.join(f'{address(first, c)[:-len(str(first))]} {keys[c]}' for c in value_cols)}）、"
                    f"行 {len(rows)}",
                    f"  {len(keys)} columns ({', '.join(f'{address(first, c)[:-len(str(first))]} {keys[c]}' for c in value_cols)}), "
                    f"{len(rows)} rows")]
    if tree is not None:
        explain.append(Text("  年度の見出しの下に列があります（列の階層として取り込みました）",
                            "  year headers over sub-columns (imported as a column tree)"))
    if kind is not None:
        explain.append(Text(f"  種類 {kind}（{why.ja}）", f"  kind {kind} ({why.en})"))
    if total_key is not None:  # a =SUM in the 合計 row must cover the rows above it that add up
        total_row = row_numbers[total_key]
        parts_rows = [row_numbers[row_["key"]] for row_ in rows if row_.get("additive", True) and
                      row_["key"] != total_key and row_numbers[row_["key"]] < total_row]
        explain.append(Text(f"  合計の行 {total_key}（{_ref(sheet, total_row, label_col)}）",
                            f"  the total row {total_key} ({_ref(sheet, total_row, label_col)})"))
        for column in value_cols:
            cell = sheet.cells.get((total_row, column))
            if cell is not None:
                problems += _formula_problems(sheet, cell, total_row, column, parts_rows)
    relations: list[dict[str, Any]] = []
    if total_key is not None and kind is None:
        position = next(i for i, row_ in enumerate(rows) if row_["key"] == total_key)
        parts = [row_["key"] for row_ in rows[:position] if row_.get("additive", True)]
        if parts:
            relations.append({"check": "sum", "row": total_key, "of": parts})
            explain.append(Text(f"  合計の行 {total_key} = {' + '.join(parts)}",
                                f"  the total row {total_key} = {' + '.join(parts)}"))
    read = _formula_relations(sheet, row_numbers, keys, total_key)
    problems += read.problems
    explain += read.explain
    for relation in read.relations:
        if kind is not None and relation["check"] in ("sum", "difference"):
            # the kind knows the table's sums and differences (a cost sheet's 一般財源 = トータルコスト − 特定財源
            # is its 財源 sum): declared again they would report one mistake twice
            explain.append(Text(f"  （{relation.get('row', relation.get('column'))} の数式の和・差は種類 {kind} の関係で検査します）",
                                f"  (the sum or difference of {relation.get('row', relation.get('column'))}'s formulas is "
                                f"checked by the kind {kind}'s relations)"))
            continue
        if not any(_same_line(relation, other) for other in relations):
            relations.append(relation)
    if relations:
        table["relations"] = relations
    end = max(cell[0] for cell in sheet.cells)
    cells[()] = f"{sheet.name}!{address(first, label_col)}:{address(min(end, max(row_numbers.values())), max(value_cols))}"
    return Recognised("table", table, cells, explain, problems)


def line_key(label: str) -> str:
    """A line's key: its label, spaces removed, a `/` (which a relation's `table-id/line-key`
    reads as the table's) as `_`; the printed label stays its `name`."""
    return normal(label).replace("/", "_")


def _same_line(one: dict[str, Any], other: dict[str, Any]) -> bool:
    """Whether two relations state the same line (one relation per line is declared)."""
    return ("row" in one) == ("row" in other) and one.get("row", one.get("column")) == other.get("row", other.get("column"))


def _described(relation: dict[str, Any]) -> str:
    line = relation.get("row", relation.get("column"))
    if relation["check"] == "ratio":
        scale = f" × {relation['scale']}" if relation.get("scale", 1) != 1 else ""
        places = f"（{relation['places']} 桁）" if relation.get("places") is not None else ""
        return f"{line} = {relation['numerator']} ÷ {relation['denominator']}{scale}{places}"
    if relation["check"] == "share":
        return f"{line} = {relation['of'][0]} ÷ {relation['of'][0]}@{relation['total']} × {relation.get('scale', 1)}"
    sign = " − " if relation["check"] == "difference" else " + "
    return f"{line} = {sign.join(relation['of'])}"


@dataclass
class _Read:
    relations: list[dict[str, Any]] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    explain: list[Text] = field(default_factory=list)


def _signature(formula: formulas.Formula, row: int, column: int, row_keys: dict[int, str],
               column_keys: dict[int, str]) -> tuple[tuple[str, int], tuple[Any, ...]] | Text:
    """The line a formula cell's formula states and the relation it computes (in the table's
    keys), or why it states none."""
    outside = Text("表の外のセルを参照しています", "it reads cells outside the table")
    if isinstance(formula, formulas.Quotient):
        top, bottom = formula.numerator, formula.denominator
        cells = (top, bottom)
        if not all(cell.row in row_keys and cell.column in column_keys for cell in cells):
            return outside
        if top.row == bottom.row == row and column not in (top.column, bottom.column) and top.column != bottom.column:
            return ("column", column), ("ratio", column_keys[top.column], column_keys[bottom.column])
        if top.column == bottom.column == column and row not in (top.row, bottom.row) and top.row != bottom.row:
            return ("row", row), ("ratio", row_keys[top.row], row_keys[bottom.row])
        if top.row == row and top.column == bottom.column != column:
            return ("column", column), ("share", column_keys[top.column], row_keys[bottom.row])
        if top.column == column and top.row == bottom.row != row:
            return ("row", row), ("share", row_keys[top.row], column_keys[bottom.column])
        return Text("比率の形が表の行・列の関係になっていません", "the quotient is not one between the table's lines")
    parts = formula.parts
    check = "sum" if isinstance(formula, formulas.Sum) else "difference"
    if not all(cell.row in row_keys and cell.column in column_keys for cell in parts):
        return outside
    if all(cell.row == row and cell.column != column for cell in parts):
        return ("column", column), (check, *[column_keys[cell.column] for cell in parts])
    if all(cell.column == column and cell.row != row for cell in parts):
        return ("row", row), (check, *[row_keys[cell.row] for cell in parts])
    return Text("行・列をまたいで計算しています", "it computes across both rows and columns")


def _formula_relations(sheet: Sheet, row_numbers: dict[str, int], column_keys: dict[int, str],
                       total_key: str | None) -> _Read:
    """The relations the table's formulas compute: each computed line (a row or column whose
    formula cells all compute the same relation of the table's lines) becomes a declared
    relation, so that a value typed over one of its formulas is checked, not trusted. A
    formula that is not recognised (IMP010), a line whose formulas disagree (IMP011) and a
    number typed among a line's formulas (IMP012) are said."""
    from checker.importer.formulas import NotRecognised
    from checker.importer.formulas import recognise as read_formula

    out = _Read()
    row_keys = {number: key for key, number in row_numbers.items()}
    found: dict[tuple[str, int], dict[tuple[Any, ...], list[tuple[int, int]]]] = {}
    scales: dict[tuple[str, int], set[tuple[Any, Any]]] = {}
    said: set[tuple[str, int]] = set()
    for row in row_keys:
        for column in column_keys:
            cell = sheet.cells.get((row, column))
            if cell is None or cell.formula is None:
                continue
            formula: formulas.Formula | None = None
            try:
                formula = read_formula(cell.formula)
                signature = _signature(formula, row, column, row_keys, column_keys)
            except NotRecognised as error:
                signature = error.reason
            if isinstance(signature, Text):
                if ("row", row) not in said and ("column", column) not in said:  # once for its row or column
                    out.problems.append(ImportProblem("IMP010", _ref(sheet, row, column),
                                                      {"formula": cell.formula, "reason": signature}))
                said.update({("row", row), ("column", column)})
                continue
            line, relation = signature
            found.setdefault(line, {}).setdefault(relation, []).append((row, column))
            if isinstance(formula, formulas.Quotient):
                scale = formula.scale * (100 if cell.text.endswith("%") else 1)
                scales.setdefault(line, set()).add((scale, formula.places))
    for (axis, number), relations in found.items():
        name = column_keys[number] if axis == "column" else row_keys[number]
        if axis == "row" and name == total_key and all(relation[0] == "sum" for relation in relations):
            continue  # the 合計 row: its sum is the table's (or the kind's), its range checked (IMP002)
        first_cell = min(cell for cells in relations.values() for cell in cells)
        if len(relations) > 1 or len(scales.get((axis, number), set())) > 1:
            out.problems.append(ImportProblem("IMP011", _ref(sheet, *first_cell), {
                "line": name, "count": len(relations) + len(scales.get((axis, number), set())) - 1}))
            continue
        [(relation, where)] = relations.items()
        built: dict[str, Any] = {"check": relation[0], axis: name}
        if relation[0] == "ratio":
            built.update(numerator=relation[1], denominator=relation[2])
        elif relation[0] == "share":
            built.update(of=[relation[1]], total=relation[2])
        else:
            built["of"] = list(relation[1:])
        if relation[0] in ("ratio", "share"):
            [(scale, places)] = scales[(axis, number)]
            if scale != 1:
                built["scale"] = int(scale) if scale == scale.to_integral_value() else str(scale)
            if places is not None:
                built["places"] = places
        out.relations.append(built)
        cross = [c for c in column_keys] if axis == "row" else list(row_keys)
        line_cells = [(number, c) for c in cross] if axis == "row" else [(r, number) for r in cross]
        typed = [(r, c) for r, c in line_cells if (r, c) in sheet.cells and sheet.cells[(r, c)].formula is None
                 and sheet.text(r, c)]
        refs = f"{_ref(sheet, *where[0])}" + (f" ほか {len(where) - 1}" if len(where) > 1 else "")
        refs_en = f"{_ref(sheet, *where[0])}" + (f" and {len(where) - 1} more" if len(where) > 1 else "")
        out.explain.append(Text(f"  数式から関係を読みました（{refs}）: {_described(built)}",
                                f"  a relation read from the formulas ({refs_en}): {_described(built)}"))
        for r, c in typed:
            out.problems.append(ImportProblem("IMP012", _ref(sheet, r, c), {"line": name, "value": sheet.text(r, c)}))
    return out
