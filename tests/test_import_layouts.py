"""`plancheck import` of the table layouts cities publish beyond project lists and indicator
blocks: the document kinds of rules/kinds/tables.yaml (a 決算 table among them), each
recognised without a mapping; the relations a table's formulas compute, declared so that a value typed
over a formula is caught; the mapping file for tables and indicator blocks."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_import import WORKBOOKS, _example_workbook, _fixtures, _loaded  # type: ignore[import-not-found]

from checker.cli import main
from checker.engine import Engine
from checker.importer import formulas, import_workbook

# --- the formula recogniser ------------------------------------------------------------------

R = formulas.Ref


@pytest.mark.parametrize(("text", "expected"), [
    ("=D5/D6", formulas.Quotient(R(5, 4), R(6, 4), Decimal(1), None)),
    ("=D5/D$20*100", formulas.Quotient(R(5, 4), R(20, 4), Decimal(100), None)),
    ("=ROUND(D5/D6*100,1)", formulas.Quotient(R(5, 4), R(6, 4), Decimal(100), 1)),
    ("=round((D5/D6)*100, 2)", formulas.Quotient(R(5, 4), R(6, 4), Decimal(100), 2)),
    ("=D5*100/$D$6", formulas.Quotient(R(5, 4), R(6, 4), Decimal(100), None)),
    ('=IFERROR(ROUND(B7/B11*1000,0),"-")', formulas.Quotient(R(7, 2), R(11, 2), Decimal(1000), 0)),
    ("=SUM(B5:B7)", formulas.Sum((R(5, 2), R(6, 2), R(7, 2)))),
    ("=SUM(B5,B7)", formulas.Sum((R(5, 2), R(7, 2)))),
    ("=B5+C5+D5", formulas.Sum((R(5, 2), R(5, 3), R(5, 4)))),
    ("=C5-D5-E5", formulas.Difference((R(5, 3), R(5, 4), R(5, 5)))),
])
def test_the_recogniser_reads_the_shapes_computed_lines_hold(text, expected):
    assert formulas.recognise(text) == expected


@pytest.mark.parametrize(("text", "said"), [
    ("=VLOOKUP(A1,B1:C9,2)", "VLOOKUP"),
    ("=Sheet2!B5/B6", "another sheet"),
    ("=D5*D6", "one cell divided by one cell"),
    ("=B5-C5+D5", "mixed"),
    ("=D5/0", "division by 0"),
    ("=ROUNDDOWN(D5/D6*100,1)", "ROUNDDOWN"),
    ("=ROUND(D5/D6,A1)", "decimals"),
    ("=__import__('os').system('x')", "not recognised"),
    ("=" + "(" * 40 + "A1" + ")" * 40, "too"),
    ("=" + "+".join(["A1"] * 200), "too long"),
    ("=SUM(A1:XFD1048576)", "too large"),
])
def test_anything_else_is_refused_with_its_reason_never_evaluated(text, said):
    with pytest.raises(formulas.NotRecognised) as refused:
        formulas.recognise(text)
    assert said in refused.value.reason.en and refused.value.reason.ja


# --- the layouts: recognised, value for value, clean, and the planted mistake found ----------

# fixture, its kind, cells whose YAML value is asserted as printed (JSON pointer -> text), the
# planted fixture, the code, the cell reported
LAYOUTS = [
    ("service_progress.xlsx", "service_progress",
     {"/tables/0/rows/0/values/令和3年度計画値": "1,234,000", "/tables/0/rows/1/values/令和4年度進捗率(%)": "98.3",
      "/tables/0/rows/3/values/令和3年度実績値": "3,389,011"},
     "service_progress_typed_over.xlsx", "TAB002", "介護給付費!G6"),
    ("achievement_matrix.xlsx", "achievement_matrix",
     {"/tables/0/rows/0/values/事業数": "57", "/tables/0/rows/3/values/進捗率(B)_(A)": "103.6",
      "/tables/0/rows/4/values/令和4年度事業費計画(A)": "11,025,000"},
     "achievement_matrix_typed_over.xlsx", "TAB002", "達成状況!E6"),
    ("cost_sheet.xlsx", "cost_sheet",
     {"/tables/0/rows/2/values/令和4年度決算": "21,260", "/tables/0/rows/3/values/令和4年度決算": None,
      "/tables/0/rows/7/values/令和5年度予算": "39,333"},
     "cost_sheet_typed_over.xlsx", "TAB001", "コストシート!C7"),
    ("settlement.xlsx", "settlement_revenue",
     {"/tables/0/rows/0/values/令和4年度収入未済額": "1,098,766", "/tables/0/rows/3/values/令和4年度収入率(%)": "97.6"},
     "settlement_typed_over.xlsx", "TAB008", "歳入決算!F5"),
    ("budget.xlsx", "budget", {"/tables/0/rows/0/values/増減": "△7,666"}, "budget_typed_over.xlsx", "TAB001",
     "歳出予算!D4"),
]


def _value(model, pointer: str):
    _, _, index, _, row, _, column = pointer.split("/")
    return model.tables[int(index)].rows[int(row)].values.get(column)


@pytest.mark.parametrize(("name", "kind", "values", "planted", "code", "cell"), LAYOUTS, ids=[layout[0] for layout in LAYOUTS])
def test_each_layout_imports_as_printed_with_its_kind_and_checks_clean(name, kind, values, planted, code, cell,
                                                                       recommended):
    result = import_workbook(WORKBOOKS / name)
    loaded = _loaded(result.yaml)
    model = loaded.model
    assert model.tables[0].kind == kind
    assert model.tables[0].unit == "千円"
    for pointer, printed in values.items():
        value = _value(model, pointer)
        assert (value.text if value is not None else None) == printed, pointer
        if printed is not None:
            assert model.cells[pointer].startswith(model.tables[0].title and model.cells[pointer].split("!")[0])
    assert [p.code for p in result.problems] == []
    assert Engine(recommended).run([loaded]) == []


@pytest.mark.parametrize(("name", "kind", "values", "planted", "code", "cell"), LAYOUTS, ids=[layout[3] for layout in LAYOUTS])
def test_each_layout_s_planted_mistake_is_found_at_its_yaml_position_and_cell(name, kind, values, planted, code, cell,
                                                                              recommended):
    result = import_workbook(WORKBOOKS / planted)
    loaded = _loaded(result.yaml)
    diagnostics = Engine(recommended).run([loaded])
    first = diagnostics[0]
    assert (first.code, first.cell) == (code, cell)
    pointer = next(p for p, ref in loaded.model.cells.items() if ref == cell)
    line = result.yaml.splitlines()[first.span.line - 1]
    assert pointer.rsplit("/", 1)[1].strip('"') in line  # the YAML position is the value's own line
    # the cell typed over its line's formulas is named by the import too
    assert [(p.code, p.cell) for p in result.problems] == [("IMP012", next(
        ref for ref in (cell, "コストシート!C10") if ref in {p.cell for p in result.problems}))]


@pytest.mark.parametrize("output_format", ["concise", "full", "json", "sarif"])
def test_every_format_names_the_typed_over_cell_of_a_layout(tmp_path, output_format):
    plan = tmp_path / "imported.yaml"
    plan.write_text(import_workbook(WORKBOOKS / "service_progress_typed_over.xlsx").yaml, encoding="utf-8")
    run = CliRunner().invoke(main, ["check", "--no-cache", "--isolated", "--format", output_format, "--lang", "en",
                                    "--no-color", str(plan)])
    assert run.exit_code == 1
    assert "介護給付費!G6" in run.output
    if output_format == "json":
        [diagnostic] = json.loads(run.stdout)["diagnostics"]  # standard error says the fix there is
        assert (diagnostic["code"], diagnostic["cell"]) == ("TAB002", "介護給付費!G6")


def test_year_headers_over_sub_columns_become_a_column_tree():
    model = _loaded(import_workbook(WORKBOOKS / "service_progress.xlsx").yaml).model
    years = model.tables[0].columns
    assert [(column.key, column.year) for column in years] == [("令和3年度", 2021), ("令和4年度", 2022), ("令和5年度", 2023)]
    assert [(sub.key, sub.name) for sub in years[1].columns] == [
        ("令和4年度計画値", "計画値"), ("令和4年度実績値", "実績値"), ("令和4年度進捗率(%)", "進捗率（%）")]
    assert model.cells["/tables/0/columns/1/key"] == "介護給付費!E3"
    assert model.cells["/tables/0/columns/1/columns/2/key"] == "介護給付費!G4"


def test_the_formulas_become_the_declared_relations():
    model = _loaded(import_workbook(WORKBOOKS / "settlement.xlsx").yaml).model
    relations = [(r.check, r.line, r.of, r.numerator, r.denominator, r.scale, r.places) for r in model.tables[0].relations]
    # a settlement_revenue table: its 合計 and its 収入未済額 = 調定額 − 収入済額 − 不納欠損額 are the kind's;
    # the 収入率 keeps the formula's scale and decimals
    assert relations == [("ratio", "令和4年度収入率(%)", [], "令和4年度収入済額", "令和4年度調定額", Decimal(100), 1)]
    cost = _loaded(import_workbook(WORKBOOKS / "cost_sheet.xlsx").yaml).model.tables[0]
    # with a kind, its sums are the kind's; the ratio keeps the formula's scale and decimals
    assert [(r.check, r.row, r.scale, r.places) for r in cost.relations] == [("ratio", "一人当たりコスト(円)", 1000, 0)]
    assert [row.unit for row in cost.rows][-2:] == ["人", "円"]


_EXPENDITURE: list[list[Any]] = [["令和4年度 歳出決算（款別）（単位：千円）"],
                ["款", "予算現額", "支出済額", "翌年度繰越額", "不用額", "執行率"],
                ["議会費", 420011, 412345, 0, 7666, 98.2], ["総務費", 5123456, 4987654, 100000, 35802, 97.3],
                ["民生費", 28765432, 27890123, 500000, 375309, 97.0],
                ["合計", "=SUM(B3:B5)|34308899", "=SUM(C3:C5)|33290122", "=SUM(D3:D5)|600000", "=SUM(E3:E5)|418777", 97.0]]


def test_a_settlement_without_formulas_is_its_kind_and_the_kind_states_its_identities(tmp_path, recommended):
    """A 歳出 決算 table of values only is recognised as settlement_expenditure by the registry's
    labels; no relation is declared (the kind states 合計 = Σ 款, 不用額 = 予算現額 − 支出済額 −
    翌年度繰越額 and 執行率), and a mistyped 不用額 is reported at its own cell."""
    from checker.kinds import kind_expansion

    result = import_workbook(_example_workbook(_table(_EXPENDITURE), tmp_path / "expenditure.xlsx"))
    loaded = _loaded(result.yaml)
    table = loaded.model.tables[0]
    assert table.kind == "settlement_expenditure" and table.relations == []
    assert any(text.en.startswith("  kind settlement_expenditure (予算現額, 支出済額, 翌年度繰越額, 不用額, 執行率")
               for text in result.explain)
    assert not any("identity (from the labels)" in text.en for text in result.explain)
    expansion = kind_expansion(loaded.name, ("tables", 0), table)
    assert expansion is not None
    assert [(r.check, r.line, r.of, r.numerator, r.denominator) for r in expansion[1].relations] == [
        ("sum", "合計", ["議会費", "総務費", "民生費"], None, None),
        ("difference", "不用額", ["予算現額", "支出済額", "翌年度繰越額"], None, None),
        ("ratio", "執行率", [], "支出済額", "予算現額")]
    assert Engine(recommended).run([loaded]) == []
    wrong = [row[:] for row in _EXPENDITURE]
    wrong[3][4] = 35820  # 総務費's 不用額 mistyped (the 合計's SUM recalculated with it)
    wrong[5][4] = "=SUM(E3:E5)|418795"
    result = import_workbook(_example_workbook(_table(wrong), tmp_path / "wrong.xlsx"))
    found = [(d.code, d.cell, d.args["stated"], d.args["computed"]) for d in Engine(recommended).run([_loaded(result.yaml)])]
    # 予算現額 − 支出済額 − 翌年度繰越額, at the 不用額; and at the 合計's, whose SUM added the typed value
    assert found == [("TAB008", "人口!E4", 35820, 35802), ("TAB008", "人口!E6", 418795, 418777)]


def _table(rows, formats=None):
    return {"sheet": "人口", "rows": rows, "hidden": (), "formats": formats or {}}


_PEOPLE = [["年齢3区分別人口", None, None], ["区分", "令和2年", "令和3年"], ["年少人口", 14668, 14512],
           ["生産年齢人口", 80907, 80755], ["老年人口", 25592, 25811],
           ["合計", "=SUM(B3:B5)|121167", "=SUM(C3:C5)|121078"]]


@pytest.mark.parametrize(("rate", "check"), [
    (["高齢化率（%）", "=ROUND(B5/B6*100,1)|21.1", "=ROUND(C5/C6*100,1)|21.3"], ("ratio", "老年人口", "合計", 100, 1)),
    (["高齢化率（%）", f"=B5/B$6*100|{25592 / 121167 * 100}", f"=C5/C$6*100|{25811 / 121078 * 100}"],
     ("ratio", "老年人口", "合計", 100, None)),
])
def test_a_ratio_row_s_formulas_are_its_relation_and_a_typed_over_rate_is_caught(rate, check, tmp_path, recommended):
    shown = {"B7": "0.0", "C7": "0.0"}  # an unrounded quotient printed to one decimal
    result = import_workbook(_example_workbook(_table([*_PEOPLE, rate], shown), tmp_path / "rate.xlsx"))
    table = _loaded(result.yaml).model.tables[0]
    ratio = table.relations[1]
    assert (ratio.check, ratio.numerator, ratio.denominator, ratio.scale, ratio.places) == check
    assert Engine(recommended).run([_loaded(result.yaml)]) == []
    typed = [*rate[:2], 25.0]
    result = import_workbook(_example_workbook(_table([*_PEOPLE, typed], shown), tmp_path / "typed.xlsx"))
    assert [(p.code, p.cell) for p in result.problems] == [("IMP012", "人口!C7")]
    [diagnostic] = Engine(recommended).run([_loaded(result.yaml)])
    assert (diagnostic.code, diagnostic.cell) == ("TAB002", "人口!C7")


def test_a_quotient_shown_as_a_percentage_is_scaled_by_100(tmp_path, recommended):
    rate = ["高齢化率", f"=B5/B6|{25592 / 121167}", f"=C5/C6|{25811 / 121078}"]
    result = import_workbook(_example_workbook(_table([*_PEOPLE, rate], {"B7": "0.0%", "C7": "0.0%"}), tmp_path / "p.xlsx"))
    table = _loaded(result.yaml).model.tables[0]
    assert [(cell.text) for cell in table.rows[-1].values.values()] == ["21.1%", "21.3%"]
    ratio = table.relations[1]
    assert (ratio.check, ratio.row, ratio.scale, ratio.places) == ("ratio", "高齢化率", 100, None)
    assert Engine(recommended).run([_loaded(result.yaml)]) == []


def test_rows_of_a_kind_s_words_alone_are_no_kind(tmp_path):
    rows = [["区分", "令和3年度", "令和4年度"], ["利用者数", 512, 530], ["参加者数", 120, 131], ["その他", 3, 4],
            ["合計", "=SUM(B2:B4)|635", "=SUM(C2:C4)|665"]]
    result = import_workbook(_example_workbook(_table(rows), tmp_path / "users.xlsx"))
    table = _loaded(result.yaml).model.tables[0]
    assert table.kind is None and [r.check for r in table.relations] == ["sum"]


def test_a_share_column_s_formulas_are_a_share_relation(tmp_path, recommended):
    rows = [["款", "本年度", "構成比"], ["議会費", 412345, "=ROUND(B2/B$5*100,1)|1.2"],
            ["総務費", 5123456, "=ROUND(B3/B$5*100,1)|15.1"], ["民生費", 28765432, "=ROUND(B4/B$5*100,1)|84.6"],
            ["合計", "=SUM(B2:B4)|34301233", "=ROUND(B5/B$5*100,1)|100"]]
    result = import_workbook(_example_workbook(_table(rows), tmp_path / "share.xlsx"))
    share = _loaded(result.yaml).model.tables[0].relations[-1]
    assert (share.check, share.column, share.of, share.total, share.scale, share.places) == (
        "share", "構成比", ["本年度"], "合計", 100, 1)


def test_a_formula_not_recognised_is_said_not_guessed(tmp_path):
    rows = [*_PEOPLE, ["高齢化率（%）", "=VLOOKUP(B5,B3:C5,1)|25592", 21.3]]
    result = import_workbook(_example_workbook(_table(rows), tmp_path / "odd.xlsx"))
    [problem] = result.problems
    assert (problem.code, problem.cell) == ("IMP010", "人口!B7")
    assert "VLOOKUP" in problem.message("en") and "読" in problem.message("ja")
    assert [r.check for r in _loaded(result.yaml).model.tables[0].relations] == ["sum"]


def test_a_column_of_formulas_not_recognised_is_said_once(tmp_path):
    rows = [["区分", "令和2年", "令和3年", "順位"], ["年少人口", 14668, 14512, "=RANK(C3,C3:C5)|3"],
            ["生産年齢人口", 80907, 80755, "=RANK(C4,C3:C5)|1"], ["老年人口", 25592, 25811, "=RANK(C5,C3:C5)|2"]]
    result = import_workbook(_example_workbook(_table(rows), tmp_path / "rank.xlsx"))
    assert [(p.code, p.cell) for p in result.problems] == [("IMP010", "人口!D2")]
    assert "RANK" in result.problems[0].message("en")


def test_formulas_of_one_line_that_disagree_declare_nothing(tmp_path):
    rows = [*_PEOPLE, ["高齢化率（%）", "=ROUND(B5/B6*100,1)|21.1", "=ROUND(C4/C6*100,1)|66.7"]]
    result = import_workbook(_example_workbook(_table(rows), tmp_path / "mixed.xlsx"))
    assert [(p.code, p.cell) for p in result.problems] == [("IMP011", "人口!B7")]
    assert [r.check for r in _loaded(result.yaml).model.tables[0].relations] == ["sum"]


def test_explain_shows_the_layout_the_kind_the_total_and_the_formulas_read(tmp_path):
    run = CliRunner().invoke(main, ["import", "--explain", "--lang", "en", str(WORKBOOKS / "service_progress.xlsx")])
    assert run.exit_code == 0, run.output
    assert "header rows 3-4" in run.output and "column tree" in run.output
    assert "kind service_progress (計画値, 実績値, 進捗率（%）, 合計)" in run.output
    assert "the total row 合計 (介護給付費!A8)" in run.output
    assert ("a relation read from the formulas (介護給付費!G5 and 3 more): 令和4年度進捗率(%) = 令和4年度実績値 ÷ "
            "令和4年度計画値 × 100") in run.output
    ja = CliRunner().invoke(main, ["import", "--explain", "--lang", "ja", str(WORKBOOKS / "settlement.xlsx")])
    assert "数式から関係を読みました（歳入決算!G5 ほか 3）" in ja.output


def test_the_layout_fixtures_are_the_script_s_bytes(tmp_path, monkeypatch):
    fixtures = _fixtures()
    monkeypatch.setattr(fixtures, "HERE", tmp_path)
    fixtures.main()
    for name in ("service_progress.xlsx", "service_progress_typed_over.xlsx", "achievement_matrix.xlsx",
                 "achievement_matrix_typed_over.xlsx", "cost_sheet.xlsx", "cost_sheet_typed_over.xlsx",
                 "settlement.xlsx", "settlement_typed_over.xlsx"):
        assert (tmp_path / name).read_bytes() == (WORKBOOKS / name).read_bytes(), name


def test_re_importing_a_layout_gives_identical_yaml_and_one_changed_cell_one_line(tmp_path, monkeypatch):
    once = import_workbook(WORKBOOKS / "achievement_matrix.xlsx").yaml
    assert once is not None and once == import_workbook(WORKBOOKS / "achievement_matrix.xlsx").yaml
    fixtures = _fixtures()
    monkeypatch.setattr(fixtures, "HERE", tmp_path)
    chapters = list(fixtures.CHAPTERS)
    chapters[1] = (chapters[1][0], 39, *chapters[1][2:])  # 第2章's 事業数, the 合計's SUM recalculated with it
    monkeypatch.setattr(fixtures, "CHAPTERS", chapters)
    fixtures.save(*fixtures.achievement_matrix(), "achievement_matrix.xlsx")
    changed = import_workbook(tmp_path / "achievement_matrix.xlsx").yaml
    assert changed is not None and len(once.splitlines()) == len(changed.splitlines())
    differing = [(a.strip(), b.strip()) for a, b in zip(once.splitlines(), changed.splitlines()) if a != b]
    assert differing == [('"事業数": 38', '"事業数": 39'), ('"事業数": 158', '"事業数": 159')]


# --- mapping files for tables and indicator blocks -------------------------------------------

_SETTLEMENT_WITH_NOTES = {"sheet": "歳入決算", "hidden": (), "formats": {}, "rows": [
    ["会計別歳入決算（単位：千円）"],
    ["会計", "調定額", "収入済額", "不納欠損額", "収入未済額", "備考"],
    ["一般会計", 60123456, 59012345, 12345, "=B3-C3-D3|1098766", "市税の徴収率向上"],
    ["国民健康保険事業特別会計", 12001234, 11234567, 45678, "=B4-C4-D4|720989", None],
    ["介護保険事業特別会計", 10876543, 10765432, 2345, "=B5-C5-D5|108766", "前年度並み"],
    ["（全会計）", "=SUM(B3:B5)|83001233", "=SUM(C3:C5)|81012344", "=SUM(D3:D5)|60368", "=SUM(E3:E5)|1928521", None],
]}


def test_a_table_not_recognised_is_read_through_its_mapping_file(tmp_path, recommended):
    book = _example_workbook(_SETTLEMENT_WITH_NOTES, tmp_path / "settlement.xlsx")
    assert [p.code for p in import_workbook(book).problems] == ["IMP004"]
    result = import_workbook(book, mapping=WORKBOOKS / "mapping_table_example.yaml")
    assert result.problems == []
    table = _loaded(result.yaml).model.tables[0]
    assert [column.key for column in table.columns] == ["調定額", "収入済額", "不納欠損額", "収入未済額"]
    assert [row.key for row in table.rows] == ["一般会計", "国民健康保険事業特別会計", "介護保険事業特別会計", "(全会計)"]
    assert table.unit == "千円" and table.rows[0].values["収入未済額"].text == "1098766"
    # a settlement_revenue table (its labels): the kind states （全会計） = Σ 会計 and 収入未済額 = 調定額 −
    # 収入済額 − 不納欠損額, so neither the 合計's sum nor the formulas' difference is declared
    assert table.kind == "settlement_revenue" and table.relations == []
    from checker.kinds import kind_expansion

    expansion = kind_expansion("plan.yaml", ("tables", 0), table)
    assert expansion is not None
    assert [(r.check, r.line) for r in expansion[1].relations] == [("sum", "(全会計)"), ("difference", "収入未済額")]
    assert _loaded(result.yaml).model.cells["/tables/0/rows/3/values/調定額"] == "歳入決算!B6"
    assert Engine(recommended).run([_loaded(result.yaml)]) == []
    assert any("(by the mapping file)" in text.en for text in result.explain)


_TARGETS = {"sheet": "目標", "hidden": (), "formats": {"E4": "0.0%", "F4": "0.0%"}, "rows": [
    ["項目", "単位", "基準値", "区分", "令和3年度", "令和4年度"],
    ["就労移行支援の実利用者数", "人/月", 46, "目標", 61, 69],
    [None, None, None, "実績", 46, 54],
    [None, None, None, "達成率", 46 / 61, 54 / 69],
]}


def test_an_indicator_block_not_recognised_is_read_through_its_mapping_file(tmp_path, recommended):
    book = _example_workbook(_TARGETS, tmp_path / "targets.xlsx")
    assert [p.code for p in import_workbook(book).problems] == ["IMP004"]
    result = import_workbook(book, mapping=WORKBOOKS / "mapping_indicators_example.yaml")
    assert result.problems == []
    [indicator] = _loaded(result.yaml).model.themes[0].indicators
    assert (indicator.name, indicator.unit, indicator.baseline.year, indicator.baseline.value.text) == (
        "就労移行支援の実利用者数", "人/月", 2020, "46")
    assert {year: cell.text for year, cell in indicator.rates.items()} == {2021: "75.4%", 2022: "78.3%"}
    assert _loaded(result.yaml).model.cells["/themes/0/indicators/0/rates/令和4年度"] == "目標!F4"
    assert Engine(recommended).run([_loaded(result.yaml)]) == []


@pytest.mark.parametrize(("example", "text", "said"), [
    (_TARGETS, ("sheet: 目標\nlayout: indicators\nheader_rows: [1, 1]\n"
                "indicators: {name: A, kinds: D, years: [D, F]}\n"), "indicators.years: the header '区分' of 目標!D1 names no year"),
    (_TARGETS, "sheet: 目標\nlayout: indicators\nheader_rows: [1, 1]\ncolumns: {name: A, cost: E}\n",
     "indicators: a mapping of layout indicators needs it"),
    (_TARGETS, ("sheet: 目標\nlayout: indicators\nheader_rows: [1, 1]\n"
                "indicators: {name: A, kinds: D, years: [E, F]}\ntable: {labels: A}\n"), "table: only for a table mapping"),
    (_TARGETS, "sheet: 目標\nlayout: indicators\nheader_rows: [1, 1]\nindicators: {name: G, kinds: D, years: [E, F]}\n",
     "indicators.name: no header in 目標!G1:G1"),
    (_SETTLEMENT_WITH_NOTES, "sheet: 歳入決算\nlayout: table\nheader_rows: [3, 2]\ntable: {labels: A}\n",
     "header_rows: the first row comes after the last"),
    (_SETTLEMENT_WITH_NOTES, "sheet: 歳入決算\nlayout: table\nheader_rows: [2, 2]\ntable: {labels: A, rows: [2, 6]}\n",
     "table.rows: rows 2-6 are not a range under the header"),
    (_SETTLEMENT_WITH_NOTES, ("sheet: 歳入決算\nlayout: table\nheader_rows: [2, 2]\ntable: {labels: A, rows: [3, 5]}\n"
                              "total: B6\n"), "total: 歳入決算!B6 is outside the table's rows (3-5)"),
    (_SETTLEMENT_WITH_NOTES, "sheet: 歳入決算\nlayout: table\nheader_rows: [2, 2]\ntable: {labels: A, kind: ledger}\n",
     "table.kind"),
    (_SETTLEMENT_WITH_NOTES, "sheet: 歳入決算\nlayout: table\nheader_rows: [2, 40]\ntable: {labels: A}\n",
     "header_rows: the sheet '歳入決算' ends at row 6"),
    (_SETTLEMENT_WITH_NOTES, "sheet: 歳入決算\nlayout: table\nheader_rows: [2, 2]\ntable: {labels: A}\nyear: 令和4年度\n",
     "year: only for a project_list mapping"),
    (_TARGETS, ("sheet: 目標\nlayout: indicators\nheader_rows: [1, 1]\nindicators: {name: A, kinds: D, years: [E, F]}\n"
                "unit: 人\n"), "unit: an indicators mapping reads each indicator's unit"),
    # the mapping's fields name cells the sheet has, but no value column under a header: said, nothing written
    (_SETTLEMENT_WITH_NOTES, "sheet: 歳入決算\nlayout: table\nheader_rows: [1, 1]\ntable: {labels: F, values: [F, F]}\n",
     "no value column with a header"),
])
def test_a_wrong_table_or_indicator_mapping_is_said_by_its_field_and_cell(example, text, said, tmp_path):
    book = _example_workbook(example, tmp_path / "book.xlsx")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(text, encoding="utf-8")
    result = import_workbook(book, mapping=mapping)
    assert result.yaml is None
    [problem] = result.problems
    assert problem.code == "IMP009" and said in problem.message("en"), problem.message("en")


@pytest.mark.parametrize("name", ["mapping_example.yaml", "mapping_table_example.yaml", "mapping_indicators_example.yaml"])
def test_the_mapping_schema_covers_every_layout_and_validates_each_example(name):
    import jsonschema

    from checker.importer.mapping import _plain
    from checker.loader import DEFAULT_LIMITS, LoadedFile, _Builder, decode

    run = CliRunner().invoke(main, ["import", "--mapping-schema"])
    schema = json.loads(run.output)
    assert {"columns", "indicators", "table"} <= set(schema["properties"])
    assert schema["properties"]["layout"]["enum"] == ["project_list", "indicators", "table"]
    loaded = LoadedFile(path=Path(name), name=name)
    text = decode(loaded, (WORKBOOKS / name).read_bytes())
    assert text is not None
    jsonschema.validate(_plain(_Builder(loaded, DEFAULT_LIMITS).run(text)), schema)
