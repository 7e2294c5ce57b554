"""Processes and signals: SIGINT and SIGTERM stop the worker processes too and exit 130 and
143 with a message; a worker that dies loses no file; running out of memory on one file
reports that file and still reports the others."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid`, from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue  # ended while listed
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return found


def _alive(pids: list[int]) -> list[int]:
    """Those of `pids` that still exist and are not zombies waiting for their parent."""
    alive = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.append(pid)
    return alive


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from bench.corpus import generate

    project = tmp_path_factory.mktemp("corpus")
    generate(project / "plans", files=300, seed=5)
    return project


def _environment(project: Path) -> dict[str, str]:
    return {**os.environ, "NO_COLOR": "1", "GITHUB_ACTIONS": "", "PLANCHECK_LANG": "en",
            "XDG_CACHE_HOME": str(project / "user-cache"), "PYTHONPATH": str(ROOT)}


@pytest.mark.slow
@pytest.mark.parametrize(("signum", "code", "said"), [
    (signal.SIGINT, 130, "plancheck: interrupted (SIGINT): the check did not finish"),
    (signal.SIGTERM, 143, "plancheck: stopped by SIGTERM: the check did not finish"),
], ids=["SIGINT", "SIGTERM"])
def test_a_signal_mid_run_stops_the_workers_and_exits_with_a_message(corpus, signum, code, said):
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "checker", "--no-cache"], cwd=corpus, env=_environment(corpus),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    workers: list[int] = []
    try:
        while not workers and process.poll() is None and time.monotonic() - started < 60:
            workers = _children(process.pid)
            time.sleep(0.01)
        assert workers, "the run never started its worker processes"
        process.send_signal(signum)
        assert process.wait(timeout=20) == code, process.stderr.read().decode() if process.stderr else ""
        # the pipe reaches its end as soon as the run is gone: no worker holds it open
        assert process.stdout is not None and process.stderr is not None
        ready, _, _ = select.select([process.stdout], [], [], 10)
        assert ready, f"the output pipe is still open, held by {_alive(workers)} (workers {workers})"
        assert process.stdout.read() == b""
        stderr = process.stderr.read().decode()
        assert stderr.strip().splitlines()[-1] == said, stderr
        assert "Traceback" not in stderr
        assert _alive(workers) == [] and _children(process.pid) == []
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for pid in _alive(workers):  # the run's own workers, by id, should a test fail
            os.kill(pid, signal.SIGKILL)


# --- a worker that dies, a file that runs out of memory ---------------------------------

def _project(root: Path) -> Path:
    """Eight plans: four with a total that leaves out an item (TOT001), four clean, and
    `victim.yaml`, which has the same wrong total (so a check of it is seen)."""
    from tests.test_cli import BAD_TOTAL, GOOD

    (root / "plans").mkdir()
    for number in range(4):
        (root / "plans" / f"bad-{number}.yaml").write_text(BAD_TOTAL, encoding="utf-8")
        (root / "plans" / f"good-{number}.yaml").write_text(GOOD, encoding="utf-8")
    (root / "plans" / "victim.yaml").write_text(BAD_TOTAL, encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(_project(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.delenv("PLANCHECK_CACHE_DIR", raising=False)
    monkeypatch.setenv("GITHUB_ACTIONS", "")
    return tmp_path


def _in_workers(monkeypatch) -> None:
    """Nine files in worker processes (two, whatever the machine has), one file per task."""
    from checker import run

    monkeypatch.setattr(run, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(run.os, "cpu_count", lambda: 2)


def _check(*args: str):
    from click.testing import CliRunner

    from checker.cli import main

    return CliRunner().invoke(main, ["--format", "concise", "--lang", "en", *args])


def _kill_the_worker_checking(monkeypatch, name: str, marker: Path | None = None) -> None:
    """Make the loader kill the process it runs in (SIGKILL, as the out-of-memory killer
    does) when it loads `name` in a worker: every time, or (with `marker`) only the first
    time. Forked workers inherit the patched loader."""
    from checker import loader

    real, parent = loader.load_bytes, os.getpid()

    def dying(loaded, raw, *rest):
        if loaded.name.endswith(name) and os.getpid() != parent and (marker is None or not marker.exists()):
            if marker is not None:
                marker.touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return real(loaded, raw, *rest)

    monkeypatch.setattr(loader, "load_bytes", dying)


def _findings(stdout: str) -> list[str]:
    """The concise report's lines up to the code: file:line:column: CODE."""
    return sorted(" ".join(line.split()[:2]) for line in stdout.splitlines() if line.startswith("plans/"))


def _serial_findings(monkeypatch) -> list[str]:
    from checker import run

    with monkeypatch.context() as serial:
        serial.setattr(run, "PARALLEL_MIN_FILES", 10**9)
        result = _check("--no-cache")
    assert result.exit_code == 1
    return _findings(result.stdout)


@pytest.mark.slow
def test_a_file_that_kills_its_worker_twice_is_reported_by_name_and_every_other_file_is_checked(project, monkeypatch):
    expected = _serial_findings(monkeypatch)
    assert "plans/victim.yaml:10:14: TOT001" in expected and len(expected) == 5
    before = set(_children(os.getpid()))
    _in_workers(monkeypatch)
    _kill_the_worker_checking(monkeypatch, "victim.yaml")
    result = _check("--no-cache")
    assert result.exit_code == 1, result.output
    assert _findings(result.stdout) == sorted(
        [line for line in expected if not line.startswith("plans/victim.yaml")] + ["plans/victim.yaml:1:1: LOAD017"])
    assert ("plans/victim.yaml:1:1: LOAD017 [error] this file could not be checked: the process checking it was killed, twice "
            "(SIGKILL, which the out-of-memory killer sends)") in result.stdout
    assert "plancheck: a worker process ended abruptly: the " in result.stderr
    assert "Traceback" not in result.output
    assert _alive([pid for pid in _children(os.getpid()) if pid not in before]) == []


def _kill_myself_on(items):
    """A task for `_check_alone`: the item "victim" kills its worker (SIGKILL); any other
    comes back as it went in."""
    if items[0][0] == "victim":
        os.kill(os.getpid(), signal.SIGKILL)
    return [items[0][0]]


def test_how_a_killed_worker_ended_is_read_even_when_the_pool_reaps_it_first(monkeypatch):
    """The pool's own thread and the caller both reaping the dead worker raced: the loser's
    waitpid found no child, and the file was reported as "ended abruptly" with no signal.
    Here the pool's thread always wins, slowly (it reaps, then waits before recording the
    exit code), the window the race needed widened until it cannot be missed."""
    import threading
    from multiprocessing import popen_fork

    from checker.engine import Engine
    from checker.loader import Limits
    from checker.rules import load_ruleset
    from checker.run import _check_alone

    real = popen_fork.Popen.poll

    def reaped_slowly_by_the_pool(self, flag=os.WNOHANG):
        if self.returncode is not None or os.getpid() != parent:
            return real(self, flag)
        if threading.current_thread() is threading.main_thread():
            time.sleep(0.2)  # the pool's thread is first to the dead child
            return real(self, flag)
        try:
            pid, status = os.waitpid(self.pid, flag)
        except ChildProcessError:
            return None
        if pid == self.pid:
            time.sleep(0.5)  # reaped, its exit code not yet recorded
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    parent = os.getpid()
    monkeypatch.setattr(popen_fork.Popen, "poll", reaped_slowly_by_the_pool)
    items = [("before", None), ("victim", None), ("after", None)]
    results = dict(_check_alone(items, Engine(load_ruleset("recommended")), Limits(), [0, 1, 2],
                                task=_kill_myself_on, dead=lambda engine, stub, reason: reason))
    assert results[0] == "before" and results[2] == "after"
    assert results[1].en == "the process checking it was killed, twice (SIGKILL, which the out-of-memory killer sends)"


@pytest.mark.slow
def test_a_worker_that_dies_once_loses_nothing(project, monkeypatch):
    expected = _serial_findings(monkeypatch)
    _in_workers(monkeypatch)
    _kill_the_worker_checking(monkeypatch, "victim.yaml", marker=project / "killed-once")
    result = _check("--no-cache")
    assert (project / "killed-once").exists()  # a worker did die
    assert result.exit_code == 1
    assert _findings(result.stdout) == expected  # victim.yaml's TOT001 too: checked again
    assert "the process checking it" not in result.stdout
    assert "checked again, one at a time" in result.stderr


@pytest.mark.slow
def test_a_file_that_could_not_be_checked_is_never_answered_from_the_cache(project, monkeypatch):
    _in_workers(monkeypatch)
    with monkeypatch.context() as killing:
        _kill_the_worker_checking(killing, "victim.yaml")
        assert "plans/victim.yaml:1:1: LOAD017" in _findings(_check().stdout)
    result = _check()  # the same files: the others from the cache, victim.yaml checked
    assert "plans/victim.yaml:10:14: TOT001" in _findings(result.stdout)
    assert "LOAD017" not in result.stdout


def _out_of_memory_on(monkeypatch, name: str) -> None:
    from checker import loader

    real = loader.load_bytes

    def exhausting(loaded, raw, *rest):
        if loaded.name.endswith(name):
            raise MemoryError
        return real(loaded, raw, *rest)

    monkeypatch.setattr(loader, "load_bytes", exhausting)


MEMORY = "plans/victim.yaml:1:1: LOAD017 [error] this file could not be checked: plancheck ran out of memory checking it (MemoryError)"


@pytest.mark.parametrize("in_workers", [False, pytest.param(True, marks=pytest.mark.slow)], ids=["serial", "workers"])
def test_running_out_of_memory_on_one_file_reports_it_and_the_others(project, monkeypatch, in_workers):
    expected = _serial_findings(monkeypatch)
    if in_workers:
        _in_workers(monkeypatch)
    _out_of_memory_on(monkeypatch, "victim.yaml")
    result = _check("--no-cache")
    assert result.exit_code == 1
    assert _findings(result.stdout) == sorted(
        [line for line in expected if not line.startswith("plans/victim.yaml")] + ["plans/victim.yaml:1:1: LOAD017"])
    assert MEMORY in result.stdout and "Traceback" not in result.output
    assert "worker process" not in result.stderr  # no worker died: the file says what happened


def test_running_out_of_memory_in_a_check_is_not_a_bug_in_the_check(project, monkeypatch):
    """A MemoryError in a check function is the machine's, not the check's: LOAD017 at the
    file, not INT001 ("a bug in plancheck", exit 2)."""
    import dataclasses

    from checker.functions import FUNCTIONS, load_builtin_functions

    load_builtin_functions()
    spec = FUNCTIONS["sum_matches"]

    def exhausting(target, options):
        if target.file.endswith("victim.yaml"):
            raise MemoryError
        return spec.run(target, options)

    monkeypatch.setitem(FUNCTIONS, "sum_matches", dataclasses.replace(spec, run=exhausting))
    result = _check("--no-cache")
    assert result.exit_code == 1
    assert MEMORY in result.stdout and "INT001" not in result.stdout
    assert "plans/bad-0.yaml:10:14: TOT001" in _findings(result.stdout)
