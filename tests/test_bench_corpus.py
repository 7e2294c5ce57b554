"""The benchmark's corpus (bench/corpus.py): deterministic, one directory per municipality
whose documents share keys no other municipality uses, and cross-document faults that
are each found by a full run at the file, line and code generate() states, and add
nothing else (the differential tests of the cross-document index rely on them)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bench.corpus import CROSS_CODES, generate, write_config
from checker.run import RunOptions, run

FILES = 80  # three whole municipalities and part of a fourth
FAULTS = 6


def _findings(project: Path, monkeypatch) -> set[tuple[str, str, int]]:
    """(file, code, line) of every finding of a full run over the project's plans."""
    monkeypatch.chdir(project)
    result = run(RunOptions(no_cache=True, parallel=False, lang="en"))
    return {(diagnostic.file, diagnostic.code, diagnostic.span.line) for diagnostic in result.diagnostics}


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    """The same corpus twice: without and with the cross-document faults."""
    clean, faulty = tmp_path_factory.mktemp("clean"), tmp_path_factory.mktemp("faulty")
    plain = generate(clean / "plans", files=FILES, seed=4)
    injected = generate(faulty / "plans", files=FILES, seed=4, faults=FAULTS)
    for project in (clean, faulty):
        write_config(project)
    return clean, plain, faulty, injected


def test_the_cross_document_faults_are_the_codes_in_turn_at_files_of_the_corpus(corpora):
    clean, plain, faulty, injected = corpora
    cross = [fault for fault in injected.faults if fault.cross]
    assert len(cross) == FAULTS
    assert Counter(fault.code for fault in cross) == Counter({code: FAULTS // len(CROSS_CODES) for code in CROSS_CODES})
    assert all(fault.path in injected and fault.line and fault.line > 1 for fault in cross)
    # the per-file faults are the corpus's own, the same with or without the cross ones
    assert [(f.path.relative_to(faulty), f.code) for f in injected.faults if not f.cross] == \
        [(f.path.relative_to(clean), f.code) for f in plain.faults]


def test_only_the_files_named_change(corpora):
    clean, plain, faulty, injected = corpora
    named = {fault.path.relative_to(faulty) for fault in injected.faults if fault.cross}
    changed = {path.relative_to(faulty) for before, path in zip(plain, injected)
               if before.read_bytes() != path.read_bytes()}
    assert [path.relative_to(clean) for path in plain] == [path.relative_to(faulty) for path in injected]
    assert changed == named


@pytest.mark.slow
def test_a_full_run_finds_each_injected_fault_at_its_file_line_and_code_and_nothing_else(corpora, monkeypatch):
    clean, _, faulty, injected = corpora
    before, after = _findings(clean, monkeypatch), _findings(faulty, monkeypatch)
    expected = {(fault.path.relative_to(faulty).as_posix(), fault.code, fault.line)
                for fault in injected.faults if fault.cross}
    assert after - before == expected
    assert before <= after
    # and the corpus's per-file faults are found where generate() says
    assert {(fault.path.relative_to(faulty).as_posix(), fault.code) for fault in injected.faults if not fault.cross} \
        <= {(file, code) for file, code, _ in after}


def test_keys_are_shared_within_a_municipality_never_across(corpora):
    clean, plain, _, _ = corpora
    files: dict[str, set[Path]] = {}  # key -> the files stating it
    for path in plain:
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.strip().removeprefix("- ")
            if text.startswith("key: ") and "/" in text:
                files.setdefault(text.split()[1], set()).add(path.relative_to(clean))
    cities = {key: {path.parts[1] for path in paths} for key, paths in files.items()}
    assert cities and all(len(owners) == 1 and key.split("/")[0] in owners for key, owners in cities.items())
    # and the documents of a city do share them: what cross-document rules compare
    assert sum(1 for paths in files.values() if len({path.parts[2] for path in paths}) > 1) > 20


def test_generation_is_deterministic_and_refuses_a_directory_with_plans(tmp_path):
    first = generate(tmp_path / "a", files=40, seed=2, faults=2)
    second = generate(tmp_path / "b", files=40, seed=2, faults=2)
    assert [path.read_bytes() for path in first] == [path.read_bytes() for path in second]
    assert [(f.code, f.line) for f in first.faults] == [(f.code, f.line) for f in second.faults]
    with pytest.raises(FileExistsError):
        generate(tmp_path / "a", files=1)
    with pytest.raises(ValueError, match="faults"):
        generate(tmp_path / "c", files=10, faults=-1)


@pytest.mark.parametrize(("value", "expected"), [("1", 1), ("2", 2), (" 3 ", 3), ("99", 8), ("0", None), ("-1", None),
                                                 ("two", None), ("２", None), ("", None)])
def test_plancheck_workers_sets_the_worker_count_the_benchmark_compares(monkeypatch, value, expected):
    """PLANCHECK_WORKERS (the benchmark's 1 against 2 workers): a whole number from 1, at
    most PARALLEL_MAX_WORKERS; anything else leaves one per core."""
    import os

    from checker import run as run_module

    monkeypatch.setenv("PLANCHECK_WORKERS", value)
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert run_module.worker_count() == (6 if expected is None else expected)


def test_the_readme_table_is_generated_from_results_json():
    """README.md's benchmark table is bench/results.json's, as bench/readme.py writes it
    (make bench writes both; a hand edit of either fails here)."""
    import json

    from bench.readme import BEGIN, END, README, RESULTS, table

    text = README.read_text(encoding="utf-8")
    assert f"{BEGIN}\n{table(json.loads(RESULTS.read_text(encoding='utf-8')))}\n{END}" in text


def test_the_corpus_as_a_git_repository_keeps_every_plan_and_ignores_what_its_gitignore_names(tmp_path):
    """The pre-commit figure is of a repository with a real `.gitignore`: it must skip only
    what it names (a scratch directory, build output), never a plan of the corpus."""
    from bench.corpus import write_repository
    from checker.discovery import EXCLUDED, GITIGNORED, discover
    from checker.run import resolve

    made = generate(tmp_path / "plans", files=12, seed=2)
    write_config(tmp_path)
    write_repository(tmp_path)
    city = made[0].relative_to(tmp_path).parts[1]
    for extra in (f"plans/{city}/scratch/draft.yaml", "build/plan.yaml", f"plans/{city}/notes.tmp.yaml"):
        (tmp_path / extra).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / extra).write_bytes(made[0].read_bytes())
    found = discover([str(tmp_path)], resolve(RunOptions(paths=(str(tmp_path),), no_cache=True)))
    assert (tmp_path / ".git").is_dir()
    assert sorted(found.checked) == sorted([*made, tmp_path / f"plans/{city}/notes.tmp.yaml"])
    skipped = {skip.path.relative_to(tmp_path).as_posix(): skip.kind for skip in found.skipped}
    assert skipped[f"plans/{city}/scratch"] == GITIGNORED
    assert skipped["build"] in (GITIGNORED, EXCLUDED)  # the default exclusions name it too, and come first
