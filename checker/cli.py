"""The `plancheck` command line.

`plancheck [PATH...]` checks plan files (default: `plans/`); `plancheck schema`,
`plancheck rules` and `plancheck rule CODE` print the plan format and the rule docs.
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
from typing import NamedTuple, TextIO

import click

from checker.config import allowed
from checker.messages import line, phrase, say
from checker.report.safe import json_safe, shown

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED, EXIT_TERMINATED = 128 + signal.SIGINT, 128 + signal.SIGTERM
# a progress bar only when loading takes long enough to wonder
PROGRESS_MIN_FILES = 100


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
           show_unchecked, quiet=False, verbose=False, max_diagnostics=None) -> int:
    import time

    from checker.config import ConfigError
    from checker.run import RunOptions, execute, prepare

    options = RunOptions(paths=tuple(paths), select=select, extend_select=extend_select or (), ignore=ignore or (),
                         rulesets=rulesets, config_path=config_path, isolated=isolated, fail_level=fail_level,
                         lang=lang, output_format=output_format, force_exclude=force_exclude, no_cache=no_cache,
                         fix=fix, diff=show_diff, unsafe_fixes=unsafe_fixes)
    started, wall = time.perf_counter(), time.time()
    try:
        prepared = prepare(options)
    except ConfigError as error:
        click.echo(shown(say("config_error", lang or default_lang(), error=error.message)), err=True)
        return EXIT_ERROR
    lang = prepared.settings.lang or default_lang()
    timings = {"prepare": time.perf_counter() - started}
    result = execute(prepared, _progress)
    timings["check"] = time.perf_counter() - started - timings["prepare"]
    code = _exit_code(result, paths, force_exclude=force_exclude, show_diff=show_diff, exit_zero=exit_zero)
    view = _View(quiet=quiet, verbose=verbose, max_diagnostics=max_diagnostics, timings=timings, started=wall,
                 exit_code=code)
    try:
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
        return EXIT_CLEAN if paths and force_exclude else EXIT_ERROR
    if show_diff:
        return EXIT_FINDINGS if result.fix and result.fix.files else EXIT_CLEAN
    if result.internal_error:
        return EXIT_ERROR  # a bug in plancheck, not a finding: exit as ruff does on one
    return EXIT_FINDINGS if result.failed and not exit_zero else EXIT_CLEAN


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
           "rules": "有効な規則: {count} 件（{format} 形式、言語 {lang}）", "file": "検査: {file}（関係 {count} 件）",
           "cached": "（前回の結果をキャッシュから）",
           "timings": "所要時間: 設定と規則 {prepare} ms、読み込みと検査 {check} ms、出力 {report} ms",
           "not_shown": "ほか {count} 件の指摘は表示していません（--max-diagnostics {limit}）"},
    "en": {"config": "configuration: {path}", "no_config": "configuration: none (the defaults)",
           "rules": "rules enabled: {count} (format {format}, language {lang})",
           "file": "checked: {file} ({count} relations)", "cached": "(answered from the cache)",
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
                            relations=result.relations, show_unchecked=show_unchecked, quiet=view.quiet,
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


@main.command("rules")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--rules", "rulesets", multiple=True, type=click.Path(), help="Ruleset file(s) to list.")
def list_rules(output_format: str, rulesets: tuple[str, ...]) -> None:
    """List every rule: code, name, severity, fixable."""
    _, ruleset = _configured_ruleset(rulesets)
    rows = [
        {"code": rule.code, "name": rule.name, "severity": rule.severity.label if rule.severity else "off",
         "fixable": rule.fixable, "fix": rule.fix_safety}
        for rule in sorted(ruleset.rules.values(), key=lambda rule: rule.code)
    ]
    if output_format == "json":
        _deliver(json_safe(json.dumps(rows, ensure_ascii=False, indent=2)) + "\n")
        return
    lines = []
    for row in rows:
        fix = f"fixable ({row['fix']})" if row["fixable"] else ""
        lines.append(f"{shown(row['code']):<8} {shown(row['name']):<32} {row['severity']:<8} {fix}".rstrip() + "\n")
    _deliver("".join(lines))


@main.command("rule")
@click.argument("code")
@click.option("--lang", type=click.Choice(allowed("lang"), case_sensitive=False), default=None)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--rules", "rulesets", multiple=True, type=click.Path())
def show_rule(code: str, lang: str | None, output_format: str, rulesets: tuple[str, ...]) -> None:
    """Print one rule's documentation: what it checks, why, a bad and a good example."""
    from checker.diagnostics import closest

    settings, ruleset = _configured_ruleset(rulesets)
    lang = lang or settings.lang or default_lang()
    rule = ruleset.rules.get(code.upper()) or next((r for r in ruleset.rules.values() if r.name == code), None)
    if rule is None:
        close = closest(code.upper(), sorted(ruleset.rules))
        hint = phrase("did_you_mean", lang, candidate=close) if close else ""
        click.echo(shown(say("no_rule", lang, code=code, hint=hint)), err=True)
        sys.exit(EXIT_ERROR)
    docs = rule.docs
    if output_format == "json":
        _deliver(json_safe(json.dumps({
            "code": rule.code, "name": rule.name, "severity": rule.severity.label if rule.severity else "off",
            "fixable": rule.fixable, "fix": rule.fix_safety, "function": rule.function, "given": list(rule.given),
            "message": rule.message, "help": rule.help, "docs": docs,
        }, ensure_ascii=False, indent=2)) + "\n")
        return
    heads = {"ja": ("検査内容", "理由", "悪い例", "良い例", "重大度", "自動修正"),
             "en": ("What it checks", "Why it matters", "Bad", "Good", "Severity", "Fixable")}[lang]
    safety = {"ja": {"safe": "可（安全: 印刷された数値は変えません）",
                     "unsafe": "可（安全でない: 印刷された数値を書き換えるため --unsafe-fixes が必要）", None: "不可"},
              "en": {"safe": "yes (safe: no printed figure changes)",
                     "unsafe": "yes (unsafe: it rewrites a printed figure, so only --unsafe-fixes applies it)",
                     None: "no"}}[lang][rule.fix_safety]
    # a ruleset from the repository wrote all of this: each line is shown (see `shown`)
    out: list[str] = []
    out.append(f"{rule.code} ({rule.name})")
    out.append(f"{heads[4]}: {rule.severity.label if rule.severity else 'off'}   {heads[5]}: {safety}")
    for head, key in ((heads[0], "what"), (heads[1], "why")):
        if key in docs:
            out.append(f"\n## {head}\n{docs[key][lang]}")
    ruleset_head = {"ja": "例を検査する規則セット", "en": "The ruleset the examples are checked with"}[lang]
    for head, key in ((ruleset_head, "ruleset"), (heads[2], "bad"), (heads[3], "good")):
        example = docs.get(key)
        if isinstance(example, dict):  # a cross-document example: one block per file
            out.append(f"\n## {head}")
            for name, text in example.items():
                out.append(f"\n{name}:\n```yaml\n{text.rstrip()}\n```")
        elif example:
            out.append(f"\n## {head}\n```yaml\n{example.rstrip()}\n```")
    _deliver("".join(shown(part) + "\n" for text in out for part in text.split("\n")))


if __name__ == "__main__":
    main()
