"""The `plancheck` command line.

`plancheck [PATH...]` checks plan files (default: `plans/`); `plancheck schema`,
`plancheck rules` and `plancheck rule CODE` print the plan format and the rule docs.
Exit codes: 0 clean, 1 findings at or above the fail level, 2 usage, configuration or
internal error.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from checker.messages import phrase, say
from checker.report import FORMATS

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
# a progress bar only when loading takes long enough to wonder
PROGRESS_MIN_FILES = 100
# worker processes only when there is enough to parse to pay for starting them
# (about 40 ms on 2 cores, against 3 ms to parse and check a file)
PARALLEL_MIN_FILES = 50
# files per task: at most this many, and at least four tasks per worker so that the
# workers finish together
PARALLEL_CHUNK = 50
PARALLEL_MAX_WORKERS = 8


def default_lang() -> str:
    for variable in ("PLANCHECK_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"


class _DefaultCheckGroup(click.Group):
    """`plancheck PATH...` means `plancheck check PATH...`, as `ruff` users would expect
    of a checker whose main job is checking."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            misplaced = next((arg for arg in args if arg in self.commands and arg != "check"), None)
            if misplaced is not None and args[0].startswith("-"):
                # `plancheck --rules x.yaml rules` would otherwise check a directory named rules
                rest = " ".join(arg for arg in args if arg != misplaced)
                raise click.UsageError(phrase("options_after_command", default_lang(), command=f"plancheck {misplaced} {rest}"),
                                       ctx)
            args = ["check", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_DefaultCheckGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="plancheck")
def main() -> None:
    """plancheck: a consistency checker and linter for municipal plan data."""
    # pydantic reads every installed distribution's entry points, looking for plugins,
    # before it builds a validator: 2 ms with the 47 distributions of the test set-up, about
    # 50 µs more for each one a larger environment has. plancheck's models are its own; no
    # plugin is meant to see them.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


def _codes(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...] | None:
    from checker.config import split_codes

    return split_codes(values) if values else None


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "output_format",
              type=click.Choice(FORMATS), default=None,
              help="Output format (default: the configuration's, else auto: github under GitHub Actions, else full).")
@click.option("--lang", type=click.Choice(["ja", "en"]), default=None,
              help="Language of messages (default: the configuration's, else the locale).")
@click.option("--select", multiple=True, callback=_codes, metavar="CODES",
              help="Only these rule codes or prefixes (comma-separated; ALL for every rule).")
@click.option("--extend-select", multiple=True, callback=_codes, metavar="CODES",
              help="These rule codes or prefixes as well.")
@click.option("--ignore", multiple=True, callback=_codes, metavar="CODES", help="Not these rule codes or prefixes.")
@click.option("--rules", "rulesets", multiple=True, type=click.Path(),
              help="A ruleset file to use instead of the recommended one (it may extend it). Repeatable.")
@click.option("--config", "config_path", type=click.Path(), default=None,
              help="The configuration file (default: the nearest plancheck.toml or pyproject.toml [tool.plancheck]).")
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
@click.option("--fail-level", type=click.Choice(["error", "warning", "info"]), default=None,
              help="Exit 1 when a finding at or above this severity is reported (default: error).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--force-exclude", is_flag=True, help="Skip excluded files even when named on the command line (for pre-commit).")
@click.option("--color/--no-color", default=None, help="Force colour on or off (default: NO_COLOR / FORCE_COLOR / terminal).")
@click.option("--fix", is_flag=True, help="Rewrite stated derived values a rule recomputes exactly (rates, ratio rows, outlook counts).")
@click.option("--diff", "show_diff", is_flag=True, help="Show what --fix would change, without writing; exit 1 if anything would.")
@click.option("--statistics", is_flag=True, help="Print the number of findings per code instead of the findings.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache (.plancheck_cache).")
def check(paths: tuple[str, ...], **options) -> None:
    """Check plan files (default: the configuration's plan set, plans/)."""
    try:
        code = _check(list(paths), **options)
    except click.exceptions.Exit:
        raise
    except Exception as error:  # the last line of defence: never a traceback
        if os.environ.get("PLANCHECK_DEBUG"):
            raise
        lang = options.get("lang") or default_lang()
        click.echo(say("internal_error", lang, error=f"{type(error).__name__}: {error}"), err=True)
        click.echo(say("report_it", lang), err=True)
        code = EXIT_ERROR
    sys.exit(code)


def _settings(paths: list[str], config_path: str | None, isolated: bool, **cli):
    """The configuration file's settings with the command line's over them."""
    from checker.config import Selection, resolve_settings

    settings = resolve_settings(paths, config_path, isolated)
    if cli.get("select") is not None or cli.get("extend_select") or cli.get("ignore"):
        settings.selections = (*settings.selections, Selection(
            origin="the command line", select=cli.get("select"), extend_select=cli.get("extend_select") or (),
            ignore=cli.get("ignore") or ()))
    for name in ("fail_level", "lang"):
        if cli.get(name) is not None:
            setattr(settings, name, cli[name])
    if cli.get("output_format") is not None:
        settings.format = cli["output_format"]
    return settings


def _check(paths: list[str], *, output_format, lang, select, extend_select, ignore, rulesets, config_path, isolated,
           fail_level, exit_zero, force_exclude, color, fix, show_diff, statistics, no_cache) -> int:
    from checker.config import ConfigError
    from checker.discovery import discover, display_name
    from checker.engine import Engine
    from checker.loader import read_file
    from checker.report import ReportContext
    from checker.rules import RulesetError

    try:
        settings = _settings(paths, config_path, isolated, select=select, extend_select=extend_select,
                             ignore=ignore, fail_level=fail_level, lang=lang, output_format=output_format)
        ruleset = settings.apply_to(_ruleset(rulesets, settings, None if no_cache else _open_cache(settings)))
    except (ConfigError, RulesetError) as error:
        _config_error(error, lang or default_lang())
        return EXIT_ERROR
    lang = settings.lang or default_lang()
    targets = paths or [str(path) for path in settings.plan_set_paths()]
    found = discover(targets, settings, force_exclude)
    if found.missing:
        for raw in found.missing:
            click.echo(say("no_such_path", lang, path=raw), err=True)
        return EXIT_ERROR
    if not found.checked:
        if paths and force_exclude:
            return EXIT_CLEAN  # pre-commit handed over only excluded files
        click.echo(say("no_plan_files", lang, paths=", ".join(targets)), err=True)
        return EXIT_ERROR
    # one order whatever was named, so a cross-document reference never depends on it
    everything = sorted([*found.checked, *found.context], key=lambda path: path.absolute())
    checked = [display_name(path) for path in found.checked]
    reported = set(checked)
    cache = None if no_cache else _open_cache(settings, ruleset)
    read = [read_file(path, display_name(path), settings.limits) for path in everything]
    file_keys = [cache.key("file", stub.name, raw) if cache and raw is not None else None for stub, raw in read]
    run_key = None
    if cache is not None and None not in file_keys and not (fix or show_diff):
        # the whole run's key: every file of the set (context too), what is reported, and
        # the per-file ignores: a change anywhere in the plan set is a new run
        run_key = cache.key("run", *file_keys, *sorted(reported), str(settings.root),
                            json.dumps(settings.per_file_ignores, sort_keys=True))
        diagnostics = cache.get("run", run_key)
        if diagnostics is not None:
            sources = _sources_of(diagnostics, {stub.name: raw for stub, raw in read})
            return _finish(diagnostics, ReportContext(lang=lang, sources=sources, checked=checked, color=color),
                           settings, ruleset, statistics, exit_zero)
    engine = Engine(ruleset)
    loaded, own = _load(read, file_keys, settings.limits, cache, engine)
    # only what is reported is resolved and suppressed: the context serves the plan set's rules
    mine = [file for file in loaded if file.name in reported]
    own_found = [d for file, diagnostics in zip(loaded, own) if file.name in reported for d in diagnostics]
    own_found += engine.set_diagnostics(loaded, only=reported)
    diagnostics = _reported(engine.finish(mine, own_found), reported, settings, loaded)
    if cache is not None and run_key is not None:
        cache.put("run", run_key, diagnostics)
    if show_diff:
        return _diff(mine, diagnostics, lang, settings.limits)
    written = _fix(mine, diagnostics, lang, settings.limits) if fix else set()
    if written:
        # only the rewritten files are read again; the rest are as they were checked
        from checker.loader import load_file

        loaded = [load_file(f.path, f.name, settings.limits) if f.path in written else f for f in loaded]
        diagnostics = _reported(engine.run(loaded), reported, settings, loaded)
    context = ReportContext(lang=lang, sources=_sources_of(diagnostics, {f.name: f.text for f in loaded}),
                            checked=checked, color=color)
    return _finish(diagnostics, context, settings, ruleset, statistics, exit_zero)


def _config_error(error: Exception, lang: str) -> None:
    from checker.config import ConfigError

    text = error.text(lang) if isinstance(error, ConfigError) else error
    click.echo(say("config_error", lang, error=text), err=True)


def _finish(diagnostics, context, settings, ruleset, statistics: bool, exit_zero: bool) -> int:
    """Report, and the exit code."""
    from checker.diagnostics import Severity
    from checker.engine import INTERNAL_ERROR

    if statistics:
        _statistics(diagnostics, ruleset, settings.format)
    else:
        _emit(diagnostics, context, settings.format, ruleset)
    internal = ruleset.loader_rule(INTERNAL_ERROR)
    if internal is not None and any(d.code == internal.code for d in diagnostics):
        return EXIT_ERROR  # a bug in plancheck, not a finding: exit as ruff does on one
    threshold = Severity.parse(settings.fail_level)
    failed = any(d.severity >= threshold for d in diagnostics)
    return EXIT_FINDINGS if failed and not exit_zero else EXIT_CLEAN


def _open_cache(settings, ruleset=None):
    """The cache for this run's checks, or (without a ruleset) for parsed ruleset files."""
    from checker.cache import (
        CACHE_DIR_NAME,
        Cache,
        code_fingerprint,
        parse_fingerprint,
        ruleset_fingerprint,
    )

    directory = Path(os.environ.get("PLANCHECK_CACHE_DIR") or settings.cache_dir or settings.root / CACHE_DIR_NAME)
    if ruleset is None:
        return Cache(directory, parse_fingerprint())
    return Cache(directory, code_fingerprint() + ruleset_fingerprint(ruleset, settings.limits))


def _load(read, file_keys, limits, cache, engine):
    """Every file loaded, with the diagnostics it gives on its own (`Engine.file_diagnostics`):
    from the cache when its bytes were seen before, else parsed and checked (in worker
    processes when there are many, so both cores work), with a progress bar on a terminal
    for long runs."""
    import pickle

    results: list = [None] * len(read)
    pending = []
    for index, ((stub, raw), key) in enumerate(zip(read, file_keys)):
        cached = cache.get("file", key) if key is not None else None
        if raw is None:
            results[index] = (stub, engine.file_diagnostics(stub))
        elif cached is not None:
            cached[0].path = stub.path
            results[index] = cached
        else:
            pending.append(index)
    progress = _progress(len(pending))
    workers = min(os.cpu_count() or 1, PARALLEL_MAX_WORKERS)
    if len(pending) >= PARALLEL_MIN_FILES and workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        from checker.model import build_validator

        build_validator()  # forked workers inherit the model, ready, and this process needs it to read theirs
        size = max(1, min(PARALLEL_CHUNK, -(-len(pending) // (workers * 4))))
        chunks = [pending[start:start + size] for start in range(0, len(pending), size)]
        with ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(engine.ruleset, limits)) as pool:
            jobs = [(chunk, pool.submit(_check_chunk, [read[index] for index in chunk])) for chunk in chunks]
            for chunk, job in jobs:
                for index, payload in zip(chunk, job.result()):
                    # the worker's pickle goes to the cache as it is, and is read once here
                    if cache is not None:
                        cache.put_pickled("file", file_keys[index], payload)
                    results[index] = pickle.loads(payload)
                    results[index][0].path = read[index][0].path
                progress(len(chunk))
    else:
        for index in pending:
            results[index] = _parse_and_check(engine, read[index][0], read[index][1], limits)
            if cache is not None:
                cache.put("file", file_keys[index], results[index])
            progress(1)
    progress(None)
    return [loaded for loaded, _ in results], [diagnostics for _, diagnostics in results]


_worker_engine = _worker_limits = None


def _start_worker(ruleset, limits):
    """In a worker process, once: the engine that checks each file it parses."""
    global _worker_engine, _worker_limits
    from checker.engine import Engine
    from checker.functions import load_builtin_functions

    load_builtin_functions()  # a spawned worker (macOS, Windows) starts with none registered
    _worker_engine, _worker_limits = Engine(ruleset), limits


def _check_chunk(items):
    """In a worker process: parse and check some files; each (file, its own diagnostics)
    pickled, as the cache keeps it."""
    import pickle

    return [pickle.dumps(_parse_and_check(_worker_engine, stub, raw, _worker_limits), pickle.HIGHEST_PROTOCOL)
            for stub, raw in items]


def _parse_and_check(engine, stub, raw, limits):
    """One file parsed, and the diagnostics it gives on its own."""
    from checker import loader

    loaded = loader.load_bytes(stub, raw, limits)
    return loaded, engine.file_diagnostics(loaded)


def _progress(total: int):
    """A callback advancing a progress bar on stderr when it is a terminal and the run is
    long (None ends it); otherwise one that does nothing."""
    if total < PROGRESS_MIN_FILES or not sys.stderr.isatty():
        return lambda step: None
    from rich.console import Console
    from rich.progress import Progress

    bar = Progress(console=Console(stderr=True), transient=True)
    bar.start()
    task = bar.add_task("checking", total=total)

    def advance(step):
        if step is None:
            bar.stop()
        else:
            bar.advance(task, step)
    return advance


def _sources_of(diagnostics, texts: dict) -> dict[str, list[str]]:
    """The lines of the files the diagnostics point into (and only those), from each file's
    text or bytes by name."""
    wanted = {d.file for d in diagnostics} | {related.location.file for d in diagnostics for related, _ in d.related}
    return {name: (text.decode("utf-8-sig", errors="replace") if isinstance(text, bytes) else text).splitlines()
            for name, text in texts.items() if name in wanted and text is not None}


def _reported(diagnostics, reported: set[str], settings, loaded):
    """The diagnostics on the files being checked (not the context), less per-file ignores."""
    paths = {file.name: file.path for file in loaded}
    return [d for d in diagnostics
            if d.file in reported and not settings.ignored_here(d.code, paths.get(d.file, Path(d.file)))]


def _statistics(diagnostics, ruleset, output_format: str) -> None:
    """Counts per code, most frequent first (as ruff --statistics)."""
    from collections import Counter

    counts = Counter(d.code for d in diagnostics)
    rows = [{"code": code, "name": ruleset.rules[code].name if code in ruleset.rules else "",
             "count": count, "fixable": bool(code in ruleset.rules and ruleset.rules[code].fixable)}
            for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
    if output_format == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(f"{row['count']:>5}\t{row['code']}\t{row['name']}{'  [*]' if row['fixable'] else ''}")


def _fix_plans(loaded, diagnostics, lang: str, limits):
    from checker.fixes import FixError, plan_fixes

    plans, problems = [], []
    for file in loaded:
        try:
            planned = plan_fixes(file, diagnostics, limits)
        except FixError as error:
            problems.append(str(error))
            continue
        if planned.changed:
            plans.append(planned)
    for problem in problems:
        click.echo(say("not_fixed", lang, problem=problem), err=True)
    return plans


def _diff(loaded, diagnostics, lang: str, limits) -> int:
    plans = _fix_plans(loaded, diagnostics, lang, limits)
    for planned in plans:
        sys.stdout.write(planned.diff())
    count = sum(planned.count for planned in plans)
    click.echo(say("would_fix", lang, values=count, files=len(plans)), err=True)
    return EXIT_FINDINGS if plans else EXIT_CLEAN


def _fix(loaded, diagnostics, lang: str, limits) -> set:
    """Apply the safe fixes; the paths of the files written."""
    from checker.fixes import FixError, write_atomically

    written = set()
    values = 0
    for planned in _fix_plans(loaded, diagnostics, lang, limits):
        try:
            write_atomically(planned.loaded.path, planned.text, planned.loaded.text)
        except (FixError, OSError) as error:
            click.echo(say("not_fixed", lang, problem=error), err=True)
            continue
        written.add(planned.loaded.path)
        values += planned.count
    if written:
        click.echo(say("fixed", lang, values=values, files=len(written)), err=True)
    return written


def _ruleset(rulesets: tuple[str, ...], settings=None, cache=None):
    """`--rules` files replace the recommended ruleset; the configuration's `rulesets`
    are loaded over it (relative to the configuration file)."""
    from checker.config import ConfigError
    from checker.rules import RulesetError, load_ruleset

    if rulesets:
        specs, base = list(rulesets), Path.cwd()
    else:
        specs, base = ["recommended", *(settings.rulesets if settings else ())], settings.root if settings else Path.cwd()
    merged = None
    for spec in specs:
        try:
            loaded = load_ruleset(spec, base, cache=cache)
        except RulesetError as error:
            if rulesets or settings is None or settings.source is None:
                raise
            raise ConfigError(f"{settings.source}: rulesets: {error}",
                              f"{settings.source}: rulesets: 規則セットを読めません: {error}") from None
        if merged is None:
            merged = loaded
        else:
            merged.rules.update(loaded.rules)
            merged.sources.extend(loaded.sources)
    return merged


def _emit(diagnostics, context, output_format: str, ruleset) -> None:
    if output_format == "auto":
        # workflow commands under GitHub Actions (annotations on the pull request), else full
        output_format = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "full"
    # each format imports only its own renderer: the one-file check is mostly start-up
    if output_format == "sarif":
        from checker.report.sarif import render_sarif

        sys.stdout.write(render_sarif(diagnostics, context, ruleset.enabled()))
        return
    if output_format in ("github", "junit"):
        from checker.report import ci

        sys.stdout.write((ci.render_github if output_format == "github" else ci.render_junit)(diagnostics, context))
        return
    from checker.report import text

    if output_format == "json":
        sys.stdout.write(text.render_json(diagnostics, context))
    elif output_format == "concise":
        sys.stdout.write(text.render_concise(diagnostics, context))
    else:
        text.render_full(diagnostics, context, stream=sys.stdout)


@main.command()
def schema() -> None:
    """Print the JSON Schema of the plan file format."""
    from checker.model import plan_json_schema

    click.echo(json.dumps(plan_json_schema(), ensure_ascii=False, indent=2))


def _configured_ruleset(rulesets: tuple[str, ...]):
    """The ruleset a check from here would use (configuration found from the working
    directory), for `plancheck rules` and `plancheck rule`; exits 2 on a bad one."""
    from checker.config import ConfigError, resolve_settings
    from checker.rules import RulesetError

    try:
        settings = resolve_settings([])
        return settings, settings.apply_to(_ruleset(rulesets, settings))
    except (ConfigError, RulesetError) as error:
        _config_error(error, default_lang())
        sys.exit(EXIT_ERROR)


@main.command("rules")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--rules", "rulesets", multiple=True, type=click.Path(), help="Ruleset file(s) to list.")
def list_rules(output_format: str, rulesets: tuple[str, ...]) -> None:
    """List every rule: code, name, severity, fixable."""
    _, ruleset = _configured_ruleset(rulesets)
    rows = [
        {"code": rule.code, "name": rule.name, "severity": rule.severity.label if rule.severity else "off",
         "fixable": rule.fixable}
        for rule in sorted(ruleset.rules.values(), key=lambda rule: rule.code)
    ]
    if output_format == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        fix = "fixable" if row["fixable"] else ""
        click.echo(f"{row['code']:<8} {row['name']:<32} {row['severity']:<8} {fix}".rstrip())


@main.command("rule")
@click.argument("code")
@click.option("--lang", type=click.Choice(["ja", "en"]), default=None)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--rules", "rulesets", multiple=True, type=click.Path())
def show_rule(code: str, lang: str | None, output_format: str, rulesets: tuple[str, ...]) -> None:
    """Print one rule's documentation: what it checks, why, a bad and a good example."""
    import difflib

    settings, ruleset = _configured_ruleset(rulesets)
    lang = lang or settings.lang or default_lang()
    rule = ruleset.rules.get(code.upper()) or next((r for r in ruleset.rules.values() if r.name == code), None)
    if rule is None:
        close = difflib.get_close_matches(code.upper(), sorted(ruleset.rules), n=1)
        hint = phrase("did_you_mean", lang, candidate=close[0]) if close else ""
        click.echo(say("no_rule", lang, code=code, hint=hint), err=True)
        sys.exit(EXIT_ERROR)
    docs = rule.docs
    if output_format == "json":
        click.echo(json.dumps({
            "code": rule.code, "name": rule.name, "severity": rule.severity.label if rule.severity else "off",
            "fixable": rule.fixable, "function": rule.function, "given": list(rule.given),
            "message": rule.message, "help": rule.help, "docs": docs,
        }, ensure_ascii=False, indent=2))
        return
    heads = {"ja": ("検査内容", "理由", "悪い例", "良い例", "重大度", "自動修正"),
             "en": ("What it checks", "Why it matters", "Bad", "Good", "Severity", "Fixable")}[lang]
    click.echo(f"{rule.code} ({rule.name})")
    click.echo(f"{heads[4]}: {rule.severity.label if rule.severity else 'off'}   {heads[5]}: {'yes' if rule.fixable else 'no'}")
    for head, key in ((heads[0], "what"), (heads[1], "why")):
        if key in docs:
            click.echo(f"\n## {head}\n{docs[key][lang]}")
    for head, key in ((heads[2], "bad"), (heads[3], "good")):
        example = docs.get(key)
        if isinstance(example, dict):  # a cross-document example: one block per file
            click.echo(f"\n## {head}")
            for name, text in example.items():
                click.echo(f"\n{name}:\n```yaml\n{text.rstrip()}\n```")
        elif example:
            click.echo(f"\n## {head}\n```yaml\n{example.rstrip()}\n```")


if __name__ == "__main__":
    main()
