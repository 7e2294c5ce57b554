"""Rulesets: rules declared as data in YAML (`rules/*.yaml` and users' own files).

A ruleset maps codes to rules. A user ruleset may `extends:` others (`recommended`, or a
path), override fields of an inherited rule (`severity: off` turns it off), and add
rules that call a built-in check function. A file that only overrides (no `extends`, no
new rule) is applied over the recommended ruleset, or over the rulesets before it.

A ruleset file is read by plancheck's own loader (positions, duplicate keys, exact
numbers, no tags beyond YAML's own, the loader's limits), and every rule is checked
against the contract of the function it calls before anything runs: the selector and its
filters, the kind, the options (by the function's options model), the placeholders of
its messages (by the arguments each kind carries). Each problem is a `RulesetError` in
Japanese and English at its file, line and column; the CLI reports it and exits 2.
"""

from __future__ import annotations

import hashlib
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from checker.diagnostics import Severity, Span, Text, closest

LANGS = ("ja", "en")
LOADER_FUNCTION = "load"
RULE_FIELDS = ("name", "title", "severity", "given", "then", "message", "help", "docs", "fixable")
THEN_FIELDS = ("function", "kind", "options")
TOP_FIELDS = ("ruleset", "description", "extends", "rules")
SEVERITIES = ("error", "warning", "info", "off")
# `bad_encoding`: the bad example is saved in that encoding (for the encoding rule);
# `ruleset`: the user ruleset its examples are checked with (for RULE001).
DOC_FIELDS = ("what", "why", "bad", "good", "bad_encoding", "ruleset")
CODE_FORM = re.compile(r"[A-Z]+[0-9]{3}")  # ASCII digits: \d matches any script's
# The engine reports these findings under the rule that has `then: {function: load, kind: ...}`:
# a check that failed on its input (INT001), a rule that does not fit the data (RULE001).
INTERNAL_ERROR = "internal_error"
RULE_TARGET_MISMATCH = "rule_target_mismatch"


class RulesetError(Exception):
    """A problem in a ruleset file, in both languages, at its line and column."""

    def __init__(self, source: str, message: Text, span: Span | None = None) -> None:
        self.source = source
        self.message = message
        self.span = span
        super().__init__(self.text("en"))

    def text(self, lang: str) -> str:
        where = self.source if self.span is None else f"{self.source}:{self.span.line}:{self.span.column}"
        return f"{where}: {self.message.render(lang)}"


@dataclass
class Rule:
    code: str
    name: str
    severity: Severity | None  # None: off
    given: tuple[str, ...]
    function: str
    kind: str | None
    options: dict[str, Any]  # as validated by the function's options model (plain values)
    message: dict[str, str]
    help: dict[str, str]
    docs: dict[str, Any]
    fixable: bool
    source: str
    # "safe": the fix changes no printed figure; "unsafe": it rewrites one (a rate, a ratio
    # row, a count), so only --unsafe-fixes applies it; None: no fix
    fix_safety: str | None = None
    # a short human title in both languages ({ja, en}), shown by `plancheck rules` and
    # `plancheck rule CODE`; {} when the ruleset gives none
    title: dict[str, str] = field(default_factory=dict)

    @property
    def is_loader(self) -> bool:
        return self.function == LOADER_FUNCTION


@dataclass
class Ruleset:
    rules: dict[str, Rule] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    digest: str = ""  # of the files it was built from, in order (a cache key)

    def enabled(self) -> list[Rule]:
        return [rule for code, rule in sorted(self.rules.items()) if rule.severity is not None]

    def loader_rule(self, kind: str) -> Rule | None:
        for rule in self.rules.values():
            if rule.is_loader and rule.kind == kind:
                return rule
        return None


@dataclass(frozen=True)
class Trust:
    """Which ruleset files may be read, for a run over a repository plancheck does not
    control. Files inside the project (its roots: the configuration's directory, the working
    directory) and the built-in rulesets may be read; a file outside them only when the user
    named it (`--rules`, or the rulesets of the user's own configuration) or when a file the
    user named outside the project extends it (its contents are the user's, not the
    repository's). A repository's ruleset that extends /etc/passwd or ~/.ssh/id_rsa is refused
    before that file is opened."""

    roots: tuple[Path, ...]  # resolved
    given: frozenset[Path] = frozenset()  # resolved paths the user named

    @classmethod
    def of(cls, roots: list[Path], given: tuple[Path, ...] = ()) -> Trust:
        return cls(tuple(root.resolve() for root in roots), frozenset(path.resolve() for path in given))

    def inside(self, path: Path) -> bool:
        return path.is_relative_to(builtin_rules_dir().resolve()) or any(path.is_relative_to(root) for root in self.roots)

    def allows(self, path: Path, named_by: Path | None) -> bool:
        """Whether `path` (resolved) may be read, extended by the file `named_by` (None: given)."""
        if path in self.given or self.inside(path):
            return True
        return named_by is not None and not self.inside(named_by) and self.allows(named_by, None)


def builtin_rules_dir() -> Path:
    """`rules/` shipped in the wheel as checker/rules, or the repository's top-level one."""
    packaged = Path(__file__).parent / "rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "rules"


# --- reading ------------------------------------------------------------------------------


class ParsedFile:
    """A ruleset file as read: its data, where each value and key was written, the files
    it extends (read too), and a digest of its bytes.

    The data and spans are read (from the cache, or parsed) when first asked for: a run
    whose checked ruleset is in the cache needs only the file's `outline` (what reading
    the tree of extends looks at), a small entry, and never the half-megabyte of the
    recommended ruleset's data and spans."""

    def __init__(self, path: Path, digest: str, parse: Any, outline: tuple | None = None) -> None:
        self.path, self.digest = path, digest
        self.parents: list[ParsedFile] = []
        self._parse = parse  # () -> (data, spans, key spans)
        self._parsed: tuple | None = None
        self.outline = outline if outline is not None else outline_of(self.data)

    def _read(self) -> tuple:
        if self._parsed is None:
            self._parsed = self._parse()
        return self._parsed

    @property
    def data(self) -> Any:
        return self._read()[0]

    @property
    def spans(self) -> dict[tuple, Span]:
        return self._read()[1]

    @property
    def key_spans(self) -> dict[tuple, Span]:
        return self._read()[2]

    @property
    def source(self) -> str:
        return str(self.path)

    def span(self, path: tuple, key: bool = False) -> Span | None:
        """The span of the value (or key) at `path`, or of its nearest ancestor."""
        if key and path in self.key_spans:
            return self.key_spans[path]
        while path:
            if path in self.spans:
                return self.spans[path]
            path = path[:-1]
        return self.spans.get(())

    def error(self, path: tuple, ja: str, en: str, key: bool = False) -> RulesetError:
        return RulesetError(self.source, Text(ja, en), self.span(path, key))


def outline_of(data: Any) -> tuple:
    """What reading a tree of rulesets looks at of a file's data: whether it looks like a
    ruleset, its top-level names, its `extends` as written, whether it only overrides."""
    if not _looks_like_ruleset(data):
        return (False, (), None, False)
    return (True, tuple(data), data.get("extends"), _overrides_only(data))


def _hint(word: Any, candidates: Any) -> tuple[str, str]:
    """A did-you-mean in both languages, or nothing."""
    near = closest(str(word), sorted(str(candidate) for candidate in candidates))
    return (f"（{near} の誤りではありませんか）", f" (did you mean {near}?)") if near else ("", "")


def _read_yaml(path: Path, cache: Any = None) -> ParsedFile:
    """A ruleset file's data and spans; from the cache when these bytes were parsed before
    (the recommended ruleset is 110 KB of YAML, parsed in 20 ms: an eighth of a one-file check)."""
    from checker.loader import DEFAULT_LIMITS, read_file

    # as a plan file is read (its size capped before it is read, the same limits)
    loaded, raw = read_file(path, str(path), DEFAULT_LIMITS)
    if raw is None:
        finding = loaded.findings[0]
        if finding.kind == "too_large":
            name, value = finding.args["limit"], finding.args["value"]
            raise RulesetError(str(path), Text(f"{name.ja}の上限 {value.ja} を超えています",
                                               f"exceeds the {name.en} limit, {value.en}"))
        reason = finding.args.get("reason", "")
        raise RulesetError(str(path), Text(f"ルールセットを読めません: {reason}", f"cannot read the ruleset: {reason}"))
    key = cache.key(raw) if cache is not None else None

    def parse() -> tuple:
        parsed = cache.get("ruleset", key) if key is not None else None
        if not isinstance(parsed, tuple) or len(parsed) != 3:
            parsed = _parse_yaml(path, raw)
            if key is not None:
                cache.put("ruleset", key, parsed)
        return parsed

    digest = hashlib.blake2b(raw, digest_size=16).hexdigest()
    # kept only once these bytes were parsed without an error: a file with an outline parses
    outline_key = cache.key("ruleset outline", raw) if cache is not None else None
    outline = cache.get("ruleset", outline_key) if outline_key is not None else None
    if isinstance(outline, tuple) and len(outline) == 4 and isinstance(outline[1], tuple):
        return ParsedFile(path, digest, parse, outline)
    parsed = ParsedFile(path, digest, parse)
    if outline_key is not None:
        cache.put("ruleset", outline_key, parsed.outline)
    return parsed


def _parse_yaml(path: Path, raw: bytes) -> tuple[Any, dict, dict]:
    """(data, spans, key spans) by plancheck's loader; its findings are errors here."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    from checker.loader import _UNSET, DEFAULT_LIMITS, LoadedFile, _Builder, _Limit, decode

    source = str(path)
    # the parser's problem quotes a character or two of the file: said only of a file named
    # as YAML, never of whatever else an extends: points at
    named_yaml = path.suffix.lower() in (".yaml", ".yml")
    not_ruleset = Text(f"{path} はルールセットではありません（YAML として読めません）",
                       f"{path} is not a ruleset (not valid YAML)")
    loaded = LoadedFile(path=path, name=source)
    text = decode(loaded, raw) if len(raw) <= DEFAULT_LIMITS.file_bytes else None
    if text is None:
        if not loaded.findings:
            raise RulesetError(source, Text("ルールセットが大きすぎます", "the ruleset file is too large"))
        finding = loaded.findings[0]
        encoding = finding.args["encoding"]
        if not named_yaml:
            raise RulesetError(source, Text(f"{path} はルールセットではありません（UTF-8 で読めません）",
                                            f"{path} is not a ruleset (not UTF-8)"), finding.location.span)
        raise RulesetError(source, Text(f"UTF-8 で読めません（{encoding.ja}）", f"not UTF-8 ({encoding.en})"),
                           finding.location.span)
    builder = _Builder(loaded, DEFAULT_LIMITS)
    try:
        data = builder.run(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        span = Span(mark.line + 1, mark.column + 1, mark.line + 1, mark.column + 2) if mark is not None else None
        problem = " ".join(part for part in (error.context, error.problem) if part)
        if not named_yaml:
            raise RulesetError(source, not_ruleset, span) from None
        raise RulesetError(source, Text(f"YAML として読めません: {problem}", f"not valid YAML: {problem}"), span) from None
    except YAMLError as error:
        if not named_yaml:
            raise RulesetError(source, not_ruleset) from None
        problem = str(error).strip()
        raise RulesetError(source, Text(f"YAML として読めません: {problem}", f"not valid YAML: {problem}")) from None
    except _Limit as limit:
        name, value = DEFAULT_LIMITS.describe(str(limit))
        raise RulesetError(source, Text(f"{name.ja}の上限 {value.ja} を超えています", f"exceeds the {name.en} limit, {value.en}"),
                           Span(builder.mark.line + 1, builder.mark.column + 1, builder.mark.line + 1,
                                builder.mark.column + 2) if builder.mark is not None else None) from None
    for finding in loaded.findings if _looks_like_ruleset(data) else ():  # else _read_tree says it is none
        span, args = finding.location.span, finding.args
        if finding.kind == "duplicate_key":
            raise RulesetError(source, Text(f"キー {args['key']} が重複しています（最初は {args['first_line']} 行目）",
                                            f"duplicate key {args['key']} (first on line {args['first_line']})"), span)
        if finding.kind == "unsafe_tag":
            raise RulesetError(source, Text(f"ルールセットにはタグ {args['tag']} を使えません",
                                            f"the tag {args['tag']} is not allowed in a ruleset"), span)
        if finding.kind == "complex_key":
            raise RulesetError(source, Text("キーはマッピングやリストにできません",
                                            "a key cannot be a mapping or a list"), span)
        # leading_zero: the digits are kept as text, which is what a row name wants
    return (None if data is _UNSET else data), builder.index.spans, builder.index.key_spans


def _looks_like_ruleset(data: Any) -> bool:
    """A mapping with one of a ruleset's top-level fields: until a file shows itself a
    ruleset, no error quotes it (it may be any file an `extends:` points at)."""
    return isinstance(data, dict) and bool(set(map(str, data)) & set(TOP_FIELDS))


def _read_tree(spec: str | Path, base_dir: Path | None, cache: Any, below: Ruleset | None,
               seen: tuple[Path, ...] = (), named_at: tuple[ParsedFile, tuple] | None = None,
               trust: Trust | None = None) -> ParsedFile:
    """The file `spec` names and, recursively, the files it extends (an override-only file
    with nothing below it extends the recommended ruleset). Only a chain that comes back to
    a file is a cycle: two branches extending one file (a diamond) is not."""
    path = _resolve(spec, base_dir, named_at, trust)
    source, span = (named_at[0].source, named_at[0].span(named_at[1])) if named_at else (str(path), None)
    if path in seen:
        chain = " → ".join(str(item) for item in (*seen[seen.index(path):], path))
        raise RulesetError(source, Text(f"extends が循環しています: {chain}", f"a cycle of extends: {chain}"), span)
    parsed = _read_yaml(path, cache)
    looks_like_ruleset, names, extends, overrides_only = parsed.outline
    if not looks_like_ruleset:
        raise parsed.error((), f"{path} はルールセットではありません（ルールセットは rules:（と任意の extends:）を持つ YAML の"
                               f"マッピングです）",
                           f"{path} is not a ruleset (a ruleset is a YAML mapping with rules: and optionally "
                           f"extends:)")
    for name in names:
        if name not in TOP_FIELDS:
            ja, en = _hint(name, TOP_FIELDS)
            raise parsed.error((name,), f"最上位の項目 {name} はありません{ja}", f"unknown top-level field {name}{en}",
                               key=True)
    extends = extends or []
    items = [(extends, ("extends",))] if isinstance(extends, str) else (
        [(item, ("extends", index)) for index, item in enumerate(extends)] if isinstance(extends, list) else None)
    if items is None or any(not isinstance(item, str) for item, _ in items):
        raise parsed.error(("extends",), "extends はルールセットの名前かパス、またはそのリストです",
                           "extends is a ruleset name or path, or a list of them")
    for item, where in items:
        # a file outside the project got here only by the user's naming: what it extends is theirs too
        mine = trust if trust is None or trust.inside(path) else replace(trust, given=trust.given | {path})
        parsed.parents.append(_read_tree(item, path.parent, cache, None, (*seen, path), (parsed, where), mine))
    if not items and below is None and overrides_only:
        parsed.parents.append(_read_tree("recommended", None, cache, None, (*seen, path)))
    return parsed


def _overrides_only(data: dict) -> bool:
    """Every entry changes an existing rule (severity, off, messages) and none is new."""
    rules = data.get("rules")
    return isinstance(rules, dict) and bool(rules) and all(
        body in ("off", False) or (isinstance(body, dict) and not {"given", "then"} & set(body))
        for body in rules.values())


def _resolve(spec: str | Path, base_dir: Path | None, named_at: tuple[ParsedFile, tuple] | None = None,
             trust: Trust | None = None) -> Path:
    """The file `spec` names; refused, before anything (even whether it exists) is asked of
    it, when `trust` does not allow it."""
    text = str(spec)
    source, span = (named_at[0].source, named_at[0].span(named_at[1])) if named_at else (text, None)
    if "/" not in text and not text.endswith((".yaml", ".yml")):
        candidate = builtin_rules_dir() / f"{text}.yaml"
        if candidate.is_file():
            return candidate.resolve()
        names = sorted(p.stem for p in builtin_rules_dir().glob("*.yaml"))
        ja, en = _hint(text, names)
        raise RulesetError(source, Text(f"組み込みのルールセット {text} はありません{ja}。組み込み: {', '.join(names)}",
                                        f"no built-in ruleset named {text}{en}; built-in: {', '.join(names)}"), span)
    path = Path(text)
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    if trust is not None and not trust.allows(path.resolve(), named_at[0].path if named_at else None):
        roots = ", ".join(str(root) for root in trust.roots)
        raise RulesetError(source, Text(
            f"ルールセット {text} はプロジェクト（{roots}）の外にあるので読みません。プロジェクトの外のルールセットは"
            f"コマンドラインの --rules か、リポジトリの外にある自分の設定ファイル（--config）で指定します",
            f"the ruleset {text} is outside the project ({roots}), so it is not read; a ruleset outside the "
            f"project is used only when given with --rules or in your own configuration (--config outside the "
            f"repository)"), span)
    if not path.is_file():
        if named_at:
            raise RulesetError(source, Text(f"ルールセットのファイル {text} がありません", f"{text}: no such ruleset file"), span)
        raise RulesetError(text, Text("ルールセットのファイルがありません", "no such ruleset file"))
    return path.resolve()


def _tree_digest(parsed: ParsedFile) -> Iterator[str]:
    yield f"{parsed.path}:{parsed.digest}"
    for parent in parsed.parents:
        yield "("
        yield from _tree_digest(parent)
        yield ")"


# --- building -----------------------------------------------------------------------------


def load_ruleset(spec: str | Path = "recommended", base_dir: Path | None = None, cache: Any = None,
                 below: Ruleset | None = None, trust: Trust | None = None) -> Ruleset:
    """Load a ruleset by name (`recommended`) or path, following `extends`, applied over
    `below` (the rulesets given before it) when there is one; `cache` (a
    `checker.cache.Cache`) keeps the parsed files and the checked rules; `trust` (for a run
    over a repository) says which files outside the project may be read."""
    tree = _read_tree(spec, base_dir, cache, below, trust=trust)
    digest = hashlib.blake2b("|".join([below.digest if below else "", *_tree_digest(tree)]).encode(),
                             digest_size=16).hexdigest()
    key = cache.key("checked ruleset", digest) if cache is not None else None
    if key is not None and isinstance(built := cache.get("ruleset", key), Ruleset):
        return built
    ruleset = _build(tree, below)
    ruleset.digest = digest
    if key is not None:
        cache.put("ruleset", key, ruleset)
    return ruleset


def _build(parsed: ParsedFile, below: Ruleset | None) -> Ruleset:
    ruleset = Ruleset(dict(below.rules), list(below.sources)) if below else Ruleset()
    for parent in parsed.parents:
        if parent.source in ruleset.sources:
            continue  # already below this one, with what was applied over it since
        # over what the earlier parents built: in a diamond (b and c both extend d), c's
        # build skips d, so d's rules do not come back over what b changed
        ruleset = _build(parent, ruleset)
    ruleset.sources.append(parsed.source)
    rules = parsed.data.get("rules") or {}
    if not isinstance(rules, dict):
        raise parsed.error(("rules",), "rules: はルールコードからルールへのマッピングです",
                           "rules: is a mapping from rule code to rule")
    for code, body in rules.items():
        code = str(code)
        at = ("rules", code)
        if body == "off" or body is False:
            body = {"severity": "off"}
        if not isinstance(body, dict):
            raise parsed.error(at, f"ルール {code}: ルールは項目のマッピング（または off）です",
                               f"rule {code}: a rule is a mapping of fields (or off)")
        _check_fields(parsed, code, body)
        if code in ruleset.rules:
            ruleset.rules[code] = _override(parsed, ruleset.rules[code], body)
        elif not {"given", "then"} & set(body):
            ja, en = _hint(code, ruleset.rules)
            if not ruleset.rules:  # a file that adds rules stands alone unless it extends
                ja, en = "。新しいルールも加えるファイルは extends: recommended で推奨のルールを受け継ぎます", \
                    "; a file that also adds rules inherits the recommended ones only with extends: recommended"
            raise parsed.error(at, f"ルール {code}: 変更するルールがありません。下にあるルールセットにこのコードはありません{ja}",
                               f"rule {code}: overrides a rule that no ruleset below defines{en}", key=True)
        elif not CODE_FORM.fullmatch(code):
            raise parsed.error(at, f"ルールコード {code} は英大文字と3桁の数字です（例: CITY001）",
                               f"rule code {code} is capital letters and three digits (like CITY001)", key=True)
        else:
            ruleset.rules[code] = _new_rule(parsed, code, body)
    return ruleset


def _check_fields(parsed: ParsedFile, code: str, body: dict[str, Any]) -> None:
    for name in body:
        if name not in RULE_FIELDS:
            ja, en = _hint(name, RULE_FIELDS)
            raise parsed.error(("rules", code, name), f"ルール {code}: 項目 {name} はありません{ja}",
                               f"rule {code}: unknown field {name}{en}", key=True)


def _severity(parsed: ParsedFile, code: str, value: Any) -> Severity | None:
    if value in ("off", False, None):
        return None
    if isinstance(value, str) and value.lower() in SEVERITIES:
        return Severity.parse(value)
    ja, en = _hint(value, SEVERITIES)
    raise parsed.error(("rules", code, "severity"),
                       f"ルール {code}: severity は error、warning、info、off のどれかです（{value!r} ではなく）{ja}",
                       f"rule {code}: severity is error, warning, info or off, not {value!r}{en}")


def _bilingual(parsed: ParsedFile, code: str, what: str, value: Any, path: tuple) -> dict[str, str]:
    if (not isinstance(value, dict) or any(not isinstance(value.get(lang), str) for lang in LANGS)
            or set(value) - set(LANGS)):
        raise parsed.error(path, f"ルール {code}: {what} には ja と en の文がそれぞれ要ります",
                           f"rule {code}: {what} needs both ja and en texts (and nothing else)")
    return {lang: value[lang] for lang in LANGS}


MAX_FORMAT_WIDTH = 100  # the widest `{stated:>8}` a message may pad a value to


def placeholders(template: str) -> list[str]:
    """The argument names a message template uses (`{stated}`, `{stated:>8}`); ValueError
    when the template is malformed or would fail on the rendered arguments (which are
    text: `{stated:d}`, `{a.b}` and `{a[0]}` would)."""
    names = []
    for _, name, spec, _ in string.Formatter().parse(template):
        if name is None:
            continue
        if re.search(r"[.\[]", name):
            raise ValueError(f"a placeholder is an argument's name, not {{{name}}}")
        # a width or precision pads or cuts the text: a large one (or one taken from an
        # argument, a value of the plan) would print megabytes for every finding
        if spec and ("{" in spec or any(int(number) > MAX_FORMAT_WIDTH for number in re.findall(r"\d+", spec))):
            raise ValueError(f"{{{name}:{spec}}}: a width is at most {MAX_FORMAT_WIDTH}, written as a number")
        names.append(name)
    template.format_map(dict.fromkeys(names, "0"))  # conversions and format specs, on text
    return names


def _check_placeholders(parsed: ParsedFile, rule: Rule, what: str, texts: dict[str, str], path: tuple) -> None:
    """Every placeholder of a message (or help) is an argument of every kind the rule reports."""
    from checker.functions import FUNCTIONS

    if rule.is_loader:
        return  # the loader's and the engine's own findings: their rules are plancheck's
    spec = FUNCTIONS[rule.function]
    kinds = {rule.kind: spec.kinds[rule.kind]} if rule.kind else spec.rule_kinds
    for lang, text in texts.items():
        where = path + (lang,)
        try:
            names = placeholders(text)
        except ValueError as error:
            raise parsed.error(where, f"ルール {rule.code}: {what}（{lang}）の書式が正しくありません: {error}",
                               f"rule {rule.code}: {what} ({lang}) is not a valid template: {error}") from None
        common = [arg for arg in next(iter(kinds.values())) if all(arg in args for args in kinds.values())]
        for name in names:
            lacking = [kind for kind, args in kinds.items() if name not in args]
            if not lacking:
                continue
            uses = (f"ルール {rule.code}: {what}（{lang}）の {{{name}}} を",
                    f"rule {rule.code}: {what} ({lang}) uses {{{name}}}, which")
            ja, en = _hint(name, common) if name else ("。{} には引数の名前を書きます", "; write an argument's name inside {}")
            if len(kinds) == 1:
                raise parsed.error(where, f"{uses[0]} {spec.name} の {lacking[0]} は与えません{ja}。与えるもの: {', '.join(common)}",
                                   f"{uses[1]} {spec.name}'s {lacking[0]} does not give{en}; "
                                   f"it gives {', '.join(common)}")
            if len(lacking) == len(kinds):
                raise parsed.error(where, f"{uses[0]} {spec.name} のどの kind も与えません{ja}。"
                                          f"どの kind も与えるもの: {', '.join(common)}",
                                   f"{uses[1]} no kind of {spec.name} gives{en}; every kind gives {', '.join(common)}")
            raise parsed.error(where, f"{uses[0]} {spec.name} の {lacking[0]} は与えません。kind のないルールは {spec.name} の"
                                      f"すべての kind を報告するので、どの kind も与える引数だけを使えます（または kind を指定します）",
                               f"{uses[1]} {spec.name}'s kind {lacking[0]} does not give; a rule without a kind "
                               f"reports every kind of {spec.name}, so use only the arguments every kind gives, or "
                               f"give the rule a kind")


def _new_rule(parsed: ParsedFile, code: str, body: dict[str, Any]) -> Rule:
    from checker.functions import FUNCTIONS, load_builtin_functions

    at = ("rules", code)
    for required in ("name", "severity", "given", "then", "message"):
        if required not in body:
            raise parsed.error(at, f"ルール {code}: 項目 {required} がありません", f"rule {code}: missing field {required}",
                               key=True)
    if not isinstance(body["name"], str):
        raise parsed.error(at + ("name",), f"ルール {code}: name は文字列です", f"rule {code}: name is a string")
    then = body["then"]
    if not isinstance(then, dict) or "function" not in then:
        raise parsed.error(at + ("then",), f"ルール {code}: then には function が要ります", f"rule {code}: then needs a function")
    for name in then:
        if name not in THEN_FIELDS:
            ja, en = _hint(name, THEN_FIELDS)
            raise parsed.error(at + ("then", name), f"ルール {code}: then に項目 {name} はありません{ja}",
                               f"rule {code}: unknown field {name} in then{en}", key=True)
    function = str(then["function"])
    given_raw = body["given"]
    given_items = given_raw if isinstance(given_raw, list) else [given_raw]
    given_paths = ([at + ("given", index) for index in range(len(given_items))] if isinstance(given_raw, list)
                   else [at + ("given",)])
    given = tuple(str(item) for item in given_items)
    options = then.get("options") or {}
    kind = then.get("kind")
    if kind is not None and not isinstance(kind, str):
        raise parsed.error(at + ("then", "kind"), f"ルール {code}: kind は文字列です", f"rule {code}: kind is a string")
    if not isinstance(options, dict):
        raise parsed.error(at + ("then", "options"), f"ルール {code}: options はオプション名から値へのマッピングです",
                           f"rule {code}: options is a mapping from option name to value")
    if function != LOADER_FUNCTION:
        load_builtin_functions()
        spec = FUNCTIONS.get(function)
        if spec is None:
            ja, en = _hint(function, FUNCTIONS)
            raise parsed.error(at + ("then", "function"), f"ルール {code}: 検査関数 {function} はありません{ja}",
                               f"rule {code}: no check function {function}{en}")
        for selector, path in zip(given, given_paths, strict=True):
            _check_selector(parsed, code, spec, selector, path)
        if kind is not None and kind not in spec.rule_kinds:
            if kind == spec.target_mismatch:
                raise parsed.error(at + ("then", "kind"),
                                   f"ルール {code}: {function} の {kind} はルールとデータの不一致で、RULE001 が報告します。"
                                   f"kind: {kind} のルールは何も報告しません",
                                   f"rule {code}: {function}'s {kind} means the rule does not fit the data and is "
                                   f"reported as RULE001; a rule of kind {kind} would report nothing")
            ja, en = _hint(kind, spec.rule_kinds)
            raise parsed.error(at + ("then", "kind"),
                               f"ルール {code}: {function} は {kind} を報告しません{ja}。報告するもの: {', '.join(spec.rule_kinds)}",
                               f"rule {code}: {function} does not report {kind}{en}; "
                               f"it reports {', '.join(spec.rule_kinds)}")
        options = _check_options(parsed, code, spec, options, at + ("then",))
    docs = body.get("docs") or {}
    if not isinstance(docs, dict):
        raise parsed.error(at + ("docs",), f"ルール {code}: docs は {', '.join(DOC_FIELDS)} を持つマッピングです",
                           f"rule {code}: docs is a mapping of {', '.join(DOC_FIELDS)}")
    for name in docs:
        if name not in DOC_FIELDS:
            ja, en = _hint(name, DOC_FIELDS)
            raise parsed.error(at + ("docs", name), f"ルール {code}: docs に項目 {name} はありません{ja}",
                               f"rule {code}: unknown field {name} in docs{en}", key=True)
    rule = Rule(
        code=code,
        name=body["name"],
        severity=_severity(parsed, code, body["severity"]),
        given=given,
        function=function,
        kind=kind,
        options=options,
        message=_bilingual(parsed, code, "message", body["message"], at + ("message",)),
        help=_bilingual(parsed, code, "help", body["help"], at + ("help",)) if body.get("help") is not None else {},
        title=_bilingual(parsed, code, "title", body["title"], at + ("title",)) if body.get("title") is not None else {},
        docs={key: (_bilingual(parsed, code, f"docs.{key}", value, at + ("docs", key))
                    if key in ("what", "why") else value)
              for key, value in docs.items()},
        fixable=_fix_safety(parsed, code, body.get("fixable", False)) is not None,
        source=parsed.source,
        fix_safety=_fix_safety(parsed, code, body.get("fixable", False)),
    )
    _check_placeholders(parsed, rule, "message", rule.message, at + ("message",))
    _check_placeholders(parsed, rule, "help", rule.help, at + ("help",))
    return rule


def _fix_safety(parsed: ParsedFile, code: str, value: Any) -> str | None:
    """`fixable: safe` (or true), `fixable: unsafe`, or false."""
    if value is True or value == "safe":
        return "safe"
    if value == "unsafe":
        return "unsafe"
    if value in (False, None):
        return None
    raise parsed.error(("rules", code, "fixable"), f"ルール {code}: fixable は safe、unsafe、false のどれかです（{value!r} ではなく）",
                       f"rule {code}: fixable is safe, unsafe or false, not {value!r}")


def _check_selector(parsed: ParsedFile, code: str, spec: Any, selector: str, path: tuple) -> None:
    from checker.functions import SELECTORS, parse_given, selector_models

    try:
        name, filters = parse_given(selector)
    except ValueError as error:
        raise parsed.error(path, f"ルール {code}: given の書式が正しくありません: {error}", f"rule {code}: {error}") from None
    if name not in SELECTORS or name not in spec.given:
        ja, en = _hint(name, spec.given)
        raise parsed.error(path, f"ルール {code}: {spec.name} は {', '.join(spec.given)} に適用します（{name} ではなく）{ja}",
                           f"rule {code}: {spec.name} applies to {', '.join(spec.given)}, not {name}{en}")
    fields = sorted({field for model in selector_models(name) for field in model.model_fields})
    for filter_name in filters:
        if filter_name not in fields:
            ja, en = _hint(filter_name, fields)
            raise parsed.error(path, f"ルール {code}: {name} に項目 {filter_name} はないので、この絞り込みは何も選びません{ja}",
                               f"rule {code}: {name} have no field {filter_name}, so the filter selects nothing{en}")


def _check_options(parsed: ParsedFile, code: str, spec: Any, options: dict[str, Any], at: tuple) -> dict[str, Any]:
    """The options as the function's model validates them (plain values), or the first
    problem at the option it is about."""
    from pydantic import ValidationError

    from checker.functions.options import describe_type

    model = spec.options_model
    try:
        return model.model_validate(options).model_dump()
    except ValidationError as error:
        problems = error.errors(include_url=False)
    missing = [str(problem["loc"][0]) for problem in problems if problem["type"] == "missing"]
    problem = next((problem for problem in problems if problem["type"] != "missing"), problems[0])
    name = str(problem["loc"][0]) if problem["loc"] else ""
    known = list(model.model_fields)
    given = ", ".join(known) or "—"
    if problem["type"] == "extra_forbidden":
        ja, en = _hint(name, known)
        raise parsed.error(at + ("options", name), f"ルール {code}: {spec.name} にオプション {name} はありません{ja}。オプション: {given}",
                           f"rule {code}: {spec.name} has no option {name}{en}; its options: {given}", key=True)
    if problem["type"] == "missing":
        raise parsed.error(at + ("options",), f"ルール {code}: {spec.name} にはオプション {', '.join(missing)} が要ります",
                           f"rule {code}: {spec.name} needs option {', '.join(missing)}")
    expected = describe_type(model.model_fields[name].annotation)
    if problem["type"] == "greater_than_equal":
        least = problem["ctx"]["ge"]
        expected = Text(f" {least} 以上の{expected.ja}", f"{expected.en} of at least {least}")
    value = problem["input"]
    shown = str(value) if not isinstance(value, str) else repr(value)
    raise parsed.error(at + ("options", name),
                       f"ルール {code}: {spec.name} のオプション {name} は{expected.ja}です（{shown} ではなく）",
                       f"rule {code}: {spec.name}'s option {name} is {expected.en}, not {shown}")


def _override(parsed: ParsedFile, rule: Rule, body: dict[str, Any]) -> Rule:
    at = ("rules", rule.code)
    for name in ("given", "then"):
        if name in body:
            raise parsed.error(at + (name,),
                               f"ルール {rule.code}: 受け継いだルールの given と then は変えられません。新しいコードでルールを加えてください",
                               f"rule {rule.code}: an inherited rule's given/then cannot change; add a new code",
                               key=True)
    changes: dict[str, Any] = {"source": parsed.source}
    if "severity" in body:
        changes["severity"] = _severity(parsed, rule.code, body["severity"])
    for name in ("message", "help", "title"):
        if name in body:
            changes[name] = _bilingual(parsed, rule.code, name, body[name], at + (name,))
    if "name" in body:
        if not isinstance(body["name"], str):
            raise parsed.error(at + ("name",), f"ルール {rule.code}: name は文字列です", f"rule {rule.code}: name is a string")
        changes["name"] = body["name"]
    if "docs" in body:
        raise parsed.error(at + ("docs",), f"ルール {rule.code}: 受け継いだルールの docs は変えられません",
                           f"rule {rule.code}: an inherited rule's docs cannot change", key=True)
    if "fixable" in body:
        changes["fix_safety"] = _fix_safety(parsed, rule.code, body["fixable"])
        changes["fixable"] = changes["fix_safety"] is not None
    changed = replace(rule, **changes)
    for name in ("message", "help"):
        if name in body:
            texts = changed.message if name == "message" else changed.help
            _check_placeholders(parsed, changed, name, texts, at + (name,))
    return changed
