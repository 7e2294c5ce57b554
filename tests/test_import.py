"""`plancheck import`: values as printed, provenance to the cell, the formula findings,
stable re-import, and a workbook never written."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import io
import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.engine import Engine
from checker.importer import import_workbook
from checker.importer.numfmt import render
from checker.importer.problems import KINDS
from checker.loader import LoadedFile, load_text
from checker.values import Number, parse_cell

WORKBOOKS = Path(__file__).parent / "data" / "workbooks"


def _fixtures():
    spec = importlib.util.spec_from_file_location("make_fixtures", WORKBOOKS / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _loaded(text: str | None, name: str = "imported.yaml") -> LoadedFile:
    assert text is not None
    loaded = LoadedFile(path=Path(name), name=name)
    load_text(loaded, text)
    assert loaded.findings == [], [f.kind for f in loaded.findings]
    return loaded


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- the number-format renderer -----------------------------------------------------------

@pytest.mark.parametrize(("value", "code", "printed"), [
    (-1234, '#,##0;"△"#,##0', "△1,234"),
    (1234, '#,##0;"△"#,##0', "1,234"),
    (-1234, "#,##0;[Red]\\▲#,##0", "▲1,234"),
    (-1234, "#,##0", "-1,234"),
    (0, '#,##0;"△"#,##0;"－"', "－"),
    (0.754, "0.0%", "75.4%"),
    (0.7545, "0.0%", "75.5%"),  # half away from zero, as Excel rounds
    (0.754, "0%", "75%"),
    (27, "0.0", "27.0"),
    (1234567, "#,##0,", "1,235"),  # a trailing comma scales by 1,000
    (46371, '#,##0"千円"', "46,371千円"),
    (20110, "000000", "020110"),
    (1234.5, "#,##0.0_ ", "1,234.5 "),
    (0.1 + 0.2, "General", "0.3"),
    (1234.0, "General", "1234"),
    (44652, "yyyy/m/d", "2022/4/1"),
    (dt.datetime(2022, 4, 1), '[$-411]ggge"年"m"月"d"日"', "令和4年4月1日"),
    (dt.datetime(2019, 4, 30), '[$-411]ggge"年"m"月"d"日"', "平成31年4月30日"),
    (dt.datetime(2019, 5, 1), "ge.m.d", "R1.5.1"),
    ("令和4年度", "General", "令和4年度"),
])
def test_number_formats_render_as_printed(value, code, printed):
    rendered = render(value, code)
    assert (rendered.text, rendered.note) == (printed, None)


def test_rendered_negatives_read_back_as_typed_ones():
    cell = parse_cell(render(-1234, '#,##0;"△"#,##0').text)
    assert isinstance(cell, Number) and cell.value == Decimal(-1234) and cell.text == "△1,234"
    rate = parse_cell(render(0.754, "0.0%").text)
    assert isinstance(rate, Number) and rate.value == Decimal("75.4") and rate.places == 1


@pytest.mark.parametrize("code", ["[<100]0;#,##0", "0.00E+00", "# ?/?", "[DBNum1]General"])
def test_an_unknown_format_falls_back_to_the_value_with_a_note(code):
    rendered = render(1234, code)
    assert rendered.text == "1234"
    assert rendered.note is not None and code in rendered.note.en and code in rendered.note.ja


# --- importing the fixtures -----------------------------------------------------------------

EXPECTED_COSTS = ["19", "2,377", "3,851", "8,379", "6,091", "14,326", "41", "11,287"]


@pytest.mark.parametrize("name", ["project_list.xlsx", "project_list_cp932.csv"])
def test_a_project_list_imports_value_for_value_as_printed(name):
    result = import_workbook(WORKBOOKS / name, municipality="小平市")
    assert result.yaml is not None
    model = _loaded(result.yaml).model
    projects = model.themes[0].projects
    assert [item.cost.text for item in projects.items] == EXPECTED_COSTS
    assert [item.code for item in projects.items][:3] == ["020110", "020111", "030201"]
    assert str(projects.items[0].account.kan) + projects.items[5].account.fund == "2介"
    assert [item.outlook for item in projects.items].count("拡大") == 2
    assert projects.items[3].main and projects.items[3].name == "ワーク・ライフ・バランス推進事業"
    assert projects.total.text == "46,371" and projects.total.value == 46371
    assert projects.unit == "千円" and projects.year == 2022
    assert model.plan.source.workbook == name


def test_an_ods_imports_the_same_values_and_says_its_formats_were_not_read():
    ods = import_workbook(WORKBOOKS / "project_list.ods")
    xlsx = import_workbook(WORKBOOKS / "project_list.xlsx")
    ods_list, xlsx_list = _loaded(ods.yaml).model.themes[0].projects, _loaded(xlsx.yaml).model.themes[0].projects
    assert [item.cost.value for item in ods_list.items] == [item.cost.value for item in xlsx_list.items]
    assert [item.code for item in ods_list.items] == [item.code for item in xlsx_list.items]
    assert ods_list.total.value == 46371
    assert [p.code for p in ods.problems] == ["IMP008"]
    assert _loaded(ods.yaml).model.cells["/themes/0/projects/total"] == "関連事務事業一覧!F11"


def test_the_xlsx_import_names_every_value_s_cell():
    result = import_workbook(WORKBOOKS / "project_list.xlsx")
    model = _loaded(result.yaml).model
    assert model.cells["/themes/0/projects/items/1/cost"] == "関連事務事業一覧!H6"
    assert model.cells["/themes/0/projects/total"] == "関連事務事業一覧!H13"
    assert model.cells["/themes/0/projects/items/0/account"] == "関連事務事業一覧!D5:F5"
    assert model.cells["/themes/0/projects/outlook_counts/維持"] == "関連事務事業一覧!G15"
    assert model.themes[0].projects.outlook_counts == {"拡大": 2, "改善": 0, "維持": 6, "縮小": 0, "廃止": 0}


def test_the_clean_fixture_checks_clean_and_its_hidden_row_is_said(recommended):
    result = import_workbook(WORKBOOKS / "project_list.xlsx")
    assert [(p.code, p.cell) for p in result.problems] == [("IMP007", "関連事務事業一覧!B9")]
    assert Engine(recommended).run([_loaded(result.yaml)]) == []


def test_a_planted_inconsistency_is_reported_at_the_yaml_position_and_the_cell(recommended):
    result = import_workbook(WORKBOOKS / "project_list_short_sum.xlsx")
    loaded = _loaded(result.yaml)
    [diagnostic] = Engine(recommended).run([loaded])
    total_line = next(number for number, line in enumerate(result.yaml.splitlines(), 1)
                      if line.strip().startswith("total:"))
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("TOT001", total_line, 14)
    assert diagnostic.cell == "関連事務事業一覧!H13"
    assert (diagnostic.args["stated"], diagnostic.args["computed"]) == (Decimal(35084), Decimal(46371))
    assert diagnostic.related_cells[:2] == ("関連事務事業一覧!H5", "関連事務事業一覧!H6")
    data = diagnostic.to_json()
    assert data["cell"] == "関連事務事業一覧!H13" and data["related"][7]["cell"] == "関連事務事業一覧!H12"


@pytest.mark.parametrize("output_format", ["concise", "full", "json", "sarif"])
def test_every_format_names_the_cell(tmp_path, output_format):
    result = import_workbook(WORKBOOKS / "project_list_short_sum.xlsx")
    plan = tmp_path / "imported.yaml"
    plan.write_text(result.yaml, encoding="utf-8")
    run = CliRunner().invoke(main, ["check", "--no-cache", "--isolated", "--format", output_format, "--lang", "en",
                                    "--no-color", str(plan)])
    assert run.exit_code == 1
    assert "関連事務事業一覧!H13" in run.output
    if output_format == "json":
        assert json.loads(run.output)["diagnostics"][0]["cell"] == "関連事務事業一覧!H13"
    if output_format == "sarif":
        import jsonschema

        schema = json.loads((Path(__file__).parent / "data" / "sarif-2.1.0.json").read_text(encoding="utf-8"))
        jsonschema.validators.validator_for(schema)(schema).validate(json.loads(run.output))
        result_ = json.loads(run.output)["runs"][0]["results"][0]
        assert result_["locations"][0]["properties"]["workbookCell"] == "関連事務事業一覧!H13"
        assert result_["relatedLocations"][0]["properties"]["workbookCell"] == "関連事務事業一覧!H5"


def test_an_indicator_block_imports_its_targets_actuals_and_rates_as_printed(recommended):
    result = import_workbook(WORKBOOKS / "indicators.xlsx")
    model = _loaded(result.yaml).model
    first, second = model.themes[0].indicators
    assert (first.name, first.unit, first.baseline.year, first.baseline.value.text) == ("就労移行支援の実利用者数", "人/月",
                                                                                         2020, "46")
    assert {year: cell.text for year, cell in first.targets.items()} == {2021: "61", 2022: "69", 2023: "78", 2024: "78"}
    assert {year: cell.text for year, cell in first.actuals.items()} == {2021: "46", 2022: "54"}
    assert {year: cell.text for year, cell in first.rates.items()} == {2021: "75.4%", 2022: "78.3%"}
    assert second.rates[2022].value == Decimal("98.7") and second.rates[2022].places == 1
    assert (model.plan.period.start, model.plan.period.end, model.plan.as_of) == (2021, 2024, 2022)
    assert model.cells["/themes/0/indicators/0/rates/令和4年度"] == "成果指標!F6"
    assert model.cells["/themes/0/indicators/1/baseline/value"] == "成果指標!C7"
    assert Engine(recommended).run([_loaded(result.yaml)]) == []


def test_a_wrong_printed_rate_is_reported_at_its_yaml_position_and_cell(recommended):
    result = import_workbook(WORKBOOKS / "indicators_wrong_rate.xlsx")
    [diagnostic] = Engine(recommended).run([_loaded(result.yaml)])
    line = next(number for number, text in enumerate(result.yaml.splitlines(), 1) if '"78.9%"' in text)
    assert (diagnostic.code, diagnostic.span.line, diagnostic.cell) == ("RATE001", line, "成果指標!F6")
    assert set(diagnostic.related_cells) == {"成果指標!F5", "成果指標!F4"}


def test_a_statistics_table_imports_with_its_total_as_a_sum_and_its_ratio_row_apart(recommended):
    result = import_workbook(WORKBOOKS / "population.xlsx")
    assert result.problems == []
    model = _loaded(result.yaml).model
    [table] = model.tables
    assert (table.unit, [column.key for column in table.columns]) == ("人", ["人口令和2年", "人口令和3年", "人口令和4年"])
    assert [column.name for column in table.columns] == ["令和2年", "令和3年", "令和4年"]
    assert [column.year for column in table.columns] == [2020, 2021, 2022]
    assert table.row("合計").values["人口令和2年"].text == "121,167"
    assert table.row("高齢化率(%)").additive is False and table.row("高齢化率(%)").values["人口令和2年"].text == "21.1"
    [relation] = table.relations
    assert (relation.check, relation.row, relation.of) == ("sum", "合計", ["年少人口", "生産年齢人口", "老年人口"])
    assert model.cells["/tables/0/rows/3/values/人口令和4年"] == "人口!D8"
    assert Engine(recommended).run([_loaded(result.yaml)]) == []


def test_a_statistics_table_s_short_sum_is_found_by_the_import_and_by_the_check(recommended):
    result = import_workbook(WORKBOOKS / "population_short_sum.xlsx")
    assert [(p.code, p.cell) for p in result.problems] == [("IMP002", "人口!B8"), ("IMP002", "人口!C8"),
                                                           ("IMP002", "人口!D8")]
    diagnostics = Engine(recommended).run([_loaded(result.yaml)])
    assert [(d.code, d.cell) for d in diagnostics] == [("TAB001", "人口!B8"), ("TAB001", "人口!C8"),
                                                       ("TAB001", "人口!D8")]
    line = next(number for number, text in enumerate(result.yaml.splitlines(), 1) if '"95,575"' in text)
    assert diagnostics[0].span.line == line


def test_a_budget_by_kan_is_recognised_as_its_kind_with_its_negatives_as_printed(recommended):
    result = import_workbook(WORKBOOKS / "budget.xlsx")
    model = _loaded(result.yaml).model
    [table] = model.tables
    assert (model.plan.kind, table.kind, table.unit) == ("budget", "budget", "千円")
    change = table.row("議会費").values["増減"]
    assert (change.text, change.value) == ("△7,666", Decimal(-7666))
    assert Engine(recommended).run([_loaded(result.yaml)]) == []
    typed = import_workbook(WORKBOOKS / "budget_typed_over.xlsx")
    diagnostics = Engine(recommended).run([_loaded(typed.yaml)])
    # both relations through the typed-over cell fail, and the blame pass puts both at it
    assert sorted((d.code, d.cell) for d in diagnostics) == [("TAB001", "歳出予算!D4"), ("TAB008", "歳出予算!D4")]
    line = next(number for number, text in enumerate(typed.yaml.splitlines(), 1) if '"△7,566"' in text)
    assert {d.span.line for d in diagnostics} == {line}


# --- formulas --------------------------------------------------------------------------------

def test_a_total_formula_that_leaves_out_a_row_is_a_finding():
    result = import_workbook(WORKBOOKS / "project_list_short_sum.xlsx")
    [short] = [p for p in result.problems if p.code == "IMP002"]
    assert short.cell == "関連事務事業一覧!H13"
    assert short.args == {"formula": "=SUM(H5:H11)", "items": "H5:H12", "missing": "H12"}
    assert "H12" in short.message("ja") and "H12" in short.message("en")


def test_a_formula_without_a_cached_value_is_reported_and_imported_blank():
    result = import_workbook(WORKBOOKS / "project_list_uncalculated.xlsx")
    assert [(p.code, p.cell) for p in result.problems if p.code != "IMP007"] == [("IMP001", "関連事務事業一覧!H13")]
    projects = _loaded(result.yaml).model.themes[0].projects
    assert projects.total.text == "" and not isinstance(projects.total, Number)


# --- the workbook is never written; re-import is stable -------------------------------------

def test_importing_never_changes_the_workbook(tmp_path):
    source = WORKBOOKS / "project_list.xlsx"
    before = _sha(source)
    runner = CliRunner()
    assert runner.invoke(main, ["import", str(source), "-o", str(tmp_path / "out.yaml")]).exit_code == 0
    assert runner.invoke(main, ["import", str(source), "--explain"]).exit_code == 0
    refused = runner.invoke(main, ["import", str(source), "-o", str(source)])
    assert refused.exit_code == 2 and "never written" in refused.output
    assert _sha(source) == before


def test_an_unchanged_workbook_gives_identical_yaml_and_one_changed_cell_one_line(tmp_path, monkeypatch):
    fixtures = _fixtures()
    monkeypatch.setattr(fixtures, "HERE", tmp_path)
    for name in "abc":
        (tmp_path / name).mkdir()
    book, cached = fixtures.project_list()
    fixtures.save(book, cached, "a/list.xlsx")
    book, cached = fixtures.project_list()
    fixtures.save(book, cached, "b/list.xlsx")
    book, cached = fixtures.project_list()
    book.active["C7"] = "子ども家庭支援課"
    fixtures.save(book, cached, "c/list.xlsx")
    first = import_workbook(tmp_path / "a" / "list.xlsx").yaml
    assert import_workbook(tmp_path / "b" / "list.xlsx").yaml == first
    assert import_workbook(tmp_path / "a" / "list.xlsx").yaml == first
    changed = import_workbook(tmp_path / "c" / "list.xlsx").yaml
    assert first is not None and changed is not None
    before, after = first.splitlines(), changed.splitlines()
    assert len(before) == len(after)
    differing = [(old, new) for old, new in zip(before, after) if old != new]
    assert differing == [('          department: "子育て支援課"', '          department: "子ども家庭支援課"')]


def test_a_re_import_over_comments_a_person_added_says_so_and_writes_nothing(tmp_path):
    source, out = WORKBOOKS / "project_list.xlsx", tmp_path / "theme.yaml"
    runner = CliRunner()
    assert runner.invoke(main, ["import", str(source), "-o", str(out)]).exit_code == 0
    assert runner.invoke(main, ["import", str(source), "-o", str(out)]).exit_code == 0  # its own header: no conflict
    lines = out.read_text(encoding="utf-8").splitlines()
    lines[20] += "  # 令和5年度に統合予定"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    edited = out.read_bytes()
    refused = runner.invoke(main, ["import", str(source), "-o", str(out), "--lang", "en"])
    assert refused.exit_code == 2 and "line(s) 21" in refused.output
    assert out.read_bytes() == edited
    assert runner.invoke(main, ["import", str(source), "-o", str(out), "--drop-comments"]).exit_code == 0
    assert "統合予定" not in out.read_text(encoding="utf-8")


def test_the_fixture_script_is_deterministic(tmp_path, monkeypatch):
    fixtures = _fixtures()
    monkeypatch.setattr(fixtures, "HERE", tmp_path)
    fixtures.main()
    for name in ("project_list.xlsx", "project_list_short_sum.xlsx", "project_list_uncalculated.xlsx",
                 "project_list_cp932.csv", "project_list.ods", "indicators.xlsx", "indicators_wrong_rate.xlsx", "population.xlsx",
                 "population_short_sum.xlsx", "budget.xlsx", "budget_typed_over.xlsx"):
        assert (tmp_path / name).read_bytes() == (WORKBOOKS / name).read_bytes(), name


def test_hostile_text_and_names_come_back_as_written(tmp_path):
    hostile = "事業\x85名\u2028改行\u202e逆\x7f"
    path = tmp_path / "R4[案]!.csv"
    path.write_text(f"No,事務事業名,事業費\n1,{hostile},12\n,合計,12\n", encoding="utf-8")
    result = import_workbook(path)
    model = _loaded(result.yaml).model
    assert model.themes[0].projects.items[0].name == hostile
    assert model.cells["/themes/0/projects/items/0/name"] == "R4_案__!B2"


# --- explain, refusals -----------------------------------------------------------------------

def test_explain_shows_what_was_recognised():
    run = CliRunner().invoke(main, ["import", str(WORKBOOKS / "project_list.xlsx"), "--explain", "--lang", "en"])
    assert run.exit_code == 0
    assert "header rows 3-4" in run.output
    assert "account <- column D「予算科目 款」, E「予算科目 項」, F「予算科目 目」" in run.output
    assert "8 item rows (5-12), unit 千円, 令和4年度" in run.output
    assert "total <- H13 (the stated total, not an item)" in run.output
    assert "themes:" not in run.output  # --explain writes no YAML


def test_a_sheet_not_recognised_is_said_and_nothing_written(tmp_path):
    path = tmp_path / "memo.csv"
    path.write_text("備考\n来年度に見直し\n", encoding="utf-8")
    result = import_workbook(path)
    assert result.yaml is None
    [problem] = result.problems
    assert problem.code == "IMP004" and "事務事業名" in problem.message("ja")
    run = CliRunner().invoke(main, ["import", str(path)])
    assert run.exit_code == 2 and "IMP004" in run.output


def test_a_zip_bomb_is_refused_before_it_is_opened(tmp_path):
    path = tmp_path / "bomb.xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 5_000_000)
    path.write_bytes(buffer.getvalue())
    [problem] = import_workbook(path).problems
    assert problem.code == "IMP005" and "zip" in problem.message("en")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_a_csv_is_read_in_the_encodings_the_loader_detects(tmp_path, encoding):
    path = tmp_path / "list.csv"
    path.write_bytes("No,事務事業名,事業費\r\n1,男女共同参画推進事業,\"2,377\"\r\n,合計,\"2,377\"\r\n".encode(encoding))
    model = _loaded(import_workbook(path).yaml).model
    assert [item.name for item in model.themes[0].projects.items] == ["男女共同参画推進事業"]
    assert model.themes[0].projects.total.text == "2,377"


def test_a_csv_in_no_encoding_plancheck_reads_is_refused(tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes(b"No,\xff\xfe\xfa,1\n")
    [problem] = import_workbook(path).problems
    assert problem.code == "IMP005" and "CP932" in problem.message("en")


def test_a_missing_file_is_refused_not_raised(tmp_path):
    [problem] = import_workbook(tmp_path / "none.xlsx").problems
    assert problem.code == "IMP005"
    [problem] = import_workbook(tmp_path / "notes.txt").problems
    assert problem.code == "IMP005" and ".txt" in problem.message("en")


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")
    [problem] = import_workbook(path).problems
    assert problem.code == "IMP005"


# --- the mapping file --------------------------------------------------------------------

_UNRECOGNISED: dict[str, Any] = {"sheet": "事業一覧", "hidden": (), "formats": {"E3": "#,##0", "E4": "#,##0", "E5": "#,##0"}, "rows": [
    ["事業一覧"],
    ["番", "事業", "課", "科目", "決算額"],
    [1, "男女共同参画推進事業", "市民協働・男女参画推進課", "2-1-9", 19],
    [2, "女性のための相談事業", "市民協働・男女参画推進課", "2-1-9", 2377],
    [None, "計", None, None, "=SUM(E3:E4)|2396"],
]}


def test_a_sheet_not_recognised_is_read_through_its_mapping_file(tmp_path, recommended):
    book = _example_workbook(_UNRECOGNISED, tmp_path / "list.xlsx")
    assert [p.code for p in import_workbook(book).problems] == ["IMP004"]
    result = import_workbook(book, mapping=WORKBOOKS / "mapping_example.yaml")
    assert result.problems == []
    model = _loaded(result.yaml).model
    projects = model.themes[0].projects
    assert [(item.no, item.name, item.cost.text) for item in projects.items] == [
        (1, "男女共同参画推進事業", "19"), (2, "女性のための相談事業", "2,377")]
    assert (projects.total.text, projects.unit, projects.year) == ("2,396", "千円", 2022)
    assert model.cells["/themes/0/projects/total"] == "事業一覧!E5"
    assert Engine(recommended).run([_loaded(result.yaml)]) == []
    assert any("by the mapping file" in text.en for text in result.explain)


def test_the_mapping_file_s_total_cell_is_the_total_whatever_its_row_says(tmp_path):
    unlabelled = {**_UNRECOGNISED, "rows": [*_UNRECOGNISED["rows"][:4], [None, "（全体）", None, None, "=SUM(E3:E4)|2396"]]}
    book = _example_workbook(unlabelled, tmp_path / "list.xlsx")
    result = import_workbook(book, mapping=WORKBOOKS / "mapping_example.yaml")
    projects = _loaded(result.yaml).model.themes[0].projects
    assert len(projects.items) == 2 and projects.total.text == "2,396"


@pytest.mark.parametrize(("text", "said", "said_ja"), [
    ("sheet: 事業一覧\nlayout: project_list\nheader_rows: [2, 2]\ncolumns: {name: B}\n", "columns.cost",
     "columns.cost: 必要な値がありません"),
    ("sheet: 事業一覧\nlayout: project_list\nheader_rows: [2, 2]\ncolumns: {name: B, cost: E, colour: F}\n",
     "columns.colour", "columns.colour: 使えないフィールドです"),
    ("sheet: 事業一覧\nlayout: project_list\nheader_rows: [3, 2]\ncolumns: {name: B, cost: E}\n",
     "header_rows: the first row comes after the last", "header_rows: 最初の行が最後の行より後です"),
    ("sheet: 事業一覧\nlayout: indicators\nheader_rows: [2, 2]\ncolumns: {name: B, cost: E}\n",
     "indicators: a mapping of layout indicators needs it", "indicators: layout indicators の対応表には必要です"),
    ("sheet: ない\nlayout: project_list\nheader_rows: [2, 2]\ncolumns: {name: B, cost: E}\n", "ない", "ない"),
    ("sheet: [unclosed\n", "YAML", "YAML"),
])
def test_a_wrong_mapping_file_is_said_by_its_field(tmp_path, text, said, said_ja):
    book = _example_workbook(_UNRECOGNISED, tmp_path / "list.xlsx")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(text, encoding="utf-8")
    result = import_workbook(book, mapping=mapping)
    assert result.yaml is None
    [problem] = result.problems
    assert problem.code == "IMP009" and said in problem.message("en")
    assert said_ja in problem.message("ja"), problem.message("ja")  # pydantic's own words too, in Japanese


def test_the_mapping_file_schema_is_printed_and_validates_the_example():
    import jsonschema

    from checker.loader import DEFAULT_LIMITS, LoadedFile, _Builder, decode

    run = CliRunner().invoke(main, ["import", "--mapping-schema"])
    assert run.exit_code == 0
    schema = json.loads(run.output)
    assert schema["properties"]["columns"]
    raw = (WORKBOOKS / "mapping_example.yaml").read_bytes()
    loaded = LoadedFile(path=Path("m.yaml"), name="m.yaml")
    text = decode(loaded, raw)
    assert text is not None
    data = _Builder(loaded, DEFAULT_LIMITS).run(text)
    data["header_rows"] = [int(n) for n in data["header_rows"]]
    jsonschema.validate(data, schema)


# --- the import problems' own documentation ---------------------------------------------------

def _example_workbook(example, path: Path) -> Path:
    """A documented example (sheet rows; `=FORMULA|cached` for a formula with its cached
    value) as an xlsx made the way the fixtures are."""
    import openpyxl

    fixtures = _fixtures()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = example["sheet"]
    cached = {}
    for row_no, row in enumerate(example["rows"], 1):
        for col_no, value in enumerate(row, 1):
            if isinstance(value, str) and value.startswith("="):
                formula, _, value_cached = value.partition("|")
                cell = sheet.cell(row_no, col_no, formula)
                if value_cached:
                    cached[cell.coordinate] = value_cached
            elif value is not None:
                sheet.cell(row_no, col_no, value)
    for ref, code in example["formats"].items():
        sheet[ref].number_format = code
    for row_no in example["hidden"]:
        sheet.row_dimensions[row_no].hidden = True
    for cell_range in example.get("merged", ()):  # the workbook lint's examples (checker/importer/lint.py)
        sheet.merge_cells(cell_range)
    for letter in example.get("hidden_columns", ()):
        sheet.column_dimensions[letter].hidden = True
    if example.get("chart"):
        from openpyxl.chart import BarChart, Reference

        chart = BarChart()
        chart.add_data(Reference(sheet, min_col=2, min_row=3, max_row=sheet.max_row), titles_from_data=True)
        sheet.add_chart(chart, "F3")
    if example.get("sheet_state"):
        book.create_sheet("表紙", 0)["A1"] = "表紙"
        sheet.sheet_state = example["sheet_state"]
    fixtures.HERE = path.parent
    fixtures.save(book, cached, path.name)
    return path


@pytest.mark.parametrize("kind", [k for k in KINDS.values() if k.bad], ids=lambda k: k.code)
def test_each_import_problem_s_bad_example_reports_it_and_its_good_one_does_not(kind, tmp_path):
    bad = import_workbook(_example_workbook(kind.bad, tmp_path / "bad.xlsx"))
    assert kind.code in [problem.code for problem in bad.problems]
    good = import_workbook(_example_workbook(kind.good, tmp_path / "good.xlsx"))
    assert kind.code not in [problem.code for problem in good.problems]
    for problem in bad.problems:
        assert problem.message("ja") and problem.message("en")


@pytest.mark.parametrize("kind", list(KINDS.values()), ids=lambda k: k.code)
def test_each_import_problem_is_documented_in_both_languages(kind):
    for text in (kind.message, kind.help, kind.what, kind.why):
        assert text.ja.strip() and text.en.strip()
    assert kind.code.startswith("IMP") and len(kind.code) == 6


def test_the_html_report_names_the_workbook_cell_beside_the_yaml_position(tmp_path):
    """Issue 18: for imported data, the report gives the cell the value came from."""
    from checker.cli import main as cli_main

    workbook = WORKBOOKS / "indicators_wrong_rate.xlsx"  # a printed 達成率 that is not its target and actual's
    imported = tmp_path / "imported.yaml"
    CliRunner().invoke(cli_main, ["import", str(workbook), "-o", str(imported)])
    report = tmp_path / "report.html"
    result = CliRunner().invoke(cli_main, ["check", "--no-cache", "--isolated", "--format", "html", "-o", str(report), str(imported)])
    assert result.exit_code == 1, result.output
    page = report.read_text(encoding="utf-8")
    assert re.search(r'imported\.yaml:\d+:\d+ <span class="cell">\([^)]+![A-Z]+\d+\)</span>', page)
