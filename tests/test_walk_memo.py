"""The walk memo (`checker.discovery._WalkMemo`): a walk of an unchanged tree takes each
directory's decisions from the cache instead of listing and matching it again, and every
change that can move a decision is seen: an entry added or removed, a `.gitignore` edited in
place (below the top or above it), `info/exclude`, a repository made inside the tree, a
directory become a link, other exclusions. Each case is compared with a walk that has no
cache at all."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from checker import discovery
from checker import run as run_module
from checker.run import RunOptions, prepare

HOUR_NS = 3600 * 1_000_000_000
PLAN = "plan:\n  id: p\n"
NOT_A_PLAN = "name: ci\n"


def _age(paths, hours: int = 1) -> None:
    """Written `hours` ago: outside the racy window (each call a time of its own)."""
    past = time.time_ns() - hours * HOUR_NS - time.perf_counter_ns() % 1_000_000
    for path in paths:
        os.utime(path, ns=(past, past), follow_symlinks=False)


def _tree(project: Path) -> list[Path]:
    return [project, *project.rglob("*")]


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    project = tmp_path / "project"
    (project / ".git" / "info").mkdir(parents=True)
    (project / ".git" / "info" / "exclude").write_text("*.tmp.yaml\n", encoding="utf-8")
    for city in ("aoba", "kita", "minami"):
        for part in ("budget", "kpi", "kpi/deep"):
            here = project / "plans" / city / part
            here.mkdir(parents=True, exist_ok=True)
            for name in ("a.yaml", "b.yaml", "c.yml", "d.tmp.yaml"):
                (here / name).write_text(PLAN, encoding="utf-8")
            (here / "ci.yaml").write_text(NOT_A_PLAN, encoding="utf-8")
    (project / "plans" / "kita" / ".gitignore").write_text("a.yaml\n", encoding="utf-8")
    (project / "plans" / "kita" / "kpi" / ".gitignore").write_text("!a.yaml\nbuild/\n", encoding="utf-8")
    (project / "plancheck.toml").write_text('plans = ["plans"]\n', encoding="utf-8")
    monkeypatch.chdir(project)
    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(tmp_path / "cache"))
    _age(_tree(project))
    return project


def _discover(paths: list[str], cached: bool = True, hook: bool = False) -> discovery.Discovered:
    """Discovery as a run makes it (`hook`: the pre-commit hook's, given changed files):
    with the run's stat cache (and so the walk memo) kept after, or with no cache."""
    settings = prepare(RunOptions()).settings
    stats = None
    if cached:
        cache = run_module.open_cache(settings, prepare(RunOptions()).ruleset)
        stats = run_module._stat_store(cache, settings)
    found = discovery.discover(paths, settings, force_exclude=hook, plan_set_only=hook,
                               stats=(lambda: stats) if cached else None, taken=time.time_ns())
    if stats is not None:
        run_module._save_stats(stats, [*found.checked, *found.context], found)
    return found


def _walk(cached: bool = True):
    """The plan set's discovery, as a full run makes it."""
    found = _discover(["plans"], cached)
    return ([path.as_posix() for path in found.checked],
            [(skip.path.as_posix(), skip.kind, skip.reason.en, skip.directory) for skip in found.skipped])


def _listed(monkeypatch) -> list[str]:
    listed: list[str] = []
    original = discovery._listing

    def counting(absolute):
        listed.append(absolute)
        return original(absolute)

    monkeypatch.setattr(discovery, "_listing", counting)
    return listed


def test_an_unchanged_tree_is_decided_from_the_memo_as_a_walk_without_one(project, monkeypatch):
    first = _walk()
    listed = _listed(monkeypatch)
    matched: list[str] = []
    original = discovery.GitIgnores.ignored_in

    def matching(self, directory: str, name: str, is_dir: bool) -> str | None:
        matched.append(name)
        return original(self, directory, name, is_dir)

    monkeypatch.setattr(discovery.GitIgnores, "ignored_in", matching)
    second = _walk()
    # only the top is listed (and its entries matched); every directory below is the memo's
    assert listed == [str(project / "plans")]
    assert sorted(matched) == ["aoba", "kita", "minami"]
    assert second == first == _walk(cached=False)
    checked, skipped = first
    assert "plans/kita/budget/a.yaml" not in checked and "plans/kita/kpi/a.yaml" in checked
    assert ("plans/aoba/kpi/d.tmp.yaml", "gitignored", "ignored by git (.git/info/exclude:1: *.tmp.yaml)",
            False) in skipped
    assert ("plans/aoba/kpi/ci.yaml", "not_a_plan", "not a plan (no top-level plan:)", False) in skipped


def test_an_unchanged_directory_that_held_no_rules_file_is_not_asked_for_one(project, monkeypatch):
    _walk()
    asked: list[str] = []
    original = discovery._rules_file_status

    def counting(taken):
        status_of = original(taken)

        def recorded(path):
            asked.append(os.path.relpath(path, project))
            return status_of(path)
        return recorded

    monkeypatch.setattr(discovery, "_rules_file_status", counting)
    again = _walk()
    # looked at again: the rules files of the top and above it (always read), and of each
    # directory that held one; not one of each directory of the tree
    assert sorted(asked) == sorted([".gitignore", os.path.join(".git", "info", "exclude"),
                                    os.path.join("plans", ".gitignore"), os.path.join("plans", "kita", ".gitignore"),
                                    os.path.join("plans", "kita", "kpi", ".gitignore")])
    assert again == _walk(cached=False)


def _edit_in_place(path: Path, text: str) -> None:
    """A rules file rewritten in place (its directory's entries, and so its mtime, unchanged)."""
    assert len(text) == len(path.read_text(encoding="utf-8"))  # the same size: only its mtime and ctime move
    path.write_text(text, encoding="utf-8")
    _age([path], hours=2)


def _gitignore_below(project: Path) -> str:
    _edit_in_place(project / "plans" / "kita" / ".gitignore", "b.yaml\n")
    return "plans/kita/kpi/deep/b.yaml"  # now ignored two levels down, where nothing else moved


def _gitignore_above(project: Path) -> str:
    (project / ".gitignore").write_text("deep/\n", encoding="utf-8")
    _age([project, project / ".gitignore"], hours=2)
    return "plans/aoba/kpi/deep"


def _gitignore_made_below(project: Path) -> str:
    (project / "plans" / "aoba" / "kpi" / ".gitignore").write_text("b.yaml\n", encoding="utf-8")
    _age([project / "plans" / "aoba" / "kpi", project / "plans" / "aoba" / "kpi" / ".gitignore"], hours=2)
    return "plans/aoba/kpi/deep/b.yaml"  # where there was none, and nothing but its directory moved


def _info_exclude(project: Path) -> str:
    _edit_in_place(project / ".git" / "info" / "exclude", "c.yml\n#abc\n")
    return "plans/minami/budget/c.yml"


def _nested_repository(project: Path) -> str:
    (project / "plans" / "kita" / "kpi" / ".git").mkdir()
    _age([project / "plans" / "kita" / "kpi", project / "plans" / "kita" / "kpi" / ".git"], hours=2)
    return "plans/kita/kpi/deep/d.tmp.yaml"  # its own repository: the outer info/exclude no longer applies


def _file_added(project: Path) -> str:
    (project / "plans" / "aoba" / "kpi" / "deep" / "e.yaml").write_text(PLAN, encoding="utf-8")
    _age(_tree(project / "plans" / "aoba"), hours=2)
    return "plans/aoba/kpi/deep/e.yaml"


def _directory_removed(project: Path) -> str:
    shutil.rmtree(project / "plans" / "minami" / "kpi" / "deep")
    _age([project / "plans" / "minami" / "kpi"], hours=2)
    return "plans/minami/kpi/deep/a.yaml"


def _directory_made_a_link(project: Path) -> str:
    deep = project / "plans" / "aoba" / "budget"
    shutil.rmtree(deep)
    deep.symlink_to(project / "plans" / "kita" / "budget", target_is_directory=True)
    _age([deep, deep.parent], hours=2)
    return "plans/aoba/budget/b.yaml"  # a link is not followed


def _exclusions_changed(project: Path) -> str:
    (project / "plancheck.toml").write_text('plans = ["plans"]\nextend-exclude = ["deep/"]\n', encoding="utf-8")
    return "plans/aoba/kpi/deep"


@pytest.mark.parametrize("change", [_gitignore_below, _gitignore_made_below, _gitignore_above, _info_exclude, _nested_repository,
                                    _file_added, _directory_removed, _directory_made_a_link, _exclusions_changed])
def test_a_change_that_moves_a_decision_is_seen(project, change, monkeypatch):
    before = _walk()
    assert _walk() == before  # the memo, trusted
    moved = change(project)
    after = _walk()
    assert after == _walk(cached=False)
    assert after != before
    was = {path for path, *_ in before[1]} | set(before[0])
    now = {path for path, *_ in after[1]} | set(after[0])
    # the path named moved: found where it was not, skipped where it was found, or gone
    assert (moved in before[0]) != (moved in after[0]) or (moved in was) != (moved in now) or \
        [s for s in before[1] if s[0] == moved] != [s for s in after[1] if s[0] == moved], moved
    assert _walk() == after  # and what it decided is the memo's next: trusted from then on
    listed = _listed(monkeypatch)
    _walk()
    assert listed == [str(project / "plans")]


def test_a_directory_changed_within_the_racy_window_is_listed_again(project, monkeypatch):
    fresh = project / "plans" / "kita" / "kpi" / "deep"
    (fresh / "e.yaml").write_text(PLAN, encoding="utf-8")  # its mtime is now: not trusted
    _walk()
    listed = _listed(monkeypatch)
    again = _walk()
    assert str(fresh) in listed
    assert str(project / "plans" / "aoba" / "kpi" / "deep") not in listed
    assert again == _walk(cached=False)


def test_a_memo_of_the_wrong_shape_is_a_fresh_walk(project, monkeypatch):
    expected = _walk(cached=False)
    settings = prepare(RunOptions()).settings
    cache = run_module.open_cache(settings, prepare(RunOptions()).ruleset)
    key = discovery._Walker(settings)._memo_key(cache, str(project / "plans"))
    for value in ({"version": 1, "chain": (), "directories": {str(project / "plans" / "aoba"): ("x",) * 5}},
                  {"version": 1, "chain": (), "directories": {str(project / "plans" / "kita"): (None,) * 5}},
                  {"version": 1, "chain": "", "directories": []}, ["not", "a", "memo"]):
        cache.put("walk", key, value)
        assert _walk() == expected


def test_a_walk_given_no_cache_reads_no_rules_for_a_memo(project, monkeypatch):
    # the rules of a directory are the memo's to compare: once the stat cache is asked for
    # and none is given (`--no-cache`, a cache refused), no directory's are taken
    expected = _walk(cached=False)
    read: list[str] = []
    original = discovery._Walker._rules_in

    def reading(self, absolute, *rest):
        read.append(absolute)
        return original(self, absolute, *rest)

    monkeypatch.setattr(discovery._Walker, "_rules_in", reading)
    settings = prepare(RunOptions()).settings
    found = discovery.discover(["plans"], settings, stats=lambda: None, taken=time.time_ns())
    assert read == [str(project / "plans")]  # the top's, before the cache was asked for
    assert ([path.as_posix() for path in found.checked],
            [(skip.path.as_posix(), skip.kind, skip.reason.en, skip.directory) for skip in found.skipped]) == expected


def test_the_hooks_walk_of_the_plan_set_takes_its_top_from_the_memo_too(project, monkeypatch):
    # the hook decides the changed file first, so the stat cache is open when it walks the
    # plan set for the context: the memo is opened for the top, and nothing is listed
    changed = "plans/aoba/budget/a.yaml"
    _walk()
    listed = _listed(monkeypatch)
    found = _discover([changed], hook=True)
    assert listed == []
    expected = _discover([changed], cached=False, hook=True)
    assert found.checked == expected.checked == [Path(changed)]
    assert (found.context, found.skipped) == (expected.context, expected.skipped)
    # a plan added at the top: the top is listed again (and only it), and the plan found
    (project / "plans" / "e.yaml").write_text(PLAN, encoding="utf-8")
    _age([project / "plans", project / "plans" / "e.yaml"], hours=2)
    del listed[:]
    found = _discover([changed], hook=True)
    assert listed == [str(project / "plans")]
    assert project / "plans" / "e.yaml" in found.context
    del listed[:]
    assert _discover([changed], hook=True).context == found.context
    assert listed == []  # what it decided is the memo's next
    assert found.context == _discover([changed], cached=False, hook=True).context
