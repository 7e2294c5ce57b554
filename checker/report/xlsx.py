"""The findings back in the workbook (`plancheck plans/x.yaml -o checked.xlsx`): an annotated
copy of the workbook the plan was imported from.

Each finding's cell is filled by its severity, with the finding as a cell comment (its
message in the run's language, then in the other); each related value's cell gets the
lighter fill of the same severity and the comment "related to CODE at Sheet!A1"; a sheet
指摘一覧, first and active, lists every finding (code, severity, the cell as a link into the
workbook, the message, the numbers, the YAML position, the related cells) under a frozen
header with an autofilter, and a legend of the fills. A finding without a workbook cell
(a hand-written file checked in the same run, a finding at the file itself) is in 指摘一覧
only.

The workbook is found as `plan.source.workbook` names it (`plancheck import` records its
file name): a bare file name, looked for in the plan file's directory, then in each
directory above it up to the project's root (the configuration's directory), never outside
it; it must be a regular file there (a symbolic link is not followed); its bytes are read
once, capped as an import caps them. Before anything is marked, every cell the plans'
`cells:` maps name is read again as the import reads it and compared with the value the
YAML holds at that JSON Pointer: if one no longer prints what the YAML holds (the workbook
changed since the import, or the YAML was edited by hand), the copy is refused, naming the
first few cells and the count, since its marks would fall on cells that no longer say what
the findings are about. A workbook opened and saved again with the same values is
annotated: its bytes are not what is compared. One copy is made of one workbook: a run whose plans come
from two workbooks is refused (check them one at a time). Only an xlsx (or xlsm) can be
annotated: openpyxl writes no other format.

The original is never written: `-o` naming it (or a link to it) is refused, and the copy is
written whole through `checker.fixes.write_output`. openpyxl keeps the cells, their
formats, formulas, merged ranges, validations, comments, charts (read and written again)
and images (with Pillow), but not the formulas' cached values (the copy is marked to be
recalculated when opened), shapes, macros, slicers, form controls or threaded comments: the
run's note says which of them the workbook held, and that the original still has them.
"""

from __future__ import annotations

import io
import json
import os
import re
import stat
from dataclasses import replace
from pathlib import Path
from typing import Any

from checker.diagnostics import Diagnostic, Severity, Text, plain_arg
from checker.report import BinaryReport, ReportContext, ReportRefused

LIST_SHEET = "指摘一覧"
LEGEND_SHEET = "凡例"
# Excel's own conditional-format fills (light red, yellow, blue) and a lighter one each for
# the related cells
FILLS = {Severity.ERROR: ("FFC7CE", "FDECEE"), Severity.WARNING: ("FFEB9C", "FFF7D6"),
         Severity.INFO: ("BDD7EE", "E4EEF8")}
SEVERITY_WORDS = {Severity.ERROR: Text("エラー", "error"), Severity.WARNING: Text("警告", "warning"),
                  Severity.INFO: Text("情報", "info")}
HEADERS = (Text("番号", "No"), Text("コード", "code"), Text("重大度", "severity"), Text("セル", "cell"),
           Text("メッセージ", "message"), Text("数値", "numbers"), Text("YAML の位置", "YAML position"),
           Text("関連セル", "related cells"))
# what openpyxl drops on saving, by the zip entries that hold it (charts it reads and writes
# again, images too when Pillow is installed: checked apart)
LOST = (("xl/vbaProject.bin", Text("マクロ", "macros")), ("xl/slicers/", Text("スライサー", "slicers")),
        ("xl/timelines/", Text("タイムライン", "timelines")), ("xl/ctrlProps/", Text("フォームコントロール", "form controls")),
        ("xl/threadedComments/", Text("スレッド形式のコメント", "threaded comments")))
MAX_DRAWING_BYTES = 5_000_000  # of a drawing's XML searched for shapes (the zip is checked first)
MAX_RANGE_CELLS = 2_000  # a range's cells filled at most (a whole list's range is a few hundred)
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what an xlsx cannot hold (openpyxl refuses it)


def render_xlsx(diagnostics: list[Diagnostic], context: ReportContext) -> BinaryReport:
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise ReportRefused(Text("openpyxl がありません: pip install 'plancheck[import]'",
                                 "openpyxl is not installed: pip install 'plancheck[import]'")) from None
    path, raw, notes = _source(context)
    _not_the_original(path, context.output)
    import hashlib

    notes += _lost(raw, path)
    digest = hashlib.sha256(raw).hexdigest()  # which bytes the copy was made from, for the record
    about = [Text(f"plancheck が {path.name}（SHA-256 {digest}）の写しに指摘を書き込みました",
                  f"plancheck wrote the findings into a copy of {path.name} (SHA-256 {digest})"),
             *notes]
    return BinaryReport(annotated(raw, path, diagnostics, context, about), notes)


def annotated(raw: bytes, path: Path, diagnostics: list[Diagnostic], context: ReportContext,
              about: tuple[Text, ...] | list[Text] = ()) -> bytes:
    """The workbook `raw` with the findings marked in it, the 指摘一覧 sheet, and the 凡例
    sheet (the fills, then the lines of `about`: where the copy comes from, what it lacks)."""
    import warnings

    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    lang, other = context.lang, "en" if context.lang == "ja" else "ja"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's warnings on extensions it does not read
        try:
            book = openpyxl.load_workbook(io.BytesIO(raw), keep_links=False, keep_vba=False, rich_text=True)
        except TypeError:  # an openpyxl without rich_text
            book = openpyxl.load_workbook(io.BytesIO(raw), keep_links=False, keep_vba=False)
    in_book = _in_book(path, context)
    comments: dict[tuple[str, str], list[str]] = {}
    strength: dict[tuple[str, str], int] = {}  # a finding's fill is never replaced by a related one's

    def mark(ref: str | None, severity: Severity, related: bool, comment: str) -> str | None:
        """Fill the cells of `ref` (Sheet!A1 or a range) and note the comment at its first
        cell; the link target (`'Sheet'!A1`), None for a cell not in this workbook."""
        found = _parse(ref, book)
        if found is None:
            return None
        sheet, (min_col, min_row, max_col, max_row) = found
        rank = (0 if related else 3) + {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}[severity]
        fill = PatternFill("solid", fgColor=FILLS[severity][1 if related else 0])
        count = 0
        for row in range(min_row, max_row + 1):
            for column in range(min_col, max_col + 1):
                count += 1
                if count > MAX_RANGE_CELLS:
                    break
                key = (sheet.title, f"{_letters(column)}{row}")
                if strength.get(key, -1) < rank:
                    sheet.cell(row, column).fill = fill
                    strength[key] = rank
        first = _top_left(sheet, min_row, min_col)
        comments.setdefault((sheet.title, first), []).append(comment)
        return f"{_quoted_sheet(sheet.title)}!{first}"

    listed: list[tuple[Diagnostic, str | None, str | None, list[str]]] = []
    for d in diagnostics:
        cell = d.cell if d.file in in_book else None
        words = SEVERITY_WORDS[d.severity]
        text = f"{d.code} [{words.render(lang)}] {_clean(d.message[lang])}\n{_clean(d.message[other])}"
        target = mark(cell, d.severity, False, text)
        related_cells: tuple[str | None, ...] = d.related_cells if d.file in in_book else ()
        for (related, _span), related_cell in zip(d.related, related_cells):
            if related_cell is None or related.location.file not in in_book:
                continue
            label = _clean(related.label.render(lang))
            mark(related_cell, d.severity, True,
                 f"{d.code} の関連値（{cell or d.file}）: {label}" if lang == "ja" else
                 f"related to {d.code} at {cell or d.file}: {label}")
        listed.append((d, cell, target, [c for c in related_cells if c]))

    for (title, coordinate), texts in comments.items():
        sheet = book[title]
        cell = sheet[coordinate]
        before = cell.comment.text + "\n\n" if cell.comment is not None and cell.comment.text else ""
        body = _clean(before + "\n\n".join(texts))
        comment = Comment(body[:30_000], "plancheck")  # Excel keeps at most 32,767 characters a comment
        comment.width, comment.height = 360, min(600, 60 + 30 * body.count("\n"))
        cell.comment = comment

    _list_sheet(book, listed, lang)
    _legend(book, lang, about)
    book.active = 0
    book.calculation.fullCalcOnLoad = True  # openpyxl keeps no cached values: Excel recalculates on opening
    for other_sheet in book.worksheets[1:]:
        other_sheet.sheet_view.tabSelected = False
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _list_sheet(book: Any, listed: list[tuple[Diagnostic, str | None, str | None, list[str]]], lang: str) -> None:
    """The 指摘一覧 sheet, first: a finding a row (its cell a link into the workbook), under
    a frozen header with an autofilter."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    name = _unique(book, LIST_SHEET)
    sheet = book.create_sheet(name, 0)
    for column, header in enumerate(HEADERS, 1):
        sheet.cell(1, column, header.render(lang)).font = Font(bold=True)
    for row, (d, cell, target, related_cells) in enumerate(listed, 2):
        values: list[Any] = [row - 1, d.code, SEVERITY_WORDS[d.severity].render(lang), cell or "",
                             _clean(d.message[lang]),
                             json.dumps({key: plain_arg(value) for key, value in d.args.items()}, ensure_ascii=False,
                                        sort_keys=True) if d.args else "",
                             f"{d.file}:{d.span.line}:{d.span.column}", " ".join(related_cells)]
        for column, value in enumerate(values, 1):
            written = sheet.cell(row, column)
            written.value = _clean(value) if isinstance(value, str) else value
            if isinstance(value, str):
                written.data_type = "s"  # text, never a formula, whatever it starts with
        sheet.cell(row, 3).fill = PatternFill("solid", fgColor=FILLS[d.severity][0])
        if target is not None:
            link = sheet.cell(row, 4)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=target, display=cell)
            link.font = Font(color="0563C1", underline="single")
    last = len(listed) + 1
    sheet.auto_filter.ref = f"A1:{_letters(len(HEADERS))}{last}"
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGH", (6, 9, 9, 22, 70, 40, 34, 30)):
        sheet.column_dimensions[letter].width = width


def _legend(book: Any, lang: str, about: tuple[Text, ...] | list[Text]) -> None:
    """The 凡例 sheet, second: what each fill means, then the lines of `about`."""
    from openpyxl.styles import Font, PatternFill

    legend = book.create_sheet(_unique(book, LEGEND_SHEET), 1)
    legend.cell(1, 1, LEGEND_SHEET if lang == "ja" else "legend").font = Font(bold=True)
    kinds = [(severity, lighter) for lighter in (False, True)
             for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO)]
    for row, (severity, lighter) in enumerate(kinds, 2):
        words = SEVERITY_WORDS[severity].render(lang)
        legend.cell(row, 1).fill = PatternFill("solid", fgColor=FILLS[severity][1 if lighter else 0])
        legend.cell(row, 2, (f"{words}の関連値" if lang == "ja" else f"a value related to a finding ({words})")
                    if lighter else (f"{words}の指摘のセル" if lang == "ja" else f"the cell of a finding ({words})"))
    for row, line in enumerate(about, 9):
        legend.cell(row, 1, _clean(line.render(lang))).data_type = "s"
    legend.column_dimensions["A"].width = 6
    legend.column_dimensions["B"].width = 40


def _unique(book: Any, name: str) -> str:
    """`name`, or `name2`, `name3`... when the workbook has a sheet of that name already."""
    found, number = name, 1
    while found in book.sheetnames:
        number += 1
        found = f"{name}{number}"
    return found


def _clean(text: str) -> str:
    """Text an xlsx can hold: the control characters it cannot are shown escaped (as the
    terminal formats show them)."""
    from checker.report.safe import escaped_char

    return _ILLEGAL.sub(lambda match: escaped_char(match.group()), text)


def _letters(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _quoted_sheet(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def _parse(ref: str | None, book: Any) -> tuple[Any, tuple[int, int, int, int]] | None:
    """`Sheet!A1` or `Sheet!A1:C5` as (the sheet, its bounds: min column, min row, max
    column, max row); None for no cell, or one that is not in the workbook."""
    from checker.importer.workbook import parse_ref

    parsed = parse_ref(ref)
    if parsed is None or parsed[0] not in book.sheetnames:
        return None
    return book[parsed[0]], parsed[1]


def _top_left(sheet: Any, row: int, column: int) -> str:
    """The cell a comment goes on: the cell itself, or the first of the merged range it is in
    (only that one can hold a comment)."""
    for merged in sheet.merged_cells.ranges:
        if merged.min_row <= row <= merged.max_row and merged.min_col <= column <= merged.max_col:
            return f"{_letters(merged.min_col)}{merged.min_row}"
    return f"{_letters(column)}{row}"


def _in_book(path: Path, context: ReportContext) -> set[str]:
    """The names (as diagnostics give them) of the checked files imported from `path`."""
    return {file.name for file, book in _imported(context) if book == path}


def _imported(context: ReportContext) -> list[tuple[Any, Path]]:
    """(file, workbook path) of each checked file imported from a workbook."""
    return [(file, found) for file in context.files if (found := _workbook_of(file, context))]


def _workbook_of(file: Any, context: ReportContext) -> Path | None:
    """Where the workbook a checked file was imported from is; None for a file not imported. Raises ReportRefused for a name that is not a bare file
    name, or a workbook that is not found inside the project."""
    model = getattr(file, "model", None)
    source = getattr(getattr(model, "plan", None), "source", None)
    name = getattr(source, "workbook", None)
    if not name:
        return None
    if name in (".", "..") or any(char in name for char in "/\\\x00") or name != name.strip():
        raise ReportRefused(Text(f"{file.name}: 取り込み元ブックの名前「{name}」がファイル名ではありません",
                                 f"{file.name}: the workbook it was imported from, {name!r}, is not a file name"))
    suffix = Path(name).suffix.lower()
    if suffix not in (".xlsx", ".xlsm"):
        raise ReportRefused(Text(
            f"{file.name}: 取り込み元は {name} です。注釈つきの写しは xlsx のブックにだけ作れます（--format csv か html をお使いください）",
            f"{file.name} was imported from {name}: an annotated copy is made of an xlsx workbook only "
            "(use --format csv or html)"))
    here = Path(os.path.realpath(file.path)).parent
    root = Path(os.path.realpath(context.root or os.getcwd()))
    places = [here]
    if here.is_relative_to(root):
        while places[-1] != root:
            places.append(places[-1].parent)
    for place in places:
        candidate = place / name
        try:
            status = os.lstat(candidate)
        except OSError:
            continue
        if stat.S_ISLNK(status.st_mode) or not stat.S_ISREG(status.st_mode):
            raise ReportRefused(Text(f"{candidate} は通常のファイルではありません（リンクはたどりません）",
                                     f"{candidate} is not a regular file (a link is not followed)"))
        return candidate
    where = here if len(places) == 1 else f"{here} … {root}"
    raise ReportRefused(Text(f"{file.name} の取り込み元ブック {name} が見つかりません（{where} を探しました）",
                             f"the workbook {file.name} was imported from, {name}, is not found (looked in {where})"))


def _source(context: ReportContext) -> tuple[Path, bytes, list[Text]]:
    """The one workbook this run's plans were imported from, its bytes, and the notes on it;
    ReportRefused when there is none, more than one, or its cells no longer print what the
    plans hold (`_unchanged`)."""
    from checker.importer.workbook import MAX_FILE_BYTES, WorkbookError, check_zip

    found = _imported(context)
    books = sorted({book for _, book in found})
    if not books:
        raise ReportRefused(Text("注釈つきの写しを作るブックがありません: 検査したファイルはどれも plancheck import で取り込んだものではありません"
                                 "（--format csv か html をお使いください）",
                                 "no workbook to annotate: none of the files checked was made by plancheck import "
                                 "(use --format csv or html)"))
    if len(books) > 1:
        names = "、".join(str(book) for book in books)
        raise ReportRefused(Text(f"検査したファイルの取り込み元ブックが {len(books)} 冊あります（{names}）: "
                                 "写しは 1 冊ずつ作ります。1 冊から取り込んだファイルごとに検査してください",
                                 f"the files checked come from {len(books)} workbooks ({', '.join(map(str, books))}): "
                                 "a copy is made of one; check the files of each workbook on their own"))
    path = books[0]
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise ReportRefused(Text(f"{path} を読めません: {error.strerror}", f"cannot read {path}: {error.strerror}")) from None
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise ReportRefused(Text(f"{path} は通常のファイルではありません", f"{path} is not a regular file"))
        raw = stream.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise ReportRefused(Text(f"{path} が大きすぎます（{MAX_FILE_BYTES:,} バイトまで）",
                                 f"{path} is larger than {MAX_FILE_BYTES:,} bytes"))
    try:
        check_zip(raw)
    except WorkbookError as error:
        raise ReportRefused(Text(f"{path}: {error.reason.ja}", f"{path}: {error.reason.en}")) from None
    return path, raw, _unchanged(path, raw, [file for file, book in found if book == path])


def _unchanged(path: Path, raw: bytes, files: list[Any]) -> list[Text]:
    """Refuse a workbook whose cells no longer print what the plans hold (ReportRefused):
    each cell the plans' `cells:` maps name is read again as the import read it
    (`checker.importer.workbook.printed_cells`) and compared with the value the YAML holds
    at that JSON Pointer (`_holds`). A re-saved workbook with the same values passes; a
    changed cell, a moved table, or a YAML value edited by hand does not. The notes: what
    could not be compared."""
    from checker.importer.workbook import WorkbookError, printed_cells

    wanted: list[tuple[str, str, str, object]] = []  # (file, pointer, ref, the value held)
    uncompared: list[str] = []
    for file in files:
        cells = getattr(file.model, "cells", None) or {}
        if not cells:
            uncompared.append(file.name)
        data = file.data
        for pointer, ref in cells.items():
            held = _at(data, pointer)
            if not isinstance(held, (dict, list)):  # a section's range names no one value
                wanted.append((file.name, pointer, ref, held))
    try:
        printed = printed_cells(path, raw, sorted({ref for _, _, ref, _ in wanted}))
    except WorkbookError as error:
        raise ReportRefused(Text(f"{path}: {error.reason.ja}", f"{path}: {error.reason.en}")) from None
    differing = [(name, ref, at, held) for name, pointer, ref, held in wanted
                 if (at := printed[ref]) is None or not _holds(held, at, _parts(pointer))]
    if differing:
        raise ReportRefused(_changed(path, differing))
    return [Text(f"{name} には cells: の対応がないため、{path.name} が取り込み後に変更されたかどうかは分かりません",
                 f"{name} has no cells: map: whether {path.name} changed since the import cannot be told")
            for name in uncompared]


SHOWN_DIFFERENCES = 3  # differing cells named in the refusal (then the count)


def _changed(path: Path, differing: list[tuple[str, str, tuple[str, ...] | None, object]]) -> Text:
    """The refusal of a workbook whose cells no longer print what the YAML holds: the first
    few cells (Sheet!A1: the workbook prints X, the YAML holds Y), the count, what to do."""
    from checker.report.safe import shown

    def value(text: str | None, ja: bool) -> str:
        if text is None:
            return "値なし" if ja else "nothing"
        if not text.strip():
            return "空欄" if ja else "a blank"
        return f"「{shown(text, 40)}」" if ja else f"“{shown(text, 40)}”"

    ja_cells, en_cells = [], []
    for _name, ref, printed, held in differing[:SHOWN_DIFFERENCES]:
        cell = shown(ref, 80)
        at = None if printed is None else "-".join(printed) if len(printed) > 1 else printed[0]
        written = None if held is _MISSING else _written(held)
        ja_cells.append(f"{cell}: ブックの表示は{value(at, True) if printed is not None else 'セルなし'}、"
                        f"YAML の値は{value(written, True)}")
        en_cells.append(f"{cell}: the workbook prints {value(at, False) if printed is not None else 'no such cell'}, "
                        f"the YAML holds {value(written, False)}")
    more = len(differing) - SHOWN_DIFFERENCES
    if more > 0:
        ja_cells.append(f"ほか {more} か所")
        en_cells.append(f"and {more} more")
    files = sorted({name for name, *_ in differing})
    names = shown(", ".join(files), 120)
    book = shown(_relative(path), 120)
    command = f"plancheck import {book} -o {shown(files[0], 120)}" if len(files) == 1 else f"plancheck import {book} -o …"
    return Text(
        f"{book} のセル {len(differing)} か所が {names} の値と違います（{'；'.join(ja_cells)}）: 取り込んだ後にブックか "
        "YAML が変更されているため、写しを作りません。ブックの方が新しいなら取り込み直して（"
        f"{command}）検査し直してください。YAML を意図して手で直したのなら、ブックにも同じ変更をしてください"
        "（ブックなしで見るなら --format csv か html）",
        f"{len(differing)} cell(s) of {book} differ from what {names} holds ({'; '.join(en_cells)}): the workbook or the "
        f"YAML changed since the import, so no copy is made. If the workbook is the newer, import it again ({command}) "
        "and check again; if you edited the YAML by hand on purpose, make the same change in the workbook (or use "
        "--format csv or html, which need no workbook)")


def _relative(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)


_MISSING = object()  # no value at a pointer: the YAML no longer holds what the import wrote there


def _parts(pointer: str) -> list[str]:
    """A JSON Pointer's reference tokens (RFC 6901), unescaped."""
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]] if pointer else []


def _at(data: Any, pointer: str) -> Any:
    """The value the YAML holds at `pointer` (as written: the loader's data), else _MISSING."""
    node = data
    for part in _parts(pointer):
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                return _MISSING
            node = node[int(part)]
        elif isinstance(node, dict):
            key = next((key for key in node if str(key) == part), _MISSING)
            if key is _MISSING:
                return _MISSING
            node = node[key]
        else:
            return _MISSING
    return node


def _written(value: object) -> str:
    """A YAML value as the text it was written as (the loader keeps a number's digits)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _holds(held: object, printed: tuple[str, ...], parts: list[str]) -> bool:
    """Whether the YAML value `held` is what the import gives for cells that print `printed`,
    in the forms the import writes: the text as printed; a range's texts joined by `-` (款-項-
    目); a ★ name without its ★; a column key made of its header's labels (the import's key of
    the cell's label within it: NFKC, no spaces, `/` as `_`);
    a number read the same by `parse_cell` on both sides (1,234 and 1234; not 27.0 and 27);
    a 動向 count, the digits of 2件."""
    from checker.importer.tables import line_key  # the import's own key of a label
    from checker.values import CellError, Number, parse_cell

    if held is _MISSING:
        return False
    text = "-".join(printed) if len(printed) > 1 else printed[0] if printed else ""
    written = _written(held)
    if text.strip() == written.strip():
        return True
    field = parts[-1] if parts else ""
    if field == "name" and text.startswith("★") and text[1:].strip() == written:
        return True
    if field == "key" and (label := line_key(text)) and label in line_key(written):
        return True  # a key is made of its header's labels (a year's over its columns': 令和3年度計画値)
    try:
        stated, holding = parse_cell(text), parse_cell(held)
    except CellError:
        return False
    if not isinstance(stated, Number) or not isinstance(holding, Number):
        return False
    if len(parts) >= 2 and parts[-2] == "outlook_counts":
        return stated.value == holding.value
    return replace(stated, text="") == replace(holding, text="")


def _not_the_original(path: Path, output: str | None) -> None:
    """Refuse an output that is the workbook itself (by name, through a link, or a hard link)."""
    if output is None:
        return
    same = os.path.realpath(output) == os.path.realpath(path)
    if not same:
        try:
            same = os.path.samefile(output, path)
        except OSError:
            same = False
    if same:
        raise ReportRefused(Text(f"{output} は取り込み元のブックです: 元のブックには書き込みません（-o に別のファイルを指定してください）",
                                 f"{output} is the workbook imported: the original is never written (give -o another file)"))


def _lost(raw: bytes, path: Path) -> list[Text]:
    """The run's note on what the copy lacks: openpyxl drops shapes (text boxes, arrows),
    macros, slicers, form controls, threaded comments, images without Pillow, and every
    formula's cached value (the copy is recalculated when opened); which of them this
    workbook holds."""
    import importlib.util
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(raw))
    names = archive.namelist()
    held = [text for prefix, text in LOST if any(name.startswith(prefix) for name in names)]
    drawings = [name for name in names if name.startswith("xl/drawings/") and name.endswith(".xml")
                and "/_rels/" not in name]
    if any(re.search(rb"<(?:xdr:)?(?:sp|cxnSp)[ >]", archive.read(name)[:MAX_DRAWING_BYTES]) for name in drawings):
        held.insert(0, Text("図形（テキストボックス・矢印など）", "shapes (text boxes, arrows)"))
    if any(name.startswith("xl/media/") for name in names) and importlib.util.find_spec("PIL") is None:
        held.append(Text("画像（Pillow がないため）", "images (Pillow is not installed)"))
    notes = [Text(f"写しは openpyxl で保存しています: 数式の計算済みの値は残らず、開いたときに再計算されます。{path.name} は書き換えていません",
                  f"the copy is saved by openpyxl: the formulas' cached values are not kept (it is recalculated when "
                  f"opened); {path.name} is not written")]
    if held:
        ja = "、".join(text.ja for text in held)
        en = ", ".join(text.en for text in held)
        notes.append(Text(f"写しには {path.name} の{ja}がありません（openpyxl は保存時に落とします）。元のブックにはそのまま残っています",
                          f"the copy lacks {path.name}'s {en} (openpyxl drops them on saving); the original keeps them"))
    if any(name.startswith("xl/charts/") for name in names):
        notes.append(Text(f"{path.name} のグラフは openpyxl が読み直して書いたもので、書式の一部が失われることがあります",
                          f"{path.name}'s charts are read and written again by openpyxl: some of their formatting may "
                          "be lost"))
    return notes
