"""Tables in two dimensions: relations along rows and along columns, lines at any depth of
the row and column trees, `only` / `skip`, and the one entry point (`evaluate_relation`)
that evaluates a relation declared in the data or built in code."""

from __future__ import annotations

from decimal import Decimal

from checker.diagnostics import Checked, Finding, Location, NotApplicable, Text, Unchecked
from checker.functions import FUNCTIONS, Target, load_builtin_functions, select
from checker.functions.tables import FORMS, evaluate_relation, resolve_line
from checker.model import Relation
from tests.conftest import check_text, codes, load_plan_text

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
