"""The workbook lint (WB001-WB020): how machine-readable a workbook is, at the cell.

The rules are those 総務省 asks statistics tables to follow (「統計表における機械判読可能な
データの表記方法の統一ルール」, 2020: one datum per cell, numbers as numbers, no merged
cells, no spaces or line breaks for layout, no omitted item names, no objects, the unit
stated, no 機種依存文字, 西暦 (or 和暦 with 西暦), data not split, one table per sheet) and
two it implies for a published table (nothing hidden, notes outside the data). Their input
is a workbook, so they belong with the import's own problems (`checker/importer/problems.py`):
same `ProblemKind` documentation, same `ImportProblem`, reported by `plancheck import` beside
IMP001-IMP009 (off with `--no-lint`) or alone by `plancheck import --lint-only`; a YAML plan
never gets them. Most are warnings or information: they say the table is hard for a machine to
read, not that a number is wrong.

The lint finds each sheet's tables first (`tables`): a block of rows without an empty row,
whose header is the rows above its first row of numbers that hold two cells or more (a title
and the unit line above it are not header), and whose data rows run to its last row of numbers.
Checks of content (spaces, line breaks, characters, years) look at every cell; checks of
layout (merged cells, numbers as text, notes, formulas) at the data rows.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.diagnostics import Severity, Text
from checker.importer.problems import Example, ImportProblem, ProblemKind
from checker.importer.workbook import CellData, Sheet, Workbook, WorkbookError, address, column_number, open_workbook

# --- the documented examples ------------------------------------------------------------------
# An example is the import's (`problems.Example`), with what a lint needs besides: merged
# ranges, hidden columns (letters), a hidden sheet, a chart.


def _sheet(*rows: Any, sheet: str = "歳出予算", **extra: Any) -> Example:
    return {"sheet": sheet, "rows": list(rows), "hidden": extra.pop("hidden", ()), "formats": extra.pop("formats", {}),
            **extra}


_TITLE = ["令和5年度（2023年度） 一般会計歳出予算（款別）"]
_UNIT = [None, None, "（単位：千円）"]
_HEAD = ["款", "本年度予算額", "前年度予算額"]
_ROWS: list[list[Any]] = [["議会費", 412345, 420011], ["総務費", 5123456, 4987654], ["民生費", 28765432, 27890123]]
_GOOD = _sheet(_TITLE, _UNIT, _HEAD, *_ROWS)


def _with(row: int, column: int, value: Any, base: Example = _GOOD, **extra: Any) -> Example:
    """`base` with the cell at (row, column), from 1, replaced."""
    rows = [list(r) for r in base["rows"]]
    while len(rows) < row:
        rows.append([])
    while len(rows[row - 1]) < column:
        rows[row - 1].append(None)
    rows[row - 1][column - 1] = value
    return {**base, "rows": rows, **extra}


def _k(code: str, name: str, severity: Severity, message: Text, help: Text, what: Text, why: Text,
       bad: Example | None = None, good: Example | None = None, item: str = "") -> ProblemKind:
    return ProblemKind(code, name, severity, message, help, what, why, bad or {}, good or {}, family="workbook", item=item)


WORKBOOK_KINDS: dict[str, ProblemKind] = {kind.code: kind for kind in (
    _k("WB001", "merged-cells-in-data", Severity.WARNING,
       Text("{cell} の結合セル {range} が表のデータの行にあります", "the merged range {range} ({cell}) is in the table's data rows"),
       Text("結合を解除し、値をそれぞれの行に入れてください（1行に1件）。",
        "Unmerge the range and put the value in each of its rows (one record per row)."),
       Text("表のデータの行にかかる結合セル。", "A merged range over the data rows of a table."),
       Text("結合セルの値は左上のセルにしかありません。並べ替えや絞り込み、機械での読み取りでは、ほかの行は空欄になり、"
        "その行がどの項目のものか分からなくなります（統一ルール チェック項目1-4）。",
        "A merged range holds its value in its top-left cell only: sorted, filtered or read by a program, its other "
        "rows are blank, and which item they belong to is lost (統一ルール check 1-4)."),
       bad=_sheet(_TITLE, _UNIT, ["款", "項", "本年度予算額"], ["総務費", "総務管理費", 4123456], [None, "徴税費", 1000000],
                  merged=["A4:A5"]),
       good=_sheet(_TITLE, _UNIT, ["款", "項", "本年度予算額"], ["総務費", "総務管理費", 4123456],
                   ["総務費", "徴税費", 1000000]),
       item="1-4"),
    _k("WB002", "merged-header-cells", Severity.INFO,
       Text("{cell} からの表の見出しや表題に結合セルが {count} 個あります（{ranges}）",
            "the header or title of the table at {cell} holds {count} merged range(s): {ranges}"),
       Text("見出しは1行にし、「人口（令和2年）」のように1つのセルに1つの項目名を書いてください。",
        "Put the header in one row, each column's full name in its own cell (人口（令和2年）)."),
       Text("表の見出しの行または表題にある結合セル（二段の見出しなど）。",
        "Merged cells in a table's header rows or title (a two-row header, a title spread over the columns)."),
       Text("二段の見出しは、人が読むには分かりやすくても、列の名前が1つのセルにありません。plancheck は結合を広げて読みますが、"
        "ほかの道具はそうしません（統一ルール チェック項目1-4）。",
        "A two-row header reads well, but no cell holds a column's name: plancheck spreads the merge to read it, other "
        "tools do not (統一ルール check 1-4)."),
       bad=_sheet(_TITLE, _UNIT, ["款", "予算額", None], [None, "本年度", "前年度"], *_ROWS, merged=["B3:C3", "A3:A4"]),
       good=_sheet(_TITLE, _UNIT, ["款", "予算額（本年度）", "予算額（前年度）"], *_ROWS),
       item="1-4"),
    _k("WB003", "number-stored-as-text", Severity.WARNING,
       Text("{cell} の {text} は数値ではなく文字列として入っています", "{text} in {cell} is stored as text, not as a number"),
       Text("セルを数値にしてください（Excel の緑の三角の「数値に変換する」、または表示形式で桁区切りや △ を付ける）。",
        "Make the cell a number (Excel's green triangle: Convert to Number; show separators and △ by the number "
        "format)."),
       Text("数値として読める文字列が入った、表のデータのセル（Excel が緑の三角を付けるもの）。",
        "A data cell holding text that reads as a number (what Excel marks with a green triangle)."),
       Text("文字列の数字は、SUM で足されず、並べ替えでは文字として並びます。合計が内訳と合わない原因になります"
        "（統一ルール チェック項目1-3）。plancheck は印字どおりに読みますが、ブックの数式は読めません。",
        "A number stored as text is left out of a SUM and sorts as text: a classic reason a 合計 does not add up "
        "(統一ルール check 1-3). plancheck reads it as printed, but the workbook's own formulas do not."),
       bad=_with(5, 2, "5,123,456"), good=_GOOD, item="1-3"),
    _k("WB004", "text-in-number-cell", Severity.WARNING,
       Text("{cell} の {text} は数値に文字（{extra}）が付いています", "{text} in {cell} is a number with text in the cell ({extra})"),
       Text("数値だけをセルに入れ、単位は見出しか単位行（（単位：千円））に、注記は欄外に書いてください。",
        "Put only the number in the cell: the unit in the header or the unit line ((単位：千円)), a note outside the "
        "table."),
       Text("単位（千円、人、%）や「約」「※」などの文字が数値と一緒に入った、表のデータのセル。",
        "A data cell holding a number with a unit (千円, 人, %) or a word or mark (約, ※) in the same cell."),
       Text("セルに文字が混じると、数値として計算も比較もできません（統一ルール チェック項目1-3）。",
        "With text in the cell, the number cannot be computed or compared (統一ルール check 1-3)."),
       bad=_with(4, 2, "412,345千円"), good=_GOOD, item="1-3"),
    _k("WB005", "several-values-in-cell", Severity.WARNING,
       Text("{cell} の {text} は1つのセルに2つの値があります", "{text} in {cell} holds two values in one cell"),
       Text("値ごとに列を分けてください（「実績」と「目標」、「人数」と「うち女性」など）。",
        "Give each value its own column (実績 and 目標, 人数 and うち女性)."),
       Text("「46/61」「100（50）」のように2つの数値が入った、表のデータのセル。",
        "A data cell holding two numbers, as 46/61 or 100（50）."),
       Text("1つのセルには1つのデータを入れるのが原則です（統一ルール チェック項目1-2）。2つ目の値はどの項目のものか、"
        "機械には分かりません。",
        "One cell holds one datum (統一ルール check 1-2): which item a second value belongs to, a program cannot "
        "tell."),
       bad=_sheet(_TITLE, _UNIT, ["款", "本年度予算額（うち一般財源）"], ["議会費", "412,345（400,000）"]),
       good=_sheet(_TITLE, _UNIT, ["款", "本年度予算額", "うち一般財源"], ["議会費", 412345, 400000]),
       item="1-2"),
    _k("WB006", "spaces-for-layout", Severity.WARNING,
       Text("{cell} の「{text}」は空白で体裁を整えています（{how}）", "{text!r} in {cell} uses spaces for layout ({how})"),
       Text("空白を取り除き、字の配置はセルの書式（均等割り付け、インデント）でしてください。",
        "Remove the spaces; align the text by the cell's format (distributed alignment, indent)."),
       Text("字と字の間の全角空白（「総　務　費」）、二つ以上続く空白、前後の空白を含むセル。",
        "A cell with a full-width space between characters (「総　務　費」), two or more spaces in a row, or a "
        "leading or trailing space."),
       Text("「総　務　費」と「総務費」は、機械には別の言葉です。検索も突き合わせもできません（統一ルール チェック項目1-5）。",
        "To a program 「総　務　費」 and 「総務費」 are different words: neither a search nor a join finds one from "
        "the other (統一ルール check 1-5)."),
       bad=_with(5, 1, "総　務　費"), good=_GOOD, item="1-5"),
    _k("WB007", "line-break-in-cell", Severity.WARNING,
       Text("{cell} の「{text}」はセルの中で改行しています", "{text!r} in {cell} breaks its line inside the cell"),
       Text("改行を取り除いてください。幅が足りなければ、列の幅か「折り返して全体を表示する」で調整してください。",
        "Remove the line break; if the column is too narrow, widen it or let the cell wrap its text."),
       Text("改行を含むセル（「令和4年度」改行「事業費」）。", "A cell whose text holds a line break (令和4年度, a line break, 事業費)."),
       Text("改行は見た目のためのもので、意味を持ちません。機械には項目名の一部になり、ほかの表と名前が合いません"
        "（統一ルール チェック項目1-5）。",
        "A line break is layout, not meaning: to a program it becomes part of the name, which then matches no other "
        "table's (統一ルール check 1-5)."),
       bad=_with(3, 2, "本年度\n予算額"), good=_GOOD, item="1-5"),
    _k("WB008", "item-name-omitted", Severity.WARNING,
       Text("{cell} の「{text}」は上の項目名を省略しています", "{text!r} in {cell} stands for the item name above"),
       Text("上と同じ項目名を書いてください。", "Write the item name in full, as above."),
       Text("「〃」「同上」「同左」だけのセル。", "A cell holding only 〃, 同上 or 同左 (ditto)."),
       Text("「〃」は人には「上と同じ」と読めても、機械には「〃」という名前です（統一ルール チェック項目1-6）。",
        "〃 reads as 'as above' to a person, and as the name 〃 to a program (統一ルール check 1-6)."),
       bad=_sheet(_TITLE, _UNIT, ["款", "項", "本年度予算額"], ["総務費", "総務管理費", 4123456], ["〃", "徴税費", 1000000]),
       good=_sheet(_TITLE, _UNIT, ["款", "項", "本年度予算額"], ["総務費", "総務管理費", 4123456],
                   ["総務費", "徴税費", 1000000]),
       item="1-6"),
    _k("WB009", "formulas-in-table", Severity.INFO,
       Text("表のデータに数式のセルが {count} 個あります（最初は {cell}）: 公表するデータは値にします",
        "{count} cell(s) of the table's data hold formulas (the first {cell}): published data is values"),
       Text("公表用のブックでは、数式を値に置き換えてください（コピーして「値の貼り付け」）。plancheck は保存された計算結果を読みます。",
        "In the workbook you publish, replace the formulas by their values (copy, paste values); plancheck reads the "
        "cached results."),
       Text("表のデータの行にある数式のセル。", "Formula cells in a table's data rows."),
       Text("数式の結果は、開く道具が再計算するかどうかで変わり、参照先が消えればエラーになります（統一ルール チェック項目1-7）。"
        "合計の数式の範囲のずれは IMP002 が見ます。",
        "What a formula shows depends on whether the tool opening it recalculates, and breaks when what it refers to is "
        "gone (統一ルール check 1-7). A 合計's range that leaves out rows is IMP002's."),
       bad=_sheet(_TITLE, _UNIT, _HEAD, *_ROWS, ["合計", "=SUM(B4:B6)|34301233", "=SUM(C4:C6)|33297788"]),
       good=_sheet(_TITLE, _UNIT, _HEAD, *_ROWS, ["合計", 34301233, 33297788]),
       item="1-7"),
    _k("WB010", "objects-on-sheet", Severity.INFO,
       Text("{cell} のシートに図やグラフが {count} 個あります", "the sheet of {cell} holds {count} picture(s) or chart(s)"),
       Text("図やグラフは別のシートかファイルにし、表のシートには表だけを置いてください。",
        "Move pictures and charts to another sheet or file; keep the table's sheet to the table."),
       Text("図やグラフを含むシート（openpyxl が読まない図形は数えません）。",
        "A sheet with pictures or charts (shapes openpyxl does not read are not counted)."),
       Text("図やグラフはセルの上に浮いていて、データとしては読めず、下の値を隠すことがあります（統一ルール チェック項目1-8）。",
        "A picture or chart floats over the cells: it is not data, and it can hide the values beneath it "
        "(統一ルール check 1-8)."),
       bad={**_GOOD, "chart": True}, good=_GOOD, item="1-8"),
    _k("WB011", "unit-not-stated", Severity.WARNING,
       Text("{cell} からの表には単位が書かれていません", "the table from {cell} states no unit"),
       Text("表の上に単位行（（単位：千円））を置くか、見出しに単位を書いてください（人口（人））。",
        "Put a unit line above the table ((単位：千円)), or the unit in each header (人口（人）)."),
       Text("数値の行があるのに、単位行も、単位を書いた見出しもない表。",
        "A table of numbers with neither a unit line nor a unit in its headers."),
       Text("412345 が円か千円かで、値は千倍違います。単位のない表の数値は比べられません（統一ルール チェック項目1-9）。",
        "412345 in 円 or in 千円 differ a thousandfold: the numbers of a table without its unit cannot be compared "
        "(統一ルール check 1-9)."),
       bad=_sheet(_TITLE, _HEAD, *_ROWS), good=_GOOD, item="1-9"),
    _k("WB012", "machine-dependent-character", Severity.WARNING,
       Text("{cell} の「{text}」に機種依存文字「{character}」があります（「{replacement}」と書けます）",
        "{text!r} in {cell} holds the machine-dependent character {character} (write {replacement})"),
       Text("機種依存文字を通常の文字に置き換えてください（① → 1、㈱ → (株)、㍻ → 平成、Ⅱ → II、㎡ → m2）。",
        "Replace the character by plain ones (① → 1, ㈱ → (株), ㍻ → 平成, Ⅱ → II, ㎡ → m2)."),
       Text("丸数字、ローマ数字、㈱ などの括弧付きの字、㍻ ㌔ ㎡ などの組文字を含むセル。",
        "A cell with a circled number, a Roman numeral, a parenthesised ideograph (㈱) or a squared word (㍻, ㌔, ㎡)."),
       Text("これらの字は、文字コードや環境によって別の字に化けたり、検索で見つからなかったりします"
        "（統一ルール チェック項目1-10）。",
        "These characters turn into others under another encoding or system, and a search for the plain word misses "
        "them (統一ルール check 1-10)."),
       bad=_with(4, 1, "①議会費"), good=_GOOD, item="1-10"),
    _k("WB013", "era-year-without-western", Severity.INFO,
       Text("{cell} の「{text}」は和暦だけで、西暦がありません", "{text!r} in {cell} gives the 和暦 year without the western year"),
       Text("西暦で書くか、和暦に西暦を添えてください（令和4年度（2022年度））。",
        "Write the western year, or add it to the 和暦 (令和4年度（2022年度）)."),
       Text("和暦の年（令和4年度、R4、平成31年）だけを書いたセル。", "A cell with a 和暦 year (令和4年度, R4, 平成31年) and no western year."),
       Text("和暦は改元で続かず、機械では年の計算も並べ替えもできません（統一ルール チェック項目1-11）。"
        "plancheck 自身は和暦を読み、表示も和暦でします。",
        "An era year breaks at each change of era, and a program can neither compute nor sort with it (統一ルール "
        "check 1-11). plancheck itself reads era years, and shows years that way."),
       bad=_with(3, 2, "令和5年度予算額", _with(3, 3, "令和4年度予算額")),
       good=_with(3, 2, "2023年度予算額", _with(3, 3, "令和4年度（2022年度）予算額")),
       item="1-11"),
    _k("WB014", "several-tables-on-sheet", Severity.WARNING,
       Text("{cell} から、このシートの {count} つ目の表が始まります", "a table starts at {cell}: table {count} of the sheet"),
       Text("表ごとにシートを分けてください。", "Give each table its own sheet."),
       Text("空行で区切られ、それぞれに見出しがある、2つ以上の表を持つシート。",
        "A sheet holding two tables or more, apart by empty rows, each with its own header."),
       Text("1シートに1つの表なら、シートの範囲がそのまま表です。表が並ぶと、どこからどこまでが1つの表かを機械が推測する"
        "ことになります（統一ルール チェック項目1-14）。",
        "With one table per sheet the sheet is the table; with several, a program has to guess where each begins "
        "and ends (統一ルール check 1-14)."),
       bad=_sheet(_TITLE, _UNIT, _HEAD, *_ROWS, [], ["款", "決算額"], ["議会費", 401234]), good=_GOOD, item="1-14"),
    _k("WB015", "note-inside-table", Severity.WARNING,
       Text("{cell} の注記「{text}」が表のデータの中にあります", "the note {text!r} in {cell} is inside the table's data"),
       Text("注記は表の下（空行をはさんで）か別のシートに書き、データのセルには値だけを入れてください。",
        "Put notes below the table, after an empty row, or on another sheet; keep the data cells to values."),
       Text("表のデータの行にある「※」「注」「出典」「資料」で始まるセル。",
        "A cell starting with ※, 注, 出典 or 資料 in the data rows of a table."),
       Text("データの中の注記は、機械には1件のデータか項目名に見えます（統一ルール: 注釈は表の外に）。",
        "A note among the data reads to a program as a record or an item name (統一ルール: notes go outside the "
        "table)."),
       bad=_sheet(_TITLE, _UNIT, _HEAD, _ROWS[0], ["※議会費は改選の年のため増"], *_ROWS[1:]),
       good=_sheet(_TITLE, _UNIT, _HEAD, *_ROWS, [], ["※議会費は改選の年のため増"])),
    _k("WB016", "hidden-row", Severity.WARNING,
       Text("{cell} の行 {row} は非表示です", "row {row} ({cell}) is hidden"),
       Text("公表するブックでは非表示の行をなくしてください（必要なら削除し、不要なら表示する）。",
        "In a workbook you publish, leave no row hidden: delete it if it does not belong, show it if it does."),
       Text("値のある非表示の行（取り込んだ表の中の行は IMP007 が述べます）。",
        "A hidden row holding values (one inside a table the import read is IMP007's)."),
       Text("非表示の行は印刷にも画面にも出ませんが、機械は読み、数式は足します。人と機械が別の表を見ることになります。",
        "A hidden row is neither printed nor shown, but a program reads it and a SUM adds it: people and programs see "
        "different tables."),
       bad=_sheet(_TITLE, _UNIT, _HEAD, *_ROWS, ["予備費（旧）", 1000, 1000], hidden=(7,)), good=_GOOD, item=""),
    _k("WB017", "hidden-column", Severity.WARNING,
       Text("{cell} の列 {column} は非表示です", "column {column} ({cell}) is hidden"),
       Text("公表するブックでは非表示の列をなくしてください（必要なら削除し、不要なら表示する）。",
        "In a workbook you publish, leave no column hidden: delete it if it does not belong, show it if it does."),
       Text("値のある非表示の列。", "A hidden column holding values."),
       Text("非表示の列は印刷にも画面にも出ませんが、機械は読みます。作業用の列や古い年度の列が、知られないまま公表されます。",
        "A hidden column is neither printed nor shown, but a program reads it: a working column or an old year's "
        "is published unseen."),
       bad=_sheet(_TITLE, _UNIT, ["款", "本年度予算額", "前年度予算額", "査定額"],
                  *[[*row, int(row[1]) - 1000] for row in _ROWS], hidden_columns=["D"]),
       good=_GOOD),
    _k("WB018", "hidden-sheet", Severity.INFO,
       Text("シート {sheet} は非表示です", "the sheet {sheet} is hidden"),
       Text("公表するブックでは非表示のシートを削除するか、表示してください。",
        "In a workbook you publish, delete a hidden sheet or show it."),
       Text("非表示のシート。", "A hidden sheet."),
       Text("非表示のシートは開いた人には見えませんが、ファイルには含まれ、機械は読みます。",
        "A hidden sheet is not seen by whoever opens the workbook, but it is in the file, and a program reads it."),
       bad={**_GOOD, "sheet_state": "hidden"}, good=_GOOD),
    _k("WB019", "table-split", Severity.WARNING,
       Text("{cell} からの行は、空行で区切られた上の表の続きです", "the rows from {cell} continue the table above, past an empty row"),
       Text("空行を削除し、表を1つの続いた範囲にしてください。", "Delete the empty row(s): keep the table one unbroken range."),
       Text("見出しのない数値の行が、空行をはさんで表の下に続くこと（合計だけを離して置くなど）。",
        "Rows of numbers without a header of their own below a table, past an empty row (a 合計 set apart)."),
       Text("機械は空行で表が終わると読みます。離れた行は表の外になり、合計は内訳から切り離されます"
        "（統一ルール チェック項目1-13）。",
        "A program reads an empty row as the table's end: the rows past it fall outside the table, and a 合計 set "
        "apart loses its items (統一ルール check 1-13)."),
       bad=_sheet(_TITLE, _UNIT, _HEAD, *_ROWS, [], ["合計", 34301233, 33297788]),
       good=_sheet(_TITLE, _UNIT, _HEAD, *_ROWS, ["合計", 34301233, 33297788]), item="1-13"),
    _k("WB020", "workbook-lint-partial", Severity.INFO,
       Text("{file} は {reader} で読んだため、結合セル、非表示の行と列、図、数値の型は確かめていません",
        "{file} was read by {reader}: merged cells, hidden rows and columns, objects and the cells' types are not "
        "checked"),
       Text("すべてを確かめるには、xlsx で保存して確かめ直してください。",
        "To check all of it, save the workbook as xlsx and lint it again."),
       Text("結合や非表示を伝えない形式（xls、ods、xlsb、CSV）のブック。",
        "A workbook in a format whose reader gives no merges, hidden rows or columns (xls, ods, xlsb, CSV)."),
       Text("確かめられないことを、問題なしとは言いません。", "What cannot be checked is said, not passed as clean."),
       item=""),
)}

# --- what the cells say ---------------------------------------------------------------------

# The characters 統一ルール calls 機種依存文字: enclosed alphanumerics (①, ⑴, ⒈, Ⓐ), Roman numerals
# (Ⅱ, ⅲ), parenthesised and circled ideographs (㈱, ㊤), the squared words and units (㍻, ㌔, ㎡),
# №, ℡. Each is shown with what NFKC makes of it (① → 1, ㈱ → (株), ㍻ → 平成).
MACHINE_DEPENDENT = re.compile("[\u2116\u2121\u2160-\u217f\u2460-\u24ff\u2776-\u2793\u3220-\u3243\u3280-\u33ff]")
_ERA_WORD = re.compile(r"(?:令和|平成|昭和|大正)\s*(?:元|[0-9０-９]{1,2})\s*年")
_ERA_INITIAL = re.compile(r"^[RHSＲＨＳ]\s*\.?\s*[0-9０-９]{1,2}(?:年度?)?$")
_WESTERN = re.compile(r"(?:19|20|21)[0-9]{2}|(?:１９|２０|２１)[０-９]{2}")
_DITTO = {"〃", "″", "”", "同上", "同左", "々", "仝"}
_NOTE = re.compile(r"^\s*(?:※|\*|＊|[（(]?注[）)0-9０-９:：\s]|注記|出典|資料[:：]|備考[:：])")
_UNIT_WORD = re.compile(r"単位")
_PARENTHESISED = re.compile(r"[（(]([^（）()]{1,8})[）)]\s*$")


@dataclass
class Table:
    """A table found on a sheet: its header rows and data rows (from 1), its columns."""

    first_row: int  # the block's first row (a title, the unit line)
    header: list[int]
    data: list[int]  # first to last row of numbers
    first_column: int
    last_column: int
    numeric_columns: set[int]


def _is_number(cell: CellData, typed: bool) -> bool:
    if isinstance(cell.value, bool):
        return False
    if isinstance(cell.value, (int, float)):
        return True
    return cell.stored_as_text or (not typed and _reading(cell.text)[0] == "number")


def _reading(text: str) -> tuple[str, Any]:
    """How the value readers read a cell's text: ("number", Number), ("two", None) for two
    values in one, ("approximate", None), or ("text", None)."""
    from checker.values import CellError, Number, parse_cell

    if not text.strip() or not any(char.isdigit() for char in text):
        return "text", None
    try:
        read = parse_cell(text)
    except CellError as error:
        return {"two_numbers": "two", "approximate": "approximate"}.get(error.kind, "text"), None
    return ("number", read) if isinstance(read, Number) else ("text", None)


def _year_cell(cell: CellData) -> bool:
    """A header's year typed as a number (2021, 2022): not a row of data."""
    return isinstance(cell.value, int) and not isinstance(cell.value, bool) and 1900 <= cell.value <= 2100


def tables(sheet: Sheet, typed: bool = True) -> list[Table]:
    """The tables of a sheet, in order (see the module's docstring)."""
    rows: dict[int, dict[int, CellData]] = {}
    for (row, column), cell in sheet.cells.items():
        if cell.text.strip() or cell.formula:
            rows.setdefault(row, {})[column] = cell
    found: list[Table] = []
    block: list[int] = []
    for number in [*sorted(rows), 0]:  # 0: past the last row
        if block and number != block[-1] + 1:
            table = _table(block, rows, typed)
            if table is not None:
                found.append(table)
            block = []
        if number:
            block.append(number)
    return found


def _table(block: list[int], rows: dict[int, dict[int, CellData]], typed: bool) -> Table | None:
    def numbers(row: int) -> set[int]:
        return {column for column, cell in rows[row].items() if _is_number(cell, typed) and not _year_cell(cell)}

    numeric = [row for row in block if numbers(row)]
    if not numeric:
        return None
    above = [row for row in block if row < numeric[0]]
    starts = [row for row in above if len(rows[row]) >= 2]
    header = [row for row in above if row >= starts[0]] if starts else []
    data = [row for row in block if numeric[0] <= row <= numeric[-1]]
    columns = [column for row in header + data for column in rows[row]]
    return Table(block[0], header, data, min(columns), max(columns),
                 {column for row in data for column in numbers(row)})


def _range(bounds: tuple[int, int, int, int]) -> str:
    min_row, min_col, max_row, max_col = bounds
    return f"{address(min_row, min_col)}:{address(max_row, max_col)}"


def _shown(text: str, limit: int = 40) -> str:
    flat = text.replace("\r", "").replace("\n", "⏎")
    return flat if len(flat) <= limit else flat[:limit] + "…"


def _spaces(text: str) -> Text | None:
    if text != text.strip(" \u3000\t"):
        return Text("前後の空白", "a leading or trailing space")
    if "\u3000" in text.strip(" \u3000"):
        return Text("全角の空白", "a full-width space")
    if re.search(r"[ \t]{2,}", text):
        return Text("続いた空白", "spaces in a row")
    return None


def lint_book(book: Workbook, imported: dict[str, str] | None = None,
              hidden_rows_said: set[tuple[str, int]] | None = None) -> list[ImportProblem]:
    """Every WB finding of a workbook, sheet by sheet, in the order of the cells.

    `imported`: cell (`Sheet!A1`) -> the JSON Pointer of the YAML value it became, so that
    each finding at an imported value names it; `hidden_rows_said`: the rows IMP007 already
    reported (a hidden row inside an imported table), which WB016 does not repeat. Each cell
    is visited a bounded number of times (a hostile sheet's width or merges cost no more)."""
    imported = imported or {}
    hidden_rows_said = hidden_rows_said or set()
    typed = book.path.suffix.lower() != ".csv"
    found: list[ImportProblem] = []
    if not book.formats_read or not typed:
        found.append(ImportProblem("WB020", None, {"file": book.path.name, "reader": "python-calamine" if typed else
                                                   Text("CSV の読み取り", "the CSV reader")}))

    def add(code: str, sheet: Sheet, at_row: int, at_column: int, **args: Any) -> None:
        cell = f"{sheet.name}!{address(at_row, at_column)}"  # as the import names a cell (projects.py)
        placed.append(((at_row, at_column, code), ImportProblem(code, cell, args, pointer=imported.get(cell))))

    for sheet in book.sheets:
        placed: list[tuple[tuple[int, int, str], ImportProblem]] = []
        if sheet.hidden:
            found.append(ImportProblem("WB018", None, {"sheet": sheet.name}))
        by_row: dict[int, dict[int, CellData]] = {}
        for (row, column), cell in sheet.cells.items():
            by_row.setdefault(row, {})[column] = cell
        if sheet.drawings:
            add("WB010", sheet, 1, 1, count=sheet.drawings)
        linted: list[Table] = []
        previous: Table | None = None
        for table in tables(sheet, typed):
            if previous is not None and not table.header:
                # rows of numbers below a table, past an empty row: the table's own, split from it, or a
                # line of their own (the 動向 counts under a project list), which is no table
                if table.numeric_columns <= previous.numeric_columns:
                    add("WB019", sheet, table.data[0], table.first_column)
                    _lint_table(sheet, table, by_row, add, typed, unit=False)  # its cells are the table's
                continue
            if linted:
                add("WB014", sheet, table.header[0], table.first_column, count=len(linted) + 1)
            linted.append(table)
            _lint_table(sheet, table, by_row, add, typed)
            previous = table
        _lint_merged(sheet, linted, add)
        for (row, column), cell in sorted(sheet.cells.items()):
            _lint_text(sheet, row, column, cell, add)
        for row in sorted(sheet.hidden_rows):
            if by_row.get(row) and (sheet.name, row) not in hidden_rows_said:
                add("WB016", sheet, row, min(by_row[row]), row=row)
        first_rows: dict[int, int] = {}
        for row, column in sheet.cells:
            if column in sheet.hidden_columns:
                first_rows[column] = min(first_rows.get(column, row), row)
        for column, row in sorted(first_rows.items()):
            add("WB017", sheet, row, column, column=address(1, column)[:-1])
        found += [problem for _, problem in sorted(placed, key=lambda pair: pair[0])]
    return found


def _lint_merged(sheet: Sheet, linted: list[Table], add: Any) -> None:
    """WB001 for each merged range over a table's data rows, WB002 once a table for those in its
    header or title; each range looked up among the tables (apart in rows) by bisection."""
    from bisect import bisect_right

    starts = [table.first_row for table in linted]
    outside: dict[int, list[tuple[int, int, int, int]]] = {}
    for bounds in sorted(sheet.merged):
        min_row, min_col, max_row, max_col = bounds
        index = bisect_right(starts, max_row) - 1
        while index >= 0 and linted[index].data[-1] >= min_row:
            table = linted[index]
            if max_col >= table.first_column and min_col <= table.last_column:
                if min_row <= table.data[-1] and max_row >= table.data[0]:
                    add("WB001", sheet, min_row, min_col, range=_range(bounds))
                elif table.first_row <= min_row and max_row < table.data[0]:
                    outside.setdefault(index, []).append(bounds)
            index -= 1
    for ranges in outside.values():
        first = ranges[0]
        shown = ", ".join(_range(bounds) for bounds in ranges[:5]) + ("…" if len(ranges) > 5 else "")
        add("WB002", sheet, first[0], first[1], count=len(ranges), ranges=shown)


def _lint_table(sheet: Sheet, table: Table, by_row: dict[int, dict[int, CellData]], add: Any, typed: bool,
                unit: bool = True) -> None:
    top = table.header[0] if table.header else table.data[0]
    cells = [(row, column, cell) for row in table.data for column, cell in sorted(by_row.get(row, {}).items())
             if table.first_column <= column <= table.last_column]
    formulas = [(row, column) for row, column, cell in cells if cell.formula]
    if formulas:
        add("WB009", sheet, *formulas[0], count=len(formulas))
    if unit and not _unit_stated(table, by_row):
        add("WB011", sheet, top, table.first_column)
    code_columns: dict[int, bool] = {}
    for row, column, cell in cells:
        if not isinstance(cell.value, str):
            continue
        text = cell.text.strip()
        kind, read = _reading(text)
        if kind == "two" or (kind == "number" and read.measured is not None):
            add("WB005", sheet, row, column, text=_shown(text))
        elif kind == "approximate" or (kind == "number" and (read.unit or read.marks or read.provisional
                                                              or read.estimate)):
            stated = read.unit if kind == "number" else None
            add("WB004", sheet, row, column, text=_shown(text), extra=stated or Text("記号や語", "a mark or a word"))
        elif kind == "number" and typed and not re.fullmatch(r"0[0-9]+", text):
            if column not in code_columns:
                code_columns[column] = _code_column(sheet, table, column)
            if not code_columns[column]:
                add("WB003", sheet, row, column, text=_shown(text))
        elif _NOTE.match(text):
            add("WB015", sheet, row, column, text=_shown(text))


_CODE_HEADER = re.compile(r"コード|番号|[Cc]ode|ID|ＩＤ|^No\.?$|^№$|^NO$")


def _code_column(sheet: Sheet, table: Table, column: int) -> bool:
    """A column of codes or numbers that name (コード, 番号, No): text there is an identifier."""
    return any(_CODE_HEADER.search(sheet.header_text(row, column)) for row in table.header)


def _unit_stated(table: Table, by_row: dict[int, dict[int, CellData]]) -> bool:
    """A unit line (（単位：千円）, or a 単位 column) from three rows above the table to its end, or a
    header naming its unit in parentheses (人口（人）, 高齢化率（％）; not a year, not （款別））."""
    from checker.fiscal import FiscalYearError, parse_fiscal_year

    for row in range(max(1, table.first_row - 3), table.data[-1] + 1):
        for cell in by_row.get(row, {}).values():
            text = cell.text
            if _UNIT_WORD.search(text):
                return True
            if row in table.header:
                match = _PARENTHESISED.search(text.strip())
                if match and not match.group(1).strip().isdigit() and not match.group(1).endswith("別"):
                    try:
                        parse_fiscal_year(match.group(1))
                    except FiscalYearError:
                        return True
    return False


def _lint_text(sheet: Sheet, row: int, column: int, cell: CellData, add: Any) -> None:
    text = cell.value if isinstance(cell.value, str) else cell.text
    if not text.strip():
        return
    how = _spaces(text)
    if how is not None and isinstance(cell.value, str):
        add("WB006", sheet, row, column, text=_shown(text), how=how)
    if "\n" in text or "\r" in text:
        add("WB007", sheet, row, column, text=_shown(text))
    character = MACHINE_DEPENDENT.search(text)
    if character:
        add("WB012", sheet, row, column, text=_shown(text), character=character.group(),
            replacement=unicodedata.normalize("NFKC", character.group()))
    if (_ERA_WORD.search(text) or _ERA_INITIAL.match(text.strip())) and not _WESTERN.search(text):
        add("WB013", sheet, row, column, text=_shown(text))
    if text.strip() in _DITTO:
        add("WB008", sheet, row, column, text=text.strip())


def lint_workbook(path: Path) -> list[ImportProblem]:
    """`plancheck import --lint-only`: the WB findings of a file, and IMP005 when it is refused."""
    try:
        book = open_workbook(path)
    except WorkbookError as error:
        return [ImportProblem("IMP005", None, {"file": path.name, "reason": error.reason})]
    return lint_book(book)


def imported_cells(cells: dict[tuple[Any, ...], str]) -> dict[str, str]:
    """The import's provenance (model path -> `Sheet!A1` or a range) turned round: each single
    cell -> the JSON Pointer of the value it became (a range's cells, as 款 項 目, name the
    value of the range)."""
    from checker.loader import json_pointer

    found: dict[str, str] = {}
    for path, ref in cells.items():
        sheet, _, where = ref.rpartition("!")
        if ":" not in where:
            found.setdefault(ref, json_pointer(path))
            continue
        start, end = where.split(":", 1)
        (top, left), (bottom, right) = _parse_address(start), _parse_address(end)
        if (bottom - top + 1) * (right - left + 1) > 16:  # a whole list's range: its cells have their own
            continue
        for row in range(top, bottom + 1):
            for column in range(left, right + 1):
                found.setdefault(f"{sheet}!{address(row, column)}", json_pointer(path))
    return found


def _parse_address(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\$?([A-Z]{1,3})\$?([0-9]+)", text)
    if not match:
        return 0, 0
    return int(match.group(2)), column_number(match.group(1))


def with_positions(problems: list[ImportProblem], yaml_text: str, name: str) -> list[ImportProblem]:
    """Each problem at an imported value given its place in the YAML written (`name:line:col`),
    read from the YAML as the loader reads it (the cell map itself is not a value's place)."""
    from dataclasses import replace

    from checker.loader import LoadedFile, json_pointer, load_text

    wanted = [problem for problem in problems if problem.pointer is not None]
    if not wanted:
        return problems
    loaded = load_text(LoadedFile(path=Path(name), name=name), yaml_text)
    spans = {json_pointer(path): span for path, span in loaded.spans.items() if path and path[0] != "cells"}
    placed = []
    for problem in problems:
        span = spans.get(problem.pointer or "")
        placed.append(replace(problem, position=f"{name}:{span.line}:{span.column}") if span else problem)
    return placed


def docs_table() -> str:
    """The table of docs/import.md's "Workbook lint" section, made from the kinds above
    (tests/test_workbook_lint.py checks the page holds it as made here)."""
    lines = ["| code | name | severity | 統一ルール | what |", "|---|---|---|---|---|"]
    for kind in WORKBOOK_KINDS.values():
        item = kind.item or "—"
        lines.append(f"| {kind.code} | {kind.name} | {kind.severity.label} | {item} | {kind.what.en} {kind.what.ja} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # python -m checker.importer.lint: the table for docs/import.md
    import sys

    sys.stdout.write(docs_table())
