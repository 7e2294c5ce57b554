"""Figures restated outside the grid (FIG001-FIG009): a figure printed in a heading, a
footnote or a sentence, or a cell printed again, is encoded once with what it restates,
and checked. Each test asserts what a user relies on: the code, the span of the value to
edit, and the numbers (stated, the value or the computed one, the difference)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from checker.diagnostics import Checked, Finding, Location, Text, Unchecked
from checker.engine import Engine
from checker.functions import FUNCTIONS, load_builtin_functions, select
from checker.functions.figures import compare, convert
from checker.values import Number, parse_cell
from tests.conftest import ROOT, check_text, check_texts, load_plan_text, section_of
from tests.mutation import mutate_each_number

load_builtin_functions()

DATA = ROOT / "tests" / "data" / "figures"
FIXTURES = ("budget.yaml", "evaluation.yaml", "strategy.yaml", "survey.yaml")


def fixture(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def edited(name: str, old: str, new: str, occurrence: int = 1) -> str:
    text = fixture(name)
    assert text.count(old) >= occurrence, old
    index = -1
    for _ in range(occurrence):
        index = text.index(old, index + 1)
    return text[:index] + new + text[index + len(old):]


def run_set(recommended, replace: dict[str, str] | None = None):
    """The four fixtures checked as one plan set, some texts replaced."""
    replace = replace or {}
    return check_texts(recommended, {name: replace.get(name, fixture(name)) for name in FIXTURES})


def position(text: str, needle: str, occurrence: int = 1, after: str | None = None) -> tuple[int, int]:
    """The 1-based line and column where `needle` starts (its n-th occurrence, after `after`)."""
    index = -1 if after is None else text.index(after)
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def where(diagnostic) -> tuple[str, int, int]:
    return diagnostic.file, diagnostic.span.line, diagnostic.span.column


def figure_findings(texts: dict[str, str]) -> list:
    """What the figures function yields on a plan set of texts (findings and records)."""
    files = [load_plan_text(text, name) for name, text in texts.items()]
    for loaded in files:
        assert loaded.model is not None, loaded.findings
    out: list = []
    for target in select("plan_set", files):
        out += list(FUNCTIONS["figures"].run(target, {}))
    return out


# --- the fixtures: every figure checked, and consistent -------------------------------------


def test_the_fixtures_are_clean_and_every_figure_is_one_checked_relation(recommended):
    files = [load_plan_text(fixture(name), name) for name in FIXTURES]
    diagnostics, relations = Engine(recommended).check(files)
    assert [(d.code, d.file, d.message["en"]) for d in diagnostics] == []
    out = figure_findings({name: fixture(name) for name in FIXTURES})
    figures = sum(len(section.figures) for loaded in files
                  for section in [*loaded.model.tables, *loaded.model.themes, *loaded.model.goals,
                                  *(area for goal in loaded.model.goals for area in goal.areas)])
    assert figures == 19
    assert len(out) == figures and all(isinstance(item, Checked) for item in out)
    assert relations.unchecked == []


# --- equals: 「児童館利用者 115,953人」 ------------------------------------------------------------


def test_a_figure_that_differs_from_the_value_it_restates_is_fig001_at_the_figure(recommended):
    strategy = edited("strategy.yaml", 'value: "115,953人"', 'value: "115,935人"')
    [diagnostic] = [d for d in run_set(recommended, {"strategy.yaml": strategy}) if d.code == "FIG001"]
    assert where(diagnostic) == ("strategy.yaml", *position(strategy, '"115,935人"'))
    assert diagnostic.args["stated"] == Decimal("115935") and diagnostic.args["exact"] == Decimal("115953")
    assert diagnostic.args["difference"] == Decimal("-18")
    [related] = diagnostic.related
    assert related[1].line == position(strategy, '令和元年度: "115,953"')[0]
    assert related[0].label.ja == "「児童館の利用者数」の令和元年度の実績"
    assert "115,935" in diagnostic.message["ja"] and "115,953" in diagnostic.message["ja"]


def test_the_value_mistyped_instead_is_fig001_too_with_the_value_as_related(recommended):
    strategy = edited("strategy.yaml", 'actuals: {令和元年度: "115,953"', 'actuals: {令和元年度: "115,593"')
    found = [d for d in run_set(recommended, {"strategy.yaml": strategy}) if d.code == "FIG001"]
    [diagnostic] = found
    assert diagnostic.args["exact"] == Decimal("115593") and diagnostic.args["difference"] == Decimal("360")
    assert diagnostic.related[0][1].line == position(strategy, '"115,593"')[0]


# --- change: 「定員を134人拡大」, 「アクセス件数は113,821件」, a decrease ----------------------------


def test_a_change_that_is_not_the_difference_of_the_two_years_is_fig002(recommended):
    strategy = edited("strategy.yaml", "value: 134", "value: 143")
    [diagnostic] = [d for d in run_set(recommended, {"strategy.yaml": strategy}) if d.code == "FIG002"]
    assert where(diagnostic) == ("strategy.yaml", *position(strategy, "143"))
    args = diagnostic.args
    assert (args["stated"], args["from_value"], args["to_value"], args["exact"], args["difference"]) == (
        Decimal(143), Decimal(5210), Decimal(5344), Decimal(134), Decimal(9))
    assert [span.line for _, span in diagnostic.related] == [
        position(strategy, '平成30年度: "5,210"')[0], position(strategy, '令和元年度: "5,344"')[0]]


def test_the_increase_of_a_running_total_is_a_change_between_its_years(recommended):
    strategy = edited("strategy.yaml", 'value: "113,821件"', 'value: "113,281件"')
    [diagnostic] = [d for d in run_set(recommended, {"strategy.yaml": strategy}) if d.code == "FIG002"]
    assert diagnostic.args["exact"] == Decimal(113821) and diagnostic.args["difference"] == Decimal(-540)


def test_a_decrease_is_a_negative_change_along_a_table_row(recommended):
    survey = edited("survey.yaml", "value: △2.1", "value: 2.1")
    [diagnostic] = [d for d in run_set(recommended, {"survey.yaml": survey}) if d.code == "FIG002"]
    assert diagnostic.args["exact"] == Decimal("-2.1") and diagnostic.args["difference"] == Decimal("4.2")
    assert where(diagnostic) == ("survey.yaml", *position(survey, "2.1\n"))


def test_a_change_from_the_base_year_takes_the_baseline_as_its_actual():
    plan = """\
plan: {id: x, title: t, municipality: 小平市, kind: execution_plan, source: {seed: a.txt}}
policies:
  - title: 保育
    indicators:
      - {key: cap, name: 定員, unit: 人, baseline: {year: 令和2年度, value: 500}, actuals: {令和3年度: 530}}
    figures:
      - {value: 30, unit: 人, change: {of: {indicator: cap, field: actuals}, from: 令和2年度, to: 令和3年度}}
      - {value: 20, unit: 人, change: {of: {indicator: cap, field: actuals}, from: 令和2年度, to: 令和3年度}}
"""
    out = figure_findings({"plan.yaml": plan})
    [finding] = [item for item in out if isinstance(item, Finding)]
    assert finding.kind == "change_differs" and finding.args["from_value"] == 500
    assert finding.related[0].location.path == ("policies", 0, "indicators", 0, "baseline", "value")


# --- rank: 「35.9%と最も高く、次いで29.3%」 ------------------------------------------------------------


def test_a_rank_claim_that_does_not_hold_is_fig003_with_the_actual_rank_and_the_values_above(recommended):
    survey = edited("survey.yaml", "{key: money, name: 経済的なこと, values: {一般市民: 21.4}}",
                    "{key: money, name: 経済的なこと, values: {一般市民: 31.4}}")
    survey = survey.replace("{key: care, name: 介護に関すること, values: {一般市民: 9.6}}",
                            "{key: care, name: 介護に関すること, values: {一般市民: 0.6}}")
    survey = survey.replace("value: 21.4%", "value: 31.4%")
    [diagnostic] = [d for d in run_set(recommended, {"survey.yaml": survey}) if d.code == "FIG003"]
    assert where(diagnostic) == ("survey.yaml", *position(survey, "29.3%\n"))
    args = diagnostic.args
    assert args["position"] == 2 and args["rank"] == Text("3番目", "3rd")
    assert [text.en for text in args["above"]] == [
        "日常生活の中で不安や課題と感じていること（単数回答）, 健康に関すること (一般市民) 35.9".replace(
            "日常生活の中で不安や課題と感じていること（単数回答）", "D問11"),
        "D問11, 経済的なこと (一般市民) 31.4"]
    assert args["among"].en == "the 5 values of D問11, column 一般市民"  # the 合計 row is not an option
    assert "3番目" in diagnostic.message["ja"] and "3rd" in diagnostic.message["en"]


TIED = """\
plan: {id: x, title: t, municipality: 小金井市, kind: statistics, source: {seed: a.txt}}
tables:
  - id: q
    title: 問1
    unit: "%"
    columns: [{key: 割合}]
    rows:
      - {key: a, name: A, values: {割合: 30.0}}
      - {key: b, name: B, values: {割合: 30.0}}
      - {key: c, name: C, values: {割合: 25.0}}
      - {key: d, name: D, values: {割合: 15.0}}
    figures:
      - {value: 30.0%, rank: {position: 1, among: {table: q, column: 割合}}}
      - {value: 25.0%, rank: {position: 2, among: {table: q, column: 割合}}}
      - {value: 15.0%, rank: {position: 1, among: {table: q, column: 割合}, order: smallest}}
      - {value: 20.0%, rank: {position: 3, among: {table: q, column: 割合}}}
"""


def test_a_tie_holds_either_place_is_said_and_smallest_counts_from_the_bottom():
    out = figure_findings({"plan.yaml": TIED})
    found = [item for item in out if isinstance(item, Finding)]
    assert [item.location.path[-2] for item in found] == [1, 3]
    second, absent = found
    assert second.args["rank"] == Text("3番目", "3rd")  # two values of 30.0 above it
    assert [text.en.rsplit(" ", 1)[1] for text in second.args["above"]] == ["30.0", "30.0"]
    assert absent.args["rank"] == Text("どの値とも一致しない", "equal to none of them")
    tie = TIED.replace("{value: 25.0%, rank: {position: 2,", "{value: 30.0%, rank: {position: 3,")
    [tied] = [item for item in figure_findings({"plan.yaml": tie}) if isinstance(item, Finding)][:1]
    assert tied.args["ties"].en == " (tied with 問1, B (割合))"


# --- sum across documents: a baseline that is another document's 4-year total --------------------


def test_a_sum_of_another_documents_four_annual_values_is_checked_at_the_cell_it_is(recommended):
    evaluation = edited("evaluation.yaml", "value: 392", "value: 402")
    [diagnostic] = [d for d in run_set(recommended, {"evaluation.yaml": evaluation}) if d.code == "FIG004"]
    assert where(diagnostic) == ("evaluation.yaml", *position(evaluation, "402"))  # the baseline: `at`
    args = diagnostic.args
    assert (args["stated"], args["exact"], args["count"], args["difference"]) == (
        Decimal(402), Decimal(392), 4, Decimal(10))
    strategy = fixture("strategy.yaml")
    assert [(rel.location.file, span.line) for rel, span in diagnostic.related[:4]] == [
        ("strategy.yaml", position(strategy, "actuals: {平成29年度: 96")[0])] * 4
    assert diagnostic.related[4][0].location == Location("evaluation.yaml", ("themes", 0, "figures", 0, "at"))


def test_one_annual_value_changed_in_the_other_document_is_found_through_the_sum(recommended):
    strategy = edited("strategy.yaml", "令和元年度: 99,", "令和元年度: 109,")
    found = [d for d in run_set(recommended, {"strategy.yaml": strategy}) if d.code == "FIG004"]
    assert [where(d)[0] for d in found] == ["evaluation.yaml"]
    assert found[0].args["exact"] == Decimal(402)


def test_a_year_of_the_span_the_other_document_lacks_is_fig006_at_years(recommended):
    evaluation = edited("evaluation.yaml", "years: {start: 平成29年度", "years: {start: 平成28年度")
    [diagnostic] = [d for d in run_set(recommended, {"evaluation.yaml": evaluation}) if d.code == "FIG006"]
    assert where(diagnostic) == ("evaluation.yaml", *position(evaluation, "{start: 平成28年度"))
    assert diagnostic.args["reference"] == "平成28年度" and "平成29年度" in diagnostic.args["known"]


# --- achieved: 「…を162人と達成済」 ---------------------------------------------------------------------


def test_an_achieved_claim_the_actual_does_not_meet_is_fig005(recommended):
    strategy = edited("strategy.yaml", "targets: {令和2年度: 150}", "targets: {令和2年度: 170}")
    strategy = strategy.replace("rates: {令和元年度: 108.0%, 令和2年度: 108.0%}", "rates: {令和元年度: 95.3%, 令和2年度: 95.3%}")
    [diagnostic] = [d for d in run_set(recommended, {"strategy.yaml": strategy}) if d.code == "FIG005"]
    assert where(diagnostic) == ("strategy.yaml", *position(strategy, "令和元年度}", after="achieved:"))
    args = diagnostic.args
    assert (args["actual"], args["target"], args["rate"]) == (Decimal(162), "170", Decimal("95.3"))
    assert args["formula"].en == "actual / target"


def test_the_figure_printed_with_an_achieved_claim_is_the_actual(recommended):
    strategy = edited("strategy.yaml", "value: 162人", "value: 126人")
    [diagnostic] = [d for d in run_set(recommended, {"strategy.yaml": strategy}) if d.code == "FIG001"]
    assert where(diagnostic) == ("strategy.yaml", *position(strategy, "126人"))
    assert diagnostic.args["exact"] == Decimal(162)


ACHIEVED = """\
plan: {id: x, title: t, municipality: 小平市, kind: policy_evaluation, period: {start: 令和4年度, end: 令和4年度}, as_of: 令和4年度, source: {seed: a.txt}}
themes:
  - id: a
    title: 安全
    indicators:
      - {key: accidents, name: 交通事故件数, unit: 件, targets: {令和4年度: %s}, actuals: {令和3年度: 243, 令和4年度: %s}}
    figures:
      - {quote: 達成済, achieved: {indicator: accidents, year: 令和4年度}}
"""


@pytest.mark.parametrize(("target", "actual", "met"), [
    ("30以下", "28", True), ("30以下", "30", True), ("30以下", "31", False),
    ("30未満", "30", False), ("前年度比減", "206", True), ("前年度比減", "243", False),
    ("4以上", "4", True), ("4超", "4", False), ("250", "250", True), ("250", "249", False),
])
def test_achieved_reads_the_target_as_achievement_rates_do(target, actual, met):
    out = figure_findings({"plan.yaml": ACHIEVED % (target, actual)})
    found = [item for item in out if isinstance(item, Finding)]
    assert (found == []) == met, found
    assert Checked(Location("plan.yaml", ("themes", 0, "figures", 0, "achieved", "year"))) in out


def test_an_achieved_claim_on_a_qualitative_target_is_not_checked_and_says_why():
    out = figure_findings({"plan.yaml": ACHIEVED % ("充実", "28")})
    [record] = out
    assert isinstance(record, Unchecked) and record.reason.en == "the target is not a number (充実)"


# --- at: the same number in two places -------------------------------------------------------------


def test_a_cell_printed_again_is_checked_at_that_cell(recommended):
    budget = edited("budget.yaml", '{key: general, name: 一般会計, values: {予算額: "84,012"}}',
                    '{key: general, name: 一般会計, values: {予算額: "84,021"}}')
    [diagnostic] = [d for d in run_set(recommended, {"budget.yaml": budget}) if d.code == "FIG001"]
    assert where(diagnostic) == ("budget.yaml", *position(budget, '"84,021"'))
    assert diagnostic.args["exact"] == Decimal("84012.345")  # 千円 in 百万円, exactly
    assert diagnostic.args["computed"] == Decimal("84012") and diagnostic.args["difference"] == Decimal("8.655")
    assert diagnostic.related[0][1].line == position(budget, '"84,012,345"')[0]
    assert diagnostic.related[1][0].location.path == ("tables", 1, "figures", 0, "at")
    assert diagnostic.message["ja"].startswith("予算の概要（百万円）の「一般会計」（予算額） の数値 84,021百万円 が")


# --- units and precision --------------------------------------------------------------------------


def test_money_units_convert_exactly_and_the_figures_precision_governs():
    def number(text: str) -> Number:
        cell = parse_cell(text)
        assert isinstance(cell, Number)
        return cell

    restated = convert(number("120,012"), "百万円", "億円")
    assert (restated.value, restated.step) == (Decimal("1200.12"), Decimal("0.01"))
    assert compare(number("1,200"), [restated], None, False).kind == "ok"  # 1,200.12 rounds to 1,200
    assert compare(number("1,202"), [restated], None, False).kind == "differs"
    up = compare(number("1,201"), [restated], None, False)  # 1,200.12 rounded up
    assert up.kind == "rounded" and up.rounding is not None and up.rounding.en == "rounding up (切り上げ)"
    shown = compare(number("1,200"), [convert(number("120,082"), "百万円", "億円")], None, False)
    assert shown.kind == "rounded" and shown.rounding is not None and shown.rounding.ja == "切り捨て"
    # the figure finer than what it restates: it must round to it
    coarse = convert(number("12"), "億円", "千円")
    assert compare(number("1,234,567"), [coarse], None, False).kind == "ok"
    assert compare(number("1,354,567"), [coarse], None, False).kind == "differs"
    # a declared rounding: intervals
    assert compare(number("1,200"), [convert(number("120,082"), "百万円", "億円")], "切り捨て", False).kind == "ok"
    assert compare(number("1,200"), [convert(number("120,012"), "百万円", "億円")], "四捨五入", False).kind == "ok"
    assert compare(number("1,200"), [convert(number("120,082"), "百万円", "億円")], "四捨五入", False).kind == "differs"


def test_a_figure_matching_only_by_truncation_is_fig008_and_a_declared_truncation_is_clean(recommended):
    budget = edited("budget.yaml", "value: 840億円", "value: 839億円")
    budget = budget.replace('"84,012,345"', '"83,992,345"').replace('"115,947,345"', '"115,927,345"')
    budget = budget.replace('values: {予算額: "84,012"}', 'values: {予算額: "83,992"}')
    found = [d for d in run_set(recommended, {"budget.yaml": budget}) if d.code.startswith("FIG")]
    [diagnostic] = found
    assert diagnostic.code == "FIG008" and where(diagnostic) == ("budget.yaml", *position(budget, "839億円"))
    assert diagnostic.args["exact"] == Decimal("839.92345") and diagnostic.args["rounding"].en == "truncation (切り捨て)"
    declared = budget.replace("kind: budget\n", "kind: budget\n  rounding: {totals: 切り捨て}\n")
    declared = declared.replace("value: 26億円", "value: 25億円")  # 25.72億円, truncated
    assert [d.code for d in run_set(recommended, {"budget.yaml": declared}) if d.code.startswith("FIG")] == []


def test_a_figure_beyond_its_precision_is_fig001_with_the_rounded_value(recommended):
    budget = edited("budget.yaml", "value: 840億円", "value: 842億円")
    [diagnostic] = [d for d in run_set(recommended, {"budget.yaml": budget}) if d.code == "FIG001"]
    assert (diagnostic.args["computed"], diagnostic.args["exact"]) == (Decimal(840), Decimal("840.12345"))
    assert diagnostic.args["difference"] == Decimal("1.87655")


def test_a_theme_total_in_another_money_unit(recommended):
    evaluation = edited("evaluation.yaml", "value: 46\n", "value: 48\n")
    [diagnostic] = [d for d in run_set(recommended, {"evaluation.yaml": evaluation}) if d.code == "FIG001"]
    assert diagnostic.args["exact"] == Decimal("46.371") and diagnostic.args["unit"] == "百万円"
    assert diagnostic.related[0][0].location.path == ("themes", 0, "projects", "total")


def test_another_unit_than_money_is_fig007_and_the_numbers_are_still_compared(recommended):
    strategy = edited("strategy.yaml", 'value: "115,953人"', 'value: "115,953件"')
    found = [d for d in run_set(recommended, {"strategy.yaml": strategy}) if d.code.startswith("FIG")]
    [diagnostic] = found
    assert diagnostic.code == "FIG007" and where(diagnostic) == ("strategy.yaml", *position(strategy, '"115,953件"'))
    assert (diagnostic.args["unit"], diagnostic.args["reference_unit"]) == ("件", "人")
    wrong = edited("strategy.yaml", 'value: "115,953人"', 'value: "115,935件"')
    both = sorted(d.code for d in run_set(recommended, {"strategy.yaml": wrong}) if d.code.startswith("FIG"))
    assert both == ["FIG001", "FIG007"]
    survey = edited("survey.yaml", 'unit: "%"\n        quote: 「はい」', 'unit: "‰"\n        quote: 「はい」')
    [permille] = [d for d in run_set(recommended, {"survey.yaml": survey}) if d.code.startswith("FIG")]
    assert permille.code == "FIG007" and where(permille) == ("survey.yaml", *position(survey, '"‰"'))


# --- references: unknown, unread, of the wrong shape -----------------------------------------------


STATS = """\
plan: {id: stats, title: t, municipality: 小金井市, kind: statistics, source: {seed: a.txt}}
tables:
  - id: population
    title: 人口
    unit: 人
    columns: [{key: 令和4年}, {key: 令和5年}]
    rows:
      - key: total
        name: 総人口
        values: {令和4年: 300, 令和5年: 310}
        rows:
          - {key: men, name: 男, values: {令和4年: 140, 令和5年: 150}}
          - {key: women, name: 女, values: {令和4年: 160, 令和5年: 160}}
    figures:
      - {value: 150人, equals: %s}
"""


@pytest.mark.parametrize(("reference", "field", "name", "suggestion"), [
    ("{plan: statss, table: population, row: men, column: 令和5年}", "plan", "statss", "stats"),
    ("{table: populaton, row: men, column: 令和5年}", "table", "populaton", "population"),
    ("{table: population, row: mne, column: 令和5年}", "row", "mne", "men"),
    ("{table: population, row: men, column: 令和5}", "column", "令和5", "令和5年"),
    ("{indicator: populaton, field: actuals, year: 令和5年度}", "indicator", "populaton", None),
    ("{theme: populaton}", "theme", "populaton", None),
])
def test_an_unknown_reference_is_fig006_at_it_with_a_did_you_mean(recommended, reference, field, name, suggestion):
    text = STATS % reference
    [diagnostic] = [d for d in check_texts(recommended, {"plan.yaml": text}) if d.code.startswith("FIG")]
    assert diagnostic.code == "FIG006"
    assert where(diagnostic) == ("plan.yaml", *position(text, name, after="figures:"))
    assert diagnostic.args["reference"] == name
    if suggestion:
        assert diagnostic.args["suggestion"].en == f" (did you mean {suggestion}?)"


def test_a_row_at_any_depth_resolves(recommended):
    assert [d.code for d in check_texts(recommended, {"plan.yaml": STATS % "{table: population, row: men, column: 令和5年}"})
            if d.code.startswith("FIG")] == []


def test_an_unknown_year_of_an_indicator_names_the_years_it_has(recommended):
    text = STATS.replace("figures:", "indicators:\n      - {key: p, name: 人口, unit: 人, actuals: {令和4年度: 300, 令和5年度: 310}}\n    figures:")
    text = text % "{indicator: p, field: actuals, year: 令和6年度}"
    [diagnostic] = [d for d in check_texts(recommended, {"plan.yaml": text}) if d.code.startswith("FIG")]
    assert diagnostic.code == "FIG006" and diagnostic.args["known"] == "令和4年度, 令和5年度"
    assert where(diagnostic) == ("plan.yaml", *position(text, "令和6年度"))


def test_a_row_the_loader_could_not_read_leaves_the_figure_unchecked_not_unknown():
    text = (STATS % "{table: population, row: men, column: 令和5年}").replace(
        "{key: men, name: 男, values:", "{key: men, values:")  # no name: the row cannot be read
    out = figure_findings({"plan.yaml": text})
    [record] = out
    assert isinstance(record, Unchecked)
    assert record.location.path == ("tables", 0, "figures", 0, "equals", "row")
    assert "item 1 could not be read" in record.reason.en


def test_a_referenced_cell_that_is_not_a_number_leaves_the_figure_unchecked_at_the_cell():
    text = (STATS % "{table: population, row: men, column: 令和5年}").replace("令和5年: 150}", "令和5年: —}")
    [record] = figure_findings({"plan.yaml": text})
    assert isinstance(record, Unchecked)
    assert record.location.path == ("tables", 0, "rows", 0, "rows", 0, "values", "令和5年")
    assert record.reason.ja == "人口の「男」（令和5年）が「—」"


@pytest.mark.parametrize(("reference", "problem"), [
    ("{table: population, row: men}", "one value needs both row and column"),
    ("{table: population, row: men, column: 令和5年, year: 令和5年度}", "a table cell is named by row and column"),
    ("{indicator: p, year: 令和5年度}", "say which of the indicator's values"),
    ("{indicator: p, field: actuals}", "a value of that field needs its year"),
    ("{table: population, theme: a, row: men, column: 令和5年}", "exactly one of table, indicator, theme, figure or items"),
])
def test_a_reference_of_the_wrong_shape_is_fig009(recommended, reference, problem):
    text = STATS % reference
    [diagnostic] = [d for d in check_texts(recommended, {"plan.yaml": text}) if d.code.startswith("FIG")]
    assert diagnostic.code == "FIG009" and problem in diagnostic.args["problem"].en
    assert where(diagnostic) == ("plan.yaml", *position(text, reference))


def test_a_rank_among_one_cell_is_fig009():
    text = (STATS % "{table: population, row: men, column: 令和5年}").replace(
        "equals: {table: population, row: men, column: 令和5年}",
        "rank: {position: 1, among: {table: population, row: men, column: 令和5年}}")
    [finding] = [item for item in figure_findings({"plan.yaml": text}) if isinstance(item, Finding)]
    assert finding.kind == "reference_shape" and finding.location.path[-2:] == ("rank", "among")


# --- changing any single related number is detected -----------------------------------------------


def test_changing_any_single_number_of_the_figures_fixtures_is_detected(recommended):
    tried = missed = 0
    misses = []
    for name in FIXTURES:
        others = [load_plan_text(fixture(other), other) for other in FIXTURES if other != name]
        report = mutate_each_number(recommended, DATA / name, others=others)
        tried += len(report.tried)
        missed += len(report.missed)
        misses += [(name, path) for path in report.missed]
    assert tried >= 80
    assert Decimal(tried - missed) / tried >= Decimal("0.95"), misses
    # what is missed: targets of years not yet reported, which nothing restates
    assert all(path[-2] == "targets" and path[-1] > 2022 for _, path in misses), misses



def test_a_rank_figure_that_is_the_options_cell_ranks_that_option():
    text = TIED.replace("      - {value: 30.0%, rank: {position: 1,", "      - {at: {table: q, row: d, column: 割合}, rank: {position: 1,")
    found = [item for item in figure_findings({"plan.yaml": text}) if isinstance(item, Finding)]
    first = found[0]
    assert first.location.path == ("tables", 0, "rows", 3, "values", "割合")  # at the option's cell
    assert first.args["rank"] == Text("4番目", "4th")
    assert first.related[0].label.en == "this figure's 問1, D (割合)"


def test_a_target_stated_as_a_bound_is_restated_by_its_figure():
    plan = """\
plan: {id: x, title: t, municipality: 例示市, kind: strategy_progress, source: {seed: a.txt}}
goals:
  - id: g
    number: 1
    title: 観光
    indicators:
      - {key: tourists, name: 観光入込客数, unit: 万人, targets: {令和7年度: 277万人以上}}
    figures:
      - {value: 277万人以上, quote: (R7)277万人以上, equals: {indicator: tourists, field: targets, year: 令和7年度}}
      - {value: 272万人, quote: (R7)272万人, equals: {indicator: tourists, field: targets, year: 令和7年度}}
"""
    out = figure_findings({"plan.yaml": plan})
    assert [item.location.path[-2] for item in out if isinstance(item, Checked)] == [0, 1]
    [finding] = [item for item in out if isinstance(item, Finding)]
    assert finding.kind == "figure_differs" and finding.args["exact"] == Decimal(277)


def test_a_sum_over_a_line_of_totals_only_names_no_values_and_is_not_checked():
    text = (STATS % "{table: population, row: men, column: 令和5年}").replace(
        "equals: {table: population, row: men, column: 令和5年}", "sum: [{table: population, column: 令和5年}]")
    text = text.replace("{key: men, name: 男,", "{key: men, name: 男, role: total,").replace(
        "{key: women, name: 女,", "{key: women, name: 女, role: total,")
    [record] = figure_findings({"plan.yaml": text})
    assert isinstance(record, Unchecked) and record.reason.en == "the reference names no values"
    column = (STATS % "{table: population, row: men, column: 令和5年}").replace(
        "equals: {table: population, row: men, column: 令和5年}", "sum: [{table: population, column: 令和5年}]")
    checked, finding = figure_findings({"plan.yaml": column})  # the 総人口 row holds its sub-rows: left out
    assert isinstance(checked, Checked) and isinstance(finding, Finding)
    assert (finding.kind, finding.args["exact"], finding.args["count"]) == ("sum_differs", Decimal(310), 2)


def test_a_change_not_checked_is_listed_under_the_change_rule(recommended):
    survey = edited("survey.yaml", "{key: no, name: いいえ, values: {令和4年度調査: 12.8, 平成29年度調査: 14.9}}",
                    "{key: no, name: いいえ, values: {令和4年度調査: 12.8, 平成29年度調査: —}}")
    files = [load_plan_text(survey if name == "survey.yaml" else fixture(name), name) for name in FIXTURES]
    _, relations = Engine(recommended).check(files)
    change = [item for item in relations.unchecked if "FIG002" in item.codes]
    assert [(item.file, item.span.line, item.codes) for item in change] == [
        ("survey.yaml", position(survey, "平成29年度調査: —")[0], ("FIG002",))]
    assert change[0].reason.ja == "E問22(7)の「いいえ」（平成29年度調査）が「—」"


def test_a_figure_of_the_whole_file_is_checked_too(recommended):
    text = (STATS % "{table: population, row: men, column: 令和5年}").replace(
        "    figures:\n      - {value: 150人, equals: {table: population, row: men, column: 令和5年}}\n", "")
    text += "figures:\n  - {value: 160人, quote: 女性は160人, printed_in: text, equals: {table: population, row: men, column: 令和5年}}\n"
    [diagnostic] = [d for d in check_texts(recommended, {"plan.yaml": text}) if d.code.startswith("FIG")]
    assert diagnostic.code == "FIG001" and where(diagnostic) == ("plan.yaml", *position(text, "160人,"))


def test_the_documented_figures_are_valid_figures():
    import re

    from ruamel.yaml import YAML

    from checker.model import Figure

    doc = (ROOT / "docs" / "plan-format.md").read_text(encoding="utf-8")
    section = section_of(doc, "## Figures outside the grid")
    seen = 0

    def walk(node):
        nonlocal seen
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "figures":
                    for item in value:
                        Figure.model_validate(item)
                        seen += 1
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                if isinstance(item, dict) and (any(claim in item for claim in ("equals", "change", "rank", "sum", "achieved", "missed",
                                                                      "trend", "product"))
                                               or {"key", "quote"} <= set(item)):  # a factor
                    Figure.model_validate(item)
                    seen += 1
                else:
                    walk(item)

    for block in re.findall(r"```yaml\n(.*?)```", section, re.S):
        walk(YAML(typ="safe").load(block))
    # one per example: the intro, equals 2, change 3, rank 2, sum, achieved, at; missed 2, trend 2,
    # and the product block's 7 (a factor, the product, a count, three 40人 and their sum)
    assert seen == 22


@pytest.mark.parametrize(("name", "old", "new", "fixed"), [
    ("strategy.yaml", 'value: "115,953人"', 'value: "115,935人"', 'value: "115,953人"'),
    ("survey.yaml", "value: △2.1", "value: 2.1", "value: △2.1"),
    ("budget.yaml", '{予算額: "84,012"}', '{予算額: "84,021"}', '{予算額: "84,012"}'),
    ("evaluation.yaml", "value: 392", "value: 402", "value: 392"),
])
def test_an_unsafe_fix_rewrites_the_figure_in_its_own_style(recommended, name, old, new, fixed):
    from checker.fixes import plan_fixes

    text = edited(name, old, new)
    files = [load_plan_text(text if other == name else fixture(other), other) for other in FIXTURES]
    diagnostics = Engine(recommended).run(files)
    [loaded] = [each for each in files if each.name == name]
    assert plan_fixes(loaded, diagnostics).changed is False  # not a safe fix
    result = plan_fixes(loaded, diagnostics, unsafe=True)
    assert fixed in result.text and result.text == fixture(name)


def test_a_document_split_over_files_is_one_document_for_its_references(recommended):
    header = "plan: {id: stats, title: t, municipality: 小金井市, kind: statistics, source: {seed: a.txt}}\n"
    tables = header + (STATS % "{table: population, row: men, column: 令和5年}").split("\n", 1)[1].split("    figures:")[0]
    text = header + "figures:\n  - {value: 151人, equals: {table: population, row: men, column: 令和5年}}\n"
    diagnostics = check_texts(recommended, {"a-tables.yaml": tables, "b-text.yaml": text})
    [diagnostic] = [d for d in diagnostics if d.code.startswith("FIG")]
    assert diagnostic.code == "FIG001" and where(diagnostic) == ("b-text.yaml", *position(text, "151人"))
    assert diagnostic.related[0][0].location.file == "a-tables.yaml"
    assert diagnostic.related[0][0].label.en == "人口, 男 (令和5年) (a-tables.yaml)"


def test_a_sum_of_rounded_amounts_within_their_rounding_is_fig008_and_beyond_it_fig004():
    old = "        equals: {theme: III-1-2}\n"
    extra = ("      - {value: \"%s\", unit: 千円, sum: [{theme: III-1-2}, {theme: III-1-2}]}\n"
             "      - {value: 47, unit: 百万円, equals: {theme: III-1-2}}\n")

    def run_with(total: str) -> list[Finding]:
        evaluation = edited("evaluation.yaml", old, old + extra % total)
        texts = {"evaluation.yaml": evaluation, "strategy.yaml": fixture("strategy.yaml")}
        return [item for item in figure_findings(texts) if isinstance(item, Finding)]

    # two parts of 46,371 千円: 92,742 千円; 46,372 is beyond any rounding, 47 百万円 only rounded up
    beyond, up = run_with("46,372")
    assert (beyond.kind, beyond.args["exact"], beyond.args["count"]) == ("sum_differs", Decimal(92742), 2)
    assert (up.kind, up.args["exact"], up.args["rounding"].en) == ("figure_rounded", Decimal("46.371"),
                                                                   "rounding up (切り上げ)")
    itemised, _ = run_with("92,743")  # one unit off, within half a unit per part and the total's own
    assert (itemised.kind, itemised.args["rounding"].en) == ("figure_rounded", "rounding each part on its own")


# --- claims without a number, and figures made of others (FIG010-FIG014) ---------------------------

CLAIMS = DATA / "claims.yaml"


def claims(old: str = "", new: str = "", occurrence: int = 1) -> str:
    return edited("claims.yaml", old, new, occurrence) if old else fixture("claims.yaml")


def test_the_claims_fixture_is_clean_and_each_claim_is_one_checked_relation(recommended):
    text = claims()
    assert [(d.code, d.message["en"]) for d in check_text(recommended, text, "claims.yaml")] == []
    out = figure_findings({"claims.yaml": text})
    # 14 figures, of which 4 are factors (3 × 40人, 1名): each is part of the relation that names it
    assert len(out) == 10 and all(isinstance(item, Checked) for item in out)
    paths = {item.location.path for item in out}
    assert ("goals", 0, "figures", 3, "at") in paths  # the sum of the three 40人 against the increase
    assert ("goals", 0, "figures", 7, "trend", "direction") in paths


def test_a_missed_claim_whose_actual_meets_the_target_is_fig010_at_the_year(recommended):
    text = claims("actuals: {令和元年度: 132, 令和2年度: 130}", "actuals: {令和元年度: 132, 令和2年度: 138}")
    text = text.replace("rates: {令和元年度: 97.8%, 令和2年度: 96.3%}", "rates: {令和元年度: 97.8%, 令和2年度: 102.2%}")
    [diagnostic] = check_text(recommended, text, "claims.yaml")
    assert diagnostic.code == "FIG010"
    assert where(diagnostic) == ("claims.yaml", *position(text, "令和2年度}", after="missed: {indicator: kodaira/registered"))
    assert (diagnostic.args["actual"], diagnostic.args["target"], diagnostic.args["rate"]) == (
        Decimal(138), "135", Decimal("102.2"))
    assert diagnostic.message["ja"].startswith("「市民活動支援センターの登録団体数」 は「市民活動支援センターの登録団体数」が令和2年度に"
                                              "目標に届いていないとしていますが、実績 138 は目標 135 を達成しています")


def test_a_missed_claim_reads_the_target_as_achieved_does():
    # 30以下 is missed only above 30; 前年度比減 only when not below the previous year
    for target, actual, holds in [("30以下", "31", True), ("30以下", "30", False), ("前年度比減", "243", True),
                                  ("前年度比減", "206", False), ("250", "249", True), ("250", "250", False)]:
        plan = ACHIEVED.replace("achieved:", "missed:") % (target, actual)
        found = [item for item in figure_findings({"plan.yaml": plan}) if isinstance(item, Finding)]
        assert (found == []) == holds, (target, actual, found)
        assert all(item.kind == "target_reached" for item in found)


def test_the_figure_printed_with_a_missed_claim_restates_the_target_with_field_targets(recommended):
    text = claims("value: 100人", "value: 110人")
    [diagnostic] = check_text(recommended, text, "claims.yaml")
    assert diagnostic.code == "FIG001" and where(diagnostic) == ("claims.yaml", *position(text, "110人"))
    assert diagnostic.args["exact"] == Decimal(100) and diagnostic.args["difference"] == Decimal(10)
    assert diagnostic.related[0][0].location.path[-2:] == ("targets", 2020)


@pytest.mark.parametrize(("old", "new", "direction", "difference"), [
    # 減少 where the series rises
    ("actuals: {平成30年度: 689.0, 令和元年度: 674.2, 令和2年度: 654.4}",
     "actuals: {平成30年度: 689.0, 令和元年度: 674.2, 令和2年度: 684.4}", "a fall", "10.2"),
    # 向上 of a rate that fell
    ("actuals: {平成30年度: 50.2%, 令和元年度: 50.5%, 令和2年度: 68.9%}",
     "actuals: {平成30年度: 50.2%, 令和元年度: 50.5%, 令和2年度: 49.9%}", "an improvement", "-0.6"),
])
def test_a_trend_the_series_does_not_follow_is_fig011_at_its_direction(recommended, old, new, direction, difference):
    text = claims(old, new)
    found = [d for d in check_text(recommended, text, "claims.yaml") if d.code == "FIG011"]
    assert found, [d.code for d in check_text(recommended, text, "claims.yaml")]
    diagnostic = found[0]
    assert diagnostic.args["direction"].en == direction and diagnostic.args["difference"] == Decimal(difference)
    assert text.splitlines()[diagnostic.span.line - 1].strip().startswith("trend:")
    assert diagnostic.span.column == text.splitlines()[diagnostic.span.line - 1].index("direction:") + len("direction: ") + 1


def test_better_on_a_lower_is_better_indicator_is_a_fall():
    text = claims("        direction: lower_is_better\n", "")
    # without its direction (and no target form stating one), higher is better: 689.0 → 654.4 is worse
    found = [item for item in figure_findings({"claims.yaml": text}) if isinstance(item, Finding)]
    assert [(item.kind, item.args["difference"]) for item in found] == [("trend_differs", Decimal("-34.6"))]
    below = text.replace("targets: {令和2年度: 650.0}", "targets: {令和2年度: 650.0以下}")
    assert [item for item in figure_findings({"claims.yaml": below}) if isinstance(item, Finding)] == []


def test_flat_is_exact_equality_unless_a_tolerance_is_declared():
    wider = claims("令和元年度: 50.5%, 令和2年度: 68.9%}", "令和元年度: 50.8%, 令和2年度: 68.9%}")
    [finding] = [item for item in figure_findings({"claims.yaml": wider}) if isinstance(item, Finding)]
    assert finding.kind == "trend_differs" and finding.args["difference"] == Decimal("0.6")
    exact = claims(", direction: flat, within: 0.5}", ", direction: flat}")
    [finding] = [item for item in figure_findings({"claims.yaml": exact}) if isinstance(item, Finding)]
    assert finding.kind == "trend_differs" and finding.args["difference"] == Decimal("0.3")


def test_a_trend_states_no_number_and_within_is_for_flat_only():
    for old, new, message in [
        ("      - quote: 相談窓口の認知度は向上しました\n", "      - value: 3\n        quote: 相談窓口の認知度は向上しました\n",
         "a trend states no number"),
        (", direction: flat, within: 0.5}", ", direction: up, within: 0.5}", "`within` is the tolerance of a flat trend"),
    ]:
        loaded = load_plan_text(claims(old, new), "claims.yaml")  # the figure is dropped, with why
        assert any(message in str(f.args) for f in loaded.findings), loaded.findings
        assert len(loaded.model.goals[0].figures) == 10


def test_better_on_a_table_row_is_fig009():
    plan = """\
plan: {id: x, title: t, municipality: 小平市, kind: statistics, source: {seed: a.txt}}
tables:
  - id: t
    title: 利用者
    columns: [{key: R3}, {key: R4}]
    rows:
      - {key: users, name: 利用者数, values: {R3: 10, R4: 12}}
    figures:
      - {quote: 利用者数は改善, trend: {of: {table: t, row: users}, from: R3, to: R4, direction: better}}
      - {quote: 利用者数は増加, trend: {of: {table: t, row: users}, from: R3, to: R4, direction: up}}
"""
    out = figure_findings({"plan.yaml": plan})
    [finding] = [item for item in out if isinstance(item, Finding)]
    assert finding.kind == "reference_shape" and finding.location.path == ("tables", 0, "figures", 0, "trend", "direction")
    assert Checked(Location("plan.yaml", ("tables", 0, "figures", 1, "trend", "direction"))) in out


def test_a_product_that_does_not_hold_is_fig012_at_the_figure(recommended):
    text = claims("value: 5人", "value: 6人")
    [diagnostic] = check_text(recommended, text, "claims.yaml")
    assert diagnostic.code == "FIG012" and where(diagnostic) == ("claims.yaml", *position(text, "6人"))
    assert diagnostic.args["exact"] == Decimal(5) and diagnostic.args["difference"] == Decimal(1)
    assert diagnostic.args["reference"].en.startswith("※各圏域に1名ずつ配置されています。 × the 5 items listed (西圏域")
    assert diagnostic.fix is not None and diagnostic.fix.replacement == "5人" and not diagnostic.fix.safe
    # the factor mistyped instead: the same finding, the factor among the related values
    text = claims("value: 1名", "value: 2名")
    [diagnostic] = check_text(recommended, text, "claims.yaml")
    assert diagnostic.code == "FIG012" and diagnostic.args["exact"] == Decimal(10)
    assert diagnostic.related[0][1].line == position(text, "2名")[0]


def test_a_listed_item_added_without_its_count_is_fig013(recommended):
    text = claims("equals: {items: [講習会の開催, 動画の作成, イベントの開催]}",
                  "equals: {items: [講習会の開催, 動画の作成, イベントの開催, 講演会]}")
    [diagnostic] = check_text(recommended, text, "claims.yaml")
    assert diagnostic.code == "FIG013" and where(diagnostic) == ("claims.yaml", *position(text, "3事業"))
    assert (diagnostic.args["stated"], diagnostic.args["count"]) == (Decimal(3), 4)
    assert diagnostic.message["en"] == ("①講習会の開催 ②動画の作成 ③イベントの開催 (計 3事業) states 3, but 4 items are "
                                        "listed (講習会の開催; 動画の作成; イベントの開催; 講演会)")


def test_a_sum_of_printed_figures_against_an_increase_is_checked(recommended):
    text = claims("value: 40人", "value: 60人", occurrence=2)
    [diagnostic] = check_text(recommended, text, "claims.yaml")
    assert diagnostic.code == "FIG002" and diagnostic.args["stated"] == Decimal(140)
    assert diagnostic.args["exact"] == Decimal(120)
    assert where(diagnostic) == ("claims.yaml", *position(text, "[{figure: club-5-2}"))
    assert position(text, "60人")[0] in {related.line for _, related in diagnostic.related}


def test_a_factor_no_figure_names_is_fig014_and_an_unknown_one_fig006(recommended):
    text = claims("product: [{figure: worker-per-area}, ", "product: [{figure: worker-per-areas}, ")
    codes = {d.code: d for d in check_text(recommended, text, "claims.yaml")}
    assert set(codes) == {"FIG006", "FIG014"}
    assert codes["FIG006"].args["suggestion"].en == " (did you mean worker-per-area?)"
    assert where(codes["FIG014"]) == ("claims.yaml", *position(text, "worker-per-area"))


def test_a_figure_that_is_itself_through_at_is_fig009_not_a_loop():
    plan = """\
plan: {id: x, title: t, municipality: 小平市, kind: execution_plan, source: {seed: a.txt}}
policies:
  - title: 保育
    figures:
      - {key: a, at: {figure: b}, quote: a, equals: {figure: b}}
      - {key: b, at: {figure: a}, quote: b}
"""
    out = figure_findings({"plan.yaml": plan})
    assert {item.kind for item in out if isinstance(item, Finding)} == {"reference_shape"}


def test_a_figure_states_at_most_one_claim_and_only_a_keyed_one_none():
    plan = """\
plan: {id: x, title: t, municipality: 小平市, kind: execution_plan, source: {seed: a.txt}}
policies:
  - title: 保育
    figures:
      - {value: 5, quote: "計5"}
"""
    loaded = load_plan_text(plan, "plan.yaml")  # the figure is dropped, with why
    assert any("only a figure with a `key`" in str(f.args) for f in loaded.findings), loaded.findings
    assert loaded.model.policies[0].figures == []


def test_changing_any_single_number_of_the_claims_fixture_is_detected(recommended):
    report = mutate_each_number(recommended, CLAIMS)
    # every number: the three 40人 and the 1名 through the figures that name them, each trend's ends
    # (raised by a tenth, enough to turn these), the missed actuals and targets, the rates
    assert len(report.tried) == 38 and report.missed == []


def test_a_key_given_twice_is_fig015_at_the_second(recommended):
    text = claims("key: club-5-3", "key: club-5-2")
    found = [d for d in check_text(recommended, text, "claims.yaml") if d.code == "FIG015"]
    assert [where(d) for d in found] == [("claims.yaml", *position(text, "club-5-2", occurrence=2))]
    assert found[0].related[0][1].line == position(text, "club-5-2")[0]


def test_figures_naming_figures_too_deep_is_fig009_not_a_traceback():
    chain = "\n".join(f"      - {{key: f{n}, at: {{figure: f{n + 1}}}, quote: q{n}}}" for n in range(60))
    plan = f"""\
plan: {{id: x, title: t, municipality: 小平市, kind: execution_plan, source: {{seed: a.txt}}}}
policies:
  - title: 保育
    figures:
      - {{value: 5, quote: 計5, equals: {{figure: f0}}}}
{chain}
      - {{key: f60, value: 5, quote: q60}}
"""
    out = figure_findings({"plan.yaml": plan})
    shapes = [item for item in out if isinstance(item, Finding) and item.kind == "reference_shape"]
    assert shapes and "more than 20 deep" in shapes[0].args["problem"].en
