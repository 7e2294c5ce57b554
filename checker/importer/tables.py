"""A statistics table: a header row of column labels over rows that each start with their
label, a 合計 row and ratio rows, as a `tables:` entry; a table kind (budget, cost_sheet, ...)
recognised from the kinds registry's own labels (rules/kinds/tables.yaml, `checker.kinds`).

Recognised without a mapping: the first row (in the top 40) whose first labelled cell is
followed by at least two labels, with at least one row under it whose cells to the right are
numbers. Multi-row merged headers are flattened (令和3年度 over 見込量 is the column
令和3年度見込量, named 見込量). The unit comes from （単位：人）. A 合計 row becomes the stated
total: with no kind recognised, a `sum` relation over the rows above it that are not ratios
(率, 割合, 当たり, 構成比, or in %); with a kind, the kind's relations apply.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from checker.diagnostics import Text
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
        texts = [(column, sheet.header_text(row, column)) for column in range(1, sheet.max_column + 1)]
        labelled = [(column, text) for column, text in texts if text and not _numeric(text)]
        if len(labelled) < 3 or any(_numeric(text) for _, text in texts if text):
            continue
        # the row labels: the first labelled column whose cells below are words, not numbers
        label_col = next((column for column, _ in labelled
                          if any(sheet.text(r, column) and not _numeric(sheet.text(r, column))
                                 for r in range(row + 1, min(row + 6, sheet.max_row) + 1))), labelled[0][0])
        below = [row2 for row2 in range(row + 1, min(row + 6, sheet.max_row) + 1)
                 if sheet.text(row2, label_col) and
                 any(_numeric(sheet.text(row2, c)) for c in range(label_col + 1, sheet.max_column + 1))]
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


def _kind(column_labels: list[str], row_labels: list[str]) -> str | None:
    """The table kind whose column and row labels the table prints most of (two at least)."""
    try:
        from checker.kinds import normalised, registry
    except ImportError:  # a checker without the kinds registry
        return None
    best, best_score = None, (1, 0)
    for name, spec in registry().items():
        scores = []
        for labels, roles in ((column_labels, spec.columns), (row_labels, spec.rows)):
            known = {normalised(word)[1] for role in roles.values() for word in role.labels}
            scores.append(sum(1 for label in labels if normalised(label)[1] in known))
        score = (scores[0], scores[1])  # two column roles at least (本年度, 前年度): rows alone say little
        if score[0] >= 2 and score > best_score:
            best, best_score = name, score
    return best


def recognise(sheet: Sheet, index: int) -> Recognised | Text:
    found = _find(sheet)
    if found is None:
        return Text("見出しの行と数値の行からなる表がありません", "no table of a header row over rows of numbers")
    first, label_col = found
    last = header_rows(sheet, first)
    labels = flattened(sheet, first, last)
    value_cols = [column for column in labels if column > label_col]
    worded = [labels[column] for column in value_cols if any(_worded(sheet.text(row, column))
                                                              for row in range(last + 1, sheet.max_row + 1))]
    if worded:
        return Text(f"数値でない列があります（{'、'.join(worded)}）: 統計表ではありません",
                    f"columns of words ({', '.join(worded)}): not a statistics table")
    columns: list[dict[str, Any]] = []
    keys: dict[int, str] = {}
    cells: dict[tuple[str | int, ...], str] = {}
    for column in value_cols:
        key = normal(labels[column])
        if key in keys.values():
            key = f"{key}_{address(first, column).rstrip('0123456789')}"
        keys[column] = key
        entry: dict[str, Any] = {"key": key}
        bottom = sheet.header_text(last, column)
        if bottom and normal(bottom) != key:
            entry["name"] = bottom
        year = _YEAR_IN_RE.search(unicodedata.normalize("NFKC", labels[column]))
        if year is not None and year_of(year.group(0)) is not None:
            entry["year"] = year.group(0)  # 令和2年 as printed: the loader reads it as the year
        cells[("columns", len(columns), "key")] = _ref(sheet, first, column)
        columns.append(entry)
    rows: list[dict[str, Any]] = []
    problems: list[ImportProblem] = []
    total_key: str | None = None
    row_numbers: dict[str, int] = {}
    for row in range(last + 1, sheet.max_row + 1):
        name = sheet.text(row, label_col)
        if not name:
            if rows:
                break
            continue
        values: dict[str, str] = {}
        for column in value_cols:
            text = sheet.text(row, column)
            if text:
                values[keys[column]] = text
                cells[("rows", len(rows), "values", keys[column])] = _ref(sheet, row, column)
                problems += _cell_problems(sheet, row, column)
        key = normal(name)
        if key in {row_["key"] for row_ in rows}:
            key = f"{key}_{row}"
        entry = {"key": key, "name": name}
        if any(word in name for word in _RATIO_WORDS) or all(text.endswith("%") for text in values.values() if text):
            entry["additive"] = False
        if normal(name) in {normal(word) for word in TOTAL_LABELS}:
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
    kind = _kind([labels[c] for c in value_cols], [row["name"] for row in rows])
    title = next((sheet.text(r, c) for r in range(1, first) for c in range(1, sheet.max_column + 1)
                  if sheet.text(r, c) and "単位" not in sheet.text(r, c)), sheet.name)
    table: dict[str, Any] = {"id": f"table-{index + 1}", "title": title}
    if kind is not None:
        table["kind"] = kind
    if unit:
        table["unit"] = unit
    table["columns"] = columns
    table["rows"] = rows
    explain = [Text(f"{sheet.name}: 統計表（見出し {first}〜{last} 行目、行の見出しは {address(first, label_col)[:-len(str(first))]} 列）",
                    f"{sheet.name}: a table, header rows {first}-{last}, row labels in column "
                    f"{address(first, label_col)[:-len(str(first))]}"),
               Text(f"  列 {len(columns)}、行 {len(rows)}" + (f"、種類 {kind}（表の種類の見出しから）" if kind else ""),
                    f"  {len(columns)} columns, {len(rows)} rows" + (f", kind {kind} (from the kinds' labels)" if kind else ""))]
    if total_key is not None:  # a =SUM in the 合計 row must cover the rows above it that add up
        total_row = row_numbers[total_key]
        parts_rows = [row_numbers[row_["key"]] for row_ in rows if row_.get("additive", True) and
                      row_["key"] != total_key and row_numbers[row_["key"]] < total_row]
        for column in value_cols:
            cell = sheet.cells.get((total_row, column))
            if cell is not None:
                problems += _formula_problems(sheet, cell, total_row, column, parts_rows)
    if total_key is not None and kind is None:
        position = next(i for i, row_ in enumerate(rows) if row_["key"] == total_key)
        parts = [row_["key"] for row_ in rows[:position] if row_.get("additive", True)]
        if parts:
            table["relations"] = [{"check": "sum", "row": total_key, "of": parts}]
            explain.append(Text(f"  合計の行 {total_key} = {' + '.join(parts)}",
                                f"  the total row {total_key} = {' + '.join(parts)}"))
    end = max(cell[0] for cell in sheet.cells)
    cells[()] = f"{sheet.name}!{address(first, label_col)}:{address(min(end, last + len(rows)), max(value_cols))}"
    return Recognised("table", table, cells, explain, problems)
