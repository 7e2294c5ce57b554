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

import re
from dataclasses import dataclass, field

from checker.diagnostics import Finding, Location, Span

_COMMENT_RE = re.compile(r"#\s*plancheck:\s*(?P<scope>ignore|file-ignore)\b(?:\[(?P<codes>[^\]]*)\])?(?P<reason>.*)$")
_CODE_RE = re.compile(r"^[A-Z]+\d{3}$")


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


def _comment_start(line: str) -> int | None:
    """Where a YAML comment starts on the line: a # outside quotes, at the start or after
    whitespace (YAML's rule), or None."""
    quote = None
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return index
    return None


def find_suppressions(lines: list[str]) -> list[Suppression]:
    found = []
    for number, line in enumerate(lines, 1):
        start = _comment_start(line)
        if start is None:
            continue
        match = _COMMENT_RE.match(line[start:])
        if not match:
            continue
        codes = tuple(code.strip() for code in (match["codes"] or "").split(",") if code.strip())
        own_line = line[:start].strip() != ""
        applies_to = None if match["scope"] == "file-ignore" else (number if own_line else number + 1)
        span = Span(number, start + 1, number, len(line) + 1)
        found.append(Suppression(match["scope"], codes, match["reason"].strip(), span, applies_to))
    return found


def apply(file: str, lines: list[str], diagnostics: list, known_codes: set[str]) -> tuple[list, list[Finding]]:
    """The diagnostics of `file` that no suppression covers, and findings about the
    suppressions themselves (malformed, without reason, unused)."""
    suppressions = find_suppressions(lines)
    if not suppressions:
        return diagnostics, []
    kept = []
    for diagnostic in diagnostics:
        covering = [s for s in suppressions if s.reason and s.covers(diagnostic.code, diagnostic.span.line)]
        for suppression in covering:
            suppression.used.add(diagnostic.code)
        if not covering:
            kept.append(diagnostic)
    findings = []
    for suppression in suppressions:
        location = Location(file, span=suppression.span)
        bad = [code for code in suppression.codes if not _CODE_RE.match(code) or code not in known_codes]
        if not suppression.codes or bad:
            findings.append(Finding("suppression_malformed", location,
                                    {"codes": ", ".join(bad) if bad else "—"}))
        elif not suppression.reason:
            findings.append(Finding("suppression_without_reason", location, {"codes": ", ".join(suppression.codes)}))
        else:
            unused = [code for code in suppression.codes if code not in suppression.used]
            if unused:
                findings.append(Finding("suppression_unused", location, {"codes": ", ".join(unused)}))
    return kept, findings
