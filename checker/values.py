"""The value forms of Japanese plan tables, read once into typed values.

A cell is a number (with its stated precision, written unit and annotations), a bound
(`4以上`), a relative target (`前年度比減`), a qualitative target (`充実`) or an absence with
its reason (`—`, `(※4)`). Rules only ever see these types; they never parse strings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Context, Decimal

from checker.fiscal import FiscalYearError, parse_fiscal_year

ABSENT_MARKS = {"—", "-", "－", "―", "‐", "–", "ー", "", "─", "ｰ"}

RELATIVE_FORMS = {
    # text as printed -> kind. The kind decides the achievement-rate formula.
    "前年度比減": "decrease",
    "前年比減": "decrease",
    "前年度以下": "not_above",
    "前年以下": "not_above",
    "前年度比同程度": "about_same",
    "前年比同程度": "about_same",
    "前年度同程度": "about_same",
}

MONEY_SCALES = {"円": 0, "千円": 3, "万円": 4, "百万円": 6, "億円": 8}

# A number as printed: sign (△ and ▲ are the public-finance minus), digits with separators.
_NUMBER = r"(?P<sign>[△▲+\-]?)(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_MARKS = r"(?P<marks>(?:\s*(?:\[\s*※\d*\s*\]|[(（]\s*※\d*\s*[)）]|※\d*|\*))*)"
_UNIT = r"(?P<unit>[^\d\s.,()（）\[\]※*][^()（）\[\]※*]*?)?"
_MEASURED = r"(?:\s*[(（]\s*(?P<measured>[^)）]+?)\s*[)）])?"
_CELL_RE = re.compile(rf"^{_NUMBER}\s*{_MARKS}\s*{_UNIT}\s*{_MARKS.replace('marks', 'marks2')}{_MEASURED}$")
_BOUND_AFTER_RE = re.compile(rf"^{_NUMBER}\s*(?P<unit>[^\d\s以]*?)\s*(?P<bound>以上|以下|超|未満)$")
_BOUND_BEFORE_RE = re.compile(rf"^(?P<bound>以上|以下)\s*{_NUMBER}\s*(?P<unit>[^\d\s]*)$")
_ABSENT_NOTE_RE = re.compile(r"^[(（]\s*(?P<mark>※\d*)\s*[)）]$")


@dataclass(frozen=True)
class Number:
    """A stated number. `places` is its stated precision (27.0 has 1, 1,234 has 0)."""

    value: Decimal
    places: int
    text: str
    unit: str | None = None  # a unit written on the value itself, e.g. 千円 in `8,345 千円`
    marks: tuple[str, ...] = ()  # footnote marks: ※, ※2, *
    reset: bool = False  # `58 [※]`, `24.2(※)`: the target was reset, a footnote says why
    measured: str | None = None  # `(令和3年5月)`, `(平成30年度)`: measured at another time
    measured_year: int | None = None  # the fiscal year of `measured`, when it is one

    @property
    def step(self) -> Decimal:
        """One unit of the last stated digit: 1 for 46, 0.1 for 75.4."""
        return Decimal(1).scaleb(-self.places)


@dataclass(frozen=True)
class Absent:
    """Not applicable or not yet known (`—`, `-`, `(※4)`). Never zero."""

    reason: str
    text: str


@dataclass(frozen=True)
class Bound:
    """`4以上`: at least 4 (or at most, for 以下)."""

    number: Number
    kind: str  # "at_least" | "at_most" | "above" | "below"
    text: str


@dataclass(frozen=True)
class Relative:
    """A target stated against the previous year: 前年度比減, 前年以下, 前年比同程度."""

    kind: str  # "decrease" | "not_above" | "about_same"
    text: str


@dataclass(frozen=True)
class Qualitative:
    """A target in words: 充実, 継続, 計画の策定. No rate can be computed from it."""

    text: str


@dataclass(frozen=True)
class Unreadable:
    """A value that could not be read as any form (a number with a letter in it, `約12,300`,
    `78,3%`). The loader reports it at the value; a relation through it is not checked."""

    text: str
    problem: str  # the CellError kind that made it unreadable


Cell = Number | Absent | Bound | Relative | Qualitative | Unreadable


class CellError(ValueError):
    def __init__(self, kind: str, text: str) -> None:
        self.kind = kind
        self.text = text
        super().__init__(f"{kind}: {text!r}")


# Beyond these a number is not a plan's: no budget reaches 10**18 円, no rate is printed to
# more than 12 decimals. Bounding them keeps every computation on them exact and cheap.
MAX_MAGNITUDE = Decimal(10) ** 18
MAX_PLACES = 12


def _in_range(value: Decimal, original: object) -> Decimal:
    if abs(value) >= MAX_MAGNITUDE or decimal_places(value) > MAX_PLACES:
        raise CellError("out_of_range", str(original))
    return value


def decimal_places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _to_decimal(sign: str, digits: str) -> Decimal:
    value = _in_range(Decimal(digits.replace(",", "")), digits)
    return -value if sign in ("△", "▲", "-") else value


def _split_marks(text: str | None) -> tuple[tuple[str, ...], bool]:
    if not text:
        return (), False
    marks: list[str] = []
    reset = False
    for match in re.finditer(r"\[\s*(※\d*)\s*\]|[(（]\s*(※\d*)\s*[)）]|(※\d*)|(\*)", text):
        bracketed = match.group(1) or match.group(2)
        mark = bracketed or match.group(3) or match.group(4)
        marks.append(mark)
        if bracketed:
            reset = True
    return tuple(marks), reset


def normalise_unit(unit: str | None) -> str | None:
    """Compare units by meaning: ％ is %, ｇ is g, 人／月 is 人/月, %（パーミル） is ‰."""
    if unit is None:
        return None
    text = unicodedata.normalize("NFKC", unit).strip().replace(" ", "")
    if not text:
        return None
    if "パーミル" in text or text == "‰":
        return "‰"
    return text


def parse_number_text(text: str) -> Number:
    """A plain number (as YAML gave it, or as written): keeps its stated precision."""
    cell = parse_cell(text)
    if not isinstance(cell, Number):
        raise CellError("not_a_number", text)
    return cell


def parse_cell(raw: object) -> Cell:
    """Read one table cell as printed. Raises CellError for text that is none of the forms."""
    if isinstance(raw, bool) or raw is None:
        if raw is None:
            return Absent("blank", "")
        raise CellError("unreadable", str(raw))
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise CellError("not_finite", str(raw))
        return Number(_in_range(raw, raw), decimal_places(raw), str(raw))
    if isinstance(raw, int):
        return Number(_in_range(Decimal(raw), raw), 0, str(raw))
    if isinstance(raw, float):
        # Floats never come from the loader (it keeps the written digits); a float here
        # came from Python code, and its repr is the best record of what was meant.
        return parse_cell(Decimal(repr(raw)))
    if not isinstance(raw, str):
        raise CellError("unreadable", str(raw))
    original = raw
    text = unicodedata.normalize("NFKC", raw).strip()
    # NFKC turns ‰ and the dashes alone; keep the printed minus signs △▲ as they are.
    if text in ABSENT_MARKS or original.strip() in ABSENT_MARKS:
        return Absent("not_applicable" if text else "blank", original)
    match = _ABSENT_NOTE_RE.match(text)
    if match:
        return Absent(f"note {match['mark']}", original)
    compact = text.replace("%", "%")
    if compact in RELATIVE_FORMS:
        return Relative(RELATIVE_FORMS[compact], original)
    for bound_re in (_BOUND_AFTER_RE, _BOUND_BEFORE_RE):
        match = bound_re.match(compact)
        if match:
            value = _to_decimal(match["sign"], match["digits"])
            number = Number(value, decimal_places(value), original, unit=match["unit"] or None)
            kind = {"以上": "at_least", "以下": "at_most", "超": "above", "未満": "below"}[match["bound"]]
            return Bound(number, kind, original)
    match = _CELL_RE.match(compact)
    if match:
        value = _to_decimal(match["sign"], match["digits"])
        marks, reset = _split_marks((match["marks"] or "") + (match["marks2"] or ""))
        measured = match["measured"]
        measured_year = None
        if measured is not None:
            try:
                measured_year = parse_fiscal_year(measured)
            except FiscalYearError:
                measured_year = None
        unit = (match["unit"] or "").strip() or None
        return Number(value, decimal_places(value), original, unit, marks, reset, measured, measured_year)
    if re.search(r"\d", compact) and re.fullmatch(r"[\d,.\s△▲+\-]+", compact):
        raise CellError("malformed_number", original)
    return Qualitative(original)


def format_decimal(value: Decimal, places: int | None = None) -> str:
    """7412808 -> 7,412,808; with places, rounded half-up to that many decimals."""
    if places is not None:
        value = round_half_up(value, places)
    sign = "-" if value < 0 else ""
    value = abs(value)
    whole, _, frac = f"{value:f}".partition(".")
    whole = f"{int(whole):,}"
    return f"{sign}{whole}.{frac}" if frac else f"{sign}{whole}"


def round_half_up(value: Decimal, places: int) -> Decimal:
    return round_declared(value, places, "四捨五入")


# A declared rounding (四捨五入, 切り捨て, 切り上げ) and the decimal rounding mode it names.
ROUNDING_MODES = {"四捨五入": ROUND_HALF_UP, "切り捨て": ROUND_DOWN, "切り上げ": ROUND_UP}


def round_declared(value: Decimal, places: int, rounding: str | None) -> Decimal:
    """`value` rounded to `places` decimals the declared way (half up when none is declared)."""
    mode = ROUNDING_MODES.get(rounding or "四捨五入", ROUND_HALF_UP)
    if not value.is_finite():
        return value
    # enough digits for the whole result: the default 28 would refuse 10**20 to 12 places
    context = Context(prec=max(28, value.adjusted() + places + 3))
    return value.quantize(Decimal(1).scaleb(-places), rounding=mode, context=context)


@dataclass(frozen=True)
class Interval:
    """The exact values a stated, rounded number may stand for (closed at both ends: the
    half-open truth is wider by nothing a Decimal comparison can tell apart here)."""

    low: Decimal
    high: Decimal

    def __add__(self, other: Interval) -> Interval:
        return Interval(self.low + other.low, self.high + other.high)

    def overlaps(self, other: Interval) -> bool:
        return self.low <= other.high and other.low <= self.high

    def text(self) -> str:
        return f"[{format_decimal(self.low)}, {format_decimal(self.high)}]"


def interval(number: Number, rounding: str | None) -> Interval:
    """What `number` stands for under the declared rounding: 四捨五入 ±half a step,
    切り捨て up to one step above, 切り上げ up to one step below; exact when none."""
    value, step = number.value, number.step
    if rounding == "四捨五入":
        return Interval(value - step / 2, value + step / 2)
    if rounding == "切り捨て":
        return Interval(value, value + step) if value >= 0 else Interval(value - step, value)
    if rounding == "切り上げ":
        return Interval(value - step, value) if value >= 0 else Interval(value, value + step)
    return Interval(value, value)


def quotient_interval(numerator: Interval, denominator: Interval, scale: Decimal) -> Interval | None:
    """numerator / denominator × scale over intervals; None when the denominator may be 0."""
    if denominator.low <= 0 <= denominator.high:
        return None
    corners = [n / d * scale for n in (numerator.low, numerator.high) for d in (denominator.low, denominator.high)]
    return Interval(min(corners), max(corners))


__all__ = [
    "MONEY_SCALES",
    "ROUNDING_MODES",
    "Absent",
    "Bound",
    "Cell",
    "CellError",
    "Interval",
    "Number",
    "Qualitative",
    "Relative",
    "Unreadable",
    "decimal_places",
    "format_decimal",
    "interval",
    "normalise_unit",
    "parse_cell",
    "quotient_interval",
    "round_declared",
    "round_half_up",
]
