"""The cross-document index: what each file shares with the others of its plan set, so that
a run that reports only some files (pre-commit, `--plan-set-only`, the editor) loads only
the files the cross-document rules (`given: plan_set`) relate to them, never the whole set.

Every plan_set function groups its input by something a file declares or names: the
document (`plan.id`), an indicator's key, the documents a figure names. `GROUPINGS` says,
once per function, which; `tokens` gives a file's tokens of each grouping, computed once
when the file is loaded and kept in the cache (one signed entry for the whole project,
`IndexStore`, so that 20,000 indices are one read).

Two files are related when they share a token of a grouping some enabled rule uses. The
files a run needs are the reported ones and every file connected to them through shared
tokens (the connected components, not only the neighbours: a figure may name a figure of
another document that names a third). Every group a plan_set function forms is wholly
inside one component, and every finding and relation record it yields for a group lies
in a file of that group, so the rules over the components of the reported files give
exactly the findings a run over the whole plan set gives on the reported files. One
reading looks at every document of the set: a figure naming a plan id no file declares
lists the plan ids there are (`unknown_reference`); then the first file of every
document is read too, so the list is the same.

A plan_set function that `GROUPINGS` does not name (a plugin's) relates every file to
every other: the whole set is read, as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

# a token's grouping, by its prefix; tokens of the same prefix are the same namespace
PLAN = "p:"  # a document, by plan id: the file's own, or one a figure names
KEY = "k:"  # an indicator key the file states, or one its running totals add up

# function -> the groupings its input is grouped by ("document": the file's own plan id;
# "keys": indicator keys; "figure_plans": the documents its figures name; "file": the
# file alone, no token at all). Every plan_set function has an entry
# (tests/test_crossdoc_index.py): one without it reads the whole plan set.
GROUPINGS: dict[str, tuple[str, ...]] = {
    "indicator_unit_consistent": ("keys",),
    "same_quantity_across_plans": ("keys",),
    "running_totals": ("keys",),
    "document_keys": ("document",),
    "document_headers": ("document",),
    "list_numbers": ("file",),
    "indicator_links": ("document",),
    "components_sum": ("document",),
    "restated_indicators": ("document",),
    "restated_projects": ("document",),
    "figures": ("document", "figure_plans"),
}
GROUPING_NAMES = ("document", "keys", "figure_plans", "file")


def tokens(loaded: Any) -> dict[str, tuple[str, ...]]:
    """A file's tokens by grouping (none for a file without a model: the rules skip it)."""
    model = getattr(loaded, "model", None)
    if model is None:
        return {}
    from checker.functions import plan_indicators

    keys: set[str] = set()
    for _, indicator in plan_indicators(model):
        if indicator.key:
            keys.add(KEY + indicator.key)
        running = indicator.running_total_of
        if running is not None and running.key:
            keys.add(KEY + running.key)
    named = {PLAN + ref.plan for figure in _all_figures(model) for ref in _figure_refs(figure)
             if getattr(ref, "plan", None) is not None}
    return {"document": (PLAN + model.plan.id,), "keys": tuple(sorted(keys)), "figure_plans": tuple(sorted(named))}


def _all_figures(model: Any) -> Iterator[Any]:
    from checker.functions import plan_sections

    yield from model.figures
    for _, section in plan_sections(model):
        yield from section.figures


def _figure_refs(figure: Any) -> Iterator[Any]:
    from checker.functions.figures import _refs

    yield from _refs(figure)


def groupings(functions: Iterable[str]) -> tuple[str, ...] | None:
    """The groupings the given plan_set functions use; None when one has no declared
    grouping (every file is then related to every other)."""
    used: set[str] = set()
    for name in functions:
        declared = GROUPINGS.get(name)
        if declared is None:
            return None
        used.update(declared)
    return tuple(sorted(used))


Index = Mapping[str, tuple[Any, ...]]  # a file's tokens by grouping (strings, or their numbers in an IndexStore)


class Sharing:
    """The files of a plan set by shared token, kept between a run's rounds of `needed`:
    the first round files every known index, a later one only those learned since (an
    index goes from unknown to known between rounds, never changes once known)."""

    def __init__(self) -> None:
        self.by_token: dict[Any, list[int]] = {}
        self.unknown: list[int] | None = None  # the positions not filed yet; None: every one

    def file(self, indices: Sequence[Index | None], used: tuple[str, ...], groups: list[str] | None) -> None:
        by_token = self.by_token
        positions = range(len(indices)) if self.unknown is None else self.unknown
        unknown = []
        for position in positions:
            index = indices[position]
            if index is None:
                unknown.append(position)
                continue
            for grouping in used:
                for token in index.get(grouping, ()):
                    by_token.setdefault(token if groups is None else (groups[position], token), []).append(position)
        self.unknown = unknown


def needed(indices: Sequence[Index | None], reported: Iterable[int],
           used: tuple[str, ...] | None, groups: list[str] | None = None, sharing: Sharing | None = None) -> set[int]:
    """The positions of the files the cross-document rules need for the reported ones:
    their connected components under the tokens of the groupings in `used`, within each
    file's plan set (`groups`, by position; None: one plan set), and (when a figure there
    names a document no file of its plan set declares) the first file of every document
    of that plan set. A file whose index is unknown (None) is needed; `used` None: every
    file of the reported files' plan sets is. `sharing`: the token index of an earlier round
    over the same indices (with `used` and `groups` the same), filed further, not again."""
    def group(position: int) -> str:
        return "" if groups is None else groups[position]

    wanted = {position for position, index in enumerate(indices) if index is None}
    wanted.update(reported)
    if used is None:
        sets = {group(position) for position in wanted}
        return {position for position in range(len(indices)) if group(position) in sets}
    def shared_as(position: int, token: Any) -> Any:  # a token as shared within the file's plan set
        return token if groups is None else (groups[position], token)

    if sharing is None:
        sharing = Sharing()
    sharing.file(indices, used, groups)
    by_token = sharing.by_token
    todo = list(wanted)
    seen: set[Any] = set()
    while todo:
        position = todo.pop()
        index = indices[position]
        if index is None:
            continue
        for grouping in used:
            for token in index.get(grouping, ()):
                shared = shared_as(position, token)
                if shared in seen:
                    continue
                seen.add(shared)
                for other in by_token.get(shared, ()):
                    if other not in wanted:
                        wanted.add(other)
                        todo.append(other)
    if "figure_plans" in used:
        # (plan set, plan id token) -> the first file declaring it (positions are in path order)
        declared: dict[tuple[str, Any], int] = {}
        for position, index in enumerate(indices):
            if index is not None and index.get("document"):
                declared.setdefault((group(position), index["document"][0]), position)
        unknown = {group(position) for position in wanted
                   for token in (indices[position] or {}).get("figure_plans", ())
                   if (group(position), token) not in declared}
        wanted.update(position for (where, _), position in declared.items() if where in unknown)
    return wanted


def components(indices: Sequence[Index], used: tuple[str, ...] | None,
               groups: list[str] | None = None) -> list[tuple[list[int], list[int]]]:
    """Every file's connected component, as `needed` forms them (each file's index known):
    (its files, the context it needs besides them), each list in path order, the
    components in the order of their first file. The context is the first file of every
    document of the plan set when a figure in the component names a document no file of
    it declares. For every file `f` of a component, `needed(indices, [f], used, groups)` is
    exactly its files and its context: the cross-document rules over one component give
    what a run over the whole plan set gives on its files. `used` None: a component is a
    plan set."""
    def group(position: int) -> str:
        return "" if groups is None else groups[position]

    parent = list(range(len(indices)))

    def root(position: int) -> int:
        while parent[position] != position:
            parent[position] = parent[parent[position]]
            position = parent[position]
        return position

    first: dict[Any, int] = {}  # a token as shared within its plan set -> the first file stating it
    for position, index in enumerate(indices):
        # a token of any grouping is one namespace (a document's id and a figure's plan),
        # as in `needed`, so the grouping is not part of what is shared
        shared_by = [(group(position), None)] if used is None else \
            [(group(position), token) for grouping in used for token in index.get(grouping, ())]
        for shared in shared_by:
            other = first.setdefault(shared, position)
            if other != position:
                parent[root(position)] = root(other)
    members: dict[int, list[int]] = {}
    for position in range(len(indices)):
        members.setdefault(root(position), []).append(position)
    declared: dict[tuple[str, Any], int] = {}
    if used is not None and "figure_plans" in used:
        for position, index in enumerate(indices):
            if index.get("document"):
                declared.setdefault((group(position), index["document"][0]), position)
    found = []
    for files in members.values():
        context: list[int] = []
        if declared:
            where = group(files[0])
            if any((where, token) not in declared for position in files
                   for token in indices[position].get("figure_plans", ())):
                inside = set(files)
                context = sorted(position for (plan_set, _), position in declared.items()
                                 if plan_set == where and position not in inside)
        found.append((files, context))
    return found


def plan_set_functions(ruleset: Any) -> list[str]:
    """The functions of the enabled rules across documents."""
    from checker.functions import parse_given

    return sorted({rule.function for rule in ruleset.enabled() if not rule.is_loader
                   for given in rule.given if parse_given(given)[0] == "plan_set"})


class IndexStore:
    """The indices of a project's files by their file cache key, kept as one signed cache
    entry (kind `index`): read once, updated with the files loaded this run, written back
    only when it changed. Indices of files no longer in the plan set are dropped, so the
    entry holds the current set only.

    Compact: every token is stored once, in a table, and each file's index is a tuple per
    grouping of token numbers; `get` and `index_of` give indices of token numbers, which
    compare as the tokens do (`needed` only compares them).

    Written as git writes a split index: a run that changed a few indices (the pre-commit
    hook's, one file) writes only what differs from the base entry, as a second entry
    (the delta: the files added, changed or dropped since the base, the tokens added)
    naming the base it applies to by the base's id; a run that changed many, or finds no
    base, writes the base again (renumbered when files gone left most tokens unused), with
    a new id, so that any delta before it no longer applies. A delta that does not apply
    is not read: its files are then unknown (loaded when needed), never wrong, since an
    index is kept by its file's content key."""

    VERSION = 2

    def __init__(self, cache: Any, key: str) -> None:
        self.cache, self.key = cache, key
        self.changed = False
        self.tokens: list[str] = []
        self.files: dict[str, tuple[tuple[int, ...], ...]] = {}
        self._delta_key = cache.key("crossdoc delta", key)
        self._base_id: str | None = None
        self._base_tokens = 0  # how many of the tokens the base holds
        self._delta: dict[str, tuple[tuple[int, ...], ...] | None] = {}  # by file key; None: dropped since
        got = cache.get("index", key)
        if isinstance(got, dict) and got.get("version") == self.VERSION and isinstance(got.get("tokens"), list) \
                and isinstance(got.get("files"), dict) and isinstance(got.get("id"), str):
            self.tokens, self.files, self._base_id = got["tokens"], got["files"], got["id"]
            self._base_tokens = len(self.tokens)
            self._apply(cache.get("index", self._delta_key))
        self._numbers = {token: number for number, token in enumerate(self.tokens)}

    def _apply(self, delta: Any) -> None:
        """The delta over the base, when it is one of this base's, of the right shape."""
        if not (isinstance(delta, dict) and delta.get("version") == self.VERSION and delta.get("base") == self._base_id
                and delta.get("from") == len(self.tokens) and isinstance(delta.get("tokens"), list)
                and isinstance(delta.get("files"), dict)):
            return
        self.tokens = self.tokens + delta["tokens"]
        for file_key, index in delta["files"].items():
            if index is None:
                self.files.pop(file_key, None)
            else:
                self.files[file_key] = index
        self._delta = dict(delta["files"])

    def get(self, file_key: str | None) -> dict[str, tuple[int, ...]] | None:
        """The index kept for a file's entry, or None."""
        found = self.files.get(file_key) if file_key is not None else None
        if not isinstance(found, tuple) or len(found) != len(GROUPING_NAMES):
            return None
        return {grouping: numbers for grouping, numbers in zip(GROUPING_NAMES, found, strict=True) if numbers}

    def index_of(self, file_key: str | None, loaded: Any, keep: bool = True) -> dict[str, tuple[int, ...]]:
        """A loaded file's index (`tokens`), kept for its entry unless `keep` is false."""
        return self.index_from(file_key, tokens(loaded), keep)

    def index_from(self, file_key: str | None, found: Mapping[str, tuple[str, ...]],
                   keep: bool = True) -> dict[str, tuple[int, ...]]:
        """The index of a file whose `tokens` were taken where it was loaded (a worker)."""
        numbered = tuple(tuple(self._number(token) for token in found.get(grouping, ()))
                         for grouping in GROUPING_NAMES)
        if keep and file_key is not None and self.files.get(file_key) != numbered:
            self.files[file_key] = self._delta[file_key] = numbered
            self.changed = True
        return {grouping: numbers for grouping, numbers in zip(GROUPING_NAMES, numbered, strict=True) if numbers}

    def _number(self, token: str) -> int:
        number = self._numbers.get(token)
        if number is None:
            number = self._numbers[token] = len(self.tokens)
            self.tokens.append(token)
        return number

    def save(self, current: Iterable[str | None]) -> None:
        keep = {key for key in current if key is not None}
        for gone in set(self.files) - keep:
            del self.files[gone]
            self._delta[gone] = None
            self.changed = True
        if not self.changed:
            return
        from checker.cache import delta_fits, new_base_id

        if self._base_id is not None and delta_fits(len(self._delta), len(self.files)):
            self.cache.put("index", self._delta_key, {"version": self.VERSION, "base": self._base_id,
                                                      "from": self._base_tokens,
                                                      "tokens": self.tokens[self._base_tokens:], "files": self._delta})
            self.changed = False
            return
        used = {number for index in self.files.values() for numbers in index for number in numbers}
        if len(used) * 2 < len(self.tokens):  # tokens of files gone: renumber what is left
            renumber = {old: new for new, old in enumerate(sorted(used))}
            self.tokens = [self.tokens[old] for old in sorted(used)]
            self.files = {key: tuple(tuple(renumber[number] for number in numbers) for numbers in index)
                          for key, index in self.files.items()}
            self._numbers = {token: number for number, token in enumerate(self.tokens)}
        self._base_id = new_base_id()
        self.cache.put("index", self.key, {"version": self.VERSION, "id": self._base_id, "tokens": self.tokens,
                                           "files": self.files})
        self._base_tokens, self._delta = len(self.tokens), {}
        self.changed = False
