"""Mutation testing: change one number of a plan file and see whether plancheck reports it.

`mutate` raises the number at a model path by 10 % (at least one unit of its last stated
digit), keeping its written form (digit grouping, decimals, the rest of the scalar).
`mutate_each_number` does that to every number of a file in turn (or those a predicate
picks) and says which changes no new finding points at: the measure of "changing any
single related number is detected" for a fixture whose numbers all take part in a
relation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from checker.engine import Engine
from checker.loader import LoadedFile
from checker.model import iter_cells
from checker.values import Number, format_decimal
from tests.conftest import load_plan_text

_NUMBER_RE = re.compile(r"\d[\d,]*(?:\.\d+)?")


def mutate(text: str, loaded: LoadedFile, path: tuple) -> tuple[str, int]:
    """The file text with the number at `path` raised by 10 % (at least one step)."""
    span = loaded.span_of(path)
    assert span is not None and span.line == span.end_line, path
    lines = text.split("\n")
    line = lines[span.line - 1]
    start, end = span.column - 1, span.end_column - 1
    scalar = line[start:end]
    match = _NUMBER_RE.search(scalar)
    assert match, (path, scalar)
    written = match.group()
    value = Decimal(written.replace(",", ""))
    places = len(written.partition(".")[2])
    step = Decimal(1).scaleb(-places)
    delta = max(step, (abs(value) / 10).quantize(step))
    new = format_decimal(value + delta, places)
    if "," not in written:
        new = new.replace(",", "")
    lines[span.line - 1] = line[:start] + scalar[:match.start()] + new + scalar[match.end():] + line[end:]
    return "\n".join(lines), span.line


def key_of(diagnostic):
    return (diagnostic.code, diagnostic.file, diagnostic.span, diagnostic.message.get("en"))


def points_at(diagnostic, file: str, line: int) -> bool:
    if diagnostic.file == file and diagnostic.span.line == line:
        return True
    return any(related.location.file == file and span.line == line for related, span in diagnostic.related)



@dataclass
class MutationReport:
    tried: list[tuple] = field(default_factory=list)
    missed: list[tuple] = field(default_factory=list)

    @property
    def detected(self) -> Decimal:
        return Decimal(len(self.tried) - len(self.missed)) / len(self.tried) if self.tried else Decimal(0)

    def __str__(self) -> str:
        lines = [f"mutations: {len(self.tried)}, detected: {len(self.tried) - len(self.missed)} ({self.detected:.1%})"]
        lines += [f"  missed: {path}" for path in self.missed]
        return "\n".join(lines)


def mutate_each_number(ruleset, path: Path, picks: Callable[[tuple, Number], bool] = lambda path, cell: True,
                       others: Sequence[LoadedFile] = ()) -> MutationReport:
    """Every number of the plan file at `path` (that `picks` selects) raised on its own; a
    mutation is detected when a finding that the unchanged file does not have points at
    the changed line (as its location or a related one). `others` are checked with it (the
    rest of a plan set, for relations across documents)."""
    text = path.read_text(encoding="utf-8")
    name = path.name
    engine = Engine(ruleset)
    loaded = load_plan_text(text, name)
    assert loaded.model is not None, loaded.findings
    baseline = {key_of(d) for d in engine.run([loaded, *others])}
    report = MutationReport()
    for cell_path, cell in iter_cells(loaded.model):
        if not isinstance(cell, Number) or not picks(cell_path, cell):
            continue
        report.tried.append(cell_path)
        mutated_text, line = mutate(text, loaded, cell_path)
        mutated = load_plan_text(mutated_text, name)
        new = [d for d in engine.run([mutated, *others]) if key_of(d) not in baseline]
        if not any(points_at(d, name, line) for d in new):
            report.missed.append(cell_path)
    return report
