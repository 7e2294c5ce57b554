"""--fix on a hostile repository writes only the file it checked, and only inside the
project: a link out of the project, a read-only or hard-linked plan, a file swapped or
edited between the check and the write, a run stopped by SIGTERM or SIGINT mid-write, a
file with CR-only line endings. Each case is built as an attacker (or an unlucky editor)
would build it, and each asserts that nothing outside the temporary project changed, no
temporary file is left, and the exit code and the message."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import checker.fixes as fixes
from checker.fixes import FixError, project_roots, write_atomically
from tests.test_cli import run

BROKEN = ("plan: {id: x, title: t, municipality: 小平市, kind: policy_evaluation, source: {seed: a.txt}}\n"
          "# 達成率は実績÷目標\nthemes:\n  - id: t0\n    title: テーマ  # コメントは残る\n    indicators:\n"
          "      - {name: 指標, unit: 件, targets: {令和3年度: 100}, actuals: {令和3年度: 75}, rates: {令和3年度: 76.0%}}\n")
FIXED = BROKEN.replace("76.0%", "75.0%")


def _snapshot(top: Path) -> dict[str, tuple]:
    """Every entry under `top`: its kind, bytes or link target, mode, owner and inode."""
    entries = {}
    for path in sorted(top.rglob("*")):
        status = path.lstat()
        if path.is_symlink():
            content: object = ("link", os.readlink(path))
        elif path.is_dir():
            content = ("dir",)
        else:
            content = ("file", path.read_bytes())
        entries[str(path.relative_to(top))] = (content, stat.S_IMODE(status.st_mode), status.st_uid, status.st_gid,
                                               status.st_ino)
    return entries


def _temporaries(top: Path) -> list[Path]:
    return [path for path in top.rglob("*") if path.name.endswith(fixes.TEMPORARY_SUFFIX)]


@pytest.fixture
def world(tmp_path):
    """A project (the working directory of the run) and, beside it, files the project's
    links point to: the user's own, which no fix may touch."""
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    return tmp_path, project, outside


def _fix(project: Path, *paths: str) -> subprocess.CompletedProcess:
    return run("--isolated", "--no-cache", "--fix", "--unsafe-fixes", "--format", "concise", "--lang", "en", *paths,
               cwd=project)


def test_a_link_to_a_file_outside_the_project_is_refused_and_the_file_untouched(world):
    top, project, outside = world
    victim = outside / "victim.yaml"
    victim.write_text(BROKEN, encoding="utf-8")
    (project / "plan.yaml").symlink_to(victim)
    before = _snapshot(top)
    result = _fix(project, "plan.yaml")
    # the loader never reads a plan that a link takes out of the project (LOAD016), so there
    # is nothing to fix; the fix's own refusal is the second line (write_atomically below)
    assert result.returncode == 1, result.stderr
    assert "LOAD016" in result.stdout and "fixed 1 value" not in result.stderr
    assert _snapshot(top) == before and not _temporaries(top)


def test_a_link_out_of_the_project_is_refused_in_japanese_too(world):
    top, project, outside = world
    (outside / "victim.yaml").write_text(BROKEN, encoding="utf-8")
    (project / "plan.yaml").symlink_to(outside / "victim.yaml")
    result = run("--isolated", "--no-cache", "--fix", "--unsafe-fixes", "--lang", "ja", "plan.yaml", cwd=project)
    assert "LOAD016" in result.stdout and "プロジェクトの外" in result.stdout
    assert (outside / "victim.yaml").read_text(encoding="utf-8") == BROKEN and not _temporaries(top)


def test_a_link_whose_target_is_inside_the_project_is_fixed_through_and_stays_a_link(world):
    top, project, outside = world
    (project / "real").mkdir()
    (project / "real" / "plan.yaml").write_text(BROKEN, encoding="utf-8")
    (project / "plan.yaml").symlink_to(Path("real") / "plan.yaml")
    before = _snapshot(outside)
    result = _fix(project, "plan.yaml")
    assert result.returncode == 0, result.stderr
    assert "fixed 1 value(s) in 1 file(s)" in result.stderr
    assert (project / "plan.yaml").is_symlink() and os.readlink(project / "plan.yaml") == "real/plan.yaml"
    assert (project / "real" / "plan.yaml").read_text(encoding="utf-8") == FIXED
    assert _snapshot(outside) == before and not _temporaries(top)


def test_a_directory_link_out_of_the_project_is_refused(world):
    """A plan under a linked directory resolves outside too, though its own name is no link."""
    top, project, outside = world
    (outside / "plan.yaml").write_text(BROKEN, encoding="utf-8")
    (project / "plans").symlink_to(outside, target_is_directory=True)
    before = _snapshot(top)
    result = _fix(project, "plans")
    assert result.returncode == 1
    assert "LOAD016" in result.stdout  # never read, so never written
    assert _snapshot(top) == before and not _temporaries(top)


def test_a_read_only_plan_is_refused_with_its_mode_kept(world):
    top, project, _ = world
    plan = project / "plan.yaml"
    plan.write_text(BROKEN, encoding="utf-8")
    plan.chmod(0o444)
    before = _snapshot(top)
    result = _fix(project, "plan.yaml")
    assert result.returncode == 1
    # as root too: a file no one may write is read-only by intent, whatever root may do
    assert "not fixed: plan.yaml is read-only (no write permission); it is not written" in result.stderr
    assert _snapshot(top) == before and not _temporaries(top)


def test_a_hard_linked_plan_is_refused_never_split(world):
    top, project, outside = world
    plan = project / "plan.yaml"
    plan.write_text(BROKEN, encoding="utf-8")
    os.link(plan, outside / "same.yaml")  # the user's file elsewhere, sharing the inode
    before = _snapshot(top)
    result = _fix(project, "plan.yaml")
    assert result.returncode == 1
    assert "not fixed: plan.yaml has 2 hard links; replacing it would split them, so it is not written" \
        in result.stderr
    assert _snapshot(top) == before and not _temporaries(top)
    assert plan.stat().st_ino == (outside / "same.yaml").stat().st_ino


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_owner_group_and_mode_are_kept_when_root_fixes_another_users_file(world):
    top, project, _ = world
    plan = project / "plan.yaml"
    plan.write_text(BROKEN, encoding="utf-8")
    os.chown(plan, 4321, 8765)
    plan.chmod(0o664)
    result = _fix(project, "plan.yaml")
    assert result.returncode == 0, result.stderr
    status = plan.stat()
    assert (status.st_uid, status.st_gid, stat.S_IMODE(status.st_mode)) == (4321, 8765, 0o664)
    assert plan.read_text(encoding="utf-8") == FIXED and not _temporaries(top)


def test_a_file_with_cr_only_line_endings_is_fixed_and_keeps_them(world):
    top, project, _ = world
    plan = project / "plan.yaml"
    plan.write_bytes(BROKEN.replace("\n", "\r").encode("utf-8"))
    result = _fix(project, "plan.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "fixed 1 value(s) in 1 file(s)" in result.stderr
    assert plan.read_bytes() == FIXED.replace("\n", "\r").encode("utf-8")
    assert not _temporaries(top)


def test_mixed_line_endings_are_each_kept():
    lines, endings = fixes.split_lines("a\r\nb\rc\nd")
    assert lines == ["a", "b", "c", "d"] and endings == ["\r\n", "\r", "\n", ""]


# --- between the check and the write ----------------------------------------------------
#
# `_write_temporary` runs after the plan was read back and checked against the text the run
# checked, and before the last look at it and the rename: what a concurrent editor or an
# attacker does there is what the last look must catch.

def _during_write(monkeypatch, action):
    original = fixes._write_temporary

    def write_then_act(handle, data):
        original(handle, data)
        action()

    monkeypatch.setattr(fixes, "_write_temporary", write_then_act)


def test_a_symlink_swapped_in_between_check_and_write_is_refused(world, monkeypatch):
    top, project, outside = world
    plan, secret = project / "plan.yaml", outside / "secret.yaml"
    plan.write_text(BROKEN, encoding="utf-8")
    secret.write_text("the user's own file\n", encoding="utf-8")

    def swap():
        plan.unlink()
        plan.symlink_to(secret)

    _during_write(monkeypatch, swap)
    with pytest.raises(FixError) as refused:
        write_atomically(plan, FIXED, BROKEN, project_roots(project))
    assert refused.value.text.en == f"{plan} changed or was replaced since it was checked; nothing was written"
    assert "検査の後に変更または置き換えられました" in refused.value.text.ja
    assert plan.is_symlink() and os.readlink(plan) == str(secret)  # the swap stands, nothing followed it
    assert secret.read_text(encoding="utf-8") == "the user's own file\n"
    assert not _temporaries(top)


@pytest.mark.parametrize("how", ["in place", "saved by rename"])
def test_an_edit_saved_during_the_fix_survives(world, monkeypatch, how):
    """An editor saves while --fix writes: in place (same inode, new bytes) or as editors
    do, by renaming a new file over it (a new inode). Either way the edit is kept."""
    top, project, _ = world
    plan = project / "plan.yaml"
    plan.write_text(BROKEN, encoding="utf-8")
    edited = BROKEN.replace("テーマ", "編集したテーマ")

    def save():
        if how == "in place":
            with open(plan, "r+", encoding="utf-8") as out:
                out.write(edited)
        else:
            (project / "plan.yaml~").write_text(edited, encoding="utf-8")
            os.replace(project / "plan.yaml~", plan)

    _during_write(monkeypatch, save)
    with pytest.raises(FixError, match="changed or was replaced since it was checked"):
        write_atomically(plan, FIXED, BROKEN, project_roots(project))
    assert plan.read_text(encoding="utf-8") == edited
    assert sorted(p.name for p in project.iterdir()) == ["plan.yaml"] and not _temporaries(top)


def test_a_swap_during_a_whole_run_is_a_note_and_the_run_still_fails(world, monkeypatch):
    """Through the run, as the CLI calls it: the refusal is a note in both languages, the
    finding is still reported, and the file holds what was swapped in."""
    from checker.run import RunOptions, execute, prepare

    top, project, outside = world
    plan = project / "plan.yaml"
    plan.write_text(BROKEN, encoding="utf-8")
    (outside / "secret.yaml").write_text(BROKEN, encoding="utf-8")

    def swap():
        plan.unlink()
        plan.symlink_to(outside / "secret.yaml")

    _during_write(monkeypatch, swap)
    monkeypatch.chdir(project)
    result = execute(prepare(RunOptions(paths=("plan.yaml",), isolated=True, no_cache=True, fix=True,
                                        unsafe_fixes=True)))
    assert result.fix is not None and result.fix.files == 0
    assert [note.en for note in result.notes if note.en.startswith("not fixed")] == [
        "not fixed: plan.yaml changed or was replaced since it was checked; nothing was written"]
    assert any(note.ja.startswith("修正しませんでした: plan.yaml は検査の後に") for note in result.notes)
    assert result.failed and [d.code for d in result.diagnostics if d.code.startswith("RATE")] == ["RATE001"]
    assert (outside / "secret.yaml").read_text(encoding="utf-8") == BROKEN and not _temporaries(top)


def test_a_plan_that_became_a_fifo_is_refused_without_blocking(world):
    top, project, _ = world
    plan = project / "plan.yaml"
    os.mkfifo(plan)
    with pytest.raises(FixError, match="is not a regular file"):
        write_atomically(plan, FIXED, BROKEN, project_roots(project))
    assert not _temporaries(top)


def test_a_temporary_name_taken_by_a_planted_link_is_never_followed(world, monkeypatch):
    """An attacker who guesses the temporary name and plants a link there: O_EXCL|O_NOFOLLOW
    refuses it, another name is drawn, and the link's target is untouched."""
    top, project, outside = world
    plan = project / "plan.yaml"
    plan.write_text(BROKEN, encoding="utf-8")
    (outside / "target").write_text("kept\n", encoding="utf-8")
    names = iter(["guessed", "fresh"])
    monkeypatch.setattr(fixes.secrets, "token_hex", lambda size: next(names))
    (project / f".plan.yaml.guessed{fixes.TEMPORARY_SUFFIX}").symlink_to(outside / "target")
    write_atomically(plan, FIXED, BROKEN, project_roots(project))
    assert plan.read_text(encoding="utf-8") == FIXED
    assert (outside / "target").read_text(encoding="utf-8") == "kept\n"
    assert [p.name for p in _temporaries(top)] == [f".plan.yaml.guessed{fixes.TEMPORARY_SUFFIX}"]  # the plant


def test_the_temporary_file_is_private_until_written(world, monkeypatch):
    top, project, _ = world
    plan = project / "plan.yaml"
    plan.write_text(BROKEN, encoding="utf-8")
    plan.chmod(0o644)
    seen = []
    original = fixes._write_temporary

    def look_then_write(handle, data):
        seen.append(stat.S_IMODE(os.fstat(handle).st_mode))
        original(handle, data)

    monkeypatch.setattr(fixes, "_write_temporary", look_then_write)
    write_atomically(plan, FIXED, BROKEN, project_roots(project))
    assert seen == [0o600] and stat.S_IMODE(plan.stat().st_mode) == 0o644 and not _temporaries(top)


# --- SIGTERM and SIGINT mid-fix ---------------------------------------------------------

# Where the signal lands, named by the function of checker.fixes it is sent from, and whether
# the file is then the old or the new one.
POINTS = {
    "after the temporary file is created": ("_write_temporary", "before", "old"),
    "after it is written": ("_write_temporary", "after", "old"),
    "after its owner and mode are set": ("_keep_owner_and_mode", "after", "old"),
    "after the last look, before the rename": ("_unchanged", "after", "old"),
    "after the rename, before the handlers go": ("rename", "after", "new"),
}

DRIVER = textwrap.dedent("""\
    import os, signal, sys
    import checker.fixes as fixes
    where, when, number = sys.argv[1], sys.argv[2], int(sys.argv[3])
    host = fixes.os if where == "rename" else fixes
    original = getattr(host, where)
    def wrapped(*args, **kwargs):
        if when == "before":
            os.kill(os.getpid(), number)
        result = original(*args, **kwargs)
        if when == "after":
            os.kill(os.getpid(), number)
        return result
    setattr(host, where, wrapped)
    sys.argv = ["plancheck", *sys.argv[4:]]
    from checker.cli import main
    main()
""")


@pytest.mark.slow
@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.parametrize("point", POINTS)
def test_a_signal_mid_fix_leaves_the_old_or_the_new_file_and_no_temporary(world, point, number):
    top, project, outside = world
    plan = project / "plan.yaml"
    plan.write_text(BROKEN, encoding="utf-8")
    plan.chmod(0o640)
    (outside / "other.yaml").write_text(BROKEN, encoding="utf-8")
    before = _snapshot(outside)
    where, when, expected = POINTS[point]
    environment = {**os.environ, "NO_COLOR": "1", "GITHUB_ACTIONS": "",
                   "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    result = subprocess.run([sys.executable, "-c", DRIVER, where, when, str(int(number)), "--isolated", "--no-cache",
                             "--fix", "--unsafe-fixes", "--lang", "en", "plan.yaml"],
                            cwd=project, capture_output=True, text=True, timeout=120, env=environment)
    assert plan.read_text(encoding="utf-8") == (BROKEN if expected == "old" else FIXED), point
    assert stat.S_IMODE(plan.stat().st_mode) == 0o640
    assert sorted(p.name for p in project.iterdir()) == ["plan.yaml"], point  # no temporary file
    assert _snapshot(outside) == before and not _temporaries(top)
    # the signal is handled as it would have been without the write: the run stops with it.
    # SIGTERM's default ends the process by the signal. SIGINT is Python's KeyboardInterrupt,
    # which the command line turns into an interrupt's exit (click's "Aborted!" and 1 until
    # the CLI exits 130 on an interrupt, issue 16's "Processes and signals")
    if number == signal.SIGTERM:
        assert result.returncode in (-signal.SIGTERM, 128 + signal.SIGTERM), (result.returncode, result.stderr)
    else:
        assert result.returncode == 130 or (result.returncode == 1 and "Aborted!" in result.stderr), \
            (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    assert "fixed 1 value" not in result.stderr


@pytest.fixture
def handled_sigterm():
    """A SIGTERM handler of the program's own that lets the run go on; the signals it saw."""
    seen: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda number, frame: seen.append(number))
    yield seen
    signal.signal(signal.SIGTERM, previous)


def test_a_handler_that_lets_the_run_go_on_abandons_the_write(world, monkeypatch, handled_sigterm):
    """If the program's own SIGTERM handler returns, the write is abandoned with a note, and
    the file is as it was."""
    top, project, _ = world
    plan = project / "plan.yaml"
    plan.write_text(BROKEN, encoding="utf-8")
    _during_write(monkeypatch, lambda: os.kill(os.getpid(), signal.SIGTERM))
    with pytest.raises(FixError) as stopped:
        write_atomically(plan, FIXED, BROKEN, project_roots(project))
    assert handled_sigterm == [signal.SIGTERM]  # the program's handler still ran, once
    assert stopped.value.text.en == "the write of plan.yaml was interrupted; the file is as it was"
    assert plan.read_text(encoding="utf-8") == BROKEN and not _temporaries(top)


def test_a_signal_just_after_the_rename_keeps_the_fix_and_says_nothing_false(world, monkeypatch, handled_sigterm):
    top, project, _ = world
    plan = project / "plan.yaml"
    plan.write_text(BROKEN, encoding="utf-8")
    rename = os.rename

    def rename_then_signal(*args, **kwargs):
        rename(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(fixes.os, "rename", rename_then_signal)
    write_atomically(plan, FIXED, BROKEN, project_roots(project))  # written: no "interrupted" refusal
    assert handled_sigterm == [signal.SIGTERM]
    assert plan.read_text(encoding="utf-8") == FIXED and not _temporaries(top)


def test_the_write_itself_refuses_a_link_out_of_the_project(world):
    """The second line of defence, below the loader's LOAD016: a plan swapped for a link out
    of the project after it was read is refused by the write, and the target is untouched."""
    top, project, outside = world
    victim = outside / "victim.yaml"
    victim.write_text(BROKEN, encoding="utf-8")
    (project / "plan.yaml").symlink_to(victim)
    with pytest.raises(FixError) as refused:
        write_atomically(project / "plan.yaml", FIXED, BROKEN, project_roots(project))
    assert "outside the project" in refused.value.args[0] or "outside the project" in str(refused.value)
    assert victim.read_text(encoding="utf-8") == BROKEN and not _temporaries(top)
