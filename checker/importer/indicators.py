"""The indicator block: 指標 (成果指標), 単位, 基準値, and per indicator a 目標, a 実績 and a 達成率
row across the year columns (和暦 headers), as a theme's `indicators`.

Recognised without a mapping: a header row holding 指標 and at least one year (令和3年度,
R3, 2021年度) whose rows below name their kind (目標 / 実績 / 達成率) in one column; an
indicator's name, unit and baseline are the cells of its first row (merged down over its
rows, as templates print them). The baseline's year is read from its header (基準値（令和2年度）).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from checker.diagnostics import Text
from checker.fiscal import FiscalYearError, era_label, parse_fiscal_year
from checker.importer.problems import ImportProblem
from checker.importer.projects import Recognised, _cell_problems, _ref, flattened, header_rows, normal
from checker.importer.workbook import Sheet, address

ROW_KINDS = {"目標": "targets", "目標値": "targets", "計画": "targets", "実績": "actuals", "実績値": "actuals",
             "達成率": "rates", "達成度": "rates"}
_YEAR_IN_RE = re.compile(r"(令和|平成|昭和)\s*(元|\d{1,2})\s*年度?|[RH]\s*\d{1,2}|(19|20)\d{2}\s*年度")


def year_of(text: str) -> int | None:
    match = _YEAR_IN_RE.search(unicodedata.normalize("NFKC", text))
    if match is None:
        return None
    try:
        return parse_fiscal_year(match.group(0))
    except FiscalYearError:
        return None


def recognise(sheet: Sheet) -> Recognised | Text:
    for first in range(1, min(sheet.max_row, 40) + 1):
        texts = {column: sheet.text(first, column) for column in sheet.columns_in(first)}
        if any("指標" in normal(text) for text in texts.values()) and \
                any(year_of(text) is not None and "基準" not in text for text in texts.values()):
            break
    else:
        return Text("指標と年度の見出しがありません", "no header with 指標 and years")
    last = header_rows(sheet, first)
    labels = flattened(sheet, first, last)
    name_col = next(column for column, label in labels.items() if "指標" in normal(label))
    unit_col = next((column for column, label in labels.items() if normal(label) == "単位"), None)
    base_col = next((column for column, label in labels.items() if "基準" in normal(label)), None)
    years = {column: year_of(label) for column, label in labels.items()
             if column not in (name_col, base_col) and year_of(label) is not None}
    kind_col = _kind_column(sheet, last + 1, labels, set(years) | {name_col})
    if kind_col is None:
        return Text("目標・実績・達成率の行の区分がありません", "no column naming the rows 目標 / 実績 / 達成率")
    base_year = year_of(labels.get(base_col, "")) if base_col else None
    return read_block(sheet, first, last, name_col, unit_col, base_col, years, kind_col, base_year)


def read_block(sheet: Sheet, first: int, last: int, name_col: int, unit_col: int | None, base_col: int | None,
               years: dict[int, int | None], kind_col: int, base_year: int | None, mapped: bool = False) -> Recognised | Text:
    """The indicator block under the header rows `first`-`last`, its columns recognised or
    given by a mapping file: each indicator's 目標 / 実績 / 達成率 rows by year."""
    labels = flattened(sheet, first, last)
    how = ("（対応づけファイルによる）", " (by the mapping file)") if mapped else ("", "")
    explain = [Text(f"{sheet.name}: 指標{how[0]}（見出し {first}〜{last} 行目）",
                    f"{sheet.name}: indicators{how[1]}, header rows {first}-{last}"),
               Text("  年度の列 " + ", ".join(f"{_letters(c)}={era_label(y)}" for c, y in years.items() if y),
                    "  year columns " + ", ".join(f"{_letters(c)}={era_label(y)}" for c, y in years.items() if y))]
    indicators: list[dict[str, Any]] = []
    cells: dict[tuple[str | int, ...], str] = {}
    problems: list[ImportProblem] = []
    current: dict[str, Any] | None = None
    for row in range(last + 1, sheet.max_row + 1):
        kind = ROW_KINDS.get(normal(sheet.text(row, kind_col)))
        if kind is None:
            if current is not None and not any(sheet.text(row, c) for c in labels):
                break
            continue
        name = sheet.header_text(row, name_col)
        if current is None or (sheet.text(row, name_col) and kind == "targets"):
            index = len(indicators)
            current = {"name": name}
            indicators.append(current)
            cells[(index, "name")] = _ref(sheet, row, name_col)
            if unit_col and sheet.text(row, unit_col):
                current["unit"] = sheet.text(row, unit_col)
                cells[(index, "unit")] = _ref(sheet, row, unit_col)
            if base_col and sheet.text(row, base_col):
                if base_year is not None:
                    current["baseline"] = {"year": era_label(base_year), "value": sheet.text(row, base_col)}
                    cells[(index, "baseline", "value")] = _ref(sheet, row, base_col)
                problems += _cell_problems(sheet, row, base_col)
        index = len(indicators) - 1
        values: dict[str, str] = {}
        for column, year in years.items():
            text = sheet.text(row, column)
            if not text or year is None:
                continue
            values[era_label(year)] = text
            cells[(index, kind, era_label(year))] = _ref(sheet, row, column)
            problems += _cell_problems(sheet, row, column)
            if row in sheet.hidden_rows:
                problems.append(ImportProblem("IMP007", _ref(sheet, row, name_col), {"row": row}))
        if values:
            current[kind] = values
    if not indicators:
        return Text("指標の行がありません", "no indicator rows")
    ordered = [{key: indicator[key] for key in ("name", "unit", "baseline", "targets", "actuals", "rates")
                if key in indicator} for indicator in indicators]
    explain.append(Text(f"  指標 {len(ordered)} 件（区分の列 {_letters(kind_col)}）",
                        f"  {len(ordered)} indicators (row kinds in column {_letters(kind_col)})"))
    stated = sorted({year for year in years.values() if year is not None})
    reported = sorted({parse_fiscal_year(year) for indicator in ordered for year in indicator.get("actuals", {})})
    header: dict[str, Any] = {}
    if stated:  # the columns are the plan's years: its period, and the last year with an actual its as-of year
        header["period"] = {"start": era_label(stated[0]), "end": era_label(stated[-1])}
        explain.append(Text(f"  計画期間 {era_label(stated[0])}〜{era_label(stated[-1])}（年度の列から）",
                            f"  period {era_label(stated[0])}-{era_label(stated[-1])} (from the year columns)"))
    if reported:
        header["as_of"] = era_label(reported[-1])
        explain.append(Text(f"  報告年度 {era_label(reported[-1])}（実績のある最後の年度）",
                            f"  as of {era_label(reported[-1])} (the last year with an actual)"))
    found = Recognised("indicators", {"indicators": ordered},
                      {("indicators", *path): ref for path, ref in cells.items()}, explain, problems)
    found.header = header
    return found


def _letters(column: int) -> str:
    return re.sub(r"\d", "", address(1, column))


def _kind_column(sheet: Sheet, start: int, labels: dict[int, str], taken: set[int]) -> int | None:
    end = min(start + 12, sheet.max_row)
    stored = sorted({column for row in range(start, end + 1) for column in sheet.columns_in(row)})
    for column in stored:
        if column in taken:
            continue
        found = {normal(sheet.text(row, column)) for row in range(start, end + 1)}
        if len(found & set(ROW_KINDS)) >= 2:
            return column
    return None
