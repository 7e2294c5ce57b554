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

FILES = 130  # five whole municipalities and part of a sixth
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
    owners: dict[str, set[str]] = {}
    for path in plain:
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.strip().removeprefix("- ")
            if text.startswith("key: ") and "/" in text:
                key = text.split()[1]
                owners.setdefault(key, set()).add(path.relative_to(clean).parts[1])
    assert owners and all(len(cities) == 1 and key.split("/")[0] in cities for key, cities in owners.items())
    assert sum(1 for key in owners if len({p for p in plain if f"key: {key}" in p.read_text(encoding="utf-8")}) > 1) > 20


def test_generation_is_deterministic_and_refuses_a_directory_with_plans(tmp_path):
    first = generate(tmp_path / "a", files=40, seed=2, faults=2)
    second = generate(tmp_path / "b", files=40, seed=2, faults=2)
    assert [path.read_bytes() for path in first] == [path.read_bytes() for path in second]
    assert [(f.code, f.line) for f in first.faults] == [(f.code, f.line) for f in second.faults]
    with pytest.raises(FileExistsError):
        generate(tmp_path / "a", files=1)
    with pytest.raises(ValueError, match="faults"):
        generate(tmp_path / "c", files=10, faults=-1)
