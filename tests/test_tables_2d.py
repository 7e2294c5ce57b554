"""Tables in two dimensions: relations along rows and along columns, lines at any depth of
the row and column trees, `only` / `skip`, and the one entry point (`evaluate_relation`)
that evaluates a relation declared in the data or built in code."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from checker.diagnostics import Checked, Finding, Location, NotApplicable, Text, Unchecked
from checker.functions import FUNCTIONS, Target, load_builtin_functions, select
from checker.functions.tables import FORMS, evaluate_relation, resolve_line
from checker.model import Relation
from tests.conftest import check_text, codes, load_plan_text
from tests.mutation import mutate_each_number

load_builtin_functions()

HEAD = "plan: {id: x, title: t, municipality: 小金井市, kind: statistics, source: {seed: a.txt}}\n"


def span_of(text: str, line_needle: str, printed: str) -> tuple[int, int]:
    """(line, column) of `printed` on the first line containing `line_needle`."""
    for number, line in enumerate(text.splitlines(), 1):
        if line_needle in line:
            return number, line.index(printed, line.index(line_needle)) + 1
    raise AssertionError(line_needle)


def run(text: str) -> list:
    loaded = load_plan_text(text)
    assert loaded.model is not None, loaded.findings
    spec = FUNCTIONS["table_relations"]
    return [item for target in select("tables", [loaded]) for item in spec.run(target, {})]


def findings(items: list) -> list[Finding]:
    return [item for item in items if isinstance(item, Finding)]


def records(items: list) -> list:
    return [item for item in items if not isinstance(item, Finding)]


def cell(*path) -> Location:
    return Location("plan.yaml", ("tables", 0, *path))


# --- step 1: the line abstraction ------------------------------------------------------------

COLUMN_TABLE = HEAD + """tables:
  - id: t
    title: 歳出
    columns:
      - {key: 本年度}
      - {key: 前年度}
      - {key: 計}
      - {key: 前年度比, unit: "%"}
    rows:
      - {key: council, name: 議会費, values: {本年度: 10, 前年度: 5, 計: 15, 前年度比: 200.0}}
      - {key: general, name: 総務費, values: {本年度: 20, 前年度: 5, 計: 26, 前年度比: 400.0}}
      - {key: welfare, name: 民生費, values: {本年度: 9, 前年度: "", 計: 9, 前年度比: "-"}}
    relations:
      - {check: sum, column: 計, of: [本年度, 前年度]}
      - {check: ratio, column: 前年度比, numerator: 本年度, denominator: 前年度, scale: 100, places: 1, skip: [welfare]}
"""


def test_a_column_sum_is_evaluated_in_every_row_and_names_the_row(recommended):
    out = run(COLUMN_TABLE)
    [finding] = findings(out)
    assert finding.kind == "sum_mismatch" and finding.location == cell("rows", 1, "values", "計")
    assert (finding.args["stated"], finding.args["computed"], finding.args["difference"]) == (26, 25, 1)
    assert finding.args["at"] == Text("「総務費」行", "row 総務費")
    assert finding.args["line"] == Text("計", "計") and finding.args["row"] == Text("総務費", "総務費")
    sum_text = Text("計 ＝ 本年度、前年度 の和（「民生費」行）", "計 = the sum of 本年度; 前年度 (row 民生費)")
    assert records(out)[:3] == [
        Checked(cell("rows", 0, "values", "計")), Checked(cell("rows", 1, "values", "計")),
        Unchecked(cell("rows", 2, "values", "前年度"), sum_text, Text("前年度の「民生費」行が空欄", "前年度, row 民生費, is blank")),
    ]
    # the ratio across skips 民生費: two rows checked, nothing said about the third
    assert records(out)[3:] == [Checked(cell("rows", 0, "values", "前年度比")),
                                Checked(cell("rows", 1, "values", "前年度比"))]
    [diagnostic] = check_text(recommended, COLUMN_TABLE)
    assert diagnostic.code == "TAB001"
    assert (diagnostic.span.line, diagnostic.span.column) == span_of(COLUMN_TABLE, "key: general", "26")
    assert diagnostic.message["ja"].startswith("計の「総務費」行の値 26 が")
    assert diagnostic.message["en"].startswith("計, row 総務費: 26 differs")
    assert "column 総務費" not in diagnostic.message["en"] and "「総務費」列" not in diagnostic.message["ja"]


def test_a_row_relation_names_the_column(recommended):
    text = HEAD + """tables:
  - id: t
    title: 人口
    columns: [{key: 平成30年}, {key: 令和元年}]
    rows:
      - {key: a, name: 男, values: {平成30年: 5, 令和元年: 6}}
      - {key: b, name: 女, values: {平成30年: 5, 令和元年: 6}}
      - {key: total, name: 合計, values: {平成30年: 10, 令和元年: 13}}
    relations:
      - {check: sum, row: total, of: [a, b]}
"""
    [diagnostic] = check_text(recommended, text)
    assert diagnostic.code == "TAB001" and diagnostic.args["column"] == "令和元年"
    assert (diagnostic.span.line, diagnostic.span.column) == span_of(text, "key: total", "13")
    assert diagnostic.message["ja"].startswith("合計の「令和元年」列の値 13 が")
    assert diagnostic.message["en"].startswith("合計, column 令和元年: 13 differs")


def test_only_and_skip_keys_must_name_cross_lines(recommended):
    text = COLUMN_TABLE.replace("skip: [welfare]", "skip: [welfar]")
    found = check_text(recommended, text)
    tab005 = [d for d in found if d.code == "TAB005"]
    assert len(tab005) == 1 and tab005[0].args["option"] == "skip" and tab005[0].args["reference"] == "welfar"
    assert tab005[0].args["axis"] == Text("行", "row")
    assert "names row welfar in skip" in tab005[0].message["en"] and "did you mean welfare?" in tab005[0].message["en"]
    assert (tab005[0].span.line, tab005[0].span.column) == span_of(text, "check: ratio", "welfar")
    # the misnamed relation is not evaluated (it would be at the row it meant to skip)
    assert not [d for d in found if d.code == "TAB002"]


def test_an_unknown_column_in_a_column_relation_says_column(recommended):
    text = COLUMN_TABLE.replace("of: [本年度, 前年度]}", "of: [本年度, 前年]}")
    [diagnostic] = [d for d in check_text(recommended, text) if d.code == "TAB005"]
    assert diagnostic.args["axis"] == Text("列", "column") and diagnostic.args["reference"] == "前年"
    assert "この表の列: 本年度, 前年度, 計, 前年度比" in diagnostic.message["ja"]


def test_lines_resolve_at_any_depth_and_in_another_table():
    text = HEAD + """tables:
  - id: kan
    title: 款別
    columns:
      - key: 令和3年度
        columns: [{key: 令和3年度計画, name: 計画}, {key: 令和3年度実績, name: 実績}]
    rows:
      - key: soumu
        name: 総務費
        rows:
          - {key: soumu-kanri, name: 総務管理費, values: {令和3年度計画: 4, 令和3年度実績: 3}}
  - id: other
    title: 別表
    columns: [{key: 令和3年度実績}]
    rows:
      - {key: copy, name: 総務管理費（再掲）, values: {令和3年度実績: 4}}
    relations:
      - {check: equal, row: copy, other: kan/soumu-kanri}
"""
    loaded = load_plan_text(text)
    target = select("tables", [loaded])[0]
    row = resolve_line(target, "soumu-kanri", "row")
    column = resolve_line(target, "令和3年度実績", "column")
    assert row is not None and column is not None
    assert row.path == ("tables", 0, "rows", 0, "rows", 0) and row.value("令和3年度実績").value == 3
    assert column.index.column_title("令和3年度実績") == "令和3年度 実績"
    assert column.value("soumu-kanri").value == 3 and resolve_line(target, "soumu", "row") is not None
    assert resolve_line(target, "nowhere", "row") is None
    elsewhere = resolve_line(target, "other/令和3年度実績", "column")
    assert elsewhere is not None and elsewhere.table.id == "other" and elsewhere.value("copy").value == 4
    assert elsewhere.label(target.node) == Text("other 令和3年度実績", "other 令和3年度実績")
    out = [item for target in select("tables", [loaded]) for item in FUNCTIONS["table_relations"].run(target, {})]
    [finding] = findings(out)
    assert finding.kind == "not_equal" and finding.args["other"] == Text("kan 総務管理費", "kan 総務管理費")
    assert finding.location == Location("plan.yaml", ("tables", 1, "rows", 0, "values", "令和3年度実績"))
    assert finding.related[0].location == cell("rows", 0, "rows", 0, "values", "令和3年度実績")


def test_evaluate_relation_takes_a_relation_built_in_code():
    loaded = load_plan_text(COLUMN_TABLE)
    target: Target = select("tables", [loaded])[0]
    built = Relation(check="sum", column="計", of=["本年度", "前年度"], only=["council", "general"])
    out = list(evaluate_relation(target, built, ("tables", 0, "kind"), None))
    assert [type(item).__name__ for item in out] == ["Checked", "Checked", "Finding"]
    missing = Relation(check="sum", column="計", of=["本年度", "前年"])
    [unknown] = list(evaluate_relation(target, missing, ("tables", 0, "kind"), None))
    assert unknown.kind == "unknown_row" and unknown.location == Location("plan.yaml", ("tables", 0, "kind"))
    # a record not checked names the form's main kind: a ratio's is TAB002's
    ratio = Relation(check="ratio", column="前年度比", numerator="本年度", denominator="前年度", scale=100, places=1)
    unchecked = [item for item in evaluate_relation(target, ratio, ("tables", 0), None) if isinstance(item, Unchecked)]
    assert [item.kind for item in unchecked] == ["ratio_mismatch"]
    assert {"sum", "ratio", "subset", "equal", "bound"} <= set(FORMS)


def test_a_bound_along_a_column(recommended):
    text = COLUMN_TABLE.replace("    relations:\n", "    relations:\n      - {check: bound, column: 前年度比, max: 300}\n")
    out = [item for item in run(text) if isinstance(item, Finding) and item.kind == "out_of_bounds"]
    assert [(item.location, item.args["stated"], item.args["max"]) for item in out] == [
        (cell("rows", 1, "values", "前年度比"), Decimal("400.0"), Decimal(300))]
    found = [d for d in check_text(recommended, text) if d.code == "TAB007"]
    assert codes(found) == ["TAB007"] and found[0].args["at"] == Text("「総務費」行", "row 総務費")
    assert (found[0].span.line, found[0].span.column) == span_of(text, "key: general", "400.0")
    assert NotApplicable not in {type(item) for item in run(text)[:2]}


# --- step 2: a 章 × 会計 matrix, encoded once ---------------------------------------------------

DATA = Path(__file__).parent / "data" / "tables"
MATRIX = DATA / "achievement-matrix.yaml"
BUDGET = DATA / "budget-kan-kou-moku.yaml"


def run_file(path: Path, text: str | None = None) -> list:
    return run(path.read_text(encoding="utf-8") if text is None else text)


def test_the_matrix_is_fully_checked_down_and_across():
    out = run_file(MATRIX)
    assert findings(out) == []
    assert not [record for record in out if isinstance(record, Unchecked)]
    checked = [record for record in out if isinstance(record, Checked)]
    # across: 3 sums and 3 進捗率 in each of the 6 rows; down: the 合計 row over the 9 amount columns
    assert len(checked) == 3 * 6 + 3 * 6 + 9
    skipped = [record for record in out if isinstance(record, NotApplicable)]
    # the 合計 row's 進捗率 is the ratio across, never the sum of the 章's rates
    assert [record.location for record in skipped] == [
        cell("rows", 0, "values", f"{account}進捗率") for account in ("一般会計", "特別会計", "計")]
    assert skipped[0].reason == Text("「一般会計 進捗率 (B)/(A)」列は足し合わせない値（比率など）",
                                     "column 一般会計 進捗率 (B)/(A) holds values that do not add up (a rate or the like)")
    assert Checked(cell("rows", 0, "values", "計進捗率")) in checked


def test_a_changed_plan_amount_of_the_matrix_breaks_each_relation_through_it(recommended):
    text = MATRIX.read_text(encoding="utf-8")
    changed = text.replace('一般会計計画: "2,410,550"', '一般会計計画: "2,401,550"')
    found = sorted(check_text(recommended, changed), key=lambda d: d.code)
    assert codes(found) == ["TAB001", "TAB002", "TAB013"]
    across, rate, down = found
    # every relation through the changed cell is blamed on it: the others hold elsewhere
    # (checker/functions/blame.py), the 計, the 実績 and the 合計 are confirmed
    changed_cell = span_of(changed, '"2,401,550"', '"2,401,550"')
    assert {(d.span.line, d.span.column) for d in found} == {changed_cell}
    assert across.related[0][0].label.ja.startswith("関係の値: 第3章 環境・都市基盤の「計 事業費 計画(A)」")
    assert across.args["at"] == Text("「第3章 環境・都市基盤」行", "row 第3章 環境・都市基盤")
    assert (across.args["stated"], across.args["computed"]) == (3378850, 3369850)
    assert (rate.args["stated"], rate.args["computed"]) == (Decimal("89.4"), Decimal("89.7"))
    assert (down.args["stated"], down.args["computed"], down.args["difference"]) == (8421410, 8412410, 9000)
    assert down.args["at"] == Text("「一般会計 事業費 計画(A)」列", "column 一般会計 事業費 計画(A)")
    assert down.message["ja"].startswith("合計の「一般会計 事業費 計画(A)」列の値 8,421,410 が、その内訳 第1章 子育て・教育、")
    assert [rel.label.en for rel, _ in down.related][:3] == [
        "the relation's value: 合計, 一般会計 事業費 計画(A)", "第1章 子育て・教育", "第2章 健康・福祉"]


def test_changing_any_single_number_of_the_matrix_is_detected(recommended):
    report = mutate_each_number(recommended, MATRIX)
    assert len(report.tried) == 72
    assert report.detected >= Decimal("0.95"), str(report)


# --- a 款 > 項 > 目 tree ---------------------------------------------------------------------------


def test_a_three_level_tree_sums_at_every_level_without_a_declared_relation(recommended):
    out = run_file(BUDGET)
    assert [finding.kind for finding in findings(out)] == ["share_adjusted"]
    assert not [record for record in out if isinstance(record, Unchecked)]
    text = BUDGET.read_text(encoding="utf-8").replace('一般管理費, values: {本年度: "2,500,000"',
                                                     '一般管理費, values: {本年度: "2,550,000"')
    found = [d for d in check_text(recommended, text) if d.severity.label == "error"]
    # the 目 breaks its 項's sum and its own 増減; the 項 and the 款 above still add up
    assert sorted(codes(found)) == ["TAB008", "TAB013"]
    tree = next(d for d in found if d.code == "TAB013")
    # both are blamed on the 目's changed 本年度: the 項 adds up to its 款, the 増減 to its 項's
    changed_cell = span_of(text, "一般管理費, values", '"2,550,000"')
    assert {(d.span.line, d.span.column) for d in found} == {changed_cell}
    assert (tree.args["stated"], tree.args["computed"]) == (3252110, 3302110)
    assert tree.args["of"] == [Text("一般管理費", "一般管理費"), Text("文書広報費", "文書広報費"), Text("財産管理費", "財産管理費")]
    difference = next(d for d in found if d.code == "TAB008")
    assert (difference.args["stated"], difference.args["computed"]) == (-61200, -11200)
    assert difference.fix is None  # the 増減 is confirmed: it is not rewritten


def test_a_tree_two_levels_up_is_checked_too(recommended):
    text = BUDGET.read_text(encoding="utf-8").replace('values: {本年度: "633,550"', 'values: {本年度: "633,650"')
    found = sorted((d for d in check_text(recommended, text) if d.severity.label == "error"), key=lambda d: d.code)
    # 徴税費 (a 項) against its 目, 総務費 (the 款) against its 項, and 徴税費's own 増減
    assert [(d.code, str(d.args["line"].en), d.args["stated"]) for d in found] == [
        ("TAB008", "比較", Decimal(-9950)), ("TAB013", "総務費", Decimal(4196460)), ("TAB013", "徴税費", Decimal(633650))]


def test_changing_any_single_number_of_the_budget_tree_is_detected(recommended):
    report = mutate_each_number(recommended, BUDGET)
    assert report.detected >= Decimal("0.95"), str(report)


def test_a_line_declared_not_additive_is_left_out_of_its_parents_sum():
    text = HEAD + """tables:
  - id: t
    title: 事業費
    columns: [{key: 令和4年度}]
    rows:
      - key: total
        name: 事業費
        values: {令和4年度: 300}
        rows:
          - {key: a, name: 委託料, values: {令和4年度: 200}}
          - {key: b, name: 工事費, values: {令和4年度: 100}}
          - {key: unit, name: 単位コスト, additive: false, values: {令和4年度: 12.5}}
"""
    out = run(text)
    assert findings(out) == [] and records(out) == [Checked(cell("rows", 0, "values", "令和4年度"))]
    assert findings(run(text.replace("additive: false, ", "")))[0].args["computed"] == Decimal("312.5")


# --- each form along rows and along columns ------------------------------------------------------

ROWS = HEAD + """tables:
  - id: t
    title: 会計別予算
    unit: 千円
    columns: [{key: 一般会計}, {key: 国民健康保険特別会計}]
    rows:
      - {key: this, name: 本年度, values: {一般会計: "52,300", 国民健康保険特別会計: "14,100"}}
      - {key: last, name: 前年度, values: {一般会計: "50,000", 国民健康保険特別会計: "14,500"}}
      - {key: change, name: 増減, values: {一般会計: "2,300", 国民健康保険特別会計: "400"}}
      - {key: rate, name: 前年度比, unit: "%", values: {一般会計: 104.6, 国民健康保険特別会計: 97.2}}
    relations:
      - {check: difference, row: change, of: [this, last]}
      - {check: ratio, row: rate, numerator: this, denominator: last, scale: 100, places: 1}
"""


def test_a_difference_along_a_row(recommended):
    [finding] = findings(run(ROWS))
    assert finding.kind == "difference_mismatch" and finding.location == cell("rows", 2, "values", "国民健康保険特別会計")
    assert (finding.args["stated"], finding.args["computed"], finding.args["difference"]) == (400, -400, 800)
    assert finding.args["at"] == Text("「国民健康保険特別会計」列", "column 国民健康保険特別会計")
    [diagnostic] = check_text(recommended, ROWS)
    assert diagnostic.code == "TAB008"
    assert (diagnostic.span.line, diagnostic.span.column) == span_of(ROWS, "key: change", '"400"')
    assert diagnostic.message["en"] == ("増減, column 国民健康保険特別会計: 400 differs from 本年度 − 前年度 = -400 "
                                        "(difference 800; rounding: none declared: exact); the other cells are "
                                        "confirmed by 前年度比 = 本年度 / 前年度 × 100 (column 国民健康保険特別会計), which "
                                        "holds, so this value is the likely error (this relation needs -400 there)")


def test_a_difference_under_a_declared_rounding_allows_what_the_rounding_explains():
    text = ROWS.replace('"400"}', '"-400"}').replace("    unit: 千円\n", "    unit: 千円\n    rounding: 四捨五入\n")
    assert findings(run(text.replace('増減, values: {一般会計: "2,300"', '増減, values: {一般会計: "2,301"'))) == []
    [finding] = findings(run(text.replace('増減, values: {一般会計: "2,300"', '増減, values: {一般会計: "2,302"')))
    assert finding.kind == "difference_mismatch" and finding.args["rounding"] == Text("四捨五入", "四捨五入")


PRODUCT = HEAD + """tables:
  - id: t
    title: 目標値
    columns: [{key: 基準値}, {key: 伸び率}, {key: 目標値}]
    rows:
      - {key: visitors, name: 観光入込客数, values: {基準値: "1,230", 伸び率: 1.05, 目標値: "1,292以上"}}
      - {key: events, name: 参加者数, values: {基準値: 845, 伸び率: 1.1, 目標値: "929.5"}}
    relations:
      - {check: product, column: 目標値, of: 基準値, by: 伸び率}
"""


def test_a_product_along_a_column_rounds_a_bound_up(recommended):
    assert findings(run(PRODUCT)) == []
    text = PRODUCT.replace('"1,292以上"', '"1,291以上"')
    [finding] = findings(run(text))
    assert finding.kind == "product_mismatch" and finding.location == cell("rows", 0, "values", "目標値")
    assert (finding.args["stated"], finding.args["computed"], finding.args["exact"]) == (1291, 1292, Decimal("1291.50"))
    assert finding.args["rounding"] == Text("切り上げ（以上）", "rounded up (a bound 以上)")
    assert finding.fix is not None and finding.fix.replacement == "1,292以上"
    [diagnostic] = check_text(recommended, text)
    assert diagnostic.code == "TAB009" and not diagnostic.fix.safe
    assert (diagnostic.span.line, diagnostic.span.column) == span_of(text, "key: visitors", '"1,291以上"')
    # without 以上, half up at the stated decimals: 929.5 × … stated 929.6 is wrong
    [other] = findings(run(PRODUCT.replace('"929.5"', '"929.6"')))
    assert other.location == cell("rows", 1, "values", "目標値") and other.args["computed"] == Decimal("929.5")


def test_a_product_along_a_row_by_a_factor():
    text = HEAD + """tables:
  - id: t
    title: 目標値
    columns: [{key: 令和5年度}, {key: 令和6年度}]
    rows:
      - {key: base, name: 基準値, values: {令和5年度: 200, 令和6年度: 210}}
      - {key: target, name: 目標値, values: {令和5年度: 204, 令和6年度: 215}}
    relations:
      - {check: product, row: target, of: base, by: 1.02}
"""
    [finding] = findings(run(text))
    assert finding.location == cell("rows", 1, "values", "令和6年度")
    assert (finding.args["stated"], finding.args["computed"], finding.args["factor"]) == (215, 214, Decimal("1.02"))


SHARE_ROWS = HEAD + """tables:
  - id: t
    title: 人口の構成
    columns: [{key: 年少人口}, {key: 生産年齢人口}, {key: 老年人口}, {key: 総数}]
    rows:
      - {key: people, name: 人口, values: {年少人口: "14,668", 生産年齢人口: "80,907", 老年人口: "25,592", 総数: "121,167"}}
      - {key: share, name: 構成比, unit: "%", values: {年少人口: 12.1, 生産年齢人口: 66.8, 老年人口: 21.1, 総数: 100.0}}
    relations:
      - {check: sum, column: 総数, of: [年少人口, 生産年齢人口, 老年人口]}
      - {check: share, row: share, of: people, total: 総数, scale: 100, places: 1}
"""


def test_a_share_along_a_row_with_its_whole_a_column():
    assert findings(run(SHARE_ROWS)) == []
    # the share is wrong, and the shares no longer add up to the whole's
    found = findings(run(SHARE_ROWS.replace("老年人口: 21.1", "老年人口: 21.3")))
    assert [item.kind for item in found] == ["sum_mismatch", "share_mismatch"]
    finding = found[1]
    # the sum is blamed on the wrong share: the others and the whole's 100.0 are confirmed
    assert found[0].location == cell("rows", 1, "values", "老年人口") and found[0].args["computed"] == Decimal("100.2")
    assert finding.kind == "share_mismatch" and finding.location == cell("rows", 1, "values", "老年人口")
    assert (finding.args["stated"], finding.args["computed"], finding.args["amount"], finding.args["whole"]) == (
        Decimal("21.3"), Decimal("21.1"), 25592, 121167)
    assert finding.args["total"] == Text("総数", "総数") and finding.args["at"] == Text("「老年人口」列", "column 老年人口")


def test_an_adjusted_share_is_recognised_and_a_wrong_one_is_an_error(recommended):
    found = check_text(recommended, BUDGET.read_text(encoding="utf-8"))
    [adjusted] = found
    assert adjusted.code == "TAB011" and adjusted.severity.label == "info" and adjusted.fix is None
    assert (adjusted.args["stated"], adjusted.args["computed"], adjusted.args["rounded_sum"]) == (
        Decimal("20.0"), Decimal("19.9"), Decimal("99.9"))
    text = BUDGET.read_text(encoding="utf-8")
    assert (adjusted.span.line, adjusted.span.column) == span_of(text, '増減: "-45,930"', "20.0")
    # a share off by more than the adjustment is an error, with a fix
    wrong = text.replace('構成比: 20.0}', '構成比: 20.1}').replace('構成比: 77.6}', '構成比: 77.5}')
    errors = sorted(check_text(recommended, wrong), key=lambda d: d.code)
    assert [(d.code, d.args["stated"]) for d in errors] == [("TAB010", Decimal("20.1")), ("TAB010", Decimal("77.5"))]
    assert errors[0].fix is not None and errors[0].fix.replacement == "19.9" and not errors[0].fix.safe
    # an adjustment that does not make the shares total the whole's is no adjustment
    unbalanced = text.replace('構成比: 2.4}', '構成比: 2.5}')
    codes_found = sorted(codes(check_text(recommended, unbalanced)))
    assert codes_found == ["TAB001", "TAB010", "TAB010"]


# --- units per column --------------------------------------------------------------------------


def test_operands_in_different_units_are_a_finding_naming_both(recommended):
    text = HEAD + """tables:
  - id: t
    title: コスト
    unit: 千円
    columns:
      - {key: 人件費}
      - key: 事業費
        unit: 円
        columns: [{key: 委託料}, {key: 工事費}]
      - {key: フルコスト}
    rows:
      - {key: r3, name: 令和3年度, values: {人件費: "8,000", 委託料: "13,010", 工事費: "2,000", フルコスト: "23,010"}}
      - {key: r4, name: 令和4年度, unit: 千円, values: {人件費: "8,100", 委託料: "13,000", 工事費: "2,000", フルコスト: "23,100"}}
    relations:
      - {check: sum, column: フルコスト, of: [人件費, 委託料, 工事費]}
"""
    out = run(text)
    [finding] = findings(out)
    assert finding.kind == "table_unit_mismatch" and finding.location == cell("rows", 0, "values", "フルコスト")
    # 委託料 takes its header column's 円; the 令和4年度 row's own 千円 is over its columns'
    assert (finding.args["unit"], finding.args["other_unit"]) == ("千円", "円")
    assert finding.args["other"] == Text("委託料", "委託料") and finding.args["unit_line"] == Text("フルコスト", "フルコスト")
    assert finding.related[0].location == cell("rows", 0, "values", "委託料")
    [diagnostic] = check_text(recommended, text)
    assert diagnostic.code == "TAB012"
    assert "フルコストは千円、委託料は円" in diagnostic.message["ja"]
    # a user row_sum over different units records the sum as not checked, naming both units
    loaded = load_plan_text(HEAD + """tables:
  - id: t
    title: t
    columns: [{key: A}]
    rows:
      - {key: x, name: 甲, unit: 円, values: {A: 5}}
      - {key: total, name: 計, unit: 千円, values: {A: 5}}
""")
    [record] = list(FUNCTIONS["row_sum"].run(select("tables", [loaded])[0], {"row": "total", "of": ["x"]}))
    assert isinstance(record, Unchecked) and record.reason == Text("計は千円、甲は円", "計 is in 千円, 甲 in 円")


# --- only / skip ---------------------------------------------------------------------------------


def test_only_and_skip_narrow_the_cross_lines():
    text = MATRIX.read_text(encoding="utf-8").replace(
        "      - {check: sum, column: 計事業数, of: [一般会計事業数, 特別会計事業数]}\n",
        "      - {check: sum, column: 計事業数, of: [一般会計事業数, 特別会計事業数], only: [ch1, ch2]}\n"
        "      - {check: subset, column: 一般会計実績, of: 一般会計計画, skip: [total]}\n"
        "      - {check: equal, row: ch4, other: ch4, only: [一般会計事業数, 計事業数]}\n"
        "      - {check: bound, row: total, min: 0, max: 100, only: [一般会計進捗率, 特別会計進捗率, 計進捗率]}\n")
    out = run(text)
    assert findings(out) == []
    at = [record.location.path for record in out]
    sums = [path for path in at if path[-1] == "計事業数"]
    # only ch1 and ch2 across for 事業数 (and the 合計 row's sum down, which has no only)
    assert sums == [("tables", 0, "rows", 0, "rows", 0, "values", "計事業数"),
                    ("tables", 0, "rows", 0, "rows", 1, "values", "計事業数"),
                    ("tables", 0, "rows", 0, "rows", 3, "values", "計事業数"),
                    ("tables", 0, "rows", 0, "values", "計事業数")]
    subset = [path for path in at if path[-1] == "一般会計実績"]
    assert ("tables", 0, "rows", 0, "values", "一般会計実績") in subset and len(subset) == 5 + 1
    # a wrong 実績 above its 計画, along the column
    broken = text.replace('一般会計実績: "498,760"', '一般会計実績: "598,760"')
    kinds = {finding.kind for finding in findings(run(broken))}
    assert "subset_exceeds" in kinds


PAIRS = HEAD + """tables:
  - id: t
    title: 相談件数
    columns: [{key: 相談件数}, {key: うち来所}, {key: 再掲}]
    rows:
      - {key: r3, name: 令和3年度, values: {相談件数: 120, うち来所: 80, 再掲: 120}}
      - {key: r4, name: 令和4年度, values: {相談件数: 135, うち来所: 90, 再掲: 135}}
    relations:
      - {check: subset, column: うち来所, of: 相談件数}
      - {check: equal, column: 再掲, other: 相談件数}
"""


@pytest.mark.parametrize(("text", "old", "new", "code", "needle", "stated", "computed"), [
    # a ratio along a row (前年度比 of each 会計)
    (ROWS.replace('"400"}', '"-400"}'), "一般会計: 104.6", "一般会計: 104.7", "TAB002", "key: rate", Decimal("104.7"),
     Decimal("104.6")),
    # a bound along a row
    (ROWS.replace('"400"}', '"-400"}') + "      - {check: bound, row: rate, max: 100}\n", "一般会計: 104.6",
     "一般会計: 104.6", "TAB007", "key: rate", Decimal("104.6"), None),
    # a product along a row, by a factor
    (PRODUCT.replace("column: 目標値, of: 基準値, by: 伸び率", "column: 目標値, of: 基準値, by: 伸び率, only: [events]"),
     '"929.5"', '"928.5"', "TAB009", "key: events", Decimal("928.5"), Decimal("929.5")),
    # a subset and an equal along columns
    (PAIRS, "うち来所: 90", "うち来所: 190", "TAB003", "key: r4", Decimal(190), None),
    (PAIRS, "再掲: 135", "再掲: 153", "TAB004", "key: r4", Decimal(153), None),
])
def test_each_form_along_either_axis_is_reported_at_its_cell(recommended, text, old, new, code, needle, stated, computed):
    changed = text.replace(old, new)
    found = [d for d in check_text(recommended, changed) if d.code == code]
    assert len(found) == 1, [(d.code, d.message["en"]) for d in check_text(recommended, changed)]
    [diagnostic] = found
    printed = new.rpartition(": ")[2]
    assert (diagnostic.span.line, diagnostic.span.column) == span_of(changed, needle, printed)
    assert diagnostic.args["stated"] == stated
    if computed is not None:
        assert diagnostic.args["computed"] == computed


def test_two_shares_off_along_a_row_are_errors_when_the_rounded_shares_already_total(recommended):
    text = SHARE_ROWS.replace("年少人口: 12.1", "年少人口: 12.2").replace("生産年齢人口: 66.8", "生産年齢人口: 66.7")
    found = check_text(recommended, text)
    assert [(d.code, d.args["stated"], d.args["computed"]) for d in found] == [
        ("TAB010", Decimal("12.2"), Decimal("12.1")), ("TAB010", Decimal("66.7"), Decimal("66.8"))]
    assert (found[0].span.line, found[0].span.column) == span_of(text, "key: share", "12.2")


def test_the_worked_examples_of_the_plan_format_check_as_documented(recommended):
    doc = (Path(__file__).parent.parent / "docs" / "plan-format.md").read_text(encoding="utf-8")
    section = doc[doc.index("## Tables in two dimensions"):doc.index("## Activity plan")]
    forms, product, tree, units = re.findall(r"```yaml\n(.*?)```", section, re.S)
    head = "plan: {id: x, title: t, municipality: 例示市, kind: budget, source: {seed: a.txt}}\n"
    table = head + "tables:\n  - id: t\n    title: t\n"
    assert codes(check_text(recommended, head + forms)) == ["TAB011"]
    assert codes(check_text(recommended, table + product)) == []
    assert codes(check_text(recommended, table + "    unit: 千円\n    columns: [{key: 本年度}, {key: 前年度}]\n" + tree)) == []
    assert codes(check_text(recommended, table + units + "    rows:\n      - {key: r, name: 令和3年度, values: "
                            "{人件費: 1, 事業費: 2, フルコスト: 3}}\n    relations:\n"
                            "      - {check: sum, column: フルコスト, of: [人件費, 事業費]}\n")) == ["TAB012"]


def test_the_relations_in_force_decide_what_adds_up():
    text = MATRIX.read_text(encoding="utf-8")
    # without its declared ratios, the 合計 row would sum the 章's 進捗率 down
    bare = text[:text.index("      - {check: ratio, column: 一般会計進捗率")]
    wrong = [item for item in findings(run(bare)) if item.kind == "tree_sum_mismatch"]
    assert [item.args["column"] for item in wrong] == ["一般会計進捗率", "特別会計進捗率", "計進捗率"]
    # a table that carries relations built in code (a table kind's) has them in force
    loaded = load_plan_text(bare)
    target: Target = select("tables", [loaded])[0]
    built = [Relation(check="ratio", column=f"{account}進捗率", numerator=f"{account}実績",
                      denominator=f"{account}計画", scale=100, places=1) for account in ("一般会計", "特別会計", "計")]
    table = target.node.model_copy(update={"relations": [*target.node.relations, *built]})
    plan = target.plan.model_copy(update={"tables": [table]})
    out = list(FUNCTIONS["table_relations"].run(Target(target.file, target.path, table, plan), {}))
    assert findings(out) == [] and len([item for item in out if isinstance(item, Checked)]) == 45


def test_a_relation_with_no_cross_line_to_evaluate_at_says_so():
    loaded = load_plan_text(COLUMN_TABLE)
    target: Target = select("tables", [loaded])[0]
    nowhere = Relation(check="sum", column="計", of=["本年度", "前年度"], only=[])
    [record] = list(evaluate_relation(target, nowhere, ("tables", 0, "relations", 0), None))
    assert isinstance(record, NotApplicable) and record.reason == Text("評価する行がない", "there is no row to evaluate it at")


def test_a_header_column_that_states_values_is_the_sum_of_its_sub_columns(recommended):
    text = HEAD + """tables:
  - id: t
    title: 相談件数
    unit: 件
    columns:
      - key: 令和4年度
        columns:
          - {key: 令和4年度上半期, name: 上半期}
          - {key: 令和4年度下半期, name: 下半期}
          - {key: 令和4年度前年比, name: 前年比, unit: "%", additive: false}
    rows:
      - {key: phone, name: 電話相談, values: {令和4年度: 310, 令和4年度上半期: 150, 令和4年度下半期: 160, 令和4年度前年比: 103.3}}
      - {key: visit, name: 来所相談, values: {令和4年度: 95, 令和4年度上半期: 40, 令和4年度下半期: 45, 令和4年度前年比: 96.0}}
"""
    # the 前年比 sub-column does not add up: the 令和4年度 header sums 上半期 and 下半期 only
    out = run(text)
    [finding] = findings(out)
    assert finding.kind == "tree_sum_mismatch" and finding.location == cell("rows", 1, "values", "令和4年度")
    assert (finding.args["stated"], finding.args["computed"]) == (95, 85)
    assert finding.args["at"] == Text("「来所相談」行", "row 来所相談")
    assert finding.args["of"] == [Text("令和4年度 上半期", "令和4年度 上半期"), Text("令和4年度 下半期", "令和4年度 下半期")]
    [diagnostic] = [d for d in check_text(recommended, text) if d.code == "TAB013"]
    assert (diagnostic.span.line, diagnostic.span.column) == span_of(text, "key: visit", "95")
    assert diagnostic.message["en"].startswith("令和4年度, row 来所相談: 95 differs from the sum of its parts, 令和4年度 上半期")


def test_a_tables_index_is_built_once_however_many_lines_a_relation_names():
    """Every operand resolves through the table's index: built per operand, a sum over n
    lines cost n² (a 2,000-line 合計 ran past the 10 s per-file limit)."""
    from checker.functions.tables import TableIndex
    from checker.model import StatisticsTable

    table = StatisticsTable.model_validate({
        "id": "t", "title": "t", "columns": [{"key": "令和4年度"}],
        "rows": [{"key": "a", "name": "A", "values": {"令和4年度": 1}}],
    })
    assert TableIndex.of(table, 0) is TableIndex.of(table, 0)
    copy = table.model_copy()  # a table of another check (a kind's copy) gets its own
    assert TableIndex.of(copy, 0) is not TableIndex.of(table, 0)
    assert TableIndex.of(copy, 0).table is copy
