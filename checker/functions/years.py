"""Year coverage: targets for every year of the plan period, nothing outside it, no
actual after the as-of year, the baseline before the period."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from checker.diagnostics import Finding, Location, Related, RelationRecord, Text, Unchecked, Year
from checker.functions import Target, check_function, plan_sections
from checker.values import Absent

# Kinds of document whose indicators are planned over a period, and those that report
# actuals up to a year: without `period` (or `as_of`) their year checks cannot run.
PLANNED_KINDS = ("execution_plan", "policy_evaluation", "strategy_progress", "activity_plan")
REPORTING_KINDS = ("policy_evaluation", "strategy_progress", "activity_plan")
_NO_PERIOD = Text("計画期間（plan.period）が記載されていません", "the plan declares no period (plan.period)")

_ROWS = {
    "targets": Text("目標", "target"),
    "actuals": Text("実績", "actual"),
    "rates": Text("達成率", "achievement rate"),
    "costs": Text("費用", "cost"),
    "summaries": Text("概略", "summary"),
}


def _period_location(target: Target) -> Location:
    return Location(target.file, ("plan", "period"))


@check_function(
    "year_coverage",
    given=("indicators",),
    kinds={"missing_target": ("indicator", "missing", "start", "end"),
           "after_as_of": ("indicator", "row", "year", "as_of"),
           "baseline_in_period": ("indicator", "year", "start"),
           "outside_period": ("indicator", "row", "year", "start", "end")},
)
def year_coverage(target: Target, options: dict[str, Any]) -> Iterator[Finding | RelationRecord]:
    """Every year of the plan's period has a target or an explicit absence (`—`) (one year
    of it, for plans that declare `target_years: end_of_period`); actuals
    and rates stop at the plan's as-of year; the baseline comes before the period; no
    target, actual or rate lies outside the period. Plans without a period are skipped."""
    indicator = target.node
    header = target.plan.plan
    period = header.period
    if period is None:
        if indicator.targets and header.kind in PLANNED_KINDS:
            yield Unchecked(Location(target.file, target.path + ("targets",), key=True),
                            Text("目標が計画期間の全年度にそろっていること", "targets cover the plan period"), _NO_PERIOD,
                            kind="missing_target")
        return
    period_related = [Related(_period_location(target), Text("計画期間", "plan period"))]
    if header.target_years == "end_of_period":
        # one target for the period is enough; none at all is still missing
        has_one = any(year in period.years() for year in indicator.targets)
        missing = [] if has_one else [period.end]
    else:
        missing = [year for year in period.years() if year not in indicator.targets]
    if missing:
        has_targets = bool(indicator.targets)
        yield Finding(
            "missing_target",
            Location(target.file, target.path + (("targets",) if has_targets else ("name",)), key=has_targets),
            {"indicator": indicator.name, "missing": [Year(year) for year in missing],
             "start": Year(period.start), "end": Year(period.end)},
            period_related,
        )
    for row in ("targets", "actuals", "rates"):
        for year in sorted(getattr(indicator, row)):
            location = Location(target.file, target.path + (row, year), key=True)
            if year not in period.years():
                yield Finding(
                    "outside_period",
                    location,
                    {"indicator": indicator.name, "row": _ROWS[row], "year": Year(year),
                     "start": Year(period.start), "end": Year(period.end)},
                    period_related,
                )
            elif (row != "targets" and header.as_of is not None and year > header.as_of
                  and not isinstance(getattr(indicator, row)[year], Absent)):
                # An explicit "—" after the as-of year states that nothing is known yet: fine.
                yield Finding(
                    "after_as_of",
                    location,
                    {"indicator": indicator.name, "row": _ROWS[row], "year": Year(year),
                     "as_of": Year(header.as_of)},
                    [Related(Location(target.file, ("plan", "as_of")), Text("報告年度", "as-of year"))],
                )
    baseline = indicator.baseline
    if baseline is not None and baseline.year >= period.start:
        yield Finding(
            "baseline_in_period",
            Location(target.file, target.path + ("baseline", "year")),
            {"indicator": indicator.name, "year": Year(baseline.year), "start": Year(period.start)},
            period_related,
        )


@check_function("project_years", given=("major_project_lists",),
                kinds={"outside_period": ("indicator", "row", "year", "start", "end")})
def project_years(target: Target, options: dict[str, Any]) -> Iterator[Finding]:
    """A major project's yearly costs and summaries lie within the plan period."""
    period = target.plan.plan.period
    if period is None:
        return
    for index, project in enumerate(target.node.items):
        for row in ("costs", "summaries"):
            for year in sorted(getattr(project, row)):
                if year in period.years():
                    continue
                yield Finding(
                    "outside_period",
                    Location(target.file, target.path + ("items", index, row, year), key=True),
                    {"indicator": project.name, "row": _ROWS[row], "year": Year(year),
                     "start": Year(period.start), "end": Year(period.end)},
                    [Related(_period_location(target), Text("計画期間", "plan period"))],
                )


def _planned_values(plan) -> tuple[int, int]:
    """(indicators with targets, indicators with actuals or rates) over a plan's sections."""
    with_targets = with_actuals = 0
    for _, section in plan_sections(plan):
        for indicator in section.indicators:
            with_targets += bool(indicator.targets)
            with_actuals += bool(indicator.actuals or indicator.rates)
    return with_targets, with_actuals


@check_function(
    "plan_header_years",
    given=("plans",),
    kinds={"no_period": ("kind", "indicators"), "no_as_of": ("kind", "indicators")},
)
def plan_header_years(target: Target, options: dict[str, Any]) -> Iterator[Finding]:
    """A plan whose indicators have yearly targets declares its `period`, and a report of
    actuals (an evaluation, a strategy's progress) declares its `as_of` year: without them
    the year checks cannot run, and a run would pass without having made them."""
    header = target.plan.plan
    with_targets, with_actuals = _planned_values(target.plan)
    location = Location(target.file, ("plan",), key=True)
    if header.period is None and header.kind in PLANNED_KINDS and with_targets:
        yield Finding("no_period", location, {"kind": header.kind, "indicators": with_targets})
    if header.as_of is None and header.kind in REPORTING_KINDS and with_actuals:
        yield Finding("no_as_of", location, {"kind": header.kind, "indicators": with_actuals})
