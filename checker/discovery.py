"""Which files a run checks, and which it loads only as context.

The files named on the command line (or found under the directories named) are checked
and reported on. Cross-document rules also need the rest of the plan set (the
configuration's `plans`), so those files are loaded as context: their findings are not
reported. This is what lets a pre-commit hook, given only the changed files, still
compare them with the documents that did not change.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from checker.config import Settings

PLAN_SUFFIXES = (".yaml", ".yml")


class Discovered(NamedTuple):  # not a dataclass: defined on every run, and a dataclass costs start-up
    checked: list[Path]  # reported on
    context: list[Path]  # loaded for cross-document rules only
    missing: list[str]  # named on the command line but not there


def discover(paths: list[str], settings: Settings, force_exclude: bool = False,
             present: frozenset[Path] = frozenset()) -> Discovered:
    """`present`: absolute paths whose contents are in memory (standard input, an editor's
    buffer), found whether or not a file is there."""
    checked, missing = _expand(paths, settings, force_exclude, present)
    seen = {path.absolute() for path in checked}
    plan_set_roots = [p.absolute() for p in settings.plan_set_paths() if p.exists()]
    if not any(path.absolute().is_relative_to(root) for path in checked for root in plan_set_roots):
        return Discovered(checked, [], missing)  # files from elsewhere have no plan set to be read with
    context = []
    plan_set, _ = _expand([str(root) for root in plan_set_roots], settings, True)
    for path in plan_set:
        if path.absolute() not in seen:
            seen.add(path.absolute())
            context.append(path)
    return Discovered(checked, context, missing)


def _expand(paths: list[str], settings: Settings, force_exclude: bool,
            present: frozenset[Path] = frozenset()) -> tuple[list[Path], list[str]]:
    """Plan files under `paths`, each once, in a stable order. A directory is searched
    for *.yaml / *.yml, skipping excluded directories and files; a file named directly is
    checked even when excluded, unless `force_exclude` (ruff's rule, for pre-commit)."""
    files: list[Path] = []
    missing: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(_walk(path, settings))
        elif path.exists() or path.is_symlink() or path.absolute() in present:
            if not (force_exclude and settings.excluded(path)):
                files.append(path)
        else:
            missing.append(raw)
    seen: set[Path] = set()
    unique = []
    for path in files:
        key = path.absolute()
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique, missing


def _walk(top: Path, settings: Settings) -> list[Path]:
    found = []
    for directory, subdirs, names in os.walk(top):
        here = Path(directory)
        subdirs[:] = sorted(d for d in subdirs if not settings.excluded(here / d, is_dir=True))
        for name in sorted(names):
            path = here / name
            if path.suffix in PLAN_SUFFIXES and not settings.excluded(path):
                found.append(path)
    return sorted(found)  # by path: the order cross-document rules meet the plan set in


def display_name(path: Path) -> str:
    """The path as diagnostics show it: relative to the working directory when inside it."""
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
