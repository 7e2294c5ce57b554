"""What a repository's data cannot do to the gate, and rulesets and configuration from the
repository (issue 16): a suppression hidden in a scalar suppresses nothing, an empty selector
is an error and never "every rule", `extends` stays in the project, ruleset and TOML files
are bounded like plan files, and user strings are never terminal markup."""

from __future__ import annotations

import pytest

from checker.config import ConfigError, load_config, matches, split_codes
from checker.suppressions import find_suppressions
from tests.conftest import check_text
from tests.test_cli import BAD_TOTAL, run

# BAD_TOTAL's total is wrong by more than rounding: TOT001 at line 10


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


# --- 2. an empty selector is an error, never "every rule" ------------------------------


@pytest.mark.parametrize("selector", ["", " ", "\t"])
def test_a_blank_selector_matches_no_code(selector):
    assert not matches(selector, "TOT001")


BLANK_CONFIGS = {
    "select": ('[tool.plancheck]\nplans = ["p"]\nselect = [""]\n', 3, "select"),
    "extend-select": ('[tool.plancheck]\nextend-select = ["TOT", " "]\n', 2, "extend-select"),
    "ignore": ('[tool.plancheck]\n\nignore = [" "]\n', 3, "ignore"),
    "per-file-ignores": ('[tool.plancheck]\n[tool.plancheck.per-file-ignores]\n"plans/**" = [""]\n', 2,
                         "per-file-ignores"),
    "severity": ('[tool.plancheck]\n[tool.plancheck.severity]\n"" = "off"\n', 2, "severity"),
    "severity, blank": ('[tool.plancheck]\n[tool.plancheck.severity]\n"  " = "off"\n', 2, "severity"),
}


@pytest.mark.parametrize("form", sorted(BLANK_CONFIGS))
def test_a_blank_selector_in_the_configuration_is_an_error_at_its_line(tmp_path, form):
    text, line, option = BLANK_CONFIGS[form]
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path / "pyproject.toml")
    message = raised.value.message
    assert message.en.startswith(f"{tmp_path / 'pyproject.toml'}:{line}: [tool.plancheck] {option}: "), message.en
    assert "names no rule" in message.en and "ALL" in message.en
    assert "どのルールも指しません" in message.ja


@pytest.mark.parametrize("values", [("",), (" ",), ("TOT,",), ("TOT,,RATE",)])
def test_a_blank_selector_on_the_command_line_is_kept_for_refusal(values):
    assert "" in split_codes(values)


@pytest.mark.parametrize("flag", ["--select", "--extend-select", "--ignore"])
@pytest.mark.parametrize("value", ["", " "])
def test_a_blank_selector_on_the_command_line_refuses_the_run(recommended, flag, value):
    from checker.run import RunOptions, prepare

    codes = split_codes((value,))
    options = {"--select": RunOptions(select=codes), "--extend-select": RunOptions(extend_select=codes),
               "--ignore": RunOptions(ignore=codes)}[flag]
    with pytest.raises(ConfigError) as raised:
        prepare(options._replace(isolated=True, no_cache=True))
    assert raised.value.message.en == f"the command line: {flag}: an empty rule code names no rule (write ALL for every rule)"


@pytest.mark.slow
@pytest.mark.parametrize("args", [("--select", ""), ("--ignore", " "), ("--select", "TOT,,RATE")])
def test_the_cli_exits_2_on_a_blank_selector(tmp_path, args):
    (tmp_path / "plan.yaml").write_text(BAD_TOTAL, encoding="utf-8")
    result = run("--isolated", "--no-cache", "--lang", "en", *args, "plan.yaml", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"the command line: {args[0]}: an empty rule code names no rule" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    ja = run("--isolated", "--no-cache", "--lang", "ja", *args, "plan.yaml", cwd=tmp_path)
    assert ja.returncode == 2 and "どのルールも指しません" in ja.stderr


@pytest.mark.parametrize("written", ["ignore[]", "ignore[ ]", "ignore[TOT001, ]", "file-ignore[,]"])
def test_an_empty_code_in_a_suppression_is_sup003_at_the_comment(recommended, written):
    text = BAD_TOTAL.replace("total: 4870", f"total: 4870   # plancheck: {written} a reason")
    found = check_text(recommended, text)
    assert ("TOT001", 10) in _codes(found)  # suppressed nothing
    [sup] = [d for d in found if d.code == "SUP003"]
    assert (sup.span.line, sup.span.column) == (10, 21)


# --- 3. extends stays in the project ----------------------------------------------------

OVERRIDE = "rules:\n  TOT001: {severity: info}\n"


def _prepare(cwd, *rules, config=None):
    """prepare() as the CLI calls it from `cwd`, with --rules and --config."""
    import os

    from checker.run import RunOptions, prepare

    before = os.getcwd()
    os.chdir(cwd)
    try:
        return prepare(RunOptions(rulesets=tuple(rules), config_path=config, no_cache=True))
    finally:
        os.chdir(before)


def _refused(cwd, *rules, config=None) -> ConfigError:
    with pytest.raises(ConfigError) as raised:
        _prepare(cwd, *rules, config=config)
    return raised.value


@pytest.fixture
def layout(tmp_path):
    """A repository (the working directory) and a directory outside it."""
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    (repo / "rules").mkdir(parents=True)
    outside.mkdir()
    (outside / "base.yaml").write_text("extends: recommended\n" + OVERRIDE, encoding="utf-8")
    return repo, outside


@pytest.mark.parametrize("named", ["../../outside/base.yaml", "{outside}/base.yaml", "link.yaml"])
def test_a_repository_ruleset_cannot_extend_a_file_outside_the_project(layout, named):
    repo, outside = layout
    (repo / "rules" / "link.yaml").symlink_to(outside / "base.yaml")  # a symlink is where it points
    (repo / "rules" / "local.yaml").write_text(f"extends: {named.format(outside=outside)}\n" + OVERRIDE,
                                               encoding="utf-8")
    error = _refused(repo, "rules/local.yaml")
    assert error.message.en.startswith(f"{repo / 'rules' / 'local.yaml'}:1:10: the ruleset "), error.message.en
    assert "is outside the project" in error.message.en and "--rules" in error.message.en
    assert "プロジェクト" in error.message.ja


def test_whether_an_outside_file_exists_is_not_asked(layout):
    repo, outside = layout
    (repo / "rules" / "local.yaml").write_text(f"extends: {outside}/missing.yaml\n" + OVERRIDE, encoding="utf-8")
    assert "is outside the project" in _refused(repo, "rules/local.yaml").message.en


def test_the_repository_configuration_cannot_name_a_ruleset_outside_it(layout):
    repo, outside = layout
    (repo / "plancheck.toml").write_text(f'rulesets = ["{outside}/base.yaml"]\n', encoding="utf-8")
    error = _refused(repo)
    assert "is outside the project" in error.message.en and str(repo / "plancheck.toml") in error.message.en


def test_what_the_user_names_may_lie_outside_and_extend_its_neighbours(layout):
    repo, outside = layout
    (outside / "mine.yaml").write_text("extends: middle.yaml\nrules:\n  TOT002: {severity: off}\n", encoding="utf-8")
    (outside / "middle.yaml").write_text("extends: base.yaml\nrules: {}\n", encoding="utf-8")  # two hops away
    ruleset = _prepare(repo, str(outside / "mine.yaml")).ruleset  # --rules
    assert ruleset.rules["TOT001"].severity.name == "INFO" and ruleset.rules["TOT002"].severity is None
    (outside / "plancheck.toml").write_text('rulesets = ["mine.yaml"]\n', encoding="utf-8")
    ruleset = _prepare(repo, config=str(outside / "plancheck.toml")).ruleset  # the user's own configuration
    assert ruleset.rules["TOT002"].severity is None
    # the same configuration inside the repository is the repository's
    (repo / "plancheck.toml").write_text(f'rulesets = ["{outside}/mine.yaml"]\n', encoding="utf-8")
    assert "is outside the project" in _refused(repo, config="plancheck.toml").message.en


SECRET = "hunter2-secret"


@pytest.mark.parametrize("content", [
    f"password {SECRET}\n",  # a plain scalar: not a mapping
    f"API_KEY: {SECRET}\nOTHER: x\n",  # a mapping, but no ruleset field
    f"API_KEY: {SECRET}\nAPI_KEY: {SECRET}\n",  # a duplicate key
    f'token: "{SECRET}\n',  # not valid YAML
    f"\tkey: {SECRET}\n",  # a tab YAML cannot start a token with
])
def test_an_error_in_a_file_that_is_not_a_ruleset_does_not_quote_it(layout, content):
    repo, outside = layout
    (outside / "credentials").write_text(content, encoding="utf-8")
    error = _refused(repo, str(outside / "credentials"))  # given by the user: read, but not quoted
    for text in (error.message.en, error.message.ja):
        assert SECRET not in text and "API_KEY" not in text and "token" not in text, text
    assert f"{outside / 'credentials'} is not a ruleset" in error.message.en


def test_a_file_that_is_not_utf8_is_not_a_ruleset(layout):
    repo, outside = layout
    (outside / "key.bin").write_bytes(b"\xff\xfe\x00\x01" + SECRET.encode() + b"\x80\x81")
    error = _refused(repo, str(outside / "key.bin"))
    assert "is not a ruleset" in error.message.en and SECRET not in error.message.en


def test_a_diamond_of_extends_loads_and_a_cycle_is_reported_with_its_chain(tmp_path):
    from checker.rules import RulesetError, load_ruleset

    (tmp_path / "d.yaml").write_text("extends: recommended\nrules:\n  TOT001: {severity: info}\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("extends: d.yaml\nrules:\n  TOT002: {severity: off}\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_text("extends: d.yaml\nrules:\n  TOT003: {severity: off}\n", encoding="utf-8")
    (tmp_path / "a.yaml").write_text("extends: [b.yaml, c.yaml]\nrules: {}\n", encoding="utf-8")
    ruleset = load_ruleset(tmp_path / "a.yaml")
    assert ruleset.rules["TOT001"].severity.name == "INFO"
    assert ruleset.rules["TOT002"].severity is None and ruleset.rules["TOT003"].severity is None
    (tmp_path / "d.yaml").write_text("extends: a.yaml\nrules: {}\n", encoding="utf-8")
    with pytest.raises(RulesetError) as raised:
        load_ruleset(tmp_path / "a.yaml")
    chain = " → ".join(str(tmp_path / name) for name in ("a.yaml", "b.yaml", "d.yaml", "a.yaml"))
    assert raised.value.text("en") == f"{tmp_path / 'd.yaml'}:1:10: a cycle of extends: {chain}"
    assert "extends が循環しています" in raised.value.text("ja")


@pytest.mark.slow
def test_the_cli_exits_2_on_an_extends_outside_the_project(layout):
    repo, outside = layout
    (repo / "rules" / "local.yaml").write_text(f"extends: {outside}/base.yaml\n" + OVERRIDE, encoding="utf-8")
    (repo / "plan.yaml").write_text(BAD_TOTAL, encoding="utf-8")
    result = run("--no-cache", "--lang", "en", "--rules", "rules/local.yaml", "plan.yaml", cwd=repo)
    assert result.returncode == 2 and "is outside the project" in result.stderr and result.stdout == ""
    assert "Traceback" not in result.stderr


# --- 4. ruleset and TOML files are bounded like plan files ---------------------------------

DEEP = 100_000


def _alias_bomb(top: str) -> str:
    """Ten levels of nine aliases each: 9**10 values if expanded."""
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    return "\n".join(lines) + "\n" + top


@pytest.mark.parametrize(("text", "limit"), [
    ("rules: " + "[" * DEEP + "]" * DEEP + "\n", "exceeds the nesting depth limit, 100"),
    ("rules:\n" + "".join(" " * depth + "- \n" for depth in range(0, 2 * 500, 2)), "exceeds the nesting depth limit, 100"),
    (_alias_bomb("rules: {}\n"), "exceeds the node count limit, 200,000"),
])
def test_a_hostile_ruleset_is_a_configuration_error(tmp_path, text, limit):
    (tmp_path / "local.yaml").write_text(text, encoding="utf-8")
    error = _refused(tmp_path, "local.yaml")
    assert error.message.en.startswith(f"{tmp_path / 'local.yaml'}:") and limit in error.message.en
    assert "上限" in error.message.ja


def test_an_oversized_ruleset_is_refused_before_it_is_read(tmp_path):
    from checker.loader import DEFAULT_LIMITS

    with (tmp_path / "big.yaml").open("wb") as handle:
        handle.truncate(DEFAULT_LIMITS.file_bytes + 1)  # sparse: nothing to read
    error = _refused(tmp_path, "big.yaml")
    assert error.message.en == f"{tmp_path / 'big.yaml'}: exceeds the file size limit, 10,485,760 bytes"


TOML_BOMBS = {
    "nested arrays": "select = " + "[" * DEEP + "]" * DEEP + "\n",
    "nested inline tables": "x = " + "{a = " * DEEP + "1" + "}" * DEEP + "\n",
    "just past the limit": "x = " + "[" * 150 + "]" * 150 + "\n",
    "a long dotted key": "a" + ".a" * 200_000 + " = 1\n",  # tomllib: quadratic time
    "a deep table header": "[" + ".".join(["a"] * 5000) + "]\n",
}


@pytest.mark.parametrize("form", sorted(TOML_BOMBS))
@pytest.mark.parametrize("name", ["plancheck.toml", "pyproject.toml"])
def test_a_hostile_toml_configuration_is_a_configuration_error(tmp_path, form, name):
    import time

    text = TOML_BOMBS[form]
    (tmp_path / name).write_text("[tool.plancheck]\n" + text if name == "pyproject.toml" else text, encoding="utf-8")
    started = time.monotonic()
    error = _refused(tmp_path)  # found by walking up from the working directory
    assert time.monotonic() - started < 5
    assert error.message.en == f"{tmp_path / name}: exceeds the nesting depth limit, 100", error.message.en
    assert error.message.ja == f"{tmp_path / name}: 入れ子の深さの上限 100 を超えています"


def test_a_toml_configuration_past_the_node_limit_or_not_utf8_is_an_error(tmp_path):
    (tmp_path / "plancheck.toml").write_text("x = [" + "1," * 200_001 + "]\n", encoding="utf-8")
    assert _refused(tmp_path).message.en.endswith("exceeds the node count limit, 200,000")
    (tmp_path / "plancheck.toml").write_bytes(b'lang = "\xff"\n')
    assert _refused(tmp_path).message.en == f"{tmp_path / 'plancheck.toml'}: not UTF-8 (at byte 9)"


def test_ordinary_dotted_keys_and_prose_are_not_deep(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\ndescription = """\n' + "." * 500 + '\n"""\nurls."a.b" = "http://a.b.c.d/e.f"\n'
        '[tool.plancheck.severity]\nTOT002 = "error"\n', encoding="utf-8")
    assert _prepare(tmp_path).ruleset.rules["TOT002"].severity.name == "ERROR"


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["ruleset", "toml"])
def test_the_cli_exits_2_on_a_deep_ruleset_or_configuration(tmp_path, kind):
    (tmp_path / "plan.yaml").write_text(BAD_TOTAL, encoding="utf-8")
    if kind == "ruleset":
        (tmp_path / "deep.yaml").write_text("rules: " + "[" * DEEP + "]" * DEEP + "\n", encoding="utf-8")
        args = ["--rules", "deep.yaml"]
    else:
        (tmp_path / "plancheck.toml").write_text(TOML_BOMBS["nested inline tables"], encoding="utf-8")
        args = []
    result = run("--no-cache", "--lang", "en", *args, "plan.yaml", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "exceeds the nesting depth limit, 100" in result.stderr
    assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr and result.stdout == ""


# --- 5. rule codes have the documented form; user strings are never markup -----------------

NEW_RULE = """extends: recommended
rules:
  {code}:
    name: {name}
    severity: error
    given: project_lists
    then: {{function: sum_matches, kind: beyond_rounding}}
    message: {{ja: "{message}", en: "{message}"}}
"""
MARKUP = "[red]x[/red]"
LINK = "[link=https://attacker.example]click[/link] [bold]"


@pytest.mark.parametrize("code", ["CITY01", "city001", "CITY0001", "CITY001X", "C-001", "CITY\u0661\u0662\u0663",
                                  "ＣＩＴＹ００１", "'CITY001\\n'", "'CITY001 '", "'[red]X001'", "1234"])
def test_a_new_rule_code_must_be_capital_letters_and_three_ascii_digits(tmp_path, code):
    (tmp_path / "city.yaml").write_text(NEW_RULE.format(code=code, name="n", message="m {stated}"), encoding="utf-8")
    error = _refused(tmp_path, "city.yaml")
    assert "is capital letters and three digits (like CITY001)" in error.message.en, error.message.en
    assert error.message.en.startswith(f"{tmp_path / 'city.yaml'}:3:3: rule code ")


def test_a_suppression_names_a_code_only_in_ascii_digits(recommended):
    text = BAD_TOTAL.replace("total: 4870", "total: 4870   # plancheck: ignore[TOT\u0660\u0660\u0661] Arabic-Indic digits")
    assert sorted(code for code, _ in _codes(check_text(recommended, text))) == ["SUP003", "TOT001"]


def _markup_ruleset(tmp_path):
    (tmp_path / "city.yaml").write_text(
        NEW_RULE.format(code="CITY001", name=f"'{MARKUP}'", message=f"{LINK} {{stated}}"), encoding="utf-8")
    (tmp_path / "plan.yaml").write_text(BAD_TOTAL, encoding="utf-8")


def test_a_rule_name_and_message_are_printed_literally_in_the_full_format(tmp_path):
    import os

    from checker.report import ReportContext
    from checker.report.text import render_full
    from checker.run import RunOptions
    from checker.run import run as run_check

    _markup_ruleset(tmp_path)
    before = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = run_check(RunOptions(paths=("plan.yaml",), rulesets=("city.yaml",), no_cache=True, lang="en"))
    finally:
        os.chdir(before)
    [city] = [d for d in result.diagnostics if d.code == "CITY001"]
    assert city.name == MARKUP
    context = ReportContext(lang="en", sources=result.sources, checked=result.checked, color=True)
    shown = render_full([city], context)
    assert f"{LINK} 4,870" in shown.replace("\x1b[0m", "").replace("\x1b[1m", "")  # literal, brackets and all
    assert "\x1b]8;" not in shown  # no hyperlink escape made from the message


@pytest.mark.slow
def test_plancheck_rules_and_rule_print_a_markup_name_literally(tmp_path):
    _markup_ruleset(tmp_path)
    listing = run("rules", "--rules", "city.yaml", cwd=tmp_path, env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert listing.returncode == 0, listing.stderr
    [line] = [line for line in listing.stdout.splitlines() if line.startswith("CITY001")]
    assert MARKUP in line and "\x1b[31m" not in listing.stdout
    shown = run("rule", "CITY001", "--lang", "en", "--rules", "city.yaml", cwd=tmp_path,
                env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[0] == f"CITY001 ({MARKUP})" and "\x1b" not in shown.stdout
    by_name = run("rule", MARKUP, "--lang", "en", "--rules", "city.yaml", cwd=tmp_path)
    assert by_name.returncode == 0 and by_name.stdout.splitlines()[0] == f"CITY001 ({MARKUP})"
