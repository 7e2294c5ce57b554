"""A workbook or CSV file read as cells, each with the text it prints and where it is.

Nothing in a workbook is trusted. Its bytes are read once, capped, and never written back;
an xlsx is a zip, whose uncompressed size, entry count and compression ratio are checked
from its directory before any entry is opened (a zip bomb is refused unread); external links
are neither followed nor refreshed (`keep_links=False`: the cached values are used); formulas
are never evaluated: the value the workbook cached when it was last calculated is read, and
a formula without one is reported. XML entity expansion is bounded by expat (2.4+).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from checker.diagnostics import Text
from checker.importer.numfmt import render

# Bounds on what a workbook may make plancheck read: no plan's workbook comes near them.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ENTRIES = 2_000
MAX_RATIO = 200  # uncompressed / compressed, per entry of a meaningful size
MAX_CELLS = 500_000

FORMATS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".csv": "csv", ".xls": "calamine", ".ods": "calamine",
           ".xlsb": "calamine"}


class WorkbookError(Exception):
    """A file that is not read: too large, a zip bomb, not a workbook, unreadable."""

    def __init__(self, reason: Text) -> None:
        super().__init__(reason.en)
        self.reason = reason


@dataclass
class CellData:
    """One cell: the value it stores (a formula's cached value), its number format, its
    formula (never evaluated), and the text it prints (`render`), with a note when the
    format could not be applied."""

    value: object
    text: str
    number_format: str | None = None
    formula: str | None = None
    note: Text | None = None
    stored_as_text: bool = False  # a string in the cell that reads as a number


@dataclass
class Sheet:
    name: str
    cells: dict[tuple[int, int], CellData] = field(default_factory=dict)  # (row, column), from 1
    hidden_rows: set[int] = field(default_factory=set)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_row, min_col, max_row, max_col
    validations: dict[tuple[int, int], tuple[str, ...]] = field(default_factory=dict)  # drop-down lists

    @property
    def max_row(self) -> int:
        return max((row for row, _ in self.cells), default=0)

    @property
    def max_column(self) -> int:
        return max((column for _, column in self.cells), default=0)

    def text(self, row: int, column: int) -> str:
        cell = self.cells.get((row, column))
        return cell.text.strip() if cell is not None else ""

    def header_text(self, row: int, column: int) -> str:
        """The text a header cell shows, a merged range's text spread over all its cells."""
        for min_row, min_col, max_row, max_col in self.merged:
            if min_row <= row <= max_row and min_col <= column <= max_col:
                return self.text(min_row, min_col)
        return self.text(row, column)


@dataclass
class Workbook:
    path: Path
    sheets: list[Sheet]
    external_links: int = 0  # links to other workbooks (never followed)
    formats_read: bool = True  # False: the reader gives no number formats (python-calamine)
    sha256: str = ""  # of the bytes read (plan.source.workbook_sha256: the annotated copy's check)


def address(row: int, column: int) -> str:
    """(8, 4) -> D8."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


def read_capped(path: Path) -> bytes:
    with open(path, "rb") as stream:
        raw = stream.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise WorkbookError(Text(f"ファイルが大きすぎます（{MAX_FILE_BYTES:,} バイトまで）",
                                 f"the file is larger than {MAX_FILE_BYTES:,} bytes"))
    return raw


def check_zip(raw: bytes) -> int:
    """Refuse a zip whose directory declares more than the bounds, before opening an entry;
    the number of external links it holds."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        raise WorkbookError(Text("xlsx（zip）として読めません", "not an xlsx workbook (not a zip archive)")) from None
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise WorkbookError(Text(f"zip の項目が多すぎます（{len(entries):,} 個）", f"the zip holds {len(entries):,} entries"))
    total = 0
    for entry in entries:
        total += entry.file_size
        if entry.file_size > 1_000_000 and entry.file_size > MAX_RATIO * max(1, entry.compress_size):
            raise WorkbookError(Text(f"圧縮率が異常な項目があります（{entry.filename}: zip 爆弾の疑い）",
                                     f"an entry expands {entry.file_size // max(1, entry.compress_size):,} times "
                                     f"({entry.filename}): a zip bomb"))
    if total > MAX_UNCOMPRESSED_BYTES:
        raise WorkbookError(Text(f"展開後の大きさが上限を超えます（{total:,} バイト）",
                                 f"it expands to {total:,} bytes, more than {MAX_UNCOMPRESSED_BYTES:,}"))
    return sum(1 for entry in entries if entry.filename.startswith("xl/externalLinks/") and
               entry.filename.endswith(".xml"))


def open_workbook(path: Path) -> Workbook:
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise WorkbookError(Text(f"対応していない形式です（{path.suffix}）: xlsx、xls、ods、xlsb、csv を取り込めます",
                                 f"not a format plancheck imports ({path.suffix}): xlsx, xls, ods, xlsb, csv"))
    try:
        raw = read_capped(path)
    except OSError as error:
        raise WorkbookError(Text(f"読めません: {error.strerror}", f"cannot be read: {error.strerror}")) from None
    import hashlib

    digest = hashlib.sha256(raw).hexdigest()
    book = _read(path, raw, kind)
    book.sha256 = digest
    return book


def _read(path: Path, raw: bytes, kind: str) -> Workbook:
    if kind == "csv":
        # a sheet's name as Excel allows it (cell references name it): no []:*?/\, 31 characters
        return Workbook(path, [read_csv(raw, re.sub(r"[\[\]:*?/\\!]", "_", path.stem)[:31] or "csv")])
    if kind == "calamine":
        return _read_calamine(path, raw)
    return _read_xlsx(path, raw)


def _read_xlsx(path: Path, raw: bytes) -> Workbook:
    links = check_zip(raw)
    import warnings

    try:
        import openpyxl
    except ImportError:
        raise WorkbookError(Text("openpyxl がありません: pip install 'plancheck[import]'",
                                 "openpyxl is not installed: pip install 'plancheck[import]'")) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's warnings on unknown extensions: not ours to print
            values = openpyxl.load_workbook(io.BytesIO(raw), data_only=True, keep_links=False)
            formulas = openpyxl.load_workbook(io.BytesIO(raw), data_only=False, keep_links=False)
    except Exception as error:  # noqa: BLE001 - any failure to parse a hostile file is a refusal, reported
        raise WorkbookError(Text(f"ブックとして読めません（{type(error).__name__}）",
                                 f"not a readable workbook ({type(error).__name__})")) from None
    sheets, count = [], 0
    for sheet_values in values.worksheets:
        sheet_formulas = formulas[sheet_values.title]
        sheet = Sheet(sheet_values.title)
        for row in sheet_values.iter_rows():
            for cell in row:
                formula_cell = sheet_formulas.cell(cell.row, cell.column)
                formula = formula_cell.value if isinstance(formula_cell.value, str) and \
                    formula_cell.value.startswith("=") else None
                if cell.value is None and formula is None:
                    continue
                count += 1
                if count > MAX_CELLS:
                    raise WorkbookError(Text(f"セルが多すぎます（{MAX_CELLS:,} 個まで）", f"more than {MAX_CELLS:,} cells"))
                sheet.cells[(cell.row, cell.column)] = _cell(cell.value, cell.number_format, formula)
        sheet.hidden_rows = {index for index, dimension in sheet_values.row_dimensions.items() if dimension.hidden}
        sheet.merged = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in sheet_values.merged_cells.ranges]
        for validation in sheet_values.data_validations.dataValidation:
            if validation.type == "list" and validation.formula1 and validation.formula1.startswith('"'):
                choices = tuple(choice.strip() for choice in validation.formula1.strip('"').split(","))
                for cell_range in validation.sqref.ranges:
                    for row_no in range(cell_range.min_row, min(cell_range.max_row, 10_000) + 1):
                        for col_no in range(cell_range.min_col, cell_range.max_col + 1):
                            sheet.validations[(row_no, col_no)] = choices
        sheets.append(sheet)
    return Workbook(path, sheets, links)


def _cell(value: object, number_format: str | None, formula: str | None = None) -> CellData:
    rendered = render(value, number_format)
    as_text = isinstance(value, str) and _looks_numeric(value)
    return CellData(value, rendered.text, number_format, formula, rendered.note, as_text)


def _looks_numeric(text: str) -> bool:
    from checker.values import CellError, Number, parse_cell

    try:
        return isinstance(parse_cell(text), Number)
    except CellError:
        return False


def read_csv(raw: bytes, name: str) -> Sheet:
    """A CSV file as one sheet of text cells, decoded as the loader decodes plan files (UTF-8
    with or without BOM), or in the Japanese encoding it is in (CP932, EUC-JP)."""
    from checker.loader import japanese_encoding

    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        found = japanese_encoding(body)
        if found is None:
            raise WorkbookError(Text("文字コードを判別できません（UTF-8、CP932、EUC-JP のいずれでもありません）",
                                     "the encoding is none of UTF-8, CP932, EUC-JP")) from None
        text = body.decode(found[0])
    if "\x00" in text:
        raise WorkbookError(Text("NUL バイトを含むバイナリデータです", "binary data with a NUL byte"))
    sheet = Sheet(name)
    for row_no, row in enumerate(csv.reader(io.StringIO(text, newline="")), 1):
        for col_no, value in enumerate(row, 1):
            if value != "":
                if len(sheet.cells) >= MAX_CELLS:
                    raise WorkbookError(Text(f"セルが多すぎます（{MAX_CELLS:,} 個まで）", f"more than {MAX_CELLS:,} cells"))
                sheet.cells[(row_no, col_no)] = CellData(value, value)
    return sheet


def _read_calamine(path: Path, raw: bytes) -> Workbook:
    """xls, ods and xlsb through python-calamine (Rust, read-only, no formulas evaluated):
    the values as cached; it gives no number formats, so numbers are read in the General
    format (`formats_read`: the import says so, IMP008)."""
    if path.suffix.lower() in (".ods", ".xlsb"):
        check_zip(raw)
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        raise WorkbookError(Text("python-calamine がありません: pip install 'plancheck[import]'",
                                 "python-calamine is not installed: pip install 'plancheck[import]'")) from None
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        sheets = []
        for name in book.sheet_names:
            sheet = Sheet(name)
            for row_no, row in enumerate(book.get_sheet_by_name(name).to_python(skip_empty_area=False), 1):
                for col_no, value in enumerate(row, 1):
                    if value == "" or value is None:
                        continue
                    if len(sheet.cells) >= MAX_CELLS:
                        raise WorkbookError(Text(f"セルが多すぎます（{MAX_CELLS:,} 個まで）", f"more than {MAX_CELLS:,} cells"))
                    sheet.cells[(row_no, col_no)] = _cell(value, None)
            sheets.append(sheet)
    except WorkbookError:
        raise
    except Exception as error:  # noqa: BLE001 - a hostile or damaged file is a refusal, reported
        raise WorkbookError(Text(f"ブックとして読めません（{type(error).__name__}）",
                                 f"not a readable workbook ({type(error).__name__})")) from None
    return Workbook(path, sheets, formats_read=False)
