"""Stated achievement rates (達成率) against the targets and actuals they restate."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from checker.diagnostics import Finding, Fix, Location, Related, Text, Year
from checker.functions import Target, check_function
from checker.values import (
    Bound,
    Number,
    Relative,
    format_decimal,
    interval,
    quotient_interval,
    round_declared,
    round_half_up,
)

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Formula:
    """How a rate is computed for one target form, with its name for messages."""

    numerator: Number
    denominator: Number
    numerator_role: str  # "actual" | "previous"
    name: Text

    @property
    def quotient(self) -> Decimal:
        return self.numerator.value / self.denominator.value * HUNDRED


def previous_actual(indicator: Any, year: int) -> tuple[Number, tuple[str | int, ...]] | None:
    """The actual of the year before `year`: the actuals row, or the baseline."""
    value = indicator.actuals.get(year - 1)
    if isinstance(value, Number):
        return value, ("actuals", year - 1)
    baseline = indicator.baseline
    if baseline is not None and baseline.year == year - 1 and isinstance(baseline.value, Number):
        return baseline.value, ("baseline", "value")
    return None


def formula_for(indicator: Any, year: int) -> tuple[Formula | None, list[tuple[str | int, ...]], str]:
    """The formula for `year`'s rate, the paths of the values it uses, and why none applies."""
    target = indicator.targets.get(year)
    actual = indicator.actuals.get(year)
    if not isinstance(actual, Number):
        return None, [], "no_actual"
    actual_path = ("actuals", year)
    if isinstance(target, Number):
        return (
            Formula(actual, target, "actual", Text("実績 ÷ 目標", "actual / target")),
            [actual_path, ("targets", year)],
            "",
        )
    if isinstance(target, Bound) and target.kind in ("at_least", "above"):
        return (
            Formula(actual, target.number, "actual", Text("実績 ÷ 目標の下限（以上）", "actual / bound (以上, at least)")),
            [actual_path, ("targets", year)],
            "",
        )
    if isinstance(target, Relative):
        previous = previous_actual(indicator, year)
        if previous is None:
            return None, [], "no_previous"
        value, path = previous
        if target.kind in ("decrease", "not_above"):
            name = Text(
                f"前年度実績 ÷ 当年度実績（{target.text}: 減るほど達成）",
                f"previous actual / current actual ({target.text}: lower is better)",
            )
            return Formula(value, actual, "previous", name), [path, actual_path, ("targets", year)], ""
        name = Text(
            f"当年度実績 ÷ 前年度実績（{target.text}）",
            f"current actual / previous actual ({target.text}: about the same)",
        )
        return Formula(actual, value, "actual", name), [actual_path, path, ("targets", year)], ""
    return None, [], "no_numeric_target"


@check_function(
    "achievement_rate", given=("indicators",), kinds=("mismatch", "not_computable", "beyond_declared_rounding")
)
def achievement_rate(target: Target, options: dict[str, Any]) -> Iterator[Finding]:
    """A stated rate equals the rate computed from the target and actual, at its precision.

    actual / target for a number; actual / bound for `4以上`; previous / current actual for
    `前年度比減` and `前年以下`; current / previous actual for `前年比同程度`. The stated rate
    is right when the exact quotient, rounded half-up to the stated decimals, equals it.
    When the plan declares its rounding, every stated value stands for an interval and the
    rate is right when its interval overlaps the quotient of the other two's intervals.
    Qualitative or absent targets have no rate and are not reported.
    """
    indicator = target.node
    rounding = target.plan.plan.rounding
    for year, stated in sorted(indicator.rates.items()):
        if not isinstance(stated, Number):
            continue
        location = Location(target.file, target.path + ("rates", year))
        formula, paths, reason = formula_for(indicator, year)
        if formula is None:
            if reason in ("no_actual", "no_previous"):
                yield Finding(
                    "not_computable",
                    location,
                    {"year": Year(year), "stated": stated.value, "indicator": indicator.name,
                     "missing": Text("前年度の実績" if reason == "no_previous" else "実績",
                                     "the previous actual" if reason == "no_previous" else "the actual")},
                )
            continue
        if formula.denominator.value == 0:
            yield Finding(
                "not_computable",
                location,
                {"year": Year(year), "stated": stated.value, "indicator": indicator.name,
                 "missing": Text("ゼロでない分母", "a non-zero denominator")},
            )
            continue
        exact = formula.quotient
        computed = round_declared(exact, stated.places, rounding)
        intervals: dict[str, Any] = {}
        if rounding is not None:
            possible = quotient_interval(
                interval(formula.numerator, rounding), interval(formula.denominator, rounding), HUNDRED
            )
            stated_interval = interval(stated, rounding)
            if possible is None or stated_interval.overlaps(possible):
                continue
            intervals = {"rounding": rounding, "stated_interval": stated_interval.text(),
                         "computed_interval": possible.text()}
        elif computed == stated.value:
            continue
        labels: dict[str | int, Text] = {
            "actuals": Text("実績", "actual"),
            "targets": Text("目標", "target"),
            "baseline": Text("基準値（前年度実績）", "baseline (previous actual)"),
        }
        related = []
        for path in paths:
            label = labels[path[0]]
            if path[0] == "actuals" and path[1] != year:
                label = Text("前年度実績", "previous actual")
            related.append(Related(Location(target.file, target.path + tuple(path)), label))
        suffix = "%" if (stated.unit or "%") in ("%", "％") else ""
        yield Finding(
            "beyond_declared_rounding" if intervals else "mismatch",
            location,
            {**intervals,
                "year": Year(year),
                "indicator": indicator.name,
                "stated": stated.value,
                "computed": computed,
                "exact": round_half_up(exact, stated.places + 3),
                "numerator": formula.numerator.value,
                "denominator": formula.denominator.value,
                "formula": formula.name,
                "places": stated.places,
            },
            related,
            Fix(location, format_decimal(computed, stated.places) + suffix),
        )


ON_TRACK = "順調"
PARTLY = ("一部", "上がっていない")


def rate_for(indicator: Any, year: int) -> Decimal | None:
    """The achievement rate of `year`: as stated, else computed from target and actual."""
    stated = indicator.rates.get(year)
    if isinstance(stated, Number):
        return stated.value
    formula, _, _ = formula_for(indicator, year)
    if formula is None or formula.denominator.value == 0:
        return None
    return round_half_up(formula.quotient, 1)


@check_function("assessment_consistency", given=("sections",), kinds=("contradicts",))
def assessment_consistency(target: Target, options: dict[str, Any]) -> Iterator[Finding]:
    """A stated 目標達成度合い agrees with the rates of the as-of year: 順調に成果が上がっている
    while fewer than half the indicators reach 100 %, or 一部の成果 / 成果が上がっていない
    while every indicator reaches it, is reported (as information: the assessment weighs
    more than the numbers)."""
    section = target.node
    assessment = getattr(section, "assessment", None)
    if not assessment:
        return
    year = target.plan.plan.as_of
    rated = []
    for indicator in section.indicators:
        years = [y for y in indicator.rates or indicator.actuals if year is None or y <= year]
        if not years:
            continue
        rate = rate_for(indicator, year if year is not None else max(years))
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
