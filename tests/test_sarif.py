"""SARIF 2.1.0 output validates against the official schema (tests/data/sarif-2.1.0.json,
as shipped in Microsoft's @microsoft/sarif-multitool npm packages, MIT) and carries the
rule metadata, regions, related locations and fixes GitHub code scanning shows.

With PLANCHECK_SARIF_MULTITOOL set to the multitool's executable, its `validate` command
(the strictest check there is) runs too and must report no error or warning."""

from __future__ import annotations

import json
import os
import subprocess

import jsonschema
import pytest

from tests.conftest import PLANS, ROOT
from tests.test_cli import run

# every test here starts `python -m checker`
pytestmark = pytest.mark.slow

SCHEMA = json.loads((ROOT / "tests/data/sarif-2.1.0.json").read_text(encoding="utf-8"))
THEME_11 = PLANS / "kodaira/policy-evaluation-r4/theme-11-disability.yaml"


def _sarif(*args: str) -> dict:
    result = run("--format", "sarif", "--lang", "en", *args)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def _validate(document: dict) -> None:
    jsonschema.validators.validator_for(SCHEMA)(SCHEMA).validate(document)


def test_sarif_on_plans_validates_and_lists_every_rule():
    document = _sarif("plans")
    _validate(document)
    [run_] = document["runs"]
    rules = run_["tool"]["driver"]["rules"]
    assert {"TOT001", "RATE001", "TAB002", "XDOC001"} <= {rule["id"] for rule in rules}
    [tot001] = [r for r in run_["results"] if r["ruleId"] == "TOT001"]
    assert rules[tot001["ruleIndex"]]["id"] == "TOT001"
    assert tot001["level"] == "error"
    location = tot001["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "plans/kodaira/policy-evaluation-r4/theme-24-municipal-management.yaml"
    assert location["region"]["startLine"] > 1 and location["region"]["endColumn"] > location["region"]["startColumn"]
    assert len(tot001["relatedLocations"]) == 45  # the items of the total
    assert run_["columnKind"] == "unicodeCodePoints"


def test_sarif_fix_replaces_the_value_keeping_its_quotes(tmp_path):
    text = THEME_11.read_text(encoding="utf-8").replace("rates:   {令和3年度: 75.4%", "rates:   {令和3年度: 76.4%", 1)
    path = tmp_path / "theme.yaml"
    path.write_text(text, encoding="utf-8")
    document = _sarif(str(path))
    _validate(document)
    [result] = [r for r in document["runs"][0]["results"] if r["ruleId"] == "RATE001"]
    [change] = result["fixes"][0]["artifactChanges"]
    [replacement] = change["replacements"]
    assert replacement["insertedContent"]["text"] == "75.4%"
    region = replacement["deletedRegion"]
    line = text.splitlines()[region["startLine"] - 1]
    assert line[region["startColumn"] - 1:region["endColumn"] - 1] == "76.4%"


@pytest.mark.skipif(not os.environ.get("PLANCHECK_SARIF_MULTITOOL"), reason="set PLANCHECK_SARIF_MULTITOOL to run it")
def test_sarif_multitool_validate_reports_nothing(tmp_path):
    document = _sarif("plans")
    source = tmp_path / "plans.sarif"
    source.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    report = tmp_path / "validation.sarif"
    subprocess.run([os.environ["PLANCHECK_SARIF_MULTITOOL"], "validate", str(source), "--output", str(report),
                    "--log", "ForceOverwrite"], check=True, capture_output=True, timeout=300)
    results = [r for run_ in json.loads(report.read_text(encoding="utf-8"))["runs"] for r in run_.get("results", [])]
    assert [r for r in results if r.get("level", "warning") in ("error", "warning")] == []
