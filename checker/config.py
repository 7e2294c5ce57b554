"""Configuration: `[tool.plancheck]` in a pyproject.toml, or a plancheck.toml, found by
walking up from the checked paths (the nearest wins, as with ruff); command-line flags
win over it.

    [tool.plancheck]
    plans = ["plans"]              # the plan set: checked by default, context for cross-document rules
    select = ["TOT", "RATE001"]    # codes or prefixes; "ALL" is every rule
    extend-select = ["XDOC"]
    ignore = ["UNIT003"]
    rulesets = ["rules/local.yaml"]  # extra rulesets, loaded over the recommended one
    fail-level = "warning"
    lang = "ja"
    format = "concise"
    exclude = ["drafts/"]          # gitignore-style globs; replaces the default exclusions
    extend-exclude = ["*.draft.yaml"]
    cache-dir = ".plancheck_cache"  # relative to this file (the default)

    [tool.plancheck.per-file-ignores]
    "plans/koganei/**" = ["UNIT"]

    [tool.plancheck.severity]
    TOT002 = "error"               # a code or prefix; "off" turns the rule off

    [tool.plancheck.limits]        # per file; each, exceeded, is a LOAD011 naming it
    file-bytes = 10485760
    nodes = 200000
    depth = 100
    seconds = 10

Every option is declared once, in `OPTIONS` (name, type, default, allowed values, a
description in ja and en): reading, validating and the table in docs/configuration.md
(`python -m checker.config docs/configuration.md` writes it) all come from there.
Every problem is a `ConfigError` naming the file, the line and the option, in both
languages; unknown options, values and rule codes come with a did-you-mean.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from checker.diagnostics import Severity, Text, closest
from checker.loader import DEFAULT_LIMITS, Limits
from checker.report import FORMAT_NAMES

CONFIG_NAMES = ("plancheck.toml", ".plancheck.toml", "pyproject.toml")
# Directories nobody keeps plans in, skipped when a directory is searched (as ruff does).
DEFAULT_EXCLUDE = (".git/", ".hg/", ".svn/", ".venv/", "venv/", ".tox/", ".nox/", "node_modules/",
                   "__pycache__/", ".mypy_cache/", ".pytest_cache/", ".ruff_cache/", ".plancheck_cache/", "build/",
                   "dist/")


COMMAND_LINE = "the command line"  # a `Selection`'s origin for --select, --extend-select, --ignore
BLANK_SELECTOR = Text("空のルールコードはどのルールも指しません（すべてのルールは ALL と書きます）",
                      "an empty rule code names no rule (write ALL for every rule)")


class ConfigError(Exception):
    """A configuration problem (the configuration file, a ruleset, a selector), said in
    Japanese and English; the CLI reports it in the run's language and exits 2."""

    def __init__(self, message: Text) -> None:
        super().__init__(message.en)
        self.message = message
        # the configuration's `lang`, when it was read before the problem (a ruleset's)
        self.lang: str | None = None

    def text(self, lang: str) -> str:
        return self.message.render(lang)

    @classmethod
    def of(cls, error: Exception) -> ConfigError:
        """Another error that means a configuration problem (a `RulesetError`), in both
        languages when it has them (a `.text(lang)` as this class has)."""
        if isinstance(error, ConfigError):
            return error
        text = getattr(error, "text", None)
        if callable(text):
            return cls(Text(text("ja"), text("en")))
        return cls(Text(str(error), str(error)))


class Selection(NamedTuple):
    """One layer of rule selection (the configuration file, then the command line). A
    named tuple, as the other records defined on every run: a dataclass costs start-up."""

    origin: str  # where the selectors were written, for error messages
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def selectors(self) -> list[tuple[str, str]]:
        return ([("select", s) for s in self.select or ()] + [("extend-select", s) for s in self.extend_select]
                + [("ignore", s) for s in self.ignore])

    def apply(self, enabled: set[str], codes: list[str]) -> set[str]:
        """ruff's rule: `select` replaces what is enabled, `extend-select` adds, `ignore`
        removes; where selectors disagree on a code the more specific one wins, and at
        equal specificity `ignore` wins."""
        if self.select is None and not self.extend_select and not self.ignore:
            return enabled
        result = set()
        for code in codes:
            on = code in enabled if self.select is None else False
            best = -1
            for selector in (*(self.select or ()), *self.extend_select):
                if matches(selector, code) and specificity(selector) > best:
                    on, best = True, specificity(selector)
            for selector in self.ignore:
                if matches(selector, code) and specificity(selector) >= best:
                    on, best = False, specificity(selector)
            if on:
                result.add(code)
        return result


def matches(selector: str, code: str) -> bool:
    # a blank selector is refused where it is read; here it matches nothing, never every
    # code (as `code.startswith("")` would)
    return selector == "ALL" or (bool(selector.strip()) and code.startswith(selector))


def specificity(selector: str) -> int:
    return 0 if selector == "ALL" else len(selector)


# --- the options, declared once ---------------------------------------------------

# named tuples, not dataclasses: defined on every run, and a dataclass costs start-up

class Option(NamedTuple):
    """One configuration option: how it is written, read and documented."""

    name: str  # as written in the file
    kind: str  # a key of _READERS: how the value is read and checked
    default: Any  # the value when the option is not written
    description: Text
    allowed: tuple[str, ...] = ()  # for a choice, or the values a table maps to
    default_text: Text | None = None  # the default as the docs say it, when not the value itself
    one_or_many: bool = False  # a list of strings that may be written as one string


class LimitOption(NamedTuple):
    """One key of `[limits]`."""

    name: str
    field: str  # on `Limits`
    whole: bool  # a whole number (else any positive number)
    description: Text


LIMITS = (
    LimitOption("file-bytes", "file_bytes", True, Text("1 ファイルの大きさ（バイト）", "a file's size in bytes")),
    LimitOption("nodes", "nodes", True, Text("値の数（エイリアスは使われるたびに数える）",
                                             "values in a file (an alias counts each time it is used)")),
    LimitOption("depth", "depth", True, Text("入れ子の深さ", "nesting depth")),
    LimitOption("seconds", "seconds", False, Text("1 ファイルの検査時間（秒）", "seconds for all of one file's work (reading, building, its own rules)")),
)

_CODES = Text("ルールコードまたは接頭辞のリスト", "list of rule codes or prefixes")
OPTIONS = (
    Option("plans", "strings", ("plans",), Text(
        "計画セット: 既定で検査し、文書をまたぐルールが文脈として読むファイルとディレクトリ（この設定ファイルからの相対パス）",
        "the plan set: checked by default, and read as context by cross-document rules (relative to this file)"),
        one_or_many=True),
    Option("plan-sets", "plan-globs", (), Text(
        "独立した計画セット: 一致した各ディレクトリが 1 つの計画セットで、文書をまたぐルールは同じセットのファイルだけを関係づける（例 `[\"plans/*\"]` で自治体ごと。この設定ファイルからの相対パターン）",
        "independent plan sets: each directory these globs match is one plan set, and the rules across documents "
        "relate the files of the same set only (`[\"plans/*\"]`: one per municipality; globs relative to this file)"),
        default_text=Text("なし（`plans` 全体が 1 つの計画セット）", "none (the whole of `plans` is one plan set)")),
    Option("select", "selectors", None, Text("これらのルールだけを有効にする（`ALL` はすべて）",
                                           "enable only these rules (`ALL` is every rule)"),
           default_text=Text("ルールセットが有効にするルール", "the rules the rulesets turn on")),
    Option("extend-select", "selectors", (), Text("これらのルールも有効にする", "enable these rules as well")),
    Option("ignore", "selectors", (), Text("これらのルールを無効にする（より具体的な指定が勝つ）",
                                         "disable these rules (the more specific selector wins)")),
    Option("per-file-ignores", "code-lists", {}, Text(
        "gitignore 形式のパターン → そのファイルで無効にするルールコード", "gitignore-style glob → rule codes ignored in matching files")),
    Option("severity", "severities", {}, Text(
        "ルールコードまたは接頭辞 → 重大度（`off` で無効）", "rule code or prefix → severity (`off` turns the rules off)"),
        allowed=("error", "warning", "info", "off")),
    Option("rulesets", "strings", (), Text("推奨ルールセットの上に読み込むルールセットファイル（この設定ファイルからの相対パス）",
                                           "ruleset files loaded over the recommended one (relative to this file)")),
    Option("fail-level", "choice", "error", Text("この重大度以上の指摘があれば終了コード 1",
                                                 "exit 1 when a finding at or above this severity is reported"),
           allowed=("error", "warning", "info")),
    Option("lang", "choice", None, Text("メッセージの言語", "the language of messages"), allowed=("ja", "en"),
           default_text=Text("ロケールから（PLANCHECK_LANG, LC_ALL, LC_MESSAGES, LANG。Windows では表示言語）",
                             "from the locale (PLANCHECK_LANG, LC_ALL, LC_MESSAGES, LANG; on Windows the display language)")),
    Option("format", "choice", "auto", Text(
        "出力形式（`auto` は GitHub Actions の下では github、それ以外は full）",
        "output format (`auto`: github under GitHub Actions, else full)"), allowed=FORMAT_NAMES),
    Option("exclude", "strings", DEFAULT_EXCLUDE, Text(
        "ディレクトリを探すときに飛ばす gitignore 形式のパターン（既定を置き換える）",
        "gitignore-style globs skipped when a directory is searched (replaces the defaults)")),
    Option("extend-exclude", "strings", (), Text("既定に加えて飛ばすパターン", "globs skipped as well as the defaults")),
    Option("respect-gitignore", "bool", True, Text(
        "ディレクトリを探すとき、リポジトリの .gitignore と .git/info/exclude が無視するファイルを飛ばす",
        "skip the files the repository's .gitignore files and .git/info/exclude ignore when a directory is searched")),
    Option("limits", "limits", DEFAULT_LIMITS, Text(
        "1 ファイルあたりの上限。超えると LOAD011", "per-file bounds; each, exceeded, is a LOAD011 naming it"),
        allowed=tuple(limit.name for limit in LIMITS),
        default_text=Text("下の `[limits]` の表", "the `[limits]` table below")),
    Option("cache-dir", "path", None, Text("キャッシュのディレクトリ（この設定ファイルからの相対パス）",
                                           "the cache directory (relative to this file)"),
           default_text=Text("設定ファイルの隣の .plancheck_cache", ".plancheck_cache beside this file")),
)
OPTION_NAMES = tuple(option.name for option in OPTIONS)
_DECLARED = {option.name: option for option in OPTIONS}


def allowed(name: str) -> tuple[str, ...]:
    """The values option `name` allows (the command line's choices for its flag)."""
    return _DECLARED[name].allowed


def _default(name: str) -> Any:
    """The declared default, as a `Settings` field's default (a table gets a fresh dict)."""
    value = _DECLARED[name].default
    return field(default_factory=lambda: dict(value)) if isinstance(value, dict) else value


@dataclass
class Settings:
    """The effective settings: the configuration file's, with the command line's over them."""

    root: Path  # relative paths and globs in the configuration are read from here
    source: Path | None = None  # the configuration file, if one was found
    # the user's own configuration (--config outside the working directory), not the
    # repository's: the rulesets it names may lie outside the project
    own: bool = False
    selections: tuple[Selection, ...] = ()  # select, extend-select, ignore: the file's, then the command line's
    # the options, as declared in OPTIONS
    plans: tuple[str, ...] = _default("plans")
    plan_sets: tuple[str, ...] = _default("plan-sets")
    rulesets: tuple[str, ...] = _default("rulesets")
    per_file_ignores: dict[str, tuple[str, ...]] = _default("per-file-ignores")
    severity: dict[str, str] = _default("severity")
    fail_level: str = _default("fail-level")
    lang: str | None = _default("lang")
    format: str = _default("format")
    exclude: tuple[str, ...] = _default("exclude")
    extend_exclude: tuple[str, ...] = _default("extend-exclude")
    respect_gitignore: bool = _default("respect-gitignore")
    limits: Limits = _default("limits")
    cache_dir: Path | None = _default("cache-dir")  # None: .plancheck_cache beside the configuration
    # --exclude (instead of `exclude`) and --extend-exclude, relative to the working directory
    # of the run (`command_line_base`), as ruff reads the command line's globs
    command_line_exclude: tuple[str, ...] | None = None
    command_line_extend_exclude: tuple[str, ...] = ()
    command_line_base: Path | None = None

    # --- rules -------------------------------------------------------------------
    def apply_to(self, ruleset):
        """The ruleset with this selection and these severity overrides applied: rules
        not selected are off. Unknown codes and prefixes are errors."""
        from checker.rules import Ruleset

        codes = sorted(ruleset.rules)
        self._check_selectors(codes)
        rules = dict(ruleset.rules)
        for code, rule in rules.items():
            override = _most_specific(self.severity, code)
            if override is not None:
                rules[code] = replace(rule, severity=None if override == "off" else Severity.parse(override))
        enabled = {code for code, rule in rules.items() if rule.severity is not None}
        for selection in self.selections:
            enabled = selection.apply(enabled, codes)
        for code, rule in rules.items():
            if code not in enabled and rule.severity is not None:
                rules[code] = replace(rule, severity=None)
        return Ruleset(rules=rules, sources=list(ruleset.sources))

    def _check_selectors(self, codes: list[str]) -> None:
        named = [(selection.origin, option, selector)
                 for selection in self.selections for option, selector in selection.selectors()]
        named += [(str(self.source), "severity", selector) for selector in self.severity]
        named += [(str(self.source), "per-file-ignores", selector)
                  for selectors in self.per_file_ignores.values() for selector in selectors]
        for where, option, selector in named:
            if not selector.strip():
                if where == COMMAND_LINE:
                    option = f"--{option}"
                raise ConfigError(Text(f"{where}: {option}: {BLANK_SELECTOR.ja}", f"{where}: {option}: {BLANK_SELECTOR.en}"))
            if selector != "ALL" and not any(code.startswith(selector) for code in codes):
                hint = _did_you_mean(closest(selector, codes))
                raise ConfigError(Text(f"{where}: {option}: {selector!r} で始まるルールコードはありません{hint.ja}",
                                       f"{where}: {option}: no rule code starts with {selector!r}{hint.en}"))

    def ignored_here(self, code: str, path: Path) -> bool:
        """Whether a per-file ignore covers `code` in the file at `path`."""
        if not self.per_file_ignores:
            return False
        relative = self.relative(path)
        return any(spec.match_file(relative) and any(matches(s, code) for s in selectors)
                   for spec, selectors in self._per_file_specs)

    @cached_property
    def _per_file_specs(self):
        from checker.globs import GlobSpec  # gitignore globs in linear time (pathspec's can backtrack)

        return [(GlobSpec.from_lines([glob]), selectors) for glob, selectors in self.per_file_ignores.items()]

    @cached_property
    def _exclusions(self) -> list[tuple[str, str, Any]]:
        """(base directory, where the pattern was written, the parsed glob), in the order
        gitignore reads them: the last pattern that matches a path decides."""
        from checker.globs import Glob

        where = str(self.source) if self.source is not None else "default"
        base = self.command_line_base or Path.cwd()
        layers = [(self.root, f"{where}: exclude", self.exclude)] if self.command_line_exclude is None else [
            (base, "--exclude", self.command_line_exclude)]
        layers += [(self.root, f"{where}: extend-exclude", self.extend_exclude),
                   (base, "--extend-exclude", self.command_line_extend_exclude)]
        return [(directory.absolute().as_posix(), origin, glob) for directory, origin, patterns in layers
                for pattern in patterns
                if (glob := Glob.parse(pattern)) is not None]

    # --- files -------------------------------------------------------------------
    def relative(self, path: Path) -> str:
        absolute = path.absolute()
        try:
            return absolute.relative_to(self.root).as_posix()
        except ValueError:
            return absolute.as_posix()

    def exclusion(self, path: Path, is_dir: bool = False) -> str | None:
        """The pattern that excludes `path` (`origin: pattern`), or None: the last of the
        exclude globs that matches it decides, as in a .gitignore (`!` re-includes)."""
        text = path.absolute().as_posix()
        decided = None
        parts: dict[str, list[str]] = {}
        for base, origin, glob in self._exclusions:
            if base not in parts:  # relative to the base, as `relative_to` has it, without its Path objects
                head = base.rstrip("/") + "/"
                relative = "" if text == base else text[len(head):] if text.startswith(head) else text
                parts[base] = [part for part in relative.split("/") if part and part != "."]
            if glob.matches(parts[base], is_dir):
                decided = None if glob.negated else f"{origin}: {glob.text.strip()}"
        return decided

    def excluded(self, path: Path, is_dir: bool = False) -> bool:
        return self.exclusion(path, is_dir) is not None

    def plan_set_paths(self) -> list[Path]:
        return [self.root / entry for entry in self.plans]

    def plan_set_directories(self) -> list[Path]:
        """The directories `plan-sets` matches (each one independent plan set), absolute,
        deepest first: a file belongs to the deepest that holds it."""
        found: set[Path] = set()
        for pattern in self.plan_sets:
            found.update(path.absolute() for path in self.root.glob(pattern.rstrip("/"))
                         if path.is_dir() and not path.is_symlink())
        return sorted(found, key=lambda path: (-len(path.parts), path))

    def plan_set_of(self, path: Path, directories: set[Path] | None = None) -> str | None:
        """The plan set (`plan-sets`) the file at `path` belongs to, as its directory
        relative to the root; None when it lies in none of them. `directories`: the plan
        set directories, when the caller asks of many files."""
        found = plan_set_directory_of(path, set(self.plan_set_directories()) if directories is None else directories)
        return None if found is None else self.relative(found)


def plan_set_directory_of(path: Path, directories: set[Path]) -> Path | None:
    """The directory among `directories` (absolute) whose plan set holds the file at `path`:
    the deepest holding it, its nearest ancestor among them (a lookup per level, not a
    comparison with each of a national run's 1,324 plan sets)."""
    return next((up for up in path.absolute().parents if up in directories), None)

_SETTINGS_FIELDS = {item.name for item in fields(Settings)}


def _most_specific(mapping: dict[str, str], code: str) -> str | None:
    best, value = -1, None
    for selector, setting in mapping.items():
        if matches(selector, code) and specificity(selector) > best:
            best, value = specificity(selector), setting
    return value


# --- finding and reading the file ------------------------------------------------

def repository_root(start: Path) -> Path | None:
    """The directory holding `.git` (a directory, or the file of a worktree or submodule)
    at or above `start`, or None outside a repository."""
    directory = start.absolute()
    for candidate in (directory, *directory.parents):
        if os.path.lexists(candidate / ".git"):
            return candidate
    return None


def find_config(start: Path) -> Path | None:
    """The nearest plancheck.toml, .plancheck.toml, or pyproject.toml with a
    [tool.plancheck] table, from `start` up to the repository's root (the directory
    holding .git), or up to the filesystem root outside a repository: a configuration
    above the repository is not the repository's, and must not move its default target."""
    directory = start.absolute()
    if not directory.is_dir():
        directory = directory.parent
    top = repository_root(directory)
    above = [] if top is None else list(top.parents)
    for candidate_dir in (directory, *directory.parents):
        if candidate_dir in above:
            break
        for name in CONFIG_NAMES:
            candidate = candidate_dir / name
            if not candidate.is_file():
                continue
            if name != "pyproject.toml":
                return candidate
            try:
                if "plancheck" in _read_toml(candidate).get("tool", {}):
                    return candidate
            except ConfigError:
                return candidate  # a broken pyproject.toml is reported, not skipped
    return None


def common_start(paths: list[str]) -> Path:
    """Where the search for a configuration starts: the deepest directory holding every
    checked path (the working directory when none is given)."""
    if not paths:
        return Path.cwd()
    absolutes = [Path(p).absolute() for p in paths]
    parts = [p.parts if p.is_dir() else p.parent.parts for p in absolutes]
    shared = []
    for column in zip(*parts):
        if len(set(column)) != 1:
            break
        shared.append(column[0])
    return Path(*shared) if shared else Path(absolutes[0].anchor)


def _read_toml(path: Path) -> dict[str, Any]:
    """The TOML file's data, read as a plan file is (its size capped before it is read) and
    held to the same limits: tomllib recurses on nested arrays and inline tables, so a deep
    one is a RecursionError there, and is said here as the nesting limit."""
    import tomllib  # here: most runs find no configuration, and start-up is a one-file check's cost

    from checker.loader import read_file

    loaded, raw = read_file(path, str(path), DEFAULT_LIMITS)
    if raw is None:
        finding = loaded.findings[0]
        if finding.kind == "too_large":
            raise ConfigError(_beyond(path, "file size"))
        reason = finding.args.get("reason", "")
        raise ConfigError(Text(f"{path}: 読めません: {reason}", f"{path}: cannot read: {reason}"))
    try:
        text = raw.decode("utf-8")
        if _deepest_key(text) > DEFAULT_LIMITS.depth:  # tomllib takes quadratic time on a long dotted key
            raise ConfigError(_beyond(path, "nesting depth"))
        data = tomllib.loads(text)
    except UnicodeDecodeError as error:
        raise ConfigError(Text(f"{path}: UTF-8 で読めません（{error.start + 1} バイト目）",
                               f"{path}: not UTF-8 (at byte {error.start + 1})")) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(Text(f"{path}: TOML として読めません: {error}", f"{path}: not valid TOML: {error}")) from None
    except RecursionError:
        raise ConfigError(_beyond(path, "nesting depth")) from None
    _within_limits(path, data)
    return data


def _deepest_key(text: str) -> int:
    """The most parts any key or table header has (`a.b.c = 1`, `[a.b.c]`): the dots before
    a line's `=`, or in its header, outside quotes (a line of prose in a multi-line string,
    with no `=` or `]`, counts for nothing). Linear in the text."""
    deepest = 0
    for line in text.splitlines():
        parts, quote, escaped = 1, None, False
        for char in line.lstrip().lstrip("["):
            if quote:
                if escaped:
                    escaped = False
                elif char == "\\" and quote == '"':
                    escaped = True
                elif char == quote:
                    quote = None
            elif char in "\"'":
                quote = char
            elif char == ".":
                parts += 1
            elif char in "=]":  # a key line or a header: what came before was a key
                deepest = max(deepest, parts)
                break
            elif char == "#":
                break
    return deepest


def _beyond(path: Path, limit: str) -> Text:
    name, value = DEFAULT_LIMITS.describe(limit)
    return Text(f"{path}: {name.ja}の上限 {value.ja} を超えています", f"{path}: exceeds the {name.en} limit, {value.en}")


def _within_limits(path: Path, data: Any) -> None:
    """The parsed TOML within the node and depth limits (walked with a stack, not recursion)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    nodes = 0
    while stack:
        value, depth = stack.pop()
        nodes += 1
        if nodes > DEFAULT_LIMITS.nodes:
            raise ConfigError(_beyond(path, "node count"))
        if depth > DEFAULT_LIMITS.depth:
            raise ConfigError(_beyond(path, "nesting depth"))
        if isinstance(value, dict):
            stack += [(item, depth + 1) for item in value.values()]
        elif isinstance(value, list):
            stack += [(item, depth + 1) for item in value]


def _did_you_mean(candidate: str | None, quote: bool = False) -> Text:
    if candidate is None:
        return Text("", "")
    shown = repr(candidate) if quote else candidate
    return Text(f"（{shown} の誤りではありませんか）", f" (did you mean {shown}?)")


class _Reading:
    """One configuration file being read: where its problems are reported."""

    def __init__(self, path: Path, prefix: str, text: str) -> None:
        self.path, self.prefix, self.text = path, prefix, text
        self.root = path.parent.absolute()

    def fail(self, option: str, problem: Text) -> ConfigError:
        line = _line_of(self.text, option)
        at = f"{self.path}:{line}" if line else f"{self.path}"
        name = f"{self.prefix} {option}".strip()
        return ConfigError(Text(f"{at}: {name}: {problem.ja}", f"{at}: {name}: {problem.en}"))


def _strings(option: Option, value: Any, reading: _Reading) -> tuple[str, ...]:
    if option.one_or_many and isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        wanted = Text("文字列または文字列のリスト", "a string or a list of strings") if option.one_or_many else Text(
            "文字列のリスト", "a list of strings")
        raise reading.fail(option.name, Text(f"{wanted.ja}でなければなりません（{value!r} ではなく）",
                                             f"must be {wanted.en}, not {value!r}"))
    return tuple(value)


def _plan_globs(option: Option, value: Any, reading: _Reading) -> tuple[str, ...]:
    """Globs of directories below the configuration file: none empty, absolute or with `..`."""
    globs = _strings(option, value, reading)
    for glob in globs:
        if not glob.strip() or Path(glob).is_absolute() or ".." in Path(glob).parts:
            raise reading.fail(option.name, Text(
                f"{glob!r}: この設定ファイルの下のディレクトリを指すパターンでなければなりません（空、絶対パス、.. は使えません）",
                f"{glob!r}: must be a glob of directories below this file (not empty, absolute, or with ..)"))
    return globs


def _choice(option: Option, value: Any, reading: _Reading) -> str:
    # case-insensitive, as the command line's `--format SARIF`
    if isinstance(value, str) and value not in option.allowed and value.lower() in option.allowed:
        value = value.lower()
    if value not in option.allowed:
        hint = _did_you_mean(closest(value, option.allowed, cutoff=0.5), quote=True)  # values are short: ja/jp
        allowed = ", ".join(option.allowed)
        raise reading.fail(option.name, Text(f"{allowed} のどれかでなければなりません（{value!r} ではなく）{hint.ja}",
                                             f"must be one of {allowed}, not {value!r}{hint.en}"))
    return value


def _bool(option: Option, value: Any, reading: _Reading) -> bool:
    if not isinstance(value, bool):
        raise reading.fail(option.name, Text(f"true か false でなければなりません（{value!r} ではなく）",
                                             f"must be true or false, not {value!r}"))
    return value


def _path(option: Option, value: Any, reading: _Reading) -> Path:
    if not isinstance(value, str):
        raise reading.fail(option.name, Text(f"パスでなければなりません（{value!r} ではなく）",
                                             f"must be a path, not {value!r}"))
    return reading.root / value


def _table(option: Option, value: Any, reading: _Reading) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise reading.fail(option.name, Text("テーブルでなければなりません", "must be a table"))
    return value


def _selectors(option: Option, value: Any, reading: _Reading) -> tuple[str, ...]:
    """A list of rule codes or prefixes, none of them blank (a blank one would select every rule)."""
    codes = _strings(option, value, reading)
    _no_blank(option, codes, reading)
    return codes


def _no_blank(option: Option, codes: Any, reading: _Reading, within: str = "") -> None:
    if any(not code.strip() for code in codes):
        raise reading.fail(option.name, Text(f"{within}{BLANK_SELECTOR.ja}", f"{within}{BLANK_SELECTOR.en}"))


def _code_lists(option: Option, value: Any, reading: _Reading) -> dict[str, tuple[str, ...]]:
    for glob, codes in _table(option, value, reading).items():
        if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
            raise reading.fail(option.name, Text(f"{glob!r} にはルールコードのリストを書きます（{codes!r} ではなく）",
                                                 f"{glob!r} must map to a list of rule codes, not {codes!r}"))
        _no_blank(option, codes, reading, f"{glob!r}: ")
    return {glob: tuple(codes) for glob, codes in value.items()}


def _severities(option: Option, value: Any, reading: _Reading) -> dict[str, str]:
    allowed = ", ".join(option.allowed)
    _no_blank(option, _table(option, value, reading), reading)
    for selector, severity in value.items():
        if severity not in option.allowed:
            raise reading.fail(option.name, Text(
                f"{selector} は {allowed} のどれかでなければなりません（{severity!r} ではなく）",
                f"{selector} must be one of {allowed}, not {severity!r}"))
    return dict(value)


def _limits(option: Option, value: Any, reading: _Reading) -> Limits:
    declared = {limit.name: limit for limit in LIMITS}
    values: dict[str, Any] = {}
    for name, number in _table(option, value, reading).items():
        if name not in declared:
            hint = _did_you_mean(closest(name, declared))
            names = ", ".join(declared)
            raise reading.fail(option.name, Text(f"知らない上限 {name} です{hint.ja}。上限は {names} です",
                                                 f"unknown limit {name}{hint.en}; limits are {names}"))
        # nan and inf are numbers to TOML, but no bound: an error, never "no limit"
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number) or number <= 0:
            raise reading.fail(option.name, Text(f"{name} は正の数でなければなりません（{number!r} ではなく）",
                                                 f"{name} must be a positive number, not {number!r}"))
        if declared[name].whole and not isinstance(number, int):
            raise reading.fail(option.name, Text(f"{name} は整数でなければなりません（{number!r} ではなく）",
                                                 f"{name} must be a whole number, not {number!r}"))
        values[declared[name].field] = number
    return Limits(**values)


_READERS: dict[str, Callable[[Option, Any, _Reading], Any]] = {
    "strings": _strings, "plan-globs": _plan_globs, "selectors": _selectors, "choice": _choice, "path": _path, "bool": _bool, "code-lists": _code_lists, "severities": _severities,
    "limits": _limits,
}
# how the docs name each kind of value
KIND_NAMES = {
    "strings": Text("文字列のリスト", "list of strings"),
    "plan-globs": Text("パターンのリスト", "list of globs"),
    "selectors": _CODES, "choice": Text("文字列（選択肢）", "string (one of)"),
    "path": Text("パス", "path"), "bool": Text("真偽値", "boolean"), "code-lists": Text("テーブル: パターン → コードのリスト", "table: glob → list of codes"),
    "severities": Text("テーブル: コード → 重大度", "table: code → severity"),
    "limits": Text("テーブル: 上限 → 正の数", "table: limit → positive number"),
}


def load_config(path: Path) -> Settings:
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("plancheck", {})
        prefix = "[tool.plancheck]"
    else:
        table, prefix = data, ""
    reading = _Reading(path, prefix, path.read_text(encoding="utf-8", errors="replace"))
    if not isinstance(table, dict):
        raise ConfigError(Text(f"{path}: {prefix or 'ファイル'} はテーブルでなければなりません",
                               f"{path}: {prefix or 'the file'} must be a table"))
    for option in table:
        if option not in _DECLARED:
            hint = _did_you_mean(closest(option.replace("_", "-"), OPTION_NAMES))
            names = ", ".join(OPTION_NAMES)
            raise reading.fail(option, Text(f"知らない設定項目です{hint.ja}。項目は {names} です",
                                            f"unknown option{hint.en}; options are {names}"))
    values = {option.name: _READERS[option.kind](option, table[option.name], reading) if option.name in table
              else option.default for option in OPTIONS}
    settings = Settings(root=reading.root, source=path, **{
        name.replace("-", "_"): value for name, value in values.items() if name.replace("-", "_") in _SETTINGS_FIELDS})
    settings.selections = (Selection(origin=str(path), select=values["select"], extend_select=values["extend-select"],
                                     ignore=values["ignore"]),)
    return settings


def options_table() -> str:
    """The options as a Markdown table (docs/configuration.md), from `OPTIONS`."""
    rows = ["| option | type | default | allowed | description | 説明 |", "|---|---|---|---|---|---|"]
    for option in OPTIONS:
        default = option.default_text.en if option.default_text else _shown(option.default)
        allowed = ", ".join(f"`{value}`" for value in option.allowed)
        kind = "string or list of strings" if option.one_or_many else KIND_NAMES[option.kind].en
        rows.append(f"| `{option.name}` | {kind} | {default} | {allowed} "
                    f"| {option.description.en} | {option.description.ja} |")
    rows += ["", "`[limits]`:", "", "| limit | type | default | description | 説明 |", "|---|---|---|---|---|"]
    for limit in LIMITS:
        kind = "whole number" if limit.whole else "number"
        default = getattr(DEFAULT_LIMITS, limit.field)
        rows.append(f"| `{limit.name}` | positive {kind} | {int(default) if default == int(default) else default} "
                    f"| {limit.description.en} | {limit.description.ja} |")
    from checker.report import REGISTRY

    rows += ["", "`format` (and `--format`), besides `auto`:", "", "| format | output | 出力 |", "|---|---|---|"]
    rows += [f"| `{name}` | {format.description.en} | {format.description.ja} |" for name, format in REGISTRY.items()]
    return "\n".join(rows) + "\n"


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return "`[" + ", ".join(f'"{item}"' for item in value) + "]`"
    if isinstance(value, dict):
        return "`{}`"
    return f'`"{value}"`'


def _line_of(text: str, option: str) -> int | None:
    """The line that sets `option` (or opens its table), for the error message."""
    pattern = re.compile(rf'^[ \t]*(\[[^\]]*\b{re.escape(option)}\b[^\]]*\]|"?{re.escape(option)}"?\s*=)', re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def resolve_settings(paths: list[str], config: str | None = None, isolated: bool = False) -> Settings:
    """The configuration for a run over `paths`: `--config` if given, else the nearest
    configuration file above them, else the defaults rooted at the working directory."""
    if isolated:
        return Settings(root=Path.cwd(), command_line_base=Path.cwd())
    if config is not None:
        path = Path(config)
        if not path.is_file():
            raise ConfigError(Text(f"{config}: 設定ファイルがありません", f"{config}: no such configuration file"))
        settings = load_config(path)
        settings.own = not path.resolve().is_relative_to(Path.cwd().resolve())
        return settings
    found = find_config(common_start(paths))
    return load_config(found) if found is not None else Settings(root=Path.cwd())


def resolved_options(settings: Settings) -> dict[str, Any]:
    """Every option as this run resolved it (the configuration's, the command line's over
    it), by its configuration name, as plain data: what `--show-settings` prints."""
    values: dict[str, Any] = {}
    for option in OPTIONS:
        if option.name in ("select", "extend-select", "ignore"):
            continue
        value = getattr(settings, option.name.replace("-", "_"))
        if option.name == "limits":
            value = {limit.name: getattr(value, limit.field) for limit in LIMITS}
        elif isinstance(value, Path):
            value = str(value)
        elif isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, dict):
            value = {key: list(item) if isinstance(item, tuple) else item for key, item in value.items()}
        values[option.name] = value
    if settings.cache_dir is None:
        from checker.cache import CACHE_DIR_NAME

        values["cache-dir"] = str(settings.root / CACHE_DIR_NAME)
    if settings.command_line_exclude is not None:
        values["exclude"] = list(settings.command_line_exclude)
    values["extend-exclude"] = [*settings.extend_exclude, *settings.command_line_extend_exclude]
    values["selection"] = [{"from": selection.origin, "select": None if selection.select is None else list(selection.select),
                            "extend-select": list(selection.extend_select), "ignore": list(selection.ignore)}
                           for selection in settings.selections]
    return values


def show_settings(settings: Settings, lang: str, as_json: bool = False) -> str:
    """The configuration file a run uses (or that none was found, and why) and every
    resolved option: `plancheck --show-settings`."""
    import json

    repository = repository_root(settings.root)
    values = resolved_options(settings)
    if as_json:
        return json.dumps({"configuration": None if settings.source is None else str(settings.source.absolute()),
                           "root": str(settings.root), "repository": None if repository is None else str(repository),
                           "settings": values}, ensure_ascii=False, indent=2) + "\n"
    if settings.source is not None:
        table = " [tool.plancheck]" if settings.source.name == "pyproject.toml" else ""
        source = str(settings.source.absolute()) + table
    else:
        source = Text("なし（既定値）", "none (the defaults)").render(lang)
    heads = Text("設定ファイル|基準ディレクトリ|リポジトリ（設定ファイルはここまで上に探します）|なし",
                 "configuration file|root (paths and globs are relative to it)|"
                 "repository (a configuration is looked for up to here)|none").render(lang).split("|")
    lines = [f"# {heads[0]}: {source}", f"# {heads[1]}: {settings.root}",
             f"# {heads[2]}: {repository if repository is not None else heads[3]}"]
    for name, value in values.items():
        if name == "selection":
            for selection in value:
                parts = [f"{key} = {json.dumps(item, ensure_ascii=False)}" for key, item in selection.items()
                         if key != "from" and item]
                lines.append(f"# selection ({selection['from']}): " + (", ".join(parts) or "—"))
        else:
            lines.append(f"{name} = {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def split_codes(values: tuple[str, ...]) -> tuple[str, ...]:
    """`--select TOT,RATE --select UNIT` -> ("TOT", "RATE", "UNIT"). A blank part (`--select ""`,
    `--ignore " "`, `TOT,,RATE`) is kept, as "", so that checking the selection refuses it:
    dropped, `--select ""` would select nothing and `--ignore ""` would be no ignore at all."""
    return tuple(part.strip().upper() for value in values for part in value.split(","))


def write_docs(path: Path) -> bool:
    """Rewrite the options table between the markers in `path`; whether it changed."""
    text = path.read_text(encoding="utf-8")
    start, end = text.index(DOCS_START) + len(DOCS_START), text.index(DOCS_END)
    new = text[:start] + "\n" + options_table() + text[end:]
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


DOCS_START, DOCS_END = "<!-- options: generated by `python -m checker.config docs/configuration.md` -->", "<!-- /options -->"

if __name__ == "__main__":
    import sys

    for argument in sys.argv[1:]:
        print(f"{argument}: {'rewritten' if write_docs(Path(argument)) else 'up to date'}")  # noqa: T201 (a developer's command, not plancheck's output)
