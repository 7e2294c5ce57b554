"""The plan model: typed, normalised plan data (pydantic).

Values arrive as the loader read them (text, or `Decimal` with the written digits) and
leave as typed values: fiscal years as western ints, cells as `checker.values` types.
Positions are not kept here; the loader's span index maps model paths to source spans.

The annotations are evaluated as Python evaluates them (no `from __future__ import
annotations`; a name defined further down is quoted): pydantic then takes each field's type
as it is, instead of evaluating 230 annotation strings as each class is made (about 6 ms
of every process that imports the model).
"""

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
from checker.patterns import lazy_pattern
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

# The Japanese description beside each field's English one (`description`), in the JSON
# Schema `plancheck schema` prints; `plan_json_schema` adds both as `markdownDescription`.
DESCRIPTION_JA = "x-description-ja"

# What a fiscal year may be written as (checker.fiscal.parse_fiscal_year), as a pattern an
# editor can apply to a year-keyed map's keys: the era or western forms, with full-width
# digits and letters, an optional (西暦) pair and 年, 年度 or 年度末. The model still checks
# the range (1926-2200) and that an era year and its western pair agree.
_DIGIT, _NONZERO = "[0-9０-９]", "[1-9１-９]"
_WESTERN = f"[12１２]{_DIGIT}{{3}}"
_YEAR_SUFFIX = r"(年度末|年度|年)?"
YEAR_PATTERN = (
    rf"^\s*((令和|平成|昭和|[RHSＲＨＳ])[.．]?\s*(元|[0０]?{_NONZERO}|{_NONZERO}{_DIGIT})\s*"
    rf"([(（]\s*{_WESTERN}\s*[)）])?|{_WESTERN})\s*{_YEAR_SUFFIX}\s*$"
)
_YEAR_SCHEMA = {
    "anyOf": [
        {"type": "string", "pattern": YEAR_PATTERN,
         "description": "令和4年度, 令和元年度, R4, 平成30年度, 令和9(2027)年度 or 2022"},
        {"type": "integer", "minimum": 1926, "maximum": 2200},
    ],
    "description": "A fiscal year (年度).",
    DESCRIPTION_JA: "年度（令和4年度、令和元年度、R4、平成30年度、令和9(2027)年度、2022）。",
}
_CELL_SCHEMA = {
    "anyOf": [{"type": "number"}, {"type": "string"}],
    "description": "A value as printed: 1234, \"1,234\", \"8,345 千円\", \"△ 1,234\", 75.4%, \"—\", 無し, 未集計, 4以上, "
                   "前年度比減, 充実, \"58 [※]\", \"(10,000)\", \"1,234（速報値）\".",
    DESCRIPTION_JA: "印字どおりの値: 1234、\"1,234\"、\"8,345 千円\"、\"△ 1,234\"、75.4%、\"—\"、無し、未集計、4以上、"
                    "前年度比減、充実、\"58 [※]\"、\"(10,000)\"、\"1,234（速報値）\"。",
}


def described(en: str, ja: str, **field: Any) -> Any:
    """A model field described in both languages: `Field(description=en, ...)` with the
    Japanese under `x-description-ja`. The other arguments are Field's (`default=None`,
    `default_factory=list`, `alias`, `ge`)."""
    return Field(description=en, json_schema_extra={DESCRIPTION_JA: ja}, **field)


def japanese(text: str) -> dict[str, str]:
    """A model's Japanese description (its docstring is the English), as a class keyword:
    `class Band(Model, json_schema_extra=japanese("評価区分の一つ…"))`."""
    return {DESCRIPTION_JA: text}


def _year_keyed(values: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema of a map from fiscal years to `values`: its keys must be written as
    years, so that an editor flags `令和0年度` or `FY2022` at the key."""
    return {"type": "object", "propertyNames": {"pattern": YEAR_PATTERN}, "additionalProperties": values}


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


def _cell_text(cell: Cell) -> str:
    """A cell as written (what a plan serialises to): a named function, not a lambda, so that
    the built validator can be pickled into the cache (`cached_validator`)."""
    return cell.text


FiscalYear = Annotated[int, PlainValidator(_fiscal_year), PlainSerializer(era_label), WithJsonSchema(_YEAR_SCHEMA)]
CellValue = Annotated[
    Cell, PlainValidator(_cell), PlainSerializer(_cell_text), WithJsonSchema(_CELL_SCHEMA)
]
YearMap = Annotated[dict[FiscalYear, CellValue], BeforeValidator(_year_map), WithJsonSchema(_year_keyed(_CELL_SCHEMA))]
# A text per year (a project's 概略, an indicator's printed band mark)
YearTextMap = Annotated[dict[FiscalYear, str], WithJsonSchema(_year_keyed({"type": "string"}))]


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
    Cell, PlainValidator(_amount), PlainSerializer(_cell_text), WithJsonSchema(_CELL_SCHEMA)
]
CountValue = Annotated[
    Cell, PlainValidator(_stated_count), PlainSerializer(_cell_text), WithJsonSchema(_CELL_SCHEMA)
]
TableValue = Annotated[
    Cell, PlainValidator(_table_value), PlainSerializer(_cell_text), WithJsonSchema(_CELL_SCHEMA)
]
AmountYearMap = Annotated[dict[FiscalYear, AmountValue], BeforeValidator(_year_map),
                          WithJsonSchema(_year_keyed(_CELL_SCHEMA))]

_CODE_RE = lazy_pattern(r"^\d{6}$")
_ACCOUNT_RE = lazy_pattern(r"^(?P<fund>[^\d\s-]+)?\s*(?P<kan>\d+)[-\s]+(?P<kou>\d+)[-\s]+(?P<moku>\d+)$")


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


class BudgetAccount(Model, json_schema_extra=japanese(
    "予算科目: 款・項・目。一般会計、または印字された略号で示す特別会計（介 介護保険、後 後期高齢者医療、国 "
    "国民健康保険）のもの。"
)):
    """予算科目: 款 項 目, in the general account or a special account named by its printed
    prefix (介 long-term care, 後 late-stage elderly medical care, 国 national health insurance)."""

    fund: str = described(
        "general (the general account), or the special account's printed prefix (介, 後, 国).",
        "会計: general（一般会計）、または特別会計の印字された略号（介、後、国）。",
        default="general",
    )
    kan: int = described("款: the first level of the budget account.", "款（予算科目の第1階層）。")
    kou: int = described("項: the second level, under the 款.", "項（款の下の第2階層）。")
    moku: int = described("目: the third level, under the 項.", "目（項の下の第3階層）。")

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
# A workbook cell or range as `plancheck import` records it: Sheet!A1 or Sheet!A1:G14 (the
# sheet's name as the workbook spells it, unquoted; Excel forbids []:*?/\ in it)
CELL_ADDRESS_PATTERN = r"^[^\[\]:*?/\\]{1,31}![A-Z]{1,3}[1-9][0-9]{0,6}(:[A-Z]{1,3}[1-9][0-9]{0,6})?$"


PageRef = int | str | tuple[int, int]


class Source(Model, json_schema_extra=japanese(
    "計画や節の出典: 公表された文書（URL、ファイル名、ページ、公表日）、見出し、行（最初と最後の行の範囲、"
    "または分かれて掲載されている場合はその複数の範囲）。どれも任意で、分かるものを書きます。"
)):
    """Where a plan or section comes from: the published document (its address, file name,
    pages, publication date), or a seed text; its heading; its lines (one first–last range,
    or several when the section is printed in parts). Every field is optional: any city's
    document is described by what is known of it."""

    url: str | None = described(
        "The published document's address (https://www.city.example.lg.jp/.../r4-hyoka.pdf).",
        "公表されている文書のアドレス（https://www.city.example.lg.jp/.../r4-hyoka.pdf）。",
        default=None,
    )
    file: str | None = described(
        "The source document's file name as published or kept (令和4年度施策評価シート.pdf).",
        "出典文書のファイル名（公表・保存されているもの。令和4年度施策評価シート.pdf）。",
        default=None,
    )
    pages: PageRef | list[PageRef] | None = described(
        "The pages it is printed on: a page (12), a range [12, 15], a page as printed (資料編 3), or a list of them.",
        "掲載ページ: 1ページ（12）、範囲 [12, 15]、印字どおりのページ（資料編 3）、またはそのリスト。",
        default=None,
    )
    published: str | None = described(
        "When the document was published, as printed (令和5年3月, 2023-03-31).",
        "文書の公表日（印字どおり。令和5年3月、2023-03-31）。",
        default=None,
    )
    seed: str | None = described(
        "A seed text's file name: one of the source texts this project's own plans are read from (../shared/seeds).",
        "原文テキストのファイル名: このプロジェクト自身の計画データの読み取り元（../shared/seeds）の一つ。",
        default=None,
    )
    heading: str | None = described(
        "The heading the plan or section is printed under, as printed.",
        "計画や節が掲載されている見出し（印字どおり）。",
        default=None,
    )
    lines: LineRange | list[LineRange] | None = described(
        "The lines of the source text it is read from: [first, last], or a list of such ranges when it is printed in "
        "parts.",
        "読み取った原文の行: [最初, 最後]。分かれて掲載されている場合はその範囲のリスト。",
        default=None,
    )
    workbook: str | None = described(
        "The workbook (xlsx, xls, ods, csv) the data was imported from by `plancheck import`, as its file name.",
        "`plancheck import` で取り込んだ元のブック（xlsx、xls、ods、csv）のファイル名。",
        default=None,
    )

    def line_ranges(self) -> list[LineRange]:
        if self.lines is None:
            return []
        return list(self.lines) if isinstance(self.lines, list) else [self.lines]


class Period(Model, json_schema_extra=japanese("期間: 初年度から最終年度まで（年度）。")):
    """A period of fiscal years, from `start` through `end`."""

    start: FiscalYear = described("The first fiscal year of the period (令和3年度).", "期間の初年度（令和3年度）。")
    end: FiscalYear = described(
        "The last fiscal year of the period (令和6年度), not before the start.",
        "期間の最終年度（令和6年度）。初年度より前にはできません。",
    )

    @model_validator(mode="after")
    def _ordered(self) -> "Period":
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
    DESCRIPTION_JA: "記載値の丸め方: 四捨五入、切り捨て、切り上げ。すべての値に一つ、または値の種類ごとに"
                    "（{rates: 切り捨て, totals: 四捨五入}）。",
}


def _rounding_declared(declared: str | RoundingByKind) -> str | dict[str, str]:
    """A rounding declaration as written: one for every value, or one per kind."""
    return declared if isinstance(declared, str) else {
        kind: rounding for kind in ROUNDING_KINDS if (rounding := declared.of(kind))}


RoundingDeclaration = Annotated[
    str | RoundingByKind,
    PlainValidator(_rounding),
    PlainSerializer(_rounding_declared),
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
    DESCRIPTION_JA: "これらの関係で 0 とみなす欠損の記号: 0 のセルを空欄にするコストシートなら [blank]、ダッシュも 0 "
                    "なら [blank, \"-\"]、どれも 0 でなければ []（凡例「-」は数値がない場合）。",
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
_MEANS_ZERO_JA = (
    "ここで合計や比率の計算上 0 とみなす欠損の記号（blank 空欄、-、—）。最も近い指定が優先します: 関係、列、"
    "表または一覧、計画。省略時は、外側の階層が指定しない限りありません。"
)


class PlanHeader(Model, json_schema_extra=japanese(
    "文書の見出し情報: id、表題、自治体、種類、期間、出典と、文書全体に係る宣言（丸め方、達成率の計算方法、"
    "評価区分）。"
)):
    """The document header: its id, title, municipality, kind, period and source, and what
    holds for the whole document (rounding, the rate formula, bands)."""

    id: str = described(
        "A stable id of the document (kodaira-policy-evaluation-r4); other documents' references (`plan`) name it.",
        "文書の固定の識別子（kodaira-policy-evaluation-r4）。他の文書からの参照（`plan`）がこれを指します。",
    )
    title: str = described("The document's title, as printed.", "文書の表題（印字どおり）。")
    municipality: str = described("The municipality that publishes it (小平市).", "発行する自治体（小平市）。")
    kind: Literal["execution_plan", "policy_evaluation", "strategy_progress", "statistics", "activity_plan",
                  "budget", "settlement", "project_evaluation", "welfare_plan", "comprehensive_plan"] = described(
        "The kind of document: execution_plan (中期実行プラン), policy_evaluation (施策評価), strategy_progress "
        "(総合戦略の進捗), statistics (統計), activity_plan (活動計画), budget (予算), settlement (決算), "
        "project_evaluation (事務事業評価), welfare_plan (障害福祉計画・介護保険事業計画), comprehensive_plan "
        "(総合計画).",
        "文書の種類: execution_plan（中期実行プラン）、policy_evaluation（施策評価）、"
        "strategy_progress（総合戦略の進捗状況）、statistics（統計資料）、activity_plan（活動計画）、budget（予算）、"
        "settlement（決算）、project_evaluation（事務事業評価）、welfare_plan（障害福祉計画・介護保険事業計画）、"
        "comprehensive_plan（総合計画）。",
    )
    period: Period | None = described(
        "The plan period (計画期間): {start: 令和3年度, end: 令和6年度}.",
        "計画期間: {start: 令和3年度, end: 令和6年度}。",
        default=None,
    )
    as_of: FiscalYear | None = described(
        "For an evaluation or a progress report: the last fiscal year it reports actuals for.",
        "評価・進捗報告の場合: 実績値を報告している最後の年度。",
        default=None,
    )
    source: Source = described(
        "Where the document comes from: its address, file, pages and publication date (or a seed text), heading "
        "and lines.",
        "文書の出典: アドレス、ファイル、ページ、公表日（または原文テキスト）、見出し、行。",
    )
    footnotes: dict[str, str] = described(
        "Footnotes that hold for the whole document: mark (※1) -> text as printed.",
        "文書全体に係る注記: 記号（※1）→ 印字された本文。",
        default_factory=dict,
    )
    rounding: RoundingDeclaration | None = described(
        "How the document rounds stated values (四捨五入 half up, 切り捨て down, 切り上げ up), for every value or "
        "per kind of value: {rates: 切り捨て, totals: 四捨五入}.",
        "文書が記載値を丸める方法（四捨五入、切り捨て、切り上げ）。すべての値に一つ、または値の種類ごとに {rates: "
        "切り捨て, totals: 四捨五入} のように指定します。",
        default=None,
    )
    rate_formula: RateFormula | None = described(
        "How the document computes its 達成率, unless an indicator says otherwise: actual_over_target, "
        "target_over_actual or progress. Not declared: by each indicator's direction.",
        "文書の達成率の計算方法（指標ごとの指定が優先）: actual_over_target（実績値 ÷ 目標値）、"
        "target_over_actual（目標値 ÷ 実績値）、progress（(実績値 − 基準値) ÷ (目標値 − 基準値)）。"
        "指定がなければ各指標の向きによります。",
        default=None,
    )
    target_years: Literal["every_year", "end_of_period"] = described(
        "every_year: a target for each year of the period (plans, evaluations); end_of_period: one target for the "
        "period (a strategy's 令和2年度末 目標).",
        "every_year: 計画期間の各年度に目標値がある（計画、評価）。end_of_period: "
        "期間の目標値が一つだけ（総合戦略の令和2年度末の目標）。",
        default="every_year",
    )
    means_zero: ZeroMarks | None = described(_MEANS_ZERO, _MEANS_ZERO_JA, default=None)
    bands: "BandScale | None" = described(
        "評価区分: the bands the document grades achievement rates by.",
        "評価区分: 文書が達成率を評価する区分（A・B・C など）とその閾値。",
        default=None,
    )


class Baseline(Model, json_schema_extra=japanese("基準値: 基準年度とその値。")):
    """基準値: the base year and its value."""

    year: FiscalYear = described("The base year (基準年度).", "基準値の年度。")
    value: CellValue = described("基準値: the baseline as printed.", "基準値（印字どおり）。")
    note: str | None = described(
        "A note printed with the baseline (測定時期, 出典).",
        "基準値に付された注記（測定時期、出典など）。",
        default=None,
    )


class SeriesBreak(Model, json_schema_extra=japanese(
    "指標の年度系列の数え方の、year 以降の変更の宣言: 定義が変わる（累計から単年度の新規登録数へ）、"
    "または累計の集計期間が改めて始まる。年度をまたいで比べる検査はこれに従います。"
)):
    """A declared change in what an indicator's yearly series counts, from `year` on: its
    definition changes (累計 becomes new registrations in the year) or a cumulative
    window restarts. Checks that compare years across the break respect it."""

    year: FiscalYear = described(
        "The first year the new definition or window applies to.",
        "新しい定義・集計期間が適用される最初の年度。",
    )
    kind: Literal["redefined", "restarted"] = described(
        "redefined: what the series counts changes (累計 becomes the year's new registrations); restarted: a "
        "cumulative window starts again.",
        "redefined: 数える対象の定義が変わる（累計から単年度の新規登録数へ）。restarted: "
        "累計の集計期間が改めて始まる。",
    )
    note: str = described("The footnote that declares it, as printed.", "変更を示す注記（印字どおり）。")


class Revision(Model, json_schema_extra=japanese(
    "改訂後の期待値: 計画期間中に改訂され、当初の目標値の下に独自の基準年度とともに印字された目標値。year "
    "から適用され、それ以降、改訂が定める年度の目標値を使う検査は改訂後の値を使います。"
)):
    """改訂後の期待値: targets revised during the plan period and printed under the original
    ones, with their own base year. In force from `year`: from then on a check that needs
    "the target" of a year the revision states uses the revised one."""

    year: FiscalYear = described(
        "The year the revised targets are in force from.",
        "改訂後の目標値が適用される最初の年度。",
    )
    baseline: Baseline | None = described(
        "The revision's own base year and value.",
        "改訂で用いる基準年度と基準値。",
        default=None,
    )
    targets: YearMap = described(
        "The revised targets (改訂後の期待値) per year, as printed.",
        "改訂後の目標値（期待値）: 年度 → 印字された値。",
        default_factory=dict,
    )
    rates_against: Literal["revised", "original"] = described(
        "Which target the stated 達成率 of the years it covers are computed against: revised or original.",
        "対象年度の記載された達成率を、どちらの目標値に対して計算しているか: revised（改訂後）または original（当初）"
        "。",
        default="revised",
    )
    note: str = described("The footnote that declares the revision, as printed.", "改訂を示す注記（印字どおり）。")


class RunningTotalOf(Model, json_schema_extra=japanese(
    "単年度の値の（累計）: この行のある年度の値は、key の指標（別の版、またはこの版の行）の since "
    "からその年度までの単年度の値の合計です。累計は単年度の系列と同じキーでもよく、"
    "同じ数え方の記載どうしだけを等しい値として比べます。"
)):
    """(累計) of per-year counts: this row's value for a year is the sum of the per-year
    values of the indicator with `key` (in another edition, or a row of this one) from
    `since` through that year. The running total may keep the same key as the per-year
    series: only statements that count the same way are compared as equal values."""

    key: str = described(
        "The key of the indicator that counts per year (new registrations each year).",
        "単年度の値を数える指標のキー（各年度の新規登録数など）。",
    )
    since: FiscalYear = described("The first year the running total counts.", "累計に算入する最初の年度。")


class Schedule(Model, json_schema_extra=japanese(
    "算出方法: 各年度の目標値（期待値）は基準値から、毎年 add を加える（年 +20）か、毎年 "
    "multiply を掛ける（×1.02）ことで求まります。以上 の目標値は切り上げ、"
    "それ以外は計画の合計の丸め方を、目標値の記載桁数で適用します。"
)):
    """算出方法: the yearly targets (期待値) follow from the baseline, adding `add` a year
    (+20 a year) or multiplying by `multiply` a year (×1.02); a target that is a bound
    以上 is rounded up, else the plan's rounding for totals applies, at the target's
    stated decimals."""

    add: Decimal | None = described(
        "The amount added each year (+20 a year).",
        "毎年加える量（年 +20）。",
        default=None,
    )
    multiply: Decimal | None = described(
        "The factor applied each year (1.02 for +2 % a year).",
        "毎年掛ける倍率（年 2 % 増なら 1.02）。",
        default=None,
    )
    note: str | None = described("The 算出方法 as printed.", "算出方法（印字どおり）。", default=None)

    @model_validator(mode="after")
    def _one_step(self) -> "Schedule":
        if (self.add is None) == (self.multiply is None):
            raise PydanticCustomError("schedule_step", "a schedule states exactly one of `add` or `multiply`")
        return self


class Indicator(Model, json_schema_extra=japanese(
    "成果指標: 単位、基準値、年度ごとの目標値・実績値・達成率を持つ指標。"
)):
    """成果指標: an indicator with its unit, baseline, yearly targets, actuals and rates."""

    no: int | None = described("The indicator's number, as printed.", "指標の番号（印字どおり）。", default=None)
    subrow: str | None = described(
        "The label of one of several sub-rows printed under one numbered indicator (a route).",
        "一つの番号の指標の下に複数の行がある場合、その行のラベル（路線名など）。",
        default=None,
    )
    key: str | None = described(
        "Stable key: the same quantity in every document.",
        "固定のキー: どの文書でも同じ量を同じキーで表します。",
        default=None,
    )
    name: str = described("The indicator's name, as printed (成果指標).", "指標名（成果指標、印字どおり）。")
    unit: str | None = described(
        "The unit of its values (件, 人, %, 千円).",
        "値の単位（件、人、%、千円）。",
        default=None,
    )
    baseline: Baseline | None = described(
        "基準値: the base year and its value.",
        "基準値: 基準年度とその値。",
        default=None,
    )
    targets: YearMap = described(
        "目標値 (期待値) per year, as printed.",
        "年度ごとの目標値（期待値）（印字どおり）。",
        default_factory=dict,
    )
    actuals: YearMap = described(
        "実績値 per year, as printed.",
        "年度ごとの実績値（印字どおり）。",
        default_factory=dict,
    )
    rates: YearMap = described(
        "Stated achievement rates (達成率) per year, as printed.",
        "年度ごとの記載された達成率（印字どおり）。",
        default_factory=dict,
    )
    direction: Literal["higher_is_better", "lower_is_better"] | None = described(
        "lower_is_better (待機児童数, 交通事故件数): the rate is 目標 ÷ 実績. Not declared: higher is better, unless "
        "the target says otherwise (30以下, 前年度比減).",
        "lower_is_better（待機児童数、交通事故件数）: 達成率は 目標値 ÷ 実績値。指定がなければ、"
        "目標値が別の向きを示さない限り（30以下、前年度比減）、値が大きいほど良い指標とします。",
        default=None,
    )
    rate_formula: RateFormula | None = described(
        "How this indicator's 達成率 is computed, over the plan's rate_formula and the direction.",
        "この指標の達成率の計算方法。計画の rate_formula と向きより優先します。",
        default=None,
    )
    program: str | None = described(
        "事業名: the project the indicator measures (issue sheets).",
        "事業名: 指標が測る事業（課題シート）。",
        default=None,
    )
    department: str | None = described("所管課, as printed.", "所管課（印字どおり）。", default=None)
    cumulative: bool = described(
        "(累計): a running total that does not decrease.",
        "（累計）: 減ることのない累計値。",
        default=False,
    )
    component_of: str | None = described(
        "(内数): the key of the indicator this row is a part of.",
        "（内数）: この行を内訳として含む指標のキー。",
        default=None,
    )
    restates: str | None = described(
        "(再掲): the key of the indicator this row repeats.",
        "（再掲）: この行が再掲している指標のキー。",
        default=None,
    )
    series_breaks: list[SeriesBreak] = described(
        "Declared changes in what the yearly series counts (a redefinition, a restarted cumulative window), with "
        "their footnotes.",
        "年度系列の数え方の変更（定義の変更、累計期間の再開始）とその注記。",
        default_factory=list,
    )
    revisions: list[Revision] = described(
        "改訂後の期待値: targets revised during the plan period.",
        "改訂後の期待値: 計画期間中に改訂された目標値。",
        default_factory=list,
    )
    running_total_of: RunningTotalOf | None = described(
        "(累計) of the per-year counts of the indicator with this key (another edition's).",
        "（累計）: このキーの指標（別の版）の単年度の値を累計したもの。",
        default=None,
    )
    evaluations: YearTextMap = described(
        "評価: the band mark printed for a year (A, B+, ◎), one of the plan's bands.",
        "評価: 年度ごとに印字された評価区分の記号（A、B+、◎）。計画の評価区分のいずれか。",
        default_factory=dict,
    )
    category: str | None = described(
        "The indicator's group as printed (客観的指標, 主観的指標), which band counts may be stated per.",
        "指標の分類（客観的指標、主観的指標、印字どおり）。区分ごとの件数はこの分類ごとに記載されることがあります。",
        default=None,
    )
    schedule: Schedule | None = described(
        "算出方法: how the yearly targets follow from the baseline.",
        "算出方法: 基準値から各年度の目標値を導く方法。",
        default=None,
    )
    note: str | None = described("A note printed with the indicator.", "指標に付された注記。", default=None)

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


class ProjectItem(Model, json_schema_extra=japanese("関連事務事業一覧の1行。")):
    """One row of a 関連事務事業一覧."""

    no: int | None = described("The row's number (No), as printed.", "行番号（No、印字どおり）。", default=None)
    name: str = described("事務事業名, as printed.", "事務事業名（印字どおり）。")
    department: str | None = described("担当課, as printed.", "担当課（印字どおり）。", default=None)
    account: AccountValue | None = described(
        "予算科目 as 款-項-目 (\"3-4-4\"), with a special account's prefix (\"介3-1-1\").",
        "予算科目（款-項-目、\"3-4-4\"）。特別会計は略号付き（\"介3-1-1\"）。",
        default=None,
    )
    code: Code | None = described(
        "The project's six-digit code, in quotes (\"030309\").",
        "事業の6桁のコード（引用符付き、\"030309\"）。",
        default=None,
    )
    cost: AmountValue = described("事業費, as printed, in the list's unit.", "事業費（印字どおり、一覧の単位で）。")
    outlook: Outlook | None = described(
        "動向 (the project's outlook), as printed: 拡大, 改善, 維持, 縮小 or 廃止.",
        "動向（印字どおり）: 拡大、改善、維持、縮小、廃止のいずれか。",
        default=None,
    )
    main: bool = described("★: a main project of the 中期実行プラン.", "★: 中期実行プランの主要事業。", default=False)
    restated: bool = described(
        "【再掲】: listed again from another theme.",
        "【再掲】: 別のテーマから再掲された事業。",
        default=False,
    )
    note: str | None = described("A note printed with the project.", "事業に付された注記。", default=None)


class ProjectList(Model, json_schema_extra=japanese(
    "関連事務事業一覧: 事業ごとの事業費、記載された合計と、動向ごとの事業数。"
)):
    """関連事務事業一覧: itemised costs, their stated total and outlook counts."""

    year: FiscalYear | None = described("The fiscal year of the costs.", "事業費の年度。", default=None)
    unit: str = described("The unit of the costs (千円).", "事業費の単位（千円）。")
    items: list[ProjectItem] = described("The projects, in printed order.", "事務事業（掲載順）。")
    total: AmountValue | None = described(
        "合計, as printed: the sum of the items' costs.",
        "合計（印字どおり）: 各事業費の合計。",
        default=None,
    )
    outlook_counts: dict[Outlook, Annotated[int, Field(ge=0)]] | None = described(
        "事務事業の動向: the count of projects per outlook, as printed.",
        "事務事業の動向: 動向ごとの事業数（印字どおり）。",
        default=None,
    )
    rounding: RoundingDeclaration | None = described(
        "How the list rounds its costs and total, over the plan's rounding.",
        "一覧の事業費と合計の丸め方。計画の rounding より優先します。",
        default=None,
    )
    restated_in_total: bool = described(
        "false when the 合計 leaves out 【再掲】 items (再掲分を除く), so each cost is counted once.",
        "false: 合計が【再掲】の事業を含まない（再掲分を除く）ため、各事業費を一度だけ数えます。",
        default=True,
    )
    means_zero: ZeroMarks | None = described(_MEANS_ZERO, _MEANS_ZERO_JA, default=None)


class Numbering(Model, json_schema_extra=japanese("施策評価の番号: 基本目標・方針・テーマ。")):
    """A policy evaluation's numbering: 基本目標, 方針, テーマ."""

    goal: str = described("基本目標, as printed (Ⅱ).", "基本目標（印字どおり、Ⅱ）。")
    policy: int = described("方針's number.", "方針の番号。")
    theme: int = described("テーマ's number.", "テーマの番号。")


class Band(Model, json_schema_extra=japanese(
    "評価区分の一つ: 達成率が [min, below) または [min, "
    "max]（どちらの端も開いていてよい）にあるときに印字される記号と、計画が点数化する場合の点数。"
)):
    """One band of an evaluation scale: the mark printed for a rate in [min, below) or
    [min, max] (either end may be open), and the points it is worth where the plan scores."""

    mark: str = described("As printed: A, B+, S, ◎, 順調.", "評価の記号（印字どおり）: A、B+、S、◎、順調。")
    min: Decimal | None = described(
        "The least rate (%) in the band, included.",
        "区分に含まれる最小の達成率（%、その値を含む、以上）。",
        default=None,
    )
    below: Decimal | None = described(
        "The rate (%) the band stops below, excluded (A: 100 以上; B+: 80 以上 100 未満).",
        "区分の上限の達成率（%、その値を含まない、未満）（A: 100 以上、B+: 80 以上 100 未満）。",
        default=None,
    )
    max: Decimal | None = described(
        "The greatest rate (%) in the band, included, as printed (80～99%); leave `below` out.",
        "区分に含まれる最大の達成率（%、その値を含む、以下）。印字が 80～99% のような場合に使い、`below` "
        "と同時には指定しません。",
        default=None,
    )
    points: Decimal | None = described(
        "The points a band is worth, where the plan scores.",
        "計画が点数化する場合の、区分の点数。",
        default=None,
    )
    label: str | None = described(
        "What the band means, as printed (目標達成, 概ね順調).",
        "区分の意味（印字どおり、目標達成、概ね順調）。",
        default=None,
    )

    @model_validator(mode="after")
    def _one_upper_end(self) -> "Band":
        if self.below is not None and self.max is not None:
            raise PydanticCustomError("band_ends", "a band ends `below` a rate or at a `max`, not both")
        return self


class BandScale(Model, json_schema_extra=japanese(
    "評価区分: 計画が指標の達成率を評価する区分と、件数の集計で使う区分のまとまり（順調: [A, B+]）。"
)):
    """評価区分: the bands a plan grades its indicators' achievement rates by, and any
    grouping of them that its counts use (順調: [A, B+])."""

    basis: Literal["rate"] = described(
        "What the bands grade: the achievement rate (達成率, %).",
        "区分が評価する値: 達成率（%）。",
        default="rate",
    )
    bands: list[Band] = described(
        "The bands, as printed; together they must leave no gap and not overlap.",
        "評価区分（印字どおり）。区分の間に隙間や重なりがあってはなりません。",
    )
    groups: dict[str, list[str]] = described(
        "A status that groups bands, as counts state them: {順調: [A, B+], 順調でない: [B, C]}.",
        "件数の集計で使う、区分をまとめた状態: {順調: [A, B+], 順調でない: [B, C]}。",
        default_factory=dict,
    )


class CellRef(Model, json_schema_extra=japanese(
    "計画群の中の値の参照: 表のセル（table、row、column）、指標の値（指標の key、field、"
    "year、または年度の範囲 years）、事務事業一覧の合計（theme）、別の数値（figure）、列挙された"
    "項目の件数（items）。plan は別の文書を計画 id で指し、省略時はこの文書です。"
)):
    """A value somewhere in the plan set: a table cell (`table`, `row`, `column`), an
    indicator's value (`indicator` key, `field`, `year`, or `years` for a span of years),
    a project list's total (`theme`), another figure (`figure`, by its key) or the count
    of items a text lists (`items`). `plan` names another document by its plan id; not
    given: this one."""

    plan: str | None = described(
        "Another document's plan id; not given: this document.",
        "別の文書の計画 id。省略時はこの文書。",
        default=None,
    )
    table: str | None = described("The table's id.", "統計表の id。", default=None)
    row: str | None = described("The row's key in the table.", "表の行のキー。", default=None)
    column: str | None = described("The column's key in the table.", "表の列のキー。", default=None)
    indicator: str | None = described("The indicator's key.", "指標のキー。", default=None)
    field: Literal["baseline", "targets", "actuals", "rates"] | None = described(
        "The indicator's value: baseline (基準値), targets (目標値), actuals (実績値) or rates (達成率).",
        "指標のどの値か: baseline（基準値）、targets（目標値）、actuals（実績値）、rates（達成率）。",
        default=None,
    )
    year: FiscalYear | None = described("The fiscal year of the indicator's value.", "指標の値の年度。", default=None)
    years: Period | None = described(
        "A span of years (for a sum over them).",
        "年度の範囲（その期間の合計に使います）。",
        default=None,
    )
    theme: str | None = described(
        "A theme's id: its project list's 合計.",
        "テーマの id: その事務事業一覧の合計。",
        default=None,
    )
    figure: str | None = described(
        "Another figure of the same document, by its `key`: its value as printed (or its cell `at`).",
        "同じ文書の別の数値（その `key`）: 印字された値（または `at` のセル）。",
        default=None,
    )
    items: list[str] | None = described(
        "Items the text lists (①②③, or the rows of a list), as printed: the value is how many they are.",
        "本文が列挙する項目（①②③、一覧の各行）（印字どおり）: 値はその件数です。",
        default=None,
        min_length=1,
    )


class FigureChange(Model, json_schema_extra=japanese("年度間の増減: 数値 = to における of − from における of。")):
    """A change between years: the figure = `of` in `to` − `of` in `from`."""

    of: CellRef = described(
        "The series (a row, or an indicator's field), without a year.",
        "系列（行、または指標の値の種類）。年度は指定しません。",
    )
    from_: str = described("The earlier column key or year.", "比較の起点となる前の列のキーまたは年度。", alias="from")
    to: str = described("The later column key or year.", "比較の終点となる後の列のキーまたは年度。")


class FigureTrend(Model, json_schema_extra=japanese(
    "数値を伴わない増減の記述（増加・減少・横ばい・向上・改善）: from から to への of の動き。"
)):
    """A rise or fall stated without a number (増加, 減少, 横ばい, 向上, 改善): how `of` moves
    from `from` to `to`."""

    of: CellRef = described(
        "The series (a row or a column of a table, or an indicator's field), without a year.",
        "系列（表の行・列、または指標の値の種類）。年度は指定しません。",
    )
    from_: str = described("The earlier column key or year.", "比較の起点となる前の列のキーまたは年度。", alias="from")
    to: str = described("The later column key or year.", "比較の終点となる後の列のキーまたは年度。")
    direction: Literal["up", "down", "flat", "better", "worse"] = described(
        "up (増加, 上昇), down (減少, 低下), flat (横ばい, 同程度), or better / worse (向上, 改善 / 悪化): "
        "up or down by the indicator's direction (lower_is_better: better is down).",
        "up（増加・上昇）、down（減少・低下）、flat（横ばい・同程度）、または better / worse（向上・改善 / 悪化）: "
        "指標の向きによる増減（lower_is_better なら better は減少）。",
    )
    within: Decimal | None = described(
        "For flat: the largest change still 横ばい, in the series' unit, as the document states it; not given: no change at all.",
        "flat のとき: 横ばいとみなす最大の増減（系列の単位、文書の記載どおり）。省略時は増減なし（等しい）。",
        default=None,
        ge=0,
    )

    @model_validator(mode="after")
    def _within_flat(self) -> "FigureTrend":
        if self.within is not None and self.direction != "flat":
            raise PydanticCustomError("trend_within", "`within` is the tolerance of a flat trend (direction: flat) only")
        return self


class FigureRank(Model, json_schema_extra=japanese(
    "順位の記述: 数値は among の中で position 番目に大きい（または小さい）値です。"
)):
    """A rank claim: the figure is the `position`-th largest (or smallest) of `among`."""

    position: int = described("1 for 最も高い, 2 for 次いで.", "順位: 最も高い なら 1、次いで なら 2。", ge=1)
    among: CellRef = described(
        "A row or a column of a table: all its cells are the options.",
        "表の行または列: そのすべてのセルが比較の対象です。",
    )
    order: Literal["largest", "smallest"] = described(
        "largest (最も高い, 多い) or smallest (最も低い, 少ない).",
        "largest（最も高い・多い）または smallest（最も低い・少ない）。",
        default="largest",
    )


class Figure(Model, json_schema_extra=japanese(
    "表の外（見出し、注記、文）に印字された数値、または再び印字されたセル。印字どおりに一度だけ記述し、"
    "再掲している値を示します: equals（値と等しい）、change（2年度間の増減）、"
    "rank（表の値の中での順位）、sum（値の合計、文書をまたいでも可）、"
    "achieved（指標のある年度の達成済の記述）、missed（目標未達の記述）、trend（数値を伴わない増減）、"
    "product（値の積）。"
)):
    """A figure printed outside the grid (a heading, a footnote, a sentence) or a cell
    printed again, encoded once as printed with what it restates: `equals` a value,
    `change` between two years, `rank` among a table's values, `sum` of values (across
    documents too), `achieved` (a 達成済 claim on an indicator's year), `missed` (a target
    not reached), `trend` (a rise or fall without a number) or `product` of values."""

    key: str | None = described(
        "An id other figures of the document name it by (`{figure: KEY}`): a factor of a product or a part of a sum.",
        "文書内の他の数値がこの数値を指すための id（`{figure: KEY}`）: 積の因数や和の一部。",
        default=None,
    )
    value: CellValue | None = described(
        "The figure as printed; leave out with `at`.",
        "印字された数値。`at` を使う場合は省略します。",
        default=None,
    )
    unit: str | None = described(
        "The figure's unit, as printed (人, 件, %).",
        "数値の単位（印字どおり、人、件、%）。",
        default=None,
    )
    quote: str | None = described(
        "The sentence, heading or footnote that prints it, as printed.",
        "数値が記載されている文・見出し・注記（印字どおり）。",
        default=None,
    )
    printed_in: Literal["heading", "footnote", "text", "table"] | None = described(
        "Where it is printed: heading, footnote, text or table.",
        "掲載箇所: heading（見出し）、footnote（注記）、text（本文）、table（表）。",
        default=None,
    )
    at: CellRef | list[CellRef] | None = described(
        "The figure is this table cell (a number printed in two places); a list: the sum of these values "
        "(定員40人 printed three times, against an increase the text does not print).",
        "この数値は表のこのセルそのもの（同じ数値が2か所に印字されている）。リストならそれらの値の和"
        "（3か所に印字された定員40人と、本文に印字されない増加数）。",
        default=None,
    )
    equals: CellRef | None = described(
        "The value the figure restates: it must be equal to it.",
        "この数値が再掲している値: 等しくなければなりません。",
        default=None,
    )
    change: FigureChange | None = described(
        "The change between two years the figure states (増加数, 拡大幅): the later value − the earlier.",
        "この数値が示す2年度間の増減（増加数、拡大幅）: 後の値 − 前の値。",
        default=None,
    )
    rank: FigureRank | None = described(
        "A rank claim (最も高い, 次いで) over a table's row or column.",
        "表の行または列の中での順位の記述（最も高い、次いで）。",
        default=None,
    )
    sum: list[CellRef] | None = described(
        "The values it adds up (an indicator's field over `years`).",
        "この数値が合計している値（指標の値の `years` にわたる合計など）。",
        default=None,
    )
    achieved: CellRef | None = described(
        "A 達成済 claim: the indicator's actual meets its target in the year.",
        "達成済の記述: その年度の指標の実績値が目標値に達している。",
        default=None,
    )
    missed: CellRef | None = described(
        "A claim that a target was not reached (達成できていない): the indicator's actual falls short of its "
        "target in the year; a value printed with it restates the actual, or the target with `field: targets`.",
        "目標未達の記述（達成できていない）: その年度の指標の実績値が目標値に届いていない。一緒に印字された数値は"
        "実績値（`field: targets` なら目標値）の再掲です。",
        default=None,
    )
    trend: FigureTrend | None = described(
        "A rise or fall stated without a number (増加, 減少, 横ばい, 向上): the figure has no value.",
        "数値を伴わない増減の記述（増加、減少、横ばい、向上）: 数値（value）はありません。",
        default=None,
    )
    product: list[CellRef] | None = described(
        "The values it multiplies (1名 × the 5 圏域 listed = 5人); a count of listed items is `{items: [...]}`.",
        "この数値が掛け合わせている値（1名 × 列挙された5圏域 = 5人）。列挙された項目の件数は `{items: [...]}`。",
        default=None,
        min_length=1,
    )
    note: str | None = described("A note on the figure.", "数値に関する注記。", default=None)

    @model_validator(mode="after")
    def _one_claim(self) -> "Figure":
        names = ("equals", "change", "rank", "sum", "achieved", "missed", "trend", "product")
        claims = [name for name in names if getattr(self, name) is not None]
        if len(claims) > 1 or (not claims and self.key is None):
            raise PydanticCustomError(
                "figure_claim", "a figure states exactly one of equals, change, rank, sum, achieved, missed, trend, "
                "product ({count} given); only a figure with a `key` (a factor other figures name) may state none",
                {"count": len(claims)},
            )
        if self.trend is not None:
            if self.value is not None or self.at is not None:
                raise PydanticCustomError("figure_value", "a trend states no number: leave out `value` and `at`")
        elif (self.value is None) == (self.at is None) and self.achieved is None and self.missed is None:
            raise PydanticCustomError("figure_value", "a figure has its `value` as printed, or is the cell `at`")
        return self


class BandCount(Model, json_schema_extra=japanese(
    "文書が記載する、評価区分や状態ごとの指標の件数（「80%以上 41、50%以上80%未満 9、50%未満 "
    "4、合計 54」）。年度ごと、必要なら分類ごと。"
)):
    """Counts of indicators per band or status as a document states them (「80%以上 41、
    50%以上80%未満 9、50%未満 4、合計 54」), for a year and optionally one category."""

    year: FiscalYear | None = described("The fiscal year the counts are for.", "件数の対象年度。", default=None)
    category: str | None = described(
        "Only the indicators of this category (客観的指標).",
        "この分類（客観的指標など）の指標だけを数えます。",
        default=None,
    )
    counts: dict[str, CountValue] = described(
        "Band mark or group -> the count as printed.",
        "評価区分の記号または状態 → 印字された件数。",
    )
    total: CountValue | None = described("合計, as printed.", "合計（印字どおり）。", default=None)
    listed: bool = described(
        "false when the document does not list the counted indicators here, so the counts are checked against their "
        "total only.",
        "false: 数えられた指標がここに掲載されていないため、件数は合計とだけ照合します。",
        default=True,
    )
    note: str | None = described("A note printed with the counts.", "件数に付された注記。", default=None)


class Section(Model, json_schema_extra=japanese(
    "計画のすべての節が持つもの: 表題、出典、注記、指標、数値、区分ごとの件数。"
)):
    """What every plan section has: a title, its source, footnotes and indicators."""

    title: str = described("The section's title, as printed.", "節の表題（印字どおり）。")
    source: Source | None = described(
        "Where the section is printed: heading and lines of the source.",
        "節の出典: 原文の見出しと行。",
        default=None,
    )
    footnotes: dict[str, str] = described(
        "The section's footnotes: mark (※1) -> text as printed.",
        "節の注記: 記号（※1）→ 印字された本文。",
        default_factory=dict,
    )
    indicators: list[Indicator] = described(
        "The section's indicators (成果指標, KPI), in printed order.",
        "節の指標（成果指標、KPI）（掲載順）。",
        default_factory=list,
    )
    figures: list[Figure] = described(
        "Figures printed in the section's headings, footnotes and text, with what they restate.",
        "節の見出し・注記・本文に印字された数値と、それが再掲している値。",
        default_factory=list,
    )
    band_counts: list[BandCount] = described(
        "Counts of the section's indicators per band or status, as printed.",
        "節の指標の、評価区分や状態ごとの件数（印字どおり）。",
        default_factory=list,
    )


class Theme(Section, json_schema_extra=japanese("施策評価のテーマ（基本目標 – 方針 – テーマ）。")):
    """A theme of a policy evaluation (基本目標 – 方針 – テーマ)."""

    id: str = described("A stable id of the theme (II-4-11).", "テーマの固定の id（II-4-11）。")
    numbering: Numbering | None = described(
        "基本目標 – 方針 – テーマ, as numbered.",
        "基本目標・方針・テーマの番号。",
        default=None,
    )
    assessment: str | None = described("目標達成度合い, as printed.", "目標達成度合い（印字どおり）。", default=None)
    assessment_reason: str | None = described(
        "The reason given for the assessment, as printed.",
        "目標達成度合いの理由（印字どおり）。",
        default=None,
    )
    projects: ProjectList | None = described(
        "関連事務事業一覧: the related projects, their costs and 合計.",
        "関連事務事業一覧: 関連する事務事業、その事業費と合計。",
        default=None,
    )


class MajorProject(Model, json_schema_extra=japanese("主要事業の年次計画の事業: 年度ごとの計画費用と概略。")):
    """A project of 主要事業の年次計画: yearly planned costs and summaries."""

    name: str = described("The project's name, as printed.", "事業名（印字どおり）。")
    departments: list[str] = described("【担当課】, as printed.", "【担当課】（印字どおり）。", default_factory=list)
    costs: AmountYearMap = described(
        "費用 per year, as printed (— = none that year).",
        "年度ごとの費用（印字どおり、— はその年度なし）。",
        default_factory=dict,
    )
    summaries: YearTextMap = described(
        "概略 per year, as printed.",
        "年度ごとの概略（印字どおり）。",
        default_factory=dict,
    )
    note: str | None = described("A note printed with the project.", "事業に付された注記。", default=None)


class MajorProjectList(Model, json_schema_extra=japanese("主要事業の年次計画: 費用の単位と事業。")):
    """主要事業の年次計画: the unit of the costs and the projects."""

    unit: str = described("The unit of the costs (千円).", "費用の単位（千円）。")
    items: list[MajorProject] = described("The projects, in printed order.", "事業（掲載順）。")


class Policy(Section, json_schema_extra=japanese("中期実行プランの施策。")):
    """A policy of an execution plan (中期実行プラン)."""

    projects: MajorProjectList | None = described(
        "主要事業の年次計画: the policy's projects and their yearly costs.",
        "主要事業の年次計画: 施策の事業と年度ごとの費用。",
        default=None,
    )


class Measure(Model, json_schema_extra=japanese("施策: 総合戦略の一つの施策と、その所管課、進捗状況。")):
    """施策: one measure of a strategy, with its departments and progress (進捗状況)."""

    no: int = described("施策番号, as printed.", "施策番号（印字どおり）。")
    name: str = described("The measure's name, as printed.", "施策名（印字どおり）。")
    departments: list[str] = described("所管課, as printed.", "所管課（印字どおり）。", default_factory=list)
    related_departments: list[str] = described(
        "(関連課), printed in brackets.",
        "（関連課）: 括弧書きで印字された課。",
        default_factory=list,
    )
    progress: str | None = described("進捗状況, as printed: 実施済.", "進捗状況（印字どおり、実施済）。", default=None)
    note: str | None = described("A note printed with the measure.", "施策に付された注記。", default=None)


class Area(Section, json_schema_extra=japanese(
    "総合戦略の基本目標の下の施策のまとまり（① 農のあるまちづくりの推進）: その施策と KPI。"
)):
    """A strategy's measure group under a goal (① 農のあるまちづくりの推進): its measures
    and its KPIs."""

    number: str = described("As printed: ①, ②, …", "番号（印字どおり、①、②、…）。")
    measures: list[Measure] = described(
        "The group's measures (施策), in printed order.",
        "施策（掲載順）。",
        default_factory=list,
    )


class Count(Model, json_schema_extra=japanese("報告の本文に記載された数（こだまちサロン…32か所）。")):
    """A count a report states in its text (こだまちサロン…32か所)."""

    name: str = described(
        "What is counted, as printed (こだまちサロン).",
        "数えている対象（印字どおり、こだまちサロン）。",
    )
    value: CountValue = described(
        "The count as printed (32か所), or a frequency (年1回) or an approximate count (約20か所).",
        "印字された数（32か所）、または頻度（年1回）や概数（約20か所）。",
    )
    note: str | None = described("A note printed with the count.", "数に付された注記。", default=None)


class Direction(Model, json_schema_extra=japanese("活動計画の取組の方向性と、記載された状態、本文中の数。")):
    """取組の方向性 of an activity plan, with its stated status and the counts it gives."""

    number: int = described("The direction's number, as printed.", "取組の方向性の番号（印字どおり）。")
    title: str = described("The direction's title, as printed.", "取組の方向性の表題（印字どおり）。")
    status: str | None = described(
        "今後の取組の方向性, as printed: 継続.",
        "今後の取組の方向性（印字どおり、継続）。",
        default=None,
    )
    counts: list[Count] = described("The counts its text states.", "本文に記載されている数。", default_factory=list)
    source: Source | None = described("Where the direction is printed.", "取組の方向性の出典。", default=None)


class Goal(Section, json_schema_extra=japanese(
    "基本目標: 総合戦略の基本目標（数値目標を指標として、施策のまとまりを areas として）"
    "または活動計画の基本目標（directions）。"
)):
    """基本目標: a strategy's goal (数値目標 as its indicators, measure groups as `areas`) or
    an activity plan's goal (its `directions`)."""

    id: str = described("A stable id of the goal.", "基本目標の固定の id。")
    number: int = described("基本目標's number, as printed.", "基本目標の番号（印字どおり）。")
    areas: list[Area] = described(
        "A strategy's measure groups (① 農のあるまちづくりの推進) with their measures and KPIs.",
        "総合戦略の施策のまとまり（① 農のあるまちづくりの推進）と、その施策・KPI。",
        default_factory=list,
    )
    directions: list[Direction] = described(
        "An activity plan's 取組の方向性.",
        "活動計画の取組の方向性。",
        default_factory=list,
    )


class Column(Model, json_schema_extra=japanese(
    "表の列。印字された見出しをキーとします。columns を持つ列は下位の列の見出し（令和3年度 の下に "
    "見込量、実績、対計画比）で、それ自体に値がある場合、その値は各行で合計可能な下位の列の合計です。"
)):
    """A column of a table, keyed by its printed header. A column with `columns` is a
    header over sub-columns (令和3年度 over 見込量, 実績, 対計画比): where it states values
    itself, they are the sum of its additive sub-columns, in every row."""

    key: str = described(
        "The header as printed: 平成30年, 令和3年度, ※R4.11.1. Unique among the table's columns at every depth: a "
        "sub-column printed 見込量 under 令和3年度 is keyed 令和3年度見込量 and named 見込量.",
        "印字された列見出し: 平成30年、令和3年度、※R4.11.1。表のすべての階層で一意: 令和3年度の下の見込量の列は、"
        "キーを 令和3年度見込量、name を 見込量 とします。",
    )
    name: str | None = described(
        "The header as printed when the key must differ from it (a sub-column's 見込量); not given: the key.",
        "キーと異なる場合の、印字された列見出し（下位の列の 見込量）。省略時はキー。",
        default=None,
    )
    year: FiscalYear | None = described(
        "The (calendar or fiscal) year it stands for, if one (a sub-column inherits its header's).",
        "列が表す年（暦年または年度）。下位の列は見出しの年を引き継ぎます。",
        default=None,
    )
    as_of: str | None = described(
        "The date the values are taken at, when the header gives one.",
        "見出しに記載された、値の時点（日付）。",
        default=None,
    )
    provisional: bool = described("速報値: a provisional figure.", "速報値: 暫定の数値。", default=False)
    unit: str | None = described(
        "The unit of this column's values, over the table's.",
        "この列の値の単位。表の単位より優先します。",
        default=None,
    )
    role: str | None = described(
        "The column's part in the table's kind (current, previous, change, ratio, share, plan, actual, …); not "
        "given: recognised from its printed header.",
        "表の種類の中での列の役割（current 本年度、previous 前年度、change 増減、ratio 比率、share 構成比、plan "
        "計画、actual 実績 …）。省略時は印字された見出しから判断します。",
        default=None,
    )
    additive: bool | None = described(
        "false: the values do not add up over rows (a rate, a 単価), so no sum runs down this column. Not given: "
        "false for a column a ratio relation states, else true.",
        "false: 値を行にわたって合計できない（率、単価）ため、この列では縦の合計を検査しません。省略時は、"
        "比率の関係が定める列なら false、それ以外は true。",
        default=None,
    )
    columns: "list[Column]" = described(
        "The sub-columns under this header; where the header states values, they are the sum of its additive "
        "sub-columns.",
        "この見出しの下の列。見出しの列に値がある場合、その値は合計可能な下位の列の合計です。",
        default_factory=list,
    )
    means_zero: ZeroMarks | None = described(_MEANS_ZERO, _MEANS_ZERO_JA, default=None)

    @property
    def label(self) -> str:
        return self.name or self.key


class TableRow(Model, json_schema_extra=japanese(
    "表の行。rows を持つ行はそれらの行からなり（款 > 項 > 目、会計 > 特別会計 > 各会計、章 > "
    "節）、それ自体に値がある場合、その値は各列で合計可能な内訳の行の合計です。値のない行は見出しです。"
)):
    """A row of a table. A row with `rows` is made of them (款 > 項 > 目, 会計 > 特別会計 >
    each account, 章 > 節): where it states values itself, they are the sum of its
    additive sub-rows, in every column; a row without values is a heading."""

    key: str = described(
        "A stable name for the row, used by relations and rules; unique in the table at every depth.",
        "行の固定の名前。関係やルールが参照します。表のすべての階層で一意。",
    )
    name: str = described("The row's label as printed.", "印字された行の見出し。")
    year: FiscalYear | None = described(
        "The (calendar or fiscal) year the row stands for, if one (a table with a year per row; a sub-row "
        "inherits its parent's): a series down the rows (running_sum, change, lag) steps a year at a time.",
        "この行が表す年・年度（年度ごとの行の表。下位の行は親の行の年度）。行をたどる累計・増減・前期の関係は1年ずつ進みます。",
        default=None,
    )
    unit: str | None = described(
        "The unit of this row's values, over its column's and table's.",
        "この行の値の単位。列と表の単位より優先します。",
        default=None,
    )
    role: str | None = described(
        "The row's part in the table's kind (personnel, project, full_cost, general_revenue, …); not given: "
        "recognised from its printed label.",
        "表の種類の中での行の役割（personnel 人件費、project 事業費、full_cost フルコスト、general_revenue 一般財源 "
        "…）。省略時は印字された見出しから判断します。",
        default=None,
    )
    additive: bool | None = described(
        "false: the values do not add up into the parent row (a rate, a 単位コスト). Not given: false for a row a "
        "ratio relation states, else true.",
        "false: 値を親の行に合計できない（率、単位コスト）。省略時は、比率の関係が定める行なら false、それ以外は "
        "true。",
        default=None,
    )
    values: dict[str, TableValue] = described(
        "Column key -> value as printed; empty for a heading row.",
        "列のキー → 印字された値。見出しだけの行では空。",
        default_factory=dict,
    )
    rows: "list[TableRow]" = described(
        "The rows this row is made of, printed under it (款 > 項 > 目): where this row states values, they are the "
        "sum of its additive sub-rows.",
        "この行の内訳として下に印字された行（款 > 項 > 目）。この行に値がある場合、"
        "その値は合計可能な内訳の行の合計です。",
        default_factory=list,
    )
    note: str | None = described("A note printed with the row.", "行に付された注記。", default=None)


RelationForm = Literal[
    "sum", "difference", "ratio", "share", "product", "running_sum", "change", "lag", "bound", "subset", "equal"
]


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


# `of: current` is `of: [current]`
_ONE_OR_MANY_SCHEMA = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}


class Relation(Model, json_schema_extra=japanese(
    "表の行・列が満たす関係。一つの行（row、すべての列で検査）または列（column、すべての行で検査）を、"
    "同じ軸の行・列で定めます: sum 合計、difference 差（増減 = 本年度 − 前年度）、"
    "ratio 比率（前年度比、対計画比、率、進捗率）、share 構成比（部分 ÷ 合計 × 100）、"
    "product 積（基準値 × 率、以上 なら切り上げ）、running_sum 累計、change "
    "前の行・列からの増減、lag 前の行・列の値（今期の基準値 = 前期の最終実績）、bound 範囲、"
    "subset うち（全体以下）、equal 別の表の行・列と一致。only / skip "
    "で検査する交差する行・列を限定します。"
)):
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

    check: RelationForm = described(
        "The form: sum, difference, ratio, share, product, running_sum, change, lag, bound, subset or equal.",
        "関係の形: sum（合計）、difference（差、増減）、ratio（比率）、share（構成比）、product（積）、"
        "running_sum（累計）、change（前年度からの増減）、lag（前年度の値）、bound（範囲）、subset（うち）、"
        "equal（一致）。",
    )
    row: str | None = described(
        "The row the relation states (evaluated in every column).",
        "関係が定める行（すべての列で検査します）。",
        default=None,
    )
    column: str | None = described(
        "The column the relation states (evaluated in every row).",
        "関係が定める列（すべての行で検査します）。",
        default=None,
    )
    of: Annotated[list[str], BeforeValidator(_one_or_many), WithJsonSchema(_ONE_OR_MANY_SCHEMA)] = described(
        "The operand lines: the parts of a sum, the minuend then the subtrahends of a difference, the amount of a "
        "share, the base of a product, the series of running_sum, change, lag.",
        "演算の対象となる行または列: 合計の内訳、差の被減数と減数（順に）、構成比の分子、積の基数、"
        "累計・増減・前年度の値の元の系列。",
        default_factory=list,
    )
    numerator: str | None = described(
        "ratio: the line divided (実績 in 対計画比, 本年度 in 前年度比).",
        "ratio: 割られる行または列（対計画比の実績、前年度比の本年度）。",
        default=None,
    )
    denominator: str | None = described(
        "ratio: the line divided by (見込量 in 対計画比, 前年度 in 前年度比).",
        "ratio: 割る行または列（対計画比の見込量、前年度比の前年度）。",
        default=None,
    )
    scale: Decimal = described(
        "The quotient's factor: 100 for a percentage.",
        "商に掛ける倍率: 百分率なら 100。",
        default=Decimal(1),
    )
    places: int | None = described(
        "Decimals a ratio, share or product is stated to; not given: the stated value's own.",
        "比率・構成比・積を記載する小数点以下の桁数。省略時は記載値そのものの桁数。",
        default=None, ge=0,
    )
    total: str | None = described(
        "share: the line of the other axis that holds the whole (the 合計 row of a 構成比 column).",
        "share: 全体の値を持つ、もう一方の軸の行または列（構成比の列に対する合計の行）。",
        default=None,
    )
    by: Decimal | str | None = described(
        "product: the factor, or the line that holds it.",
        "product: 掛ける数、またはそれを持つ行・列。",
        default=None,
    )
    min: Decimal | None = described("bound: the least value allowed.", "bound: 許される最小の値。", default=None)
    max: Decimal | None = described("bound: the greatest value allowed.", "bound: 許される最大の値。", default=None)
    starts_here: bool = described(
        "running_sum: the series starts at the first cross line, where the line equals `of`.",
        "running_sum: 累計が最初の行・列から始まり、そこでは `of` と等しい。",
        default=False,
    )
    other: str | None = described(
        "equal: the line it equals, in another table: `table-id/line-key`.",
        "equal: 等しいはずの別の表の行または列（`table-id/line-key`）。",
        default=None,
    )
    only: list[str] | None = described(
        "Evaluate at these cross lines only (column keys for a row relation, row keys for a column relation).",
        "これらの交差する行・列でだけ検査します（行の関係なら列のキー、列の関係なら行のキー）。",
        default=None,
    )
    skip: list[str] = described(
        "Do not evaluate at these cross lines.",
        "これらの交差する行・列では検査しません。",
        default_factory=list,
    )
    note: str | None = described(
        "Why the relation holds (the source's definition), for the reader.",
        "関係が成り立つ理由（出典の定義など）の説明。",
        default=None,
    )
    means_zero: ZeroMarks | None = described(_MEANS_ZERO, _MEANS_ZERO_JA, default=None)

    @property
    def axis(self) -> Literal["row", "column"]:
        return "row" if self.row is not None else "column"

    @property
    def line(self) -> str:
        return self.row if self.row is not None else str(self.column)

    @model_validator(mode="after")
    def _operands(self) -> "Relation":
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


TableKind = Literal["budget", "account_budget", "cost_sheet", "service_progress", "achievement_matrix",
                    "settlement_revenue", "settlement_expenditure"]


class StatisticsTable(Section, json_schema_extra=japanese(
    "統計表: 行と列（それぞれ階層を持てる）、印字された値、行・列の間の関係。"
)):
    """A table: its rows and columns (each a tree), their values as printed, and the
    relations between its lines."""

    id: str = described(
        "A stable id of the table, unique in the file; relations and figures name it.",
        "表の固定の id（ファイル内で一意）。関係や数値の参照がこれを指します。",
    )
    kind: TableKind | None = described(
        "The table's document kind: budget (予算・決算 by 款), account_budget (会計別予算), cost_sheet (事務事業評価's "
        "コストシート), service_progress (見込量 and 実績 per service), achievement_matrix (総合計画 達成状況), settlement_revenue and "
        "settlement_expenditure (決算: 歳入 and 歳出 by 款 or 会計). Its lines "
        "are recognised by their printed labels and the kind's relations are checked without being declared "
        "(`plancheck format tables`).",
        "表の種類: budget（款別の予算・決算）、account_budget（会計別予算）、cost_sheet（事務事業評価のコストシート）、"
        "service_progress（サービスごとの見込量と実績）、achievement_matrix（総合計画の達成状況）、settlement_revenue・"
        "settlement_expenditure（歳入・歳出の決算、款別・会計別）。印字された見出しで"
        "行・列を判断し、その種類の関係を宣言なしに検査します（`plancheck format tables`）。",
        default=None,
    )
    number: str | None = described("As printed: ①, ②, …", "表の番号（印字どおり、①、②、…）。", default=None)
    unit: str | None = described(
        "The unit of the table's values (人, 千円), unless a row or column says otherwise.",
        "表の値の単位（人、千円）。行や列の指定が優先します。",
        default=None,
    )
    as_of: str | None = described(
        "各年10月1日現在, as printed.",
        "値の時点（印字どおり、各年10月1日現在）。",
        default=None,
    )
    columns: list[Column] = described(
        "The columns in printed order, a header before its sub-columns.",
        "列（掲載順、見出しの列はその下位の列より先）。",
    )
    rows: list[TableRow] = described(
        "The rows in printed order, a row before its sub-rows (内訳).",
        "行（掲載順、親の行はその内訳の行より先）。",
    )
    relations: list[Relation] = described(
        "The relations the table's lines satisfy (合計, 増減, 比率, 構成比, 累計 …).",
        "表の行・列が満たす関係（合計、増減、比率、構成比、累計 …）。",
        default_factory=list,
    )
    rounding: RoundingDeclaration | None = described(
        "How the table rounds its values, over the plan's rounding.",
        "表の値の丸め方。計画の rounding より優先します。",
        default=None,
    )
    means_zero: ZeroMarks | None = described(_MEANS_ZERO, _MEANS_ZERO_JA, default=None)

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


class PlanFile(Model, json_schema_extra=japanese("一つの計画ファイル: 文書の見出し情報と、このファイルが持つ節。")):
    """One plan file: the document header and the sections this file holds."""

    plan: PlanHeader = described(
        "The document header: id, title, kind, period, source.",
        "文書の見出し情報: id、表題、種類、期間、出典。",
    )
    themes: list[Theme] = described(
        "A policy evaluation's themes (テーマ).",
        "施策評価のテーマ。",
        default_factory=list,
    )
    policies: list[Policy] = described(
        "An execution plan's policies (施策).",
        "中期実行プランの施策。",
        default_factory=list,
    )
    goals: list[Goal] = described(
        "A strategy's or an activity plan's goals (基本目標).",
        "総合戦略・活動計画の基本目標。",
        default_factory=list,
    )
    tables: list[StatisticsTable] = described(
        "The document's statistics tables.",
        "文書の統計表。",
        default_factory=list,
    )
    figures: list[Figure] = described(
        "Figures printed outside any section (a preface, a summary), with what they restate.",
        "どの節にも属さない箇所（前文、概要）に印字された数値と、それが再掲している値。",
        default_factory=list,
    )
    band_counts: list[BandCount] = described(
        "Counts of all the document's indicators per band or status, as printed.",
        "文書の全指標の、評価区分や状態ごとの件数（印字どおり）。",
        default_factory=list,
    )
    cells: dict[Annotated[str, Field(pattern=r"^(/[^/]*)+$")],
                Annotated[str, Field(pattern=CELL_ADDRESS_PATTERN)]] = described(
        "Where each imported value was read (`plancheck import`): the value's place in this file as a JSON Pointer "
        "over the keys as written (/themes/0/projects/items/2/cost) -> the workbook cell or range it came from "
        "(関連事務事業一覧!F8, 関連事務事業一覧!A4:G14). Diagnostics name the cell beside the YAML position.",
        "取り込んだ各値の読み取り元（`plancheck import`）: このファイル内の値の位置（記載どおりのキーによる JSON Pointer、"
        "/themes/0/projects/items/2/cost）→ 元のブックのセルまたは範囲（関連事務事業一覧!F8、関連事務事業一覧!A4:G14）。"
        "指摘は YAML の位置とともにこのセルを示します。",
        default_factory=dict,
    )
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


def build_validator(cache: Any = None) -> None:
    """PlanFile's validator, ready before the first file is validated (and before worker
    processes are forked, so that each inherits it instead of building its own).

    Building it is a large part of what a one-file check costs (pydantic generates the core
    schema of every model in Python: 35-45 ms of CPU measured on a loaded machine), and the
    result depends only on plancheck's code and pydantic's. So with a cache
    (`checker.cache.Cache` or `MemoryCache`), the core schema for validation is kept there,
    signed as every entry is (an entry that fails its signature is a miss and is never
    unpickled), and the next process gives it straight to pydantic-core, which makes the
    validator from it in 2-3 ms (the same machine). Serialization
    (`plancheck schema`, `model_dump`) is unaffected: it is still built by pydantic, when
    first used. Without a cache, or on a miss, the validator is built as pydantic builds it.

    The cache is remembered while the run holds it: the other models validated on a check's
    path (the check functions' options, `prepare_validator`) take theirs from it too, and so
    never make pydantic look for its plugins or build a schema."""
    global _validator_cache
    if cache is not None:
        import weakref

        try:
            _validator_cache = weakref.ref(cache)  # the run's: never kept open beyond it
        except TypeError:  # a cache that cannot be referred to weakly: the other models as pydantic builds them
            _validator_cache = None
    _install_validator(PlanFile, cache)


def run_cache() -> Any:
    """The cache `build_validator` was last given, while the run still holds it; else None.
    What else a check's path keeps across processes (the loader's resolver table) uses it."""
    return _validator_cache() if _validator_cache is not None else None


def prepare_validator(model: type[BaseModel]) -> None:
    """`model`'s validator, from the cache `build_validator` was given, before its first
    validation (without one, pydantic builds it then, as it would anyway)."""
    cache = run_cache()
    if cache is not None:
        _install_validator(model, cache)


def _install_validator(model: type[BaseModel], cache: Any) -> None:
    if model in validators_from_cache or model in _validators_kept:
        return
    if cache is None:
        if not model.__pydantic_complete__:
            model.model_rebuild()
        return
    import pydantic_core

    key = validator_key(cache, model)
    tag = _validator_tag(model)
    if not model.__pydantic_complete__:
        entry = cache.get("file", key)
        if isinstance(entry, tuple) and len(entry) == 3 and entry[0] == tag:
            try:
                model.__pydantic_validator__ = pydantic_core.SchemaValidator(entry[1], entry[2])
            except Exception:  # noqa: BLE001 - an entry pydantic-core does not take is a miss, as a stale one is
                pass
            else:
                validators_from_cache.add(model)
                return
        model.model_rebuild()
    # built here, or already (a ruleset's options are validated as it is checked): kept for
    # the next process either way
    built = model.__pydantic_validator__
    if type(built) is pydantic_core.SchemaValidator:  # not a plugin's wrapper, which is never kept
        reduced: Any = built.__reduce__()
        schema, config = reduced[1][:2]  # what pickling the validator keeps: its schema, config
        cache.put("file", key, (tag, _validation_schema(schema), config))
    _validators_kept.add(model)


# the models whose validator this process made from a cache entry
validators_from_cache: set[type[BaseModel]] = set()
_validators_kept: set[type[BaseModel]] = set()  # those it built, and kept in the cache
_validator_cache: Any = None  # a weak reference to the cache build_validator was last given


def validator_key(cache: Any, model: type[BaseModel]) -> str:
    """The cache key of `model`'s validator: the model, pydantic's versions, and what decides
    whether pydantic would wrap it in a plugin's validator (`_plugin_state`)."""
    import pydantic_core

    return cache.key("validator", model.__module__, model.__qualname__, pydantic_core.__version__,
                     _pydantic_version(), *_plugin_state())


def _validator_tag(model: type[BaseModel]) -> str:
    # what the entry is, should a key ever collide: never another model's schema
    return f"plancheck validator 2 {model.__module__}.{model.__qualname__}"


def _pydantic_version() -> str:
    from pydantic import VERSION

    return VERSION


def _plugin_state() -> tuple[str, ...]:
    """What pydantic's plugin lookup depends on (pydantic.plugin._loader: the `pydantic` entry
    points of the distributions on the import path, read by importlib.metadata from each
    one's `entry_points.txt`, unless PYDANTIC_DISABLE_PLUGINS says none), without reading
    it (importlib.metadata and the reading cost 15-20 ms a process): the variable, and for
    each import path that holds distributions their metadata directories with the mtime of
    their entry points (a path that is a file, a zip, its own mtime). A validator a plugin
    wraps is never kept, so a kept one is used only while the distributions are those it was
    built under. (The CLI turns plugins off unless the variable is set: cli.main.)"""
    if not _PLUGIN_STATE:
        import os
        import sys

        state = [os.environ.get("PYDANTIC_DISABLE_PLUGINS", "\0")]
        for entry in sys.path:
            try:
                entry = os.path.abspath(entry)  # "" (python -c) is the directory `-m` names
                with os.scandir(entry) as listing:
                    names = sorted(item.name for item in listing if item.name.endswith((".dist-info", ".egg-info")))
            except NotADirectoryError:
                state += (entry, _mtime(entry))
                continue
            except (OSError, ValueError, TypeError):
                continue
            if names:  # a path without any (the script's, the project's) changes no lookup
                state.append(entry)
            for name in names:
                state += (name, _mtime(os.path.join(entry, name, "entry_points.txt")))
        _PLUGIN_STATE.append(tuple(state))
    return _PLUGIN_STATE[0]


_PLUGIN_STATE: list[tuple[str, ...]] = []  # once a process


def _mtime(path: str) -> str:
    import os

    try:
        return str(os.stat(path).st_mtime_ns)
    except (OSError, ValueError):
        return "-"


def _validation_schema(node: Any) -> Any:
    """A core schema with what only serialization and JSON Schema use left out (each schema
    node's `serialization` and `metadata`, which hold pydantic's own local functions and
    cannot be pickled); what validation reads is all there. A schema node is a dict whose
    `type` is a string; a mapping of field names (whose values are dicts) is never cut."""
    if isinstance(node, dict):
        schema_node = isinstance(node.get("type"), str)
        return {key: _validation_schema(value) for key, value in node.items()
                if not (schema_node and key in ("serialization", "metadata"))}
    if isinstance(node, list):
        return [_validation_schema(value) for value in node]
    if isinstance(node, tuple):
        return tuple(_validation_schema(value) for value in node)
    return node


def plan_json_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of a plan file, as `plancheck schema` prints it: every field
    described in English (`description`), in Japanese (`x-description-ja`), and in both for
    the editors that show `markdownDescription` (VS Code's JSON and YAML language servers)."""
    schema = PlanFile.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://plancheck.invalid/schema/plan.json"
    schema["title"] = "plancheck plan file"
    add_markdown_descriptions(schema)
    return schema


def add_markdown_descriptions(node: Any) -> None:
    """Add `markdownDescription` (the Japanese, then the English) wherever a schema node is
    described in both languages."""
    if isinstance(node, dict):
        english, japanese = node.get("description"), node.get(DESCRIPTION_JA)
        if isinstance(english, str) and isinstance(japanese, str):
            node["markdownDescription"] = f"{japanese}\n\n{english}"
        for value in node.values():
            add_markdown_descriptions(value)
    elif isinstance(node, list):
        for value in node:
            add_markdown_descriptions(value)
