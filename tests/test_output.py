"""Output a person can read (issue 19): the full format fits the terminal, its labels on
their value's line; grouped; -q / -v; format names in any case; the clean-run summary;
--max-diagnostics; and the formats CI systems read (GitLab Code Quality, reviewdog rdjson,
SARIF's invocations), with fingerprints that survive a line shift."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from rich.cells import cell_len

from checker.report import ReportContext, render
from checker.run import RunOptions, run
from tests.conftest import ROOT
from tests.test_cli import run as cli

COLUMNS = ["平成30年", "令和元年", "令和2年", "令和3年", "令和4年", "令和5年"]

# a statistics table written as flow rows, each row longer than 80 columns: the 合計 row's
# last cell (near the end of its line) is off the sum of its parts; row names in kanji
LONG_ROWS = ("plan: {id: x, title: 人口, municipality: 架空市, kind: statistics, source: {seed: a.txt}}\n"
             "tables:\n  - id: population\n    title: 年齢3区分別人口（各年10月1日現在、住民基本台帳による）\n"
             "    columns: [" + ", ".join(f"{{key: {c}}}" for c in COLUMNS) + "]\n    rows:\n"
             + "".join(f"      - {{key: {key}, name: {name}, values: {{"
                       + ", ".join(f'{c}: "{value + step:,}"' for step, c in enumerate(COLUMNS)) + "}}\n"
                       for key, name, value in (("young", "年少人口", 14_668), ("working", "生産年齢人口", 80_907),
                                                ("old", "老年人口", 25_592)))
             + "      - {key: total, name: 合計, values: {"
             + ", ".join(f'{c}: "{121_167 + 3 * step + (9 if step == len(COLUMNS) - 1 else 0):,}"'
                         for step, c in enumerate(COLUMNS)) + "}}\n"
             "    relations:\n      - {check: sum, row: total, of: [young, working, old]}\n")

GOOD = ("plan: {id: x, title: t, municipality: 小平市, kind: policy_evaluation, source: {seed: a.txt}}\n"
        "themes:\n  - id: a\n    title: t\n    projects:\n      unit: 千円\n      items:\n"
        "        - {no: 1, name: 事業, cost: 19}\n        - {no: 2, name: 事業2, cost: 3851}\n      total: 3870\n")
BAD = GOOD.replace("total: 3870", "total: 4870")
LEADING_ZERO = GOOD.replace("{no: 1, name: 事業, cost: 19}", "{no: 1, name: 事業, code: 030309, cost: 19}")


def _checked(path: Path, lang: str = "en"):
    result = run(RunOptions(paths=(str(path),), isolated=True, no_cache=True, lang=lang))
    context = ReportContext(lang=lang, sources=result.sources, checked=result.checked, color=False,
                            relations=result.relations)
    return result, context


def _char_at_cell(text: str, cell: int) -> int:
    """The index of the character that starts at `cell` cells into `text`."""
    used = 0
    for index, char in enumerate(text):
        if used >= cell:
            return index
        used += cell_len(char)
    return len(text)


def _snippets(output: str) -> list[tuple[str, str]]:
    """Each (source line, underline line) pair of the full format, without their gutters."""
    lines = output.splitlines()
    pairs = []
    for index, line in enumerate(lines[:-1]):
        source = re.match(r"^ *\d+ \| (.*)$", line)
        underline = re.match(r"^ * \| (.*)$", lines[index + 1])
        if source and underline:
            pairs.append((source.group(1), underline.group(1)))
    return pairs


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_full_at_80_columns_fits_and_keeps_each_label_on_its_values_line(tmp_path, monkeypatch, lang):
    monkeypatch.setenv("COLUMNS", "80")
    path = tmp_path / "long.yaml"
    path.write_text(LONG_ROWS, encoding="utf-8")
    assert max(cell_len(line) for line in LONG_ROWS.splitlines()) > 100  # the rows do not fit as written
    result, context = _checked(path, lang)
    [finding] = result.diagnostics
    assert finding.code == "TAB001" and finding.span.line == 10
    output = render("full", result.diagnostics, context, result.ruleset)
    assert max(cell_len(line) for line in output.splitlines()) <= 80, output
    pairs = _snippets(output)
    assert len(pairs) == 4  # the total and its three parts
    related = {span.line: rel.label.render(lang) for rel, span in finding.related}
    for (source, underline), line_no in zip(pairs, [10, *(span.line for _, span in finding.related)]):
        marker = re.match(r"^( *)([\^-]+)(?: (.*))?$", underline)
        assert marker, underline
        offset, width = cell_len(marker.group(1)), len(marker.group(2))
        start = _char_at_cell(source, offset)
        value = source[start:_char_at_cell(source, offset + width)]
        # the underline is under the last column's cell, cut with `…` before it
        assert value == {10: '"121,191"', 7: '"14,673"', 8: '"80,912"', 9: '"25,597"'}[line_no], (source, underline)
        assert source.startswith("…")
        if line_no == 10:
            assert marker.group(3) is None and set(marker.group(2)) == {"^"}
        else:  # the label on the underline's own line, right after it
            assert marker.group(3) == related[line_no]
    assert "合計" in output and "令和5年" in output


def test_wide_characters_count_two_cells_and_long_messages_wrap(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    path = tmp_path / "long.yaml"
    path.write_text(LONG_ROWS.replace("{key: old, name: 老年人口", "{key: old, name: 老年人口（六十五歳以上の高齢者の人口、各年度末）"),
                    encoding="utf-8")
    result, context = _checked(path, "ja")
    output = render("full", result.diagnostics, context, result.ruleset)
    lines = output.splitlines()
    assert max(cell_len(line) for line in lines) <= 60
    assert len(lines[0]) < cell_len(lines[0])  # the message, in kanji, counted in cells
    assert lines[1].startswith("  ")  # and wrapped under itself
    # the long label wraps after its underline instead of pushing the value off the line
    [(source, underline)] = [pair for pair in _snippets(output) if "老年人口（" in pair[1]]
    start = _char_at_cell(source, cell_len(underline) - cell_len(underline.lstrip()))
    assert source[start:].startswith('"25,597"') and underline.strip().startswith("-------- 老年人口（")
    rest = lines[lines.index("   | " + underline) + 1]
    assert rest.startswith("   | ") and rest.strip(" |").endswith("各年度末）")
    assert cell_len(rest) - cell_len(rest.lstrip(" |")) == cell_len(underline.split("老年")[0]) + 5


def test_wrapping_counts_cells_breaks_at_spaces_and_never_before_a_closing_mark():
    from checker.report.text import wrap

    assert wrap("総計が内訳の合計と一致しません。", 10) == ["総計が内訳", "の合計と一", "致しませ", "ん。"]
    lines = wrap("総計が内訳の合計と一致しません。内訳を確認してください。", 20, indent=2)
    assert all(cell_len(line) <= 20 for line in lines) and all(line.startswith("  ") for line in lines[1:])
    assert not any(line.lstrip().startswith(("。", "、")) for line in lines)  # no line starts with a closing mark
    assert "".join(line.strip() for line in lines) == "総計が内訳の合計と一致しません。内訳を確認してください。"
    assert wrap("the total differs from the sum", 12) == ["the total", "differs from", "the sum"]
    # a number is not broken, a kanji next to it may be
    assert wrap("値 121,191 が一致", 12) == ["値 121,191", "が一致"]


def test_grouped_lists_each_files_findings_under_its_name(tmp_path):
    for name, text in (("a.yaml", BAD), ("b.yaml", BAD.replace("cost: 19}", "cost: 18}")), ("c.yaml", GOOD)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = cli("--format", "grouped", "--lang", "en", str(tmp_path))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    headers = [line for line in lines if line.endswith(".yaml:")]
    assert [Path(h[:-1]).name for h in headers] == ["a.yaml", "b.yaml"]  # a clean file has no group
    assert lines[1] == ("  10:14 TOT001 [error] total 4,870 千円 differs from the sum of its 2 items, 3,870 千円 "
                        "(difference 1,000, more than the ±1 rounding can explain)")
    assert lines[-1].startswith("Found 2 problems (2 errors, 0 warnings, 0 info) in 3 files checked")


def test_quiet_prints_only_the_findings_and_verbose_says_what_was_checked(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD, encoding="utf-8")
    quiet = cli("-q", "--format", "concise", "--lang", "en", str(path))
    assert quiet.returncode == 1 and quiet.stderr == "" and quiet.stdout.count("\n") == 1
    full = cli("--quiet", "--lang", "en", str(path))
    assert "TOT001" in full.stdout and "Found" not in full.stdout
    verbose = cli("-v", "--format", "concise", "--lang", "en", str(path))
    assert verbose.returncode == 1 and verbose.stdout == quiet.stdout
    assert "configuration: none" in verbose.stderr or "configuration: " in verbose.stderr
    assert re.search(r"rules enabled: \d+", verbose.stderr)
    assert re.search(r"checked: .*bad\.yaml \(1 relations\)", verbose.stderr)
    assert re.search(r"timings: settings and rules \d+ ms, loading and checking \d+ ms, report \d+ ms", verbose.stderr)
    assert "Found 1 problem" in verbose.stderr
    ja = cli("-v", "--format", "concise", "--lang", "ja", str(path))
    assert re.search(r"所要時間: 設定と規則 \d+ ms", ja.stderr)


def test_format_names_are_case_insensitive(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD, encoding="utf-8")
    assert json.loads(cli("--format", "SARIF", str(path)).stdout)["version"] == "2.1.0"
    assert cli("--format", "Concise", str(path)).stdout.count(": TOT001 [error]") == 1
    (tmp_path / "plancheck.toml").write_text('format = "JSON"\n', encoding="utf-8")
    assert json.loads(cli("bad.yaml", cwd=tmp_path).stdout)["diagnostics"][0]["code"] == "TOT001"


def test_concise_says_all_checks_passed_on_a_clean_run_in_both_languages(tmp_path):
    path = tmp_path / "good.yaml"
    path.write_text(GOOD, encoding="utf-8")
    en = cli("--format", "concise", "--lang", "en", str(path))
    assert en.returncode == 0 and en.stdout == ""
    assert en.stderr == "All checks passed (1 file, 1 relation checked)\n"
    ja = cli("--format", "concise", "--lang", "ja", str(path))
    assert ja.stderr == "問題はありません（1 ファイル、1 件の関係を確認）\n"
    assert cli("-q", "--format", "concise", str(path)).stderr == ""


def test_max_diagnostics_shows_the_first_n_and_says_how_many_were_not_shown(tmp_path):
    path = tmp_path / "long.yaml"
    path.write_text(LONG_ROWS.replace('"121,167"', '"121,168"').replace('"121,170"', '"121,171"'), encoding="utf-8")
    everything = cli("--format", "concise", "--lang", "en", str(path))
    assert everything.stdout.count("TAB001") == 3
    capped = cli("--format", "concise", "--lang", "en", "--max-diagnostics", "1", str(path))
    assert capped.returncode == everything.returncode == 1  # the exit code is unchanged
    assert capped.stdout == everything.stdout.splitlines(keepends=True)[0]
    assert "2 more findings not shown (--max-diagnostics 1)" in capped.stderr
    assert "Found 3 problems" in capped.stderr  # the summary counts them all
    full = cli("--lang", "ja", "--max-diagnostics", "0", str(path))
    assert full.returncode == 1 and "TAB001" not in full.stdout
    assert "ほか 3 件の指摘は表示していません（--max-diagnostics）" in full.stdout and "3 件の指摘" in full.stdout
    document = json.loads(cli("--format", "json", "--max-diagnostics", "2", str(path)).stdout)
    assert len(document["diagnostics"]) == 2 and document["summary"]["not_shown"] == 1
    assert document["summary"]["error"] == 3


# -- the formats CI systems read ---------------------------------------------------------

GITLAB_ISSUE = {
    "type": "object",
    "required": ["description", "check_name", "fingerprint", "severity", "location"],
    "properties": {
        "description": {"type": "string", "minLength": 1},
        "check_name": {"type": "string", "minLength": 1},
        "fingerprint": {"type": "string", "minLength": 1},
        "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
        "location": {"type": "object", "required": ["path", "lines"], "properties": {
            "path": {"type": "string", "not": {"pattern": "^(/|\\./)"}},
            "lines": {"type": "object", "required": ["begin"],
                      "properties": {"begin": {"type": "integer", "minimum": 1}}}}},
    },
}

_POSITION = {"type": "object", "additionalProperties": False,
             "properties": {"line": {"type": "integer", "minimum": 1}, "column": {"type": "integer", "minimum": 1}}}
_RANGE = {"type": "object", "additionalProperties": False, "required": ["start"],
          "properties": {"start": _POSITION, "end": _POSITION}}
_LOCATION = {"type": "object", "additionalProperties": False, "required": ["path"],
             "properties": {"path": {"type": "string"}, "range": _RANGE}}
# reviewdog's rdf DiagnosticResult (proto/rdf/reviewdog.proto), read with protobuf's JSON
# parser, which refuses a field the message does not define: no additional properties
RDJSON = {
    "type": "object", "additionalProperties": False, "required": ["diagnostics"],
    "properties": {
        "source": {"type": "object", "additionalProperties": False,
                   "properties": {"name": {"type": "string"}, "url": {"type": "string"}}},
        "severity": {"enum": ["UNKNOWN_SEVERITY", "ERROR", "WARNING", "INFO"]},
        "diagnostics": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["message", "location"],
            "properties": {
                "message": {"type": "string"}, "location": _LOCATION,
                "severity": {"enum": ["UNKNOWN_SEVERITY", "ERROR", "WARNING", "INFO"]},
                "source": {"type": "object"},
                "code": {"type": "object", "additionalProperties": False, "required": ["value"],
                         "properties": {"value": {"type": "string"}, "url": {"type": "string"}}},
                "suggestions": {"type": "array", "items": {
                    "type": "object", "additionalProperties": False, "required": ["range", "text"],
                    "properties": {"range": _RANGE, "text": {"type": "string"}}}},
                "original_output": {"type": "string"},
                "related_locations": {"type": "array", "items": {
                    "type": "object", "additionalProperties": False,
                    "properties": {"message": {"type": "string"}, "location": _LOCATION}}},
            }}},
    },
}


def _gitlab(tmp_path: Path, text: str) -> list[dict]:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    result = cli("--format", "gitlab", "--lang", "en", "plan.yaml", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    issues = json.loads(result.stdout)
    jsonschema.validate(issues, {"type": "array", "items": GITLAB_ISSUE})
    return issues


def test_gitlab_code_quality_fingerprints_survive_a_line_shift(tmp_path):
    text = LONG_ROWS.replace('"121,167"', '"121,168"')
    issues = _gitlab(tmp_path, text)
    assert [(i["check_name"], i["severity"], i["location"]["path"], i["location"]["lines"]["begin"])
            for i in issues] == [("TAB001", "major", "plan.yaml", 10)] * 2
    assert len({i["fingerprint"] for i in issues}) == 2
    assert issues[0]["description"].startswith("TAB001: 合計, column 平成30年: 121,168 differs")
    shifted = _gitlab(tmp_path, text.replace("tables:\n", "# 出典: 住民基本台帳\n\ntables:\n", 1))
    assert [i["location"]["lines"]["begin"] for i in shifted] == [12, 12]
    assert [i["fingerprint"] for i in shifted] == [i["fingerprint"] for i in issues]
    # another number is another finding
    changed = _gitlab(tmp_path, text.replace('"121,168"', '"121,169"'))
    assert changed[0]["fingerprint"] != issues[0]["fingerprint"]
    assert changed[1]["fingerprint"] == issues[1]["fingerprint"]


def test_rdjson_has_byte_columns_codes_related_values_and_safe_fixes_as_suggestions(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(LEADING_ZERO.replace("total: 3870", "total: 4870"), encoding="utf-8")
    result = cli("--format", "rdjson", "--lang", "en", "plan.yaml", cwd=tmp_path)
    document = json.loads(result.stdout)
    jsonschema.validate(document, RDJSON)
    by_code = {d["code"]["value"]: d for d in document["diagnostics"]}
    assert set(by_code) == {"LOAD007", "TOT001"}
    zero = by_code["LOAD007"]
    line = LEADING_ZERO.splitlines()[7]
    column = line.index("030309")
    # the column in UTF-8 bytes: 事業 is 6 bytes, 2 code points
    assert zero["location"]["range"]["start"] == {"line": 8, "column": len(line[:column].encode()) + 1}
    assert zero["location"]["range"]["start"]["column"] == column + 1 + 4
    assert zero["severity"] == "ERROR"
    [suggestion] = zero["suggestions"]
    assert suggestion["text"] == '"030309"' and suggestion["range"] == zero["location"]["range"]
    total = by_code["TOT001"]
    assert "suggestions" not in total  # nothing to fix safely
    assert [r["location"]["range"]["start"]["line"] for r in total["related_locations"]] == [8, 9]
    assert total["location"] == {"path": "plan.yaml",
                                 "range": {"start": {"line": 10, "column": 14}, "end": {"line": 10, "column": 18}}}


def test_sarif_records_the_invocation(tmp_path):
    schema = json.loads((ROOT / "tests/data/sarif-2.1.0.json").read_text(encoding="utf-8"))
    path = tmp_path / "bad.yaml"
    path.write_text(BAD, encoding="utf-8")
    document = json.loads(cli("--format", "sarif", "--lang", "en", str(path), env={"HOME": str(tmp_path)}).stdout)
    jsonschema.validators.validator_for(schema)(schema).validate(document)
    [invocation] = document["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True and invocation["exitCode"] == 1
    # the program as `plancheck`, the home directory as `~`
    assert invocation["commandLine"] == "plancheck --format sarif --lang en ~/bad.yaml"
    assert invocation["startTimeUtc"] <= invocation["endTimeUtc"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", invocation["startTimeUtc"])
    clean = tmp_path / "good.yaml"
    clean.write_text(GOOD, encoding="utf-8")
    [invocation] = json.loads(cli("--format", "sarif", str(clean)).stdout)["runs"][0]["invocations"]
    assert invocation["exitCode"] == 0 and invocation["executionSuccessful"] is True


def test_fingerprint_is_the_finding_without_its_line(tmp_path):
    from checker.baseline import fingerprint as fingerprint_at
    from checker.baseline import fingerprints as fingerprints_at
    from checker.diagnostics import Diagnostic, Severity, Span

    sources = {"a.yaml": ["x: 1"] * 40}

    def fingerprint(diagnostic):
        return fingerprint_at(diagnostic, tmp_path, sources)

    def made(line: int, stated: str = "4870", path=("themes", 0, "projects", "total")) -> Diagnostic:
        return Diagnostic(code="TOT001", name="n", severity=Severity.ERROR, message={}, help={}, file="a.yaml",
                          span=Span(line, 5, line, 9), related=[], args={"stated": stated}, path=path)

    assert fingerprint(made(3)) == fingerprint(made(30))
    assert fingerprint(made(3)) != fingerprint(made(3, "4871"))
    assert fingerprint(made(3)) != fingerprint(made(3, path=("themes", 1, "projects", "total")))
    first, second = fingerprints_at([made(3, path=()), made(9, path=())], tmp_path, sources)
    assert second == first + "-2"
