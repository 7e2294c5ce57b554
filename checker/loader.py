"""Load a plan file: bytes -> text -> YAML nodes -> plain data with a span index -> model.

Every problem on the way becomes a `Finding` with a location; nothing raises. The YAML is
composed, never constructed, so no tag can run code: a tag outside YAML's standard set is
reported and its value read as plain data.
"""

from __future__ import annotations

import errno
import io
import os
import re
import stat
import time
import types
import typing
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.diagnostics import Finding, Fix, Location, ModelPath, Relations, Span, Text, closest
from checker.patterns import lazy_pattern

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails


@dataclass(frozen=True)
class Limits:
    """Bounds that keep hostile input (alias bombs, deep nesting, huge files) bounded in
    time and memory; each, when exceeded, is a LOAD011 naming it. Configurable in
    `[tool.plancheck.limits]`."""

    file_bytes: int = 10 * 1024 * 1024
    nodes: int = 200_000
    depth: int = 100
    seconds: float = 10.0  # all of one file's work: decoding, parsing, building, validating, its own rules

    def describe(self, limit: str) -> tuple[Text, Text]:
        """The limit's name and its value with a unit, in both languages."""
        from checker.values import format_decimal

        names = {"file size": ("ファイルの大きさ", "file size"), "node count": ("ノード数", "node count"),
                 "nesting depth": ("入れ子の深さ", "nesting depth"), "time": ("1 ファイルの検査時間", "time to check one file")}
        value = format_decimal(Decimal(str({"file size": self.file_bytes, "node count": self.nodes,
                                            "nesting depth": self.depth, "time": self.seconds}[limit])))
        units = {"file size": (" バイト", " bytes"), "time": (" 秒", " s")}.get(limit, ("", ""))
        return Text(*names[limit]), Text(value + units[0], value + units[1])


def _limit_finding(loaded: LoadedFile, limit: str, limits: Limits, mark: Any = None) -> None:
    """LOAD011 at the value that went past the bound (the file's start for its size)."""
    name, value = limits.describe(limit)
    span = Span(mark.line + 1, mark.column + 1, mark.line + 1, mark.column + 2) if mark is not None else Span(1, 1, 1, 2)
    _finding(loaded, "too_large", span, limit=name, value=value)


DEFAULT_LIMITS = Limits()


class Budget:
    """The time one file's work may take (`Limits.seconds`), counted from when it starts:
    checked between the phases of the work and inside its long loops, so the limit bounds
    decoding, parsing, building, validating, salvage and the file's own rules alike."""

    __slots__ = ("deadline", "limits")

    def __init__(self, limits: Limits) -> None:
        self.limits = limits  # for the LOAD011 that names the limit
        self.deadline = time.monotonic() + limits.seconds

    def spent(self) -> bool:
        return time.monotonic() > self.deadline

    def check(self) -> None:
        if self.spent():
            raise _Limit("time")


def limit_finding(name: str, limit: str, limits: Limits) -> Finding:
    """LOAD011 for a limit a file's work went past after its text was read (at its start)."""
    label, value = limits.describe(limit)
    return Finding("too_large", Location(name, span=Span(1, 1, 1, 2)), {"limit": label, "value": value})

_YAML_TAG_PREFIX = "tag:yaml.org,2002:"
_STANDARD_TAGS = {
    _YAML_TAG_PREFIX + name
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "binary", "omap", "set", "merge")
}
_LEADING_ZERO_RE = lazy_pattern(r"^[+-]?0\d+$")


@dataclass
class SourceIndex:
    """Where a file's values were written: its plain data as parsed, and the span of each
    value and each mapping key by path."""

    data: Any = None
    spans: dict[ModelPath, Span] = field(default_factory=dict)
    key_spans: dict[ModelPath, Span] = field(default_factory=dict)
    # the data came from the fast path (checker.fastload), the spans are still to be taken
    # from ruamel: on the first ask, the text is indexed again (`LoadedFile.spans`)
    spans_pending: bool = False


@dataclass
class LoadedFile:
    """A plan file as loaded: its text, model and problems, and (built when the file is
    parsed, rebuilt from the text when needed) its source index."""

    path: Path
    name: str  # the path as shown in diagnostics
    text: str | None = None
    model: Any = None  # checker.model.PlanFile when the file validated
    findings: list[Finding] = field(default_factory=list)
    index: SourceIndex | None = field(default=None, repr=False, compare=False)
    # the relations this file's own rules checked and could not (set by the engine)
    relations: Relations = field(default_factory=Relations, repr=False, compare=False)
    # model path of a list that lost items in salvage -> the source index of each item kept
    # (small, so it travels with the file where the source index does not)
    kept_items: dict[ModelPath, tuple[int, ...]] = field(default_factory=dict)

    def __getstate__(self) -> dict[str, Any]:
        # The index is most of a loaded file's size, and only the files a diagnostic points
        # into need it: a cached or sent file goes without, and its text is parsed again
        # if asked. Only a file that was built goes without (never one that hit a limit).
        if self.index is None or self.index.data is None:
            return self.__dict__
        return {**self.__dict__, "index": None}

    def source_index(self) -> SourceIndex:
        if self.index is None:
            self.index = _index_of(self)
        return self.index

    @property
    def data(self) -> Any:
        return self.source_index().data

    def _spanned_index(self) -> SourceIndex:
        """The source index with its spans: a file built by the fast path has its text
        indexed by the ruamel path now, its data kept (the same data, tests/test_fast_parse.py)."""
        index = self.source_index()
        if index.spans_pending:
            full = _index_of(self)
            index.spans, index.key_spans, index.spans_pending = full.spans, full.key_spans, False
        return index

    @property
    def spans(self) -> dict[ModelPath, Span]:
        return self._spanned_index().spans

    @property
    def key_spans(self) -> dict[ModelPath, Span]:
        return self._spanned_index().key_spans

    @property
    def lines(self) -> list[str]:
        return [] if self.text is None else self.text.splitlines()

    def span_of(self, path: ModelPath, key: bool = False) -> Span | None:
        """The span of the value (or key) at `path`; model paths whose keys were
        normalised (years) are matched back to the key as written."""
        table = self.key_spans if key else self.spans
        raw = self._raw_path(path)
        if raw is None:
            return None
        return table.get(raw)

    def _raw_path(self, path: ModelPath) -> ModelPath | None:
        from checker.fiscal import FiscalYearError, parse_fiscal_year

        raw: list[str | int] = []
        node = self.data
        for depth, part in enumerate(path):
            kept = self.kept_items.get(path[:depth]) if self.kept_items and isinstance(part, int) else None
            if isinstance(part, int) and kept is not None:  # a list that lost items: the model's index -> the source's
                if not 0 <= part < len(kept):
                    return tuple(raw) if raw else None
                part = kept[part]
            if isinstance(node, dict):
                if part in node:
                    raw.append(part)
                    node = node[part]
                    continue
                for key in node:
                    try:
                        if isinstance(part, int) and parse_fiscal_year(key) == part:
                            raw.append(key)
                            node = node[key]
                            break
                    except FiscalYearError:
                        continue
                else:
                    return tuple(raw) if raw else None
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                raw.append(part)
                node = node[part]
            else:
                return tuple(raw) if raw else None
        return tuple(raw)

    def cell_of(self, path: ModelPath) -> str | None:
        """The workbook cell (`Sheet!A1`) or range the value at model `path`, or its nearest
        ancestor, was imported from (`PlanFile.cells`); None for a file not imported."""
        cells = getattr(self.model, "cells", None)
        if not cells:
            return None
        raw = self._raw_path(path) or ()
        while True:
            found = cells.get(json_pointer(raw))
            if found is not None or not raw:
                return found
            raw = raw[:-1]

    def nearest_span(self, path: ModelPath, key: bool = False) -> Span:
        """The span at `path`, or of its closest ancestor that has one, or the file start."""
        raw = self._raw_path(path) or ()
        table = self.key_spans if key else self.spans
        if raw in table:
            return table[raw]
        while raw:
            if raw in self.spans:
                return self.spans[raw]
            raw = raw[:-1]
        return self.spans.get((), Span(1, 1, 1, 2))


def json_pointer(path: ModelPath) -> str:
    """A path of keys as written as a JSON Pointer (RFC 6901): `/themes/0/projects/total`."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def _finding(loaded: LoadedFile, kind: str, span: Span, **args: Any) -> None:
    loaded.findings.append(Finding(kind, Location(loaded.name, span=span), args))


def _span_from_marks(start: Any, end: Any) -> Span:
    end_line, end_col = end.line + 1, end.column + 1
    if (end_line, end_col) <= (start.line + 1, start.column + 1):
        end_line, end_col = start.line + 1, start.column + 2
    return Span(start.line + 1, start.column + 1, end_line, end_col)


def decode(loaded: LoadedFile, raw: bytes) -> str | None:
    """UTF-8 (with or without BOM) is plan text; anything else is reported by name, at the
    first byte that is not UTF-8 (its line and column in characters; its byte counted from 1)."""
    bom = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    body = raw[bom:]
    if body.startswith((b"\xff\xfe", b"\xfe\xff")) or body.count(b"\x00") > len(body) // 4 > 0:
        _finding(loaded, "encoding", Span(1, 1, 1, 2), encoding=Text("UTF-16", "UTF-16"), offset=1)
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        _finding(loaded, "encoding", _byte_span(body, error.start), encoding=_guess_encoding(body),
                 offset=bom + error.start + 1)
        return None
    nul = text.find("\x00")
    if nul >= 0:
        at = len(text[:nul].encode("utf-8"))
        _finding(loaded, "encoding", _byte_span(body, at),
                 encoding=Text("NUL バイトを含むバイナリデータ", "binary data with a NUL byte"), offset=bom + at + 1)
        return None
    return text


def _byte_span(raw: bytes, at: int) -> Span:
    """The span of the byte at offset `at`, its column counted in characters as an editor does."""
    line_start = raw.rfind(b"\n", 0, at) + 1
    line = raw.count(b"\n", 0, at) + 1
    column = len(raw[line_start:at].decode("utf-8", errors="replace")) + 1
    return Span(line, column, line, column + 1)


def _guess_encoding(raw: bytes) -> Text:
    """Name the encoding the bytes look like, for the message; Japanese encodings first."""
    as_utf8 = raw.decode("utf-8", errors="replace")
    damaged = as_utf8.count("\ufffd")
    if sum(1 for char in as_utf8 if ord(char) > 0x7F and char != "\ufffd") > 3 * damaged:
        # mostly good UTF-8 with a few broken sequences: a damaged file, not another encoding
        return Text("途中の壊れた UTF-8（不正なバイト列があります）", "UTF-8 with an invalid byte sequence")
    found = japanese_encoding(raw)
    if found is not None:
        return Text(found[1], found[1])
    return Text("Latin-1 などの UTF-8 以外の文字コード", "Latin-1 or another non-UTF-8 encoding")


def japanese_encoding(raw: bytes) -> tuple[str, str] | None:
    """The Japanese encoding bytes that are not UTF-8 are in, as (Python codec, name):
    CP932 (Shift_JIS as Windows writes it) or EUC-JP; None when they read as neither."""
    for codec, name in (("cp932", "Shift_JIS/CP932"), ("euc_jp", "EUC-JP")):
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        # Kana, or several kanji: a lone kanji is what Latin-1 accents decode to by chance.
        if re.search(r"[\u3040-\u30ff]", text) or len(re.findall(r"[\u4e00-\u9fff]", text)) >= 2:
            return codec, name
    return None


_PLAIN_RESOLVERS: dict[str, list[tuple[str, Any]]] | None = None
_RESOLVERS_KEPT = False  # whether the run's cache holds the table (`_resolver_table`)
# The tags of plain scalars seen before: keys and common values repeat in every file (a
# third of the scalars' regex matching), and a bound keeps a large run's memory flat.
_PLAIN_TAGS: dict[str, str] = {}
_PLAIN_TAGS_KEPT = 20_000
_YAML: Any = None


def _yaml() -> Any:
    """One YAML object per process: each parse makes its own parser, and building the object
    (plugin discovery included) cost more than parsing a small file."""
    global _YAML
    if _YAML is None:
        from ruamel.yaml import YAML

        _YAML = YAML(typ="safe")
    return _YAML


def _plain_resolver():
    """ruamel.yaml's YAML 1.2 implicit typing of plain scalars (its own table: the first
    character picks the candidates, the first matching pattern the tag), with tags as plain
    strings: its resolver compares Tag objects in Python and was a third of the load time."""
    global _PLAIN_RESOLVERS, _RESOLVERS_KEPT
    if _PLAIN_RESOLVERS is None or (not _RESOLVERS_KEPT and _run_cache_open()):
        # again once a cache is there (a ruleset parsed before the run's cache was open made
        # the table without one, and the next process should find it), never per file of a
        # run without a cache
        table, _RESOLVERS_KEPT = _resolver_table()
        if _PLAIN_RESOLVERS is None:
            _PLAIN_RESOLVERS = {first: [(tag, re.compile(source, flags)) for tag, source, flags in candidates]
                                for first, candidates in table.items()}
    resolvers, seen = _PLAIN_RESOLVERS, _PLAIN_TAGS

    def resolve(value: str, plain: bool) -> str:
        if not plain:
            return "tag:yaml.org,2002:str"
        tag = seen.get(value)
        if tag is None:
            tag = next((tag for tag, pattern in resolvers.get(value[:1], ()) if pattern.match(value)),
                       "tag:yaml.org,2002:str")
            if len(seen) < _PLAIN_TAGS_KEPT:
                seen[value] = tag
        return tag

    return resolve


def _run_cache_open() -> bool:
    from checker.model import run_cache

    return run_cache() is not None


def _resolver_table() -> tuple[dict[str, list[tuple[str, str, int]]], bool]:
    """ruamel.yaml's implicit resolvers as (tag, pattern, flags) by first character: from the
    run's cache when a process before built them with the same ruamel.yaml (the fast path
    then never imports ruamel, about 45 ms of a one-file check), else from ruamel itself, and
    kept for the next process; and whether the cache has them now. An entry of any other
    shape is a miss."""
    from checker.model import run_cache

    cache = run_cache()
    key = None
    if cache is not None:
        from checker.cache import parse_fingerprint

        key = cache.key("plain resolvers", parse_fingerprint())
        entry = cache.get("file", key)
        if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == _RESOLVERS_ENTRY and _resolver_shape(entry[1]):
            return entry[1], True
    from ruamel.yaml.resolver import VersionedResolver

    table = {first: [(str(tag), pattern.pattern, pattern.flags) for tag, pattern in candidates]
             for first, candidates in VersionedResolver().versioned_resolver.items()}
    if cache is not None and key is not None:
        cache.put("file", key, (_RESOLVERS_ENTRY, table))
    return table, cache is not None


_RESOLVERS_ENTRY = "plancheck plain resolvers 1"  # what the entry is, should a key ever collide


def _resolver_shape(table: Any) -> bool:
    return isinstance(table, dict) and all(
        isinstance(first, str) and isinstance(candidates, list) and all(
            isinstance(item, tuple) and len(item) == 3 and isinstance(item[0], str) and isinstance(item[1], str)
            and isinstance(item[2], int) for item in candidates)
        for first, candidates in table.items())


class _Limit(Exception):
    """A limit was exceeded; its text names the limit (`node count`, `nesting depth`, `time`)."""


_UNSET = object()


class _Frame:
    """A mapping or sequence being built."""

    __slots__ = ("anchor", "count", "is_map", "key", "key_order", "order", "path", "start", "value")

    def __init__(self, value: Any, path: ModelPath, is_map: bool, start: Any, anchor: str | None, count: int,
                 order: int, key_order: int) -> None:
        self.value = value
        self.path = path
        self.is_map = is_map
        self.key: Any = _UNSET  # a mapping's pending key (None: a key to skip the value of)
        self.start = start
        self.anchor = anchor
        self.count = count  # the node count when this collection began
        self.order = order  # len(span_order) when it began: its subtree's spans follow
        self.key_order = key_order  # len(key_order) when it began


class _Builder:
    """Builds plain data from the parser's events, indexing each value's and key's span by
    its path. It keeps its own stack instead of recursing (ruamel's C composer recurses in
    C and crashes the process on deep nesting), counts aliased nodes as often as they are
    used (so an alias bomb hits the node limit before it costs memory), and checks the
    clock as it goes."""

    def __init__(self, loaded: LoadedFile, limits: Limits, budget: Budget | None = None) -> None:
        self.loaded = loaded  # where findings go
        self.index = SourceIndex()
        self.limits = limits
        self.budget = budget or Budget(limits)
        self.count = 0
        self.anchors: dict[str, tuple[Any, int, ModelPath, list[ModelPath], list[ModelPath]]] = {}
        self.span_order: list[ModelPath] = []
        self.key_order: list[ModelPath] = []
        self.skip_depth = 0  # > 0 while inside a complex key, or a dropped key's value
        self.skip_start: Any = None  # where the complex key being skipped began
        self.mark: Any = None  # where the event being built begins, for a limit's location

    def run(self, text: str) -> Any:
        """The document's data, or _UNSET for an empty stream; YAML errors propagate."""
        from ruamel.yaml.events import (
            AliasEvent,
            DocumentStartEvent,
            MappingEndEvent,
            MappingStartEvent,
            ScalarEvent,
            SequenceEndEvent,
            SequenceStartEvent,
        )
        from ruamel.yaml.nodes import ScalarNode

        yaml = _yaml()
        resolve = _plain_resolver()
        budget = self.budget
        stack: list[_Frame] = []
        root: Any = _UNSET
        documents = 0
        for number, event in enumerate(yaml.parse(io.StringIO(text))):
            self.mark = event.start_mark
            if not number & 1023:
                budget.check()
            kind = type(event)
            if kind is ScalarEvent:
                if self.skip_depth:
                    continue
                tag = event.tag
                if tag is None or tag == "!":
                    tag = resolve(event.value, event.implicit[0])
                root = self._place(stack, root, event, self._scalar(event, tag), 1)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if not self.skip_depth and stack and stack[-1].is_map and stack[-1].key in (_UNSET, None):
                    # a mapping or sequence used as a key, or the value of a dropped key
                    self.skip_start = event.start_mark if stack[-1].key is _UNSET else None
                    stack[-1].key = None if stack[-1].key is _UNSET else _UNSET
                    self.skip_depth = 1
                    continue
                if self.skip_depth:
                    self.skip_depth += 1
                    continue
                self._count(1)
                if len(stack) + 1 > self.limits.depth:
                    raise _Limit("nesting depth")
                self._check_tag(event)
                path = self._child_path(stack)
                value: Any = {} if kind is MappingStartEvent else []
                stack.append(_Frame(value, path, kind is MappingStartEvent, event.start_mark, event.anchor,
                                    self.count, len(self.span_order), len(self.key_order)))
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                if self.skip_depth:
                    self.skip_depth -= 1
                    if not self.skip_depth and self.skip_start is not None:
                        _finding(self.loaded, "complex_key", _span_from_marks(self.skip_start, event.end_mark))
                    continue
                frame = stack.pop()
                span = _span_from_marks(frame.start, event.end_mark)
                self._record(frame.path, span)
                if frame.anchor is not None:
                    self._remember(frame.anchor, frame.value, self.count - frame.count + 1, frame.path,
                                   frame.order, frame.key_order)
                root = self._place(stack, root, event, frame.value, 0, span=span, record=False)
            elif kind is AliasEvent:
                if self.skip_depth:
                    continue
                root = self._alias(stack, root, event)
            elif kind is DocumentStartEvent:
                if event.version is not None:  # a %YAML directive: resolve by that version's rules
                    def resolve(value: str, plain: bool, ruamel_resolve=yaml.resolver.resolve) -> str:
                        return str(ruamel_resolve(ScalarNode, value, (plain, False)))
                documents += 1
                if documents > 1:
                    from ruamel.yaml.composer import ComposerError

                    raise ComposerError("expected a single document in the stream", None,
                                        "but found another document", event.start_mark)
        return root

    # --- placing values -----------------------------------------------------------
    def _child_path(self, stack: list[_Frame]) -> ModelPath:
        if not stack:
            return ()
        frame = stack[-1]
        if frame.is_map:
            return frame.path + (frame.key,)
        return frame.path + (len(frame.value),)

    def _place(self, stack: list[_Frame], root: Any, event: Any, value: Any, nodes: int,
               span: Span | None = None, record: bool = True) -> Any:
        """Put a finished value where it belongs: the root, a sequence item, a mapping's
        key, or a mapping's value. Returns the (possibly new) root."""
        if nodes:
            self._count(nodes)
        if span is None:
            span = _span_from_marks(event.start_mark, event.end_mark)
        if not stack:
            if record:
                self._record((), span)
            if getattr(event, "anchor", None) is not None and record:
                self._remember(event.anchor, value, 1, (), len(self.span_order) - 1, len(self.key_order))
            return value
        frame = stack[-1]
        if frame.is_map and frame.key is _UNSET:  # a key
            key = event.value if isinstance(getattr(event, "value", None), str) else str(value)
            if key in frame.value:  # a key's value is placed before the next key comes
                first = self.index.key_spans[frame.path + (key,)]
                _finding(self.loaded, "duplicate_key", span, key=key, first_line=first.line)
                frame.key = None  # skip its value
            else:
                frame.key = key
                self.index.key_spans[frame.path + (key,)] = span
                self.key_order.append(frame.path + (key,))
            return root
        if frame.is_map:
            key, frame.key = frame.key, _UNSET
            if key is None:  # the value of a complex or duplicate key: dropped
                return root
            path = frame.path + (key,)
            frame.value[key] = value
        else:
            path = frame.path + (len(frame.value),)
            frame.value.append(value)
        if record:
            self._record(path, span)
            if getattr(event, "anchor", None) is not None:
                self._remember(event.anchor, value, 1, path, len(self.span_order) - 1, len(self.key_order))
        return root

    def _record(self, path: ModelPath, span: Span) -> None:
        self.index.spans[path] = span
        self.span_order.append(path)

    def _remember(self, anchor: str, value: Any, nodes: int, path: ModelPath, order: int, key_order: int) -> None:
        """What an alias to `anchor` copies: the value, its node count, and the paths of
        its spans and keys (recorded since it began, so only its own)."""
        self.anchors[anchor] = (value, nodes, path, self.span_order[order:], self.key_order[key_order:])

    def _alias(self, stack: list[_Frame], root: Any, event: Any) -> Any:
        import copy

        from ruamel.yaml.composer import ComposerError

        if event.anchor not in self.anchors:
            raise ComposerError(None, None, f"found undefined alias {event.anchor!r}", event.start_mark)
        value, nodes, base, subtree, keys = self.anchors[event.anchor]
        self._count(nodes)  # before copying anything: an alias bomb stops here
        if stack and stack[-1].is_map and stack[-1].key is _UNSET:
            return self._place(stack, root, event, value if isinstance(value, str) else str(value), 0)
        target = self._child_path(stack)
        root = self._place(stack, root, event, copy.deepcopy(value), 0, record=False)
        for path in subtree:
            self._record(target + path[len(base):], self.index.spans[path])
        for path in keys:
            self.index.key_spans[target + path[len(base):]] = self.index.key_spans[path]
        return root

    def _count(self, nodes: int) -> None:
        self.count += nodes
        if self.count > self.limits.nodes:
            raise _Limit("node count")

    def _check_tag(self, event: Any) -> None:
        tag = event.tag
        if tag is not None and tag != "!" and tag not in _STANDARD_TAGS:
            written = "!!" + tag.removeprefix(_YAML_TAG_PREFIX) if tag.startswith(_YAML_TAG_PREFIX) else tag
            _finding(self.loaded, "unsafe_tag", _span_from_marks(event.start_mark, event.end_mark), tag=written)

    def _scalar(self, event: Any, tag: str) -> Any:
        if event.tag is not None:
            self._check_tag(event)
        text = event.value
        if event.style:  # quoted or block scalars are text, whatever they look like
            return text
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return text.lower() in ("true", "yes", "on")
        if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
            if _LEADING_ZERO_RE.match(text):
                span = _span_from_marks(event.start_mark, event.end_mark)
                _finding(self.loaded, "leading_zero", span, text=text)
                # quoting is the safe fix: the digits stay as printed
                self.loaded.findings[-1].fix = Fix(Location(self.loaded.name, span=span), f'"{text}"')
                return text  # keep the digits as written, so nothing is lost
            return _number(text)
        return text


# A plan number is written in decimal digits. YAML reads `0x10` as 16, `0o17` as 15, `1_000`
# as 1000 and `1e3` as 1000; a document prints none of them, so they stay text and the
# cell validators say what is wrong with them at the value (checker.values).
_DECIMAL_RE = lazy_pattern(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")


def _number(text: str) -> Any:
    if _DECIMAL_RE.match(text):
        return Decimal(text)
    lowered = text.lower()
    if lowered in (".inf", "+.inf"):
        return Decimal("Infinity")
    if lowered == "-.inf":
        return Decimal("-Infinity")
    if lowered == ".nan":
        return Decimal("NaN")
    return text


def _text_position(text: str, offset: object) -> tuple[int | None, int | None]:
    """The 1-based line and column of the character at `offset`, the line breaks counted as
    the YAML reader counts them (LF, CR not before LF, NEL, LS, PS); None, None without one."""
    if not isinstance(offset, int) or not 0 <= offset <= len(text):
        return None, None
    before = text[:offset]
    breaks = list(re.finditer("\r\n|[\n\r\x85\u2028\u2029]", before))
    return len(breaks) + 1, offset - (breaks[-1].end() if breaks else 0) + 1


def load_text(loaded: LoadedFile, text: str, limits: Limits | None = None, budget: Budget | None = None) -> LoadedFile:
    """The file's text parsed, built and validated; `budget`, the file's time from when its
    work began (a new one from here without it)."""
    limits = limits or DEFAULT_LIMITS
    budget = budget or Budget(limits)
    loaded.text = text
    index = _fast_index(text, limits, budget) if FAST_PATH else None
    if index is not None:
        loaded.index = index
        return _validated(loaded, limits, budget)
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    builder = _Builder(loaded, limits, budget)
    try:
        data = builder.run(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if error.context_mark is not None and any(
                opened in (error.context or "") for opened in ("quoted scalar", "flow mapping", "flow sequence")):
            mark = error.context_mark  # where the quote or bracket that never closes was opened
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = " ".join(part for part in (error.context, error.problem) if part)
        _finding(loaded, "syntax", Span(line, column, line, column + 1), problem=syntax_problem(problem))
        return _unbuilt(loaded)
    except YAMLError as error:  # errors without a mark (the reader's, mostly)
        # the reader's error (a raw control character) names the character instead: the
        # first non-printable one, so its first occurrence (the offset it gives is off after
        # a line separator) gives the line and column, and the problem goes without the offset
        character = getattr(error, "character", None)
        at = text.find(chr(character)) if isinstance(character, int) else -1
        line, column = _text_position(text, at if at >= 0 else getattr(error, "position", None))
        problem = str(error).strip().split("\n")[0] if line else str(error).strip()
        _finding(loaded, "syntax", Span(line or 1, column or 1, line or 1, (column or 1) + 1),
                 problem=syntax_problem(problem))
        return _unbuilt(loaded)
    except _Limit as limit:
        _limit_finding(loaded, str(limit), limits, builder.mark)
        return _unbuilt(loaded)
    if data is _UNSET:
        _finding(loaded, "empty", Span(1, 1, 1, 2))
        return _unbuilt(loaded)
    builder.index.data = data
    loaded.index = builder.index
    if not isinstance(data, dict):
        _finding(loaded, "not_mapping", loaded.spans.get((), Span(1, 1, 1, 2)))
        return loaded
    return _validated(loaded, limits, budget)


# Whether files are first built by the fast path (checker.fastload; the ruamel path when
# it gives up or libyaml is missing). Off, every file takes the ruamel path: the tests
# that compare the two paths switch it.
FAST_PATH = True


def _fast_index(text: str, limits: Limits, budget: Budget) -> SourceIndex | None:
    """The source index of a file the fast path builds, its spans pending; None when the
    fast path leaves the file to the ruamel path."""
    from checker import fastload

    try:
        data = fastload.build(text, limits, budget)
    except fastload.Fallback:
        return None
    if not isinstance(data, dict):
        return None  # not a plan: the ruamel path says so, at the value
    return SourceIndex(data=data, spans_pending=True)


def _validated(loaded: LoadedFile, limits: Limits, budget: Budget) -> LoadedFile:
    """A built file's data validated into its model, with the notes on its values."""
    try:
        budget.check()
        _mend_comma_numbers(loaded)
        validate(loaded, budget)
        budget.check()
        _report_value_notes(loaded, budget)
    except _Limit as limit:
        # out of time after the build: the findings so far stand, with the spans to show
        # them, and no rule runs on a model that was not finished
        loaded.model = None
        _limit_finding(loaded, str(limit), limits)
    return loaded


# The parser's problems (its context and problem, in English) explained in Japanese, first
# match wins; the English stays the parser's own. What a person does about each is said too.
_SYNTAX_JA: tuple[tuple[str, str], ...] = (
    (r"tab character", "タブ文字があります。YAML の字下げには空白（半角スペース）だけを使います"),
    (r"found character '\\t'", "タブ文字があります。YAML の字下げには空白（半角スペース）だけを使います"),
    (r"while scanning a quoted scalar.*end of stream",
     "ここで開いた引用符が閉じていません。対になる引用符（\" か '）を書いてください"),
    (r"while scanning a quoted scalar", "ここで開いた引用符が、行の終わりまでに閉じていません"),
    (r"unknown escape character",
     "二重引用符の中に使えないエスケープ（\\ の後の文字）があります。\\ をそのまま書くなら単一引用符 ' で囲みます"),
    (r"flow mapping.*',' or '\}'",
     "ここで「{」と開いたマッピングが閉じていません。項目の間に「,」、最後に「}」を書いてください"),
    (r"flow sequence.*',' or '\]'",
     "ここで「[」と開いたリストが閉じていません。項目の間に「,」、最後に「]」を書いてください"),
    (r"mapping values are not allowed",
     ("ここには「キー: 値」の「:」を書けません。値の中に「: 」があるなら値を引用符で囲み、"
     "そうでなければ前の行との字下げのずれを直してください")),
    (r"block mapping.*did not find expected key",
     "字下げがそろっていません。同じ階層のキーは同じ列から書き始めます（値の後の余分な文字もこの原因になります）"),
    (r"block collection.*expected '-' indicator",
     "リストの項目（「- 」で始まる行）の途中に、字下げのそろわない行があります。字下げを確認してください"),
    (r"could not find expected ':'", "「キー: 値」の「:」が見つかりません。キーの後の「: 」か、前の行の引用符の閉じ忘れを確認してください"),
    (r"undefined alias", "定義されていないエイリアス（*名前）があります。値に * を書くなら引用符で囲みます"),
    (r"found duplicate anchor", "同じ名前のアンカー（&名前）が2回定義されています"),
    (r"character that cannot start any token",
     "値の先頭に置けない文字（@ や ` など）があります。その値は引用符で囲んでください"),
    (r"block scalar", "ブロック文字列（| や >）の後には改行かコメントだけを書きます"),
    (r"incompatible YAML document", "対応していない YAML のバージョンです（YAML 1.1 / 1.2 で書いてください）"),
    (r"expected a single document", "1つのファイルに文書が2つあります（「---」の行）。1ファイルに1つの計画を書きます"),
    (r"control characters are not allowed", "使えない制御文字があります。削除してください"),
    (r"expected alphabetic or numeric character", ("アンカーやエイリアスの名前（& や * の後）が正しくありません。"
                                                   "値に & や * を書くなら引用符で囲みます")),
    (r"found unexpected end of stream", "ファイルが途中で終わっています（閉じていない括弧か引用符があります）"),
)


def syntax_problem(english: str) -> Text:
    """A YAML parser's problem in Japanese (its English kept): what is wrong at the
    position, and what to write; an unknown one says so, with the parser's words."""
    for pattern, japanese in _SYNTAX_JA:
        if re.search(pattern, english):
            return Text(japanese, english)
    return Text(f"YAML として読めません（パーサーの説明: {english}）", english)


# A fraction of seven digits or more: the only text in which a float artifact can be, so the
# cells of a file without one are never walked. It starts with the point (a literal is what
# the regex engine finds fast: a tenth of the time of `\d\.\d{7}` on plans/); the full-width
# points NFKC reads as one are rare enough to walk the cells for.
_LONG_FRACTION_RE = lazy_pattern(r"\.[0-9０-９]{7}")
_WIDE_POINTS = ("．", "﹒")


def _report_value_notes(loaded: LoadedFile, budget: Budget | None = None) -> None:
    """What the model read differently from what is written, at the value (LOAD014: a float
    artifact, 99.99999999999999, read as 100)."""
    text = loaded.text
    if loaded.model is None or text is None or (
            not _LONG_FRACTION_RE.search(text) and not any(point in text for point in _WIDE_POINTS)):
        return
    from checker.model import iter_cells
    from checker.values import Bound, Number, format_decimal

    for count, (path, cell) in enumerate(iter_cells(loaded.model)):
        if budget is not None and not count & 1023:
            budget.check()
        number = cell.number if isinstance(cell, Bound) else cell
        if isinstance(number, Number) and number.float_artifact:
            _finding(loaded, "float_artifact", loaded.nearest_span(path), text=number.text,
                     read=format_decimal(number.value))


def _unbuilt(loaded: LoadedFile) -> LoadedFile:
    """A file that could not be read as YAML: its findings stand, nothing else is checked."""
    loaded.index = SourceIndex()
    return loaded


# The text was read within the configured limits when it was first loaded; the same text
# needs no limits to be indexed again.
_NO_LIMITS = Limits(file_bytes=10**15, nodes=10**15, depth=10**15, seconds=10.0**9)


def _index_of(loaded: LoadedFile) -> SourceIndex:
    """The source index of a loaded file that came without one (from the cache or another
    process): its text parsed again, findings discarded (the file has them already)."""
    from ruamel.yaml.error import YAMLError

    if loaded.text is None:
        return SourceIndex()
    builder = _Builder(LoadedFile(path=loaded.path, name=loaded.name), _NO_LIMITS)
    try:
        data = builder.run(loaded.text)
    except (YAMLError, _Limit):
        return SourceIndex()
    builder.index.data = None if data is _UNSET else data
    return builder.index


class ChangedWhileRead(OSError):
    """The file kept changing while it was read (an editor or a tool writing it)."""


class NotRegular(Exception):
    """A plan path that names no regular file (a FIFO, a device, a socket): never read."""

    def __init__(self, what: Text) -> None:
        super().__init__(what.en)
        self.what = what


class OutsideProject(Exception):
    """A plan path that leads, through a symbolic link, to a file outside the project."""


def _not_regular(mode: int) -> Text:
    """What a file that is not a regular file is, in both languages."""
    for test, ja, en in ((stat.S_ISFIFO, "名前付きパイプ（FIFO）", "a named pipe (FIFO)"),
                         (stat.S_ISCHR, "キャラクタデバイス", "a character device"),
                         (stat.S_ISBLK, "ブロックデバイス", "a block device"),
                         (stat.S_ISSOCK, "ソケット", "a socket")):
        if test(mode):
            return Text(ja, en)
    return Text("通常のファイルではないもの", "not a regular file")


def _check_regular(status: os.stat_result) -> None:
    if stat.S_ISDIR(status.st_mode):
        # a directory stays an unreadable file (LOAD012), as the system says it
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
    if not stat.S_ISREG(status.st_mode):
        raise NotRegular(_not_regular(status.st_mode))


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


# O_NONBLOCK: a FIFO swapped in after the stat opens at once instead of waiting for a
# writer (and the fstat then refuses it); O_NOCTTY: a terminal never becomes ours.
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))


def _open_regular(path: Path, root: Path | None) -> int:
    """A descriptor of the regular file `path` names, opened for reading only after its
    kind (and, with `root`, where a symbolic link leads) was checked, and checked again on
    the descriptor itself: a file swapped in between is refused, never read."""
    _check_regular(os.stat(path))
    real = os.path.realpath(path) if root is not None else None
    if real is not None and root is not None:
        written, real_root = os.path.normpath(os.path.abspath(path)), os.path.realpath(root)
        # a path of the project that a link leads out of it; a link that is itself outside
        # the project was named by the user, and is read where it leads
        if (_inside(written, os.path.normpath(os.path.abspath(root))) or _inside(written, real_root)) \
                and written != real and not _inside(real, real_root):
            raise OutsideProject(real)
    descriptor = os.open(path, _OPEN_FLAGS)
    try:
        opened = os.fstat(descriptor)
        _check_regular(opened)
        if real is not None and not os.path.samestat(opened, os.stat(real)):
            # a link swapped (and swapped back) around the open: what was opened is not
            # the file that was checked
            raise ChangedWhileRead("the file was replaced while it was opened; check it again")
        return descriptor
    except BaseException:
        os.close(descriptor)
        raise


def _read_capped(descriptor: int, cap: int) -> bytes:
    """At most `cap` bytes from the descriptor: a file that grows while it is read (or
    lies about its size) never costs more than the cap."""
    chunks = []
    left = cap
    while left > 0:
        try:
            chunk = os.read(descriptor, min(left, 1 << 20))
        except BlockingIOError:  # only a non-regular file blocks, and that was refused
            break
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _read_stable(path: Path, limits: Limits, attempts: int = 3, root: Path | None = None) -> bytes:
    """The file's bytes as one version, at most the size limit of them: read again if its
    size or modification time moved during the read (a torn read checked as a file would
    report errors that are not there). Only a regular file is opened (`_open_regular`)."""
    for _ in range(attempts):
        descriptor = _open_regular(path, root)
        try:
            before = os.fstat(descriptor)
            if before.st_size > limits.file_bytes:
                raise _Limit("file size")
            raw = _read_capped(descriptor, limits.file_bytes + 1)
            if len(raw) > limits.file_bytes:
                raise _Limit("file size")
            after = os.fstat(descriptor)
        finally:
            os.close(descriptor)
        if (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns) and len(raw) == after.st_size:
            return raw
    raise ChangedWhileRead("the file kept changing while it was read; check it again when it is written")


def read_file(path: Path, name: str | None = None, limits: Limits | None = None,
              root: Path | None = None) -> tuple[LoadedFile, bytes | None]:
    """The file's bytes, or None with the finding that says why they could not be read.
    With `root` (the project's), a path that a symbolic link leads out of it is reported
    and never read."""
    limits = limits or DEFAULT_LIMITS
    loaded = LoadedFile(path=path, name=name or str(path))
    try:
        return loaded, _read_stable(path, limits, root=root)
    except _Limit:
        _limit_finding(loaded, "file size", limits)
    except NotRegular as error:
        _finding(loaded, "not_regular", Span(1, 1, 1, 2), what=error.what)
    except OutsideProject:
        _finding(loaded, "outside_project", Span(1, 1, 1, 2), root=str(root))
    except OSError as error:
        reason = error.strerror or str(error) or type(error).__name__
        _finding(loaded, "unreadable", Span(1, 1, 1, 2), reason=reason)
    return loaded, None


def given_bytes(path: Path, name: str | None, raw: bytes,
                limits: Limits | None = None) -> tuple[LoadedFile, bytes | None]:
    """What `read_file` gives, for bytes that come from elsewhere than the file at `path`
    (standard input, an editor's unsaved buffer): the same size limit, then the same
    loader (`load_bytes`) as a file's bytes."""
    limits = limits or DEFAULT_LIMITS
    loaded = LoadedFile(path=path, name=name or str(path))
    if len(raw) > limits.file_bytes:
        _limit_finding(loaded, "file size", limits)
        return loaded, None
    return loaded, raw


def read_stream(stream: typing.BinaryIO, limits: Limits | None = None) -> bytes:
    """A stream's bytes (standard input) to its end, or past the size limit by one byte
    (`given_bytes` then reports the limit): a pipe is read until its writer closes it,
    waiting when it is empty for now, never taken for an empty file."""
    import select

    limits = limits or DEFAULT_LIMITS
    chunks: list[bytes] = []
    left = limits.file_bytes + 1
    while left > 0:
        try:
            chunk = stream.read(min(left, 1 << 20))
        except BlockingIOError:
            chunk = None
        if chunk is None:  # a non-blocking descriptor with nothing yet: wait for more
            select.select([stream], [], [])
            continue
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def load_bytes(loaded: LoadedFile, raw: bytes, limits: Limits | None = None, budget: Budget | None = None) -> LoadedFile:
    """The file's bytes decoded and loaded; its time (`budget`) starts here without one."""
    limits = limits or DEFAULT_LIMITS
    budget = budget or Budget(limits)
    text = decode(loaded, raw)
    if text is None:
        return loaded
    if budget.spent():
        _limit_finding(loaded, "time", limits)
        return loaded
    return load_text(loaded, text, limits, budget)


def load_file(path: Path, name: str | None = None, limits: Limits | None = None) -> LoadedFile:
    loaded, raw = read_file(path, name, limits)
    return loaded if raw is None else load_bytes(loaded, raw, limits)


# --- validation against the model -------------------------------------------------------


def validate(loaded: LoadedFile, budget: Budget | None = None) -> None:
    """The file's data validated into its model; each error reported at its value, and what
    can be modelled salvaged. Out of `budget`, a _Limit("time") (the errors so far stand)."""
    from pydantic import ValidationError

    from checker.model import PlanFile

    try:
        loaded.model = PlanFile.model_validate(loaded.data)
    except ValidationError as error:
        problems = error.errors(include_url=False)
        for problem in problems:
            if budget is not None:  # each report walks the model's fields: the clock costs less
                budget.check()
            _report_validation(loaded, problem)
        _salvage(loaded, problems, budget)


# Each round repairs every error of the last validation; a round only finds new errors
# where a repair let a model-level check run (a period's order once both years read) or
# shortened a fixed-length value, so a few rounds settle any file.
_SALVAGE_ROUNDS = 6


def _salvage(loaded: LoadedFile, problems: list[ErrorDetails], budget: Budget | None = None) -> None:
    """Model what can be modelled of a file that failed validation, its errors reported:
    a copy of its data with each error repaired as little as possible, validated again.

    An unknown field, an optional field whose value is wrong, an unreadable year key or a
    duplicate year is left out; a value that is no value form becomes `Unreadable`; a list
    item or mapping entry that cannot be valid otherwise is left out, and its container
    remembers it (`PlanFile.dropped_items`) so no relation over it is evaluated on the
    rest. No repair ever writes a value. When the plan header itself cannot be read there
    is no model. The model's list indices are mapped back to the source's (`kept_items`)."""
    import copy

    from pydantic import ValidationError

    from checker.model import Dropped, PlanFile

    data = copy.deepcopy(loaded.data)
    kept: dict[int, list[int]] = {}  # id of a working list that lost items -> source indices kept
    dropped: dict[int, list[Dropped]] = {}  # id of a working container -> what it lost
    for _ in range(_SALVAGE_ROUNDS):
        if budget is not None:
            budget.check()
        repairs = [_repair(data, problem) for problem in problems]
        ready = [repair for repair in repairs if repair is not None]
        if len(ready) < len(repairs):
            return  # the header cannot be read: nothing to model
        _apply(ready, kept, dropped)
        try:
            model = PlanFile.model_validate(data)
        except ValidationError as error:
            problems = error.errors(include_url=False)
            continue
        paths = _container_paths(data, set(kept) | set(dropped))
        loaded.kept_items = {paths[key]: tuple(indices) for key, indices in kept.items() if key in paths}
        model._dropped = {paths[key]: tuple(sorted(items, key=lambda item: (item.position or 0, item.key or "")))
                          for key, items in dropped.items() if key in paths}
        loaded.model = model
        return


# A repair: (container, key or index, replacement, whether the container lost an item);
# the replacement _DROP leaves the entry out.
_DROP = object()
Repair = tuple[Any, Any, Any, bool]


def _repair(data: Any, problem: ErrorDetails) -> Repair | None:
    """The least change to `data` that answers one validation error; None when the error
    leaves nothing to model (it reaches the plan header's required fields)."""
    from checker.values import Unreadable

    loc = tuple(problem["loc"])
    kind = problem["type"]
    if loc and loc[-1] == "[key]":  # an unreadable key (a year, an outlook): its entry goes
        steps = _steps(data, loc[:-1])
        return (steps[-1][0], steps[-1][1], _DROP, True) if steps else None
    if kind == "missing":
        steps = _steps(data, loc[:-1])
        steps.append((steps[-1][0][steps[-1][1]] if steps else data, loc[-1]))
    else:
        steps = _steps(data, loc)
    if not steps:
        return None  # the root itself
    container, key = steps[-1]
    if kind == "duplicate_year":  # the later key that names the same year goes
        year_map = container[key]
        later = next((name for name in reversed(list(year_map)) if str(name) == problem["ctx"]["key"]), None)
        if later is not None:
            return year_map, later, _DROP, True
    if kind.startswith("cell_") or kind == "negative_amount":
        value = container[key]
        text = value if isinstance(value, str) else str(value)
        return container, key, Unreadable(text, kind.removeprefix("cell_")), False
    if kind == "extra_forbidden":
        return container, key, _DROP, False
    # Anything else: leave out the nearest value that may be absent, the invalid one first:
    # a list item, a mapping entry, or a field with a default.
    while steps:
        container, key = steps[-1]
        model = _model_at(tuple(step[1] for step in steps[:-1]))
        if model is None or isinstance(container, list):
            return container, key, _DROP, True
        info = model.model_fields.get(str(key))
        if info is not None and not info.is_required():
            return container, key, _DROP, False
        steps.pop()
    return None


def _steps(data: Any, loc: tuple[Any, ...]) -> list[tuple[Any, Any]]:
    """The (container, key) steps from `data` along a validation error's location, skipping
    the parts that name a union member rather than a key (`tuple[int, int]`)."""
    steps: list[tuple[Any, Any]] = []
    node = data
    for part in loc:
        if (isinstance(node, dict) and part in node) or (
                isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)):
            steps.append((node, part))
            node = node[part]
    return steps


def _apply(repairs: list[Repair], kept: dict[int, list[int]], dropped: dict[int, list[Any]]) -> None:
    """Replacements first, then the entries left out (a list's from its end, so the other
    indices hold), each recorded: the source indices a list keeps, what a container lost."""
    from checker.model import Dropped

    drops: dict[int, tuple[Any, dict[Any, bool]]] = {}
    for container, key, replacement, lost in repairs:
        if replacement is _DROP:
            drops.setdefault(id(container), (container, {}))[1][key] = lost
        else:
            container[key] = replacement
    for container, keys in drops.values():
        if isinstance(container, dict):
            for key, lost in keys.items():
                del container[key]
                if lost:
                    dropped.setdefault(id(container), []).append(Dropped(None, str(key)))
            continue
        indices = kept.setdefault(id(container), list(range(len(container))))
        for index in sorted(keys, reverse=True):
            item = container.pop(index)
            name = next((item[name] for name in ("key", "id")
                         if isinstance(item, dict) and isinstance(item.get(name), str)), None)
            dropped.setdefault(id(container), []).insert(0, Dropped(indices.pop(index) + 1, name))


def _container_paths(data: Any, wanted: set[int]) -> dict[int, ModelPath]:
    """The model path of each container in `wanted` (by id) that is still in `data`."""
    found: dict[int, ModelPath] = {}
    stack: list[tuple[Any, ModelPath]] = [(data, ())]
    while stack and len(found) < len(wanted):
        node, path = stack.pop()
        if id(node) in wanted:
            found[id(node)] = path
        children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        stack.extend((value, path + (key,)) for key, value in children if isinstance(value, (dict, list)))
    return found


def _report_validation(loaded: LoadedFile, problem: ErrorDetails) -> None:
    loc: tuple[Any, ...] = tuple(problem["loc"])
    is_key = bool(loc) and loc[-1] == "[key]"
    if is_key:
        loc = loc[:-1]
    ctx = problem.get("ctx") or {}
    kind = problem["type"]
    path = tuple(part for part in loc if isinstance(part, (str, int)))
    if kind == "extra_forbidden":
        field_name = str(path[-1])
        span = loaded.key_spans.get(path) or loaded.nearest_span(path)
        if _report_comma_number(loaded, path, span):
            return
        allowed = _fields_at(path[:-1])
        japanese_name = JAPANESE_FIELDS.get(field_name.strip())
        close = closest(field_name, allowed)
        if japanese_name in allowed:
            hint = Text(f"フィールド名は英語で書きます。「{field_name}」は「{japanese_name}」です",
                        f"field names are English: {field_name} is {japanese_name}")
        elif close:
            hint = Text(f"「{close}」の誤りではありませんか？", f"did you mean {close}?")
        else:
            names = ", ".join(sorted(allowed))
            hint = Text(f"使えるフィールド: {names}", f"allowed fields: {names}")
        _finding(loaded, "unknown_field", span, field=field_name, hint=hint)
        return
    if kind == "missing":
        span = (loaded.key_spans.get(path[:-1]) if path[:-1] else None) or loaded.nearest_span(path[:-1])
        _finding(loaded, "missing_field", span, field=str(path[-1]))
        return
    span = (loaded.key_spans.get(path) if is_key else None) or loaded.nearest_span(path)
    if kind == "duplicate_year":
        key_span = loaded.key_spans.get(path + (ctx["key"],))
        _finding(loaded, "duplicate_year", key_span or span, key=ctx["key"], first=ctx["first"])
        return
    if kind == "fiscal_year" and ctx.get("problem") == "era_mismatch":
        _finding(loaded, "era_mismatch", span, text=ctx["text"], era_year=str(ctx["era_year"]),
                 western=str(ctx["western"]))
        return
    value = _value_at(loaded.data, path)
    if kind == "literal_error":
        explained = _choice_problem(value, ctx)
    else:
        # pydantic names the model class a mapping should be (`instance of Indicator`): the
        # person wrote YAML, so a mapping is a mapping
        english = re.sub(r" or instance of \w+", "", problem["msg"]).replace("a valid dictionary", "a mapping")
        explained = Text(problem_ja(kind, english, ctx), english)
    _finding(loaded, "invalid_value", span, field=readable_path(loaded.data, path), value=_short(value),
             problem=explained)


def readable_path(data: Any, path: ModelPath) -> str:
    """A model path as a person finds it in the file: a list item by its own `no:` (else its
    `key`, `id` or `name`), as printed, and only without any of them by its place, counted
    from 1: `themes[II-4-11].projects.items[no: 3].outlook`, never `themes.0.projects...`."""
    out = ""
    node = data
    for part in path:
        if isinstance(part, int) and isinstance(node, list):
            item = node[part] if 0 <= part < len(node) else None
            label = f"#{part + 1}"
            if isinstance(item, dict):
                for name in ("no", "key", "id", "name"):
                    if isinstance(item.get(name), (str, int, Decimal)) and not isinstance(item.get(name), bool):
                        label = f"no: {_short(item[name])}" if name == "no" else _short(item[name])
                        break
            out += f"[{label}]"
            node = item
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "(root)"


# Japanese words a person may write for a field, and the field they mean (a did-you-mean for
# a key closest() cannot find: no English name is close to 目標)
JAPANESE_FIELDS = {
    **dict.fromkeys(("目標", "目標値", "計画値", "目標値（計画）"), "targets"),
    **dict.fromkeys(("実績", "実績値", "実績（見込み）"), "actuals"),
    **dict.fromkeys(("達成率", "達成度", "進捗率", "達成状況"), "rates"),
    **dict.fromkeys(("合計", "計", "総計", "合計額", "総額"), "total"),
    **dict.fromkeys(("単位",), "unit"),
    **dict.fromkeys(("基準値", "基準", "現状値", "策定時", "基準年度"), "baseline"),
    **dict.fromkeys(("事業費", "予算額", "決算額", "金額", "費用"), "cost"),
    **dict.fromkeys(("所管課", "担当課", "所管", "担当", "担当部署", "所管部署"), "department"),
    **dict.fromkeys(("名称", "名前", "指標名", "事業名", "項目"), "name"),
    **dict.fromkeys(("番号", "No", "No.", "NO"), "no"),
    **dict.fromkeys(("備考", "注記", "注"), "note"),
    **dict.fromkeys(("方向性", "今後の方向性", "動向", "今後の動向"), "outlook"),
    **dict.fromkeys(("事業コード", "コード"), "code"),
    **dict.fromkeys(("予算科目", "科目"), "account"),
    **dict.fromkeys(("出典", "出所"), "source"),
    **dict.fromkeys(("年度",), "year"),
    **dict.fromkeys(("計画期間", "期間"), "period"),
    **dict.fromkeys(("見出し",), "title"),
    **dict.fromkeys(("自治体", "自治体名", "市町村"), "municipality"),
}

# a word for one of a choice's values (a printed column's wording, not a misspelling)
_CHOICE_SYNONYMS = {"拡充": "拡大", "充実": "拡大", "継続": "維持", "現状維持": "維持", "見直し": "改善",
                    "削減": "縮小", "縮減": "縮小", "休止": "廃止"}


def _choice_problem(value: Any, ctx: dict[str, Any]) -> Text:
    """A value that is none of a field's choices: the choices, and the one it may be."""

    choices = re.findall(r"'((?:[^'\\]|\\.)*)'", str(ctx.get("expected", "")))
    listed_ja, listed_en = "・".join(choices), ", ".join(choices)
    text = str(value).strip() if isinstance(value, (str, int, Decimal)) else None
    close = None
    if text is not None:
        close = _CHOICE_SYNONYMS.get(text) if _CHOICE_SYNONYMS.get(text) in choices else None
        close = close or closest(text, choices, cutoff=0.5)
    ja = f"使える値は {listed_ja} のどれかです" if choices else "許された値のどれでもありません"
    en = f"allowed values: {listed_en}" if choices else "not one of the allowed values"
    if close:
        ja += f"（{close} の誤りではありませんか）"
        en += f"; did you mean {close}?"
    return Text(ja, en)


_COMMA_NUMBER_RE = lazy_pattern(r"([^\s{},:\[\]]+)\s*:\s*([+-]?\d{1,3}(?:,\d{3})+)(?=\s*[,}\]#]|\s*$)")


# What every match of _COMMA_NUMBER_RE ends with (`: 12,300`, then a space, `,`, `}`, `]`,
# `#` or the end): a file without it has no such number; it starts with a literal, so it
# costs a fraction of the full pattern's search, and of walking the data.
_COMMA_TAIL_RE = lazy_pattern(r":\s*[+-]?\d{1,3}(?:,\d{3})+(?=[\s,}\]#]|$)")


def _mend_comma_numbers(loaded: LoadedFile) -> None:
    """Every `key: 12,300` of a flow mapping that YAML split into `key: 12` and a key `300`
    with no value: reported once at the number (LOAD006, `_report_comma_number`) and read as
    the person wrote it, as if quoted (`"12,300"`), so a table's `values`, which take any
    column key, neither gain a column `300` nor check 12 in place of 12,300, and a model
    field is not dropped for an unknown key. Only where the text shows it: digits, commas
    without spaces, three-digit groups (a file without any is not walked)."""
    if loaded.text is not None and not _COMMA_TAIL_RE.search(loaded.text):
        return
    stack: list[tuple[ModelPath, Any]] = [((), loaded.data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            for key in [key for key in node if isinstance(key, str) and len(key) == 3 and key.isdigit()]:
                if key in node and node[key] is None:
                    span = loaded.key_spans.get(path + (key,))
                    if span is not None:
                        _mend_at(loaded, node, path, span)
            stack.extend((path + (key,), value) for key, value in node.items() if isinstance(value, (dict, list)))
        elif isinstance(node, list):
            stack.extend((path + (index,), value) for index, value in enumerate(node) if isinstance(value, (dict, list)))


def _mend_at(loaded: LoadedFile, node: dict[str, Any], path: ModelPath, span: Span) -> None:
    if not 0 < span.line <= len(loaded.lines):
        return
    for match in _COMMA_NUMBER_RE.finditer(loaded.lines[span.line - 1]):
        if not match.start(2) + 1 <= span.column < match.end(2) + 1:
            continue
        name, number = match.group(1).strip("\"'"), match.group(2)
        first, *rest = number.split(",")
        stated = node.get(name)
        if (isinstance(stated, (int, Decimal)) and not isinstance(stated, bool) and stated == Decimal(first)
                and all(part in node and node[part] is None for part in rest)):
            _report_comma_number(loaded, path + (rest[0],), span)
            node[name] = number  # what `"12,300"` reads as: the value forms take the grouping
            for part in rest:
                del node[part]
        return


def _report_comma_number(loaded: LoadedFile, path: ModelPath, span: Span) -> bool:
    """`cost: 12,300` inside a flow mapping `{...}`: the comma ends the value there, so YAML
    reads `cost: 12` and a key `300`. Reported once, at the whole number as written, as
    what it is and how to write it; True when the unknown key at `span` is such a part."""

    if not re.fullmatch(r"\d{3}", str(path[-1])) or not 0 < span.line <= len(loaded.lines):
        return False
    text = loaded.lines[span.line - 1]
    for match in _COMMA_NUMBER_RE.finditer(text):
        start, end = match.start(2) + 1, match.end(2) + 1
        if not start <= span.column < end:
            continue
        at = Span(span.line, start, span.line, end)
        # the parts after a comma are keys of their own: `000` is no unquoted code to quote
        loaded.findings = [finding for finding in loaded.findings if not (
            finding.kind == "leading_zero" and finding.location.span is not None
            and finding.location.span.line == at.line and at.column <= finding.location.span.column < at.end_column)]
        if not any(finding.kind == "invalid_value" and finding.location.span == at for finding in loaded.findings):
            key, number = match.group(1).strip("\"'"), match.group(2)
            plain = number.replace(",", "")
            first, *rest = number.split(",")
            _finding(loaded, "invalid_value", at, field=readable_path(loaded.data, path[:-1] + (key,)), value=number,
                     problem=Text(
                         f"引用符のないコンマ入りの数です。{{...}} の中ではコンマが項目の区切りになるため、"
                         f"{key}: {first} と別の項目（{'、'.join(rest)}）に分かれて読まれます。"
                         f"{key}: \"{number}\" か {key}: {plain} と書いてください",
                         f"an unquoted number with a comma: inside {{...}} the comma separates entries, so YAML reads "
                         f"{key}: {first} and {'another entry' if len(rest) == 1 else 'other entries'} ({', '.join(rest)}); "
                         f"write {key}: \"{number}\" or {key}: {plain}"))
        return True
    return False


def _short(value: Any) -> str:
    """A value as written (a mapping or list as a short flow form), never a Python type."""
    if isinstance(value, dict):
        text = "{" + ", ".join(f"{_short(key)}: {_short(item)}" for key, item in list(value.items())[:4]) + (
            ", …}" if len(value) > 4 else "}")
    elif isinstance(value, list):
        text = "[" + ", ".join(_short(item) for item in value[:6]) + (", …]" if len(value) > 6 else "]")
    elif value is None:
        text = "null"
    elif isinstance(value, bool):
        text = str(value).lower()
    else:
        text = value if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


_PROBLEMS_JA = {
    "string_type": "文字列でなければなりません",
    "int_type": "整数でなければなりません",
    "int_parsing": "整数でなければなりません",
    "int_from_float": "整数でなければなりません",
    "bool_type": "true か false でなければなりません",
    "bool_parsing": "true か false でなければなりません",
    "list_type": "リストでなければなりません",
    "dict_type": "マッピングでなければなりません",
    "model_type": "マッピングでなければなりません",
    "literal_error": "許された値のどれでもありません",
    "tuple_type": "リストでなければなりません",
    "decimal_parsing": "数値でなければなりません",
    "decimal_type": "数値でなければなりません",
    "float_parsing": "数値でなければなりません",
    "float_type": "数値でなければなりません",
    "greater_than": "{gt} より大きくなければなりません",
    "less_than": "{lt} より小さくなければなりません",
    "less_than_equal": "{le} 以下でなければなりません",
    "string_too_short": "{min_length} 文字以上でなければなりません",
    "string_too_long": "{max_length} 文字以下でなければなりません",
    "union_tag_invalid": "種類を表す値が、使える値のどれでもありません",
    "missing_argument": "必要な値がありません",
    "missing": "必要な値がありません",
    "extra_forbidden": "使えないフィールドです",
    "too_long": "要素が多すぎます",
    "too_short": "要素が足りません",
    "fiscal_year": "年度として読めません",
    "fiscal_year_era_zero": "元号に 0 年はありません（最初の年は元年です）",
    "fiscal_year_out_of_range": "計画データの年度の範囲（1926～2200年）の外です",
    "cell_unreadable": "値の書き方として読めません",
    "cell_infinite": "無限大（∞、Infinity、.inf）は計画の数値ではありません",
    "cell_not_a_number": "NaN（非数）は計画の数値ではありません",
    "cell_other_base": "{prefix} で始まる10進数でない数です。計画の数値は10進数で書きます",
    "cell_exponent": "指数表記の数です。{decimal} のように10進数の数字で書きます",
    "cell_underscore": "数字の間に _ があります（{suggestion} と書きます）",
    "cell_dash_for_minus": "数字の前の「{character}」はマイナス記号ではありません。負の数なら −{digits} か △{digits}、"
                           "そうでなければ数字だけを書きます",
    "cell_numeral_symbol": "「{character}」は丸数字や上付き数字などの記号で、数字の {digit} ではありません。数値は普通の数字で書きます",
    "cell_date": "数値の欄に日付があります。数値を書くか、日付の目標は「令和6年4月1日」のように書きます",
    "cell_too_long": "{length} 文字の値で、値の欄の上限（{limit} 文字）を超えるため読みません",
    "cell_out_of_range": "計画の数として大きすぎるか桁が細かすぎます（10^18 未満、小数 12 桁まで）",
    "cell_malformed_number": "区切り記号の位置が正しくない数です",
    "cell_letter_in_number": "数字の中に文字「{character}」があります（{digit} の誤りではありませんか）",
    "cell_approximate": "概数（{word}）は正確に検査できません。正確な数値か、値なし（—）を書いてください",
    "cell_decimal_comma": "小数点がコンマになっています（{suggestion} と書きます）",
    "cell_unbalanced_bracket": "括弧が閉じていない（または開いていない）数です",
    "cell_two_numbers": "1つの値の欄に2つの数（{first} と {second}）があります",
    "cell_not_a_figure": "{what_ja}は数値か値なし（—、無し）で書きます",
    "negative_amount": "事業費や件数は負になりません",
    "greater_than_equal": "0 以上でなければなりません",
    "code": "事業コードは \"030309\" のように引用符で囲んだ6桁の数字です",
    "account": "予算科目は \"3-4-4\" や \"介3-1-1\" のように 款-項-目 で書きます",
    "period_order": "期間の開始が終了より後です",
    "zero_marks": "means_zero は [blank] や [blank, \"-\"] のような記号のリストです",
    "zero_mark": "0 を意味できるのは空欄（blank）とダッシュ（-、—）だけです。注記や語句は、数値があって示されていないことを表します",
    "rounding": "端数処理は 四捨五入・切り捨て・切り上げ のどれか、または値の種類ごとの対応（{rates: 切り捨て}）です",
    "rounding_kind": "端数処理を宣言できる値の種類は rates（達成率・比率）と totals（合計）です",
}


def problem_ja(kind: str, english: str, ctx: dict[str, Any] | None = None) -> str:
    template = _PROBLEMS_JA.get(kind)
    if template is None:
        return f"値が正しくありません（{english}）"
    try:
        return template.format(**(ctx or {}))
    except (KeyError, IndexError, ValueError):
        return template


def _value_at(data: Any, path: ModelPath) -> Any:
    node = data
    for part in path:
        if (isinstance(node, dict) and part in node) or (isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)):
            node = node[part]  # type: ignore[index]  # a list only when part is an int (tested above)
        else:
            return None
    return node


def _fields_at(path: ModelPath) -> list[str]:
    """The field names allowed at `path` of the model, for a did-you-mean."""
    model = _model_at(path)
    return [] if model is None else list(model.model_fields)


def _model_at(path: ModelPath) -> Any:
    """The model class of the value at `path` of a plan file's data, or None when that value
    is not a model (a list, a mapping, a scalar)."""
    from pydantic import BaseModel

    from checker.model import PlanFile

    current: Any = PlanFile
    for part in path:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(str(part))
            if info is None:
                return None
            model, current = current, info.annotation
            if isinstance(current, typing.ForwardRef):  # a class defined below the one that names it
                current = typing.get_type_hints(model, include_extras=True).get(str(part))
        else:
            args = typing.get_args(current)
            current = args[-1] if args else None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """Optional[X] -> X, Annotated[X, ...] -> X."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            if len(options) != 1:
                return annotation
            annotation = options[0]
        else:
            return annotation
