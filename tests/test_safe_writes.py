"""--fix never damages a file: through a symbolic link, with two runs at once on the same
files (as pre-commit and an editor may), and when the run is killed (SIGKILL), terminated
(SIGTERM) or interrupted (SIGINT) at any moment."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time

import pytest

from tests.test_cli import run

# concurrent and killed `python -m checker --fix` processes
pytestmark = pytest.mark.slow

HEADER = ("plan: {id: x, title: t, municipality: 小平市, kind: policy_evaluation, source: {seed: a.txt}}\n"
          "# 達成率は実績÷目標\nthemes:\n")


def _plan(themes: int, wrong: bool) -> str:
    """A policy evaluation whose every indicator states a rate; `wrong` states 76.0% where
    75 / 100 is 75.0%, so --fix has one value per theme to rewrite."""
    rate = "76.0%" if wrong else "75.0%"
    body = "".join(
        f"  - id: t{number}\n    title: テーマ{number}  # コメントは残る\n    indicators:\n"
        f"      - {{name: 指標{number}, unit: 件, targets: {{令和3年度: 100}}, actuals: {{令和3年度: 75}}, "
        f"rates: {{令和3年度: {rate}}}}}\n"
        for number in range(themes)
    )
    return HEADER + body


def _plancheck(*args: str) -> subprocess.Popen:
    environment = {**os.environ, "NO_COLOR": "1", "GITHUB_ACTIONS": ""}
    # A shell starts a background job with SIGINT ignored, and a process started so keeps it
    # ignored (as it should: that is nohup). The run under test must get SIGINT as a terminal
    # sends it, whatever job CI runs in: a handled signal is reset to the default by exec.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return subprocess.Popen([sys.executable, "-m", "checker", "--isolated", *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=environment)
    finally:
        if previous is not None:  # None: a handler not set from Python, which stays
            signal.signal(signal.SIGINT, previous)


def test_fix_through_a_symbolic_link_fixes_the_target_and_keeps_the_link(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "plan.yaml"
    target.write_text(_plan(2, wrong=True), encoding="utf-8")
    link = tmp_path / "plan.yaml"
    link.symlink_to(target)
    result = run("--isolated", "--fix", "--unsafe-fixes", str(link))
    assert result.returncode == 0, result.stdout + result.stderr
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert target.read_text(encoding="utf-8") == _plan(2, wrong=False)
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["plan.yaml"]


def test_two_fix_runs_at_once_leave_every_file_whole_and_fixed(tmp_path):
    files = [tmp_path / f"plan-{number:02}.yaml" for number in range(12)]
    for round_number in range(3):
        for path in files:
            path.write_text(_plan(40, wrong=True), encoding="utf-8")
            os.chmod(path, 0o640)
        first, second = _plancheck("--fix", "--unsafe-fixes", str(tmp_path)), _plancheck("--fix", "--unsafe-fixes", str(tmp_path))
        outputs = [process.communicate(timeout=120) for process in (first, second)]
        for process, (stdout, stderr) in zip((first, second), outputs):
            assert "Traceback" not in stdout + stderr
            # the loser of a race is told the file changed since it was checked, and leaves it
            assert process.returncode in (0, 1), stderr
        for path in files:
            assert path.read_text(encoding="utf-8") == _plan(40, wrong=False), (round_number, path)
            assert stat.S_IMODE(path.stat().st_mode) == 0o640
        assert sorted(tmp_path.iterdir()) == files  # no temporary file left behind
        final = _plancheck(str(tmp_path))
        final.communicate(timeout=120)
        assert final.returncode == 0


@pytest.mark.parametrize("number", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT], ids=["SIGKILL", "SIGTERM", "SIGINT"])
def test_a_run_killed_at_any_moment_leaves_each_file_either_as_it_was_or_fixed(tmp_path, number):
    # about 120 KB: large enough that the write takes several system calls, small enough
    # that the 25 runs of the three signals stay a minute of the suite
    broken, fixed = _plan(600, wrong=True), _plan(600, wrong=False)
    path = tmp_path / "plan.yaml"
    # how long a whole run takes, so the kills spread over all of it, the write included
    path.write_text(broken, encoding="utf-8")
    # every run without the cache, so that each does what the measured one did: a trial that
    # found the broken text cached would end long before the delays measured on a cold run,
    # and every kill would land after its end (CI saw 0 of 7 SIGINT kills before the rename)
    started = time.monotonic()
    whole = _plancheck("--no-cache", "--fix", "--unsafe-fixes", str(path))
    whole.communicate(timeout=300)
    duration = time.monotonic() - started
    assert path.read_text(encoding="utf-8") == fixed
    outcomes = {"as it was": 0, "fixed": 0}
    # from before it has read anything, through the check and the write, to after its end
    delays = [0.05] + [duration * (0.5 + step / 10 * 0.8) for step in range(11)] + [duration * 1.5]
    if number != signal.SIGKILL:
        delays = delays[::2]  # the points between are SIGKILL's; these runs are here for the handlers
    for trial, delay in enumerate(delays):
        path.write_text(broken, encoding="utf-8")
        os.chmod(path, 0o600)
        process = _plancheck("--no-cache", "--fix", "--unsafe-fixes", str(path))
        time.sleep(delay)
        process.send_signal(number)
        process.communicate(timeout=60)
        text = path.read_text(encoding="utf-8")
        assert text in (broken, fixed), f"trial {trial}: the file is neither the original nor the fixed text"
        outcomes["as it was" if text == broken else "fixed"] += 1
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        # a run stopped by SIGTERM or SIGINT removes its temporary file; one killed by
        # SIGKILL (which no process can catch) may leave it, never taken for a plan
        leftovers = [p for p in tmp_path.iterdir() if p != path]
        if number != signal.SIGKILL:
            assert not leftovers, (trial, leftovers)
        assert all(p.name.startswith(".plan.yaml.") and p.suffix == ".plancheck" for p in leftovers), leftovers
        for leftover in leftovers:
            leftover.unlink()
    assert outcomes["as it was"] and outcomes["fixed"], outcomes  # kills landed before and after the rename
