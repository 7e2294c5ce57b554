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

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
PLAN_SUFFIXES = (".yaml", ".yml")


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
            args = ["check", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_DefaultCheckGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="plancheck")
def main() -> None:
    """plancheck: a consistency checker and linter for municipal plan data."""


def discover(paths: tuple[str, ...]) -> tuple[list[Path], list[str]]:
    """Plan files under the given paths (directories are searched for *.yaml / *.yml).
    Paths that do not exist are returned as problems, not skipped."""
    files: list[Path] = []
    missing: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in PLAN_SUFFIXES and not p.is_dir()))
        elif path.exists() or path.is_symlink():
            files.append(path)
        else:
            missing.append(raw)
    seen: set[Path] = set()
    unique = []
    for path in files:
        key = path.absolute()
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique, missing


def display_name(path: Path) -> str:
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "output_format",
              type=click.Choice(["auto", "full", "concise", "json", "sarif", "github", "junit"]), default="auto",
              show_default=True, help="Output format.")
@click.option("--lang", type=click.Choice(["ja", "en"]), default=None,
              help="Language of messages (default: from the locale).")
@click.option("--rules", "rulesets", multiple=True, type=click.Path(),
              help="A ruleset file to use (it may extend `recommended`). Repeatable.")
@click.option("--fail-level", type=click.Choice(["error", "warning", "info"]), default="error", show_default=True,
              help="Exit 1 when a finding at or above this severity is reported.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--color/--no-color", default=None, help="Force colour on or off (default: NO_COLOR / FORCE_COLOR / terminal).")
@click.option("--fix", is_flag=True, help="Rewrite stated derived values a rule recomputes exactly (rates, ratio rows, outlook counts).")
@click.option("--diff", "show_diff", is_flag=True, help="Show what --fix would change, without writing; exit 1 if anything would.")
@click.option("--statistics", is_flag=True, help="Print the number of findings per code instead of the findings.")
def check(paths: tuple[str, ...], output_format: str, lang: str | None, rulesets: tuple[str, ...],
          fail_level: str, exit_zero: bool, color: bool | None, fix: bool, show_diff: bool, statistics: bool) -> None:
    """Check plan files (default: plans/)."""
    try:
        code = _check(paths, output_format, lang or default_lang(), rulesets, fail_level, exit_zero, color,
                      fix, show_diff, statistics)
    except click.exceptions.Exit:
        raise
    except Exception as error:  # the last line of defence: never a traceback
        if os.environ.get("PLANCHECK_DEBUG"):
            raise
        click.echo(f"plancheck: internal error: {type(error).__name__}: {error}", err=True)
        click.echo("plancheck: please report this with the file that caused it (PLANCHECK_DEBUG=1 shows the traceback)", err=True)
        code = EXIT_ERROR
    sys.exit(code)


def _check(paths, output_format, lang, rulesets, fail_level, exit_zero, color, fix=False, show_diff=False,
           statistics=False) -> int:
    from checker.diagnostics import Severity
    from checker.engine import Engine
    from checker.loader import load_file
    from checker.report import ReportContext
    from checker.rules import RulesetError, load_ruleset

    try:
        ruleset = _ruleset(rulesets, load_ruleset)
    except RulesetError as error:
        click.echo(f"plancheck: ruleset error: {error}", err=True)
        return EXIT_ERROR
    targets = paths or ("plans",)
    files, missing = discover(targets)
    if missing:
        for raw in missing:
            click.echo(f"plancheck: no such file or directory: {raw}", err=True)
        return EXIT_ERROR
    if not files:
        click.echo(f"plancheck: no plan files (*.yaml, *.yml) under {', '.join(targets)}", err=True)
        return EXIT_ERROR
    loaded = [load_file(path, display_name(path)) for path in files]
    diagnostics = Engine(ruleset).run(loaded)
    if show_diff:
        return _diff(loaded, diagnostics)
    written = _fix(loaded, diagnostics) if fix else set()
    if written:
        # only the rewritten files are read again; the rest are as they were checked
        loaded = [load_file(f.path, f.name) if f.path in written else f for f in loaded]
        diagnostics = Engine(ruleset).run(loaded)
    context = ReportContext(lang=lang, sources={f.name: f.lines for f in loaded}, files_checked=len(loaded), color=color)
    if statistics:
        _statistics(diagnostics, ruleset, output_format)
    else:
        _emit(diagnostics, context, output_format, ruleset)
    threshold = Severity.parse(fail_level)
    failed = any(d.severity >= threshold for d in diagnostics)
    return EXIT_FINDINGS if failed and not exit_zero else EXIT_CLEAN


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


def _fix_plans(loaded, diagnostics):
    from checker.fixes import FixError, plan_fixes

    plans, problems = [], []
    for file in loaded:
        try:
            planned = plan_fixes(file, diagnostics)
        except FixError as error:
            problems.append(str(error))
            continue
        if planned.changed:
            plans.append(planned)
    for problem in problems:
        click.echo(f"plancheck: not fixed: {problem}", err=True)
    return plans


def _diff(loaded, diagnostics) -> int:
    plans = _fix_plans(loaded, diagnostics)
    for planned in plans:
        sys.stdout.write(planned.diff())
    count = sum(planned.count for planned in plans)
    click.echo(f"plancheck: --fix would rewrite {count} value(s) in {len(plans)} file(s)", err=True)
    return EXIT_FINDINGS if plans else EXIT_CLEAN


def _fix(loaded, diagnostics) -> set:
    """Apply the safe fixes; the paths of the files written."""
    from checker.fixes import FixError, write_atomically

    written = set()
    values = 0
    for planned in _fix_plans(loaded, diagnostics):
        try:
            write_atomically(planned.loaded.path, planned.text, planned.loaded.text)
        except (FixError, OSError) as error:
            click.echo(f"plancheck: not fixed: {error}", err=True)
            continue
        written.add(planned.loaded.path)
        values += planned.count
    if written:
        click.echo(f"plancheck: fixed {values} value(s) in {len(written)} file(s)", err=True)
    return written


def _ruleset(rulesets: tuple[str, ...], load_ruleset):
    if not rulesets:
        return load_ruleset("recommended")
    merged = None
    for spec in rulesets:
        loaded = load_ruleset(spec, Path.cwd())
        if merged is None:
            merged = loaded
        else:
            merged.rules.update(loaded.rules)
            merged.sources.extend(loaded.sources)
    return merged


def _emit(diagnostics, context, output_format: str, ruleset) -> None:
    from checker.report import ci, text

    if output_format == "auto":
        # workflow commands under GitHub Actions (annotations on the pull request), else full
        output_format = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "full"
    if output_format == "sarif":
        from checker.report.sarif import render_sarif

        sys.stdout.write(render_sarif(diagnostics, context, ruleset.enabled()))
    elif output_format == "github":
        sys.stdout.write(ci.render_github(diagnostics, context))
    elif output_format == "junit":
        sys.stdout.write(ci.render_junit(diagnostics, context))
    elif output_format == "json":
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


@main.command("rules")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--rules", "rulesets", multiple=True, type=click.Path(), help="Ruleset file(s) to list.")
def list_rules(output_format: str, rulesets: tuple[str, ...]) -> None:
    """List every rule: code, name, severity, fixable."""
    from checker.rules import RulesetError, load_ruleset

    try:
        ruleset = _ruleset(rulesets, load_ruleset)
    except RulesetError as error:
        click.echo(f"plancheck: ruleset error: {error}", err=True)
        sys.exit(EXIT_ERROR)
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

    from checker.rules import RulesetError, load_ruleset

    try:
        ruleset = _ruleset(rulesets, load_ruleset)
    except RulesetError as error:
        click.echo(f"plancheck: ruleset error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    rule = ruleset.rules.get(code.upper()) or next((r for r in ruleset.rules.values() if r.name == code), None)
    if rule is None:
        close = difflib.get_close_matches(code.upper(), sorted(ruleset.rules), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        click.echo(f"plancheck: no rule {code}{hint}", err=True)
        sys.exit(EXIT_ERROR)
    lang = lang or default_lang()
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
