"""The command line: exit codes, formats, languages, rulesets, schema, rule docs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from tests.conftest import ROOT, real_plan_files

# every test here starts `python -m checker`
pytestmark = pytest.mark.slow

GOOD = "plan: {id: x, title: t, municipality: 小平市, kind: policy_evaluation, source: {seed: a.txt}}\n"
BAD_TOTAL = GOOD + (
    "themes:\n  - id: a\n    title: t\n    projects:\n      unit: 千円\n      items:\n"
    "        - {no: 1, name: 事業, cost: 19}\n        - {no: 2, name: 事業2, cost: 3851}\n      total: 4870\n"
)


def run(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "NO_COLOR": "1", "GITHUB_ACTIONS": "", **(env or {})}
    return subprocess.run([sys.executable, "-m", "checker", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env=environment)


def test_default_target_is_plans_and_its_one_published_error_fails_the_run():
    result = run("--format", "concise")
    # 自治体経営方針's printed 合計 leaves out one item (TOT001, explained in the plan file)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "theme-24-municipal-management.yaml:" in result.stdout and "TOT001" in result.stdout
    assert "TOT002" in result.stdout  # the explained rounding warnings are shown too
    assert run("--exit-zero").returncode == 0


def test_exit_codes(tmp_path):
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(BAD_TOTAL, encoding="utf-8")
    assert run(str(tmp_path / "good.yaml")).returncode == 0
    assert run(str(tmp_path / "bad.yaml")).returncode == 1
    assert run("--exit-zero", str(tmp_path / "bad.yaml")).returncode == 0
    assert run(str(tmp_path / "missing.yaml")).returncode == 2
    assert run("--format", "nonsense", str(tmp_path)).returncode == 2
    # warnings fail only when asked to
    rounding_only = ROOT / "plans/kodaira/policy-evaluation-r4/theme-11-disability.yaml"
    assert run(str(rounding_only)).returncode == 0
    assert run("--fail-level", "warning", str(rounding_only)).returncode == 1


def test_concise_and_full_formats_point_at_the_value(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_TOTAL, encoding="utf-8")
    concise = run("--format", "concise", "--lang", "en", str(path))
    assert concise.stdout.strip().endswith("TOT001 [error] total 4,870 千円 differs from the sum of its 2 items, 3,870 千円 (difference 1,000, more than the ±1 rounding can explain)")
    assert ":10:14:" in concise.stdout
    full = run("--lang", "ja", str(path)).stdout
    assert "エラー[TOT001]" in full and "10 |       total: 4870" in full
    assert "^^^^" in full and "内訳 1" in full and "ヒント" in full and "1 件の指摘" in full


def test_json_format_has_the_numbers(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_TOTAL, encoding="utf-8")
    document = json.loads(run("--format", "json", str(path)).stdout)
    [diagnostic] = document["diagnostics"]
    assert diagnostic["code"] == "TOT001" and diagnostic["severity"] == "error"
    assert (diagnostic["line"], diagnostic["column"], diagnostic["end_column"]) == (10, 14, 18)
    assert diagnostic["numbers"]["stated"] == "4870" and diagnostic["numbers"]["computed"] == "3870"
    assert diagnostic["message"]["ja"] and diagnostic["message"]["en"]
    assert [r["line"] for r in diagnostic["related"]] == [8, 9]
    assert {key: document["summary"][key] for key in ("info", "warning", "error")} == {"info": 0, "warning": 0,
                                                                                       "error": 1}
    assert set(document["summary"]["relations"]) == {"checked", "unchecked", "not_applicable"}


def test_language_defaults_from_the_locale(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_TOTAL, encoding="utf-8")
    assert "合計" in run("--format", "concise", str(path), env={"LANG": "ja_JP.UTF-8", "LC_ALL": ""}).stdout
    assert "total" in run("--format", "concise", str(path), env={"LANG": "C.UTF-8", "LC_ALL": ""}).stdout


def test_schema_validates_every_real_plan(tmp_path):
    schema = tmp_path / "schema.json"
    schema.write_text(run("schema").stdout, encoding="utf-8")
    checker = Path(sys.executable).parent / "check-jsonschema"
    files = [str(path) for path in real_plan_files()]
    result = subprocess.run([str(checker), "--schemafile", str(schema), *files], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("kind: policy_evaluation", "kind: evaluation"), encoding="utf-8")
    assert subprocess.run([str(checker), "--schemafile", str(schema), str(bad)], capture_output=True).returncode == 1


def test_rules_listing_and_rule_docs():
    listing = run("rules").stdout
    assert "RATE001" in listing and "fixable" in listing.splitlines()[[c.split()[0] for c in listing.splitlines()].index("RATE001")]
    rows = json.loads(run("rules", "--format", "json").stdout)
    assert {"code": "TOT002", "name": "total-within-rounding",
            "title": {"ja": "丸めの範囲内の合計の差", "en": "a gap to the total within rounding"},
            "severity": "warning", "fixable": False, "fix": None} in rows
    doc_ja = run("rule", "TOT001", "--lang", "ja").stdout
    assert "検査内容" in doc_ja and "悪い例" in doc_ja and "良い例" in doc_ja
    doc_en = run("rule", "tot001", "--lang", "en").stdout
    assert "Why it matters" in doc_en
    cross = run("rule", "XDOC001", "--lang", "en").stdout
    assert "execution-plan.yaml:" in cross and "strategy.yaml:" in cross and "value: 72" in cross
    missing = run("rule", "TOT009")
    assert missing.returncode == 2 and "did you mean" in missing.stderr


def test_user_ruleset_extends_and_overrides(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_TOTAL, encoding="utf-8")
    ruleset = tmp_path / "city.yaml"
    ruleset.write_text("extends: recommended\nrules:\n  TOT001: {severity: warning}\n", encoding="utf-8")
    result = run("--format", "concise", "--rules", str(ruleset), str(path))
    assert result.returncode == 0 and "TOT001 [warning]" in result.stdout
    ruleset.write_text("extends: recommended\nrules:\n  TOT001: off\n", encoding="utf-8")
    assert run("--format", "concise", "--rules", str(ruleset), str(path)).stdout == ""


def test_user_ruleset_adds_a_rule(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_TOTAL, encoding="utf-8")
    ruleset = tmp_path / "city.yaml"
    ruleset.write_text(
        "extends: recommended\nrules:\n"
        "  CITY001:\n    name: strict-total\n    severity: error\n    given: project_lists\n"
        "    then: {function: sum_matches, kind: beyond_rounding, options: {half_unit_per_item: false}}\n"
        "    message: {ja: \"合計 {stated} が内訳の和 {computed} と違います\", en: \"total {stated} is not {computed}\"}\n",
        encoding="utf-8",
    )
    result = run("--format", "concise", "--lang", "en", "--rules", str(ruleset), str(path))
    assert "CITY001 [error] total 4,870 is not 3,870" in result.stdout


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("rules:\n  X001: {name: x, severity: loud, given: project_lists, then: {function: sum_matches}, message: {ja: a, en: b}}\n", "severity"),
        ("rules:\n  X001: {name: x, severity: error, given: project_lists, then: {function: sum_matchez}, message: {ja: a, en: b}}\n", "did you mean sum_matches"),
        ("rules:\n  X001: {name: x, severity: error, given: project_lists, then: {function: sum_matches}, message: {ja: a}}\n", "both ja and en"),
        ("extends: recomended\n", "did you mean recommended"),
    ],
)
def test_bad_rulesets_are_configuration_errors(tmp_path, body, words):
    ruleset = tmp_path / "bad-rules.yaml"
    ruleset.write_text(body, encoding="utf-8")
    result = run("--rules", str(ruleset), "plans")
    assert result.returncode == 2 and words in result.stderr and "Traceback" not in result.stderr


def test_statistics_counts_findings_per_code():
    text = run("--statistics").stdout.splitlines()
    assert text[0].split("\t") == ["    8", "TOT002", "total-within-rounding"]
    assert [line.split("\t")[1] for line in text] == ["TOT002", "FIG007", "RES003", "YEAR008", "ASSESS001", "TOT001"]
    rows = json.loads(run("--statistics", "--format", "json").stdout)
    assert {"code": "TOT001", "name": "total-matches-items", "count": 1, "fixable": False} in rows
    assert run("--statistics").returncode == 1  # the exit code still follows the findings


def _colours(text: str) -> list[str]:
    """The foreground colours (SGR 30-38, 90-97) set in `text`; bold is not a colour."""
    import re

    return [param for sgr in re.findall(r"\x1b\[([0-9;]*)m", text) for param in sgr.split(";")
            if param.isdigit() and (30 <= int(param) <= 38 or 90 <= int(param) <= 97)]


def test_colour_follows_no_color_force_color_and_the_flag(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_TOTAL, encoding="utf-8")
    # piped output: plain by default; FORCE_COLOR forces it; NO_COLOR (https://no-color.org) wins
    assert "\x1b[" not in run(str(path), env={"NO_COLOR": ""}).stdout
    assert _colours(run(str(path), env={"NO_COLOR": "", "FORCE_COLOR": "1"}).stdout)
    assert not _colours(run(str(path), env={"NO_COLOR": "1", "FORCE_COLOR": "1"}).stdout)
    # the flags win over both
    assert _colours(run("--color", str(path), env={"NO_COLOR": ""}).stdout)
    assert "\x1b[" not in run("--no-color", str(path), env={"NO_COLOR": "", "FORCE_COLOR": "1"}).stdout


def _run_on_a_terminal(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run plancheck with its stderr on a pseudo-terminal; what the terminal showed."""
    import pty
    import threading

    master, slave = pty.openpty()
    chunks: list[bytes] = []

    def read() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    environment = {**os.environ, "NO_COLOR": "1", "GITHUB_ACTIONS": "", "TERM": "xterm"}
    process = subprocess.run([sys.executable, "-m", "checker", *args], cwd=cwd, stdout=subprocess.PIPE,
                             stderr=slave, env=environment, timeout=120)
    os.close(slave)
    reader.join(timeout=10)
    os.close(master)
    return process.returncode, b"".join(chunks).decode("utf-8", "replace")


def test_a_progress_bar_shows_on_a_terminal_for_many_files_and_nowhere_else(tmp_path):
    from checker.cli import PROGRESS_MIN_FILES

    many = tmp_path / "many"
    many.mkdir()
    for number in range(PROGRESS_MIN_FILES):
        (many / f"plan-{number:03}.yaml").write_text(GOOD, encoding="utf-8")
    code, terminal = _run_on_a_terminal(["--format", "concise", str(many)], tmp_path)
    assert code == 0 and "checking" in terminal and "━" in terminal
    # piped: silent
    # piped: no progress bar, only the one-line summary
    assert len(run("--format", "concise", str(many)).stderr.splitlines()) == 1
    # few files on a terminal: silent
    few = tmp_path / "few"
    few.mkdir()
    (few / "plan.yaml").write_text(GOOD, encoding="utf-8")
    code, terminal = _run_on_a_terminal(["--format", "concise", str(few)], tmp_path)
    assert code == 0 and "checking" not in terminal


def test_output_formats_come_from_one_registry_and_each_imports_only_its_renderer(tmp_path):
    from checker.cli import check
    from checker.report import FORMAT_NAMES, REGISTRY

    choice = next(param for param in check.params if param.name == "output_format").type
    assert isinstance(choice, click.Choice)
    choices = choice.choices
    assert tuple(choices) == FORMAT_NAMES == ("auto", *REGISTRY)
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_TOTAL, encoding="utf-8")
    probe = ("import atexit, runpy, sys; sys.argv = ['plancheck', '--no-cache', '--format', sys.argv[1], sys.argv[2]];"
             "atexit.register(lambda: print(sorted(m for m in sys.modules if m.startswith('checker.report.')),"
             " file=sys.stderr));"
             "runpy.run_module('checker', run_name='__main__')")
    for name, format in REGISTRY.items():
        result = subprocess.run([sys.executable, "-c", probe, name, str(path)], cwd=ROOT, capture_output=True,
                                text=True, env={**os.environ, "NO_COLOR": "1", "GITHUB_ACTIONS": ""}, timeout=120)
        if format.binary:  # bytes are never for a terminal: only -o writes them (tests/test_annotated_workbook.py)
            assert result.returncode == 2 and "-o" in result.stderr and not result.stdout, (name, result.stderr)
            continue
        assert result.returncode == 1 and "TOT001" in result.stdout, (name, result.stderr)
        # and the sanitiser every format's user strings go through (and the HTML report its charts)
        own = {"checker.report.charts"} if name == "html" else set()
        assert result.stderr.strip().splitlines()[-1] == repr(sorted({format.module, "checker.report.safe", *own})), name


@pytest.mark.parametrize(("value", "said"), [("abc", True), ("0", True), ("2.5", True), ("2", False), ("", False)])
def test_a_workers_setting_that_is_not_used_is_said_not_ignored(value, said):
    plan = ROOT / "plans" / "kodaira" / "policy-evaluation-r4" / "theme-10-gender-equality.yaml"
    result = run("--isolated", "--no-cache", "--format", "concise", "--lang", "en", str(plan),
                 env={"PLANCHECK_WORKERS": value})
    assert result.returncode == 0, result.stderr
    note = f"PLANCHECK_WORKERS={value!r} is not a whole number from 1, so it is not used"
    assert (note in result.stderr) is said, result.stderr
    assert "All checks passed" in result.stderr  # the check itself runs as ever
