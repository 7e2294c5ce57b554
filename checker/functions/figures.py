"""Figures restated outside the grid: a number printed in a heading, a footnote or a
sentence (「児童館利用者 115,953人」, 「定員を134人拡大」, 「20.7%と最も高く、次いで18.2%」), or a
table cell printed again in a summary, encoded once with what it restates and checked.

A figure states one claim: `equals` a value, a `change` of a series between two columns
or years, a `rank` among a table row's or column's values, a `sum` of values (an
indicator's field over `years`, across documents too), `achieved` (a 達成済 claim on
an indicator's year) or `missed` (a 達成できていない one, by the same reading), a `trend`
stated without a number (増加, 減少, 横ばい, 向上), or a `product` of values. A value is a
table cell, an indicator's value, a theme's 合計, another figure by its `key`, or the
count of items a text lists (「計 3事業」 over ①②③). `at` makes the figure a table cell (or any one value of the plan
set): its value is that cell's, so the same number is never typed twice.

Every reference (`CellRef`) is resolved by one function, `Resolver.resolve`, in the plan
set: in the figure's own document, or in the document named by `plan`. What it names and
the document lacks is a finding at the reference, with a did-you-mean; what the loader
could not read (`PlanFile.dropped_items`) leaves the figure unchecked instead.

The figure's stated precision governs: it restates a value when the value, converted to
the figure's unit (円, 千円, 万円, 百万円 and 億円 convert exactly), rounds half up to it at
the figure's decimals (1,200 億円 restates 120,012 百万円); when the value is the coarser
one, the figure must round to it. A declared rounding for totals (`declared_rounding(...,
"totals")`) replaces this with interval arithmetic. Any other difference of units (人 and
件, % and ‰) is a finding, and the numbers are still compared as printed.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, NamedTuple

from checker.diagnostics import (
    Checked,
    Finding,
    Fix,
    Location,
    ModelPath,
    Related,
    RelationRecord,
    Text,
    Unchecked,
    Year,
    closest,
    did_you_mean,
)
from checker.fiscal import FiscalYearError, era_label, parse_fiscal_year
from checker.functions import Target, check_function, plan_sections
from checker.functions.rates import BOUND_LOWER, RELATIVE_LOWER, Blocked
from checker.functions.rates import resolve as resolve_rate
from checker.functions.sums import ROUNDING_NAMES, as_number, cell_form, declared_rounding, declared_zero_marks, joined
from checker.functions.units import compare_units
from checker.patterns import lazy_pattern
from checker.values import (
    Bound,
    Number,
    Relative,
    format_decimal,
    interval,
    money_scale,
    round_declared,
    round_half_up,
)

HUNDRED = Decimal(100)
DEPTH = 20  # how deep figures may name figures through `at`
# Lines that hold the whole of others: not among the options a rank compares.
TOTAL_ROLES = ("total", "subtotal", "grand_total")

_FIGURE = ("figure", "stated", "computed", "exact", "difference", "reference", "unit")
KINDS: dict[str, tuple[str, ...]] = {
    "figure_differs": _FIGURE,
    "change_differs": (*_FIGURE, "from_value", "to_value", "from_label", "to_label"),
    "rank_differs": ("figure", "stated", "position", "order", "rank", "above", "among", "ties"),
    "sum_differs": (*_FIGURE, "count"),
    "not_achieved": ("figure", "indicator", "year", "actual", "target", "formula", "rate"),
    "unknown_reference": ("figure", "what", "reference", "known", "suggestion"),
    "unit_differs": ("figure", "unit", "reference_unit", "reference"),
    "figure_rounded": ("figure", "stated", "exact", "rounding", "reference", "unit"),
    "reference_shape": ("figure", "form", "problem"),
    "target_reached": ("figure", "indicator", "year", "actual", "target", "formula", "rate"),
    "trend_differs": ("figure", "direction", "from_label", "from_value", "to_label", "to_value", "difference"),
    "product_differs": _FIGURE,
    "count_differs": ("figure", "stated", "count", "items"),
    "figure_unnamed": ("figure", "key"),
    "figure_key_repeated": ("figure", "key", "first"),
}


# --- what a reference resolves to -------------------------------------------------------


# A check's own records are NamedTuples where nothing compares, hashes or replaces them as
# dataclasses: making a frozen dataclass execs six generated methods at import (about 1 ms a
# class, paid by every one-file run), a NamedTuple a fifth of that.
class Value(NamedTuple):
    """One referenced value: where it is, the cell as read, a label, its unit and the
    absence marks that mean zero where it is."""

    location: Location
    cell: Any
    label: Text
    unit: str | None
    zero_marks: tuple[str, ...] = ()


@dataclass
class Problem:
    """Why a reference gives no value: a finding at the reference, or an Unchecked record
    (the loader could not read what it may name; a value that is not a number)."""

    record: Finding | Unchecked


class Doc(NamedTuple):
    """One document of the plan set: its files (the files sharing `plan.id`), by name."""

    plan_id: str
    files: tuple[Any, ...]


@dataclass
class Context:
    """Where the figure is, for locations and messages."""

    file: str
    path: ModelPath  # the figure's model path
    plan_id: str
    label: Text  # the figure, for messages
    section: Any  # the section that prints it (or the plan file)
    plan: Any  # its PlanFile
    records: list[Finding | RelationRecord] = field(default_factory=list)


def _did_you_mean(word: str, known: list[str]) -> Text:
    return did_you_mean(closest(word, known))


WHAT = {
    "plan": Text("文書", "document"),
    "table": Text("表", "table"),
    "row": Text("行", "row"),
    "column": Text("列", "column"),
    "indicator": Text("指標", "indicator"),
    "year": Text("年度", "year"),
    "theme": Text("テーマ", "theme"),
    "baseline": Text("基準値", "baseline"),
    "figure": Text("数値（key）", "figure (key)"),
    "total": Text("事業一覧の合計", "project list total"),
}


def _known(items: list[str], limit: int = 12) -> str:
    if not items:
        return "—"
    shown = ", ".join(items[:limit])
    return shown + (", …" if len(items) > limit else "")


class Resolver:
    """Resolves every form's references over one plan set."""

    def __init__(self, files: list[Any]) -> None:
        grouped: dict[str, list[Any]] = defaultdict(list)
        for loaded in sorted(files, key=lambda item: item.name):
            grouped[loaded.model.plan.id].append(loaded)
        self.docs = {plan_id: Doc(plan_id, tuple(members)) for plan_id, members in grouped.items()}
        self._index: dict[tuple[Any, str], Any] = {}
        self.rankings: dict[tuple[Any, ...], Ranking] = {}
        self._resolving: set[tuple[str, str]] = set()  # keyed figures being resolved (a cycle guard)
        # (plan id, key) of every keyed figure another figure names
        self.named: set[tuple[str, str]] = {
            (ref.plan if ref.plan is not None else loaded.model.plan.id, ref.figure)
            for loaded, _, figure, _ in _figures(files) for ref in _refs(figure) if ref.figure is not None}

    # -- the finding or record for a reference that names nothing ------------------------

    def _unknown(self, ctx: Context, at: ModelPath, what: str, reference: str, known: list[str]) -> Problem:
        return Problem(Finding(
            "unknown_reference", Location(ctx.file, at),
            {"figure": ctx.label, "what": WHAT[what], "reference": reference, "known": _known(known),
             "suggestion": _did_you_mean(reference, known)},
        ))

    def _lost(self, ctx: Context, at: ModelPath, files: Any, containers: list[tuple[Any, ModelPath]],
              name: str) -> Problem | None:
        """Unchecked when a list or mapping the reference looks in lost an item that may be it."""
        for loaded, container in containers:
            lost = [item for item in loaded.model.dropped_items(container) if item.key in (name, None)]
            if lost:
                relation = Text(f"{ctx.label.ja} が参照する値", f"the value {ctx.label.en} restates")
                return Problem(Unchecked(Location(ctx.file, at), relation, Text(
                    f"{loaded.name} の{lost[0].reason().ja}", f"in {loaded.name}, {lost[0].reason().en}")))
        return None

    def doc(self, ctx: Context, ref: Any, at: ModelPath) -> Doc | Problem:
        plan_id = ref.plan if ref.plan is not None else ctx.plan_id
        found = self.docs.get(plan_id)
        if found is None:
            return self._unknown(ctx, at + ("plan",), "plan", plan_id, sorted(self.docs))
        return found

    # -- tables --------------------------------------------------------------------------

    def _first(self, doc: Doc, kind: str) -> dict[str, Any]:
        """The document's tables, indicators or themes by id or key, the first of each (by
        file, then path order), built once per document."""
        cached = self._index.get((doc.plan_id, kind))
        if cached is not None:
            return cached
        index: dict[str, Any] = {}
        for loaded in doc.files:
            if kind == "tables":
                for position, table in enumerate(loaded.model.tables):
                    index.setdefault(table.id, (loaded, ("tables", position), table))
            elif kind == "themes":
                for position, theme in enumerate(loaded.model.themes):
                    index.setdefault(theme.id, (loaded, ("themes", position), theme))
            elif kind == "figures":
                for owner, path, figure, section in _figures([loaded]):
                    if figure.key is not None:
                        index.setdefault(figure.key, (owner, path, figure, section))
            else:
                for path, section in plan_sections(loaded.model):
                    for position, indicator in enumerate(section.indicators):
                        if indicator.key:
                            index.setdefault(indicator.key, (loaded, path + ("indicators", position), indicator))
        self._index[(doc.plan_id, kind)] = index
        return index

    def _lines(self, table: Any, axis: str) -> dict[str, tuple[ModelPath, Any, list[Any]]]:
        """A table's rows or columns at every depth by key, in printed order: the path
        within the table, the line, its ancestors (nearest first)."""
        cached = self._index.get((id(table), axis))
        if cached is not None:
            return cached
        walk = table.all_rows() if axis == "rows" else table.all_columns()
        parents: dict[int, Any] = {}
        index: dict[str, tuple[ModelPath, Any, list[Any]]] = {}
        for path, line, parent in walk:
            parents[id(line)] = parent
            ancestors, up = [], parent
            while up is not None:
                ancestors.append(up)
                up = parents.get(id(up))
            index.setdefault(line.key, (path, line, ancestors))
        self._index[(id(table), axis)] = index
        return index

    def table(self, ctx: Context, doc: Doc, ref: Any, at: ModelPath) -> tuple[Any, ModelPath, Any] | Problem:
        found = self._first(doc, "tables").get(ref.table)
        if found is not None:
            return found
        lost = self._lost(ctx, at + ("table",), doc.files, [(loaded, ("tables",)) for loaded in doc.files], ref.table)
        return lost or self._unknown(ctx, at + ("table",), "table", ref.table, list(self._first(doc, "tables")))

    def row(self, ctx: Context, placed: tuple[Any, ModelPath, Any], key: str,
            at: ModelPath) -> tuple[ModelPath, Any, list[Any]] | Problem:
        """The row with `key` at any depth: its path in the file, the row, its ancestors."""
        loaded, table_path, table = placed
        rows = self._lines(table, "rows")
        if key in rows:
            path, row, ancestors = rows[key]
            return table_path + path, row, ancestors
        containers = [(loaded, table_path + ("rows",))] + [
            (loaded, table_path + path + ("rows",)) for path, _, _ in rows.values()]
        lost = self._lost(ctx, at, (loaded,), containers, key)
        return lost or self._unknown(ctx, at, "row", key, list(rows))

    def column(self, ctx: Context, placed: tuple[Any, ModelPath, Any], key: str,
               at: ModelPath) -> tuple[Any, list[Any]] | Problem:
        """The column with `key` (None when only rows state it) and its headers above."""
        loaded, table_path, table = placed
        columns = self._lines(table, "columns")
        if key in columns:
            _, column, ancestors = columns[key]
            return column, ancestors
        if any(key in row.values for _, row, _ in self._lines(table, "rows").values()):
            return None, []
        containers = [(loaded, table_path + ("columns",))] + [
            (loaded, table_path + path + ("columns",)) for path, _, _ in columns.values()]
        lost = self._lost(ctx, at, (loaded,), containers, key)
        return lost or self._unknown(ctx, at, "column", key, list(columns))

    def table_cell(self, ctx: Context, placed: tuple[Any, ModelPath, Any], row_key: str, column_key: str,
                   at_row: ModelPath, at_column: ModelPath) -> Value | Problem:
        loaded, _, table = placed
        found_row = self.row(ctx, placed, row_key, at_row)
        if isinstance(found_row, Problem):
            return found_row
        found_column = self.column(ctx, placed, column_key, at_column)
        if isinstance(found_column, Problem):
            return found_column
        return self._cell(ctx, loaded, table, found_row, found_column, column_key)

    def _cell(self, ctx: Context, loaded: Any, table: Any, found_row: tuple[ModelPath, Any, list[Any]],
              found_column: tuple[Any, list[Any]], column_key: str) -> Value:
        row_path, row, row_ancestors = found_row
        column, column_ancestors = found_column
        cell = row.values.get(column_key)
        written = cell.unit if isinstance(cell, Number) else None
        units = [written, row.unit, *(up.unit for up in row_ancestors),
                 getattr(column, "unit", None), *(up.unit for up in column_ancestors), table.unit]
        name = table.number or table.title
        header = column.label if column is not None else column_key
        label = Text(f"{name}の「{row.name}」（{header}）", f"{name}, {row.name} ({header})")
        marks = declared_zero_marks(column, *column_ancestors, table, loaded.model.plan)
        return Value(Location(loaded.name, row_path + ("values", column_key)), cell, _in_file(label, loaded, ctx),
                     next((unit for unit in units if unit), None), marks)

    def line(self, ctx: Context, ref: Any, at: ModelPath) -> list[Value] | Problem:
        """Every option of a whole row (its columns) or column (its rows): the lines that
        are not the whole of others (a header over sub-lines, a line a sum relation
        states, a 合計 by role)."""
        doc = self.doc(ctx, ref, at)
        if isinstance(doc, Problem):
            return doc
        placed = self.table(ctx, doc, ref, at)
        if isinstance(placed, Problem):
            return placed
        loaded, _, table = placed
        values: list[Value] = []
        if ref.column is None:  # a row: its cells across the columns
            found_row = self.row(ctx, placed, ref.row, at + ("row",))
            if isinstance(found_row, Problem):
                return found_row
            sums = {relation.column for relation in table.relations if relation.check == "sum" and relation.column}
            for _, column, ancestors in self._lines(table, "columns").values():
                if column.columns or column.key in sums or column.role in TOTAL_ROLES:
                    continue
                values.append(self._cell(ctx, loaded, table, found_row, (column, ancestors), column.key))
            return values
        found_column = self.column(ctx, placed, ref.column, at + ("column",))
        if isinstance(found_column, Problem):
            return found_column
        sums = {relation.row for relation in table.relations if relation.check == "sum" and relation.row}
        for path, row, ancestors in self._lines(table, "rows").values():
            if row.rows or row.key in sums or row.role in TOTAL_ROLES:
                continue
            values.append(self._cell(ctx, loaded, table, (placed[1] + path, row, ancestors), found_column, ref.column))
        return values

    # -- indicators and themes -----------------------------------------------------------

    def indicator(self, ctx: Context, doc: Doc, key: str, at: ModelPath) -> tuple[Any, ModelPath, Any] | Problem:
        found = self._first(doc, "indicators").get(key)
        if found is not None:
            return found
        containers = [(loaded, path + ("indicators",)) for loaded in doc.files
                      for path, _ in plan_sections(loaded.model)]
        lost = self._lost(ctx, at, doc.files, containers, key)
        return lost or self._unknown(ctx, at, "indicator", key, list(self._first(doc, "indicators")))

    def indicator_value(self, ctx: Context, placed: tuple[Any, ModelPath, Any], field_name: str, year: int | None,
                        at: ModelPath) -> Value | Problem:
        loaded, path, indicator = placed
        name = indicator.name
        if field_name == "baseline":
            baseline = indicator.baseline
            if baseline is None:
                return self._unknown(ctx, at, "baseline", name, [])
            if year is not None and year != baseline.year:
                return self._unknown(ctx, at, "year", era_label(year), [era_label(baseline.year)])
            label = Text(f"「{name}」の基準値（{era_label(baseline.year)}）",
                         f"baseline of {name} ({Year(baseline.year).render('en')})")
            cell = baseline.value
            return Value(Location(loaded.name, path + ("baseline", "value")), cell, _in_file(label, loaded, ctx),
                         _written(cell) or indicator.unit)
        assert year is not None
        values = getattr(indicator, field_name)
        baseline = indicator.baseline
        if field_name == "actuals" and year not in values and baseline is not None and baseline.year == year:
            # the base year's observation is its actual (a change from the base year)
            return self.indicator_value(ctx, placed, "baseline", year, at)
        if year not in values:
            # a year key the loader could not read is written as printed (R4): any may be it
            dropped = loaded.model.dropped_items(path + (field_name,))
            lost = self._lost(ctx, at, (loaded,), [(loaded, path + (field_name,))], dropped[0].key) if dropped else None
            return lost or self._unknown(ctx, at, "year", era_label(year), [era_label(each) for each in sorted(values)])
        ja, en = {"targets": ("目標", "target"), "actuals": ("実績", "actual"), "rates": ("達成率", "rate")}[field_name]
        label = Text(f"「{name}」の{era_label(year)}の{ja}", f"{en} of {name} for {Year(year).render('en')}")
        cell = values[year]
        unit = _written(cell) or ("%" if field_name == "rates" else indicator.unit)
        return Value(Location(loaded.name, path + (field_name, year)), cell, _in_file(label, loaded, ctx), unit)

    def theme_total(self, ctx: Context, doc: Doc, theme_id: str, at: ModelPath) -> Value | Problem:
        found = self._first(doc, "themes").get(theme_id)
        if found is None:
            lost = self._lost(ctx, at, doc.files, [(loaded, ("themes",)) for loaded in doc.files], theme_id)
            return lost or self._unknown(ctx, at, "theme", theme_id, list(self._first(doc, "themes")))
        loaded, path, theme = found
        projects = theme.projects
        if projects is None or projects.total is None:
            return self._unknown(ctx, at, "total", theme_id, [])
        label = Text(f"「{theme.title}」の事業一覧の合計", f"the project list total of {theme.title}")
        return Value(Location(loaded.name, path + ("projects", "total")), projects.total,
                     _in_file(label, loaded, ctx), _written(projects.total) or projects.unit,
                     declared_zero_marks(projects, loaded.model.plan))

    def figure_values(self, ctx: Context, doc: Doc, key: str, at: ModelPath) -> list[Value] | Problem:
        """The value of the figure with `key`: as printed, or the cell (cells) `at` names."""
        found = self._first(doc, "figures").get(key)
        if found is None:
            return self._unknown(ctx, at, "figure", key, list(self._first(doc, "figures")))
        loaded, path, figure, section = found
        label = _in_file(_label(figure), loaded, ctx)
        if figure.at is None:
            if figure.value is None:
                return Problem(_shape(ctx, at, Text(f"数値 {key} には値（value か at）がありません",
                                                    f"the figure {key} has no value (value or at)")))
            return [Value(Location(loaded.name, path + ("value",)), figure.value, label,
                          figure.unit or _written(figure.value))]
        if (doc.plan_id, key) in self._resolving:
            return Problem(_shape(ctx, at, Text(f"数値 {key} の at が自分自身を指しています（循環）",
                                                f"the figure {key} is, through `at`, itself (a cycle)")))
        if len(self._resolving) >= DEPTH:
            return Problem(_shape(ctx, at, Text(f"数値 {key} は {DEPTH} 段を超えて別の数値を指しています",
                                                f"the figure {key} names figures more than {DEPTH} deep")))
        self._resolving.add((doc.plan_id, key))
        try:
            inner = Context(loaded.name, path, doc.plan_id, label, section, loaded.model)
            values: list[Value] = []
            for ref, where in _at_refs(figure, path):
                got = self.resolve(inner, ref, where)
                if isinstance(got, Problem):
                    return got
                values += [value._replace(unit=figure.unit or value.unit) for value in got]
            return values
        finally:
            self._resolving.discard((doc.plan_id, key))

    # -- one function for every form -----------------------------------------------------

    def resolve(self, ctx: Context, ref: Any, at: ModelPath, span: bool = False,
                where: dict[str, ModelPath] | None = None) -> list[Value] | Problem:
        """The values `ref` names: one (a cell, an indicator's value for a year, a theme's
        合計); with `span`, also each year of `years` and the options of a whole row or
        column. `where` points a component's problem elsewhere than at `ref` (a change's
        `from` and `to`)."""
        where = where or {}
        shape = shape_problem(ref, "span" if span else "one")
        if shape is not None:
            return Problem(_shape(ctx, at, shape))
        if ref.items is not None:
            return [_listed(ctx, ref.items, at)]
        doc = self.doc(ctx, ref, at)
        if isinstance(doc, Problem):
            return doc
        if ref.figure is not None:
            return self.figure_values(ctx, doc, ref.figure, at + ("figure",))
        if ref.table is not None:
            if ref.row is None or ref.column is None:
                return self.line(ctx, ref, at)
            placed = self.table(ctx, doc, ref, at)
            if isinstance(placed, Problem):
                return placed
            found = self.table_cell(ctx, placed, ref.row, ref.column, where.get("row", at + ("row",)),
                                    where.get("column", at + ("column",)))
            return found if isinstance(found, Problem) else [found]
        if ref.indicator is not None:
            placed_indicator = self.indicator(ctx, doc, ref.indicator, at + ("indicator",))
            if isinstance(placed_indicator, Problem):
                return placed_indicator
            if ref.years is not None:
                values: list[Value] = []
                for year in ref.years.years():
                    got = self.indicator_value(ctx, placed_indicator, ref.field, year, at + ("years",))
                    if isinstance(got, Problem):
                        return got
                    values.append(got)
                return values
            got = self.indicator_value(ctx, placed_indicator, ref.field, ref.year, where.get("year", at + ("year",)))
            return got if isinstance(got, Problem) else [got]
        got = self.theme_total(ctx, doc, ref.theme, at + ("theme",))
        return got if isinstance(got, Problem) else [got]


def _listed(ctx: Context, items: list[str], at: ModelPath) -> Value:
    """The count of the items a text lists, as a value (「計 3事業」 over ①②③)."""
    count = len(items)
    shown = _some([Text(item, item) for item in items])
    return Value(Location(ctx.file, at + ("items",)), Number(Decimal(count), 0, str(count)),
                 Text(f"列挙された{count}件（{shown.ja}）", f"the {count} items listed ({shown.en})"), None)


def _at_refs(figure: Any, path: ModelPath) -> list[tuple[Any, ModelPath]]:
    """A figure's `at` as (reference, its path): one cell, or each of a list."""
    if isinstance(figure.at, list):
        return [(ref, path + ("at", index)) for index, ref in enumerate(figure.at)]
    return [(figure.at, path + ("at",))]


def _refs(figure: Any) -> Iterator[Any]:
    """Every reference a figure states."""
    for name in ("equals", "achieved", "missed"):
        if getattr(figure, name) is not None:
            yield getattr(figure, name)
    for name in ("sum", "product"):
        yield from getattr(figure, name) or []
    if figure.at is not None:
        yield from (figure.at if isinstance(figure.at, list) else [figure.at])
    for claim in (figure.change, figure.trend):
        if claim is not None:
            yield claim.of
    if figure.rank is not None:
        yield figure.rank.among


def _written(cell: Any) -> str | None:
    return cell.unit if isinstance(cell, Number) else None


def _in_file(label: Text, loaded: Any, ctx: Context) -> Text:
    if loaded.name == ctx.file:
        return label
    return Text(f"{label.ja}（{loaded.name}）", f"{label.en} ({loaded.name})")


def shape_problem(ref: Any, form: str) -> Text | None:
    """What a reference lacks for its form, or None: `one` a single value, `span` a single
    value, a span of years or a whole line, `line` a whole row or column, `series` a row,
    column or indicator field without its position, `indicator` an indicator's year."""
    kinds = [name for name in ("table", "indicator", "theme", "figure", "items") if getattr(ref, name) is not None]
    if len(kinds) != 1:
        return Text("参照は table・indicator・theme・figure・items のどれか一つで値を指します",
                    "a reference names a value by exactly one of table, indicator, theme, figure or items")
    kind = kinds[0]
    if form == "indicator":
        if kind != "indicator" or ref.year is None:
            return Text("達成・未達の主張は指標（indicator）とその年度（year）を指します",
                        "an achieved or missed claim names an indicator and its year")
        if ref.field not in (None, "actuals", "targets") or ref.years is not None:
            return Text("一緒に印字された数値は実績（actuals）か目標（targets）です",
                        "the figure printed with the claim is the actual (actuals) or the target (targets)")
        return None
    if kind in ("figure", "items"):
        others = [name for name in ("row", "column", "field", "year", "years")
                  if getattr(ref, name) is not None] + (["plan"] if kind == "items" and ref.plan else [])
        if others:
            return Text(f"{kind} の参照には {', '.join(others)} を指定できません",
                        f"a {kind} reference takes no {', '.join(others)}")
        if form in ("line", "series"):
            return Text("行・列や系列は表の行・列か指標の field で指します（figure・items は一つの値です）",
                        "a line or a series is a table row or column, or an indicator's field "
                        "(figure and items are one value)")
        return None
    if kind == "table":
        if ref.field is not None or ref.year is not None or ref.years is not None:
            return Text("表のセルは row と column で指します（field・year・years は指標用）",
                        "a table cell is named by row and column (field, year and years are for indicators)")
        if form in ("line", "series"):
            if (ref.row is None) == (ref.column is None):
                return Text("行全体（row）か列全体（column）のどちらか一方を指してください",
                            "name a whole row (row) or a whole column (column), not both or neither")
            return None
        if ref.row is None and ref.column is None:
            return Text("表のセルは row と column で指します", "a table cell is named by row and column")
        if form == "one" and (ref.row is None or ref.column is None):
            return Text("一つの値を指すには row と column の両方が要ります",
                        "one value needs both row and column")
        return None
    if form == "line":
        return Text("順位は表の行全体か列全体の中で比べます（table と row または column）",
                    "a rank compares the values of a whole table row or column (table with row or column)")
    if kind == "indicator":
        if ref.row is not None or ref.column is not None:
            return Text("指標の値は field と year で指します（row・column は表用）",
                        "an indicator's value is named by field and year (row and column are for tables)")
        if ref.field is None:
            return Text("指標のどの値か field（baseline・targets・actuals・rates）を指定してください",
                        "say which of the indicator's values: field (baseline, targets, actuals, rates)")
        if form == "series":
            if ref.field == "baseline" or ref.year is not None or ref.years is not None:
                return Text("増減の系列は年度なしの field（targets・actuals・rates）で指します",
                            "a change's series is a field (targets, actuals, rates) without a year")
            return None
        if ref.years is not None and form != "span":
            return Text("years（年度の範囲）は合計（sum）の中でだけ使えます", "years (a span) is for a sum only")
        if ref.years is not None and ref.year is not None:
            return Text("year と years の両方は指定できません", "give year or years, not both")
        if ref.field != "baseline" and ref.year is None and ref.years is None:
            return Text("その field の値には year（年度）が要ります", "a value of that field needs its year")
        return None
    if ref.row is not None or ref.column is not None or ref.field is not None or ref.year is not None:
        return Text("テーマの参照は事業一覧の合計だけを指します（theme のみ）",
                    "a theme reference names its project list total (theme alone)")
    if form == "series":
        return Text("増減の系列は表の行・列か指標の field です", "a change's series is a table row or column, "
                    "or an indicator's field")
    return None


def _shape(ctx: Context, at: ModelPath, problem: Text) -> Finding:
    form = at[len(ctx.path)] if len(at) > len(ctx.path) else "at"
    return Finding("reference_shape", Location(ctx.file, at),
                   {"figure": ctx.label, "form": str(form), "problem": problem})


# --- comparing a figure with what it restates -------------------------------------------


class Outcome(NamedTuple):
    kind: str  # ok | rounded | differs
    exact: Decimal
    computed: Decimal
    rounding: Text | None = None


def convert(number: Number, unit: str | None, to_unit: str | None) -> Number:
    """`number` in `unit` expressed in `to_unit` when both are money units (exactly, with its
    precision moved with it: 120,012 百万円 is 1,200.12 億円 to 0.01), else as it is."""
    here, there = money_scale(unit), money_scale(to_unit)
    if here is None or there is None or here == there:
        return number
    shift = here - there
    return Number(number.value.scaleb(shift), number.places - shift, number.text, to_unit)


def compare(stated: Number, parts: list[Number], rounding: str | None, itemised: bool) -> Outcome:
    """How a stated figure compares with the values it restates (summed): `ok`, `rounded`
    (consistent only by truncation or rounding up, or within the rounding of several parts
    each rounded on its own), or `differs`. The coarser of the figure and the values
    governs: the finer one rounded half up to its precision must give it. Under a declared
    rounding each value stands for its interval and the figure is consistent when its
    interval overlaps theirs."""
    exact = sum((part.value for part in parts), Decimal(0))
    if rounding is not None:
        mine = interval(stated, rounding)
        theirs = [interval(part, rounding) for part in parts]
        low = sum((each.low for each in theirs), Decimal(0))
        high = sum((each.high for each in theirs), Decimal(0))
        computed = round_declared(exact, stated.places, rounding)
        return Outcome("ok" if mine.low <= high and low <= mine.high else "differs", exact, computed)
    coarsest = max(part.step for part in parts)
    steps = sum((part.step for part in parts), Decimal(0))
    if stated.step >= coarsest:
        computed = round_half_up(exact, stated.places)
        if computed == stated.value:
            return Outcome("ok", exact, computed)
        if itemised and len(parts) > 1 and abs(stated.value - exact) <= (stated.step + steps) / 2:
            return Outcome("rounded", exact, computed, _ITEMISED)
        for other in ("切り捨て", "切り上げ"):
            if round_declared(exact, stated.places, other) == stated.value:
                return Outcome("rounded", exact, computed, ROUNDING_NAMES[other])
        return Outcome("differs", exact, computed)
    # the figure is finer than what it restates (12 億円 printed again as 1,234,567 千円)
    if len(parts) == 1:
        places = parts[0].places
        if round_half_up(stated.value, places) == exact:
            return Outcome("ok", exact, exact)
        for other in ("切り捨て", "切り上げ"):
            if round_declared(stated.value, places, other) == exact:
                return Outcome("rounded", exact, exact, ROUNDING_NAMES[other])
        return Outcome("differs", exact, exact)
    if abs(stated.value - exact) <= steps / 2:
        return Outcome("rounded", exact, exact, _ITEMISED)
    return Outcome("differs", exact, exact)


_ITEMISED = Text("内訳を1件ずつ丸めた端数", "rounding each part on its own")


def _negated(number: Number) -> Number:
    return Number(-number.value, number.places, number.text, number.unit)


# --- the check --------------------------------------------------------------------------


def _figures(files: list[Any]) -> Iterator[tuple[Any, ModelPath, Any, Any]]:
    """(loaded file, figure path, figure, section) over the plan set, files by name."""
    for loaded in sorted(files, key=lambda item: item.name):
        plan = loaded.model
        for index, figure in enumerate(plan.figures):
            yield loaded, ("figures", index), figure, plan
        for path, section in plan_sections(plan):
            for index, figure in enumerate(section.figures):
                yield loaded, path + ("figures", index), figure, section


@check_function("figures", given=("plan_set",), kinds=KINDS)
def figures(target: Target, options: dict[str, Any]) -> Iterator[Finding | RelationRecord]:
    """A figure printed outside the grid (or a cell printed again) restates what it
    names: `equals` a value; `change` = `of` at `to` − `of` at `from` (column keys for a
    row, row keys for a column, years for an indicator's field); `rank`: the figure is
    the `position`-th largest (or smallest) of a table row's or column's values (lines
    that hold the whole of others, such as a 合計, are not among them; ties are said);
    `sum` = Σ of the values (an indicator's field over `years` is each year's value, in
    any document of the plan set); `achieved`: the indicator's actual meets its target in
    the year (by the target's form and the direction, as achievement rates read them);
    `missed`: by the same reading, it falls short; `trend`: a rise or fall without a
    number, the sign of `to` − `from` (up, down; flat within `within`, else exactly;
    better and worse by the indicator's direction); `product` = Π of the values. A value
    may also be another figure (`{figure: KEY}`) or the count of items a text lists
    (`{items: [...]}`, against which `equals` is a count). With `at`, the figure is that
    value itself (a number printed twice is typed once), or with a list their sum. A
    figure with a `key` and no claim is a factor, checked where a figure names it.
    The figure's stated precision governs (money units convert exactly); a declared
    rounding for totals applies as interval arithmetic. Every figure is one relation:
    checked, or not checked with why (a value that is not a number, a line the loader
    could not read)."""
    resolver = Resolver(target.node)
    first: dict[tuple[str, str], Location] = {}
    for loaded, path, figure, section in _figures(target.node):
        ctx = Context(loaded.name, path, loaded.model.plan.id, _label(figure), section, loaded.model)
        if figure.key is not None:
            here = Location(loaded.name, path + ("key",))
            earlier = first.setdefault((ctx.plan_id, figure.key), here)
            if earlier != here:  # a reference to the key names the first: this one is named by none
                yield Finding("figure_key_repeated", here, {"figure": ctx.label, "key": figure.key,
                                                            "first": Text(earlier.file, earlier.file)},
                              [Related(earlier, Text("最初のこの key", "the first figure with this key"))])
        items = list(_check(resolver, ctx, figure)) + ctx.records
        if not items:  # a factor another figure names: it is part of that figure's relation
            continue
        if not any(not isinstance(item, Finding) for item in items):
            # a reference that names nothing, or of the wrong shape: the relation was
            # evaluated as far as its reference, and failed there
            items.insert(0, Checked(items[0].location))
        kind = _form_kind(figure)  # a relation not checked names the rule of its form
        yield from (replace(item, kind=kind) if isinstance(item, Unchecked) and item.kind is None else item
                    for item in items)


def _form_kind(figure: Any) -> str:
    for name, kind in (("change", "change_differs"), ("rank", "rank_differs"), ("sum", "sum_differs"),
                       ("achieved", "not_achieved"), ("missed", "target_reached"), ("trend", "trend_differs"),
                       ("product", "product_differs")):
        if getattr(figure, name) is not None:
            return kind
    if figure.equals is not None and figure.equals.items is not None:
        return "count_differs"
    return "figure_differs"


def _label(figure: Any) -> Text:
    if figure.quote:
        quoted = figure.quote if figure.quote.startswith("「") else f"「{figure.quote}」"
        return Text(quoted, figure.quote)
    if figure.value is not None:
        text = getattr(figure.value, "text", str(figure.value))
        return Text(f"「{text}」", text)
    return Text("この数値", "this figure")


class Stated(NamedTuple):
    """The figure's own value: as printed, or the cell `at` names."""

    number: Number
    unit: str | None
    location: Location
    related: list[Related]
    unit_location: Location  # where its unit is stated


def _stated(resolver: Resolver, ctx: Context, figure: Any, relation: Text) -> Stated | Problem:
    if figure.at is None:
        cell = figure.value
        location = Location(ctx.file, ctx.path + ("value",))
        unit = figure.unit or _written(cell)
        related: list[Related] = []
        unit_location = Location(ctx.file, ctx.path + ("unit",)) if figure.unit else location
    else:
        got: list[Value] = []
        for ref, where in _at_refs(figure, ctx.path):
            values = resolver.resolve(ctx, ref, where)
            if isinstance(values, Problem):
                return values
            got += values
        if len(got) == 1:
            [value] = got
            if not figure.quote:  # the figure is the cell: say which
                ctx.label = value.label
            cell, location, unit = value.cell, value.location, figure.unit or value.unit
            related = [Related(Location(ctx.file, ctx.path + ("at",)),
                               Text("この数値を再掲する箇所", "where it is printed again"))]
        else:  # the figure is the sum of several printed values (定員40人 three times)
            location = Location(ctx.file, ctx.path + ("at",))
            parts = []
            for value in got:
                number, _ = as_number(value.cell, value.zero_marks)
                if number is None:
                    form = cell_form(value.cell)
                    return Problem(Unchecked(value.location, relation, Text(f"{value.label.ja}が{form.ja}",
                                                                            f"{value.label.en} is {form.en}")))
                parts.append(number)
            unit = figure.unit or got[0].unit
            cell = Number(sum((part.value for part in parts), Decimal(0)), max(part.places for part in parts),
                          "")
            related = [Related(value.location, value.label) for value in got]
        unit_location = Location(ctx.file, ctx.path + ("unit",)) if figure.unit else location
    if isinstance(cell, Bound):  # 「(R7)277万人以上」: the figure of a bound
        cell = cell.number
    if not isinstance(cell, Number):
        form = cell_form(cell)
        return Problem(Unchecked(location, relation, Text(f"数値が{form.ja}", f"the figure is {form.en}")))
    return Stated(cell, unit, location, related, unit_location)


def _numbers(ctx: Context, values: list[Value], relation: Text, unit: str | None,
             stated: Stated | None) -> list[Number] | Problem:
    """The values as numbers in the figure's unit (money converted), or why the figure is
    not compared: a value that is not a number (Unchecked at it). A unit of another
    quantity (人 for 件) is a finding kept in `ctx.records`, and the numbers are compared as
    printed."""
    numbers: list[Number] = []
    blocked: list[tuple[Value, Text]] = []
    for value in values:
        # a target stated as a bound (277万人以上) is restated by its figure
        number, _ = as_number(value.cell.number if isinstance(value.cell, Bound) else value.cell, value.zero_marks)
        if number is None:
            form = cell_form(value.cell)
            blocked.append((value, Text(f"{value.label.ja}が{form.ja}", f"{value.label.en} is {form.en}")))
            continue
        if unit is not None and value.unit is not None:
            differs = compare_units(unit, value.unit) and compare_units(value.unit, unit)
            if differs and differs != "money_scale" and not ctx.records and stated is not None:
                # reported once, and the numbers still compared as printed: a figure in 人
                # restating a count in 件 is a finding, and so is a wrong number
                ctx.records.append(Finding(
                    "unit_differs", stated.unit_location,
                    {"figure": ctx.label, "unit": unit, "reference_unit": value.unit, "reference": value.label},
                    [Related(value.location, value.label), *stated.related],
                ))
        numbers.append(convert(number, value.unit, unit) if unit is not None else number)
    if blocked:
        return Problem(Unchecked(blocked[0][0].location, relation, joined([why for _, why in blocked])))
    return numbers


def _check(resolver: Resolver, ctx: Context, figure: Any) -> Iterator[Finding | RelationRecord]:
    if figure.achieved is not None or figure.missed is not None:
        yield from _achieved(resolver, ctx, figure)
        return
    if figure.trend is not None:
        yield from _trend(resolver, ctx, figure)
        return
    if figure.product is not None:
        yield from _product(resolver, ctx, figure)
        return
    if figure.equals is None and figure.sum is None and figure.change is None and figure.rank is None:
        # a factor: checked where another figure names it; named by none, it is in no relation
        if (ctx.plan_id, figure.key) not in resolver.named:
            yield Finding("figure_unnamed", Location(ctx.file, ctx.path + ("key",)),
                          {"figure": ctx.label, "key": figure.key})
        return
    if figure.equals is not None:
        relation = Text(f"{ctx.label.ja} ＝ 参照先の値", f"{ctx.label.en} = the value it restates")
        refs = [(figure.equals, ctx.path + ("equals",), False)]
    elif figure.sum is not None:
        relation = Text(f"{ctx.label.ja} ＝ 参照先の値の和", f"{ctx.label.en} = the sum of the values it restates")
        refs = [(ref, ctx.path + ("sum", index), True) for index, ref in enumerate(figure.sum)]
    elif figure.change is not None:
        relation = Text(f"{ctx.label.ja} ＝ 後の値 − 前の値", f"{ctx.label.en} = the later value − the earlier one")
        refs = []
    else:
        order = figure.rank.order
        relation = Text(f"{ctx.label.ja} は{figure.rank.position}番目に{'大きい' if order == 'largest' else '小さい'}値",
                        f"{ctx.label.en} is the {_ordinal(figure.rank.position)} {order} value")
        refs = []
    stated = _stated(resolver, ctx, figure, relation)
    if isinstance(stated, Problem):
        yield stated.record
        return
    rounding = declared_rounding(ctx.section, ctx.plan, "totals")
    if figure.change is not None:
        yield from _change(resolver, ctx, figure, stated, relation, rounding)
        return
    if figure.equals is not None and figure.equals.items is not None and shape_problem(figure.equals, "one") is None:
        yield from _count(ctx, figure, stated)
        return
    if figure.rank is not None:
        yield from _rank(resolver, ctx, figure, stated, relation, rounding)
        return
    values: list[Value] = []
    for ref, at, span in refs:
        got = resolver.resolve(ctx, ref, at, span=span)
        if isinstance(got, Problem):
            yield got.record
            return
        values += got
    if not values:  # a whole line whose every line is a total of others
        yield Unchecked(stated.location, relation, Text("参照先に比べる値がない", "the reference names no values"))
        return
    numbers = _numbers(ctx, values, relation, stated.unit, stated)
    if isinstance(numbers, Problem):  # a value that is not a number: Unchecked at it
        yield numbers.record
        return
    yield Checked(stated.location)
    itemised = _itemised(stated, numbers, values)
    outcome = compare(stated.number, numbers, rounding, itemised)
    reference = joined([value.label for value in values]) if len(values) <= 4 else _span_label(values)
    related = [Related(value.location, value.label) for value in values] + stated.related
    yield from _outcome(ctx, stated, outcome, reference, related,
                        "sum_differs" if figure.sum is not None else "figure_differs",
                        {"count": len(values)} if figure.sum is not None else {})


def _span_label(values: list[Value]) -> Text:
    return Text(f"{values[0].label.ja} ～ {values[-1].label.ja}（{len(values)}件）",
                f"{values[0].label.en} … {values[-1].label.en} ({len(values)} values)")


def _itemised(stated: Stated, numbers: list[Number], values: list[Value]) -> bool:
    """Whether the parts may each have been rounded on their own: money, or decimals."""
    return (money_scale(stated.unit) is not None or any(money_scale(value.unit) is not None for value in values)
            or stated.number.places > 0 or any(number.places > 0 for number in numbers))


def _outcome(ctx: Context, stated: Stated, outcome: Outcome, reference: Text, related: list[Related],
             kind: str, extra: dict[str, Any]) -> Iterator[Finding]:
    unit = stated.unit or ""
    if outcome.kind == "ok":
        return
    if outcome.kind == "rounded":
        assert outcome.rounding is not None
        yield Finding("figure_rounded", stated.location,
                      {"figure": ctx.label, "stated": stated.number.value, "exact": outcome.exact,
                       "rounding": outcome.rounding, "reference": reference, "unit": unit}, related)
        return
    # The printed figure may be the right one and the table the typo: not a safe fix.
    fixed = _rewritten(stated.number, outcome.computed)
    yield Finding(kind, stated.location,
                  {"figure": ctx.label, "stated": stated.number.value, "computed": outcome.computed,
                   "exact": outcome.exact, "difference": stated.number.value - outcome.exact,
                   "reference": reference, "unit": unit, **extra}, related,
                  None if fixed is None else Fix(stated.location, fixed, safe=False))


_DIGITS_RE = lazy_pattern(r"(?P<sign>[△▲+\-−]?)(?P<space>\s*)(?P<digits>\d[\d,]*(?:\.\d+)?)")


def _rewritten(number: Number, value: Decimal) -> str | None:
    """The figure as printed with `value` in place of its digits, in its own style (digit
    grouping, decimals, sign mark, what is written around them); None when its digits
    cannot be found in what it was written as."""
    match = _DIGITS_RE.search(number.text)
    if match is None or round_half_up(value, number.places) != value:  # more decimals than it prints
        return None
    written_sign, written_digits = match.group("sign"), match.group("digits")
    digits = format_decimal(abs(value), number.places)
    if "," not in written_digits:
        digits = digits.replace(",", "")
    sign = ""
    if value < 0:
        sign = written_sign if written_sign in ("△", "▲", "-", "−") else "△"
    elif written_sign == "+":
        sign = "+"
    return number.text[:match.start()] + sign + (match.group("space") if sign else "") + digits + number.text[match.end():]


def _ordinal(position: int) -> str:
    suffix = "th" if 10 <= position % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(position % 10, "th")
    return f"{position}{suffix}"


def _change(resolver: Resolver, ctx: Context, figure: Any, stated: Stated, relation: Text,
            rounding: str | None) -> Iterator[Finding | RelationRecord]:
    ends = _ends(resolver, ctx, figure.change, ctx.path + ("change",))
    if not isinstance(ends, list):
        yield ends
        return
    numbers = _numbers(ctx, ends, relation, stated.unit, stated)
    if isinstance(numbers, Problem):  # a value that is not a number: Unchecked at it
        yield numbers.record
        return
    yield Checked(stated.location)
    earlier, later = numbers
    outcome = compare(stated.number, [later, _negated(earlier)], rounding, _itemised(stated, numbers, ends))
    reference = Text(f"{ends[1].label.ja} − {ends[0].label.ja}", f"{ends[1].label.en} − {ends[0].label.en}")
    related = [Related(ends[0].location, ends[0].label), Related(ends[1].location, ends[1].label), *stated.related]
    yield from _outcome(ctx, stated, outcome, reference, related, "change_differs",
                        {"from_value": earlier.value, "to_value": later.value,
                         "from_label": ends[0].label, "to_label": ends[1].label})


def _ends(resolver: Resolver, ctx: Context, claim: Any, at: ModelPath) -> list[Value] | Finding | Unchecked:
    """The two values of a series a change or a trend compares: `of` at `from` and at `to`."""
    shape = shape_problem(claim.of, "series")
    if shape is not None:
        return _shape(ctx, at + ("of",), shape)
    ends: list[Value] = []
    for name, position in (("from", claim.from_), ("to", claim.to)):
        where = at + (name,)
        ref = claim.of
        if ref.indicator is not None:
            try:
                year = parse_fiscal_year(position)
            except FiscalYearError:
                return resolver._unknown(ctx, where, "year", str(position), []).record
            point = ref.model_copy(update={"year": year})
            got = resolver.resolve(ctx, point, at + ("of",), where={"year": where})
        elif ref.row is not None:
            point = ref.model_copy(update={"column": str(position)})
            got = resolver.resolve(ctx, point, at + ("of",), where={"column": where})
        else:
            point = ref.model_copy(update={"row": str(position)})
            got = resolver.resolve(ctx, point, at + ("of",), where={"row": where})
        if isinstance(got, Problem):
            return got.record
        ends += got
    return ends


@dataclass
class Ranking:
    """The options of a rank in order, built once per line (and unit, order): competition
    ranking, a value ranks 1 + the number of values before it and ties share the places
    first..last; the options a figure equals are found by bisection, not by a scan."""

    values: list[Value]
    numbers: list[Number]
    ordered: list[int]  # option indices, in rank order
    before: dict[Decimal, int]  # value -> how many options rank before it
    by_value: dict[Decimal, list[int]]
    by_location: dict[Location, int]
    distinct: list[tuple[Decimal, int]]  # (value, places) of the options, by value
    widest: Decimal  # the largest step among the options

    @classmethod
    def of(cls, values: list[Value], numbers: list[Number], larger: bool) -> Ranking:
        by_value: dict[Decimal, list[int]] = defaultdict(list)
        for index, number in enumerate(numbers):
            by_value[number.value].append(index)
        before: dict[Decimal, int] = {}
        ordered: list[int] = []
        for value in sorted(by_value, reverse=larger):
            before[value] = len(ordered)
            ordered += by_value[value]
        distinct = sorted({(number.value, number.places) for number in numbers})
        widest = max((number.step for number in numbers), default=Decimal(0))
        return cls(values, numbers, ordered, before, dict(by_value),
                   {value.location: index for index, value in enumerate(values)}, distinct, widest)

    def places(self, value: Decimal) -> tuple[int, int]:
        return self.before[value] + 1, self.before[value] + len(self.by_value[value])

    def equal_to(self, stated: Number, rounding: str | None) -> list[int]:
        """The options the figure restates at its precision (or theirs)."""
        reach = stated.step + self.widest  # no value it restates is further from it than this
        low = bisect_left(self.distinct, (stated.value - reach, -(10 ** 6)))
        high = bisect_right(self.distinct, (stated.value + reach, 10 ** 6))
        equal = {key[0] for key in self.distinct[low:high]
                 if compare(stated, [Number(key[0], key[1], "")], rounding, False).kind == "ok"}
        return [index for value in sorted(equal) for index in self.by_value[value]]


def _rank(resolver: Resolver, ctx: Context, figure: Any, stated: Stated, relation: Text,
          rounding: str | None) -> Iterator[Finding | RelationRecord]:
    rank = figure.rank
    at = ctx.path + ("rank", "among")
    shape = shape_problem(rank.among, "line")
    if shape is not None:
        yield _shape(ctx, at, shape)
        return
    larger = rank.order == "largest"
    key = (ctx.file, rank.among.plan, rank.among.table, rank.among.row, rank.among.column, stated.unit, larger)
    ranking = resolver.rankings.get(key)
    if ranking is None:
        got = resolver.line(ctx, rank.among, at)
        if isinstance(got, Problem):
            yield got.record
            return
        numbers = _numbers(ctx, got, relation, stated.unit, stated)
        if isinstance(numbers, Problem):  # a value that is not a number: Unchecked at it
            yield numbers.record
            return
        ranking = Ranking.of(got, numbers, larger)
        if not ctx.records:  # a unit finding is this figure's own: the next one looks again
            resolver.rankings[key] = ranking
    values, numbers = ranking.values, ranking.numbers
    if len(values) < rank.position:
        yield Unchecked(stated.location, relation, Text(
            f"比べる値が{len(values)}件しかない", f"only {len(values)} values to compare"))
        return
    yield Checked(stated.location)
    # the figure that is an option's cell (`at`) is that option; else the options it equals
    own = ranking.by_location.get(stated.location)
    matches = [own] if own is not None else ranking.equal_to(stated.number, rounding)
    for value in {numbers[match].value for match in matches}:
        first, last = ranking.places(value)
        if first <= rank.position <= last:
            return
    index: int | None = None
    tied: list[int] = []
    if matches:
        index = matches[0]
        mine = numbers[index].value
        shown = Text(f"{ranking.places(mine)[0]}番目", _ordinal(ranking.places(mine)[0]))
        tied = [other for other in ranking.by_value[mine] if other != index]
        count = ranking.before[mine]
    else:
        shown = Text("どの値とも一致しない", "equal to none of them")
        count = rank.position
    ahead = ranking.ordered[:min(count, SHOWN)]
    ties = (Text(f"（{_some([values[other].label for other in tied]).ja}と同じ値）",
                 f" (tied with {_some([values[other].label for other in tied]).en})") if tied else Text("", ""))
    above_texts = [Text(f"{values[other].label.ja} {format_decimal(numbers[other].value)}",
                        f"{values[other].label.en} {format_decimal(numbers[other].value)}") for other in ahead]
    if count > SHOWN:
        above_texts.append(Text(f"ほか{count - SHOWN}件", f"and {count - SHOWN} more"))
    related = [Related(values[other].location, values[other].label) for other in ahead]
    if index is not None:
        related.insert(0, Related(values[index].location, Text(f"この数値の{values[index].label.ja}",
                                                               f"this figure's {values[index].label.en}")))
    yield Finding(
        "rank_differs", stated.location,
        {"figure": ctx.label, "stated": stated.number.value, "position": rank.position,
         "order": Text("大きい" if larger else "小さい", rank.order), "rank": shown,
         "above": above_texts or [Text("なし", "none")], "among": _line_label(resolver, ctx, rank.among, values),
         "ties": ties},
        related + stated.related,
    )


SHOWN = 10  # values a rank finding lists (above it, tied with it); the rest are counted


def _some(labels: list[Text]) -> Text:
    shown = joined(labels[:SHOWN])
    if len(labels) <= SHOWN:
        return shown
    return Text(f"{shown.ja}ほか{len(labels) - SHOWN}件", f"{shown.en} and {len(labels) - SHOWN} more")


def _line_label(resolver: Resolver, ctx: Context, ref: Any, values: list[Value]) -> Text:
    """A whole row or column, for messages: 「表名」の「列名」列 (n values)."""
    doc = resolver.docs[ref.plan if ref.plan is not None else ctx.plan_id]
    table = next(table for loaded in doc.files for table in loaded.model.tables if table.id == ref.table)
    name = table.number or table.title
    if ref.column is not None:
        column = next((column for _, column, _ in table.all_columns() if column.key == ref.column), None)
        header = column.label if column is not None else ref.column
        return Text(f"{name}の「{header}」列の{len(values)}件", f"the {len(values)} values of {name}, column {header}")
    row = table.row(ref.row)
    label = row.name if row is not None else ref.row
    return Text(f"{name}の「{label}」行の{len(values)}件", f"the {len(values)} values of {name}, row {label}")


def _achieved(resolver: Resolver, ctx: Context, figure: Any) -> Iterator[Finding | RelationRecord]:
    """An achieved claim (達成済) or a missed one (達成できていない): one reading of the year's
    target and actual (rates.resolve, the target's form and the direction) for both."""
    claim = "achieved" if figure.achieved is not None else "missed"
    ref = getattr(figure, claim)
    at = ctx.path + (claim,)
    shape = shape_problem(ref, "indicator")
    if shape is not None:
        yield _shape(ctx, at, shape)
        return
    doc = resolver.doc(ctx, ref, at)
    if isinstance(doc, Problem):
        yield doc.record
        return
    placed = resolver.indicator(ctx, doc, ref.indicator, at + ("indicator",))
    if isinstance(placed, Problem):
        yield placed.record
        return
    loaded, path, indicator = placed
    year = ref.year
    here = Location(ctx.file, at + ("year",))
    relation = (Text(f"「{indicator.name}」は{era_label(year)}に目標を達成",
                     f"{indicator.name} met its target in {Year(year).render('en')}") if claim == "achieved" else
                Text(f"「{indicator.name}」は{era_label(year)}に目標に届いていない",
                     f"{indicator.name} fell short of its target in {Year(year).render('en')}"))
    lost = loaded.model.dropped_items(path + ("actuals",)) or loaded.model.dropped_items(path + ("targets",))
    if lost:
        yield Unchecked(here, relation, Text(f"{loaded.name} の{lost[0].reason().ja}",
                                             f"in {loaded.name}, {lost[0].reason().en}"))
        return
    formula = resolve_rate(indicator, year, loaded.model.plan)
    if isinstance(formula, Blocked):
        yield Unchecked(here, relation, formula.reason)
        return
    target_path = formula.reference.target_path or formula.reference.operand.path
    target_cell = _at_path(indicator, target_path)
    strict = (isinstance(target_cell, Bound) and target_cell.kind in ("above", "below")) or (
        isinstance(target_cell, Relative) and target_cell.kind == "decrease")
    if isinstance(target_cell, Relative) and target_cell.kind == "about_same":
        yield Unchecked(here, relation, Text(f"「{target_cell.text}」の目標には達成の境目がない",
                                             f"a target of {target_cell.text} has no threshold to meet"))
        return
    yield Checked(here)
    if figure.value is not None or figure.at is not None:  # 「達成済（72組織）」: the figure is the actual
        yield from _achieved_figure(resolver, ctx, figure, loaded, path, indicator, year, ref.field or "actuals")
    quotient = formula.quotient
    met = quotient > HUNDRED if strict else quotient >= HUNDRED
    if met == (claim == "achieved"):
        return
    target_text = getattr(target_cell, "text", str(target_cell))
    actual = formula.actual
    yield Finding(
        "not_achieved" if claim == "achieved" else "target_reached", here,
        {"figure": ctx.label, "indicator": indicator.name, "year": Year(year), "actual": actual.value.value,
         "target": target_text, "formula": formula.name, "rate": round_half_up(quotient, 1)},
        [Related(Location(loaded.name, path + actual.path), _in_file(actual.label, loaded, ctx)),
         Related(Location(loaded.name, path + target_path), _in_file(Text("目標", "target"), loaded, ctx))],
    )


def _achieved_figure(resolver: Resolver, ctx: Context, figure: Any, loaded: Any, path: ModelPath, indicator: Any,
                     year: int, field_name: str) -> Iterator[Finding | RelationRecord]:
    """The figure printed with an achieved or missed claim restates the year's actual (or,
    with `field: targets`, its target: 「令和3年度の目標であった1,300世帯は達成できていない」)."""
    ja, en = ("目標", "target") if field_name == "targets" else ("実績", "actual")
    relation = Text(f"{ctx.label.ja} ＝ その年度の{ja}", f"{ctx.label.en} = the year's {en}")
    stated = _stated(resolver, ctx, figure, relation)
    if isinstance(stated, Problem):
        yield stated.record
        return
    claim = "achieved" if figure.achieved is not None else "missed"
    got = resolver.indicator_value(ctx, (loaded, path, indicator), field_name, year, ctx.path + (claim, "year"))
    if isinstance(got, Problem):
        yield got.record
        return
    numbers = _numbers(ctx, [got], relation, stated.unit, stated)
    if isinstance(numbers, Problem):
        yield numbers.record
        return
    outcome = compare(stated.number, numbers, declared_rounding(ctx.section, ctx.plan, "totals"),
                      _itemised(stated, numbers, [got]))
    yield from _outcome(ctx, stated, outcome, got.label, [Related(got.location, got.label), *stated.related],
                        "figure_differs", {})


DIRECTIONS = {
    "up": Text("増加", "a rise"), "down": Text("減少", "a fall"), "flat": Text("横ばい", "no change"),
    "better": Text("向上・改善", "an improvement"), "worse": Text("悪化", "a worsening"),
}


def _trend(resolver: Resolver, ctx: Context, figure: Any) -> Iterator[Finding | RelationRecord]:
    """A rise or fall stated without a number: the later value − the earlier one is above
    zero (up), below it (down), or no more than `within` either way (flat; without
    `within`, exactly zero). better / worse follow the indicator's direction: its declared
    one, else the one its targets' forms state (以下, 前年度比減: lower), else higher."""
    trend = figure.trend
    at = ctx.path + ("trend",)
    direction = trend.direction
    if direction in ("better", "worse"):
        if trend.of.indicator is None:
            yield _shape(ctx, at + ("direction",), Text(
                "向上・改善・悪化は指標の向きで読むため、of は指標（indicator）を指します",
                "better and worse are read by an indicator's direction: `of` names an indicator"))
            return
        doc = resolver.doc(ctx, trend.of, at + ("of",))
        if isinstance(doc, Problem):
            yield doc.record
            return
        placed = resolver.indicator(ctx, doc, trend.of.indicator, at + ("of", "indicator"))
        if isinstance(placed, Problem):
            yield placed.record
            return
        lower = _lower_is_better(placed[2])
        direction = "down" if (direction == "better") == lower else "up"
    ends = _ends(resolver, ctx, trend, at)
    if not isinstance(ends, list):
        yield ends
        return
    relation = Text(f"{ctx.label.ja}: {ends[0].label.ja}から{ends[1].label.ja}へ{DIRECTIONS[trend.direction].ja}",
                    f"{ctx.label.en}: {DIRECTIONS[trend.direction].en} from {ends[0].label.en} to {ends[1].label.en}")
    numbers = _numbers(ctx, ends, relation, None, None)
    here = Location(ctx.file, at + ("direction",))
    if isinstance(numbers, Problem):
        yield numbers.record
        return
    yield Checked(here)
    earlier, later = numbers
    difference = later.value - earlier.value
    holds = {"up": difference > 0, "down": difference < 0,
             "flat": abs(difference) <= (trend.within or Decimal(0))}[direction]
    if holds:
        return
    yield Finding("trend_differs", here, {
        "figure": ctx.label, "direction": DIRECTIONS[trend.direction], "from_label": ends[0].label,
        "from_value": earlier.value, "to_label": ends[1].label, "to_value": later.value, "difference": difference,
    }, [Related(ends[0].location, ends[0].label), Related(ends[1].location, ends[1].label)])


def _lower_is_better(indicator: Any) -> bool:
    if indicator.direction is not None:
        return bool(indicator.direction == "lower_is_better")
    for cell in indicator.targets.values():
        stated = (BOUND_LOWER.get(cell.kind) if isinstance(cell, Bound) else
                  RELATIVE_LOWER.get(cell.kind) if isinstance(cell, Relative) else None)
        if stated is not None:
            return stated
    return False


def _product(resolver: Resolver, ctx: Context, figure: Any) -> Iterator[Finding | RelationRecord]:
    """The figure = the product of the values named (each a value, or the sum of a figure
    printed as several); a count of listed items is one of them. Units are not compared
    (人 = 人/圏域 × 圏域), the figure's precision governs."""
    relation = Text(f"{ctx.label.ja} ＝ 参照先の値の積", f"{ctx.label.en} = the product of the values it names")
    stated = _stated(resolver, ctx, figure, relation)
    if isinstance(stated, Problem):
        yield stated.record
        return
    factors: list[Number] = []
    labels: list[Value] = []
    for index, ref in enumerate(figure.product):
        got = resolver.resolve(ctx, ref, ctx.path + ("product", index))
        if isinstance(got, Problem):
            yield got.record
            return
        numbers = _numbers(ctx, got, relation, None, None)
        if isinstance(numbers, Problem):
            yield numbers.record
            return
        factors.append(Number(sum((number.value for number in numbers), Decimal(0)),
                              max(number.places for number in numbers), ""))
        labels += got
    yield Checked(stated.location)
    exact, places = Decimal(1), 0
    for factor in factors:
        exact, places = exact * factor.value, places + factor.places
    outcome = compare(stated.number, [Number(exact, places, "")], declared_rounding(ctx.section, ctx.plan, "totals"),
                      False)
    reference = Text(" × ".join(value.label.ja for value in labels), " × ".join(value.label.en for value in labels))
    related = [Related(value.location, value.label) for value in labels] + stated.related
    yield from _outcome(ctx, stated, outcome, reference, related, "product_differs", {})


def _count(ctx: Context, figure: Any, stated: Stated) -> Iterator[Finding | RelationRecord]:
    """「計 3事業」 over ①②③: the figure is the number of items listed."""
    items = figure.equals.items
    yield Checked(stated.location)
    if stated.number.value == len(items):
        return
    yield Finding("count_differs", stated.location, {
        "figure": ctx.label, "stated": stated.number.value, "count": len(items),
        "items": _some([Text(item, item) for item in items]),
    }, [Related(Location(ctx.file, ctx.path + ("equals", "items")), Text("列挙された項目", "the items listed")),
        *stated.related])


def _at_path(node: Any, path: ModelPath) -> Any:
    for step in path:
        node = getattr(node, step) if isinstance(step, str) else node[step]
    return node


__all__ = ["Resolver", "compare", "convert", "figures", "shape_problem"]
