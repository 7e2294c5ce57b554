"""Reporters: each renders the same diagnostics; none computes anything.

To add an output format, add a module here with a renderer of `(diagnostics, context)`,
name it in `FORMATS` (the `--format` choices and the configuration's `format`), and
dispatch to it in the CLI's `_emit`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from checker.diagnostics import Diagnostic, Relations, Severity


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


def summary_counts(diagnostics: list[Diagnostic]) -> dict[Severity, int]:
    counts = {severity: 0 for severity in Severity}
    for diagnostic in diagnostics:
        counts[diagnostic.severity] += 1
    return counts


FORMATS = ("auto", "full", "concise", "json", "sarif", "github", "junit")
