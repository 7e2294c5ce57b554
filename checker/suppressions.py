"""Suppressions written in plan files as YAML comments.

    cost: 0   # plancheck: ignore[TOT002] the published 合計 is rounded from yen amounts
    # plancheck: ignore[RES003] the combined total is not published
    - {no: 2, name: ..., restated: true}
    # plancheck: file-ignore[XDOC002] targets were reset by council decision 令和5年3月

`ignore` holds for a diagnostic on its own line, or (on a comment-only line) on the line
below; `file-ignore` for the whole file. Codes are named exactly; a reason is required.
A suppression that suppresses nothing, or lacks codes or a reason, is itself reported,
so stale suppressions do not pile up.
"""

from __future__ import annotations

import bisect
import io
import re
from dataclasses import dataclass, field

from checker.diagnostics import Finding, Location, Span
from checker.rules import CODE_FORM

_COMMENT_RE = re.compile(r"#\s*plancheck:\s*(?P<scope>ignore|file-ignore)\b(?:\[(?P<codes>[^\]]*)\])?(?P<reason>.*)$")


@dataclass
class Suppression:
    scope: str  # "ignore" | "file-ignore"
    codes: tuple[str, ...]
    reason: str
    span: Span  # of the comment
    applies_to: int | None  # the line it covers (ignore), None for the whole file
    used: set[str] = field(default_factory=set)

    def covers(self, code: str, line: int) -> bool:
        return code in self.codes and (self.applies_to is None or self.applies_to == line)


# YAML's line breaks as ruamel.yaml counts them (so a comment's line is a diagnostic's line)
_BREAK_RE = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
# a `#` begins a comment at the start of a line or after white space, outside every scalar
_CANDIDATE_RE = re.compile(r"(?:(?<=[ \t\r\n\x85\u2028\u2029])|^)#[ \t]*plancheck:")


def _scalars(text: str) -> list[tuple[int, int]]:
    """The character ranges the scanner read as scalars (plain, quoted or block, keys
    included), sorted; a block scalar's range starts after its header line, whose comment
    is a comment. Past a scanning error nothing is known, so the rest is one range."""
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.tokens import ScalarToken

    from checker.loader import _yaml

    ranges = []
    try:
        for token in _yaml().scan(io.StringIO(text)):
            if type(token) is ScalarToken:
                start, end = token.start_mark.index, token.end_mark.index
                if token.style in ("|", ">"):
                    header_end = _BREAK_RE.search(text, start)
                    start = header_end.end() if header_end else end
                ranges.append((start, end))
    except YAMLError as error:
        # from the earlier mark: an unterminated quote is reported at the end, begun at its quote
        marks = [mark.index for mark in (getattr(error, "context_mark", None), getattr(error, "problem_mark", None))
                 if mark is not None]
        after = ranges[-1][1] if ranges else 0
        ranges.append((max(after, min(marks, default=0)), len(text) + 1))
    ranges.sort()
    return ranges


def _inside(ranges: list[tuple[int, int]], starts: list[int], index: int) -> bool:
    at = bisect.bisect_right(starts, index) - 1
    return at >= 0 and index < ranges[at][1]


def find_suppressions(text: str) -> list[Suppression]:
    """The suppressions written in real YAML comments of `text`. A `# plancheck:` inside
    a quoted or block scalar is text, not a comment: the scanner's own scalar tokens say
    where the scalars are (including multi-line ones, and any line break YAML counts), so
    a value cannot smuggle a suppression in. Only files that contain `plancheck:` are
    scanned, a second pass over a few of them."""
    candidates = list(_CANDIDATE_RE.finditer(text))
    if not candidates:
        return []
    ranges = _scalars(text)
    starts = [start for start, _ in ranges]
    breaks = [match.end() for match in _BREAK_RE.finditer(text)]  # where each line after the first starts
    found = []
    for candidate in candidates:
        start = candidate.start()
        if _inside(ranges, starts, start):
            continue
        line_index = bisect.bisect_right(breaks, start)
        line_start = breaks[line_index - 1] if line_index else 0
        line_end = _BREAK_RE.search(text, start)
        comment = text[start:line_end.start() if line_end else len(text)]
        match = _COMMENT_RE.match(comment)
        if not match:
            continue
        # every entry between commas, blank ones too: `ignore[]`, `ignore[ ]` and `ignore[A,,B]`
        # name no rule, and are malformed (never "every rule")
        codes = tuple(code.strip() for code in match["codes"].split(",")) if match["codes"] is not None else ()
        number, column = line_index + 1, start - line_start + 1
        own_line = text[line_start:start].strip() != ""
        applies_to = None if match["scope"] == "file-ignore" else (number if own_line else number + 1)
        span = Span(number, column, number, column + len(comment))
        found.append(Suppression(match["scope"], codes, match["reason"].strip(), span, applies_to))
    return found


def _bad_codes(suppression: Suppression, known_codes: set[str]) -> list[str]:
    return [code for code in suppression.codes if not CODE_FORM.fullmatch(code) or code not in known_codes]


def apply(file: str, text: str, diagnostics: list, known_codes: set[str]) -> tuple[list, list[Finding]]:
    """The diagnostics of `file` (whose text is `text`) that no suppression covers, and
    findings about the suppressions themselves (malformed, without reason, unused)."""
    suppressions = find_suppressions(text)
    if not suppressions:
        return diagnostics, []
    kept = []
    # a malformed suppression (a blank or unknown code beside good ones) suppresses nothing
    working = [s for s in suppressions if s.reason and s.codes and not _bad_codes(s, known_codes)]
    for diagnostic in diagnostics:
        covering = [s for s in working if s.covers(diagnostic.code, diagnostic.span.line)]
        for suppression in covering:
            suppression.used.add(diagnostic.code)
        if not covering:
            kept.append(diagnostic)
    findings = []
    for suppression in suppressions:
        location = Location(file, span=suppression.span)
        bad = _bad_codes(suppression, known_codes)
        if not suppression.codes or bad:
            shown = ", ".join(code if code else '""' for code in bad)
            findings.append(Finding("suppression_malformed", location, {"codes": shown or "—"}))
        elif not suppression.reason:
            findings.append(Finding("suppression_without_reason", location, {"codes": ", ".join(suppression.codes)}))
        else:
            unused = [code for code in suppression.codes if code not in suppression.used]
            if unused:
                findings.append(Finding("suppression_unused", location, {"codes": ", ".join(unused)}))
    return kept, findings
