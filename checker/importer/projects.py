"""The 関連事務事業一覧 layout: No, 事務事業名, 担当課, 予算科目 (款 項 目), コード, 事業費, 動向, a
合計 row and the 動向 counts, as a theme's `projects`.

Recognised without a mapping: a header row (one or two rows, merged cells spread over
their range and the rows' labels joined, so 予算科目 over 款 項 目 is three columns) holding
事務事業名 (or 事業名) and 事業費; the unit from （単位：千円） above it or 事業費（千円）; the
year from the 事業費 header (令和4年度事業費) or a title line; the items down to the 合計 row,
whose value becomes the list's stated total; the 動向 counts after it (拡大 2 ...).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from checker.diagnostics import Text
from checker.importer.problems import ImportProblem
from checker.importer.workbook import CellData, Sheet, address

OUTLOOK_WORDS = ("拡大", "改善", "維持", "縮小", "廃止")
TOTAL_LABELS = ("合計", "計", "総計", "合 計", "合　計")
FIELD_LABELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("no", ("No", "NO", "番号", "№")),
    ("name", ("事務事業名", "事業名")),
    ("department", ("担当課", "所管課", "担当部署")),
    ("account", ("予算科目",)),
    ("code", ("事業コード", "コード")),
    ("cost", ("事業費",)),
    ("outlook", ("動向",)),
)
_ACCOUNT_PARTS = {"款": "kan", "項": "kou", "目": "moku"}
_UNIT_RE = re.compile(r"単位\s*[:：]\s*(?P<unit>[^)）\s]+)|[（(]\s*(?P<bare>千円|円|万円|百万円|億円)\s*[)）]")
_YEAR_RE = re.compile(r"(令和|平成|昭和)\s*(元|\d{1,2})\s*年度")
_SUM_RE = re.compile(r"^=\s*SUM\(\s*\$?(?P<c1>[A-Z]{1,3})\$?(?P<r1>\d+)\s*:\s*\$?(?P<c2>[A-Z]{1,3})\$?(?P<r2>\d+)\s*\)\s*$",
                     re.IGNORECASE)


def normal(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@dataclass
class Recognised:
    """What a layout found in a sheet, for the YAML, its cells and `--explain`."""

    layout: str
    data: dict[str, Any]  # the section, as plain data in the model's key order
    cells: dict[tuple[str | int, ...], str]  # path within `data` -> Sheet!A1
    explain: list[Text] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    header: dict[str, Any] = field(default_factory=dict)  # what it says of the plan (period, as_of)


def _ref(sheet: Sheet, row: int, column: int) -> str:
    return f"{sheet.name}!{address(row, column)}"


def find_header(sheet: Sheet, required: tuple[str, ...], limit: int = 40) -> int | None:
    for row in range(1, min(sheet.max_row, limit) + 1):
        texts = [normal(sheet.text(row, column)) for column in sheet.columns_in(row)]
        if all(any(label in text for text in texts) for label in required):
            return row
    return None


def header_rows(sheet: Sheet, first: int) -> int:
    """The last row of a header that starts at `first`: as far down as a merged header cell
    of its first row reaches."""
    last = first
    for min_row, _, max_row, _ in sheet.merged:
        if min_row == first:
            last = max(last, max_row)
    return last


def flattened(sheet: Sheet, first: int, last: int) -> dict[int, str]:
    """Column -> its header labels joined top to bottom (a merged label once)."""
    labels: dict[int, str] = {}
    for column in sheet.header_columns(first, last):
        parts: list[str] = []
        for row in range(first, last + 1):
            text = sheet.header_text(row, column)
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        if parts:
            labels[column] = " ".join(parts)
    return labels


def _field_of(label: str) -> str | None:
    text = normal(label)
    for name, words in FIELD_LABELS:
        if any(normal(word) in text for word in words):
            return name
    return None


def recognise(sheet: Sheet) -> Recognised | Text:
    """The sheet as a project list, or why it is not one."""
    first = find_header(sheet, ("事業名", "事業費"))
    if first is None:
        return Text("事務事業名と事業費の見出しがありません", "no header with 事務事業名 and 事業費")
    last = header_rows(sheet, first)
    labels = flattened(sheet, first, last)
    columns: dict[str, list[int]] = {}
    account_parts: dict[str, int] = {}
    for column, label in labels.items():
        name = _field_of(label)
        if name is None:
            continue
        if name == "account":
            part = normal(label)[-1:]
            if part in _ACCOUNT_PARTS:
                account_parts[_ACCOUNT_PARTS[part]] = column
        columns.setdefault(name, []).append(column)
    return read_list(sheet, first, last, labels, columns, account_parts)


def read_list(sheet: Sheet, first: int, last: int, labels: dict[int, str], columns: dict[str, list[int]],
              account_parts: dict[str, int], *, total_row: int | None = None, unit: str | None = None,
              year: str | None = None, mapped: bool = False) -> Recognised:
    """The list under a header (rows `first`-`last`) whose columns are `columns` (field ->
    column numbers; 款 項 目 in `account_parts`), recognised or given by a mapping file."""
    name_col, cost_col = columns["name"][0], columns["cost"][0]
    how = ("対応づけファイルによる", "by the mapping file") if mapped else ("", "")
    explain = [Text(f"{sheet.name}: 関連事務事業一覧{how[0]}（見出し {first}〜{last} 行目）",
                    f"{sheet.name}: a project list (関連事務事業一覧){' ' + how[1] if mapped else ''}, "
                    f"header rows {first}-{last}")]
    for field_name, found in columns.items():
        shown = ", ".join(f"{address(first, c)[:-len(str(first))]}「{labels.get(c, '')}」" for c in found)
        explain.append(Text(f"  {field_name} ← 列 {shown}", f"  {field_name} <- column {shown}"))
    found_unit, found_year = _unit_and_year(sheet, first, labels.get(cost_col, ""))
    unit, year = unit or found_unit, year or found_year
    problems: list[ImportProblem] = []
    items: list[dict[str, Any]] = []
    cells: dict[tuple[str | int, ...], str] = {}
    item_rows: list[int] = []
    label_columns = sorted({min(labels, default=name_col), name_col})
    data_columns = sorted({c for found in columns.values() for c in found} | set(account_parts.values()))
    for row in range(last + 1, sheet.max_row + 1):
        row_labels = [normal(sheet.text(row, column)) for column in label_columns]
        if row == total_row or (total_row is None and any(text in {normal(word) for word in TOTAL_LABELS}
                                                          for text in row_labels)):
            total_row = row
            break
        if not any(sheet.text(row, column) for column in data_columns):
            if items:
                break
            continue
        item, item_cells = _item(sheet, row, columns, account_parts, len(items))
        items.append(item)
        cells.update(item_cells)
        item_rows.append(row)
        if row in sheet.hidden_rows:
            problems.append(ImportProblem("IMP007", _ref(sheet, row, name_col), {"row": row}))
    data: dict[str, Any] = {}
    if year is not None:
        data["year"] = year
    data["unit"] = unit or "千円"
    data["items"] = items
    explain.append(Text(f"  項目 {len(items)} 行（{item_rows[0] if item_rows else '-'}〜{item_rows[-1] if item_rows else '-'} 行目）"
                        f"、単位 {data['unit']}" + (f"、{year}" if year else ""),
                        f"  {len(items)} item rows ({item_rows[0] if item_rows else '-'}-"
                        f"{item_rows[-1] if item_rows else '-'}), unit {data['unit']}" + (f", {year}" if year else "")))
    if total_row is not None:
        cell = sheet.cells.get((total_row, cost_col))
        data["total"] = _value(cell)
        cells[("total",)] = _ref(sheet, total_row, cost_col)
        explain.append(Text(f"  合計 ← {address(total_row, cost_col)}（表の合計として。項目ではありません）",
                            f"  total <- {address(total_row, cost_col)} (the stated total, not an item)"))
        if cell is not None:
            problems += _formula_problems(sheet, cell, total_row, cost_col, item_rows)
        counts = _outlook_counts(sheet, total_row + 1)
        if counts:
            data["outlook_counts"] = {word: value for word, (value, _) in counts.items()}
            for word, (_, ref) in counts.items():
                cells[("outlook_counts", word)] = ref
            explain.append(Text(f"  動向の件数 ← {', '.join(ref.split('!')[1] for _, ref in counts.values())}",
                                f"  outlook counts <- {', '.join(ref.split('!')[1] for _, ref in counts.values())}"))
    for row in item_rows:
        for column in data_columns:
            problems += _cell_problems(sheet, row, column)
    if total_row is not None:
        problems += _cell_problems(sheet, total_row, cost_col)
    first_col, last_col = min(data_columns), max(data_columns)
    end_row = total_row or (item_rows[-1] if item_rows else last)
    cells[()] = f"{sheet.name}!{address(first, first_col)}:{address(end_row, last_col)}"
    return Recognised("project_list", data, cells, explain, problems)


def _unit_and_year(sheet: Sheet, header: int, cost_label: str) -> tuple[str | None, str | None]:
    unit = year = None
    texts = [cost_label] + [sheet.text(row, column) for row in range(1, header) for column in sheet.columns_in(row)]
    for text in texts:
        match = _UNIT_RE.search(unicodedata.normalize("NFKC", text).replace("(", "（").replace(")", "）")) \
            or _UNIT_RE.search(text)
        if match and unit is None:
            unit = match["unit"] or match["bare"]
        found = _YEAR_RE.search(text)
        if found and year is None:
            year = found.group(0)
    return unit, year


def _value(cell: CellData | None) -> Any:
    """A cell's printed text, as the YAML states it."""
    return "" if cell is None else cell.text


def _item(sheet: Sheet, row: int, columns: dict[str, list[int]], account_parts: dict[str, int],
          index: int) -> tuple[dict[str, Any], dict[tuple[str | int, ...], str]]:
    item: dict[str, Any] = {}
    cells: dict[tuple[str | int, ...], str] = {}
    base: tuple[str | int, ...] = ("items", index)
    for name, _ in FIELD_LABELS:
        if name not in columns:
            continue
        if name == "account" and len(account_parts) == 3:
            parts = [sheet.text(row, account_parts[part]) for part in ("kan", "kou", "moku")]
            if any(parts):
                item["account"] = "-".join(parts)
                cells[(*base, "account")] = (f"{sheet.name}!{address(row, account_parts['kan'])}:"
                                             f"{address(row, account_parts['moku'])}")
            continue
        column = columns[name][0]
        text = sheet.text(row, column)
        if name == "name" and text.startswith("★"):
            item["name"] = text[1:].strip()
            item["main"] = True
            cells[(*base, "name")] = _ref(sheet, row, column)
            continue
        if not text and name != "cost":
            continue
        if name == "no" and text.isdigit():
            item["no"] = int(text)
        else:
            item[name] = text
        cells[(*base, name)] = _ref(sheet, row, column)
    ordered: dict[str, Any] = {key: item[key] for key in ("no", "name", "department", "account", "code", "cost", "outlook", "main")
               if key in item}
    return ordered, cells


def _outlook_counts(sheet: Sheet, start: int) -> dict[str, tuple[int, str]]:
    """拡大 2, 改善 0 ... after the 合計 row: each word with the count beside it or below it."""
    found: dict[str, tuple[int, str]] = {}
    for row in range(start, min(start + 6, sheet.max_row) + 1):
        for column in sheet.columns_in(row):
            word = normal(sheet.text(row, column)).removesuffix("件")
            if word not in OUTLOOK_WORDS or word in found:
                continue
            for at in ((row, column + 1), (row + 1, column)):
                text = sheet.text(*at)
                if re.fullmatch(r"\d+\s*件?", unicodedata.normalize("NFKC", text)):
                    found[word] = (int(re.sub(r"\D", "", unicodedata.normalize("NFKC", text))), _ref(sheet, *at))
                    break
    return found


def _formula_problems(sheet: Sheet, cell: CellData, row: int, column: int, item_rows: list[int]) -> list[ImportProblem]:
    problems: list[ImportProblem] = []
    if cell.formula is None or not item_rows:
        return problems
    match = _SUM_RE.match(cell.formula)
    letters = address(row, column)[:-len(str(row))]
    if match and match["c1"].upper() == match["c2"].upper() == letters:
        low, high = sorted((int(match["r1"]), int(match["r2"])))
        missing = [r for r in item_rows if not low <= r <= high]
        if missing:
            problems.append(ImportProblem("IMP002", _ref(sheet, row, column), {
                "formula": cell.formula, "items": f"{letters}{item_rows[0]}:{letters}{item_rows[-1]}",
                "missing": ", ".join(f"{letters}{r}" for r in missing)}))
    return problems


def _cell_problems(sheet: Sheet, row: int, column: int) -> list[ImportProblem]:
    cell = sheet.cells.get((row, column))
    if cell is None:
        return []
    problems = []
    if cell.formula is not None and cell.value is None:
        problems.append(ImportProblem("IMP001", _ref(sheet, row, column), {"formula": cell.formula}))
    if cell.note is not None:
        problems.append(ImportProblem("IMP003", _ref(sheet, row, column),
                                      {"format": cell.number_format or "", "text": cell.text}))
    return problems
