"""Stated achievement rates (達成率) against the targets and actuals they restate."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from checker.diagnostics import Finding, Fix, Location, Related, Text, Year
from checker.functions import Target, check_function
from checker.values import Bound, Number, Relative, format_decimal, round_half_up

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


@check_function("achievement_rate", given=("indicators",), kinds=("mismatch", "not_computable"))
def achievement_rate(target: Target, options: dict[str, Any]) -> Iterator[Finding]:
    """A stated rate equals the rate computed from the target and actual, at its precision.

    actual / target for a number; actual / bound for `4以上`; previous / current actual for
    `前年度比減` and `前年以下`; current / previous actual for `前年比同程度`. The stated rate
    is right when the exact quotient, rounded half-up to the stated decimals, equals it.
    Qualitative or absent targets have no rate and are not reported.
    """
    indicator = target.node
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
        computed = round_half_up(exact, stated.places)
        if computed == stated.value:
            continue
        labels = {
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
            "mismatch",
            location,
            {
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
