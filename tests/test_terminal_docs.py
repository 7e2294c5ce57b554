"""`plancheck rules`, `plancheck rule CODE` and `plancheck format [TOPIC]`, rendered for a
terminal (rich), in the language asked for (checker/terminal_docs.py)."""

from __future__ import annotations

import re

from click.testing import CliRunner

from checker import terminal_docs
from checker.cli import main

ENV = {"PLANCHECK_LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "", "NO_COLOR": "1"}


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env={**ENV, **(env or {})}, catch_exceptions=False,
                              prog_name="plancheck")


def test_rule_tab001_is_rendered_in_japanese_not_as_raw_markdown():
    result = invoke("rule", "TAB001", "--lang", "ja")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "TAB001 表の合計と内訳の和 (table-sum-matches)"  # its title, then its name
    assert lines[1] == "重大度: エラー   自動修正: 不可"
    for head in ("検査内容", "理由", "メッセージ", "ヒント", "悪い例", "良い例"):
        assert head in lines, head
    # what it checks, in Japanese, indented under its heading; no Markdown syntax left
    what = lines[lines.index("検査内容") + 1]
    assert what.startswith("  統計表で宣言された和の関係（合計＝内訳の和）")
    assert "##" not in result.output and "```" not in result.output
    # the bad example as YAML, whole and indented: its total is the one that is wrong
    bad = lines[lines.index("悪い例") + 1:lines.index("良い例")]
    assert bad[0].startswith("  plan: {id: x")
    assert any('{key: total, name: 合計, values: {平成30年: "121,176"}}' in line for line in bad)
    assert "\x1b" not in result.output  # not a terminal: no colour


def test_rule_in_english_and_markdown_on_request():
    english = invoke("rule", "tab001", "--lang", "en").output
    assert english.splitlines()[0] == "TAB001 a table's total and the sum of its parts (table-sum-matches)"
    assert "What it checks" in english.splitlines() and "Severity: error   Fixable: no" in english
    markdown = invoke("rule", "TAB001", "--lang", "ja", "--format", "markdown").output
    assert markdown.startswith("TAB001 表の合計と内訳の和 (table-sum-matches)\n")
    assert "\n## 検査内容\n" in markdown and "```yaml" in markdown


def test_rules_lists_japanese_summaries():
    result = invoke("rules", "--lang", "ja")
    assert result.exit_code == 0
    head, *rows = result.output.splitlines()
    assert head.split() == ["コード", "見出し", "名前", "重大度", "自動修正", "概要"]
    [tot001] = [row for row in rows if row.startswith("TOT001 ")]
    assert tot001.split()[:3] == ["TOT001", "事業一覧の合計と事業費の和", "total-matches-items"]
    assert "エラー" in tot001 and tot001.rstrip().endswith("。")
    assert re.search(r"[ぁ-んァ-ン一-龥]", tot001.split("エラー", 1)[1])
    # a summary is one sentence, not cut inside brackets
    [band002] = [row for row in rows if row.startswith("BAND002 ")]
    assert band002.count("（") == band002.count("）")
    english = invoke("rules", "--lang", "en").output
    assert english.splitlines()[0].split() == ["code", "title", "name", "severity", "fix", "summary"]
    [tot001] = [row for row in english.splitlines() if row.startswith("TOT001 ")]
    assert "a project list's total and the sum of its costs" in tot001 and "total-matches-items" in tot001


def test_a_rule_without_a_title_is_listed_and_headed_by_its_name(tmp_path):
    import os

    (tmp_path / "city.yaml").write_text(
        "extends: recommended\nrules:\n  CITY001:\n    name: strict-total\n    severity: error\n"
        "    given: project_lists\n    then: {function: sum_matches, kind: beyond_rounding}\n"
        "    message: {ja: '合計 {stated}', en: 'total {stated}'}\n", encoding="utf-8")
    before = os.getcwd()
    os.chdir(tmp_path)
    try:
        shown = invoke("rule", "CITY001", "--lang", "ja", "--rules", "city.yaml")
        listing = invoke("rules", "--lang", "ja", "--rules", "city.yaml")
    finally:
        os.chdir(before)
    assert shown.exit_code == 0 and shown.output.splitlines()[0] == "CITY001 (strict-total)"
    [city] = [row for row in listing.output.splitlines() if row.startswith("CITY001 ")]
    assert city.split()[:3] == ["CITY001", "strict-total", "エラー"]


def test_format_prints_the_reference_and_a_topic():
    whole = invoke("format")
    assert whole.exit_code == 0 and whole.output.lstrip().startswith("The plan file format")
    assert "Writing values" in whole.output and "```" not in whole.output
    tables = invoke("format", "tables").output
    assert tables.startswith("Statistics tables (統計資料)")
    assert "Activity plan" not in tables
    bands = invoke("format", "評価区分").output
    assert bands.startswith("Evaluation bands (評価区分)")
    assert invoke("format", "値").output.startswith("Writing values")  # a Japanese word for a heading in English
    assert invoke("format", "指標").output.startswith("Indicators")
    raw = invoke("format", "values", "--raw").output
    assert raw.startswith("## Writing values\n")
    missing = invoke("format", "tabels", "--lang", "ja")
    assert missing.exit_code == 2
    assert "計画ファイルの書き方に「tabels」の節はありません" in missing.output
    assert "  Statistics tables (統計資料): `tables`" in missing.output


def test_the_reference_is_shipped_with_the_package():
    import tomllib
    from pathlib import Path

    root = Path(__file__).parent.parent
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    included = project["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert included["docs/plan-format.md"] == "checker/reference/plan-format.md"
    assert terminal_docs.plan_format_path().read_text(encoding="utf-8") == (root / "docs/plan-format.md").read_text(
        encoding="utf-8")


def test_no_help_or_message_points_at_a_repository_file():
    """An installed plancheck has no docs/: hints name a command instead."""
    from pathlib import Path

    from checker.rules import load_ruleset

    root = Path(__file__).parent.parent
    ruleset = load_ruleset(root / "rules" / "recommended.yaml")
    for rule in ruleset.rules.values():
        for text in (rule.message, rule.help):
            for lang in ("ja", "en"):
                assert "docs/" not in (text or {}).get(lang, ""), rule.code
    assert "plancheck format values" in ruleset.rules["LOAD006"].help["ja"]
    from checker.messages import MESSAGES

    assert not [key for key, text in MESSAGES.items() if "docs/" in text.ja + text.en]
