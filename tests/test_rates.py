"""The rate model of real documents: direction, declared formulas, at-most and
end-of-period targets, progress rates, truncation, rounding per kind of value, and the
relation record of every stated rate. Each case asserts the code, the span and the numbers."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from checker.diagnostics import Finding, Unchecked
from checker.functions import FUNCTIONS, select
from checker.functions.sums import compare_sum, declared_rounding
from checker.rounding import RoundingByKind
from checker.values import Unreadable, parse_cell
from tests.conftest import check_text, load_plan_text

HEADER = ("plan: {id: x, title: t, municipality: 小平市, kind: policy_evaluation, "
          "period: {start: 令和3年度, end: 令和6年度}, as_of: 令和4年度, source: {seed: a.txt}%s}\n")


def plan(indicators: list[str], header: str = "", projects: str = "") -> str:
    rows = "".join(f"      - {row}\n" for row in indicators)
    return HEADER % header + "themes:\n  - id: a\n    title: テーマ\n    indicators:\n" + rows + projects


def at(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """(line, column), 1-based, of the `occurrence`th `needle` in `text`."""
    seen = 0
    for number, line in enumerate(text.splitlines(), 1):
        start = 0
        while (column := line.find(needle, start)) >= 0:
            seen += 1
            if seen == occurrence:
                return number, column + 1
            start = column + 1
    raise AssertionError(f"{needle!r} not found")


def after(text: str, before: str, needle: str) -> tuple[int, int]:
    """(line, column) of `needle` where it follows `before`."""
    line, column = at(text, before + needle)
    return line, column + len(before)


def span(diagnostic) -> tuple[int, int]:
    return diagnostic.span.line, diagnostic.span.column


# Four years of targets, so the period is covered; 待機児童数 falls from 33 to 28.
WAITING = ("{{name: 待機児童数, unit: 人{extra}, baseline: {{year: 令和2年度, value: 40}}, "
           "targets: {{令和3年度: 30, 令和4年度: 25, 令和5年度: 20, 令和6年度: 15}}, "
           "actuals: {{令和3年度: 33, 令和4年度: 28}}, rates: {{令和3年度: {r3}, 令和4年度: {r4}}}}}")


# --- 1. direction ------------------------------------------------------------------------


def test_lower_is_better_rate_is_target_over_actual(recommended):
    # 30 / 33 = 90.91, 25 / 28 = 89.29
    text = plan([WAITING.format(extra=", direction: lower_is_better", r3="90.9%", r4="89.3%")])
    assert check_text(recommended, text) == []


def test_lower_is_better_without_declaration_says_which_formula_matches(recommended):
    text = plan([WAITING.format(extra="", r3="90.9%", r4="89.3%")])
    first, second = check_text(recommended, text)
    assert (first.code, first.severity.label) == ("RATE004", "warning")
    assert span(first) == at(text, "90.9%") and span(second) == at(text, "89.3%")
    # what was expected (33 / 30 = 110.0 %) and what the printed rate is (30 / 33)
    assert first.args["computed"] == Decimal("110.0") and first.args["stated"] == Decimal("90.9")
    assert (first.args["numerator"], first.args["denominator"]) == (30, 33)
    assert first.args["exact"] == Decimal("90.9091")
    assert "matches target / actual" in first.message["en"]
    assert "if lower is better, declare direction: lower_is_better" in first.message["en"]
    assert "目標 ÷ 実績" in first.message["ja"] and "direction: lower_is_better" in first.message["ja"]
    assert first.fix is None and second.fix is None


def test_a_rate_matching_neither_direction_is_an_unsafe_fix(recommended):
    text = plan([WAITING.format(extra=", direction: lower_is_better", r3="90.9%", r4="92.0%")])
    [diagnostic] = check_text(recommended, text)
    assert diagnostic.code == "RATE001" and span(diagnostic) == at(text, "92.0%")
    assert diagnostic.args["computed"] == Decimal("89.3")
    assert (diagnostic.args["numerator"], diagnostic.args["denominator"]) == (25, 28)
    assert "target / actual" in diagnostic.message["en"]
    assert diagnostic.fix is not None and diagnostic.fix.replacement == "89.3%" and diagnostic.fix.safe is False


def test_declared_formula_is_the_formula_used(recommended):
    # A city that prints actual / target for a lower-is-better indicator: 33 / 30 = 110.0 %.
    text = plan([WAITING.format(extra=", direction: lower_is_better, rate_formula: actual_over_target",
                                r3="110.0%", r4="112.0%")])
    assert check_text(recommended, text) == []
    # declared, the other direction's figure is a plain mismatch, not a hint
    wrong = plan([WAITING.format(extra=", rate_formula: actual_over_target", r3="90.9%", r4="112.0%")])
    [diagnostic] = check_text(recommended, wrong)
    assert diagnostic.code == "RATE001" and span(diagnostic) == at(wrong, "90.9%")
    assert diagnostic.args["computed"] == Decimal("110.0")
    # the plan's rate_formula holds for every indicator that declares none
    by_plan = plan([WAITING.format(extra="", r3="90.9%", r4="89.3%")], header=", rate_formula: target_over_actual")
    assert check_text(recommended, by_plan) == []


def test_declared_lower_is_better_and_a_rate_printed_actual_over_target(recommended):
    text = plan([WAITING.format(extra=", direction: lower_is_better", r3="110.0%", r4="89.3%")])
    [diagnostic] = check_text(recommended, text)
    assert diagnostic.code == "RATE004" and span(diagnostic) == at(text, "110.0%")
    assert diagnostic.args["computed"] == Decimal("90.9")
    assert "declare rate_formula: actual_over_target" in diagnostic.message["en"]


def test_direction_contradicting_the_target_is_reported(recommended):
    text = plan([("{name: 待機児童数, unit: 人, direction: higher_is_better, baseline: {year: 令和2年度, value: 40}, "
                  "targets: {令和3年度: 30以下, 令和4年度: 30以下, 令和5年度: 30以下, 令和6年度: 30以下}, "
                  "actuals: {令和3年度: 33}, rates: {令和3年度: 90.9%}}")])
    [diagnostic] = check_text(recommended, text)
    assert diagnostic.code == "RATE007" and span(diagnostic) == at(text, "higher_is_better")
    assert diagnostic.args["target"] == "30以下" and diagnostic.args["implied"].en == "lower is better"
    assert diagnostic.args["year"].year == 2021
    [(related, related_span)] = diagnostic.related
    assert (related_span.line, related_span.column) == at(text, "30以下") and related.label.en == "target"


# --- 2. at-most targets ------------------------------------------------------------------


@pytest.mark.parametrize("bound", ["以下", "未満"])
def test_at_most_target_is_bound_over_actual(recommended, bound):
    targets = ", ".join(f"{year}: 30{bound}" for year in ("令和3年度", "令和4年度", "令和5年度", "令和6年度"))
    row = ("{name: 交通事故件数, unit: 件, baseline: {year: 令和2年度, value: 40}, targets: {%s}, "
           "actuals: {令和3年度: 33, 令和4年度: 24}, rates: {令和3年度: 90.9%%, 令和4年度: %s}}")
    assert check_text(recommended, plan([row % (targets, "125.0%")])) == []  # 30 / 24 = 125.0
    text = plan([row % (targets, "80.0%")])  # 24 / 30: the other direction
    [diagnostic] = check_text(recommended, text)
    assert diagnostic.code == "RATE004" and span(diagnostic) == at(text, "80.0%")
    assert diagnostic.args["computed"] == Decimal("125.0")
    assert f"bound ({bound}, " in diagnostic.message["en"]
    assert "declare rate_formula: actual_over_target" in diagnostic.message["en"]
    text = plan([row % (targets, "120.0%")])
    [diagnostic] = check_text(recommended, text)
    assert diagnostic.code == "RATE001" and diagnostic.args["computed"] == Decimal("125.0")
    assert (diagnostic.args["numerator"], diagnostic.args["denominator"]) == (30, 24)


# --- 3. end-of-period targets --------------------------------------------------------------

STRATEGY = ("plan: {id: s, title: t, municipality: 小平市, kind: strategy_progress, "
            "period: {start: 平成27年度, end: 令和2年度}, as_of: 令和2年度, source: {seed: a.txt}%s}\n"
            "goals:\n  - id: g\n    number: 1\n    title: 目標\n    indicators:\n"
            "      - name: 市民農園の区画数\n        unit: 区画\n"
            "        baseline: {year: 平成26年度, value: 300}\n"
            "        targets: {%s}\n"
            "        actuals: {平成27年度: 320, 平成28年度: 350, 平成29年度: 380}\n"
            "        rates: {平成27年度: 80.0%%, 平成28年度: %s, 平成29年度: 95.0%%}\n")
END_OF_PERIOD = ", target_years: end_of_period"


def test_end_of_period_rates_are_each_against_the_one_target(recommended):
    # 320 / 400 = 80.0, 350 / 400 = 87.5, 380 / 400 = 95.0
    assert check_text(recommended, STRATEGY % (END_OF_PERIOD, "令和2年度: 400", "87.5%")) == []
    text = STRATEGY % (END_OF_PERIOD, "令和2年度: 400", "85.0%")
    [diagnostic] = check_text(recommended, text)
    assert diagnostic.code == "RATE001" and span(diagnostic) == at(text, "85.0%")
    assert diagnostic.args["computed"] == Decimal("87.5")
    assert (diagnostic.args["numerator"], diagnostic.args["denominator"]) == (350, 400)
    [(_, _actual), (label, target)] = [(rel.label, s) for rel, s in diagnostic.related]
    assert label.en == "end-of-period target" and (target.line, target.column) == at(text, "400")


def test_end_of_period_target_may_be_the_only_one_in_the_period(recommended):
    # the strategy's target printed for 令和元年度 alone: the only target in the period
    assert check_text(recommended, STRATEGY % (END_OF_PERIOD, "令和元年度: 400", "87.5%")) == []


def test_rates_without_their_target_are_reported(recommended):
    # not declared: each year's rate looks for that year's target, and none is there
    text = STRATEGY % ("", "令和2年度: 400", "87.5%")
    found = [d for d in check_text(recommended, text) if d.code == "RATE006"]
    assert [span(d) for d in found] == [at(text, "80.0%"), at(text, "87.5%"), at(text, "95.0%")]
    assert found[0].args["missing"].en == "a target for that year"
    assert "target_years: end_of_period" in found[0].help["en"]
    # declared, but the period has no target at all
    text = STRATEGY % (END_OF_PERIOD, "令和2年度: \"—\"", "87.5%")
    found = [d for d in check_text(recommended, text) if d.code == "RATE006"]
    assert len(found) == 3 and found[1].args["missing"].en == "a target for the end of the period"


# --- 4. progress rates -------------------------------------------------------------------

PROGRESS = ("{name: 市民農園の区画数, unit: 区画%s, baseline: {year: 令和2年度, value: 100}, "
            "targets: {令和3年度: 150, 令和4年度: 200, 令和5年度: 250, 令和6年度: 300}, "
            "actuals: {令和3年度: 130, 令和4年度: 150}, rates: {令和3年度: 60.0%%, 令和4年度: %s}}")


def test_progress_rate_is_from_the_baseline(recommended):
    # (130 - 100) / (150 - 100) = 60.0, (150 - 100) / (200 - 100) = 50.0
    assert check_text(recommended, plan([PROGRESS % (", rate_formula: progress", "50.0%")])) == []
    assert check_text(recommended, plan([PROGRESS % ("", "50.0%")], header=", rate_formula: progress")) == []
    text = plan([PROGRESS % (", rate_formula: progress", "75.0%")])  # 150 / 200: not a progress rate
    [diagnostic] = check_text(recommended, text)
    assert diagnostic.code == "RATE001" and span(diagnostic) == at(text, "75.0%")
    assert diagnostic.args["computed"] == Decimal("50.0")
    assert (diagnostic.args["numerator"], diagnostic.args["denominator"]) == (50, 100)
    assert "(actual - baseline) / (target - baseline)" in diagnostic.message["en"]
    assert "基準値" in diagnostic.message["ja"]
    assert [rel.label.en for rel, _ in diagnostic.related] == ["actual", "target", "baseline"]


def test_progress_rate_without_a_baseline_is_not_computable(recommended):
    text = plan([PROGRESS.replace("baseline: {year: 令和2年度, value: 100}", "baseline: {year: 令和2年度, value: \"-\"}")
                 % (", rate_formula: progress", "50.0%")])
    found = check_text(recommended, text)
    assert [(d.code, span(d)) for d in found] == [("RATE002", at(text, "60.0%")), ("RATE002", at(text, "50.0%"))]
    assert found[0].args["missing"].en == "the baseline"


# --- 5. truncation -----------------------------------------------------------------------

USES = ("{name: 利用件数, unit: 件, baseline: {year: 令和2年度, value: 380}, "
        "targets: {令和3年度: 400, 令和4年度: 400, 令和5年度: 400, 令和6年度: 400}, "
        "actuals: {令和3年度: 516.3, 令和4年度: 402.0}, rates: {令和3年度: %s, 令和4年度: 100.5%%}}")


def test_truncated_rate_is_a_warning_naming_the_rounding(recommended):
    text = plan([USES % "129.0%"])  # 516.3 / 400 = 129.075: half up 129.1, truncated 129.0
    [diagnostic] = check_text(recommended, text)
    assert (diagnostic.code, diagnostic.severity.label) == ("RATE005", "warning")
    assert span(diagnostic) == at(text, "129.0%")
    assert diagnostic.args["exact"] == Decimal("129.0750") and diagnostic.args["computed"] == Decimal("129.1")
    assert diagnostic.args["rounding"] == "切り捨て" and "切り捨て" in diagnostic.message["ja"]
    assert "truncation (切り捨て)" in diagnostic.message["en"]
    assert "rounding: {rates: 切り捨て}" in diagnostic.help["en"] and diagnostic.fix is None


def test_rate_rounded_up_names_kiriage(recommended):
    assert check_text(recommended, plan([USES % "129.1%"])) == []  # 129.075 half up; 402.0 / 400 = 100.5
    text = plan([USES % "129.1%"]).replace("402.0", "400.9").replace("100.5%", "100.3%")
    # 400.9 / 400 = 100.225: half up 100.2, rounded up 100.3
    [diagnostic] = check_text(recommended, text)
    assert diagnostic.code == "RATE005" and diagnostic.args["rounding"] == "切り上げ"
    assert span(diagnostic) == at(text, "100.3%")


def test_rounding_declared_for_rates_alone(recommended):
    projects = ("    projects:\n      unit: 千円\n      items:\n"
                "        - {no: 1, name: 事業A, cost: 100}\n        - {no: 2, name: 事業B, cost: 200}\n"
                "        - {no: 3, name: 事業C, cost: 300}\n      total: %s\n")
    # rates truncated: clean; the total 601 is still within half a unit per item (TOT002),
    # and 602 consistent only with truncation (TOT004): totals keep their default
    for total, code in (("600", None), ("601", "TOT002"), ("602", "TOT004")):
        text = plan([USES % "129.0%"], header=", rounding: {rates: 切り捨て}", projects=projects % total)
        found = check_text(recommended, text)
        assert [d.code for d in found] == ([code] if code else []), total
        if code:
            line, column = at(text, f"total: {total}")
            assert span(found[0]) == (line, column + len("total: "))
    # the same rounding for totals alone leaves the truncated rate a warning
    text = plan([USES % "129.0%"], header=", rounding: {totals: 切り捨て}", projects=projects % "602")
    assert [d.code for d in check_text(recommended, text)] == ["RATE005"]


def test_total_consistent_only_with_truncation(recommended):
    projects = ("    projects:\n      unit: 千円\n      items:\n"
                "        - {no: 1, name: 事業A, cost: 100}\n        - {no: 2, name: 事業B, cost: 200}\n"
                "        - {no: 3, name: 事業C, cost: 300}\n      total: %s\n")
    text = plan([], projects=projects % "602").replace("    indicators:\n", "")
    [diagnostic] = check_text(recommended, text)
    assert (diagnostic.code, diagnostic.severity.label) == ("TOT004", "warning")
    assert span(diagnostic) == (at(text, "602")[0], at(text, "602")[1])
    assert diagnostic.args["stated"] == 602 and diagnostic.args["computed"] == 600
    assert diagnostic.args["difference"] == 2 and diagnostic.args["allowance"] == Decimal("1.5")
    assert diagnostic.args["rounding"] == "切り捨て" and diagnostic.args["rounding_name"].en == "truncation (切り捨て)"
    assert "rounding: {totals: 切り捨て}" in diagnostic.help["en"]
    # below the items: rounding up explains it; beyond one unit per item nothing does
    [diagnostic] = check_text(recommended, text.replace("total: 602", "total: 598"))
    assert diagnostic.code == "TOT004" and diagnostic.args["rounding"] == "切り上げ"
    # less than one unit per item: 3 units over 3 items is more than truncation can lose
    [diagnostic] = check_text(recommended, text.replace("total: 602", "total: 603"))
    assert diagnostic.code == "TOT001" and diagnostic.args["difference"] == 3


def test_compare_sum_outcomes():
    def number(text: str):
        return parse_cell(text)

    parts = [number("100.9"), number("200.9"), number("300.9")]

    def outcome(stated: str, half_unit_per_item: bool = True) -> tuple[str, dict[str, Any]]:
        found = compare_sum(number(stated), parts, None, half_unit_per_item=half_unit_per_item)
        assert found is not None, stated
        return found

    assert compare_sum(number("602.7"), parts, None) is None
    assert outcome("602.8")[0] == "within_rounding"  # within ±0.15
    kind, args = outcome("602.9")
    assert kind == "truncated" and args["rounding"] == "切り捨て" and args["difference"] == Decimal("0.2")
    kind, args = outcome("602.5")
    assert kind == "truncated" and args["rounding"] == "切り上げ" and args["difference"] == Decimal("-0.2")
    kind, args = outcome("602.9", half_unit_per_item=False)
    assert kind == "beyond_rounding" and args["allowance"] == 0  # exact counts: no truncation either
    assert compare_sum(number("602.9"), parts, "切り捨て") is None
    assert outcome("603.0")[0] == "beyond_rounding"


def test_declared_rounding_per_kind_of_value():
    def node(rounding):
        return SimpleNamespace(rounding=rounding)

    plan_of = lambda rounding: SimpleNamespace(plan=SimpleNamespace(rounding=rounding))  # noqa: E731
    assert declared_rounding(node(None), plan_of("切り捨て"), "rates") == "切り捨て"
    assert declared_rounding(node("四捨五入"), plan_of("切り捨て"), "totals") == "四捨五入"
    by_kind = RoundingByKind(rates="切り捨て")
    assert declared_rounding(node(by_kind), plan_of(None), "rates") == "切り捨て"
    assert declared_rounding(node(by_kind), plan_of(None), "totals") is None
    assert declared_rounding(node(by_kind), plan_of("切り上げ"), "totals") == "切り上げ"
    assert declared_rounding(SimpleNamespace(), plan_of(RoundingByKind(totals="四捨五入")), "rates") is None
    with pytest.raises(ValueError, match=r"rounding is declared for .*, not 'counts'"):
        declared_rounding(node(None), plan_of(None), "counts")


def test_table_ratio_rows_take_the_rates_rounding(recommended):
    table = ("plan: {id: x, title: t, municipality: 小金井市, kind: statistics, source: {seed: a.txt}, "
             "rounding: {rates: 切り捨て}}\ntables:\n  - id: t\n    title: 表\n    unit: 人\n"
             "    columns: [{key: R4}]\n    rows:\n      - {key: old, name: 生産年齢人口, values: {R4: 80907}}\n"
             "      - {key: total, name: 合計, values: {R4: 121167}}\n"
             "      - {key: rate, name: 生産年齢人口の割合, unit: \"%\", values: {R4: %s}}\n"
             "    relations:\n      - {check: ratio, row: rate, numerator: old, denominator: total, scale: 100, places: 1}\n")
    # 80907 / 121167 = 66.773…: truncated 66.7 is clean, 66.8 (half up) is not
    assert check_text(recommended, table.replace("%s", "66.7")) == []
    [diagnostic] = check_text(recommended, table.replace("%s", "66.8"))
    assert diagnostic.code == "TAB002" and diagnostic.args["computed"] == Decimal("66.7")


def test_components_consistent_only_with_truncation(recommended):
    text = ("plan: {id: x, title: t, municipality: 小平市, kind: strategy_progress, as_of: R2, source: {seed: a.txt}}\n"
            "goals:\n  - id: g\n    number: 1\n    title: 目標\n    indicators:\n"
            "      - {key: area, name: 面積, unit: ha, actuals: {R2: 3.2}}\n"
            "      - {key: a1, name: 区域1, unit: ha, component_of: area, actuals: {R2: 1.0}}\n"
            "      - {key: a2, name: 区域2, unit: ha, component_of: area, actuals: {R2: 1.0}}\n"
            "      - {key: a3, name: 区域3, unit: ha, component_of: area, actuals: {R2: 1.0}}\n")
    [diagnostic] = check_text(recommended, text)
    assert diagnostic.code == "TOT005" and span(diagnostic) == at(text, "3.2")
    assert diagnostic.args["difference"] == Decimal("0.2") and diagnostic.args["rounding"] == "切り捨て"


# --- 7. relation records -----------------------------------------------------------------

RECORDS = plan([
    # 0: checked in 令和3・4年度; 令和5年度 is after the as-of year with no actual yet
    ("{name: 相談件数, unit: 件, baseline: {year: 令和2年度, value: 40}, targets: {令和3年度: 50, 令和4年度: 60, "
     "令和5年度: 70, 令和6年度: 80}, actuals: {令和3年度: 45, 令和4年度: 60}, "
     "rates: {令和3年度: 90.0%, 令和4年度: 100.0%, 令和5年度: \"—\"}}"),
    # 1: 令和4年度 has no target
    ("{name: 登録者数, unit: 人, targets: {令和3年度: 10, 令和4年度: \"—\", 令和5年度: 12, 令和6年度: 13}, "
     "actuals: {令和3年度: 10, 令和4年度: 11}, rates: {令和3年度: 100.0%, 令和4年度: 110.0%}}"),
    # 2: a qualitative target, and a year with no actual
    ("{name: 講座の実施, unit: 回, targets: {令和3年度: 充実, 令和4年度: 5, 令和5年度: 5, 令和6年度: 5}, "
     "actuals: {令和3年度: 4}, rates: {令和3年度: 100.0%, 令和4年度: 80.0%}}"),
    # 3: a zero target, and a relative target whose previous actual is missing
    ("{name: 苦情件数, unit: 件, targets: {令和3年度: 0, 令和4年度: 前年度比減, 令和5年度: 前年度比減, 令和6年度: 前年度比減}, "
     "actuals: {令和4年度: 3}, rates: {令和3年度: 0.0%, 令和4年度: 100.0%}}"),
    # 4: a target and an actual but no stated rate: not a relation
    ("{name: 参加者数, unit: 人, targets: {令和3年度: 10, 令和4年度: 10, 令和5年度: 10, 令和6年度: 10}, "
     "actuals: {令和3年度: 9}}"),
])


def records(text: str, mutate=None) -> list[tuple[str, tuple[int, int], str]]:
    loaded = load_plan_text(text)
    assert loaded.model is not None, loaded.findings
    if mutate is not None:
        mutate(loaded.model)
    found = []
    for target in select("indicators", [loaded]):
        for item in FUNCTIONS["achievement_rate"].run(target, {}):
            span_of = loaded.nearest_span(item.location.path)
            where = (span_of.line, span_of.column)
            if isinstance(item, Finding):
                found.append((item.kind, where, ""))
            else:
                reason = getattr(item, "reason", None)
                found.append((type(item).__name__, where, reason.en if reason else ""))
    return found


def test_every_stated_rate_is_one_relation_record():
    text = RECORDS
    assert records(text) == [
        ("Checked", at(text, "90.0%"), ""),
        ("Checked", at(text, "100.0%", 1), ""),
        ("NotApplicable", at(text, '"—"}}'), "a year after the as-of year, with no actual yet"),
        ("Checked", at(text, "100.0%", 2), ""),
        ("no_target", at(text, "110.0%"), ""),
        ("Unchecked", at(text, "110.0%"), "the target is absent (—)"),
        ("Unchecked", at(text, "100.0%", 3), "the target is not a number (充実)"),
        ("not_computable", at(text, "80.0%"), ""),
        ("Unchecked", at(text, "80.0%"), "no actual"),
        ("not_computable", after(text, "{令和3年度: ", "0.0%"), ""),  # no actual for 令和3年度
        ("Unchecked", after(text, "{令和3年度: ", "0.0%"), "no actual"),
        ("not_computable", at(text, "100.0%", 4), ""),
        ("Unchecked", at(text, "100.0%", 4), "no previous actual"),
    ]


def test_unchecked_reasons_are_in_both_languages_and_name_the_relation():
    loaded = load_plan_text(RECORDS)
    [target] = select("indicators", [loaded])[1:2]
    unchecked = [item for item in FUNCTIONS["achievement_rate"].run(target, {}) if isinstance(item, Unchecked)]
    [item] = unchecked
    assert item.reason.ja == "目標が記載されていません（—）"
    assert item.relation.ja == "「登録者数」の令和4年度の達成率"
    assert item.relation.en == "achievement rate of 登録者数 for 令和4年度 (FY2022)"


def test_a_year_with_no_target_is_not_checked_and_reported():
    text = plan([("{name: 登録者数, unit: 人, targets: {令和3年度: 10, 令和5年度: 12, 令和6年度: 13}, "
                  "actuals: {令和3年度: 10, 令和4年度: 11}, rates: {令和3年度: 100.0%, 令和4年度: 110.0%}}")])
    assert records(text) == [
        ("Checked", at(text, "100.0%"), ""),
        ("no_target", at(text, "110.0%"), ""),
        ("Unchecked", at(text, "110.0%"), "no target for that year"),
    ]


def test_zero_denominator_and_unreadable_operands_are_not_checked():
    text = plan([("{name: 苦情件数, unit: 件, targets: {令和3年度: 0, 令和4年度: 5, 令和5年度: 5, 令和6年度: 5}, "
                  "actuals: {令和3年度: 2, 令和4年度: 4}, rates: {令和3年度: 0.0%, 令和4年度: 80.0%}}")])
    assert records(text) == [
        ("not_computable", after(text, "{令和3年度: ", "0.0%"), ""),
        ("Unchecked", after(text, "{令和3年度: ", "0.0%"), "the denominator is zero"),
        ("Checked", at(text, "80.0%"), ""),
    ]

    def unreadable(model):
        model.themes[0].indicators[0].actuals[2022] = Unreadable("4x", "unreadable")

    assert records(text, unreadable)[-1] == ("Unchecked", at(text, "80.0%"), "the actual is an unreadable value")


def test_a_future_rate_with_an_actual_is_checked():
    # an actual after the as-of year is year_coverage's finding; its rate is still checked
    text = plan([("{name: 相談件数, unit: 件, targets: {令和3年度: 50, 令和4年度: 60, 令和5年度: 70, 令和6年度: 80}, "
                  "actuals: {令和5年度: 70}, rates: {令和5年度: 100.0%, 令和6年度: 90.0%}}")])
    assert records(text) == [
        ("Checked", at(text, "100.0%"), ""),
        ("NotApplicable", at(text, "90.0%"), "a year after the as-of year, with no actual yet"),
    ]


def test_records_are_checked_or_not_for_every_stated_rate_only():
    kinds = {kind for kind, _, _ in records(RECORDS)}
    assert {"Checked", "Unchecked", "NotApplicable"} <= kinds
    assert not any(item.location.path[-2] != "rates"
                   for target in select("indicators", [load_plan_text(RECORDS)])
                   for item in FUNCTIONS["achievement_rate"].run(target, {}) if not isinstance(item, Finding))


# --- declarations that cannot be read --------------------------------------------------------


def test_a_rounding_for_an_unknown_kind_of_value_is_a_load_error_with_a_did_you_mean(recommended):
    text = plan([], header=", rounding: {rate: 切り捨て}").replace("    indicators:\n", "")
    [diagnostic] = check_text(recommended, text)
    assert diagnostic.code == "LOAD006" and span(diagnostic) == at(text, "{rate: 切り捨て}")
    assert "did you mean rates?" in diagnostic.message["en"]
    assert "rates（達成率・比率）と totals（合計）" in diagnostic.message["ja"]
    text = plan([], header=", rounding: 切り下げ").replace("    indicators:\n", "")
    [diagnostic] = check_text(recommended, text)
    assert diagnostic.code == "LOAD006" and "四捨五入・切り捨て・切り上げ" in diagnostic.message["ja"]
    assert span(diagnostic) == at(text, "切り下げ")
