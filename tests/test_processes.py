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
        assert process.wait(timeout=20) == code
        # the pipe reaches its end as soon as the run is gone: no worker holds it open
        ready, _, _ = select.select([process.stdout], [], [], 5)
        assert ready and process.stdout.read() == b""
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
