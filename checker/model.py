"""The plan model: typed, normalised plan data (pydantic).

Values arrive as the loader read them (text, or `Decimal` with the written digits) and
leave as typed values: fiscal years as western ints, cells as `checker.values` types.
Positions are not kept here; the loader's span index maps model paths to source spans.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from checker.fiscal import FiscalYearError, era_label, parse_fiscal_year
from checker.values import Cell, CellError, parse_cell

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
    "description": "A value as printed: 1234, \"1,234\", \"8,345 千円\", 75.4%, \"—\", 4以上, 前年度比減, 充実, \"58 [※]\".",
}


def _fiscal_year(value: Any) -> int:
    try:
        return parse_fiscal_year(value)
    except FiscalYearError as error:
        raise PydanticCustomError(
            "fiscal_year",
            "not a fiscal year: {text} ({problem})",
            {"text": error.text, "problem": error.kind, **error.numbers},
        ) from None


def _cell(value: Any) -> Cell:
    try:
        return parse_cell(value)
    except CellError as error:
        raise PydanticCustomError(
            "cell", "not a value form plancheck knows: {text} ({problem})", {"text": error.text, "problem": error.kind}
        ) from None


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

_CODE_RE = re.compile(r"^\d{6}$")
_ACCOUNT_RE = re.compile(r"^(?P<fund>[^\d\s-]+)?\s*(?P<kan>\d+)[-\s]+(?P<kou>\d+)[-\s]+(?P<moku>\d+)$")


def _code(value: Any) -> str:
    if isinstance(value, Decimal) and value == value.to_integral_value() and value >= 0:
        value = str(int(value))
    if not isinstance(value, str) or not _CODE_RE.match(value):
        raise PydanticCustomError("code", "a project code is six digits in quotes, like \"030309\"")
    return value


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)


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


class Source(Model):
    """Where a plan or section comes from: the seed document, its heading, its lines."""

    seed: str | None = None
    heading: str | None = None
    lines: tuple[int, int] | None = None


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


class PlanHeader(Model):
    id: str
    title: str
    municipality: str
    kind: Literal["execution_plan", "policy_evaluation", "strategy_progress", "statistics", "activity_plan"]
    period: Period | None = None
    as_of: FiscalYear | None = None
    source: Source


class Baseline(Model):
    year: FiscalYear
    value: CellValue


class Indicator(Model):
    """成果指標: an indicator with its unit, baseline, yearly targets, actuals and rates."""

    no: int | None = None
    key: str | None = Field(None, description="Stable key: the same quantity in every document.")
    name: str
    unit: str | None = None
    baseline: Baseline | None = None
    targets: YearMap = Field(default_factory=dict)
    actuals: YearMap = Field(default_factory=dict)
    rates: YearMap = Field(default_factory=dict, description="Stated achievement rates (達成率).")
    note: str | None = None


class ProjectItem(Model):
    """One row of a 関連事務事業一覧."""

    no: int | None = None
    name: str
    department: str | None = None
    account: AccountValue | None = None
    code: Code | None = None
    cost: CellValue
    outlook: Outlook | None = None
    main: bool = Field(False, description="★: a main project of the 中期実行プラン.")
    restated: bool = Field(False, description="【再掲】: listed again from another theme.")
    note: str | None = None


class ProjectList(Model):
    """関連事務事業一覧: itemised costs, their stated total and outlook counts."""

    year: FiscalYear | None = None
    unit: str
    items: list[ProjectItem]
    total: CellValue | None = None
    outlook_counts: dict[Outlook, int] | None = None


class Numbering(Model):
    goal: str
    policy: int
    theme: int


class Section(Model):
    """What every plan section has: a title, its source, footnotes and indicators."""

    title: str
    source: Source | None = None
    footnotes: dict[str, str] = Field(default_factory=dict)
    indicators: list[Indicator] = Field(default_factory=list)


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
    costs: YearMap = Field(default_factory=dict)
    summaries: dict[FiscalYear, str] = Field(default_factory=dict)
    note: str | None = None


class MajorProjectList(Model):
    unit: str
    items: list[MajorProject]


class Policy(Section):
    """A policy of an execution plan (中期実行プラン)."""

    projects: MajorProjectList | None = None


class PlanFile(Model):
    """One plan file: the document header and the sections this file holds."""

    plan: PlanHeader
    themes: list[Theme] = Field(default_factory=list)
    policies: list[Policy] = Field(default_factory=list)


def plan_json_schema() -> dict[str, Any]:
    schema = PlanFile.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://plancheck.invalid/schema/plan.json"
    schema["title"] = "plancheck plan file"
    return schema
