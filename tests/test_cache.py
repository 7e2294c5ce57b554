"""The cache: a warm run reads nothing it has seen, gives the same report, follows a change
anywhere in the plan set (cross-document findings included), ignores entries it did not
write, and two runs can share it."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker import loader
from checker.cli import main
from checker.rules import load_ruleset
from tests.test_cli import BAD_TOTAL, GOOD


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.delenv("PLANCHECK_CACHE_DIR", raising=False)
    monkeypatch.setenv("GITHUB_ACTIONS", "")
    pair = load_ruleset("recommended").rules["XDOC001"].docs["bad"]
    (tmp_path / "plans").mkdir()
    for name, text in pair.items():
        (tmp_path / "plans" / name).write_text(text, encoding="utf-8")
    (tmp_path / "plans" / "bad.yaml").write_text(BAD_TOTAL, encoding="utf-8")
    (tmp_path / "plans" / "good.yaml").write_text(GOOD, encoding="utf-8")
    return tmp_path


def _run(monkeypatch, *args: str) -> tuple[int, str, list[str]]:
    """plancheck in this process; the names of the files it had to load (parse)."""
    loads: list[str] = []
    real = loader.load_bytes

    def counting(loaded, raw, *limits_and_budget):
        loads.append(loaded.name)
        return real(loaded, raw, *limits_and_budget)

    monkeypatch.setattr(loader, "load_bytes", counting)
    result = CliRunner().invoke(main, ["--format", "concise", "--lang", "en", *args])
    return result.exit_code, result.output, sorted(loads)


def test_a_warm_run_loads_nothing_and_reports_the_same(project, monkeypatch):
    cold = _run(monkeypatch)
    assert cold[2] == ["plans/bad.yaml", "plans/execution-plan.yaml", "plans/good.yaml", "plans/strategy.yaml"]
    warm = _run(monkeypatch)
    assert warm[:2] == cold[:2] and warm[2] == []
    assert "TOT001" in warm[1] and "XDOC001" in warm[1]
    uncached = _run(monkeypatch, "--no-cache")
    assert uncached[:2] == cold[:2] and len(uncached[2]) == 4


def test_a_change_is_followed_across_documents(project, monkeypatch):
    _run(monkeypatch, "plans/strategy.yaml")
    # the execution plan (context for the strategy) changes its baseline to the strategy's 70
    plan = project / "plans" / "execution-plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("value: 72", "value: 70"), encoding="utf-8")
    code, output, loads = _run(monkeypatch, "plans/strategy.yaml")
    assert "XDOC001" not in output and code == 0
    assert loads == ["plans/execution-plan.yaml"]  # only the changed file is parsed again


def test_the_ruleset_and_configuration_are_part_of_the_key(project, monkeypatch):
    _run(monkeypatch)
    _code, output, _ = _run(monkeypatch, "--select", "XDOC")
    assert "TOT001" not in output and "XDOC001" in output
    (project / "plancheck.toml").write_text('[per-file-ignores]\n"plans/bad.yaml" = ["TOT"]\n', encoding="utf-8")
    _code, output, loads = _run(monkeypatch)
    assert "TOT001" not in output and loads == []  # same files, new run: from the file cache


def test_entries_it_did_not_write_are_ignored_and_never_unpickled(project, monkeypatch):
    _run(monkeypatch)
    cache = project / ".plancheck_cache"
    marker = project / "pwned"

    class Planted:
        def __reduce__(self):
            return (Path.touch, (marker,))

    entries = [path for path in cache.rglob("*")
               if path.is_file() and path.parent.parent.name in ("file", "run", "ruleset")]
    assert {entry.parent.parent.name for entry in entries} == {"file", "run", "ruleset"}
    for number, entry in enumerate(entries):  # a valid pickle under a forged signature, or garbage
        entry.write_bytes(b"\0" * 32 + pickle.dumps(Planted()) if number % 2 == 0 else b"garbage")
    _code, output, loads = _run(monkeypatch)
    assert not marker.exists()
    assert "TOT001" in output and len(loads) == 4  # every entry was a miss


def test_a_ruleset_is_parsed_once_and_again_when_it_changes(project, monkeypatch):
    from checker import rules

    parsed: list[str] = []
    real = rules._parse_yaml

    def parse_counted(path, raw):
        parsed.append(path.name)
        return real(path, raw)

    monkeypatch.setattr(rules, "_parse_yaml", parse_counted)
    mine = project / "mine.yaml"
    mine.write_text("extends: recommended\nrules:\n  TOT001:\n    message: {ja: 合計が違う, en: the total is off}\n",
                    encoding="utf-8")
    _, output, _ = _run(monkeypatch, "--rules", "mine.yaml")
    assert "TOT001 [error] the total is off" in output
    assert sorted(parsed) == ["mine.yaml", "recommended.yaml"]
    _, output, _ = _run(monkeypatch, "--rules", "mine.yaml")
    assert "TOT001 [error] the total is off" in output and len(parsed) == 2  # both from the cache
    mine.write_text(mine.read_text(encoding="utf-8").replace("the total is off", "recount"), encoding="utf-8")
    _, output, _ = _run(monkeypatch, "--rules", "mine.yaml")
    assert "TOT001 [error] recount" in output and parsed[2:] == ["mine.yaml"]


def test_the_cache_directory_is_kept_out_of_version_control(project, monkeypatch):
    _run(monkeypatch)
    cache = project / ".plancheck_cache"
    assert (cache / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert (cache / "CACHEDIR.TAG").read_text(encoding="utf-8").startswith("Signature: 8a477f597d28d172789f06886806bc55")


@pytest.mark.slow
def test_two_runs_sharing_the_cache_agree_with_an_uncached_run(project):
    environment = {**os.environ, "NO_COLOR": "1", "GITHUB_ACTIONS": "", "XDG_CACHE_HOME": str(project / "user-cache")}
    command = [sys.executable, "-m", "checker", "--format", "concise", "--lang", "en"]
    expected = subprocess.run([*command, "--no-cache"], cwd=project, capture_output=True, text=True,
                              env=environment).stdout
    for _ in range(4):
        processes = [subprocess.Popen(command, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True, env=environment) for _ in range(2)]
        outputs = [process.communicate(timeout=60) for process in processes]
        assert [stdout for stdout, _ in outputs] == [expected, expected], outputs
        assert not [path for path in (project / ".plancheck_cache").rglob(".tmp-*")]


@pytest.mark.slow
def test_parsing_in_worker_processes_gives_the_same_report(tmp_path, monkeypatch):
    from bench.corpus import generate
    from checker import run

    monkeypatch.chdir(tmp_path)
    generate(tmp_path / "plans", files=220, seed=3)
    assert run.PARALLEL_MIN_FILES < 220
    parallel = CliRunner().invoke(main, ["--no-cache", "--format", "json", "--exit-zero"])
    monkeypatch.setattr(run, "PARALLEL_MIN_FILES", 10**9)
    serial = CliRunner().invoke(main, ["--no-cache", "--format", "json", "--exit-zero"])
    assert parallel.exit_code == serial.exit_code == 0
    assert parallel.output == serial.output and '"code": "TOT' in serial.output


@pytest.mark.slow
def test_a_warm_run_never_loads_the_plan_model(project):
    """What makes a warm run a fraction of a cold one: the report comes from the cache, and
    pydantic (a third of start-up) is never imported."""
    environment = {**os.environ, "NO_COLOR": "1", "GITHUB_ACTIONS": "", "XDG_CACHE_HOME": str(project / "user-cache")}
    probe = ("import atexit, runpy, sys; sys.argv = ['plancheck', '--format', 'concise'];"
             "atexit.register(lambda: print('model loaded:', 'pydantic' in sys.modules, file=sys.stderr));"
             "runpy.run_module('checker', run_name='__main__')")
    cold = subprocess.run([sys.executable, "-c", probe], cwd=project, capture_output=True, text=True, env=environment)
    warm = subprocess.run([sys.executable, "-c", probe], cwd=project, capture_output=True, text=True, env=environment)
    assert "model loaded: True" in cold.stderr and "TOT001" in cold.stdout
    assert "model loaded: False" in warm.stderr and warm.stdout == cold.stdout
