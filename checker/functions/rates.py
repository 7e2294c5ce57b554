"""Stated achievement rates (達成率) against the targets and actuals they restate.

A rate measures an actual against a reference: the target, the bound of `4以上` / `30以下`,
or the previous actual for a target relative to the previous year (`前年度比減`). How it is
computed (its form) is, first of all, what the indicator or the plan declares
(`rate_formula`); else it follows the direction: 実績 ÷ 目標 when higher is better, 目標 ÷
実績 when lower is better. The direction is the target's when its form states one (以下,
未満, 前年度比減 and 前年以下: lower; 以上, 超: higher), else the indicator's `direction`,
else higher is better.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
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
)
from checker.fiscal import era_label, year_label
from checker.functions import Target, check_function
from checker.functions.sums import ROUNDING_NAMES, declared_rounding, unread
from checker.values import (
    Absent,
    Bound,
    Interval,
    Number,
    Qualitative,
    Relative,
    Unreadable,
    format_decimal,
    interval,
    quotient_interval,
    round_declared,
    round_half_up,
)

HUNDRED = Decimal(100)

ACTUAL_OVER_TARGET = "actual_over_target"
TARGET_OVER_ACTUAL = "target_over_actual"
PROGRESS = "progress"
OTHER_FORM = {ACTUAL_OVER_TARGET: TARGET_OVER_ACTUAL, TARGET_OVER_ACTUAL: ACTUAL_OVER_TARGET}

# What a target's form says about its direction: True lower is better, False higher.
BOUND_LOWER = {"at_least": False, "above": False, "at_most": True, "below": True}
BOUND_NAMES = {
    "at_least": Text("目標の下限（以上）", "bound (以上, at least)"),
    "above": Text("目標の下限（超）", "bound (超, above)"),
    "at_most": Text("目標の上限（以下）", "bound (以下, at most)"),
    "below": Text("目標の上限（未満）", "bound (未満, below)"),
}
RELATIVE_LOWER = {"decrease": True, "not_above": True, "about_same": None}
LOWER = Text("減るほどよい", "lower is better")
HIGHER = Text("増えるほどよい", "higher is better")


# A check's own records are NamedTuples where nothing compares, hashes or replaces them as
# dataclasses: making a frozen dataclass execs six generated methods at import (about 1 ms a
# class, paid by every one-file run), a NamedTuple a fifth of that.
class Operand(NamedTuple):
    value: Number
    path: ModelPath  # within the indicator
    label: Text  # for the related location


class Reference(NamedTuple):
    """What the actual is measured against, with the names a formula gives both."""

    operand: Operand
    name: Text  # 目標, 目標の下限（以上）, 前年度実績
    actual_name: Text  # 実績, or 当年度実績 beside a previous actual
    lower_is_better: bool | None  # what the target's form says; None: nothing
    note: Text = Text("", "")  # after the formula: （前年度比減: 減るほど達成）
    target_path: ModelPath | None = None  # the relative target itself, beside the previous actual


class Formula(NamedTuple):
    """How one stated rate is computed: its form, operands and where its form comes from."""

    form: str  # actual_over_target | target_over_actual | progress
    actual: Operand
    reference: Reference
    baseline: Operand | None = None  # progress only
    declared: bool = False  # the form is the declared rate_formula
    from_target: bool = False  # the form follows the direction the target's form states

    @property
    def name(self) -> Text:
        actual, reference = self.reference.actual_name, self.reference.name
        if self.form == PROGRESS:
            ja = f"（{actual.ja} − 基準値） ÷ （{reference.ja} − 基準値）"
            en = f"({actual.en} - baseline) / ({reference.en} - baseline)"
        elif self.form == TARGET_OVER_ACTUAL:
            ja, en = f"{reference.ja} ÷ {actual.ja}", f"{reference.en} / {actual.en}"
        else:
            ja, en = f"{actual.ja} ÷ {reference.ja}", f"{actual.en} / {reference.en}"
        return Text(ja + self.reference.note.ja, en + self.reference.note.en)

    @property
    def numerator(self) -> Decimal:
        actual, reference = self.actual.value.value, self.reference.operand.value.value
        if self.form == PROGRESS:
            assert self.baseline is not None
            return actual - self.baseline.value.value
        return reference if self.form == TARGET_OVER_ACTUAL else actual

    @property
    def denominator(self) -> Decimal:
        actual, reference = self.actual.value.value, self.reference.operand.value.value
        if self.form == PROGRESS:
            assert self.baseline is not None
            return reference - self.baseline.value.value
        return actual if self.form == TARGET_OVER_ACTUAL else reference

    @property
    def quotient(self) -> Decimal:
        return self.numerator / self.denominator * HUNDRED

    def possible(self, rounding: str) -> Interval | None:
        """The rates the operands allow when each stands for its interval under `rounding`
        (None when the denominator may be zero)."""
        actual = interval(self.actual.value, rounding)
        reference = interval(self.reference.operand.value, rounding)
        if self.form == PROGRESS:
            assert self.baseline is not None
            baseline = interval(self.baseline.value, rounding)
            return quotient_interval(_minus(actual, baseline), _minus(reference, baseline), HUNDRED)
        if self.form == TARGET_OVER_ACTUAL:
            return quotient_interval(reference, actual, HUNDRED)
        return quotient_interval(actual, reference, HUNDRED)

    @property
    def operands(self) -> list[Operand]:
        return [self.actual, self.reference.operand] + ([self.baseline] if self.baseline else [])

    @property
    def paths(self) -> list[ModelPath]:
        paths = [operand.path for operand in self.operands]
        return paths + ([self.reference.target_path] if self.reference.target_path else [])


def _minus(left: Interval, right: Interval) -> Interval:
    return Interval(left.low - right.high, left.high - right.low)


class Blocked(NamedTuple):
    """Why a stated rate cannot be computed: the reason, and the finding it is (if any)."""

    key: str
    reason: Text
    finding: str | None = None  # the finding kind that reports it
    missing: Text | None = None  # for that finding: what is missing


def _blocked_unreadable(what: Text) -> Blocked:
    return Blocked("unreadable", Text(f"{what.ja}が読めない値です", f"the {what.en} is an unreadable value"))


def end_of_period_year(indicator: Any, header: Any) -> int | None:
    """The year of the one target a plan declaring `target_years: end_of_period` states:
    the period's last year's, else the only target in the period."""
    period = header.period
    years = [year for year, target in indicator.targets.items()
             if not isinstance(target, Absent) and (period is None or year in period.years())]
    if period is not None and period.end in years:
        return period.end
    return years[0] if len(years) == 1 else None


def _reference(indicator: Any, year: int, header: Any) -> Reference | Blocked:
    end_of_period = header is not None and header.target_years == "end_of_period"
    target_year = end_of_period_year(indicator, header) if end_of_period else year
    # the target in force: a revision's (改訂後の期待値) from its year on, when the rates are
    # stated against it
    in_force: ModelPath = ("targets",)  # with its year below, whenever there is a target
    target = None
    if target_year is not None:
        in_force, target = indicator.target_in_force(target_year, for_rates=True)
    if target is None or isinstance(target, Absent):
        if end_of_period:
            return Blocked("no_target", Text("計画期間末の目標がありません", "no target for the end of the period"),
                           "no_target", Text("計画期間末の目標", "a target for the end of the period"))
        reason = Text("その年度の目標がありません", "no target for that year")
        if isinstance(target, Absent) and target.text.strip():
            reason = Text(f"目標が記載されていません（{target.text}）", f"the target is absent ({target.text})")
        return Blocked("no_target", reason, "no_target", Text("その年度の目標", "a target for that year"))
    if isinstance(target, Unreadable):
        return _blocked_unreadable(Text("目標", "target"))
    if isinstance(target, Qualitative):
        return Blocked("qualitative_target", Text(f"目標が数値ではありません（{target.text}）",
                                                  f"the target is not a number ({target.text})"))
    target_path: ModelPath = in_force
    label = Text("計画期間末の目標", "end-of-period target") if end_of_period else Text("目標", "target")
    if target_path[0] == "revisions":
        label = Text("改訂後の目標", "revised target")
    actual_name = Text("実績", "actual")
    if isinstance(target, Number):
        return Reference(Operand(target, target_path, label), Text("目標", "target"), actual_name, None)
    if isinstance(target, Bound):
        return Reference(Operand(target.number, target_path, label), BOUND_NAMES[target.kind], actual_name,
                         BOUND_LOWER[target.kind])
    assert isinstance(target, Relative)
    previous = indicator.actuals.get(year - 1)
    if isinstance(previous, Unreadable):
        return _blocked_unreadable(Text("前年度の実績", "previous actual"))
    if isinstance(previous, Number):
        operand = Operand(previous, ("actuals", year - 1), Text("前年度実績", "previous actual"))
    elif (indicator.baseline is not None and indicator.baseline.year == year - 1
          and isinstance(indicator.baseline.value, Number)):
        operand = Operand(indicator.baseline.value, ("baseline", "value"),
                          Text("基準値（前年度実績）", "baseline (previous actual)"))
    else:
        missing = Text("前年度の実績", "the previous actual")
        return Blocked("no_previous", Text("前年度の実績がありません", "no previous actual"), "not_computable", missing)
    lower = RELATIVE_LOWER[target.kind]
    note = (Text(f"（{target.text}: 減るほど達成）", f" ({target.text}: lower is better)") if lower
            else Text(f"（{target.text}）", f" ({target.text}: about the same)"))
    return Reference(operand, Text("前年度実績", "previous actual"), Text("当年度実績", "current actual"), lower,
                     note, target_path)


def resolve(indicator: Any, year: int, header: Any = None) -> Formula | Blocked:
    """The formula of `year`'s stated rate, or why there is none. `header` is the plan's
    (its rate_formula and target_years); without it, neither is declared."""
    reference = _reference(indicator, year, header)
    if isinstance(reference, Blocked):
        return reference
    actual_cell = indicator.actuals.get(year)
    if isinstance(actual_cell, Unreadable):
        return _blocked_unreadable(Text("実績", "actual"))
    if not isinstance(actual_cell, Number):
        return Blocked("no_actual", Text("実績がありません", "no actual"), "not_computable", Text("実績", "the actual"))
    actual = Operand(actual_cell, ("actuals", year), Text("実績", "actual"))
    declared = indicator.rate_formula or (header.rate_formula if header is not None else None)
    if declared is not None:
        formula = Formula(declared, actual, reference, declared=True)
    elif reference.lower_is_better is not None:
        formula = Formula(TARGET_OVER_ACTUAL if reference.lower_is_better else ACTUAL_OVER_TARGET, actual, reference,
                          from_target=True)
    else:
        lower = indicator.direction == "lower_is_better"
        formula = Formula(TARGET_OVER_ACTUAL if lower else ACTUAL_OVER_TARGET, actual, reference)
    if formula.form == PROGRESS:
        if reference.target_path is not None:
            return Blocked("progress_relative", Text("前年度比の目標からは進捗率を計算できません",
                                                     "a progress rate needs a target value, not one relative to the previous year"))
        baseline = indicator.baseline.value if indicator.baseline is not None else None
        if isinstance(baseline, Unreadable):
            return _blocked_unreadable(Text("基準値", "baseline"))
        if not isinstance(baseline, Number):
            return Blocked("no_baseline", Text("基準値がありません", "no baseline"), "not_computable",
                           Text("基準値", "the baseline"))
        formula = formula._replace(baseline=Operand(baseline, ("baseline", "value"), Text("基準値", "baseline")))
    if formula.denominator == 0:
        return Blocked("zero_denominator", Text("分母が 0 です", "the denominator is zero"), "not_computable",
                       Text("ゼロでない分母", "a non-zero denominator"))
    return formula


def formula_for(indicator: Any, year: int, header: Any = None) -> tuple[Formula | None, list[ModelPath], str]:
    """The formula of `year`'s rate, the paths of the values it uses, and why none applies."""
    resolved = resolve(indicator, year, header)
    if isinstance(resolved, Blocked):
        return None, [], resolved.key
    return resolved, resolved.paths, ""


def _consistent(stated: Number, formula: Formula, rounding: str | None) -> bool:
    """The stated rate is the formula's, at its precision: the exact quotient rounded half
    up, or, under a declared rounding, an overlap of the intervals the values stand for."""
    if rounding is None:
        return round_half_up(formula.quotient, stated.places) == stated.value
    possible = formula.possible(rounding)
    return possible is None or interval(stated, rounding).overlaps(possible)


def _relation(indicator: Any, year: int) -> Text:
    return Text(f"「{indicator.name}」の{era_label(year)}の達成率",
                f"achievement rate of {indicator.name} for {year_label(year, 'en')}")


RATE_ARGS = ("year", "indicator", "stated", "computed", "exact", "numerator", "denominator", "formula", "places")


@check_function(
    "achievement_rate",
    given=("indicators",),
    kinds={
        "mismatch": RATE_ARGS,
        "not_computable": ("year", "stated", "indicator", "missing"),
        "beyond_declared_rounding": (*RATE_ARGS, "rounding", "stated_interval", "computed_interval"),
        "truncated": (*RATE_ARGS, "rounding", "rounding_name"),
        # numerator, denominator and exact are the other formula's
        "other_direction": (*RATE_ARGS, "other_formula", "declaration"),
        "no_target": ("year", "stated", "indicator", "missing"),
        "direction_conflict": ("indicator", "direction", "target", "year", "implied"),
    },
)
def achievement_rate(target: Target, options: dict[str, Any]) -> Iterator[Finding | RelationRecord]:
    """A stated rate equals the rate computed from the target and actual, at its precision.

    The form is the declared `rate_formula` (on the indicator, else the plan), else by
    the direction: actual / target (higher is better), target / actual (lower is better);
    `progress` is (actual − baseline) / (target − baseline). The reference is the target,
    the bound of `4以上` / `30以下`, or the previous actual for 前年度比減, 前年以下 and
    前年比同程度; with `target_years: end_of_period`, every year's rate is against the one
    target of the period. The stated rate is right when the exact quotient, rounded half up
    to the stated decimals, equals it. When rates' rounding is declared, every stated value
    stands for an interval and the rate is right when its interval overlaps the quotient of
    the others'. Not declared, a rate that truncation or rounding up explains is
    `truncated`, and one that the other direction's formula gives is `other_direction`
    (when no formula is declared); neither is an error. Every stated rate is one relation:
    checked, not checked (and why), or not applicable (a year after the as-of year, with
    no actual yet).
    """
    indicator = target.node
    header = target.plan.plan
    yield from _direction_conflict(target)
    rounding = declared_rounding(indicator, target.plan, "rates")
    for year, stated in sorted(indicator.rates.items()):
        location = Location(target.file, target.path + ("rates", year))
        relation = _relation(indicator, year)
        future = (header.as_of is not None and year > header.as_of
                  and not isinstance(indicator.actuals.get(year), (Number, Unreadable)))
        if future:
            yield NotApplicable(location, relation, Text("報告年度より後の年度で、実績がまだありません",
                                                         "a year after the as-of year, with no actual yet"))
            continue
        if isinstance(stated, Absent):
            continue  # no rate is stated: nothing restates the target and actual
        if not isinstance(stated, Number):
            reason = (Text("達成率が読めない値です", "the rate is an unreadable value") if isinstance(stated, Unreadable)
                      else Text(f"達成率が数値ではありません（{stated.text}）", f"the rate is not a number ({stated.text})"))
            yield Unchecked(location, relation, reason)
            continue
        resolved = resolve(indicator, year, header)
        if isinstance(resolved, Blocked):
            if resolved.finding is not None:
                yield Finding(resolved.finding, location, {"year": Year(year), "stated": stated.value,
                                                           "indicator": indicator.name, "missing": resolved.missing})
            yield Unchecked(location, relation, resolved.reason)
            continue
        yield Checked(location)
        finding = _judge(target, year, stated, resolved, rounding)
        if finding is not None:
            yield finding


def _judge(target: Target, year: int, stated: Number, formula: Formula, rounding: str | None) -> Finding | None:
    """The finding a stated rate is, against its formula: None when it is consistent."""
    if _consistent(stated, formula, rounding):
        return None
    location = Location(target.file, target.path + ("rates", year))
    related = [Related(Location(target.file, target.path + operand.path), operand.label)
               for operand in formula.operands]
    if formula.reference.target_path is not None:
        related.append(Related(Location(target.file, target.path + formula.reference.target_path),
                               Text("目標", "target")))
    exact = formula.quotient
    args: dict[str, Any] = {
        "year": Year(year),
        "indicator": target.node.name,
        "stated": stated.value,
        "computed": round_declared(exact, stated.places, rounding),
        "exact": round_half_up(exact, stated.places + 3),
        "numerator": formula.numerator,
        "denominator": formula.denominator,
        "formula": formula.name,
        "places": stated.places,
    }
    if rounding is None:
        for explaining in ("切り捨て", "切り上げ"):
            if round_declared(exact, stated.places, explaining) == stated.value:
                return Finding("truncated", location,
                               {**args, "rounding": explaining, "rounding_name": ROUNDING_NAMES[explaining]}, related)
    if not formula.declared:
        other = formula._replace(form=OTHER_FORM[formula.form])
        if other.denominator != 0 and _consistent(stated, other, rounding):
            return Finding("other_direction", location, {
                **args,
                "exact": round_half_up(other.quotient, stated.places + 3),
                "numerator": other.numerator,
                "denominator": other.denominator,
                "other_formula": other.name,
                "declaration": _declaration(formula, other),
            }, related)
    if rounding is not None:
        possible = formula.possible(rounding)
        assert possible is not None  # else _consistent held
        args.update(rounding=rounding, stated_interval=interval(stated, rounding).text(),
                    computed_interval=possible.text())
        return Finding("beyond_declared_rounding", location, args, related)
    suffix = "%" if (stated.unit or "%") in ("%", "％") else ""
    # The printed rate may be the right figure and an operand the typo: not a safe fix.
    return Finding("mismatch", location, args, related,
                   Fix(location, format_decimal(args["computed"], stated.places) + suffix, safe=False))


def _declaration(formula: Formula, other: Formula) -> Text:
    """What to declare when the stated rate is `other`'s rather than `formula`'s."""
    if formula.form == ACTUAL_OVER_TARGET and not formula.from_target:
        return Text("減るほどよい指標なら direction: lower_is_better を宣言してください",
                    "if lower is better, declare direction: lower_is_better")
    return Text(f"文書が達成率を {other.name.ja} で計算しているなら rate_formula: {other.form} を宣言してください",
                f"if the document computes its rates as {other.name.en}, declare rate_formula: {other.form}")


def _direction_conflict(target: Target) -> Iterator[Finding]:
    """A declared direction that a target's form contradicts (higher is better with a
    `30以下` target): the target's form decides the formula, and the declaration is wrong."""
    indicator = target.node
    if indicator.direction is None:
        return
    declared_lower = indicator.direction == "lower_is_better"
    for year, cell in sorted(indicator.targets.items()):
        lower: bool | None  # None: the form says nothing (about_same)
        if isinstance(cell, Bound):
            lower = BOUND_LOWER[cell.kind]
        elif isinstance(cell, Relative):
            lower = RELATIVE_LOWER[cell.kind]
        else:
            continue
        if lower is None or lower == declared_lower:
            continue
        yield Finding(
            "direction_conflict",
            Location(target.file, target.path + ("direction",)),
            {"indicator": indicator.name, "direction": indicator.direction, "target": cell.text,
             "year": Year(year), "implied": LOWER if lower else HIGHER},
            [Related(Location(target.file, target.path + ("targets", year)), Text("目標", "target"))],
        )
        return


ON_TRACK = "順調"
PARTLY = ("一部", "上がっていない")


def rate_for(indicator: Any, year: int, header: Any = None) -> Decimal | None:
    """The achievement rate of `year`: as stated, else computed from target and actual."""
    stated = indicator.rates.get(year)
    if isinstance(stated, Number):
        return stated.value
    resolved = resolve(indicator, year, header)
    if isinstance(resolved, Blocked):
        return None
    return round_half_up(resolved.quotient, 1)


@check_function("assessment_consistency", given=("sections",),
                kinds={"contradicts": ("assessment", "reached", "count", "year", "rates")})
def assessment_consistency(target: Target, options: dict[str, Any]) -> Iterator[Finding | RelationRecord]:
    """A stated 目標達成度合い agrees with the rates of the as-of year: 順調に成果が上がっている
    while fewer than half the indicators reach 100 %, or 一部の成果 / 成果が上がっていない
    while every indicator reaches it, is reported (as information: the assessment weighs
    more than the numbers)."""
    section = target.node
    assessment = getattr(section, "assessment", None)
    if not assessment:
        return
    blocked = unread(target, target.path + ("indicators",), target.path + ("assessment",),
                     Text("目標達成度合い と 各指標の達成率", "the assessment against the indicators' rates"))
    if blocked is not None:  # a count of the indicators that reach 100 % would leave one out
        yield blocked
        return
    year = target.plan.plan.as_of
    rated = []
    for indicator in section.indicators:
        years = [y for y in indicator.rates or indicator.actuals if year is None or y <= year]
        if not years:
            continue
        rate = rate_for(indicator, year if year is not None else max(years), target.plan.plan)
        if rate is not None:
            rated.append((indicator, rate))
    if not rated:
        return
    reached = sum(1 for _, rate in rated if rate >= HUNDRED)
    on_track = ON_TRACK in assessment
    if not ((on_track and reached * 2 < len(rated)) or (any(w in assessment for w in PARTLY) and reached == len(rated))):
        return
    yield Finding(
        "contradicts",
        Location(target.file, target.path + ("assessment",)),
        {"assessment": assessment, "reached": reached, "count": len(rated),
         "year": Year(year) if year is not None else "",
         "rates": [Text(f"{indicator.name} {format_decimal(rate)}%", f"{indicator.name} {format_decimal(rate)}%")
                   for indicator, rate in rated]},
        [Related(Location(target.file, target.path + ("indicators", section.indicators.index(indicator))),
                 Text(f"達成率 {format_decimal(rate)}%", f"rate {format_decimal(rate)}%"))
         for indicator, rate in rated],
    )
