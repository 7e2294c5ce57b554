"""A mapping file: for a sheet `plancheck import` does not recognise, which rows are the
header, which columns are which fields or lines, where the total is (docs/import.md). One
of three layouts:

    sheet: 事業一覧                      # a theme's projects (関連事務事業一覧)
    layout: project_list
    header_rows: [3, 4]
    columns: {no: A, name: B, department: C, account: [D, E, F], code: G, cost: H, outlook: I}
    total: H13

    sheet: 成果指標                      # a theme's indicators
    layout: indicators
    header_rows: [3, 3]
    indicators: {name: A, unit: B, baseline: C, kinds: D, years: [E, H], baseline_year: 令和2年度}

    sheet: 歳入決算                      # a statistics table
    layout: table
    header_rows: [3, 4]
    table: {labels: A, values: [B, G], rows: [5, 8], kind: null}
    total: A8
    unit: 千円

It is YAML (or JSON), read by plancheck's own YAML reader (no tags, bounded), and checked
against `Mapping` (`plancheck import --mapping-schema` prints its JSON Schema), then against
the sheet (`check`: the rows and columns it names hold a header, a year, a label); a problem
is an IMP009 naming the field, and the cell when it is the sheet that disagrees.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from checker.diagnostics import Text
from checker.importer.workbook import column_number
from checker.model import TableKind, described, japanese

Letters = Annotated[str, Field(pattern=r"^[A-Z]{1,3}$")]
CellAddress = Annotated[str, Field(pattern=r"^[A-Z]{1,3}[1-9][0-9]{0,6}$")]


class ProjectColumns(BaseModel, json_schema_extra=japanese("関連事務事業一覧の各項目が入っている列（A、B、…）。")):
    """The column (A, B, ...) of each field of a project list."""

    model_config = ConfigDict(extra="forbid")
    no: Letters | None = described("No: the row's number.", "No（行番号）の列。", default=None)
    name: Letters = described("事務事業名.", "事務事業名の列。")
    department: Letters | None = described("担当課.", "担当課の列。", default=None)
    account: Letters | list[Letters] | None = described(
        "予算科目: one column (3-4-4), or the three of 款, 項 and 目.", "予算科目の列: 1 列（3-4-4）、または款・項・目の 3 列。",
        default=None)
    code: Letters | None = described("The 6-digit project code.", "6 桁の事業コードの列。", default=None)
    cost: Letters = described("事業費.", "事業費の列。")
    outlook: Letters | None = described("動向 (拡大, 改善, 維持, 縮小, 廃止).", "動向（拡大・改善・維持・縮小・廃止）の列。",
                                        default=None)


Rows = tuple[Annotated[int, Field(ge=1)], Annotated[int, Field(ge=1)]]


class IndicatorColumns(BaseModel, json_schema_extra=japanese("指標の表の各項目が入っている列。")):
    """The columns of an indicator block (成果指標, 単位, 基準値, 区分, the years)."""

    model_config = ConfigDict(extra="forbid")
    name: Letters = described("The indicator's name (成果指標).", "指標名（成果指標）の列。")
    unit: Letters | None = described("The unit (単位).", "単位の列。", default=None)
    baseline: Letters | None = described("The baseline value (基準値).", "基準値の列。", default=None)
    kinds: Letters = described(
        "The column naming each row 目標, 実績 or 達成率.", "各行が 目標・実績・達成率 のどれかを示す列（区分）。")
    years: tuple[Letters, Letters] = described(
        "The first and last year column: each year read from its header (令和3年度, R3, 2021年度).",
        "年度の列の最初と最後。各列の年度は見出し（令和3年度、R3、2021年度）から読みます。")
    baseline_year: str | None = described(
        "The year of the baseline (令和2年度); not given: read from the baseline's header.",
        "基準値の年度（令和2年度）。省略時は基準値の見出しから読みます。", default=None)


class TableColumns(BaseModel, json_schema_extra=japanese("統計表の行の見出しの列、値の列、行の範囲、表の種類。")):
    """Where a statistics table is: its row labels' column, its value columns, its rows, its kind."""

    model_config = ConfigDict(extra="forbid")
    labels: Letters = described("The column of the row labels (区分, 款, 会計).", "行の見出し（区分・款・会計）の列。")
    values: tuple[Letters, Letters] | None = described(
        "The first and last value column; not given: every labelled column right of the labels.",
        "値の列の最初と最後。省略時は行の見出しより右の、見出しのあるすべての列。", default=None)
    rows: Rows | None = described(
        "The first and last data row; not given: from under the header down to the first blank label.",
        "データの最初と最後の行。省略時は見出しの下から、行の見出しが空になるまで。", default=None)
    kind: TableKind | None = described(
        "The table's kind (budget, account_budget, cost_sheet, service_progress, achievement_matrix, settlement_revenue, "
        "settlement_expenditure); not given: "
        "recognised from its labels.",
        "表の種類（budget、account_budget、cost_sheet、service_progress、achievement_matrix、settlement_revenue、"
        "settlement_expenditure）。省略時は見出しから判別します。",
        default=None)


class Mapping(BaseModel, json_schema_extra=japanese("取り込みの対応づけ: 判別できないシートの見出しの行、列と項目、合計の位置。")):
    """How to read a sheet `plancheck import` does not recognise: its header rows, which
    column is which field, where the stated total is."""

    model_config = ConfigDict(extra="forbid")
    sheet: str = described("The sheet's name, as the workbook spells it.", "シート名（ブックの表記どおり）。")
    layout: Literal["project_list", "indicators", "table"] = described(
        "What the sheet holds: project_list (関連事務事業一覧, a theme's projects, with `columns`), indicators "
        "(a theme's indicators, with `indicators`), table (a statistics table, with `table`).",
        "シートの内容: project_list（関連事務事業一覧、テーマの事務事業。columns で列を指定）、indicators（テーマの指標。"
        "indicators で指定）、table（統計表。table で指定）。")
    header_rows: Rows = described(
        "The first and last row of the header (the same row twice for a one-row header).",
        "見出しの最初と最後の行（1 行の見出しなら同じ行を 2 回）。")
    columns: ProjectColumns | None = described(
        "project_list: which column holds each field.", "project_list: 各項目の列。", default=None)
    indicators: IndicatorColumns | None = described(
        "indicators: which column holds each field, and the year columns.", "indicators: 各項目の列と年度の列。",
        default=None)
    table: TableColumns | None = described(
        "table: the row labels' column, the value columns, the rows, the kind.",
        "table: 行の見出しの列、値の列、行の範囲、表の種類。", default=None)
    total: CellAddress | None = described(
        "The cell of the stated total (合計): project_list, in the cost column; table, any cell of the 合計 row. Not "
        "given: the row labelled 合計.",
        "合計のセル: project_list は事業費の列、table は合計の行のいずれかのセル。省略時は 合計 と書かれた行。", default=None)
    unit: str | None = described("The unit of the costs or of the table (千円); not given: read from the sheet.",
                                 "事業費または表の単位（千円）。省略時はシートから読みます。", default=None)
    year: str | None = described("The fiscal year of the costs (令和4年度); not given: read from the sheet.",
                                 "事業費の年度（令和4年度）。省略時はシートから読みます。", default=None)


    @model_validator(mode="after")
    def _layout_section(self) -> Mapping:
        if self.header_rows[0] > self.header_rows[1]:
            raise _refused("header_rows", "header_rows: the first row comes after the last",
                           "header_rows: 最初の行が最後の行より後です")
        sections = {"project_list": "columns", "indicators": "indicators", "table": "table"}
        needed = sections[self.layout]
        if getattr(self, needed) is None:
            raise _refused("layout_section", f"{needed}: a mapping of layout {self.layout} needs it",
                           f"{needed}: layout {self.layout} の対応表には必要です")
        for layout, name in sections.items():
            if layout != self.layout and getattr(self, name) is not None:
                raise _refused("layout_section", f"{name}: only for a {layout} mapping, this one is {self.layout}",
                               f"{name}: layout {layout} の対応表だけのものです（この対応表は {self.layout}）")
        if self.layout == "indicators" and self.total is not None:
            raise _refused("layout_section", "total: an indicators mapping has no total",
                           "total: indicators の対応表に合計はありません")
        if self.layout == "indicators" and self.unit is not None:
            raise _refused("layout_section", "unit: an indicators mapping reads each indicator's unit from its column "
                           "(indicators.unit)", "unit: indicators の対応表は、指標ごとの単位をその列（indicators.unit）から読みます")
        if self.layout != "project_list" and self.year is not None:
            raise _refused("layout_section", "year: only for a project_list mapping (a table's and an indicator's years "
                           "are read from their headers)",
                           "year: project_list の対応表だけのものです（表と指標の年度は見出しから読みます）")
        return self


def mapping_json_schema() -> dict[str, Any]:
    from checker.model import add_markdown_descriptions

    schema = Mapping.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "plancheck import mapping"
    add_markdown_descriptions(schema)
    return schema


def _refused(kind: str, english: str, japanese: str) -> PydanticCustomError:
    """A mapping's own consistency error, in both languages (the Japanese rides in the error's
    context, where `read_mapping` finds it)."""
    return PydanticCustomError(kind, english, {"ja": japanese})


class MappingError(Exception):
    def __init__(self, reason: Text) -> None:
        super().__init__(reason.en)
        self.reason = reason


def read_mapping(path: Path) -> Mapping:
    from checker.loader import DEFAULT_LIMITS, LoadedFile, _Builder, decode, problem_ja

    try:
        raw = path.read_bytes()[:DEFAULT_LIMITS.file_bytes + 1]
    except OSError as error:
        raise MappingError(Text(f"読めません: {error.strerror}", f"cannot be read: {error.strerror}")) from None
    loaded = LoadedFile(path=path, name=str(path))
    text = decode(loaded, raw) if len(raw) <= DEFAULT_LIMITS.file_bytes else None
    if text is None:
        raise MappingError(Text("UTF-8 のテキストとして読めません", "not UTF-8 text"))
    try:
        data = _Builder(loaded, DEFAULT_LIMITS).run(text)
    except Exception as error:  # noqa: BLE001 - any YAML problem of an untrusted file is reported
        raise MappingError(Text(f"YAML として読めません（{type(error).__name__}）",
                                f"not valid YAML ({type(error).__name__})")) from None
    try:
        return Mapping.model_validate(_plain(data))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        context = first.get("ctx") or {}
        english = first["msg"]
        japanese = context.get("ja") or problem_ja(first["type"], english, context)
        raise MappingError(Text(f"{where}: {japanese}" if where else japanese,
                                f"{where}: {english}" if where else english)) from None


def _plain(data: Any) -> Any:
    """The builder's Decimals as ints where they are whole (header rows)."""
    from decimal import Decimal

    if isinstance(data, dict):
        return {key: _plain(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_plain(value) for value in data]
    if isinstance(data, Decimal) and data == data.to_integral_value():
        return int(data)
    return data


def _letters_of(value: str | list[str] | tuple[str, ...] | None) -> list[str]:
    return [] if value is None else [value] if isinstance(value, str) else list(value)


def check(sheet: Any, mapping: Mapping) -> Text | None:
    """Whether the sheet is as the mapping says: its header rows, the columns it names (each
    with a header), the year columns (each header a year), the total inside the table. The
    problem names the mapping's field and the cell."""
    from checker.importer.indicators import year_of
    from checker.importer.workbook import address

    first, last = mapping.header_rows
    name = sheet.name
    if last > max(sheet.max_row, 1):
        return Text(f"header_rows: シート「{name}」は {sheet.max_row} 行目までです",
                    f"header_rows: the sheet {name!r} ends at row {sheet.max_row}")
    section = mapping.columns if mapping.layout == "project_list" else \
        mapping.indicators if mapping.layout == "indicators" else mapping.table
    assert section is not None
    prefix = {"project_list": "columns", "indicators": "indicators", "table": "table"}[mapping.layout]
    named = {field: _letters_of(value) for field, value in section.model_dump().items()
             if field not in ("years", "values", "rows", "kind", "baseline_year") and isinstance(value, (str, list))}
    for field, letters in named.items():
        for letters_one in letters:
            column = column_number(letters_one)
            if field in ("kinds", "labels"):  # a row-label column often has no header: it must hold labels
                below = range(last + 1, min(last + 12, sheet.max_row) + 1)
                if not any(sheet.text(row, column) for row in below):
                    return Text(f"{prefix}.{field}: {name}!{letters_one}{last + 1} から下に見出しがありません",
                                f"{prefix}.{field}: no labels under {name}!{letters_one}{last + 1}")
                continue
            if not any(sheet.header_text(row, column) for row in range(first, last + 1)):
                return Text(f"{prefix}.{field}: {name}!{letters_one}{first}:{letters_one}{last} に見出しがありません",
                            f"{prefix}.{field}: no header in {name}!{letters_one}{first}:{letters_one}{last}")
    if isinstance(section, IndicatorColumns):
        low, high = (column_number(letters) for letters in section.years)
        if low > high:
            return Text(f"{prefix}.years: 最初の列が最後の列より右にあります", f"{prefix}.years: the first column is after the last")
        for column in range(low, high + 1):
            label = " ".join(sheet.header_text(row, column) for row in range(first, last + 1))
            if year_of(label) is None:
                return Text(f"{prefix}.years: {name}!{address(first, column)} の見出し「{label.strip()}」に年度がありません",
                            f"{prefix}.years: the header {label.strip()!r} of {name}!{address(first, column)} names no year")
    if isinstance(section, TableColumns):
        if section.values is not None and column_number(section.values[0]) > column_number(section.values[1]):
            return Text(f"{prefix}.values: 最初の列が最後の列より右にあります", f"{prefix}.values: the first column is after the last")
        rows = section.rows or (last + 1, sheet.max_row)
        if rows[0] <= last or rows[0] > rows[1]:
            return Text(f"{prefix}.rows: 行 {rows[0]}〜{rows[1]} は見出しの下の範囲ではありません",
                        f"{prefix}.rows: rows {rows[0]}-{rows[1]} are not a range under the header")
        if mapping.total is not None:
            row = int(re.sub(r"\D", "", mapping.total))
            if not rows[0] <= row <= rows[1]:
                return Text(f"total: {name}!{mapping.total} は表の行（{rows[0]}〜{rows[1]}）の外です",
                            f"total: {name}!{mapping.total} is outside the table's rows ({rows[0]}-{rows[1]})")
    return None


def apply(sheet: Any, mapping: Mapping, index: int = 0) -> Any:
    """The sheet read as the mapping says (after `check`)."""
    if mapping.layout == "indicators":
        return _apply_indicators(sheet, mapping)
    if mapping.layout == "table":
        return _apply_table(sheet, mapping, index)
    from checker.importer.projects import flattened, read_list

    assert mapping.columns is not None
    first, last = mapping.header_rows
    columns: dict[str, list[int]] = {}
    account_parts: dict[str, int] = {}
    for name, value in mapping.columns.model_dump().items():
        if value is None:
            continue
        if isinstance(value, list):
            numbers = [column_number(letters) for letters in value]
            if len(numbers) == 3:
                account_parts = dict(zip(("kan", "kou", "moku"), numbers))
            columns[name] = numbers
        else:
            columns[name] = [column_number(value)]
    total_row = int(re.sub(r"\D", "", mapping.total)) if mapping.total else None
    return read_list(sheet, first, last, flattened(sheet, first, last), columns, account_parts,
                     total_row=total_row, unit=mapping.unit, year=mapping.year, mapped=True)


def _apply_indicators(sheet: Any, mapping: Mapping) -> Any:
    from checker.fiscal import FiscalYearError, parse_fiscal_year
    from checker.importer.indicators import read_block, year_of

    spec = mapping.indicators
    assert spec is not None
    first, last = mapping.header_rows
    low, high = (column_number(letters) for letters in spec.years)
    years = {column: year_of(" ".join(sheet.header_text(row, column) for row in range(first, last + 1)))
             for column in range(low, high + 1)}
    base_col = column_number(spec.baseline) if spec.baseline else None
    base_year = None
    if spec.baseline_year is not None:
        try:
            base_year = parse_fiscal_year(spec.baseline_year)
        except FiscalYearError:
            base_year = None
    elif base_col is not None:
        base_year = year_of(" ".join(sheet.header_text(row, base_col) for row in range(first, last + 1)))
    return read_block(sheet, first, last, column_number(spec.name), column_number(spec.unit) if spec.unit else None,
                      base_col, years, column_number(spec.kinds), base_year, mapped=True)


def _apply_table(sheet: Any, mapping: Mapping, index: int) -> Any:
    from checker.importer.projects import flattened
    from checker.importer.tables import Layout, read_table

    spec = mapping.table
    assert spec is not None
    first, last = mapping.header_rows
    label_col = column_number(spec.labels)
    labels = flattened(sheet, first, last)
    if spec.values is not None:
        low, high = (column_number(letters) for letters in spec.values)
        value_cols = [column for column in range(low, high + 1) if column in labels]
    else:
        value_cols = [column for column in labels if column > label_col]
    total_row = int(re.sub(r"\D", "", mapping.total)) if mapping.total else None
    return read_table(sheet, index, Layout(first, last, label_col, value_cols, total_row=total_row, unit=mapping.unit,
                                           kind=spec.kind, mapped=True, row_range=spec.rows))
