"""The workbook lint (WB001-WB020, checker/importer/lint.py): the 統一ルール's machine-readability
checks, at the cell, with the YAML position of the value an imported cell became."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.diagnostics import Severity
from checker.importer import import_workbook
from checker.importer.lint import WORKBOOK_KINDS, lint_workbook
from checker.importer.problems import KINDS, documented
from tests.test_import import _example_workbook

WORKBOOKS = Path(__file__).parent / "data" / "workbooks"


@pytest.mark.parametrize("kind", [k for k in WORKBOOK_KINDS.values() if k.bad], ids=lambda k: k.code)
def test_each_lint_s_bad_workbook_reports_it_and_its_good_one_does_not(kind, tmp_path):
    bad = lint_workbook(_example_workbook(kind.bad, tmp_path / "bad.xlsx"))
    assert kind.code in [problem.code for problem in bad], [p.message("en") for p in bad]
    good = lint_workbook(_example_workbook(kind.good, tmp_path / "good.xlsx"))
    assert kind.code not in [problem.code for problem in good], [p.message("en") for p in good]
    for problem in bad:
        assert problem.message("ja") and problem.message("en")
        assert "{" not in problem.message("ja") + problem.message("en")


def test_the_good_example_table_lints_clean(tmp_path):
    from checker.importer.lint import _GOOD

    assert lint_workbook(_example_workbook(_GOOD, tmp_path / "good.xlsx")) == []


@pytest.mark.parametrize("kind", list(WORKBOOK_KINDS.values()), ids=lambda k: k.code)
def test_each_lint_is_documented_in_both_languages(kind):
    for text in (kind.message, kind.help, kind.what, kind.why):
        assert text.ja.strip() and text.en.strip()
    assert re.fullmatch(r"WB0(0[1-9]|1[0-9]|20)", kind.code)
    assert kind.family == "workbook" and kind.severity != Severity.ERROR  # readability, not a wrong number
    assert kind.bad or kind.code == "WB020"  # WB020 is said of an .ods or a CSV: tested on the fixtures below
    if kind.code not in ("WB018", "WB020"):  # of a sheet, of a file; every other is said at its cell, and names it
        assert "{cell}" in kind.message.ja and "{cell}" in kind.message.en


def test_the_lint_codes_and_names_are_unique_and_apart_from_the_import_s():
    assert not set(WORKBOOK_KINDS) & set(KINDS)
    names = [kind.name for kind in documented().values()]
    assert len(names) == len(set(names))
    assert list(documented()) == sorted(KINDS) + sorted(WORKBOOK_KINDS)


def test_the_budget_kept_for_printing_reports_each_planted_problem_at_its_cell():
    """tests/data/workbooks/budget_unreadable.xlsx (make_fixtures.unreadable_budget)."""
    found = [(p.code, p.cell) for p in lint_workbook(WORKBOOKS / "budget_unreadable.xlsx")]
    assert found == [
        ("WB013", "歳出予算!A1"),  # 令和5年度 without 2023
        ("WB011", "歳出予算!A3"),  # no unit line, no unit in a header
        ("WB013", "歳出予算!C3"), ("WB013", "歳出予算!D3"),
        ("WB017", "歳出予算!E3"),  # the hidden 査定額 column
        ("WB012", "歳出予算!A4"),  # ①議会費
        ("WB001", "歳出予算!A5"), ("WB006", "歳出予算!A5"),  # 総　務　費 merged over two 項
        ("WB003", "歳出予算!C5"),  # "4,123,456" as text
        ("WB012", "歳出予算!F5"),  # ㈱
    ]
    [spaced] = [p for p in lint_workbook(WORKBOOKS / "budget_unreadable.xlsx") if p.code == "WB006"]
    assert "全角" in spaced.message("ja") and "総　務　費" in spaced.message("ja")
    [company] = [p for p in lint_workbook(WORKBOOKS / "budget_unreadable.xlsx") if p.cell == "歳出予算!F5"]
    assert "(株)" in company.message("en")


def test_the_project_list_s_layout_habits_are_said_and_its_hidden_row_once():
    """project_list.xlsx: the import reads it (IMP007 names its hidden row inside the table);
    the lint adds what a machine trips on, and does not say the hidden row again."""
    result = import_workbook(WORKBOOKS / "project_list.xlsx", lint=True)
    found = [(p.code, p.cell) for p in result.problems]
    assert found == [
        ("IMP007", "関連事務事業一覧!B9"),
        ("WB002", "関連事務事業一覧!A1"),  # the title and the two-row header merged
        ("WB012", "関連事務事業一覧!A1"),  # 基本目標Ⅱ
        ("WB007", "関連事務事業一覧!H3"), ("WB013", "関連事務事業一覧!H3"),  # 令和4年度⏎事業費
        ("WB013", "関連事務事業一覧!I3"),
        ("WB003", "関連事務事業一覧!H6"),  # "2,377": the green triangle
        ("WB009", "関連事務事業一覧!H13"),  # the =SUM 合計
    ]
    alone = [(p.code, p.cell) for p in lint_workbook(WORKBOOKS / "project_list.xlsx")]
    assert ("WB016", "関連事務事業一覧!A9") in alone  # linted without importing, the hidden row is the lint's
    assert import_workbook(WORKBOOKS / "project_list.xlsx").problems == [result.problems[0]]  # the API's default


def test_a_finding_at_an_imported_value_names_its_yaml_position(tmp_path):
    out = tmp_path / "theme.yaml"
    run = CliRunner().invoke(main, ["import", str(WORKBOOKS / "project_list.xlsx"), "-o", str(out), "--lang", "en",
                                    "--format", "json"])
    assert run.exit_code == 0, run.output
    problems = json.loads(run.stdout)["problems"]
    [text] = [p for p in problems if p["code"] == "WB003"]
    assert (text["cell"], text["pointer"], text["family"]) == (
        "関連事務事業一覧!H6", "/themes/0/projects/items/1/cost", "workbook")
    name, line, column = text["position"].rsplit(":", 2)
    assert name == str(out)
    assert out.read_text(encoding="utf-8").splitlines()[int(line) - 1][int(column) - 1:].startswith('"2,377"')
    [header] = [p for p in problems if p["code"] == "WB007"]
    assert header["pointer"] is None and header["position"] is None  # a header cell is no value


def test_the_text_report_gives_the_cell_and_the_yaml_position(tmp_path):
    out = tmp_path / "theme.yaml"
    run = CliRunner().invoke(main, ["import", str(WORKBOOKS / "project_list.xlsx"), "-o", str(out), "--lang", "ja"])
    assert run.exit_code == 0
    [line] = [line for line in run.stderr.splitlines() if " WB003 " in line]
    assert "関連事務事業一覧!H6" in line and "2,377" in line
    assert re.search(rf"\({re.escape(str(out))}:\d+:\d+\)$", line)


def test_no_lint_leaves_the_import_s_own_problems():
    run = CliRunner().invoke(main, ["import", str(WORKBOOKS / "project_list.xlsx"), "--no-lint"])
    assert run.exit_code == 0
    assert "IMP007" in run.stderr and " WB0" not in run.stderr


def test_lint_only_writes_nothing_and_exits_by_the_fail_level(tmp_path):
    source = WORKBOOKS / "budget_unreadable.xlsx"
    before = source.read_bytes()
    run = CliRunner().invoke(main, ["import", str(source), "--lint-only", "--lang", "en"])
    assert run.exit_code == 1  # warnings, at the default --fail-level for a lint: warning
    assert run.stdout.count(" WB0") == 10 and "cells:" not in run.stdout
    assert source.read_bytes() == before
    assert CliRunner().invoke(main, ["import", str(source), "--lint-only", "--fail-level", "error"]).exit_code == 0
    good = _example_workbook(__import__("checker.importer.lint", fromlist=["_GOOD"])._GOOD, tmp_path / "good.xlsx")
    clean = CliRunner().invoke(main, ["import", str(good), "--lint-only"])
    assert (clean.exit_code, clean.stdout) == (0, "")
    budget = CliRunner().invoke(main, ["import", str(WORKBOOKS / "budget.xlsx"), "--lint-only"])
    assert budget.exit_code == 0 and "WB009" in budget.stdout  # information only
    assert CliRunner().invoke(main, ["import", str(WORKBOOKS / "budget.xlsx"), "--lint-only",
                                     "--fail-level", "info"]).exit_code == 1


def test_select_and_ignore_choose_the_codes_the_most_specific_deciding(tmp_path):
    source = str(WORKBOOKS / "budget_unreadable.xlsx")

    def codes(*options: str) -> tuple[int, list[str]]:
        run = CliRunner().invoke(main, ["import", source, "--lint-only", "--lang", "en", *options])
        return run.exit_code, sorted({line.split()[1] for line in run.stdout.splitlines()})

    everything = codes()[1]
    assert {"WB001", "WB003", "WB006", "WB012", "WB013"} <= set(everything)
    assert codes("--ignore", "WB01") == (1, [code for code in everything if not code.startswith("WB01")])
    assert codes("--select", "WB006") == (1, ["WB006"])
    # the more specific selector wins, whichever option it is in
    assert codes("--ignore", "WB0", "--select", "WB006,WB013") == (1, ["WB006", "WB013"])
    assert codes("--select", "WB01", "--ignore", "WB013") == (1, sorted(set(everything) & {"WB011", "WB012", "WB017"}))
    # only information left: below the lint's fail level, so the exit is 0
    assert codes("--select", "WB013") == (0, ["WB013"])
    # an import's own problems are chosen the same way
    run = CliRunner().invoke(main, ["import", str(WORKBOOKS / "project_list.xlsx"), "--ignore", "WB", "--lang", "en"])
    assert "IMP007" in run.stderr and " WB0" not in run.stderr
    run = CliRunner().invoke(main, ["import", str(WORKBOOKS / "project_list.xlsx"), "--select", "WB", "--lang", "en"])
    assert "IMP007" not in run.stderr and " WB0" in run.stderr


@pytest.mark.parametrize(("lang", "said"), [("en", "no import or workbook lint code (IMP, WB) starts with 'WX'"),
                                        ("ja", "「WX」で始まる取り込みやブックの検査のコード（IMP、WB）はありません")])
def test_a_selector_that_starts_no_code_is_a_usage_error(lang, said):
    run = CliRunner().invoke(main, ["import", str(WORKBOOKS / "budget.xlsx"), "--lint-only", "--ignore", "WX",
                                    "--lang", lang])
    assert run.exit_code == 2 and said in run.stderr


def test_the_reason_a_file_is_refused_is_said_whatever_is_ignored(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text("plan: {}\n", encoding="utf-8")
    run = CliRunner().invoke(main, ["import", str(plan), "--lint-only", "--ignore", "IMP,WB", "--lang", "en"])
    assert run.exit_code == 2 and "IMP005" in run.stdout + run.stderr


def test_lint_only_on_a_file_it_refuses_exits_2(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text("plan: {}\n", encoding="utf-8")
    run = CliRunner().invoke(main, ["import", str(plan), "--lint-only", "--format", "json"])
    assert run.exit_code == 2
    assert [p["code"] for p in json.loads(run.stdout)["problems"]] == ["IMP005"]  # a YAML plan is never linted


def test_a_csv_or_an_ods_says_what_the_lint_could_not_check():
    for name in ("project_list.ods", "project_list_cp932.csv"):
        found = lint_workbook(WORKBOOKS / name)
        assert found[0].code == "WB020" and found[0].cell is None
        assert all(p.code not in ("WB001", "WB003", "WB016", "WB017") for p in found)


def test_a_checked_yaml_plan_gets_no_workbook_finding(tmp_path):
    out = tmp_path / "theme.yaml"
    assert CliRunner().invoke(main, ["import", str(WORKBOOKS / "project_list.xlsx"), "-o", str(out)]).exit_code == 0
    run = CliRunner().invoke(main, ["check", "--no-cache", "--isolated", "--format", "json", str(out)])
    assert "WB0" not in run.stdout


@pytest.mark.parametrize("code", ["WB001", "IMP002", "wb003", "hidden-column"])
def test_plancheck_rule_documents_the_import_and_lint_codes(code):
    run = CliRunner().invoke(main, ["rule", code, "--lang", "en"])
    assert run.exit_code == 0, run.output
    kind = documented()[code.upper()] if code.upper() in documented() else WORKBOOK_KINDS["WB017"]
    assert run.stdout.startswith(f"{kind.code} ")
    assert kind.why.en.split(":")[0][:30] in " ".join(run.stdout.split())
    assert ("workbook lint" if kind.family == "workbook" else "import problem") in run.stdout
    ja = CliRunner().invoke(main, ["rule", kind.code, "--lang", "ja"])
    assert kind.what.ja[:10] in ja.stdout


def test_plancheck_rule_json_and_markdown_for_a_lint_code():
    data = json.loads(CliRunner().invoke(main, ["rule", "WB006", "--format", "json"]).stdout)
    assert data["code"] == "WB006" and data["family"] == "workbook" and data["severity"] == "warning"
    assert "総　務　費" in data["docs"]["bad"]
    markdown = CliRunner().invoke(main, ["rule", "WB006", "--format", "markdown", "--lang", "ja"]).stdout
    assert markdown.startswith("WB006 ") and "総　務　費" in markdown


def test_plancheck_rules_lists_the_import_and_lint_families_after_the_ruleset():
    run = CliRunner().invoke(main, ["rules", "--lang", "en"])
    lines = run.stdout.splitlines()
    codes = [line.split()[0] for line in lines[1:] if line.strip()]
    assert codes.index("WB001") > codes.index("IMP009") > codes.index("IMP001") > 0
    rows = json.loads(CliRunner().invoke(main, ["rules", "--format", "json"]).stdout)
    families = {row["code"]: row.get("family", "rule") for row in rows}  # a ruleset's rule as before: no family
    assert families["WB012"] == "workbook" and families["IMP001"] == "import" and families[codes[0]] == "rule"


def test_an_unknown_code_still_says_no_rule_with_a_suggestion():
    run = CliRunner().invoke(main, ["rule", "WB099", "--lang", "en"])
    assert run.exit_code == 2 and "WB0" in run.stderr


def test_docs_import_md_lists_every_lint_as_the_data_says():
    from checker.importer.lint import docs_table

    text = (Path(__file__).parent.parent / "docs" / "import.md").read_text(encoding="utf-8")
    assert docs_table() in text


def test_docs_import_md_lists_every_import_problem_with_its_severity():
    text = (Path(__file__).parent.parent / "docs" / "import.md").read_text(encoding="utf-8")
    for kind in KINDS.values():
        assert f"| {kind.code} | {kind.severity.label} |" in text


@pytest.mark.parametrize("extra", [["-o", "out.yaml"], ["--explain"], ["--no-lint"]])
def test_lint_only_refuses_what_would_write_or_contradict_it(extra, tmp_path):
    run = CliRunner().invoke(main, ["import", str(WORKBOOKS / "budget.xlsx"), "--lint-only", "--lang", "en", *extra])
    assert run.exit_code == 2 and "--lint-only" in run.output
    assert not (tmp_path / "out.yaml").exists()


def test_a_hostile_label_is_shown_escaped(tmp_path):
    """A cell's text is the workbook's: a bidi override in a label reaches no terminal as it is."""
    from checker.importer.lint import _GOOD, _with

    book = _example_workbook(_with(5, 1, "総\u202e　務　費"), tmp_path / "bidi.xlsx")
    for lang in ("ja", "en"):
        run = CliRunner().invoke(main, ["import", str(book), "--lint-only", "--lang", lang])
        assert run.exit_code == 1 and "WB006" in run.stdout and "\u202e" not in run.stdout
    data = CliRunner().invoke(main, ["import", str(book), "--lint-only", "--format", "json"]).stdout
    [problem] = json.loads(data)["problems"]  # JSON is data, as the check's: the text as the cell holds it
    assert problem["code"] == "WB006" and "総\u202e" in problem["message"]["ja"]
    assert _GOOD["rows"][4][0] == "総務費"  # the shared example is left as it was
