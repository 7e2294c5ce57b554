"""Safe fixes: rewrite the stated derived values a rule recomputed exactly (a rate, a
ratio row, an outlook count), and nothing else.

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
from dataclasses import dataclass
from pathlib import Path

from checker.diagnostics import Diagnostic, Span
from checker.loader import Limits, LoadedFile, load_text

BOM = "\ufeff"


@dataclass
class FileFix:
    loaded: LoadedFile
    text: str  # the fixed text
    count: int  # values rewritten

    @property
    def changed(self) -> bool:
        return self.text != self.loaded.text

    def diff(self) -> str:
        before = (self.loaded.text or "").splitlines(keepends=True)
        after = self.text.splitlines(keepends=True)
        name = self.loaded.name.lstrip("/")
        return "".join(difflib.unified_diff(before, after, f"a/{name}", f"b/{name}"))


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


def plan_fixes(loaded: LoadedFile, diagnostics: list[Diagnostic], limits: Limits | None = None) -> FileFix:
    """The file's text with every safe fix of `diagnostics` applied, checked by reloading."""
    fixes: dict[Span, str] = {}
    for diagnostic in diagnostics:
        if diagnostic.file != loaded.name or diagnostic.fix is None or diagnostic.fix_span is None:
            continue
        if not diagnostic.fix.safe:
            continue
        previous = fixes.setdefault(diagnostic.fix_span, diagnostic.fix.replacement)
        if previous != diagnostic.fix.replacement:
            raise FixError(f"{loaded.name}:{diagnostic.fix_span.line}: two rules disagree on the fix")
    if not fixes or loaded.text is None or loaded.model is None:
        return FileFix(loaded, loaded.text or "", 0)
    lines = loaded.text.split("\n")
    # right to left, bottom to top, so earlier spans stay where they were
    for span in sorted(fixes, key=lambda s: (s.line, s.column), reverse=True):
        _splice(lines, span, fixes[span])
    text = "\n".join(lines)
    check = load_text(LoadedFile(path=loaded.path, name=loaded.name), text, limits)
    if check.model is None or len(check.findings) > len(loaded.findings):
        raise FixError(f"{loaded.name}: the fixed text would not load; nothing was written")
    return FileFix(loaded, text, len(fixes))


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
