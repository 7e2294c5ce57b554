"""Which files a run checks, and which it loads only as context.

The files named on the command line (or found under the directories named) are checked
and reported on. Cross-document rules also need the rest of the plan set (the
configuration's `plans`), so those files are loaded as context: their findings are not
reported. This is what lets a pre-commit hook, given only the changed files, still
compare them with the documents that did not change.

A directory is searched as ruff searches one: the configuration's `exclude` and
`extend-exclude` (and `--exclude`, `--extend-exclude`) prune it, and so do the
repository's `.gitignore` files and `.git/info/exclude` (unless `respect-gitignore` is
off). Of the YAML files found, only plans are checked: a file without a top-level `plan:`
key (a GitHub workflow, `.pre-commit-config.yaml`, a ruleset) is skipped, and the run
says how many were (`--show-files` lists each with its reason). Whether a file is a plan is
decided from its bytes without parsing it (`looks_like_plan`); a file named on the
command line is checked whatever it holds, so it gets its diagnostic when it is none.

Every `.gitignore` is the repository's data: it is read only when it is a regular file
(never through a symbolic link, as git reads it), at most `GITIGNORE_BYTES` of it, and
matched by `checker.globs`, whose patterns cost time linear in the path (pathspec's
regular expressions can backtrack, exponentially, on a pattern made to).
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from checker.config import Settings, plan_set_directory_of
from checker.diagnostics import Text
from checker.globs import Glob, shape_pattern

PLAN_SUFFIXES = (".yaml", ".yml")
# what is read of a file to decide whether it is a plan: its header is at the top in every
# plan anyone writes; a longer file without `plan:` in this much is checked, not skipped
SNIFF_BYTES = 1 << 20
GITIGNORE_BYTES = 1 << 20

NOT_A_PLAN = "not_a_plan"
EXCLUDED = "excluded"
GITIGNORED = "gitignored"
OUTSIDE_PLAN_SET = "outside_plan_set"


class Skipped(NamedTuple):
    """A file or directory the run does not check, and why."""

    path: Path
    kind: str  # NOT_A_PLAN, EXCLUDED, GITIGNORED, OUTSIDE_PLAN_SET
    reason: Text
    directory: bool = False


class Discovered(NamedTuple):  # not a dataclass: defined on every run, and a dataclass costs start-up
    checked: list[Path]  # reported on
    context: list[Path]  # loaded for cross-document rules only
    missing: list[str]  # named on the command line but not there
    skipped: tuple[Skipped, ...] = ()  # found (or, for the hook, named) and not checked
    # with a stat cache: the stat taken of each YAML file decided on, by absolute path (for
    # the run to compare with the stat cache's instead of taking it again), and the
    # directories searched (absolute: beyond them the stat cache's entries were not seen)
    statuses: dict[str, Any] | None = None
    searched: tuple[str, ...] = ()
    context_tops: tuple[Path, ...] = ()  # the directories the context was found under (absolute)

    def not_plans(self) -> int:
        """How many YAML files a search found and skipped as not plans (the run's note)."""
        return sum(1 for skip in self.skipped if skip.kind == NOT_A_PLAN)


def discover(paths: list[str], settings: Settings, force_exclude: bool = False,
             plan_set_only: bool = False, present: frozenset[Path] = frozenset(),
             stats: Callable[[], Any] | None = None, taken: int = 0) -> Discovered:
    """The files to check under `paths`. `force_exclude`: a named file the exclusions or
    .gitignore cover is skipped too (ruff's rule, for pre-commit). `plan_set_only` (the
    pre-commit hook, which hands over every changed YAML file): a named file is checked only
    when it is a plan of the configuration's plan set. `present`: absolute paths whose
    contents are in memory (standard input, an editor's buffer), found whether or not a
    file is there. `stats`: called when the first file is to be decided, the stat cache
    (`checker.cache.StatStore`) or None; with `taken`, the time before the search began:
    whether a file is a plan is taken from it for a file whose stat has not moved, and what
    is decided from the bytes is kept in it (a run that finds nothing to decide opens no cache).

    With `plan-sets`, only the plan sets holding a checked file are searched for context:
    the rules across documents run over each plan set apart, so no other can change a
    finding on the files checked."""
    walker = _Walker(settings, present, _Once(stats) if stats is not None else None, taken)
    plan_set_roots = [p.absolute() for p in settings.plan_set_paths() if p.exists()]
    checked, missing = walker.expand(paths, force_exclude, plan_set_roots if plan_set_only else None)
    seen = {path.absolute() for path in checked}
    skipped = walker.skipped
    searched = tuple(str(Path(path).absolute()) for path in paths)
    if not any(path.absolute().is_relative_to(root) for path in checked for root in plan_set_roots):
        # files from elsewhere have no plan set to be read with
        return Discovered(checked, [], missing, tuple(skipped), walker.statuses, searched)
    tops = _context_tops(settings, checked, plan_set_roots, _Walker(settings, present))
    # a top that was itself a directory searched has given every file it holds (a full run:
    # `plancheck plans`); a second walk of it would find them again, to be dropped
    walked = {Path(path).absolute() for path in paths if os.path.isdir(path)}
    context_walker = _Walker(settings, present, walker.stats, taken, walker.statuses, walker.verdicts)
    plan_set, _ = context_walker.expand([str(top) for top in tops if top not in walked], True, plan_set_roots)
    # found once each (the tops do not nest); a top is absolute, and so is each path found under it
    named = {str(path) for path in seen}
    context = [path for path in plan_set if str(path) not in named]
    return Discovered(checked, context, missing, tuple(skipped), walker.statuses,
                      searched + tuple(str(top) for top in tops), tuple(tops))


def _context_tops(settings: Settings, checked: list[Path], roots: list[Path], walker: _Walker) -> list[Path]:
    """Where the context is searched: the plan set's roots, or with `plan-sets` the plan
    sets that hold a checked file (within the roots), each searched only when a search of
    its root would reach it (no directory between them excluded or ignored)."""
    if not settings.plan_sets:
        return roots
    directories = set(settings.plan_set_directories())
    tops: set[Path] = set()
    owners: dict[Path, Path | None] = {}  # each directory of checked files, looked up once
    decided: set[Path] = set()  # the plan sets whose place among the roots is settled
    for path in checked:
        parent = path.absolute().parent
        if parent not in owners:
            owners[parent] = plan_set_directory_of(path, directories)
        own = owners[parent]
        if own is None or own in decided:
            continue  # in no plan set (its own, related to no other file), or its set already placed
        decided.add(own)
        for root in roots:
            if root.is_relative_to(own):
                tops.add(root)  # the plan set holds the root: every file of it may be in the set
            elif own.is_relative_to(root) and _reached(own, root, walker):
                tops.add(own)
    # a top under another is searched with it (its ancestors looked up, not every pair compared)
    return sorted(top for top in tops if not any(up in tops for up in top.parents))


def _reached(directory: Path, root: Path, walker: _Walker) -> bool:
    """Whether a search of `root` descends into `directory` (below it): no directory on the
    way is excluded, ignored by git or a symbolic link (the walk does not follow one)."""
    here = root
    for part in directory.relative_to(root).parts:
        here = here / part
        if here.is_symlink() or not here.is_dir() or walker._skip(here, True) is not None:
            return False
    return True


class _Once:
    """`make()` when first called, and what it gave after."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make: Callable[[], Any] | None = make
        self.made: Any = None

    def __call__(self) -> Any:
        if self.make is not None:
            self.made, self.make = self.make(), None
        return self.made

    def may_give(self) -> bool:
        """Whether it gave something other than None, or has not been called yet."""
        return self.make is not None or self.made is not None


class _Walker:
    """One search: the exclusions, the .gitignore files read on the way (each once), and
    what was skipped."""

    def __init__(self, settings: Settings, present: frozenset[Path] = frozenset(), stats: _Once | None = None,
                 taken: int = 0, statuses: dict[str, Any] | None = None,
                 verdicts: dict[str, bool] | None = None) -> None:
        self.settings = settings
        self.present = present  # in memory: found whether or not a file is there
        self.skipped: list[Skipped] = []
        self.stats, self.taken = stats, taken  # the stat cache (opened when first asked), and when the search began
        # with the stat cache: each YAML file's stat as the search found it, by absolute path
        self.statuses: dict[str, Any] | None = (statuses if statuses is not None else {}) if stats is not None else None
        # what this discovery decided, by absolute path: a file named and met again in the
        # plan set (the hook's changed file, racy by its fresh mtime) is opened once
        self.verdicts: dict[str, bool] = verdicts if verdicts is not None else {}
        # whether every exclusion decides a file as it decides the file's directory: then a
        # file in a directory the walk kept is not excluded, and is not matched again
        self._by_directory = all(glob.by_directory for _, _, glob in settings._exclusions)
        # by absolute directory, as text: looked up for every directory a walk meets
        self._ignores: dict[str, GitIgnores | None] = {}
        self._by_root: dict[str, GitIgnores] = {}
        self._tops: dict[str, str | None] = {}

    def expand(self, paths: list[str], force_exclude: bool,
               plan_set: list[Path] | None = None) -> tuple[list[Path], list[str]]:
        """Plan files under `paths`, each once, in a stable order. A directory is searched;
        a file named directly is checked even when excluded or not a plan, unless
        `force_exclude` (exclusions) or `plan_set` (the plan set's plans only) says otherwise."""
        files: list[Path] = []
        missing: list[str] = []
        for raw in paths:
            path = Path(raw)
            if path.is_dir():
                files.extend(self._walk(path))
            elif path.exists() or path.is_symlink() or path.absolute() in self.present:
                if force_exclude and (skip := self._skip(path, False)) is not None:
                    self.skipped.append(skip)
                elif plan_set is not None and not any(path.absolute().is_relative_to(root) for root in plan_set):
                    self.skipped.append(Skipped(path, OUTSIDE_PLAN_SET, Text(
                        "設定の plans（計画セット）の外", "outside the configuration's plans (the plan set)")))
                elif plan_set is not None and not self._is_plan(path, str(path.absolute())):
                    self.skipped.append(Skipped(path, NOT_A_PLAN, NOT_A_PLAN_REASON))
                else:
                    files.append(path)
            else:
                missing.append(raw)
        if len(paths) == 1:
            return files, missing  # one walk finds each file once
        seen: set[Path] = set()
        unique = []
        for path in files:
            key = path.absolute()
            if key not in seen:
                seen.add(key)
                unique.append(path)
        return unique, missing

    def _gitignores(self, path: Path) -> GitIgnores | None:
        return self._gitignores_in(str(path.absolute().parent))

    def _gitignores_in(self, directory: str) -> GitIgnores | None:
        """The ignore rules for the entries of `directory` (absolute)."""
        if not self.settings.respect_gitignore:
            return None
        if directory not in self._ignores:
            top = self._top(directory)
            if top is None:
                self._ignores[directory] = None
            else:
                if top not in self._by_root:
                    self._by_root[top] = GitIgnores(Path(top))
                self._ignores[directory] = self._by_root[top]
        return self._ignores[directory]

    def _top(self, directory: str) -> str | None:
        """`repository_root(directory)`, each directory looked at once in a search (the
        walk meets a directory's parent before it)."""
        if directory not in self._tops:
            if os.path.lexists(os.path.join(directory, ".git")):
                self._tops[directory] = directory
            else:
                parent = os.path.dirname(directory)
                self._tops[directory] = None if parent == directory else self._top(parent)
        return self._tops[directory]

    def _skip(self, path: Path, is_dir: bool, ignores: GitIgnores | bool | None = True,
              entry: tuple[str, str] | None = None) -> Skipped | None:
        """Why the exclusions or .gitignore skip `path`, or None. `ignores`: the rules of
        its directory when the caller has them (True: look them up); `entry`: the path as
        its absolute directory and its name, when the caller has them."""
        pattern = self.settings.exclusion(path, is_dir)
        if pattern is not None:
            return Skipped(path, EXCLUDED, Text(f"除外パターン（{pattern}）", f"excluded ({pattern})"), is_dir)
        return self._ignored(path, ignores, is_dir, entry)

    def _ignored(self, path: Path, ignores: GitIgnores | bool | None = True, is_dir: bool = False,
                 entry: tuple[str, str] | None = None) -> Skipped | None:
        """Why .gitignore skips `path`, or None (`ignores` and `entry` as for `_skip`)."""
        if ignores is True:
            ignores = self._gitignores(path)
        if not isinstance(ignores, GitIgnores):
            return None
        pattern = ignores.ignored(path, is_dir) if entry is None else ignores.ignored_in(*entry, is_dir)
        if pattern is not None:
            return Skipped(path, GITIGNORED, Text(f"git が無視するファイル（{pattern}）", f"ignored by git ({pattern})"),
                           is_dir)
        return None

    def _is_plan(self, path: Path, absolute: str) -> bool:
        """`looks_like_plan`, or with the stat cache what it kept for the file's stat; what
        is decided from the bytes is kept with the stat taken before them, when it has not
        moved after."""
        limit = self.settings.limits.file_bytes
        if absolute in self.verdicts:
            return self.verdicts[absolute]
        stats = self.stats() if self.stats is not None else None
        if stats is None or self.statuses is None:
            plan = self.verdicts[absolute] = looks_like_plan(path, limit)
            return plan
        status = self.statuses[absolute] = _file_stat()(absolute)
        known = stats.is_plan(absolute, status)
        if known is not None:
            return known
        return self._sniffed(path, absolute, status, stats)

    def _sniffed(self, path: Path, absolute: str, status: Any, stats: Any) -> bool:
        """`looks_like_plan`, kept in the stat cache with the stat taken before the bytes
        (`status`) when it has not moved after."""
        plan = self.verdicts[absolute] = looks_like_plan(path, self.settings.limits.file_bytes)
        stats.learn_plan(absolute, status if status is not None and status == _file_stat()(absolute) else None,
                         self.taken, plan)
        return plan

    def _plans_among(self, here: Path, head: str, names: list[str]) -> list[bool]:
        """`_is_plan` of each of a directory's files (`here`, as text `head` with its
        separator) to be decided, by name: what `_is_plan` looks up for every file is looked
        up once for the directory (the walk asks this of every file of the plan set)."""
        stats = self.stats() if self.stats is not None and names else None
        if stats is None or self.statuses is None:
            return [self._is_plan(_child_path(here, name), head + name) for name in names]
        verdicts, statuses, file_stat, known_plan = self.verdicts, self.statuses, _file_stat(), stats.is_plan
        plans: list[bool] = []
        for name in names:
            absolute = head + name
            plan = verdicts.get(absolute)
            if plan is None:
                status = statuses[absolute] = file_stat(absolute)
                plan = known_plan(absolute, status)
                if plan is None:
                    plan = self._sniffed(_child_path(here, name), absolute, status, stats)
            plans.append(plan)
        return plans

    def _walk(self, top: Path) -> list[Path]:
        """The plans under `top`, as `os.walk` meets them (a directory's entries by name, a
        symbolic link to a directory not followed, a directory that cannot be listed passed
        over). What is decided of each directory's entries (`_decide`) is kept in the walk
        memo (`_WalkMemo`) and taken from it again while the directory and the ignore
        rules that apply in it have not moved: only the files' own stats are taken. The
        memo is opened when the walk first goes down, or for the top itself when the stat
        cache is open already (the hook's walk of the plan set, after the files named)."""
        from checker.cache import RACY_NS

        status_of = _rules_file_status(self.taken)  # of each directory's rules files
        found: list[tuple[str, Path]] = []  # each with its place in path order (`path_order`)
        # the files of a directory kept by the walk (or of a top not excluded) are not excluded
        by_directory = self._by_directory and self.settings.exclusion(top, True) is None
        absolute_top = str(top.absolute())
        memo: _WalkMemo | None = None
        above_top = True  # whether the rules above the top moved: without a memo, as if they had
        if self.stats is not None and self.stats.made is not None:  # asked for before, and given
            memo, above_top = self._memo(self.stats.made, absolute_top, status_of)
        # (the directory as walked, absolute, whether the ignore rules above it moved)
        stack: list[tuple[Path, str, bool]] = [(top, absolute_top, above_top)]
        while stack:
            here, absolute, above = stack.pop()
            status = _directory_status(absolute)
            if status is None:
                continue  # gone, or not a directory any more: os.walk passes it over too
            old = memo.old(absolute, status) if memo is not None else None
            listing = None
            if old is not None:  # its entries are as they were, `.git` among them or not
                has_git = bool(old[1]) and old[1][1]
            else:
                listing = _listing(absolute)
                if listing is None:
                    continue  # cannot be listed: passed over, as os.walk does
                has_git = ".git" in listing[0] or ".git" in listing[1]
            # no cache (none asked for, or none given): no memo, and the rules would be kept nowhere
            kept = self.stats is not None and self.stats.may_give()
            if old is not None and old[1] == _NO_RULES_HERE:
                # its entries are as they were when it held neither a .gitignore nor a .git:
                # it holds neither now (an entry made, renamed or removed moves its stat),
                # so there is no rules file to look at (the walk meets every directory)
                rules = old[1]
            else:
                rules = self._rules_in(absolute, has_git, status_of) if kept else ()
            # whether the rules for the entries here moved: then they are decided again, and
            # so are those of every directory below (a directory that only gained or lost
            # entries is listed again, and what is below it is not)
            moved = above or memo is None or memo.rules_of(absolute) != rules
            if old is not None and not moved:
                record = old
            else:
                if listing is None:
                    listing = _listing(absolute)
                    if listing is None:
                        continue
                record = self._decide(here, absolute, listing, by_directory,
                                      status if status[0] < self.taken - RACY_NS else None, rules)
            subdirs, directory_skips, files = record[2], record[3], record[4]
            if memo is None and subdirs and self.stats is not None and (store := self.stats()) is not None:
                # opened when the walk first goes down: a search of one flat directory opens no cache
                memo, above_top = self._memo(store, absolute_top, status_of)
                moved = above_top or memo.rules_of(absolute) != rules
            if memo is not None:
                memo.keep(absolute, record)
            for name, kind, ja, en in directory_skips:
                self.skipped.append(Skipped(_child_path(here, name), kind, Text(ja, en), True))
            head = os.path.join(absolute, "")  # each file's absolute path is this and its name
            order = path_order(head)  # and its place in path order this and its name (which holds no separator)
            plans = iter(self._plans_among(here, head, [entry[0] for entry in files if len(entry) == 1]))
            for entry in files:
                name = entry[0]
                path = _child_path(here, name)
                if len(entry) > 1:
                    self.skipped.append(Skipped(path, entry[1], Text(entry[2], entry[3])))
                elif next(plans):
                    found.append((order + os.path.normcase(name), path))
                else:
                    self.skipped.append(Skipped(path, NOT_A_PLAN, NOT_A_PLAN_REASON))
            for name in reversed(subdirs):  # popped in order: os.walk's, top down
                stack.append((_child_path(here, name), os.path.join(absolute, name), moved))
        if memo is not None:
            memo.save()
        found.sort()  # by path: the order cross-document rules meet the plan set in (no two keys equal)
        return [path for _, path in found]

    def _decide(self, here: Path, absolute: str, listing: tuple[list[str], list[str]], by_directory: bool,
                status: tuple[int, ...] | None, rules: tuple) -> tuple:
        """What the exclusions and .gitignore decide of a directory's entries, as the walk
        memo keeps it: (the directory's stat, or None when too fresh to be trusted again;
        the rules that apply in it, `_rules_in`; the subdirectories walked into; the
        subdirectories skipped, each (name, kind, reason in Japanese, in English); the
        YAML files, each (name,) when it is to be decided on, (name, kind, reasons) when
        skipped)."""
        ignores = self._gitignores_in(absolute)  # one lookup for every entry here
        subdirs: list[str] = []
        directory_skips: list[tuple[str, str, str, str]] = []
        for name in sorted(listing[0]):
            skip = self._skip(_child_path(here, name), True, ignores, (absolute, name))
            if skip is not None:
                directory_skips.append((name, skip.kind, skip.reason.ja, skip.reason.en))
            elif not os.path.islink(os.path.join(absolute, name)):  # a link is not followed
                subdirs.append(name)
        files: list[tuple[str, ...]] = []
        for name in sorted(listing[1]):
            if not name.endswith(PLAN_SUFFIXES) or name in PLAN_SUFFIXES:
                continue  # as `Path.suffix` has it (a name that is only the suffix has none), without a Path per file
            path = _child_path(here, name)
            skip = self._ignored(path, ignores, False, (absolute, name)) if by_directory \
                else self._skip(path, False, ignores, (absolute, name))
            files.append((name,) if skip is None else (name, skip.kind, skip.reason.ja, skip.reason.en))
        return (status, rules, tuple(subdirs), tuple(directory_skips), tuple(files))

    def _rules_in(self, absolute: str, has_git: bool, status_of: Callable[[Any], tuple | None]) -> tuple:
        """What of the ignore rules is decided in a directory: its own `.gitignore`'s stat
        and whether it is a repository's root, and then its `info/exclude`'s (() when
        .gitignore files are not read). A stat taken within the timestamp's granularity of
        now is a token that equals nothing: what it was read as is not trusted again
        (`status_of`, the walk's `_rules_file_status`)."""
        if not self.settings.respect_gitignore:
            return ()
        own = status_of(os.path.join(absolute, ".gitignore"))
        if not has_git:
            return (own, False, None)
        git_dir = _git_dir(Path(absolute))
        exclude = None if git_dir is None else (str(git_dir), status_of(git_dir / "info" / "exclude"))
        return (own, True, exclude)

    def _rules_above(self, absolute: str, status_of: Callable[[Any], tuple | None]) -> tuple:
        """`_rules_in` of each directory above `absolute` up to its repository's root (or
        the file system's): the rules the walk's top inherits. The root is `_top`'s, whose
        climb the walk's ignore rules share (looked at once)."""
        parent = os.path.dirname(absolute)
        if not self.settings.respect_gitignore or parent == absolute:
            return ()
        root = self._top(parent)  # above the top, even when the top is a root itself
        chain = []
        here = absolute
        while (parent := os.path.dirname(here)) != here:
            here = parent
            chain.append((here, self._rules_in(here, here == root, status_of)))
            if here == root:
                break
        return tuple(chain)

    def _memo(self, store: Any, absolute_top: str, status_of: Callable[[Any], tuple | None]) -> tuple[_WalkMemo, bool]:
        """The walk memo of `absolute_top` in the stat cache's (`store`) cache, and whether
        the rules above the top moved since it was kept (then every directory is decided
        again); the memo keeps them as they are now."""
        memo = _WalkMemo(store.cache, self._memo_key(store.cache, absolute_top))
        above = self._rules_above(absolute_top, status_of)
        moved = memo.chain != above
        memo.chain = above
        return memo, moved

    def _memo_key(self, cache: Any, absolute_top: str) -> str:
        """The walk memo's key: the top, and everything of the settings a decision reads."""
        settings = self.settings
        exclusions = [(base, origin, glob.text) for base, origin, glob in settings._exclusions]
        return cache.key("walk", absolute_top, json.dumps([settings.respect_gitignore, exclusions]))


class _WalkMemo:
    """What a walk of one top decided of each directory under it, kept in the cache (kind
    `walk`, signed as every entry is): the idea of git's untracked cache. A directory's
    entries change only with its mtime, and what the ignore rules say of them only with the
    `.gitignore` files and `info/exclude` on its way from the repository's root; so while
    the directory's stat and those files' stats are as they were, the walk takes its
    decisions from here instead of listing and matching it again. A stat within
    `RACY_NS` of the time it was taken is never trusted (a change within the timestamp's
    granularity would not show); an entry of the wrong shape is a miss."""

    VERSION = 1

    def __init__(self, cache: Any, key: str) -> None:
        self.cache, self.key = cache, key
        self._old: dict[str, tuple] = {}
        self.chain: tuple = ()
        got = cache.get("walk", key)
        if isinstance(got, dict) and got.get("version") == self.VERSION and isinstance(got.get("directories"), dict) \
                and isinstance(got.get("chain"), tuple):
            self._old, self.chain = got["directories"], got["chain"]
        self._saved_chain = self.chain
        self._new: dict[str, tuple] = {}

    def _record(self, absolute: str) -> tuple | None:
        """The record kept for the directory (`_Walker._decide`'s), or None when there is
        none of the right shape."""
        record = self._old.get(absolute)
        if type(record) is not tuple or len(record) != 5 or not all(type(part) is tuple for part in record[1:]):
            return None
        return record

    def old(self, absolute: str, status: tuple[int, ...]) -> tuple | None:
        """The record kept for the directory when its stat is still `status`, or None."""
        record = self._record(absolute)
        return record if record is not None and record[0] == status else None

    def rules_of(self, absolute: str) -> tuple | None:
        """The rules the directory's record was decided under (`_Walker._rules_in`), its
        stat as it may be, or None."""
        record = self._record(absolute)
        return record[1] if record is not None else None

    def keep(self, absolute: str, record: tuple) -> None:
        self._new[absolute] = record

    def save(self) -> None:
        """Write the memo when this walk decided anything anew (only what it met is kept)."""
        if self._new != self._old or self.chain != self._saved_chain:
            self.cache.put("walk", self.key, {"version": self.VERSION, "chain": self.chain,
                                              "directories": self._new})


def _file_stat() -> Callable[[str], Any]:
    """`checker.cache.file_stat`: the module imported when first wanted (not with this
    module, whose import a run that finds nothing to decide pays), then held here, since
    it is asked for each file; the function looked up in it each time."""
    global _CACHE_MODULE
    if _CACHE_MODULE is None:
        import checker.cache

        _CACHE_MODULE = checker.cache
    return _CACHE_MODULE.file_stat


_CACHE_MODULE: Any = None

# a listed entry's Path from its directory's, without parsing the name again (a name from
# a listing holds no separator): pathlib's own way for iterdir, a private method (4 times
# faster than `/`, for every YAML file of the plan set); `/` on a Python without it
_child_path: Callable[[Path, str], Path] = getattr(Path, "_make_child_relpath", None) or Path.__truediv__


# `_Walker._rules_in` of a directory holding no .gitignore and no .git
_NO_RULES_HERE = (None, False, None)


def _directory_status(absolute: str) -> tuple[int, int, int, int] | None:
    """(mtime_ns, ctime_ns, inode, device) of a directory (through a link: the walk's top
    may be one), or None when it is none."""
    try:
        status = os.stat(absolute)
    except OSError:
        return None
    if not stat.S_ISDIR(status.st_mode):
        return None
    return (status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev)


def _listing(absolute: str) -> tuple[list[str], list[str]] | None:
    """A directory's subdirectories and other entries as `os.walk` tells them apart (a
    link to a directory is one), or None when it cannot be listed."""
    subdirs: list[str] = []
    others: list[str] = []
    try:
        with os.scandir(absolute) as entries:
            for entry in entries:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                (subdirs if is_dir else others).append(entry.name)
    except OSError:
        return None
    return subdirs, others


def _rules_file_status(taken: int) -> Callable[[Any], tuple | None]:
    """What a walk begun at `taken` takes of a rules file: its `file_stat`, or when it is
    too fresh to be trusted a token that no later run's equals (it holds this run's time).
    Made once a walk: `checker.cache` is imported here, not for each directory, and not
    when this module is."""
    from checker.cache import RACY_NS, file_stat

    fresh = taken - RACY_NS

    def status_of(path: Any) -> tuple | None:
        status = file_stat(path)
        return ("racy", taken) if status is not None and status[1] >= fresh else status

    return status_of


NOT_A_PLAN_REASON = Text("計画ファイルではありません（最上位に plan: がありません）",
                         "not a plan (no top-level plan:)")

# --- is it a plan? ---------------------------------------------------------------------

# the first line that holds YAML content: not blank, not a comment, directive or document marker
_FIRST_CONTENT = re.compile(rb"^(?P<indent>[ ]*)(?!(?:---|\.\.\.)(?:[ \t]|\r?$))(?P<start>[^ \t\r\n#%])", re.MULTILINE)
_FLOW_PLAN_KEY = re.compile(rb"""[{,][ \t\r\n]*(?:plan|"plan"|'plan')[ \t\r\n]*:""")
_BLOCK_PLAN_KEYS: dict[int, re.Pattern[bytes]] = {}


def looks_like_plan(path: Path, limit: int) -> bool:
    """Whether the file may be a plan: its top-level mapping has a `plan` key (plain or
    quoted, in block or flow style). Decided from the bytes, without parsing: a file that
    cannot be read here, is not a regular file, is not ASCII-compatible (UTF-16) or holds
    a NUL is taken for one, so that the loader says what is wrong with it; so is a file
    beyond the size limit, or one whose first `SNIFF_BYTES` do not settle it."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError:
        return True
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode) or status.st_size > limit:
            return True
        raw = os.read(descriptor, SNIFF_BYTES)
    except OSError:
        return True
    finally:
        os.close(descriptor)
    return _has_plan_key(raw) or status.st_size > SNIFF_BYTES


def bytes_look_like_plan(raw: bytes) -> bool:
    """`looks_like_plan` for a text in memory (an editor's open document): decided from its
    first `SNIFF_BYTES` as a file's are."""
    return _has_plan_key(raw[:SNIFF_BYTES]) or len(raw) > SNIFF_BYTES


def _has_plan_key(raw: bytes) -> bool:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw:
        return True  # UTF-16 or binary: the loader names the encoding
    first = _FIRST_CONTENT.search(raw)
    if first is None:
        return False  # empty, or comments only
    start = first["start"]
    if start == b"{":
        return _FLOW_PLAN_KEY.search(raw, first.start("start")) is not None
    if start in (b"[", b"-") and raw[first.end():first.end() + 1] in (b"", b" ", b"\t", b"\r", b"\n", b"]"):
        return False  # a sequence at the top: no plan
    indent = len(first["indent"])
    if indent not in _BLOCK_PLAN_KEYS:
        _BLOCK_PLAN_KEYS[indent] = re.compile(rb"^" + b" " * indent + rb"""(?:plan|"plan"|'plan')[ \t]*:""",
                                              re.MULTILINE)
    return _BLOCK_PLAN_KEYS[indent].search(raw) is not None


# --- .gitignore --------------------------------------------------------------------------

class GitIgnores:
    """A repository's ignore rules as git applies them: `.git/info/exclude`, then the
    `.gitignore` of the root and of each directory down to a path's own, each relative to
    its directory; the last pattern that matches decides (`!` re-includes). The global
    `core.excludesFile` is not read: a run decides the same on every machine.

    Each directory is decided once, from its parent (`Glob.matches_under`): for every
    pattern that applies in it, whether the pattern matches the directory. An entry is then
    matched by its own name, not along its whole path: a walk of a repository of 20,000
    plans asks this of every file (the pre-commit hook's plan set)."""

    def __init__(self, root: Path) -> None:
        self.root = root.absolute()
        self._root = str(self.root)
        self._head = os.path.join(self._root, "")
        exclude = _git_dir(self.root)
        self._info = self._read(exclude / "info" / "exclude", ".git/info/exclude") if exclude is not None else []
        # absolute directory -> (its components below the root, and each layer that holds
        # patterns: the patterns, where the layer's directory is among those components,
        # and whether each pattern matches the directory)
        self._directories: dict[str, tuple[tuple[str, ...], tuple[_Layer, ...]]] = {}
        self._entries: dict[tuple[str, bool], list] = {}  # (directory, is_dir) -> `_entry_tests`
        self._alternations: dict[tuple[int, ...], Any] = {}  # `_by_name`'s, by the patterns they join

    def _read(self, path: Path, label: str) -> list[tuple[str, int, Glob]]:
        text = _read_small(path, GITIGNORE_BYTES)
        if text is None:
            return []
        patterns = []
        for number, line in enumerate(text.splitlines(), 1):
            glob = Glob.parse(line)
            if glob is not None:
                patterns.append((label, number, glob))
        return patterns

    def _own(self, directory: str, parts: tuple[str, ...]) -> list[_Layer]:
        """The layer of `directory`'s own `.gitignore` (`parts`: the directory below the
        root), or none when it holds no pattern; with `.git/info/exclude` before the root's."""
        label = "/".join((*parts, ".gitignore"))
        layers = []
        for patterns in ([self._info] if not parts else []) + [self._read(Path(directory, ".gitignore"), label)]:
            if patterns:
                layers.append(_Layer(patterns, len(parts), tuple(glob.matches([], True) for _, _, glob in patterns)))
        return layers

    def _directory(self, directory: str) -> tuple[tuple[str, ...], tuple[_Layer, ...]]:
        """`directory` (absolute, the root or under it) as `_directories` keeps it."""
        known = self._directories.get(directory)
        if known is not None:
            return known
        if directory == self._root:
            known = ((), tuple(self._own(directory, ())))
        elif not directory.startswith(self._head):
            return (), ()  # outside the repository: none of its rules apply
        else:
            above, name = os.path.split(directory)
            parts, layers = self._directory(above)
            inherited = [_Layer(layer.patterns, layer.depth, tuple(
                glob.matches_under(parent, [*parts[layer.depth:], name], True)
                for (_, _, glob), parent in zip(layer.patterns, layer.matched, strict=True))) for layer in layers]
            known = ((*parts, name), tuple(inherited + self._own(directory, (*parts, name))))
        self._directories[directory] = known
        return known

    def ignored(self, path: Path, is_dir: bool) -> str | None:
        """The pattern that ignores `path` (`file:line: pattern`), or None."""
        text = str(path)
        absolute = text if os.path.isabs(text) else os.path.join(os.getcwd(), text)
        if absolute == self._root:
            decided = None  # the root itself: only .git/info/exclude applies, to no component
            for label, number, glob in self._info:
                if glob.matches([], is_dir):
                    decided = None if glob.negated else f"{label}:{number}: {glob.text.strip()}"
            return decided
        if not absolute.startswith(self._head):
            return None
        directory, name = os.path.split(absolute)
        return self.ignored_in(directory, name, is_dir)

    def ignored_in(self, directory: str, name: str, is_dir: bool) -> str | None:
        """`ignored` for the entry `name` of `directory` (absolute, the root or under it)."""
        key = (directory, is_dir)
        tests = self._entries.get(key)
        if tests is None:
            tests = self._entries[key] = self._entry_tests(directory, is_dir)
        for test, said, glob, above in tests:
            if isinstance(test, re.Pattern):
                found = test.fullmatch(name)
                if found is not None:
                    return said[int(found.lastgroup[1:])]  # type: ignore[index]
            elif glob.decided(test, above, name, is_dir):
                return said
        return None

    def _entry_tests(self, directory: str, is_dir: bool) -> list:
        """The patterns that may decide an entry of `directory` (files or directories), the
        last first, each with how it is matched (`Glob.for_entries`) and what it decides:
        the first that matches an entry is the last of git's order, the one that decides.
        Each is (test, what it decides, the pattern, the directory's components below the
        pattern's); a run of name tests is one (alternation, what each decides, None, ())."""
        parts, layers = self._directory(directory)
        tests = []
        for layer in reversed(layers):
            above = parts[layer.depth:]
            for (label, number, glob), parent in zip(reversed(layer.patterns), reversed(layer.matched), strict=True):
                test = glob.for_entries(parent, above, is_dir)
                if test is False:
                    continue
                tests.append((test, None if glob.negated else f"{label}:{number}: {glob.text.strip()}", glob, above))
                if test is True:
                    break  # every entry stops here: the patterns before it never decide
        return _by_name(tests, self._alternations)


def _by_name(tests: list, made: dict[tuple[int, ...], Any]) -> list:
    """`tests` with each run of tests by the name's shape made one: an alternation of their
    patterns (`shape_pattern`), in order, the first that matches naming what it decides.
    `made`: the alternations made before, by their patterns (a pattern's shape and what it
    decides are its own, so most directories of a repository share theirs)."""
    joined: list = []
    run: list = []

    def close() -> None:
        if len(run) == 1:
            joined.append(run[0])
        elif run:
            key = tuple(id(test[2]) for test in run)
            if key not in made:
                pattern = "|".join(f"(?P<t{index}>{shape_pattern(test[0])})" for index, test in enumerate(run))
                made[key] = (re.compile(pattern, re.DOTALL), [test[1] for test in run], None, ())
            joined.append(made[key])
        run.clear()

    for test in tests:
        if isinstance(test[0], tuple):
            run.append(test)
        else:
            close()
            joined.append(test)
    close()
    return joined


class _Layer(NamedTuple):
    """One file of ignore patterns as it applies in a directory."""

    patterns: list[tuple[str, int, Glob]]
    depth: int  # its directory: the first this many components below the root
    matched: tuple[bool, ...]  # whether each pattern matches the directory


def _git_dir(root: Path) -> Path | None:
    """The repository's git directory: `.git`, or where a worktree's `.git` file points
    (its `commondir`, where `info/exclude` is shared)."""
    marker = root / ".git"
    if marker.is_dir() and not marker.is_symlink():
        return marker
    text = _read_small(marker, 4096)
    if text is None or not text.startswith("gitdir:"):
        return None
    gitdir = (root / text[len("gitdir:"):].strip()).absolute()
    common = _read_small(gitdir / "commondir", 4096)
    return (gitdir / common.strip()).absolute() if common else gitdir


def _read_small(path: Path, cap: int) -> str | None:
    """A small text file of the repository, or None: only a regular file, not through a
    symbolic link, at most `cap` bytes of it."""
    flags = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
             | getattr(os, "O_NOFOLLOW", 0))
    try:
        descriptor = os.open(path, flags)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        return os.read(descriptor, cap).decode("utf-8", errors="replace")
    except OSError:
        return None
    finally:
        os.close(descriptor)


def show_files(found: Discovered, lang: str) -> tuple[str, list[str]]:
    """`--show-files`: the files checked, one a line (for stdout, as ruff prints them), and
    a line for each file or directory skipped, with why, and for the plan set read as
    context (for stderr)."""
    checked = "".join(f"{display_name(path)}\n" for path in found.checked)
    said = Text("検査しません", "skipped").render(lang)
    lines = [f"{said}: {display_name(skip.path)}{'/' if skip.directory else ''}: {skip.reason.render(lang)}"
             for skip in found.skipped]
    if found.context:
        lines.append(Text(f"ほかに計画セットの {len(found.context)} ファイルを文脈として読みます",
                          f"and {len(found.context)} file(s) of the plan set read as context").render(lang))
    return checked, lines


def path_order(absolute: str) -> str:
    """A key that sorts absolute paths as `Path` sorts them (part by part; on Windows
    without case), for the price of a string: a separator made the lowest character, which
    no name holds, ends a part before any longer name that begins with it (`a/b` before
    `a-b`, as the parts `a` and `a-b` compare)."""
    return os.path.normcase(absolute).replace(os.sep, "\0")


def in_path_order(paths: list[Path]) -> list[Path]:
    """`sorted(paths, key=Path.absolute)`, by `path_order`."""
    return sorted(paths, key=lambda path: path_order(str(path.absolute())))


def display_name(path: Path, here: str | None = None) -> str:
    """The path as diagnostics show it: relative to the working directory (`here`, when
    the caller, naming many files, took it once) when inside it."""
    # as `path.absolute().relative_to(Path.cwd())` has it, on strings (called for every
    # file): a relative path is already relative to the working directory, lexically
    text = str(path)
    if not os.path.isabs(text):
        return text
    if here is None:
        here = os.getcwd()
    if text == here:
        return "."
    head = here.rstrip(os.sep) + os.sep
    return text[len(head):] if text.startswith(head) else text
