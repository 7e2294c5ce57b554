"""The human formats: `full` (source snippets, underlines, related values, help) and
`concise` (one line per diagnostic: path:line:col: CODE message)."""

from __future__ import annotations

import io
import json
from typing import Any, TextIO

from checker.diagnostics import Diagnostic, Severity, Span
from checker.report import ReportContext, summary_counts
from checker.report.safe import ELLIPSIS, json_safe, shown, shown_pieces

MAX_RELATED_SNIPPETS = 6
# the characters of a source line a snippet shows: a longer line (a minified plan) is cut
# around the span, with `…` where it is cut, so a finding prints a bounded line
MAX_SNIPPET = 160

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow", Severity.INFO: "bold blue"}
_LABEL = {
    "ja": {Severity.ERROR: "エラー", Severity.WARNING: "警告", Severity.INFO: "情報"},
    "en": {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"},
}
_WORDS = {
    "ja": {"help": "ヒント", "fix": "修正案", "and_more": "ほか {n} 件", "related": "関連"},
    "en": {"help": "help", "fix": "suggested fix", "and_more": "and {n} more", "related": "related"},
}


_NOT_CHECKED = {"ja": "未検査", "en": "not checked"}


def render_concise(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    """One line per diagnostic, whatever its file name or message holds (see `shown`)."""
    lines = [
        f"{shown(d.file)}:{d.span.line}:{d.span.column}: {shown(d.code)} [{d.severity.label}] "
        f"{shown(d.message[context.lang])}{_cell(d.cell)}"
        for d in diagnostics
    ]
    if context.show_unchecked and context.relations is not None:
        lines += [f"{shown(u.file)}:{u.span.line}:{u.span.column}: {shown(','.join(u.codes))} "
                  f"[{_NOT_CHECKED[context.lang]}] "
                  f"{shown(u.relation.render(context.lang) + ': ' + u.reason.render(context.lang))}"
                  for u in context.relations.unchecked]
    return "\n".join(lines) + ("\n" if lines else "")


def _cell(cell: str | None) -> str:
    """` (関連事務事業一覧!D8)`: the workbook cell an imported value came from, after its place."""
    return f" ({cell})" if cell else ""


def render_json(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    counts = summary_counts(diagnostics)
    summary: dict = {severity.label: counts[severity] for severity in Severity}
    if context.relations is not None:
        summary["relations"] = context.relations.to_json()
        summary["unchecked"] = [relation.to_json() for relation in context.relations.unchecked]
    document = {
        "version": 1,
        "files_checked": len(context.checked),
        "summary": summary,
        "diagnostics": [d.to_json() for d in diagnostics],
    }
    return json_safe(json.dumps(document, ensure_ascii=False, indent=2)) + "\n"


def _console(stream: TextIO | None, color: bool | None):
    from rich.console import Console

    # no emoji: a value holding `:warning:` is shown as written, not as ⚠
    kwargs: dict[str, Any] = {"file": stream, "highlight": False, "soft_wrap": True, "emoji": False}
    if color is not None:
        kwargs["force_terminal"] = color
        kwargs["no_color"] = not color
    return Console(**kwargs)


def _markup(text: object) -> str:
    """A user-derived string as rich markup that prints it as it is: shown, then escaped."""
    from rich.markup import escape

    return escape(shown(text))


def _underline(line: str, span: Span, line_no: int) -> tuple[str, int, int]:
    """The line as shown (escaped, cut around the span when long) and the cell offset and
    width (East Asian wide characters take two cells) of the span in it."""
    from rich.cells import cell_len

    start = span.column - 1 if line_no == span.line else 0
    end = span.end_column - 1 if line_no == span.end_line else len(line)
    end = max(end, start + 1)
    low, high = 0, len(line)
    if len(line) > MAX_SNIPPET:
        lead = min(start, MAX_SNIPPET // 8)  # some of what comes before a span, however long it is
        end = min(end, start + MAX_SNIPPET - lead)  # a longer span is underlined as far as it is shown
        room = MAX_SNIPPET - (end - start)
        low = max(0, start - max(lead, room // 2))
        high = min(len(line), low + MAX_SNIPPET)
        low = max(0, min(low, high - MAX_SNIPPET))  # the room the end of the line leaves
    pieces = shown_pieces(line[low:high])
    prefix, suffix = ELLIPSIS if low else "", ELLIPSIS if high < len(line) else ""
    text = prefix + "".join(pieces) + suffix
    first = len(prefix) + sum(map(len, pieces[:max(0, start - low)]))
    last = first + sum(map(len, pieces[max(0, start - low):max(0, end - low)]))
    return text, cell_len(text[:first]), max(1, cell_len(text[first:last]))


def render_full(diagnostics: list[Diagnostic], context: ReportContext, stream: TextIO | None = None) -> str:
    buffer = io.StringIO() if stream is None else None
    console = _console(stream or buffer, context.color)
    words = _WORDS[context.lang]
    for diagnostic in diagnostics:
        style = _STYLE[diagnostic.severity]
        label = _LABEL[context.lang][diagnostic.severity]
        console.print(
            f"[{style}]{label}[{_markup(diagnostic.code)}][/{style}] [bold]{_markup(diagnostic.message[context.lang])}[/bold]"
        )
        gutter = len(str(max([diagnostic.span.line] + [s.line for _, s in diagnostic.related]))) + 1
        console.print(f"{' ' * gutter}[blue]-->[/blue] {_markup(diagnostic.file)}:{diagnostic.span.line}:"
                      f"{diagnostic.span.column}{_markup(_cell(diagnostic.cell))}")
        _snippet(console, context, diagnostic.file, diagnostic.span, gutter, style, "")
        shown = diagnostic.related[:MAX_RELATED_SNIPPETS]
        for related, span in shown:
            text = related.label.render(context.lang)
            if related.location.file != diagnostic.file:
                console.print(f"{' ' * gutter}[blue]-->[/blue] {_markup(related.location.file)}:{span.line}:{span.column}")
            _snippet(console, context, related.location.file, span, gutter, "cyan", text)
        hidden = len(diagnostic.related) - len(shown)
        if hidden > 0:
            console.print(f"{' ' * gutter}[blue]=[/blue] {_markup(words['and_more'].format(n=hidden))}")
        if diagnostic.help:
            console.print(f"{' ' * gutter}[blue]=[/blue] [bold]{words['help']}[/bold]: {_markup(diagnostic.help[context.lang])}")
        if diagnostic.fix is not None:
            console.print(f"{' ' * gutter}[blue]=[/blue] [green]{words['fix']}[/green]: {_markup(diagnostic.fix.replacement)}")
        console.print()
    if context.show_unchecked and context.relations is not None:
        for relation in context.relations.unchecked:
            _unchecked(console, context, relation)
    console.print(_summary_line(diagnostics, context))
    return buffer.getvalue() if buffer is not None else ""


def _unchecked(console, context: ReportContext, relation) -> None:
    """One relation that could not be checked, at the value that blocked it."""
    lang = context.lang
    gutter = len(str(relation.span.line)) + 1
    console.print(f"[bold magenta]{_NOT_CHECKED[lang]}[{_markup(', '.join(relation.codes))}][/bold magenta] "
                  f"[bold]{_markup(relation.relation.render(lang))}[/bold]")
    console.print(f"{' ' * gutter}[blue]-->[/blue] {_markup(relation.file)}:{relation.span.line}:{relation.span.column}")
    _snippet(console, context, relation.file, relation.span, gutter, "magenta", relation.reason.render(lang))
    console.print()


def _snippet(console, context: ReportContext, file: str, span: Span, gutter: int, style: str, label: str) -> None:
    from rich.markup import escape

    lines = context.sources.get(file) or []
    if not 1 <= span.line <= len(lines):
        return
    line, offset, width = _underline(lines[span.line - 1], span, span.line)
    console.print(f"[blue]{str(span.line).rjust(gutter - 1)} |[/blue] {escape(line)}")
    marker = "^" * width if not label else "-" * width
    tail = f" {_markup(label)}" if label else ""
    console.print(f"[blue]{' ' * (gutter - 1)} |[/blue] {' ' * offset}[{style}]{marker}{tail}[/{style}]")


def _relations_clause(context: ReportContext) -> str:
    """ "N relations checked, M not checked", in the run's language ("" when not counted)."""
    relations = context.relations
    if relations is None:
        return ""
    checked, unchecked = relations.checked, len(relations.unchecked)
    if context.lang == "ja":
        text = f"関係 {checked} 件を検査、{unchecked} 件は未検査"
        return text + ("（--show-unchecked で一覧）" if unchecked and not context.show_unchecked else "")
    text = f"{_plural(checked, 'relation')} checked, {unchecked} not checked"
    return text + (" (--show-unchecked lists them)" if unchecked and not context.show_unchecked else "")


def plain_summary(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    """The summary line without markup: the concise format prints it on stderr, so that
    stdout stays one located line per finding for the tools that read it."""
    from rich.text import Text as RichText

    return RichText.from_markup(_summary_line(diagnostics, context)).plain


def _summary_line(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    if context.relations is not None:
        return _counted_summary(diagnostics, context)
    counts = summary_counts(diagnostics)
    files = len(context.checked)
    if context.lang == "ja":
        if not diagnostics:
            return f"[green]問題はありません[/green]（{files} ファイルを検査）"
        return (f"[bold]{len(diagnostics)} 件の指摘[/bold]（エラー {counts[Severity.ERROR]}、警告 "
                f"{counts[Severity.WARNING]}、情報 {counts[Severity.INFO]}）、{files} ファイルを検査")
    if not diagnostics:
        return f"[green]All checks passed[/green] ({_plural(files, 'file')} checked)"
    return (f"[bold]Found {len(diagnostics)} problem{'s' if len(diagnostics) != 1 else ''}[/bold] "
            f"({_plural(counts[Severity.ERROR], 'error')}, {_plural(counts[Severity.WARNING], 'warning')}, "
            f"{counts[Severity.INFO]} info) in {_plural(files, 'file')} checked")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _counted_summary(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    """The summary of a run whose relations were counted: a clean run says it passed only
    when something was checked and nothing was left unchecked."""
    from rich.markup import escape

    counts = summary_counts(diagnostics)
    files = len(context.checked)
    relations = context.relations
    assert relations is not None
    clause = escape(_relations_clause(context))
    checked, unchecked = relations.checked, len(relations.unchecked)
    if context.lang == "ja":
        if diagnostics:
            return (f"[bold]{len(diagnostics)} 件の指摘[/bold]（エラー {counts[Severity.ERROR]}、警告 "
                    f"{counts[Severity.WARNING]}、情報 {counts[Severity.INFO]}）、{files} ファイルを検査、{clause}")
        if checked == 0 and unchecked == 0:
            return f"[yellow]検査できる関係がありませんでした[/yellow]（{files} ファイル）"
        if checked == 0:
            return f"[yellow]何も検査できませんでした[/yellow]（{files} ファイル、{clause}）"
        if unchecked:
            return f"[yellow]検査した範囲に問題はありません[/yellow]（{files} ファイル、{clause}）"
        return f"[green]問題はありません[/green]（{files} ファイル、{clause}）"
    if diagnostics:
        return (f"[bold]Found {len(diagnostics)} problem{'s' if len(diagnostics) != 1 else ''}[/bold] "
                f"({_plural(counts[Severity.ERROR], 'error')}, {_plural(counts[Severity.WARNING], 'warning')}, "
                f"{counts[Severity.INFO]} info) in {_plural(files, 'file')} checked; {clause}")
    if checked == 0 and unchecked == 0:
        return f"[yellow]No relations to check[/yellow] in {_plural(files, 'file')}"
    if checked == 0:
        return f"[yellow]Nothing could be checked[/yellow] in {_plural(files, 'file')}: {clause}"
    if unchecked:
        return f"[yellow]No problems in what could be checked[/yellow] ({_plural(files, 'file')}: {clause})"
    return f"[green]All checks passed[/green] ({_plural(files, 'file')}: {clause})"
