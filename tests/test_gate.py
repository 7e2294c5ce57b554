"""What a repository's data cannot do to the gate, and rulesets and configuration from the
repository (issue 16): a suppression hidden in a scalar suppresses nothing, an empty selector
is an error and never "every rule", `extends` stays in the project, ruleset and TOML files
are bounded like plan files, and user strings are never terminal markup."""

from __future__ import annotations

import pytest

from checker.suppressions import find_suppressions
from tests.conftest import check_text
from tests.test_cli import BAD_TOTAL, run

# BAD_TOTAL's total (line 9) is wrong by more than rounding: TOT001 at line 10


def _codes(diagnostics):
    return [(d.code, d.span.line) for d in diagnostics]


# --- 1. suppressions only in real comments -------------------------------------------

HIDDEN = {
    "block": "themes:\n  - id: a\n    title: |\n      # plancheck: file-ignore[TOT001] hidden in a block scalar\n",
    "folded": "themes:\n  - id: a\n    title: >-\n      x\n      # plancheck: file-ignore[TOT001] hidden in a folded scalar\n",
    "double": 'themes:\n  - id: a\n    title: "x\n      # plancheck: file-ignore[TOT001] hidden in a multi-line quoted scalar"\n',
    "single": "themes:\n  - id: a\n    title: 'x\n\n      # plancheck: file-ignore[TOT001] hidden, after a blank line'\n",
    "line separator": 'themes:\n  - id: a\n    title: "x\u2028# plancheck: file-ignore[TOT001] after U+2028"\n',
    "key": 'themes:\n  - id: a\n    "# plancheck: file-ignore[TOT001] a quoted key": 1\n',
}


def _with_hidden(hidden: str) -> str:
    """BAD_TOTAL with a second theme whose scalar holds the would-be suppression."""
    return BAD_TOTAL + hidden.replace("themes:\n", "")


@pytest.mark.parametrize("where", sorted(HIDDEN))
def test_a_suppression_inside_a_scalar_is_not_one(where):
    text = _with_hidden(HIDDEN[where])
    assert find_suppressions(text) == []


@pytest.mark.parametrize("where", ["block", "double", "single"])
def test_a_scalar_that_holds_a_suppression_still_fails_the_check(recommended, where):
    found = _codes(check_text(recommended, _with_hidden(HIDDEN[where])))
    assert ("TOT001", 10) in found
    assert not any(code.startswith("SUP") for code, _ in found)  # not a suppression at all, not even a bad one


def test_a_real_comment_beside_scalars_still_suppresses(recommended):
    # a block scalar's header line holds a real comment; a quoted # before the comment is text
    text = BAD_TOTAL.replace("total: 4870", 'total: 4870   # plancheck: ignore[TOT001] "#" the source is wrong')
    text += "  - id: b\n    title: | # plancheck: ignore[TOT002] header comment of a block scalar\n      body\n"
    [first, second] = find_suppressions(text)
    assert (first.codes, first.span.line, first.span.column) == (("TOT001",), 10, 21)
    assert (second.codes, second.span.line, second.applies_to) == (("TOT002",), 12, 12)
    assert _codes(check_text(recommended, text)) == [("SUP001", 12)]


def test_an_unterminated_quote_hides_no_suppression():
    text = 'plan: "x\n# plancheck: file-ignore[LOAD001] inside the unterminated quote\n'
    assert find_suppressions(text) == []


@pytest.mark.slow
def test_the_cli_fails_a_plan_whose_scalar_holds_a_suppression(tmp_path):
    (tmp_path / "plan.yaml").write_text(_with_hidden(HIDDEN["block"]), encoding="utf-8")
    result = run("--format", "concise", "--no-cache", "--isolated", "plan.yaml", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "plan.yaml:10:" in result.stdout and "TOT001" in result.stdout and "SUP" not in result.stdout
