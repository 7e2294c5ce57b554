"""One run of plancheck, from options to diagnostics: the path every caller takes (the
command line, the tests, the fuzzer, and the re-check after `--fix`).

    prepared = prepare(RunOptions(paths=("plans",)))   # settings and ruleset, or a ConfigError
    result = execute(prepared)                         # a RunResult: diagnostics, sources, fixes

`prepare` resolves the settings (the configuration file, the options over it) and builds
the ruleset; every problem there is a `ConfigError` whose text is in both languages.
`execute` discovers the files (the checked ones, and the rest of the plan set as context),
answers from the run cache when nothing changed, otherwise loads each file (from the file
cache, in this process, or in worker processes), runs the engine, drops per-file ignores,
and with `--fix`/`--diff` plans and writes the safe fixes and checks again. It never
prints: what the user should be told comes back as `RunResult.notes` (bilingual `Text`
from the message table), and the caller reports and picks the exit code.

Heavy modules (the loader's parser, the plan model, the engine's functions) are imported
where they are needed, so a run answered from the cache never imports the plan model.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple

if TYPE_CHECKING:
    from checker.baseline import Baseline
    from checker.config import Settings
    from checker.diagnostics import Diagnostic, Relations, Text
    from checker.engine import Engine
    from checker.loader import Limits, LoadedFile
    from checker.rules import Ruleset

# worker processes only when there is enough to parse to pay for starting them
# (about 40 ms on 2 cores, against 3 ms to parse and check a file)
PARALLEL_MIN_FILES = 50
# files per task: at most this many, and at least four tasks per worker so that the
# workers finish together
PARALLEL_CHUNK = 50
PARALLEL_MAX_WORKERS = 8
# the loader-level finding (LOAD017) of a file whose check ended the process checking it,
# twice, or ran out of memory: it was not checked, and the run says which file it was
CHECK_CRASHED = "check_crashed"

# A progress display: called with the number of files to parse, it gives a callback that
# advances by a number of files and ends on None.
Progress = Callable[[int], Callable[[int | None], None]]


# The records below are named tuples and a plain class, not dataclasses: every check
# defines them, and on Python 3.11 a dataclass costs about ten times as much start-up.

class RunOptions(NamedTuple):
    """What a run is asked to do: the command line's check options, as data (frozen;
    `options._replace(fix=False)` is another run)."""

    paths: tuple[str, ...] = ()  # none: the configuration's plan set
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    rulesets: tuple[str, ...] = ()  # instead of the recommended ruleset and the configuration's
    config_path: str | None = None
    isolated: bool = False  # no configuration file at all
    fail_level: str | None = None
    lang: str | None = None
    output_format: str | None = None
    force_exclude: bool = False
    no_cache: bool = False
    fix: bool = False  # write the safe fixes, then check again
    diff: bool = False  # the safe fixes as a diff, nothing written
    unsafe_fixes: bool = False  # with fix or diff: the unsafe fixes too (they rewrite a printed figure)
    exclude: tuple[str, ...] | None = None  # --exclude: instead of the configuration's exclude
    extend_exclude: tuple[str, ...] = ()  # --extend-exclude
    respect_gitignore: bool | None = None  # None: the configuration's (default true)
    # the pre-commit hook: of the files named, only the plans of the configuration's plan set
    # (any YAML file is handed over; the rest are skipped without a word)
    plan_set_only: bool = False
    baseline: str | None = None  # report only the findings this baseline file does not list
    write_baseline: str | None = None  # record the findings in this file instead of reporting them
    # in-memory contents by path (standard input, an editor's buffers): the file at that path
    # is read from here, and need not exist; --fix gives their fixed text back and never
    # writes there (FixOutcome.texts)
    texts: tuple[tuple[str, bytes], ...] = ()
    # worker processes for a large plan set; off where the caller has threads of its own
    # (the language server), since forking a threaded process can deadlock the child
    parallel: bool = True
    # an in-memory cache (`checker.cache.MemoryCache`) instead of the cache directory's
    cache: Any = None
    # keep the reported files' models on the result (`RunResult.files`), for a report that
    # shows the plans themselves (the HTML report's tables and charts): the run cache, which
    # holds diagnostics only, is then not read (the file cache still is)
    keep_files: bool = False


class Prepared(NamedTuple):
    """A run ready to execute: the options, and the settings and ruleset they give."""

    options: RunOptions
    settings: Settings
    ruleset: Ruleset
    baseline: Baseline | None = None  # --baseline, read and checked


class FixOutcome(NamedTuple):
    """What `--fix` wrote, or what `--diff` would write."""

    diffs: list[str]  # --diff: one unified diff per file
    values: int  # values rewritten (or that would be)
    files: int  # files written (or that would be)
    texts: dict[str, str] | None = None  # the fixed text of each in-memory file, by name (never written)


class RunResult:
    """What a run found, and what the caller needs to report it."""

    def __init__(self, settings: Settings, ruleset: Ruleset) -> None:
        self.settings = settings
        self.ruleset = ruleset
        self.diagnostics: list[Diagnostic] = []  # what is reported, in report order
        self.relations: Relations | None = None  # the relations checked and not, on the reported files
        self.checked: list[str] = []  # the files reported on, by name
        self.sources: dict[str, list[str]] = {}  # lines of the files the diagnostics point into
        self.searched: list[str] = []  # the paths the files were looked for under
        self.missing: list[str] = []  # paths named but not there
        self.skipped: tuple = ()  # discovery's Skipped: files and directories not checked, and why
        self.fix: FixOutcome | None = None  # with --fix or --diff
        self.notes: list[Text] = []  # what to tell the user, in both languages
        self.from_cache = False  # answered from the run cache, nothing loaded
        self.baseline_written = False  # --write-baseline recorded the findings: there is no report
        self.baseline_failed = False  # --write-baseline could not write its file
        self.files: list[LoadedFile] = []  # with `keep_files`: the reported files as loaded, in path order

    @property
    def internal_error(self) -> bool:
        """Whether a check failed on its input (INT001): a bug in plancheck, not a finding."""
        from checker.engine import INTERNAL_ERROR

        internal = self.ruleset.loader_rule(INTERNAL_ERROR)
        return internal is not None and any(d.code == internal.code for d in self.diagnostics)

    @property
    def failed(self) -> bool:
        """Whether a finding is at or above the fail level."""
        from checker.diagnostics import Severity

        threshold = Severity.parse(self.settings.fail_level)
        return any(d.severity >= threshold for d in self.diagnostics)


def run(options: RunOptions, progress: Progress | None = None) -> RunResult:
    """`prepare` and `execute` in one call."""
    return execute(prepare(options), progress)


# --- settings and ruleset --------------------------------------------------------

def prepare(options: RunOptions) -> Prepared:
    """The settings (the configuration's, the options over them) and the ruleset with the
    selection and severity overrides applied; a `ConfigError` on any problem."""
    from checker.config import ConfigError
    from checker.rules import RulesetError

    try:
        settings = resolve(options)
    except RulesetError as error:
        raise ConfigError.of(error) from None
    try:
        named = [Path(path) for path in options.paths] or settings.plan_set_paths()
        cache = None if options.no_cache else open_cache(settings, plan_dirs=_plan_dirs(named))
        ruleset = settings.apply_to(load_rulesets(options.rulesets, settings, cache))
    except RulesetError as error:
        problem = ConfigError.of(error)
        problem.lang = settings.lang  # the configuration was read: its language says the problem
        raise problem from None
    except ConfigError as problem:
        problem.lang = settings.lang
        raise
    baseline = None
    if options.baseline is not None and options.write_baseline is None:
        from checker.baseline import read
        from checker.discovery import display_name

        try:
            baseline = read(Path(options.baseline), display_name(Path(options.baseline)))
        except ConfigError as problem:
            problem.lang = settings.lang
            raise
    return Prepared(options, settings, ruleset, baseline)


def resolve(options: RunOptions) -> Settings:
    """The configuration file's settings with the options over them."""
    from checker.config import COMMAND_LINE, Selection, resolve_settings

    settings = resolve_settings(list(options.paths), options.config_path, options.isolated)
    if options.select is not None or options.extend_select or options.ignore:
        settings.selections = (*settings.selections, Selection(
            origin=COMMAND_LINE, select=options.select, extend_select=options.extend_select,
            ignore=options.ignore))
    if options.fail_level is not None:
        settings.fail_level = options.fail_level
    if options.lang is not None:
        settings.lang = options.lang
    if options.output_format is not None:
        settings.format = options.output_format
    if options.exclude is not None:
        settings.command_line_exclude = options.exclude
    settings.command_line_extend_exclude = options.extend_exclude
    settings.command_line_base = Path.cwd()
    if options.respect_gitignore is not None:
        settings.respect_gitignore = options.respect_gitignore
    return settings


def load_rulesets(rulesets: tuple[str, ...], settings: Settings, cache=None) -> Ruleset:
    """`rulesets` (`--rules`) replace the recommended ruleset (one that only overrides is
    applied over it); without them the configuration's `rulesets` are loaded over it
    (relative to the configuration file), each over the ones before it."""
    from checker.config import ConfigError
    from checker.diagnostics import Text
    from checker.rules import RulesetError, Trust, load_ruleset

    if rulesets:
        specs, base = list(rulesets), Path.cwd()
    else:
        specs, base = ["recommended", *settings.rulesets], settings.root
    # what the user named may lie outside the project; what the repository names may not
    given = list(rulesets) if rulesets else list(settings.rulesets) if settings.own else []
    trust = Trust.of([Path.cwd()] + ([settings.root] if settings.source is not None and not settings.own else []),
                     tuple(base / spec for spec in given))
    merged = None
    for spec in specs:
        try:
            # each over the ones before it, so a file that only overrides applies to them
            merged = load_ruleset(spec, base, cache=cache, below=merged, trust=trust)
        except RulesetError as error:
            if rulesets or settings.source is None:
                raise
            problem = ConfigError.of(error).message
            raise ConfigError(Text(f"{settings.source}: rulesets: ルールセットを読めません: {problem.ja}",
                                   f"{settings.source}: rulesets: {problem.en}")) from None
    assert merged is not None
    return merged


def _plan_dirs(paths) -> set[Path]:
    """The directories the cache must not hold: those named, and those of the files named."""
    return {path if path.is_dir() else path.parent for path in paths}


def open_cache(settings: Settings, ruleset: Ruleset | None = None, plan_dirs=(), notes: list | None = None):
    """The cache for this run's checks, or (without a ruleset) for parsed ruleset files;
    None when its directory is refused (a link, another user's, holding what is not the
    cache's, the project's root or one of `plan_dirs`, the directories of the plan files),
    with the reason in `notes`."""
    from checker.cache import (
        CACHE_DIR_NAME,
        MAX_ENTRY_BYTES,
        Cache,
        CacheRefused,
        code_fingerprint,
        parse_fingerprint,
        ruleset_fingerprint,
    )
    from checker.messages import message

    directory = Path(os.environ.get("PLANCHECK_CACHE_DIR") or settings.cache_dir or settings.root / CACHE_DIR_NAME)
    fingerprint = parse_fingerprint() if ruleset is None else code_fingerprint() + ruleset_fingerprint(
        ruleset, settings.limits)
    try:
        # a loaded file's entry is a few times its bytes; a run's, the reported findings
        cache = Cache(directory, fingerprint, root=settings.root, plan_dirs=plan_dirs,
                      max_entry_bytes=max(MAX_ENTRY_BYTES, 8 * settings.limits.file_bytes))
    except CacheRefused as refused:
        if notes is not None:
            notes.append(message("cache_refused", reason=refused.reason))
        return None
    if notes is not None:
        notes += cache.notes
    return cache


# --- the run ---------------------------------------------------------------------

def execute(prepared: Prepared, progress: Progress | None = None) -> RunResult:
    """Check the files; with `fix`, write the safe fixes and check again (through this same
    path); with `diff`, plan them without writing."""
    from checker.discovery import discover, display_name
    from checker.messages import message

    options, settings, ruleset = prepared.options, prepared.settings, prepared.ruleset
    result = RunResult(settings=settings, ruleset=ruleset)
    result.searched = list(options.paths) or [str(path) for path in settings.plan_set_paths()]
    given = {Path(path).absolute(): raw for path, raw in options.texts}
    # the cache, opened when discovery first asks for the stat cache (a run that finds no
    # file to decide opens none), and its notes, said where the run has always said them
    opened: list[Any] = []
    cache_notes: list[Text] = []

    def stat_store():
        cache = options.cache if options.cache is not None else None if options.no_cache else open_cache(
            settings, ruleset, _plan_dirs(Path(path) for path in result.searched), cache_notes)
        opened[:] = [cache, _stat_store(cache, settings)]
        return opened[1]

    taken = time.time_ns()  # before any file is looked at: what is learned of a file was read after it
    found = discover(result.searched, settings, options.force_exclude, options.plan_set_only,
                     present=frozenset(given), stats=stat_store, taken=taken)
    result.skipped = found.skipped
    if found.missing:
        result.missing = found.missing
        result.notes = [message("no_such_path", path=raw) for raw in found.missing]
        return result
    if found.not_plans() and not options.plan_set_only:  # the hook is handed every YAML file: nothing to say
        result.notes.append(message("not_plans_skipped", files=found.not_plans()))
    if not found.checked:
        # else pre-commit handed over only files that are not the plan set's plans, or excluded
        if not (options.paths and (options.force_exclude or options.plan_set_only)):
            result.notes.append(message("no_plan_files", paths=", ".join(result.searched)))
        return result
    # one order whatever was named, so a cross-document reference never depends on it
    everything = sorted([*found.checked, *found.context], key=lambda path: path.absolute())
    result.checked = [display_name(path) for path in found.checked]
    reported = set(result.checked)
    if opened:
        cache, stats = opened
    else:
        cache = options.cache if options.cache is not None else None if options.no_cache else open_cache(
            settings, ruleset, _plan_dirs(Path(path) for path in result.searched), cache_notes)
        stats = _stat_store(cache, settings)
    if cache is not None and options.cache is None and not _placed(cache, settings, result.searched, found,
                                                                   everything, cache_notes):
        cache = stats = None  # it holds plan files: nothing is written there (its signed entries were only read)
    result.notes += cache_notes
    read, file_keys = _read_all(everything, given, reported, settings, cache, stats, found.statuses or {}, taken)
    run_key = None
    if cache is not None and None not in file_keys and not (options.fix or options.diff):
        # the whole run's key: every file of the set (context too), what is reported, the
        # per-file ignores and the plan sets: a change anywhere in the plan set is a new run
        run_key = cache.key("run", *file_keys, *sorted(reported), str(settings.root),
                            json.dumps(settings.per_file_ignores, sort_keys=True), json.dumps(settings.plan_sets))
        hit = None if options.keep_files else cache.get("run", run_key)
        if hit is not None:
            (result.diagnostics, result.relations), result.from_cache = hit, True
            result.sources = _sources_of(result.diagnostics, {stub.name: raw for stub, raw in read}, result.relations)
            _save_stats(stats, everything, found)
            _baseline(prepared, result)
            _hint_fixes(result)
            return result
    from checker.engine import Engine

    engine = Engine(ruleset)
    groups = _plan_set_groups(settings, everything, result.notes)
    with _collector_held():
        loaded, own, load_notes, loaded_groups = _load_needed(read, file_keys, reported, groups, settings, cache,
                                                              engine, progress, options)
        _save_stats(stats, everything, found)
        if any(isinstance(raw, Unread) and raw.differed for _, raw in read):
            run_key = None  # a file changed while the run went: the run's key is not what it checked
        result.notes += load_notes  # after the cache's own notes, never over them
        result.diagnostics, result.relations = _diagnose(engine, loaded, own, reported, settings, loaded_groups)
    if options.keep_files:
        result.files = [file for file in loaded if file.name in reported]
    if cache is not None and run_key is not None and not any(_crashed(file) for file in loaded):
        # a file that could not be checked is checked again next time, not answered from here
        cache.put("run", run_key, (result.diagnostics, result.relations))
    result.sources = _sources_of(result.diagnostics, {file.name: file.text for file in loaded}, result.relations)
    _baseline(prepared, result)
    if options.diff or options.fix:
        mine = [file for file in loaded if file.name in reported]
        if options.diff:
            result.fix, fix_notes = _diff(mine, result.diagnostics, settings.limits, options.unsafe_fixes, loaded,
                                          engine.run)
        else:
            result.fix, fix_notes = _fix(mine, result.diagnostics, settings.limits, options.unsafe_fixes, loaded,
                                         engine.run, settings.root, options.paths, set(given))
        result.notes += fix_notes
        if options.fix and result.fix.files:
            # checked again as any run checks: the files not written come from the cache, the
            # in-memory ones are their fixed text
            fixed = {path.absolute(): text for path, text in _fixed_paths(result.fix, loaded).items()}
            texts = tuple((str(path), fixed[path].encode("utf-8") if path in fixed else raw)
                          for path, raw in given.items())
            again = execute(prepared._replace(options=options._replace(fix=False, diff=False, texts=texts)), progress)
            result.diagnostics, result.sources, result.relations = again.diagnostics, again.sources, again.relations
            result.files = again.files
    else:
        _hint_fixes(result)
    return result


def _baseline(prepared: Prepared, result: RunResult) -> None:
    """--write-baseline: record the findings (the report is then the note that says so);
    --baseline: report only those it does not list, and its entries no finding matches."""
    from checker.messages import message

    options = prepared.options
    if options.write_baseline is not None:
        from checker.baseline import write

        try:
            count = write(Path(options.write_baseline), result.diagnostics, result.sources,
                          result.settings.lang or "en")
        except OSError as error:
            result.notes.append(message("baseline_not_written", path=options.write_baseline,
                                        error=error.strerror or error))
            result.baseline_failed = True
            return
        result.notes.append(message("baseline_written", findings=count, path=options.write_baseline))
        result.baseline_written = True
        return
    if prepared.baseline is None:
        return
    from checker.baseline import apply

    kept, stale, listed = apply(prepared.baseline, result.diagnostics, result.sources, result.checked, result.ruleset)
    result.diagnostics = sorted(kept + stale, key=lambda d: d.sort_key())
    if stale:
        result.sources[prepared.baseline.name] = prepared.baseline.lines
    if listed:
        result.notes.append(message("baseline_listed", findings=listed, path=prepared.baseline.name))


def _crashed(loaded: LoadedFile) -> bool:
    """Whether the file's check ended its process or ran out of memory (it holds only that)."""
    return any(finding.kind == CHECK_CRASHED for finding in loaded.findings)


def _hint_fixes(result: RunResult) -> None:
    """Say how many fixes the findings offer, and how many only --unsafe-fixes applies
    (ruff's hint), when a run without --fix has some."""
    from checker.messages import message

    fixes = [d.fix for d in result.diagnostics if d.fix is not None]
    if fixes:
        unsafe = sum(1 for fix in fixes if not fix.safe)
        result.notes.append(message("fixes_available", safe=len(fixes) - unsafe, unsafe=unsafe))


def _diagnose(engine: Engine, loaded: list[LoadedFile], own: list[list[Diagnostic]], reported: set[str],
              settings: Settings, groups: list[str] | None = None) -> tuple[list[Diagnostic], Relations]:
    """What the run reports: the reported files' own diagnostics and the plan set's rules
    on them, suppressions applied, less per-file ignores; and the relations those rules
    checked and could not (less those whose every rule a per-file ignore turns off). Only
    what is reported is resolved and suppressed: the context serves the plan set's rules.
    With `groups` (each file's plan set, `plan-sets`), the rules across documents run over
    each plan set apart, and only over those that hold a reported file."""
    from checker.diagnostics import Relations, UncheckedRelation

    mine = [file for file in loaded if file.name in reported]
    relations = Relations()
    for file in mine:
        relations.add(file.relations)
    found = [d for file, diagnostics in zip(loaded, own) if file.name in reported for d in diagnostics]
    if groups is None:
        found += engine.set_diagnostics(loaded, only=reported, relations=relations)
    else:
        members: dict[str, list[LoadedFile]] = {}
        for file, group in zip(loaded, groups, strict=True):
            members.setdefault(group, []).append(file)
        for group in sorted(members):
            files = members[group]
            only = {file.name for file in files if file.name in reported}
            if only:
                found += engine.set_diagnostics(files, only=only, relations=relations)
    paths = {file.name: file.path for file in loaded}

    def ignored(code: str, file: str) -> bool:
        return settings.ignored_here(code, paths.get(file, Path(file)))

    relations.unchecked = sorted((relation for relation in relations.unchecked
                                  if not all(ignored(code, relation.file) for code in relation.codes)),
                                 key=UncheckedRelation.sort_key)
    return [d for d in engine.finish(mine, found) if d.file in reported and not ignored(d.code, d.file)], relations


@contextmanager
def _collector_held():
    """The cyclic garbage collector off while the files are loaded (unpickled or taken from
    the workers) and the rules run: what is allocated there lives until the run ends, and
    each collection of the oldest generation walks all of it again (the pre-commit case
    took twice as long with it on). Back on, as it was, when the run's work is done."""
    import gc

    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _plan_set_groups(settings: Settings, everything: list[Path], notes: list) -> list[str] | None:
    """Each file's plan set (`plan-sets`: the directory it lies in), in the order of
    `everything`; None when the configuration declares none (the whole plan set is one).
    A file in no declared plan set is its own, related to no other file, and the run says
    how many there are."""
    if not settings.plan_sets:
        return None
    from checker.messages import message

    directories = settings.plan_set_directories()
    groups = []
    alone = 0
    for path in everything:
        group = settings.plan_set_of(path, directories)
        if group is None:
            alone += 1
            group = "\0" + str(path.absolute())  # sorts before any directory: its own set
        groups.append(group)
    if alone:
        notes.append(message("not_in_plan_set", files=alone))
    return groups


class Unread:
    """A file of the context whose content key the stat cache gave (`checker.cache.StatStore`):
    its bytes are read only when something needs them (a file cache miss, a finding's
    source lines)."""

    __slots__ = ("differed", "file_key", "limits", "name", "path", "root")

    def __init__(self, path: Path, name: str, limits: Limits, root: Path, file_key: str) -> None:
        self.path, self.name, self.limits, self.root, self.file_key = path, name, limits, root, file_key
        self.differed = False  # read, and not the bytes the stat cache said

    def read(self, cache) -> tuple[LoadedFile, bytes | None]:
        stub, raw = _reader(self.path, self.name, self.limits, self.root)
        if raw is None or cache.key("file", self.name, raw) != self.file_key:
            self.differed = True
        return stub, raw


# what `read_file` is for the run (tests count the files a run opens through it)
def _reader(path: Path, name: str, limits: Limits, root: Path) -> tuple[LoadedFile, bytes | None]:
    from checker.loader import read_file

    return read_file(path, name, limits, root)


def _stat_store(cache, settings: Settings):
    """The plan set's stat cache (`checker.cache.StatStore`), or None without a cache."""
    if cache is None:
        return None
    from checker.cache import StatStore

    return StatStore(cache, cache.key("stat", str(settings.root), *settings.plans))


def _placed(cache, settings: Settings, searched: list[str], found, everything: list[Path], notes: list) -> bool:
    """Whether the cache, opened before discovery knew where the plan files are, holds none
    of their directories (`checker.cache.check_placement`); else why not, in `notes`.

    A directory a search found files in lies under the directory searched, reached without
    following a symbolic link (`os.walk`), so it can lie in the cache only when the cache lies
    in the directory searched: only then is each file's directory given to the check."""
    from checker.cache import CacheRefused, check_placement
    from checker.messages import message

    plan_dirs = _plan_dirs(Path(path) for path in searched) | set(found.context_tops)
    where = os.path.realpath(cache.directory)
    if any(where.startswith(os.path.realpath(directory).rstrip(os.sep) + os.sep) for directory in plan_dirs):
        plan_dirs |= {path.parent for path in everything}
    try:
        check_placement(cache.directory, settings.root, plan_dirs)
    except CacheRefused as refused:
        notes[:] = [message("cache_refused", reason=refused.reason)]  # the cache's own notes are of a cache not used
        return False
    return True


def _save_stats(stats, everything: list[Path], found) -> None:
    """Keep the stat cache: of the directories discovery searched, only what it found."""
    if stats is not None:
        stats.save((str(path.absolute()) for path in everything), found.statuses or (),
                   within=found.searched)


def _read_all(everything: list[Path], given: dict, reported: set[str], settings: Settings, cache, stats,
              statuses: dict[str, Any], taken: int):
    """Each file's (stub, bytes) and content key. A file of the context whose stat the
    stat cache knows (unchanged, not racy) is not read: its bytes are `Unread`, its key the
    kept one. The reported files, and those in memory, are always read. `statuses`: the
    stats discovery took (by absolute path), compared instead of taking them again; `taken`:
    a time before any of them."""
    from checker.cache import file_stat
    from checker.discovery import display_name
    from checker.loader import LoadedFile, given_bytes

    read: list[Any] = []
    file_keys: list[str | None] = []
    here = os.getcwd()
    for path in everything:
        name = display_name(path, here)
        absolute = path.absolute()
        if given and absolute in given:
            stub, raw = given_bytes(path, name, given[absolute], settings.limits)
            read.append((stub, raw))
            file_keys.append(cache.key("file", name, raw) if cache is not None and raw is not None else None)
            continue
        text = str(absolute)
        status = (statuses[text] if text in statuses else file_stat(text)) if stats is not None else None
        kept = stats.content_key(text, status) if stats is not None and name not in reported else None
        if kept is not None:
            read.append((LoadedFile(path=path, name=name), Unread(path, name, settings.limits, settings.root, kept)))
            file_keys.append(kept)
            continue
        stub, raw = _reader(path, name, settings.limits, settings.root)
        read.append((stub, raw))
        key = cache.key("file", name, raw) if cache is not None and raw is not None else None
        file_keys.append(key)
        if stats is not None:
            stats.learn(text, status if status == file_stat(text) else None, taken, key)
    return read, file_keys


def _load_needed(read, file_keys, reported: set[str], groups: list[str] | None, settings: Settings, cache,
                 engine: Engine, progress: Progress | None, options: RunOptions):
    """The files the run needs, loaded (`_load`), with their own diagnostics, the notes,
    and their plan sets (`groups`, as given, of the files loaded; None when none declared).

    A run that reports only some files of a cached plan set loads only those files and
    the files the cross-document rules relate to them (`checker.crossdoc`): the indices
    of the others are read from one cache entry, and their models never unpickled. Every
    other run (all files reported, no cache, `--fix` and `--diff`, which check the whole
    set again) loads every file, and keeps their indices for the next run."""
    from checker import crossdoc

    limits, parallel = settings.limits, options.parallel
    store = crossdoc.IndexStore(cache, cache.key("crossdoc", str(settings.root), *settings.plans)) \
        if cache is not None else None
    subset = store is not None and len(reported) < len(read) and not (options.fix or options.diff)
    if not subset:
        loaded, own, load_notes = _load(read, file_keys, limits, cache, engine, progress, parallel)
        if store is not None:
            for file, key in zip(loaded, file_keys, strict=True):
                store.index_of(key, file, keep=not _crashed(file))
            store.save(file_keys)
        return loaded, own, load_notes, groups
    assert store is not None
    indices: list[crossdoc.Index | None] = [{} if raw is None else store.get(key) for (_, raw), key in zip(read, file_keys)]
    used = crossdoc.groupings(crossdoc.plan_set_functions(engine.ruleset))
    positions = [position for position, (stub, _) in enumerate(read) if stub.name in reported]
    results: dict[int, tuple[LoadedFile, list[Diagnostic]]] = {}
    notes: list[Text] = []
    while True:
        wanted = crossdoc.needed(indices, positions, used, groups)
        todo = sorted(wanted - results.keys())
        if not todo:
            break
        loaded, own, more = _load([read[i] for i in todo], [file_keys[i] for i in todo], limits, cache, engine,
                                  progress, parallel)
        progress = None  # one display: the first round parses what changed, the rest come from the cache
        notes += more
        learned = False
        for position, file, diagnostics in zip(todo, loaded, own, strict=True):
            results[position] = (file, diagnostics)
            if indices[position] is None:
                indices[position] = store.index_of(file_keys[position], file, keep=not _crashed(file))
                learned = True
        if not learned:
            break  # every index was known: the files needed are all loaded
    store.save(file_keys)
    order = sorted(results)
    return ([results[i][0] for i in order], [results[i][1] for i in order], notes,
            None if groups is None else [groups[i] for i in order])


def worker_count() -> int:
    """How many processes parse and check a large plan set: one per core up to
    PARALLEL_MAX_WORKERS, or PLANCHECK_WORKERS when it is a whole number from 1 (1: in
    this process, no worker at all), for a shared machine or the benchmark's 1-to-2
    speed-up; any other value of it is not used."""
    wanted = os.environ.get("PLANCHECK_WORKERS", "").strip()
    if wanted.isascii() and wanted.isdigit() and int(wanted) >= 1:
        return min(int(wanted), PARALLEL_MAX_WORKERS)
    return min(os.cpu_count() or 1, PARALLEL_MAX_WORKERS)


def _load(read, file_keys, limits: Limits, cache, engine: Engine, progress: Progress | None, parallel: bool = True):
    """Every file loaded, with the diagnostics it gives on its own: from the cache when its
    bytes were seen before, else parsed and checked (in worker processes when there are
    many, so both cores work); and the notes for the user.

    A worker that dies (the out-of-memory killer, a crash) loses no file: the files of the
    tasks that did not come back are checked again, each alone in a fresh worker
    (`_check_alone`), and one that ends that worker too is reported by name (LOAD017)."""
    import pickle

    from checker.messages import message

    def take(index: int, payload: bytes) -> None:
        results[index] = pickle.loads(payload)
        # the worker's pickle goes to the cache as it is (a file not checked, never)
        if cache is not None and not _crashed(results[index][0]):
            cache.put_pickled("file", file_keys[index], payload)
        results[index][0].path = read[index][0].path

    results: list[Any] = [None] * len(read)
    notes: list[Text] = []
    pending = []
    read = list(read)
    for index, ((stub, raw), key) in enumerate(zip(read, file_keys)):
        cached = cache.get("file", key) if key is not None else None
        if cached is None and isinstance(raw, Unread):  # its entry is gone: read it now
            stub, raw = read[index] = raw.read(cache)
        if raw is None:  # unreadable: the stub holds the loader's finding
            results[index] = (stub, _own(engine, stub))
        elif cached is not None:
            cached[0].path = stub.path
            results[index] = cached
        else:
            pending.append(index)
    if pending:
        from checker.model import build_validator

        build_validator(cache)  # from the cache when it was built before; forked workers inherit it
    advance = progress(len(pending)) if progress is not None else (lambda step: None)
    workers = worker_count()
    if parallel and len(pending) >= PARALLEL_MIN_FILES and workers > 1:
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        size = max(1, min(PARALLEL_CHUNK, -(-len(pending) // (workers * 4))))
        chunks = [pending[start:start + size] for start in range(0, len(pending), size)]
        pool = ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(engine.ruleset, limits))
        try:
            with _signals_held():
                jobs = [(chunk, pool.submit(_check_chunk, [read[index] for index in chunk])) for chunk in chunks]
            lost: list[int] = []  # the files of the tasks a dead worker did not bring back
            for chunk, job in jobs:
                try:
                    payloads = job.result()
                except BrokenProcessPool:
                    lost += chunk
                    continue
                for index, payload in zip(chunk, payloads):
                    take(index, payload)
                advance(len(chunk))
        except BaseException:
            # an interrupt, SIGTERM (`Terminated`) or a failure here: the workers go too, so
            # none is left checking for nobody, holding the output pipe open
            _stop_workers(pool)
            raise
        pool.shutdown()
        if lost:
            notes.append(message("worker_died", files=len(lost)))
            for index, payload in _check_alone([read[index] for index in lost], engine, limits, lost):
                take(index, payload)
                advance(1)
    else:
        for index in pending:
            stub, raw = read[index]
            results[index] = _parse_and_check(engine, stub, raw, limits)
            if cache is not None and not _crashed(results[index][0]):
                cache.put("file", file_keys[index], results[index])
            advance(1)
    advance(None)
    return [loaded for loaded, _ in results], [diagnostics for _, diagnostics in results], notes


def _check_alone(items, engine: Engine, limits: Limits, indices: list[int]):
    """(index, pickled result) for each file of `items`: checked again one at a time in a
    worker of its own, not in this process, where a file that kills its process again
    would take the whole report with it. When the worker dies, the file it was checking
    is the one (the results before it come back first), and is reported by name with how
    its process ended; a fresh worker goes on with the files after it."""
    import pickle
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    position = 0
    while position < len(items):
        pool = ProcessPoolExecutor(1, initializer=_start_worker, initargs=(engine.ruleset, limits))
        try:
            with _signals_held():
                jobs = [pool.submit(_check_chunk, [item]) for item in items[position:]]
            processes = list((getattr(pool, "_processes", None) or {}).values())
            for job in jobs:
                try:
                    payload = job.result()[0]
                except BrokenProcessPool:
                    for process in processes:
                        process.join(5)
                    ended = processes[0].exitcode if processes else None
                    stub, _ = items[position]
                    payload = pickle.dumps(_not_checked(engine, stub, _how_it_ended(ended)), pickle.HIGHEST_PROTOCOL)
                    yield indices[position], payload
                    position += 1
                    break
                yield indices[position], payload
                position += 1
        except BaseException:
            _stop_workers(pool)
            raise
        pool.shutdown()


def _how_it_ended(exitcode: int | None) -> Text:
    """Why a file was not checked, when the process checking it ended twice: by which
    signal (a negative exit code) or with which exit code."""
    import signal

    from checker.diagnostics import Text

    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        if -exitcode == signal.SIGKILL:
            return Text(f"検査していたプロセスが2度とも強制終了されました（{name}。メモリ不足のときに OOM killer が送るシグナルです）",
                        f"the process checking it was killed, twice ({name}, which the out-of-memory killer sends)")
        return Text(f"検査していたプロセスが2度とも異常終了しました（{name}）",
                    f"the process checking it ended abruptly, twice ({name})")
    if exitcode is None:
        return Text("検査していたプロセスが2度とも異常終了しました", "the process checking it ended abruptly, twice")
    return Text(f"検査していたプロセスが2度とも異常終了しました（終了コード {exitcode}）",
                f"the process checking it ended abruptly, twice (exit code {exitcode})")


def _not_checked(engine: Engine, stub: LoadedFile, reason: Text):
    """A file that could not be checked: only the finding that says so (LOAD017) at 1:1,
    none of what was half built of it."""
    from checker.diagnostics import Finding, Location, Span
    from checker.loader import LoadedFile

    fresh = LoadedFile(path=stub.path, name=stub.name)
    fresh.findings.append(Finding(CHECK_CRASHED, Location(stub.name, span=Span(1, 1, 1, 2)), {"reason": reason}))
    return fresh, _own(engine, fresh)


@contextmanager
def _signals_held():
    """SIGINT and SIGTERM held back while the pool starts its workers, and delivered after:
    a signal between a worker's fork and the pool recording it would leave that worker
    unknown to `_stop_workers`, an orphan. A worker starts with them held and lets them
    through once its own handlers are set (`_start_worker`)."""
    import signal

    held = {signal.SIGINT, signal.SIGTERM}
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _stop_workers(pool) -> None:
    """Shut the pool down now: the queued work cancelled, the workers terminated and
    reaped (killed if SIGTERM does not end them within a second). Python 3.14 has
    `terminate_workers`; before it, the pool's processes are only in `_processes`."""
    with _signals_held():  # a second Ctrl-C must not cut the shutdown short
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(1)
            if process.is_alive():
                process.kill()
                process.join()


# a worker process's own, set by _start_worker before it checks any chunk
_worker_engine: Engine
_worker_limits: Limits


def _start_worker(ruleset: Ruleset, limits: Limits) -> None:
    """In a worker process, once: the engine that checks each file it parses."""
    global _worker_engine, _worker_limits
    import gc
    import signal

    gc.enable()  # forked while the main process holds its collector (`_collector_held`): a worker's own is on

    from checker.engine import Engine

    # the main process answers an interrupt (it stops the workers and says so); SIGTERM,
    # which it sends to stop them, ends a worker at once (a forked worker inherited the
    # main process's handler, which would make it an exception the pool reports back)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})  # held while the pool started
    from checker.functions import load_builtin_functions

    load_builtin_functions()  # a spawned worker (macOS, Windows) starts with none registered
    _worker_engine, _worker_limits = Engine(ruleset), limits


def _check_chunk(items):
    """In a worker process: parse and check some files; each (file, its own diagnostics)
    pickled, as the cache keeps it."""
    import pickle

    return [pickle.dumps(_parse_and_check(_worker_engine, stub, raw, _worker_limits), pickle.HIGHEST_PROTOCOL)
            for stub, raw in items]


def _parse_and_check(engine: Engine, stub: LoadedFile, raw: bytes, limits: Limits):
    """One file parsed, and the diagnostics it gives on its own; a file that runs out of
    memory (parsing, validating or checking it) is reported as not checked, and every
    other file still is."""
    from checker import loader
    from checker.diagnostics import Text

    budget = loader.Budget(limits)  # all of the file's work, from here
    try:
        loaded = loader.load_bytes(stub, raw, limits, budget)
        return loaded, engine.file_diagnostics(loaded, budget)
    except MemoryError:
        return _not_checked(engine, stub, Text("検査中にメモリが足りなくなりました（MemoryError）",
                                               "plancheck ran out of memory checking it (MemoryError)"))


def _own(engine: Engine, loaded: LoadedFile) -> list[Diagnostic]:
    """The diagnostics one file gives on its own (`Engine.file_diagnostics`)."""
    return engine.file_diagnostics(loaded)


def _sources_of(diagnostics, texts: dict, relations: Relations | None = None) -> dict[str, list[str]]:
    """The lines of the files the diagnostics (and the relations not checked) point into,
    and only those, from each file's text or bytes by name."""
    wanted = {d.file for d in diagnostics} | {related.location.file for d in diagnostics for related, _ in d.related}
    if relations is not None:
        wanted |= {relation.file for relation in relations.unchecked}
    texts = {name: text if not isinstance(text, Unread) else _reader(text.path, text.name, text.limits, text.root)[1]
             for name, text in texts.items() if name in wanted}
    return {name: (text.decode("utf-8-sig", errors="replace") if isinstance(text, bytes) else text).splitlines()
            for name, text in texts.items() if name in wanted and text is not None}


# --- fixes -----------------------------------------------------------------------

def _fix_plans(loaded, diagnostics, limits, notes: list, unsafe: bool, everything, recheck) -> list:
    """The fixes to apply (the safe ones, or all with `unsafe`), each file's checked by
    reloading, and all of them checked again with the plan set: a fix that would make
    another relation fail is refused, with the reason in `notes`."""
    from checker.fixes import FixError, plan_fixes, verify_fixes
    from checker.messages import message

    plans = []
    for file in loaded:
        try:
            planned = plan_fixes(file, diagnostics, limits, unsafe=unsafe)
        except FixError as error:
            notes.append(message("not_fixed", problem=error))
            continue
        if planned.changed:
            plans.append(planned)
    plans, refused = verify_fixes(plans, everything, recheck, limits, unsafe=unsafe)
    notes += [message("not_fixed", problem=problem) for problem in refused]
    if not unsafe:
        left = sum(1 for d in diagnostics if d.fix is not None and not d.fix.safe)
        if left:
            notes.append(message("unsafe_not_applied", unsafe=left))
    return plans


def _diff(loaded, diagnostics, limits, unsafe: bool, everything, recheck) -> tuple[FixOutcome, list]:
    from checker.messages import message

    notes: list = []
    plans = _fix_plans(loaded, diagnostics, limits, notes, unsafe, everything, recheck)
    outcome = FixOutcome(diffs=[planned.diff() for planned in plans], values=sum(planned.count for planned in plans),
                         files=len(plans))
    notes.insert(0, message("would_fix", values=outcome.values, files=outcome.files))
    return outcome, notes


def _fixed_paths(outcome: FixOutcome, loaded) -> dict[Path, str]:
    """The fixed text of each in-memory file, by its path."""
    paths = {file.name: file.path for file in loaded}
    return {paths[name]: text for name, text in (outcome.texts or {}).items() if name in paths}


def _fix(loaded, diagnostics, limits, unsafe: bool, everything, recheck, root: Path,
         named: tuple[str, ...], in_memory: set[Path] | frozenset[Path] = frozenset()) -> tuple[FixOutcome, list]:
    """Write the fixes (the safe ones, or all with `unsafe`), only under the project (the
    configuration's root, the working directory, a path named outside them); what was written.
    An in-memory file (`in_memory`, by absolute path) is never written: its fixed text is
    given back in `FixOutcome.texts`."""
    from checker.fixes import FixError, project_of, write_atomically
    from checker.messages import message

    notes: list = []
    files = values = 0
    texts: dict[str, str] = {}
    project = project_of(root, named)
    for planned in _fix_plans(loaded, diagnostics, limits, notes, unsafe, everything, recheck):
        if planned.loaded.path.absolute() in in_memory:
            texts[planned.loaded.name] = planned.text
            files += 1
            values += planned.count
            continue
        try:
            write_atomically(planned.loaded.path, planned.text, planned.loaded.text, project)
        except FixError as error:
            notes.append(message("not_fixed", problem=error.text))
            continue
        except OSError as error:
            notes.append(message("not_fixed", problem=f"{planned.loaded.name}: {error.strerror or error}"))
            continue
        files += 1
        values += planned.count
    if files:
        notes.insert(0, message("fixed", values=values, files=files))
    return FixOutcome([], values, files, texts), notes


def shown_settings_and_files(prepared: Prepared, lang: str, settings: bool, files: bool) -> tuple[str, list[str]]:
    """`--show-settings` and `--show-files`: what stdout shows (the resolved settings, the
    files that would be checked) and the lines for stderr (what is skipped, and why)."""
    from checker.config import show_settings
    from checker.discovery import discover, show_files

    out, err = "", list[str]()
    if settings:
        out += show_settings(prepared.settings, lang, as_json=prepared.settings.format == "json")
    if files:
        options = prepared.options
        searched = list(options.paths) or [str(path) for path in prepared.settings.plan_set_paths()]
        found = discover(searched, prepared.settings, options.force_exclude, options.plan_set_only)
        checked, err = show_files(found, lang)
        out += checked
        from checker.messages import message

        err += [message("no_such_path", path=raw).render(lang) for raw in found.missing]
    return out, err


def configured_ruleset(rulesets: tuple[str, ...] = ()) -> tuple[Settings, Ruleset]:
    """The settings and ruleset a check from the working directory would use (for
    `plancheck rules` and `plancheck rule`); a `ConfigError` on a bad one."""
    prepared = prepare(RunOptions(rulesets=rulesets, no_cache=True))
    return prepared.settings, prepared.ruleset


# --- standard input ----------------------------------------------------------------

def with_stdin(prepared: Prepared, path: str, stream: BinaryIO) -> Prepared:
    """The run with the file at `path` (`--stdin-filename`) read from `stream` (standard
    input) to its end instead of from disk, through the same loader as a file's bytes."""
    from checker.loader import read_stream

    raw = read_stream(stream, prepared.settings.limits)
    return prepared._replace(options=prepared.options._replace(texts=(*prepared.options.texts, (path, raw))))


def stdin_output(prepared: Prepared, result: RunResult, path: str) -> tuple[bytes, bool]:
    """What `--fix` on standard input writes to standard output (as ruff does): the fixed
    text (UTF-8, as a fixed file is written), else the bytes as they came, unchanged; and
    whether standard input holds more, unread past the size limit, to pass through after them."""
    from checker.discovery import display_name

    fixed = (result.fix.texts or {}) if result.fix else {}
    name = display_name(Path(path))
    if name in fixed:
        return fixed[name].encode("utf-8"), False
    raw = next((raw for given, raw in prepared.options.texts if given == path), b"")
    return raw, len(raw) > prepared.settings.limits.file_bytes
