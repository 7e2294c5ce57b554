"""Evaluation bands (評価区分), the marks per indicator, the counts per band and the 算出方法
schedules: the KPI sheet fixture, good and bad, and each relation on a small plan, with the
code, the span of the value to edit and the numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from checker.diagnostics import Checked, Finding, NotApplicable, Unchecked
from checker.functions import FUNCTIONS, load_builtin_functions, select
from checker.functions.bands import STATED_NOTE
from tests.conftest import ROOT, check_text, load_plan_text
from tests.mutation import mutate_each_number

load_builtin_functions()

KINDS = ROOT / "tests" / "data" / "kinds"
KPI = KINDS / "kpi-sheet.yaml"
KPI_BAD = KINDS / "kpi-sheet-bad.yaml"
MARKS = KINDS / "comprehensive-plan-marks.yaml"

SCALE = """  bands:
    bands:
      - {mark: A, min: 100}
      - {mark: B+, min: 80, below: 100}
      - {mark: B, min: 50, below: 80}
      - {mark: C, below: 50}
    groups: {順調: [A, B+], 順調でない: [B, C]}
"""


def plan(body: str, scale: str = SCALE, header: str = "") -> str:
    return ("plan:\n  id: x\n  title: t\n  municipality: 例示市\n  kind: strategy_progress\n"
            "  period: {start: 令和3年度, end: 令和7年度}\n  as_of: 令和5年度\n  source: {seed: a.txt}\n"
            + header + scale + body)


def goal(*indicators: str, extra: str = "") -> str:
    return ("goals:\n  - id: g\n    number: 1\n    title: 目標\n    indicators:\n"
            + "".join(f"      - {indicator}\n" for indicator in indicators) + extra)


def run(text: str, function: str, given: str = "plans") -> list:
    loaded = load_plan_text(text)
    assert loaded.model is not None, loaded.findings
    out: list = []
    for target in select(given, [loaded]):
        out += list(FUNCTIONS[function].run(target, {}))
    return out


def findings(out: list, kind: str | None = None) -> list[Finding]:
    return [item for item in out if isinstance(item, Finding) and (kind is None or item.kind == kind)]


def bands_only(diagnostics: list) -> list:
    """The diagnostics of the band rules (a small plan's years are not all filled in)."""
    return [d for d in diagnostics if d.code.startswith(("BAND", "TGT"))]


def position(text: str, fragment: str, value: str) -> tuple[int, int]:
    """The 1-based line and column of `value` within the only line holding `fragment`."""
    lines = [(number, line) for number, line in enumerate(text.split("\n"), 1) if fragment in line]
    assert len(lines) == 1, (fragment, lines)
    number, line = lines[0]
    return number, line.index(value, line.index(fragment)) + 1


# --- the KPI sheet -----------------------------------------------------------------------


def test_the_kpi_sheet_is_clean_and_every_band_relation_is_checked(recommended):
    text = KPI.read_text(encoding="utf-8")
    assert check_text(recommended, text) == []
    bands = run(text, "evaluation_bands")
    assert not [item for item in bands if isinstance(item, (Unchecked, NotApplicable, Finding))]
    # 4 marks, 4 group members, 3 boundaries; 18 evaluations; 3 + 3 + 6 + 2 + 2 counts, each
    # listed (against the indicators) and summed, and 5 totals against the indicators
    assert len(bands) == 4 + 4 + 3 + 18 + 16 + 5 + 5
    schedules = run(text, "target_schedule", "indicators")
    assert len(schedules) == 30 and all(isinstance(item, Checked) for item in schedules)


def test_the_bad_kpi_sheet_reports_each_planted_error_at_its_value(recommended):
    text = KPI_BAD.read_text(encoding="utf-8")
    got = sorted((d.code, d.span.line, d.span.column) for d in check_text(recommended, text))
    expected = sorted([
        ("BAND003", *position(text, "mark: B+, min: 80, max: 99", "99")),
        ("BAND002", *position(text, "順調でない: [B, C, D]", "D")),
        ("TGT001", *position(text, '令和6年度: "1,330"', '"1,330"')),
        ("TGT001", *position(text, "令和4年度: 260万人以上", "260")),
        ("RATE001", *position(text, "令和4年度: 100.4%", "100.4%")),
        ("BAND005", *position(text, "{令和3年度: A, 令和4年度: A, 令和5年度: B+}", "A")),
        ("BAND006", *position(text, "令和4年度: A+", "A+")),
        ("BAND009", *position(text, "counts: {A: 2, B+: 2, B: 0, C: 0}", "2, B: 0")),
        ("BAND008", *_total_line(text, "counts: {A: 2, B+: 2, B: 0, C: 0}")),
        ("BAND006", *position(text, "順調でなない: 0", "順調でなない")),
        ("BAND009", *position(text, "counts: {順調: 3, 順調でない: 1}", "3")),
        ("BAND009", *position(text, "counts: {順調: 3, 順調でない: 1}", "1}")),
        ("FIG001", *position(text, '- value: "1,380"', '"1,380"')),
    ])
    assert got == expected


def _total_line(text: str, counts: str) -> tuple[int, int]:
    """The total printed on the line after `counts`: `total: N`."""
    lines = text.split("\n")
    index = next(i for i, line in enumerate(lines) if counts in line)
    return index + 2, lines[index + 1].index("total: ") + len("total: ") + 1


def test_the_bad_kpi_sheet_gives_the_numbers(recommended):
    by_code: dict[str, list] = {}
    for diagnostic in check_text(recommended, KPI_BAD.read_text(encoding="utf-8")):
        by_code.setdefault(diagnostic.code, []).append(diagnostic)
    gap = by_code["BAND003"][0]
    assert gap.message["ja"] == ("評価区分「B+」と「A」の間の達成率 99.1%～99.9% はどの区分にも入りません"
                                 "（達成率は 0.1% 単位で記載されています）（区分「B+」を below: 100 としてください）")
    assert [(d.args["stated"], d.args["computed"]) for d in by_code["TGT001"]] == [
        (Decimal("1330"), Decimal("1320")), (Decimal("260"), Decimal("261"))]
    assert by_code["TGT001"][1].args["exact"] == Decimal("260.1")
    assert "切り上げ" in by_code["TGT001"][1].message["ja"]
    mark = by_code["BAND005"][0]
    assert (mark.args["mark"], mark.args["expected"].en) == ("A", "B+")
    assert "94.1%" in mark.message["en"] and "240 / 255" in mark.message["en"]
    assert mark.fix is not None and mark.fix.replacement == "B+" and not mark.fix.safe
    assert by_code["BAND006"][0].args["suggestion"].en == " (did you mean A?)"
    assert by_code["BAND006"][1].args["suggestion"].en == " (did you mean 順調でない?)"
    total = by_code["BAND008"][0]
    assert (total.args["stated"], total.args["computed"]) == (Decimal(3), Decimal(4))
    counts = sorted((d.args["stated"], d.args["computed"], str(d.args["label"])) for d in by_code["BAND009"])
    assert counts == [(Decimal(1), 0, "順調でない"), (Decimal(2), 1, "B+"), (Decimal(3), 4, "順調")]


@pytest.mark.slow
def test_changing_any_number_of_the_kpi_sheet_is_detected(recommended):
    report = mutate_each_number(recommended, KPI)
    assert len(report.tried) > 80
    assert report.detected >= Decimal("0.95"), str(report)


def test_the_comprehensive_plan_graded_by_progress_with_truncated_rates_is_clean_and_checked(recommended):
    text = MARKS.read_text(encoding="utf-8")
    assert check_text(recommended, text) == []
    bands = run(text, "evaluation_bands")
    assert not [item for item in bands if isinstance(item, (Unchecked, Finding))]
    # the summary of 54 indicators the file does not list: its sum checked, its counts not applicable
    assert len([item for item in bands if isinstance(item, NotApplicable)]) == 4
    schedules = run(text, "target_schedule", "indicators")
    assert len(schedules) == 23 and all(isinstance(item, Checked) for item in schedules)


def test_a_changed_mark_of_the_comprehensive_plan_is_its_band_and_breaks_its_count(recommended):
    text = MARKS.read_text(encoding="utf-8").replace(
        "evaluations: {令和3年度: △, 令和4年度: ◎, 令和5年度: ◎}", "evaluations: {令和3年度: △, 令和4年度: ◎, 令和5年度: ○}")
    got = sorted((d.code, d.span.line, d.args["expected"].en if d.code == "BAND005" else d.args["label"])
                 for d in check_text(recommended, text))
    line = position(text, "令和4年度: ◎, 令和5年度: ○", "○")[0]
    counts = position(text, "counts: {◎: 3, ○: 1, △: 0, ×: 0}", "3")[0]
    # 交通事故 令和5年度: (268 − 300) ÷ (270 − 300) = 106.6% is ◎; the counts follow the printed marks
    assert got == [("BAND005", line, "◎"), ("BAND009", counts, "○"), ("BAND009", counts, "◎")]


@pytest.mark.slow
def test_changing_any_number_of_the_comprehensive_plan_is_detected_but_truncated_rates_within_their_interval(
        recommended):
    """Declared truncation for rates makes rates.py compare intervals, and it widens the
    operands too (208 stands for [208, 209)): a progress rate from small integers then allows
    a wide range (80.0 % of (208 − 200) ÷ (210 − 200) allows 63.6-100 %), so a stated rate
    raised by 10 % inside that range and its band is not a finding. Every other number is."""
    report = mutate_each_number(recommended, MARKS)
    assert len(report.tried) == 60
    assert report.detected >= Decimal("0.9"), str(report)
    assert all(path[-2] == "rates" for path in report.missed), str(report)


# --- the scale ---------------------------------------------------------------------------


def _scale(*bands: str, groups: str = "") -> str:
    return "  bands:\n    bands:\n" + "".join(f"      - {band}\n" for band in bands) + groups


def test_a_band_ending_at_99_leaves_99_1_to_99_9_out_when_rates_are_stated_to_0_1():
    text = plan(goal("{name: 指標, unit: 件, targets: {R5: 40}, actuals: {R5: 30}, rates: {R5: 75.0%}}"),
                _scale("{mark: A, min: 100}", "{mark: B, min: 80, max: 99}", "{mark: C, below: 80}"))
    gap = findings(run(text, "evaluation_bands"), "gap")
    assert len(gap) == 1
    assert (gap[0].args["low"].en, gap[0].args["high"].en, gap[0].args["step"]) == ("99.1%", "99.9%", Decimal("0.1"))
    assert gap[0].location.path == ("plan", "bands", "bands", 1, "max")
    assert gap[0].related[0].location.path == ("plan", "bands", "bands", 0, "min")


def test_the_same_scale_has_no_gap_when_the_document_states_whole_percents():
    text = plan(goal("{name: 指標, unit: 件, targets: {R5: 40}, actuals: {R5: 30}, rates: {R5: 75%}}"),
                _scale("{mark: A, min: 100}", "{mark: B, min: 80, max: 99}", "{mark: C, below: 80}"))
    assert findings(run(text, "evaluation_bands")) == []


def test_a_gap_between_below_and_a_later_min_and_an_overlap_give_their_rates():
    text = plan("", _scale("{mark: A, min: 100}", "{mark: B, min: 81, below: 100}", "{mark: C, below: 80}"))
    gap = findings(run(text, "evaluation_bands"), "gap")[0]
    assert (gap.args["lower"], gap.args["upper"], gap.args["low"].en, gap.args["high"].en) == ("C", "B", "80.0%", "80.9%")
    text = plan("", _scale("{mark: A, min: 100}", "{mark: B, min: 80, max: 100}", "{mark: C, below: 80}"))
    overlap = findings(run(text, "evaluation_bands"), "overlap")[0]
    assert (overlap.args["lower"], overlap.args["upper"], overlap.args["low"].en, overlap.args["high"].en) == (
        "B", "A", "100.0%", "100.0%")
    assert overlap.location.path == ("plan", "bands", "bands", 1, "max")


def test_marks_are_unique_across_widths_and_groups_name_marks(recommended):
    text = plan("", _scale("{mark: A, min: 100}", "{mark: Ａ, min: 50, below: 100}", "{mark: C, below: 50}",
                           groups="    groups: {順調: [A, B]}\n"))
    out = findings(run(text, "evaluation_bands"))
    assert [(f.kind, f.location.path) for f in out] == [
        ("duplicate_mark", ("plan", "bands", "bands", 1, "mark")),
        ("group_unknown_mark", ("plan", "bands", "groups", "順調", 1)),
    ]
    diagnostics = check_text(recommended, text)
    assert [d.code for d in diagnostics] == ["BAND001", "BAND002"]
    assert diagnostics[0].span.line == position(text, "mark: Ａ", "Ａ")[0]


# --- marks per indicator and year ----------------------------------------------------------


def test_a_mark_is_checked_against_the_recomputed_rate_not_the_stated_one():
    # the stated 100.0% is wrong (RATE001): 95 ÷ 100 = 95.0% is B+, whatever the rate says
    text = plan(goal("{name: 指標, unit: 件, targets: {R5: 100}, actuals: {R5: 95}, rates: {R5: 100.0%}, "
                     "evaluations: {R5: A}}"))
    out = findings(run(text, "evaluation_bands"), "mark_mismatch")
    assert len(out) == 1 and out[0].args["expected"].en == "B+"
    assert out[0].location.path == ("goals", 0, "indicators", 0, "evaluations", 2023)
    assert [r.location.path[-2:] for r in out[0].related] == [("actuals", 2023), ("targets", 2023)]


def test_without_a_target_the_stated_rate_is_used_and_the_record_says_so():
    text = plan(goal("{name: 指標, unit: 件, actuals: {R5: 95}, rates: {R5: 95.0%}, evaluations: {R5: A}}"))
    out = run(text, "evaluation_bands")
    checked = [item for item in out if isinstance(item, Checked) and item.location.path[-2:] == ("evaluations", 2023)]
    assert len(checked) == 1 and checked[0].note == STATED_NOTE
    mismatch = findings(out, "mark_mismatch")[0]
    assert mismatch.args["rate"].en == "the stated rate 95.0%"
    assert mismatch.related[0].location.path[-2:] == ("rates", 2023)


def test_without_a_rate_a_mark_is_unchecked_with_why():
    text = plan(goal("{name: 指標, unit: 件, targets: {R5: 100}, evaluations: {R5: A}}"))
    out = [item for item in run(text, "evaluation_bands") if isinstance(item, Unchecked)]
    assert len(out) == 1
    assert out[0].location.path[-2:] == ("evaluations", 2023)
    assert (out[0].reason.ja, out[0].reason.en) == ("実績がありません", "no actual")


def test_a_group_is_a_mark_for_any_of_its_bands_and_a_rate_in_a_gap_has_no_band():
    text = plan(goal("{name: 指標, unit: 件, targets: {R5: 100}, actuals: {R5: 95}, evaluations: {R5: 順調}}",
                     "{name: 指標2, unit: 件, targets: {R5: 100}, actuals: {R5: 40}, evaluations: {R5: 順調}}"))
    out = findings(run(text, "evaluation_bands"), "mark_mismatch")
    assert [(f.location.path[3], f.args["expected"].en) for f in out] == [(1, "C")]
    text = plan(goal("{name: 指標, unit: 件, targets: {R5: 1000}, actuals: {R5: 995}, evaluations: {R5: B}}"),
                _scale("{mark: A, min: 100}", "{mark: B, min: 80, max: 99}", "{mark: C, below: 80}"))
    out = findings(run(text, "evaluation_bands"), "mark_mismatch")
    assert out[0].args["expected"].en == "in no band" and out[0].fix is None
    assert "99.5%" in out[0].args["rate"].en


def test_a_lower_is_better_rate_is_target_over_actual():
    text = plan(goal("{name: 待機児童数, unit: 人, direction: lower_is_better, targets: {R5: 25}, actuals: {R5: 24}, "
                     "evaluations: {R5: B+}}"))
    out = findings(run(text, "evaluation_bands"), "mark_mismatch")
    assert out[0].args["expected"].en == "A" and "104.2%" in out[0].args["rate"].en


def test_evaluations_without_a_scale_and_unknown_marks_are_reported(recommended):
    text = plan(goal("{name: 指標, unit: 件, targets: {R5: 100}, actuals: {R5: 95}, evaluations: {R5: Ｂ+}}"),
                scale="")
    diagnostics = bands_only(check_text(recommended, text))
    assert [d.code for d in diagnostics] == ["BAND007"]
    assert (diagnostics[0].span.line, diagnostics[0].span.column) == position(text, "evaluations: {R5: Ｂ+}", "Ｂ+")
    text = plan(goal("{name: 指標, unit: 件, targets: {R5: 100}, actuals: {R5: 95}, evaluations: {R5: Ｂ＋}}"))
    assert bands_only(check_text(recommended, text)) == []  # the full-width form of B+ is B+
    text = plan(goal("{name: 指標, unit: 件, targets: {R5: 100}, actuals: {R5: 95}, evaluations: {R5: B-}}"))
    (unknown,) = bands_only(check_text(recommended, text))
    assert unknown.code == "BAND006" and "B+" in unknown.message["en"]


# --- counts --------------------------------------------------------------------------------


IND = ("{name: 指標%d, unit: 件, category: %s, targets: {R5: 100}, actuals: {R5: %d}}")


def test_counts_follow_the_rates_of_unmarked_indicators_by_category():
    text = plan(goal(IND % (1, "客観的指標", 120), IND % (2, "客観的指標", 90), IND % (3, "主観的指標", 30),
                     extra="    band_counts:\n"
                           "      - {year: R5, category: 客観的指標, counts: {順調: 2, 順調でない: 0}, total: 2}\n"
                           "      - {year: R5, counts: {A: 1, B+: 2, B: 0, C: 0}, total: 3}\n"))
    out = run(text, "evaluation_bands")
    bad = findings(out, "count_mismatch")
    assert [(f.location.path[-1], f.args["stated"], f.args["computed"]) for f in bad] == [
        ("B+", Decimal(2), 1), ("C", Decimal(0), 1)]
    assert bad[0].args["indicators"] == ["指標2"]
    assert bad[1].fix is not None and bad[1].fix.replacement == "1"
    assert len([item for item in out if isinstance(item, Checked) and "band_counts" in item.location.path]) == 2 + 4 + 2 + 2


def test_a_count_of_an_unknown_category_says_so():
    text = plan(goal(IND % (1, "客観的指標", 120),
                     extra="    band_counts:\n      - {year: R5, category: 客観指標, counts: {順調: 1}, total: 1}\n"))
    bad = findings(run(text, "evaluation_bands"), "count_mismatch")
    assert bad[0].args["computed"] == 0
    assert bad[0].args["hint"].en == " (no indicator is of category 客観指標 (did you mean 客観的指標?))"


def test_an_indicator_without_its_actual_leaves_the_counts_unchecked_and_one_without_a_number_target_is_not_graded():
    text = plan(goal(IND % (1, "客観的指標", 120), "{name: 未集計, unit: 件, targets: {R5: 100}, actuals: {R5: 未集計}}",
                     "{name: 定性, unit: 件, targets: {R5: 充実}}",
                     extra="    band_counts:\n      - {year: R5, counts: {A: 1}, total: 1}\n"))
    out = run(text, "evaluation_bands")
    unchecked = [item for item in out if isinstance(item, Unchecked)]
    assert [(u.location.path, u.reason.en) for u in unchecked] == [
        (("goals", 0, "indicators", 1), "未集計: no actual"), (("goals", 0, "indicators", 1), "未集計: no actual")]
    text = text.replace("{name: 未集計, unit: 件, targets: {R5: 100}, actuals: {R5: 未集計}}",
                        "{name: 未集計, unit: 件, targets: {R5: 100}, actuals: {R5: 10}}")
    assert [f.args["computed"] for f in findings(run(text, "evaluation_bands"), "count_mismatch")] == [2]


def test_counts_the_document_does_not_list_are_checked_against_their_total_only():
    text = plan("band_counts:\n  - {year: R5, counts: {A: 41, B+: 9, C: 4}, total: 55, listed: false}\n")
    out = run(text, "evaluation_bands")
    total = findings(out, "count_total_mismatch")
    assert [(f.args["stated"], f.args["computed"], f.location.path) for f in total] == [
        (Decimal(55), Decimal(54), ("band_counts", 0, "total"))]
    assert len([item for item in out if isinstance(item, NotApplicable)]) == 3


def test_labels_that_count_the_same_band_are_not_summed():
    text = plan("band_counts:\n  - {year: R5, counts: {A: 1, 順調: 3}, total: 3, listed: false}\n")
    out = run(text, "evaluation_bands")
    assert findings(out, "count_total_mismatch") == []
    (unchecked,) = [item for item in out if isinstance(item, Unchecked)]
    assert unchecked.reason.en == "A and 順調 count the same band, so their sum is not the total"


# --- schedules -----------------------------------------------------------------------------


def test_a_multiply_schedule_compounds_from_the_base_and_rounds_a_bound_up():
    text = plan(goal("{name: 観光, unit: 万人, baseline: {year: R2, value: 250}, schedule: {multiply: 1.02}, "
                     "targets: {R3: 255万人以上, R4: 260万人以上, R5: 265, R6: 271, R7: 276}}"))
    out = findings(run(text, "target_schedule", "indicators"))
    # R4: 260.1 rounded up 261; R5: 265.302 half up 265 (a plain target); R6: 270.608 → 271; R7: 276.02 → 276
    assert [(f.args["year"].year, f.args["stated"], f.args["computed"]) for f in out] == [
        (2022, Decimal(260), Decimal(261))]


def test_the_declared_rounding_for_totals_applies_to_schedule_targets():
    header = "  rounding: {totals: 切り捨て}\n"
    text = plan(goal("{name: 観光, unit: 万人, baseline: {year: R2, value: 250}, schedule: {multiply: 1.02}, "
                     "targets: {R3: 255, R4: 260, R5: 265, R6: 270, R7: 276}}"), header=header)
    assert findings(run(text, "target_schedule", "indicators")) == []


def test_a_revision_restarts_the_schedule_from_its_own_baseline():
    revision = ("{name: 利用者, unit: 人, baseline: {year: R2, value: 100}, schedule: {add: 10}, "
                "targets: {R3: 110, R4: 120, R5: 130, R6: 140, R7: 150}, "
                "revisions: [{year: R5, baseline: {year: R4, value: 80}, targets: {R5: 90, R6: 100, R7: %s}, "
                "note: 改訂}]}")
    assert findings(run(plan(goal(revision % 110)), "target_schedule", "indicators")) == []
    out = findings(run(plan(goal(revision % 120)), "target_schedule", "indicators"))
    assert [(f.location.path[-4:], f.args["computed"], f.args["base"]) for f in out] == [
        (("revisions", 0, "targets", 2025), Decimal(110), Decimal(80))]


def test_a_schedule_without_a_baseline_is_reported_once_and_each_target_unchecked(recommended):
    text = plan(goal("{name: 利用者, unit: 人, schedule: {add: 10}, targets: {R3: 110, R4: 120}}"))
    out = run(text, "target_schedule", "indicators")
    assert [f.kind for f in findings(out)] == ["no_base"]
    assert [item.location.path[-1] for item in out if isinstance(item, Unchecked)] == [2021, 2022]
    assert "TGT002" in [d.code for d in check_text(recommended, text)]


def test_a_target_that_is_no_number_or_before_the_base_year_is_not_checked_against_the_schedule():
    text = plan(goal("{name: 利用者, unit: 人, baseline: {year: R4, value: 100}, schedule: {add: 10}, "
                     "targets: {R3: 90, R4: 100, R5: 充実, R6: 120}}"))
    out = run(text, "target_schedule", "indicators")
    assert [type(item).__name__ for item in out] == ["NotApplicable", "NotApplicable", "Unchecked", "Checked"]


@pytest.mark.parametrize("scale", ["{bands: 3}", "{bands: [{mark: A, min: 100}], groups: {順調: 5}}", "[A, B]"])
def test_a_malformed_scale_is_a_load_error_at_its_value_not_a_traceback(recommended, scale):
    text = plan(goal("{name: 指標, unit: 件, targets: {R5: 100}, actuals: {R5: 95}, evaluations: {R5: A}}"),
                scale=f"  bands: {scale}\n")
    diagnostics = check_text(recommended, text)
    assert "INT001" not in [d.code for d in diagnostics]
    load = [d for d in diagnostics if d.code.startswith("LOAD")]
    assert load and load[0].span.line == position(text, "  bands: ", "bands")[0]


def test_a_band_the_loader_could_not_read_leaves_marks_and_counts_unchecked_not_wrong(recommended):
    scale = _scale("{mark: A, min: 100}", "{mark: B+, min: 80, below: 100, max: 99}", "{mark: C, below: 80}")
    text = plan(goal("{name: 指標, unit: 件, targets: {R5: 100}, actuals: {R5: 95}, evaluations: {R5: B+}}",
                     extra="    band_counts:\n      - {year: R5, counts: {B+: 1}, total: 1}\n"), scale)
    diagnostics = bands_only(check_text(recommended, text))
    assert diagnostics == []  # no gap between A and C, no unknown mark B+: the band is lost, not absent
    out = run(text, "evaluation_bands")
    reasons = {(item.location.path[-2:], item.reason.en) for item in out if isinstance(item, Unchecked)}
    assert reasons == {
        (("plan", "bands"), "of the band scale, item 2 could not be read"),
        (("evaluations", 2023), "of the band scale, item 2 could not be read"),
        (("counts", "B+"), "of the band scale, item 2 could not be read"),
    }


def test_an_indicator_the_loader_could_not_read_leaves_the_counts_over_it_unchecked():
    text = plan(goal(IND % (1, "客観的指標", 120), "{unit: 件, targets: {R5: 100}}",
                     extra="    band_counts:\n      - {year: R5, counts: {A: 1}, total: 1}\n")
                + "band_counts:\n  - {year: R5, counts: {A: 1}, total: 1}\n")
    out = run(text, "evaluation_bands")
    assert findings(out) == []
    unchecked = [(item.location.path, item.reason.en) for item in out if isinstance(item, Unchecked)]
    assert unchecked == [(("goals", 0, "band_counts", 0), "item 2 could not be read"),
                         (("band_counts", 0), "item 2 could not be read")]


def test_a_target_beyond_the_period_follows_the_schedule_too():
    text = plan(goal("{name: 利用者, unit: 人, baseline: {year: R2, value: 100}, schedule: {add: 10}, "
                     "targets: {R7: 150, R8: 170}}"))
    out = findings(run(text, "target_schedule", "indicators"))
    assert [(f.args["year"].year, f.args["computed"], f.args["years"]) for f in out] == [(2026, Decimal(160), 6)]


def test_a_band_is_named_as_the_scale_prints_it():
    from checker.functions.bands import band_range
    from checker.model import Band

    assert [band_range(Band(**ends)).ja for ends in (
        {"mark": "A", "min": 100}, {"mark": "B", "min": 80, "below": 100}, {"mark": "B", "min": 80, "max": 99},
        {"mark": "C", "below": 50}, {"mark": "C", "max": 49})] == [
        "100%以上", "80%以上100%未満", "80～99%", "50%未満", "49%以下"]


def test_two_bands_open_at_the_same_end_overlap():
    text = plan("", _scale("{mark: A, min: 80}", "{mark: B, min: 80, below: 100}", "{mark: C, below: 80}"))
    overlap = findings(run(text, "evaluation_bands"), "overlap")
    assert [(f.args["lower"], f.args["upper"], f.args["low"].en, f.args["high"].en) for f in overlap] == [
        ("A", "B", "80.0%", "99.9%")]
    text = plan("", _scale("{mark: A, min: 100}", "{mark: B, below: 100}", "{mark: C, below: 50}"))
    overlap = findings(run(text, "evaluation_bands"), "overlap")
    assert [(f.args["lower"], f.args["upper"], f.args["low"].en, f.args["high"].en) for f in overlap] == [
        ("B", "C", "no lower end", "49.9%")]


def test_counts_not_listed_need_no_scale_to_be_added_up(recommended):
    text = plan("band_counts:\n  - {year: R5, counts: {80%以上: 41, 50%以上80%未満: 9, 50%未満: 4}, total: 54, "
                "listed: false}\n", scale="")
    assert bands_only(check_text(recommended, text)) == []
    out = run(text, "evaluation_bands")
    assert [type(item).__name__ for item in out] == ["Checked"] + ["NotApplicable"] * 3
    listed = text.replace(", listed: false", "")
    assert [d.code for d in bands_only(check_text(recommended, listed))] == ["BAND007"]


def test_every_evaluation_yields_exactly_one_relation_record_at_its_mark():
    text = plan(goal("{name: 指標, unit: 件, targets: {R3: 100, R4: 100, R5: 100}, actuals: {R3: 95, R5: 50}, "
                     "rates: {R4: 90.0%}, evaluations: {R3: B+, R4: B+, R5: Z, R6: A}}",
                     "{name: 定性, unit: 件, targets: {R5: 充実}, evaluations: {R5: A}}"))
    out = run(text, "evaluation_bands")
    at_marks = [item for item in out if not isinstance(item, Finding) and "evaluations" in item.location.path]
    kinds = {(item.location.path[3], item.location.path[-1]): type(item).__name__ for item in at_marks}
    assert len(at_marks) == len(kinds) == 5
    assert kinds == {(0, 2021): "Checked", (0, 2022): "Checked", (0, 2023): "Unchecked", (0, 2024): "Unchecked",
                     (1, 2023): "Unchecked"}
    assert [item.note for item in at_marks[:2]] == [None, STATED_NOTE]
    assert at_marks[4].reason.en == "the target is not a number (充実)"


def test_original_targets_still_follow_the_schedule_and_a_revision_without_a_base_is_not_applicable():
    text = plan(goal("{name: 利用者, unit: 人, baseline: {year: R2, value: 100}, schedule: {add: -10}, "
                     "targets: {R3: 90, R4: 80, R5: 75}, revisions: [{year: R5, targets: {R5: 60}, note: 改訂}]}"))
    out = run(text, "target_schedule", "indicators")
    (off,) = findings(out)
    assert off.location.path[-2:] == ("targets", 2023) and off.args["computed"] == Decimal(70)
    assert off.args["step"].ja == "毎年 −10"
    (revised,) = [item for item in out if isinstance(item, NotApplicable)]
    assert revised.location.path[-4:] == ("revisions", 0, "targets", 2023)
