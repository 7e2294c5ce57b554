"""Discovery and settings as a user of plancheck in their own repository meets them: a
git repository with a GitHub workflow, a .pre-commit-config.yaml, a .gitignore'd draft, a
configuration in a parent directory that is not the repository's; --show-settings,
--show-files, --exclude, `plans` as a string, an empty target; and the baseline."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.config import ConfigError
from checker.discovery import discover, looks_like_plan
from checker.run import RunOptions, prepare, run
from tests.test_cli import BAD_TOTAL, GOOD

GIT = shutil.which("git") or "git"
WORKFLOW = "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: plancheck\n"


@pytest.fixture
def repository(tmp_path, monkeypatch):
    """tmp/outer/pyproject.toml (a stray configuration above the repository) and the
    repository tmp/outer/city with its plans, a workflow and a .gitignore'd draft."""
    outer = tmp_path / "outer"
    city = outer / "city"
    for relative, text in {
        "plans/good.yaml": GOOD, "plans/bad.yaml": BAD_TOTAL, "drafts/bad.yaml": BAD_TOTAL,
        "plans/scratch/ignored.yaml": BAD_TOTAL,
        ".github/workflows/ci.yml": WORKFLOW, ".pre-commit-config.yaml": "repos: []\n",
        ".gitignore": "drafts/\n# a scratch directory in plans\nplans/scratch/\n",
    }.items():
        path = city / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (city / ".git").mkdir()  # what makes it a repository, for plancheck (git init in the hook's test)
    (outer / "pyproject.toml").write_text('[tool.plancheck]\nplans = ["elsewhere"]\nfail-level = "info"\n',
                                          encoding="utf-8")
    monkeypatch.chdir(city)
    monkeypatch.setenv("PLANCHECK_LANG", "en")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("GITHUB_ACTIONS", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.delenv("PLANCHECK_CACHE_DIR", raising=False)
    return city


def cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_a_parent_configuration_outside_the_repository_is_not_used(repository):
    settings = prepare(RunOptions(no_cache=True)).settings
    assert settings.source is None and settings.plans == ("plans",) and settings.fail_level == "error"
    result = run(RunOptions(no_cache=True))
    assert sorted(result.checked) == ["plans/bad.yaml", "plans/good.yaml"]  # not "elsewhere", not the scratch
    # without the repository, the same directory finds the parent's (as before)
    shutil.rmtree(repository / ".git")
    assert prepare(RunOptions(no_cache=True)).settings.plans == ("elsewhere",)


def test_dot_checks_the_plans_skips_what_is_not_a_plan_and_what_git_ignores(repository):
    result = run(RunOptions(paths=(".",), no_cache=True))
    assert sorted(result.checked) == ["plans/bad.yaml", "plans/good.yaml"]
    assert [d.code for d in result.diagnostics] == ["TOT001"]
    skipped = {(str(skip.path), skip.kind) for skip in result.skipped}
    assert {("drafts", "gitignored"), ("plans/scratch", "gitignored"), (".git", "excluded"),
            (".pre-commit-config.yaml", "not_a_plan"), (".github/workflows/ci.yml", "not_a_plan")} <= skipped
    assert [note.en for note in result.notes if "not plans" in note.en] == [
        "skipped 2 YAML file(s) that are not plans (no top-level plan:); --show-files lists them"]
    # a file named on the command line is checked: it is not a plan, and says so
    named = run(RunOptions(paths=(".github/workflows/ci.yml",), no_cache=True))
    assert named.checked == [".github/workflows/ci.yml"]
    assert "LOAD005" in {d.code for d in named.diagnostics}  # unknown fields: name, on, jobs
    # so is a .gitignore'd one, unless --force-exclude (pre-commit)
    assert run(RunOptions(paths=("drafts/bad.yaml",), no_cache=True)).checked == ["drafts/bad.yaml"]
    assert run(RunOptions(paths=("drafts/bad.yaml",), force_exclude=True, no_cache=True)).checked == []
    # and --no-respect-gitignore searches the ignored directories too
    unignored = run(RunOptions(paths=(".",), respect_gitignore=False, no_cache=True))
    assert sorted(unignored.checked) == ["drafts/bad.yaml", "plans/bad.yaml", "plans/good.yaml",
                                         "plans/scratch/ignored.yaml"]


def test_gitignore_negation_nested_files_and_info_exclude(repository):
    (repository / "plans" / ".gitignore").write_text("*.yaml\n!good.yaml\n", encoding="utf-8")
    (repository / ".git" / "info").mkdir()
    (repository / ".git" / "info" / "exclude").write_text("plans/good.yaml\n", encoding="utf-8")
    result = run(RunOptions(paths=(".",), no_cache=True))
    # plans/.gitignore ignores bad.yaml and re-includes good.yaml over info/exclude (a deeper file wins)
    assert result.checked == ["plans/good.yaml"]
    reasons = {str(skip.path): skip.reason.en for skip in result.skipped}
    assert reasons["plans/bad.yaml"] == "ignored by git (plans/.gitignore:1: *.yaml)"


def test_a_gitignore_that_is_a_link_is_not_read(repository, tmp_path):
    outside = tmp_path / "elsewhere.gitignore"
    outside.write_text("plans/\n", encoding="utf-8")
    (repository / ".gitignore").unlink()
    (repository / ".gitignore").symlink_to(outside)
    assert sorted(run(RunOptions(paths=(".",), no_cache=True)).checked) == [
        "drafts/bad.yaml", "plans/bad.yaml", "plans/good.yaml", "plans/scratch/ignored.yaml"]


def test_exclude_and_extend_exclude_on_the_command_line(repository):
    result = run(RunOptions(paths=(".",), extend_exclude=("bad.yaml",), no_cache=True))
    assert result.checked == ["plans/good.yaml"]
    assert {skip.reason.en for skip in result.skipped if str(skip.path) == "plans/bad.yaml"} == {
        "excluded (--extend-exclude: bad.yaml)"}
    # --exclude replaces the configuration's (the defaults): .git/ is searched again, and holds no plan
    replaced = run(RunOptions(paths=(".",), exclude=("plans/good.yaml",), no_cache=True))
    assert replaced.checked == ["plans/bad.yaml"]
    assert not any(str(skip.path) == ".git" for skip in replaced.skipped)
    via_cli = cli("--format", "concise", "--exclude", "plans/bad.yaml,drafts/", ".")
    assert via_cli.exit_code == 0 and "TOT001" not in via_cli.stdout


def test_plans_as_a_string_and_the_configuration_found_in_the_repository(repository):
    (repository / "documents").mkdir()
    (repository / "documents" / "bad.yaml").write_text(BAD_TOTAL, encoding="utf-8")
    (repository / "plancheck.toml").write_text('plans = "documents"\n', encoding="utf-8")
    settings = prepare(RunOptions(no_cache=True)).settings
    assert settings.plans == ("documents",) and settings.source == repository / "plancheck.toml"
    assert run(RunOptions(no_cache=True)).checked == ["documents/bad.yaml"]
    (repository / "plancheck.toml").write_text("plans = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="plans: must be a string or a list of strings, not 3"):
        prepare(RunOptions(no_cache=True))


def test_show_settings_names_the_configuration_and_every_resolved_option(repository):
    (repository / "pyproject.toml").write_text(
        '[tool.plancheck]\nplans = "plans"\nextend-exclude = ["drafts/"]\nignore = ["UNIT003"]\n', encoding="utf-8")
    result = cli("--show-settings", "--fail-level", "warning", "--extend-exclude", "tmp/")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"# configuration file: {repository / 'pyproject.toml'} [tool.plancheck]"
    assert lines[2] == f"# repository (a configuration is looked for up to here): {repository}"
    assert 'plans = ["plans"]' in lines and 'fail-level = "warning"' in lines
    assert 'extend-exclude = ["drafts/", "tmp/"]' in lines and "respect-gitignore = true" in lines
    assert any(line.startswith("# selection (") and 'ignore = ["UNIT003"]' in line for line in lines)
    as_json = json.loads(cli("--show-settings", "--format", "json").stdout)
    assert as_json["configuration"] == str(repository / "pyproject.toml")
    assert as_json["settings"]["plans"] == ["plans"] and as_json["settings"]["limits"]["nodes"] == 200000


def test_show_files_lists_what_would_be_checked_and_what_is_skipped(repository):
    result = cli("--show-files", ".")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["plans/bad.yaml", "plans/good.yaml"]  # nothing was checked
    assert "plancheck: skipped: drafts/: ignored by git (.gitignore:1: drafts/)" in result.stderr
    assert "plancheck: skipped: .github/workflows/ci.yml: not a plan (no top-level plan:)" in result.stderr
    one = cli("--show-files", "plans/bad.yaml")
    assert one.stdout == "plans/bad.yaml\n" and "1 file(s) of the plan set read as context" in one.stderr


def test_an_empty_target_is_a_warning_and_exit_0(repository):
    (repository / "empty").mkdir()
    (repository / "empty" / "workflow.yaml").write_text(WORKFLOW, encoding="utf-8")
    result = cli("empty")
    assert result.exit_code == 0
    assert "plancheck: warning: no plan files (*.yaml, *.yml with a top-level plan:) under empty" in result.stderr
    assert cli("missing").exit_code == 2  # a path that is not there is still an error


def test_is_a_plan_is_decided_from_the_bytes(tmp_path):
    cases = {
        "plan: {id: x}\n": True, "\ufeff# header\n---\nplan:\n  id: x\n": True, "themes: []\nplan: {}\n": True,
        '{"plan": {"id": "x"}}': True, "  plan:\n    id: x\n": True, "'plan' : {}\n": True,
        "name: ci\non: push\n": False, "repos: []\n": False, "rules: {}\nextends: recommended\n": False,
        "- plan: x\n": False, "": False, "# only a comment\n": False, "x:\n  plan: {}\n": False,
        '{"name": {"plan": 1}}': True,  # a flow mapping is not parsed: checked, and the loader says what is wrong
    }
    for index, (text, expected) in enumerate(cases.items()):
        path = tmp_path / f"{index}.yaml"
        path.write_text(text, encoding="utf-8")
        assert looks_like_plan(path, 10**7) is expected, text
    utf16 = tmp_path / "utf16.yaml"
    utf16.write_bytes("plan: {}\n".encode("utf-16"))
    assert looks_like_plan(utf16, 10**7)  # the loader names its encoding (LOAD002)
    shift_jis = tmp_path / "sjis.yaml"
    shift_jis.write_bytes("plan: {title: 小平市}\n".encode("cp932"))
    assert looks_like_plan(shift_jis, 10**7)


# --- the baseline ---------------------------------------------------------------------------

def test_baseline_round_trip(repository):
    (repository / "plans" / "second.yaml").write_text(BAD_TOTAL.replace("id: x", "id: y"), encoding="utf-8")
    written = cli("--write-baseline", "baseline.json")
    assert written.exit_code == 0 and written.stdout == ""
    assert "recorded 2 finding(s) in the baseline baseline.json" in written.stderr
    entries = json.loads((repository / "baseline.json").read_text(encoding="utf-8"))["findings"]
    assert [(e["code"], e["file"], e["at"], e["args"]["stated"]) for e in entries] == [
        ("TOT001", "plans/bad.yaml", "themes[id=a].projects.total", "4870"),
        ("TOT001", "plans/second.yaml", "themes[id=a].projects.total", "4870")]
    # nothing new: exit 0, and the run says how many it did not report
    clean = cli("--baseline", "baseline.json", "--format", "concise")
    assert clean.exit_code == 0 and clean.stdout == ""
    assert "2 finding(s) listed in the baseline baseline.json not reported" in clean.stderr
    # lines shift (a comment on top): still the same findings
    bad = repository / "plans" / "bad.yaml"
    bad.write_text("# 出典: 令和4年度 施策評価シート\n# (checked by hand)\n" + bad.read_text(encoding="utf-8"),
                   encoding="utf-8")
    assert cli("--baseline", "baseline.json", "--format", "concise").stdout == ""
    # a theme inserted above it: its index moves, its id does not
    text = bad.read_text(encoding="utf-8")
    bad.write_text(text.replace("themes:\n", "themes:\n  - {id: new, title: 新しいテーマ}\n"), encoding="utf-8")
    assert cli("--format", "concise", "plans/bad.yaml").stdout.startswith("plans/bad.yaml:13:14: TOT001")
    assert cli("--baseline", "baseline.json", "--format", "concise").stdout == ""
    # a new finding is reported, and the entry its number no longer matches is stale
    second = repository / "plans" / "second.yaml"
    second.write_text(second.read_text(encoding="utf-8").replace("cost: 19}", "cost: 18}"), encoding="utf-8")
    changed = cli("--baseline", "baseline.json", "--format", "concise")
    assert changed.exit_code == 1
    assert changed.stdout.splitlines() == [
        ("baseline.json:5:5: SUP004 [warning] the baseline's entry for TOT001 in plans/second.yaml "
        "(themes[id=a].projects.total) matches no finding any more"),
        ("plans/second.yaml:10:14: TOT001 [error] total 4,870 千円 differs from the sum of its 2 items, 3,869 千円 "
        "(difference 1,001, more than the ±1 rounding can explain)")]
    # an entry of a file this run did not check is not judged
    assert cli("--baseline", "baseline.json", "--format", "concise", "plans/bad.yaml").stdout == ""
    # and one of a file that is gone is stale
    bad.unlink()
    gone = cli("--baseline", "baseline.json", "--format", "concise")
    assert "baseline.json:4:5: SUP004" in gone.stdout and "plans/bad.yaml" in gone.stdout


def test_a_broken_baseline_is_a_clear_error_with_its_location(repository):
    path = repository / "baseline.json"
    cases = {
        '{"plancheck-baseline": 1, "findings": [\n  {"code": "TOT001", "file": "a.yaml", "at": "x"}\n]}\n':
            "baseline.json:2:3: baseline: args is missing",
        '{"plancheck-baseline": 1, "findings": [\n  {"code": "tot1", "file": "a.yaml", "at": "x", "args": {}}\n]}\n':
            "baseline.json:2:12: baseline: 'tot1' is not a rule code",
        '{"plancheck-baseline": 2, "findings": []}': "baseline.json:1:24: baseline: this plancheck reads version 1, not 2",
        '{"findings": []}': "baseline.json:1:1: baseline: not a baseline",
        '{"plancheck-baseline": 1, "findings": [\n  {"code": "TOT001", "extra": 1}]}':
            "baseline.json:2:22: baseline: unknown field 'extra'",
        '{"plancheck-baseline": 1, "findings": [': "baseline.json:2:1: baseline: not valid JSON",
        '{"plancheck-baseline": 1, "findings": !!python/object/apply:os.system ["true"]}':
            "baseline.json:1:39: baseline: tags are not allowed",
        '{"plancheck-baseline": 1, "plancheck-baseline": 1}': "baseline.json:1:27: baseline: duplicate key",
    }
    for text, expected in cases.items():
        path.write_text(text, encoding="utf-8")
        result = cli("--baseline", "baseline.json")
        assert result.exit_code == 2, (text, result.output)
        assert f"plancheck: configuration error: {expected}" in result.stderr, (text, result.stderr)
    path.write_bytes(b"\xff" * 10)
    assert "baseline: not UTF-8" in cli("--baseline", "baseline.json").stderr
    path.unlink()
    assert "baseline.json: baseline: cannot read it" in cli("--baseline", "baseline.json").stderr


def test_write_baseline_is_not_combined_with_fix(repository):
    result = cli("--write-baseline", "b.json", "--fix")
    assert result.exit_code == 2 and "cannot be combined with --fix" in result.stderr
    assert not (repository / "b.json").exists()


@pytest.mark.skipif(GIT is None, reason="needs git")
def test_a_real_git_repository_and_a_worktree(tmp_path, monkeypatch):
    """`.git` as git makes it, and a worktree's `.git` file, whose info/exclude is shared."""
    main_repo = tmp_path / "main"
    (main_repo / "plans").mkdir(parents=True)
    (main_repo / "plans" / "good.yaml").write_text(GOOD, encoding="utf-8")
    (main_repo / "plans" / "local.yaml").write_text(GOOD, encoding="utf-8")

    def git(*args, cwd=main_repo):
        subprocess.run([GIT, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false",
                        *args], cwd=cwd, check=True, capture_output=True)
    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "plans")
    (main_repo / ".git" / "info").mkdir(exist_ok=True)
    (main_repo / ".git" / "info" / "exclude").write_text("local.yaml\n", encoding="utf-8")
    git("worktree", "add", "-q", str(tmp_path / "wt"))
    (tmp_path / "wt" / "plans" / "local.yaml").write_text(GOOD, encoding="utf-8")
    for where in (main_repo, tmp_path / "wt"):
        monkeypatch.chdir(where)
        assert run(RunOptions(no_cache=True)).checked == ["plans/good.yaml"], where


def test_a_gitignore_made_to_backtrack_costs_linear_time(repository):
    """A .gitignore is the repository's data: a pattern that makes a backtracking matcher
    (pathspec's regular expressions) take seconds per path is matched in linear time."""
    import time

    (repository / ".gitignore").write_text("*a*a*a*a*a*a*a*a*a*a*b\n" * 50, encoding="utf-8")
    name = "a" * 200 + ".yaml"
    (repository / "plans" / name).write_text(GOOD, encoding="utf-8")
    settings = prepare(RunOptions(no_cache=True)).settings
    start = time.monotonic()
    found = discover(["plans"], settings)
    assert time.monotonic() - start < 2  # 0.04 s on the project machine; pathspec: seconds per pattern
    assert Path("plans", name) in found.checked


def test_a_full_run_walks_the_plan_set_once_and_a_run_of_one_file_walks_it_for_context(repository, monkeypatch):
    """`plancheck plans` finds every file of the plan set in the walk of what it was given;
    walking the plan set again for context would only find them again. A run of one file
    of it still walks it, for the context."""
    from checker import discovery
    from checker.run import resolve

    settings = resolve(RunOptions(paths=("plans",), no_cache=True))
    walked: list[str] = []
    real = discovery._Walker._walk

    def walk(self, top):
        walked.append(str(top))
        return real(self, top)

    monkeypatch.setattr(discovery._Walker, "_walk", walk)
    found = discovery.discover(["plans"], settings)
    assert (sorted(map(str, found.checked)), found.context, walked) == (["plans/bad.yaml", "plans/good.yaml"], [],
                                                                        ["plans"])
    walked.clear()
    one = discovery.discover(["plans/good.yaml"], settings)
    assert ([str(path) for path in one.checked], [path.name for path in one.context]) == (["plans/good.yaml"],
                                                                                           ["bad.yaml"])
    assert walked == [str(repository / "plans")]


def test_path_order_sorts_as_path_does():
    """The walk and the run sort by `path_order`, a string, where they sorted Paths: the
    order cross-document rules meet a plan set in must not move (`a/b` before `a-b`)."""
    import random
    from pathlib import PurePosixPath

    from checker.discovery import path_order

    names = ["a", "a-b", "a.b", "a b", "ab", "A", "b", "é", "a\x01", "日本", "a.yaml"]
    chosen = random.Random(20)
    for _ in range(500):
        paths = ["/" + "/".join(chosen.choice(names) for _ in range(chosen.randint(1, 4))) for _ in range(20)]
        assert sorted(paths, key=path_order) == [str(path) for path in sorted(map(PurePosixPath, paths))], paths
    assert sorted(["/p/a-b/x.yaml", "/p/a/x.yaml"], key=path_order) == ["/p/a/x.yaml", "/p/a-b/x.yaml"]
