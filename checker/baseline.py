"""A baseline: the findings a project accepted when it adopted plancheck on existing data.

    plancheck --write-baseline plancheck-baseline.json   # record today's findings
    plancheck --baseline plancheck-baseline.json         # report only the new ones

Each finding is recorded by what it is, not where its line happens to be: its rule code,
its file (relative to the baseline's directory), its place in the model (`at`: the model
path with list items named by their id, key or printed number where no sibling shares it,
`themes[id=II-4-11].projects.total`, see `labelled_path`; for a finding the loader made
before there was a model, the text of its line) and its arguments (the numbers and names
its message is made of), without the positions some arguments carry (`first_line`). A
comment added above a value, a reformatted file, a line or a row inserted above keep every
fingerprint; a changed number makes a new finding (a total still wrong, but by another
amount, is reported).
Findings are matched as a multiset: two identical findings need two entries.

An entry no finding matches any more (the value was corrected, or changed) is reported
as SUP004 at its line in the baseline, as a suppression that suppresses nothing is
(SUP001): remove it, or write the baseline again. Only the entries of the files this run
checked (or of files that no longer exist) are judged, so a pre-commit run over one file
says nothing about the others'.

The file is JSON, one entry a line (it diffs as findings come and go), and it is data
from the repository: read as a plan file is (size capped before reading, no tags, no
aliases past the node limit, never executed), checked against its schema, and any
problem is a `ConfigError` at its file, line and column (exit 2).
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any, NamedTuple

from checker.config import ConfigError
from checker.diagnostics import Diagnostic, Span, Text, plain_arg

FORMAT_KEY = "plancheck-baseline"
VERSION = 1
ENTRY_FIELDS = ("code", "file", "at", "args", "message")
REQUIRED_FIELDS = ("code", "file", "at", "args")
UNUSED_KIND = "baseline_unused"  # the finding kind of rule SUP004
# arguments that say where, not what: left out of the fingerprint
_POSITION = re.compile(r"(?:^|_)(?:line|column|offset)s?$")
_CODE = re.compile(r"[A-Z]+[0-9]{3}")
_ANCHOR_CHARS = 200


def _limits():
    from checker.loader import Limits

    # a baseline of a large plan set: 100,000 findings of about 300 bytes, 12 values each
    return Limits(file_bytes=64 * 1024 * 1024, nodes=2_000_000, depth=8, seconds=60.0)


class Entry(NamedTuple):
    key: tuple[str, str, str, str]  # code, file, at, args (canonical JSON)
    span: Span  # of the entry in the baseline file


class Baseline(NamedTuple):
    path: Path
    name: str  # as diagnostics show it
    entries: list[Entry]
    lines: list[str]  # the file's lines, for the report's snippets

    @property
    def base(self) -> Path:
        return self.path.absolute().parent


def canonical(value: Any) -> Any:
    """An argument as the baseline keeps it: every scalar a string, mappings sorted."""
    if isinstance(value, dict):
        return {str(key): canonical(item) for key, item in sorted(value.items(), key=lambda pair: str(pair[0]))}
    if isinstance(value, (list, tuple)):
        return [canonical(item) for item in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def _args(diagnostic: Diagnostic) -> dict[str, Any]:
    return canonical({name: plain_arg(value) for name, value in diagnostic.args.items() if not _POSITION.search(name)})


# what names a list item in a fingerprint, in this order: a theme's or a table's id, a row's
# or an indicator's key, a project's or an indicator's printed number, then its name
_ITEM_NAMES = ("id", "key", "no", "name")


def labelled_path(model: Any, path: tuple) -> tuple:
    """The model path with each list index replaced by what names the item (`[id=II-4-11]`,
    `[key=合計]`, `[no=3]`) when it has a name no sibling shares: a row inserted above a
    finding then leaves its fingerprint alone. An index whose item has none stays an index;
    past a step the model does not have, the rest stays as it was."""
    out: list[Any] = []
    node = model
    for position, step in enumerate(path):
        if node is None:
            return (*out, *path[position:])
        if isinstance(step, int):
            items = node if isinstance(node, list) else None
            if items is None or not 0 <= step < len(items):
                return (*out, *path[position:])
            item = items[step]
            out.append(_item_label(items, item) or step)
            node = item
        else:
            out.append(step)
            node = node.get(step) if isinstance(node, dict) else getattr(node, step, None)
    return tuple(out)


def _item_label(items: list, item: Any) -> str | None:
    for name in _ITEM_NAMES:
        value = getattr(item, name, None)
        if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
            continue
        if sum(1 for other in items if getattr(other, name, None) == value) == 1:
            return f"[{name}={value}]"
        return None  # shared: the index is all there is
    return None


def model_path(path: tuple) -> str:
    """`themes[id=a].projects.items[no=2].cost`, `tables[0].rows[key=合計]`."""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        elif isinstance(step, str) and step.startswith("[") and step.endswith("]"):
            out += step
        else:
            out += f".{step}" if out else str(step)
    return out


def anchor(diagnostic: Diagnostic, sources: dict[str, list[str]]) -> str:
    """Where the finding is, independent of its line: its model path, or (a finding made
    before there was a model: a syntax error, a duplicate key) the text of its line."""
    path = getattr(diagnostic, "path", ())
    if path:
        return model_path(path)
    lines = sources.get(diagnostic.file) or []
    text = lines[diagnostic.span.line - 1].strip() if 0 < diagnostic.span.line <= len(lines) else ""
    return "@" + text[:_ANCHOR_CHARS]


def _file_key(file: str, base: Path) -> str:
    return Path(os.path.relpath(Path(file).absolute(), base)).as_posix()


def key_of(diagnostic: Diagnostic, base: Path, sources: dict[str, list[str]]) -> tuple[str, str, str, str]:
    """The fingerprint: code, file (relative to `base`), anchor, arguments."""
    return (diagnostic.code, _file_key(diagnostic.file, base), anchor(diagnostic, sources),
            json.dumps(_args(diagnostic), ensure_ascii=False, sort_keys=True))


def fingerprint(diagnostic: Diagnostic, base: Path, sources: dict[str, list[str]]) -> str:
    """The fingerprint as one stable hexadecimal string (for formats that want one)."""
    import hashlib

    return hashlib.sha256(json.dumps(key_of(diagnostic, base, sources), ensure_ascii=False).encode()).hexdigest()[:32]


def fingerprints(diagnostics: list[Diagnostic], base: Path, sources: dict[str, list[str]]) -> list[str]:
    """Each finding's fingerprint, unique in the run (GitLab Code Quality wants one per
    issue): the second of two alike (a loader finding located only by its line's text)
    takes `-2`, in report order."""
    seen: dict[str, int] = {}
    found = []
    for diagnostic in diagnostics:
        each = fingerprint(diagnostic, base, sources)
        seen[each] = seen.get(each, 0) + 1
        found.append(each if seen[each] == 1 else f"{each}-{seen[each]}")
    return found


# --- writing -------------------------------------------------------------------------------

def write(path: Path, diagnostics: list[Diagnostic], sources: dict[str, list[str]], lang: str) -> int:
    """Record the findings in `path` (written whole, through a temporary file and a rename);
    how many. The message is for the reader of the file only: it is not matched."""
    import tempfile

    base = path.absolute().parent
    rows = []
    for diagnostic in sorted(diagnostics, key=Diagnostic.sort_key):
        code, file, at, _ = key_of(diagnostic, base, sources)
        rows.append(json.dumps({"code": code, "file": file, "at": at, "args": _args(diagnostic),
                                "message": diagnostic.message.get(lang) or next(iter(diagnostic.message.values()), "")},
                               ensure_ascii=False))
    body = ",\n".join(f"    {row}" for row in rows)
    text = f'{{\n  "{FORMAT_KEY}": {VERSION},\n  "findings": [\n{body}{chr(10) if rows else ""}  ]\n}}\n'
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=base)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return len(rows)


# --- reading -------------------------------------------------------------------------------

def _error(name: str, span: Span | None, problem: Text) -> ConfigError:
    where = name if span is None else f"{name}:{span.line}:{span.column}"
    return ConfigError(Text(f"{where}: ベースライン: {problem.ja}", f"{where}: baseline: {problem.en}"))


def read(path: Path, name: str) -> Baseline:
    """The baseline at `path`, checked; a `ConfigError` with its location on any problem."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    from checker.loader import _UNSET, _Builder, _Limit, decode, read_file

    limits = _limits()
    loaded, raw = read_file(path, name, limits)
    if raw is None:
        finding = loaded.findings[0]
        if finding.kind == "too_large":
            limit, value = finding.args["limit"], finding.args["value"]
            raise _error(name, None, Text(f"{limit.ja}の上限 {value.ja} を超えています",
                                          f"exceeds the {limit.en} limit, {value.en}"))
        reason = finding.args.get("reason") or finding.args.get("what") or ""
        shown = reason.en if isinstance(reason, Text) else str(reason)
        raise _error(name, None, Text(f"読めません: {reason.ja if isinstance(reason, Text) else reason}",
                                      f"cannot read it: {shown}"))
    text = decode(loaded, raw)
    if text is None:
        finding = loaded.findings[0]
        encoding = finding.args["encoding"]
        raise _error(name, finding.location.span, Text(f"UTF-8 で読めません（{encoding.ja}）", f"not UTF-8 ({encoding.en})"))
    builder = _Builder(loaded, limits)
    try:
        data = builder.run(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        span = Span(mark.line + 1, mark.column + 1, mark.line + 1, mark.column + 2) if mark is not None else None
        problem = " ".join(part for part in (error.context, error.problem) if part)
        raise _error(name, span, Text(f"JSON として読めません: {problem}", f"not valid JSON: {problem}")) from None
    except YAMLError as error:
        raise _error(name, None, Text(f"JSON として読めません: {error}", f"not valid JSON: {error}")) from None
    except _Limit as limit:
        label, value = limits.describe(str(limit))
        raise _error(name, None, Text(f"{label.ja}の上限 {value.ja} を超えています",
                                      f"exceeds the {label.en} limit, {value.en}")) from None
    for finding in loaded.findings:
        if finding.kind in ("duplicate_key", "unsafe_tag", "complex_key"):
            what = {"duplicate_key": Text(f"キー {finding.args.get('key')} が重複しています",
                                          f"duplicate key {finding.args.get('key')}"),
                    "unsafe_tag": Text("タグは使えません", "tags are not allowed"),
                    "complex_key": Text("キーは文字列です", "a key must be a string")}[finding.kind]
            raise _error(name, finding.location.span, what)
    entries = _entries(name, None if data is _UNSET else data, builder.index.spans, builder.index.key_spans)
    return Baseline(path, name, entries, text.splitlines())


def _entries(name: str, data: Any, spans: dict, key_spans: dict) -> list[Entry]:
    def at(*path: Any) -> Span:
        return spans.get(tuple(path)) or spans.get(()) or Span(1, 1, 1, 2)

    def key_at(*path: Any) -> Span:
        return key_spans.get(tuple(path)) or at(*path)

    if not isinstance(data, dict) or FORMAT_KEY not in data:
        raise _error(name, at(), Text(f"ベースラインではありません（\"{FORMAT_KEY}\": {VERSION} がありません。"
                                      "plancheck --write-baseline で書きます）",
                                      f"not a baseline (no \"{FORMAT_KEY}\": {VERSION}; plancheck --write-baseline writes one)"))
    for key in data:
        if key not in (FORMAT_KEY, "findings"):
            raise _error(name, key_at(key), Text(f"知らない項目 {key!r} です（項目は {FORMAT_KEY}, findings）",
                                             f"unknown field {key!r} (fields are {FORMAT_KEY}, findings)"))
    if str(data[FORMAT_KEY]) != str(VERSION):
        raise _error(name, at(FORMAT_KEY), Text(f"この plancheck が読めるのは版 {VERSION} です（{data[FORMAT_KEY]} ではなく）",
                                                f"this plancheck reads version {VERSION}, not {data[FORMAT_KEY]}"))
    findings = data.get("findings", [])
    if not isinstance(findings, list):
        raise _error(name, at("findings"), Text("findings はリストです", "findings must be a list"))
    entries = []
    for index, entry in enumerate(findings):
        where = at("findings", index)
        if not isinstance(entry, dict):
            raise _error(name, where, Text("各項目はオブジェクトです", "each entry must be an object"))
        for key in entry:
            if key not in ENTRY_FIELDS:
                raise _error(name, key_at("findings", index, key), Text(
                    f"知らない項目 {key!r} です（項目は {', '.join(ENTRY_FIELDS)}）",
                    f"unknown field {key!r} (fields are {', '.join(ENTRY_FIELDS)})"))
        for key in REQUIRED_FIELDS:
            if key not in entry:
                raise _error(name, where, Text(f"{key} がありません", f"{key} is missing"))
        for key in ("code", "file", "at", "message"):
            if key in entry and not isinstance(entry[key], str):
                raise _error(name, at("findings", index, key), Text(f"{key} は文字列です", f"{key} must be a string"))
        if not _CODE.fullmatch(entry["code"]):
            raise _error(name, at("findings", index, "code"), Text(
                f"{entry['code']!r} は規則コードではありません", f"{entry['code']!r} is not a rule code"))
        if not entry["file"] or "\x00" in entry["file"]:
            raise _error(name, at("findings", index, "file"), Text("file はファイルのパスです", "file must be a file's path"))
        if not isinstance(entry["args"], dict):
            raise _error(name, at("findings", index, "args"), Text("args はオブジェクトです", "args must be an object"))
        args = json.dumps(canonical(entry["args"]), ensure_ascii=False, sort_keys=True)
        entries.append(Entry((entry["code"], entry["file"], entry["at"], args), where))
    return entries


# --- applying ------------------------------------------------------------------------------

def apply(baseline: Baseline, diagnostics: list[Diagnostic], sources: dict[str, list[str]], checked: list[str],
          ruleset) -> tuple[list[Diagnostic], list[Diagnostic], int]:
    """(the findings the baseline does not list, a SUP004 for each entry of a checked or
    vanished file that no finding matched, how many findings it listed)."""
    from checker.engine import render_message

    base = baseline.base
    left = Counter(entry.key for entry in baseline.entries)
    kept = []
    listed = 0
    for diagnostic in diagnostics:
        key = key_of(diagnostic, base, sources)
        if left[key] > 0:
            left[key] -= 1
            listed += 1
        else:
            kept.append(diagnostic)
    judged = {_file_key(name, base) for name in checked}
    rule = ruleset.loader_rule(UNUSED_KIND)
    stale = []
    if rule is not None and rule.severity is not None:
        for entry in baseline.entries:
            code, file, at, _ = entry.key
            if left[entry.key] <= 0:
                continue
            if file not in judged and (base / file).exists():
                continue  # a file this run did not check: not judged
            left[entry.key] -= 1
            args = {"code": code, "file": file, "at": at}
            stale.append(Diagnostic(code=rule.code, name=rule.name, severity=rule.severity,
                                    message=render_message(rule.message, args, rule.code),
                                    help=render_message(rule.help, args, rule.code) if rule.help else {},
                                    file=baseline.name, span=entry.span, related=[], args=args))
    return kept, stale, listed
