"""A user's own ruleset, as docs/user-rules.md writes it, works from the command line on
the real 002 tables: clean on the published table, reporting its codes and numbers on a
changed copy, and refused with a clear message when it is wrong."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import PLANS, ROOT
from tests.test_cli import BAD_TOTAL, run

# every test here starts `python -m checker`
pytestmark = pytest.mark.slow

DOC = ROOT / "docs" / "user-rules.md"
TABLES = PLANS / "koganei/welfare-statistics-r5/tables.yaml"


def _documented_ruleset(tmp_path):
    block = re.search(r"```yaml\n(# koganei-rules\.yaml.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert block, "the worked example is in the documentation"
    path = tmp_path / "koganei-rules.yaml"
    path.write_text(block.group(1), encoding="utf-8")
    return path


def _diagnostics(*args):
    result = run("--format", "json", *args)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)["diagnostics"]


def test_documented_user_rules_pass_on_the_published_table(tmp_path):
    rules = _documented_ruleset(tmp_path)
    result = run("--rules", str(rules), "--format", "concise", str(PLANS / "koganei"))
    assert result.returncode == 0, result.stdout + result.stderr
    listing = json.loads(run("rules", "--rules", str(rules), "--format", "json").stdout)
    assert {"KGN001", "KGN002", "KGN003"} <= {row["code"] for row in listing}


def test_documented_user_rules_report_a_changed_population(tmp_path):
    rules = _documented_ruleset(tmp_path)
    lines = TABLES.read_text(encoding="utf-8").splitlines()
    old = next(i for i, line in enumerate(lines) if "key: old," in line)
    assert '令和4年: "26,609"' in lines[old]
    lines[old] = lines[old].replace('令和4年: "26,609"', '令和4年: "26,690"')
    copy = tmp_path / "tables.yaml"
    copy.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = {d["code"]: d for d in _diagnostics("--rules", str(rules), "--lang", "en", str(copy))}
    total_line = next(i for i, line in enumerate(lines, 1) if "key: total, name: 合計" in line)
    rate_line = next(i for i, line in enumerate(lines, 1) if "key: aging-rate" in line)
    assert found["KGN001"]["line"] == total_line
    assert found["KGN001"]["numbers"]["stated"] == "124846" and found["KGN001"]["numbers"]["computed"] == "124927"
    assert found["KGN001"]["message"]["en"].startswith("令和4年: total 124,846 differs")
    assert found["KGN002"]["line"] == rate_line and found["KGN002"]["numbers"]["computed"] == "21.4"
    assert "KGN003" not in found
    # the table's own declared relations report it too, under the recommended codes
    assert {"TAB001", "TAB002", "TAB004"} <= set(found)


def test_a_wrong_user_rule_is_refused_with_the_reason(tmp_path):
    base = _documented_ruleset(tmp_path).read_text(encoding="utf-8")
    cases = {
        "options: {row: total, of: [young, working-age, old]}": ("options: {row: total}", "row_sum needs option of"),
        "function: row_sum": ("function: row_summ", "did you mean row_sum"),
        "given: tables[id=population-by-age]          # the table, chosen by its id":
            ("given: indicators[id=population-by-age]", "applies to tables, not indicators"),
    }
    for original, (broken, expected) in cases.items():
        path = tmp_path / "broken.yaml"
        path.write_text(base.replace(original, broken, 1), encoding="utf-8")
        result = run("--rules", str(path), str(TABLES))
        assert result.returncode == 2 and expected in result.stderr, (broken, result.stderr)


def test_the_documented_override_only_file_applies_over_the_recommended_rules(tmp_path):
    block = re.search(r"```yaml\n(# severity\.yaml.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert block, "the override-only example is in the documentation"
    rules = tmp_path / "severity.yaml"
    rules.write_text(block.group(1), encoding="utf-8")
    listing = {row["code"]: row for row in json.loads(run("rules", "--rules", str(rules), "--format", "json").stdout)}
    assert listing["TOT002"]["severity"] == "info" and listing["RATE002"]["severity"] == "off"
    assert listing["TOT003"]["severity"] == "error"  # every other recommended rule is kept
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_TOTAL, encoding="utf-8")
    [total] = _diagnostics("--rules", str(rules), "--lang", "en", str(bad))
    assert total["code"] == "TOT001" and total["message"]["en"] == "total 4,870 is not the sum, 3,870"
