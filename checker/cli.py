"""The `plancheck` command line.

`plancheck [PATH...]` checks plan files (default: `plans/`); `plancheck schema`,
`plancheck rules`, `plancheck rule CODE` and `plancheck format [TOPIC]` print the plan format
and the rule docs; `plancheck init --kind KIND` writes a starter file. Japanese help and
usage errors: checker/cli_ja.py.
Exit codes: 0 clean, 1 findings at or above the fail level, 2 usage, configuration or
internal error, 130 interrupted (SIGINT), 143 stopped by SIGTERM (128 + the signal, as a
shell reports it).
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import io
import json
import os
import select
import signal
import sys
import threading
from pathlib import Path
from typing import NamedTuple, TextIO

import click

from checker.config import allowed
from checker.messages import line, phrase, say
from checker.report.safe import json_safe, shown
from checker.starters import STARTERS

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED, EXIT_TERMINATED = 128 + signal.SIGINT, 128 + signal.SIGTERM
# a progress bar only when loading takes long enough to wonder
PROGRESS_MIN_FILES = 100


def default_lang() -> str:
    """The locale's language (checker.cli_ja.choose_lang: PLANCHECK_LANG, LC_ALL,
    LC_MESSAGES, LANG, Windows' UI language)."""
    from checker.cli_ja import choose_lang

    return choose_lang()


def _before_exit() -> None:
    """Everything the process made moved out of the garbage collector's sight, as it ends.

    The interpreter's shutdown collects garbage over every object still alive (the plan
    model's classes, pydantic's schemas, the modules): about a sixth of a one-file check,
    finding nothing worth it, since the process is ending. Frozen objects are not walked;
    everything else shutdown does still happens (atexit handlers, coverage's data in the
    tests, the standard streams flushed). Nothing of plancheck's waits for the collector:
    every file, cache entry and report is written and closed before the command returns."""
    import gc

    gc.freeze()


class _DefaultCheckGroup(click.Group):
    """`plancheck PATH...` means `plancheck check PATH...`, as `ruff` users would expect
    of a checker whose main job is checking. Its help and click's messages speak the run's
    language (`--lang`, else the locale; checker/cli_ja.py)."""

    def main(self, args=None, *rest, **options):
        from checker.cli_ja import localize, prepare, use_click_messages

        prepare(self, sys.argv[1:] if args is None else list(args))
        try:
            return super().main(args, *rest, **options)
        finally:  # click as it was, for a program that embeds this one and uses click itself
            use_click_messages("en")
            localize(self, "en")
            if args is None:  # the process's own command line (the console script, python -m checker)
                _before_exit()

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        from checker.cli_ja import without_lang

        if without_lang(args) in (["--help"], ["-h"]):
            args = without_lang(args)  # `plancheck --lang ja --help`: the commands, in Japanese
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            misplaced = next((arg for arg in args if arg in self.commands and arg != "check"), None)
            if misplaced is not None and args[0].startswith("-"):
                # `plancheck --rules x.yaml rules` would otherwise check a directory named rules
                rest = " ".join(arg for arg in args if arg != misplaced)
                from checker.cli_ja import lang_in

                asked = lang_in(args)
                lang = asked if asked in ("ja", "en") else default_lang()
                raise click.UsageError(phrase("options_after_command", lang, command=f"plancheck {misplaced} {rest}"),
                                       ctx)
            args = ["check", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_DefaultCheckGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="plancheck", prog_name="plancheck", message="%(prog)s %(version)s")
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


def _globs(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...] | None:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip()) if values else None


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "output_format",
              type=click.Choice(allowed("format"), case_sensitive=False), default=None,
              help="Output format (default: the configuration's, else auto: github under GitHub Actions, else full).")
@click.option("--lang", type=click.Choice(allowed("lang"), case_sensitive=False), default=None,
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
@click.option("--fail-level", type=click.Choice(allowed("fail-level"), case_sensitive=False), default=None,
              help="Exit 1 when a finding at or above this severity is reported (default: error).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--force-exclude", is_flag=True, help="Skip excluded files even when named on the command line (for pre-commit).")
@click.option("--color/--no-color", default=None, help="Force colour on or off (default: NO_COLOR / FORCE_COLOR / terminal).")
@click.option("--fix", is_flag=True, help="Apply the safe fixes (those that change no printed figure).")
@click.option("--unsafe-fixes", is_flag=True,
              help="With --fix or --diff, apply the unsafe fixes too: rewriting a printed figure (a rate, a ratio row, "
                   "an outlook count) that a rule recomputes exactly.")
@click.option("--diff", "show_diff", is_flag=True, help="Show what --fix would change, without writing; exit 1 if anything would.")
@click.option("--statistics", is_flag=True, help="Print the number of findings per code instead of the findings.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache (.plancheck_cache).")
@click.option("--show-unchecked", is_flag=True,
              help="List every relation that could not be checked, at the value that blocked it, with why.")
@click.option("--exclude", multiple=True, callback=_globs, metavar="GLOBS",
              help="Gitignore-style globs to skip when a directory is searched, instead of the configuration's exclude "
                   "(comma-separated; repeatable).")
@click.option("--extend-exclude", multiple=True, callback=_globs, metavar="GLOBS",
              help="Globs to skip as well as the configuration's.")
@click.option("--respect-gitignore/--no-respect-gitignore", default=None,
              help="Skip what the repository's .gitignore files and .git/info/exclude ignore (default: on).")
@click.option("--show-settings", is_flag=True, help="Print the configuration file used and the resolved settings; check nothing.")
@click.option("--show-files", is_flag=True,
              help="List the files that would be checked (stdout) and what is skipped and why (stderr); check nothing.")
@click.option("--plan-set-only", is_flag=True,
              help="Of the files named, check only the plans of the configuration's plan set (what the pre-commit hook "
                   "passes: every changed YAML file).")
@click.option("--baseline", "baseline", type=click.Path(), default=None, metavar="FILE",
              help="Report only the findings this baseline does not list, and the entries no finding matches any more.")
@click.option("--write-baseline", type=click.Path(), default=None, metavar="FILE",
              help="Record the current findings in FILE (a baseline for --baseline) instead of reporting them.")
@click.option("--stdin-filename", metavar="PATH", default=None,
              help="With `-` as the path: the plan read from standard input is this file (its name in findings, "
                   "its configuration and plan set); --fix writes the fixed text to standard output.")
@click.option("-o", "--output-file", "--output", "outputs", multiple=True, metavar="[FORMAT:]PATH",
              help="Also write a report to PATH (repeatable: -o report.html -o results.sarif). The format is "
                   "FORMAT: when given (html:report.out), else PATH's extension (.html .htm html, .sarif sarif, "
                   ".json json, .xml junit, .csv csv, .xlsx xlsx: an annotated copy of the imported workbook), else --format's. The terminal still shows the usual report (--format's "
                   "when no file takes it, else auto). Each file is written whole (a temporary file renamed over it); "
                   "one that cannot be written is exit 2.")
@click.option("-q", "--quiet", is_flag=True, help="Print the findings only: no summary line.")
@click.option("-v", "--verbose", is_flag=True,
              help="Also print (on stderr) the configuration and rules used, each file checked, and the timings.")
@click.option("--max-diagnostics", type=click.IntRange(min=0), default=None, metavar="N",
              help="Show at most N findings (a line says how many more there are); the exit code is unchanged.")
def check(paths: tuple[str, ...], **options) -> None:
    """Check plan files (default: the configuration's plan set, plans/)."""
    previous = _stop_on_signals()
    try:
        code = _check(list(paths), **options)
    except click.exceptions.Exit:
        raise
    except KeyboardInterrupt:  # the worker processes were stopped on the way out (run._load)
        click.echo(say("interrupted", options.get("lang") or default_lang()), err=True)
        code = EXIT_INTERRUPTED
    except Terminated:
        click.echo(say("terminated", options.get("lang") or default_lang()), err=True)
        code = EXIT_TERMINATED
    except Exception as error:  # the last line of defence: never a traceback
        if os.environ.get("PLANCHECK_DEBUG"):
            raise
        lang = options.get("lang") or default_lang()
        click.echo(shown(say("internal_error", lang, error=f"{type(error).__name__}: {error}")), err=True)
        click.echo(say("report_it", lang), err=True)
        code = EXIT_ERROR
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if code in (EXIT_INTERRUPTED, EXIT_TERMINATED) and sys.stdout is sys.__stdout__:
        # The workers are stopped and the message is out; the pool's queue feeder thread may
        # still print a broken-pipe traceback while the interpreter tears down. Nothing is
        # left to write or clean up, so end here, as the signal itself would have.
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, AttributeError):  # a closed pipe, or no stream at all
                stream.flush()  # type: ignore[union-attr]  # None where Python was started without one
        os._exit(code)
    sys.exit(code)


class Terminated(BaseException):
    """SIGTERM, raised in the main thread as KeyboardInterrupt is for SIGINT: a base
    exception, so no `except Exception` on the way takes it for a failure."""


def _stop_on_signals() -> dict:
    """SIGINT and SIGTERM raised as exceptions in this process, so the run unwinds (its
    worker processes stopped) and exits with a message; the handlers it replaced."""
    if threading.current_thread() is not threading.main_thread():
        return {}  # only the main thread may set handlers (an embedding program's thread)
    main_pid = os.getpid()

    def stop(signum, frame):
        if os.getpid() != main_pid:
            # a forked worker, before its initializer sets its own handlers: what it will do
            signal.signal(signum, signal.SIG_DFL if signum == signal.SIGTERM else signal.SIG_IGN)
            if signum == signal.SIGTERM:
                os.kill(os.getpid(), signum)
            return
        raise KeyboardInterrupt if signum == signal.SIGINT else Terminated

    return {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}


def _check(paths: list[str], *, output_format, lang, select, extend_select, ignore, rulesets, config_path, isolated,
           fail_level, exit_zero, force_exclude, color, fix, show_diff, statistics, no_cache, unsafe_fixes,
           show_unchecked, exclude=None, extend_exclude=None, respect_gitignore=None, show_settings=False,
           show_files=False, plan_set_only=False, baseline=None, write_baseline=None, stdin_filename=None,
           outputs=(), quiet=False, verbose=False, max_diagnostics=None) -> int:
    import time

    from checker.config import ConfigError
    from checker.run import RunOptions, execute, prepare, stdin_output, with_stdin

    stdin = _stdin_path(paths, stdin_filename, lang)
    if stdin is not None:
        paths = [stdin]

    if write_baseline is not None and (fix or show_diff):
        raise click.UsageError(phrase("baseline_with_fix", lang or default_lang()))
    options = RunOptions(paths=tuple(paths), select=select, extend_select=extend_select or (), ignore=ignore or (),
                         rulesets=rulesets, config_path=config_path, isolated=isolated, fail_level=fail_level,
                         lang=lang, output_format=output_format, force_exclude=force_exclude, no_cache=no_cache,
                         fix=fix, diff=show_diff, unsafe_fixes=unsafe_fixes, exclude=exclude,
                         extend_exclude=extend_exclude or (), respect_gitignore=respect_gitignore,
                         plan_set_only=plan_set_only, baseline=baseline, write_baseline=write_baseline)
    started, wall = time.perf_counter(), time.time()
    try:
        prepared = prepare(options)
    except ConfigError as error:
        click.echo(shown(say("config_error", lang or error.lang or default_lang(), error=error.message)), err=True)
        return EXIT_ERROR
    lang = prepared.settings.lang or default_lang()
    if show_settings or show_files:
        from checker.run import shown_settings_and_files

        out, err = shown_settings_and_files(prepared, lang, settings=show_settings, files=show_files)
        _write("".join(f"plancheck: {shown(text)}\n" for text in err), sys.stderr)
        _write("".join(shown(text) + "\n" for text in out.splitlines()), sys.stdout)
        return EXIT_CLEAN
    if stdin is not None:
        prepared = with_stdin(prepared, stdin, sys.stdin.buffer)
    try:
        files = _outputs(outputs, output_format, show_diff)
    except _UsageProblem as problem:
        click.echo(shown(line(problem.text, lang)), err=True)
        return EXIT_ERROR
    terminal = _terminal_format(prepared.settings.format, files)
    from checker.report import chosen

    if chosen(terminal).binary and not (statistics or show_diff):  # bytes are for a file, not the terminal
        click.echo(shown(say("output_binary", lang, format=terminal)), err=True)
        return EXIT_ERROR

    if any(chosen(name).needs_files for name in (terminal, *(name for name, _ in files))):
        # a report that shows the plans themselves: the run keeps their models
        prepared = prepared._replace(options=prepared.options._replace(keep_files=True))
    timings = {"prepare": time.perf_counter() - started}
    result = execute(prepared, _progress)
    timings["check"] = time.perf_counter() - started - timings["prepare"]
    if result.baseline_written or result.baseline_failed:  # the findings went to the baseline, not to a report
        _write("".join(shown(line(note, lang)) + "\n" for note in result.notes), sys.stderr)
        return EXIT_ERROR if result.baseline_failed else EXIT_CLEAN
    result.settings.format = terminal
    code = _exit_code(result, paths, force_exclude=force_exclude, show_diff=show_diff, exit_zero=exit_zero)
    view = _View(quiet=quiet, verbose=verbose, max_diagnostics=max_diagnostics, timings=timings, started=wall,
                 exit_code=code)
    if _write_outputs(result, files, lang, color=color, show_unchecked=show_unchecked, view=view):
        code = EXIT_ERROR  # a report file that could not be written: the run's outputs are not whole
    try:
        if stdin is not None and fix:  # the fixed text is the output; the report goes to stderr
            _write_bytes(*stdin_output(prepared, result, stdin), sys.stdout)
            with contextlib.redirect_stdout(sys.stderr):
                _print(result, lang, color=color, show_diff=show_diff, statistics=statistics,
                       show_unchecked=show_unchecked, shown_as=view)
        else:
            _print(result, lang, color=color, show_diff=show_diff, statistics=statistics, show_unchecked=show_unchecked,
                   shown_as=view)
    except BrokenPipeError:
        # the reader has gone (`plancheck ... | head -1`): it wanted no more, so nothing more
        # is said, and Python's own flush at exit must not fail on the closed pipe either
        _discard(sys.stdout)
        _discard(sys.stderr)
    except OSError as error:  # a full disk, a failed write: the report is not whole
        _discard(sys.stdout)
        with contextlib.suppress(OSError):  # stderr cannot be written either: the exit code is all that is left
            click.echo(shown(say("write_failed", lang, error=error.strerror or error)), err=True)
        return EXIT_ERROR
    return code


def _exit_code(result, paths: list[str], *, force_exclude: bool, show_diff: bool, exit_zero: bool) -> int:
    """The exit code a check's result calls for (before anything is written: SARIF records it)."""
    if result.missing:
        return EXIT_ERROR
    if not result.checked:
        return EXIT_CLEAN  # nothing to check is a warning, as ruff has it, not a failure
    if show_diff:
        return EXIT_FINDINGS if result.fix and result.fix.files else EXIT_CLEAN
    if result.internal_error:
        return EXIT_ERROR  # a bug in plancheck, not a finding: exit as ruff does on one
    return EXIT_FINDINGS if result.failed and not exit_zero else EXIT_CLEAN


def _stdin_path(paths: list[str], stdin_filename: str | None, lang: str | None) -> str | None:
    """The path standard input stands for when `-` is the path, or `--stdin-filename` is
    given without paths (as ruff reads it): `--stdin-filename`, else `-` itself; None
    without either; a usage error when standard input comes with other paths."""
    if "-" not in paths and not (stdin_filename and not paths):
        if stdin_filename:
            raise click.UsageError(phrase("stdin_alone", lang or default_lang()))
        return None
    if len(paths) > 1:
        raise click.UsageError(phrase("stdin_alone", lang or default_lang()))
    return stdin_filename or "-"


def _write_bytes(data: bytes, more: bool, stream: TextIO) -> None:
    """Bytes to a stream as they are (the fixed text of standard input), then with `more`
    the rest of standard input, unread past the size limit, so a file too large to check
    comes back whole."""
    from checker.loader import read_stream

    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        stream.write(data.decode("utf-8", errors="replace"))
        stream.flush()
        return
    stream.flush()
    buffer.write(data)
    while more and (rest := read_stream(sys.stdin.buffer)):
        buffer.write(rest)
    buffer.flush()


class _UsageProblem(Exception):
    def __init__(self, text) -> None:
        super().__init__(text.en)
        self.text = text


def _outputs(outputs: tuple[str, ...], output_format: str | None, show_diff: bool) -> list[tuple[str, str]]:
    """The report files asked for (`-o`), each as (format name, path): `FORMAT:PATH`, else
    the path's extension, else `--format`; a `_UsageProblem` for one whose format cannot be
    told, a path named twice, or outputs with --diff (which prints no report)."""
    from checker.messages import message
    from checker.report import AUTO, REGISTRY, format_of_path

    if outputs and show_diff:
        raise _UsageProblem(message("output_with_diff"))
    files: list[tuple[str, str]] = []
    seen: set[str] = set()
    for raw in outputs:
        prefix, colon, rest = raw.partition(":")
        if colon and prefix.lower() in REGISTRY and rest:
            name, path = prefix.lower(), rest
        else:
            format = format_of_path(raw)
            if format is not None:
                name, path = format.name, raw
            elif output_format is not None and output_format != AUTO:
                name, path = output_format, raw
            else:
                suffixes = " ".join(suffix for format in REGISTRY.values() for suffix in format.suffixes)
                raise _UsageProblem(message("output_unknown_format", path=raw, suffixes=suffixes))
        real = os.path.realpath(path)
        if real in seen:
            raise _UsageProblem(message("output_twice", path=path))
        seen.add(real)
        files.append((name, path))
    return files


def _terminal_format(configured: str, files: list[tuple[str, str]]) -> str:
    """What the terminal shows: the configured (or --format) format, unless a file takes it
    (`--format html -o report.html`), when it is `auto` (the full report, or annotations
    under GitHub Actions)."""
    from checker.report import AUTO

    return AUTO if files and configured in {name for name, _ in files} else configured


def _write_outputs(result, files: list[tuple[str, str]], lang: str, *, color: bool | None,
                   show_unchecked: bool, view: _View) -> bool:
    """Write each report file whole (atomically); say which were written and which could
    not be, on stderr. Whether any failed. Nothing is written for a run that checked no
    file (a missing path, no plan files: exit 2 with its own message)."""
    if not files or result.missing or not result.checked:
        return False
    from checker.fixes import FixError, write_output
    from checker.messages import message
    from checker.report import REGISTRY, ReportContext, ReportRefused, render, render_binary

    inputs = {os.path.realpath(name) for name in result.checked}
    inputs |= {os.path.realpath(file.path) for file in result.files}
    failed = False
    for name, path in files:
        note, said = None, None
        if os.path.realpath(path) in inputs:
            note, failed = message("output_is_input", path=path), True
        else:
            context = ReportContext(lang=lang, sources=result.sources, checked=result.checked, color=False,
                                    relations=result.relations, show_unchecked=show_unchecked, files=result.files,
                                    started=view.started, exit_code=view.exit_code, command_line=list(sys.argv),
                                    output=path, root=str(result.settings.root))
            notes: list = []
            data: bytes | None = None
            try:
                if REGISTRY[name].binary:  # the annotated workbook: bytes, and what the run says of them
                    data, notes = render_binary(name, result.diagnostics, context)
                else:
                    data = render(name, result.diagnostics, context, result.ruleset).encode("utf-8", errors=UNENCODABLE)
            except ReportRefused as refused:  # nothing to make it from: said, and nothing written
                note, failed = message("output_failed", path=path, error=refused.text), True
            try:
                if data is not None:
                    write_output(Path(path), data)
            except FixError as error:
                note, failed = message("output_failed", path=path, error=error.text), True
            except OSError as error:
                note, failed = message("output_failed", path=path, error=error.strerror or str(error)), True
            else:
                if data is not None:
                    note = message("output_written", format=name, path=path, size=_size(len(data)))
                    said = [note, *notes]
        with contextlib.suppress(OSError):
            _write("".join(shown(line(each, lang)) + "\n" for each in said or [note]), sys.stderr)
    return failed


def _size(count: int) -> str:
    return f"{count} B" if count < 1024 else f"{count / 1024:.0f} KB" if count < 1024 * 1024 else f"{count / 1048576:.1f} MB"


class _View(NamedTuple):
    """How much a check prints besides its findings: `-q`, `-v`, `--max-diagnostics`."""

    quiet: bool = False
    verbose: bool = False
    max_diagnostics: int | None = None
    timings: dict[str, float] | None = None
    started: float | None = None  # seconds since the epoch
    exit_code: int | None = None


_VERBOSE = {
    "ja": {"config": "設定ファイル: {path}", "no_config": "設定ファイル: なし（既定の設定）",
           "rules": "有効なルール: {count} 件（{format} 形式、言語 {lang}）", "file": "検査: {file}（関係 {count} 件）",
           "cached": "（前回の結果をキャッシュから）", "resident": "常駐プロセス（pid {pid}）から fork した子で実行",
           "timings": "所要時間: 設定と規則 {prepare} ms、読み込みと検査 {check} ms、出力 {report} ms",
           "not_shown": "ほか {count} 件の指摘は表示していません（--max-diagnostics {limit}）"},
    "en": {"config": "configuration: {path}", "no_config": "configuration: none (the defaults)",
           "rules": "rules enabled: {count} (format {format}, language {lang})",
           "file": "checked: {file} ({count} relations)", "cached": "(answered from the cache)",
           "resident": "run in a child of the resident process (pid {pid})",
           "timings": "timings: settings and rules {prepare} ms, loading and checking {check} ms, report {report} ms",
           "not_shown": "{count} more findings not shown (--max-diagnostics {limit})"},
}


def _verbose_head(result, lang: str) -> str:
    """What `-v` says before the report: the configuration, the rules, each file checked."""
    words = _VERBOSE[lang]
    settings = result.settings
    lines = [words["config"].format(path=shown(settings.source)) if settings.source else words["no_config"],
             words["rules"].format(count=len(result.ruleset.enabled()), format=settings.format, lang=lang)]
    by_file = result.relations.checked_by_file if result.relations is not None else {}
    lines += [words["file"].format(file=shown(file), count=by_file.get(file, 0)) for file in result.checked]
    if result.from_cache:
        lines.append(words["cached"])
    resident = sys.modules.get("checker.daemon")  # imported only where a run was handed over
    if resident is not None and resident.serving is not None:
        lines.append(words["resident"].format(pid=resident.serving))
    return "".join(line + "\n" for line in lines)


def _print(result, lang: str, *, color: bool | None, show_diff: bool, statistics: bool, show_unchecked: bool,
           shown_as: _View | None = None) -> None:
    """Everything a check prints: the diffs, the notes (stderr), then the report (or the
    statistics). Raises OSError when a stream cannot be written."""
    import time

    view = shown_as or _View()
    for diff in result.fix.diffs if result.fix else ():
        _write(diff, sys.stdout)
    for note in result.notes:
        _write(shown(line(note, lang)) + "\n", sys.stderr)
    if result.missing or not result.checked or show_diff:
        return
    if statistics:
        _write(_statistics(result.diagnostics, result.ruleset, result.settings.format), sys.stdout)
        return
    from checker.report import ReportContext, chosen, emit

    if view.verbose:
        _write(_verbose_head(result, lang), sys.stderr)
    started = time.perf_counter()
    shown_diagnostics, omitted = result.diagnostics, []
    if view.max_diagnostics is not None and len(result.diagnostics) > view.max_diagnostics:
        shown_diagnostics = result.diagnostics[:view.max_diagnostics]
        omitted = result.diagnostics[view.max_diagnostics:]
    context = ReportContext(lang=lang, sources=result.sources, checked=result.checked, color=color,
                            relations=result.relations, show_unchecked=show_unchecked, files=result.files, quiet=view.quiet,
                            omitted=omitted, started=view.started, exit_code=view.exit_code,
                            command_line=list(sys.argv))
    report = _Collected(sys.stdout)
    emit(result.settings.format, shown_diagnostics, context, result.ruleset, report)
    # on a stream that cannot encode everything, XML takes character references, exactly
    _write(report.getvalue(), sys.stdout,
           "xmlcharrefreplace" if chosen(result.settings.format).name == "junit" else UNENCODABLE)
    if omitted and chosen(result.settings.format).name not in ("full", "grouped"):  # they say it themselves
        _write(_VERBOSE[lang]["not_shown"].format(count=len(omitted), limit=view.max_diagnostics) + "\n", sys.stderr)
    if chosen(result.settings.format).name == "concise" and not view.quiet:
        # stdout stays one located line per finding, for the tools that read it
        from checker.report.text import plain_summary

        _write(plain_summary(shown_diagnostics, context) + "\n", sys.stderr)
    if view.verbose:
        timings = {**(view.timings or {}), "report": time.perf_counter() - started}
        _write(_VERBOSE[lang]["timings"].format(**{key: f"{value * 1000:.0f}" for key, value in timings.items()})
               + "\n", sys.stderr)


class _Collected(io.StringIO):
    """A report as it is made, for `_write` to write whole; a terminal if the stream it is
    for is one (rich decides on colour by asking)."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self._stream = stream

    def isatty(self) -> bool:
        return bool(getattr(self._stream, "isatty", lambda: False)())


def _unencodable(error: UnicodeError) -> tuple[str, int]:
    """A character the stream's encoding lacks as `\\uXXXX` (a surrogate pair beyond the
    BMP): JSON's own escape where it can only be, in a string, so a JSON or SARIF document
    on an ASCII terminal reads back the same; the text formats show it the same way."""
    assert isinstance(error, UnicodeEncodeError)
    escapes = []
    for char in error.object[error.start:error.end]:
        code = ord(char)
        if code > 0xFFFF:
            code -= 0x10000
            escapes.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            escapes.append(f"\\u{code:04x}")
    return "".join(escapes), error.end


UNENCODABLE = "plancheck.unencodable"
codecs.register_error(UNENCODABLE, _unencodable)


def _write(text: str, stream: TextIO, errors: str = UNENCODABLE) -> None:
    """Write `text` to `stream` whole or raise OSError. Encoded as the stream is, with an
    escape (`errors`) for a character its encoding lacks (an ASCII terminal), never an
    error; written to the bytes under it in a loop, since an unbuffered stream
    (`PYTHONUNBUFFERED=1`) may take part of it; flushed, so a full disk is an error here
    and not a message at exit."""
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # a stream of text only (a StringIO)
        stream.write(text)
        stream.flush()
        return
    data = memoryview(text.encode(getattr(stream, "encoding", None) or "utf-8", errors=errors))
    stream.flush()  # what went through the text layer first
    while data:
        written = buffer.write(data)
        if written is None:  # a non-blocking stream that is full for now: wait until it drains
            select.select([], [stream], [])
            continue
        if written == 0:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        data = data[written:]
    buffer.flush()


def _deliver(text: str) -> None:
    """Print a command's whole output (`schema`, `rules`, `rule`) as a check prints its
    report: a closed pipe is quiet, a failed write is a message and exit 2."""
    try:
        _write(text, sys.stdout)
    except BrokenPipeError:
        _discard(sys.stdout)
    except OSError as error:
        _discard(sys.stdout)
        with contextlib.suppress(OSError):
            click.echo(shown(say("write_failed", default_lang(), error=error.strerror or error)), err=True)
        sys.exit(EXIT_ERROR)


def _discard(stream: TextIO) -> None:
    """Point the stream's descriptor at /dev/null, so what is still buffered for it (and
    Python's flush at exit) goes nowhere instead of failing again."""
    try:
        fileno = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fileno)
    finally:
        os.close(devnull)


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


def _statistics(diagnostics, ruleset, output_format: str) -> str:
    """Counts per code, most frequent first (as ruff --statistics)."""
    from collections import Counter

    counts = Counter(d.code for d in diagnostics)
    rows = [{"code": code, "name": ruleset.rules[code].name if code in ruleset.rules else "",
             "count": count, "fixable": bool(code in ruleset.rules and ruleset.rules[code].fixable)}
            for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
    if output_format == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    return "".join(f"{row['count']:>5}\t{shown(row['code'])}\t{shown(row['name'])}{'  [*]' if row['fixable'] else ''}\n"
                   for row in rows)


@main.command()
@click.option("--ruleset", "ruleset_schema", is_flag=True, help="The JSON Schema of ruleset files instead.")
def schema(ruleset_schema: bool) -> None:
    """Print the JSON Schema of the plan file format (or, with --ruleset, of ruleset files)."""
    if ruleset_schema:
        from checker.docs import ruleset_json_schema

        _deliver(json.dumps(ruleset_json_schema(), ensure_ascii=False, indent=2) + "\n")
        return
    from checker.model import plan_json_schema

    _deliver(json.dumps(plan_json_schema(), ensure_ascii=False, indent=2) + "\n")


@main.command("import")
@click.argument("file", type=click.Path(), required=False)
@click.option("-o", "--output", "output", type=click.Path(), default=None,
              help="Write the plan YAML to this file (default: standard output).")
@click.option("--explain", is_flag=True, help="Show what was recognised in each sheet, and write no YAML.")
@click.option("--mapping", type=click.Path(), default=None,
              help="A mapping file saying how to read a sheet that is not recognised: a project list, an indicator "
                   "block or a statistics table (docs/import.md, section Mapping file).")
@click.option("--mapping-schema", is_flag=True, help="Print the JSON Schema of mapping files, and import nothing.")
@click.option("--drop-comments", is_flag=True,
              help="Overwrite an -o file even though it holds comments a person added (a re-import drops them).")
@click.option("--municipality", default="", help="The municipality the plan header names (小平市).")
@click.option("--id", "plan_id", default=None, help="The plan's id (default: from the file name).")
@click.option("--lang", type=click.Choice(allowed("lang")), default=None,
              help="The language of the messages (default: from the environment).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="How the import's problems are reported (on standard error; json: on standard output with "
                   "--explain or -o).")
@click.option("--lint/--no-lint", default=True, show_default=True,
              help="Also report the workbook lint (WB001-WB020: how machine-readable the workbook is, 総務省's 統一ルール).")
@click.option("--lint-only", is_flag=True, help="Only lint the workbook (WB codes): write no YAML, exit 1 on a finding "
                                                "at --fail-level.")
@click.option("--fail-level", type=click.Choice(["error", "warning", "info"]), default=None,
              help="Exit 1 on a problem at this severity or above (default: error; warning with --lint-only).")
@click.option("--select", multiple=True, callback=_codes, metavar="CODES",
              help="Only the problems of these IMP and WB codes or prefixes (comma-separated; ALL for every one).")
@click.option("--ignore", multiple=True, callback=_codes, metavar="CODES",
              help="Not the problems of these IMP and WB codes or prefixes (a more specific --select wins). The reason a "
                   "file is refused is always said.")
def import_command(file: str | None, output: str | None, explain: bool, mapping: str | None, mapping_schema: bool,
                   drop_comments: bool, municipality: str, plan_id: str | None, lang: str | None,
                   output_format: str, lint: bool, lint_only: bool, fail_level: str | None,
                   select: tuple[str, ...] | None, ignore: tuple[str, ...] | None) -> None:
    """Import a workbook (xlsx, xls, ods, xlsb) or a CSV file as plan YAML, each value as the
    sheet prints it and with the cell it came from. The workbook is only read. The layouts
    recognised and the mapping file for the others: docs/import.md. Exit 0: written;
    1: written, with problems at --fail-level (error); 2: nothing recognised, or the file refused.
    With --lint-only: 0 clean, 1 a finding at --fail-level (warning), 2 the file refused."""
    from checker.diagnostics import Severity
    from checker.importer import ImportResult, import_workbook
    from checker.importer.lint import lint_workbook, with_positions

    if mapping_schema:
        from checker.importer.mapping import mapping_json_schema

        _deliver(json.dumps(mapping_json_schema(), ensure_ascii=False, indent=2) + "\n")
        return
    lang = lang or default_lang()
    if file is None:
        raise click.UsageError(_text("取り込むブックを指定してください", "give the workbook to import", lang))
    source = Path(file)
    if output is not None and Path(output).resolve() == source.resolve():
        raise click.UsageError(_text("取り込み元のブックには書き込みません: -o に別のファイルを指定してください",
                                     "the workbook imported is never written: give -o another file", lang))
    if lint_only and (output or explain or mapping or not lint):
        raise click.UsageError(_text("--lint-only はブックを確かめるだけです: -o、--explain、--mapping、--no-lint とは使えません",
                                     "--lint-only only lints the workbook: it takes no -o, --explain, --mapping or "
                                     "--no-lint", lang))
    fail = Severity[(fail_level or ("warning" if lint_only else "error")).upper()]
    shown_code = _import_codes(select, ignore, lang)
    if lint_only:
        found = lint_workbook(source)
        result = ImportResult(None if any(p.code == "IMP005" for p in found) else "", found)
        explain = False
    else:
        result = import_workbook(source, municipality=municipality, plan_id=plan_id,
                                 mapping=Path(mapping) if mapping else None, lint=lint)
        if result.yaml and not explain:
            result.problems = with_positions(result.problems, result.yaml, output or "-")
    if result.yaml is not None:  # a refused file's reason is never left out
        result.problems = [problem for problem in result.problems if shown_code(problem.code)]
    if output_format == "json":
        report = json.dumps({"file": file, "problems": [problem.to_json() for problem in result.problems],
                             "explain": [{"ja": t.ja, "en": t.en} for t in result.explain]},
                            ensure_ascii=False, indent=2) + "\n"
        _write(json_safe(report), sys.stdout if (explain or output or lint_only) else sys.stderr)
    else:
        for problem in result.problems:
            at = f" ({shown(problem.position)})" if problem.position else ""
            _write(f"{shown(file)}: {problem.code} [{problem.kind.severity.label}] {shown(problem.message(lang))}{at}\n",
                   sys.stdout if lint_only else sys.stderr)
    if explain:
        if output_format == "text":
            _write("".join(shown(text.render(lang)) + "\n" for text in result.explain), sys.stdout)
    elif result.yaml:
        if output is None:
            _write(result.yaml, sys.stdout)
        else:
            from checker.fixes import write_output
            from checker.importer import added_comments

            try:
                previous = Path(output).read_text(encoding="utf-8", errors="replace")
            except OSError:
                previous = ""
            kept = added_comments(previous)
            if kept and not drop_comments:
                lines = ", ".join(map(str, kept[:10]))
                _write(shown(_text(f"{output} の {lines} 行目に追加されたコメントがあります: 取り込み直すと失われるため書き込みません"
                                   "（残すならブックに書き、捨てるなら --drop-comments）",
                                   f"{output} holds comments added at line(s) {lines}: a re-import would drop them, so it "
                                   "is not written (keep them in the workbook, or pass --drop-comments)", lang)) + "\n",
                       sys.stderr)
                sys.exit(2)

            try:
                write_output(Path(output), result.yaml.encode("utf-8"))
            except OSError as error:
                _write(shown(_text(f"{output} に書けません: {error.strerror}", f"cannot write {output}: {error.strerror}",
                                   lang)) + "\n", sys.stderr)
                sys.exit(2)
    if result.yaml is None:
        sys.exit(2)
    sys.exit(1 if any(p.kind.severity >= fail for p in result.problems) else 0)


def _import_codes(select: tuple[str, ...] | None, ignore: tuple[str, ...] | None, lang: str):
    """Whether an import's problem of a code is shown: the most specific of --select and
    --ignore that matches it decides (an ignore on a tie), as for a check's rules; a selector
    that starts no IMP or WB code is a usage error, not a filter that silently matches nothing."""
    from checker.config import matches, specificity
    from checker.importer.lint import WORKBOOK_KINDS
    from checker.importer.problems import KINDS

    known = [*KINDS, *WORKBOOK_KINDS]
    for selector in (*(select or ()), *(ignore or ())):
        if not any(matches(selector, code) for code in known):
            raise click.UsageError(_text(f"「{selector}」で始まる取り込みやブックの検査のコード（IMP、WB）はありません",
                                         f"no import or workbook lint code (IMP, WB) starts with {selector!r}", lang))

    def shown(code: str) -> bool:
        on = max((specificity(s) for s in (select or ("ALL",)) if matches(s, code)), default=None)
        off = max((specificity(s) for s in (ignore or ()) if matches(s, code)), default=None)
        return on is not None and (off is None or on > off)

    return shown


def _text(ja: str, en: str, lang: str) -> str:
    return ja if lang == "ja" else en


def _configured_ruleset(rulesets: tuple[str, ...]):
    """The ruleset a check from here would use (configuration found from the working
    directory), for `plancheck rules` and `plancheck rule`; exits 2 on a bad one."""
    from checker.config import ConfigError
    from checker.run import configured_ruleset

    try:
        return configured_ruleset(rulesets)
    except ConfigError as error:
        click.echo(shown(say("config_error", default_lang(), error=error.message)), err=True)
        sys.exit(EXIT_ERROR)


LANG_HELP = "Language of the output (default: the configuration's, else the locale)."


@main.command("rules")
@click.option("--lang", type=click.Choice(allowed("lang")), default=None, help=LANG_HELP)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@click.option("--rules", "rulesets", multiple=True, type=click.Path(), help="Ruleset file(s) to list.")
def list_rules(lang: str | None, output_format: str, rulesets: tuple[str, ...]) -> None:
    """List every rule: code, title, name, severity, fix, and what it checks."""
    from checker.terminal_docs import for_terminal, rules_listing

    settings, ruleset = _configured_ruleset(rulesets)
    lang = lang or settings.lang or default_lang()
    from checker.importer.problems import documented, kind_doc

    # the ruleset's rules, then the import's problems and the workbook lint (documented in
    # checker/importer/problems.py and lint.py, and marked by their family)
    rules = sorted(ruleset.rules.values(), key=lambda rule: rule.code) + [kind_doc(k) for k in documented().values()]
    if output_format == "json":
        rows = [{"code": rule.code, "name": rule.name, "title": rule.title or None, "severity": rule.severity.label if rule.severity else "off",
                 "fixable": rule.fixable, "fix": rule.fix_safety,
                 **({"family": rule.family} if hasattr(rule, "family") else {})} for rule in rules]
        _deliver(json_safe(json.dumps(rows, ensure_ascii=False, indent=2)) + "\n")
        return
    _deliver(rules_listing(rules, lang, *for_terminal(sys.stdout)))


@main.command("rule")
@click.argument("code")
@click.option("--lang", type=click.Choice(allowed("lang")), default=None, help=LANG_HELP)
@click.option("--format", "output_format", type=click.Choice(["text", "markdown", "json"]), default="text",
              show_default=True, help="Output format: rendered for the terminal, Markdown as written, or JSON.")
@click.option("--rules", "rulesets", multiple=True, type=click.Path(), help="Ruleset file(s) to find the rule in.")
def show_rule(code: str, lang: str | None, output_format: str, rulesets: tuple[str, ...]) -> None:
    """Print one rule's documentation: what it checks, why, a bad and a good example."""
    from checker.diagnostics import closest

    settings, ruleset = _configured_ruleset(rulesets)
    lang = lang or settings.lang or default_lang()
    from checker.importer.problems import documented, kind_doc

    kinds = {kind.code: kind_doc(kind) for kind in documented().values()}
    rule = ruleset.rules.get(code.upper()) or next((r for r in ruleset.rules.values() if r.name == code), None) or \
        kinds.get(code.upper()) or next((kind for kind in kinds.values() if kind.name == code), None)
    if rule is None:
        close = closest(code.upper(), sorted([*ruleset.rules, *kinds]))
        hint = phrase("did_you_mean", lang, candidate=close) if close else ""
        click.echo(shown(say("no_rule", lang, code=code, hint=hint)), err=True)
        sys.exit(EXIT_ERROR)
    docs = rule.docs
    if output_format == "json":
        _deliver(json_safe(json.dumps({
            "code": rule.code, "name": rule.name, "title": rule.title or None,
            "severity": rule.severity.label if rule.severity else "off",
            "fixable": rule.fixable, "fix": rule.fix_safety, "function": getattr(rule, "function", None),
            "given": list(getattr(rule, "given", ())),
            "message": rule.message, "help": rule.help, "docs": docs, "family": getattr(rule, "family", "rule"),
        }, ensure_ascii=False, indent=2)) + "\n")
        return
    from checker.terminal_docs import HEADS, SAFETY, for_terminal, render_rule, rule_heading, severity_label

    if output_format == "text":
        _deliver(render_rule(rule, lang, *for_terminal(sys.stdout)))
        return
    heads = HEADS[lang]
    # Markdown, as written: a ruleset from the repository wrote all of this; each line is shown
    out: list[str] = []
    out.append(rule_heading(rule, lang))
    out.append(f"{heads['severity']}: {severity_label(rule, lang)}   {heads['fixable']}: {SAFETY[lang][rule.fix_safety]}")
    if getattr(rule, "family_label", None):
        out.append(rule.family_label[lang])
    for key in ("what", "why"):
        if key in docs:
            out.append(f"\n## {heads[key]}\n{docs[key][lang]}")
    for key in ("ruleset", "bad", "good"):
        example = docs.get(key)
        if isinstance(example, dict):  # a cross-document example: one block per file
            out.append(f"\n## {heads[key]}")
            for name, text in example.items():
                out.append(f"\n{name}:\n```yaml\n{text.rstrip()}\n```")
        elif example:
            out.append(f"\n## {heads[key]}\n```yaml\n{example.rstrip()}\n```")
    _deliver("".join(shown(part) + "\n" for text in out for part in text.split("\n")))


@main.command("server")
@click.option("--lang", type=click.Choice(allowed("lang")), default=None,
              help="Language of diagnostics and hovers (default: the editor's locale, else the configuration's).")
def language_server(lang: str | None) -> None:
    """Run the language server on stdio, for an editor (needs the lsp extra: pip install 'plancheck[lsp]')."""
    from checker.server import serve

    sys.exit(serve(lang))


@main.command("daemon")
@click.argument("action", type=click.Choice(["start", "stop", "status"]))
@click.option("--idle-timeout", type=click.FloatRange(min=0, min_open=True), default=None, metavar="MINUTES",
              help="start: end after this many minutes without a run (default: 60).")
@click.option("--lang", type=click.Choice(allowed("lang")), default=None, help="Language of the messages (default: the locale).")
def daemon_command(action: str, idle_timeout: float | None, lang: str | None) -> None:
    """Start, stop or ask after the resident process: with it running, each `plancheck` run
    (the pre-commit hook's, an editor's, yours) is a child forked from a process that has
    imported everything, instead of a new interpreter importing it all again (Linux)."""
    from datetime import datetime

    from checker import daemon, launch

    lang = lang or default_lang()
    if not launch.supported():
        click.echo(say("daemon_unsupported", lang), err=True)
        sys.exit(EXIT_ERROR)
    if action == "status":
        found = daemon.status()
        if found is None:
            click.echo(say("daemon_none", lang), err=True)
            sys.exit(EXIT_FINDINGS)
        started = datetime.fromtimestamp(found.get("started", 0)).strftime("%Y-%m-%d %H:%M:%S")
        click.echo(shown(say("daemon_status", lang, pid=str(found.get("pid")), started=started, served=found.get("served"),
                             running=found.get("running"), socket=found.get("socket"))))
        return
    if action == "stop":
        pid = daemon.stop()
        click.echo(say("daemon_stopped", lang, pid=str(pid)) if pid is not None else say("daemon_none", lang), err=True)
        sys.exit(EXIT_CLEAN if pid is not None else EXIT_FINDINGS)
    found = daemon.status()
    if found is not None:
        click.echo(say("daemon_already", lang, pid=str(found.get("pid"))), err=True)
        return
    minutes = idle_timeout if idle_timeout is not None else daemon.DEFAULT_IDLE_MINUTES
    try:
        pid = daemon.start(minutes * 60)
    except OSError as error:
        click.echo(shown(say("daemon_failed", lang, error=f"{error.filename + ': ' if error.filename else ''}"
                                                        f"{error.strerror or error}")), err=True)
        sys.exit(EXIT_ERROR)
    click.echo(say("daemon_started", lang, pid=str(pid), minutes=f"{minutes:g}"), err=True)


@main.command("format")
@click.argument("topic", required=False)
@click.option("--lang", type=click.Choice(allowed("lang")), default=None, help=LANG_HELP)
@click.option("--raw", is_flag=True, help="Print the Markdown as it is, not rendered for the terminal.")
def plan_format(topic: str | None, lang: str | None, raw: bool) -> None:
    """Print the plan file format reference (docs/plan-format.md); with TOPIC, only the
    section whose heading names it (e.g. `plancheck format tables`)."""
    from checker.terminal_docs import for_terminal, no_topic, plan_format, render_markdown, topic_section

    lang = lang or default_lang()
    text = plan_format()
    if topic:
        section, titles = topic_section(text, topic)
        if section is None:
            for part in line(no_topic(topic, titles), lang).split("\n"):
                click.echo(shown(part, limit=None), err=True)
            sys.exit(EXIT_ERROR)
        text = section
    _deliver(text if raw else render_markdown(text, *for_terminal(sys.stdout)))


@main.command("init")
@click.argument("path", required=False, type=click.Path())
@click.option("--kind", required=True, type=click.Choice(sorted(STARTERS)),
              help="The kind of document.")
@click.option("--lang", type=click.Choice(allowed("lang")), default=None, help="Language of the messages (default: the locale).")
def init(path: str | None, kind: str, lang: str | None) -> None:
    """Write a starter plan file for a kind of document (default: KIND.yaml here); an
    existing file is never overwritten."""
    from pathlib import Path

    from checker.starters import starter, write_new

    lang = lang or default_lang()
    target = Path(path or f"{kind}.yaml")
    try:
        write_new(target, starter(kind))
    except FileExistsError:
        click.echo(shown(say("init_exists", lang, path=target)), err=True)
        sys.exit(EXIT_ERROR)
    except OSError as error:
        click.echo(shown(say("init_failed", lang, path=target, error=error.strerror or error)), err=True)
        sys.exit(EXIT_ERROR)
    click.echo(shown(say("init_written", lang, kind=kind, path=target)), err=True)


if __name__ == "__main__":
    main()
