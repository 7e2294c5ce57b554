"""The contract between a ruleset and the check functions: every mistake in a ruleset is
refused when it is loaded, at its file, line and column, in Japanese and English, with a
did-you-mean where one exists (never an internal error); a rule that does not fit the
data is RULE001 at the place in the plan; override-only files load over the rulesets
below; the declarations (kinds with their arguments, options models) are what the
functions do, and docs/functions.md and the ruleset schema are made from them."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from checker.cli import main
from checker.diagnostics import Finding
from checker.engine import Engine
from checker.functions import FUNCTIONS, load_builtin_functions, select
from checker.loader import LoadedFile, load_file, load_text
from checker.rules import Rule, load_ruleset
from tests.conftest import PLANS, ROOT, real_plan_files
from tests.test_cli import BAD_TOTAL

DOC = ROOT / "docs" / "user-rules.md"
TABLES = PLANS / "koganei/welfare-statistics-r5/tables.yaml"
RECOMMENDED = load_ruleset("recommended")


def _documented() -> str:
    block = re.search(r"```yaml\n(# koganei-rules\.yaml.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert block
    return block.group(1)


def _invoke(*args: str, cwd: Path):
    """plancheck in this process, in `cwd`, without the cache (a check) or as a command."""
    import os

    previous = Path.cwd()
    os.chdir(cwd)
    command = list(args) if args[0] in main.commands else ["--no-cache", *args]
    try:
        return CliRunner().invoke(main, command, env={"NO_COLOR": "1", "GITHUB_ACTIONS": ""})
    finally:
        os.chdir(previous)


def _at(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """The 1-based line and column where `needle` starts (its n-th occurrence)."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


# --- load-time errors -----------------------------------------------------------------------

DOCUMENTED = _documented()

# name -> (what replaces what in the documented ruleset, where the error points (needle,
# occurrence) in the broken text, English words, Japanese words)
CASES = {
    "unknown function": (
        ("function: row_sum", "function: row_summ"), ("row_summ", 1),
        "no check function row_summ (did you mean row_sum?)", "検査関数 row_summ はありません（row_sum の誤りではありませんか）"),
    "unknown option": (
        ("options: {row: total, of:", "options: {rwo: total, of:"), ("rwo", 1),
        "row_sum has no option rwo (did you mean row?)", "row_sum にオプション rwo はありません（row の誤りではありませんか）"),
    "option of the wrong type": (
        ("min: 0, max: 100", "min: abc, max: 100"), ("abc", 1),
        "row_bound's option min is a number, not 'abc'",
        "row_bound のオプション min は数です（'abc' ではなく）"),
    "missing option": (
        ("options: {row: total, of: [young, working-age, old]}", "options: {row: total}"), ("{row: total}", 1),
        "row_sum needs option of", "row_sum にはオプション of が要ります"),
    "placeholder no kind gives": (
        ('ja: "{column}の合計', 'ja: "{colum}の合計'), ('"{colum}', 1),
        "uses {colum}, which no kind of row_sum gives (did you mean column?)",
        "{colum} を row_sum のどの kind も与えません（column の誤りではありませんか）"),
    "malformed template": (
        ('en: "{column}: 高齢化率 {stated} is outside', 'en: "{column}: 高齢化率 {stated is outside'),
        ('"{column}: 高齢化率 {stated is', 1), "message (en) is not a valid template", "message（en）の書式が正しくありません"),
    "format spec the rendered text cannot take": (
        ('en: "{column}: 高齢化率 {stated} is outside', 'en: "{column}: 高齢化率 {stated:d} is outside'),
        ('"{column}: 高齢化率 {stated:d}', 1), "message (en) is not a valid template: Unknown format code 'd'",
        "message（en）の書式が正しくありません"),
    "selector filter on a field the model does not have": (
        ("given: tables[id=population-by-age]          #", "given: tables[idd=population-by-age]          #"),
        ("tables[idd", 1), "tables have no field idd, so the filter selects nothing (did you mean id?)",
        "tables に項目 idd はないので、この絞り込みは何も選びません（id の誤りではありませんか）"),
    "selector the function does not take": (
        ("given: tables[id=population-by-age]          #", "given: indicators[id=population-by-age]          #"),
        ("indicators[", 1), "row_sum applies to tables, not indicators", "row_sum は tables に適用します（indicators ではなく）"),
    "kind the function does not report": (
        ("      function: row_ratio\n", "      function: row_ratio\n      kind: ratio_mismatchh\n"),
        ("ratio_mismatchh", 1),
        "row_ratio does not report ratio_mismatchh (did you mean ratio_mismatch?)",
        "row_ratio は ratio_mismatchh を報告しません（ratio_mismatch の誤りではありませんか）"),
    "the reserved kind": (
        ("      function: row_ratio\n", "      function: row_ratio\n      kind: unknown_row\n"), ("unknown_row", 1),
        "is reported as RULE001", "RULE001 が報告します"),
    "override of a code no ruleset below defines": (
        ("rules:\n", "rules:\n  TOT01: {severity: off}\n"), ("TOT01:", 1),
        "rule TOT01: overrides a rule that no ruleset below defines (did you mean TOT001?)",
        "ルール TOT01: 変更するルールがありません。下にあるルールセットにこのコードはありません（TOT001 の誤りではありませんか）"),
    "override that changes then": (
        ("rules:\n", "rules:\n  TOT001: {then: {function: row_sum}}\n"), ("then", 1),
        "rule TOT001: an inherited rule's given/then cannot change", "ルール TOT001: 受け継いだルールの given と then は変えられません"),
    "duplicate key": (
        ("  KGN003:", "  KGN002:"), ("KGN002:", 2), "duplicate key KGN002 (first on line", "キー KGN002 が重複しています（最初は"),
    "YAML syntax error": (
        ("options: {row: aging-rate, min: 0, max: 100}", "options: {row: aging-rate, min: 0, max: 100"), None,
        "not valid YAML", "YAML として読めません"),
    "a tag that is not YAML's own": (
        ("severity: warning", "severity: !!python/name:os.system warning"), ("!!python", 1),
        "the tag !!python/name:os.system is not allowed in a ruleset", "ルールセットにはタグ !!python/name:os.system を使えません"),
    "a rule that is not a mapping": (
        ("  KGN003:\n", "  KGN004: [row_sum]\n  KGN003:\n"), ("[row_sum]", 1),
        "rule KGN004: a rule is a mapping of fields (or off)", "ルール KGN004: ルールは項目のマッピング（または off）です"),
    "title in one language only": (
        ("title: {ja: 人口の合計と年齢3区分の和, en: the population total and the sum of the age groups}",
         "title: {ja: 人口の合計と年齢3区分の和}"), ("{ja: 人口の合計と年齢3区分の和}", 1),
        "rule KGN001: title needs both ja and en texts", "ルール KGN001: title には ja と en の文がそれぞれ要ります"),
    "unknown rule field": (
        ("    message:\n      ja: \"{column}の合計", "    mesage:\n      ja: \"{column}の合計"), ("mesage", 1),
        "rule KGN001: unknown field mesage (did you mean message?)",
        "ルール KGN001: 項目 mesage はありません（message の誤りではありませんか）"),
    "unknown severity": (
        ("severity: warning", "severity: warnin"), ("warnin", 1),
        "severity is error, warning, info or off, not 'warnin' (did you mean warning?)",
        "severity は error、warning、info、off のどれかです（'warnin' ではなく）（warning の誤りではありませんか）"),
    "rule code of the wrong form": (
        ("  KGN003:", "  KGN3:"), ("KGN3", 1), "rule code KGN3 is capital letters and three digits (like CITY001)",
        "ルールコード KGN3 は英大文字と3桁の数字です"),
    "unknown top-level field": (
        ("extends: recommended", "extend: recommended"), ("extend:", 1),
        "unknown top-level field extend (did you mean extends?)", "最上位の項目 extend はありません（extends の誤りではありませんか）"),
}


def _broken(replace: tuple[str, str]) -> str:
    old, new = replace
    assert old in DOCUMENTED, old
    return DOCUMENTED.replace(old, new, 1)


@pytest.mark.parametrize("case", sorted(CASES), ids=lambda case: case.replace(" ", "-"))
def test_a_ruleset_mistake_is_refused_where_it_is_in_both_languages(tmp_path, case):
    replace, where, english, japanese = CASES[case]
    text = _broken(replace)
    (tmp_path / "city.yaml").write_text(text, encoding="utf-8")
    for lang, words in (("en", english), ("ja", japanese)):
        result = _invoke("--lang", lang, "--rules", "city.yaml", str(TABLES), cwd=tmp_path)
        assert result.exit_code == 2, result.output
        output = result.stderr
        located = re.search(r"city\.yaml:(\d+):(\d+): ", output)
        assert located, output
        if where is not None:
            assert (int(located[1]), int(located[2])) == _at(text, *where), output
        assert words in output, output
        assert "INT001" not in result.output and "Traceback" not in output


def test_the_yaml_syntax_error_is_at_the_line_the_parser_stopped(tmp_path):
    text = _broken(("options: {row: aging-rate, min: 0, max: 100}", "options: {row: aging-rate, min: 0, max: 100"))
    (tmp_path / "city.yaml").write_text(text, encoding="utf-8")
    result = _invoke("--lang", "en", "--rules", "city.yaml", str(TABLES), cwd=tmp_path)
    found = re.search(r"city\.yaml:(\d+):\d+: not valid YAML", result.stderr)
    assert found is not None, result.stderr
    line = int(found[1])
    # the flow mapping opened on KGN003's options line never closes: the parser stops after it
    assert line >= _at(text, "options: {row: aging-rate")[0]


def test_a_placeholder_every_kind_must_give(tmp_path):
    """A rule without a kind receives every kind of its function: a placeholder only one
    kind gives is refused (naming the kind that lacks it); with that kind, it is fine."""
    text = _broken(('ja: "{column}の合計 {stated}', 'ja: "{column}の合計 {stated_interval}'))
    (tmp_path / "city.yaml").write_text(text, encoding="utf-8")
    for lang, words in (("en", ("uses {stated_interval}, which row_sum's kind sum_mismatch does not give; a rule "
                                "without a kind reports every kind of row_sum")),
                        ("ja", "{stated_interval} を row_sum の sum_mismatch は与えません。kind のないルールは")):
        result = _invoke("--lang", lang, "--rules", "city.yaml", str(TABLES), cwd=tmp_path)
        assert result.exit_code == 2 and words in result.stderr, result.stderr
        line, _ = _at(text, '"{column}の合計 {stated_interval}')
        assert f"city.yaml:{line}:" in result.stderr
    ok = text.replace("      function: row_sum\n", "      function: row_sum\n      kind: sum_beyond_declared_rounding\n",
                      1)
    ok = ok.replace('en: "{column}: total {stated}', 'en: "{column}: total {stated_interval}', 1)
    (tmp_path / "city.yaml").write_text(ok, encoding="utf-8")
    result = _invoke("--lang", "en", "--rules", "city.yaml", str(TABLES), cwd=tmp_path)
    assert result.exit_code == 0, result.output
    # the rule's own kind must give it: sum_mismatch does not
    wrong = ok.replace("kind: sum_beyond_declared_rounding", "kind: sum_mismatch", 1)
    (tmp_path / "city.yaml").write_text(wrong, encoding="utf-8")
    result = _invoke("--lang", "en", "--rules", "city.yaml", str(TABLES), cwd=tmp_path)
    assert result.exit_code == 2
    assert "uses {stated_interval}, which row_sum's sum_mismatch does not give; it gives stated," in result.stderr


def test_a_help_text_placeholder_is_checked_too(tmp_path):
    text = _broken(("    message:\n      ja: \"{column}の高齢化率 {stated} が 0",
                    ("    help: {ja: \"{colmn} を確かめてください\", en: \"check {colmn}\"}\n"
                     "    message:\n      ja: \"{column}の高齢化率 {stated} が 0")))
    (tmp_path / "city.yaml").write_text(text, encoding="utf-8")
    result = _invoke("--lang", "en", "--rules", "city.yaml", str(TABLES), cwd=tmp_path)
    assert result.exit_code == 2
    assert f"city.yaml:{_at(text, 'help:')[0]}:" in result.stderr
    assert "help (ja) uses {colmn}, which row_bound's out_of_bounds does not give (did you mean column?)" \
        in result.stderr


def test_an_error_in_a_configured_ruleset_names_the_configuration_and_the_place(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.plancheck]\nrulesets = ["city.yaml"]\n', encoding="utf-8")
    text = _broken(("function: row_sum", "function: row_summ"))
    (tmp_path / "city.yaml").write_text(text, encoding="utf-8")
    line, column = _at(text, "row_summ")
    # the configuration is found from the checked file
    (tmp_path / "tables.yaml").write_text(TABLES.read_text(encoding="utf-8"), encoding="utf-8")
    for lang, words in (("en", "no check function row_summ (did you mean row_sum?)"),
                        ("ja", "ルールセットを読めません: ")):
        result = _invoke("--lang", lang, "tables.yaml", cwd=tmp_path)
        assert result.exit_code == 2
        assert "pyproject.toml: rulesets: " in result.stderr and f"city.yaml:{line}:{column}: " in result.stderr
        assert words in result.stderr, result.stderr
        if lang == "ja":
            assert "検査関数 row_summ はありません（row_sum の誤りではありませんか）" in result.stderr


# --- override-only files ----------------------------------------------------------------------


def test_an_override_only_file_applies_over_the_recommended_ruleset(tmp_path):
    (tmp_path / "bad.yaml").write_text(BAD_TOTAL, encoding="utf-8")
    (tmp_path / "severity.yaml").write_text("rules:\n  TOT001: {severity: warning}\n  RATE002: off\n"
                                            "  TOT002:\n    message: {ja: 合計が丸めの範囲でずれています, en: rounding gap}\n",
                                            encoding="utf-8")
    result = _invoke("--format", "json", "--rules", "severity.yaml", "bad.yaml", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    [diagnostic] = json.loads(result.stdout)["diagnostics"]
    assert (diagnostic["code"], diagnostic["severity"]) == ("TOT001", "warning")
    listing = json.loads(_invoke("rules", "--rules", "severity.yaml", "--format", "json", cwd=tmp_path).stdout)
    rows = {row["code"]: row for row in listing}
    assert rows["RATE002"]["severity"] == "off" and rows["TOT003"]["severity"] == "error"


def test_configured_rulesets_apply_over_the_recommended_one_and_the_ones_before(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.plancheck]\nrulesets = ["local.yaml", "severity.yaml"]\n',
                                             encoding="utf-8")
    (tmp_path / "local.yaml").write_text(
        "extends: recommended\nrules:\n  TOT001: {severity: info}\n"
        "  LOCAL001:\n    name: strict-total\n    severity: error\n    given: project_lists\n"
        "    then: {function: sum_matches, kind: beyond_rounding, options: {half_unit_per_item: false}}\n"
        "    message: {ja: '合計 {stated} が {computed} と違います', en: 'total {stated} is not {computed}'}\n",
        encoding="utf-8")
    # overrides of a code the recommended ruleset defines and of one the file before defines
    (tmp_path / "severity.yaml").write_text("rules:\n  LOCAL001: {severity: warning}\n  TOT002: off\n",
                                            encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(BAD_TOTAL, encoding="utf-8")
    result = _invoke("--format", "json", "bad.yaml", cwd=tmp_path)
    found = {d["code"]: d["severity"] for d in json.loads(result.stdout)["diagnostics"]}
    # local.yaml's extends: recommended does not load the recommended rules again over severity.yaml
    assert found == {"TOT001": "info", "LOCAL001": "warning"}, result.output
    (tmp_path / "severity.yaml").write_text("rules:\n  LOCAL01: {severity: warning}\n", encoding="utf-8")
    result = _invoke("--lang", "en", "bad.yaml", cwd=tmp_path)
    assert result.exit_code == 2
    assert "severity.yaml:2:3: rule LOCAL01: overrides a rule that no ruleset below defines (did you mean LOCAL001?)" \
        in result.stderr


# --- RULE001: a rule that does not fit the data ---------------------------------------------------


@pytest.mark.parametrize("kind", [None, "out_of_bounds"])
def test_a_rule_naming_a_row_the_table_lacks_is_rule001_at_the_table(tmp_path, kind):
    text = _broken(("options: {row: aging-rate, min: 0, max: 100}", "options: {row: aging_rate, min: 0, max: 100}"))
    if kind:
        text = text.replace("      function: row_bound\n", f"      function: row_bound\n      kind: {kind}\n", 1)
    (tmp_path / "city.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(BAD_TOTAL, encoding="utf-8")
    for lang in ("en", "ja"):
        result = _invoke("--format", "json", "--lang", lang, "--rules", "city.yaml", str(TABLES), "bad.yaml",
                         cwd=tmp_path)
        assert result.exit_code == 1, result.output
        diagnostics = json.loads(result.stdout)["diagnostics"]
        mismatches = [d for d in diagnostics if d["code"] == "RULE001"]
        assert len(mismatches) == 1 and mismatches[0]["severity"] == "error"
        [mismatch] = mismatches
        table_line = next(number for number, line in enumerate(TABLES.read_text(encoding="utf-8").splitlines(), 1)
                          if "id: population-by-age" in line)
        assert mismatch["file"].endswith("tables.yaml") and mismatch["line"] == table_line
        assert mismatch["numbers"]["rule"] == "KGN003" and mismatch["numbers"]["reference"] == "aging_rate"
        assert "rule KGN003 names row aging_rate (option row), which table" in mismatch["message"]["en"]
        assert "(did you mean aging-rate?)" in mismatch["message"]["en"]
        assert "ルール KGN003 のオプション row が指す行 aging_rate が表" in mismatch["message"]["ja"]
        assert "aging-rate の誤りではありませんか" in mismatch["message"]["ja"]
        codes = {d["code"] for d in diagnostics}
        assert "TOT001" in codes and "INT001" not in codes  # the other file is reported
        assert "KGN001" not in codes and "KGN003" not in codes  # the data fits the other rules


def test_a_table_relation_naming_a_missing_row_stays_tab005():
    ruleset = RECOMMENDED
    bad = ruleset.rules["TAB005"].docs["bad"]
    loaded = load_text(LoadedFile(path=Path("t.yaml"), name="t.yaml"), bad)
    assert [d.code for d in Engine(ruleset).run([loaded])] == ["TAB005"]


def test_a_message_that_cannot_be_rendered_is_contained_at_its_target():
    """A validated ruleset never has one; a rule made in code might: INT001 at the target,
    and every other rule still reports."""
    loaded = load_text(LoadedFile(path=Path("bad.yaml"), name="bad.yaml"), BAD_TOTAL)
    rule = Rule(code="CITY001", name="strict-total", severity=RECOMMENDED.rules["TOT001"].severity,
                given=("project_lists",), function="sum_matches", kind=None, options={"half_unit_per_item": False},
                message={"ja": "{nothing}", "en": "{nothing}"}, help={}, docs={}, fixable=False, source="test")
    ruleset = load_ruleset("recommended")
    ruleset.rules["CITY001"] = rule
    diagnostics = Engine(ruleset).run([loaded])
    codes = [d.code for d in diagnostics]
    assert "TOT001" in codes and "INT001" in codes and "CITY001" not in codes
    [internal] = [d for d in diagnostics if d.code == "INT001"]
    assert internal.span.line == BAD_TOTAL.splitlines().index("      total: 4870") + 1  # the finding's place
    assert "CITY001" in internal.message["en"] and "nothing" in internal.message["en"]


# --- the declarations are what the functions do -------------------------------------------------

# Tables whose rows break each relation a user rule can check, for the row_* functions.
_TABLE = """plan: {id: x, title: t, municipality: 小金井市, kind: statistics, source: {seed: a.txt}%s}
tables:
  - id: t
    title: 表
    columns: [{key: a}, {key: b}]
    rows:
      - {key: total, name: 合計, values: {a: 10, b: 9}}
      - {key: x, name: x, values: {a: 4.4, b: 5}}
      - {key: y, name: y, values: {a: 5.4, b: 6}}
      - {key: rate, name: 率, values: {a: 44.1, b: 150.0}}
      - {key: z, name: z, values: {a: 1, b: 1}}
      - {key: total3, name: 合計3, values: {a: 10.8, b: 14}}
    relations:
      - {check: sum, row: total, of: [x, y]}
      - {check: sum, row: total3, of: [x, y, z]}   # b: 2 over, more than half a unit a row: truncation
"""
_ROW_RULES: list[tuple[str, dict[str, Any]]] = [
    ("row_sum", {"row": "total", "of": ["x", "y"], "half_unit_per_item": True}),
    ("row_sum", {"row": "total", "of": ["x", "y"]}),
    ("row_sum", {"row": "total3", "of": ["x", "y", "z"], "half_unit_per_item": True}),
    ("row_ratio", {"row": "rate", "numerator": "x", "denominator": "total", "scale": 100}),
    ("row_subset", {"row": "y", "of": "x"}),
    ("row_equal", {"row": "x", "other": "y"}),
    ("row_non_decreasing", {"row": "total"}),
    ("row_bound", {"row": "rate", "min": 0, "max": 100}),
    ("row_bound", {"row": "nowhere"}),
    ("table_relations", {"half_unit_per_item": True}),
]


def _example_sets() -> list[list[LoadedFile]]:
    """plans/ as one set, every rule's documented examples, and the row tables."""
    sets = [[load_file(path, str(path.relative_to(ROOT))) for path in real_plan_files()]]
    for rule in RECOMMENDED.rules.values():
        for example in (rule.docs.get("bad"), rule.docs.get("good")):
            if not example or rule.docs.get("bad_encoding"):
                continue
            files = example if isinstance(example, dict) else {"example.yaml": example}
            sets.append([load_text(LoadedFile(path=Path(name), name=name), text) for name, text in files.items()])
    for rounding in ("", ", rounding: 四捨五入"):
        sets.append([load_text(LoadedFile(path=Path("t.yaml"), name="t.yaml"), _TABLE % rounding)])
    return sets


def _calls() -> list[tuple[str, dict]]:
    """Every (function, options) the recommended rules, the documented user rules and the
    row tables make."""
    calls = [(rule.function, rule.options) for rule in RECOMMENDED.rules.values() if not rule.is_loader]
    block = YAML(typ="safe").load(DOCUMENTED)
    calls += [(body["then"]["function"], body["then"].get("options") or {}) for body in block["rules"].values()]
    return calls + _ROW_RULES


def test_every_finding_carries_exactly_the_arguments_its_kind_declares():
    load_builtin_functions()
    seen: set[tuple[str, str]] = set()
    unique = {(function, json.dumps(options, sort_keys=True, default=str)): (function, options)
              for function, options in _calls()}
    for files in _example_sets():
        for function, options in unique.values():
            spec = FUNCTIONS[function]
            for given in spec.given:
                for target in select(given, files):
                    for item in spec.run(target, options):
                        if not isinstance(item, Finding):
                            continue
                        assert item.kind in spec.kinds, (function, item.kind)
                        assert set(item.args) == set(spec.kinds[item.kind]), (function, item.kind, sorted(item.args))
                        seen.add((function, item.kind))
    declared = {(name, kind) for name, spec in FUNCTIONS.items() for kind in spec.kinds}
    # every declared kind was seen, so no declaration goes unchecked
    assert declared - seen == set()


def test_every_recommended_message_uses_only_its_kinds_arguments():
    for rule in RECOMMENDED.rules.values():
        if rule.is_loader:
            continue
        spec = FUNCTIONS[rule.function]
        kinds = [rule.kind] if rule.kind else list(spec.rule_kinds)
        for text in [*rule.message.values(), *rule.help.values()]:
            used = {name for _, name, _, _ in string.Formatter().parse(text) if name}
            for kind in kinds:
                assert used <= set(spec.kinds[kind]), (rule.code, kind, used - set(spec.kinds[kind]))


def test_options_reach_the_function_as_their_model():
    spec = FUNCTIONS["row_bound"]
    options = spec.make_options({"row": "rate", "min": 0})
    assert options.row == "rate" and options.max is None and str(options.min) == "0"
    with pytest.raises(Exception, match="frozen"):
        options.row = "other"


# --- the reference and the schema ---------------------------------------------------------------


def test_the_functions_reference_is_up_to_date():
    from checker.docs import REFERENCE, functions_reference

    assert REFERENCE.read_text(encoding="utf-8") == functions_reference(), "run: python -m checker.docs"


def test_the_ruleset_schema_validates_the_shipped_and_documented_rulesets(tmp_path):
    result = _invoke("schema", "--ruleset", cwd=tmp_path)
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for text in ((ROOT / "rules/recommended.yaml").read_text(encoding="utf-8"), DOCUMENTED,
                 RECOMMENDED.rules["RULE001"].docs["ruleset"]):
        errors = [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(
            YAML(typ="safe").load(text))]
        assert errors == []
    # and it refuses what the loader refuses: a misspelt function, an unknown option, a bad severity
    for old, new in (("function: row_sum", "function: row_summ"), ("{row: total, of:", "{rwo: total, of:"),
                     ("severity: warning", "severity: warnin")):
        assert not validator.is_valid(YAML(typ="safe").load(_broken((old, new)))), new
    functions = schema["$defs"]["rule"]["properties"]["then"]["properties"]["function"]["enum"]
    assert set(functions) == set(FUNCTIONS) | {"load"}


def test_a_file_that_adds_rules_and_overrides_without_extends_is_told_to_extend(tmp_path):
    (tmp_path / "mixed.yaml").write_text(
        "rules:\n  TOT001: {severity: warning}\n"
        "  CITY001:\n    name: strict-total\n    severity: error\n    given: project_lists\n"
        "    then: {function: sum_matches, kind: beyond_rounding}\n"
        "    message: {ja: '合計 {stated}', en: 'total {stated}'}\n", encoding="utf-8")
    for lang, words in (("en", ("mixed.yaml:2:3: rule TOT001: overrides a rule that no ruleset below defines; a file "
                                "that also adds rules inherits the recommended ones only with extends: recommended")),
                        ("ja", "mixed.yaml:2:3: ルール TOT001: 変更するルールがありません。")):
        result = _invoke("--lang", lang, "--rules", "mixed.yaml", str(TABLES), cwd=tmp_path)
        assert result.exit_code == 2 and words in result.stderr, result.stderr


def test_a_checked_ruleset_is_cached_and_built_again_when_a_file_below_changes(tmp_path, monkeypatch):
    from checker import rules
    from checker.cache import Cache, parse_fingerprint

    built: list[str] = []
    real = rules._build

    def counted_build(parsed, below):
        built.append(parsed.path.name)
        return real(parsed, below)

    monkeypatch.setattr(rules, "_build", counted_build)
    cache = Cache(tmp_path / "cache", parse_fingerprint())
    local, severity = tmp_path / "local.yaml", tmp_path / "severity.yaml"
    local.write_text("extends: recommended\nrules:\n  TOT001: {severity: info}\n", encoding="utf-8")
    severity.write_text("rules:\n  TOT002: off\n", encoding="utf-8")

    def chain():
        below = load_ruleset("recommended", cache=cache)
        below = load_ruleset(local, cache=cache, below=below)
        return load_ruleset(severity, cache=cache, below=below)

    first = chain()
    assert first.rules["TOT001"].severity.label == "info" and first.rules["TOT002"].severity is None
    assert built.count("severity.yaml") == 1
    assert chain().rules == first.rules and built.count("severity.yaml") == 1  # every file from the cache
    local.write_text("extends: recommended\nrules:\n  TOT001: {severity: warning}\n", encoding="utf-8")
    again = chain()
    assert again.rules["TOT001"].severity.label == "warning" and built.count("severity.yaml") == 2


# --- titles: a short human name in both languages -------------------------------------------------

JAPANESE = re.compile(r"[ぁ-んァ-ヶ一-龥]")


def test_every_recommended_rule_has_a_title_in_both_languages():
    titles: dict[str, dict[str, str]] = {"ja": {}, "en": {}}
    for code, rule in sorted(RECOMMENDED.rules.items()):
        assert set(rule.title) == {"ja", "en"}, code
        ja, en = rule.title["ja"].strip(), rule.title["en"].strip()
        assert ja and en, code
        assert JAPANESE.search(ja), (code, ja)  # Japanese words, not the kebab-case name again
        assert en != rule.name and not JAPANESE.search(en.replace("うち", "")), (code, en)
        assert "規則" not in ja, (code, ja)  # one word for a rule: ルール
        assert len(ja) <= 24 and len(en) <= 60, (code, ja, en)  # a title, not the summary
        for lang, text in (("ja", ja), ("en", en)):
            assert text not in titles[lang], (code, titles[lang].get(text), text)  # no two rules share a title
            titles[lang][text] = code


def test_a_user_ruleset_gives_a_title_to_its_rule_and_changes_an_inherited_one(tmp_path):
    (tmp_path / "city.yaml").write_text(DOCUMENTED, encoding="utf-8")
    loaded = load_ruleset(tmp_path / "city.yaml")
    assert loaded.rules["KGN001"].title == {"ja": "人口の合計と年齢3区分の和",
                                            "en": "the population total and the sum of the age groups"}
    assert loaded.rules["KGN002"].title == {}  # optional
    (tmp_path / "retitle.yaml").write_text(
        "rules:\n  TAB001: {title: {ja: 合計の検算, en: the total recomputed}}\n", encoding="utf-8")
    retitled = load_ruleset(tmp_path / "retitle.yaml")
    assert retitled.rules["TAB001"].title == {"ja": "合計の検算", "en": "the total recomputed"}
    assert retitled.rules["TAB001"].message == RECOMMENDED.rules["TAB001"].message
    listing = json.loads(_invoke("rules", "--rules", "city.yaml", "--format", "json", cwd=tmp_path).stdout)
    rows = {row["code"]: row for row in listing}
    assert rows["KGN001"]["title"]["ja"] == "人口の合計と年齢3区分の和" and rows["KGN002"]["title"] is None
    assert rows["TAB001"]["title"] == RECOMMENDED.rules["TAB001"].title
    shown = json.loads(_invoke("rule", "TAB001", "--rules", "retitle.yaml", "--format", "json", cwd=tmp_path).stdout)
    assert shown["title"] == {"ja": "合計の検算", "en": "the total recomputed"}
    (tmp_path / "broken.yaml").write_text("rules:\n  TAB001: {title: 合計の検算}\n", encoding="utf-8")
    result = _invoke("--lang", "en", "--rules", "broken.yaml", str(TABLES), cwd=tmp_path)
    assert result.exit_code == 2
    assert "broken.yaml:2:19: rule TAB001: title needs both ja and en texts" in result.stderr, result.stderr


def test_the_ruleset_schema_describes_the_title_in_both_languages(tmp_path):
    schema = json.loads(_invoke("schema", "--ruleset", cwd=tmp_path).stdout)
    validator = jsonschema.Draft202012Validator(schema)
    for where in ("rule", "override"):
        title = schema["$defs"][where]["properties"]["title"]
        assert title["$ref"] == "#/$defs/text"
        assert "plancheck rules" in title["description"] and "見出し" in title["x-description-ja"]
    assert "title" not in schema["$defs"]["rule"]["required"]
    one_language = YAML(typ="safe").load(DOCUMENTED.replace(", en: the population total and the sum of the age groups",
                                                            "", 1))
    assert not validator.is_valid(one_language)
