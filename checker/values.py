"""The value forms of Japanese plan tables, read once into typed values.

A cell is a number (with its stated precision, written unit and annotations), a bound
(`4以上`), a relative target (`前年度比減`), a qualitative target (`充実`) or an absence with
its reason (`—`, `(※4)`). Rules only ever see these types; they never parse strings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Context, Decimal
from typing import Any

from checker.fiscal import NUMERAL_SYMBOLS, FiscalYearError, normalise_text, parse_fiscal_year
from checker.patterns import lazy_pattern

# The dashes printed for "none" (after NFKC: full-width －, small ﹣ and ｰ become - and ー).
# − (U+2212) alone is none too; before digits it is a minus sign.
ABSENT_MARKS = {"—", "-", "－", "―", "‐", "‑", "–", "‒", "−", "﹣", "⁃", "ー", "", "─", "ｰ"}

# Words printed where a figure would be, and why there is none. The reason is what a
# relation that meets the cell says when it cannot be checked (ABSENCE_REASONS).
ABSENT_WORDS = {
    "無し": "not_applicable", "なし": "not_applicable", "該当なし": "not_applicable",
    "該当無し": "not_applicable", "皆無": "not_applicable",
    "未集計": "not_counted", "集計中": "not_counted",
    "調査中": "under_survey", "調査予定": "under_survey",
    "記載なし": "not_stated", "記載無し": "not_stated", "未記載": "not_stated",
    "非公表": "not_published", "未公表": "not_published",
    # the statistics tables' symbols (総務省 統計表): … no figure could be had, x withheld
    "…": "not_available", "...": "not_available", "‥": "not_available", "..": "not_available",
    "x": "confidential", "X": "confidential", "χ": "confidential", "秘匿": "confidential",
}

# Each reason an absent cell has, as (ja, en): what a relation through it says.
ABSENCE_REASONS = {
    "blank": ("空欄", "blank"),
    "not_applicable": ("該当なし", "not applicable"),
    "not_counted": ("未集計", "not yet counted"),
    "under_survey": ("調査中", "under survey"),
    "not_stated": ("記載なし", "not stated"),
    "not_published": ("未公表", "not published"),
    "not_available": ("数値が得られない", "no figure available"),
    "confidential": ("秘匿", "withheld (confidential)"),
}

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

# The power of ten of 円 in each money unit: the one table of money scales (units, table
# kinds and figures all read it through `money_scale`).
MONEY_SCALES = {"円": 0, "千円": 3, "万円": 4, "百万円": 6, "億円": 8, "十億円": 9}
_MONEY_PREFIX_RE = lazy_pattern(r"^(十億|百万|千|万|億)?円")

# A number as printed: sign (△ and ▲ are the public-finance minus; PDF text puts a space
# after them), digits with separators.
_NUMBER = r"(?P<sign>[△▲+\-]?)\s*(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_MARKS = r"(?P<marks>(?:\s*(?:\[\s*※\d*\s*\]|[(（]\s*※\d*\s*[)）]|※\d*|\*))*)"
_UNIT = r"(?P<unit>[^\d\s.,()（）\[\]※*][^()（）\[\]※*]*?)?"
_MEASURED = r"(?:\s*[(（]\s*(?P<measured>[^)）]+?)\s*[)）])?"
_CELL_RE = lazy_pattern(rf"^{_NUMBER}\s*{_MARKS}\s*{_UNIT}\s*{_MARKS.replace('marks', 'marks2')}{_MEASURED}$")
_BOUND_AFTER_RE = lazy_pattern(rf"^{_NUMBER}\s*(?P<unit>[^\d\s以]*?)\s*(?P<bound>以上|以下|超|未満)$")
_BOUND_BEFORE_RE = lazy_pattern(rf"^(?P<bound>以上|以下)\s*{_NUMBER}\s*(?P<unit>[^\d\s]*)$")
_BOUND_WORDS_RE = lazy_pattern(r"以上|以下|超|未満")
_ABSENT_NOTE_RE = lazy_pattern(r"^[(（]\s*(?P<mark>※\d*)\s*[)）]$")
# A digit in a unit follows a Latin letter (m2, t-CO2); after anything else (`か月に1回`,
# `-60`, `/100`) it is another number, and the text is not one number with a unit.
_DIGIT_OUTSIDE_UNIT_RE = lazy_pattern(r"(?<![A-Za-z\d])\d")
# Nor is a unit `O` or `l0` (a letter typed for a digit: `12O`, `1l0`), nor does one end
# in a word that makes the number approximate (`12,300人程度`).
# Nor is it the rest of another notation (`1e3`, `0x10`, `1_000`), nor a numeral symbol (`1²`).
_NOT_A_UNIT_RE = lazy_pattern(rf"^[OolI]\d|^[Oo](?![A-Za-z])|^[eE][+\-]?\d|^[xXbB][\dA-Fa-f]|^_\d|^[{NUMERAL_SYMBOLS}]"
                            r"|(?:程度|前後|余り|くらい|ぐらい|余)$")
# U+2212 (and the figure dash) before digits is a minus; NFKC leaves it as it is.
_MINUS_SIGNS = "−‒–"
_LEADING_MINUS_RE = lazy_pattern(rf"^[{_MINUS_SIGNS}](?=\s*\d)")
_BRACKETED_RE = lazy_pattern(r"^\((?P<inner>[^()]+)\)$")
_DIGIT_RE = lazy_pattern(r"\d")
FLAG_WORDS = {
    "速報": "provisional", "速報値": "provisional", "暫定": "provisional", "暫定値": "provisional",
    "見込": "estimate", "見込み": "estimate", "見込値": "estimate", "見込み値": "estimate",
    "推計": "estimate", "推計値": "estimate",
}
_FLAG_ENDINGS = (")", *sorted({word[-1] for word in FLAG_WORDS}))
# The words, longest first: a figure with its flag is cut at the end by string operations, not
# by a pattern (`.+?\s*(word)$` backtracks in the cube of a run of spaces).
_FLAGS_LONGEST_FIRST = sorted(FLAG_WORDS, key=len, reverse=True)
_APPROXIMATE_BEFORE_RE = lazy_pattern(r"^(?P<word>約|およそ|凡そ|概ね|おおむね|大体|ほぼ)\s*(?P<rest>.+)$")
_APPROXIMATE_AFTER_WORDS = ("くらい", "ぐらい", "程度", "前後", "余り", "余")  # longest first
# Letters typed for digits: O for 0, l and I for 1. A letter counts inside the digits, before
# them, or after them when it is an O (no unit is O) or completes a group (`2,52l`).
_LETTER_DIGITS = {"O": "0", "o": "0", "l": "1", "I": "1"}
_LETTERED_RE = lazy_pattern(r"^(?P<sign>[△▲+\-]?\s*)(?P<token>[\dOolI][\d,.OolI]*)(?P<rest>.*)$")
_DECIMAL_COMMA_RE = lazy_pattern(r"^(?P<sign>[△▲+\-]?\s*)(?P<whole>\d+),(?P<fraction>\d+)(?P<rest>[^\d,.]*)$")
# The longest unit a text that is *almost* a number may carry (人/月, グループ, %(パーミル) is ‰):
# beyond it the text is words with a figure in them, and stays qualitative.
_SHORT_UNIT = 4
_RANGE_SEPARATORS = "\\-~/～〜・:−‒–—"
_TWO_NUMBERS_RE = lazy_pattern(
    rf"^{_NUMBER}\s*(?P<first_unit>[^\d\s.,(){_RANGE_SEPARATORS}]{{0,{_SHORT_UNIT}}})"
    rf"\s*(?:[{_RANGE_SEPARATORS}]\s*|\s+)"
    r"(?P<second>[△▲+\-]?\s*\d[\d,]*(?:\.\d+)?)(?P<rest>[^\d]*)$"
)
_NUMERIC_RUN_RE = lazy_pattern(r"^[△▲+\-]?\s*(?P<run>\d[\d,.]*)(?P<rest>.*)$")
# The forms that read wrong without a word (issue 16), each an error at the value: infinity
# and NaN in words, a figure in another notation than decimal digits, a dash that is no minus
# sign before digits, a numeral symbol among digits, a date where a figure is expected.
_SIGN = "△▲+\\-−‒–"
_NOT_FINITE_RE = lazy_pattern(rf"^[{_SIGN}]?\s*(?:(?P<infinite>∞|\.?inf|infinity)|\.?nan)\s*[^\d\s]{{0,{4}}}$", re.IGNORECASE)
_OTHER_BASE_RE = lazy_pattern(rf"^[{_SIGN}]?\s*(?P<prefix>0[xXoObB])[\dA-Fa-f_]+")
_EXPONENT_RE = lazy_pattern(rf"^(?P<mantissa>[{_SIGN}]?\s*\d+(?:\.\d+)?)[eE](?P<exponent>[+\-]?\d{{1,6}})(?P<rest>\D*)$")
_UNDERSCORE_RE = lazy_pattern(r"\d_+\d")
# ー (the long vowel mark, and ｰ), the dashes and 一 are not minus signs: before digits a
# typo for one, or a dash that says "none" with a figure after it. Never the figure unsigned.
_DASH_BEFORE_DIGITS_RE = lazy_pattern(r"^(?P<dash>[ー―─‐‑—⁃一])\s*(?P<rest>\d.*)$")
_NUMERAL_SYMBOL_NEAR_DIGITS_RE = lazy_pattern(rf"[\d,.](?P<a>[{NUMERAL_SYMBOLS}])|(?P<b>[{NUMERAL_SYMBOLS}])[\d,.]")
_NUMERAL_SYMBOL_RE = lazy_pattern(f"[{NUMERAL_SYMBOLS}]")
_DATE_RE = lazy_pattern(
    r"^(?:(?:令和|平成|昭和|[RHS])\.?\s*(?:元|\d{1,2})\s*[-/.]\s*\d{1,2}(?:\s*[-/.]\s*\d{1,2})?"
    r"|\d{4}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2})$"
)
# No cell of a plan is this long; beyond it a value is an error before any pattern runs on it.
MAX_CELL_CHARS = 1000


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
    bracketed: bool = False  # `(10,000)`: a revised or reference figure, printed in brackets
    provisional: bool = False  # `1,234（速報値）`: a provisional figure, to be revised
    estimate: bool = False  # `1,234（見込み）`: an estimate, not yet the actual
    float_artifact: bool = False  # `99.99999999999999` read as 100: `text` is what was written

    @property
    def step(self) -> Decimal:
        """One unit of the last stated digit: 1 for 46, 0.1 for 75.4."""
        return Decimal(1).scaleb(-self.places)


@dataclass(frozen=True)
class Absent:
    """Not applicable or not yet known (`—`, `-`, `(※4)`, `無し`, `未集計`). Never zero.
    `reason` is a key of ABSENCE_REASONS, or `note ※4` for a footnote that says why."""

    reason: str
    text: str

    def describe(self) -> tuple[str, str]:
        """Why there is no figure, as (ja, en): 未集計 / not yet counted."""
        if self.reason.startswith("note "):
            mark = self.reason.removeprefix("note ")
            return f"注記{mark}のとおり", f"see note {mark}"
        return ABSENCE_REASONS.get(self.reason, (self.reason, self.reason))


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
    """Text that is none of the value forms, or almost a number but not one. `kind` names
    the problem (a key of checker.model._CELL_PROBLEMS); `details` are the words its message
    shows (the letter among the digits, the word that makes a number approximate)."""

    def __init__(self, kind: str, text: str, **details: str) -> None:
        self.kind = kind
        self.text = text
        self.details = details
        super().__init__(f"{kind}: {text!r}")


# How many texts the readers keep what they read of (cells, units), and how long one may be
# (longer ones are words, read once): a long run's memory stays flat.
_CELLS_KEPT = 50_000
_CELL_KEY_CHARS = 80

# Beyond these a number is not a plan's: no budget reaches 10**18 円, no rate is printed to
# more than 12 decimals. Bounding them keeps every computation on them exact and cheap.
MAX_MAGNITUDE = Decimal(10) ** 18
MAX_PLACES = 12
# A binary float printed in full (open data's 99.99999999999999) is within this relative
# distance of the decimal it was meant to be, which has at most ARTIFACT_PLACES decimals.
ARTIFACT_PLACES = 6
ARTIFACT_TOLERANCE = Decimal("1e-9")


def _in_range(value: Decimal, original: object) -> Decimal:
    if abs(value) >= MAX_MAGNITUDE or decimal_places(value) > MAX_PLACES:
        raise CellError("out_of_range", str(original))
    return value


def decimal_places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def float_artifact_reading(value: Decimal) -> Decimal | None:
    """The decimal a float artifact stands for (99.99999999999999 -> 100,
    0.30000000000000004 -> 0.3): the shortest with at most ARTIFACT_PLACES decimals within
    ARTIFACT_TOLERANCE of it; None when `value` is no artifact (it is stated that precisely)."""
    if decimal_places(value) <= ARTIFACT_PLACES or not value or abs(value) >= MAX_MAGNITUDE:
        return None
    if decimal_places(value.normalize()) <= ARTIFACT_PLACES:
        return None  # trailing zeros: a stated precision, not an artifact
    tolerance = abs(value) * ARTIFACT_TOLERANCE
    for places in range(ARTIFACT_PLACES + 1):
        shorter = round_half_up(value, places)
        if abs(shorter - value) <= tolerance:
            return shorter
    return None


def _read_decimal(value: Decimal, original: object) -> tuple[Decimal, int, bool]:
    """The value, in range, its decimal places, and whether it was read from a float artifact."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent <= min(ARTIFACT_PLACES, MAX_PLACES) and abs(value) < MAX_MAGNITUDE:
        # most figures: too few decimals for an artifact, and in range
        return value, -exponent if exponent < 0 else 0, False
    shorter = float_artifact_reading(value)
    if shorter is not None:
        return shorter, decimal_places(shorter), True
    value = _in_range(value, original)
    return value, decimal_places(value), False


def _to_decimal(sign: str, digits: str) -> tuple[Decimal, int, bool]:
    value, places, artifact = _read_decimal(Decimal(digits.replace(",", "")), digits)
    return (-value if sign in ("△", "▲", "-") else value), places, artifact


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


# Each unit as compared, once: a plan writes a few units on hundreds of values (bounded, as
# the cells read are).
_UNITS: dict[str, str | None] = {}


def normalise_unit(unit: str | None) -> str | None:
    """Compare units by meaning: ％ is %, ｇ is g, 人／月 is 人/月, %（パーミル） is ‰."""
    if unit is None:
        return None
    if unit in _UNITS:
        return _UNITS[unit]
    text: str | None = unicodedata.normalize("NFKC", unit).strip().replace(" ", "")
    if not text:
        text = None
    elif "パーミル" in text or text == "‰":
        text = "‰"
    if len(_UNITS) < _CELLS_KEPT and len(unit) <= _CELL_KEY_CHARS:
        _UNITS[unit] = text
    return text


def stated_number(cell: Any) -> Number | None:
    """The number a cell states: a number, or the number of a bound (4以上: 4); None for
    anything else (an absence, a qualitative value, an unreadable one)."""
    if isinstance(cell, Number):
        return cell
    if isinstance(cell, Bound):
        return cell.number
    return None


def money_scale(unit: str | None, per: bool = False) -> int | None:
    """The power of ten of 円 in a money unit (円: 0, 千円: 3, 百万円: 6), compared as
    `normalise_unit` compares units; None for any other unit. With `per`, also the money
    that a unit of money per something counts (千円/人: 3, 円/件: 0)."""
    text = normalise_unit(unit)
    if text is None:
        return None
    if not per:
        return MONEY_SCALES.get(text)
    match = _MONEY_PREFIX_RE.match(text)
    return MONEY_SCALES[(match.group(1) or "") + "円"] if match else None


def parse_number_text(text: str) -> Number:
    """A plain number (as YAML gave it, or as written): keeps its stated precision."""
    cell = parse_cell(text)
    if not isinstance(cell, Number):
        raise CellError("not_a_number", text)
    return cell


# The cell each text, and each YAML number (by its digits as written: `1.50` is not `1.5`),
# read as before: plan files repeat their values (—, 0, 前年度比減, the same figures), a text
# always reads as the same cell, and a cell is immutable (frozen, of Decimals, strings and
# tuples), so the one read is shared. Bounded (the first ones kept, short texts only), so a
# long run's memory stays flat; a text that raises is read again each time it is met.
_CELLS: dict[str, Cell] = {}
_NUMBER_CELLS: dict[str, Cell] = {}


def parse_cell(raw: object) -> Cell:
    """Read one table cell as printed. Raises CellError for text that is none of the forms,
    and for text that is almost a number but not one (a letter among the digits, `約12,300`,
    a decimal comma, an unclosed bracket, two numbers in one cell)."""
    if type(raw) is str:
        kept, key = _CELLS, raw
    elif type(raw) is Decimal:
        kept, key = _NUMBER_CELLS, str(raw)
    else:
        return _read_cell(raw)
    cell = kept.get(key)
    if cell is None:
        cell = _read_cell(raw)
        if len(kept) < _CELLS_KEPT and len(key) <= _CELL_KEY_CHARS:
            kept[key] = cell
    return cell


def _read_cell(raw: object) -> Cell:
    """`parse_cell`, not kept."""
    if isinstance(raw, bool) or raw is None:
        if raw is None:
            return Absent("blank", "")
        raise CellError("unreadable", str(raw))
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise CellError("not_a_number" if raw.is_nan() else "infinite", str(raw))
        value, places, artifact = _read_decimal(raw, raw)
        return Number(value, places, str(raw), float_artifact=artifact)
    if isinstance(raw, int):
        return Number(_in_range(Decimal(raw), raw), 0, str(raw))
    if isinstance(raw, float):
        # Floats never come from the loader (it keeps the written digits); a float here
        # came from Python code, and its repr is the best record of what was meant.
        return parse_cell(Decimal(repr(raw)))
    if not isinstance(raw, str):
        raise CellError("unreadable", str(raw))
    original = raw
    if len(raw) > MAX_CELL_CHARS:
        raise CellError("too_long", raw[:40] + "...", length=str(len(raw)), limit=str(MAX_CELL_CHARS))
    text = normalise_text(raw)
    # NFKC turns ‰ and the dashes alone; keep the printed minus signs △▲ as they are.
    if text in ABSENT_MARKS or original.strip() in ABSENT_MARKS:
        return Absent("not_applicable" if text else "blank", original)
    cell = _parse_text(text, original)
    if cell is None:
        _raise_if_almost_a_number(text, original)
        return Qualitative(original)
    return cell


def _parse_text(text: str, original: str) -> Cell | None:
    """The form of NFKC text (None when it is none of them: words, or a defective number);
    `original` is kept as the cell's text. Each form is tried only where its mark is in the
    text: most cells are plain figures, and this runs for every one."""
    if text[:1] in _MINUS_SIGNS:
        text = _LEADING_MINUS_RE.sub("-", text)
    compact = text.replace("%", "%")
    if not _DIGIT_RE.search(compact):
        # words: an absence (無し, (記載なし)), a note (※), a relative target, or none
        word = ABSENT_WORDS.get(compact.strip("()").strip())
        if word is not None and (compact == compact.strip("()") or _BRACKETED_RE.match(compact)):
            return Absent(word, original)
        match = _ABSENT_NOTE_RE.match(compact)
        if match:
            return Absent(f"note {match['mark']}", original)
        if compact in RELATIVE_FORMS:
            return Relative(RELATIVE_FORMS[compact], original)
        return None
    if compact[:1] == "(":
        match = _ABSENT_NOTE_RE.match(compact)
        if match:
            return Absent(f"note {match['mark']}", original)
        match = _BRACKETED_RE.match(compact)
        if match:
            number = _parse_text(match["inner"].strip(), original)
            if isinstance(number, Number) and not number.bracketed:
                return replace(number, bracketed=True)
    flagged = _flagged(compact) if compact.endswith(_FLAG_ENDINGS) else None
    if flagged:
        rest, word = flagged
        flag = FLAG_WORDS.get(word)
        if flag is not None:
            number = _parse_text(rest, original)
            if isinstance(number, Number):
                fields: dict[str, Any] = {flag: True}  # the field FLAG_WORDS names
                return replace(number, **fields)
    for bound_re in (_BOUND_AFTER_RE, _BOUND_BEFORE_RE) if _BOUND_WORDS_RE.search(compact) else ():
        match = bound_re.match(compact)
        if match:
            value, places, artifact = _to_decimal(match["sign"], match["digits"])
            number = Number(value, places, original, unit=match["unit"] or None,
                            float_artifact=artifact)
            kind = {"以上": "at_least", "以下": "at_most", "超": "above", "未満": "below"}[match["bound"]]
            return Bound(number, kind, original)
    match = _CELL_RE.match(compact)
    if match:
        unit = (match["unit"] or "").strip() or None
        if unit is not None and (_DIGIT_OUTSIDE_UNIT_RE.search(unit) or _NOT_A_UNIT_RE.search(unit)):
            return None  # more than one number with a unit: the caller says what it is
        value, places, artifact = _to_decimal(match["sign"], match["digits"])
        marks, reset = _split_marks((match["marks"] or "") + (match["marks2"] or ""))
        measured = match["measured"]
        measured_year = None
        if measured is not None:
            try:
                measured_year = parse_fiscal_year(measured)
            except FiscalYearError:
                measured_year = None
        return Number(value, places, original, unit, marks, reset, measured, measured_year,
                      float_artifact=artifact)
    return None


def _ending_word(text: str, words: tuple[str, ...] | list[str]) -> tuple[str, str] | None:
    """(what comes before, the word) for the first of `words` that `text` ends with, the space
    between them dropped; None when none ends it, or nothing comes before it."""
    for word in words:
        if text.endswith(word):
            rest = text[:-len(word)].rstrip()
            return (rest, word) if rest else None
    return None


def _flagged(text: str) -> tuple[str, str] | None:
    """(the figure, its flag) of `1,234（速報値）` or `1,234見込み`: the flag in the last pair of
    brackets, or a bare flag word at the end."""
    if text.endswith(")"):
        opened = text.rfind("(")
        inner = text[opened + 1:-1]
        rest = text[:opened].rstrip() if opened > 0 else ""
        return (rest, inner.strip()) if rest and ")" not in inner else None
    return _ending_word(text, _FLAGS_LONGEST_FIRST)


def _almost_number(text: str) -> bool:
    """Whether `text` reads as one number (or bound) with at most a short unit."""
    try:
        cell = _parse_text(text, text)
    except CellError:
        return True  # a number, if out of range
    number = cell.number if isinstance(cell, Bound) else cell
    return isinstance(number, Number) and len(normalise_unit(number.unit) or "") <= _SHORT_UNIT


def _raise_if_almost_a_number(text: str, original: str) -> None:
    """Raise the CellError that says what is wrong with text that is almost a number; return
    for words (充実, 年2回実施, 窓口運営開始 (令和4年度)), which are qualitative."""
    match = _NOT_FINITE_RE.match(text)
    if match:
        raise CellError("infinite" if match["infinite"] else "not_a_number", original)
    if not _DIGIT_RE.search(text):
        return
    _raise_if_other_notation(text, original)
    match = _APPROXIMATE_BEFORE_RE.match(text)
    approximate = (match["rest"], match["word"]) if match else _ending_word(text, _APPROXIMATE_AFTER_WORDS)
    if approximate and _almost_number(approximate[0]):
        raise CellError("approximate", original, word=approximate[1])
    match = _LETTERED_RE.match(text)
    if match:
        token, rest = match["token"], match["rest"]
        # a trailing l or I is a unit (5l, litres) unless it completes a group of three digits
        while token and token[-1] in "lI" and not re.search(r",\d\d[lI]$", token):
            token, rest = token[:-1], token[-1] + rest
        letters = [char for char in token if char in _LETTER_DIGITS]
        if letters and re.search(r"\d", token) and not (token[-1] in _LETTER_DIGITS and rest[:1].isascii()
                                                         and rest[:1].isalpha()):
            digits = "".join(_LETTER_DIGITS.get(char, char) for char in token)
            if _almost_number(match["sign"] + digits + rest):
                raise CellError("letter_in_number", original, character=letters[0],
                                digit=_LETTER_DIGITS[letters[0]])
    match = _DECIMAL_COMMA_RE.match(text)
    if match and (len(match["fraction"]) < 3 or match["whole"] == "0"):
        written = f"{match['sign']}{match['whole']}.{match['fraction']}{match['rest']}"
        if _almost_number(written):
            raise CellError("decimal_comma", original, suggestion=written.strip())
    if (text.count("(") != text.count(")") or text.count("[") != text.count("]")) and _almost_number(
            re.sub(r"[()\[\]]", "", text)):
        raise CellError("unbalanced_bracket", original)
    if _DATE_RE.match(text):
        raise CellError("date", original)
    match = _TWO_NUMBERS_RE.match(text)
    # `54-60`, `54/100`, `54～60人`, `8,345 千円 3,960 千円` (the same unit after each)
    if match and len(normalise_unit(match["rest"]) or "") <= _SHORT_UNIT and (
            not match["first_unit"] or normalise_unit(match["first_unit"]) == normalise_unit(match["rest"])):
        first = f"{match['sign']}{match['digits']}"
        raise CellError("two_numbers", original, first=first, second=match["second"].replace(" ", ""))
    match = _NUMERIC_RUN_RE.match(text)
    if match and (not match["rest"].strip() or _almost_number("0" + match["rest"].strip())) and (
            re.search(r"[,.]", match["run"])):
        raise CellError("malformed_number", original)


def _raise_if_other_notation(text: str, original: str) -> None:
    """A figure is written in decimal digits with a sign a document prints: raise for the
    other notations a YAML or a programmer would read a number from (`0x10`, `1e3`, `1_000`),
    for a dash that is no minus sign before digits (`ー1000`), and for a numeral symbol
    among digits (`1²`, `①2`)."""
    match = _OTHER_BASE_RE.match(text)
    if match:
        raise CellError("other_base", original, prefix=match["prefix"])
    match = _EXPONENT_RE.match(text)
    if match and len(match["rest"].strip()) <= _SHORT_UNIT:
        mantissa = match["mantissa"].replace(" ", "")
        for minus in "△▲−‒–":
            mantissa = mantissa.replace(minus, "-")
        value = Decimal(mantissa).scaleb(int(match["exponent"]))
        if abs(value) >= MAX_MAGNITUDE or decimal_places(value) > MAX_PLACES:
            raise CellError("out_of_range", original)
        raise CellError("exponent", original, decimal=format_decimal(value) + match["rest"].strip())
    if _UNDERSCORE_RE.search(text) and _almost_number(text.replace("_", "")):
        raise CellError("underscore", original, suggestion=text.replace("_", ""))
    match = _DASH_BEFORE_DIGITS_RE.match(text)
    if match and _almost_number(match["rest"]):
        raise CellError("dash_for_minus", original, character=match["dash"], digits=match["rest"])
    match = _NUMERAL_SYMBOL_NEAR_DIGITS_RE.search(text)
    if match:
        symbol = match["a"] or match["b"]
        raise CellError("numeral_symbol", original, character=symbol,
                        digit=unicodedata.normalize("NFKC", symbol))


def numeral_symbol_in(text: str) -> str | None:
    """The first numeral symbol (①, ², ½) in `text`, if any: a label or a mark, never a figure."""
    match = _NUMERAL_SYMBOL_RE.search(text)
    return match.group() if match else None


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
    "ABSENCE_REASONS",
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
    "float_artifact_reading",
    "format_decimal",
    "interval",
    "money_scale",
    "normalise_unit",
    "numeral_symbol_in",
    "parse_cell",
    "quotient_interval",
    "round_declared",
    "round_half_up",
    "stated_number",
]
