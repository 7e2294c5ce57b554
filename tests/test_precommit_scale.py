"""The pre-commit case independent of the plan set's size: discovery takes whether a YAML
file is a plan from the stat cache when its stat has not moved (a changed file, a racy one
or a tampered entry is decided from its bytes again), a walk does not match the files of a
directory it kept against directory-only exclusions again, and with `plan-sets` only the
plan sets holding a reported file are searched; the findings stay a full run's."""

from __future__ import annotations

import itertools
import os
import shutil
import time
from collections import Counter
from pathlib import Path

import pytest

from checker import cache as cache_module
from checker import discovery
from checker import run as run_module
from checker.globs import Glob
from checker.run import RunOptions, execute, prepare
from tests.conftest import ROOT
from tests.test_stat_cache import _opened  # what the run opens, counted as the stat cache tests count it

HOUR_NS = 3600 * 1_000_000_000
NOT_A_PLAN = "name: ci\non: [push]\njobs: {}\n"


def _age(paths) -> None:
    """Written an hour ago: outside the racy window of any run (size and ctime still move)."""
    past = time.time_ns() - HOUR_NS
    for path in paths:
        os.utime(path, ns=(past, past))


def _project(tmp_path: Path, monkeypatch, config: str = 'plans = ["plans"]\n') -> Path:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "plans", project / "plans")
    (project / "plans" / "notes.yaml").write_text(NOT_A_PLAN, encoding="utf-8")
    (project / "plans" / "kodaira" / "workflow.yml").write_text(NOT_A_PLAN, encoding="utf-8")
    (project / "plancheck.toml").write_text(config, encoding="utf-8")
    monkeypatch.chdir(project)
    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(tmp_path / "cache"))
    _age((project / "plans").rglob("*.y*ml"))
    return project


def _plans(project: Path) -> list[str]:
    return sorted(path.relative_to(project).as_posix() for path in (project / "plans").rglob("*.yaml")
                  if path.name != "notes.yaml")


def _sniffed(monkeypatch) -> list[str]:
    """The files discovery opens to decide whether they are plans, by name."""
    sniffed: list[str] = []
    original = discovery.looks_like_plan

    def counting(path, limit):
        sniffed.append(discovery.display_name(Path(path)))
        return original(path, limit)

    monkeypatch.setattr(discovery, "looks_like_plan", counting)
    return sniffed


def _edit(path: Path) -> None:
    """A one-line edit (a comment), as a commit makes; no finding moves."""
    with path.open("a", encoding="utf-8") as out:
        out.write("# edited\n")


def _alone(name: str):
    return execute(prepare(RunOptions(paths=(name,), plan_set_only=True, force_exclude=True)))


def _same_as_full(result, name: str) -> None:
    full = execute(prepare(RunOptions(no_cache=True)))
    assert result.checked == [name]
    assert result.diagnostics == [d for d in full.diagnostics if d.file == name]
    assert result.relations.unchecked == full.relations.unchecked_in(name)
    assert result.relations.checked_by_file.get(name) == full.relations.checked_by_file.get(name)


def _discovered(project: Path, name: str, monkeypatch):
    """What the hook's discovery finds for `name`, with the run's stat cache, kept after."""
    prepared = prepare(RunOptions(paths=(name,), plan_set_only=True, force_exclude=True))
    cache = run_module.open_cache(prepared.settings, prepared.ruleset)
    stats = run_module._stat_store(cache, prepared.settings)
    found = discovery.discover([name], prepared.settings, True, True, stats=lambda: stats, taken=time.time_ns())
    run_module._save_stats(stats, [*found.checked, *found.context], found)
    return found


def test_an_unchanged_file_is_not_opened_to_decide_whether_it_is_a_plan(tmp_path, monkeypatch):
    project = _project(tmp_path, monkeypatch)
    files = _plans(project)
    execute(prepare(RunOptions()))  # decides every YAML file from its bytes, and keeps it
    name = files[3]
    _edit(project / name)
    sniffed, opened = _sniffed(monkeypatch), _opened(monkeypatch)
    result = _alone(name)
    assert sniffed == [name]  # the changed file only: the context and the two non-plans from the stat cache
    assert "plans/notes.yaml" not in opened and "plans/kodaira/workflow.yml" not in opened
    assert name in opened
    sniffed.clear()
    _same_as_full(result, name)


def test_each_files_stat_entry_is_unpacked_once_for_discovery_and_the_read(tmp_path, monkeypatch):
    project = _project(tmp_path, monkeypatch)
    files = _plans(project)
    execute(prepare(RunOptions()))
    name = files[3]
    _edit(project / name)
    unpacked: list[str] = []
    original = cache_module.StatStore._entry

    def counting(self, path):
        unpacked.append(path)
        return original(self, path)

    monkeypatch.setattr(cache_module.StatStore, "_entry", counting)
    stated: list[str] = []
    original_stat = cache_module.file_stat

    def stating(path):
        stated.append(path)
        return original_stat(path)

    monkeypatch.setattr(cache_module, "file_stat", stating)
    opened = _opened(monkeypatch)
    result = _alone(name)
    # discovery asks whether each file is a plan, the read for its content key, of one stat:
    # judged once; the changed file is judged again only after what was learned of it
    changed = str((project / name).absolute())
    others = Counter(path for path in unpacked if path != changed)
    assert set(others.values()) == {1}
    assert len(others) == len(files) - 1 + 2  # the rest of the plan set and the two YAML files that are not plans
    # and each is stat'ed once: the read compares discovery's stat, found by its absolute path
    # (the walk memo stats each directory's .gitignore, whether it is there or not)
    assert Counter(path for path in stated if path != changed and not str(path).endswith("/.gitignore")) \
        == Counter({path: 1 for path in others})
    assert [path for path in opened if path.startswith("plans/") and path != name] == []
    _same_as_full(result, name)


def test_a_file_that_becomes_a_plan_or_stops_being_one_is_decided_again(tmp_path, monkeypatch):
    project = _project(tmp_path, monkeypatch)
    files = _plans(project)
    name = files[0]
    found = _discovered(project, name, monkeypatch)
    context = {discovery.display_name(path) for path in found.context}
    assert "plans/notes.yaml" not in context and files[1] in context
    # a YAML file that becomes a plan, and a plan that stops being one, both with an old mtime
    becomes, stops = project / "plans" / "notes.yaml", project / files[1]
    becomes.write_bytes(stops.read_bytes())
    stops.write_text(NOT_A_PLAN, encoding="utf-8")
    _age([becomes, stops])
    sniffed = _sniffed(monkeypatch)
    found = _discovered(project, name, monkeypatch)
    context = {discovery.display_name(path) for path in found.context}
    assert "plans/notes.yaml" in context and files[1] not in context
    assert sorted(sniffed) == sorted(["plans/notes.yaml", files[1]])  # the named file too is unchanged
    sniffed.clear()
    _discovered(project, name, monkeypatch)
    assert sniffed == []  # what was decided again is kept


def test_a_racy_file_and_a_tampered_entry_are_decided_from_their_bytes(tmp_path, monkeypatch):
    project = _project(tmp_path, monkeypatch)
    files = _plans(project)
    racy = project / "plans" / "notes.yaml"
    now = time.time_ns()
    os.utime(racy, ns=(now, now))  # as if written as the run read it
    _discovered(project, files[0], monkeypatch)
    sniffed = _sniffed(monkeypatch)
    _discovered(project, files[0], monkeypatch)
    assert "plans/notes.yaml" in sniffed and files[1] not in sniffed
    entries = [path for path in (tmp_path / "cache" / "stat").rglob("*") if path.is_file()]
    assert entries  # the columns, and the delta the second run wrote beside them
    for entry in entries:
        blob = bytearray(entry.read_bytes())
        blob[-1] ^= 0xFF
        entry.write_bytes(bytes(blob))
    sniffed.clear()
    found = _discovered(project, files[0], monkeypatch)
    assert len(sniffed) == len(files) + 2  # every YAML file: nothing was taken from the entry
    assert len(found.context) == len(files) - 1


def test_with_plan_sets_only_the_reported_files_plan_set_is_searched(tmp_path, monkeypatch):
    project = _project(tmp_path, monkeypatch, 'plans = ["plans"]\nplan-sets = ["plans/*"]\n')
    files = _plans(project)
    sets = sorted({name.split("/")[1] for name in files})
    assert len(sets) >= 2, sets
    execute(prepare(RunOptions()))
    stated: list[str] = []
    original = cache_module.file_stat

    def counting(path):
        stated.append(discovery.display_name(Path(path)))
        return original(path)

    monkeypatch.setattr(cache_module, "file_stat", counting)
    sniffed, opened = _sniffed(monkeypatch), _opened(monkeypatch)
    for name in files[::3]:
        own = "/".join(name.split("/")[:2]) + "/"
        _edit(project / name)
        for seen in (stated, sniffed, opened):
            seen.clear()
        result = _alone(name)
        # the walk memo stats the .gitignore of each directory on the way: none of another set
        rules = [path for path in stated if path.endswith("/.gitignore") or path == ".gitignore"]
        assert not [path for path in rules for other in sets if path.startswith(f"plans/{other}/")
                    and not own.startswith(f"plans/{other}/")], (name, rules)
        plans = [path for path in stated if path not in rules]
        assert plans and all(path.startswith(own) for path in plans), (name, stated)
        assert all(path.startswith(own) for path in sniffed + opened), (name, sniffed, opened)
        _same_as_full(result, name)


def test_plan_sets_searched_alone_keep_the_other_sets_stat_entries(tmp_path, monkeypatch):
    project = _project(tmp_path, monkeypatch, 'plans = ["plans"]\nplan-sets = ["plans/*"]\n')
    files = _plans(project)
    execute(prepare(RunOptions()))
    first = files[0]
    other = next(name for name in files if name.split("/")[1] != first.split("/")[1])
    _edit(project / first)
    _alone(first)  # searches one plan set: the other's entries must survive it
    opened = _opened(monkeypatch)
    _edit(project / other)
    _alone(other)
    own = "/".join(other.split("/")[:2]) + "/"
    assert all(name.startswith(own) for name in opened)
    assert len(opened) < len([name for name in files if name.startswith(own)]), opened


@pytest.mark.parametrize("pattern", ["build/", "a/b/", "*.tmp/", "**/cache/", "/top/", "x/**/y/", "a/**/", "[ab]*/",
                                     "!keep/", "build", "**", "*.yaml"])
def test_a_directory_only_pattern_decides_a_file_as_it_decides_its_directory(pattern):
    glob = Glob.parse(pattern)
    assert glob is not None
    names = ["a", "b", "build", "x.tmp", "cache", "top", "y", "keep", "f.yaml"]
    for depth in range(4):
        for components in itertools.product(names, repeat=depth):
            directory = list(components)
            file = [*directory, "f.yaml"]
            if glob.by_directory:
                assert glob.matches(file, False) == glob.matches(directory, True), (pattern, file)
    assert glob.by_directory == (pattern.endswith("/") and not pattern.endswith("**/"))


def test_the_stat_entry_keeps_each_paths_stat_key_and_decision_across_runs(tmp_path):
    from checker.cache import RACY_NS, MemoryCache, StatStore

    cache = MemoryCache("test")
    taken = time.time_ns()
    old = taken - HOUR_NS
    status = (10, old, old, 2**64 - 1, 7)  # an inode number above 2**63 is kept too
    store = StatStore(cache, "k")
    store.learn_plan("/p/a.yaml", status, taken, True)
    store.learn("/p/a.yaml", status, taken + 5, "key-a")  # the same stat: the decision stands
    store.learn_plan("/p/notes.yaml", (3, old, old, 1, 7), taken, False)
    store.learn("/q/b.yaml", (4, old, old, 2, 7), taken, "key-b")
    store.learn_plan("/p/racy.yaml", (5, taken, taken, 3, 7), taken, True)
    store.save(["/p/a.yaml", "/q/b.yaml"], ["/p/a.yaml", "/p/notes.yaml", "/p/racy.yaml"])
    again = StatStore(cache, "k")
    assert again.content_key("/p/a.yaml", status) == "key-a" and again.is_plan("/p/a.yaml", status) is True
    assert again.is_plan("/p/notes.yaml", (3, old, old, 1, 7)) is False
    assert again.is_plan("/p/notes.yaml", (4, old, old, 1, 7)) is None  # another size: decided again
    assert again.content_key("/q/b.yaml", (4, old, old, 2, 7)) == "key-b"
    assert again.is_plan("/p/racy.yaml", (5, taken, taken, 3, 7)) is None  # within RACY_NS of its time
    # learned again later with the same stat, the racy one's time is the later one: trusted then
    later = taken + 2 * RACY_NS
    again.learn_plan("/p/racy.yaml", (5, taken, taken, 3, 7), later, True)
    # a search of /p alone: what it did not meet there is gone, /q is kept
    again.save(["/p/a.yaml"], ["/p/a.yaml", "/p/racy.yaml"], within=["/p"])
    last = StatStore(cache, "k")
    assert last.is_plan("/p/notes.yaml", (3, old, old, 1, 7)) is None
    assert last.content_key("/q/b.yaml", (4, old, old, 2, 7)) == "key-b"
    assert last.content_key("/p/a.yaml", status) == "key-a"
    assert last._entry("/p/racy.yaml") == ((5, taken, taken, 3, 7), later, None, True)
    assert last._entry("/p/notes.yaml") is None  # holding nothing, left out


def test_a_later_round_of_needed_files_only_the_indices_it_learned():
    from checker import crossdoc

    indices: list[crossdoc.Index | None] = [
        {"document": ("p:a",)},
        None,  # the changed file: learned after the first round
        {"document": ("p:b",), "keys": ("k:1",)},
        {"document": ("p:c",), "keys": ("k:2",)},
    ]
    used = ("document", "keys")
    sharing = crossdoc.Sharing()
    assert crossdoc.needed(indices, [1], used, None, sharing) == crossdoc.needed(indices, [1], used) == {1}
    assert sharing.unknown == [1]
    indices[1] = {"document": ("p:a",), "keys": ("k:1",)}
    assert crossdoc.needed(indices, [1], used, None, sharing) == crossdoc.needed(indices, [1], used) == {0, 1, 2}
    assert sharing.unknown == []
    assert sharing.by_token["k:1"] == [2, 1]  # each file filed once: the known ones in the first round
    groups = ["x", "x", "y", "y"]
    again = crossdoc.Sharing()
    assert crossdoc.needed(indices, [1], used, groups, again) == crossdoc.needed(indices, [1], used, groups) == {0, 1}
