"""The cross-document index (checker/crossdoc.py): a run that reports some files of a
cached plan set loads only the files related to them, and finds exactly what a run over
the whole plan set finds on them (a differential test over plans/ and over a generated
corpus with injected cross-document faults)."""

from __future__ import annotations

import pickle
import re
import shutil
from pathlib import Path

import pytest

from checker import crossdoc
from checker.functions import FUNCTIONS, load_builtin_functions
from checker.run import RunOptions, execute, prepare
from tests.conftest import ROOT


def test_every_plan_set_function_declares_how_it_groups_its_input():
    load_builtin_functions()
    across = {name for name, spec in FUNCTIONS.items() if "plan_set" in spec.given}
    assert across, "no function across documents is registered"
    assert across - set(crossdoc.GROUPINGS) == set(), "a plan_set function without a grouping reads the whole set"
    assert set(crossdoc.GROUPINGS) <= across, "a grouping for a function that is not across documents"
    assert {grouping for names in crossdoc.GROUPINGS.values() for grouping in names} <= set(crossdoc.GROUPING_NAMES)


def test_an_undeclared_function_relates_every_file_of_its_plan_set():
    indices: list[crossdoc.Index | None] = [{"document": ("p:a",)}, {"document": ("p:b",)}, {"document": ("p:c",)}]
    assert crossdoc.groupings(["figures", "a plugin's function"]) is None
    assert crossdoc.needed(indices, [0], None) == {0, 1, 2}
    assert crossdoc.needed(indices, [0], None, ["x", "y", "x"]) == {0, 2}


def test_the_files_needed_are_the_connected_components_of_the_reported_ones():
    indices: list[crossdoc.Index | None] = [
        {"document": ("p:a",), "keys": ("k:1",)},
        {"document": ("p:b",), "keys": ("k:1", "k:2")},  # shares k:1 with 0
        {"document": ("p:c",), "keys": ("k:2",)},  # two steps from 0
        {"document": ("p:d",), "keys": ("k:3",)},  # unrelated
        None,  # not known: needed, whatever it holds
    ]
    assert crossdoc.needed(indices, [0], ("document", "keys")) == {0, 1, 2, 4}
    assert crossdoc.needed(indices, [3], ("document", "keys")) == {3, 4}
    assert crossdoc.needed(indices, [0], ("document",)) == {0, 4}  # keys unused by the enabled rules
    # another plan set's file with the same key is not related
    assert crossdoc.needed(indices, [0], ("document", "keys"), ["s", "t", "t", "s", "s"]) == {0, 4}


def test_a_figure_naming_an_unknown_document_reads_one_file_of_every_document():
    indices: list[crossdoc.Index | None] = [
        {"document": ("p:a",), "figure_plans": ("p:nowhere",)},
        {"document": ("p:b",)},
        {"document": ("p:b",)},
        {"document": ("p:c",), "figure_plans": ("p:a",)},
    ]
    # the unknown reference lists every plan id of the set: one file of each is enough
    assert crossdoc.needed(indices, [0], ("document", "figure_plans")) == {0, 1, 3}
    assert crossdoc.needed(indices, [1], ("document", "figure_plans")) == {1, 2}


def _project(tmp_path: Path, plans: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(plans, project / "plans")
    (project / "plancheck.toml").write_text('plans = ["plans"]\n', encoding="utf-8")
    return project


def _differential(project: Path, changed: list[Path], monkeypatch) -> int:
    """Each of `changed` reported alone (as pre-commit does), from a warm cache, against
    the full run; the number of files the cross-document rules read, summed."""
    monkeypatch.chdir(project)
    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(project.parent / "cache"))
    full = execute(prepare(RunOptions()))
    assert not full.from_cache
    read = 0
    original = crossdoc.needed

    last: set[int] = set()

    def counting(*args, **kwargs):
        last.clear()
        last.update(original(*args, **kwargs))
        return last

    monkeypatch.setattr(crossdoc, "needed", counting)
    for path in changed:
        name = path.relative_to(project).as_posix()
        alone = execute(prepare(RunOptions(paths=(name,), plan_set_only=True)))
        read += len(last)  # the last round's: every file the cross-document rules read
        assert alone.checked == [name]
        assert not alone.from_cache
        assert alone.diagnostics == [d for d in full.diagnostics if d.file == name], name
        assert alone.relations is not None and full.relations is not None
        assert alone.relations.unchecked == full.relations.unchecked_in(name), name
        assert alone.relations.checked_by_file.get(name) == full.relations.checked_by_file.get(name), name
    return read


@pytest.mark.slow
def test_one_file_reported_finds_what_the_full_run_finds_on_it_in_plans(tmp_path, monkeypatch):
    project = _project(tmp_path, ROOT / "plans")
    files = sorted((project / "plans").rglob("*.yaml"))
    read = _differential(project, files, monkeypatch)
    assert 0 < read < len(files) * len(files), "every run read the whole plan set"


def _inject(text: str, fault: str) -> str:
    """A realistic cross-document fault in a generated file's text."""
    if fault == "title":  # one part of a document with another header (DOC003)
        return re.sub(r"^(  title: .*)$", r"\1（改訂版）", text, count=1, flags=re.MULTILINE)
    if fault == "unit":  # a shared key stated in another unit (UNIT004)
        return re.sub(r"^(\s+unit: )ha$", r"\1a", text, count=1, flags=re.MULTILINE)
    if fault == "actual":  # an observed value restated differently (XDOC001)
        return re.sub(r"(actuals: \{[^:}]+: )(\d+)", lambda m: m[1] + str(int(m[2]) + 1), text, count=1)
    raise AssertionError(fault)


@pytest.mark.slow
def test_one_file_reported_finds_what_the_full_run_finds_on_it_in_a_generated_corpus(tmp_path, monkeypatch):
    from bench.corpus import generate

    corpus = tmp_path / "corpus"
    paths = sorted(generate(corpus / "plans", files=120, seed=3))
    faulty = []
    for index, fault in zip(range(0, len(paths), 9), ["title", "unit", "actual"] * 5, strict=False):
        text = paths[index].read_text(encoding="utf-8")
        changed = _inject(text, fault)
        if changed != text:
            paths[index].write_text(changed, encoding="utf-8")
            faulty.append(paths[index])
    assert len(faulty) >= 5
    project = _project(tmp_path, corpus / "plans")
    files = sorted((project / "plans").rglob("*.yaml"))
    sample = sorted({*[project / "plans" / path.relative_to(corpus / "plans") for path in faulty],
                     *files[::7]})
    execute(prepare(RunOptions(paths=("plans",), no_cache=True)))  # the corpus loads at all
    read = _differential(project, sample, monkeypatch)
    assert read < len(sample) * len(files) / 4, "the runs read most of the plan set"
    monkeypatch.chdir(project)
    full = execute(prepare(RunOptions(no_cache=True)))
    across = {"DOC003", "UNIT004", "XDOC001", "XDOC002"}
    assert {d.code for d in full.diagnostics} & across, "no injected fault was found across documents"


def _full_run(tmp_path: Path, monkeypatch):
    """plans/ copied into a project, run whole with a cache of its own: (project, cache, result)."""
    project = _project(tmp_path, ROOT / "plans")
    monkeypatch.chdir(project)
    cache = project.parent / "cache"
    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(cache))
    return project, cache, execute(prepare(RunOptions()))


def test_a_tampered_index_is_a_miss_and_the_findings_stay_exact(tmp_path, monkeypatch):
    _, cache, full = _full_run(tmp_path, monkeypatch)
    [entry] = [path for path in (cache / "index").rglob("*") if path.is_file()]


    # the entry's own signature over another index, in which no file is related to any other:
    # were it believed, the FIG007 across documents below would be lost
    blob = entry.read_bytes()
    planted = pickle.loads(blob[32:])
    assert planted["files"]
    planted["files"] = {key: ((), (), (), ()) for key in planted["files"]}
    entry.write_bytes(blob[:32] + pickle.dumps(planted))
    name = "plans/kodaira/policy-evaluation-r4/theme-22-commerce-tourism.yaml"  # FIG007 across documents
    alone = execute(prepare(RunOptions(paths=(name,), plan_set_only=True)))
    assert alone.diagnostics == [d for d in full.diagnostics if d.file == name]
    assert "FIG007" in {d.code for d in alone.diagnostics}


def _tokens_of(store: crossdoc.IndexStore, index: dict | None) -> dict:
    """An index of token numbers as the tokens themselves."""
    assert index is not None
    return {grouping: tuple(store.tokens[number] for number in numbers) for grouping, numbers in index.items()}


def test_a_run_that_changed_a_few_indices_writes_only_those_beside_the_base():
    from checker.cache import MemoryCache

    cache = MemoryCache("test")
    key = cache.key("crossdoc", "project")
    first = crossdoc.IndexStore(cache, key)
    first.index_from("a", {"document": ("p:a",), "keys": ("k:1",)})
    first.index_from("b", {"document": ("p:b",), "keys": ("k:1", "k:2")})
    first.save(["a", "b"])
    base = cache.get("index", key)
    assert set(base["files"]) == {"a", "b"}  # no base before: the whole entry

    second = crossdoc.IndexStore(cache, key)
    second.index_from("c", {"document": ("p:c",), "keys": ("k:2", "k:new")})  # tokens the base does not hold
    second.save(["a", "b", "c"])
    assert cache.get("index", key) == base  # the base as it was: only the delta written
    delta = cache.get("index", cache.key("crossdoc delta", key))
    assert delta["base"] == base["id"] and set(delta["files"]) == {"c"} and delta["tokens"] == ["p:c", "k:new"]

    third = crossdoc.IndexStore(cache, key)  # the base and its delta, read together
    assert _tokens_of(third, third.get("c")) == {"document": ("p:c",), "keys": ("k:2", "k:new")}
    assert _tokens_of(third, third.get("a")) == {"document": ("p:a",), "keys": ("k:1",)}
    third.save(["a", "c"])  # b is gone from the plan set
    fourth = crossdoc.IndexStore(cache, key)
    assert fourth.get("b") is None and fourth.get("c") is not None
    assert cache.get("index", key) == base

    # a delta that names another base is not read: its files are unknown, the base's known
    cache.put("index", cache.key("crossdoc delta", key), {**cache.get("index", cache.key("crossdoc delta", key)),
                                                         "base": "another"})
    fifth = crossdoc.IndexStore(cache, key)
    assert fifth.get("c") is None and fifth.get("b") is not None


def test_many_changed_indices_write_the_base_again_and_the_old_delta_no_longer_applies():
    from checker.cache import MemoryCache

    cache = MemoryCache("test")
    key = cache.key("crossdoc", "project")
    store = crossdoc.IndexStore(cache, key)
    for number in range(100):
        store.index_from(f"f{number}", {"document": (f"p:{number}",)})
    store.save([f"f{number}" for number in range(100)])
    old_id = cache.get("index", key)["id"]
    store = crossdoc.IndexStore(cache, key)
    store.index_from("g0", {"document": ("p:g0",)})
    store.save([*(f"f{number}" for number in range(100)), "g0"])  # one of 101: a delta
    assert cache.get("index", key)["id"] == old_id
    store = crossdoc.IndexStore(cache, key)
    for number in range(1, 40):  # 40 more: past a tenth of the files, the base is written again
        store.index_from(f"g{number}", {"document": (f"p:g{number}",)})
    store.save([*(f"f{number}" for number in range(100)), *(f"g{number}" for number in range(40))])
    rewritten = cache.get("index", key)
    assert rewritten["id"] != old_id and len(rewritten["files"]) == 140
    reread = crossdoc.IndexStore(cache, key)
    assert all(reread.get(f"g{number}") is not None for number in range(40))


def test_the_hooks_run_leaves_the_indexs_base_as_the_full_run_wrote_it(tmp_path, monkeypatch):
    project, cache, full = _full_run(tmp_path, monkeypatch)
    [base] = [path for path in (cache / "index").rglob("*") if path.is_file()]
    written = base.read_bytes()
    name = "plans/kodaira/policy-evaluation-r4/theme-22-commerce-tourism.yaml"  # FIG007 across documents
    with open(project / name, "a", encoding="utf-8") as plan:
        plan.write("# edited\n")  # new bytes, the same findings
    alone = execute(prepare(RunOptions(paths=(name,), plan_set_only=True)))
    assert alone.diagnostics == [d for d in full.diagnostics if d.file == name]
    entries = [path for path in (cache / "index").rglob("*") if path.is_file()]
    assert len(entries) == 2 and base.read_bytes() == written  # the delta beside the base
