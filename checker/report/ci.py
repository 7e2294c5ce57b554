"""CI outputs: GitHub Actions workflow commands and JUnit XML."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from checker.diagnostics import Diagnostic, Severity
from checker.report import ReportContext
from checker.report.safe import shown, xml_safe

_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _shown_lines(text: str) -> str:
    """`text` shown (see `shown`), but for its line breaks: GitHub takes an annotation of
    several lines, each break escaped as it requires (`%0A`)."""
    return "".join(part if part in ("\r", "\n") else shown(part) for part in re.split(r"([\r\n])", text))


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    """One `::error file=…,line=…::message` workflow command per diagnostic: GitHub shows it
    on the line of the pull request's diff. What the data holds is shown (see `shown`): a
    control character or a line break of a value cannot end the command or start another."""
    lines = []
    for d in diagnostics:
        properties = {
            "file": d.file, "line": d.span.line, "endLine": d.span.end_line,
            "col": d.span.column, "endColumn": d.span.end_column, "title": f"{d.code} ({d.name})",
        }
        joined = ",".join(f"{key}={_escape_property(shown(value, limit=None))}" for key, value in properties.items())
        message = _shown_lines(d.message[context.lang])
        help_text = d.help.get(context.lang)
        if help_text:
            message += "\n" + _shown_lines(help_text)
        lines.append(f"::{_GITHUB_LEVEL[d.severity]} {joined}::{_escape_data(message)}")
    if context.show_unchecked and context.relations is not None:
        for relation in context.relations.unchecked:
            properties = {"file": relation.file, "line": relation.span.line, "col": relation.span.column,
                          "title": f"{', '.join(relation.codes)} (not checked)"}
            joined = ",".join(f"{key}={_escape_property(shown(value, limit=None))}" for key, value in properties.items())
            text = _shown_lines(f"{relation.relation.render(context.lang)}: {relation.reason.render(context.lang)}")
            lines.append(f"::notice {joined}::{_escape_data(text)}")
    return "\n".join(lines) + ("\n" if lines else "")


def render_junit(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    """A test suite per file checked; each diagnostic is a failing test case, and a clean
    file is one passing case, so CI dashboards count files and findings."""
    by_file: dict[str, list[Diagnostic]] = {name: [] for name in context.checked}
    for diagnostic in diagnostics:
        by_file.setdefault(diagnostic.file, []).append(diagnostic)
    root = ET.Element("testsuites", name="plancheck", tests="0", failures="0")
    total = failures = 0
    relations = context.relations
    skipped_total = 0
    for file, found in sorted(by_file.items()):
        suite = ET.SubElement(root, "testsuite", name=file)
        unchecked = relations.unchecked_in(file) if relations is not None else []
        if relations is not None:
            properties = ET.SubElement(suite, "properties")
            ET.SubElement(properties, "property", name="relations.checked",
                          value=str(relations.checked_by_file.get(file, 0)))
            ET.SubElement(properties, "property", name="relations.unchecked", value=str(len(unchecked)))
        cases: list[Diagnostic | None] = [*found] or ([] if unchecked else [None])  # None: the one passing case
        # a relation that could not be checked is a test that did not run
        for relation in unchecked:
            case = ET.SubElement(suite, "testcase", name=f"{','.join(relation.codes)} {relation.span.line}:"
                                 f"{relation.span.column}", classname=file)
            ET.SubElement(case, "skipped", message=f"{relation.relation.render(context.lang)}: "
                          f"{relation.reason.render(context.lang)}")
        skipped_total += len(unchecked)
        suite.set("skipped", str(len(unchecked)))
        for d in cases:
            if d is None:
                ET.SubElement(suite, "testcase", name="plancheck", classname=file)
                continue
            case = ET.SubElement(suite, "testcase", name=f"{d.code} {d.span.line}:{d.span.column}", classname=file)
            failure = ET.SubElement(case, "failure", message=d.message[context.lang], type=d.code)
            failure.text = (f"{file}:{d.span.line}:{d.span.column}: {d.code} [{d.severity.label}] "
                            f"{d.message[context.lang]}\n{d.help.get(context.lang, '')}").rstrip()
        suite.set("tests", str(len(cases) + len(unchecked)))
        suite.set("failures", str(len(found)))
        total += len(cases) + len(unchecked)
        failures += len(found)
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("skipped", str(skipped_total))
    # well-formed whatever a file name or a value holds (ElementTree writes a control
    # character as it is, which XML 1.0 forbids)
    return xml_safe('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n")


# GitLab's severities: info, minor, major, critical, blocker
_GITLAB_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def _repository_path(file: str) -> str:
    """A file name as GitLab and reviewdog match it to the diff: `/` separated, no `./`."""
    path = file.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def render_gitlab(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    """GitLab Code Quality: a JSON array of issues (description, check_name, fingerprint,
    severity, location.path and lines), shown on the merge request. The fingerprint is the
    finding's identity without its line (`checker.baseline.fingerprint`, the baseline's), so a finding
    that only moved is not reported as fixed and new."""
    import json
    from pathlib import Path

    from checker.baseline import fingerprints
    from checker.report.safe import json_safe

    issues = [{
        "type": "issue",
        "description": f"{d.code}: {d.message[context.lang]}",
        "check_name": d.code,
        "fingerprint": fingerprint,
        "severity": _GITLAB_SEVERITY[d.severity],
        "categories": ["Bug Risk"],
        "location": {"path": _repository_path(d.file), "lines": {"begin": d.span.line, "end": d.span.end_line}},
    } for d, fingerprint in zip(diagnostics, fingerprints(diagnostics, Path.cwd(), context.sources))]
    return json_safe(json.dumps(issues, ensure_ascii=False, indent=2)) + "\n"


_RDJSON_SEVERITY = {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING", Severity.INFO: "INFO"}


def _byte_column(lines: list[str], line: int, column: int) -> int:
    """A 1-based column in code points as reviewdog counts it: in UTF-8 bytes."""
    if not 1 <= line <= len(lines):
        return column
    return len(lines[line - 1][:column - 1].encode("utf-8", "surrogateescape")) + 1


def _rd_range(lines: list[str], span) -> dict:
    return {"start": {"line": span.line, "column": _byte_column(lines, span.line, span.column)},
            "end": {"line": span.end_line, "column": _byte_column(lines, span.end_line, span.end_column)}}


def render_rdjson(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    """reviewdog's Diagnostic Format (rdjson, `reviewdog -f=rdjson`): each finding with its
    range (columns in UTF-8 bytes, as reviewdog counts them), severity, code, the related
    values as related locations and a safe fix as a suggestion reviewdog can offer on the
    pull request. reviewdog reads it with protobuf's JSON parser, which refuses fields the
    format does not define: the fingerprint is not written (reviewdog matches findings to
    the diff by their range)."""
    import json

    from checker.fixes import scalar_text
    from checker.report.safe import json_safe

    lang = context.lang
    found = []
    for d in diagnostics:
        lines = context.sources.get(d.file, [])
        entry: dict = {
            "message": d.message[lang],
            "location": {"path": _repository_path(d.file), "range": _rd_range(lines, d.span)},
            "severity": _RDJSON_SEVERITY[d.severity],
            "code": {"value": d.code},
        }
        if d.fix is not None and d.fix.safe and d.fix_span is not None:
            entry["suggestions"] = [{"range": _rd_range(lines, d.fix_span),
                                     "text": scalar_text(lines, d.fix_span, d.fix.replacement)}]
        if d.related:
            entry["related_locations"] = [
                {"message": related.label.render(lang),
                 "location": {"path": _repository_path(related.location.file),
                              "range": _rd_range(context.sources.get(related.location.file, []), span)}}
                for related, span in d.related]
        found.append(entry)
    document = {"source": {"name": "plancheck"}, "diagnostics": found}
    return json_safe(json.dumps(document, ensure_ascii=False, indent=2)) + "\n"
