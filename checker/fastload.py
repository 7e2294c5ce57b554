"""The fast path of the loader: a plan file's plain data built from libyaml's events
through PyYAML's C parser, without spans, for the common file that the ruamel path
would build without a single finding of its own.

Why this parser: plancheck reads YAML with ruamel.yaml's C parser (ruamel.yaml.clib),
which is libyaml; PyYAML's C parser is libyaml too, so both see the same syntax, the same
scalars and their styles (plain or quoted decides the typing), the same anchors, tags and
directives. The typing stays plancheck's own (`checker.loader`: YAML 1.2 core as
ruamel's resolver table has it, numbers as Decimal with the digits written). The faster
parsers (rapidyaml, the Rust loaders) either type scalars their own way and lose what was
written (`1.50` read as 1.5, `0x10` as 16, plain and quoted alike) or are other parsers,
whose acceptance of broken YAML is not ruamel's; and rapidyaml's tree, walked from Python,
costs as much as these events.

The fast path decides nothing that is unusual: wherever the ruamel path would report
something at a place (a syntax error, a duplicate or complex key, a tag, an anchor or
alias, a leading-zero number, a directive, a second document, an empty stream, a limit
near), it gives up (`Fallback`) and the file takes the ruamel path whole. So it does
where the two libyaml versions differ: ruamel.yaml.clib's is older, and refuses a plain
scalar with `:` or `?` inside a flow collection (`[12:30]`), which PyYAML's (0.2.5) reads;
its other changes since refuse more, and a refusal is left to the ruamel path anyway. Spans come only
from ruamel, when a diagnostic asks for one (`LoadedFile.source_index`).
"""

from __future__ import annotations

from typing import Any

# The fast path leaves a file to the ruamel path before its node count or nesting
# reaches this share of the limit: the ruamel path alone says where a limit is passed.
NEAR = 0.5


class Fallback(Exception):
    """The fast path cannot decide for this file as the ruamel path would."""


_PARSER: Any = None  # PyYAML's C parser class, False when it cannot be imported
_EVENTS: tuple[Any, ...] = ()


def available() -> bool:
    """Whether PyYAML's C parser (libyaml) is installed: without it, every file takes the
    ruamel path."""
    global _PARSER, _EVENTS
    if _PARSER is None:
        try:
            from yaml import events
            from yaml._yaml import CParser
        except ImportError:  # no PyYAML, or a PyYAML built without libyaml
            _PARSER = False
        else:
            _PARSER = CParser
            _EVENTS = (events.ScalarEvent, events.MappingStartEvent, events.MappingEndEvent,
                       events.SequenceStartEvent, events.SequenceEndEvent, events.DocumentStartEvent,
                       events.DocumentEndEvent, events.StreamStartEvent, events.StreamEndEvent)
    return _PARSER is not False


_STR, _NULL, _BOOL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool"
_NUMBERS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
# the typed value of each plain scalar seen before, by its text as written (so `1.50` and
# `1.5` never share one): keys and common values repeat in every file; bounded, so a long
# run's memory stays flat. The values are immutable (str, Decimal, bool, None).
_TYPED: dict[str, Any] = {}
_TYPED_KEPT = 50_000
_LEADING_ZERO = object()
_UNSET = object()


def _typed(value: str, resolve: Any) -> Any:
    """A plain scalar as the ruamel path types it (`_Builder._scalar`), or _LEADING_ZERO
    for the number with a leading zero that path reports."""
    tag = resolve(value, True)
    if tag == _STR:
        return value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return value.lower() in ("true", "yes", "on")
    if tag in _NUMBERS:
        from checker.loader import _LEADING_ZERO_RE, _number

        return _LEADING_ZERO if _LEADING_ZERO_RE.match(value) else _number(value)
    return value


def build(text: str, limits: Any, budget: Any) -> Any:
    """The document's plain data, exactly as `checker.loader._Builder` builds it; raises
    `Fallback` for anything the ruamel path would report or decide at a place."""
    from checker.loader import _plain_resolver

    if not available():
        raise Fallback("no libyaml")
    (scalar_event, mapping_start, mapping_end, sequence_start, sequence_end, document_start, document_end,
     stream_start, stream_end) = _EVENTS
    resolve = _plain_resolver()
    typed, kept = _TYPED, _TYPED_KEPT
    max_depth = int(limits.depth * NEAR)
    # an anchor needs `&`, an alias `*`, a tag `!`: a text without them has none to look for
    marked = "&" in text or "!" in text
    parser = _PARSER(text)
    get = parser.get_event
    # The open container (None at the top), whether it is a mapping, its pending key and
    # whether it is a flow collection ([...], {...}); the ones around it on `stack`.
    current: Any = None
    is_map = False
    key: Any = _UNSET
    is_flow = False
    stack: list[tuple[Any, bool, Any, bool]] = []
    flow = 0  # how many of the open containers are flow collections
    root: Any = _UNSET
    documents = 0
    containers = 0  # every collection begun: with the scalars, the node count
    events = 0
    try:
        while True:
            try:
                event = get()
            except Exception as error:  # the parser's errors are the ruamel path's to report
                raise Fallback("yaml error") from error
            if not events & 1023 and budget.spent():  # as often as the ruamel path looks
                raise Fallback("time")
            events += 1
            kind = type(event)
            if kind is scalar_event:
                if marked and (event.anchor is not None or event.tag is not None):
                    raise Fallback("anchor or tag")
                value = event.value
                if event.style:  # quoted or block: text, whatever it looks like
                    item = value
                else:
                    if flow and (":" in value or "?" in value):
                        raise Fallback("a flow scalar that the older libyaml refuses")
                    item = typed.get(value, _UNSET)
                    if item is _UNSET:
                        item = _typed(value, resolve)
                        if len(typed) < kept:
                            typed[value] = item
                    if item is _LEADING_ZERO:
                        raise Fallback("leading zero")
                if current is None:
                    root = item
                elif not is_map:
                    current.append(item)
                elif key is _UNSET:  # a key: as written (a plain `1` is the key "1")
                    if value in current:
                        raise Fallback("duplicate key")
                    key = value
                else:
                    current[key] = item
                    key = _UNSET
            elif kind is mapping_start or kind is sequence_start:
                if marked and (event.anchor is not None or event.tag is not None):
                    raise Fallback("anchor or tag")
                if is_map and key is _UNSET and current is not None:
                    raise Fallback("complex key")
                containers += 1
                if len(stack) >= max_depth:
                    raise Fallback("nesting depth near")
                stack.append((current, is_map, key, is_flow))
                is_map = kind is mapping_start
                current = {} if is_map else []
                key = _UNSET
                is_flow = bool(event.flow_style)
                flow += is_flow
            elif kind is mapping_end or kind is sequence_end:
                item = current
                flow -= is_flow
                current, is_map, key, is_flow = stack.pop()
                if current is None:
                    root = item
                elif not is_map:
                    current.append(item)
                else:
                    current[key] = item
                    key = _UNSET
            elif kind is document_start:
                if event.version is not None or event.tags:
                    raise Fallback("directive")
                documents += 1
                if documents > 1:
                    raise Fallback("a second document")
            elif kind is stream_end:
                break
            elif kind is document_end or kind is stream_start:
                continue
            else:  # an alias
                raise Fallback("alias")
    finally:
        parser.dispose()
    if root is _UNSET:
        raise Fallback("empty")
    # the nodes the ruamel path counts (each scalar, keys too, and each collection): the
    # events less the stream's and document's four and each collection's end
    if events - 4 - containers > limits.nodes * NEAR:
        raise Fallback("node count near")
    return root

