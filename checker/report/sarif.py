"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One run; the driver lists every enabled rule with its documentation, and each result
points at its region (columns counted in Unicode code points, as plancheck counts them,
declared by `columnKind`), with the related values as related locations and a safe fix
as a SARIF fix.
"""

from __future__ import annotations

import json
from importlib import metadata
from typing import Any

from checker.diagnostics import Diagnostic, Severity, Span
from checker.fixes import scalar_text
from checker.report import ReportContext

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _region(span: Span) -> dict[str, int]:
    return {"startLine": span.line, "startColumn": span.column, "endLine": span.end_line, "endColumn": span.end_column}


def _location(file: str, span: Span, message: str | None = None, index: int | None = None) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {"artifactLocation": {"uri": file.replace("\\", "/")}, "region": _region(span)},
    }
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
            "locations": [_location(d.file, d.span)],
        }
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        if d.related:
            result["relatedLocations"] = [
                _location(related.location.file, span, related.label.render(lang), position)
                for position, (related, span) in enumerate(d.related, 1)
            ]
        if d.fix is not None and d.fix_span is not None:
            inserted = scalar_text(context.sources.get(d.file, []), d.fix_span, d.fix.replacement)
            result["fixes"] = [{
                "description": {"text": f"{d.fix.replacement}"},
                "artifactChanges": [{
                    "artifactLocation": {"uri": d.file.replace("\\", "/")},
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
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if context.relations is not None:
        # what could not be checked is a fact about the run, not a result: each relation
        # not checked is a notification at the value that blocked it
        run["invocations"] = [{
            "executionSuccessful": True,
            "toolExecutionNotifications": [
                {"level": "note",
                 "message": {"text": f"{relation.relation.render(lang)}: {relation.reason.render(lang)}"},
                 "locations": [_location(relation.file, relation.span)],
                 "associatedRule": {"id": relation.codes[0]} if relation.codes else None,
                 "properties": {"rules": list(relation.codes), "notChecked": True}}
                for relation in context.relations.unchecked
            ],
        }]
        for notification in run["invocations"][0]["toolExecutionNotifications"]:
            if notification["associatedRule"] is None:
                del notification["associatedRule"]
        run["properties"] = {"relations": context.relations.to_json()}
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [run],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
