"""The human formats: `full` (source snippets, underlines, related values, help) and
`concise` (one line per diagnostic: path:line:col: CODE message)."""

from __future__ import annotations

import io
import json
from functools import lru_cache
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
    "ja": {"help": "ヒント", "fix": "修正案", "and_more": "ほか {n} 件", "related": "関連",
           "not_shown": "ほか {n} 件の指摘は表示していません（--max-diagnostics）"},
    "en": {"help": "help", "fix": "suggested fix", "and_more": "and {n} more", "related": "related",
           "not_shown": "{n} more findings not shown (--max-diagnostics)"},
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


def render_grouped(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    """The findings under their file's name, one line each (`line:col CODE [severity]
    message`, `[*]` when a safe fix exists), as ruff's grouped format; then the summary."""
    by_file: dict[str, list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        by_file.setdefault(diagnostic.file, []).append(diagnostic)
    out: list[str] = []
    for file, found in by_file.items():
        out.append(f"{shown(file)}:")
        places = [f"{d.span.line}:{d.span.column}" for d in found]
        pad = max(map(len, places))
        for place, d in zip(places, found):
            fixable = " [*]" if d.fix is not None and d.fix.safe else ""
            out.append(f"  {place.ljust(pad)} {shown(d.code)}{fixable} [{d.severity.label}] {shown(d.message[context.lang])}")
        out.append("")
    if context.show_unchecked and context.relations is not None:
        rows = context.relations.unchecked
        for file in dict.fromkeys(u.file for u in rows):
            out.append(f"{shown(file)}: [{_NOT_CHECKED[context.lang]}]")
            out += [f"  {u.span.line}:{u.span.column} {shown(','.join(u.codes))} "
                    f"{shown(u.relation.render(context.lang) + ': ' + u.reason.render(context.lang))}"
                    for u in rows if u.file == file]
            out.append("")
    if context.omitted:
        out.append(_WORDS[context.lang]["not_shown"].format(n=len(context.omitted)))
    if not context.quiet:
        out.append(plain_summary(diagnostics, context))
    return "\n".join(out) + ("\n" if out else "")


def _cell(cell: str | None) -> str:
    """` (関連事務事業一覧!D8)`: the workbook cell an imported value came from, after its place."""
    return f" ({cell})" if cell else ""


def render_json(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    counts = summary_counts([*diagnostics, *context.omitted])
    summary: dict = {severity.label: counts[severity] for severity in Severity}
    if context.omitted:
        summary["not_shown"] = len(context.omitted)  # left out by --max-diagnostics
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


class _Painter:
    """The styles of the full format as escape sequences, made once from rich's console (so
    NO_COLOR, FORCE_COLOR, a terminal and `--color` decide as rich decides) and the width to
    fit (COLUMNS, else the terminal's, else 80, as rich reads it). The lines are written as
    text: rich's per-line markup parsing and rendering cost 2 ms a finding."""

    def __init__(self, stream: TextIO | None, color: bool | None) -> None:
        from rich.color import ColorSystem
        from rich.style import Style

        console = _console(stream, color)
        self.width = max(MIN_WIDTH, console.width)
        systems = {"standard": ColorSystem.STANDARD, "256": ColorSystem.EIGHT_BIT,
                   "truecolor": ColorSystem.TRUECOLOR, "windows": ColorSystem.WINDOWS}
        system = systems.get(console.color_system or "")
        self._codes: dict[str, tuple[str, str]] = {}
        for name in ("bold red", "bold yellow", "bold blue", "bold", "blue", "cyan", "green", "magenta",
                     "bold magenta", "yellow"):
            if system is None:
                self._codes[name] = ("", "")
                continue
            style = Style.parse(name)
            if console.no_color:
                style = style.without_color
            before, _, after = style.render("\0", color_system=system).partition("\0")
            self._codes[name] = (before, after)

    def __call__(self, style: str, text: str) -> str:
        before, after = self._codes[style]
        return f"{before}{text}{after}" if text and before else text


# the narrowest width the full format lays out for (a narrower terminal gets lines this wide)
MIN_WIDTH = 40
# the cells of context kept after a span when the line is cut to fit (when there is more)
RIGHT_CONTEXT = 12


def _cells(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


_CELLS: dict[str, int] = {}


def _char_cells(pieces: list[str]) -> list[int]:
    """The cells of each piece (one character, or the escape of one)."""
    if all(piece.isascii() for piece in pieces):
        return [len(piece) for piece in pieces]
    from rich.cells import cell_len

    found = _CELLS
    cells = []
    for piece in pieces:
        size = found.get(piece)
        if size is None:
            size = found[piece] = cell_len(piece)
        cells.append(size)
    return cells


def wrap(text: str, width: int, indent: int = 0, first: int = 0) -> list[str]:
    """`text` in lines of at most `width` cells (see `_wrapped`)."""
    if len(text) * 2 + first <= width:
        return [text]
    return list(_wrapped(text, width, indent, first))


@lru_cache(maxsize=1024)  # a help text, a label: the same for every finding of a rule
def _wrapped(text: str, width: int, indent: int = 0, first: int = 0) -> tuple[str, ...]:
    """`text` in lines of at most `width` cells (East Asian wide characters take two): the
    first line starts `first` cells in, the others are indented by `indent` spaces. Broken
    at a space, or between two characters of which one is wide (Japanese has no spaces),
    but never before a closing mark (、。）」) or after an opening one (「（), as Japanese
    typesetting does, and never inside a word or a number (121,191)."""
    if _cells(text) + first <= width:
        return (text,)
    lines: list[str] = []
    room = max(1, width - first)
    line, used, break_at = "", 0, -1
    sizes = _char_cells(list(text))
    previous_size = 1
    for char, size in zip(text, sizes):
        breakable = bool(line) and (
            char == " " or line[-1] == " "
            or ((size > 1 or previous_size > 1) and char not in _NO_BREAK_BEFORE and line[-1] not in _NO_BREAK_AFTER))
        if used + size > room and line:
            cut = len(line) if breakable else (break_at if break_at > 0 else len(line))
            lines.append(line[:cut].rstrip(" "))
            line = line[cut:].lstrip(" ")
            room = max(1, width - indent)
            used, break_at = _cells(line), -1
            if char == " " and not line:
                continue
        elif breakable:
            break_at = len(line)
        line += char
        used += size
        previous_size = size
    lines.append(line)
    return (lines[0], *(" " * indent + rest for rest in lines[1:]))


_NO_BREAK_AFTER = frozenset("「『【〔［｛〈《（([{")
_NO_BREAK_BEFORE = frozenset("、。，．）」』】〕］｝〉》・ー：；？！,.)]}:;?!")


@lru_cache(maxsize=4096)  # a line is shown by every finding it is related to
def _measured(line: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """A source line as shown, character by character, and the cells of each."""
    pieces = shown_pieces(line)
    return tuple(pieces), tuple(_char_cells(pieces))


def _layout(line: str, span: Span, line_no: int, room: int, label_cells: int) -> tuple[str, int, int]:
    """The source line as shown in `room` cells and the cell offset and width of the span in
    it: cut around the span, with `…` where it is cut, as rustc cuts it, so that the
    underline and the label after it (`label_cells`, 0 for none) fit on the line under it.
    Wide characters take two cells; a control character is shown escaped (`shown`)."""
    start = span.column - 1 if line_no == span.line else 0
    end = span.end_column - 1 if line_no == span.end_line else len(line)
    start = min(max(start, 0), len(line))
    end = min(max(end, start + 1), len(line) + 1)
    if len(line) > MAX_SNIPPET * 4:  # a minified plan: only the neighbourhood of the span is measured
        low = max(0, start - MAX_SNIPPET)
        line, start, end = line[low:start + MAX_SNIPPET * 2], start - low, end - low
        cut_before = low > 0
    else:
        cut_before = False
    pieces, cells = _measured(line)
    if end > len(pieces):  # a span just after the line's end (a value left out): a blank to underline
        pieces, cells = (*pieces, " "), (*cells, 1)
    span_cells = sum(cells[start:end])
    right = sum(cells[end:])
    need = span_cells + (1 + label_cells if label_cells else 0)
    before = sum(cells[:start])
    if not cut_before and before + span_cells + right <= room and before + need <= room:
        text = "".join(pieces)
        return text, before, max(1, span_cells)
    if span_cells > room - 2:
        # the span itself is cut when it is wider than the room (a long value), after a little
        # of what comes before it; it is underlined as far as it is shown
        lead = min(before, room // 8)
        budget = room - lead - (1 if cut_before or before > lead else 0) - 1
        taken, used = start, 0
        while taken < end and used + cells[taken] <= budget:
            used += cells[taken]
            taken += 1
        end, span_cells = max(taken, start + 1), max(used, 1)
        left_room = room - span_cells - 1
    else:
        reserve = 0 if right == 0 else min(right, RIGHT_CONTEXT) + 1
        left_room = min(room - need, room - span_cells - reserve)
    low = start
    if cut_before or before > left_room:
        used = 1  # the `…` that says the line is cut there
        while low > 0 and used + cells[low - 1] <= left_room:
            low -= 1
            used += cells[low]
    else:
        low = 0
    prefix = ELLIPSIS if (low > 0 or cut_before) else ""
    offset = len(prefix) + sum(cells[low:start])
    rest = room - offset - span_cells
    high = end
    used = 0
    while high < len(pieces) and used + cells[high] <= rest:
        used += cells[high]
        high += 1
    suffix = ""
    if high < len(pieces):
        while high > end and used + 1 > rest:
            high -= 1
            used -= cells[high]
        suffix = ELLIPSIS
    text = prefix + "".join(pieces[low:high]) + suffix
    return text, offset, max(1, span_cells)


def _underline(line: str, span: Span, line_no: int) -> tuple[str, int, int]:
    """The line as shown (cut around the span when long) and the cell offset and width of
    the span in it, in at most MAX_SNIPPET cells."""
    return _layout(line, span, line_no, MAX_SNIPPET, 0)


def render_full(diagnostics: list[Diagnostic], context: ReportContext, stream: TextIO | None = None) -> str:
    buffer = io.StringIO() if stream is None else None
    out = stream or buffer
    assert out is not None
    paint = _Painter(out, context.color)
    width = paint.width
    words = _WORDS[context.lang]
    lang = context.lang
    lines: list[str] = []
    for diagnostic in diagnostics:
        style = _STYLE[diagnostic.severity]
        head = f"{_LABEL[lang][diagnostic.severity]}[{shown(diagnostic.code)}]"
        message = wrap(shown(diagnostic.message[lang]), width, indent=2, first=_cells(head) + 1)
        lines.append(f"{paint(style, head)} {paint('bold', message[0])}")
        lines += [paint("bold", rest) for rest in message[1:]]
        gutter = len(str(max([diagnostic.span.line] + [s.line for _, s in diagnostic.related]))) + 1
        _location(lines, paint, diagnostic.file, diagnostic.span, gutter, width, diagnostic.cell)
        _snippet(lines, paint, context, diagnostic.file, diagnostic.span, gutter, style, "", width)
        shown_related = diagnostic.related[:MAX_RELATED_SNIPPETS]
        cells = diagnostic.related_cells or (None,) * len(shown_related)
        for (related, span), cell in zip(shown_related, cells):
            if related.location.file != diagnostic.file:
                _location(lines, paint, related.location.file, span, gutter, width)
            _snippet(lines, paint, context, related.location.file, span, gutter, "cyan",
                     related.label.render(lang) + _cell(cell), width)
        hidden = len(diagnostic.related) - len(shown_related)
        if hidden > 0:
            _note(lines, paint, gutter, "", words["and_more"].format(n=hidden), width)
        if diagnostic.help:
            _note(lines, paint, gutter, paint("bold", words["help"]) + ": ", diagnostic.help[lang], width,
                  _cells(words["help"]) + 2)
        if diagnostic.fix is not None:
            _note(lines, paint, gutter, paint("green", words["fix"]) + ": ", diagnostic.fix.replacement, width,
                  _cells(words["fix"]) + 2)
        lines.append("")
        if len(lines) > 512:
            out.write("\n".join(lines) + "\n")
            lines.clear()
    if context.show_unchecked and context.relations is not None:
        for relation in context.relations.unchecked:
            _unchecked(lines, paint, context, relation, width)
    if context.omitted:
        lines.append(paint("yellow", words["not_shown"].format(n=len(context.omitted))))
    if not context.quiet:
        lines.append(_painted_summary(diagnostics, context, paint, width))
    if lines:
        out.write("\n".join(lines) + "\n")
    return buffer.getvalue() if buffer is not None else ""


def _location(lines: list[str], paint, file: str, span: Span, gutter: int, width: int,
              cell: str | None = None) -> None:
    """`--> path:line:col` (and the workbook cell an imported value came from); a path wider
    than the terminal goes on as many lines as it takes."""
    where = f"{shown(file)}:{span.line}:{span.column}{shown(_cell(cell))}"
    arrow = " " * gutter + paint("blue", "-->") + " "
    parts = wrap(where, width, indent=gutter + 4, first=gutter + 4)
    lines.append(arrow + parts[0])
    lines += parts[1:]


def _note(lines: list[str], paint, gutter: int, head: str, text: str, width: int, head_cells: int = 0) -> None:
    """`= help: text`, the text wrapped under itself."""
    first = gutter + 2 + head_cells
    parts = wrap(shown(text), width, indent=first, first=first)
    lines.append(" " * gutter + paint("blue", "=") + " " + head + parts[0])
    lines += parts[1:]


def _unchecked(lines: list[str], paint, context: ReportContext, relation, width: int) -> None:
    """One relation that could not be checked, at the value that blocked it."""
    lang = context.lang
    gutter = len(str(relation.span.line)) + 1
    head = f"{_NOT_CHECKED[lang]}[{shown(', '.join(relation.codes))}]"
    message = wrap(shown(relation.relation.render(lang)), width, indent=2, first=_cells(head) + 1)
    lines.append(f"{paint('bold magenta', head)} {paint('bold', message[0])}")
    lines += [paint("bold", rest) for rest in message[1:]]
    _location(lines, paint, relation.file, relation.span, gutter, width)
    _snippet(lines, paint, context, relation.file, relation.span, gutter, "magenta", relation.reason.render(lang),
             width)
    lines.append("")


def _snippet(lines: list[str], paint, context: ReportContext, file: str, span: Span, gutter: int, style: str,
             label: str, width: int) -> None:
    """The span's source line, cut to the width around the span, and its underline with the
    label on the same line as the underline (wrapped after it when it cannot fit)."""
    source = context.sources.get(file) or []
    if not 1 <= span.line <= len(source):
        return
    label = shown(label) if label else ""
    label_cells = _cells(label) if label else 0
    room = min(width - gutter - 2, MAX_SNIPPET)
    # a label longer than half the room wraps instead of pushing the value out of the line
    text, offset, cells = _layout(source[span.line - 1], span, span.line, room, min(label_cells, room // 2))
    bar = paint("blue", " " * (gutter - 1) + " |")
    lines.append(paint("blue", f"{str(span.line).rjust(gutter - 1)} |") + " " + text)
    if not label:
        lines.append(f"{bar} {' ' * offset}{paint(style, '^' * cells)}")
        return
    start = offset + cells + 1
    parts = wrap(label, room, indent=start, first=start) if start < room - 8 else \
        wrap(label, room, indent=offset, first=start)
    lines.append(f"{bar} {' ' * offset}{paint(style, '-' * cells + ' ' + parts[0])}")
    lines += [f"{bar} {paint(style, part)}" for part in parts[1:]]


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
    """The summary line without styles: the concise format prints it on stderr, so that
    stdout stays one located line per finding for the tools that read it."""
    _, verdict, rest = _summary_line(diagnostics, context)
    return verdict + rest


def _painted_summary(diagnostics: list[Diagnostic], context: ReportContext, paint, width: int) -> str:
    """The summary line, wrapped to the width, its leading words (the verdict) in their
    style when they fit on the first line."""
    style, verdict, rest = _summary_line(diagnostics, context)
    lines = wrap(verdict + rest, width, indent=2)
    if len(verdict) <= len(lines[0]):
        lines[0] = paint(style, lines[0][:len(verdict)]) + lines[0][len(verdict):]
    return "\n".join(lines)


def _summary_line(diagnostics: list[Diagnostic], context: ReportContext) -> tuple[str, str, str]:
    """The summary as (the verdict's style, the verdict, the rest): plain text, no markup, so
    that the concise format prints it without rich."""
    diagnostics = [*diagnostics, *context.omitted]  # a cap shows fewer; the summary counts them all
    if context.relations is not None:
        return _counted_summary(diagnostics, context)
    counts = summary_counts(diagnostics)
    files = len(context.checked)
    if context.lang == "ja":
        if not diagnostics:
            return "green", "問題はありません", f"（{files} ファイルを検査）"
        return ("bold", f"{len(diagnostics)} 件の指摘", (f"（エラー {counts[Severity.ERROR]}、警告 "
                f"{counts[Severity.WARNING]}、情報 {counts[Severity.INFO]}）、{files} ファイルを検査"))
    if not diagnostics:
        return "green", "All checks passed", f" ({_plural(files, 'file')} checked)"
    return ("bold", f"Found {len(diagnostics)} problem{'s' if len(diagnostics) != 1 else ''}", (
            f" ({_plural(counts[Severity.ERROR], 'error')}, {_plural(counts[Severity.WARNING], 'warning')}, "
            f"{counts[Severity.INFO]} info) in {_plural(files, 'file')} checked"))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _counted_summary(diagnostics: list[Diagnostic], context: ReportContext) -> tuple[str, str, str]:
    """The summary of a run whose relations were counted: a clean run says it passed only
    when something was checked and nothing was left unchecked."""
    counts = summary_counts(diagnostics)
    files = len(context.checked)
    relations = context.relations
    assert relations is not None
    clause = _relations_clause(context)
    checked, unchecked = relations.checked, len(relations.unchecked)
    if context.lang == "ja":
        if diagnostics:
            return ("bold", f"{len(diagnostics)} 件の指摘", (f"（エラー {counts[Severity.ERROR]}、警告 "
                    f"{counts[Severity.WARNING]}、情報 {counts[Severity.INFO]}）、{files} ファイルを検査、{clause}"))
        if checked == 0 and unchecked == 0:
            return "yellow", "検査できる関係がありませんでした", f"（{files} ファイル）"
        if checked == 0:
            return "yellow", "何も検査できませんでした", f"（{files} ファイル、{clause}）"
        if unchecked:
            return "yellow", "検査した範囲に問題はありません", f"（{files} ファイル、{clause}）"
        return "green", "問題はありません", f"（{files} ファイル、{checked} 件の関係を確認）"
    if diagnostics:
        return ("bold", f"Found {len(diagnostics)} problem{'s' if len(diagnostics) != 1 else ''}", (
                f" ({_plural(counts[Severity.ERROR], 'error')}, {_plural(counts[Severity.WARNING], 'warning')}, "
                f"{counts[Severity.INFO]} info) in {_plural(files, 'file')} checked; {clause}"))
    if checked == 0 and unchecked == 0:
        return "yellow", "No relations to check", f" in {_plural(files, 'file')}"
    if checked == 0:
        return "yellow", "Nothing could be checked", f" in {_plural(files, 'file')}: {clause}"
    if unchecked:
        return "yellow", "No problems in what could be checked", f" ({_plural(files, 'file')}: {clause})"
    return "green", "All checks passed", f" ({_plural(files, 'file')}, {_plural(checked, 'relation')} checked)"
