"""What every file gives on its own is what it gave before the per-file phase was made
cheaper (the readers' memos, the engine's shared selections): the same diagnostics, spans,
messages, numbers, fixes, relations and models, file by file, on generated corpora, on
plans/ and the fixtures, and on plans/ with one number changed (tests/engine_snapshot.py
says how the snapshot is taken, and taken again when a change means to change it)."""

from __future__ import annotations

import json

from tests.engine_snapshot import ROOT, snapshot

STORED = ROOT / "tests" / "data" / "engine_snapshot.json"


def test_every_file_gives_what_the_snapshot_says():
    stored = json.loads(STORED.read_text(encoding="utf-8"))
    taken = snapshot()
    assert sorted(taken) == sorted(stored)
    for corpus, files in stored.items():
        assert sorted(taken[corpus]) == sorted(files), corpus
        differ = {name: (line, taken[corpus][name]) for name, line in files.items() if taken[corpus][name] != line}
        assert not differ, f"{corpus}: {len(differ)} files give something else: " + "\n".join(
            f"{name}\n  was {was}\n  now {now}" for name, (was, now) in list(differ.items())[:10])
