"""Fiscal years (年度) written the Japanese way and the western way.

A fiscal year is kept as the western year in which it starts (令和4年度 = FY 2022, April 2022
to March 2023). Every message shows it back in the era form, because that is how the
documents and their readers count.
"""

from __future__ import annotations

import unicodedata

from checker.patterns import lazy_pattern

# First western year of each era: 令和1 = 2019, so the offset is start - 1.
ERAS = {
    "令和": 2019,
    "平成": 1989,
    "昭和": 1926,
}
ERA_INITIALS = {"R": "令和", "H": "平成", "S": "昭和"}

_ERA_RE = lazy_pattern(
    r"^(?P<era>令和|平成|昭和|[RHS])\.?\s*(?P<num>元|\d{1,2})\s*"
    r"(?:[（(]\s*(?P<western>\d{4})\s*[)）])?\s*(?:年度?|年度末)?$"
)
_WESTERN_RE = lazy_pattern(r"^(?P<western>\d{4})\s*(?:年度?|年度末)?$")

# The span of western years that make sense for plan data; outside it a value is a typo.
MIN_YEAR = 1926
MAX_YEAR = 2200


class FiscalYearError(ValueError):
    """A year that cannot be read, or an era year whose western year disagrees with it."""

    def __init__(self, kind: str, text: str, **numbers: int) -> None:
        self.kind = kind  # "unreadable", "era_zero", "era_mismatch", "out_of_range"
        self.text = text
        self.numbers = numbers
        super().__init__(f"{kind}: {text!r}")


# Numerals that are not digits but that NFKC turns into digits: circled and parenthesised
# numbers (① is a label, not 1), superscripts and subscripts (1² is not 12), fractions (½).
# Kept as written, so that no figure is read from them (tests/test_number_forms.py checks the
# class against every such character of the running Python's Unicode tables).
NUMERAL_SYMBOLS = (
    "\u00b2\u00b3\u00b9\u00bc-\u00be\u1369-\u1371\u19da\u2070\u2074-\u2079\u2080-\u2089\u2150-\u215f"
    "\u2189\u2460-\u249b\u24ea\u24f5-\u24fd\u24ff\u2776-\u277e\u2780-\u2788\u278a-\u2792\u3251-\u325f"
    "\u32b1-\u32bf\U00010a40-\U00010a43\U00010e60-\U00010e68\U00011052-\U0001105a\U0001f100-\U0001f10a"
)
_NUMERAL_SYMBOL_RE = lazy_pattern(f"[{NUMERAL_SYMBOLS}]")


def normalise_text(text: str) -> str:
    """Full-width digits and letters become ASCII (NFKC), surrounding space goes; numerals
    that are not digits (①, ², ½) stay as they are written."""
    if text.isascii():
        return text.strip()
    if not _NUMERAL_SYMBOL_RE.search(text):
        return unicodedata.normalize("NFKC", text).strip()
    pieces, start = [], 0
    for match in _NUMERAL_SYMBOL_RE.finditer(text):
        pieces += [unicodedata.normalize("NFKC", text[start:match.start()]), match.group()]
        start = match.end()
    pieces.append(unicodedata.normalize("NFKC", text[start:]))
    return "".join(pieces).strip()


# The year each text read as before: a plan names a few years, hundreds of times (every key
# of every year map, read by the map's check and by its key). Bounded (the first ones kept),
# so a long run's memory stays flat; a text that is no year is read again each time.
_YEARS: dict[str, int] = {}
_YEARS_KEPT = 10_000


def parse_fiscal_year(value: object) -> int:
    """Read `令和4年度`, `令和元年度`, `R4`, `平成30年度`, `令和9(2027)年度`, `2022` or 2022."""
    if type(value) is str:
        year = _YEARS.get(value)
        if year is None:
            year = _read_fiscal_year(value)
            if len(_YEARS) < _YEARS_KEPT and len(value) <= 40:
                _YEARS[value] = year
        return year
    return _read_fiscal_year(value)


def _read_fiscal_year(value: object) -> int:
    """`parse_fiscal_year`, not kept."""
    if isinstance(value, bool):
        raise FiscalYearError("unreadable", str(value))
    if isinstance(value, int):
        return _check_range(value, str(value))
    if hasattr(value, "as_integer_ratio") and not isinstance(value, str):
        # A Decimal or float year: only a whole number is a year.
        try:
            number = int(value)  # type: ignore[call-overload]
        except (TypeError, ValueError, OverflowError):
            raise FiscalYearError("unreadable", str(value)) from None
        if number != value:
            raise FiscalYearError("unreadable", str(value))
        return _check_range(number, str(value))
    if not isinstance(value, str):
        raise FiscalYearError("unreadable", str(value))
    text = normalise_text(value)
    match = _ERA_RE.match(text)
    if match:
        era = ERA_INITIALS.get(match["era"], match["era"])
        num = 1 if match["num"] == "元" else int(match["num"])
        if num == 0:
            raise FiscalYearError("era_zero", value)
        year = ERAS[era] + num - 1
        western = match["western"]
        if western is not None and int(western) != year:
            raise FiscalYearError("era_mismatch", value, era_year=year, western=int(western))
        return _check_range(year, value)
    match = _WESTERN_RE.match(text)
    if match:
        return _check_range(int(match["western"]), value)
    raise FiscalYearError("unreadable", value)


def _check_range(year: int, text: str) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise FiscalYearError("out_of_range", text, year=year)
    return year


def era_label(year: int) -> str:
    """2022 -> 令和4年度, 2019 -> 令和元年度, 2018 -> 平成30年度."""
    for era, start in sorted(ERAS.items(), key=lambda item: -item[1]):
        if year >= start:
            num = year - start + 1
            return f"{era}{'元' if num == 1 else num}年度"
    return f"{year}年度"


def year_label(year: int, lang: str) -> str:
    """The label a message shows: the era form, with the western year for English readers."""
    if lang == "en":
        return f"{era_label(year)} (FY{year})"
    return era_label(year)
