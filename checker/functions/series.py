"""Series across ordered cross lines: running sums (累計), changes (増加数, 前年度末比) and lags
(this period's base = the previous period's last actual).

Each form relates a cell to cells at the *previous* cross line: a row relation runs across
the columns in printed order, a column relation down the rows, both narrowed by `only` /
`skip` (tables.cross_lines). With `of` the series (one line):

- running_sum: the line at each cross line = the line at the previous one + `of` there;
  with `starts_here` the line at the first cross line equals `of` there;
- change: the line = `of` − `of` at the previous cross line;
- lag: the line = `of` at the previous cross line.

The first cross line has no previous one (not applicable, unless `starts_here`). Where two
consecutive cross lines have years (`Column.year`, `TableRow.year`; a sub-column or sub-row
inheriting its header's or parent's), the series steps a year at a time (or by its one regular step, a census
every 5 years, when at least three years are printed): a year missing between them (令和2
年度 then 令和4年度), a repeated year (予算 and 決算 of 令和4年度) or a step back leaves the
relation there unchecked, with why. A cell that is not a number blocks only the
evaluations that read it (unchecked at it). Values are compared as the table's sums are
(`compare_sum`: exactly, or as intervals under the declared rounding for totals).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from itertools import pairwise
from typing import Any

from checker.diagnostics import (
    Checked,
    Finding,
    Fix,
    Location,
    ModelPath,
    NotApplicable,
    Operand,
    Related,
    RelationRecord,
    Text,
    Unchecked,
)
from checker.fiscal import year_label
from checker.functions import Target
from checker.functions.sums import cell_form, compare_sum, declared_rounding, zero_note
from checker.functions.tables import (
    _AXIS,
    _CELL_ARGS,
    _OTHER,
    Line,
    _cell_name,
    at_cross,
    cell_args,
    cell_unit,
    cross_at,
    read_cells,
    register_form,
    relation_lines,
)
from checker.model import Relation
from checker.values import Number, format_decimal

_SERIES_ARGS = ("stated", "computed", "difference", *_CELL_ARGS, "of", "rounding", "blame")
RUNNING_SUM_KINDS = {
    "running_sum_mismatch": (*_SERIES_ARGS, "previous", "previous_at", "current"),
    "running_sum_start_mismatch": _SERIES_ARGS,
}
CHANGE_KINDS = {"change_mismatch": (*_SERIES_ARGS, "previous", "previous_at", "current")}
LAG_KINDS = {"lag_mismatch": (*_SERIES_ARGS, "previous_at")}

_Read = tuple[Number, str | None]


def _year(line: Line, cross: str) -> int | None:
    """The year a cross line stands for: a column's or a row's `year` (or its header's or
    parent's)."""
    crossing = line.columns_at(cross) if line.axis == "row" else line.rows_at(cross)
    return next((int(node.year) for node in crossing if node.year is not None), None)


def _years(years: list[int]) -> Text:
    return Text("、".join(year_label(year, "ja") for year in years), ", ".join(year_label(year, "en") for year in years))


def _step(line: Line, crosses: list[str]) -> int:
    """The series' step in years: its one regular step where at least three cross lines
    have years and every step between them is the same (a census every 5 years), else 1."""
    years = [_year(line, cross) for cross in crosses]
    steps = {later - earlier for earlier, later in pairwise(years) if earlier is not None and later is not None}
    known = [year for year in years if year is not None]
    return steps.pop() if len(known) >= 3 and len(steps) == 1 and min(steps) > 1 else 1


def _gap(line: Line, previous: str, cross: str, step: int) -> Text | None:
    """Why the series cannot step from `previous` to `cross` (a missing, repeated or earlier
    year); None when it can (or the cross lines have no years)."""
    before, after = _year(line, previous), _year(line, cross)
    if before is None or after is None or after - before == step:
        return None
    axis = _OTHER[line.axis]
    first, second, word = line.index.title(axis, previous), line.index.title(axis, cross), _AXIS[axis]
    if after > before and (after - before) % step == 0:
        missing = _years(list(range(before + step, after, step)))
        return Text(f"「{first}」と「{second}」の間の{missing.ja}の{word.ja}がない（前の年度の値がない）",
                    f"the {word.en} of {missing.en} between {first} and {second} is missing (no previous year's value)")
    if after == before:
        return Text(f"「{first}」と「{second}」が同じ年度（{year_label(after, 'ja')}）で、前の年度にならない",
                    f"{first} and {second} are the same year ({year_label(after, 'en')}): one is not the year before "
                    "the other (`only` or `skip` can leave one out)")
    return Text(f"「{second}」（{year_label(after, 'ja')}）が「{first}」（{year_label(before, 'ja')}）の次の年度ではない",
                f"{second} ({year_label(after, 'en')}) is not the year after {first} ({year_label(before, 'en')})")


def _read_previous(target: Target, relation: Relation, line: Line, previous: str, named: Text
                   ) -> _Read | Unchecked:
    """A cell at the previous cross line as a number, or the record that it blocks the
    evaluation at the current one."""
    cell = line.value(previous)
    number, mark = line.number(target, relation, previous)
    if number is None:
        return Unchecked(line.location(target.file, previous), named,
                         _cell_name(line, previous, target.node, cell_form(cell)))
    return number, mark


def _unit_clash(target: Target, stated: Line, cross: str, cells: list[tuple[Line, str, Number, Text]]
                ) -> Finding | None:
    """The finding that the cells a series relation reads are in different units (TAB012's
    kind, as for a sum), at the stated cell; None when they agree."""
    units = [(cell_unit(line, at, number), line, at, label) for line, at, number, label in cells]
    known = [item for item in units if item[0] is not None]
    clash = next((item for item in known if item[0] != known[0][0]), None) if known else None
    if clash is None:
        return None
    unit, _, _, label = known[0]
    other_unit, other_line, other_at, other_label = clash
    return Finding(
        "table_unit_mismatch", stated.location(target.file, cross),
        {**cell_args(target, stated, cross, None), "unit": unit, "unit_line": label, "other_unit": other_unit,
         "other": other_label},
        [Related(other_line.location(target.file, other_at), Text(f"{other_unit}の値", f"the value in {other_unit}"))],
    )


def _at_previous(line: Line, previous: str, here: Any) -> Text:
    where = cross_at(line, previous)
    name = line.label(here)
    return Text(f"{where.ja}の{name.ja}", f"{name.en} at {where.en}")


def _fix(stated_line: Line, cross: str, computed: Decimal, stated: Number, target: Target, mark: str | None
         ) -> Fix | None:
    if mark is not None:
        return None  # a blank taken as 0 is not rewritten to a figure
    places = stated.places
    return Fix(stated_line.location(target.file, cross), format_decimal(computed, places).replace(",", ""), safe=False)


def _evaluate(target: Target, relation: Relation, where: ModelPath, options: Any) -> Iterator[Finding | RelationRecord]:
    """One series relation (running_sum, change or lag) at every cross line."""
    form = relation.check
    if len(relation.of) != 1:
        yield Unchecked(Location(target.file, where + ("of",)),
                        Text(f"{relation.line} の {form} の関係", f"the {form} relation of {relation.line}"),
                        Text("累計・増減・前期の関係の of は1つの行（列）", f"a {form} relation takes one `of` line"))
        return
    found = yield from relation_lines(target, relation, {"of": list(relation.of)}, where)
    if found is None:
        return
    lines, crosses = found
    [stated_line], [series] = lines[relation.axis], lines["of"]
    here = target.node
    name, of_name = stated_line.label(here), series.label(here)
    word = _AXIS[_OTHER[relation.axis]]
    text = {
        "running_sum": Text(f"{name.ja} ＝ 前の{word.ja}の{name.ja} ＋ {of_name.ja}",
                            f"{name.en} = {name.en} at the previous {word.en} + {of_name.en}"),
        "change": Text(f"{name.ja} ＝ {of_name.ja} − 前の{word.ja}の{of_name.ja}",
                       f"{name.en} = {of_name.en} − {of_name.en} at the previous {word.en}"),
        "lag": Text(f"{name.ja} ＝ 前の{word.ja}の{of_name.ja}", f"{name.en} = {of_name.en} at the previous {word.en}"),
    }[form]
    start = Text(f"{name.ja} ＝ {of_name.ja}（系列の最初）", f"{name.en} = {of_name.en} (the series' start)")
    rounding = declared_rounding(stated_line.table, target.plan, "totals")
    rounding_text = Text(rounding or "宣言なし（完全一致）", rounding or "none declared: exact")
    half_unit = bool(getattr(options, "half_unit_per_item", False))
    step = _step(stated_line, crosses)
    for position, cross in enumerate(crosses):
        first = position == 0
        if first and not (form == "running_sum" and relation.starts_here):
            yield NotApplicable(stated_line.location(target.file, cross), at_cross(text, stated_line, cross),
                                Text(f"最初の{word.ja}で、前の{word.ja}がない",
                                     f"the first {word.en}: there is no previous {word.en}"))
            continue
        named = at_cross(start if first else text, stated_line, cross)
        previous = None if first else crosses[position - 1]
        gap = None if previous is None else _gap(stated_line, previous, cross, step)
        if gap is not None:
            yield Unchecked(stated_line.location(target.file, cross), named, gap)
            continue
        here_lines = [stated_line] if form == "lag" else [stated_line, series]
        read = read_cells(target, relation, here_lines, cross, start if first else text)
        if not isinstance(read, list):
            yield read
            continue
        (stated, mark) = read[0]
        current: _Read | None = read[1] if len(read) > 1 else None
        before: _Read | None = None
        before_line = stated_line if form == "running_sum" else series
        if previous is not None:
            earlier = _read_previous(target, relation, before_line, previous, named)
            if isinstance(earlier, Unchecked):
                yield earlier
                continue
            before = earlier
        # the cells read besides the stated one: (line, cross line, number and mark, weight, label);
        # the stated value = Σ weight × value
        operands: list[tuple[Line, str, _Read, int, Text]] = []
        if current is not None:
            operands.append((series, cross, current, 1, of_name))
        if before is not None and previous is not None:
            operands.append((before_line, previous, before, -1 if form == "change" else 1,
                             _at_previous(before_line, previous, here)))
        location = stated_line.location(target.file, cross)
        yield Checked(location, relation=named, operands=tuple(
            Operand(line.location(target.file, at), number.value, weight) for line, at, (number, _), weight, _ in operands))
        clash = _unit_clash(target, stated_line, cross, [(stated_line, cross, stated, name)] + [
            (line, at, number, label) for line, at, (number, _), _, label in operands])
        if clash is not None:
            yield clash
            continue
        # compared as a sum: stated = previous + current (running_sum), current = stated +
        # previous (change), stated = previous (lag); a mark declared 0 adds nothing
        if form == "change":
            assert current is not None and before is not None
            total, addends = current, [(stated, mark), before]
        else:
            total, addends = (stated, mark), [item for item in (before, current) if item is not None]
        outcome = compare_sum(total[0], [value for value, value_mark in addends if value_mark is None], rounding,
                              half_unit)
        if outcome is None or outcome[0] == "within_rounding":
            continue
        computed = sum((weight * number.value for _, _, (number, _), weight, _ in operands), Decimal(0))
        args: dict[str, Any] = {
            "stated": stated.value, "computed": computed, "difference": stated.value - computed,
            **cell_args(target, stated_line, cross, mark), "of": of_name, "rounding": rounding_text,
            "blame": Text("", ""),
        }
        if previous is not None and before is not None:
            args["previous_at"] = cross_at(stated_line, previous)
            if form != "lag":
                args.update(previous=before[0].value, current=None if current is None else current[0].value)
        related = [Related(line.location(target.file, at), zero_note(label, number_mark))
                   for line, at, (_, number_mark), _, label in operands]
        kind = "running_sum_start_mismatch" if first else f"{form}_mismatch"
        yield Finding(kind, location, args, related, _fix(stated_line, cross, computed, stated, target, mark))


register_form("running_sum", "running_sum_mismatch", RUNNING_SUM_KINDS)(_evaluate)
register_form("change", "change_mismatch", CHANGE_KINDS)(_evaluate)
register_form("lag", "lag_mismatch", LAG_KINDS)(_evaluate)
