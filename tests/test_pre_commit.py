"""The real hook: `pre-commit run` installs plancheck from a snapshot of this working tree
into its own environment, as a user's pre-commit does, and runs it in a temporary git
repository holding a good plan, a bad plan and a pair of documents that restate each
other."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checker import daemon, launch
from checker.rules import load_ruleset
from tests.conftest import ROOT
from tests.test_cli import BAD_TOTAL, GOOD

GIT = shutil.which("git")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(GIT is None, reason="pre-commit needs git")]


def git(*args: str, cwd: Path) -> str:
    return subprocess.run([GIT, "-c", "user.name=plancheck", "-c", "user.email=plancheck@example.invalid",  # type: ignore[list-item]  # skipped without git
                           "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
                          cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def snapshot_of_this_tree(destination: Path) -> str:
    """This working tree (committed or not, without ignored files) as a commit of a new
    repository: try-repo on the working tree itself would leave out new, unstaged files."""
    listed = git("ls-files", "--cached", "--others", "--exclude-standard", "-z", cwd=ROOT)
    for relative in filter(None, listed.split("\0")):
        source = ROOT / relative
        if source.is_file():
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git("init", "-q", cwd=destination)
    git("add", "-A", cwd=destination)
    git("commit", "-q", "-m", "snapshot", cwd=destination)
    return git("rev-parse", "HEAD", cwd=destination)


def pre_commit_in(user: Path, hook_repo: Path, revision: str, home: Path):
    """The user's repository, committed with a .pre-commit-config.yaml naming the hook at
    `revision`, and a function running `pre-commit run ARGS` in it. As a user's pre-commit
    does, the hook's environment is installed once into `home` and reused by every run
    (`try-repo` would install it again in a new store for each run: 8 s apiece)."""
    config = f"repos:\n  - repo: {json.dumps(str(hook_repo))}\n    rev: {revision}\n    hooks:\n      - id: plancheck\n"
    (user / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    git("init", "-q", cwd=user)
    git("add", "-A", cwd=user)
    git("commit", "-q", "-m", "plans", cwd=user)
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1", "GITHUB_ACTIONS": "", "PLANCHECK_LANG": "en"}
    env.pop("VIRTUAL_ENV", None)

    def run(*args: str, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pre_commit", "run", "plancheck", *args], cwd=user,
                              capture_output=True, text=True, env={**env, **(extra or {})}, timeout=900)
    return run


@pytest.fixture(scope="module")
def hook_source(tmp_path_factory):
    """The hook's repository and revision, and one pre-commit home for both user
    repositories: the environment is installed once for the module."""
    hook_repo = tmp_path_factory.mktemp("hook-repo")
    return hook_repo, snapshot_of_this_tree(hook_repo), tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="module")
def hook(tmp_path_factory, hook_source):
    user = tmp_path_factory.mktemp("user-repo")
    files = {"plans/good.yaml": GOOD, "plans/bad.yaml": BAD_TOTAL, "notes/not-a-plan.yaml": "just: notes\n"}
    for name, text in load_ruleset("recommended").rules["XDOC001"].docs["bad"].items():
        files[f"plans/pair/{name}"] = text
    for relative, text in files.items():
        path = user / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return pre_commit_in(user, *hook_source)


def test_a_good_plan_passes(hook):
    result = hook("--files", "plans/good.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "plancheck" in result.stdout and "Passed" in result.stdout


def test_a_bad_plan_fails_with_the_finding_at_its_value(hook):
    result = hook("--files", "plans/good.yaml", "plans/bad.yaml")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Failed" in result.stdout
    assert "error[TOT001]" in result.stdout and "plans/bad.yaml:10:14" in result.stdout
    assert "plans/good.yaml" not in result.stdout.split("Failed", 1)[1]


@pytest.mark.skipif(not launch.supported(), reason="the resident process needs Linux (fork, SO_PEERCRED)")
def test_with_daemon_auto_the_hooks_environment_gets_a_resident_process(hook, tmp_path):
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    extra = {"PLANCHECK_DAEMON": "auto", "XDG_RUNTIME_DIR": str(runtime)}
    first = hook("--files", "plans/good.yaml", "plans/bad.yaml", extra=extra)
    assert first.returncode == 1 and "error[TOT001]" in first.stdout, first.stdout + first.stderr
    deadline = time.monotonic() + 60
    while not (sockets := list((runtime / "plancheck").glob("*.sock")) if (runtime / "plancheck").is_dir() else []):
        assert time.monotonic() < deadline, "the hook's run started no resident process"
        time.sleep(0.1)
    (socket_path,) = sockets  # the installation in pre-commit's environment has its own

    try:
        second = hook("--files", "plans/good.yaml", "plans/bad.yaml", extra=extra)
        # the hook's output (pre-commit's own [INFO] lines, when it installed the environment, before it)
        assert (second.returncode, _hook_output(second.stdout)) == (first.returncode, _hook_output(first.stdout))
        found = daemon.ask("status", str(socket_path))
        assert found is not None and found["served"] == 1  # the second run was the resident process's
    finally:
        daemon.ask("stop", str(socket_path))


def _hook_output(stdout: str) -> str:
    return "".join(line for line in stdout.splitlines(keepends=True) if not line.startswith("[INFO]"))


def test_a_changed_file_is_checked_against_the_documents_that_did_not_change(hook):
    # only the strategy changed; the execution plan it restates is read as context
    result = hook("--verbose", "--files", "plans/pair/strategy.yaml")
    assert result.returncode == 0, result.stdout + result.stderr  # XDOC001 is a warning
    assert "warning[XDOC001]" in result.stdout and "plans/pair/execution-plan.yaml states 72" in result.stdout
    assert "TOT001" not in result.stdout  # plans/bad.yaml is context, not reported


def test_all_files_reports_the_plans_and_skips_other_yaml(hook):
    result = hook("--all-files", "--verbose")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "plans/bad.yaml:10:14" in result.stdout
    assert "not-a-plan" not in result.stdout


# --- a repository whose plans are not under plans/ -------------------------------------------

@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory, hook_source):
    """A city's repository with its plans in documents/ (its plancheck.toml says so), a
    GitHub workflow, and a plan-shaped test fixture outside the plan set."""
    user = tmp_path_factory.mktemp("city-repo")
    files = {"plancheck.toml": 'plans = "documents"\n', "documents/good.yaml": GOOD, "documents/bad.yaml": BAD_TOTAL,
             "fixtures/bad-on-purpose.yaml": BAD_TOTAL,
             ".github/workflows/ci.yml": "name: ci\non: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n"}
    for relative, text in files.items():
        path = user / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return pre_commit_in(user, *hook_source)


def test_plans_outside_plans_are_checked_never_skipped(elsewhere):
    # one changed plan (pass_filenames: just that file): checked, with the plan set as context
    result = elsewhere("--files", "documents/bad.yaml")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Skipped" not in result.stdout and "Failed" in result.stdout
    assert "documents/bad.yaml:10:14" in result.stdout and "TOT001" in result.stdout
    # one changed file that is not a plan, or a plan-shaped file outside the plan set: passed, quietly
    for other in (".github/workflows/ci.yml", "fixtures/bad-on-purpose.yaml"):
        result = elsewhere("--files", other)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Passed" in result.stdout and "TOT001" not in result.stdout and "LOAD" not in result.stdout


def test_all_files_reports_the_plan_set_only(elsewhere):
    result = elsewhere("--all-files", "--verbose")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "documents/bad.yaml:10:14" in result.stdout
    assert "fixtures/" not in result.stdout and "ci.yml" not in result.stdout and "LOAD" not in result.stdout
