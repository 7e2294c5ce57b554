"""The four core checks: code, span and numbers of each diagnostic."""

from __future__ import annotations

from decimal import Decimal

from tests.conftest import check_text, check_texts, codes

EVAL = ("plan: {id: x, title: t, municipality: 小平市, kind: policy_evaluation, "
        "period: {start: 令和3年度, end: 令和6年度}, as_of: 令和4年度, source: {seed: a.txt}}\n")


def projects(items: list[int | str], total: int | str, unit: str = "千円") -> str:
    rows = "".join(f"        - {{no: {n}, name: 事業{n}, cost: {cost}}}\n" for n, cost in enumerate(items, 1))
    return EVAL + f"themes:\n  - id: a\n    title: t\n    projects:\n      unit: {unit}\n      items:\n{rows}      total: {total}\n"


def indicator(targets: str, actuals: str, rates: str, baseline: str = "{year: 令和2年度, value: 46}", unit: str = "人/月") -> str:
    return EVAL + (
        "themes:\n  - id: a\n    title: t\n    indicators:\n"
        f"      - name: 指標\n        unit: {unit}\n        baseline: {baseline}\n"
        f"        targets: {targets}\n        actuals: {actuals}\n        rates: {rates}\n"
    )


# --- totals ---


def test_exact_total_passes(recommended):
    assert check_text(recommended, projects([19, 2377, 3851, 8379, 6091, 14326, 41, 11287], 46371)) == []


def test_total_within_rounding_is_a_warning_with_both_numbers(recommended):
    [diagnostic] = check_text(recommended, projects([16209, 1958, 401958], 420124))
    assert diagnostic.code == "TOT002" and diagnostic.severity.label == "warning"
    assert (diagnostic.span.line, diagnostic.span.column) == (11, 14)
    assert diagnostic.args["stated"] == 420124 and diagnostic.args["computed"] == 420125
    assert diagnostic.args["difference"] == -1 and diagnostic.args["allowance"] == Decimal("1.5")
    assert "420,124" in diagnostic.message["en"] and "420,125" in diagnostic.message["ja"]
    assert [rel.label.en for rel, _ in diagnostic.related] == ["item 1", "item 2", "item 3"]
    assert [span.line for _, span in diagnostic.related] == [8, 9, 10]


def test_total_beyond_rounding_is_an_error(recommended):
    [diagnostic] = check_text(recommended, projects([16209, 1958, 401958], 421125))
    assert diagnostic.code == "TOT001" and diagnostic.severity.label == "error"
    assert diagnostic.args["difference"] == 1000
    assert "421,125" in diagnostic.message["en"] and "420,125" in diagnostic.message["en"]


def test_absent_items_do_not_count(recommended):
    assert check_text(recommended, projects([100, '"—"', 200], 300)) == []


# --- achievement rates ---


def test_rates_actual_over_target(recommended):
    text = indicator("{令和3年度: 61, 令和4年度: 69, 令和5年度: 78, 令和6年度: 78}", "{令和3年度: 46, 令和4年度: 54}",
                     "{令和3年度: 75.4%, 令和4年度: 78.3%}")
    assert check_text(recommended, text) == []


def test_wrong_rate_names_the_formula_and_is_fixable(recommended):
    text = indicator("{令和3年度: 61, 令和4年度: 69, 令和5年度: 78, 令和6年度: 78}", "{令和3年度: 46, 令和4年度: 54}",
                     "{令和3年度: 75.4%, 令和4年度: 73.8%}")
    [diagnostic] = check_text(recommended, text)
    assert diagnostic.code == "RATE001"
    assert (diagnostic.span.line, diagnostic.span.column) == (11, 38)
    assert diagnostic.args["computed"] == Decimal("78.3") and diagnostic.args["stated"] == Decimal("73.8")
    assert (diagnostic.args["numerator"], diagnostic.args["denominator"]) == (54, 69)
    assert "actual / target" in diagnostic.message["en"] and "実績 ÷ 目標" in diagnostic.message["ja"]
    assert "令和4年度" in diagnostic.message["ja"] and "FY2022" in diagnostic.message["en"]
    assert diagnostic.fix is not None and diagnostic.fix.replacement == "78.3%"


def test_rate_for_decrease_target_is_previous_over_current(recommended):
    text = indicator("{令和3年度: 前年度比減, 令和4年度: 前年度比減, 令和5年度: 前年度比減, 令和6年度: 前年度比減}",
                     "{令和3年度: 674.2, 令和4年度: 654.4}", "{令和3年度: 102.2%, 令和4年度: 103.0%}",
                     baseline="{year: 令和2年度, value: 689.0}", unit="ｇ")
    assert check_text(recommended, text) == []
    wrong = text.replace("103.0%", "99.0%")
    [diagnostic] = check_text(recommended, wrong)
    assert diagnostic.code == "RATE001" and diagnostic.args["computed"] == Decimal("103.0")
    assert "previous actual / current actual" in diagnostic.message["en"]
    # current/previous, the other direction's answer: a warning that says so, not an error
    [diagnostic] = check_text(recommended, text.replace("103.0%", "97.1%"))
    assert diagnostic.code == "RATE004" and diagnostic.args["computed"] == Decimal("103.0") and diagnostic.fix is None
    assert "current actual / previous actual" in diagnostic.message["en"]


def test_rate_for_not_above_and_about_same(recommended):
    accidents = indicator("{令和3年度: 前年以下, 令和4年度: 前年以下, 令和5年度: 前年以下, 令和6年度: 前年以下}",
                          "{令和3年度: 243, 令和4年度: 206}", "{令和3年度: 106.6%, 令和4年度: 118.0%}",
                          baseline="{year: 令和2年度, value: 259}", unit="件")
    assert check_text(recommended, accidents) == []
    households = indicator("{令和3年度: 1300, 令和4年度: 前年比同程度, 令和5年度: 前年比同程度, 令和6年度: 前年比同程度}",
                           "{令和3年度: 1248, 令和4年度: 1253}", "{令和3年度: 96.0%, 令和4年度: 100.4%}",
                           baseline="{year: 令和2年度, value: 1246}", unit="世帯")
    assert check_text(recommended, households) == []
    [diagnostic] = check_text(recommended, households.replace("100.4%", "99.6%"))
    assert diagnostic.args["computed"] == Decimal("100.4")
    assert "current actual / previous actual" in diagnostic.message["en"]


def test_rate_for_bound_is_actual_over_bound(recommended):
    text = indicator("{令和3年度: 4以上, 令和4年度: 4以上, 令和5年度: 4以上, 令和6年度: 4以上}", "{令和3年度: 3}",
                     "{令和3年度: 75.0%}", unit="件", baseline="{year: 令和2年度, value: 2}")
    assert check_text(recommended, text) == []
    [diagnostic] = check_text(recommended, text.replace("75.0%", "80.0%"))
    assert "bound" in diagnostic.message["en"] and diagnostic.args["computed"] == Decimal("75.0")


def test_qualitative_targets_have_no_rate(recommended):
    text = indicator("{令和3年度: 充実, 令和4年度: 充実, 令和5年度: 充実, 令和6年度: 充実}", "{令和3年度: 5}", "{令和3年度: 100.0%}")
    assert check_text(recommended, text) == []


def test_rate_without_actual_is_reported(recommended):
    text = indicator("{令和3年度: 61, 令和4年度: 69, 令和5年度: 78, 令和6年度: 78}", "{令和3年度: 46}",
                     "{令和3年度: 75.4%, 令和4年度: 78.3%}")
    [diagnostic] = check_text(recommended, text)
    assert diagnostic.code == "RATE002" and diagnostic.severity.label == "warning"


# --- years ---


def test_missing_target_year(recommended):
    text = indicator("{令和3年度: 61, 令和4年度: 69, 令和6年度: 78}", "{令和3年度: 46}", "{令和3年度: 75.4%}")
    [diagnostic] = check_text(recommended, text)
    assert diagnostic.code == "YEAR001"
    assert [year.year for year in diagnostic.args["missing"]] == [2023]
    assert diagnostic.span.line == 9  # the targets key
    assert "令和5年度" in diagnostic.message["ja"]


def test_actual_after_as_of_and_outside_period(recommended):
    text = indicator("{令和3年度: 61, 令和4年度: 69, 令和5年度: 78, 令和6年度: 78, 令和7年度: 80}",
                     "{令和3年度: 46, 令和5年度: 60}", "{令和3年度: 75.4%}")
    found = check_text(recommended, text)
    assert codes(found) == ["YEAR004", "YEAR002"]
    outside, after = found
    assert outside.args["year"].year == 2025 and outside.span.line == 9
    assert after.args["year"].year == 2023 and after.span.line == 10 and after.span.column == 30


def test_baseline_inside_period(recommended):
    text = indicator("{令和3年度: 61, 令和4年度: 69, 令和5年度: 78, 令和6年度: 78}", "{}", "{}",
                     baseline="{year: 令和3年度, value: 46}")
    [diagnostic] = check_text(recommended, text)
    assert diagnostic.code == "YEAR003" and diagnostic.span.line == 8


# --- units ---


def test_written_unit_must_match(recommended):
    text = indicator("{令和3年度: 61, 令和4年度: 69, 令和5年度: 78, 令和6年度: 78}", "{令和3年度: 46件}", "{令和3年度: 75.4%}")
    [diagnostic] = check_text(recommended, text)
    assert diagnostic.code == "UNIT001" and diagnostic.args["written"] == "件" and diagnostic.args["declared"] == "人/月"
    assert diagnostic.span.line == 10


def test_value_unit_matching_the_counted_thing_passes(recommended):
    text = indicator("{令和3年度: 61, 令和4年度: 69, 令和5年度: 78, 令和6年度: 78}", "{令和3年度: 46人}", "{令和3年度: 75.4%}")
    assert check_text(recommended, text) == []


def test_money_scales_are_not_mixed(recommended):
    found = check_text(recommended, projects(['"8,345,000 円"', 100], 8345100))
    [unit] = [d for d in found if d.code == "UNIT002"]
    assert (unit.args["written"], unit.args["declared"]) == ("円", "千円") and unit.span.line == 8


def test_percent_and_permille(recommended):
    text = indicator("{令和3年度: 61, 令和4年度: 69, 令和5年度: 78, 令和6年度: 78}", "{令和3年度: 46}", "{令和3年度: 75.4‰}")
    [diagnostic] = check_text(recommended, text)
    assert diagnostic.code == "UNIT003"


def test_indicator_keeps_its_unit_across_documents(recommended):
    one = EVAL + "themes:\n  - id: a\n    title: t\n    indicators:\n      - {key: k/x, name: n, unit: 件, targets: {R3: 1, R4: 1, R5: 1, R6: 1}}\n"
    two = one.replace("unit: 件", "unit: 人").replace("id: x,", "id: y,")  # another document
    [diagnostic] = check_texts(recommended, {"a.yaml": one, "b.yaml": two})
    assert diagnostic.code == "UNIT004" and diagnostic.file == "b.yaml"
    assert diagnostic.related[0][0].location.file == "a.yaml"


def test_explicit_absence_after_as_of_is_not_an_actual(recommended):
    text = indicator("{令和3年度: 61, 令和4年度: 69, 令和5年度: 78, 令和6年度: 78}",
                     '{令和3年度: 46, 令和5年度: "-"}', '{令和3年度: 75.4%, 令和5年度: "-"}')
    assert check_text(recommended, text) == []


# --- the full rule set: each rule's documented bad example, with the span it points at
# and the numbers it gives (the examples themselves are in rules/recommended.yaml) -------

import pytest  # noqa: E402

from checker.rules import load_ruleset as _load_ruleset  # noqa: E402
from tests.test_rule_docs import _check_example  # noqa: E402

_DOCS = _load_ruleset("recommended").rules


def _line(example, pattern: str) -> tuple[str, int]:
    files = example if isinstance(example, dict) else {"example.yaml": example}
    for name, text in files.items():
        for number, line in enumerate(text.splitlines(), 1):
            if pattern in line:
                return name, number
    raise AssertionError(pattern)


@pytest.mark.parametrize(
    ("code", "at", "numbers"),
    [
        ("TOT003", "total: 305", {"stated": Decimal(305), "computed": Decimal(300),
                                  "stated_interval": "[305, 306]", "computed_interval": "[300, 302]"}),
        ("RATE003", "rates: {R4: 99.0%}", {"stated": Decimal("99.0"), "stated_interval": "[98.95, 99.05]"}),
        ("CNT001", "outlook_counts:", {"outlook": "拡大", "stated": 2, "computed": 1}),
        ("CNT002", "outlook_counts:", {"stated": 3, "computed": 2}),
        ("CMP001", "key: volunteers", {"stated": Decimal(708), "computed": Decimal(718), "difference": Decimal(-10)}),
        ("CMP002", "key: area", {"stated": Decimal("3.0"), "computed": Decimal("2.9"), "allowance": Decimal("0.10")}),
        ("CMP003", "key: area", {"stated_interval": "[3.35, 3.45]", "computed_interval": "[2.80, 3.00]"}),
        ("LINK001", "component_of: volunteer}", {"field": "component_of", "key": "volunteer"}),
        ("CUM001", "平成29年度: 48", {"stated": Decimal(48), "previous": Decimal(84)}),
        ("CUM002", "令和6年度: 50", {"stated": Decimal(50), "earlier": Decimal(600)}),
        ("RES001", "restates: watch", {"stated": "414", "original": "411"}),
        ("RES002", "cost: 26143", {"stated": "26143", "original": "26134", "code": "710103"}),
        ("RES003", "restated: true", {"cost": Decimal(26134)}),
        ("TAB001", '"121,176"', {"stated": Decimal(121176), "computed": Decimal(121167), "column": "平成30年"}),
        ("TAB002", "values: {平成30年: 21.2}", {"stated": Decimal("21.2"), "computed": Decimal("21.1")}),
        ("TAB003", "うち、保健", {"stated": Decimal(66), "whole": Decimal(46), "difference": Decimal(20)}),
        ("TAB004", '"25,529"', {"stated": Decimal(25529), "other_value": Decimal(25592)}),
        ("TAB005", "of: [al]", {"reference": "al", "option": "of"}),
        ("TAB006", "125.1", {"stated_interval": "[125.05, 125.15]", "computed_interval": "[124.80, 125.00]"}),
        ("XDOC001", "令和2年度: 70", {"stated": Decimal(70), "reference": Decimal(72)}),
        # the first file by name (evaluation.yaml) is the reference
        ("XDOC002", "targets: {令和6年度: 58}", {"stated": Decimal(58), "reference": Decimal(78)}),
        ("ASSESS001", "assessment: 順調に", {"reached": 0, "count": 2}),
    ],
)
def test_documented_bad_example_points_at_the_value_with_its_numbers(code, at, numbers):
    example = _DOCS[code].docs["bad"]
    file, line = _line(example, at)
    [diagnostic] = [d for d in _check_example(example)
                    if d.code == code and all(d.args.get(name) == value for name, value in numbers.items())]
    assert (diagnostic.file, diagnostic.span.line) == (file, line)
    for name, value in numbers.items():
        assert diagnostic.args[name] == value, name
    for lang in ("ja", "en"):
        assert diagnostic.message[lang]


def test_a_check_that_fails_is_reported_where_it_failed_and_the_rest_still_runs(recommended, tmp_path, monkeypatch):
    from dataclasses import replace

    from click.testing import CliRunner

    from checker import functions
    from checker.cli import main
    from tests.test_cli import BAD_TOTAL, GOOD

    spec = functions.FUNCTIONS["achievement_rate"]

    def failing(target, options):
        raise ZeroDivisionError("a bug")

    monkeypatch.setitem(functions.FUNCTIONS, "achievement_rate", replace(spec, run=failing))
    rated = GOOD + ("themes:\n  - id: a\n    title: t\n    indicators:\n"
                    "      - {name: 指標, unit: 件, targets: {令和3年度: 100}, actuals: {令和3年度: 75}, rates: {令和3年度: 75.0%}}\n")
    diagnostics = check_texts(recommended, {"rated.yaml": rated, "total.yaml": BAD_TOTAL})
    found = [(d.code, d.file, d.span.line) for d in diagnostics]
    # once per check and target, though RATE001 and RATE003 share the check; TOT001 still runs
    assert ("INT001", "rated.yaml", 6) in found and found.count(("INT001", "rated.yaml", 6)) == 1
    assert ("TOT001", "total.yaml", 10) in found
    internal = next(d for d in diagnostics if d.code == "INT001")
    assert internal.message["en"] == "plancheck's check achievement_rate failed here (ZeroDivisionError: a bug); this is a bug in plancheck"
    (tmp_path / "rated.yaml").write_text(rated, encoding="utf-8")
    result = CliRunner().invoke(main, ["--isolated", "--format", "concise", str(tmp_path / "rated.yaml")])
    assert result.exit_code == 2 and "INT001" in result.output


def test_a_cross_document_check_that_fails_fails_the_run_on_the_file_checked(tmp_path, monkeypatch):
    """The failure is not lost on a context file: pre-commit checking one file of the set
    still exits 2."""
    from dataclasses import replace

    from click.testing import CliRunner

    from checker import functions
    from checker.cli import main
    from tests.test_cli import GOOD

    def failing(target, options):
        raise KeyError("a bug")

    spec = functions.FUNCTIONS["same_quantity_across_plans"]
    monkeypatch.setitem(functions.FUNCTIONS, "same_quantity_across_plans", replace(spec, run=failing))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plans").mkdir()
    for name in ("a-context.yaml", "b-checked.yaml"):
        (tmp_path / "plans" / name).write_text(GOOD.replace("id: ", f"id: {name[0]}-", 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["--no-cache", "--format", "concise", "--lang", "en", "plans/b-checked.yaml"])
    assert result.exit_code == 2, result.output
    assert result.stdout.startswith("plans/b-checked.yaml:1:1: INT001 [error] plancheck's check "
                                    "same_quantity_across_plans failed here (KeyError: 'a bug')")
