"""The stat cache (checker.cache.StatStore): a file of the context whose stat has not moved
since it was read is neither read nor hashed; anything doubtful (another stat, a new
ctime under a restored mtime, an edit within the racy window, a tampered entry) reads it
again, and a run finds exactly what a full run without any cache finds."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from checker import run as run_module
from checker.run import RunOptions, execute, prepare
from tests.conftest import ROOT

HOUR_NS = 3600 * 1_000_000_000


def _project(tmp_path: Path, monkeypatch) -> tuple[Path, list[str]]:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "plans", project / "plans")
    (project / "plancheck.toml").write_text('plans = ["plans"]\n', encoding="utf-8")
    monkeypatch.chdir(project)
    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(tmp_path / "cache"))
    files = sorted(path.relative_to(project).as_posix() for path in (project / "plans").rglob("*.yaml"))
    assert len(files) >= 5
    return project, files


def _age(project: Path) -> None:
    """Every plan written an hour ago: outside the racy window of any run."""
    past = time.time_ns() - HOUR_NS
    for path in (project / "plans").rglob("*.yaml"):
        os.utime(path, ns=(past, past))


def _opened(monkeypatch) -> list[str]:
    opened: list[str] = []
    original = run_module._reader

    def counting(path, name, limits, root):
        opened.append(name)
        return original(path, name, limits, root)

    monkeypatch.setattr(run_module, "_reader", counting)
    return opened


def _alone(name: str):
    return execute(prepare(RunOptions(paths=(name,), plan_set_only=True, force_exclude=True)))


def _uncached(name: str):
    full = execute(prepare(RunOptions(no_cache=True)))
    return [d for d in full.diagnostics if d.file == name], full.relations.unchecked_in(name)


def _same_as_full(result, name: str) -> None:
    diagnostics, unchecked = _uncached(name)
    assert result.checked == [name]
    assert result.diagnostics == diagnostics
    assert result.relations.unchecked == unchecked


def test_an_unchanged_context_file_is_not_opened(tmp_path, monkeypatch):
    project, files = _project(tmp_path, monkeypatch)
    _age(project)
    execute(prepare(RunOptions()))  # reads everything, learns every stat
    opened = _opened(monkeypatch)
    name = files[0]
    result = _alone(name)
    # the reported file always; a context file only for a finding's source lines
    assert name in opened
    assert set(opened) - {name} <= set(result.sources), opened
    assert len(opened) < len(files), opened
    opened.clear()
    _same_as_full(result, name)


def test_a_context_file_changed_with_its_size_and_mtime_restored_is_read_again(tmp_path, monkeypatch):
    project, files = _project(tmp_path, monkeypatch)
    _age(project)
    execute(prepare(RunOptions()))
    reported, changed = files[0], files[1]
    path = project / changed
    before = os.stat(path)
    raw = path.read_bytes()
    digit = next(index for index, byte in enumerate(raw) if chr(byte) in "123456789")
    edited = raw[:digit] + (b"2" if raw[digit:digit + 1] != b"2" else b"3") + raw[digit + 1:]
    path.write_bytes(edited)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same mtime: only ctime moved
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert after.st_ctime_ns != before.st_ctime_ns
    opened = _opened(monkeypatch)
    result = _alone(reported)
    assert changed in opened
    opened.clear()
    _same_as_full(result, reported)


def test_a_file_written_within_the_racy_window_is_read_again(tmp_path, monkeypatch):
    project, files = _project(tmp_path, monkeypatch)
    _age(project)
    racy = project / files[1]
    now = time.time_ns()
    os.utime(racy, ns=(now, now))  # as if edited just as the run read it
    execute(prepare(RunOptions()))
    opened = _opened(monkeypatch)
    result = _alone(files[0])
    assert files[1] in opened  # not trusted: its mtime is not safely older than the entry
    assert files[2] not in opened or files[2] in result.sources
    opened.clear()
    _same_as_full(result, files[0])


def test_a_tampered_stat_entry_is_a_miss(tmp_path, monkeypatch):
    project, files = _project(tmp_path, monkeypatch)
    _age(project)
    execute(prepare(RunOptions()))
    entries = [path for path in (tmp_path / "cache" / "stat").rglob("*") if path.is_file()]
    assert len(entries) == 1
    blob = bytearray(entries[0].read_bytes())
    blob[-1] ^= 0xFF
    entries[0].write_bytes(bytes(blob))
    opened = _opened(monkeypatch)
    result = _alone(files[0])
    assert sorted(opened) == files  # every file read again, nothing taken from the entry
    opened.clear()
    _same_as_full(result, files[0])


@pytest.mark.parametrize("index", [0, 2, 4])
def test_a_reported_file_is_always_read_and_findings_equal_the_full_run(tmp_path, monkeypatch, index):
    project, files = _project(tmp_path, monkeypatch)
    _age(project)
    execute(prepare(RunOptions()))
    _alone(files[index])  # warm, stat cache written
    opened = _opened(monkeypatch)
    result = _alone(files[index])
    assert files[index] in opened
    opened.clear()
    _same_as_full(result, files[index])


def test_the_hooks_runs_write_a_delta_and_leave_the_columns_as_written(tmp_path, monkeypatch):
    project, files = _project(tmp_path, monkeypatch)
    _age(project)
    execute(prepare(RunOptions()))
    [columns] = [path for path in (tmp_path / "cache" / "stat").rglob("*") if path.is_file()]
    written = columns.read_bytes()
    for name in files[:3]:  # three commits, each of one file
        with open(project / name, "a", encoding="utf-8") as plan:
            plan.write("# edited\n")
        past = time.time_ns() - HOUR_NS // 2  # edited, and out of the racy window
        os.utime(project / name, ns=(past, past))
        opened = _opened(monkeypatch)
        result = _alone(name)
        assert opened == [name]  # the rest of the plan set from the columns and the delta: not one opened
        _same_as_full(result, name)
    entries = [path for path in (tmp_path / "cache" / "stat").rglob("*") if path.is_file()]
    assert len(entries) == 2 and columns.read_bytes() == written


def test_a_delta_is_read_only_over_its_own_base_and_many_changes_write_the_base_again():
    from checker.cache import MemoryCache, StatStore

    cache = MemoryCache("test")
    key = cache.key("stat", "plans")
    old = time.time_ns() - HOUR_NS
    status = (100, old, old, 1, 2)  # size, mtime, ctime, inode, device: an hour old
    paths = [f"/p/plans/{number}.yaml" for number in range(100)]
    store = StatStore(cache, key)
    for number, path in enumerate(paths):
        store.learn(path, status, old + HOUR_NS // 2, f"key {number}")
    store.save(paths)
    base = cache.get("stat", key)
    store = StatStore(cache, key)
    store.learn(paths[0], (101, old, old, 1, 2), old + HOUR_NS // 2, "key 0 edited")
    store.save(paths)
    assert cache.get("stat", key) == base  # one path of a hundred: the delta only
    again = StatStore(cache, key)
    assert again.content_key(paths[0], (101, old, old, 1, 2)) == "key 0 edited"
    assert again.content_key(paths[1], status) == "key 1"
    # a delta of another base is not read: what the base holds stands
    delta_key = cache.key("stat delta", key)
    cache.put("stat", delta_key, {**cache.get("stat", delta_key), "base": "another"})
    assert StatStore(cache, key).content_key(paths[0], (101, old, old, 1, 2)) is None
    assert StatStore(cache, key).content_key(paths[0], status) == "key 0"
    # nor one of the wrong shape
    cache.put("stat", delta_key, {"version": StatStore.VERSION, "base": base["id"], "entries": {paths[0]: ("x",)}})
    assert StatStore(cache, key).content_key(paths[0], status) == "key 0"
    # a fifth of the paths changed: the columns are written again, under another id
    store = StatStore(cache, key)
    for number, path in enumerate(paths[:20]):
        store.learn(path, (102, old, old, 1, 2), old + HOUR_NS // 2, f"key {number} rewritten")
    store.save(paths)
    rewritten = cache.get("stat", key)
    assert rewritten["id"] != base["id"] and len(rewritten["paths"]) == 100
    assert StatStore(cache, key).content_key(paths[19], (102, old, old, 1, 2)) == "key 19 rewritten"
