"""Blame: a finding of a relation that fails points at the cell that explains it, when the
relations that hold confirm the others (checker/functions/blame.py)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from checker.diagnostics import Text
from checker.functions import FUNCTIONS, load_builtin_functions
from tests.conftest import check_text, load_plan_text
from tests.mutation import mutate, mutate_each_number

load_builtin_functions()

DATA = Path(__file__).parent / "data" / "tables"
COST_SHEET = (DATA / "blame-cost-sheet.yaml").read_text(encoding="utf-8")
SERIES = (DATA / "series-rows.yaml").read_text(encoding="utf-8")
COLUMNS = ("令和3年度決算", "令和4年度決算", "令和5年度予算")
ROWS = ["regular-staff", "fixed-term-staff", "personnel", "project", "total-cost", "national-prefectural", "bonds",
        "other-specific", "specific", "general", "participants", "unit-cost"]

# the row each single mistyped cell's findings are at, and the rows named as suspects (none:
# the finding is at the mistyped cell itself)
EXPECTED = {
    # 人件費 = 正規 + 会計年度任用 fails alone; the 人件費 is confirmed by the トータルコスト
    "regular-staff": ("personnel", {"regular-staff", "fixed-term-staff"}),
    "fixed-term-staff": ("personnel", {"regular-staff", "fixed-term-staff"}),
    # in two failing relations and in none that holds: the common suspect of both
    "personnel": ("personnel", None),
    "project": ("project", None),
    "total-cost": ("total-cost", None),
    # the three specific sources are in the same two failing relations: nothing tells them apart
    "national-prefectural": (None, {"national-prefectural", "bonds", "other-specific"}),
    "other-specific": (None, {"national-prefectural", "bonds", "other-specific"}),
    "specific": ("specific", None),
    "general": ("general", None),
    # 単位コスト = トータルコスト ÷ 受講者数: the トータルコスト is confirmed, the other two are not
    "participants": ("unit-cost", {"unit-cost", "participants"}),
    "unit-cost": ("unit-cost", {"unit-cost", "participants"}),
}


def row_path(key: str, column: str) -> tuple:
    return ("tables", 0, "rows", ROWS.index(key), "values", column)


def cells(loaded, keys) -> set[int]:
    return {loaded.span_of(row_path(key, column)).line for key in keys for column in COLUMNS}


def test_the_cost_sheet_is_clean(recommended):
    assert check_text(recommended, COST_SHEET) == []


@pytest.mark.parametrize("column", COLUMNS)
@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_each_mistyped_cell_of_the_cost_sheet_is_found(recommended, key, column):
    loaded = load_plan_text(COST_SHEET)
    path = row_path(key, column)
    cell = loaded.model.tables[0].rows[ROWS.index(key)].values[column]
    if not hasattr(cell, "value"):
        pytest.skip("a blank cell (0): no figure to mistype")
    text, line = mutate(COST_SHEET, loaded, path)
    found = check_text(recommended, text)
    assert found and {d.code for d in found} <= {"TAB001", "TAB002"}
    at_row, suspects = EXPECTED[key]
    mutated = load_plan_text(text)
    for diagnostic in found:
        if at_row is not None:
            span = mutated.span_of(row_path(at_row, column))
            assert (diagnostic.span.line, diagnostic.span.column) == (span.line, span.column), diagnostic.message["en"]
        if suspects is None:
            assert (diagnostic.span.line, diagnostic.args["blame"] != Text("", "")) == (line, True)
            continue
        # every suspect named, in the message and by its related span; the mistyped cell among them
        named = {rel_span.line for rel, rel_span in diagnostic.related if rel.label.en.startswith("suspect: ")}
        named |= {diagnostic.span.line} if diagnostic.span.line in cells(mutated, suspects) else set()
        assert line in named
        assert named <= cells(mutated, suspects)
        assert "so the suspects are" in diagnostic.message["en"] and "誤りの候補は" in diagnostic.message["ja"]


def test_a_mistyped_general_revenue_is_found_at_it_with_the_value_it_needs(recommended):
    """The brief's example: トータルコスト = 人件費 + 事業費 holds, the sources do not add up
    because 一般財源 was mistyped: the finding is at 一般財源, not at トータルコスト."""
    text = COST_SHEET.replace('令和4年度決算: "20,060"', '令和4年度決算: "20,600"')
    found = check_text(recommended, text)
    assert [d.code for d in found] == ["TAB001", "TAB001"]
    loaded = load_plan_text(text)
    general = loaded.span_of(row_path("general", "令和4年度決算"))
    total = loaded.span_of(row_path("total-cost", "令和4年度決算"))
    four = next(d for d in found if len(d.args["of"]) == 4)
    assert (four.span.line, four.span.column, four.span.end_column) == (general.line, general.column, general.end_column)
    # the code, the numbers and the relation stay the failing relation's
    assert (four.args["stated"], four.args["computed"], four.args["difference"]) == (21260, 21800, -540)
    assert four.message["ja"].startswith("トータルコストの「令和4年度決算」列の値 21,260 が、")
    assert "人件費、事業費 の和（「令和4年度決算」列）" in four.message["ja"]
    assert four.message["ja"].endswith("誤りは一般財源の「令和4年度決算」の値 20,600 と考えられます（この関係を満たすには 20,060）")
    assert four.message["en"].endswith("so 一般財源, 令和4年度決算 20,600 is the likely error (this relation needs 20,060 there)")
    # the stated cell it was at is the first related span; the moved-to cell is no longer one
    assert four.related[0][0].label.en == "the relation's value: トータルコスト, 令和4年度決算"
    assert four.related[0][1].line == total.line
    assert general.line not in {span.line for _, span in four.related}


def test_the_common_suspect_of_two_failing_relations(recommended):
    text = COST_SHEET.replace('name: 人件費, values: {令和3年度決算: "8,100"', 'name: 人件費, values: {令和3年度決算: "8,010"')
    found = check_text(recommended, text)
    assert len(found) == 2
    loaded = load_plan_text(text)
    personnel = loaded.span_of(row_path("personnel", "令和3年度決算"))
    assert {(d.span.line, d.span.column) for d in found} == {(personnel.line, personnel.column)}
    stated_here = next(d for d in found if d.args["line"] == Text("人件費", "人件費"))
    assert "この値は" in stated_here.args["blame"].ja and "両方の不一致の原因" in stated_here.args["blame"].ja
    assert stated_here.message["en"].endswith("(this relation needs 8,100 there)")
    moved = next(d for d in found if d.args["line"] == Text("トータルコスト", "トータルコスト"))
    assert "which fails too, and in none that holds" in moved.message["en"]
    assert moved.message["en"].endswith("(this relation needs 8,100 there)")


def test_a_ratio_is_not_solved_for_a_cell(recommended):
    text = COST_SHEET.replace("令和4年度決算: 530", "令和4年度決算: 583")
    [found] = check_text(recommended, text)
    assert found.code == "TAB002"
    assert "needs" not in found.message["en"]
    assert found.fix is not None  # not moved: the fix of the stated 単位コスト stays (unsafe)


def test_a_mistyped_annual_value_is_found_at_it_and_not_at_the_running_total(recommended):
    text = SERIES.replace("平成30年度: 20, 令和元年度: 17", "平成30年度: 20, 令和元年度: 71")
    [found] = check_text(recommended, text)
    assert found.code == "TAB014"
    loaded = load_plan_text(text)
    new = loaded.span_of(("tables", 0, "rows", 0, "values", "令和元年度"))
    assert (found.span.line, found.span.column) == (new.line, new.column)
    assert (found.args["stated"], found.args["computed"]) == (82, 136)
    assert found.message["en"].endswith("so 創業支援による創業者数, 令和元年度 71 is the likely error (this relation needs 17 there)")
    assert found.fix is None


def test_with_nothing_that_holds_there_is_nothing_to_say(recommended):
    text = """plan: {id: x, title: t, municipality: 例示市, kind: statistics, source: {seed: a.txt}}
tables:
  - id: t
    title: 人口
    columns: [{key: 令和4年}]
    rows:
      - {key: a, name: 男, values: {令和4年: 61}}
      - {key: b, name: 女, values: {令和4年: 63}}
      - {key: total, name: 合計, values: {令和4年: 125}}
    relations:
      - {check: sum, row: total, of: [a, b]}
"""
    [found] = check_text(recommended, text)
    assert found.args["blame"] == Text("", "")
    assert found.message["en"] == "合計, column 令和4年: 125 differs from the sum of 男, 女, 124 (difference 1)"
    loaded = load_plan_text(text)
    assert found.span.line == loaded.span_of(("tables", 0, "rows", 2, "values", "令和4年")).line


def test_the_blamed_kinds_carry_the_blame_argument():
    kinds = FUNCTIONS["table_relations"].kinds
    for kind in ("sum_mismatch", "tree_sum_mismatch", "difference_mismatch", "ratio_mismatch", "running_sum_mismatch",
                 "change_mismatch", "lag_mismatch"):
        assert "blame" in kinds[kind]
    assert "blame" not in kinds["subset_exceeds"] and "blame" not in kinds["share_adjusted"]
    assert "blame" not in FUNCTIONS["row_sum"].kinds["sum_mismatch"]  # a user rule's relation stands alone


def test_needed_values_are_exact_decimals(recommended):
    text = SERIES.replace("平成28年度: 255, 平成29年度: 262", "平成28年度: 255, 平成29年度: 266")
    found = check_text(recommended, text)
    assert found and all(d.args["blame"].en.endswith("(this relation needs 262 there)") for d in found
                         if "needs" in d.args["blame"].en)
    assert isinstance(found[0].args["stated"], Decimal)


def test_changing_any_number_of_the_cost_sheet_is_detected_at_it(recommended):
    """Every finding a mutated cell brings points at it, as its location or a related span
    (tests/mutation.py): blame moves findings to the cell, it never loses it."""
    report = mutate_each_number(recommended, DATA / "blame-cost-sheet.yaml")
    assert len(report.tried) == 30  # 36 cells, six of them blank (0)
    assert report.detected == 1, str(report)
