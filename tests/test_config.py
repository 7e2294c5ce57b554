"""Configuration: discovery by walking up, precedence (command line over file), every
option, errors with a location and a did-you-mean, and the plan set read as context."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.config import ConfigError, Selection, Settings, find_config, load_config
from checker.rules import load_ruleset
from tests.test_cli import BAD_TOTAL, GOOD, run

# TOT002 (a warning): the total is one off, within what rounding the items can explain
ROUNDING = BAD_TOTAL.replace("total: 4870", "total: 3871")
CODES = sorted(load_ruleset("recommended").rules)


def project(tmp_path: Path, config: str | None = None, name: str = "pyproject.toml", files: dict[str, str] | None = None) -> Path:
    if config is not None:
        (tmp_path / name).write_text(config, encoding="utf-8")
    for relative, text in (files or {}).items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def concise(tmp_path: Path, *args: str, cwd: Path | None = None):
    result = run("--format", "concise", "--lang", "en", *args, cwd=cwd or tmp_path)
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    return result, lines


# --- selection -------------------------------------------------------------------

def test_selection_follows_ruff_select_extend_ignore_and_specificity():
    enabled = {"TOT001", "TOT002", "RATE001", "UNIT001"}
    assert Selection("t", select=("TOT",)).apply(enabled, CODES) == {"TOT001", "TOT002", "TOT003", "TOT004", "TOT005"}
    assert Selection("t", extend_select=("XDOC001",)).apply(enabled, CODES) == enabled | {"XDOC001"}
    assert Selection("t", ignore=("TOT",)).apply(enabled, CODES) == {"RATE001", "UNIT001"}
    # the more specific selector wins either way round; at a tie, ignore wins
    assert Selection("t", select=("TOT",), ignore=("TOT001",)).apply(enabled, CODES) == {"TOT002", "TOT003", "TOT004", "TOT005"}
    assert Selection("t", select=("TOT001",), ignore=("TOT",)).apply(enabled, CODES) == {"TOT001"}
    assert Selection("t", select=("TOT001",), ignore=("TOT001",)).apply(enabled, CODES) == set()
    assert Selection("t", select=("ALL",), ignore=("LOAD", "SUP")).apply(set(), CODES) == {
        code for code in CODES if not code.startswith(("LOAD", "SUP"))}


def test_command_line_selection_is_applied_over_the_files(tmp_path):
    ruleset = load_ruleset("recommended")
    settings = Settings(root=tmp_path, selections=(Selection("file", select=("TOT",)),
                                                   Selection("cli", extend_select=("RATE001",), ignore=("TOT003",))))
    enabled = {rule.code for rule in settings.apply_to(ruleset).enabled()}
    assert enabled == {"TOT001", "TOT002", "TOT004", "TOT005", "RATE001"}


def test_severity_overrides_by_code_or_prefix_most_specific_first(tmp_path):
    ruleset = Settings(root=tmp_path, severity={"TOT": "info", "TOT001": "warning", "UNIT": "off"}).apply_to(
        load_ruleset("recommended"))
    assert ruleset.rules["TOT001"].severity.label == "warning"
    assert ruleset.rules["TOT002"].severity.label == "info"
    assert not any(rule.code.startswith("UNIT") for rule in ruleset.enabled())


# --- discovery -------------------------------------------------------------------

@pytest.mark.slow
def test_the_nearest_configuration_above_the_checked_files_is_used(tmp_path):
    project(tmp_path, '[tool.plancheck]\nfail-level = "warning"\n', files={"plans/a/b.yaml": ROUNDING})
    # a pyproject.toml without [tool.plancheck] is not a plancheck configuration
    (tmp_path / "plans" / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    assert find_config(tmp_path / "plans" / "a" / "b.yaml") == tmp_path / "pyproject.toml"
    elsewhere = tmp_path.parent
    result = run(str(tmp_path / "plans" / "a" / "b.yaml"), cwd=elsewhere)
    assert result.returncode == 1, result.stdout  # the warning fails the run, as configured
    # a plancheck.toml beats a pyproject.toml in the same directory, and nearer beats farther
    (tmp_path / "plancheck.toml").write_text('fail-level = "error"\n', encoding="utf-8")
    assert find_config(tmp_path / "plans") == tmp_path / "plancheck.toml"
    assert run(str(tmp_path / "plans" / "a" / "b.yaml"), cwd=elsewhere).returncode == 0
    (tmp_path / "plans" / "a" / "plancheck.toml").write_text('fail-level = "warning"\n', encoding="utf-8")
    assert run(str(tmp_path / "plans" / "a" / "b.yaml"), cwd=elsewhere).returncode == 1


@pytest.mark.slow
def test_config_and_isolated_flags(tmp_path):
    project(tmp_path, '[tool.plancheck]\nfail-level = "warning"\n', files={"plans/b.yaml": ROUNDING})
    (tmp_path / "strict.toml").write_text('ignore = ["TOT"]\n', encoding="utf-8")
    assert run("plans/b.yaml", cwd=tmp_path).returncode == 1
    assert run("--isolated", "plans/b.yaml", cwd=tmp_path).returncode == 0
    result, lines = concise(tmp_path, "--config", "strict.toml", "plans/b.yaml")
    assert result.returncode == 0 and lines == []
    assert run("--config", "nowhere.toml", "plans/b.yaml", cwd=tmp_path).returncode == 2


@pytest.mark.slow
def test_default_target_is_the_configured_plan_set(tmp_path):
    project(tmp_path, '[tool.plancheck]\nplans = ["documents"]\n', files={"documents/x.yaml": BAD_TOTAL})
    result, lines = concise(tmp_path)
    assert result.returncode == 1 and len(lines) == 1 and lines[0].startswith("documents/x.yaml:10:14: TOT001")


# --- each option, and the command line over it ------------------------------------

@pytest.mark.slow
def test_select_ignore_and_command_line_precedence(tmp_path):
    project(tmp_path, '[tool.plancheck]\nignore = ["TOT001"]\n', files={"plans/bad.yaml": BAD_TOTAL})
    result, lines = concise(tmp_path, "plans/bad.yaml")
    assert result.returncode == 0 and lines == []
    # the command line's selection goes over the file's
    result, lines = concise(tmp_path, "--extend-select", "TOT001", "plans/bad.yaml")
    assert result.returncode == 1 and [line.split()[1] for line in lines] == ["TOT001"]
    result, lines = concise(tmp_path, "--select", "RATE,TOT", "plans/bad.yaml")
    assert [line.split()[1] for line in lines] == ["TOT001"]
    result, lines = concise(tmp_path, "--select", "RATE", "plans/bad.yaml")
    assert result.returncode == 0 and lines == []


@pytest.mark.slow
def test_per_file_ignores_match_gitignore_style_globs(tmp_path):
    project(tmp_path, '[tool.plancheck.per-file-ignores]\n"plans/old/**" = ["TOT"]\n"*.draft.yaml" = ["TOT001"]\n',
            files={"plans/old/2019/bad.yaml": BAD_TOTAL, "plans/new/bad.yaml": BAD_TOTAL,
                   "plans/new/bad.draft.yaml": BAD_TOTAL})
    _result, lines = concise(tmp_path)
    assert [line.split(":")[0] for line in lines] == ["plans/new/bad.yaml"]


@pytest.mark.slow
def test_severity_fail_level_lang_and_format_from_the_file(tmp_path):
    project(tmp_path, '[tool.plancheck]\nfail-level = "info"\nlang = "ja"\nformat = "json"\n'
            '[tool.plancheck.severity]\nTOT002 = "info"\n', files={"plans/r.yaml": ROUNDING})
    result = run("plans/r.yaml", cwd=tmp_path)
    document = json.loads(result.stdout)
    assert result.returncode == 1  # an info finding at fail-level info
    assert [(d["code"], d["severity"]) for d in document["diagnostics"]] == [("TOT002", "info")]
    assert "合計" in document["diagnostics"][0]["message"]["ja"]
    # command-line flags win
    result = run("--format", "concise", "--lang", "en", "--fail-level", "error", "plans/r.yaml", cwd=tmp_path)
    assert result.returncode == 0 and "TOT002 [info] total 3,871" in result.stdout


@pytest.mark.slow
def test_extra_rulesets_are_loaded_over_the_recommended_one(tmp_path):
    local = (
        "extends: recommended\nrules:\n"
        "  TOT002: {severity: error}\n"
        "  LOCAL001:\n    name: rate-in-range\n    severity: warning\n    given: tables\n"
        "    then: {function: row_bound, options: {row: rate, min: 0, max: 100}}\n"
        "    message: {ja: '{column}: {stated} が範囲外です', en: '{column}: {stated} is out of range'}\n"
    )
    project(tmp_path, '[tool.plancheck]\nrulesets = ["rules/local.yaml"]\n',
            files={"rules/local.yaml": local, "plans/r.yaml": ROUNDING})
    result, lines = concise(tmp_path, "plans/r.yaml")
    assert result.returncode == 1, result.stderr
    assert [line.split()[1:3] for line in lines] == [["TOT002", "[error]"]]
    listed = json.loads(run("rules", "--format", "json", cwd=tmp_path).stdout)
    assert {"code": "LOCAL001", "name": "rate-in-range", "severity": "warning", "fixable": False, "fix": None,
            "title": None} in listed
    assert any(row["code"] == "TOT001" for row in listed)  # over the recommended rules, not instead of them


@pytest.mark.slow
def test_exclude_extend_exclude_and_force_exclude(tmp_path):
    project(tmp_path, '[tool.plancheck]\nextend-exclude = ["drafts/"]\n',
            files={"plans/bad.yaml": BAD_TOTAL, "plans/drafts/bad.yaml": BAD_TOTAL, ".venv/lib/bad.yaml": BAD_TOTAL})
    _, lines = concise(tmp_path, ".")
    assert [line.split(":")[0] for line in lines] == ["plans/bad.yaml"]  # .venv is excluded by default
    # a file named on the command line is checked anyway, unless --force-exclude (pre-commit's way)
    _, lines = concise(tmp_path, "plans/drafts/bad.yaml")
    assert len(lines) == 1
    result, lines = concise(tmp_path, "--force-exclude", "plans/drafts/bad.yaml")
    assert result.returncode == 0 and lines == []
    # `exclude` replaces the defaults
    (tmp_path / "pyproject.toml").write_text('[tool.plancheck]\nexclude = []\n', encoding="utf-8")
    _, lines = concise(tmp_path, ".")
    assert sorted(line.split(":")[0] for line in lines) == [".venv/lib/bad.yaml", "plans/bad.yaml",
                                                            "plans/drafts/bad.yaml"]


# --- errors ----------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize(("config", "expected"), [
    ('[tool.plancheck]\nfail_level = "warning"\n', "pyproject.toml:2: [tool.plancheck] fail_level: unknown option (did you mean fail-level?)"),
    ('[tool.plancheck]\nselekt = ["TOT"]\n', "(did you mean select?)"),
    ('[tool.plancheck]\nselect = ["TOT01"]\n', "select: no rule code starts with 'TOT01' (did you mean TOT001?)"),
    ('[tool.plancheck]\nfail-level = "fatal"\n', "pyproject.toml:2: [tool.plancheck] fail-level: must be one of error, warning, info, not 'fatal'"),
    ('[tool.plancheck]\nlang = "jp"\n', "must be one of ja, en, not 'jp' (did you mean 'ja'?)"),
    ('[tool.plancheck]\nselect = "TOT"\n', "select: must be a list of strings, not 'TOT'"),
    ('[tool.plancheck.severity]\nTOT001 = "fatal"\n', "pyproject.toml:1: [tool.plancheck] severity: TOT001 must be one of error, warning, info, off"),
    ('[tool.plancheck.per-file-ignores]\n"a/**" = "TOT"\n', "'a/**' must map to a list of rule codes"),
    ('[tool.plancheck]\nrulesets = ["nowhere.yaml"]\n', "pyproject.toml: rulesets: nowhere.yaml: no such ruleset file"),
    ('[tool.plancheck]\nselect = ["TOT"\n', "not valid TOML: "),
])
def test_configuration_errors_exit_2_with_the_file_line_and_a_hint(tmp_path, config, expected):
    project(tmp_path, config, files={"plans/good.yaml": GOOD})
    result = run("plans/good.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_unknown_codes_on_the_command_line_are_errors_too(tmp_path):
    project(tmp_path, files={"plans/good.yaml": GOOD})
    result = run("--ignore", "TOTAL", "plans/good.yaml", cwd=tmp_path)
    assert result.returncode == 2 and "the command line: ignore: no rule code starts with 'TOTAL'" in result.stderr


def test_load_config_reads_a_standalone_file_at_top_level(tmp_path):
    path = tmp_path / "plancheck.toml"
    path.write_text('select = ["TOT"]\n[per-file-ignores]\n"x/*" = ["TOT001"]\n', encoding="utf-8")
    settings = load_config(path)
    assert settings.selections[0].select == ("TOT",)
    assert settings.ignored_here("TOT001", tmp_path / "x" / "y.yaml")
    assert not settings.ignored_here("TOT002", tmp_path / "x" / "y.yaml")
    path.write_text("[tool.plancheck]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="tool: unknown option"):
        load_config(path)


# --- the plan set as context ---------------------------------------------------------

def _cross_document_project(tmp_path: Path) -> Path:
    bad = load_ruleset("recommended").rules["XDOC001"].docs["bad"]
    return project(tmp_path, files={f"plans/{name}": text for name, text in bad.items()})


@pytest.mark.slow
def test_a_named_file_is_read_with_the_rest_of_the_plan_set(tmp_path):
    _cross_document_project(tmp_path)
    # the strategy's actual differs from the execution plan's baseline: found even when
    # only the strategy is named, because the execution plan is loaded as context
    result, lines = concise(tmp_path, "plans/strategy.yaml")
    assert result.returncode == 0  # a warning
    assert len(lines) == 1 and lines[0].startswith("plans/strategy.yaml:") and "XDOC001" in lines[0]
    assert "plans/execution-plan.yaml states 72" in lines[0]
    # the context file's own findings are not reported, and the count is of checked files
    result, lines = concise(tmp_path, "plans/execution-plan.yaml")
    assert lines == []
    document = json.loads(run("--format", "json", "plans/execution-plan.yaml", cwd=tmp_path).stdout)
    assert document["files_checked"] == 1


@pytest.mark.slow
def test_the_reference_does_not_depend_on_which_file_is_named(tmp_path):
    _cross_document_project(tmp_path)
    _, named = concise(tmp_path, "plans/strategy.yaml")
    _, whole = concise(tmp_path, "plans/strategy.yaml", "plans/execution-plan.yaml")
    _, all_files = concise(tmp_path)
    assert named == whole == all_files


@pytest.mark.slow
def test_files_outside_the_plan_set_are_checked_alone(tmp_path):
    _cross_document_project(tmp_path)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "plans" / "strategy.yaml").rename(tmp_path / "elsewhere" / "strategy.yaml")
    result, lines = concise(tmp_path, "elsewhere/strategy.yaml")
    assert result.returncode == 0 and lines == []


@pytest.mark.slow
def test_options_before_a_subcommand_are_a_usage_error_not_a_path():
    result = run("--rules", "rules/recommended.yaml", "rules")
    assert result.returncode == 2
    assert "options go after the command: plancheck rules --rules rules/recommended.yaml" in result.stderr


# --- the declaration ---------------------------------------------------------------

@pytest.mark.parametrize(("limit", "written"), [("seconds", "nan"), ("seconds", "inf"), ("seconds", "-inf"),
                                                ("nodes", "0"), ("depth", "2.5"), ("file-bytes", "true")])
def test_limits_are_finite_positive_numbers(tmp_path, limit, written):
    project(tmp_path, f'[tool.plancheck.limits]\n{limit} = {written}\n', files={"plans/good.yaml": GOOD})
    result = run("--lang", "en", "plans/good.yaml", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"pyproject.toml:1: [tool.plancheck] limits: {limit} must be a" in result.stderr, result.stderr
    japanese = run("--lang", "ja", "plans/good.yaml", cwd=tmp_path).stderr
    assert f"limits: {limit} は" in japanese and "でなければなりません" in japanese


def test_a_limit_is_applied_to_each_file(tmp_path):
    project(tmp_path, '[tool.plancheck.limits]\ndepth = 3\n', files={"plans/deep.yaml": BAD_TOTAL})
    assert load_config(tmp_path / "pyproject.toml").limits.depth == 3
    _, lines = concise(tmp_path, "plans/deep.yaml")
    assert [line.split()[1] for line in lines] == ["LOAD011"] and "nesting depth" in lines[0]


def test_the_plan_set_may_be_one_string(tmp_path):
    project(tmp_path, '[tool.plancheck]\nplans = "documents"\n', files={"documents/x.yaml": BAD_TOTAL})
    assert load_config(tmp_path / "pyproject.toml").plans == ("documents",)
    result, lines = concise(tmp_path)
    assert result.returncode == 1 and [line.split(":")[0] for line in lines] == ["documents/x.yaml"]
    (tmp_path / "pyproject.toml").write_text('[tool.plancheck]\nplans = 3\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="plans: must be a string or a list of strings, not 3"):
        load_config(tmp_path / "pyproject.toml")


def test_every_option_is_declared_once_with_both_languages_and_reaches_the_settings():
    from dataclasses import fields

    from checker.config import OPTIONS
    from checker.report import FORMAT_NAMES

    names = [option.name for option in OPTIONS]
    assert len(names) == len(set(names))
    for option in OPTIONS:
        assert option.description.ja and option.description.en, option.name
    selection = {"select", "extend-select", "ignore"}  # they make the Selection layer
    # the command line's exclusions sit beside the configuration's (their base is the working directory)
    command_line = {"command_line_exclude", "command_line_extend_exclude", "command_line_base"}
    settings_fields = {item.name for item in fields(Settings)} - {"root", "source", "own", "selections"} - command_line
    assert {name.replace("-", "_") for name in names if name not in selection} == settings_fields
    assert next(option for option in OPTIONS if option.name == "format").allowed == FORMAT_NAMES


def test_the_options_table_in_the_docs_is_current():
    from checker.config import DOCS_END, DOCS_START, options_table
    from tests.conftest import ROOT

    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    written = text[text.index(DOCS_START) + len(DOCS_START):text.index(DOCS_END)]
    assert written == "\n" + options_table(), "stale: run `python -m checker.config docs/configuration.md`"
    assert "docs/configuration.md" in (ROOT / "README.md").read_text(encoding="utf-8")
