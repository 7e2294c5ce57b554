"""What `plancheck import` reports about a workbook: its own codes (IMP001-IMP012), outside
the ruleset.

They are diagnostics of the import, not rules over plan data: their input is a workbook,
which the checker never sees (it checks the YAML the import writes), so they cannot be
selected, suppressed by a comment in a plan, or documented by a plan file as the rules'
bad/good examples are. Each is documented here in both languages with a bad and a good
workbook, written as its sheet's cells (`tests/test_import.py` builds and imports each:
the bad one must report the code, the good one must not).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from checker.diagnostics import Severity, Text

# A documented example: sheet name -> rows of cells (None empty; "=..." a formula, whose
# cached value follows it as "=SUM(F5:F7)|46371", or has none); `hidden` rows by number.
Example = dict[str, Any]


@dataclass(frozen=True)
class ProblemKind:
    code: str
    name: str
    severity: Severity
    message: Text  # with {placeholders}
    help: Text
    what: Text
    why: Text
    bad: Example = field(default_factory=dict)
    good: Example = field(default_factory=dict)


def _list(*rows: Any, hidden: tuple[int, ...] = (), formats: dict[str, str] | None = None) -> Example:
    return {"sheet": "関連事務事業一覧", "rows": list(rows), "hidden": hidden, "formats": formats or {}}


def _people(*rates: list[Any]) -> Example:
    """A statistics table (男, 女, 合計 by =SUM) with its ratio rows, for the formula problems."""
    return {"sheet": "人口", "rows": [["区分", "令和2年", "令和3年"], ["男", 60000, 60100], ["女", 61167, 61200],
                                    ["合計", "=SUM(B2:B3)|121167", "=SUM(C2:C3)|121300"], *rates],
            "hidden": (), "formats": {}}


_MALE_SHARE = ["男の割合", "=ROUND(B2/B4*100,1)|49.5", "=ROUND(C2/C4*100,1)|49.5"]
_FEMALE_SHARE = ["女の割合", "=ROUND(B3/B4*100,1)|50.5", "=ROUND(C3/C4*100,1)|50.5"]


_HEADER: list[list[Any]] = [["関連事務事業一覧", None, None, None, None, "（単位：千円）"],
           ["No", "事務事業名", "担当課", "予算科目", "コード", "令和4年度事業費"]]
_ITEMS: list[list[Any]] = [[1, "男女共同参画推進事業", "市民協働・男女参画推進課", "2-1-9", "020110", 19],
          [2, "女性のための相談事業", "市民協働・男女参画推進課", "2-1-9", "020111", 2377]]

KINDS: dict[str, ProblemKind] = {kind.code: kind for kind in (
    ProblemKind(
        "IMP001", "formula-without-cached-value", Severity.ERROR,
        Text("{cell} の数式 {formula} に計算済みの値がありません（ブックが再計算されていません）",
             "the formula {formula} in {cell} has no cached value (the workbook was never recalculated)"),
        Text("Excel か LibreOffice でブックを開いて再計算し、保存してから取り込み直してください。",
             "Open the workbook in Excel or LibreOffice, let it recalculate, save it and import it again."),
        Text("数式のセルに、最後に計算した値が保存されていないこと。",
             "A formula cell without the value it was last calculated to."),
        Text("plancheck は数式を計算しません（ブックの数式は信頼できない入力です）。保存された値がなければ、"
             "印刷される値は分からないため、空欄として取り込み、その旨を報告します。",
             "plancheck never evaluates a formula (a workbook's formulas are untrusted input). Without the cached "
             "value, what the sheet prints is unknown: the cell is imported blank, and this says so."),
        bad=_list(*_HEADER, *_ITEMS, [None, "合計", None, None, None, "=SUM(F3:F4)"]),
        good=_list(*_HEADER, *_ITEMS, [None, "合計", None, None, None, "=SUM(F3:F4)|2396"]),
    ),
    ProblemKind(
        "IMP002", "total-formula-leaves-out-rows", Severity.ERROR,
        Text("{cell} の合計の数式 {formula} は、表の行 {items} のうち {missing} を含みません",
             "the total's formula {formula} in {cell} leaves out {missing} of the table's rows {items}"),
        Text("合計の数式の範囲を表のすべての行に広げてください（行を挿入したときに範囲が広がらなかった可能性があります）。",
             "Widen the formula's range to every row of the table (a row inserted at its edge was left out)."),
        Text("合計行の SUM の範囲が、表の項目の行をすべては含んでいないこと。",
             "A 合計 row's SUM whose range does not cover every item row of the table."),
        Text("表の端に行を挿入すると、SUM の範囲は広がりません。合計は内訳と一致して見えても、一行分ずれています: "
             "合計が内訳からずれる典型的な経路です。",
             "Inserting a row at the edge of a table does not widen its SUM: the 合計 silently leaves the new row out. "
             "It is the classic way a 合計 drifts from its items."),
        bad=_list(*_HEADER, *_ITEMS, [None, "合計", None, None, None, "=SUM(F3:F3)|19"]),
        good=_list(*_HEADER, *_ITEMS, [None, "合計", None, None, None, "=SUM(F3:F4)|2396"]),
    ),
    ProblemKind(
        "IMP003", "number-format-not-rendered", Severity.WARNING,
        Text("{cell} の表示形式 {format} は対応していないため、値を標準の形式（{text}）で読みました",
             "the number format {format} of {cell} is not one plancheck renders: the value is read as {text}"),
        Text("印刷どおりの値か確かめてください。よく使う表示形式（#,##0、0.0%、\"△\"#,##0）にすると確実です。",
             "Check that the value is the one printed; a common format (#,##0, 0.0%, \"△\"#,##0) is read exactly."),
        Text("plancheck が適用できない表示形式（条件つき [<100]、指数、分数、[DBNum1]）のセル。",
             "A cell whose number format plancheck cannot apply (a condition [<100], an exponent, a fraction, "
             "[DBNum1])."),
        Text("値は印刷どおりに読む約束です。適用できない書式を推測せず、値そのものを読んだことを知らせます。",
             "Values are read as printed; a format that cannot be applied is not guessed at, and the value read "
             "instead is said."),
        bad=_list(*_HEADER, [1, "男女共同参画推進事業", "市民協働・男女参画推進課", "2-1-9", "020110", 19],
                  formats={"F3": "[<100]0;#,##0"}),
        good=_list(*_HEADER, [1, "男女共同参画推進事業", "市民協働・男女参画推進課", "2-1-9", "020110", 19],
                   formats={"F3": "#,##0"}),
    ),
    ProblemKind(
        "IMP004", "layout-not-recognised", Severity.ERROR,
        Text("{sheet} の表の形を判別できません: {reason}", "the layout of {sheet} is not recognised: {reason}"),
        Text("判別する形（docs/import.md の「判別する形」）に合わせるか、対応づけファイル（--mapping、docs/import.md の"
             "「対応づけファイル」、plancheck import --mapping-schema）で見出しの行と列を指定してください。",
             "Match a recognised layout (docs/import.md, Layouts recognised), or say which rows and columns are which "
             "in a mapping file (--mapping: docs/import.md, Mapping file; plancheck import --mapping-schema)."),
        Text("どの既知の形（関連事務事業一覧、指標、統計表と表の種類）にも当てはまらないシート。",
             "A sheet that matches none of the recognised layouts (関連事務事業一覧, indicators, a statistics table and "
             "its kinds)."),
        Text("見出しを推測して取り込むと、値が別の項目になりかねません。判別できないものは取り込まず、理由を示します。",
             "A guess at the headers could put a value under the wrong field; what is not recognised is not imported, "
             "and why is said."),
        bad={"sheet": "メモ", "rows": [["備考"], ["来年度に見直し"]], "hidden": (), "formats": {}},
        good=_list(*_HEADER, *_ITEMS),
    ),
    ProblemKind(
        "IMP005", "workbook-refused", Severity.ERROR,
        Text("{file} を取り込みません: {reason}", "{file} is not imported: {reason}"),
        Text("ブックを確かめてください（大きさ、形式、破損）。", "Check the workbook (its size, format, damage)."),
        Text("読めない、大きすぎる、または zip 爆弾のブック。", "A workbook that cannot be read, is too large, or is a zip bomb."),
        Text("ブックは信頼できない入力です。展開後の大きさを開く前に確かめ、上限を超えるものは読みません。",
             "A workbook is untrusted input: its expanded size is checked before it is opened, and one beyond the "
             "bounds is not read."),
    ),
    ProblemKind(
        "IMP006", "external-link-not-followed", Severity.WARNING,
        Text("{file} は他のブックへのリンクを {count} 件含みます: リンク先は開かず、保存された値を使いました",
             "{file} links to {count} other workbook(s): the links are not followed, the cached values are used"),
        Text("リンク先が更新されていれば、元のブックでリンクを更新して保存してから取り込んでください。",
             "If the linked workbooks changed, update the links in the workbook, save it, and import it again."),
        Text("他のブックを参照する数式（外部リンク）を含むブック。", "A workbook with formulas referring to other workbooks."),
        Text("リンク先を開くことは、信頼できないブックが選んだファイルを読むことです。plancheck は開きません。",
             "Following a link would read a file the untrusted workbook chose; plancheck does not."),
    ),
    ProblemKind(
        "IMP008", "number-formats-not-read", Severity.WARNING,
        Text("{file} の表示形式は読めないため（{reader}）、数値を値そのもので読みました（△1,234 は -1234 として）",
             "the number formats of {file} are not available ({reader}): numbers are read as their values "
             "(△1,234 as -1234)"),
        Text("印刷どおりの表記（桁区切り、△、小数の桁）で取り込むには、xlsx で保存して取り込んでください。",
             "To import the values as printed (separators, △, the decimals shown), save the workbook as xlsx."),
        Text("表示形式を読めない形式（xls、ods、xlsb）のブック。",
             "A workbook in a format whose number formats are not read (xls, ods, xlsb)."),
        Text("値の意味は変わりませんが、記載の精度（75.40 と 75.4）は表示形式で決まります。そのことを黙って済ませません。",
             "The values mean the same, but a stated precision (75.40 against 75.4) comes from the format; that it "
             "is not known is said, not passed over."),
    ),
    ProblemKind(
        "IMP009", "mapping-file-invalid", Severity.ERROR,
        Text("対応づけファイル {file} を使えません: {reason}", "the mapping file {file} cannot be used: {reason}"),
        Text("docs/import.md の例と plancheck import --mapping-schema の JSON Schema に合わせてください。",
             "Follow the example in docs/import.md and the JSON Schema of plancheck import --mapping-schema."),
        Text("読めない、または形式に合わない対応づけファイル、あるいはブックにないシートを指す対応づけファイル。",
             "A mapping file that cannot be read, does not follow its schema, or names a sheet the workbook lacks."),
        Text("対応づけが誤っていれば、値が別の項目として取り込まれます。使う前に確かめ、問題は項目名とともに示します。",
             "A wrong mapping would import values as the wrong fields: it is checked before use, and a problem named "
             "by its field."),
    ),
    ProblemKind(
        "IMP007", "hidden-row-imported", Severity.WARNING,
        Text("{cell} の行 {row} は非表示ですが、表の一部として取り込みました（印刷には出ません）",
             "row {row} ({cell}) is hidden but part of the table: imported (it is not printed)"),
        Text("公表する表に含めるべき行か確かめてください。含めないなら行を削除し、合計も直してください。",
             "Check whether the row belongs to the published table; if not, delete it and correct the total."),
        Text("表の範囲内にある非表示の行。", "A hidden row inside a table."),
        Text("合計の数式は非表示の行も足しますが、印刷された表には出ません。印刷された表の読者には、合計が内訳と"
             "合わなく見えます。",
             "A SUM adds hidden rows, but the printed table does not show them: to its readers, the 合計 does not add "
             "up."),
        bad=_list(*_HEADER, *_ITEMS, hidden=(4,)),
        good=_list(*_HEADER, *_ITEMS),
    ),
    ProblemKind(
        "IMP010", "formula-not-read-as-relation", Severity.WARNING,
        Text("{cell} の数式 {formula} は表の関係として読めません（{reason}）: 計算済みの値だけを取り込みました",
             "the formula {formula} in {cell} is not read as a relation of the table ({reason}): only its cached "
             "value is imported"),
        Text("値が正しいか確かめてください。関係を検査させるには、YAML の relations: に書き足してください"
             "（docs/plan-format.md）。",
             "Check the value; to have the relation checked, add it to the table's relations: in the YAML "
             "(docs/plan-format.md)."),
        Text("表の行・列の関係（セル ÷ セル × 定数、合計、差）として読めない数式のセル。",
             "A formula cell whose formula is not a relation between the table's lines (a cell over a cell times a "
             "constant, a sum, a difference)."),
        Text("数式は計算しません（信頼できない入力です）。読める形の数式は関係として宣言し、上書きされた値も検査します"
             "が、読めない形を推測で関係にはしません。検査されない値があることを黙って済ませません。",
             "Formulas are never evaluated (they are untrusted input). One of a recognised shape becomes a declared "
             "relation, so that a value typed over it is checked; one of any other shape is not guessed at, and that "
             "its value is unchecked is said."),
        bad=_people(["男の割合", "=VLOOKUP(B2,B2:C3,1)|60000", 49.5]),
        good=_people(_MALE_SHARE),
    ),
    ProblemKind(
        "IMP011", "formulas-of-a-line-disagree", Severity.WARNING,
        Text("{line} の数式が列・行ごとに違う計算をしています（{cell} ほか、{count} 通り多い）: 関係として宣言しませんでした",
             "the formulas of {line} compute different things ({cell} and others, {count} more than one): no "
             "relation is declared"),
        Text("同じ行・列の数式をそろえるか、成り立つ関係を YAML の relations: に書いてください。",
             "Make the line's formulas the same, or write the relation that holds in the table's relations: in the "
             "YAML."),
        Text("同じ行（または列）の数式が、セルによって別の行・列や別の倍率を使っていること。",
             "A row (or column) whose formulas use other lines or another scale from cell to cell."),
        Text("一つの行が一つの関係を表すとき、数式はどの列でも同じ形です。形が違えばどれが正しいか分からないため、"
             "関係を推測しません。",
             "A line that states one relation has the same formula in every cell; when they differ, which one is "
             "meant is unknown, and no relation is guessed."),
        bad=_people(["男の割合", "=ROUND(B2/B4*100,1)|49.5", "=ROUND(C3/C4*100,1)|50.5"]),
        good=_people(_MALE_SHARE),
    ),
    ProblemKind(
        "IMP012", "number-typed-over-formula", Severity.WARNING,
        Text("{cell} は数式の行・列 {line} の中で数値（{value}）が直接入力されています: 数式から読んだ関係で検査します",
             "{cell} holds a number ({value}) typed among the formulas of {line}: it is checked by the relation read "
             "from them"),
        Text("数式を上書きしたのでなければ問題ありません。上書きしたなら数式に戻してください。",
             "If the formula was not typed over on purpose, put the formula back."),
        Text("ほかのセルが数式である行・列に、数式でなく数値が入力されたセル。",
             "A cell holding a typed number in a row or column whose other cells are formulas."),
        Text("数式を値で上書きすると、元の数値が変わっても率や合計が変わらず、表が合わなくなります。典型的な誤りの"
             "経路なので、検査の結果とは別に、どのセルかを示します。",
             "A formula typed over with a number no longer follows its inputs: the classic way a rate or a total "
             "drifts. Which cell it is is said, beside what the check finds."),
        bad=_people(["男の割合", "=ROUND(B2/B4*100,1)|49.5", 49.5], _FEMALE_SHARE),
        good=_people(_MALE_SHARE, _FEMALE_SHARE),
    ),
)}


@dataclass(frozen=True)
class ImportProblem:
    """One import diagnostic: its kind's code, where (the cell, `Sheet!A1`, or None for the
    whole file), and the message's arguments."""

    code: str
    cell: str | None
    args: dict[str, Any]

    @property
    def kind(self) -> ProblemKind:
        return KINDS[self.code]

    def message(self, lang: str) -> str:
        values = {key: value.render(lang) if isinstance(value, Text) else str(value) for key, value in self.args.items()}
        return self.kind.message.render(lang).format_map({**values, "cell": self.cell or ""})

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.kind.name, "severity": self.kind.severity.label, "cell": self.cell,
                "message": {lang: self.message(lang) for lang in ("ja", "en")},
                "help": {"ja": self.kind.help.ja, "en": self.kind.help.en}}
