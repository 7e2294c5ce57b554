"""Rulesets: rules declared as data in YAML (`rules/*.yaml` and users' own files).

A ruleset maps codes to rules. A user ruleset may `extends:` others (`recommended`, or a
path), override fields of an inherited rule (`severity: off` turns it off), and add
rules that call a built-in check function. Problems in a ruleset are `RulesetError`s,
which the CLI reports as configuration errors (exit 2).
"""

from __future__ import annotations

import difflib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.diagnostics import Severity

LANGS = ("ja", "en")
LOADER_FUNCTION = "load"
RULE_FIELDS = {"name", "severity", "given", "then", "message", "help", "docs", "fixable"}
# `bad_encoding`: the bad example is saved in that encoding (for the encoding rule).
DOC_FIELDS = {"what", "why", "bad", "good", "bad_encoding"}


class RulesetError(Exception):
    def __init__(self, source: str, message: str) -> None:
        self.source = source
        super().__init__(f"{source}: {message}")


@dataclass
class Rule:
    code: str
    name: str
    severity: Severity | None  # None: off
    given: tuple[str, ...]
    function: str
    kind: str | None
    options: dict[str, Any]
    message: dict[str, str]
    help: dict[str, str]
    docs: dict[str, Any]
    fixable: bool
    source: str
    # "safe": the fix changes no printed figure; "unsafe": it rewrites one (a rate, a ratio
    # row, a count), so only --unsafe-fixes applies it; None: no fix
    fix_safety: str | None = None

    @property
    def is_loader(self) -> bool:
        return self.function == LOADER_FUNCTION


@dataclass
class Ruleset:
    rules: dict[str, Rule] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)

    def enabled(self) -> list[Rule]:
        return [rule for code, rule in sorted(self.rules.items()) if rule.severity is not None]

    def loader_rule(self, kind: str) -> Rule | None:
        for rule in self.rules.values():
            if rule.is_loader and rule.kind == kind:
                return rule
        return None


def builtin_rules_dir() -> Path:
    """`rules/` shipped in the wheel as checker/rules, or the repository's top-level one."""
    packaged = Path(__file__).parent / "rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "rules"


def _read_yaml(path: Path, cache: Any = None) -> Any:
    """A ruleset file's data; from the cache when these bytes were parsed before (the
    recommended ruleset is 110 KB of YAML, parsed in 20 ms: an eighth of a one-file check)."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise RulesetError(str(path), f"cannot read the ruleset: {error}") from None
    key = cache.key(raw) if cache is not None else None
    if key is not None and (data := cache.get("ruleset", key)) is not None:
        return data
    data = _parse_yaml(path, raw)
    if key is not None:
        cache.put("ruleset", key, data)
    return data


def _parse_yaml(path: Path, raw: bytes) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RulesetError(str(path), f"cannot read the ruleset: {error}") from None
    try:
        return YAML(typ="safe", pure=False).load(io.StringIO(text))
    except YAMLError as error:
        raise RulesetError(str(path), f"not valid YAML: {error}") from None


def load_ruleset(spec: str | Path = "recommended", base_dir: Path | None = None, _seen: set[Path] | None = None,
                 cache: Any = None) -> Ruleset:
    """Load a ruleset by name (`recommended`) or path, following `extends`; `cache` (a
    `checker.cache.Cache`) keeps the parsed files."""
    seen = _seen if _seen is not None else set()
    path = _resolve(spec, base_dir)
    if path in seen:
        raise RulesetError(str(path), "the ruleset extends itself (a cycle of extends)")
    seen.add(path)
    data = _read_yaml(path, cache)
    if not isinstance(data, dict):
        raise RulesetError(str(path), "a ruleset is a mapping with `rules:` (and optionally `extends:`)")
    unknown = set(data) - {"ruleset", "description", "extends", "rules"}
    if unknown:
        raise RulesetError(str(path), f"unknown top-level field(s): {', '.join(sorted(unknown))}")
    ruleset = Ruleset()
    extends = data.get("extends") or []
    for parent in [extends] if isinstance(extends, str) else extends:
        inherited = load_ruleset(parent, path.parent, seen, cache)
        ruleset.rules.update(inherited.rules)
        ruleset.sources.extend(inherited.sources)
    ruleset.sources.append(str(path))
    rules = data.get("rules") or {}
    if not isinstance(rules, dict):
        raise RulesetError(str(path), "`rules:` is a mapping from rule code to rule")
    for code, body in rules.items():
        code = str(code)
        if body == "off" or body is False:
            body = {"severity": "off"}
        if not isinstance(body, dict):
            raise RulesetError(str(path), f"rule {code}: a rule is a mapping")
        if code in ruleset.rules:
            ruleset.rules[code] = _override(ruleset.rules[code], body, str(path))
        else:
            ruleset.rules[code] = _new_rule(code, body, str(path))
    return ruleset


def _resolve(spec: str | Path, base_dir: Path | None) -> Path:
    text = str(spec)
    if "/" not in text and not text.endswith((".yaml", ".yml")):
        candidate = builtin_rules_dir() / f"{text}.yaml"
        if candidate.is_file():
            return candidate.resolve()
        names = sorted(p.stem for p in builtin_rules_dir().glob("*.yaml"))
        close = difflib.get_close_matches(text, names, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise RulesetError(text, f"no built-in ruleset named {text}{hint}; built-in: {', '.join(names)}")
    path = Path(text)
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    if not path.is_file():
        raise RulesetError(text, "no such ruleset file")
    return path.resolve()


def _check_fields(code: str, body: dict[str, Any], source: str) -> None:
    unknown = set(body) - RULE_FIELDS
    for name in sorted(unknown):
        close = difflib.get_close_matches(name, sorted(RULE_FIELDS), n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise RulesetError(source, f"rule {code}: unknown field {name}{hint}")


def _severity(code: str, value: Any, source: str) -> Severity | None:
    if value in ("off", False, None):
        return None
    try:
        return Severity.parse(str(value))
    except KeyError:
        raise RulesetError(source, f"rule {code}: severity is error, warning, info or off, not {value!r}") from None


def _bilingual(code: str, what: str, value: Any, source: str, required: bool = True) -> dict[str, str]:
    if value is None and not required:
        return {}
    if not isinstance(value, dict) or any(not isinstance(value.get(lang), str) for lang in LANGS):
        raise RulesetError(source, f"rule {code}: {what} needs both ja and en texts")
    return {lang: value[lang] for lang in LANGS}


def _new_rule(code: str, body: dict[str, Any], source: str) -> Rule:
    from checker.functions import (
        FUNCTIONS,
        SELECTORS,
        load_builtin_functions,
        parse_given,
    )

    _check_fields(code, body, source)
    for required in ("name", "severity", "given", "then", "message"):
        if required not in body:
            raise RulesetError(source, f"rule {code}: missing field {required}")
    then = body["then"]
    if not isinstance(then, dict) or "function" not in then:
        raise RulesetError(source, f"rule {code}: then needs a function")
    unknown_then = set(then) - {"function", "kind", "options"}
    if unknown_then:
        raise RulesetError(source, f"rule {code}: unknown field(s) in then: {', '.join(sorted(unknown_then))}")
    function = str(then["function"])
    given_raw = body["given"]
    given = tuple(str(item) for item in (given_raw if isinstance(given_raw, list) else [given_raw]))
    options = dict(then.get("options") or {})
    kind = then.get("kind")
    if function != LOADER_FUNCTION:
        load_builtin_functions()
        spec = FUNCTIONS.get(function)
        if spec is None:
            close = difflib.get_close_matches(function, sorted(FUNCTIONS), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise RulesetError(source, f"rule {code}: no check function {function}{hint}")
        for selector in given:
            try:
                name, _ = parse_given(selector)
            except ValueError as error:
                raise RulesetError(source, f"rule {code}: {error}") from None
            if name not in SELECTORS or name not in spec.given:
                raise RulesetError(source, f"rule {code}: {function} applies to {', '.join(spec.given)}, not {name}")
        if kind is not None and kind not in spec.kinds:
            raise RulesetError(source, f"rule {code}: {function} reports {', '.join(spec.kinds)}, not {kind}")
        unknown_options = set(options) - set(spec.options)
        if unknown_options:
            raise RulesetError(source, f"rule {code}: unknown option(s) for {function}: {', '.join(sorted(unknown_options))}")
        missing = [name for name in spec.required if options.get(name) in (None, "", [])]
        if missing:
            raise RulesetError(source, f"rule {code}: {function} needs option(s): {', '.join(missing)}")
        options = {**spec.options, **options}
    docs = body.get("docs") or {}
    if not isinstance(docs, dict) or set(docs) - DOC_FIELDS:
        raise RulesetError(source, f"rule {code}: docs has what, why, bad and good")
    return Rule(
        code=code,
        name=str(body["name"]),
        severity=_severity(code, body["severity"], source),
        given=given,
        function=function,
        kind=None if kind is None else str(kind),
        options=options,
        message=_bilingual(code, "message", body["message"], source),
        help=_bilingual(code, "help", body.get("help"), source, required=False),
        docs={key: (_bilingual(code, f"docs.{key}", value, source) if key in ("what", "why") else value)
              for key, value in docs.items()},
        fixable=_fix_safety(code, body.get("fixable", False), source) is not None,
        source=source,
        fix_safety=_fix_safety(code, body.get("fixable", False), source),
    )


def _fix_safety(code: str, value: Any, source: str) -> str | None:
    """`fixable: safe` (or true), `fixable: unsafe`, or false."""
    if value is True or value == "safe":
        return "safe"
    if value == "unsafe":
        return "unsafe"
    if value in (False, None):
        return None
    raise RulesetError(source, f"rule {code}: fixable is safe, unsafe or false, not {value!r}")


def _override(rule: Rule, body: dict[str, Any], source: str) -> Rule:
    _check_fields(rule.code, body, source)
    if {"given", "then"} & set(body):
        raise RulesetError(source, f"rule {rule.code}: an inherited rule's given/then cannot change; add a new code")
    if "severity" in body:
        rule = _replace(rule, severity=_severity(rule.code, body["severity"], source))
    if "message" in body:
        rule = _replace(rule, message=_bilingual(rule.code, "message", body["message"], source))
    if "help" in body:
        rule = _replace(rule, help=_bilingual(rule.code, "help", body["help"], source))
    if "name" in body:
        rule = _replace(rule, name=str(body["name"]))
    return rule


def _replace(rule: Rule, **changes: Any) -> Rule:
    from dataclasses import replace

    return replace(rule, **changes)
