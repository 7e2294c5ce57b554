"""Plan files from a repository plancheck does not control, built the way an attacker would:
a FIFO where a plan should be (a reader would wait for ever), a link to a device (/dev/zero
never ends), a Unix socket, a symbolic link to a file outside the project (its contents
would reach the report), a plan that takes too long, and globs that backtrack.

Each case asserts the exit code, the code and location of the diagnostic, that the run
finishes within a timeout, and that nothing outside the temporary project was read: the
outside file's contents appear in no output format.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from checker.engine import Engine
from checker.loader import Limits, read_file
from checker.rules import load_ruleset
from tests.test_broken_input import GOOD_PLAN

TIMEOUT = 60  # seconds for one CLI run: a hang is a failure, never a stuck suite
FORMATS = ("full", "concise", "json", "sarif", "github", "junit")
# in the outside file, on a line with a syntax error: a report that read it would show it
SECRET = "SECRET-token-4f1c9a"
RULESET = load_ruleset("recommended")


def _within(seconds: float, work):
    """`work()`'s result, or a failure when it does not return within `seconds` (a read that
    blocks on a FIFO never returns; the thread is a daemon, so the suite still ends)."""
    outcome: list = []
    thread = threading.Thread(target=lambda: outcome.append(work()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"did not finish within {seconds} s"
    return outcome[0]


@pytest.fixture
def project(tmp_path):
    """A project (its configuration at the top) with one good plan, and beside it, outside
    the project, a file with a secret in it."""
    root = tmp_path / "project"
    (root / "plans").mkdir(parents=True)
    (root / "plancheck.toml").write_text('plans = ["plans"]\n', encoding="utf-8")
    (root / "plans" / "good.yaml").write_text(GOOD_PLAN, encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(f"plan:\n  id: [{SECRET}\n", encoding="utf-8")
    return root


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "GITHUB_ACTIONS": ""}
    result = subprocess.run([sys.executable, "-m", "checker", "--no-cache", *args], cwd=cwd, capture_output=True,
                            text=True, timeout=TIMEOUT, env=env, stdin=subprocess.DEVNULL)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def _json(cwd: Path, *args: str) -> tuple[int, list[tuple[str, str, int, int]]]:
    result = _cli(cwd, "--format", "json", "--lang", "en", *args)
    document = json.loads(result.stdout)
    return result.returncode, sorted((Path(d["file"]).name, d["code"], d["line"], d["column"])
                                     for d in document["diagnostics"])


def _loaded_diagnostics(path: Path, root: Path | None = None, limits: Limits | None = None):
    loaded, raw = read_file(path, path.name, limits, root)
    assert raw is None
    return Engine(RULESET).run([loaded])


# --- plan files are regular files only ----------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_plan_is_reported_never_opened(project):
    fifo = project / "plans" / "pipe.yaml"
    os.mkfifo(fifo)
    # opened for reading, a FIFO with no writer blocks for ever: this must return at once
    [diagnostic] = _within(10, lambda: _loaded_diagnostics(fifo))
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("LOAD015", 1, 1)
    assert "named pipe (FIFO)" in diagnostic.message["en"] and "名前付きパイプ" in diagnostic.message["ja"]


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_plan_in_a_project_run(project):
    os.mkfifo(project / "plans" / "pipe.yaml")
    # found by the walk and named directly: reported, and the good plan is still checked
    for named in ((), ("plans",), ("plans/pipe.yaml", "plans/good.yaml")):
        code, found = _json(project, *named)
        assert (code, found) == (1, [("pipe.yaml", "LOAD015", 1, 1)])


def test_links_to_devices_are_reported_never_read(project):
    # /dev/zero never ends and /dev/null is empty: neither is a plan, and neither is read
    for device in ("/dev/zero", "/dev/null"):
        if not Path(device).exists():
            pytest.skip(f"no {device} here")
        link = project / "plans" / f"{Path(device).name}.yaml"
        link.symlink_to(device)
        [diagnostic] = _within(10, lambda link=link: _loaded_diagnostics(link, project))
        assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("LOAD015", 1, 1)
        assert "character device" in diagnostic.message["en"] and "キャラクタデバイス" in diagnostic.message["ja"]


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no Unix sockets here")
def test_a_socket_plan_is_reported(project):
    path = project / "plans" / "socket.yaml"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listening:
        listening.bind(str(path))
        [diagnostic] = _within(10, lambda: _loaded_diagnostics(path))
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("LOAD015", 1, 1)
    assert "a socket" in diagnostic.message["en"] and "ソケット" in diagnostic.message["ja"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_swapped_in_after_the_check_is_not_read(project, monkeypatch):
    """The path is a regular file when it is checked and a FIFO when it is opened: the
    descriptor is checked again (and opened without blocking), so it is refused."""
    from checker import loader

    path = project / "plans" / "swapped.yaml"
    path.write_text(GOOD_PLAN, encoding="utf-8")
    real_check = loader._check_regular
    checks = []

    def check_then_swap(status):
        real_check(status)
        if not checks:
            path.unlink()
            os.mkfifo(path)
        checks.append(status)

    monkeypatch.setattr(loader, "_check_regular", check_then_swap)
    [diagnostic] = _within(10, lambda: _loaded_diagnostics(path))
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("LOAD015", 1, 1)
    assert len(checks) == 1  # the second check (on the descriptor) refused it


def test_a_read_is_capped_at_the_size_limit(project, monkeypatch):
    """A file that grows after its size was taken is never read past the limit."""
    from checker import loader

    path = project / "plans" / "growing.yaml"
    path.write_text(GOOD_PLAN, encoding="utf-8")
    asked = []
    real_read_capped = loader._read_capped

    def read_capped(descriptor, cap):
        asked.append(cap)
        with path.open("a", encoding="utf-8") as grow:
            grow.write("# more\n" * 10_000)
        return real_read_capped(descriptor, cap)

    monkeypatch.setattr(loader, "_read_capped", read_capped)
    limit = len(GOOD_PLAN.encode()) + 100
    [diagnostic] = _loaded_diagnostics(path, limits=Limits(file_bytes=limit))
    assert asked == [limit + 1]
    assert (diagnostic.code, diagnostic.span.line) == ("LOAD011", 1)
    assert f"file size: {limit:,} bytes" in diagnostic.message["en"]


# --- a symbolic link out of the project ------------------------------------------------------

def test_a_link_out_of_the_project_is_reported_never_read(project, monkeypatch):
    from checker import loader

    link = project / "plans" / "stolen.yaml"
    link.symlink_to(project.parent / "outside" / "secret.yaml")
    opened = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda file, *args, **kwargs: (opened.append(file), real_open(file, *args, **kwargs))[1])
    loaded, raw = loader.read_file(link, "plans/stolen.yaml", root=project)
    assert raw is None and loaded.text is None and opened == []
    [diagnostic] = Engine(RULESET).run([loaded])
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("LOAD016", 1, 1)
    assert "outside the project" in diagnostic.message["en"] and "プロジェクト" in diagnostic.message["ja"]
    assert SECRET not in json.dumps(diagnostic.message, ensure_ascii=False)
    # a link that stays inside the project is a plan like any other
    inside = project / "plans" / "alias.yaml"
    inside.symlink_to(project / "plans" / "good.yaml")
    loaded, raw = loader.read_file(inside, "plans/alias.yaml", root=project)
    assert raw == GOOD_PLAN.encode() and Engine(RULESET).run([loader.load_bytes(loaded, raw)]) == []


@pytest.mark.slow
def test_a_link_out_of_the_project_shows_nothing_of_it_in_any_format(project):
    (project / "plans" / "stolen.yaml").symlink_to(project.parent / "outside" / "secret.yaml")
    # a directory link too: its files named through it lead out of the project as well
    (project / "plans" / "shared").symlink_to(project.parent / "outside", target_is_directory=True)
    for named in ((), ("plans/stolen.yaml", "plans/shared/secret.yaml")):
        for output_format in FORMATS:
            result = _cli(project, "--format", output_format, *named)
            assert result.returncode == 1, result.stdout + result.stderr
            assert SECRET not in result.stdout + result.stderr, output_format
            assert "LOAD016" in result.stdout
    code, found = _json(project, "plans/stolen.yaml", "plans/shared/secret.yaml")
    assert (code, found) == (1, [("secret.yaml", "LOAD016", 1, 1), ("stolen.yaml", "LOAD016", 1, 1)])
    # with no configuration the project is the working directory
    (project / "plancheck.toml").unlink()
    code, found = _json(project, "plans")
    assert (code, found) == (1, [("stolen.yaml", "LOAD016", 1, 1)])
