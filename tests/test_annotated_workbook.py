"""The findings back in the workbook (`-o checked.xlsx`): the annotated copy read back with
openpyxl (fills, comments, links, 指摘一覧, autofilter), the original's bytes unchanged, and
every refusal (the original named, a changed workbook, two workbooks, no workbook, a name
that leaves the directory, a link). And the README's road, run as written."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import openpyxl  # the test extra's (`plancheck[import]`)
from click.testing import CliRunner

from checker.cli import main
from checker.diagnostics import Severity, Text
from checker.report.xlsx import FILLS, LIST_SHEET

ROOT = Path(__file__).parent.parent
WORKBOOKS = Path(__file__).parent / "data" / "workbooks"
SHEET = "関連事務事業一覧"
ERROR_FILL, RELATED_FILL = (f"00{colour}" for colour in FILLS[Severity.ERROR])


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _imported(tmp_path: Path, monkeypatch, fixture: str = "project_list_short_sum.xlsx",
              name: str = "施策評価.xlsx") -> Path:
    """The fixture copied to the project (tmp_path, the working directory) and imported to
    plans/theme.yaml through the CLI; the workbook's path."""
    monkeypatch.chdir(tmp_path)
    book = tmp_path / name
    shutil.copyfile(WORKBOOKS / fixture, book)
    run = CliRunner().invoke(main, ["import", name, "--municipality", "小平市", "-o", "plans/theme.yaml"])
    assert run.exit_code == 1, run.output  # written, with IMP002 (the 合計 formula leaves out H12)
    return book


def _check(*args: str):
    return CliRunner().invoke(main, ["check", "--no-cache", "--isolated", *args])


def test_the_annotated_copy_holds_the_fills_comments_links_and_the_list(tmp_path, monkeypatch):
    book = _imported(tmp_path, monkeypatch)
    before = _sha(book)
    run = _check("plans/theme.yaml", "--lang", "ja", "-o", "checked.xlsx")
    assert run.exit_code == 1, run.output
    assert "checked.xlsx に書き出しました" in run.output and "openpyxl" in run.output
    assert _sha(book) == before  # the original's bytes unchanged

    copy = openpyxl.load_workbook(tmp_path / "checked.xlsx")
    assert copy.sheetnames == [LIST_SHEET, "凡例", SHEET] and copy.active.title == LIST_SHEET
    sheet = copy[SHEET]
    # the finding's cell: the stated 合計, filled as an error, the finding in both languages
    assert sheet["H13"].fill.fgColor.rgb == ERROR_FILL
    comment = sheet["H13"].comment.text
    assert comment.startswith("TOT001 [エラー] 合計 35,084 千円 が内訳 8 件の和 46,371 千円 と一致しません")
    assert "total 35,084 千円 differs from the sum of its 8 items, 46,371 千円" in comment
    # the related cells: the eight items, H5:H12, lighter, each saying what it is related to
    for row in range(5, 13):
        assert sheet[f"H{row}"].fill.fgColor.rgb == RELATED_FILL, row
        assert sheet[f"H{row}"].comment.text == f"TOT001 の関連値（{SHEET}!H13）: 内訳 {row - 4}"
    assert sheet["H4"].comment is None and sheet["H4"].fill.fgColor.rgb != ERROR_FILL
    assert sheet["G13"].comment is None
    # the workbook's own content is kept: the formula, the values
    assert sheet["H13"].value == "=SUM(H5:H11)" and sheet["H5"].value == 19

    listed = copy[LIST_SHEET]
    rows = list(listed.iter_rows(values_only=True))
    assert rows[0] == ("番号", "コード", "重大度", "セル", "メッセージ", "数値", "YAML の位置", "関連セル")
    assert len(rows) == 2
    number, code, severity, cell, message, numbers, position, related = rows[1]
    assert (number, code, severity, cell) == (1, "TOT001", "エラー", f"{SHEET}!H13")
    assert message.startswith("合計 35,084 千円 が内訳 8 件の和 46,371 千円")
    assert json.loads(numbers) == {"allowance": "4", "computed": "46371", "count": 8, "difference": "-11287",
                                   "stated": "35084", "unit": "千円"}
    assert re.fullmatch(r"plans/theme\.yaml:\d+:14", position)
    line = int(position.split(":")[1])
    assert (tmp_path / "plans" / "theme.yaml").read_text(encoding="utf-8").splitlines()[line - 1].strip() == \
        'total: "35,084"'
    assert related.split() == [f"{SHEET}!H{row}" for row in range(5, 13)]
    link = listed["D2"].hyperlink
    assert link is not None and link.location == f"'{SHEET}'!H13" and not link.target
    assert listed.auto_filter.ref == "A1:H2" and listed.freeze_panes == "A2"
    assert listed["C2"].fill.fgColor.rgb == ERROR_FILL
    legend = [row for row in copy["凡例"].iter_rows(values_only=True) if any(row)]
    assert ("凡例", None) in legend and any(before in str(row[0]) for row in legend)  # the source's hash


def test_the_copy_speaks_the_runs_language_and_names_what_openpyxl_drops(tmp_path, monkeypatch):
    _imported(tmp_path, monkeypatch)
    run = _check("plans/theme.yaml", "--lang", "en", "-o", "xlsx:out/copy.xlsx")
    assert run.exit_code == 1, run.output
    assert "the formulas' cached values are not kept" in run.output and "the copy lacks" not in run.output
    copy = openpyxl.load_workbook(tmp_path / "out" / "copy.xlsx")
    assert copy[LIST_SHEET]["A1"].value == "No" and copy[LIST_SHEET]["C2"].value == "error"
    assert copy[SHEET]["H13"].comment.text.startswith("TOT001 [error] total 35,084 千円 differs")
    assert copy[SHEET]["H5"].comment.text == f"related to TOT001 at {SHEET}!H13: item 1"


def test_the_run_says_what_the_copy_lacks_and_the_original_keeps(tmp_path, monkeypatch):
    from openpyxl.chart import BarChart, Reference

    monkeypatch.chdir(tmp_path)
    book = openpyxl.load_workbook(WORKBOOKS / "project_list_short_sum.xlsx")
    chart = BarChart()
    chart.add_data(Reference(book.active, min_col=8, min_row=5, max_row=12))
    book.active.add_chart(chart, "K2")
    book.save(tmp_path / "saved.xlsx")
    # and a macro project, as an xlsm holds one (openpyxl drops it unless asked to keep it)
    with zipfile.ZipFile(tmp_path / "saved.xlsx") as source, \
            zipfile.ZipFile(tmp_path / "charted.xlsx", "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(entry, source.read(entry))
        target.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + bytes(500))
    assert CliRunner().invoke(main, ["import", "charted.xlsx", "-o", "plan.yaml"]).exit_code in (0, 1)
    run = _check("plan.yaml", "--lang", "en", "-o", "copy.xlsx")
    assert "wrote the xlsx report to copy.xlsx" in run.output, run.output
    assert "the formulas' cached values are not kept" in run.output
    assert "the copy lacks charted.xlsx's macros (openpyxl drops them on saving)" in run.output
    assert "charted.xlsx's charts are read and written again by openpyxl" in run.output
    names = zipfile.ZipFile(tmp_path / "copy.xlsx").namelist()
    assert "xl/vbaProject.bin" not in names and "xl/vbaProject.bin" in zipfile.ZipFile("charted.xlsx").namelist()


def test_a_finding_without_a_workbook_cell_is_listed_only(tmp_path, monkeypatch):
    _imported(tmp_path, monkeypatch)
    text = (tmp_path / "plans" / "theme.yaml").read_text(encoding="utf-8")
    # the same plan typed by hand: no workbook (its cell map is not this workbook's)
    by_hand = re.sub(r"  source:\n(    .*\n)+", '  source:\n    file: "手入力.pdf"\n', text).replace('id: "施策評価"', 'id: "by-hand"')
    assert "workbook:" not in by_hand and "workbook_sha256" not in by_hand
    (tmp_path / "plans" / "by-hand.yaml").write_text(by_hand, encoding="utf-8")
    run = _check("plans", "--lang", "en", "-o", "checked.xlsx")
    assert run.exit_code == 1, run.output
    copy = openpyxl.load_workbook(tmp_path / "checked.xlsx")
    rows = list(copy[LIST_SHEET].iter_rows(min_row=2, values_only=True))
    assert sorted(((row[1], row[3], row[6].split(":")[0]) for row in rows), key=lambda row: row[2]) == [
        ("TOT001", None, "plans/by-hand.yaml"), ("TOT001", f"{SHEET}!H13", "plans/theme.yaml")]
    assert copy[SHEET]["H13"].comment.text.count("TOT001") == 1  # only the imported file's finding
    for row in (2, 3):  # a link where there is a cell, none where there is not
        listed = copy[LIST_SHEET]
        assert (listed.cell(row, 4).hyperlink is not None) == (listed.cell(row, 4).value is not None)


def test_text_in_the_list_is_never_a_formula(tmp_path, monkeypatch):
    _imported(tmp_path, monkeypatch)
    plans = tmp_path / "plans"
    (plans / "theme.yaml").rename(plans / "=HYPERLINK(1).yaml")
    run = _check("plans", "--lang", "en", "-o", "checked.xlsx")
    assert run.exit_code == 1, run.output
    copy = openpyxl.load_workbook(tmp_path / "checked.xlsx")
    assert copy[LIST_SHEET]["G2"].value.startswith("plans/=HYPERLINK(1).yaml:")
    with zipfile.ZipFile(tmp_path / "checked.xlsx") as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml


def _refused(run, words: str) -> None:
    assert run.exit_code == 2, run.output
    assert words in run.output and "Traceback" not in run.output


def test_the_original_is_never_written_by_name_or_through_a_link(tmp_path, monkeypatch):
    book = _imported(tmp_path, monkeypatch)
    before = _sha(book)
    _refused(_check("plans/theme.yaml", "--lang", "en", "-o", "施策評価.xlsx"), "the original is never written")
    os.symlink(book, tmp_path / "link.xlsx")
    _refused(_check("plans/theme.yaml", "--lang", "en", "-o", "link.xlsx"), "the original is never written")
    os.link(book, tmp_path / "hard.xlsx")
    _refused(_check("plans/theme.yaml", "--lang", "en", "-o", "hard.xlsx"), "the original is never written")
    assert _sha(book) == before and (tmp_path / "link.xlsx").is_symlink()


def test_a_workbook_changed_since_the_import_is_refused(tmp_path, monkeypatch):
    book = _imported(tmp_path, monkeypatch)
    changed = openpyxl.load_workbook(book)
    changed.active["C7"] = "子ども家庭支援課"
    changed.save(book)
    run = _check("plans/theme.yaml", "--lang", "en", "-o", "checked.xlsx")
    _refused(run, "changed since it was imported")
    assert not (tmp_path / "checked.xlsx").exists()


def test_a_missing_workbook_a_link_and_a_name_that_leaves_the_directory_are_refused(tmp_path, monkeypatch):
    book = _imported(tmp_path, monkeypatch)
    plan = tmp_path / "plans" / "theme.yaml"
    text = plan.read_text(encoding="utf-8")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.xlsx"
    shutil.copyfile(book, outside)
    try:
        for name, words in ((f"../../{outside.name}", "is not a file name"), ("none.xlsx", "is not found"),
                            ("list.ods", "an annotated copy is made of an xlsx workbook only")):
            plan.write_text(text.replace('workbook: "施策評価.xlsx"', f'workbook: "{name}"'), encoding="utf-8")
            _refused(_check("plans/theme.yaml", "--lang", "en", "-o", "checked.xlsx"), words)
        book.unlink()
        os.symlink(outside, book)  # the name, now a link out of the project
        plan.write_text(text, encoding="utf-8")
        _refused(_check("plans/theme.yaml", "--lang", "en", "-o", "checked.xlsx"), "a link is not followed")
    finally:
        outside.unlink()
    assert not (tmp_path / "checked.xlsx").exists()


def test_two_workbooks_no_workbook_and_the_terminal_are_refused(tmp_path, monkeypatch):
    _imported(tmp_path, monkeypatch)
    shutil.copyfile(WORKBOOKS / "project_list.xlsx", tmp_path / "other.xlsx")
    assert CliRunner().invoke(main, ["import", "other.xlsx", "-o", "plans/other.yaml"]).exit_code == 0
    _refused(_check("plans", "--lang", "en", "-o", "checked.xlsx"), "come from 2 workbooks")
    _refused(_check(str(ROOT / "plans"), "--lang", "en", "-o", "checked.xlsx"), "no workbook to annotate")
    _refused(_check("plans/theme.yaml", "--lang", "ja", "--format", "xlsx"), "ファイルにだけ書き出せます")
    assert not (tmp_path / "checked.xlsx").exists()


README_BLOCK = re.compile(r"## From a workbook, and the findings back in it\n.*?```\n(.*?)```", re.S)


def test_the_readme_road_runs_as_written(tmp_path):
    """The README's commands, run as they are written (the pip line aside), in a directory
    holding the fixture under the README's name."""
    commands = [line for line in README_BLOCK.search((ROOT / "README.md").read_text(encoding="utf-8")).group(1)
                .splitlines() if line.startswith("plancheck ")]
    assert len(commands) == 3
    book = tmp_path / "施策評価.xlsx"
    shutil.copyfile(WORKBOOKS / "project_list_short_sum.xlsx", book)
    before = _sha(book)
    program = Path(sys.executable).parent / "plancheck"
    environment = {**os.environ, "PLANCHECK_LANG": "en", "PYTHONUTF8": "1"}
    codes = []
    for command in commands:
        words = shlex.split(command)
        run = subprocess.run([str(program) if program.exists() else sys.executable, *([] if program.exists() else
                             ["-m", "checker"]), *words[1:]], cwd=tmp_path, capture_output=True, text=True,
                             env=environment, timeout=120)
        assert "Traceback" not in run.stderr, run.stderr
        codes.append(run.returncode)
        if command == commands[1]:
            assert "TOT001" in run.stdout and "(関連事務事業一覧!H13)" in run.stdout, run.stdout
    assert codes == [1, 1, 1]  # IMP002 at the import; TOT001 at each check
    copy = openpyxl.load_workbook(tmp_path / "施策評価-checked.xlsx")
    assert copy[SHEET]["H13"].comment.text.startswith("TOT001")
    assert (tmp_path / "findings.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert _sha(book) == before


def test_hostile_text_is_text_in_the_copy(tmp_path):
    """A message, a label and a file name holding what an xlsx cannot hold (C0 controls) or
    what a spreadsheet would run (a leading =): shown escaped, and a string cell."""
    from checker.diagnostics import Diagnostic, Location, Related, Span
    from checker.report import ReportContext
    from checker.report.xlsx import annotated

    raw = (WORKBOOKS / "project_list_short_sum.xlsx").read_bytes()
    hostile = Diagnostic("TOT001", "total", Severity.WARNING, {"ja": "=HYPERLINK(\"x\")\x01 合計", "en": "=1+1\x07"},
                         {"ja": "", "en": ""}, "\x1bplan.yaml", Span(3, 4, 3, 9),
                         [(Related(Location("\x1bplan.yaml"), Text("内訳\x02", "item\x02")), Span(5, 1, 5, 2))],
                         {"stated": "=2"}, cell=f"{SHEET}!H13", related_cells=(f"{SHEET}!H5",))
    book = tmp_path / "x.xlsx"
    book.write_bytes(raw)
    plan = SimpleNamespace(name="\x1bplan.yaml", path=tmp_path / "\x1bplan.yaml",
                           model=SimpleNamespace(plan=SimpleNamespace(source=SimpleNamespace(workbook="x.xlsx"))))
    context = ReportContext(lang="ja", files=[plan], root=str(tmp_path))
    data = annotated(raw, book, [hostile], context)
    (tmp_path / "copy.xlsx").write_bytes(data)
    copy = openpyxl.load_workbook(tmp_path / "copy.xlsx")
    listed = copy[LIST_SHEET]
    assert listed["E2"].value == "=HYPERLINK(\"x\")\\x01 合計" and listed["E2"].data_type == "s"
    assert listed["G2"].value == "\\x1bplan.yaml:3:4" and listed["F2"].value == '{"stated": "=2"}'
    assert listed["D2"].value == f"{SHEET}!H13" and listed["D2"].hyperlink.location == f"'{SHEET}'!H13"
    assert copy[SHEET]["H13"].comment.text == "TOT001 [警告] =HYPERLINK(\"x\")\\x01 合計\n=1+1\\x07"
    assert copy[SHEET]["H5"].comment.text == f"TOT001 の関連値（{SHEET}!H13）: 内訳\\x02"
    with zipfile.ZipFile(tmp_path / "copy.xlsx") as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
