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
temporary file in the same directory and an atomic rename, keeping the permissions; a
plan from a hostile repository cannot make the write land anywhere but the file checked
(`write_atomically`, and docs/security.md).
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import secrets
import signal
import stat
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from checker.diagnostics import Diagnostic, Span, Text
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
    """A fix could not be applied safely; the file is left as it was. `text` says why in
    both languages (a message of `checker.messages`), or is the English problem alone."""

    def __init__(self, text: Text | str) -> None:
        super().__init__(text.en if isinstance(text, Text) else text)
        self.text = text


def scalar_text(lines: list[str], span: Span, replacement: str) -> str:
    """The text that replaces the scalar at `span`: `replacement`, quoted as the scalar was."""
    scalar = lines[span.line - 1][span.column - 1:span.end_column - 1] if span.line <= len(lines) else ""
    if len(scalar) >= 2 and scalar[0] in "\"'" and scalar[-1] == scalar[0]:
        return scalar[0] + replacement + scalar[0]
    return replacement


# What YAML reads as a line break (ruamel.yaml's reader, which gives the spans): a file's
# own newline, whether LF, CRLF or a CR alone (classic Mac OS, some exports), is kept.
LINE_BREAK = re.compile("\r\n|\r|\n|\x85|\u2028|\u2029")


def split_lines(text: str) -> tuple[list[str], list[str]]:
    """The lines of `text` as YAML counts them, and the line break that ends each (the last
    line's is empty)."""
    lines: list[str] = []
    endings: list[str] = []
    start = 0
    for match in LINE_BREAK.finditer(text):
        lines.append(text[start:match.start()])
        endings.append(match.group())
        start = match.end()
    lines.append(text[start:])
    endings.append("")
    return lines, endings


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
    lines, endings = split_lines(loaded.text)
    # right to left, bottom to top, so earlier spans stay where they were
    for span in sorted(fixes, key=lambda s: (s.line, s.column), reverse=True):
        _splice(lines, span, fixes[span][0])
    text = "".join(line + ending for line, ending in zip(lines, endings))
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


# --- writing a fixed file ----------------------------------------------------------
#
# A repository is not trusted: a plan may be a symbolic link out of the project, a file the
# user may not write, a hard link shared with a file elsewhere, or be swapped or edited
# while plancheck checks it. The write pins the plan's directory (a descriptor opened once,
# checked to be inside the project) and works in it by name, never following a link for
# the final component, so no later swap of a path moves the write elsewhere.

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
CLOEXEC = getattr(os, "O_CLOEXEC", 0)
DIRECTORY = getattr(os, "O_DIRECTORY", 0)
TEMPORARY_SUFFIX = ".plancheck"
WRITE_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, name))


def project_roots(*directories: Path | str) -> tuple[Path, ...]:
    """The project's directories, each resolved (a fix writes only under one of them)."""
    return tuple(dict.fromkeys(Path(os.path.realpath(directory)) for directory in directories))


def project_of(root: Path, named: tuple[str, ...] = ()) -> tuple[Path, ...]:
    """Where a fix may write: under the configuration's root and the working directory, and
    under a path named on the command line that lies outside them (the user's own choice,
    trusted as the configuration is). A path named inside the project adds nothing, so a
    link inside the repository cannot widen it; a named link adds only its directory."""
    base = [Path(root).absolute(), Path.cwd()]
    extra = []
    for raw in named:
        absolute = Path(os.path.abspath(raw))
        if not any(absolute.is_relative_to(directory) for directory in base):
            extra.append(absolute if absolute.is_dir() and not absolute.is_symlink() else absolute.parent)
    return project_roots(*base, *extra)


def _inside(path: Path, roots: tuple[Path, ...]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)


def _refuse(key: str, path: Path | str, **args: object) -> FixError:
    from checker.messages import message

    return FixError(message(key, path=str(path), **args))


def write_atomically(path: Path, text: str, expected: str, roots: tuple[Path, ...] | None = None) -> None:
    """Replace `path` with `text` (UTF-8, keeping a BOM the file had) through a temporary
    file and a rename, so a reader never sees a half-written file; keeps its mode and owner.

    Refused, with nothing written, when the file resolves outside `roots` (the project; by
    default the working directory), is not a regular file, may not be written by the user,
    has several hard links, no longer holds `expected` (someone changed it since it was
    checked), or is replaced or edited while the fixed text is written. A symbolic link
    whose target is inside the project is fixed through: the target is rewritten, the link
    stays a link."""
    roots = roots if roots is not None else project_roots(Path.cwd())
    real = Path(os.path.realpath(path))
    if not _inside(real, roots):
        raise _refuse("fix_outside_project", path, target=real)
    directory = os.open(real.parent, os.O_RDONLY | DIRECTORY | CLOEXEC)
    try:
        # the directory opened is the one resolved (no link swapped in between)
        if not os.path.samestat(os.fstat(directory), os.stat(real.parent)):
            raise _refuse("fix_changed", path)
        _write_in(directory, real.name, path, text, expected)
    finally:
        os.close(directory)
    _sync_directory(real.parent)


def write_output(path: Path, data: bytes) -> None:
    """Write a report to `path` (`plancheck -o report.html`) as a fix is written: a
    temporary file beside it, synced, then renamed over it, so a reader (a browser, a CI
    upload) sees the old file or the whole new one, never a part, and a stopped run leaves
    no temporary file (`_temporary_file`). The directories above it are made. A file that
    was there keeps its mode; a new one gets the umask's. Raises OSError (the directory
    cannot be written, the name is a directory) or FixError (interrupted); nothing is
    left half-written either way."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    os.makedirs(parent, exist_ok=True)
    directory = os.open(parent, os.O_RDONLY | DIRECTORY | CLOEXEC)
    try:
        try:
            status: os.stat_result | None = os.stat(path.name, dir_fd=directory, follow_symlinks=False)
        except FileNotFoundError:
            status = None
        if status is not None and stat.S_ISDIR(status.st_mode):
            raise IsADirectoryError(21, os.strerror(21), str(path))
        if status is not None and stat.S_ISREG(status.st_mode):
            mode = stat.S_IMODE(status.st_mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        with _temporary_file(directory, path.name) as (temporary, handle):
            _write_temporary(handle, data)
            os.fchmod(handle, mode)
            os.fsync(handle)
            os.rename(temporary, path.name, src_dir_fd=directory, dst_dir_fd=directory)
    finally:
        os.close(directory)
    _sync_directory(parent)


def _write_in(directory: int, name: str, shown: Path, text: str, expected: str) -> None:
    try:
        plan = os.open(name, os.O_RDONLY | NOFOLLOW | CLOEXEC | getattr(os, "O_NONBLOCK", 0), dir_fd=directory)
    except OSError as error:
        raise _refuse("fix_changed", shown) from error  # swapped for a link, or gone, since resolved
    try:
        status = os.fstat(plan)
        if not stat.S_ISREG(status.st_mode):
            raise _refuse("fix_not_regular", shown)
        if status.st_mode & 0o222 == 0 or not os.access(name, os.W_OK, dir_fd=directory, follow_symlinks=False):
            raise _refuse("fix_read_only", shown)
        if status.st_nlink > 1:
            raise _refuse("fix_hard_links", shown, links=status.st_nlink)
        original = _read_all(plan)
    finally:
        os.close(plan)
    bom = BOM.encode("utf-8")
    body = original[len(bom):] if original.startswith(bom) else original
    try:
        as_checked = body.decode("utf-8") == expected
    except UnicodeDecodeError:
        as_checked = False
    if not as_checked:
        raise _refuse("fix_changed", shown)
    data = text.encode("utf-8")
    if original.startswith(bom) and not text.startswith(BOM):
        data = bom + data
    with _temporary_file(directory, name) as (temporary, handle):
        _write_temporary(handle, data)
        _keep_owner_and_mode(handle, status, shown)
        os.fsync(handle)
        # right before the rename: the name still names the file checked, holding the bytes checked
        if not _unchanged(directory, name, status, original):
            raise _refuse("fix_changed", shown)
        os.rename(temporary, name, src_dir_fd=directory, dst_dir_fd=directory)


def _read_all(descriptor: int) -> bytes:
    chunks = []
    while chunk := os.read(descriptor, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def _write_temporary(handle: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(handle, view):]


def _keep_owner_and_mode(handle: int, status: os.stat_result, shown: Path) -> None:
    """The new file gets the old one's owner and group (where the user may give them: root,
    or a group the user is in) and mode; a file that would change owner is not written."""
    if (status.st_uid, status.st_gid) != (os.geteuid(), os.getegid()):
        try:
            os.fchown(handle, status.st_uid, status.st_gid)
        except PermissionError:
            with contextlib.suppress(PermissionError):
                os.fchown(handle, -1, status.st_gid)
        after = os.fstat(handle)
        if after.st_uid != status.st_uid:
            raise _refuse("fix_owner", shown)
    os.fchmod(handle, stat.S_IMODE(status.st_mode))


def _unchanged(directory: int, name: str, status: os.stat_result, original: bytes) -> bool:
    """Whether `name` is still the same file (device and inode, not a link), not modified
    since it was read, and holds `original`."""
    try:
        now = os.stat(name, dir_fd=directory, follow_symlinks=False)
        if not os.path.samestat(now, status) or not stat.S_ISREG(now.st_mode) or now.st_nlink != 1:
            return False
        plan = os.open(name, os.O_RDONLY | NOFOLLOW | CLOEXEC, dir_fd=directory)
    except OSError:
        return False
    try:
        return os.path.samestat(os.fstat(plan), status) and _read_all(plan) == original
    finally:
        os.close(plan)


class _Interrupted(BaseException):
    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.number = number


@contextlib.contextmanager
def _temporary_file(directory: int, name: str) -> Iterator[tuple[str, int]]:
    """A new file beside `name` (created, never opened if it exists, never through a link;
    mode 0600 until written), removed unless renamed. A SIGTERM, SIGINT or SIGHUP meanwhile
    removes it and is then handled as it would have been (the previous handler runs: the
    default ends the process, Python's SIGINT handler raises KeyboardInterrupt), so a
    stopped run leaves the old file or the new one, and nothing else."""
    caught: list[int] = []
    armed = [True]

    def interrupted(number: int, frame: object) -> None:
        caught.append(number)
        if armed[0] and len(caught) == 1:  # the first stops the write; later ones wait for it
            raise _Interrupted(number)

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for number in WRITE_SIGNALS:
            handler = signal.getsignal(number)
            if handler is not None and handler is not signal.SIG_IGN:
                previous[number] = signal.signal(number, interrupted)
    temporary: str | None = None
    handle: int | None = None
    renamed = False
    try:
        try:
            while handle is None:
                # the name is known before the file exists, so a signal right after the
                # open still finds what to remove
                temporary = f".{name}.{secrets.token_hex(8)}{TEMPORARY_SUFFIX}"
                try:
                    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW | CLOEXEC, 0o600,
                                     dir_fd=directory)
                except FileExistsError:
                    temporary = None
            assert temporary is not None  # set with the handle
            yield temporary, handle
        except BaseException:
            if temporary is not None:
                try:
                    os.unlink(temporary, dir_fd=directory)
                except FileNotFoundError:
                    renamed = handle is not None  # gone since it was made: it is the plan now
            raise
        finally:
            if handle is not None:
                os.close(handle)
    except _Interrupted:
        abandoned = not renamed
    else:
        abandoned = False
    finally:
        armed[0] = False
        for number, handler in previous.items():
            signal.signal(number, handler)
        if caught:
            signal.raise_signal(caught[0])  # handled as it would have been without the write
    if abandoned:  # a handler that lets the run go on: the write was abandoned, the file is as it was
        raise _refuse("fix_interrupted", name)


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
