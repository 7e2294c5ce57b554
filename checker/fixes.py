"""Fixes: rewrite a stated value a rule recomputed exactly, and nothing else.

Fixes are classified as ruff classifies them. A *safe* fix changes only what cannot carry
independent evidence (the quoting of a code whose digits YAML would lose). Rewriting a
printed figure (a 達成率, a ratio row, an outlook count) is *unsafe*: the printed figure may
be the right one and an operand the typo, and the rewrite would destroy the only evidence
of it. `--fix` applies safe fixes; `--unsafe-fixes` the rest too. A fix that makes another
relation fail (a 構成比 rounded so that its column totals 100.0, 端数調整) is not applied:
the files are checked again with the fixes in place, and a fix that brings a new finding
is refused.

A fix replaces the text of one scalar at its span, so comments, key order, quoting,
flow style and line endings stay as written (a splice is stricter than a YAML round
trip, which re-emits whole lines). The fixed text must load to a model again and state
the replacement at the same place, or the file is left untouched. Writes go through a
temporary file in the same directory and an atomic rename, keeping the permissions.
"""

from __future__ import annotations

import difflib
import os
import stat
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from checker.diagnostics import Diagnostic, Span
from checker.loader import Limits, LoadedFile, load_text

BOM = "\ufeff"


@dataclass
class FileFix:
    loaded: LoadedFile
    text: str  # the fixed text
    count: int  # values rewritten
    # each rewritten value: its span, its replacement, whether the fix is safe, and the code
    edits: list[tuple[Span, str, bool, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.text != self.loaded.text

    @property
    def unsafe(self) -> int:
        return sum(1 for _, _, safe, _ in self.edits if not safe)

    def diff(self) -> str:
        """A unified diff; each changed line says which rule's fix it is and whether that
        fix is safe (a `# plancheck:` note in the hunk header is not YAML, so it goes as
        a header line of its own before the hunk)."""
        from checker.report.safe import git_quoted, shown

        before = (self.loaded.text or "").splitlines(keepends=True)
        after = self.text.splitlines(keepends=True)
        name = self.loaded.name.lstrip("/")
        notes = "".join(f"# {shown(name)}:{span.line}: {shown(code)} fix ({'safe' if safe else 'unsafe'}): "
                        f"{shown(replacement)}\n" for span, replacement, safe, code in self.edits)
        # odd names quoted as git quotes them; a name with a space ends at a tab, as git's does
        old, new = (git_quoted(side + name) for side in ("a/", "b/"))
        tab = "\t" if " " in old else ""
        return notes + "".join(difflib.unified_diff(before, after, old + tab, new + tab))


class FixError(Exception):
    """A fix could not be applied safely; the file is left as it was."""


def scalar_text(lines: list[str], span: Span, replacement: str) -> str:
    """The text that replaces the scalar at `span`: `replacement`, quoted as the scalar was."""
    scalar = lines[span.line - 1][span.column - 1:span.end_column - 1] if span.line <= len(lines) else ""
    if len(scalar) >= 2 and scalar[0] in "\"'" and scalar[-1] == scalar[0]:
        return scalar[0] + replacement + scalar[0]
    return replacement


def _splice(lines: list[str], span: Span, replacement: str) -> None:
    if span.line != span.end_line:
        raise FixError(f"line {span.line}: a value over several lines is not rewritten")
    line = lines[span.line - 1]
    text = scalar_text(lines, span, replacement)
    lines[span.line - 1] = line[:span.column - 1] + text + line[span.end_column - 1:]


def plan_fixes(loaded: LoadedFile, diagnostics: list[Diagnostic], limits: Limits | None = None,
               unsafe: bool = False, refused: frozenset[Span] = frozenset()) -> FileFix:
    """The file's text with the fixes of `diagnostics` applied (the safe ones, or all with
    `unsafe`; none at a span in `refused`), checked by reloading."""
    fixes: dict[Span, tuple[str, bool, str]] = {}
    for diagnostic in diagnostics:
        if diagnostic.file != loaded.name or diagnostic.fix is None or diagnostic.fix_span is None:
            continue
        if not (diagnostic.fix.safe or unsafe) or diagnostic.fix_span in refused:
            continue
        previous = fixes.setdefault(diagnostic.fix_span, (diagnostic.fix.replacement, diagnostic.fix.safe,
                                                          diagnostic.code))
        if previous[0] != diagnostic.fix.replacement:
            raise FixError(f"{loaded.name}:{diagnostic.fix_span.line}: two rules disagree on the fix")
    if not fixes or loaded.text is None or loaded.model is None:
        return FileFix(loaded, loaded.text or "", 0)
    lines = loaded.text.split("\n")
    # right to left, bottom to top, so earlier spans stay where they were
    for span in sorted(fixes, key=lambda s: (s.line, s.column), reverse=True):
        _splice(lines, span, fixes[span][0])
    text = "\n".join(lines)
    check = load_text(LoadedFile(path=loaded.path, name=loaded.name), text, limits)
    if check.model is None or len(check.findings) > len(loaded.findings):
        raise FixError(f"{loaded.name}: the fixed text would not load; nothing was written")
    edits = [(span, replacement, safe, code) for span, (replacement, safe, code) in sorted(fixes.items())]
    return FileFix(loaded, text, len(fixes), edits)


def _finding_keys(diagnostics: list[Diagnostic], files: set[str]) -> Counter:
    return Counter((d.code, d.file, d.span.line) for d in diagnostics if d.file in files)


def verify_fixes(plans: list[FileFix], files: list[LoadedFile], check, limits: Limits | None = None,
                 unsafe: bool = False) -> tuple[list[FileFix], list[str]]:
    """The fixes that bring no new finding when the files are checked again with them in
    place, and a problem text for each fix refused. `check(files)` gives a run's
    diagnostics (the same engine and plan set). All fixes are tried together first; if
    that brings a new finding, each is tried on its own and kept only if it brings none."""
    if not plans:
        return plans, []
    names = {plan.loaded.name for plan in plans}
    before = _finding_keys(check(files), names)

    def new_findings(candidates: list[FileFix]) -> list[tuple[str, str, int]]:
        replaced = {plan.loaded.name: load_text(LoadedFile(path=plan.loaded.path, name=plan.loaded.name),
                                                plan.text, limits) for plan in candidates}
        after = _finding_keys(check([replaced.get(file.name, file) for file in files]), names)
        return sorted((after - before).elements())

    if not new_findings(plans):
        return plans, []
    kept: list[FileFix] = []
    problems: list[str] = []
    for plan in plans:
        refused: set[Span] = set()
        for span, _, _, code in plan.edits:
            alone = plan_fixes(plan.loaded, _only_edit(plan, span), limits, unsafe=True)
            broken = new_findings([alone])
            if broken:
                refused.add(span)
                names_broken = ", ".join(f"{c} at line {line}" for c, _, line in broken)
                problems.append(f"{plan.loaded.name}:{span.line}: the {code} fix would make {names_broken} fail; "
                                "the printed value was left as it is")
        if len(refused) < len(plan.edits):
            kept.append(plan_fixes(plan.loaded, _as_diagnostics(plan), limits, unsafe=unsafe,
                                   refused=frozenset(refused)))
    return [plan for plan in kept if plan.changed], problems


def _only_edit(plan: FileFix, span: Span) -> list[Diagnostic]:
    return [d for d in _as_diagnostics(plan) if d.fix_span == span]


def _as_diagnostics(plan: FileFix) -> list[Diagnostic]:
    """The plan's edits as minimal diagnostics, so plan_fixes can apply a subset of them."""
    from checker.diagnostics import Fix, Location, Severity

    return [Diagnostic(code=code, name="", severity=Severity.INFO, message={}, help={}, file=plan.loaded.name,
                       span=span, related=[], args={}, fix=Fix(Location(plan.loaded.name, span=span), replacement,
                                                                safe), fix_span=span)
            for span, replacement, safe, code in plan.edits]


def write_atomically(path: Path, text: str, expected: str) -> None:
    """Replace `path` with `text` (UTF-8, keeping a BOM the file had) through a temporary
    file and a rename, so a reader never sees a half-written file; keeps its mode. If the
    file no longer holds `expected` (someone changed it since it was checked), nothing is
    written."""
    path = Path(os.path.realpath(path))  # through a symbolic link: the link stays a link
    original = path.read_bytes()
    current = original[3:] if original.startswith(BOM.encode("utf-8")) else original
    if current.decode("utf-8", errors="replace") != expected:
        raise FixError(f"{path}: changed since it was checked; nothing was written")
    data = text.encode("utf-8")
    if original.startswith(BOM.encode("utf-8")) and not text.startswith(BOM):
        data = BOM.encode("utf-8") + data
    mode = stat.S_IMODE(path.stat().st_mode)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".plancheck", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_directory(path.parent)


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX: the directory entry is data of the directory)."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # not every filesystem syncs directories; the rename is still atomic
    finally:
        os.close(descriptor)
