"""A workbook or CSV file read as cells, each with the text it prints and where it is.

Nothing in a workbook is trusted. Its bytes are read once, capped, and never written back;
an xlsx is a zip, whose uncompressed size, entry count and compression ratio are checked
from its directory before any entry is opened (a zip bomb is refused unread); external links
are neither followed nor refreshed (`keep_links=False`: the cached values are used); formulas
are never evaluated: the value the workbook cached when it was last calculated is read, and
a formula without one is reported. XML entity expansion is bounded by expat (2.4+).
Reading costs the cells and records stored, never the grid they span (a cell at XFD1048576
is one cell; `<dimension>` is not believed; a merged range is kept as its bounds): see
docs/import.md, "What is not trusted", and `READ_COST`.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.diagnostics import Text
from checker.importer.numfmt import render

# Bounds on what a workbook may make plancheck read: no plan's workbook comes near them.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ENTRIES = 2_000
MAX_RATIO = 200  # uncompressed / compressed, per entry of a meaningful size
MAX_CELLS = 500_000
MAX_GRID = 4 * MAX_CELLS  # rows x columns of a sheet python-calamine reads (it holds the whole grid)

# What reading workbooks has cost, for tests: "cells" the stored cell records parsed (an ods's
# cell records, then the grid cells python-calamine gave), "ranges" the range records met
# (merged, row, column, validation), "blocks" the index blocks merged ranges were listed in,
# "columns" the hidden column numbers spread. Never the grid's extent: a cell at XFD1048576
# is one cell.
READ_COST: Counter[str] = Counter()

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


class _Stored:
    """Where a sheet's cells are, by row and by column (each sorted), and its extent."""

    __slots__ = ("by_column", "by_row", "max_column", "max_row")

    def __init__(self, cells: dict[tuple[int, int], Any]) -> None:
        by_row: dict[int, list[int]] = {}
        by_column: dict[int, list[int]] = {}
        for row, column in cells:
            by_row.setdefault(row, []).append(column)
            by_column.setdefault(column, []).append(row)
        for listed in (*by_row.values(), *by_column.values()):
            listed.sort()
        self.by_row, self.by_column = by_row, by_column
        self.max_row, self.max_column = max(by_row, default=0), max(by_column, default=0)


@dataclass
class Sheet:
    name: str
    cells: dict[tuple[int, int], CellData] = field(default_factory=dict)  # (row, column), from 1
    hidden_rows: set[int] = field(default_factory=set)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_row, min_col, max_row, max_col
    validations: dict[tuple[int, int], tuple[str, ...]] = field(default_factory=dict)  # drop-down lists
    hidden_columns: set[int] = field(default_factory=set)  # (the workbook lint reads these three)
    hidden: bool = False  # the sheet itself hidden (or very hidden)
    drawings: int = 0  # pictures and charts on the sheet (shapes openpyxl does not read are not counted)
    _merged_index: Any = field(default=None, repr=False, compare=False)  # (_Ranges, its merged and cells counts)
    _stored: Any = field(default=None, repr=False, compare=False)  # (_Stored, the cells count it was made for)

    @property
    def max_row(self) -> int:
        return self._index().max_row

    @property
    def max_column(self) -> int:
        return self._index().max_column

    def columns_in(self, row: int) -> list[int]:
        """The columns of `row` that hold a cell, in order: what a scan across a row visits, so
        that one cell far to the right costs one look, not 16,000 (an empty cell's text is "",
        which no recogniser takes)."""
        return self._index().by_row.get(row, [])

    def rows_in(self, column: int, first: int = 1) -> list[int]:
        """The rows of `column` from `first` down that hold a cell, in order."""
        rows = self._index().by_column.get(column, [])
        return rows[bisect_left(rows, first):]

    def header_columns(self, first: int, last: int) -> list[int]:
        """The columns whose `header_text` may show something in rows `first`..`last`: those with
        a cell there, and those a merged range with a cell at its anchor spreads over."""
        index = self._index()
        columns = {column for row in range(first, last + 1) for column in index.by_row.get(row, ())}
        for min_row, min_col, max_row, max_col in self.merged:
            if min_row <= last and max_row >= first and (min_row, min_col) in self.cells:
                columns.update(range(min_col, min(max_col, index.max_column) + 1))
        return sorted(columns)

    def _index(self) -> _Stored:
        # cells are filled while the sheet is read and only read after, as the merged index assumes
        stored = self._stored
        if stored is None or stored[1] != len(self.cells):
            stored = self._stored = (_Stored(self.cells), len(self.cells))
        return stored[0]

    def text(self, row: int, column: int) -> str:
        cell = self.cells.get((row, column))
        return cell.text.strip() if cell is not None else ""

    def header_text(self, row: int, column: int) -> str:
        """The text a header cell shows, a merged range's text spread over all its cells (found
        through an index of the ranges, never by walking a range's cells)."""
        if self.merged:
            index = self._merged_index
            if index is None or index[0].ranges is not self.merged or index[1:] != (len(self.merged), len(self.cells)):
                index = self._merged_index = (_Ranges(self.merged, (self.max_row, self.max_column), self.name),
                                              len(self.merged), len(self.cells))
            found = index[0].around(row, column)
            if found:
                return self.text(found[0][0], found[0][1])
        return self.text(row, column)


@dataclass
class Workbook:
    path: Path
    sheets: list[Sheet]
    external_links: int = 0  # links to other workbooks (never followed)
    formats_read: bool = True  # False: the reader gives no number formats (python-calamine)


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
    return _read(path, raw, kind)


MAX_PRINTED_RANGE = 1_000  # cells of one range read by `printed_cells` (an account's range is three)
_REF = re.compile(r"^([A-Z]{1,3})([1-9][0-9]{0,6})(?::([A-Z]{1,3})([1-9][0-9]{0,6}))?$")


def printed_cells(path: Path, raw: bytes, refs: list[str]) -> dict[str, tuple[str, ...] | None]:
    """What each cell of `refs` (`Sheet!A1`, or a range `Sheet!A1:C1`) prints, read as
    `plancheck import` reads it (this module's reader, `numfmt.render`; a cell of a merged
    range that holds nothing prints the range's text): a cell's text, a range's texts row by
    row; None for a reference to a sheet or cell the workbook cannot have. `raw` is the
    workbook's bytes (capped and checked by the caller as `read_capped` and `check_zip` do);
    raises WorkbookError for a workbook that cannot be read."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise WorkbookError(Text(f"対応していない形式です（{path.suffix}）", f"not a format plancheck imports ({path.suffix})"))
    sheets = {sheet.name: sheet for sheet in _read(path, raw, kind).sheets}
    found: dict[str, tuple[str, ...] | None] = {}
    for ref in refs:
        parsed = parse_ref(ref)
        sheet = sheets.get(parsed[0]) if parsed else None
        if parsed is None or sheet is None:
            found[ref] = None
            continue
        min_col, min_row, max_col, max_row = parsed[1]
        rows, columns = range(min_row, max_row + 1), range(min_col, max_col + 1)
        if len(rows) * len(columns) > MAX_PRINTED_RANGE:
            found[ref] = None
            continue
        found[ref] = tuple(sheet.text(row, column) or sheet.header_text(row, column)
                           for row in rows for column in columns)
    return found


def column_number(letters: str) -> int:
    """A column's letters as its number (A → 1, AA → 27)."""
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def parse_ref(ref: str | None) -> tuple[str, tuple[int, int, int, int]] | None:
    """`Sheet!A1` or `Sheet!A1:C5` (as the `cells:` map names them) as the sheet's name and
    the bounds: min column, min row, max column, max row; None for anything else."""
    if not ref or "!" not in ref:
        return None
    title, _, where = ref.rpartition("!")
    match = _REF.match(where)
    if match is None:
        return None
    first_col, first_row = column_number(match.group(1)), int(match.group(2))
    last_col = column_number(match.group(3)) if match.group(3) else first_col
    last_row = int(match.group(4)) if match.group(4) else first_row
    return title, (min(first_col, last_col), min(first_row, last_row), max(first_col, last_col),
                   max(first_row, last_row))


def _read(path: Path, raw: bytes, kind: str) -> Workbook:
    if kind == "csv":
        # a sheet's name as Excel allows it (cell references name it): no []:*?/\, 31 characters
        return Workbook(path, [read_csv(raw, re.sub(r"[\[\]:*?/\\!]", "_", path.stem)[:31] or "csv")])
    if kind == "calamine":
        return _read_calamine(path, raw)
    return _read_xlsx(path, raw)


def _read_xlsx(path: Path, raw: bytes) -> Workbook:
    """The cells an xlsx stores, read from its sheets' XML as they stream past (openpyxl's own
    sheet parser, read-only workbook): the cost is the cells and records present, never the
    grid they span (a cell at XFD1048576 is one cell; `<dimension>` is never believed), and a
    range record (merged, hidden columns, validations) is kept as its bounds, never expanded."""
    links = check_zip(raw)
    import warnings

    try:
        import openpyxl  # noqa: F401 - said here, before anything is read
    except ImportError:
        raise WorkbookError(Text("openpyxl がありません: pip install 'plancheck[import]'",
                                 "openpyxl is not installed: pip install 'plancheck[import]'")) from None
    sheets = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's warnings on unknown extensions: not ours to print
            reader = _workbook_parts(raw)
            try:
                count = 0
                for part, rel in reader.parser.find_sheets():
                    if rel.target in reader.valid_files and "chartsheet" not in rel.Type:
                        sheet, count = _read_sheet(reader, part.name, rel.target, count)
                        sheet.hidden = part.state != "visible"
                        sheets.append(sheet)
            finally:
                reader.archive.close()
    except WorkbookError:
        raise
    except Exception as error:  # noqa: BLE001 - any failure to parse a hostile file is a refusal, reported
        raise WorkbookError(Text(f"ブックとして読めません（{type(error).__name__}）",
                                 f"not a readable workbook ({type(error).__name__})")) from None
    return Workbook(path, sheets, links)


def _workbook_parts(raw: bytes) -> Any:
    """openpyxl's reader with what the sheets need read (content types, shared strings, the
    workbook's sheet list, epoch and defined names, properties, theme, styles), the sheets
    themselves not: `load_workbook` without `read_worksheets`, whose read-only sheets would
    parse each `<dimension>` (never believed here) and whose normal ones expand ranges."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    reader = ExcelReader(io.BytesIO(raw), read_only=True, keep_vba=False, data_only=True, keep_links=False)
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        reader.read_properties()
        reader.read_custom()
        reader.read_theme()
        apply_stylesheet(reader.archive, reader.wb)
    except BaseException:
        reader.archive.close()
        raise
    return reader


def _read_sheet(reader: Any, title: str, part: str, count: int) -> tuple[Sheet, int]:
    """One sheet as `openpyxl.load_workbook` (normal mode, once with `data_only` and once
    without) would give it, from one pass over its XML: each stored cell's cached value,
    number format and formula; a cell of a merged range other than its first holds nothing
    (openpyxl's MergedCell)."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
    from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
    from openpyxl.worksheet.dimensions import ColumnDimension, RowDimension

    book = reader.wb
    parser = _parser()(reader.archive.open(part), reader.shared_strings, data_only=True, epoch=book.epoch,
                       date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
    found: dict[tuple[int, int], tuple[object, int, object]] = {}  # a cell stored twice: the last one
    try:
        for _, row in parser.parse():
            READ_COST["cells"] += len(row)
            for cell in row:
                formula, position = cell["formula"], (cell["row"], cell["column"])
                if cell["value"] is None and not (isinstance(formula, str) and formula.startswith("=")):
                    found.pop(position, None)
                    continue
                if len(found) >= 2 * MAX_CELLS:  # (cells a merged range hides are dropped below)
                    raise WorkbookError(_too_many_cells(title))
                found[position] = (cell["value"], cell["style_id"], formula)
    finally:
        parser.source.close()
    stored = [(*position, *rest) for position, rest in sorted(found.items(), key=lambda item: item[0])]
    sheet = Sheet(title)
    if parser.merged_cells:
        READ_COST["ranges"] += len(parser.merged_cells.mergeCell)
        if len(parser.merged_cells.mergeCell) > MAX_RANGES:
            raise WorkbookError(_too_many_ranges(title, len(parser.merged_cells.mergeCell),
                                                 "結合範囲", "merged ranges"))
        ranges = MultiCellRange([CellRange(merge.ref) for merge in parser.merged_cells.mergeCell]).ranges
        sheet.merged = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in ranges]
    extent = (max((cell[0] for cell in stored), default=0), max((cell[1] for cell in stored), default=0))
    merged = _Ranges(sheet.merged, extent, title) if sheet.merged else None
    styles, formats = book._cell_styles, book._number_formats
    for row, column, value, style_id, formula in stored:
        if merged is not None and any((bounds[0], bounds[1]) != (row, column) for bounds in merged.around(row, column)):
            continue  # inside a merged range, not its first cell: openpyxl's MergedCell, empty
        count += 1
        if count > MAX_CELLS:
            raise WorkbookError(_too_many_cells(title))
        number_id = styles[style_id].numFmtId
        number_format = BUILTIN_FORMATS.get(number_id, "General") if number_id < BUILTIN_FORMATS_MAX_SIZE else \
            formats[number_id - BUILTIN_FORMATS_MAX_SIZE]
        text_formula = formula if isinstance(formula, str) and formula.startswith("=") else None
        sheet.cells[(row, column)] = _cell(value, number_format, text_formula)
    if merged is not None:
        sheet._merged_index = (merged, len(sheet.merged), len(sheet.cells))
    READ_COST["ranges"] += len(parser.row_dimensions)
    sheet.hidden_rows = {int(index) for index, attrs in parser.row_dimensions.items()
                         if RowDimension(None, **{k: v for k, v in attrs.items() if k != "s"}).hidden}
    spans = []
    for attrs in parser.column_dimensions.values():
        READ_COST["ranges"] += 1
        dimension = ColumnDimension(None, **{k: v for k, v in attrs.items() if k != "style"})
        if dimension.hidden:
            spans.append((dimension.min or 1, min(dimension.max or 1, 16_384)))
    sheet.hidden_columns = _union(spans)
    sheet.drawings = _drawings(reader.archive, part)
    sheet.validations = _validations(sheet, getattr(parser, "data_validations", None), title)
    return sheet, count


_PARSER: Any = None


def _parser() -> Any:
    """openpyxl's sheet parser, giving each cell its cached value (as `data_only=True`) and its
    formula (as `data_only=False`, shared formulas translated) from the same pass."""
    global _PARSER
    if _PARSER is None:
        from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

        class Parser(WorkSheetParser):
            def parse_cell(self, element: Any) -> dict[str, Any]:
                cell: dict[str, Any] = super().parse_cell(element)
                cell["formula"] = self.parse_formula(element) if element.find(FORMULA_TAG) is not None else None
                return cell

        _PARSER = Parser
    return _PARSER


def _union(spans: list[tuple[int, int]]) -> set[int]:
    """The column numbers of spans (min, max), each number once however many records repeat it."""
    found: set[int] = set()
    end = 0
    for low, high in sorted(spans):
        low = max(low, end + 1)
        if low <= high:
            READ_COST["columns"] += high - low + 1
            found.update(range(low, high + 1))
            end = high
    return found


def _drawings(archive: zipfile.ZipFile, part: str) -> int:
    """The pictures and charts the sheet's drawing parts hold (as openpyxl's normal mode adds them)."""
    from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
    from openpyxl.packaging.relationship import get_dependents, get_rels_path
    from openpyxl.reader.drawings import find_images

    rels_path = get_rels_path(part)
    if rels_path not in archive.namelist():
        return 0
    total = 0
    for rel in get_dependents(archive, rels_path).find(SpreadsheetDrawing._rel_type):
        charts, images = find_images(archive, rel.target)
        total += len(charts) + len(images)
    return total


def _validations(sheet: Sheet, found: Any, title: str) -> dict[tuple[int, int], tuple[str, ...]]:
    """The drop-down list of each cell that holds a value (a later validation over an earlier
    one): a range meets the cells stored in it column by column, never its area."""
    choices_of: dict[tuple[int, int], tuple[str, ...]] = {}
    if found is None:
        return choices_of
    by_column: dict[int, list[int]] = {}
    for row, column in sorted(sheet.cells):
        by_column.setdefault(column, []).append(row)
    columns = sorted(by_column)
    budget = 10 * MAX_CELLS
    for validation in found.dataValidation:
        if not (validation.type == "list" and validation.formula1 and validation.formula1.startswith('"')):
            continue
        choices = tuple(choice.strip() for choice in validation.formula1.strip('"').split(","))
        for cell_range in validation.sqref.ranges:
            READ_COST["ranges"] += 1
            within = columns[bisect_left(columns, cell_range.min_col):bisect_right(columns, cell_range.max_col)]
            budget -= len(within)
            for column in within:
                rows = by_column[column]
                for row in rows[bisect_left(rows, cell_range.min_row):bisect_right(rows, cell_range.max_row)]:
                    budget -= 1
                    if budget < 0:
                        raise WorkbookError(Text(
                            f"シート「{title}」の入力規則が重なりすぎています（{cell_range.coord} など）",
                            f"sheet '{title}': its data validations pile up over the same cells ({cell_range.coord}, ...)"))
                    choices_of[(row, column)] = choices
    return choices_of


MAX_RANGES = 100_000  # merged ranges of one sheet (a form laid out on merged cells has thousands)
MAX_LARGE_RANGES = 16  # merged ranges over more than _LARGE blocks of the stored cells' extent
_BLOCK = 32  # rows and columns of one block of the merged-range index
_LARGE = 64  # blocks a range may cover and still be indexed block by block


class _Ranges:
    """Merged ranges (min_row, min_col, max_row, max_col) found from a cell in time bounded by
    the ranges near it, never by their area: each range is clipped to the extent of the
    stored cells and listed in the 32x32 blocks it covers; a range covering more than 64
    blocks is kept aside (at most 16 of them), one lying wholly beyond the stored cells is
    not listed (its first cell holds nothing to spread). Ranges piled on each other more than
    a block holds cells are refused: Excel itself refuses a workbook whose merged ranges
    overlap."""

    def __init__(self, ranges: list[tuple[int, int, int, int]], extent: tuple[int, int], title: str) -> None:
        self.ranges, self.extent = ranges, extent
        self.blocks: dict[tuple[int, int], list[int]] = {}
        self.large: list[int] = []
        last_row, last_col = extent
        for index, (min_row, min_col, max_row, max_col) in enumerate(ranges):
            top, bottom = min_row // _BLOCK, min(max_row, last_row) // _BLOCK
            left, right = min_col // _BLOCK, min(max_col, last_col) // _BLOCK
            if min_row > last_row or min_col > last_col:
                continue  # beyond every stored cell
            if (bottom - top + 1) * (right - left + 1) > _LARGE:
                self.large.append(index)
                if len(self.large) > MAX_LARGE_RANGES:
                    raise WorkbookError(Text(
                        f"シート「{title}」: 大きな結合範囲が {MAX_LARGE_RANGES} 個を超えます（{_span(ranges[index])} など）",
                        f"sheet '{title}': more than {MAX_LARGE_RANGES} merged ranges this large ({_span(ranges[index])}, ...)"))
                continue
            for block_row in range(top, bottom + 1):
                for block_col in range(left, right + 1):
                    READ_COST["blocks"] += 1
                    listed = self.blocks.setdefault((block_row, block_col), [])
                    listed.append(index)
                    if len(listed) > _BLOCK * _BLOCK:
                        raise WorkbookError(Text(
                            f"シート「{title}」: 結合範囲が重なっています（{_span(ranges[index])}）",
                            f"sheet '{title}': merged ranges overlap ({_span(ranges[index])})"))

    def around(self, row: int, column: int) -> list[tuple[int, int, int, int]]:
        """The ranges holding the cell, in the order they are listed."""
        # beyond the stored cells, a range holding the cell whose first cell could hold text
        # (is among them) holds the nearest cell of theirs too: that cell's block lists it
        near_row, near_col = min(row, self.extent[0]), min(column, self.extent[1])
        candidates = sorted(self.blocks.get((near_row // _BLOCK, near_col // _BLOCK), []) + self.large)
        found = []
        for index in candidates:
            min_row, min_col, max_row, max_col = self.ranges[index]
            if min_row <= row <= max_row and min_col <= column <= max_col:
                found.append(self.ranges[index])
        return found


def _span(bounds: tuple[int, int, int, int]) -> str:
    return f"{address(bounds[0], bounds[1])}:{address(bounds[2], bounds[3])}"


def _too_many_cells(title: str) -> Text:
    return Text(f"セルが多すぎます（シート「{title}」、{MAX_CELLS:,} 個まで）", f"more than {MAX_CELLS:,} cells (sheet '{title}')")


def _too_many_ranges(title: str, count: int, ja: str, en: str) -> Text:
    return Text(f"シート「{title}」の{ja}が多すぎます（{count:,} 個、{MAX_RANGES:,} 個まで）",
                f"sheet '{title}' has {count:,} {en}, more than {MAX_RANGES:,}")


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
    format (`formats_read`: the import says so, IMP008). python-calamine holds a sheet as its
    whole grid, from A1 to the farthest cell: an ods's grid is measured from its XML before
    python-calamine reads it, and every sheet's after, and one of more than MAX_GRID cells is
    refused, naming its farthest cell."""
    suffix = path.suffix.lower()
    if suffix in (".ods", ".xlsb"):
        check_zip(raw)
    if suffix == ".ods":
        _check_ods_grid(raw)
    try:
        import python_calamine  # noqa: F401 - said here, before anything is read
    except ImportError:
        raise WorkbookError(Text("python-calamine がありません: pip install 'plancheck[import]'",
                                 "python-calamine is not installed: pip install 'plancheck[import]'")) from None
    return Workbook(path, _within_memory(_calamine_sheets, raw), formats_read=False)


# What reading an xls, ods or xlsb may take beyond the process's own memory. python-calamine
# builds a sheet's whole grid in Rust before it can be measured: a 5 KB xls with one cell at
# IV65536 took 1 GB, and an xlsb can reach XFD1048576, whose grid no machine can allocate
# (Rust then aborts the process). The grids allowed (MAX_GRID) take far less than this.
CALAMINE_MEMORY = 768 * 1024 * 1024


def _within_memory(read: Any, raw: bytes) -> list[Sheet]:
    """`read(raw)` in a forked child whose address space is capped at CALAMINE_MEMORY more
    than this process's, so a grid too large to hold is a refusal, not this process killed or
    swapping. In this process where a fork is not safe (no fork, or other threads running,
    as in the language server) or the cap cannot be set."""
    import os
    import pickle
    import threading

    size = _address_space()
    if not hasattr(os, "fork") or threading.active_count() > 1 or size is None:
        return read(raw)
    import resource

    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: read, send back what came of it, and end without any clean-up
        status = 0
        try:
            os.close(reading)
            limit = size + CALAMINE_MEMORY
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            # a failed allocation aborts: no core file left in the working directory, and no
            # Rust backtrace on the terminal (the parent says what happened, in both languages)
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            quiet = os.open(os.devnull, os.O_WRONLY)
            os.dup2(quiet, 2)
            os.close(quiet)
            import faulthandler

            faulthandler.disable()  # (-X faulthandler, pytest) it writes to a stream of its own
            READ_COST.clear()
            try:
                outcome: tuple[str, Any] = ("read", read(raw))
            except WorkbookError as error:
                outcome = ("refused", error.reason)
            except MemoryError:
                outcome = ("memory", None)
            payload = pickle.dumps((outcome, dict(READ_COST)), pickle.HIGHEST_PROTOCOL)
            with os.fdopen(writing, "wb") as stream:
                stream.write(payload)
        except BaseException:  # noqa: BLE001 - whatever it was, the parent says the file was not read
            status = 1
        finally:
            os._exit(status)
    os.close(writing)
    with os.fdopen(reading, "rb") as stream:
        payload = stream.read()  # before waiting: a large workbook fills the pipe
    os.waitpid(pid, 0)
    if not payload:  # the child died (Rust aborts when an allocation fails) or failed
        raise WorkbookError(_too_large_to_read())
    # our own child's pickle of our own objects: the workbook's text is data inside it
    (kind, value), cost = pickle.loads(payload)
    READ_COST.update(cost)
    if kind == "refused":
        raise WorkbookError(value)
    if kind == "memory":
        raise WorkbookError(_too_large_to_read())
    return value


def _address_space() -> int | None:
    """This process's virtual memory size in bytes (Linux), what RLIMIT_AS caps."""
    try:
        with open("/proc/self/statm", encoding="ascii") as stream:
            pages = int(stream.read().split()[0])
        import os

        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _too_large_to_read() -> Text:
    limit = CALAMINE_MEMORY // (1024 * 1024)
    return Text(f"ブックを読むのに {limit:,} MB を超えるメモリが要ります（この形式はシートの格子全体を読むため、遠くのセルがあると"
                "非常に大きくなります。遠くのセルを消すか xlsx で保存してください）",
                f"reading the workbook needs more than {limit:,} MB (this format is read as each sheet's whole grid, "
                "which a far cell makes huge: delete the far cell, or save the workbook as xlsx)")


def _calamine_sheets(raw: bytes) -> list[Sheet]:
    """Every sheet python-calamine reads, each refused over MAX_GRID or MAX_CELLS."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        sheets = []
        for name in book.sheet_names:
            sheet = Sheet(name)
            found = book.get_sheet_by_name(name)
            if found.end is not None:
                last_row, last_col = found.end[0] + 1, found.end[1] + 1
                _check_grid(name, last_row, last_col)
                first_row, first_col = found.start or (0, 0)
                for row_no, row in enumerate(found.to_python(skip_empty_area=True), first_row + 1):
                    READ_COST["cells"] += len(row)
                    for col_no, value in enumerate(row, first_col + 1):
                        if value == "" or value is None:
                            continue
                        if len(sheet.cells) >= MAX_CELLS:
                            raise WorkbookError(_too_many_cells(name))
                        sheet.cells[(row_no, col_no)] = _cell(value, None)
            sheets.append(sheet)
    except WorkbookError:
        raise
    except MemoryError:
        raise
    except Exception as error:  # noqa: BLE001 - a hostile or damaged file is a refusal, reported
        raise WorkbookError(Text(f"ブックとして読めません（{type(error).__name__}）",
                                 f"not a readable workbook ({type(error).__name__})")) from None
    return sheets


def _check_grid(name: str, rows: int, columns: int) -> None:
    if rows * columns > MAX_GRID:
        raise WorkbookError(Text(
            f"シート「{name}」は {address(rows, columns)} まで広がり、{rows * columns:,} セルの格子になります"
            f"（この形式は格子全体を読むため {MAX_GRID:,} セルまで。遠くのセルを消すか xlsx で保存してください）",
            f"sheet '{name}' reaches {address(rows, columns)}, a grid of {rows * columns:,} cells; this format is "
            f"read as its whole grid, at most {MAX_GRID:,} (delete the far cell, or save the workbook as xlsx)"))


_ODS = "urn:oasis:names:tc:opendocument:xmlns:"
_TABLE, _OFFICE = "{" + _ODS + "table:1.0}", "{" + _ODS + "office:1.0}"


def _check_ods_grid(raw: bytes) -> None:
    """The grid each table of an ods spans, from its content.xml as it streams past (repeated
    rows and columns counted, never expanded), refused over MAX_GRID before python-calamine
    makes it: the farthest cell with a value or text, or covered by a merged one."""
    from xml.etree.ElementTree import iterparse

    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        if "content.xml" not in archive.namelist():
            return  # python-calamine says what is wrong
        with archive.open("content.xml") as stream:
            name, row, last_row, last_col, column, filled = "", 0, 0, 0, 0, False
            try:
                for event, element in iterparse(stream, events=("start", "end")):
                    tag = element.tag
                    if event == "start":
                        if tag == _TABLE + "table":
                            name, row, last_row, last_col = element.get(_TABLE + "name", ""), 0, 0, 0
                        elif tag == _TABLE + "table-row":
                            column, filled = 0, False
                        continue
                    if tag in (_TABLE + "table-cell", _TABLE + "covered-table-cell"):
                        READ_COST["cells"] += 1
                        repeat = _repeat(element, "number-columns-repeated")
                        spans = _repeat(element, "number-columns-spanned")
                        if element.get(_OFFICE + "value-type") is not None or len(element):
                            last_col, filled = max(last_col, column + max(repeat, spans)), True
                        column += repeat
                        element.clear()
                    elif tag == _TABLE + "table-row":
                        repeat = _repeat(element, "number-rows-repeated")
                        if filled:
                            last_row = row + repeat
                        row += repeat
                        element.clear()
                    elif tag == _TABLE + "table":
                        _check_grid(name, last_row, last_col)
                        element.clear()
            except WorkbookError:
                raise
            except Exception:  # noqa: BLE001 - python-calamine reads it next and says what is wrong
                return


def _repeat(element: Any, attribute: str) -> int:
    try:
        return max(1, int(element.get(_TABLE + attribute, "1")))
    except ValueError:
        return 1
