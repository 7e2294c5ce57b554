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

    __slots__ = ("directory_only", "literal", "negated", "segments", "text")

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
        to match, by its own name when the pattern is one name at any depth."""
        if parent and (is_dir or not self.directory_only or self.by_directory):
            return True
        if not is_dir and self.directory_only and self.by_directory:
            return False  # a directory pattern reaches a file only through the file's directory
        if self.literal is not None:
            return components[-1] == self.literal  # no directory above it is the name
        segments = self.segments
        if len(segments) == 2 and segments[0] is _STAR and segments[1] is not _STAR:
            return _component_matches(segments[1], components[-1])  # no directory above it matched
        return self.matches(components, is_dir)

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
                memo[key] = _component_matches(segment, component)
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
