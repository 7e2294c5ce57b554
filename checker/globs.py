"""Gitignore-style globs (`exclude`, `extend-exclude`, `per-file-ignores`) matched in time
linear in the path, for each pattern.

A pattern compiled to a backtracking regular expression (as `pathspec` does) costs time
exponential in its stars on a path made to defeat it: `*a*a*a*a*b` against a file name of
250 `a`s takes pathspec 15 seconds, and a repository chooses its file names (and may ship
its configuration). Here a pattern is matched as wildcards are by the greedy algorithm that
remembers only the last star: each star is tried at each position at most once, so one
match costs at most (path length x pattern length) steps, at two levels: `**` over whole
path components, and `*` over the characters of one component.

The syntax and meaning are gitignore's: `#` comments, `!` negation (the last pattern that
matches decides), a trailing `/` for directories only, a `/` at the start or in the middle
anchoring the pattern to the root (otherwise it matches at any depth), `**/`, `/**/` and
`/**`, `*`, `?`, `[a-z]`, `[!a-z]`, and `\\` escaping the next character. A pattern that
matches a directory matches everything under it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_STAR = object()  # any run of characters within a component (`*`), or of components (`**`)
_ANY_COMPONENT: tuple[Any, ...] = (_STAR,)  # `*`: one whole component, whatever it is


def _greedy(pattern: tuple[Any, ...], items: Any, one) -> bool:
    """Whether `items` match `pattern`, where `_STAR` matches any run of items and every
    other token one item for which `one(token, item)` holds. The last star is the only one
    ever backtracked to, and it only moves forward: O(len(items) x len(pattern)) calls."""
    p = i = 0
    star = -1  # the pattern index just after the last star
    resume = 0  # the item where that star's run ends now
    while i < len(items):
        if p < len(pattern) and pattern[p] is _STAR:
            star, resume = p + 1, i
            p += 1
        elif p < len(pattern) and one(pattern[p], items[i]):
            p += 1
            i += 1
        elif star >= 0:
            resume += 1
            p, i = star, resume
        else:
            return False
    return all(token is _STAR for token in pattern[p:])


def _char_matches(token: Any, char: str) -> bool:
    kind = token[0]
    if kind == "char":
        return char == token[1]
    if kind == "any":
        return True
    _, negated, ranges = token  # a class
    return any(low <= char <= high for low, high in ranges) != negated


def _component_matches(segment: tuple[Any, ...], component: str) -> bool:
    return _greedy(segment, component, _char_matches)


def _shape(segment: tuple[Any, ...]) -> tuple[Any, Any] | None:
    """A component's pattern with at most one star, as what comes before the star and what
    after it (None: no star), each a string when it is plain characters, else its tokens;
    None for a pattern of more stars. Most patterns of a .gitignore are one of these
    (`*.log`, `*.py[cod]`, `~$*.xlsx`, `build`), and one matches a name by its ends alone."""
    stars = [index for index, token in enumerate(segment) if token is _STAR]
    if len(stars) > 1:
        return None
    before, after = (segment, None) if not stars else (segment[:stars[0]], segment[stars[0] + 1:])

    def plain(tokens: tuple[Any, ...] | None) -> Any:
        if tokens is not None and all(token[0] == "char" for token in tokens):
            return "".join(token[1] for token in tokens)
        return tokens

    return plain(before), plain(after)


def shape_pattern(shape: tuple[Any, Any]) -> str:
    """The regular expression (for `re.fullmatch`, with `re.DOTALL`) of a pattern of at most
    one star (`_shape`): what `matches_shape` matches. One star, so no backtracking beyond
    one pass of the name for each place it may end (a component's name is at most a few
    hundred characters); many such patterns are matched as one alternation, in C."""

    def part(tokens: Any) -> str:
        if isinstance(tokens, str):
            return re.escape(tokens)
        return "".join(_token_pattern(token) for token in tokens)

    before, after = shape
    return part(before) if after is None else f"{part(before)}.*{part(after)}"


def _token_pattern(token: Any) -> str:
    kind = token[0]
    if kind == "char":
        return re.escape(token[1])
    if kind == "any":
        return "."
    _, negated, ranges = token
    members = "".join(re.escape(low) if low == high else f"{re.escape(low)}-{re.escape(high)}"
                      for low, high in ranges if low <= high)  # a reversed range holds nothing
    if not members:
        return "." if negated else "(?!)"
    return f"[{'^' if negated else ''}{members}]"


def _fits(tokens: Any, text: str) -> bool:
    """Whether `text` (as long as `tokens`) is what `tokens` (a string or tokens) match."""
    if isinstance(tokens, str):
        return tokens == text
    return all(map(_char_matches, tokens, text))


def matches_shape(shape: tuple[Any, Any], component: str) -> bool:
    """Whether `component` matches a pattern of at most one star (`_shape`): by its ends."""
    before, after = shape
    if after is None:
        return len(component) == len(before) and _fits(before, component)
    if len(component) < len(before) + len(after):
        return False
    return _fits(after, component[len(component) - len(after):]) and _fits(before, component[:len(before)])


def _segment(text: str) -> tuple[Any, ...]:
    """One component's pattern as tokens: ("char", c), ("any",), ("class", negated, ranges), _STAR."""
    tokens: list[Any] = []
    at = 0
    while at < len(text):
        char = text[at]
        if char == "\\" and at + 1 < len(text):
            tokens.append(("char", text[at + 1]))
            at += 2
        elif char == "*":
            if not tokens or tokens[-1] is not _STAR:  # `**` inside a component is one star
                tokens.append(_STAR)
            at += 1
        elif char == "?":
            tokens.append(("any",))
            at += 1
        elif char == "[":
            parsed = _class(text, at)
            if parsed is None:  # no closing bracket: a plain `[`
                tokens.append(("char", "["))
                at += 1
            else:
                token, at = parsed
                tokens.append(token)
        else:
            tokens.append(("char", char))
            at += 1
    return tuple(tokens)


def _class(text: str, start: int) -> tuple[Any, int] | None:
    """The class that opens at `text[start]` ("[") and the index after it, or None."""
    at = start + 1
    negated = at < len(text) and text[at] in "!^"
    if negated:
        at += 1
    members: list[str] = []
    first = True
    while at < len(text) and (text[at] != "]" or first):
        if text[at] == "\\" and at + 1 < len(text):
            at += 1
        members.append(text[at])
        at += 1
        first = False
    if at >= len(text):
        return None
    ranges = []
    index = 0
    while index < len(members):
        if index + 2 < len(members) and members[index + 1] == "-":
            ranges.append((members[index], members[index + 2]))
            index += 3
        else:
            ranges.append((members[index], members[index]))
            index += 1
    return ("class", negated, tuple(ranges)), at + 1


class Glob:
    """One gitignore pattern line."""

    __slots__ = ("_shapes", "directory_only", "literal", "negated", "segments", "text")

    def __init__(self, text: str, negated: bool, directory_only: bool, segments: tuple[Any, ...]) -> None:
        self.text = text
        self.negated = negated
        self.directory_only = directory_only
        self.segments = segments  # _STAR for `**`, else a component's tokens
        # a name at any depth without a wildcard (`node_modules/`, `.git/`, every default
        # exclusion): matched by comparing strings, decided the same as the general way
        self.literal: str | None = None
        if len(segments) == 2 and segments[0] is _STAR and segments[1] is not _STAR \
                and segments[1] is not _ANY_COMPONENT and segments[1] \
                and all(token is not _STAR and token[0] == "char" for token in segments[1]):
            self.literal = "".join(token[1] for token in segments[1])
        # by the segment's identity (the glob holds them): how each component pattern of at
        # most one star is matched by its ends, without the general matcher
        self._shapes = {id(segment): _shape(segment) for segment in segments if segment is not _STAR}

    def _component(self, segment: tuple[Any, ...], component: str) -> bool:
        shape = self._shapes.get(id(segment))
        return _component_matches(segment, component) if shape is None else matches_shape(shape, component)

    @classmethod
    def parse(cls, line: str) -> Glob | None:
        """The pattern on `line`, or None for a blank line or a comment."""
        text = line.rstrip("\n\r")
        while text.endswith(" ") and not text.endswith("\\ "):
            text = text[:-1]
        if not text or text.startswith("#"):
            return None
        negated = text.startswith("!")
        if negated or text.startswith(("\\!", "\\#")):  # the `!` taken, or the escape of a leading `!`/`#`
            text = text[1:]
        directory_only = text.endswith("/") and not text.endswith("\\/")
        body = text.rstrip("/") if directory_only else text
        if not body:
            return None
        anchored = "/" in body
        parts = [part for part in body.split("/") if part]
        segments: list[Any] = [] if anchored else [_STAR]
        for index, part in enumerate(parts):
            if part == "**":
                if index == len(parts) - 1 and index > 0:
                    segments.append(_ANY_COMPONENT)  # a trailing `/**`: what is inside, not the directory
                if not segments or segments[-1] is not _STAR:
                    segments.append(_STAR)
            else:
                segments.append(_segment(part))
        return cls(line, negated, directory_only, tuple(segments))

    @property
    def by_directory(self) -> bool:
        """Whether the pattern matches a file exactly when it matches the file's directory
        (as a directory): a directory-only pattern matches a file only through a directory
        the file is under. Not `a/**/`, which takes the directory `a` but no file directly
        in it. A walk that has kept a directory need then not match its files one by one."""
        return self.directory_only and self.segments[-2:] != (_ANY_COMPONENT, _STAR)

    def matches_under(self, parent: bool, components: list[str], is_dir: bool) -> bool:
        """`matches(components, is_dir)`, given `parent`: whether the pattern matches
        `components[:-1]` as a directory. A walk decides each directory once and each of its
        entries from that: what matches a directory matches everything under it (but `a/**/`,
        which takes no file directly in `a`), and what does not leaves only the entry itself
        to match, mostly by its own name (`for_entries`)."""
        above = tuple(components[:-1])
        return self.decided(self.for_entries(parent, above, is_dir), above, components[-1], is_dir)

    def decided(self, test: Any, above: tuple[str, ...], name: str, is_dir: bool) -> bool:
        """Whether the pattern matches the entry `name` of a directory (`above`: its
        components below the pattern's directory), as `test` (`for_entries`) says."""
        if test is True or test is False:
            return test
        return matches_shape(test, name) if test is not None else self.matches([*above, name], is_dir)

    def for_entries(self, parent: bool, above: tuple[str, ...], is_dir: bool) -> Any:
        """How `matches_under(parent, [*above, name], is_dir)` is decided for every entry
        `name` of one directory (`above`: its components below the pattern's directory):
        True or False whatever the name, a shape (`_shape`) the name alone is matched
        against, or None: by `matches`, entry by entry (`decided` applies it)."""
        if parent and (is_dir or not self.directory_only or self.by_directory):
            return True
        if not is_dir and self.directory_only and self.by_directory:
            return False
        # no directory above matched, so only the whole path can: its last pattern matches
        # the name, the patterns before it the directory, decided here once
        last = self.segments[-1]
        if last is _STAR:
            return None
        head = self.segments[:-1]
        if head != (_STAR,):  # a name at any depth: whatever the directory
            if len(head) != len(above) and all(segment is not _STAR for segment in head):
                return False  # anchored, one pattern a component: only at its depth
            if not _greedy(head, above, self._component):
                return False
        return self._shapes[id(last)]

    def matches(self, components: list[str], is_dir: bool) -> bool:
        """Whether the pattern matches the path or a directory it is under."""
        literal = self.literal
        if literal is not None:
            if not self.directory_only:
                return literal in components  # (`*`, name, `*`): any component is the name
            # a directory the path is under, or the path itself when it is a directory
            return literal in components[:-1] or (is_dir and bool(components) and components[-1] == literal)
        memo: dict[tuple[int, int], bool] = {}

        def one(segment: Any, component: str) -> bool:
            # the same (segment, component) pair is asked again as the star moves on
            key = (id(segment), id(component))
            if key not in memo:
                memo[key] = self._component(segment, component)
            return memo[key]

        if is_dir and self.segments[-2:] == (_ANY_COMPONENT, _STAR) and len(self.segments) > 2 \
                and _greedy(self.segments[:-2], components, one):
            return True  # `a/**` takes the directory `a` too, as pathspec and the walk have it
        if not self.directory_only:
            return _greedy((*self.segments, _STAR), components, one)
        # a directory pattern: a directory the path is under, or the path when it is one
        return (_greedy((*self.segments, _ANY_COMPONENT, _STAR), components, one)
                or (is_dir and _greedy(self.segments, components, one)))


class GlobSpec:
    """Gitignore patterns, in order: the last one that matches a path decides."""

    def __init__(self, globs: list[Glob]) -> None:
        self.globs = globs

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> GlobSpec:
        return cls([glob for glob in map(Glob.parse, lines) if glob is not None])

    def match_file(self, path: str) -> bool:
        """Whether `path` (relative, `/`-separated; a directory ends with `/`) is matched."""
        is_dir = path.endswith("/")
        components = [part for part in path.split("/") if part and part != "."]
        matched = False
        for glob in self.globs:
            if glob.negated == matched and glob.matches(components, is_dir):
                matched = not glob.negated
        return matched
