"""The thin main process of a cold full run (checker/run.py `_thin_check`): the workers parse
and check each file, keep its entry in the cache and send back a record; the rules across
documents run per connected component in the workers again. These tests hold it to the
old path's results exactly (diagnostics with their spans and messages, relations checked
and not, sources, notes) over plans/ and a generated corpus with two workers forced, and
check that the main process never unpickles a plan model."""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
from pathlib import Path

import pytest

from checker import crossdoc, run
from checker.run import RunOptions, execute, prepare
from tests.conftest import ROOT


def _project(tmp_path: Path, plans: Path, config: str = "") -> Path:
    project = tmp_path / "project"
    shutil.copytree(plans, project / "plans")
    (project / "plancheck.toml").write_text('plans = ["plans"]\n' + config, encoding="utf-8")
    return project


@pytest.fixture
def two_workers(monkeypatch):
    """Two worker processes whatever the machine has, and for a plan set as small as plans/."""
    monkeypatch.setenv("PLANCHECK_WORKERS", "2")
    monkeypatch.setattr(run, "PARALLEL_MIN_FILES", 2)


class _Spy:
    """Counts the thin runs (and lets a test make a run take the old path)."""

    def __init__(self, monkeypatch) -> None:
        self.thin = 0
        self.allow = True
        real = run._thin_applies

        def applies(*args):
            chosen = self.allow and real(*args)
            self.thin += chosen
            return chosen

        monkeypatch.setattr(run, "_thin_applies", applies)


def _cold(project: Path, monkeypatch, spy: _Spy, thin: bool, cache: str, **options):
    monkeypatch.chdir(project)
    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(project.parent / cache))
    spy.allow = thin
    before = spy.thin
    result = execute(prepare(RunOptions(**options)))
    assert not result.from_cache
    assert spy.thin == before + thin, "the run did not take the path asked for"
    return result


def _same(old, new) -> None:
    assert new.diagnostics == old.diagnostics
    assert [d.span for d in new.diagnostics] == [d.span for d in old.diagnostics]
    assert new.relations == old.relations
    assert new.relations.checked == old.relations.checked and new.relations.checked > 0
    assert new.sources == old.sources
    assert new.notes == old.notes
    assert new.checked == old.checked


@pytest.mark.parametrize("config", ["", 'plan-sets = ["plans/*"]\n'], ids=["one plan set", "plan-sets"])
def test_the_thin_run_finds_exactly_what_the_old_path_finds_in_plans(tmp_path, monkeypatch, two_workers, config):
    project = _project(tmp_path, ROOT / "plans", config)
    spy = _Spy(monkeypatch)
    old = _cold(project, monkeypatch, spy, False, "old-cache")
    new = _cold(project, monkeypatch, spy, True, "new-cache")
    _same(old, new)
    assert {"FIG007", "XDOC001"} & {d.code for d in new.diagnostics}, "no finding across documents to compare"
    # what the thin run kept answers the next run, and a file reported alone from it
    again = execute(prepare(RunOptions()))
    assert again.from_cache and again.diagnostics == old.diagnostics
    name = "plans/kodaira/policy-evaluation-r4/theme-22-commerce-tourism.yaml"
    alone = execute(prepare(RunOptions(paths=(name,), plan_set_only=True)))
    assert alone.diagnostics == [d for d in old.diagnostics if d.file == name]


def _corpus(tmp_path: Path) -> Path:
    """A few hundred generated files of several municipalities, with faults across
    documents, a suppression comment, a file that does not parse and one not in UTF-8."""
    from bench.corpus import generate

    source = tmp_path / "corpus" / "plans"
    paths = sorted(generate(source, files=240, seed=5, faults=6))
    assert len({path.relative_to(source).parts[0] for path in paths}) >= 3, "one municipality only"
    text = paths[3].read_text(encoding="utf-8")
    paths[3].write_text(text.replace("\n", "  # plancheck: ignore[DOC003] 改訂中\n", 1), encoding="utf-8")
    (source / paths[0].relative_to(source).parts[0] / "broken.yaml").write_text(
        "plan: {id: x\n  # plancheck: ignore[TOT001] なし\n", encoding="utf-8")
    (source / paths[0].relative_to(source).parts[0] / "sjis.yaml").write_bytes("plan: {id: 小平}\n".encode("cp932"))
    return source


@pytest.mark.slow
@pytest.mark.parametrize("config", ["", 'plan-sets = ["plans/*"]\n'], ids=["one plan set", "plan-sets"])
def test_the_thin_run_finds_exactly_what_the_old_path_finds_in_a_generated_corpus(tmp_path, monkeypatch,
                                                                                 two_workers, config):
    project = _project(tmp_path, _corpus(tmp_path), config)
    spy = _Spy(monkeypatch)
    old = _cold(project, monkeypatch, spy, False, "old-cache")
    new = _cold(project, monkeypatch, spy, True, "new-cache")
    _same(old, new)
    codes = {d.code for d in new.diagnostics}
    assert {"XDOC001", "XDOC002", "UNIT004"} & codes, "no injected fault across documents was found"
    assert {"LOAD001", "LOAD002", "SUP001"} <= codes, codes  # the broken file's suppression too


def test_one_process_gives_the_same_component_by_component(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANCHECK_WORKERS", "1")
    monkeypatch.setattr(run, "PARALLEL_MIN_FILES", 2)
    project = _project(tmp_path, ROOT / "plans")
    spy = _Spy(monkeypatch)
    _same(_cold(project, monkeypatch, spy, False, "old-cache"), _cold(project, monkeypatch, spy, True, "new-cache"))


def test_the_main_process_never_unpickles_a_plan_model(tmp_path, monkeypatch, two_workers):
    from checker.model import PlanFile, build_validator

    build_validator(None)
    main = os.getpid()
    unpickled = []
    # a pydantic model is unpickled through __setstate__; a forked worker counts in its own copy
    real = PlanFile.__setstate__

    def counting(self, state):
        if os.getpid() == main:
            unpickled.append(self)
        return real(self, state)

    monkeypatch.setattr(PlanFile, "__setstate__", counting)
    project = _project(tmp_path, ROOT / "plans")
    spy = _Spy(monkeypatch)
    new = _cold(project, monkeypatch, spy, True, "cache")
    assert new.diagnostics and unpickled == []
    # the old path over the same warm entries does unpickle them here: the count can see it
    (project / "plans" / "kodaira" / "touched.yaml").write_text("plan: {id: x}\n", encoding="utf-8")
    _cold(project, monkeypatch, spy, False, "cache")
    assert len(unpickled) > 20


def test_entries_the_workers_could_not_keep_are_sent_and_the_findings_stay_exact(tmp_path, monkeypatch, two_workers):
    from checker.cache import Cache

    project = _project(tmp_path, ROOT / "plans")
    spy = _Spy(monkeypatch)
    old = _cold(project, monkeypatch, spy, False, "old-cache")
    monkeypatch.setattr(Cache, "put_pickled", lambda self, kind, key, payload: False)  # a full disk
    _same(old, _cold(project, monkeypatch, spy, True, "new-cache"))


def test_entries_gone_before_the_second_phase_are_checked_again(tmp_path, monkeypatch):
    # in one process, so that the entries can be removed between the phases
    monkeypatch.setenv("PLANCHECK_WORKERS", "1")
    monkeypatch.setattr(run, "PARALLEL_MIN_FILES", 2)
    project = _project(tmp_path, ROOT / "plans")
    spy = _Spy(monkeypatch)
    old = _cold(project, monkeypatch, spy, False, "old-cache")
    real = crossdoc.components

    def after_removing_entries(*args, **kwargs):
        shutil.rmtree(project.parent / "new-cache" / "file")
        return real(*args, **kwargs)

    monkeypatch.setattr(crossdoc, "components", after_removing_entries)
    _same(old, _cold(project, monkeypatch, spy, True, "new-cache"))


def test_a_check_across_documents_that_fails_fails_over_the_whole_plan_set_as_before(tmp_path, monkeypatch,
                                                                                     two_workers):
    from checker.functions import FUNCTIONS, load_builtin_functions

    load_builtin_functions()
    spec = FUNCTIONS["document_headers"]

    def failing(target, options):
        # only where one city's files are: over a component of the other city it runs
        if any("koganei" in loaded.name for loaded in target.node):
            raise RuntimeError("a bug in the check")
        yield from spec.run(target, options)

    monkeypatch.setitem(FUNCTIONS, "document_headers", dataclasses.replace(spec, run=failing))
    project = _project(tmp_path, ROOT / "plans")
    spy = _Spy(monkeypatch)
    old = _cold(project, monkeypatch, spy, False, "old-cache")
    new = _cold(project, monkeypatch, spy, True, "new-cache")
    _same(old, new)
    [internal] = [d for d in new.diagnostics if d.code == "INT001"]
    assert internal.file == min(new.checked)  # the plan set's first file, as a full run reports it


def test_a_worker_that_dies_in_the_second_phase_loses_no_file(tmp_path, monkeypatch, two_workers):
    from checker.functions import FUNCTIONS, load_builtin_functions

    load_builtin_functions()
    spec = FUNCTIONS["document_headers"]
    main, marker = os.getpid(), tmp_path / "killed"

    def dying(target, options):
        if os.getpid() != main and not marker.exists():
            marker.touch()
            os.kill(os.getpid(), signal.SIGKILL)
        yield from spec.run(target, options)

    project = _project(tmp_path, ROOT / "plans")
    spy = _Spy(monkeypatch)
    old = _cold(project, monkeypatch, spy, False, "old-cache")
    monkeypatch.setitem(FUNCTIONS, "document_headers", dataclasses.replace(spec, run=dying))
    new = _cold(project, monkeypatch, spy, True, "new-cache")
    assert marker.exists(), "no worker was killed"
    assert new.diagnostics == old.diagnostics and new.relations == old.relations
    assert [note.en for note in new.notes if "worker process ended" in note.en]


def test_components_are_what_needed_gives_each_of_their_files():
    indices: list[crossdoc.Index] = [
        {"document": ("p:a",), "keys": ("k:1",)},
        {"document": ("p:b",), "keys": ("k:1", "k:2")},
        {"document": ("p:c",), "keys": ("k:2",), "figure_plans": ("p:nowhere",)},
        {"document": ("p:d",), "keys": ("k:3",)},
        {},  # no model
        {"document": ("p:a",)},  # a second file of document a
        {"document": ("p:e",), "figure_plans": ("p:d",)},
    ]
    for used in [("document", "keys", "figure_plans"), ("document",), ("keys",), (), None]:
        for groups in [None, ["s", "s", "s", "t", "t", "s", "t"]]:
            found = crossdoc.components(indices, used, groups)
            assert sorted(position for files, _ in found for position in files) == list(range(len(indices)))
            for files, context in found:
                assert files == sorted(files) and context == sorted(context) and not set(files) & set(context)
                for position in files:
                    assert crossdoc.needed(indices, [position], used, groups) == {*files, *context}, (used, groups)


def test_one_process_holds_no_file_between_the_phases(tmp_path, monkeypatch):
    import gc
    import weakref

    monkeypatch.setenv("PLANCHECK_WORKERS", "1")
    monkeypatch.setattr(run, "PARALLEL_MIN_FILES", 2)
    parsed: list[weakref.ref] = []
    real_parse = run._parse_and_check

    def parse(*args):
        loaded, own = real_parse(*args)
        parsed.append(weakref.ref(loaded))
        return loaded, own

    alive: list[int] = []
    real_components = crossdoc.components

    def components(*args, **kwargs):
        gc.collect()
        alive.append(sum(ref() is not None for ref in parsed))
        return real_components(*args, **kwargs)

    monkeypatch.setattr(run, "_parse_and_check", parse)
    monkeypatch.setattr(crossdoc, "components", components)
    project = _project(tmp_path, ROOT / "plans")
    _cold(project, monkeypatch, _Spy(monkeypatch), True, "cache")
    assert len(parsed) == 30 and alive == [0], "the files parsed in phase 1 are still held"


@pytest.mark.slow
@pytest.mark.parametrize("once", [True, False], ids=["once", "every time"])
def test_a_worker_that_dies_in_the_first_phase_loses_no_file(tmp_path, monkeypatch, two_workers, once):
    from tests.test_processes import _kill_the_worker_checking

    victim = "plans/kodaira/policy-evaluation-r4/theme-22-commerce-tourism.yaml"
    project = _project(tmp_path, ROOT / "plans")
    spy = _Spy(monkeypatch)
    old = _cold(project, monkeypatch, spy, False, "old-cache")
    marker = tmp_path / "killed"
    _kill_the_worker_checking(monkeypatch, victim, marker=marker if once else None)
    new = _cold(project, monkeypatch, spy, True, "new-cache")
    assert [note.en for note in new.notes if "worker process ended" in note.en]
    if once:
        assert marker.exists()
        assert new.diagnostics == old.diagnostics and new.relations == old.relations
        return
    # the victim is a LOAD017 and nothing else; every other file is checked as before (the
    # rules across documents without the victim's model, as a full run without it would)
    assert [(d.code, d.span.line) for d in new.diagnostics if d.file == victim] == [("LOAD017", 1)]
    others = {d.file for d in new.diagnostics} - {victim}
    assert others and others <= {d.file for d in old.diagnostics}
    assert not execute(prepare(RunOptions())).from_cache  # a run with a file not checked is not kept


def test_a_cache_opened_from_its_handle_shares_its_entries_and_never_follows_a_link(tmp_path):
    import pickle

    from checker.cache import Cache

    cache = Cache(tmp_path / "cache", "fingerprint")
    handle = cache.handle()
    assert cache._key.hex() not in repr(handle)
    reopened = pickle.loads(pickle.dumps(handle)).open()  # as a spawned worker gets it
    key = cache.key("file", "a.yaml", b"plan: {}")
    assert reopened.put_pickled("file", key, pickle.dumps("kept by the worker"))
    assert cache.get("file", key) == "kept by the worker"
    cache.put("file", cache.key("b"), "kept by the main process")
    assert reopened.get("file", cache.key("b")) == "kept by the main process"
    # the directory swapped for a link after the main process checked it: every entry a
    # miss, nothing written through the link
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "cache").rename(tmp_path / "moved")
    (tmp_path / "cache").symlink_to(elsewhere)
    swapped = handle.open()
    assert swapped.get("file", key) is None
    assert not swapped.put_pickled("file", key, pickle.dumps("x"))
    assert list(elsewhere.iterdir()) == []


def test_a_warm_thin_run_reads_each_files_record_and_unpickles_its_model_only_for_the_rules_across_documents(
        tmp_path, monkeypatch):
    from checker.model import PlanFile, build_validator

    monkeypatch.setenv("PLANCHECK_WORKERS", "1")  # in this process, where the unpickling is counted
    monkeypatch.setattr(run, "PARALLEL_MIN_FILES", 2)
    build_validator(None)
    unpickled = [0]
    real = PlanFile.__setstate__

    def counting(self, state):
        unpickled[0] += 1
        return real(self, state)

    monkeypatch.setattr(PlanFile, "__setstate__", counting)
    at_phase_2: list[int] = []
    real_components = crossdoc.components

    def components(*args, **kwargs):
        at_phase_2.append(unpickled[0])
        return real_components(*args, **kwargs)

    monkeypatch.setattr(crossdoc, "components", components)
    project = _project(tmp_path, ROOT / "plans")
    spy = _Spy(monkeypatch)
    old = _cold(project, monkeypatch, spy, False, "old-cache")
    _cold(project, monkeypatch, spy, True, "cache")
    changed = project / "plans" / "kodaira" / "touched.yaml"
    changed.write_text("plan: {id: x}\n", encoding="utf-8")  # the run's key is new; every other entry is kept
    unpickled[0] = 0
    warm = _cold(project, monkeypatch, spy, True, "cache")
    assert at_phase_2[-1] == 0, "phase 1 unpickled models it had records for"
    assert 20 < unpickled[0] <= 30  # phase 2: each file with a model once, and the context
    changed.unlink()
    assert [d for d in warm.diagnostics if d.file != "plans/kodaira/touched.yaml"] == old.diagnostics


def test_a_file_in_memory_is_checked_and_shown_from_its_text_in_a_thin_run(tmp_path, monkeypatch, two_workers):
    project = _project(tmp_path, ROOT / "plans")
    name = "plans/kodaira/policy-evaluation-r4/theme-22-commerce-tourism.yaml"
    text = (project / name).read_bytes()
    # another header in the editor's buffer only (DOC003 across the document's files): the
    # file on disk is not what is checked, nor what its lines are shown from
    edited = text.replace(b"title: ", b"title: x", 1) + b"# edited\n"
    assert edited != text
    spy = _Spy(monkeypatch)
    texts = ((str(project / name), edited),)
    old = _cold(project, monkeypatch, spy, False, "old-cache", texts=texts)
    new = _cold(project, monkeypatch, spy, True, "new-cache", texts=texts)
    _same(old, new)
    assert name in {d.file for d in new.diagnostics}
    assert new.sources[name] == edited.decode("utf-8").splitlines()


def _file_entries(cache: Path) -> set[str]:
    return {path.name for path in (cache / "file").rglob("*") if path.is_file()}


def test_a_cold_thin_run_keeps_one_cache_file_per_plan_file_with_its_record(tmp_path, monkeypatch, two_workers):
    project = _project(tmp_path, ROOT / "plans")
    spy = _Spy(monkeypatch)
    _cold(project, monkeypatch, spy, True, "cache")
    plans = sorted(project.glob("plans/**/*.yaml"))
    prepared = prepare(RunOptions())
    cache = run.open_cache(prepared.settings, prepared.ruleset)
    keys = {cache.key("file", path.relative_to(project).as_posix(), path.read_bytes()) for path in plans}
    entries = _file_entries(project.parent / "cache")
    assert keys <= entries
    # beside the plan files' entries only what every run keeps there (validators, the resolvers)
    assert all(isinstance(cache.get("file", other)[0], str) for other in entries - keys)
    for key in keys:
        kept = run._kept(cache, key)
        assert kept is not None
        record, payload = kept
        assert isinstance(record, run._Record) and isinstance(payload, bytes)
    # a warm run with one file changed reads the records where they are: one file more, the changed one's
    changed = project / "plans" / "kodaira" / "touched.yaml"
    changed.write_text("plan: {id: x}\n", encoding="utf-8")
    _cold(project, monkeypatch, spy, True, "cache")
    assert len(_file_entries(project.parent / "cache") - entries) == 1


def test_an_entry_is_never_kept_under_the_key_of_other_bytes(tmp_path, monkeypatch):
    # a file read again in a worker (its bytes went with a worker that died) had changed
    # since the run keyed it: checked from the bytes read, sent with its record, kept nowhere
    from checker.engine import Engine
    from checker.loader import LoadedFile

    project = _project(tmp_path, ROOT / "plans")
    monkeypatch.chdir(project)
    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(tmp_path / "cache"))
    prepared = prepare(RunOptions())
    cache, limits = run.open_cache(prepared.settings, prepared.ruleset), prepared.settings.limits
    name = "plans/kodaira/policy-evaluation-r4/theme-22-commerce-tourism.yaml"
    path = project / name
    original = path.read_bytes()
    key = cache.key("file", name, original)
    path.write_bytes(original.replace(b"title: ", b"title: x", 1))
    unread = run.Unread(path, name, limits, project, key)
    record = run._recorded(Engine(prepared.ruleset), cache, limits, LoadedFile(path=path, name=name), unread, key)
    assert record.differed and unread.differed
    assert record.payload is not None  # phase 2 checks it from what was read
    assert _file_entries(tmp_path / "cache") == set()
    assert run._kept(cache, key) is None
    # the same file unchanged is kept, with its record
    path.write_bytes(original)
    unread = run.Unread(path, name, limits, project, key)
    record = run._recorded(Engine(prepared.ruleset), cache, limits, LoadedFile(path=path, name=name), unread, key)
    assert not record.differed and record.payload is None
    kept = run._kept(cache, key)
    assert kept is not None and kept[0] == record
