"""The HTML report (`--format html`, `-o report.html`) without a browser: one well-formed,
self-contained document whose verdict, counts, findings, numbers and charts are the run's;
hostile plan text stays text; and the several outputs of one run (`-o`, repeatable)."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import xml.etree.ElementTree as ET
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.diagnostics import Severity, render_arg
from checker.report import ReportContext, format_of_path, render
from checker.report.html import family, verdict_counts
from checker.run import RunOptions, RunResult, run
from tests.conftest import ROOT
from tests.html_tree import parse

FIXTURE = ROOT / "tests/data/report/evaluation.yaml"
PLANS = ROOT / "plans"


def report(paths: list[Path], lang: str = "ja") -> tuple[str, RunResult]:
    """The HTML report of a run over `paths`, as the CLI makes it, and the run."""
    result = run(RunOptions(paths=tuple(str(path) for path in paths), isolated=True, no_cache=True, lang=lang,
                            keep_files=True))
    context = ReportContext(lang=lang, sources=result.sources, checked=result.checked, relations=result.relations,
                            files=result.files)
    return render("html", result.diagnostics, context, result.ruleset), result


@pytest.fixture(scope="module")
def fixture_report():
    return report([FIXTURE])


@pytest.fixture(scope="module")
def real_report():
    return report([PLANS])


def kinds_of(result) -> dict[str, str | None]:
    return {rule.code: rule.kind for rule in result.ruleset.enabled()}


def test_the_report_is_one_well_formed_document_that_fetches_nothing(real_report):
    document, _ = real_report
    tree = parse(document)  # raises on an element left open or closed out of order
    assert tree.find("html").attrs["lang"] == "ja"
    csp = tree.find("meta", http_equiv="Content-Security-Policy").attrs["content"]
    assert csp is not None and "default-src 'none'" in csp
    assert not tree.find_all("script") and not tree.find_all("link") and not tree.find_all("img")
    assert not tree.find_all("iframe") and not tree.find_all("object")
    for node in tree.walk():
        for name, value in node.attrs.items():
            if name in ("src", "srcset", "action", "formaction", "poster", "data") or name.startswith("on"):
                raise AssertionError(f"<{node.tag} {name}={value!r}>")
            if name in ("href", "xlink:href"):
                assert value is not None and value.startswith("#"), value  # only links within the page
    assert "url(" not in document.replace("url(#hatch)", "")  # no style sheet reaches out either
    # accessible: every header cell says what it heads, every chart is an image with a title and a text
    assert all(th.attrs.get("scope") in ("col", "row") for th in tree.find_all("th"))
    for svg in tree.find_all("svg", class_="chart"):
        assert svg.attrs["role"] == "img" and svg.find("title").text() and svg.find("desc").text()
    assert "@import" not in document
    # printable on A4: a page size, a page break between documents, no cut table rows
    assert "@page{size:A4" in document
    assert re.search(r"section\.document\{break-before:page", document)
    assert "tr,article.finding,figure{break-inside:avoid" in document


def test_the_verdict_and_counts_are_the_runs(real_report):
    document, result = real_report
    tree = parse(document)
    counts = verdict_counts(result.diagnostics, kinds_of(result))
    expected = "、".join(f"{label} {counts[key]} 件" for key, label in
                        (("serious", "重大な不整合"), ("rounding", "丸め誤差の可能性"),
                         ("file", "ファイルの読み込みの問題"), ("review", "要確認"), ("info", "参考情報"),
                         ("internal", "plancheck の内部エラー")) if counts[key])
    assert tree.find(id="verdict").text() == expected
    # the published documents' own inconsistencies: 自治体経営方針's 合計 (TOT001) and the units of the
    # figures that restate a table in another unit (FIG007) are the errors; the rounding gaps (TOT002)
    errors = [d.code for d in result.diagnostics if d.severity is Severity.ERROR]
    assert counts["serious"] == len(errors) and "TOT001" in errors
    assert counts["rounding"] == sum(1 for d in result.diagnostics if d.code == "TOT002") >= 1
    assert expected.startswith(f"重大な不整合 {counts['serious']} 件、丸め誤差の可能性 {counts['rounding']} 件")
    by_severity = Counter(d.severity for d in result.diagnostics)
    for severity in Severity:
        row = tree.find("tr", data_severity=severity.label)
        assert row.find_all("td")[1].text() == str(by_severity[severity])
    families = Counter(family(d.code) for d in result.diagnostics)
    shown = {row.attrs["data-family"]: int(row.find_all("td")[1].text()) for row in tree.find_all("tr")
             if "data-family" in row.attrs}
    assert shown == dict(families)
    relations = result.relations
    assert tree.find("tr", data_relations="checked").find("td").text() == str(relations.checked)
    assert tree.find("tr", data_relations="unchecked").find("td").text() == str(len(relations.unchecked))
    assert tree.find("tr", data_relations="not_applicable").find("td").text() == str(relations.not_applicable)
    coverage = tree.find(id="coverage").text()
    assert f"{len(result.checked)} ファイル" in coverage and f"関係 {relations.checked} 件を検査" in coverage
    # the documents checked: one row per plan id, each linked to its section
    plan_ids = list(dict.fromkeys(file.model.plan.id for file in result.files))
    rows = tree.find(id="documents").find("tbody").find_all("tr")
    assert len(rows) == len(plan_ids) == len(tree.find_all("section", class_="document"))
    # the key findings say each serious one in words, first: the 自治体経営方針 total among them
    key = tree.find("ol", class_="key-findings").find_all("li")
    error_count = sum(1 for d in result.diagnostics if d.severity is Severity.ERROR)
    assert all(item.find("span").attrs["class"] == "sev error" for item in key[:error_count])
    total = next(item for item in key[:error_count] if item.attrs["data-code"] == "TOT001")
    serious = [d for d in result.diagnostics if d.code == "TOT001"]
    assert serious[0].message["ja"] in total.text()
    assert "自治体経営方針" in total.text() and "4,200" in total.text()


def test_every_finding_is_present_with_its_numbers(real_report, fixture_report):
    for document, result in (real_report, fixture_report):
        tree = parse(document)
        articles = tree.find_all("article", class_="finding")
        assert len(articles) == len(result.diagnostics)
        remaining = list(articles)
        for d in result.diagnostics:
            match = next(a for a in remaining if a.attrs["data-code"] == d.code
                         and a.attrs["data-line"] == str(d.span.line))
            remaining.remove(match)
            text = match.text()
            assert d.message["ja"] in text
            assert f"{d.file}:{d.span.line}:{d.span.column}" in text
            for value in d.args.values():
                if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
                    assert render_arg(value, "ja") in text, (d.code, value)
            for _related, span in d.related:
                assert f":{span.line}:{span.column}" in text


def test_a_total_shows_its_items_with_the_suspect_cell_marked(fixture_report):
    document, _ = fixture_report
    tree = parse(document)
    article = tree.find("article", data_code="TOT001")
    numbers = dict(zip([n.text() for n in article.find_all("dt")], [n.text() for n in article.find_all("dd")]))
    assert numbers["記載値"] == "5,870" and numbers["計算値"] == "4,870" and numbers["差"] == "1,000"
    assert numbers["端数処理で説明できるか"] == "説明できない"
    items = article.find("table", class_="items")
    assert [row.find_all("td")[1].text() for row in items.find("tbody").find_all("tr")] == ["保育所運営事業", "子育て相談事業"]
    suspect = items.find_all("td", class_="suspect")
    assert len(suspect) == 1 and suspect[0].text().startswith("5870")  # the 合計 as written, with words for it
    assert "指摘箇所" in suspect[0].text()
    within = tree.find("article", data_code="TOT002")
    assert "説明できる（丸め誤差の可能性）" in within.text()
    # a rate: the indicator's years, the stated rate marked
    rate = tree.find("article", data_code="RATE001")
    marked = rate.find("table", class_="indicator").find_all("td", class_="suspect")
    assert len(marked) == 1 and marked[0].text().startswith("75.0%")
    # a table relation: the table, the 合計 cell of 令和5年 marked
    table = tree.find("article", data_code="TAB001").find("table", class_="statistics")
    assert [cell.text() for cell in table.find_all("td", class_="suspect")] == ["330（指摘箇所）"]


def test_findings_follow_the_plans_order(fixture_report):
    document, _ = fixture_report
    tree = parse(document)
    section = tree.find("section", class_="document")
    order = [node.text() if node.tag == "h3" else node.attrs["data-code"]
             for node in section.walk() if node.tag == "h3" or (node.tag == "article")]
    assert order[:7] == ["子育て支援の充実", "RATE001", "TOT001", "道路の整備", "YEAR001", "TOT002", "年齢別人口"]


def test_the_charts_have_one_mark_per_indicator_and_per_total(fixture_report, real_report):
    for document, result in (fixture_report, real_report):
        tree = parse(document)
        by_plan: dict[str, list] = {}
        for file in result.files:
            by_plan.setdefault(file.model.plan.id, []).append(file.model)
        for section, models in zip(tree.find_all("section", class_="document"), by_plan.values()):
            indicators = [i for model in models for part in (*model.themes, *model.policies, *model.goals)
                          for i in part.indicators]
            lists = [part.projects for model in models for part in model.themes
                     if part.projects is not None and part.projects.total is not None]
            totals = len(lists) + sum(stated_sums(table) for model in models for table in model.tables)
            rates = section.find_all("figure", class_="rates")
            if any(indicator.rates for indicator in indicators):
                marks = rates[0].find("svg").find_all("g", class_="mark")
                assert len(marks) == len(indicators) == int(rates[0].attrs["data-marks"] or "")
                svg = rates[0].find("svg")
                assert svg.attrs["role"] == "img" and svg.find("title").text() and svg.find("desc").text()
                assert len(rates[0].find("table").find("tbody").find_all("tr")) == len(indicators)  # text equivalent
            else:
                assert not rates
            gaps = section.find_all("figure", class_="gaps")
            if totals:
                assert len(gaps[0].find("svg").find_all("g", class_="mark")) == totals
            else:
                assert not gaps
            charted = [i for i in indicators if any(hasattr(v, "value") or hasattr(v, "number")
                                                    for v in (*i.targets.values(), *i.actuals.values()))]
            series = [f for f in section.find_all("figure") if "data-indicator" in f.attrs]
            assert len(series) == len(charted)


def test_a_total_is_called_consistent_only_when_every_gap_would_be_reported():
    result = run(RunOptions(paths=(str(FIXTURE),), isolated=True, no_cache=True, lang="ja", keep_files=True,
                            ignore=("TOT002",)))
    context = ReportContext(lang="ja", sources=result.sources, checked=result.checked, relations=result.relations,
                            files=result.files)
    tree = parse(render("html", result.diagnostics, context, result.ruleset))
    marks = tree.find("figure", class_="gaps").find_all("g", class_="mark")
    # 602 against 601 is not "consistent" while TOT002 is off; the table's 合計 rows still are
    assert [m.attrs["class"].split()[1] for m in marks] == ["beyond", "unchecked", "within", "beyond"]
    assert "差の有無は不明" in marks[1].text()
    assert [m.text() for m in marks[2:]] == ["内訳の和と整合 合計 300", "差 10 合計 330"]


def stated_sums(table) -> int:
    """How many totals a table's declared sums state: one per column a summed row has a
    value in (one per row, for a summed column)."""
    count = 0
    for relation in table.relations:
        if relation.check != "sum":
            continue
        if relation.row is not None:
            row = table.row(relation.row)
            count += sum(1 for key in row.values if key not in relation.skip and (not relation.only or key in relation.only))
        else:
            count += sum(1 for _, row, _ in table.all_rows() if relation.column in row.values)
    return count


def test_the_rate_chart_draws_the_plans_bands_and_says_which_rates_reach_100(fixture_report):
    tree = parse(fixture_report[0])
    svg = tree.find("figure", class_="rates").find("svg")
    assert [mark.text() for mark in svg.find_all("text", class_="band-mark")] == ["C", "B", "A"]
    marks = svg.find_all("g", class_="mark")
    assert [m.attrs["class"].split()[1] for m in marks] == ["reached", "short", "reached", "none"]
    # not colour alone: the value, a ✓ at 100 % or more, and 記載なし where no rate is stated
    assert [m.text() for m in marks] == ["104.2% ✓", "75.0%", "100.0% ✓", "記載なし"]


def test_a_kpi_sheet_shows_its_bands_and_the_marks_it_printed():
    document, result = report([ROOT / "tests/data/kinds/kpi-sheet.yaml"])
    model = result.files[0].model
    year = model.plan.as_of
    svg = parse(document).find("figure", class_="rates").find("svg")
    bands = sorted(model.plan.bands.bands, key=lambda band: band.min if band.min is not None else Decimal(-1))
    assert [mark.text() for mark in svg.find_all("text", class_="band-mark")] == [band.mark for band in bands]
    indicators = [i for part in (*model.themes, *model.policies, *model.goals) for i in part.indicators]
    marks = svg.find_all("g", class_="mark")
    assert len(marks) == len(indicators)
    for mark, indicator in zip(marks, indicators):
        if year in indicator.evaluations:
            assert mark.text().endswith(f"[{indicator.evaluations[year]}]"), mark.text()


def test_the_report_is_deterministic_and_english_with_lang_en():
    first, _ = report([FIXTURE], "en")
    second, _ = report([FIXTURE], "en")
    assert first == second
    tree = parse(first)
    assert tree.find("html").attrs["lang"] == "en"
    assert tree.find(id="verdict").text() == "4 serious inconsistencies, 1 possible rounding difference"
    assert "yes (possibly a rounding difference)" in tree.find("article", data_code="TOT002").text()


def test_a_clean_run_says_so_and_never_claims_more_than_was_checked(tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("plan: {id: x, title: t, municipality: 架空市, kind: policy_evaluation, source: {seed: a.txt}}\n",
                     encoding="utf-8")
    document, result = report([empty])
    assert not result.diagnostics and result.relations.checked == 0
    assert parse(document).find(id="verdict").text() == "検査できる関係がありませんでした"
    clean = tmp_path / "clean.yaml"
    clean.write_text(empty.read_text(encoding="utf-8") + (
        "themes:\n  - id: a\n    title: t\n    projects:\n      unit: 千円\n      items:\n"
        "        - {no: 1, name: 事業, cost: 19}\n        - {no: 2, name: 事業2, cost: 3851}\n      total: 3870\n"),
        encoding="utf-8")
    document, result = report([clean])
    assert not result.diagnostics and result.relations.checked and not result.relations.unchecked
    tree = parse(document)
    assert tree.find(id="verdict").text() == "不整合は見つかりませんでした"
    assert tree.find("figure", class_="gaps").find("g", class_="mark").text() == "内訳の和と整合 合計 3870"


def test_files_that_cannot_be_read_are_reported_as_such(tmp_path):
    broken = ROOT / "tests/data/broken"
    document, result = report([broken / "empty.yaml", broken / "cp932.yaml", FIXTURE])
    tree = parse(document)
    loads = [d for d in result.diagnostics if d.code.startswith("LOAD")]
    assert len(loads) == 2
    assert tree.find(id="verdict").text().startswith("重大な不整合 4 件、丸め誤差の可能性 1 件、ファイルの読み込みの問題 2 件")
    for d in loads:  # each file that did not load is a document of its own, its finding about the whole of it
        section = next(s for s in tree.find_all("section", class_="document") if d.file in s.find("h2").text())
        assert section.find("h3").text() == "文書全体"
        assert d.message["ja"] in section.find("article", data_code=d.code).text()


HOSTILE = """\
plan:
  id: hostile
  title: "</title></style></script><script>alert(1)</script>\u202e市"
  municipality: "<img src=x onerror=alert(2)>"
  kind: policy_evaluation
  source: {seed: "a\\u0007.txt"}
themes:
  - id: t
    title: "<svg onload=alert(3)>\u2066テーマ"
    indicators:
      - name: "</svg><script>alert(4)</script>"
        targets: {令和4年度: 10}
        actuals: {令和4年度: 5}
        rates: {令和4年度: 60.0%}
    projects:
      unit: "</caption><iframe src=//x>"
      items:
        - {no: 1, name: "<b onmouseover=alert(5)>事業</b>", cost: 19}
      total: 20
"""


def test_hostile_plan_text_stays_text(tmp_path):
    plan = tmp_path / "<img src=x onerror=alert(6)>.yaml"
    plan.write_text(HOSTILE, encoding="utf-8")
    document, result = report([plan])
    assert result.diagnostics  # the rate and the total are reported, with the hostile names in them
    tree = parse(document)
    assert not tree.find_all("script") and not tree.find_all("img") and not tree.find_all("iframe")
    assert not tree.find_all("b")
    assert not [node for node in tree.walk() if any(name.startswith("on") for name in node.attrs)]
    assert [node.tag for node in tree.find_all("svg") if node.find_all("svg")] == []  # no svg opened by a value
    # bidi and control characters are shown as escapes, never written
    assert "\u202e" not in document and "\u2066" not in document and "\x07" not in document
    assert "\\u202e" in document and "\\u2066" in document
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document
    assert "&lt;img src=x onerror=alert(6)&gt;.yaml" in document
    assert tree.find("title").text().startswith("plancheck 検査報告")


# --- several outputs from one run ------------------------------------------------------

def invoke(args: list[str], cwd: Path):
    runner = CliRunner()
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, ["--isolated", "--no-cache", "--lang", "ja", *args], catch_exceptions=False)
    finally:
        os.chdir(previous)


@pytest.fixture
def project(tmp_path):
    shutil.copy(FIXTURE, tmp_path / "plan.yaml")
    return tmp_path


def test_several_outputs_from_one_run_while_the_terminal_shows_the_report(project):
    result = invoke(["-o", "out/report.html", "-o", "results.sarif", "-o", "junit.xml", "-o", "data.json",
                     "--output", "concise:findings.log", "plan.yaml"], project)
    assert result.exit_code == 1, result.output
    # the terminal: the full report as usual, and where each file went
    assert "TOT001" in result.stdout and "plan.yaml:38:14" in result.stdout
    for name in ("out/report.html", "results.sarif", "junit.xml", "data.json", "findings.log"):
        assert f"{name} に書き出しました" in result.stderr
    parse((project / "out/report.html").read_text(encoding="utf-8"))
    sarif = json.loads((project / "results.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and len(sarif["runs"][0]["results"]) == 5
    assert len(ET.parse(project / "junit.xml").getroot().findall(".//failure")) == 5
    assert len(json.loads((project / "data.json").read_text(encoding="utf-8"))["diagnostics"]) == 5
    assert (project / "findings.log").read_text(encoding="utf-8").count("plan.yaml:") == 5
    assert not [path for path in project.rglob("*") if path.name.startswith(".") and "plancheck" in path.name]


def test_format_html_with_an_output_file_keeps_the_terminal_human(project):
    result = invoke(["--format", "html", "-o", "report.html", "plan.yaml"], project)
    assert result.exit_code == 1
    assert "<html" not in result.stdout and "TOT001" in result.stdout
    assert (project / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    # --format names the format of a file whose name says none; the terminal shows the rest
    result = invoke(["--format", "json", "-o", "report.out", "--format", "json", "plan.yaml"], project)
    assert json.loads((project / "report.out").read_text(encoding="utf-8"))["summary"]["error"] == 4
    # and without a file, html goes to stdout (a redirect), whole
    result = invoke(["--format", "html", "plan.yaml"], project)
    assert result.stdout.startswith("<!DOCTYPE html>") and result.stdout.rstrip().endswith("</html>")


def test_a_file_whose_format_cannot_be_told_is_a_usage_error(project):
    result = invoke(["-o", "report.out", "plan.yaml"], project)
    assert result.exit_code == 2
    assert "report.out の形式が分かりません" in result.stderr and ".html" in result.stderr
    assert not (project / "report.out").exists()
    assert invoke(["-o", "a.html", "-o", "./a.html", "plan.yaml"], project).exit_code == 2
    assert invoke(["-o", "a.html", "--diff", "plan.yaml"], project).exit_code == 2
    assert not (project / "a.html").exists()


def test_a_failed_write_is_exit_2_with_a_message_and_no_file(project):
    (project / "taken").mkdir()
    result = invoke(["--output", "html:taken", "plan.yaml"], project)
    assert result.exit_code == 2 and "taken に書き出せませんでした" in result.stderr
    assert (project / "taken").is_dir()
    if os.geteuid() != 0:  # root writes anywhere: the read-only directory is for other users
        locked = project / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        result = invoke(["-o", "locked/report.html", "plan.yaml"], project)
        assert result.exit_code == 2 and not (locked / "report.html").exists()
    # a report is never written over a plan being checked
    before = (project / "plan.yaml").read_bytes()
    result = invoke(["--output", "html:plan.yaml", "plan.yaml"], project)
    assert result.exit_code == 2 and "計画ファイルです" in result.stderr
    assert (project / "plan.yaml").read_bytes() == before
    # the other outputs of the run are still written, and the findings still shown
    result = invoke(["--output", "json:taken", "-o", "fine.sarif", "plan.yaml"], project)
    assert result.exit_code == 2 and (project / "fine.sarif").exists() and "TOT001" in result.stdout


def test_an_existing_report_is_replaced_whole_keeping_its_mode(project):
    target = project / "report.html"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    assert invoke(["-o", "report.html", "plan.yaml"], project).exit_code == 1
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(path.name for path in project.iterdir()) == ["plan.yaml", "report.html"]


def test_formats_by_extension():
    assert {name: format_of_path(name).name for name in ("a.html", "A.HTM", "x.sarif", "x.sarif.json", "x.json",
                                                          "x.xml", "x.junit.xml")} == {
        "a.html": "html", "A.HTM": "html", "x.sarif": "sarif", "x.sarif.json": "sarif", "x.json": "json",
        "x.xml": "junit", "x.junit.xml": "junit"}
    assert format_of_path("report.txt") is None
