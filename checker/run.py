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
from collections.abc import Callable, Iterator
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
    path); with `diff`, plan them without writing. The collector is held for the whole run
    (`_collector_held`): discovery, the stat cache and the indices are as long-lived as the
    files loaded after them."""
    with _collector_held():
        return _execute(prepared, progress)


def _execute(prepared: Prepared, progress: Progress | None) -> RunResult:
    from checker.discovery import discover, display_name, in_path_order
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
    unused = workers_setting_unused()
    if unused is not None:
        result.notes.append(message("workers_unused", value=repr(unused[:40]), cores=worker_count()))
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
    everything = in_path_order([*found.checked, *found.context])
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
    loaded: list[LoadedFile] = []  # none in a thin run: its files stay in the workers
    own: list[list[Diagnostic]] = []
    loaded_groups: list[str] | None = None
    thin: _Thin | None = None
    if _thin_applies(options, cache, read, reported):
        thin = _thin_check(read, file_keys, groups, settings, cache, engine, progress, options.parallel,
                           set(given))
        load_notes, crashed, shown = thin.notes, thin.crashed, thin.texts
    else:
        loaded, own, load_notes, loaded_groups = _load_needed(read, file_keys, reported, groups, settings, cache,
                                                              engine, progress, options)
        crashed, shown = any(_crashed(file) for file in loaded), {file.name: file.text for file in loaded}
    _save_stats(stats, everything, found)
    if any(isinstance(raw, Unread) and raw.differed for _, raw in read) or (thin is not None and thin.differed):
        run_key = None  # a file changed while the run went: the run's key is not what it checked
    result.notes += load_notes  # after the cache's own notes, never over them
    if thin is None:
        result.diagnostics, result.relations = _diagnose(engine, loaded, own, reported, settings, loaded_groups)
    else:
        result.diagnostics, result.relations = thin.diagnostics, thin.relations
    if options.keep_files:
        result.files = [file for file in loaded if file.name in reported]
    if cache is not None and run_key is not None and not crashed:
        # a file that could not be checked is checked again next time, not answered from here
        cache.put("run", run_key, (result.diagnostics, result.relations))
    result.sources = _sources_of(result.diagnostics, shown, result.relations)
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
    from checker.diagnostics import Relations

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
    finished = [d for d in engine.finish(mine, found) if d.file in reported]
    return _reported(finished, relations, {file.name: file.path for file in loaded}, settings)


def _reported(diagnostics: list[Diagnostic], relations: Relations, paths: dict[str, Path],
              settings: Settings) -> tuple[list[Diagnostic], Relations]:
    """The diagnostics and relations less what the per-file ignores turn off (an unchecked
    relation, when they turn off every rule it is of), the relations in report order."""
    from checker.diagnostics import UncheckedRelation

    def ignored(code: str, file: str) -> bool:
        return settings.ignored_here(code, paths.get(file, Path(file)))

    relations.unchecked = sorted((relation for relation in relations.unchecked
                                  if not all(ignored(code, relation.file) for code in relation.codes)),
                                 key=UncheckedRelation.sort_key)
    return [d for d in diagnostics if not ignored(d.code, d.file)], relations


@contextmanager
def _collector_held():
    """The cyclic garbage collector off while a run goes (`execute`): discovery's stats and
    paths, the stat cache and the cross-document index read, the files loaded (unpickled or
    taken from the workers), the rules' findings. What is allocated there lives until the
    run ends, and each collection of the oldest generation walks all of it again: the
    pre-commit case took twice as long with it on while loading, and a tenth longer at
    20,000 files with it on in discovery alone (0.465 against 0.41 s in one process). Back
    on, as it was, when the run's work is done."""
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

    directories = set(settings.plan_set_directories())  # looked up, never scanned, per file's directory
    groups = []
    alone = 0
    # a file's plan set is its directory's: asked once per directory, not once per file
    by_directory: dict[Path, str | None] = {}
    for path in everything:
        parent = path.absolute().parent
        if parent not in by_directory:
            by_directory[parent] = settings.plan_set_of(path, directories)
        group = by_directory[parent]
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
    from checker.loader import given_bytes

    read: list[Any] = []
    file_keys: list[str | None] = []
    here = os.getcwd()
    head = os.path.join(here, "")  # `str(path.absolute())` of a relative path: this and the path
    for path in everything:
        name = display_name(path, here)
        if given and path.absolute() in given:
            stub, raw = given_bytes(path, name, given[path.absolute()], settings.limits)
            read.append((stub, raw))
            file_keys.append(cache.key("file", name, raw) if cache is not None and raw is not None else None)
            continue
        as_given = str(path)
        text = as_given if os.path.isabs(as_given) else head + as_given
        status = (statuses[text] if text in statuses else file_stat(text)) if stats is not None else None
        kept = stats.content_key(text, status) if stats is not None and name not in reported else None
        if kept is not None:
            # its own stub: a stub is asked only its path and name until the file is read, and
            # then the read makes its LoadedFile (one object a context file, not two)
            unread = Unread(path, name, settings.limits, settings.root, kept)
            read.append((unread, unread))
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
    sharing = crossdoc.Sharing()  # filed once: a later round adds only the indices it learned
    while True:
        wanted = crossdoc.needed(indices, positions, used, groups, sharing)
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
    if _whole_from_one(wanted):
        return min(int(wanted), PARALLEL_MAX_WORKERS)
    return min(os.cpu_count() or 1, PARALLEL_MAX_WORKERS)


def _whole_from_one(text: str) -> bool:
    return text.isascii() and text.isdigit() and int(text) >= 1


def workers_setting_unused() -> str | None:
    """PLANCHECK_WORKERS as set, when it is set and not a whole number from 1 (so not used:
    the run says so, rather than quietly using one worker per core)."""
    wanted = os.environ.get("PLANCHECK_WORKERS")
    if wanted is None or not wanted.strip() or _whole_from_one(wanted.strip()):
        return None
    return wanted


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
            cache.put_pickled("file", file_keys[index], _entry_value(payload))
        results[index][0].path = read[index][0].path

    results: list[Any] = [None] * len(read)
    notes: list[Text] = []
    pending = []
    read = list(read)
    for index, ((stub, raw), key) in enumerate(zip(read, file_keys)):
        cached = _entry(cache, key) if cache is not None else None
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
        chunks = _chunks(pending, workers)
        lost: list[int] = []  # the files of the tasks a dead worker did not bring back
        with _pool(workers, engine.ruleset, limits) as pool:
            for chunk, payloads in zip(chunks, _done(pool, _check_chunk, [[read[index] for index in chunk]
                                                                        for chunk in chunks]), strict=True):
                if payloads is None:
                    lost += chunk
                    continue
                for index, payload in zip(chunk, payloads):
                    take(index, payload)
                advance(len(chunk))
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
                try:
                    payload = pickle.dumps(results[index], pickle.HIGHEST_PROTOCOL)
                except (pickle.PicklingError, TypeError, AttributeError):
                    pass  # as `Cache.put`: a value that cannot be kept is only computed again
                else:
                    cache.put_pickled("file", file_keys[index], _entry_value(payload))
            advance(1)
    advance(None)
    return [loaded for loaded, _ in results], [diagnostics for _, diagnostics in results], notes


# --- the thin main process: a cold full run in the workers -----------------------------

class _Record(NamedTuple):
    """What a thin run (`_thin_check`) keeps of one file after its first phase, instead of
    the file: its cross-document tokens and, when the second phase does not need it again
    (no model for the rules across documents, no suppression comment), its own diagnostics
    and relations, which are then all the report needs of it."""

    tokens: dict[str, tuple[str, ...]]
    again: bool  # the second phase reads its entry again (it has a model, or suppression comments)
    text: bool  # it was decoded: a finding can show its lines
    crashed: bool  # its check ended its process or ran out of memory (`_crashed`)
    own: list[Diagnostic] | None  # not again: its diagnostics, as reported
    relations: Relations | None  # not again: the relations its own rules checked and could not
    payload: bytes | None  # again, and its entry could not be kept in the cache: the entry itself
    differed: bool  # a file the stat cache vouched for, read in the worker, was not those bytes


def _entry_value(payload: bytes, record: _Record | None = None) -> bytes:
    """What the cache keeps for a file: its `_Record` (None until a thin run takes it from
    the entry, `_recorded`) and `payload`, the pickled (file, its own diagnostics), in one
    cache file. A thin run reads the record without unpickling the model, and a cold run
    creates one file per plan file, not two: creating a file is the dearest thing a run
    asks of the file system (50 µs to 0.8 ms on this machine's ext4)."""
    import pickle

    return pickle.dumps((record, payload), pickle.HIGHEST_PROTOCOL)


def _kept(cache, key: str | None) -> tuple[_Record | None, bytes] | None:
    """A file's cache entry as `_entry_value` keeps it, or None: a miss, or a value of
    another shape (never taken for a file's)."""
    value = cache.get("file", key) if key is not None else None
    if type(value) is tuple and len(value) == 2 and type(value[1]) is bytes \
            and (value[0] is None or type(value[0]) is _Record):
        return value
    return None


def _unpickled(payload: bytes) -> tuple[LoadedFile, list[Diagnostic]] | None:
    """A file's (file, its own diagnostics) from its entry's payload; None when it cannot
    be read back, which is only a miss."""
    import pickle

    from checker.loader import LoadedFile

    try:
        entry = pickle.loads(payload)
    except Exception:  # noqa: BLE001 - as `Cache.get`: an entry that does not load is a miss
        return None
    return entry if type(entry) is tuple and len(entry) == 2 and isinstance(entry[0], LoadedFile) else None


def _entry(cache, key: str | None) -> tuple[LoadedFile, list[Diagnostic]] | None:
    """A file's (file, its own diagnostics) from the cache, or None."""
    kept = _kept(cache, key)
    return None if kept is None else _unpickled(kept[1])


def _thin_applies(options: RunOptions, cache, read: list, reported: set[str]) -> bool:
    """Whether the run is thin (`_thin_check`): every file is reported, with a disk cache,
    and enough files to be worth two phases. Not with `MemoryCache` (the language server:
    in-process only, and an entry it drops past its bound could not be read back), nor
    `keep_files` (the report needs the models), `--fix`/`--diff` (they need the files and
    check the set again), nor a run reporting some files (`_load_needed` loads only
    their components): those keep every file they load in this process, as before."""
    from checker.cache import Cache

    return isinstance(cache, Cache) and not (options.keep_files or options.fix or options.diff) \
        and len(reported) == len(read) and len(read) >= PARALLEL_MIN_FILES


class _Thin(NamedTuple):
    diagnostics: list[Diagnostic]
    relations: Relations
    notes: list[Text]
    crashed: bool  # a file could not be checked: the run is not kept
    texts: dict[str, Any]  # the bytes (or `Unread`) of each file whose text was decoded, by name
    differed: bool  # a file read again in phase 2 (its entry gone) had changed: the run is not kept


def _thin_check(read: list, file_keys: list, groups: list[str] | None, settings: Settings, cache, engine: Engine,
                progress: Progress | None, parallel: bool, in_memory: set[Path]) -> _Thin:
    """A full run in which this process never holds (nor unpickles) a plan model, so that
    a cold run's memory is a few records per file and its work scales with the cores.

    Phase 1: each file is parsed and checked on its own in a worker (or found in the
    cache there), its entry written to the cache by that worker (`CacheHandle`), and only
    a `_Record` comes back. Phase 2: the files in connected components (`crossdoc
    .components`: every group a rule across documents forms lies in one), each component
    read back from the cache in a worker with the context it needs, the rules across
    documents run over it with `only` its files, and `finish` (suppressions, order); its
    diagnostics and relations come back. A worker holds one component's models at a time.

    The result is a full run's exactly: a component's findings and relation records are
    those of the whole plan set on its files, and each file's diagnostics keep their order.
    A check across documents that fails (INT001) fails over the whole plan set in a full
    run (no finding of that call anywhere in the set, one INT001 at its first reported
    file), so a plan set where one did is checked again whole in this process. The bytes
    read are dropped once sent (a disk file's lines are read again for a finding)."""
    from checker import crossdoc
    from checker.diagnostics import Diagnostic, Relations
    from checker.messages import message
    from checker.model import build_validator

    limits = settings.limits
    store = crossdoc.IndexStore(cache, cache.key("crossdoc", str(settings.root), *settings.plans))
    records: list[_Record | None] = [None] * len(read)
    items, sent = [], []  # (stub, bytes, key) for phase 1, and their positions
    for position, ((stub, raw), key) in enumerate(zip(read, file_keys, strict=True)):
        if raw is None:  # unreadable: the stub holds the loader's finding
            records[position] = _record(stub, _own(engine, stub), stored=False)
            continue
        items.append((stub, raw, key))
        sent.append(position)
        if not isinstance(raw, Unread) and stub.path.absolute() not in in_memory:
            read[position] = (stub, Unread(stub.path, stub.name, limits, settings.root, key))
    build_validator(cache)  # before the workers fork: they inherit it
    workers = worker_count()
    pooled = parallel and len(items) >= PARALLEL_MIN_FILES and workers > 1
    handle = cache.handle()
    notes: list[Text] = []
    advance = progress(len(items)) if progress is not None else (lambda step: None)
    if pooled:
        chunks = _chunks(items, workers)
        items.clear()  # each chunk holds its files' bytes until it comes back, and nothing else does
        lost: list[int] = []
        with _pool(workers, engine.ruleset, limits, handle) as pool:
            for chunk, got in zip(_chunks(sent, workers), _done(pool, _record_chunk, chunks), strict=True):
                if got is None:
                    lost += chunk
                    continue
                for position, record in zip(chunk, got, strict=True):
                    records[position] = record
                advance(len(chunk))
        if lost:
            notes.append(message("worker_died", files=len(lost)))
            # the bytes sent went with their chunks: a disk file is read again in the worker
            # (`Unread`: its key tells whether it changed since)
            again = [(read[position][0], read[position][1], file_keys[position]) for position in lost]
            for position, record in _check_alone(again, engine, limits, lost, _record_chunk, _dead_record, handle):
                records[position] = record
                advance(1)
    else:
        for position, (stub, raw, key) in zip(sent, items, strict=True):
            records[position] = _recorded(engine, cache, limits, stub, raw, key)
            advance(1)
        items.clear()
    advance(None)
    done: list[_Record] = [record for record in records if record is not None]
    assert len(done) == len(read), "a file without its record"
    for position, record in enumerate(done):
        if record.differed:
            raw = read[position][1]
            if isinstance(raw, Unread):
                raw.differed = True
    indices = [store.index_from(key, record.tokens, keep=not record.crashed)
               for key, record in zip(file_keys, done, strict=True)]
    store.save(file_keys)

    diagnostics: list[Diagnostic] = []
    relations = Relations()
    for record in done:
        if not record.again:
            diagnostics += record.own or []
            if record.relations is not None:
                relations.add(record.relations)
    used = crossdoc.groupings(crossdoc.plan_set_functions(engine.ruleset))

    def entry(position: int) -> tuple:
        stub, raw = read[position]
        return (position, stub.path, stub.name, file_keys[position], done[position].payload, raw)

    components = []
    for files, context in crossdoc.components(indices, used, groups):
        read_again = [position for position in files if done[position].again]
        if read_again:
            components.append(([entry(position) for position in read_again], [entry(position) for position in context]))
    checked: list[tuple[list[Diagnostic], Relations, bool, bool] | None] = [None] * len(components)
    if pooled and sum(len(members) for members, _ in components) >= PARALLEL_MIN_FILES:
        batches = _component_batches(components, workers)
        with _pool(workers, engine.ruleset, limits, handle) as pool:
            for numbers, got in zip([list(numbers) for numbers, _ in batches],
                                    _done(pool, _components_chunk, [batch for _, batch in batches]), strict=True):
                for number, outcome in zip(numbers, got or [None] * len(numbers), strict=True):
                    checked[number] = outcome
    lost_files = 0
    for number, component in enumerate(components):
        if checked[number] is None:  # in this process: a small run, or a worker that died
            lost_files += len(component[0]) if pooled else 0
            checked[number] = _component_checked(engine, cache, limits, component)
    if lost_files:
        notes.append(message("worker_died", files=lost_files))
    failed = {None if groups is None else groups[members[0][0]]
              for (members, _), outcome in zip(components, checked, strict=True) if outcome is not None and outcome[2]}
    differed = False
    for (members, _), outcome in zip(components, checked, strict=True):
        assert outcome is not None
        found, found_relations, _, changed = outcome
        differed |= changed
        if (None if groups is None else groups[members[0][0]]) in failed:
            continue
        diagnostics += found
        relations.add(found_relations)
    for plan_set in sorted(failed, key=lambda name: name or ""):
        positions = [position for position in range(len(read)) if groups is None or groups[position] == plan_set]
        found, found_relations = _plan_set_checked(engine, cache, limits, [entry(position) for position in positions],
                                                   [done[position].again for position in positions])
        diagnostics += found
        relations.add(found_relations)
    diagnostics.sort(key=Diagnostic.sort_key)  # stable: each file's keep the order `finish` gave them
    paths = {stub.name: stub.path for stub, _ in read}
    texts = {stub.name: raw for (stub, raw), record in zip(read, done, strict=True) if record.text}
    diagnostics, relations = _reported(diagnostics, relations, paths, settings)
    return _Thin(diagnostics, relations, notes, any(record.crashed for record in done), texts, differed)


def _fresh(stub: LoadedFile | Unread) -> LoadedFile:
    """A copy of a file's stub to load into, so that the run's own (`read`) never holds a
    model (a file not read, `Unread`, is its own stub, with no finding yet)."""
    from checker.loader import LoadedFile

    return LoadedFile(path=stub.path, name=stub.name,
                      findings=list(stub.findings) if isinstance(stub, LoadedFile) else [])


def _record(loaded: LoadedFile, own: list[Diagnostic], stored: bool, payload: bytes | None = None,
            differed: bool = False) -> _Record:
    """A file's `_Record`; `stored`, whether its entry is in the cache (else `payload` is
    sent with the record when the second phase needs it)."""
    import pickle

    from checker import crossdoc

    again = loaded.model is not None or (loaded.text is not None and "plancheck:" in loaded.text)
    if again and not stored:
        payload = payload or pickle.dumps((loaded, own), pickle.HIGHEST_PROTOCOL)
    return _Record(crossdoc.tokens(loaded), again, loaded.text is not None, _crashed(loaded),
                   None if again else own, None if again else loaded.relations,
                   payload if again and not stored else None, differed)


def _recorded(engine: Engine, cache, limits: Limits, stub: LoadedFile | Unread, raw, key: str) -> _Record:
    """Phase 1 of a thin run for one file: the record kept in its entry (`_entry_value`),
    else one taken from the entry (and kept in it), else the file parsed and checked on its
    own and its entry kept with its record (a warm run then reads the record without
    unpickling the model, which phase 2 does once more); its `_Record`."""
    import pickle

    kept = _kept(cache, key)
    if kept is not None:
        record, payload = kept
        if record is not None:
            return record
        entry = _unpickled(payload)
        if entry is not None:  # kept by a run that loads whole files: its record kept with it now
            record = _record(entry[0], entry[1], stored=True)
            cache.put_pickled("file", key, _entry_value(payload, record))
            return record
    stub = _fresh(stub)  # loaded into: the run's stub (in `read`) stays bare
    differed = False
    if isinstance(raw, Unread):  # its entry is gone, or the bytes were dropped once sent: read it now
        unread = raw
        stub, raw = unread.read(cache)
        differed = unread.differed
    if raw is None:
        return _record(stub, _own(engine, stub), stored=False, differed=differed)
    loaded, own = _parse_and_check(engine, stub, raw, limits)
    if _crashed(loaded):
        return _record(loaded, own, stored=False, differed=differed)  # never cached
    payload = pickle.dumps((loaded, own), pickle.HIGHEST_PROTOCOL)
    if not differed:  # an entry is never kept of bytes other than its key's
        record = _record(loaded, own, stored=True)
        if cache.put_pickled("file", key, _entry_value(payload, record)):
            return record
    return _record(loaded, own, stored=False, payload=payload, differed=differed)


def _record_chunk(items) -> list[_Record]:
    """In a worker process: phase 1 of a thin run for some files."""
    return [_recorded(_worker_engine, _worker_cache, _worker_limits, stub, raw, key) for stub, raw, key in items]


def _dead_record(engine: Engine, stub: LoadedFile, reason: Text) -> _Record:
    """The record of a file whose check ended its worker twice (LOAD017)."""
    loaded, own = _not_checked(engine, stub, reason)
    return _record(loaded, own, stored=False)


def _component_batches(components: list, workers: int) -> list[tuple[list[int], list]]:
    """The components in tasks of about a chunk's files (a large component alone), at
    least four per worker: (the components' numbers, the components)."""
    files = sum(len(members) for members, _ in components)
    size = max(1, min(PARALLEL_CHUNK, -(-files // (workers * 4))))
    batches: list[tuple[list[int], list]] = []
    count = 0
    for number, component in enumerate(components):
        if not batches or count >= size:
            batches.append(([], []))
            count = 0
        batches[-1][0].append(number)
        batches[-1][1].append(component)
        count += len(component[0]) + len(component[1])
    return batches


def _components_chunk(components: list) -> list:
    """In a worker process: phase 2 of a thin run for some components."""
    return [_component_checked(_worker_engine, _worker_cache, _worker_limits, component) for component in components]


def _entry_again(engine: Engine, cache, limits: Limits, item) -> tuple[LoadedFile, list[Diagnostic], bool]:
    """A file's entry in phase 2: sent with it, else from the cache; one gone since phase 1
    (another run's clean-up, a full disk) is parsed and checked again, from its bytes or
    `Unread` (whether it differed from the bytes the run keyed comes back too)."""
    import pickle

    from checker.loader import LoadedFile

    _, path, name, key, payload, raw = item
    entry = pickle.loads(payload) if payload is not None else _entry(cache, key)
    differed = False
    if entry is None:
        stub = LoadedFile(path=path, name=name)
        if isinstance(raw, Unread):
            unread = raw
            stub, raw = unread.read(cache)
            differed = unread.differed
        entry = (stub, _own(engine, stub)) if raw is None else _parse_and_check(engine, stub, raw, limits)
    entry[0].path = path
    return entry[0], entry[1], differed


def _component_checked(engine: Engine, cache, limits: Limits, component) -> tuple[list[Diagnostic], Relations, bool,
                                                                                bool]:
    """Phase 2 of a thin run for one component (its files, and the context they need):
    the rules across documents on its files and `finish`; their diagnostics, relations
    (their own and the plan set's), whether a check across documents failed, and whether
    a file read again had changed."""
    from checker.diagnostics import Relations

    members, context = component
    mine: list[LoadedFile] = []
    own: list[Diagnostic] = []
    relations = Relations()
    files: dict[int, LoadedFile] = {}
    differed = False
    for item in members:
        loaded, diagnostics, changed = _entry_again(engine, cache, limits, item)
        files[item[0]] = loaded
        mine.append(loaded)
        own += diagnostics
        relations.add(loaded.relations)
        differed |= changed
    for item in context:
        loaded, _, changed = _entry_again(engine, cache, limits, item)
        files[item[0]] = loaded
        differed |= changed
    together = [files[position] for position in sorted(files)]  # path order, as a full run's
    found = own + engine.set_diagnostics(together, only={file.name for file in mine}, relations=relations)
    return engine.finish(mine, found), relations, engine.failed_across, differed


def _plan_set_checked(engine: Engine, cache, limits: Limits, items: list, again: list[bool]
                      ) -> tuple[list[Diagnostic], Relations]:
    """A plan set checked whole in this process, as `_diagnose` checks it (a thin run's
    plan set where a check across documents failed): its files read back, the rules
    across documents over all of them, every file reported. A file without a model or a
    suppression comment has its record's diagnostics already, and is only named (the
    failed check's INT001 goes to the first file reported)."""
    from checker.diagnostics import Relations
    from checker.loader import LoadedFile

    mine: list[LoadedFile] = []
    named: list[LoadedFile] = []
    own: list[Diagnostic] = []
    relations = Relations()
    for item, needed_again in zip(items, again, strict=True):
        if not needed_again:
            named.append(LoadedFile(path=item[1], name=item[2]))
            continue
        loaded, diagnostics, _ = _entry_again(engine, cache, limits, item)
        mine.append(loaded)
        named.append(loaded)
        own += diagnostics
        relations.add(loaded.relations)
    found = own + engine.set_diagnostics(named, only={file.name for file in named}, relations=relations)
    return engine.finish(mine, found), relations


def _pickled_not_checked(engine: Engine, stub: LoadedFile, reason: Text) -> bytes:
    import pickle

    return pickle.dumps(_not_checked(engine, stub, reason), pickle.HIGHEST_PROTOCOL)


def _check_alone(items, engine: Engine, limits: Limits, indices: list[int], task=None, dead=_pickled_not_checked,
                 handle=None):
    """(index, result) for each file of `items`: checked again one at a time in a worker of
    its own (`task`, `_check_chunk` unless given, over one item), not in this process,
    where a file that kills its process again would take the whole report with it. When
    the worker dies, the file it was checking is the one (the results before it come back
    first), and is reported by name with how its process ended (`dead`: the result for a
    file not checked); a fresh worker goes on with the files after it."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    task = task or _check_chunk
    position = 0
    while position < len(items):
        pool = ProcessPoolExecutor(1, initializer=_start_worker, initargs=(engine.ruleset, limits, handle))
        try:
            with _signals_held():
                jobs = [pool.submit(task, [item]) for item in items[position:]]
            processes = list((getattr(pool, "_processes", None) or {}).values())
            for job in jobs:
                try:
                    payload = job.result()[0]
                except BrokenProcessPool:
                    # the pool's own thread reaps the dead worker: joining it here as well
                    # races that thread's waitpid, and the loser reads no exit code at all.
                    # Once the pool is shut down, its thread has joined every worker.
                    pool.shutdown(wait=True)
                    ended = processes[0].exitcode if processes else None
                    yield indices[position], dead(engine, items[position][0], _how_it_ended(ended))
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


def _chunks(positions: list, workers: int) -> list[list]:
    """`positions` in tasks: at most PARALLEL_CHUNK each, and at least four per worker."""
    size = max(1, min(PARALLEL_CHUNK, -(-len(positions) // (workers * 4))))
    return [positions[start:start + size] for start in range(0, len(positions), size)]


@contextmanager
def _pool(workers: int, ruleset: Ruleset, limits: Limits, handle=None):
    """Worker processes (`_start_worker`), shut down when the work is done; on an
    interrupt, SIGTERM (`Terminated`) or a failure here, stopped at once (`_stop_workers`),
    so none is left checking for nobody, holding the output pipe open."""
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(ruleset, limits, handle))
    try:
        yield pool
    except BaseException:
        _stop_workers(pool)
        raise
    pool.shutdown()


def _done(pool, task, batches: list) -> Iterator[list | None]:
    """Each batch's results (`task` over it in a worker), in order; None for a batch whose
    worker died (`BrokenProcessPool`). A batch is held only until it comes back: the list
    given is emptied once every batch is submitted (the thin run's file bytes)."""
    from concurrent.futures.process import BrokenProcessPool

    with _signals_held():
        jobs = [pool.submit(task, batch) for batch in batches]
    batches.clear()
    for number, job in enumerate(jobs):
        try:
            results = job.result()
        except BrokenProcessPool:
            results = None
        jobs[number] = None  # its results are the caller's now
        yield results


# a worker process's own, set by _start_worker before it checks any chunk
_worker_engine: Engine
_worker_limits: Limits
_worker_cache: Any = None  # the thin run's (`_thin_check`): each file's entry written and read here


def _start_worker(ruleset: Ruleset, limits: Limits, handle=None) -> None:
    """In a worker process, once: the engine that checks each file it parses, and (a thin
    run) the cache, opened again from `handle` (`checker.cache.CacheHandle`)."""
    global _worker_engine, _worker_limits, _worker_cache
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
    _worker_cache = handle.open() if handle is not None else None
    # what the worker holds for good (modules, ruleset, engine, validator) is never walked
    # again by the collector. A thin run's worker keeps no file past its task, so the
    # collector stays on: off, its per-file cost was the same within noise (parse, check,
    # keep: 4.78 ms/file on, 4.76 frozen, 4.82 off with a young collection per file,
    # medians of 3 × 1,500 generated files), the 40 % `bench/parse.py --gc off` shows being
    # the cost of a process that keeps every file
    gc.freeze()


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
