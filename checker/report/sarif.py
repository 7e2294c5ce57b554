"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One run; the driver lists every enabled rule with its documentation, and each result
points at its region (columns counted in Unicode code points, as plancheck counts them,
declared by `columnKind`), with the related values as related locations and a safe fix
as a SARIF fix.
"""

from __future__ import annotations

import json
import os
import urllib.parse
from importlib import metadata
from pathlib import Path
from typing import Any

from checker.diagnostics import Diagnostic, Severity, Span
from checker.fixes import scalar_text
from checker.report import ReportContext
from checker.report.safe import json_safe

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# the base of every relative path: the directory plancheck ran in (file names are shown
# relative to it), declared in the run's `originalUriBaseIds`
SRCROOT = "%SRCROOT%"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _region(span: Span) -> dict[str, int]:
    return {"startLine": span.line, "startColumn": span.column, "endLine": span.end_line, "endColumn": span.end_column}


def _artifact(file: str) -> dict[str, str]:
    """A file's artifact location: its path percent-encoded as RFC 3986 requires (a space,
    `#`, `%`, a control character, non-ASCII as UTF-8; an undecodable name by its bytes),
    relative to `%SRCROOT%` or, for a path outside it, a `file:` URI."""
    path = file.replace("\\", "/")
    raw = os.fsencode(path)  # an undecodable name's own bytes (surrogateescape)
    if os.path.isabs(path) or Path(path).drive:
        return {"uri": "file://" + ("" if path.startswith("/") else "/") + urllib.parse.quote(raw, safe="/:")}
    # a colon stays encoded: in the first segment of a relative reference it would read as a scheme
    return {"uri": urllib.parse.quote(raw, safe="/"), "uriBaseId": SRCROOT}


def _location(file: str, span: Span, message: str | None = None, index: int | None = None,
              cell: str | None = None) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {"artifactLocation": _artifact(file), "region": _region(span)},
    }
    if cell is not None:  # the workbook cell the value was imported from (plancheck import)
        location["properties"] = {"workbookCell": cell}
    if index is not None:
        location["id"] = index
    if message:
        location["message"] = {"text": message}
    return location


def _rule_descriptor(rule: Any, lang: str) -> dict[str, Any]:
    docs = rule.docs
    what = docs.get("what", {}).get(lang) or rule.name
    why = docs.get("why", {}).get(lang, "")
    descriptor: dict[str, Any] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": what},
        "fullDescription": {"text": f"{what} {why}".strip()},
        "defaultConfiguration": {"level": _LEVEL[rule.severity] if rule.severity else "none"},
        "properties": {"fixable": rule.fixable, "fixSafety": rule.fix_safety},
    }
    if rule.help:
        descriptor["help"] = {"text": rule.help[lang]}
    return descriptor


def _utc(seconds: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


def sanitised_command_line(argv: list[str]) -> str:
    """The command line as a shell would read it back, for the record: the program as
    `plancheck`, the home directory as `~` (a path under it names the user), a control
    character shown escaped (see `shown`)."""
    import shlex

    from checker.report.safe import shown

    home = os.path.expanduser("~")
    words = ["plancheck"]
    for word in argv[1:]:
        if home not in ("", "/", "~") and (word == home or word.startswith(home + os.sep)):
            rest = word[len(home):]
            words.append("~" + (shlex.quote(rest) if rest else ""))  # ~'/a b' reads back the same
        else:
            words.append(shlex.quote(word))
    return shown(" ".join(words), limit=None)


def _invocation(context: ReportContext) -> dict[str, Any]:
    """The run as SARIF's `invocation`: whether it succeeded (exit 2 is a failure of the
    run, not a finding), its exit code, its command line, its start and end, and each
    relation that could not be checked as a notification at the value that blocked it
    (a fact about the run, not a result)."""
    import time

    lang = context.lang
    invocation: dict[str, Any] = {"executionSuccessful": context.exit_code in (None, 0, 1)}
    if context.exit_code is not None:
        invocation["exitCode"] = context.exit_code
    if context.command_line is not None:
        invocation["commandLine"] = sanitised_command_line(context.command_line)
    if context.started is not None:
        invocation["startTimeUtc"] = _utc(context.started)
        invocation["endTimeUtc"] = _utc(time.time())
    if context.relations is not None:
        notifications = []
        for relation in context.relations.unchecked:
            notification: dict[str, Any] = {
                "level": "note",
                "message": {"text": f"{relation.relation.render(lang)}: {relation.reason.render(lang)}"},
                "locations": [_location(relation.file, relation.span)],
                "properties": {"rules": list(relation.codes), "notChecked": True}}
            if relation.codes:
                notification["associatedRule"] = {"id": relation.codes[0]}
            notifications.append(notification)
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def render_sarif(diagnostics: list[Diagnostic], context: ReportContext, rules: list[Any]) -> str:
    lang = context.lang
    descriptors = [_rule_descriptor(rule, lang) for rule in rules]
    index = {rule.code: position for position, rule in enumerate(rules)}
    results = []
    for d in diagnostics:
        result: dict[str, Any] = {
            "ruleId": d.code,
            "level": _LEVEL[d.severity],
            "message": {"text": d.message[lang]},
            "locations": [_location(d.file, d.span, cell=d.cell)],
        }
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        if d.related:
            result["relatedLocations"] = [
                _location(related.location.file, span, related.label.render(lang), position,
                          d.related_cells[position - 1] if position <= len(d.related_cells) else None)
                for position, (related, span) in enumerate(d.related, 1)
            ]
        if d.fix is not None and d.fix_span is not None:
            inserted = scalar_text(context.sources.get(d.file, []), d.fix_span, d.fix.replacement)
            result["fixes"] = [{
                "description": {"text": f"{d.fix.replacement}"},
                "artifactChanges": [{
                    "artifactLocation": _artifact(d.file),
                    "replacements": [{"deletedRegion": _region(d.fix_span),
                                      "insertedContent": {"text": inserted}}],
                }],
            }]
        results.append(result)
    try:
        version = metadata.version("plancheck")
    except metadata.PackageNotFoundError:
        version = "0"
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "plancheck",
            "version": version,
            "informationUri": "https://plancheck.invalid/",
            "rules": descriptors,
        }},
        "originalUriBaseIds": {SRCROOT: {"uri": Path.cwd().as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    run["invocations"] = [_invocation(context)]
    if context.relations is not None:
        run["properties"] = {"relations": context.relations.to_json()}
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [run],
    }
    return json_safe(json.dumps(document, ensure_ascii=False, indent=2)) + "\n"
