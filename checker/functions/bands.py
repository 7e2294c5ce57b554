"""Evaluation bands (評価区分), the marks printed per indicator, the counts per band, and the
算出方法 schedules that yearly targets follow.

A plan declares its scale once (`plan.bands`): each band a mark (A, B+, ◎) over a range of
achievement rates, and groups of bands that counts use (順調: [A, B]). The rate an
indicator is graded by is the one `checker.functions.rates` computes (its formula, its
direction, the target in force), rounded to the precision the document states its rates
to; where it cannot be computed, the stated rate. Nothing here computes a rate another way.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from decimal import ROUND_CEILING, ROUND_FLOOR, Context, Decimal
from itertools import pairwise
from typing import Any, NamedTuple

from checker.diagnostics import (
    Checked,
    Finding,
    Fix,
    Location,
    ModelPath,
    NotApplicable,
    Related,
    RelationRecord,
    Text,
    Unchecked,
    Year,
    closest,
)
from checker.fiscal import era_label, year_label
from checker.functions import Target, check_function, plan_indicators, plan_sections
from checker.functions.rates import Blocked, Formula, resolve
from checker.functions.sums import cell_form, declared_rounding, unread
from checker.values import Absent, Bound, Number, Qualitative, format_decimal, round_declared

# Rates recomputed for a document that states none are taken to 0.1 %, as rates are printed.
DEFAULT_RATE_PLACES = 1


def normalised(mark: str) -> str:
    """A mark as compared: full-width and half-width forms are one mark (Ａ = A, Ｂ＋ = B+)."""
    return unicodedata.normalize("NFKC", mark).strip()


def did_you_mean(word: str, candidates: list[str]) -> Text:
    near = closest(normalised(word), [normalised(candidate) for candidate in candidates])
    if near is None:
        return Text("", "")
    shown = next(candidate for candidate in candidates if normalised(candidate) == near)
    return Text(f"（「{shown}」の誤りではありませんか）", f" (did you mean {shown}?)")


def band_range(band: Any) -> Text:
    """The rates a band covers, as a document prints them: 100%以上, 80%以上100%未満, 80～99%, 50%未満."""
    low = format_decimal(band.min) if band.min is not None else None
    if band.max is not None:
        high = format_decimal(band.max)
        if low is None:
            return Text(f"{high}%以下", f"at most {high}%")
        return Text(f"{low}～{high}%", f"{low}-{high}%")
    if band.below is not None:
        high = format_decimal(band.below)
        if low is None:
            return Text(f"{high}%未満", f"below {high}%")
        return Text(f"{low}%以上{high}%未満", f"{low}% to below {high}%")
    if low is None:
        return Text("すべての率", "every rate")
    return Text(f"{low}%以上", f"{low}% or more")


def in_band(band: Any, rate: Decimal) -> bool:
    return ((band.min is None or rate >= band.min) and (band.below is None or rate < band.below)
            and (band.max is None or rate <= band.max))


def rate_places(plan: Any) -> int:
    """The decimals the document states its achievement rates to: the most any stated rate
    has (75.4% → 1), else 0.1 %."""
    places = [cell.places for _, indicator in plan_indicators(plan) for cell in indicator.rates.values()
              if isinstance(cell, Number)]
    return max(places) if places else DEFAULT_RATE_PLACES


# A check's own records are NamedTuples where nothing compares, hashes or replaces them as
# dataclasses: making a frozen dataclass execs six generated methods at import (about 1 ms a
# class, paid by every one-file run), a NamedTuple a fifth of that.
class Scale(NamedTuple):
    """A plan's band scale as the checks read it: each mark (normalised) to its band, each
    group to the marks it names."""

    bands: dict[str, Any]  # normalised mark -> Band (the first of a repeated mark)
    groups: dict[str, frozenset[str]]  # normalised group name -> normalised marks it names
    shown: dict[str, str]  # normalised mark or group -> as printed
    lost: Text | None = None  # why the scale is incomplete: the loader could not read a band or group

    @classmethod
    def of(cls, scale: Any, plan: Any = None) -> Scale:
        bands: dict[str, Any] = {}
        shown: dict[str, str] = {}
        for band in scale.bands:
            bands.setdefault(normalised(band.mark), band)
            shown.setdefault(normalised(band.mark), band.mark)
        groups = {}
        for name, marks in scale.groups.items():
            groups[normalised(name)] = frozenset(normalised(mark) for mark in marks)
            shown.setdefault(normalised(name), name)
        return cls(bands, groups, shown, _scale_lost(scale, plan) if plan is not None else None)

    def marks_of(self, label: str) -> frozenset[str] | None:
        """The band marks a mark or group names (None: neither)."""
        key = normalised(label)
        if key in self.bands:
            return frozenset({key})
        return self.groups.get(key)

    def band_of(self, rate: Decimal) -> str | None:
        return next((mark for mark, band in self.bands.items() if in_band(band, rate)), None)

    @property
    def names(self) -> list[str]:
        return list(self.shown.values())


def _scale_lost(scale: Any, plan: Any) -> Text | None:
    """Why the declared scale is not the printed one: a band or group the loader could not read."""
    at = ("plan", "bands")
    containers = [(*at, "bands"), (*at, "groups"), *((*at, "groups", name) for name in scale.groups)]
    lost = [item for container in containers for item in plan.dropped_items(container)]
    if not lost:
        return None
    reason = lost[0].reason()
    return Text(f"評価区分の{reason.ja}", f"of the band scale, {reason.en}")


class Graded(NamedTuple):
    """The rate an indicator's year is graded by: recomputed, or (when it cannot be) stated."""

    rate: Decimal
    stated: bool  # the stated rate, because it cannot be recomputed
    formula: Formula | None
    places: int


def graded_rate(indicator: Any, year: int, plan: Any, places: int) -> Graded | Blocked:
    """`year`'s achievement rate as the bands grade it: recomputed by rates.py's formula from
    the target in force and the actual, rounded (the rates' declared rounding, else half
    up) to the stated rate's decimals or the document's; else the stated rate; else why
    neither exists."""
    stated = indicator.rates.get(year)
    resolved = resolve(indicator, year, plan.plan)
    if isinstance(resolved, Formula):
        at = stated.places if isinstance(stated, Number) else places
        rounding = declared_rounding(indicator, plan, "rates")
        return Graded(round_declared(resolved.quotient, at, rounding), False, resolved, at)
    if isinstance(stated, Number):
        return Graded(stated.value, True, None, stated.places)
    return resolved


def _rate_text(graded: Graded) -> Text:
    rate = format_decimal(graded.rate, graded.places)
    if graded.stated:
        return Text(f"記載の達成率 {rate}%", f"the stated rate {rate}%")
    assert graded.formula is not None
    formula = graded.formula
    exact = format_decimal(formula.numerator) + " ÷ " + format_decimal(formula.denominator)
    return Text(f"達成率 {rate}%（{formula.name.ja} = {exact}）",
                f"rate {rate}% ({formula.name.en} = {exact.replace('÷', '/')})")


STATED_NOTE = Text("達成率を目標と実績から計算できないため、記載の達成率で確かめました",
                   "the rate cannot be recomputed from target and actual: checked against the stated rate")

BAND_KINDS = {
    "duplicate_mark": ("mark", "first", "second"),
    "group_unknown_mark": ("group", "mark", "marks", "suggestion"),
    "gap": ("lower", "upper", "low", "high", "step", "suggestion"),
    "overlap": ("lower", "upper", "low", "high", "suggestion"),
    "mark_mismatch": ("indicator", "year", "mark", "expected", "rate", "range"),
    "unknown_mark": ("mark", "where", "marks", "suggestion"),
    "no_scale": ("mark", "where"),
    "count_total_mismatch": ("stated", "computed", "counts", "where"),
    "count_mismatch": ("label", "stated", "computed", "scope", "indicators", "hint"),
}


@check_function("evaluation_bands", given=("plans",), kinds=BAND_KINDS)
def evaluation_bands(target: Target, options: dict[str, Any]) -> Iterator[Finding | RelationRecord]:
    """The band scale, the marks printed per indicator and year, and the counts per band.

    The scale: marks are unique (compared without regard to full or half width), every
    group names marks of the scale, and the bands, taken in the order of the rates they
    cover, leave no gap and do not overlap at the precision the document states its rates
    to (bands printed 80～99% and 100%以上 leave 99.1-99.9 in no band when rates are stated
    to 0.1 %). A mark (`evaluations`) is the band, or a group holding the band, of the
    year's rate: recomputed by the achievement-rate formula (rates.py) and rounded to the
    stated decimals, or the stated rate when it cannot be recomputed (the relation record
    says so), else not checked. Counts (`band_counts`, on a section or the plan): they add
    up to their 合計; where the document lists the indicators (`listed`), each count equals
    the number of the scope's indicators (the section's or the whole plan's, of the
    count's category) whose mark, or else rate, falls in the band or group it names, and
    the 合計 the number of those graded. An indicator without a number target and without
    a mark is not graded.
    """
    plan = target.node
    declared = plan.plan.bands
    places = rate_places(plan)
    scale = Scale.of(declared, plan) if declared is not None else None
    if declared is not None and scale is not None:
        yield from _scale(target, declared, places, scale.lost)
    for path, indicator in plan_indicators(plan):
        yield from _evaluations(target, path, indicator, scale, places)
    counted: list[tuple[ModelPath, Any, list[tuple[ModelPath, Any]]]] = [
        (path, section, [(path + ("indicators", index), indicator)
                         for index, indicator in enumerate(section.indicators)])
        for path, section in plan_sections(plan)
    ]
    counted.append(((), plan, list(plan_indicators(plan))))
    for path, holder, indicators in counted:
        for index, count in enumerate(holder.band_counts):
            yield from _band_count(target, path + ("band_counts", index), count, holder, indicators, scale, places)


# --- the scale --------------------------------------------------------------------------


def _scale(target: Target, declared: Any, places: int, lost: Text | None) -> Iterator[Finding | RelationRecord]:
    at = ("plan", "bands")
    seen: dict[str, int] = {}
    for index, band in enumerate(declared.bands):
        location = Location(target.file, at + ("bands", index, "mark"))
        yield Checked(location)
        key = normalised(band.mark)
        if key in seen:
            first = declared.bands[seen[key]].mark
            yield Finding("duplicate_mark", location, {"mark": band.mark, "first": first, "second": band.mark},
                          [Related(Location(target.file, at + ("bands", seen[key], "mark")),
                                   Text("最初の区分", "the first band"))])
        else:
            seen[key] = index
    if lost is not None:  # a group may name the band that is lost, and bands next to it leave no gap
        yield Unchecked(Location(target.file, at), Text("評価区分の並び（隙間・重なりがないこと）と区分のまとまり",
                                                        "the bands' order (no gap, no overlap) and the groups"), lost)
        return
    marks = [band.mark for band in declared.bands]
    for name, members in declared.groups.items():
        for position, mark in enumerate(members):
            location = Location(target.file, at + ("groups", name, position))
            yield Checked(location)
            if normalised(mark) not in seen:
                yield Finding("group_unknown_mark", location,
                              {"group": name, "mark": mark, "marks": marks, "suggestion": did_you_mean(mark, marks)})
    step = Decimal(1).scaleb(-places)
    ordered = sorted(range(len(declared.bands)),
                     key=lambda i: (declared.bands[i].min is not None, declared.bands[i].min or Decimal(0)))
    for lower_index, upper_index in pairwise(ordered):
        lower, upper = declared.bands[lower_index], declared.bands[upper_index]
        # at the lower band's upper end, the value a fix edits (80～99% → below: 100)
        lower_end = "max" if lower.max is not None else "below" if lower.below is not None else "mark"
        location = Location(target.file, at + ("bands", lower_index, lower_end))
        yield Checked(location)
        finding = _adjacent(lower, upper, step, places)
        if finding is None:
            continue
        kind, args = finding
        upper_end = "min" if upper.min is not None else "mark"
        related = [Related(Location(target.file, at + ("bands", upper_index, upper_end)),
                           Text(f"区分「{upper.mark}」（{band_range(upper).ja}）",
                                f"band {upper.mark} ({band_range(upper).en})"))]
        yield Finding(kind, location, {"lower": lower.mark, "upper": upper.mark, **args}, related)


def _adjacent(lower: Any, upper: Any, step: Decimal, places: int) -> tuple[str, dict[str, Any]] | None:
    """A gap or overlap between two bands next to each other in the order of their rates."""
    suggestion = Text("", "")
    if upper.min is not None:
        suggestion = Text(f"（区分「{lower.mark}」を below: {format_decimal(upper.min)} としてください）",
                          f" (give band {lower.mark} below: {format_decimal(upper.min)})")
    if upper.min is None:  # open below, like the lower one: every rate under both is in two bands
        high = lower.max if lower.max is not None else (lower.below - step if lower.below is not None else None)
        upper_high = upper.max if upper.max is not None else (upper.below - step if upper.below is not None else None)
        tops = [value for value in (high, upper_high) if value is not None]
        return "overlap", {"low": Text("下限なし", "no lower end"), "high": _at(min(tops) if tops else None, places),
                           "suggestion": suggestion}
    if lower.max is not None:
        first_free, last_covered = lower.max + step, lower.max
    elif lower.below is not None:
        first_free, last_covered = lower.below, lower.below - step
    else:  # open above: it covers every rate from its min on
        return "overlap", {"low": _at(upper.min, places), "high": _at(_top(upper, step), places),
                           "suggestion": Text(f"（区分「{lower.mark}」に上限を記載してください）",
                                              f" (give band {lower.mark} its upper end)")}
    if upper.min > first_free:
        low = _round_up_to(first_free, step)
        high = upper.min - step if _round_up_to(upper.min, step) == upper.min else _quantize(upper.min, step, ROUND_FLOOR)
        if low > high:  # between two stated rates: no rate the document can state falls in it
            return None
        return "gap", {"low": _at(low, places), "high": _at(high, places), "step": step, "suggestion": suggestion}
    if upper.min <= last_covered:
        top = _top(upper, step)
        high = last_covered if top is None else min(last_covered, top)
        return "overlap", {"low": _at(upper.min, places), "high": _at(high, places), "suggestion": suggestion}
    return None


def _top(band: Any, step: Decimal) -> Decimal | None:
    if band.max is not None:
        return band.max
    return band.below - step if band.below is not None else None


def _round_up_to(value: Decimal, step: Decimal) -> Decimal:
    return _quantize(value, step, ROUND_CEILING)


def _quantize(value: Decimal, step: Decimal, mode: str) -> Decimal:
    """`value` on the grid of `step`, with enough digits for any value a plan states."""
    context = Context(prec=max(28, value.adjusted() - step.adjusted() + 3))
    return value.quantize(step, rounding=mode, context=context)


def _at(value: Decimal | None, places: int) -> Text:
    if value is None:
        return Text("上限なし", "no upper end")
    shown = format_decimal(value, places)
    return Text(f"{shown}%", f"{shown}%")


# --- marks per indicator and year ---------------------------------------------------------


def _evaluation_relation(indicator: Any, year: int) -> Text:
    return Text(f"「{indicator.name}」の{era_label(year)}の評価 ＝ 達成率の区分",
                f"the evaluation of {indicator.name} for {year_label(year, 'en')} = the band of its rate")


def _evaluations(target: Target, path: ModelPath, indicator: Any, scale: Scale | None,
                 places: int) -> Iterator[Finding | RelationRecord]:
    plan = target.plan
    for year, mark in sorted(indicator.evaluations.items()):
        location = Location(target.file, path + ("evaluations", year))
        relation = _evaluation_relation(indicator, year)
        where = Text(f"「{indicator.name}」の{era_label(year)}の評価", f"the evaluation of {indicator.name} for "
                     f"{year_label(year, 'en')}")
        if scale is None:
            yield Finding("no_scale", location, {"mark": mark, "where": where})
            yield Unchecked(location, relation, Text("評価区分（plan.bands）が宣言されていません",
                                                     "no band scale (plan.bands) is declared"), kind="no_scale")
            continue
        if scale.lost is not None:
            yield Unchecked(location, relation, scale.lost, kind="mark_mismatch")
            continue
        named = scale.marks_of(mark)
        if named is None:
            yield Finding("unknown_mark", location, {"mark": mark, "where": where, "marks": scale.names,
                                                     "suggestion": did_you_mean(mark, scale.names)})
            yield Unchecked(location, relation, Text(f"「{mark}」は評価区分にない記号です",
                                                     f"{mark} is not a mark of the band scale"), kind="unknown_mark")
            continue
        graded = graded_rate(indicator, year, plan, places)
        if isinstance(graded, Blocked):
            yield Unchecked(location, relation, graded.reason, kind="mark_mismatch")
            continue
        yield Checked(location, STATED_NOTE if graded.stated else None)
        band = scale.band_of(graded.rate)
        if band is not None and band in named:
            continue
        related = [Related(Location(target.file, path + operand), label) for operand, label in _operands(graded, year)]
        expected = (Text(f"「{scale.shown[band]}」", scale.shown[band]) if band is not None
                    else Text("どの区分にも入らない", "in no band"))
        band_text = (band_range(scale.bands[band]) if band is not None else Text("区分なし", "no band"))
        fix = Fix(location, scale.shown[band], safe=False) if band is not None else None
        yield Finding("mark_mismatch", location, {
            "indicator": indicator.name, "year": Year(year), "mark": mark, "expected": expected,
            "rate": _rate_text(graded), "range": band_text,
        }, related, fix)


def _operands(graded: Graded, year: int) -> list[tuple[ModelPath, Text]]:
    if graded.formula is None:
        return [(("rates", year), Text("記載の達成率", "stated rate"))]
    return [(operand.path, operand.label) for operand in graded.formula.operands]


# --- counts per band or status ------------------------------------------------------------


def _band_count(target: Target, at: ModelPath, count: Any, holder: Any, indicators: list[tuple[ModelPath, Any]],
                scale: Scale | None, places: int) -> Iterator[Finding | RelationRecord]:
    plan = target.plan
    where = Text("区分ごとの指標数", "the counts per band")
    stated: dict[str, Number] = {}
    for label, cell in count.counts.items():
        location = Location(target.file, at + ("counts", label))
        if not isinstance(cell, Number):
            form = cell_form(cell)
            yield Unchecked(location, Text(f"「{label}」の件数", f"the count of {label}"),
                            Text(f"件数が{form.ja}", f"the count is {form.en}"))
            continue
        stated[label] = cell
    year = count.year if count.year is not None else plan.plan.as_of
    yield from _count_total(target, at, count, stated, _scope_text(count, holder, year))
    if not count.listed:
        # only the sum is a relation here: the labels need no scale to be added up
        for label in stated:
            if scale is None or scale.marks_of(label) is not None:
                yield NotApplicable(Location(target.file, at + ("counts", label)),
                                    Text(f"「{label}」の件数 ＝ 該当する指標の数", f"the count of {label} = its indicators"),
                                    Text("文書はここに数えた指標を載せていません（listed: false）",
                                         "the document does not list the counted indicators here (listed: false)"))
        if scale is None:
            return
    if scale is None:
        if count.counts:
            label = next(iter(count.counts))
            location = Location(target.file, at + ("counts", label), key=True)
            yield Finding("no_scale", location, {"mark": label, "where": where})
            yield Unchecked(location, Text("区分ごとの指標数 ＝ 各区分の指標の数", "the counts = the indicators per band"),
                            Text("評価区分（plan.bands）が宣言されていません", "no band scale (plan.bands) is declared"),
                            kind="no_scale")
        return
    if scale.lost is not None:
        for label in count.counts:
            yield Unchecked(Location(target.file, at + ("counts", label), key=True),
                            Text(f"「{label}」の件数 ＝ 該当する指標の数", f"the count of {label} = its indicators"),
                            scale.lost, kind="count_mismatch")
        return
    named: dict[str, frozenset[str]] = {}
    for label in count.counts:
        marks = scale.marks_of(label)
        if marks is None:
            location = Location(target.file, at + ("counts", label), key=True)
            yield Finding("unknown_mark", location, {"mark": label, "where": where, "marks": scale.names,
                                                     "suggestion": did_you_mean(label, scale.names)})
            yield Unchecked(location, Text(f"「{label}」の件数", f"the count of {label}"),
                            Text(f"「{label}」は評価区分の記号でも区分のまとまりでもありません",
                                 f"{label} is neither a mark nor a group of the band scale"), kind="unknown_mark")
        else:
            named[label] = marks
    if not count.listed:
        return
    relation = Text("区分ごとの指標数 ＝ 各区分の指標の数", "the counts = the indicators per band")
    lost = _lost_indicators(target, at, relation)
    if lost is not None:  # a count of the indicators read would leave one out
        yield lost
        return
    if year is None:
        for label in named:
            yield Unchecked(Location(target.file, at + ("counts", label)), relation,
                            Text("年度（year）も報告年度（as_of）もないため、どの年度の指標を数えるか分かりません",
                                 "neither the count's year nor the plan's as_of says which year is counted"))
        return
    scope = [(path, indicator) for path, indicator in indicators
             if count.category is None or indicator.category == count.category]
    graded: list[tuple[ModelPath, Any, frozenset[str]]] = []
    blocked: list[tuple[ModelPath, Any, Text]] = []
    for path, indicator in scope:
        possible = _possible_marks(indicator, year, plan, scale, places)
        if possible is None:
            continue  # not graded: no number target and no mark
        if isinstance(possible, Text):
            blocked.append((path, indicator, possible))
        else:
            graded.append((path, indicator, possible))
    hint = _category_hint(count, indicators)
    scope_text = _scope_text(count, holder, year)
    for label, marks in named.items():
        cell = stated.get(label)
        if cell is None:
            continue
        location = Location(target.file, at + ("counts", label))
        label_relation = Text(f"「{label}」の件数 ＝ {scope_text.ja}で「{label}」の指標の数",
                              f"the count of {label} = the indicators of {scope_text.en} in {label}")
        undecided = [(path, indicator, reason) for path, indicator, reason in blocked]
        undecided += [(path, indicator, Text(f"「{indicator.name}」がどの区分か決まりません",
                                             f"the band of {indicator.name} is not known"))
                      for path, indicator, possible in graded if not (possible <= marks or not possible & marks)]
        if undecided:
            yield _not_counted(target, label_relation, *undecided[0])
            continue
        yield Checked(location)
        members = [(path, indicator) for path, indicator, possible in graded if possible and possible <= marks]
        if cell.value == len(members):
            continue
        yield Finding("count_mismatch", location, {
            "label": label, "stated": cell.value, "computed": len(members), "scope": scope_text,
            "indicators": [indicator.name for _, indicator in members] or [Text("なし", "none")], "hint": hint,
        }, [Related(Location(target.file, path), Text(f"「{label}」の指標", f"an indicator in {label}"))
            for path, _ in members], Fix(location, str(len(members)), safe=False))
    if isinstance(count.total, Number):
        location = Location(target.file, at + ("total",))
        total_relation = Text(f"合計 ＝ {scope_text.ja}で評価された指標の数",
                              f"the total = the graded indicators of {scope_text.en}")
        if blocked:
            yield _not_counted(target, total_relation, *blocked[0])
            return
        yield Checked(location)
        if count.total.value != len(graded):
            yield Finding("count_mismatch", location, {
                "label": Text("合計", "the total"), "stated": count.total.value, "computed": len(graded),
                "scope": scope_text, "indicators": [indicator.name for _, indicator, _ in graded]
                or [Text("なし", "none")], "hint": hint,
            }, [Related(Location(target.file, path), Text("評価された指標", "a graded indicator"))
                for path, _, _ in graded], Fix(location, str(len(graded)), safe=False))


def _not_counted(target: Target, relation: Text, path: ModelPath, indicator: Any, reason: Text) -> Unchecked:
    """A count not checked because one indicator's band is not known: at the indicator, why."""
    return Unchecked(Location(target.file, path), relation,
                     Text(f"「{indicator.name}」: {reason.ja}", f"{indicator.name}: {reason.en}"))


def _lost_indicators(target: Target, at: ModelPath, relation: Text) -> Unchecked | None:
    """The record of counts not compared with the indicators because the loader could not
    read one of the scope's indicators (or a section holding some, for a plan's count)."""
    section = at[:-2]
    if section:
        return unread(target, (*section, "indicators"), at, relation)
    plan = target.plan
    containers: list[ModelPath] = [("themes",), ("policies",), ("goals",), ("tables",)]
    containers += [("goals", index, "areas") for index in range(len(plan.goals))]
    containers += [(*path, "indicators") for path, _ in plan_sections(plan)]
    for container in containers:
        lost = unread(target, container, at, relation)
        if lost is not None:
            return lost
    return None


def _count_total(target: Target, at: ModelPath, count: Any, stated: dict[str, Number],
                 scope: Text) -> Iterator[Finding | RelationRecord]:
    total = count.total
    if total is None:
        return
    location = Location(target.file, at + ("total",))
    relation = Text("合計 ＝ 区分ごとの件数の和", "the total = the sum of the counts")
    lost = unread(target, at + ("counts",), at + ("total",), relation)
    if lost is not None:
        yield lost
        return
    if not isinstance(total, Number):
        form = cell_form(total)
        yield Unchecked(location, relation, Text(f"合計が{form.ja}", f"the total is {form.en}"))
        return
    missing = [label for label in count.counts if label not in stated]
    if missing:
        yield Unchecked(Location(target.file, at + ("counts", missing[0])), relation,
                        Text(f"「{missing[0]}」の件数が数値ではありません", f"the count of {missing[0]} is not a number"))
        return
    marks = Scale.of(target.plan.plan.bands) if target.plan.plan.bands is not None else None
    if marks is not None:
        named = [(label, marks.marks_of(label)) for label in stated]
        for index, (label, one) in enumerate(named):
            for other, two in named[index + 1:]:
                if one is not None and two is not None and one & two:
                    yield Unchecked(location, relation, Text(
                        f"「{label}」と「{other}」は同じ区分を数えるため、件数の和は合計になりません",
                        f"{label} and {other} count the same band, so their sum is not the total"))
                    return
    yield Checked(location)
    computed = sum((cell.value for cell in stated.values()), Decimal(0))
    if computed == total.value:
        return
    yield Finding("count_total_mismatch", location, {
        "stated": total.value, "computed": computed,
        "where": Text(f"{scope.ja}の区分ごとの件数", f"the counts of {scope.en}"),
        "counts": [Text(f"{label} {format_decimal(cell.value)}", f"{label} {format_decimal(cell.value)}")
                   for label, cell in stated.items()],
    }, [Related(Location(target.file, at + ("counts", label)), Text(f"「{label}」の件数", f"the count of {label}"))
        for label in stated])


def _possible_marks(indicator: Any, year: int, plan: Any, scale: Scale, places: int) -> frozenset[str] | Text | None:
    """The bands an indicator's year may be in: its printed mark's (a group's marks,
    narrowed by the rate), else its rate's; a reason when neither is known; None when the
    indicator is not graded (no number target, no mark)."""
    mark = indicator.evaluations.get(year)
    named = scale.marks_of(mark) if mark is not None else None
    if named is not None and len(named) == 1:
        return named
    graded = graded_rate(indicator, year, plan, places)
    if isinstance(graded, Graded):
        band = scale.band_of(graded.rate)
        found = frozenset({band}) if band is not None else frozenset()
        return found & named if named is not None else found
    if named is not None:
        return named
    if mark is not None:
        return Text(f"評価「{mark}」は評価区分にない記号です", f"the evaluation {mark} is not a mark of the scale")
    _, target = indicator.target_in_force(year, for_rates=True)
    if target is None or isinstance(target, (Absent, Qualitative)):
        return None
    return graded.reason


def _scope_text(count: Any, holder: Any, year: int | None) -> Text:
    title = getattr(holder, "title", None)
    place_ja = f"「{title}」" if title else "計画全体"
    place_en = f"{title}" if title else "the whole plan"
    if count.category:
        place_ja += f"の{count.category}"
        place_en += f" ({count.category})"
    if year is None:
        return Text(place_ja, place_en)
    return Text(f"{place_ja}の{era_label(year)}", f"{place_en} for {year_label(year, 'en')}")


def _category_hint(count: Any, indicators: list[tuple[ModelPath, Any]]) -> Text:
    if count.category is None:
        return Text("", "")
    categories = sorted({indicator.category for _, indicator in indicators if indicator.category})
    if count.category in categories:
        return Text("", "")
    near = did_you_mean(count.category, categories)
    return Text(f"（区分「{count.category}」の指標はありません{near.ja}）",
                f" (no indicator is of category {count.category}{near.en})")


# --- 算出方法: targets on a schedule -------------------------------------------------------


SCHEDULE_ARGS = ("indicator", "year", "stated", "computed", "exact", "base", "base_year", "step", "years", "rounding")


@check_function("target_schedule", given=("indicators",),
                kinds={"off_schedule": SCHEDULE_ARGS, "no_base": ("indicator", "missing")})
def target_schedule(target: Target, options: dict[str, Any]) -> Iterator[Finding | RelationRecord]:
    """Each yearly target (期待値) follows the indicator's 算出方法 (`schedule`): the base
    value plus `add` for each year since the base year, or times `multiply` for each year
    (compounded from the base, rounded once). A target that is a bound 以上 is rounded up
    (切り上げ) at its stated decimals; any other at the plan's declared rounding for totals
    (else half up). Every stated target after the base year is checked, in the period and
    beyond it: the original targets from the baseline, and a revision's (改訂後の期待値, the
    targets in force from its year) from the revision's own baseline; a revision that
    states no baseline of its own was not computed by the schedule (not applicable), nor
    are targets up to the base year; a target that is no number is not checked.
    """
    indicator = target.node
    if indicator.schedule is None:
        return
    reported: list[Text] = []  # the missing bases already reported
    series: list[tuple[ModelPath, dict[int, Any], Any, ModelPath]] = [
        (("targets",), indicator.targets, indicator.baseline, ("baseline",))]
    for index, revision in enumerate(indicator.revisions):
        series.append((("revisions", index, "targets"), revision.targets, revision.baseline,
                       ("revisions", index, "baseline")))
    for at, targets, baseline, baseline_path in series:
        for year, cell in sorted(targets.items()):
            location = Location(target.file, target.path + at + (year,))
            relation = Text(f"「{indicator.name}」の{era_label(year)}の{'改訂後の' if at[0] == 'revisions' else ''}"
                            f"目標 ＝ 算出方法による値",
                            f"the {'revised ' if at[0] == 'revisions' else ''}target of {indicator.name} for "
                            f"{year_label(year, 'en')} = the schedule's value")
            if at[0] == "revisions" and baseline is None:
                yield NotApplicable(location, relation, Text(
                    "改訂に基準値がないため、改訂後の目標は算出方法によるものではありません",
                    "the revision states no baseline of its own: its targets do not follow the schedule"))
                continue
            if baseline is None or not isinstance(baseline.value, Number):
                missing = (Text("基準値", "a baseline") if baseline is None
                           else Text(f"数値の基準値（{cell_form(baseline.value).ja}）",
                                     f"a number baseline ({cell_form(baseline.value).en})"))
                if missing not in reported:
                    reported.append(missing)
                    yield Finding("no_base", Location(target.file, target.path + ("schedule",), key=True),
                                  {"indicator": indicator.name, "missing": missing})
                yield Unchecked(location, relation, Text(f"算出方法の起点となる{missing.ja}がありません",
                                                         f"the schedule has no base: {missing.en} is missing"),
                                kind="no_base")
                continue
            yield from _scheduled(target, location, relation, year, cell, baseline, baseline_path)


def _scheduled(target: Target, location: Location, relation: Text, year: int, cell: Any, baseline: Any,
               baseline_path: ModelPath) -> Iterator[Finding | RelationRecord]:
    """One target against the value the schedule gives from `baseline`."""
    indicator, schedule = target.node, target.node.schedule
    steps = year - baseline.year
    if steps <= 0:
        yield NotApplicable(location, relation, Text("基準年度以前の目標です", "a target not after the base year"))
        return
    if isinstance(cell, Bound):
        number = cell.number
        rounding = ("切り上げ" if cell.kind in ("at_least", "above")
                    else declared_rounding(indicator, target.plan, "totals"))
    elif isinstance(cell, Number):
        number, rounding = cell, declared_rounding(indicator, target.plan, "totals")
    else:
        form = cell_form(cell)
        yield Unchecked(location, relation, Text(f"目標が{form.ja}", f"the target is {form.en}"))
        return
    yield Checked(location)
    base = baseline.value.value
    if schedule.add is not None:
        exact = base + schedule.add * steps
        sign = "+" if schedule.add >= 0 else "−"
        amount = format_decimal(abs(schedule.add))
        step_text = Text(f"毎年 {sign}{amount}", f"{sign}{amount} a year")
    else:
        exact = base * schedule.multiply ** steps
        step_text = Text(f"毎年 ×{format_decimal(schedule.multiply)}", f"×{format_decimal(schedule.multiply)} a year")
    computed = round_declared(exact, number.places, rounding)
    if computed == number.value:
        return
    shown = exact.normalize()
    yield Finding("off_schedule", location, {
        "indicator": indicator.name, "year": Year(year), "stated": number.value, "computed": computed,
        "exact": shown if -int(shown.as_tuple().exponent) <= number.places + 3
        else round_declared(exact, number.places + 3, None),
        "base": base, "base_year": Year(baseline.year), "step": step_text, "years": steps,
        "rounding": Text(rounding or "四捨五入", {"切り上げ": "rounded up", "切り捨て": "truncated"}.get(
            rounding or "", "rounded half up")),
    }, [Related(Location(target.file, target.path + baseline_path + ("value",)), Text("基準値", "baseline")),
        Related(Location(target.file, target.path + ("schedule",), key=True), Text("算出方法", "schedule"))])
