"""Within one document: a document may span several files that share `plan.id`, and its
parts must read as one. A key names one indicator of the document; a list numbers its
entries once; every part states the same header; a revised target (改訂後の期待値)
lies in the plan period after its own base year and restates that year's actual."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from checker.diagnostics import Checked, Finding, Location, ModelPath, Related, RelationRecord, Text, Year
from checker.functions import Target, check_function, plan_set_indicators
from checker.values import Number


def _line(loaded: Any, path: ModelPath) -> int:
    span = loaded.nearest_span(path)
    return span.line


def _by_name(files: list[Any]) -> list[Any]:
    return sorted((loaded for loaded in files if loaded.model is not None), key=lambda loaded: loaded.name)


@check_function(
    "document_keys",
    given=("plan_set",),
    kinds={"duplicate_key": ("key", "indicator", "first_indicator", "first_file", "first_line", "plan")},
)
def document_keys(target: Target, options: dict[str, Any]) -> Iterator[Finding]:
    """A key names one indicator of a document (all files sharing `plan.id`): a second
    indicator with the same key (by file, then path order) is reported at its key, naming
    the first, unless it declares itself a (再掲) restatement or a (内数) component of that
    key. Links, restatements and the cross-document checks all take the first."""
    files = {loaded.name: loaded for loaded in _by_name(target.node)}
    first: dict[tuple[str, str], tuple[Any, ModelPath, Any]] = {}
    for loaded, path, indicator in plan_set_indicators(list(files.values())):
        key = indicator.key
        if key is None or key in (indicator.restates, indicator.component_of):
            continue
        plan_id = loaded.model.plan.id
        first_loaded, first_path, first_indicator = first.setdefault((plan_id, key), (loaded, path, indicator))
        if first_indicator is indicator:
            continue
        yield Finding(
            "duplicate_key",
            Location(loaded.name, path + ("key",)),
            {"key": key, "indicator": indicator.name, "first_indicator": first_indicator.name,
             "first_file": first_loaded.name, "first_line": str(_line(first_loaded, first_path + ("key",))),
             "plan": plan_id},
            [Related(Location(first_loaded.name, first_path + ("key",)),
                     Text("最初にこの key を使った指標", "the first indicator with this key"))],
        )


_NUMBER_FIELDS = ("no", "number")


_FIELDS: dict[type, dict[str, Any] | None] = {}


def _model_fields(node: Any) -> dict[str, Any] | None:
    """A model node's fields (duck-typed: a warm run imports this module, never pydantic),
    looked up once per class: asked of every node of a plan set, and pydantic's
    `model_fields` is a descriptor call each time."""
    node_type = type(node)
    if node_type in _FIELDS:
        return _FIELDS[node_type]
    fields = getattr(node_type, "model_fields", None)
    _FIELDS[node_type] = fields = fields if isinstance(fields, dict) else None
    return fields


_STRUCTURAL: dict[type, tuple[str, ...]] = {}


def _holds_models(annotation: Any) -> bool:
    """Whether a field's annotation can hold a model (a section, a list of items)."""
    if isinstance(annotation, type) and isinstance(getattr(annotation, "model_fields", None), dict):
        return True
    return any(_holds_models(arg) for arg in getattr(annotation, "__args__", ()) or ())


def _structural_fields(node_type: type) -> tuple[str, ...]:
    """The fields of a model class that can hold models, once per class: the walk below
    visits every node of a plan set, and reading every field of every cell-bearing model
    was most of its time."""
    names = _STRUCTURAL.get(node_type)
    if names is None:
        fields = getattr(node_type, "model_fields", {})
        names = _STRUCTURAL[node_type] = tuple(name for name, info in fields.items()
                                                if _holds_models(getattr(info, "annotation", None)))
    return names


def _numbered_lists(node: Any, path: ModelPath) -> Iterator[tuple[ModelPath, str, list[Any]]]:
    """(path, number field, entries) of every list of numbered entries under `node`."""
    if _model_fields(node) is None:
        return
    for name in _structural_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, list):
            entries = [entry for entry in value if _model_fields(entry) is not None]
            field = next((field for field in _NUMBER_FIELDS if entries and field in (_model_fields(entries[0]) or {})), None)
            if field is not None:
                yield path + (name,), field, value
            for index, entry in enumerate(entries):
                yield from _numbered_lists(entry, path + (name, index))
        elif _model_fields(value) is not None:
            yield from _numbered_lists(value, path + (name,))


def _entry_name(entry: Any) -> str:
    return str(getattr(entry, "name", None) or getattr(entry, "title", None) or "")


@check_function(
    "list_numbers",
    given=("plan_set",),
    kinds={"duplicate_number": ("number", "name", "first_name", "first_line")},
)
def list_numbers(target: Target, options: dict[str, Any]) -> Iterator[Finding]:
    """A list numbers each entry once (the `no` of a section's indicators, of a project
    list's items, of an area's measures; the `number` of a goal's areas and directions):
    a second entry with the same number is reported at its number, naming the first's
    line. Indicators printed as labelled sub-rows of one number (`subrow: 大沼ルート`)
    share it when their labels differ."""
    for loaded in _by_name(target.node):
        for list_path, field, entries in _numbered_lists(loaded.model, ()):
            seen: dict[tuple[str, str | None], int] = {}
            for index, entry in enumerate(entries):
                number = getattr(entry, field)
                if number is None:
                    continue
                # Sub-rows printed under one number (a route each) share it, each with its label
                # (asked only of a model that has the field: a missing one is a failed lookup)
                label = entry.subrow if "subrow" in (_model_fields(entry) or ()) else None
                first = seen.setdefault((str(number), label), index)
                if first == index:
                    continue
                first_path = list_path + (first, field)
                yield Finding(
                    "duplicate_number",
                    Location(loaded.name, list_path + (index, field)),
                    {"number": str(number), "name": _entry_name(entry), "first_name": _entry_name(entries[first]),
                     "first_line": str(_line(loaded, first_path))},
                    [Related(Location(loaded.name, first_path), Text("同じ番号の最初の項目", "the first entry with this number"))],
                )


def _shown(value: Any) -> Any:
    if value is None:
        return "—"
    return value


def _period_text(period: Any) -> Text | None:
    if period is None:
        return None
    start, end = Year(period.start), Year(period.end)
    return Text(f"{start.render('ja')}～{end.render('ja')}", f"{start.render('en')} to {end.render('en')}")


def _header_fields(header: Any) -> Iterator[tuple[ModelPath, Text, Any]]:
    """(path, label, value) of each field of a plan header that holds for the whole
    document. A part may give only some of the document's footnotes: each mark it gives is
    compared, by mark."""
    yield ("title",), Text("表題", "title"), header.title
    yield ("municipality",), Text("自治体", "municipality"), header.municipality
    yield ("kind",), Text("文書の種類", "kind of document"), header.kind
    yield ("period",), Text("計画期間", "plan period"), _period_text(header.period)
    yield ("as_of",), Text("報告年度", "reporting year (as_of)"), None if header.as_of is None else Year(header.as_of)
    yield ("rounding",), Text("端数処理", "rounding"), header.rounding
    yield ("target_years",), Text("目標の年度", "target years"), header.target_years
    yield ("source", "seed"), Text("原資料", "source document"), header.source.seed


@check_function(
    "document_headers",
    given=("plan_set",),
    kinds={"header_differs": ("field", "stated", "reference", "reference_file", "plan")},
)
def document_headers(target: Target, options: dict[str, Any]) -> Iterator[Finding | RelationRecord]:
    """The files of one document (sharing `plan.id`) state the same header: title,
    municipality, kind, period, as_of, rounding, target_years, source document, and the
    same text for each footnote mark they both give. The first file by name is the
    reference; a later file's disagreeing field is reported, with the first's as related."""
    by_plan: dict[str, list[Any]] = defaultdict(list)
    for loaded in _by_name(target.node):
        by_plan[loaded.model.plan.id].append(loaded)
    for plan_id, parts in by_plan.items():
        first, *later = parts
        reference = {path: (label, value) for path, label, value in _header_fields(first.model.plan)}
        for loaded in later:
            header = loaded.model.plan
            fields = list(_header_fields(header))
            fields += [(("footnotes", mark), Text(f"注記 {mark}", f"footnote {mark}"), text)
                       for mark, text in header.footnotes.items() if mark in first.model.plan.footnotes]
            for path, label, value in fields:
                expected = reference[path][1] if path in reference else first.model.plan.footnotes[path[1]]
                here = Location(loaded.name, ("plan",) + path)
                yield Checked(here)
                if value == expected:
                    continue
                yield Finding(
                    "header_differs",
                    here,
                    {"field": label, "stated": _shown(value), "reference": _shown(expected),
                     "reference_file": first.name, "plan": plan_id},
                    [Related(Location(first.name, ("plan",) + path), Text(f"{first.name} の記載", f"as {first.name} states it"))],
                )


REVISION_BASELINE = Text("改訂の基準値＝その年度の実績", "a revision's baseline = that year's actual")


@check_function(
    "target_revisions",
    given=("indicators",),
    kinds={
        "revision_outside_period": ("indicator", "year", "start", "end"),
        "revised_target_not_after_base": ("indicator", "year", "base_year"),
        "revised_target_before_in_force": ("indicator", "year", "in_force"),
        "revision_baseline_differs": ("indicator", "year", "stated", "actual"),
    },
)
def target_revisions(target: Target, options: dict[str, Any]) -> Iterator[Finding | RelationRecord]:
    """A revision of an indicator's targets (改訂後の期待値, `revisions:`) comes into force
    within the plan period, and each revised target lies in the period, after the
    revision's base year and not before the revision is in force. The revision's baseline
    restates the indicator's actual (or baseline) for its year where the indicator states
    one."""
    indicator = target.node
    period = target.plan.plan.period
    for index, revision in enumerate(indicator.revisions):
        base: ModelPath = target.path + ("revisions", index)
        years: list[tuple[ModelPath, Any, bool]] = [(("year",), revision.year, False)]
        years += [(("targets", year), year, True) for year in sorted(revision.targets)]
        for path, year, is_key in years:
            location = Location(target.file, base + path, key=is_key)
            if period is not None and year not in period.years():
                yield Finding("revision_outside_period", location,
                              {"indicator": indicator.name, "year": Year(year), "start": Year(period.start),
                               "end": Year(period.end)})
            if not is_key:
                continue
            if revision.baseline is not None and year <= revision.baseline.year:
                yield Finding("revised_target_not_after_base", location,
                              {"indicator": indicator.name, "year": Year(year),
                               "base_year": Year(revision.baseline.year)},
                              [Related(Location(target.file, base + ("baseline", "year")),
                                       Text("改訂の基準年度", "the revision's base year"))])
            elif year < revision.year:
                yield Finding("revised_target_before_in_force", location,
                              {"indicator": indicator.name, "year": Year(year), "in_force": Year(revision.year)},
                              [Related(Location(target.file, base + ("year",)),
                                       Text("改訂が適用される年度", "the year the revision is in force from"))])
        yield from _revision_baseline(target, indicator, revision, base)


def _revision_baseline(target: Target, indicator: Any, revision: Any, base: ModelPath) -> Iterator[Any]:
    if revision.baseline is None or not isinstance(revision.baseline.value, Number):
        return
    year = revision.baseline.year
    observed: tuple[ModelPath, Any] | None = None
    if isinstance(indicator.actuals.get(year), Number):
        observed = (("actuals", year), indicator.actuals[year])
    elif indicator.baseline is not None and indicator.baseline.year == year and isinstance(indicator.baseline.value,
                                                                                             Number):
        observed = (("baseline", "value"), indicator.baseline.value)
    if observed is None:
        return
    here = Location(target.file, base + ("baseline", "value"))
    yield Checked(here)
    stated, actual = revision.baseline.value, observed[1]
    if stated.value == actual.value:
        return
    yield Finding("revision_baseline_differs", here,
                  {"indicator": indicator.name, "year": Year(year), "stated": stated.value, "actual": actual.value},
                  [Related(Location(target.file, target.path + observed[0]), Text("同じ年度の実績", "that year's actual"))])
