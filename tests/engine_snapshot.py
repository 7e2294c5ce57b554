"""What each file gives on its own, in full (each file of generated corpora, of plans/, of
the YAML fixtures under tests/data/, and of plans/ with one number changed, every
MUTATE_EVERYth number in turn): its diagnostics (code,
span, messages in both languages, numbers, fix, model path), the relations its rules
checked, could not check (where, which rules, why) and found not applicable, and a digest
of its model (every field of every value as read). tests/test_engine_snapshot.py compares
a run with the snapshot stored in tests/data/engine_snapshot.json, taken before the
per-file phase was made cheaper: any change to what a file gives shows there, file by file.

When a change is meant to change what files give (a new rule, a corpus that changed), take
the snapshot again and look at its diff:

    python -m tests.engine_snapshot tests/data/engine_snapshot.json
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# (files, seed) of each corpus: every kind of document bench/corpus.py writes, with its faults
CORPORA = ((160, 11), (160, 12))
MUTATE_EVERY = 9


def plain(value: Any) -> Any:
    """A model (or any value in it) as JSON data, every field kept: a cell's number, places,
    unit, marks and flags, not only the text it serialises to."""
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        return {"": type(value).__name__, **{name: plain(getattr(value, name)) for name in type(value).model_fields}}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"": type(value).__name__,
                **{field.name: plain(getattr(value, field.name)) for field in dataclasses.fields(value)}}
    if isinstance(value, dict):
        return [[plain(key), plain(item)] for key, item in value.items()]
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    return value


def given(engine: Any, loaded: Any) -> dict[str, Any]:
    """Everything the file gives on its own (`Engine.file_diagnostics`), as JSON data."""
    diagnostics = engine.file_diagnostics(loaded)
    relations = loaded.relations
    return {
        "diagnostics": [{**diagnostic.to_json(), "path": plain(diagnostic.path)} for diagnostic in diagnostics],
        "checked": relations.checked,
        "not_applicable": relations.not_applicable,
        "unchecked": [relation.to_json() for relation in relations.unchecked],
        "model": plain(loaded.model),
    }


def file_snapshot(engine: Any, loaded: Any) -> str:
    """A line of what the file gives (each diagnostic's code and place, the relations'
    counts) and the digest of all of it (`given`): the line shows what moved, the digest
    that anything did."""
    data = given(engine, loaded)
    places = " ".join(f"{d['code']}@{d['line']}:{d['column']}" for d in data["diagnostics"])
    digest = hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True, default=repr).encode()).hexdigest()
    return (f"{places or '-'} | checked {data['checked']}, unchecked {len(data['unchecked'])}, "
            f"not applicable {data['not_applicable']} | {digest[:20]}")


def snapshot() -> dict[str, Any]:
    """{corpus: {file: what it gives}} over CORPORA, with the recommended ruleset."""
    from bench.corpus import generate
    from checker.engine import Engine
    from checker.loader import LoadedFile, load_file, load_text
    from checker.model import iter_cells
    from checker.rules import load_ruleset
    from checker.values import Number
    from tests.mutation import mutate

    engine = Engine(load_ruleset("recommended"))
    taken: dict[str, Any] = {}
    fixtures = sorted([*(ROOT / "plans").rglob("*.yaml"), *(ROOT / "tests" / "data").rglob("*.yaml")])
    taken["fixtures"] = {path.relative_to(ROOT).as_posix(): file_snapshot(
        engine, load_file(path, path.relative_to(ROOT).as_posix())) for path in fixtures}
    taken["mutated"] = mutated = {}
    for path in sorted((ROOT / "plans").rglob("*.yaml")):
        name = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        loaded = load_text(LoadedFile(path=Path(name), name=name), text)
        numbers = [cell_path for cell_path, cell in iter_cells(loaded.model) if isinstance(cell, Number)]
        for cell_path in numbers[::MUTATE_EVERY]:
            changed, line = mutate(text, loaded, cell_path)
            mutated[f"{name}:{line}"] = file_snapshot(engine, load_text(LoadedFile(path=Path(name), name=name), changed))
    with tempfile.TemporaryDirectory(prefix="plancheck-snapshot-") as directory:
        for files, seed in CORPORA:
            root = Path(directory) / f"c{files}-{seed}"
            generate(root / "plans", files=files, seed=seed)
            taken[f"{files}-{seed}"] = {
                path.relative_to(root).as_posix(): file_snapshot(
                    engine, load_file(path, path.relative_to(root).as_posix()))
                for path in sorted((root / "plans").rglob("*.yaml"))}
    return taken


if __name__ == "__main__":
    Path(sys.argv[1]).write_text(json.dumps(snapshot(), ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                 encoding="utf-8")
