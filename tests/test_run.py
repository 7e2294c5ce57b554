"""The run API (`checker.run`), the path the command line, the fuzzer and the re-check after
--fix all take: options in, a result out (diagnostics, names, sources, fixes, notes in both
languages), configuration problems as a ConfigError, and nothing printed."""

from __future__ import annotations

import pytest

from checker import run as run_module
from checker.config import ConfigError
from checker.diagnostics import Text
from checker.run import RunOptions, execute, prepare, run
from tests.conftest import PLANS
from tests.test_cli import BAD_TOTAL, GOOD

THEME_11 = PLANS / "kodaira/policy-evaluation-r4/theme-11-disability.yaml"


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.delenv("PLANCHECK_CACHE_DIR", raising=False)
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "bad.yaml").write_text(BAD_TOTAL, encoding="utf-8")
    (tmp_path / "plans" / "good.yaml").write_text(GOOD, encoding="utf-8")
    return tmp_path


def test_a_run_gives_the_diagnostics_the_names_and_the_sources_and_prints_nothing(project, capsys):
    result = run(RunOptions())
    assert [(d.code, d.file, d.span.line, d.span.column) for d in result.diagnostics] == [
        ("TOT001", "plans/bad.yaml", 10, 14)]
    assert result.diagnostics[0].to_json()["numbers"]["stated"] == "4870"
    assert result.checked == ["plans/bad.yaml", "plans/good.yaml"]
    assert list(result.sources) == ["plans/bad.yaml"]  # only the files diagnostics point into
    assert result.sources["plans/bad.yaml"][9] == "      total: 4870"
    assert result.failed and not result.internal_error and result.notes == [] and not result.from_cache
    assert capsys.readouterr() == ("", "")


def test_the_second_run_is_answered_from_the_cache_with_the_same_result(project):
    cold = run(RunOptions())
    warm = run(RunOptions())
    assert warm.from_cache and not cold.from_cache
    assert [d.to_json() for d in warm.diagnostics] == [d.to_json() for d in cold.diagnostics]
    assert warm.sources == cold.sources and warm.checked == cold.checked
    assert not run(RunOptions(no_cache=True)).from_cache


def test_options_go_over_the_configuration(project):
    (project / "plancheck.toml").write_text('ignore = ["TOT001"]\nfail-level = "warning"\n', encoding="utf-8")
    prepared = prepare(RunOptions(extend_select=("TOT001",), fail_level="error", lang="ja", output_format="json"))
    assert prepared.settings.fail_level == "error" and prepared.settings.lang == "ja"
    assert prepared.settings.format == "json"
    assert [d.code for d in execute(prepared).diagnostics] == ["TOT001"]
    assert run(RunOptions()).diagnostics == []
    assert run(RunOptions(isolated=True)).diagnostics[0].code == "TOT001"


def test_a_configuration_problem_is_a_config_error_in_both_languages(project):
    (project / "plancheck.toml").write_text('fail-level = "warning"\nlang = "jp"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        prepare(RunOptions())
    at = f"{project / 'plancheck.toml'}:2: lang: "
    assert raised.value.message == Text(at + "ja, en のどれかでなければなりません（'jp' ではなく）（'ja' の誤りではありませんか）",
                                        at + "must be one of ja, en, not 'jp' (did you mean 'ja'?)")
    ruleset = project / "rules.yaml"
    ruleset.write_text("extends: recomended\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        prepare(RunOptions(isolated=True, rulesets=(str(ruleset),)))
    assert "did you mean recommended" in raised.value.text("en") and raised.value.text("ja")
    with pytest.raises(ConfigError, match="the command line: select: no rule code starts with 'TOTAL'"):
        prepare(RunOptions(isolated=True, select=("TOTAL",)))


def test_missing_paths_and_no_plan_files_are_notes_not_output(project):
    result = run(RunOptions(paths=("nowhere.yaml",)))
    assert result.missing == ["nowhere.yaml"] and result.checked == [] and result.diagnostics == []
    assert result.notes == [Text("ファイルまたはディレクトリがありません: nowhere.yaml", "no such file or directory: nowhere.yaml")]
    (project / "empty").mkdir()
    result = run(RunOptions(paths=("empty",)))
    assert result.checked == [] and result.notes[0].en == "warning: no plan files (*.yaml, *.yml with a top-level plan:) under empty"
    # pre-commit handing over only excluded files: nothing to say
    (project / "plancheck.toml").write_text('extend-exclude = ["drafts/"]\n', encoding="utf-8")
    (project / "drafts").mkdir()
    (project / "drafts" / "bad.yaml").write_text(BAD_TOTAL, encoding="utf-8")
    result = run(RunOptions(paths=("drafts/bad.yaml",), force_exclude=True))
    assert result.checked == [] and result.notes == []


def test_diff_plans_the_fixes_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    broken = THEME_11.read_text(encoding="utf-8").replace("rates:   {令和3年度: 75.4%", "rates:   {令和3年度: 76.4%", 1)
    path = tmp_path / "plan.yaml"
    path.write_text(broken, encoding="utf-8")
    alone = run(RunOptions(paths=("plan.yaml",), isolated=True, no_cache=True, diff=True))
    # the rate is a printed figure: only --unsafe-fixes would rewrite it, and the run says so
    assert alone.fix is not None and (alone.fix.values, alone.fix.files) == (0, 0)
    assert alone.notes[-1].en.startswith("1 fix(es) not applied: they rewrite a printed figure")
    result = run(RunOptions(paths=("plan.yaml",), isolated=True, no_cache=True, diff=True, unsafe_fixes=True))
    assert result.fix is not None and (result.fix.values, result.fix.files) == (1, 1)
    [diff] = result.fix.diffs
    assert "-        rates:   {令和3年度: 76.4%" in diff and "+        rates:   {令和3年度: 75.4%" in diff
    assert result.notes == [Text("--fix は 1 ファイルの 1 個の値を書き換えます", "--fix would rewrite 1 value(s) in 1 file(s)")]
    assert path.read_text(encoding="utf-8") == broken


def test_fix_writes_and_checks_again_through_the_same_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    original = THEME_11.read_text(encoding="utf-8")
    path = tmp_path / "plan.yaml"
    path.write_text(original.replace("rates:   {令和3年度: 75.4%", "rates:   {令和3年度: 76.4%", 1), encoding="utf-8")
    calls: list[RunOptions] = []
    real = run_module.execute

    def counting(prepared, progress=None):
        calls.append(prepared.options)
        return real(prepared, progress)

    monkeypatch.setattr(run_module, "execute", counting)
    result = run_module.run(RunOptions(paths=("plan.yaml",), isolated=True, fix=True, unsafe_fixes=True))
    assert [options.fix for options in calls] == [True, False]  # the re-check is a run like any other
    assert path.read_text(encoding="utf-8") == original
    assert result.fix is not None and (result.fix.values, result.fix.files) == (1, 1)
    assert "RATE001" not in [d.code for d in result.diagnostics]
    assert result.notes == [Text("1 ファイルの 1 個の値を修正しました", "fixed 1 value(s) in 1 file(s)")]
    assert [d.code for d in result.diagnostics] == [d.code for d in run(RunOptions(paths=("plan.yaml",),
                                                                                    isolated=True)).diagnostics]


def test_a_ruleset_error_that_speaks_both_languages_is_reported_in_the_runs(project, monkeypatch):
    from checker import rules

    class Bilingual(rules.RulesetError):
        def text(self, lang: str) -> str:
            return {"ja": "ルールセットが壊れています", "en": "the ruleset is broken"}[lang]

    def failing(spec, base=None, *args, **kwargs):
        raise Bilingual("city.yaml", Text("ルールセットが壊れています", "the ruleset is broken"))

    monkeypatch.setattr(rules, "load_ruleset", failing)
    (project / "plancheck.toml").write_text('rulesets = ["city.yaml"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        prepare(RunOptions())
    source = project / "plancheck.toml"
    assert raised.value.message == Text(f"{source}: rulesets: ルールセットを読めません: ルールセットが壊れています",
                                        f"{source}: rulesets: the ruleset is broken")
