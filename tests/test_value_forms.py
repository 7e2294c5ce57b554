"""The value forms of real documents, through the loader and the recommended rules: each is
read as what it means, or is a diagnostic at the value (its code, line and column) whose
message says what is wrong in both languages. Never silently text, never a wrong number.

Each case puts one printed value into a realistic plan (a theme of a policy evaluation with
an indicator, a project list and its total; a statistics table) at a known line and column.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from checker.values import Absent, Number, Qualitative
from tests.conftest import check_text, load_plan_text

HEADER = """\
plan: {id: forms, title: 施策評価, municipality: 小平市, kind: policy_evaluation, period: {start: 令和3年度, end: 令和6年度}, as_of: 令和4年度, source: {seed: a.txt}}
themes:
  - id: II-4-11
    title: 障がい者の自立に向けた支援の充実
    indicators:
      - name: 就労移行支援の実利用者数
        unit: 人/月
        baseline: {year: 令和2年度, value: 46}
"""
# line 9: the targets, 令和3年度's first; line 10: the actual of 令和3年度
TARGET_LINE = "        targets: {{令和3年度: {value}, 令和4年度: 69, 令和5年度: 78, 令和6年度: 78}}\n"
ACTUAL_LINE = "        actuals: {{令和3年度: {value}}}\n"
PROJECTS = """\
    projects:
      year: 令和4年度
      unit: 千円
      items:
        - {{no: 1, name: 心身障害児福祉手当事業, cost: {cost}}}
        - {{no: 2, name: 障害者日常生活用具給付事業, cost: 1958}}
      total: {total}
"""
# where a value starts (columns count characters from 1, as an editor does)
VALUE_COLUMN = len("        targets: {令和3年度: ") + 1
assert len("        actuals: {令和3年度: ") + 1 == VALUE_COLUMN
COST_LINE, COST_COLUMN = 15, len("        - {no: 1, name: 心身障害児福祉手当事業, cost: ") + 1
TOTAL_LINE, TOTAL_COLUMN = 17, len("      total: ") + 1


def q(text: str) -> str:
    """`text` as a YAML double-quoted scalar: a printed value, whatever its characters."""
    return json.dumps(text, ensure_ascii=False)


def theme(target: str = "61", actual: str = "46", cost: str = "16209", total: str = "18167") -> str:
    return (HEADER + TARGET_LINE.format(value=target) + ACTUAL_LINE.format(value=actual)
            + PROJECTS.format(cost=cost, total=total))


TABLE = """\
plan: {{id: forms-stats, title: 統計資料, municipality: 小金井市, kind: statistics, source: {{seed: b.txt}}}}
tables:
  - id: population
    title: 人口
    unit: 人
    columns:
      - {{key: 令和3年, year: 令和3年}}
      - {{key: 令和4年, year: 令和4年}}
    rows:
      - {{key: young, name: 年少人口, values: {{令和3年: 14668, 令和4年: 14500}}}}
      - {{key: old, name: 老年人口, values: {{令和3年: 25592, 令和4年: {value}}}}}
      - {{key: total, name: 合計, values: {{令和3年: 40260, 令和4年: 40100}}}}
    relations:
      - {{check: sum, row: total, of: [young, old]}}
"""
TABLE_LINE, TABLE_COLUMN = 11, len("      - {key: old, name: 老年人口, values: {令和3年: 25592, 令和4年: ") + 1


def model_cell(text: str, where: str = "target", quote: bool = True):
    loaded = load_plan_text(theme(**{where: q(text) if quote else text}))
    assert loaded.model is not None, loaded.findings
    theme_model = loaded.model.themes[0]
    if where == "target":
        return theme_model.indicators[0].targets[2021]
    if where == "actual":
        return theme_model.indicators[0].actuals[2021]
    if where == "cost":
        return theme_model.projects.items[0].cost
    return theme_model.projects.total


def only(diagnostics, code):
    found = [d for d in diagnostics if d.code == code]
    assert len(found) == 1, [(d.code, d.span.line, d.span.column, d.message["en"]) for d in diagnostics]
    return found[0]


def test_the_plan_around_the_values_is_clean(recommended):
    assert check_text(recommended, theme()) == []
    assert check_text(recommended, TABLE.format(value=25600)) == []


# --- absences: read as absent, with the reason a relation says when it is not checked ------

@pytest.mark.parametrize(("text", "reason", "ja", "en"), [
    ("無し", "not_applicable", "該当なし", "not applicable"),
    ("なし", "not_applicable", "該当なし", "not applicable"),
    ("(記載なし)", "not_stated", "記載なし", "not stated"),
    ("（記載なし）", "not_stated", "記載なし", "not stated"),
    ("未集計", "not_counted", "未集計", "not yet counted"),
    ("調査中", "under_survey", "調査中", "under survey"),
    ("−", "not_applicable", "該当なし", "not applicable"),    # U+2212 alone
    ("―", "not_applicable", "該当なし", "not applicable"),    # U+2015
    ("‒", "not_applicable", "該当なし", "not applicable"),    # U+2012
    ("﹣", "not_applicable", "該当なし", "not applicable"),    # U+FE63
    ("－", "not_applicable", "該当なし", "not applicable"),    # U+FF0D
    ("…", "not_available", "数値が得られない", "no figure available"),
])
def test_absences_are_absent_with_their_reason(recommended, text, reason, ja, en):
    cell = model_cell(text, "actual")
    assert isinstance(cell, Absent) and cell.reason == reason
    assert cell.describe() == (ja, en)
    assert check_text(recommended, theme(actual=q(text))) == []  # an absent actual is not an error


def test_an_absent_cost_is_not_zero_and_not_an_error(recommended):
    cell = model_cell("無し", "cost")
    assert isinstance(cell, Absent)


# --- negatives -------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["△ 1,234", "▲ 1,234", "−1,234", "− 1,234", "△１，２３４", "△\u30001,234"])
def test_negatives_with_the_space_pdf_text_carries(text):
    cell = model_cell(text, "actual")
    assert isinstance(cell, Number) and cell.value == Decimal(-1234)


@pytest.mark.parametrize("text", ["△ 1,234", "▲ 1,234", "−1,234"])
def test_a_cost_is_never_negative_whichever_minus(recommended, text):
    diagnostic = only(check_text(recommended, theme(cost=q(text))), "LOAD006")
    assert (diagnostic.span.line, diagnostic.span.column) == (COST_LINE, COST_COLUMN)
    assert "never negative" in diagnostic.message["en"]
    assert "負になりません" in diagnostic.message["ja"]


# --- numbers with a defect: an error at the value that says what is wrong -----------------

DEFECTS = [
    # (printed, where, English words, Japanese words)
    ("2,52O", "actual", ["letter O", "is it 0?"], ["文字「O」", "0 の誤り"]),
    ("1O0", "target", ["letter O"], ["文字「O」"]),
    ("l23", "actual", ["letter l", "is it 1?"], ["文字「l」", "1 の誤り"]),
    ("２，５２Ｏ", "actual", ["letter O"], ["文字「O」"]),   # full-width, as typed in a Japanese IME
    ("約12,300", "actual", ["approximate number (約)", "cannot be checked exactly"], ["概数（約）", "正確に検査できません"]),
    ("およそ12,300", "target", ["approximate number (およそ)"], ["概数（およそ）"]),
    ("12,300人程度", "actual", ["approximate number (程度)"], ["概数（程度）"]),
    ("78,3%", "actual", ["decimal comma", "write 78.3%"], ["小数点がコンマ", "78.3% と書きます"]),
    ("0,5", "target", ["decimal comma", "write 0.5"], ["0.5 と書きます"]),
    ("(10,000", "actual", ["bracket that is not closed"], ["括弧が閉じていない"]),
    ("10,000)", "actual", ["bracket that is not closed, or not opened"], ["括弧が閉じていない（または開いていない）"]),
    ("54-60", "actual", ["two numbers (54 and 60)"], ["2つの数（54 と 60）"]),
    ("54/100", "target", ["two numbers (54 and 100)"], ["2つの数（54 と 100）"]),
    ("1.2.3", "actual", ["misplaced separators"], ["区切り記号の位置"]),
]


@pytest.mark.parametrize(("text", "where", "english", "japanese"), DEFECTS)
def test_a_number_with_a_defect_is_an_error_at_the_value(recommended, text, where, english, japanese):
    line = 9 if where == "target" else 10
    diagnostic = only(check_text(recommended, theme(**{where: q(text)})), "LOAD006")
    assert (diagnostic.span.line, diagnostic.span.column) == (line, VALUE_COLUMN)
    assert diagnostic.severity.label == "error"
    for words in english:
        assert words in diagnostic.message["en"], diagnostic.message["en"]
    for words in japanese:
        assert words in diagnostic.message["ja"], diagnostic.message["ja"]


@pytest.mark.parametrize(("text", "where"), [("2,52O", "cost"), ("約12,300", "total"), ("78,3%", "cost")])
def test_a_defect_in_a_cost_or_total_is_an_error_at_it(recommended, text, where):
    diagnostic = only(check_text(recommended, theme(**{where: q(text)})), "LOAD006")
    line, column = (COST_LINE, COST_COLUMN) if where == "cost" else (TOTAL_LINE, TOTAL_COLUMN)
    assert (diagnostic.span.line, diagnostic.span.column) == (line, column)


@pytest.mark.parametrize("text", ["充実", "継続", "年2回実施", "窓口運営開始 (令和4年度)", "計画の策定", "O157対策の推進",
                                  "3か月に1回程度"])
def test_words_with_figures_in_them_stay_qualitative_where_words_are_allowed(recommended, text):
    cell = model_cell(text, "target")
    assert isinstance(cell, Qualitative)
    assert [d.code for d in check_text(recommended, theme(target=q(text))) if d.code.startswith("LOAD")] == []


@pytest.mark.parametrize(("text", "where", "what_en", "what_ja"), [
    ("充実", "cost", "a cost or a total", "事業費や合計"),
    ("継続", "total", "a cost or a total", "事業費や合計"),
    ("4以上", "cost", "a cost or a total", "事業費や合計"),
])
def test_a_word_where_only_a_figure_makes_sense_is_an_error(recommended, text, where, what_en, what_ja):
    diagnostic = only(check_text(recommended, theme(**{where: q(text)})), "LOAD006")
    line, column = (COST_LINE, COST_COLUMN) if where == "cost" else (TOTAL_LINE, TOTAL_COLUMN)
    assert (diagnostic.span.line, diagnostic.span.column) == (line, column)
    assert f"{what_en} must be a number or an absence" in diagnostic.message["en"]
    assert f"{what_ja}は数値か値なし" in diagnostic.message["ja"]


def test_a_word_in_a_statistics_table_row_is_an_error(recommended):
    diagnostic = only(check_text(recommended, TABLE.format(value="増加")), "LOAD006")
    assert (diagnostic.span.line, diagnostic.span.column) == (TABLE_LINE, TABLE_COLUMN)
    assert "a table value must be a number or an absence" in diagnostic.message["en"]
    assert "統計表の値は数値か値なし" in diagnostic.message["ja"]


def test_a_letter_in_a_statistics_table_row_is_an_error_not_a_wrong_sum(recommended):
    diagnostics = check_text(recommended, TABLE.format(value=q("25,6OO")))
    diagnostic = only(diagnostics, "LOAD006")
    assert (diagnostic.span.line, diagnostic.span.column) == (TABLE_LINE, TABLE_COLUMN)
    assert "letter O" in diagnostic.message["en"]


# --- bracketed, provisional and estimated figures: numbers with their mark, still checked ----

def test_a_bracketed_figure_is_a_number_and_still_checked(recommended):
    for text in ("(10,000)", "（10,000）"):
        cell = model_cell(text, "actual")
        assert isinstance(cell, Number) and cell.value == 10000 and cell.bracketed
    # still in the total's relation: 16,209 + 1,958 = 18,167
    assert [d.code for d in check_text(recommended, theme(cost=q("(16,209)")))] == []
    diagnostic = only(check_text(recommended, theme(cost=q("(16,309)"))), "TOT001")
    assert (diagnostic.span.line, diagnostic.span.column) == (TOTAL_LINE, TOTAL_COLUMN)
    assert isinstance(model_cell("(※4)", "actual"), Absent)


@pytest.mark.parametrize(("text", "flag"), [("1,234（速報値）", "provisional"), ("1,234 (見込み)", "estimate"),
                                            ("1,234見込", "estimate"), ("1,234（暫定値）", "provisional")])
def test_provisional_and_estimated_figures_are_flagged_numbers(text, flag):
    cell = model_cell(text, "actual")
    assert isinstance(cell, Number) and cell.value == 1234 and cell.unit is None
    assert getattr(cell, flag) and cell.measured is None


def test_an_estimated_cost_is_still_in_its_total(recommended):
    diagnostic = only(check_text(recommended, theme(cost=q("16,309（見込み）"))), "TOT001")
    assert (diagnostic.span.line, diagnostic.span.column) == (TOTAL_LINE, TOTAL_COLUMN)


# --- float artifacts from open data: read at a sensible precision, with a note --------------

@pytest.mark.parametrize(("text", "read", "places", "quote"), [
    # as YAML numbers (open data converted as it came) and as text
    ("99.99999999999999", Decimal(100), 0, False), ("0.30000000000000004", Decimal("0.3"), 1, False),
    ("12.799999999999999", Decimal("12.8"), 1, False), ("12.799999999999999%", Decimal("12.8"), 1, True),
    ("99.99999999999999", Decimal(100), 0, True),
])
def test_a_float_artifact_is_read_with_a_note_and_the_file_is_checked(recommended, text, read, places, quote):
    cell = model_cell(text, "actual", quote=quote)
    assert isinstance(cell, Number) and (cell.value, cell.places, cell.float_artifact) == (read, places, True)
    diagnostics = check_text(recommended, theme(actual=q(text) if quote else text))
    note = only(diagnostics, "LOAD014")
    assert (note.span.line, note.span.column) == (10, VALUE_COLUMN)
    assert note.severity.label == "info"
    assert note.message["en"] == f"{text} carries a floating-point artifact; read as {read}"
    assert note.message["ja"] == f"{text} は浮動小数点の誤差を含む値のため、{read} として読みました"
    assert "LOAD006" not in [d.code for d in diagnostics]


def test_a_float_artifact_in_a_cost_is_in_its_total(recommended):
    # 16,208.999999999998 read as 16,209: the total 18,167 holds, and the file is checked
    diagnostics = check_text(recommended, theme(cost="16208.999999999998"))
    assert [(d.code, d.span.line, d.span.column) for d in diagnostics] == [("LOAD014", COST_LINE, COST_COLUMN)]
    diagnostics = check_text(recommended, theme(cost="16309.999999999998"))
    assert sorted(d.code for d in diagnostics) == ["LOAD014", "TOT001"]


def test_a_number_stated_that_precisely_is_no_artifact(recommended):
    cell = model_cell("0.1234567", "actual", quote=False)
    assert isinstance(cell, Number) and not cell.float_artifact and cell.places == 7
    diagnostic = only(check_text(recommended, theme(actual="3.14159265358979")), "LOAD006")
    assert "beyond what a plan states" in diagnostic.message["en"]


ACTIVITY_PLAN = """\
plan: {{id: forms-activity, title: 地域福祉活動計画, municipality: 小平市, kind: activity_plan, source: {{seed: c.txt}}}}
goals:
  - id: goal-1
    number: 1
    title: 誰もが参加できる地域づくり
    directions:
      - number: 3
        title: 必要な情報の発信と共有を進める
        counts:
          - {{name: 理事自宅にイベントポスター掲示, value: {value}}}
"""


@pytest.mark.parametrize("text", ["約20か所", "3か月に1回程度", "年1回"])
def test_a_stated_count_in_words_or_approximate_stays_as_printed(recommended, text):
    """An activity plan's counts are in no relation: 約20か所 and 年1回 are kept as printed."""
    loaded = load_plan_text(ACTIVITY_PLAN.format(value=q(text)))
    cell = loaded.model.goals[0].directions[0].counts[0].value
    assert isinstance(cell, Qualitative) and cell.text == text
    assert check_text(recommended, ACTIVITY_PLAN.format(value=q(text))) == []


def test_a_stated_count_with_a_letter_is_an_error(recommended):
    diagnostic = only(check_text(recommended, ACTIVITY_PLAN.format(value=q("2O か所"))), "LOAD006")
    assert (diagnostic.span.line, diagnostic.span.column) == (10, len("          - {name: 理事自宅にイベントポスター掲示, value: ") + 1)
    assert "letter O" in diagnostic.message["en"] and "文字「O」" in diagnostic.message["ja"]


@pytest.mark.parametrize(("text", "cls"), [("x", Absent), ("…", Absent), ("5未満", None), ("(25,600)", Number)])
def test_a_statistics_table_takes_its_symbols_and_bounds(recommended, text, cls):
    loaded = load_plan_text(TABLE.format(value=q(text)))
    cell = loaded.model.tables[0].rows[1].values["令和4年"]
    assert cls is None or isinstance(cell, cls)
    assert [d.code for d in check_text(recommended, TABLE.format(value=q(text))) if d.code.startswith("LOAD")] == []


def test_a_float_artifact_in_full_width_digits_is_noted_too(recommended):
    text = "９９．９９９９９９９９９９９９９９"
    note = only(check_text(recommended, theme(actual=q(text))), "LOAD014")
    assert (note.span.line, note.span.column) == (10, VALUE_COLUMN)
    assert note.message["en"] == f"{text} carries a floating-point artifact; read as 100"
