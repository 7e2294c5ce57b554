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

Every problem is a `ConfigError` naming the file, the line and the option; unknown
options and unknown rule codes come with a did-you-mean.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from checker.diagnostics import Severity
from checker.loader import DEFAULT_LIMITS, Limits
from checker.report import FORMATS

CONFIG_NAMES = ("plancheck.toml", ".plancheck.toml", "pyproject.toml")
# Directories nobody keeps plans in, skipped when a directory is searched (as ruff does).
DEFAULT_EXCLUDE = (".git/", ".hg/", ".svn/", ".venv/", "venv/", ".tox/", ".nox/", "node_modules/",
                   "__pycache__/", ".mypy_cache/", ".pytest_cache/", ".ruff_cache/", "build/", "dist/")
FAIL_LEVELS = ("error", "warning", "info")
LANGS = ("ja", "en")
SEVERITIES = ("error", "warning", "info", "off")


class ConfigError(Exception):
    """A configuration problem, said in English and Japanese; the CLI reports it in the
    run's language and exits 2."""

    def __init__(self, english: str, japanese: str | None = None) -> None:
        super().__init__(english)
        self.texts = {"en": english, "ja": japanese or english}

    def text(self, lang: str) -> str:
        return self.texts.get(lang, self.texts["en"])


@dataclass(frozen=True)
class Selection:
    """One layer of rule selection (the configuration file, then the command line)."""

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
    return selector == "ALL" or code.startswith(selector)


def specificity(selector: str) -> int:
    return 0 if selector == "ALL" else len(selector)


@dataclass
class Settings:
    """The effective settings: the configuration file's, with the command line's over them."""

    root: Path  # relative paths and globs in the configuration are read from here
    source: Path | None = None  # the configuration file, if one was found
    plans: tuple[str, ...] = ("plans",)
    rulesets: tuple[str, ...] = ()
    selections: tuple[Selection, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    severity: dict[str, str] = field(default_factory=dict)
    fail_level: str = "error"
    lang: str | None = None
    format: str = "auto"
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    limits: Limits = DEFAULT_LIMITS
    cache_dir: Path | None = None  # default: .plancheck_cache beside the configuration

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
            if selector != "ALL" and not any(code.startswith(selector) for code in codes):
                close = difflib.get_close_matches(selector, codes, n=1)
                hint = f" (did you mean {close[0]}?)" if close else ""
                hint_ja = f"（{close[0]} のことですか？）" if close else ""
                raise ConfigError(f"{where}: {option}: no rule code starts with {selector!r}{hint}",
                                  f"{where}: {option}: {selector!r} で始まる規則コードはありません{hint_ja}")

    def ignored_here(self, code: str, path: Path) -> bool:
        """Whether a per-file ignore covers `code` in the file at `path`."""
        if not self.per_file_ignores:
            return False
        relative = self.relative(path)
        return any(spec.match_file(relative) and any(matches(s, code) for s in selectors)
                   for spec, selectors in self._per_file_specs)

    @cached_property
    def _per_file_specs(self):
        import pathspec

        return [(pathspec.GitIgnoreSpec.from_lines([glob]), selectors) for glob, selectors in self.per_file_ignores.items()]

    @cached_property
    def _exclude_spec(self):
        import pathspec

        return pathspec.GitIgnoreSpec.from_lines([*self.exclude, *self.extend_exclude])

    # --- files -------------------------------------------------------------------
    def relative(self, path: Path) -> str:
        absolute = path.absolute()
        try:
            return absolute.relative_to(self.root).as_posix()
        except ValueError:
            return absolute.as_posix()

    def excluded(self, path: Path, is_dir: bool = False) -> bool:
        relative = self.relative(path)
        return self._exclude_spec.match_file(relative + "/" if is_dir else relative)

    def plan_set_paths(self) -> list[Path]:
        return [self.root / entry for entry in self.plans]


def _most_specific(mapping: dict[str, str], code: str) -> str | None:
    best, value = -1, None
    for selector, setting in mapping.items():
        if matches(selector, code) and specificity(selector) > best:
            best, value = specificity(selector), setting
    return value


# --- finding and reading the file ------------------------------------------------

def find_config(start: Path) -> Path | None:
    """The nearest plancheck.toml, .plancheck.toml, or pyproject.toml with a
    [tool.plancheck] table, from `start` up to the filesystem root."""
    directory = start.absolute()
    if not directory.is_dir():
        directory = directory.parent
    for candidate_dir in (directory, *directory.parents):
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
    import tomllib  # here: most runs find no configuration, and start-up is a one-file check's cost

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}", f"{path}: TOML として読めません: {error}") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}",
                          f"{path}: 読めません: {error.strerror or error}") from None


_OPTIONS = ("plans", "select", "extend-select", "ignore", "per-file-ignores", "severity", "rulesets",
            "fail-level", "lang", "format", "exclude", "extend-exclude", "limits", "cache-dir")
_LIMITS = {"file-bytes": "file_bytes", "nodes": "nodes", "depth": "depth", "seconds": "seconds"}


def load_config(path: Path) -> Settings:
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("plancheck", {})
        prefix = "[tool.plancheck]"
    else:
        table, prefix = data, ""
    text = path.read_text(encoding="utf-8", errors="replace")

    def fail(option: str, problem: str, problem_ja: str) -> ConfigError:
        line = _line_of(text, option)
        at = f"{path}:{line}" if line else f"{path}"
        name = f"{prefix} {option}".strip()
        return ConfigError(f"{at}: {name}: {problem}", f"{at}: {name}: {problem_ja}")

    if not isinstance(table, dict):
        raise ConfigError(f"{path}: {prefix or 'the file'} must be a table",
                          f"{path}: {prefix or 'ファイル'} はテーブルでなければなりません")
    for option in table:
        if option not in _OPTIONS:
            close = difflib.get_close_matches(option.replace("_", "-"), _OPTIONS, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            hint_ja = f"（{close[0]} のことですか？）" if close else ""
            raise fail(option, f"unknown option{hint}; options are {', '.join(_OPTIONS)}",
                       f"知らない設定項目です{hint_ja}。項目は {', '.join(_OPTIONS)} です")

    def strings(option: str) -> tuple[str, ...] | None:
        if option not in table:
            return None
        value = table[option]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise fail(option, f"must be a list of strings, not {value!r}",
                       f"文字列のリストでなければなりません（{value!r} ではなく）")
        return tuple(value)

    def choice(option: str, allowed: tuple[str, ...]) -> str | None:
        if option not in table:
            return None
        value = table[option]
        if value not in allowed:
            close = difflib.get_close_matches(str(value), allowed, n=1, cutoff=0.5)  # values are short: ja/jp
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            hint_ja = f"（{close[0]!r} のことですか？）" if close else ""
            raise fail(option, f"must be one of {', '.join(allowed)}, not {value!r}{hint}",
                       f"{', '.join(allowed)} のどれかでなければなりません（{value!r} ではなく）{hint_ja}")
        return value

    def mapping(option: str, check) -> dict[str, Any]:
        value = table.get(option, {})
        if not isinstance(value, dict):
            raise fail(option, "must be a table", "テーブルでなければなりません")
        for key, item in value.items():
            check(key, item)
        return value

    def ignore_list(glob: str, codes: Any) -> None:
        if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
            raise fail("per-file-ignores", f"{glob!r} must map to a list of rule codes, not {codes!r}",
                       f"{glob!r} には規則コードのリストを書きます（{codes!r} ではなく）")

    def limit_value(name: str, value: Any) -> None:
        if name not in _LIMITS:
            close = difflib.get_close_matches(name, _LIMITS, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            hint_ja = f"（{close[0]} のことですか？）" if close else ""
            raise fail("limits", f"unknown limit {name}{hint}; limits are {', '.join(_LIMITS)}",
                       f"知らない上限 {name} です{hint_ja}。上限は {', '.join(_LIMITS)} です")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise fail("limits", f"{name} must be a positive number, not {value!r}",
                       f"{name} は正の数でなければなりません（{value!r} ではなく）")
        if name != "seconds" and not isinstance(value, int):
            raise fail("limits", f"{name} must be a whole number, not {value!r}",
                       f"{name} は整数でなければなりません（{value!r} ではなく）")

    def severity_value(selector: str, value: Any) -> None:
        if value not in SEVERITIES:
            raise fail("severity", f"{selector} must be one of {', '.join(SEVERITIES)}, not {value!r}",
                       f"{selector} は {', '.join(SEVERITIES)} のどれかでなければなりません（{value!r} ではなく）")

    settings = Settings(root=path.parent.absolute(), source=path)
    settings.plans = strings("plans") or settings.plans
    settings.rulesets = strings("rulesets") or ()
    settings.selections = (Selection(origin=str(path), select=strings("select"), extend_select=strings("extend-select") or (),
                                     ignore=strings("ignore") or ()),)
    settings.per_file_ignores = {glob: tuple(codes) for glob, codes in mapping("per-file-ignores", ignore_list).items()}
    settings.severity = dict(mapping("severity", severity_value))
    settings.limits = Limits(**{_LIMITS[name]: value for name, value in mapping("limits", limit_value).items()})
    settings.fail_level = choice("fail-level", FAIL_LEVELS) or settings.fail_level
    settings.lang = choice("lang", LANGS)
    settings.format = choice("format", FORMATS) or settings.format
    exclude = strings("exclude")
    settings.exclude = exclude if exclude is not None else DEFAULT_EXCLUDE
    settings.extend_exclude = strings("extend-exclude") or ()
    if "cache-dir" in table:
        if not isinstance(table["cache-dir"], str):
            raise fail("cache-dir", f"must be a path, not {table['cache-dir']!r}",
                       f"パスでなければなりません（{table['cache-dir']!r} ではなく）")
        settings.cache_dir = settings.root / table["cache-dir"]
    return settings


def _line_of(text: str, option: str) -> int | None:
    """The line that sets `option` (or opens its table), for the error message."""
    pattern = re.compile(rf'^\s*(\[[^\]]*\b{re.escape(option)}\b[^\]]*\]|"?{re.escape(option)}"?\s*=)', re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def resolve_settings(paths: list[str], config: str | None = None, isolated: bool = False) -> Settings:
    """The configuration for a run over `paths`: `--config` if given, else the nearest
    configuration file above them, else the defaults rooted at the working directory."""
    if isolated:
        return Settings(root=Path.cwd())
    if config is not None:
        path = Path(config)
        if not path.is_file():
            raise ConfigError(f"{config}: no such configuration file", f"{config}: 設定ファイルがありません")
        return load_config(path)
    found = find_config(common_start(paths))
    return load_config(found) if found is not None else Settings(root=Path.cwd())


def split_codes(values: tuple[str, ...]) -> tuple[str, ...]:
    """`--select TOT,RATE --select UNIT` -> ("TOT", "RATE", "UNIT")."""
    return tuple(part.strip().upper() for value in values for part in value.split(",") if part.strip())
