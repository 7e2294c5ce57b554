"""Series across ordered cross lines: running_sum (累計), change (増加数, 前年度末比) and lag
(前年度末, this period's base), along rows and along columns, with the first cross line, a
missing year, cells that are not numbers and the declared rounding."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from checker.diagnostics import Checked, Finding, NotApplicable, Unchecked
from checker.functions import FUNCTIONS, load_builtin_functions, select
from tests.conftest import check_text, load_plan_text
from tests.mutation import mutate_each_number

load_builtin_functions()

DATA = Path(__file__).parent / "data" / "tables"
ROWS = (DATA / "series-rows.yaml").read_text(encoding="utf-8")
COLUMNS = (DATA / "series-columns.yaml").read_text(encoding="utf-8")
GAP = (DATA / "series-year-gap.yaml").read_text(encoding="utf-8")
HEAD = "plan: {id: x, title: t, municipality: 例示市, kind: statistics, source: {seed: a.txt}}\n"


def run(text: str) -> list:
    loaded = load_plan_text(text)
    assert loaded.model is not None, loaded.findings
    spec = FUNCTIONS["table_relations"]
    return [item for target in select("tables", [loaded]) for item in spec.run(target, {})]


def replaced(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def span(text: str, *path):
    loaded = load_plan_text(text)
    found = loaded.span_of(("tables", 0, *path))
    assert found is not None, path
    return found


def row_cell(row: int, column: str) -> tuple:
    return ("rows", row, "values", column)


# --- along rows ------------------------------------------------------------------------------


def test_the_row_fixture_is_clean_and_every_step_is_checked(recommended):
    assert check_text(recommended, ROWS) == []
    items = run(ROWS)
    checked = [item.location.path for item in items if isinstance(item, Checked)]
    # the running sum from its first column (starts_here), change and lag from the second
    assert len(checked) == 6 + 5 + 5
    first = [item for item in items if isinstance(item, NotApplicable)]
    assert [item.location.path[-1] for item in first] == ["平成27年度", "平成27年度"]
    assert all(item.reason.en == "the first column: there is no previous column" for item in first)


def test_a_running_sum_along_a_row(recommended):
    text = replaced(ROWS, "令和元年度: 82,", "令和元年度: 83,")
    found = [d for d in check_text(recommended, text) if d.code == "TAB014"]
    # 令和元年度 (83 ≠ 65 + 17) and 令和2年度 (104 ≠ 83 + 22): both blamed on the 83
    assert len(found) == 2
    at = span(text, *row_cell(1, "令和元年度"))
    assert all((d.span.line, d.span.column) == (at.line, at.column) for d in found)
    mine = next(d for d in found if d.args["at"].en == "column 令和元年度")
    assert (mine.args["stated"], mine.args["computed"], mine.args["difference"]) == (83, 82, 1)
    assert (mine.args["previous"], mine.args["current"]) == (65, 17)
    assert mine.args["previous_at"].en == "column 平成30年度"
    assert "83 differs from 創業者数（累計） at column 平成30年度, 65, + 創業支援による創業者数, 17 = 82" in mine.message["en"]
    assert "前年度" not in mine.message["ja"] or "「平成30年度」列" in mine.message["ja"]
    assert mine.fix is not None and mine.fix.replacement == "82" and not mine.fix.safe
    later = next(d for d in found if d.args["at"].en == "column 令和2年度")
    assert (later.args["stated"], later.args["computed"]) == (104, 105)
    assert later.fix is None  # moved to the 83: the stated 104 is not what is wrong


def test_a_running_sum_starts_with_its_value(recommended):
    text = replaced(ROWS, "{平成27年度: 12, 平成28年度: 27,", "{平成27年度: 13, 平成28年度: 27,")
    found = check_text(recommended, text)
    start = next(d for d in found if d.code == "TAB015")
    at = span(text, *row_cell(1, "平成27年度"))
    assert (start.span.line, start.span.column) == (at.line, at.column)
    assert (start.args["stated"], start.args["computed"], start.args["difference"]) == (13, 12, 1)
    assert "which the running total starts with" in start.message["en"]


def test_without_starts_here_the_first_column_is_not_applicable():
    text = replaced(ROWS, "of: new, starts_here: true}", "of: new}")
    first = [item for item in run(text) if isinstance(item, NotApplicable) and "累計" in item.relation.ja]
    assert [item.location.path for item in first] == [("tables", 0, *row_cell(1, "平成27年度"))]


def test_a_change_along_a_row(recommended):
    text = replaced(ROWS, "令和元年度: 11, 令和2年度: 9}", "令和元年度: 11, 令和2年度: 10}")
    [found] = check_text(recommended, text)
    assert found.code == "TAB016"
    at = span(text, *row_cell(3, "令和2年度"))
    assert (found.span.line, found.span.column, found.span.end_column) == (at.line, at.column, at.end_column)
    assert (found.args["stated"], found.args["computed"], found.args["difference"]) == (10, 9, 1)
    assert (found.args["current"], found.args["previous"]) == (290, 281)
    assert found.message["en"].startswith("参加事業者の前年度末比増減, column 令和2年度: 10 differs from "
                                          "創業支援ネットワーク参加事業者数（年度末）, 290, − 創業支援ネットワーク参加事業者数（年度末） "
                                          "at column 令和元年度, 281 = 9")


def test_a_lag_along_a_row(recommended):
    text = replaced(ROWS, "令和元年度: 270, 令和2年度: 281}", "令和元年度: 270, 令和2年度: 218}")
    [found] = check_text(recommended, text)
    assert found.code == "TAB017"
    at = span(text, *row_cell(4, "令和2年度"))
    assert (found.span.line, found.span.column) == (at.line, at.column)
    assert (found.args["stated"], found.args["computed"], found.args["difference"]) == (218, 281, -63)
    assert "前年度末の参加事業者数（基準）の「令和2年度」列の値 218 が、「令和元年度」列の" in found.message["ja"]


def test_a_mistyped_series_value_is_found_at_it(recommended):
    """The members' 令和元年度 figure breaks the changes on both sides of it and the next lag; the
    relations that still hold confirm the other cells, and every finding points at it."""
    text = replaced(ROWS, "令和元年度: 281, 令和2年度: 290}", "令和元年度: 291, 令和2年度: 290}")
    found = check_text(recommended, text)
    assert sorted(d.code for d in found) == ["TAB016", "TAB016", "TAB017"]  # the lag reads it at 令和2年度 only
    at = span(text, *row_cell(2, "令和元年度"))
    assert {(d.span.line, d.span.column) for d in found} == {(at.line, at.column)}


# --- along columns ---------------------------------------------------------------------------


def test_the_column_fixture_is_clean_and_runs_down_the_rows(recommended):
    assert check_text(recommended, COLUMNS) == []
    items = run(COLUMNS)
    assert sum(isinstance(item, Checked) for item in items) == 4 + 3 + 3
    first = [item for item in items if isinstance(item, NotApplicable)]
    assert {item.reason.en for item in first} == {"the first row: there is no previous row"}


@pytest.mark.parametrize(("old", "new", "code", "row", "column", "numbers"), [
    ("累計登録者数: 96,", "累計登録者数: 69,", "TAB014", 2, "累計登録者数", (69, 96, -27)),
    ("累計登録者数: 40,", "累計登録者数: 41,", "TAB015", 0, "累計登録者数", (41, 40, 1)),
    ("前年度末比: 17,", "前年度末比: 71,", "TAB016", 2, "前年度末比", (71, 17, 54)),
    ("前年度末: 388}", "前年度末: 383}", "TAB017", 3, "前年度末", (383, 388, -5)),
])
def test_each_form_down_a_column(recommended, old, new, code, row, column, numbers):
    text = replaced(COLUMNS, old, new)
    found = [d for d in check_text(recommended, text) if d.code == code]
    at = span(text, *row_cell(row, column))
    mine = next(d for d in found if (d.span.line, d.span.column) == (at.line, at.column))
    assert (mine.args["stated"], mine.args["computed"], mine.args["difference"]) == numbers
    assert mine.args["column"].en == column and mine.args["at"].en.startswith("row ")


def test_a_negative_change_down_a_column(recommended):
    text = replaced(COLUMNS, "前年度末比: △9,", "前年度末比: 9,")
    [found] = check_text(recommended, text)
    assert found.code == "TAB016"
    assert (found.args["stated"], found.args["computed"], found.args["current"], found.args["previous"]) == (
        9, -9, 371, 380)
    assert found.args["at"].en == "row 令和2年度"


# --- years, cells that are not numbers, rounding ------------------------------------------------


def test_a_missing_year_leaves_the_step_across_it_unchecked(recommended):
    assert check_text(recommended, GAP) == []
    items = run(GAP)
    gaps = [item for item in items if isinstance(item, Unchecked)]
    assert [(item.location.path[-3], item.location.path[-1]) for item in gaps] == [(1, "令和4年度"), (2, "令和4年度")]
    assert gaps[0].reason.ja == "「令和2年度」と「令和4年度」の間の令和3年度の列がない（前の年度の値がない）"
    assert "令和3年度 (FY2021)" in gaps[0].reason.en
    assert [item.kind for item in gaps] == ["running_sum_mismatch", "change_mismatch"]
    # the steps on either side of the gap are still checked
    checked = {item.location.path[-3:] for item in items if isinstance(item, Checked)}
    assert (1, "values", "令和5年度") in checked and (2, "values", "令和5年度") in checked
    text = replaced(GAP, "令和5年度: 487}", "令和5年度: 478}")
    assert [d.code for d in check_text(recommended, text)] == ["TAB014"]


def test_a_regular_step_of_five_years_is_no_gap():
    text = HEAD + """tables:
  - id: census
    title: 国勢調査人口
    columns: [{key: 平成22年, year: 2010}, {key: 平成27年, year: 2015}, {key: 令和2年, year: 2020}]
    rows:
      - {key: population, name: 人口, values: {平成22年: "118,852", 平成27年: "121,396", 令和2年: "126,074"}}
      - {key: change, name: 増減, values: {平成22年: "—", 平成27年: "2,544", 令和2年: "4,678"}}
    relations:
      - {check: change, row: change, of: population}
"""
    items = run(text)
    assert not any(isinstance(item, (Unchecked, Finding)) for item in items)
    assert sum(isinstance(item, Checked) for item in items) == 2


def test_the_same_year_twice_is_not_a_step_and_only_narrows_the_series(recommended):
    text = HEAD + """tables:
  - id: cost
    title: 事業費の推移
    columns:
      - {key: 令和3年度決算, year: 令和3年度}
      - {key: 令和4年度予算, year: 令和4年度}
      - {key: 令和4年度決算, year: 令和4年度}
      - {key: 令和5年度予算, year: 令和5年度}
    rows:
      - {key: cost, name: 事業費, values: {令和3年度決算: 100, 令和4年度予算: 120, 令和4年度決算: 110, 令和5年度予算: 130}}
      - {key: change, name: 前年度比増減, values: {令和3年度決算: "—", 令和4年度予算: 20, 令和4年度決算: 10, 令和5年度予算: 20}}
    relations:
      - {check: change, row: change, of: cost}
"""
    unchecked = [item for item in run(text) if isinstance(item, Unchecked)]
    assert [item.location.path[-1] for item in unchecked] == ["令和4年度決算"]
    assert unchecked[0].reason.ja.startswith("「令和4年度予算」と「令和4年度決算」が同じ年度（令和4年度）")
    narrowed = replaced(text, "of: cost}", "of: cost, only: [令和3年度決算, 令和4年度決算]}")
    items = run(narrowed)
    assert not any(isinstance(item, Unchecked) for item in items)
    assert [item.location.path[-1] for item in items if isinstance(item, Checked)] == ["令和4年度決算"]
    assert check_text(recommended, narrowed) == []


def test_a_cell_that_is_not_a_number_blocks_only_the_steps_that_read_it():
    text = replaced(ROWS, "令和元年度: 281, 令和2年度: 290}", "令和元年度: 未集計, 令和2年度: 290}")
    items = run(text)
    unchecked = [item for item in items if isinstance(item, Unchecked)]
    members = ("tables", 0, *row_cell(2, "令和元年度"))
    # the change at 令和元年度 (read there), the change and the lag at 令和2年度 (read as the previous one)
    assert len(unchecked) == 3 and {item.location.path for item in unchecked} == {members}
    assert all("未集計" in item.reason.ja for item in unchecked)
    checked = {item.location.path for item in items if isinstance(item, Checked)}
    assert ("tables", 0, *row_cell(3, "平成30年度")) in checked
    assert len([path for path in checked if path[3] == 1]) == 6  # the running sum is not touched


def test_the_declared_rounding_for_totals_applies():
    text = HEAD + """tables:
  - id: visitors
    title: 来場者数（千人）
    rounding: 四捨五入
    columns: [{key: 令和3年度, year: 令和3年度}, {key: 令和4年度, year: 令和4年度}]
    rows:
      - {key: visitors, name: 来場者数, values: {令和3年度: 1.2, 令和4年度: 3.4}}
      - {key: cumulative, name: 来場者数（累計）, values: {令和3年度: 1.2, 令和4年度: 4.7}}
    relations:
      - {check: running_sum, row: cumulative, of: visitors}
"""
    assert not any(isinstance(item, Finding) for item in run(text))  # 4.7 can be 1.2 + 3.4 rounded
    [found] = [item for item in run(replaced(text, "令和4年度: 4.7}", "令和4年度: 4.8}")) if isinstance(item, Finding)]
    assert found.kind == "running_sum_mismatch"
    assert (found.args["stated"], found.args["computed"]) == (Decimal("4.8"), Decimal("4.6"))
    assert found.args["rounding"].ja == "四捨五入"


def test_a_series_takes_one_line():
    text = replaced(ROWS, "{check: lag, row: base, of: members}", "{check: lag, row: base, of: [members, new]}")
    [blocked] = [item for item in run(text) if isinstance(item, Unchecked)]
    assert blocked.location.path == ("tables", 0, "relations", 2, "of")
    assert blocked.kind == "lag_mismatch"


def test_changing_any_number_of_the_running_total_fixture_is_detected(recommended):
    report = mutate_each_number(recommended, DATA / "series-rows.yaml")
    assert len(report.tried) == 28  # 30 cells, two of them —
    assert report.detected >= Decimal("0.95"), str(report)


def test_changing_any_number_of_the_column_fixture_is_detected(recommended):
    report = mutate_each_number(recommended, DATA / "series-columns.yaml")
    assert len(report.tried) == 18  # 20 cells, two of them —
    assert report.detected >= Decimal("0.95"), str(report)


def test_a_missing_year_down_the_rows(recommended):
    """Rows with years (`year:` on a row): a series down them skips no year either."""
    text = HEAD + """tables:
  - id: visitors
    title: 来館者数の推移
    columns: [{key: 来館者数}, {key: 前年度比増減}]
    rows:
      - {key: r1, name: 令和元年度, year: 令和元年度, values: {来館者数: 1200, 前年度比増減: "—"}}
      - {key: r2, name: 令和2年度, year: 令和2年度, values: {来館者数: 800, 前年度比増減: △400}}
      - {key: r4, name: 令和4年度, year: 令和4年度, values: {来館者数: 1100, 前年度比増減: 300}}
    relations:
      - {check: change, column: 前年度比増減, of: 来館者数}
"""
    items = run(text)
    [gap] = [item for item in items if isinstance(item, Unchecked)]
    assert gap.location.path == ("tables", 0, "rows", 2, "values", "前年度比増減")
    assert gap.reason.ja == "「令和2年度」と「令和4年度」の間の令和3年度の行がない（前の年度の値がない）"
    assert sum(isinstance(item, Checked) for item in items) == 1
    assert check_text(recommended, text) == []
