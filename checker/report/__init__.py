"""Reporters: each renders the same diagnostics; none computes anything.

The output formats are registered here, once: `REGISTRY` gives the `--format` choices, the
configuration's `format` values and the dispatch (`render`, `emit`). Each names its
renderer by module and function, imported only when that format is used: the one-file
check is mostly start-up, and rich (for `full`) or the SARIF tables cost time.

To add an output format, add a module here with a renderer of `(diagnostics, context)`
returning the text (or `(diagnostics, context, rules)` with `needs_rules`, or one that
writes to a stream with `writes_stream`, or one returning a `BinaryReport` with `binary`:
written to a file only, never to the terminal), and one `Format` line in `REGISTRY`. Every string
it prints from a repository goes through `checker.report.safe` (`shown` for text a person
reads; `xml_safe`, `json_safe` for documents).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TextIO

from checker.diagnostics import Diagnostic, Relations, Severity, Text


@dataclass
class ReportContext:
    lang: str
    sources: dict[str, list[str]] = field(default_factory=dict)  # file name -> its lines (context files too)
    checked: list[str] = field(default_factory=list)  # the files reported on, by name
    color: bool | None = None  # None: let rich decide (NO_COLOR / FORCE_COLOR / a terminal)
    # the relations the run checked and could not (None: not counted, as for a cached run
    # from before they were)
    relations: Relations | None = None
    show_unchecked: bool = False  # list each relation not checked, at the value that blocked it
    # the reported files as loaded (`checker.loader.LoadedFile`, with their models), for a
    # format that shows the plans themselves (`Format.needs_files`: the HTML report)
    files: list[Any] = field(default_factory=list)
    quiet: bool = False  # the findings only: no summary line (`-q`)
    # the findings a cap (`--max-diagnostics`) left out: not shown, but counted in the summary
    omitted: list[Diagnostic] = field(default_factory=list)
    # the run itself, for SARIF's `invocations`: when it started (seconds since the epoch),
    # the exit code it ends with, its command line (None: not known, as for a library call)
    started: float | None = None
    exit_code: int | None = None
    command_line: list[str] | None = None
    # the file the report is written to (`-o`), for a format that must not write over its own
    # source (the annotated workbook), and the project's root, which it never reads outside
    output: str | None = None
    root: str | None = None


def summary_counts(diagnostics: list[Diagnostic]) -> dict[Severity, int]:
    counts = {severity: 0 for severity in Severity}
    for diagnostic in diagnostics:
        counts[diagnostic.severity] += 1
    return counts


class Format(NamedTuple):
    """An output format: its renderer by module and function, imported when used (a named
    tuple: defined on every run, and a dataclass costs start-up)."""

    name: str
    module: str
    function: str
    description: Text
    needs_rules: bool = False  # the renderer takes the enabled rules too (their metadata)
    writes_stream: bool = False  # the renderer writes to `stream` itself (rich, for colour)
    needs_files: bool = False  # the renderer shows the plans' own tables (the run keeps the models)
    suffixes: tuple[str, ...] = ()  # the file name endings that mean this format (`-o report.html`)
    binary: bool = False  # the renderer returns a `BinaryReport` (bytes): written to a file (`-o`) only


class BinaryReport(NamedTuple):
    """A binary report (the annotated workbook): its bytes, and what the run says of it."""

    data: bytes
    notes: list[Text]


class ReportRefused(Exception):
    """A report that cannot be made from this run (a binary format with nothing to work
    from): why, in both languages; nothing is written."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


REGISTRY: dict[str, Format] = {format.name: format for format in (
    Format("full", "checker.report.text", "render_full",
           Text("ソースの抜粋・下線・関連する値・ヒントつき", "source snippets, underlines, related values, help"),
           writes_stream=True),
    Format("concise", "checker.report.text", "render_concise",
           Text("1 件 1 行（path:line:col: CODE メッセージ）", "one line per finding: path:line:col: CODE message")),
    Format("json", "checker.report.text", "render_json",
           Text("数値つきの JSON 文書", "a JSON document, with the numbers"), suffixes=(".json",)),
    Format("sarif", "checker.report.sarif", "render_sarif",
           Text("SARIF 2.1.0（ルールの説明つき）", "SARIF 2.1.0, with the rules' metadata"), needs_rules=True,
           suffixes=(".sarif", ".sarif.json")),
    Format("grouped", "checker.report.text", "render_grouped",
           Text("ファイルごとにまとめた一覧（ruff の grouped）", "findings grouped by file, as ruff's grouped")),
    Format("gitlab", "checker.report.ci", "render_gitlab",
           Text("GitLab Code Quality（JSON、指紋つき）", "GitLab Code Quality JSON, with fingerprints")),
    Format("rdjson", "checker.report.ci", "render_rdjson",
           Text("reviewdog の rdjson（安全な修正を提案として）", "reviewdog rdjson, safe fixes as suggestions")),
    Format("github", "checker.report.ci", "render_github",
           Text("GitHub Actions のワークフローコマンド（注釈）", "GitHub Actions workflow commands (annotations)")),
    Format("junit", "checker.report.ci", "render_junit",
           Text("JUnit XML", "JUnit XML"), suffixes=(".xml", ".junit.xml")),
    Format("html", "checker.report.html", "render_html",
           Text("1 ファイルで完結する HTML 報告書（結論・数値・図。印刷可）",
                "a self-contained HTML report: the verdict, the numbers, charts; printable"),
           needs_rules=True, needs_files=True, suffixes=(".html", ".htm")),
    Format("csv", "checker.report.csvfile", "render_csv",
           Text("1 件 1 行の CSV（UTF-8 BOM つき、Excel で開ける）", "one row per finding: CSV (UTF-8 with a BOM, for Excel)"),
           suffixes=(".csv",)),
    Format("xlsx", "checker.report.xlsx", "render_xlsx",
           Text("取り込み元ブックの注釈つきの写し（-o のみ。元のブックは書き換えません）",
                "an annotated copy of the imported workbook (-o only; the original is never written)"),
           needs_files=True, suffixes=(".xlsx",), binary=True),
)}
# `auto` picks one of them where the run happens (see `chosen`)
AUTO = "auto"
FORMAT_NAMES = (AUTO, *REGISTRY)


def format_of_path(path: str) -> Format | None:
    """The format a file name's ending means (`report.html`: html; `results.sarif`: sarif),
    the longest ending first (`x.sarif.json` is SARIF, not JSON); None when none does."""
    lowered = path.lower()
    matches = [(len(suffix), format) for format in REGISTRY.values() for suffix in format.suffixes
               if lowered.endswith(suffix)]
    return max(matches, key=lambda match: match[0])[1] if matches else None


def chosen(name: str) -> Format:
    """The format `name` stands for: `auto` is workflow commands under GitHub Actions
    (annotations on the pull request), else full."""
    if name == AUTO:
        name = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "full"
    return REGISTRY[name]


def render(name: str, diagnostics: list[Diagnostic], context: ReportContext, ruleset: Any) -> str:
    """The diagnostics as text in format `name`."""
    import io

    stream = io.StringIO()
    emit(name, diagnostics, context, ruleset, stream)
    return stream.getvalue()


def render_binary(name: str, diagnostics: list[Diagnostic], context: ReportContext) -> BinaryReport:
    """The diagnostics as a binary report in format `name` (a `binary` one); raises
    `ReportRefused` when the run gives it nothing to work from."""
    format = REGISTRY[name]
    renderer = getattr(__import__(format.module, fromlist=[format.function]), format.function)
    result: BinaryReport = renderer(diagnostics, context)
    return result


def emit(name: str, diagnostics: list[Diagnostic], context: ReportContext, ruleset: Any, stream: TextIO) -> None:
    """Write the diagnostics to `stream` in format `name`."""
    format = chosen(name)
    # __import__, not importlib.import_module: `-X importtime`, how start-up is measured, sees it
    renderer = getattr(__import__(format.module, fromlist=[format.function]), format.function)
    if format.writes_stream:
        renderer(diagnostics, context, stream=stream)
    elif format.needs_rules:
        stream.write(renderer(diagnostics, context, ruleset.enabled()))
    else:
        stream.write(renderer(diagnostics, context))
