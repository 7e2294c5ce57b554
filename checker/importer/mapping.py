"""A mapping file: for a sheet `plancheck import` does not recognise, which rows are the
header, which columns are which fields, and where the total is (docs/import.md).

    sheet: 事業一覧
    layout: project_list
    header_rows: [3, 4]
    columns: {no: A, name: B, department: C, account: [D, E, F], code: G, cost: H, outlook: I}
    total: H13
    unit: 千円
    year: 令和4年度

It is YAML (or JSON), read by plancheck's own YAML reader (no tags, bounded), and checked
against `Mapping` (`plancheck import --mapping-schema` prints its JSON Schema); a problem is
an IMP009 naming the field.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from checker.diagnostics import Text
from checker.model import described, japanese

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


class Mapping(BaseModel, json_schema_extra=japanese("取り込みの対応づけ: 判別できないシートの見出しの行、列と項目、合計の位置。")):
    """How to read a sheet `plancheck import` does not recognise: its header rows, which
    column is which field, where the stated total is."""

    model_config = ConfigDict(extra="forbid")
    sheet: str = described("The sheet's name, as the workbook spells it.", "シート名（ブックの表記どおり）。")
    layout: Literal["project_list"] = described(
        "What the sheet holds: project_list (関連事務事業一覧, a theme's projects).",
        "シートの内容: project_list（関連事務事業一覧、テーマの事務事業）。")
    header_rows: tuple[int, int] = described(
        "The first and last row of the header (the same row twice for a one-row header).",
        "見出しの最初と最後の行（1 行の見出しなら同じ行を 2 回）。")
    columns: ProjectColumns = described("Which column holds each field.", "各項目の列。")
    total: CellAddress | None = described(
        "The cell of the stated total (合計), in the cost column; not given: the row labelled 合計.",
        "合計のセル（事業費の列）。省略時は 合計 と書かれた行。", default=None)
    unit: str | None = described("The unit of the costs (千円); not given: read from the sheet.",
                                 "事業費の単位（千円）。省略時はシートから読みます。", default=None)
    year: str | None = described("The fiscal year of the costs (令和4年度); not given: read from the sheet.",
                                 "事業費の年度（令和4年度）。省略時はシートから読みます。", default=None)


def mapping_json_schema() -> dict[str, Any]:
    from checker.model import add_markdown_descriptions

    schema = Mapping.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "plancheck import mapping"
    add_markdown_descriptions(schema)
    return schema


class MappingError(Exception):
    def __init__(self, reason: Text) -> None:
        super().__init__(reason.en)
        self.reason = reason


def read_mapping(path: Path) -> Mapping:
    from checker.loader import DEFAULT_LIMITS, LoadedFile, _Builder, decode

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
        where = ".".join(str(part) for part in first["loc"]) or "(top)"
        raise MappingError(Text(f"{where}: {first['msg']}", f"{where}: {first['msg']}")) from None


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


def column_number(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def apply(sheet: Any, mapping: Mapping) -> Any:
    from checker.importer.projects import flattened, read_list

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
