"""The findings as CSV (`--format csv`, `-o findings.csv`): one row per finding, for people
who filter and sort in Excel.

Columns, always these and in this order (the header row names them the same in every
language, so a script reads any run's file): file, line, column, end_line, end_column,
code, severity, message (in the run's language), cell (the workbook cell of imported data),
related_cells (space-separated), fingerprint (the baseline's, as GitLab's report has it),
numbers (the finding's arguments as a JSON object, exact numbers as strings).

UTF-8 with a BOM, so that Excel opens it as UTF-8 (without one it reads CP932 on a Japanese
Windows and the text is garbled); CRLF line ends; every field quoted. A field that starts
with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe, so a
spreadsheet shows it as text and never runs it as a formula (the OWASP rule for CSV
injection): the file names, messages and values come from the repository.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from checker.diagnostics import Diagnostic, plain_arg
from checker.report import ReportContext

COLUMNS = ("file", "line", "column", "end_line", "end_column", "code", "severity", "message", "cell",
           "related_cells", "fingerprint", "numbers")
BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: object) -> object:
    """A field as a spreadsheet must show it: text that a spreadsheet would take for a
    formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def rows(diagnostics: list[Diagnostic], context: ReportContext) -> list[list[object]]:
    """Each finding as the CSV's row (before neutralising)."""
    from checker.baseline import fingerprints

    found = []
    for d, fingerprint in zip(diagnostics, fingerprints(diagnostics, Path.cwd(), context.sources)):
        numbers = json.dumps({key: plain_arg(value) for key, value in d.args.items()}, ensure_ascii=False,
                             sort_keys=True)
        found.append([d.file, d.span.line, d.span.column, d.span.end_line, d.span.end_column, d.code,
                      d.severity.label, d.message[context.lang], d.cell or "",
                      " ".join(cell for cell in d.related_cells if cell), fingerprint, numbers])
    return found


def render_csv(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows(diagnostics, context):
        writer.writerow([neutralised(value) for value in row])
    return BOM + out.getvalue()
