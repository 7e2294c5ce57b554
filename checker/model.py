"""The plan model: typed, normalised plan data (pydantic).

Values arrive as the loader read them (text, or `Decimal` with the written digits) and
leave as typed values: fiscal years as western ints, cells as `checker.values` types.
Positions are not kept here; the loader's span index maps model paths to source spans.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    PrivateAttr,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from checker.diagnostics import Text, closest
from checker.fiscal import FiscalYearError, era_label, parse_fiscal_year
from checker.rounding import ROUNDING_KINDS, ROUNDINGS, RoundingByKind
from checker.values import (
    ABSENT_MARKS,
    Absent,
    Bound,
    Cell,
    CellError,
    Number,
    Qualitative,
    Relative,
    Unreadable,
    numeral_symbol_in,
    parse_cell,
)

Outlook = Literal["拡大", "改善", "維持", "縮小", "廃止"]
OUTLOOKS: tuple[str, ...] = ("拡大", "改善", "維持", "縮小", "廃止")

_YEAR_SCHEMA = {
    "anyOf": [
        {"type": "string", "description": "令和4年度, 令和元年度, R4, 平成30年度, 令和9(2027)年度 or 2022"},
        {"type": "integer", "minimum": 1926, "maximum": 2200},
    ],
    "description": "A fiscal year (年度).",
}
_CELL_SCHEMA = {
    "anyOf": [{"type": "number"}, {"type": "string"}],
    "description": "A value as printed: 1234, \"1,234\", \"8,345 千円\", \"△ 1,234\", 75.4%, \"—\", 無し, 未集計, 4以上, "
                   "前年度比減, 充実, \"58 [※]\", \"(10,000)\", \"1,234（速報値）\".",
}


def _fiscal_year(value: Any) -> int:
    try:
        return parse_fiscal_year(value)
    except FiscalYearError as error:
        english = _YEAR_PROBLEMS.get(error.kind, "not a fiscal year")
        raise PydanticCustomError(
            "fiscal_year" if error.kind not in _YEAR_PROBLEMS else f"fiscal_year_{error.kind}",
            english + ": {text}",
            {"text": error.text, "problem": error.kind, **error.numbers},
        ) from None


_YEAR_PROBLEMS = {
    "era_zero": "an era has no year 0 (its first year is 元年)",
    "out_of_range": "outside the years plan data covers (1926-2200)",
}


def _cell(value: Any) -> Cell:
    if isinstance(value, Unreadable):  # the loader's salvage marker for a value that failed
        return value
    try:
        return parse_cell(value)
    except CellError as error:
        raise _cell_problem(error) from None


def _cell_problem(error: CellError) -> PydanticCustomError:
    english = _CELL_PROBLEMS.get(error.kind, "not a value form plancheck knows")
    return PydanticCustomError(f"cell_{error.kind}", english + ": {text}", {"text": error.text, **error.details})


# Each CellError kind's English problem (the Japanese is checker.loader._PROBLEMS_JA's
# `cell_<kind>`); the placeholders are the error's details.
_CELL_PROBLEMS = {
    "infinite": "an infinite value (∞, Infinity, .inf) is not a figure a plan states",
    "not_a_number": "NaN (not a number) is not a figure a plan states",
    "other_base": "a number in another base than decimal ({prefix}...): a plan's figures are written in decimal digits",
    "exponent": "a number in exponent notation: write it in decimal digits ({decimal})",
    "underscore": "a number with _ between its digits: write {suggestion}",
    "dash_for_minus": "{character} before the digits is not a minus sign: write −{digits} or △{digits} if the figure "
                      "is negative, else the figure alone",
    "numeral_symbol": "{character} is a numeral symbol (a label or a mark), not the digit {digit}: write a figure "
                      "in plain digits",
    "date": "a date where a figure is expected: write the figure, or a date target in words (令和6年4月1日)",
    "too_long": "a value of {length} characters, longer than any cell ({limit}), is not read",
    "out_of_range": "a number beyond what a plan states (under 10^18, at most 12 decimal places)",
    "malformed_number": "a number with misplaced separators",
    "letter_in_number": "a number with the letter {character} among its digits (is it {digit}?)",
    "approximate": "an approximate number ({word}) cannot be checked exactly; write the exact figure, or an absence",
    "decimal_comma": "a decimal comma; write {suggestion}",
    "unbalanced_bracket": "a number with a bracket that is not closed, or not opened",
    "two_numbers": "two numbers ({first} and {second}) where one is expected",
}


def _year_map(value: Any) -> Any:
    """Reject two keys that name the same year (`令和3年度` and `R3`) before they merge."""
    if not isinstance(value, dict):
        return value
    seen: dict[int, Any] = {}
    for key in value:
        try:
            year = parse_fiscal_year(key)
        except FiscalYearError:
            continue  # the key validator reports it, at the key
        if year in seen:
            raise PydanticCustomError(
                "duplicate_year",
                "{key} names the same year as {first}",
                {"key": str(key), "first": str(seen[year]), "year": era_label(year)},
            )
        seen[year] = key
    return value


FiscalYear = Annotated[int, PlainValidator(_fiscal_year), PlainSerializer(era_label), WithJsonSchema(_YEAR_SCHEMA)]
CellValue = Annotated[
    Cell, PlainValidator(_cell), PlainSerializer(lambda cell: cell.text), WithJsonSchema(_CELL_SCHEMA)
]
YearMap = Annotated[dict[FiscalYear, CellValue], BeforeValidator(_year_map)]


def _figure(value: Any, what: tuple[str, str], bounds: bool = False) -> Cell:
    """A value where only a number or an absence makes sense (with `bounds`, a bound such as
    a statistics table's `5未満` too): a word there is an error, so that a figure typed as
    text is never read as a qualitative target."""
    cell = _cell(value)
    if isinstance(cell, (Number, Absent, Unreadable)) or (bounds and isinstance(cell, Bound)):
        return cell
    symbol = numeral_symbol_in(cell.text)
    if symbol is not None:  # `①`: a label where text is allowed, never the figure 1
        raise _cell_problem(CellError("numeral_symbol", cell.text, character=symbol,
                                      digit=unicodedata.normalize("NFKC", symbol)))
    raise PydanticCustomError(
        "cell_not_a_figure", "{what} must be a number or an absence (—, 無し): {text}",
        {"text": cell.text, "what": what[1], "what_ja": what[0]},
    )


def _amount(value: Any, what: tuple[str, str] = ("事業費や合計", "a cost or a total")) -> Cell:
    """A cost or a total: a number never below zero, whichever minus sign (-, △, ▲, −) it is
    written with, or an absence."""
    cell = _figure(value, what)
    if isinstance(cell, Number) and cell.value < 0:
        raise PydanticCustomError("negative_amount", "a cost or a count is never negative: {text}", {"text": cell.text})
    return cell


def _stated_count(value: Any) -> Cell:
    """A count a report states in its text: a number never below zero, or, as printed, a
    frequency (年1回) or an approximate count (約20か所), which no relation uses."""
    try:
        cell = parse_cell(value)
    except CellError as error:
        if error.kind != "approximate":
            raise _cell_problem(error) from None
        return Qualitative(error.text)
    if isinstance(cell, Number) and cell.value < 0:
        raise PydanticCustomError("negative_amount", "a cost or a count is never negative: {text}", {"text": cell.text})
    return cell


def _table_value(value: Any) -> Cell:
    return _figure(value, ("統計表の値", "a table value"), bounds=True)


AmountValue = Annotated[
    Cell, PlainValidator(_amount), PlainSerializer(lambda cell: cell.text), WithJsonSchema(_CELL_SCHEMA)
]
CountValue = Annotated[
    Cell, PlainValidator(_stated_count), PlainSerializer(lambda cell: cell.text), WithJsonSchema(_CELL_SCHEMA)
]
TableValue = Annotated[
    Cell, PlainValidator(_table_value), PlainSerializer(lambda cell: cell.text), WithJsonSchema(_CELL_SCHEMA)
]
AmountYearMap = Annotated[dict[FiscalYear, AmountValue], BeforeValidator(_year_map)]

_CODE_RE = re.compile(r"^\d{6}$")
_ACCOUNT_RE = re.compile(r"^(?P<fund>[^\d\s-]+)?\s*(?P<kan>\d+)[-\s]+(?P<kou>\d+)[-\s]+(?P<moku>\d+)$")


def _code(value: Any) -> str:
    if isinstance(value, Decimal) and value == value.to_integral_value() and value >= 0:
        value = str(int(value))
    if not isinstance(value, str) or not _CODE_RE.match(value):
        raise PydanticCustomError("code", "a project code is six digits in quotes, like \"030309\"")
    return value


class Model(BaseModel):
    # Validators are built on first use, and then only PlanFile's (every model nests in it):
    # a third of what building each class's own would cost a one-file check.
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, defer_build=True)


class BudgetAccount(Model):
    """予算科目: 款 項 目, in the general account or a special account named by its printed
    prefix (介 long-term care, 後 late-stage elderly medical care, 国 national health insurance)."""

    fund: str = Field("general", description="general, or the special account's printed prefix")
    kan: int
    kou: int
    moku: int

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            match = _ACCOUNT_RE.match(value.strip())
            if not match:
                raise PydanticCustomError("account", "a budget account is 款-項-目 like \"3-4-4\" or \"介3-1-1\"")
            return {
                "fund": match["fund"] or "general",
                "kan": int(match["kan"]),
                "kou": int(match["kou"]),
                "moku": int(match["moku"]),
            }
        return value


AccountValue = Annotated[BudgetAccount, WithJsonSchema({"type": "string", "pattern": r"^[^\d\s-]*\d+-\d+-\d+$"})]
Code = Annotated[str, PlainValidator(_code), WithJsonSchema({"type": "string", "pattern": r"^\d{6}$"})]


LineRange = tuple[int, int]


class Source(Model):
    """Where a plan or section comes from: the seed document, its heading, its lines (one
    first–last range, or several when the section is printed in parts)."""

    seed: str | None = None
    heading: str | None = None
    lines: LineRange | list[LineRange] | None = None

    def line_ranges(self) -> list[LineRange]:
        if self.lines is None:
            return []
        return list(self.lines) if isinstance(self.lines, list) else [self.lines]


class Period(Model):
    start: FiscalYear
    end: FiscalYear

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.start > self.end:
            raise PydanticCustomError(
                "period_order", "the period starts after it ends ({start} > {end})",
                {"start": era_label(self.start), "end": era_label(self.end)},
            )
        return self

    def years(self) -> range:
        return range(self.start, self.end + 1)


def _rounding(value: Any) -> str | RoundingByKind:
    """One rounding for every value (`切り捨て`), or a mapping per kind of value."""
    if isinstance(value, str) and value in ROUNDINGS:
        return value
    if isinstance(value, dict):
        chosen: dict[str, str] = {}
        for kind, rounding in value.items():
            if kind not in ROUNDING_KINDS:
                near = closest(str(kind), ROUNDING_KINDS)
                raise PydanticCustomError(
                    "rounding_kind",
                    "{kind} is not a kind of value a rounding is declared for (rates, totals){hint}",
                    {"kind": str(kind), "hint": f"; did you mean {near}?" if near else ""},
                )
            if rounding not in ROUNDINGS:
                raise PydanticCustomError(
                    "rounding", "not a rounding (四捨五入, 切り捨て, 切り上げ): {text}", {"text": str(rounding)}
                )
            chosen[kind] = rounding
        return RoundingByKind(**chosen)
    raise PydanticCustomError(
        "rounding", "not a rounding (四捨五入, 切り捨て, 切り上げ) nor a mapping of them per kind of value "
        "(rates, totals): {text}", {"text": str(value)},
    )


_ROUNDING_SCHEMA = {
    "anyOf": [
        {"enum": list(ROUNDINGS)},
        {"type": "object", "additionalProperties": False,
         "properties": {kind: {"enum": list(ROUNDINGS)} for kind in ROUNDING_KINDS}},
    ],
    "description": "How the document rounds stated values: 四捨五入 (half up), 切り捨て (down), 切り上げ (up), "
    "for every value or per kind of value ({rates: 切り捨て, totals: 四捨五入}).",
}
RoundingDeclaration = Annotated[
    str | RoundingByKind,
    PlainValidator(_rounding),
    PlainSerializer(lambda declared: declared if isinstance(declared, str)
                    else {kind: declared.of(kind) for kind in ROUNDING_KINDS if declared.of(kind)}),
    WithJsonSchema(_ROUNDING_SCHEMA),
]
# How a stated 達成率 is computed: 実績 ÷ 目標, 目標 ÷ 実績 (lower is better), or the progress
# from the baseline, (実績 − 基準値) ÷ (目標 − 基準値) (進捗率).
RateFormula = Literal["actual_over_target", "target_over_actual", "progress"]


_ZERO_MARK_SCHEMA = {
    "type": "array",
    "items": {"enum": ["blank", *sorted(ABSENT_MARKS)], "description": "blank, or a dash mark as printed: -, —, －, ―"},
    "description": "The absence marks that mean 0 in these relations: [blank] for a cost sheet that leaves "
    "zero cells blank, [blank, \"-\"] when a dash is zero too, [] when none does (a legend 「-」は数値がない場合).",
}


def _zero_marks(value: Any) -> tuple[str, ...]:
    """The marks a declaration says mean zero: `blank` and the dash marks, never a note
    such as `(※4)` or a word such as `未集計` (those say a figure exists and is not given)."""
    if not isinstance(value, list):
        raise PydanticCustomError(
            "zero_marks", "means_zero is a list of marks, like [blank] or [blank, \"-\"]", {"text": str(value)}
        )
    marks: list[str] = []
    for mark in value:
        text = mark.strip() if isinstance(mark, str) else None
        if text == "":
            text = "blank"  # `""` is how a blank cell is written
        if text == "blank" or (text and text in ABSENT_MARKS):
            marks.append(text)
            continue
        raise PydanticCustomError(
            "zero_mark",
            "only blank and the dash marks (-, —) can mean zero, not {text}: a note or a word says a figure "
            "exists and is not given",
            {"text": str(mark)},
        )
    return tuple(marks)


ZeroMarks = Annotated[tuple[str, ...], PlainValidator(_zero_marks), PlainSerializer(list),
                      WithJsonSchema(_ZERO_MARK_SCHEMA)]
_MEANS_ZERO = (
    "The absence marks that mean 0 in sums and ratios here (blank, -, —); the nearest declaration wins: "
    "relation, column, table or list, plan. Not given: none, unless an enclosing level says so."
)


class PlanHeader(Model):
    id: str
    title: str
    municipality: str
    kind: Literal["execution_plan", "policy_evaluation", "strategy_progress", "statistics", "activity_plan",
                  "budget", "settlement", "project_evaluation", "welfare_plan", "comprehensive_plan"]
    period: Period | None = None
    as_of: FiscalYear | None = None
    source: Source
    footnotes: dict[str, str] = Field(default_factory=dict, description="Footnotes that hold for the whole document.")
    rounding: RoundingDeclaration | None = Field(
        None, description="How the document rounds stated values (四捨五入 half up, 切り捨て down, 切り上げ up), "
        "for every value or per kind of value: {rates: 切り捨て, totals: 四捨五入}."
    )
    rate_formula: RateFormula | None = Field(
        None, description="How the document computes its 達成率, unless an indicator says otherwise: "
        "actual_over_target, target_over_actual or progress. Not declared: by each indicator's direction."
    )
    target_years: Literal["every_year", "end_of_period"] = Field(
        "every_year",
        description="every_year: a target for each year of the period (plans, evaluations); "
        "end_of_period: one target for the period (a strategy's 令和2年度末 目標).",
    )
    means_zero: ZeroMarks | None = Field(None, description=_MEANS_ZERO)
    bands: BandScale | None = Field(None, description="評価区分: the bands the document grades achievement rates by.")


class Baseline(Model):
    year: FiscalYear
    value: CellValue
    note: str | None = None


class SeriesBreak(Model):
    """A declared change in what an indicator's yearly series counts, from `year` on: its
    definition changes (累計 becomes new registrations in the year) or a cumulative
    window restarts. Checks that compare years across the break respect it."""

    year: FiscalYear
    kind: Literal["redefined", "restarted"]
    note: str = Field(description="The footnote that declares it, as printed.")


class Revision(Model):
    """改訂後の期待値: targets revised during the plan period and printed under the original
    ones, with their own base year. In force from `year`: from then on a check that needs
    "the target" of a year the revision states uses the revised one."""

    year: FiscalYear = Field(description="The year the revised targets are in force from.")
    baseline: Baseline | None = Field(None, description="The revision's own base year and value.")
    targets: YearMap = Field(default_factory=dict)
    rates_against: Literal["revised", "original"] = Field(
        "revised", description="Which target the stated 達成率 of the years it covers are computed against."
    )
    note: str = Field(description="The footnote that declares the revision, as printed.")


class RunningTotalOf(Model):
    """(累計) of per-year counts: this row's value for a year is the sum of the per-year
    values of the indicator with `key` (in another edition, or a row of this one) from
    `since` through that year. The running total may keep the same key as the per-year
    series: only statements that count the same way are compared as equal values."""

    key: str = Field(description="The key of the indicator that counts per year (new registrations each year).")
    since: FiscalYear = Field(description="The first year the running total counts.")


class Schedule(Model):
    """算出方法: the yearly targets (期待値) follow from the baseline, adding `add` a year
    (+20 a year) or multiplying by `multiply` a year (×1.02); a target that is a bound
    以上 is rounded up, else the plan's rounding for totals applies, at the target's
    stated decimals."""

    add: Decimal | None = Field(None, description="The amount added each year (+20 a year).")
    multiply: Decimal | None = Field(None, description="The factor applied each year (1.02 for +2 % a year).")
    note: str | None = Field(None, description="The 算出方法 as printed.")

    @model_validator(mode="after")
    def _one_step(self) -> Schedule:
        if (self.add is None) == (self.multiply is None):
            raise PydanticCustomError("schedule_step", "a schedule states exactly one of `add` or `multiply`")
        return self


class Indicator(Model):
    """成果指標: an indicator with its unit, baseline, yearly targets, actuals and rates."""

    no: int | None = None
    subrow: str | None = Field(
        None, description="The label of one of several sub-rows printed under one numbered indicator (a route).",
    )
    key: str | None = Field(None, description="Stable key: the same quantity in every document.")
    name: str
    unit: str | None = None
    baseline: Baseline | None = None
    targets: YearMap = Field(default_factory=dict)
    actuals: YearMap = Field(default_factory=dict)
    rates: YearMap = Field(default_factory=dict, description="Stated achievement rates (達成率).")
    direction: Literal["higher_is_better", "lower_is_better"] | None = Field(
        None, description="lower_is_better (待機児童数, 交通事故件数): the rate is 目標 ÷ 実績. "
        "Not declared: higher is better, unless the target says otherwise (30以下, 前年度比減)."
    )
    rate_formula: RateFormula | None = Field(
        None, description="How this indicator's 達成率 is computed, over the plan's rate_formula and the direction."
    )
    program: str | None = Field(None, description="事業名: the project the indicator measures (issue sheets).")
    department: str | None = Field(None, description="所管課, as printed.")
    cumulative: bool = Field(False, description="(累計): a running total that does not decrease.")
    component_of: str | None = Field(None, description="(内数): the key of the indicator this row is a part of.")
    restates: str | None = Field(None, description="(再掲): the key of the indicator this row repeats.")
    series_breaks: list[SeriesBreak] = Field(default_factory=list)
    revisions: list[Revision] = Field(default_factory=list, description="改訂後の期待値: revised targets.")
    running_total_of: RunningTotalOf | None = Field(
        None, description="(累計) of the per-year counts of the indicator with this key (another edition's)."
    )
    evaluations: dict[FiscalYear, str] = Field(
        default_factory=dict, description="評価: the band mark printed for a year (A, B+, ◎), one of the plan's bands."
    )
    category: str | None = Field(None, description="The indicator's group as printed (客観的指標, 主観的指標), "
                                 "which band counts may be stated per.")
    schedule: Schedule | None = Field(None, description="算出方法: how the yearly targets follow from the baseline.")
    note: str | None = None

    @property
    def counts_running_total(self) -> bool:
        """(累計): declared cumulative, or the running total of a per-year series."""
        return self.cumulative or self.running_total_of is not None

    def target_in_force(self, year: int, for_rates: bool = False) -> tuple[tuple[str | int, ...], Cell | None]:
        """The target in force for `year` and its model path: the latest revision in force
        by then that states one (for rates, only a revision the rates are stated against),
        else the original target (None when there is none)."""
        for index in sorted(range(len(self.revisions)), key=lambda i: self.revisions[i].year, reverse=True):
            revision = self.revisions[index]
            if revision.year > year or year not in revision.targets:
                continue
            if for_rates and revision.rates_against == "original":
                continue
            return ("revisions", index, "targets", year), revision.targets[year]
        return ("targets", year), self.targets.get(year)

    def revised_for(self, year: int) -> Revision | None:
        """The revision that restates the target of `year`, if any."""
        return next((revision for revision in self.revisions if year in revision.targets), None)

    def break_between(self, earlier: int, later: int) -> SeriesBreak | None:
        """The declared break that separates year `earlier` from year `later`, if any. A
        running total restarts where its window starts (`running_total_of.since`)."""
        for series_break in self.series_breaks:
            if earlier < series_break.year <= later:
                return series_break
        since = self.running_total_of.since if self.running_total_of is not None else None
        if since is not None and earlier < since <= later:
            return SeriesBreak(year=since, kind="restarted", note=f"running_total_of: since {era_label(since)}")
        return None


class ProjectItem(Model):
    """One row of a 関連事務事業一覧."""

    no: int | None = None
    name: str
    department: str | None = None
    account: AccountValue | None = None
    code: Code | None = None
    cost: AmountValue
    outlook: Outlook | None = None
    main: bool = Field(False, description="★: a main project of the 中期実行プラン.")
    restated: bool = Field(False, description="【再掲】: listed again from another theme.")
    note: str | None = None


class ProjectList(Model):
    """関連事務事業一覧: itemised costs, their stated total and outlook counts."""

    year: FiscalYear | None = None
    unit: str
    items: list[ProjectItem]
    total: AmountValue | None = None
    outlook_counts: dict[Outlook, Annotated[int, Field(ge=0)]] | None = None
    rounding: RoundingDeclaration | None = None
    restated_in_total: bool = Field(
        True, description="false when the 合計 leaves out 【再掲】 items (再掲分を除く), so each cost is counted once."
    )
    means_zero: ZeroMarks | None = Field(None, description=_MEANS_ZERO)


class Numbering(Model):
    goal: str
    policy: int
    theme: int


class Band(Model):
    """One band of an evaluation scale: the mark printed for a rate in [min, below) or
    [min, max] (either end may be open), and the points it is worth where the plan scores."""

    mark: str = Field(description="As printed: A, B+, S, ◎, 順調.")
    min: Decimal | None = Field(None, description="The least rate (%) in the band, included.")
    below: Decimal | None = Field(None, description="The rate (%) the band stops below, excluded (A: 100 以上; "
                                  "B+: 80 以上 100 未満).")
    max: Decimal | None = Field(None, description="The greatest rate (%) in the band, included, as printed "
                                "(80～99%); leave `below` out.")
    points: Decimal | None = Field(None, description="The points a band is worth, where the plan scores.")
    label: str | None = Field(None, description="What the band means, as printed (目標達成, 概ね順調).")

    @model_validator(mode="after")
    def _one_upper_end(self) -> Band:
        if self.below is not None and self.max is not None:
            raise PydanticCustomError("band_ends", "a band ends `below` a rate or at a `max`, not both")
        return self


class BandScale(Model):
    """評価区分: the bands a plan grades its indicators' achievement rates by, and any
    grouping of them that its counts use (順調: [A, B+])."""

    basis: Literal["rate"] = Field("rate", description="What the bands grade: the achievement rate (達成率, %).")
    bands: list[Band]
    groups: dict[str, list[str]] = Field(default_factory=dict, description="A status that groups bands, as "
                                         "counts state them: {順調: [A, B+], 順調でない: [B, C]}.")


class CellRef(Model):
    """A value somewhere in the plan set: a table cell (`table`, `row`, `column`), an
    indicator's value (`indicator` key, `field`, `year`, or `years` for a span of years),
    or a project list's total (`theme`). `plan` names another document by its plan id;
    not given: this one."""

    plan: str | None = Field(None, description="Another document's plan id; not given: this document.")
    table: str | None = None
    row: str | None = None
    column: str | None = None
    indicator: str | None = Field(None, description="The indicator's key.")
    field: Literal["baseline", "targets", "actuals", "rates"] | None = None
    year: FiscalYear | None = None
    years: Period | None = Field(None, description="A span of years (for a sum over them).")
    theme: str | None = Field(None, description="A theme's id: its project list's 合計.")


class FigureChange(Model):
    """A change between years: the figure = `of` in `to` − `of` in `from`."""

    of: CellRef = Field(description="The series (a row, or an indicator's field), without a year.")
    from_: str = Field(alias="from", description="The earlier column key or year.")
    to: str = Field(description="The later column key or year.")


class FigureRank(Model):
    """A rank claim: the figure is the `position`-th largest (or smallest) of `among`."""

    position: int = Field(ge=1, description="1 for 最も高い, 2 for 次いで.")
    among: CellRef = Field(description="A row or a column of a table: all its cells are the options.")
    order: Literal["largest", "smallest"] = "largest"


class Figure(Model):
    """A figure printed outside the grid (a heading, a footnote, a sentence) or a cell
    printed again, encoded once as printed with what it restates: `equals` a value,
    `change` between two years, `rank` among a table's values, `sum` of values (across
    documents too), or `achieved` (a 達成済 claim on an indicator's year)."""

    value: CellValue | None = Field(None, description="The figure as printed; leave out with `at`.")
    unit: str | None = None
    quote: str | None = Field(None, description="The sentence, heading or footnote that prints it, as printed.")
    printed_in: Literal["heading", "footnote", "text", "table"] | None = None
    at: CellRef | None = Field(None, description="The figure is this table cell (a number printed in two places).")
    equals: CellRef | None = None
    change: FigureChange | None = None
    rank: FigureRank | None = None
    sum: list[CellRef] | None = Field(None, description="The values it adds up (an indicator's field over `years`).")
    achieved: CellRef | None = Field(None, description="A 達成済 claim: the indicator's actual meets its target "
                                     "in the year.")
    note: str | None = None

    @model_validator(mode="after")
    def _one_claim(self) -> Figure:
        claims = [name for name in ("equals", "change", "rank", "sum", "achieved") if getattr(self, name) is not None]
        if len(claims) != 1:
            raise PydanticCustomError(
                "figure_claim", "a figure states exactly one of equals, change, rank, sum, achieved ({count} given)",
                {"count": len(claims)},
            )
        if (self.value is None) == (self.at is None) and self.achieved is None:
            raise PydanticCustomError("figure_value", "a figure has its `value` as printed, or is the cell `at`")
        return self


class BandCount(Model):
    """Counts of indicators per band or status as a document states them (「80%以上 41、
    50%以上80%未満 9、50%未満 4、合計 54」), for a year and optionally one category."""

    year: FiscalYear | None = None
    category: str | None = Field(None, description="Only the indicators of this category (客観的指標).")
    counts: dict[str, CountValue] = Field(description="Band mark or group -> the count as printed.")
    total: CountValue | None = Field(None, description="合計, as printed.")
    listed: bool = Field(True, description="false when the document does not list the counted indicators here, "
                         "so the counts are checked against their total only.")
    note: str | None = None


class Section(Model):
    """What every plan section has: a title, its source, footnotes and indicators."""

    title: str
    source: Source | None = None
    footnotes: dict[str, str] = Field(default_factory=dict)
    indicators: list[Indicator] = Field(default_factory=list)
    figures: list[Figure] = Field(default_factory=list, description="Figures printed in the section's headings, "
                                  "footnotes and text, with what they restate.")
    band_counts: list[BandCount] = Field(default_factory=list, description="Counts of the section's indicators "
                                         "per band or status, as printed.")


class Theme(Section):
    """A theme of a policy evaluation (基本目標 – 方針 – テーマ)."""

    id: str
    numbering: Numbering | None = None
    assessment: str | None = Field(None, description="目標達成度合い")
    assessment_reason: str | None = None
    projects: ProjectList | None = None


class MajorProject(Model):
    """A project of 主要事業の年次計画: yearly planned costs and summaries."""

    name: str
    departments: list[str] = Field(default_factory=list)
    costs: AmountYearMap = Field(default_factory=dict)
    summaries: dict[FiscalYear, str] = Field(default_factory=dict)
    note: str | None = None


class MajorProjectList(Model):
    unit: str
    items: list[MajorProject]


class Policy(Section):
    """A policy of an execution plan (中期実行プラン)."""

    projects: MajorProjectList | None = None


class Measure(Model):
    """施策: one measure of a strategy, with its departments and progress (進捗状況)."""

    no: int
    name: str
    departments: list[str] = Field(default_factory=list, description="所管課")
    related_departments: list[str] = Field(default_factory=list, description="(関連課), printed in brackets")
    progress: str | None = Field(None, description="進捗状況, as printed: 実施済")
    note: str | None = None


class Area(Section):
    """A strategy's measure group under a goal (① 農のあるまちづくりの推進): its measures
    and its KPIs."""

    number: str = Field(description="As printed: ①, ②, …")
    measures: list[Measure] = Field(default_factory=list)


class Count(Model):
    """A count a report states in its text (こだまちサロン…32か所)."""

    name: str
    value: CountValue
    note: str | None = None


class Direction(Model):
    """取組の方向性 of an activity plan, with its stated status and the counts it gives."""

    number: int
    title: str
    status: str | None = Field(None, description="今後の取組の方向性, as printed: 継続")
    counts: list[Count] = Field(default_factory=list)
    source: Source | None = None


class Goal(Section):
    """基本目標: a strategy's goal (数値目標 as its indicators, measure groups as `areas`) or
    an activity plan's goal (its `directions`)."""

    id: str
    number: int
    areas: list[Area] = Field(default_factory=list)
    directions: list[Direction] = Field(default_factory=list)


class Column(Model):
    """A column of a table, keyed by its printed header. A column with `columns` is a
    header over sub-columns (令和3年度 over 見込量, 実績, 対計画比): where it states values
    itself, they are the sum of its additive sub-columns, in every row."""

    key: str = Field(description="The header as printed: 平成30年, 令和3年度, ※R4.11.1. Unique among the table's "
                     "columns at every depth: a sub-column printed 見込量 under 令和3年度 is keyed 令和3年度見込量 "
                     "and named 見込量.")
    name: str | None = Field(None, description="The header as printed when the key must differ from it (a "
                             "sub-column's 見込量); not given: the key.")
    year: FiscalYear | None = Field(None, description="The (calendar or fiscal) year it stands for, if one "
                                    "(a sub-column inherits its header's).")
    as_of: str | None = Field(None, description="The date the values are taken at, when the header gives one.")
    provisional: bool = Field(False, description="速報値: a provisional figure.")
    unit: str | None = Field(None, description="The unit of this column's values, over the table's.")
    role: str | None = Field(None, description="The column's part in the table's kind (current, previous, change, "
                             "ratio, share, plan, actual, …); not given: recognised from its printed header.")
    additive: bool | None = Field(None, description="false: the values do not add up over rows (a rate, a 単価), "
                                  "so no sum runs down this column. Not given: false for a column a ratio "
                                  "relation states, else true.")
    columns: list[Column] = Field(default_factory=list, description="The sub-columns under this header.")
    means_zero: ZeroMarks | None = Field(None, description=_MEANS_ZERO)

    @property
    def label(self) -> str:
        return self.name or self.key


class TableRow(Model):
    """A row of a table. A row with `rows` is made of them (款 > 項 > 目, 会計 > 特別会計 >
    each account, 章 > 節): where it states values itself, they are the sum of its
    additive sub-rows, in every column; a row without values is a heading."""

    key: str = Field(description="A stable name for the row, used by relations and rules; unique in the table "
                     "at every depth.")
    name: str = Field(description="The row's label as printed.")
    unit: str | None = Field(None, description="The unit of this row's values, over its column's and table's.")
    role: str | None = Field(None, description="The row's part in the table's kind (personnel, project, "
                             "full_cost, general_revenue, …); not given: recognised from its printed label.")
    additive: bool | None = Field(None, description="false: the values do not add up into the parent row (a rate, "
                                  "a 単位コスト). Not given: false for a row a ratio relation states, else true.")
    values: dict[str, TableValue] = Field(default_factory=dict, description="Column key -> value as printed.")
    rows: list[TableRow] = Field(default_factory=list, description="The rows this row is made of, printed under it.")
    note: str | None = None


RelationForm = Literal[
    "sum", "difference", "ratio", "share", "product", "running_sum", "change", "lag", "bound", "subset", "equal"
]


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class Relation(Model):
    """A relation a table's lines satisfy. It states one line, `row` (evaluated in every
    column) or `column` (evaluated in every row), in terms of lines of the same axis:

    - sum: the line = the sum of `of`;
    - difference: the line = `of[0]` − `of[1]` − … (増減 = 本年度 − 前年度);
    - ratio: the line = `numerator` ÷ `denominator` × `scale`, at `places` decimals
      (前年度比, 対計画比, 率 = 増減 ÷ 前年度, 進捗率 (B)/(A));
    - share: the line = `of` ÷ (`of` at the `total` line of the other axis) × `scale`
      (構成比 = 款 ÷ 合計 × 100): the shares of the parts add up to the whole's;
    - product: the line = `of` × `by` (a factor or a line), rounded up when the stated
      value is a bound 以上 (base × rate targets);
    - running_sum: the line at each cross line = itself at the previous one + `of` there
      (累計); `starts_here`: at the first, it equals `of`;
    - change: the line = `of` − `of` at the previous cross line (増加数, 前年度末比);
    - lag: the line = `of` at the previous cross line (this period's base = the last actual);
    - bound: the line lies within [`min`, `max`];
    - subset: the line (a うち line) is not larger than `of[0]`;
    - equal: the line equals `other` (`table-id/line-key`, another table's line).

    `only` / `skip` limit the cross lines it is evaluated at (a 合計 row sums the 事業費
    columns but not the 進捗率 column). Cross lines are taken in printed order."""

    check: RelationForm
    row: str | None = Field(None, description="The row the relation states (evaluated in every column).")
    column: str | None = Field(None, description="The column the relation states (evaluated in every row).")
    of: Annotated[list[str], BeforeValidator(_one_or_many)] = Field(
        default_factory=list, description="The operand lines: the parts of a sum, the minuend then the subtrahends "
        "of a difference, the amount of a share, the base of a product, the series of running_sum, change, lag.")
    numerator: str | None = None
    denominator: str | None = None
    scale: Decimal = Field(Decimal(1), description="The quotient's factor: 100 for a percentage.")
    places: int | None = Field(None, ge=0, description="Decimals a ratio, share or product is stated to; not given: "
                               "the stated value's own.")
    total: str | None = Field(None, description="share: the line of the other axis that holds the whole (the 合計 "
                              "row of a 構成比 column).")
    by: Decimal | str | None = Field(None, description="product: the factor, or the line that holds it.")
    min: Decimal | None = Field(None, description="bound: the least value allowed.")
    max: Decimal | None = Field(None, description="bound: the greatest value allowed.")
    starts_here: bool = Field(False, description="running_sum: the series starts at the first cross line, "
                              "where the line equals `of`.")
    other: str | None = None
    only: list[str] | None = Field(None, description="Evaluate at these cross lines only (column keys for a row "
                                   "relation, row keys for a column relation).")
    skip: list[str] = Field(default_factory=list, description="Do not evaluate at these cross lines.")
    note: str | None = None
    means_zero: ZeroMarks | None = Field(None, description=_MEANS_ZERO)

    @property
    def axis(self) -> Literal["row", "column"]:
        return "row" if self.row is not None else "column"

    @property
    def line(self) -> str:
        return self.row if self.row is not None else str(self.column)

    @model_validator(mode="after")
    def _operands(self) -> Relation:
        if (self.row is None) == (self.column is None):
            raise PydanticCustomError(
                "relation_line", "a relation states exactly one line: `row` or `column`", {"check": self.check}
            )
        needed = {
            "sum": ("of",), "difference": ("of",), "subset": ("of",), "share": ("of", "total"),
            "product": ("of", "by"), "running_sum": ("of",), "change": ("of",), "lag": ("of",),
            "ratio": ("numerator", "denominator"), "equal": ("other",), "bound": (),
        }[self.check]
        for name in needed:
            if getattr(self, name) in (None, []):
                raise PydanticCustomError(
                    "relation_operand", "a {check} relation needs `{name}`", {"check": self.check, "name": name}
                )
        if self.check == "bound" and self.min is None and self.max is None:
            raise PydanticCustomError(
                "relation_operand", "a {check} relation needs `{name}`", {"check": self.check, "name": "min or max"}
            )
        return self


TableKind = Literal["budget", "account_budget", "cost_sheet", "service_progress", "achievement_matrix"]


class StatisticsTable(Section):
    """A statistics table: rows of yearly values and the relations between them."""

    id: str
    kind: TableKind | None = Field(
        None, description="The table's document kind: its lines are recognised by their printed labels and the "
        "kind's relations are checked without being declared (docs/plan-format.md, 表の種類).")
    number: str | None = Field(None, description="As printed: ①, ②, …")
    unit: str | None = None
    as_of: str | None = Field(None, description="各年10月1日現在, as printed.")
    columns: list[Column]
    rows: list[TableRow]
    relations: list[Relation] = Field(default_factory=list)
    rounding: RoundingDeclaration | None = None
    means_zero: ZeroMarks | None = Field(None, description=_MEANS_ZERO)

    def row(self, key: str) -> TableRow | None:
        return next((row for _, row, _ in self.all_rows() if row.key == key), None)

    def all_rows(self) -> Iterator[tuple[tuple[str | int, ...], TableRow, TableRow | None]]:
        """Every row at every depth in printed order (a row before its sub-rows), with its
        model path within the table and its parent row (None at the top)."""
        yield from _tree(self.rows, ("rows",), None, "rows")

    def all_columns(self) -> Iterator[tuple[tuple[str | int, ...], Column, Column | None]]:
        """Every column at every depth in printed order (a header before its sub-columns),
        with its model path within the table and its parent column (None at the top)."""
        yield from _tree(self.columns, ("columns",), None, "columns")


def _tree(lines: list[Any], path: tuple[str | int, ...], parent: Any, field: str) -> Iterator[Any]:
    for index, line in enumerate(lines):
        yield (*path, index), line, parent
        yield from _tree(getattr(line, field), (*path, index, field), line, field)


@dataclass(frozen=True)
class Dropped:
    """An item of a list (`position`, from 1 as written) or an entry of a mapping (`key`)
    that could not be read; `key` is also a list item's own `key` or `id` when it wrote one."""

    position: int | None
    key: str | None

    def reason(self) -> Text:
        if self.position is None:
            return Text(f"「{self.key}」を読めませんでした", f"{self.key} could not be read")
        return Text(f"{self.position}番目の項目を読めませんでした", f"item {self.position} could not be read")


class PlanFile(Model):
    """One plan file: the document header and the sections this file holds."""

    plan: PlanHeader
    themes: list[Theme] = Field(default_factory=list)
    policies: list[Policy] = Field(default_factory=list)
    goals: list[Goal] = Field(default_factory=list)
    tables: list[StatisticsTable] = Field(default_factory=list)
    figures: list[Figure] = Field(default_factory=list, description="Figures printed outside any section "
                                  "(a preface, a summary), with what they restate.")
    band_counts: list[BandCount] = Field(default_factory=list, description="Counts of all the document's "
                                         "indicators per band or status, as printed.")
    # What the loader left out to model the rest of a file with load errors, by the model
    # path of the list or mapping that lost it: a relation over that container is not checked.
    _dropped: dict[tuple[str | int, ...], tuple[Dropped, ...]] = PrivateAttr(default_factory=dict)

    def dropped_items(self, path: tuple[str | int, ...]) -> tuple[Dropped, ...]:
        """The items the list or mapping at model `path` lost because they could not be read."""
        return self._dropped.get(tuple(path), ())


_CELL_TYPES = (Number, Absent, Bound, Relative, Qualitative, Unreadable)


def iter_cells(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Cell]]:
    """Every cell under a validated model (a PlanFile, or any part of it), with its model
    path (years as western ints, as `LoadedFile.span_of` takes them), in field order."""
    if isinstance(node, _CELL_TYPES):
        yield path, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            value = getattr(node, name)
            if value is not None and not isinstance(value, (str, int, bool)):
                yield from iter_cells(value, (*path, name))
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from iter_cells(value, (*path, key))
    elif isinstance(node, (list, tuple)):
        for position, value in enumerate(node):
            yield from iter_cells(value, (*path, position))


def build_validator() -> None:
    """Build PlanFile's validator now rather than on first use: before forking worker
    processes, so that each inherits it instead of building its own."""
    PlanFile.model_rebuild(force=True)


def plan_json_schema() -> dict[str, Any]:
    schema = PlanFile.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://plancheck.invalid/schema/plan.json"
    schema["title"] = "plancheck plan file"
    return schema
