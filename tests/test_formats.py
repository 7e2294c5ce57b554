"""The CI outputs: GitHub workflow commands (escaped as GitHub requires) and JUnit XML,
and `auto` choosing between them and the terminal format."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from checker.diagnostics import Diagnostic, Severity, Span
from checker.report import ReportContext
from checker.report.ci import render_github, render_junit
from tests.conftest import PLANS
from tests.test_cli import run

THEME_11 = PLANS / "kodaira/policy-evaluation-r4/theme-11-disability.yaml"
THEME_10 = PLANS / "kodaira/policy-evaluation-r4/theme-10-gender-equality.yaml"


def _diagnostic(file: str, message: str) -> Diagnostic:
    return Diagnostic(code="TOT001", name="total-matches-items", severity=Severity.ERROR,
                      message={"ja": message, "en": message}, help={}, file=file,
                      span=Span(3, 5, 3, 9), related=[], args={})


def test_github_escapes_data_and_properties():
    text = render_github([_diagnostic("a,b:c.yaml", "100% wrong\nsecond line\r")], ReportContext(lang="en"))
    assert text == (
        "::error file=a%2Cb%3Ac.yaml,line=3,endLine=3,col=5,endColumn=9,title=TOT001 (total-matches-items)"
        "::100%25 wrong%0Asecond line%0D\n"
    )


@pytest.mark.slow
def test_github_on_a_real_plan_annotates_the_value():
    result = run("--format", "github", "--lang", "en", str(THEME_11))
    [line] = result.stdout.splitlines()
    assert line.startswith("::warning file=plans/kodaira/policy-evaluation-r4/theme-11-disability.yaml,line=112,")
    assert "title=TOT002 (total-within-rounding)::total 7,412,808 千円 differs" in line  # data keeps its commas


@pytest.mark.slow
def test_auto_is_github_under_actions_and_full_elsewhere():
    actions = run("--lang", "en", str(THEME_11), env={"GITHUB_ACTIONS": "true"})
    assert actions.stdout.startswith("::warning file=")
    terminal = run("--lang", "en", str(THEME_11), env={"GITHUB_ACTIONS": ""})
    assert "TOT002" in terminal.stdout and "112 |" in terminal.stdout  # the source snippet
    assert not terminal.stdout.startswith("::")


@pytest.mark.slow
def test_junit_has_a_suite_per_file_and_a_failure_per_finding():
    result = run("--format", "junit", "--lang", "en", str(THEME_10), str(THEME_11))
    root = ET.fromstring(result.stdout)
    assert root.tag == "testsuites" and root.get("tests") == "2" and root.get("failures") == "1"
    suites = {suite.get("name"): suite for suite in root}
    clean = suites["plans/kodaira/policy-evaluation-r4/theme-10-gender-equality.yaml"]
    assert clean.get("failures") == "0" and clean.find("testcase/failure") is None
    [failure] = suites["plans/kodaira/policy-evaluation-r4/theme-11-disability.yaml"].iter("failure")
    assert failure.get("type") == "TOT002" and "7,412,808" in failure.get("message", "")


def test_junit_escapes_markup():
    text = render_junit([_diagnostic("x.yaml", 'a <b> & "c"')], ReportContext(lang="en", sources={"x.yaml": []}, checked=["x.yaml"]))
    [failure] = ET.fromstring(text).iter("failure")
    assert failure.get("message") == 'a <b> & "c"'
