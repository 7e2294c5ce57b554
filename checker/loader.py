"""Load a plan file: bytes -> text -> YAML nodes -> plain data with a span index -> model.

Every problem on the way becomes a `Finding` with a location; nothing raises. The YAML is
composed, never constructed, so no tag can run code: a tag outside YAML's standard set is
reported and its value read as plain data.
"""

from __future__ import annotations

import difflib
import io
import re
import types
import typing
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from checker.diagnostics import Finding, Location, ModelPath, Span, Text

# Limits that keep hostile input (alias bombs, deep nesting) bounded in time and memory.
MAX_NODES = 200_000
MAX_DEPTH = 100
MAX_BYTES = 10 * 1024 * 1024

_STANDARD_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "binary", "omap", "set", "merge")
}
_LEADING_ZERO_RE = re.compile(r"^[+-]?0\d+$")


@dataclass
class LoadedFile:
    """A plan file as loaded: its text, plain data, span index, model and problems."""

    path: Path
    name: str  # the path as shown in diagnostics
    text: str | None = None
    data: Any = None
    spans: dict[ModelPath, Span] = field(default_factory=dict)
    key_spans: dict[ModelPath, Span] = field(default_factory=dict)
    model: Any = None  # checker.model.PlanFile when the file validated
    findings: list[Finding] = field(default_factory=list)

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
        for part in path:
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


def _finding(loaded: LoadedFile, kind: str, span: Span, **args: Any) -> None:
    loaded.findings.append(Finding(kind, Location(loaded.name, span=span), args))


def _span_from_marks(start: Any, end: Any) -> Span:
    end_line, end_col = end.line + 1, end.column + 1
    if (end_line, end_col) <= (start.line + 1, start.column + 1):
        end_line, end_col = start.line + 1, start.column + 2
    return Span(start.line + 1, start.column + 1, end_line, end_col)


def decode(loaded: LoadedFile, raw: bytes) -> str | None:
    """UTF-8 (with or without BOM) is plan text; anything else is reported by name."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        _finding(loaded, "encoding", Span(1, 1, 1, 2), encoding="UTF-16", offset=0)
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        _finding(loaded, "encoding", Span(line, column, line, column + 1),
                 encoding=_guess_encoding(raw), offset=error.start)
        return None
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        column = nul - (text.rfind("\n", 0, nul) + 1) + 1
        _finding(loaded, "encoding", Span(line, column, line, column + 1), encoding="NUL", offset=nul)
        return None
    return text


def _guess_encoding(raw: bytes) -> str:
    """Name the encoding the bytes look like, for the message; Japanese encodings first."""
    if raw.count(b"\x00") > len(raw) // 4:
        return "UTF-16"
    for codec, name in (("cp932", "Shift_JIS/CP932"), ("euc_jp", "EUC-JP")):
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        # Kana, or several kanji: a lone kanji is what Latin-1 accents decode to by chance.
        if re.search(r"[\u3040-\u30ff]", text) or len(re.findall(r"[\u4e00-\u9fff]", text)) >= 2:
            return name
    return "Latin-1 or another non-UTF-8 encoding"


def compose(loaded: LoadedFile, text: str) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="safe")
    try:
        return yaml.compose(io.StringIO(text))
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = " ".join(part for part in (error.context, error.problem) if part)
        _finding(loaded, "syntax", Span(line, column, line, column + 1), problem=problem)
    except YAMLError as error:  # errors without a mark (the reader's, mostly)
        _finding(loaded, "syntax", Span(1, 1, 1, 2), problem=str(error).strip())
    except RecursionError:
        _finding(loaded, "too_large", Span(1, 1, 1, 2), limit="nesting depth", value=MAX_DEPTH)
    return None


class _Limit(Exception):
    pass


class _Builder:
    """Turns composed nodes into plain data, indexing each value's span by its path."""

    def __init__(self, loaded: LoadedFile) -> None:
        self.loaded = loaded
        self.count = 0

    def build(self, node: Any, path: ModelPath, depth: int) -> Any:
        from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

        self.count += 1
        if self.count > MAX_NODES:
            raise _Limit("node count")
        if depth > MAX_DEPTH:
            raise _Limit("nesting depth")
        span = _span_from_marks(node.start_mark, node.end_mark)
        self.loaded.spans[path] = span
        tag = node.tag
        if tag is not None and tag not in _STANDARD_TAGS:
            _finding(self.loaded, "unsafe_tag", span, tag=tag)
        if isinstance(node, ScalarNode):
            return self.scalar(node, span)
        if isinstance(node, SequenceNode):
            return [self.build(item, path + (index,), depth + 1) for index, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            return self.mapping(node, path, depth)
        return None

    def mapping(self, node: Any, path: ModelPath, depth: int) -> dict[str, Any]:
        from ruamel.yaml.nodes import ScalarNode

        result: dict[str, Any] = {}
        first_seen: dict[str, Span] = {}
        for key_node, value_node in node.value:
            key_span = _span_from_marks(key_node.start_mark, key_node.end_mark)
            if not isinstance(key_node, ScalarNode):
                _finding(self.loaded, "complex_key", key_span)
                continue
            key = key_node.value
            if key in first_seen:
                first = first_seen[key]
                _finding(self.loaded, "duplicate_key", key_span, key=key, first_line=first.line)
                continue
            first_seen[key] = key_span
            self.loaded.key_spans[path + (key,)] = key_span
            result[key] = self.build(value_node, path + (key,), depth + 1)
        return result

    def scalar(self, node: Any, span: Span) -> Any:
        text = node.value
        if node.style:  # quoted or block scalars are text, whatever they look like
            return text
        tag = node.tag
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return text.lower() in ("true", "yes", "on")
        if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
            if _LEADING_ZERO_RE.match(text):
                _finding(self.loaded, "leading_zero", span, text=text)
                return text  # keep the digits as written, so nothing is lost
            return _number(text)
        return text


def _number(text: str) -> Any:
    cleaned = text.replace("_", "")
    lowered = cleaned.lower()
    if lowered in (".inf", "+.inf"):
        return Decimal("Infinity")
    if lowered == "-.inf":
        return Decimal("-Infinity")
    if lowered == ".nan":
        return Decimal("NaN")
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        try:
            return Decimal(int(cleaned, 0))
        except ValueError:
            return text


def load_text(loaded: LoadedFile, text: str) -> LoadedFile:
    loaded.text = text
    root = compose(loaded, text)
    if root is None:
        if not loaded.findings:
            _finding(loaded, "empty", Span(1, 1, 1, 2))
        return loaded
    builder = _Builder(loaded)
    try:
        loaded.data = builder.build(root, (), 0)
    except (_Limit, RecursionError) as limit:
        name = str(limit) if isinstance(limit, _Limit) else "nesting depth"
        _finding(loaded, "too_large", Span(1, 1, 1, 2), limit=name,
                 value=MAX_NODES if name == "node count" else MAX_DEPTH)
        loaded.data = None
        return loaded
    if not isinstance(loaded.data, dict):
        _finding(loaded, "not_mapping", loaded.spans.get((), Span(1, 1, 1, 2)))
        return loaded
    validate(loaded)
    return loaded


def load_file(path: Path, name: str | None = None) -> LoadedFile:
    loaded = LoadedFile(path=path, name=name or str(path))
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            _finding(loaded, "too_large", Span(1, 1, 1, 2), limit="file size", value=MAX_BYTES)
            return loaded
        raw = path.read_bytes()
    except OSError as error:
        _finding(loaded, "unreadable", Span(1, 1, 1, 2), reason=error.strerror or type(error).__name__)
        return loaded
    text = decode(loaded, raw)
    if text is None:
        return loaded
    return load_text(loaded, text)


# --- validation against the model -------------------------------------------------------


def validate(loaded: LoadedFile) -> None:
    from pydantic import ValidationError

    from checker.model import PlanFile

    try:
        loaded.model = PlanFile.model_validate(loaded.data)
    except ValidationError as error:
        for problem in error.errors(include_url=False):
            _report_validation(loaded, problem)


def _report_validation(loaded: LoadedFile, problem: dict[str, Any]) -> None:
    from checker.model import PlanFile

    loc: tuple[Any, ...] = tuple(problem["loc"])
    is_key = bool(loc) and loc[-1] == "[key]"
    if is_key:
        loc = loc[:-1]
    ctx = problem.get("ctx") or {}
    kind = problem["type"]
    path = tuple(part for part in loc if isinstance(part, (str, int)))
    if kind == "extra_forbidden":
        field_name = str(path[-1])
        allowed = _fields_at(PlanFile, path[:-1])
        close = difflib.get_close_matches(field_name, allowed, n=1, cutoff=0.6)
        span = loaded.key_spans.get(path) or loaded.nearest_span(path)
        if close:
            hint = Text(f"「{close[0]}」の誤りではありませんか？", f"did you mean {close[0]}?")
        else:
            names = ", ".join(sorted(allowed))
            hint = Text(f"使えるフィールド: {names}", f"allowed fields: {names}")
        _finding(loaded, "unknown_field", span, field=field_name, hint=hint)
        return
    if kind == "missing":
        span = loaded.key_spans.get(path[:-1]) if path[:-1] else None
        span = span or loaded.nearest_span(path[:-1])
        _finding(loaded, "missing_field", span, field=str(path[-1]))
        return
    span = (loaded.key_spans.get(path) if is_key else None) or loaded.nearest_span(path)
    if kind == "duplicate_year":
        key_span = loaded.key_spans.get(path + (ctx["key"],))
        _finding(loaded, "duplicate_year", key_span or span, key=ctx["key"], first=ctx["first"])
        return
    if kind == "fiscal_year" and ctx.get("problem") == "era_mismatch":
        _finding(loaded, "era_mismatch", span, text=ctx["text"], era_year=ctx["era_year"], western=ctx["western"])
        return
    value = _value_at(loaded.data, path)
    _finding(loaded, "invalid_value", span, field=".".join(str(part) for part in path) or "(root)",
             value=_short(value), problem=Text(_problem_ja(kind, problem["msg"]), problem["msg"]))


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    if isinstance(value, (dict, list)):
        text = type(value).__name__
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
    "too_long": "要素が多すぎます",
    "too_short": "要素が足りません",
    "fiscal_year": "年度として読めません",
    "cell": "値の書き方として読めません",
    "code": "事業コードは \"030309\" のように引用符で囲んだ6桁の数字です",
    "account": "予算科目は \"3-4-4\" や \"介3-1-1\" のように 款-項-目 で書きます",
    "period_order": "期間の開始が終了より後です",
}


def _problem_ja(kind: str, english: str) -> str:
    return _PROBLEMS_JA.get(kind, f"値が正しくありません（{english}）")


def _value_at(data: Any, path: ModelPath) -> Any:
    node = data
    for part in path:
        if isinstance(node, dict) and part in node or isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return None
    return node


def _fields_at(model: Any, path: ModelPath) -> list[str]:
    """The field names allowed at `path` of the model, for a did-you-mean."""
    from pydantic import BaseModel

    current: Any = model
    for part in path:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(str(part))
            if info is None:
                return []
            current = info.annotation
        else:
            args = typing.get_args(current)
            current = args[-1] if args else None
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


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
