"""`plancheck import`: a workbook or CSV file in, plan YAML out, every value with its cell.

The road in: `open_workbook` reads the cells (each with the text it prints: its number
format applied, `numfmt.render`), a layout recognises a sheet's shape (`projects.recognise`:
a 関連事務事業一覧), and `to_yaml` writes the plan: its values as printed (so the loader reads
them through `parse_cell` exactly as typed ones), and `cells:` last, the JSON Pointer of each
value -> the cell it came from (`PlanFile.cells`), which diagnostics name beside the YAML
position. The YAML is written in one fixed order, values quoted one fixed way, so an
unchanged workbook gives identical bytes and one changed cell changes one line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.diagnostics import Text
from checker.importer.problems import ImportProblem
from checker.importer.workbook import Workbook, WorkbookError, open_workbook


@dataclass
class ImportResult:
    """What an import made: the YAML (None when nothing was recognised or the file was
    refused), the problems found on the way, and what was recognised, for `--explain`."""

    yaml: str | None
    problems: list[ImportProblem] = field(default_factory=list)
    explain: list[Text] = field(default_factory=list)


def import_workbook(path: Path, *, municipality: str = "", plan_id: str | None = None,
                    mapping: Path | None = None, lint: bool = False) -> ImportResult:
    """The plan a workbook makes; with `lint`, the workbook lint's findings (WB) after the
    import's problems, each naming the YAML value its cell became (`lint.lint_book`)."""
    result, book, cells = _import(path, municipality, plan_id, mapping)
    if lint and book is not None:
        from checker.importer.lint import imported_cells, lint_book

        said = {(cell.rpartition("!")[0], int(problem.args["row"])) for problem in result.problems
                if problem.code == "IMP007" and (cell := problem.cell)}
        result.problems += lint_book(book, imported_cells(cells), said)
    return result


def _import(path: Path, municipality: str, plan_id: str | None,
            mapping: Path | None) -> tuple[ImportResult, Workbook | None, dict[tuple[Any, ...], str]]:
    from checker.importer import indicators, projects, tables
    from checker.importer.mapping import MappingError, apply, read_mapping

    given = None
    if mapping is not None:
        try:
            given = read_mapping(mapping)
        except MappingError as error:
            return ImportResult(None, [ImportProblem("IMP009", None, {"file": mapping.name, "reason": error.reason})]), None, {}
    try:
        book = open_workbook(path)
    except WorkbookError as error:
        return ImportResult(None, [ImportProblem("IMP005", None, {"file": path.name, "reason": error.reason})]), None, {}
    if given is not None and given.sheet not in [sheet.name for sheet in book.sheets]:
        return ImportResult(None, [ImportProblem("IMP009", None, {"file": mapping.name if mapping else "", "reason": Text(
            f"シート「{given.sheet}」がブックにありません", f"the workbook has no sheet {given.sheet!r}")})]), None, {}
    if given is not None:  # the sheet must be as the mapping says (its headers, years, rows)
        from checker.importer.mapping import check

        disagreement = check(next(sheet for sheet in book.sheets if sheet.name == given.sheet), given)
        if disagreement is not None:
            return ImportResult(None, [ImportProblem("IMP009", None, {"file": mapping.name if mapping else "",
                                                                      "reason": disagreement})]), None, {}
    problems: list[ImportProblem] = []
    explain: list[Text] = []
    if not book.formats_read and any(isinstance(cell.value, (int, float)) for sheet in book.sheets
                                     for cell in sheet.cells.values()):
        problems.append(ImportProblem("IMP008", None, {"file": path.name, "reader": "python-calamine"}))
    if book.external_links:
        problems.append(ImportProblem("IMP006", None, {"file": path.name, "count": book.external_links}))
    themes: list[dict[str, Any]] = []
    found_tables: list[dict[str, Any]] = []
    header: dict[str, Any] = {}
    cells: dict[tuple[Any, ...], str] = {}
    for sheet in book.sheets:
        theme: dict[str, Any] = {"id": f"theme-{len(themes) + 1}", "title": _title(sheet, book)}
        reasons: list[Text] = []
        found_cells: dict[tuple[Any, ...], str] = {}
        for layout in (indicators, projects):
            if given is not None:  # a mapping file names its sheet, and says how to read it
                if sheet.name != given.sheet or layout is not {"project_list": projects, "indicators": indicators}.get(
                        given.layout):
                    continue
                found = apply(sheet, given)
            else:
                found = layout.recognise(sheet)
            if isinstance(found, Text):
                reasons.append(found)
                continue
            explain += found.explain
            problems += found.problems
            for key, value in found.header.items():
                header.setdefault(key, value)
            if found.layout == "project_list":
                theme["projects"] = found.data
                found_cells.update({("projects", *sub): ref for sub, ref in found.cells.items()})
            else:
                theme.update(found.data)
                found_cells.update(found.cells)
        if len(theme) == 2 and (given is None or (given.layout == "table" and sheet.name == given.sheet)):
            table = tables.recognise(sheet, len(found_tables)) if given is None else apply(sheet, given, len(found_tables))
            if not isinstance(table, Text):
                explain += table.explain
                problems += table.problems
                for sub, ref in table.cells.items():
                    cells[("tables", len(found_tables), *sub)] = ref
                found_tables.append(table.data)
                continue
            reasons.append(table)
        if len(theme) == 2:
            if given is not None:  # with a mapping file, only its sheet is imported: read as it says, or why not
                if sheet.name == given.sheet:
                    problems.append(ImportProblem("IMP009", None, {"file": mapping.name if mapping else "", "reason": Text(
                        "、".join(r.ja for r in reasons), "; ".join(r.en for r in reasons))}))
                continue
            reason = Text("、".join(r.ja for r in reasons), "; ".join(r.en for r in reasons))
            explain.append(Text(f"{sheet.name}: 判別できません（{reason.ja}）", f"{sheet.name}: not recognised ({reason.en})"))
            if sheet.cells:
                problems.append(ImportProblem("IMP004", None, {"sheet": sheet.name, "reason": reason}))
            continue
        index = len(themes)
        themes.append({key: theme[key] for key in ("id", "title", "indicators", "projects") if key in theme})
        for sub, ref in found_cells.items():
            cells[("themes", index, *sub)] = ref
    if not themes and not found_tables:
        return ImportResult(None, problems, explain), book, {}
    # a sheet that was recognised leaves no IMP004 for the others (notes, cover sheets)
    problems = [problem for problem in problems if problem.code != "IMP004"]
    kinds = {table.get("kind") for table in found_tables}
    title = themes[0]["title"] if len(themes) == 1 and not found_tables else \
        found_tables[0]["title"] if len(found_tables) == 1 and not themes else _title(book.sheets[0], book)
    document: dict[str, Any] = {
        "plan": {
            "id": plan_id or _slug(path.stem),
            "title": title,
            "municipality": municipality,
            "kind": "policy_evaluation" if themes else "budget" if kinds == {"budget"} else "statistics",
            **header,
            "source": {"workbook": path.name},
        },
    }
    if themes:
        document["themes"] = themes
    if found_tables:
        document["tables"] = found_tables
    return ImportResult(to_yaml(document, cells), problems, explain), book, cells


HEADER_COMMENT = ("# Imported by plancheck import: values as the workbook prints them; `cells` names the cell",
                  "# each came from. Re-importing rewrites this file in the same order.")


def added_comments(text: str) -> list[int]:
    """The lines of a previously imported file that hold a comment a person added (a re-import
    rewrites the file and would drop them): its lines with a `#` outside a quoted scalar."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if line in HEADER_COMMENT:
            continue
        quoted = False
        for index, char in enumerate(line):
            if char == '"' and (index == 0 or line[index - 1] != "\\"):
                quoted = not quoted
            elif char == "#" and not quoted and (index == 0 or line[index - 1] in " \t"):
                found.append(number)
                break
    return found


def _title(sheet: Any, book: Workbook) -> str:
    """The sheet's title line (its first text above the table), else the sheet's name."""
    for row in range(1, 4):
        for column in sheet.columns_in(row):
            text = sheet.text(row, column)
            if text and "単位" not in text and not re.fullmatch(r"[\d.,\s]+", text):
                return text
    return sheet.name


def _slug(stem: str) -> str:
    slug = re.sub(r"[^0-9A-Za-z一-鿿ぁ-ヿ_-]+", "-", stem).strip("-")
    return slug or "imported"


# A plain scalar the loader reads back as the same text or the same written number.
_PLAIN_NUMBER = re.compile(r"^-?(?:0|[1-9]\d*)(?:\.\d+)?$")


def scalar(value: Any, force_text: bool = False) -> str:
    """One value as YAML, always the same way: a bool or an int as itself, a printed number
    without separators plain (its digits kept), any other text in double quotes (JSON
    escapes, which YAML reads as written)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if not force_text and _PLAIN_NUMBER.match(text):
        return text
    return _quoted(text)


# What YAML does not allow unescaped in a double-quoted scalar and JSON leaves as it is: DEL,
# the C1 controls, the line and paragraph separators, a BOM, the non-characters.
_NOT_PRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def _quoted(text: str) -> str:
    return _NOT_PRINTABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", json.dumps(text, ensure_ascii=False))


def _key(key: Any) -> str:
    text = str(key)
    return text if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text) else _quoted(text)


_TEXT_FIELDS = {"code", "account", "name", "title", "department", "id", "municipality", "workbook", "unit",
                "year", "outlook", "key", "row", "column", "sheet"}


def to_yaml(document: dict[str, Any], cells: dict[tuple[Any, ...], str]) -> str:
    from checker.loader import json_pointer

    lines = list(HEADER_COMMENT)
    _emit(document, 0, lines, None)
    if cells:
        lines.append("cells:")
        for path, ref in cells.items():
            lines.append(f"  {_quoted(json_pointer(path))}: {_quoted(ref)}")
    return "\n".join(lines) + "\n"


def _emit(node: Any, indent: int, lines: list[str], key: str | None) -> None:
    pad = "  " * indent
    if isinstance(node, dict):
        for name, value in node.items():
            if isinstance(value, (dict, list)) and value:
                lines.append(f"{pad}{_key(name)}:")
                _emit(value, indent + 1, lines, str(name))
            elif isinstance(value, dict):
                lines.append(f"{pad}{_key(name)}: {{}}")
            elif isinstance(value, list):
                lines.append(f"{pad}{_key(name)}: []")
            else:
                lines.append(f"{pad}{_key(name)}: {scalar(value, str(name) in _TEXT_FIELDS)}")
    elif isinstance(node, list):
        for value in node:
            if isinstance(value, dict) and value:
                first = True
                for name, inner in value.items():
                    lead = f"{pad}- " if first else f"{pad}  "
                    first = False
                    if isinstance(inner, (dict, list)) and inner:
                        lines.append(f"{lead}{_key(name)}:")
                        _emit(inner, indent + 2, lines, str(name))
                    else:
                        lines.append(f"{lead}{_key(name)}: {scalar(inner, str(name) in _TEXT_FIELDS)}")
            else:
                lines.append(f"{pad}- {scalar(value, key in _TEXT_FIELDS or key == 'of')}")
