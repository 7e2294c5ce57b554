"""`plancheck import` on workbooks built to make reading them slow (issue 17): a cell far to
the right or far down, a `<dimension>` that lies or is absent, merged, hidden-column,
validation and hyperlink records over the whole sheet, an ods reaching a far cell. Each is
imported, or refused with a located reason in both languages, at a cost in the cells and
records present, never in the grid they span: asserted on `READ_COST`, never on a timing."""

from __future__ import annotations

import importlib.util
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.importer import import_workbook
from checker.importer.workbook import MAX_GRID, READ_COST, open_workbook

WORKBOOKS = Path(__file__).parent / "data" / "workbooks"
PROJECTS = WORKBOOKS / "project_list.xlsx"
SHEET = "xl/worksheets/sheet1.xml"


def _stored_cells(path: Path) -> int:
    """The `<c>` records of every sheet of an xlsx: what reading it may cost at most."""
    with zipfile.ZipFile(path) as archive:
        return sum(archive.read(name).count(b"<c ") for name in archive.namelist()
                   if name.startswith("xl/worksheets/sheet"))


def _patched(tmp_path: Path, name: str, change: Callable[[str], str], source: Path = PROJECTS) -> Path:
    """A copy of `source` whose first sheet's XML is `change`d, written as an attacker would."""
    target = tmp_path / name
    target.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as copy:
        for entry in original.infolist():
            data = original.read(entry.filename)
            if entry.filename == SHEET:
                changed = change(data.decode("utf-8"))
                assert changed != data.decode("utf-8"), "the change must apply"
                data = changed.encode("utf-8")
            copy.writestr(entry.filename, data)
    target.write_bytes(buffer.getvalue())
    return target


def _replacing(tag: str, record: str) -> Callable[[str], str]:
    """The sheet's `<tag>` element (the fixture's own) replaced by `record`."""
    return lambda xml: re.sub(rf"<{tag}\b.*?</{tag}>", lambda _: record, xml, count=1, flags=re.S)


def _imported(path: Path) -> tuple[str | None, list[str]]:
    READ_COST.clear()
    result = import_workbook(path, lint=True)
    return result.yaml, [problem.code for problem in result.problems]


@pytest.fixture(scope="module")
def original() -> tuple[str | None, list[str]]:
    return _imported(PROJECTS)


def test_a_cell_at_xfd1048576_is_one_cell_read(tmp_path):
    book = openpyxl.load_workbook(PROJECTS)
    book.worksheets[0]["XFD1048576"] = "メモ"
    path = tmp_path / "far.xlsx"
    book.save(path)
    READ_COST.clear()
    [sheet] = open_workbook(path).sheets
    assert sheet.cells[(1_048_576, 16_384)].text == "メモ"
    assert (sheet.max_row, sheet.max_column) == (1_048_576, 16_384)
    assert READ_COST["cells"] == _stored_cells(path)  # every stored record once, not 17 billion
    yaml, codes = _imported(path)
    assert yaml is not None and "IMP005" not in codes
    assert "男女共同参画推進事業" in yaml


def test_the_colleague_s_case_one_cell_in_column_16000_reads_its_cells_only(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "事業一覧"
    for row in range(1, 301):
        sheet.cell(row, 1, f"事業{row}")
    sheet.cell(150, 16_000, "メモ")
    path = tmp_path / "column16000.xlsx"
    book.save(path)
    READ_COST.clear()
    [read] = open_workbook(path).sheets
    assert len(read.cells) == 301 and read.text(150, 16_000) == "メモ"
    assert READ_COST["cells"] == 301  # was 2 x 300 x 16,000 cells walked


@pytest.mark.parametrize("far", ["XFD1048576", "WPN150", "XFD3"])
def test_the_recognisers_look_at_the_cells_there_are_not_across_the_grid(tmp_path, monkeypatch, original, far):
    from checker.importer.workbook import Sheet

    book = openpyxl.load_workbook(PROJECTS)
    book.worksheets[0][far] = "メモ"
    path = tmp_path / "far.xlsx"
    book.save(path)
    looked = [0]
    text = Sheet.text

    def counted(self, row, column):
        looked[0] += 1
        return text(self, row, column)

    monkeypatch.setattr(Sheet, "text", counted)
    yaml, codes = _imported(path)
    assert yaml is not None and "男女共同参画推進事業" in yaml and "IMP005" not in codes
    # each recogniser scans header rows and the rows below by the cells stored there: a few
    # thousand looks for a sheet of about 100 cells (the scans across 16,384 columns made 880,000)
    assert looked[0] < 20_000, looked[0]


@pytest.mark.parametrize("dimension", ['<dimension ref="A1:XFD1048576" />', '<dimension ref="A1" />',
                                       '<dimension ref="ZZZ9:A" />', ""])
def test_a_dimension_that_lies_or_is_absent_changes_nothing(tmp_path, original, dimension):
    path = _patched(tmp_path, "project_list.xlsx", lambda xml: re.sub(r"<dimension [^>]*/>", dimension, xml, count=1)
                    if dimension else re.sub(r"<dimension [^>]*/>", "", xml, count=1))
    yaml, codes = _imported(path)
    assert (yaml, codes) == original
    assert READ_COST["cells"] == _stored_cells(path)


def test_a_merged_range_over_the_whole_sheet_is_kept_as_its_bounds(tmp_path):
    path = _patched(tmp_path, "merged_all.xlsx", _replacing(
        "mergeCells", '<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'))
    READ_COST.clear()
    [sheet] = open_workbook(path).sheets
    assert sheet.merged == [(1, 1, 1_048_576, 16_384)]
    title = "基本目標Ⅱ－方針4－テーマ11 男女共同参画社会の実現"
    # as openpyxl and Excel read it: the range's first cell holds the value, the others nothing
    assert list(sheet.cells) == [(1, 1)] and sheet.text(1, 1) == title
    assert sheet.header_text(1_000_000, 16_000) == title and sheet.header_text(5, 2) == title
    assert READ_COST["cells"] == _stored_cells(path) and READ_COST["blocks"] == 1  # clipped to K15
    yaml, codes = _imported(path)
    assert yaml is None and "IMP005" not in codes  # one cell: no table to recognise, said, not refused


def test_merged_ranges_piled_on_each_other_are_refused_with_the_sheet_named(tmp_path):
    ranges = "".join(f'<mergeCell ref="A1:B{row}"/>' for row in range(2, 1_100))
    path = _patched(tmp_path, "piled.xlsx", _replacing("mergeCells", f'<mergeCells count="1098">{ranges}</mergeCells>'))
    READ_COST.clear()
    result = import_workbook(path)
    [problem] = result.problems
    assert problem.code == "IMP005"
    assert "sheet '関連事務事業一覧' : merged ranges overlap".replace(" :", ":") in problem.message("en")
    assert "結合範囲が重なっています" in problem.message("ja")
    assert READ_COST["blocks"] <= 1_100  # one block each, never their cells


def test_many_merged_ranges_over_the_whole_sheet_are_refused(tmp_path):
    ranges = "".join(f'<mergeCell ref="{letter}1:{letter}1048576"/>' for letter in "ABCDEFGHIJKLMNOPQRSTU")
    book = openpyxl.load_workbook(PROJECTS)
    book.worksheets[0]["XFD1048576"] = "x"  # the stored cells reach the whole sheet
    far = tmp_path / "far.xlsx"
    book.save(far)
    path = _patched(tmp_path, "columns.xlsx", _replacing("mergeCells", f'<mergeCells count="21">{ranges}</mergeCells>'), far)
    [problem] = import_workbook(path).problems
    assert problem.code == "IMP005" and "more than 16 merged ranges this large" in problem.message("en")
    assert "大きな結合範囲" in problem.message("ja")
    assert re.search(r"\((?P<c>[A-U])1:(?P=c)1048576, \.\.\.\)", problem.message("en"))  # the range it stopped at


def test_hidden_column_records_over_every_column_are_spread_once(tmp_path):
    records = "<cols>" + '<col min="1" max="16384" width="9" hidden="1"/>' * 1_000 + "</cols>"
    path = _patched(tmp_path, "hidden_columns.xlsx", lambda xml: xml.replace("<sheetData>", records + "<sheetData>", 1))
    READ_COST.clear()
    [sheet] = open_workbook(path).sheets
    assert sheet.hidden_columns == set(range(1, 16_385))
    assert READ_COST["columns"] == 16_384  # the union, not 1,000 x 16,384
    yaml, codes = _imported(path)
    assert yaml is not None
    assert codes.count("WB017") == len({column for _, column in sheet.cells})  # each hidden column with values, once


def test_a_validation_and_a_hyperlink_over_the_whole_sheet_meet_only_the_stored_cells(tmp_path, original):
    record = ('<dataValidations count="1"><dataValidation type="list" sqref="A1:XFD1048576">'
              '<formula1>"はい,いいえ"</formula1></dataValidation></dataValidations>'
              '<hyperlinks><hyperlink ref="A1:XFD1048576" display="x" location="A1"/></hyperlinks>')
    path = _patched(tmp_path, "validated/project_list.xlsx", _replacing("dataValidations", record))
    READ_COST.clear()
    [sheet] = open_workbook(path).sheets
    assert set(sheet.validations) == set(sheet.cells) and set(sheet.validations.values()) == {("はい", "いいえ")}
    assert READ_COST["cells"] == _stored_cells(path)
    assert _imported(path) == original


def _ods(rows: list[str]) -> bytes:
    """An ods of one table, 事業一覧, written as the fixtures' ods is (make_fixtures.ods_document)."""
    spec = importlib.util.spec_from_file_location("make_fixtures", WORKBOOKS / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    document: bytes = module.ods_document("事業一覧", "".join(rows))
    return document


def _text(value: str) -> str:
    return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'


def _empty(count: int) -> str:
    return f'<table:table-cell table:number-columns-repeated="{count}"/>'


def _row(cells: str, repeated: int = 1) -> str:
    return f'<table:table-row table:number-rows-repeated="{repeated}">{cells}</table:table-row>'


@pytest.mark.parametrize(("rows", "far"), [
    ([_row(_text("事業")), _row(_empty(16_384), 1_048_574), _row(_empty(16_383) + _text("メモ"))], "XFD1048576"),
    ([_row(_text("事業")), _row(_empty(15_999) + _text("メモ"), 299)], "WQJ300"),
])
def test_an_ods_reaching_a_far_cell_is_refused_before_its_grid_is_made(tmp_path, rows, far):
    path = tmp_path / "far.ods"
    path.write_bytes(_ods(rows))
    READ_COST.clear()
    [problem] = import_workbook(path).problems
    assert problem.code == "IMP005"
    assert f"sheet '事業一覧' reaches {far}" in problem.message("en") and f"at most {MAX_GRID:,}" in problem.message("en")
    assert f"シート「事業一覧」は {far} まで広がり" in problem.message("ja")
    assert READ_COST["cells"] <= 4  # the XML's cell records, repeats counted, never expanded


def test_an_ods_with_repeated_empty_rows_and_columns_imports_its_cells(tmp_path):
    rows = [_row(_text("事業") + _empty(16_383)), _row(_empty(2) + _text("メモ") + _empty(16_381)),
            _row(_empty(16_384), 1_048_574)]  # as LibreOffice pads a sheet
    path = tmp_path / "padded.ods"
    path.write_bytes(_ods(rows))
    READ_COST.clear()
    [sheet] = open_workbook(path).sheets
    assert {position: cell.text for position, cell in sheet.cells.items()} == {(1, 1): "事業", (2, 3): "メモ"}
    assert READ_COST["cells"] <= 6 + 2 * 3  # the records, then the 2 x 3 grid python-calamine gives


def test_an_xls_whose_grid_needs_more_memory_than_allowed_is_refused_and_this_process_lives(tmp_path, monkeypatch):
    # 5.6 KB, two cells, A1 and IV65536: python-calamine allocates the 16.7 million cell grid
    # (about 1 GB) before anything can measure it; the read is capped in a child process
    monkeypatch.chdir(tmp_path)  # where an aborted process would leave a core file
    run = CliRunner().invoke(main, ["import", str(WORKBOOKS / "far_cell.xls"), "--lang", "en"])
    assert run.exit_code == 2
    assert "IMP005" in run.stderr and "reading the workbook needs more than 768 MB" in run.stderr
    assert "save the workbook as xlsx" in run.stderr
    assert "memory allocation" not in run.stderr and "backtrace" not in run.stderr  # the child's own words stay there
    assert list(tmp_path.iterdir()) == []
    [problem] = import_workbook(WORKBOOKS / "far_cell.xls").problems
    assert problem.code == "IMP005" and "ブックを読むのに 768 MB を超えるメモリが要ります" in problem.message("ja")


def test_what_the_capped_reader_finds_comes_back_refusals_and_costs_included(tmp_path, monkeypatch):
    from checker.importer import workbook

    READ_COST.clear()
    [sheet] = open_workbook(WORKBOOKS / "project_list.ods").sheets
    assert sheet.text(3, 2) == "男女共同参画推進事業" and READ_COST["cells"] > 0  # counted in the child
    monkeypatch.setattr(workbook, "MAX_CELLS", 20)  # a refusal raised in the child is the parent's
    with pytest.raises(workbook.WorkbookError) as refused:
        open_workbook(WORKBOOKS / "project_list.ods")
    assert "関連事務事業一覧" in refused.value.reason.en


def test_with_other_threads_running_the_workbook_is_read_in_this_process(monkeypatch):
    import os
    import threading

    from checker.importer import workbook

    forks: list[int] = []

    def fork() -> int:
        forks.append(1)
        pytest.fail("forked beside a running thread")

    monkeypatch.setattr(os, "fork", fork)
    stop = threading.Event()
    beside = threading.Thread(target=stop.wait)
    beside.start()
    try:
        [sheet] = workbook.open_workbook(WORKBOOKS / "project_list.ods").sheets
    finally:
        stop.set()
        beside.join()
    assert sheet.text(3, 2) == "男女共同参画推進事業" and not forks


def test_the_cell_cap_counts_stored_cells_and_names_the_sheet(tmp_path, monkeypatch):
    from checker.importer import workbook

    monkeypatch.setattr(workbook, "MAX_CELLS", 20)
    [problem] = import_workbook(PROJECTS).problems
    assert problem.code == "IMP005"
    assert "more than 20 cells (sheet '関連事務事業一覧')" in problem.message("en")
    assert "セルが多すぎます（シート「関連事務事業一覧」、20 個まで）" in problem.message("ja")


def _as_openpyxl_reads(path: Path) -> dict[str, list[tuple[tuple[int, int], object, str, str | None]]]:
    """Each sheet's cells as openpyxl's normal mode loads them (the reader this one replaced),
    from its stored cells: value (cached), number format, formula."""
    values = openpyxl.load_workbook(path, data_only=True, keep_links=False)
    formulas = openpyxl.load_workbook(path, data_only=False, keep_links=False)
    found = {}
    for sheet in values.worksheets:
        other = formulas[sheet.title]
        cells = []
        for position in sorted(sheet._cells):
            cell, formula = sheet._cells[position], other._cells[position].value
            formula = formula if isinstance(formula, str) and formula.startswith("=") else None
            if cell.value is not None or formula is not None:
                cells.append((position, cell.value, cell.number_format, formula))
        found[sheet.title] = cells
    return found


def _as_read(path: Path) -> dict[str, list[tuple[tuple[int, int], object, str | None, str | None]]]:
    return {sheet.name: [(position, cell.value, cell.number_format, cell.formula) for position, cell in sheet.cells.items()]
            for sheet in open_workbook(path).sheets}


def _shuffled(xml: str) -> str:
    """Rows out of order, a cell stored twice (the last one counts), a row of cells without `r`."""
    rows = re.findall(r"<row [^>]*>.*?</row>", xml, flags=re.S)
    xml = xml.replace(rows[4], "").replace(rows[5], rows[5] + rows[4])
    xml = xml.replace('<c r="A5" t="n"><v>1</v></c>', '<c r="A5" t="n"><v>1</v></c><c r="A5" t="n"><v>7</v></c>')
    return xml.replace("</sheetData>", '<row r="40"><c t="n"><v>3</v></c><c t="str"><f>A40*2</f><v>6</v></c></row>'
                       "</sheetData>")


@pytest.mark.parametrize("name", sorted(path.name for path in WORKBOOKS.glob("*.xlsx")))
def test_every_fixture_reads_as_openpyxl_loads_it(name):
    assert _as_read(WORKBOOKS / name) == _as_openpyxl_reads(WORKBOOKS / name)


def test_rows_out_of_order_and_a_cell_stored_twice_read_as_openpyxl_loads_them(tmp_path):
    path = _patched(tmp_path, "shuffled.xlsx", _shuffled)
    read = _as_read(path)
    assert read == _as_openpyxl_reads(path)
    [cells] = read.values()
    assert dict((position, value) for position, value, _, _ in cells)[(5, 1)] == 7
    assert [entry for entry in cells if entry[0][0] == 40] == [((40, 1), 3, "General", None),
                                                               ((40, 2), "6", "General", "=A40*2")]


def test_a_cell_beyond_the_stored_ones_finds_its_merged_range_through_the_nearest_block():
    from checker.importer.workbook import CellData, Sheet

    sheet = Sheet("s", cells={(1, 1): CellData("見出し", "見出し"), (3, 3): CellData(1, "1")},
                  merged=[(5, 5, 9, 9), (1, 1, 2, 100)] + [(10 + row, 1, 10 + row, 16_384) for row in range(1_000)])
    assert sheet.header_text(2, 90) == "見出し"  # beyond the stored columns, inside A1:CV2
    assert sheet.header_text(500, 16_000) == ""  # a range lying beyond every stored cell holds nothing
    assert sheet.header_text(2, 101) == "" and sheet.text(3, 3) == "1"
