"""The resident process (`plancheck daemon`, checker/daemon.py and checker/launch.py): a
run handed to it prints exactly what the same run prints in its own process, with the same
exit status; it is used only when it is this user's, in a private directory, with the same
interpreter set-up; and a client never loses a run (refused, gone or stale: the run is its
own). The console script is the client, as a user runs it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checker import daemon, launch

pytestmark = [pytest.mark.slow,  # each starts processes
              pytest.mark.skipif(not launch.supported(), reason="the resident process needs Linux (fork, SO_PEERCRED)")]

ROOT = Path(__file__).resolve().parent.parent
PLANCHECK = Path(sys.executable).parent / "plancheck"  # the console script: checker.launch:main
PLAN = "plans/kodaira/policy-evaluation-r4/theme-24-municipal-management.yaml"  # a total off: TOT001, an error


@pytest.fixture
def runtime(tmp_path, monkeypatch):
    """A runtime directory of the test's own, and the environment a client runs in."""
    assert PLANCHECK.exists(), "the console script is installed by `make setup` (pip install -e .)"
    base = tmp_path / "run"
    base.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(base))
    env = {**os.environ, "NO_COLOR": "1", "GITHUB_ACTIONS": "", "XDG_RUNTIME_DIR": str(base),
           "XDG_CACHE_HOME": str(tmp_path / "user-cache"), "PLANCHECK_DAEMON": "1"}
    env.pop("PYTHONPATH", None)  # the console script's own sys.path, as the resident process has it
    yield env
    subprocess.run([str(PLANCHECK), "daemon", "stop"], env=env, capture_output=True, timeout=30)
    while _STARTED:  # one a failed test left unreachable (its directory opened to others): not left running
        pid = _STARTED.pop()
        with contextlib.suppress(OSError):  # gone already; else only while it is still that process
            if b"daemon" in Path(f"/proc/{pid}/cmdline").read_bytes():
                os.kill(pid, signal.SIGTERM)


_STARTED: list[int] = []


def plancheck(env: dict, *args: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run([str(PLANCHECK), *args], cwd=options.pop("cwd", ROOT), env=env, capture_output=True,
                          timeout=120, **options)


def started(env: dict, *options: str) -> int:
    result = plancheck(env, "daemon", "start", *(options or ("--idle-timeout", "10")))
    assert result.returncode == 0, result.stderr.decode()
    found = daemon.status()
    assert found is not None
    _STARTED.append(found["pid"])
    return found["pid"]


def status() -> dict:
    found = daemon.status()
    assert found is not None
    return found


def served() -> int:
    return status()["served"]


RUNS = [
    (PLAN,),
    ("--format", "concise", PLAN),
    ("--format", "json", "--exit-zero", PLAN),
    ("--lang", "ja", PLAN),
    ("--no-such-option",),
    ("--version",),
    ("rule", "SUM001"),
    ("missing.yaml",),
    ("--format", "json", "--exit-zero", "plans"),  # every real document: a report larger than a pipe holds
]


def test_a_run_handed_over_prints_and_exits_as_in_its_own_process(runtime):
    started(runtime)
    before = served()
    for args in RUNS:
        alone = plancheck({**runtime, "PLANCHECK_DAEMON": "0"}, *args)
        handed = plancheck(runtime, *args)
        assert (handed.returncode, handed.stdout, handed.stderr) == (alone.returncode, alone.stdout, alone.stderr), args
    assert served() == before + len(RUNS)  # every one of them ran in the resident process
    assert plancheck(runtime, PLAN).returncode == 1  # its error fails the run there too


def test_the_environment_is_the_clients(runtime, tmp_path):
    started(runtime)  # started in the test's environment; each client brings its own
    for extra in ({"PLANCHECK_LANG": "ja"}, {"COLUMNS": "60"}):
        env = {**runtime, **extra}
        alone = plancheck({**env, "PLANCHECK_DAEMON": "0"}, PLAN)
        handed = plancheck(env, PLAN)
        assert (handed.returncode, handed.stdout, handed.stderr) == (alone.returncode, alone.stdout, alone.stderr), extra
    japanese = plancheck({**runtime, "PLANCHECK_LANG": "ja"}, PLAN)
    assert "合計".encode() in japanese.stdout
    cache = tmp_path / "cache-of-the-client"
    assert plancheck({**runtime, "PLANCHECK_CACHE_DIR": str(cache)}, PLAN).returncode == 1
    assert cache.is_dir()  # the run's cache is where the client's environment puts it


def test_a_report_written_is_made_with_the_clients_umask(runtime, tmp_path):
    started(runtime)
    for mask in (0o077, 0o022):
        for handed in (False, True):
            out = tmp_path / f"report-{mask:o}-{handed}.json"
            env = {**runtime, "PLANCHECK_DAEMON": "1" if handed else "0"}
            result = subprocess.run(["sh", "-c", f'umask {mask:03o} && exec "$0" "$@"', str(PLANCHECK), "-o",
                                     str(out), PLAN], cwd=ROOT, env=env, capture_output=True, timeout=120)
            assert result.returncode == 1, result.stderr
            assert out.stat().st_mode & 0o777 == 0o666 & ~mask, (mask, handed)


def test_verbose_says_the_run_was_handed_over(runtime):
    pid = started(runtime)
    handed = plancheck(runtime, "-v", "--format", "concise", PLAN)
    assert f"run in a child of the resident process (pid {pid})".encode() in handed.stderr
    alone = plancheck({**runtime, "PLANCHECK_DAEMON": "0"}, "-v", "--format", "concise", PLAN)
    assert b"resident process" not in alone.stderr and alone.stdout == handed.stdout


def test_runs_at_once_are_each_their_own(runtime):
    started(runtime)
    before = served()
    alone = {args: plancheck({**runtime, "PLANCHECK_DAEMON": "0"}, *args) for args in RUNS[:4]}
    clients = [(args, subprocess.Popen([str(PLANCHECK), *args], cwd=ROOT, env=runtime, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE)) for _ in range(2) for args in RUNS[:4]]
    for args, client in clients:
        out, err = client.communicate(timeout=120)
        assert (client.returncode, out, err) == (alone[args].returncode, alone[args].stdout, alone[args].stderr), args
    assert served() == before + len(clients)


def test_standard_input_is_the_clients(runtime):
    started(runtime)
    text = (ROOT / PLAN).read_bytes()
    args = ("--format", "concise", "--stdin-filename", PLAN, "-")
    alone = plancheck({**runtime, "PLANCHECK_DAEMON": "0"}, *args, input=text)
    handed = plancheck(runtime, *args, input=text)
    assert (handed.returncode, handed.stdout, handed.stderr) == (alone.returncode, alone.stdout, alone.stderr)
    assert handed.stdout  # the findings of the text given, under the name given
    assert PLAN.encode() in handed.stdout


def test_a_signal_to_the_client_reaches_the_run(runtime):
    started(runtime)
    client = subprocess.Popen([str(PLANCHECK), "--stdin-filename", PLAN, "-"], cwd=ROOT, env=runtime,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while status()["running"] == 0:  # the run has begun: it waits for its standard input
        assert time.monotonic() < deadline
        time.sleep(0.05)
    client.send_signal(signal.SIGINT)
    _, err = client.communicate(timeout=60)
    assert client.returncode == 130
    assert b"interrupted (SIGINT)" in err


def test_another_interpreter_set_up_runs_in_its_own_process(runtime):
    started(runtime)
    before = served()
    # a warning option changes how Python runs the command: the resident process refuses it
    result = plancheck({**runtime, "PYTHONWARNINGS": "ignore"}, "--format", "concise", PLAN)
    assert result.returncode == 1 and PLAN.encode() in result.stdout
    assert served() == before


def test_a_runtime_directory_open_to_others_is_not_used(runtime, tmp_path):
    started(runtime)
    before = served()
    (tmp_path / "run" / "plancheck").chmod(0o755)
    result = plancheck(runtime, "--format", "concise", PLAN)
    assert result.returncode == 1 and PLAN.encode() in result.stdout  # run in its own process
    (tmp_path / "run" / "plancheck").chmod(0o700)
    assert served() == before


def test_start_refuses_a_runtime_directory_open_to_others(runtime, tmp_path):
    (tmp_path / "run" / "plancheck").mkdir(mode=0o755)
    (tmp_path / "run" / "plancheck").chmod(0o755)
    result = plancheck(runtime, "daemon", "start")
    assert result.returncode == 2
    assert b"could not start the resident process" in result.stderr
    assert str(tmp_path / "run" / "plancheck").encode() in result.stderr
    assert daemon.status() is None


def test_start_refuses_a_link_for_the_runtime_directory(runtime, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    (tmp_path / "run" / "plancheck").symlink_to(elsewhere)
    result = plancheck(runtime, "daemon", "start")
    assert result.returncode == 2
    assert list(elsewhere.iterdir()) == []  # nothing made through the link


def test_stop_ends_it_and_status_says_so(runtime):
    pid = started(runtime)
    again = plancheck(runtime, "daemon", "start")
    assert again.returncode == 0 and f"already running (pid {pid})".encode() in again.stderr
    status = plancheck(runtime, "daemon", "status")
    assert status.returncode == 0 and f"pid {pid}".encode() in status.stdout
    stopped = plancheck(runtime, "daemon", "stop")
    assert stopped.returncode == 0 and f"stopped the resident process (pid {pid})".encode() in stopped.stderr
    _gone(pid)
    assert list(Path(launch.runtime_directory()).iterdir()) == []  # its socket removed
    status = plancheck(runtime, "daemon", "status")
    assert status.returncode == 1 and b"no resident process is running" in status.stderr


def test_a_killed_resident_process_leaves_runs_to_their_own_process(runtime):
    pid = started(runtime)
    os.kill(pid, signal.SIGKILL)
    _gone(pid)
    assert Path(launch.socket_path()).exists()  # its socket is left behind, and nothing answers on it
    result = plancheck(runtime, "--format", "concise", PLAN)
    assert result.returncode == 1 and PLAN.encode() in result.stdout
    assert started(runtime) != pid  # a new one takes the socket's name over


def test_a_resident_process_that_ends_during_a_run_says_so(runtime):
    pid = started(runtime)
    client = subprocess.Popen([str(PLANCHECK), "--stdin-filename", PLAN, "-"], cwd=ROOT, env=runtime,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while status()["running"] == 0:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    _, err = client.communicate(input=(ROOT / PLAN).read_bytes(), timeout=60)
    assert client.returncode == 2
    assert b"the resident process ended during the run" in err


def test_it_ends_after_its_idle_time(runtime):
    pid = started(runtime, "--idle-timeout", "0.02")  # 1.2 s
    _gone(pid)
    assert daemon.status() is None


def test_code_changed_on_disk_is_seen(tmp_path, monkeypatch):
    module = tmp_path / "plancheck_probe_module.py"
    module.write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib

    importlib.import_module("plancheck_probe_module")
    try:
        state = daemon.code_state()
        assert not daemon.code_moved(state)
        module.write_text("VALUE = 22\n")  # another size, whatever the clock's granularity
        assert daemon.code_moved(state)
    finally:
        sys.modules.pop("plancheck_probe_module", None)


def test_a_resident_process_whose_code_changed_serves_no_more_runs(runtime, tmp_path):
    # a module the interpreter imports at its start (sitecustomize, on PYTHONPATH for the
    # resident process and its clients alike) stands for plancheck's code changing on disk
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text("# as installed\n")
    env = {**runtime, "PYTHONPATH": str(site)}
    pid = started(env)
    before = served()
    assert plancheck(env, "--format", "concise", PLAN).returncode == 1
    assert served() == before + 1
    (site / "sitecustomize.py").write_text("# upgraded, another size\n")
    result = plancheck(env, "--format", "concise", PLAN)
    assert result.returncode == 1 and PLAN.encode() in result.stdout  # run in its own process
    _gone(pid)  # and it ends: what it imported is not what is on disk


def test_a_request_of_another_interpreter_is_refused(runtime, tmp_path):
    pid = started(runtime)
    request = {"command": "run", "identity": launch.identity(), "argv": ["plancheck"], "cwd": str(tmp_path),
               "env": {}, "streams": [("utf-8", "strict")] * 3}
    sock = launch.connect(launch.socket_path())
    assert sock is not None
    try:
        # this interpreter's set-up (pytest's sys.path) is not the console script's
        launch.send(sock, request, (0, 1, 2))
        assert launch.receive(sock) == ({"refused": "identity"}, [])
    finally:
        sock.close()
    assert status()["pid"] == pid


def test_auto_starts_one_for_the_runs_after(runtime):
    auto = {**runtime, "PLANCHECK_DAEMON": "auto"}
    first = plancheck(auto, "--format", "concise", PLAN)
    assert first.returncode == 1 and PLAN.encode() in first.stdout  # this one in its own process
    deadline = time.monotonic() + 30
    while daemon.status() is None:
        assert time.monotonic() < deadline, "no resident process started"
        time.sleep(0.1)
    second = plancheck(auto, "--format", "concise", PLAN)
    assert (second.returncode, second.stdout, second.stderr) == (first.returncode, first.stdout, first.stderr)
    assert served() == 1


def test_disabled_by_the_environment(runtime):
    started(runtime)
    before = served()
    result = plancheck({**runtime, "PLANCHECK_DAEMON": "0"}, "--format", "concise", PLAN)
    assert result.returncode == 1
    assert served() == before


def _gone(pid: int) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        with_zombie = Path(f"/proc/{pid}/stat")
        if with_zombie.exists() and ") Z" in with_zombie.read_text():
            return
        assert time.monotonic() < deadline, f"pid {pid} still running"
        time.sleep(0.05)


def test_a_platform_without_it_says_so(monkeypatch):
    from click.testing import CliRunner

    from checker.cli import main

    monkeypatch.setattr(launch, "supported", lambda: False)
    for action in ("start", "status", "stop"):
        result = CliRunner().invoke(main, ["daemon", action, "--lang", "en"])
        assert result.exit_code == 2
        assert "the resident process is not available here" in result.stderr


# a stated total off by a thousand (an error) in an editor's buffer, the file on disk another text
_EDITED = ("plan: {id: x, title: t, municipality: 小平市, kind: policy_evaluation, source: {seed: a.txt}}\n"
           "themes:\n  - id: a\n    title: 施策\n"
           "    projects: {unit: 千円, items: [{no: 1, name: 事業1, cost: 19}, {no: 2, name: 事業2, cost: 3851}],"
           " total: 4870}\n")


def test_the_language_server_handed_over_answers_an_editor_as_in_its_own_process(runtime, tmp_path):
    pytest.importorskip("pygls", reason="the lsp extra is not installed (pip install -e '.[lsp]')")
    import asyncio

    from tests.lsp_client import Client

    project = tmp_path / "project"
    (project / "plans").mkdir(parents=True)
    path = project / "plans" / "a.yaml"
    path.write_text("on disk: replaced by the open document\n", encoding="utf-8")

    async def session(env: dict) -> list[tuple]:
        client = Client(project, command=(str(PLANCHECK),), env=env)
        await client.start()
        try:
            uri = client.open(path, _EDITED)
            _, found = await client.diagnostics(uri)
            return sorted((str(d.code), d.range.start.line, d.range.start.character, d.message) for d in found)
        finally:
            await client.stop()

    started(runtime)
    before = served()
    handed = asyncio.run(asyncio.wait_for(session(runtime), 120))
    assert served() == before + 1  # the server was a child of the resident process
    alone = asyncio.run(asyncio.wait_for(session({**runtime, "PLANCHECK_DAEMON": "0"}), 120))
    assert served() == before + 1
    assert handed == alone
    assert any(code == "TOT001" and line == 4 for code, line, _, _ in handed), handed
