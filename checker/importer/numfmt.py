"""A cell as a spreadsheet prints it: the cell's number format applied to its value.

A workbook stores 1234 with the format `#,##0;"△"#,##0` and prints `△1,234` for −1234;
plancheck reads what is printed, so the importer renders each value through its format
first and hands the text to `checker.values.parse_cell`, the reader a typed value goes
through. This covers the format codes city templates use: sections (`;` positive, negative,
zero, text), digit placeholders (`0`, `#`, `?`), thousands separators and scaling commas,
decimals, `%`, quoted and escaped literals (`"△"`, `\\▲`, `千円`), colours and locales
(`[Red]`, `[$-411]`), `_x` spacing, `@`, and dates (`yyyy/m/d`, 和暦 `ggge"年"m"月"d"日"`).
A format it does not know (a condition `[<100]`, exponents, fractions, `[DBNum1]`) is not
guessed at: the value is given as Excel's General format prints it, with a note saying so.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from checker.diagnostics import Text


@dataclass(frozen=True)
class Rendered:
    """The text a cell prints, and why it may not be exactly that (`note`: a format code
    this renderer does not know, so the value is shown in the General format)."""

    text: str
    note: Text | None = None


class UnknownFormat(ValueError):
    """A format code outside what `render` covers."""


_ERAS = ((dt.date(2019, 5, 1), "令和", "R"), (dt.date(1989, 1, 8), "平成", "H"), (dt.date(1926, 12, 25), "昭和", "S"))


def split_sections(code: str) -> list[str]:
    """The `;`-separated sections of a format code, quotes and escapes respected."""
    sections, current, quoted, escaped = [], [], False, False
    for char in code:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            current.append(char)
            escaped = True
        elif char == '"':
            quoted = not quoted
            current.append(char)
        elif char == ";" and not quoted:
            sections.append("".join(current))
            current = []
        else:
            current.append(char)
    sections.append("".join(current))
    return sections


def _tokens(section: str) -> list[tuple[str, str]]:
    """(kind, text) pieces: `lit` literal text, `code` placeholder characters, `br` a bracket."""
    out: list[tuple[str, str]] = []
    index = 0
    while index < len(section):
        char = section[index]
        if char == '"':
            end = section.find('"', index + 1)
            if end < 0:
                raise UnknownFormat(section)
            out.append(("lit", section[index + 1:end]))
            index = end + 1
        elif char == "\\" and index + 1 < len(section):
            out.append(("lit", section[index + 1]))
            index += 2
        elif char == "_" and index + 1 < len(section):
            out.append(("lit", " "))  # the width of the next character: a space in text
            index += 2
        elif char == "*" and index + 1 < len(section):
            index += 2  # fill the cell with the next character: nothing in text
        elif char == "[":
            end = section.find("]", index)
            if end < 0:
                raise UnknownFormat(section)
            out.append(("br", section[index + 1:end]))
            index = end + 1
        elif char in "0#?.,%@eEyYmMdDhHsSgGaA/":
            out.append(("code", char))
            index += 1
        else:
            out.append(("lit", char))
            index += 1
    return out


_COLOURS = {"black", "blue", "cyan", "green", "magenta", "red", "white", "yellow"}


def _clean(tokens: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], bool]:
    """The tokens without colours and locales; whether the locale is Japanese (`[$-411]`,
    which makes `g`/`e` era codes)."""
    kept, japanese = [], False
    for kind, text in tokens:
        if kind != "br":
            kept.append((kind, text))
            continue
        lowered = text.lower()
        if lowered in _COLOURS or re.fullmatch(r"color\s*\d{1,2}", lowered):
            continue
        if text.startswith("$"):
            symbol, _, locale = text[1:].partition("-")
            if locale.upper().endswith("411"):
                japanese = True
            if symbol:
                kept.append(("lit", symbol))
            continue
        raise UnknownFormat(text)  # a condition ([<100]), [DBNum1], elapsed time ([h]) ...
    return kept, japanese


def _is_date(tokens: list[tuple[str, str]]) -> bool:
    """A date section: year, month, day, time or era codes (`e` is the era's year only
    where no digit placeholder makes it an exponent)."""
    codes = [text.lower() for kind, text in tokens if kind == "code"]
    return any(char in "ymdhsg" for char in codes) or ("e" in codes and not any(char in "0#?" for char in codes))


def render(value: object, code: str | None) -> Rendered:
    """`value` (what the workbook stores: a number, text, a date, a boolean or nothing) as
    format `code` prints it."""
    if value is None:
        return Rendered("")
    if isinstance(value, str):
        return Rendered(_text_section(value, code))
    if isinstance(value, bool):
        return Rendered("TRUE" if value else "FALSE")
    if isinstance(value, (dt.datetime, dt.date)):
        return _render_date_value(value, code)
    if isinstance(value, dt.time | dt.timedelta):
        return Rendered(str(value), Text("時刻の値は書式を適用せず、そのまま読みました",
                                         "a time value is read as it is, without its format"))
    number = to_decimal(value)
    if number is None:
        return Rendered(str(value))
    if not code or code.strip().lower() == "general" or code == "@":
        return Rendered(general(number))
    try:
        return Rendered(format_number(number, code))
    except UnknownFormat:
        return Rendered(general(number), Text(
            f"表示形式「{code}」は対応していないため、値を標準の形式で読みました",
            f"the number format {code!r} is not one plancheck renders: the value is read in the General format"))


def to_decimal(value: object) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        try:
            return Decimal(repr(value))
        except InvalidOperation:
            return None
    return None


def general(number: Decimal) -> str:
    """A number as Excel's General format shows it: no separators, no trailing zeros, at
    most 11 significant digits after rounding a binary float's noise away."""
    if not number.is_finite():
        return str(number)
    if number == number.to_integral_value():
        return str(int(number))
    rounded = +number.normalize()
    digits = len(rounded.as_tuple().digits)
    if digits > 11:
        exponent = rounded.adjusted() - 10
        rounded = rounded.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP).normalize()
    text = format(rounded, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _text_section(value: str, code: str | None) -> str:
    if not code:
        return value
    sections = split_sections(code)
    if len(sections) < 4 or "@" not in sections[3]:
        return value  # text shows as it is, unless a fourth section says how
    try:
        tokens, _ = _clean(_tokens(sections[3]))
    except UnknownFormat:
        return value
    return "".join(value if (kind, text) == ("code", "@") else text for kind, text in tokens)


def format_number(number: Decimal, code: str) -> str:
    sections = split_sections(code)
    if len(sections) > 4:
        raise UnknownFormat(code)
    if number < 0 and len(sections) >= 2:
        section, magnitude, sign = sections[1], -number, ""
    elif number == 0 and len(sections) >= 3:
        section, magnitude, sign = sections[2], number, ""
    else:
        section, magnitude, sign = sections[0], abs(number), "-" if number < 0 else ""
    tokens, japanese = _clean(_tokens(section))
    if _is_date(tokens):
        serial = _date_from_serial(number)
        return _format_date(serial, tokens, japanese)
    codes = [text for kind, text in tokens if kind == "code"]
    if any(char in "eE/" for char in codes) or "@" in codes:
        raise UnknownFormat(code)
    if not any(char in "0#?" for char in codes):  # literal text only ("－" for zero)
        return sign + "".join(text for _, text in tokens)
    percent = codes.count("%")
    magnitude = magnitude.scaleb(2 * percent)
    # a comma after the last digit placeholder scales by 1,000 each; one between them groups
    last_digit = max(i for i, (kind, text) in enumerate(tokens) if kind == "code" and text in "0#?")
    scaling = 0
    for kind, text in tokens[last_digit + 1:]:
        if kind == "code" and text == ",":
            scaling += 1
        elif kind == "code" and text in ".":
            break
    magnitude = magnitude.scaleb(-3 * scaling)
    pattern = [(kind, text) for i, (kind, text) in enumerate(tokens)
               if not (kind == "code" and text == "," and i > last_digit)]
    point = next((i for i, (kind, text) in enumerate(pattern) if kind == "code" and text == "."), None)
    whole_part = pattern if point is None else pattern[:point]
    fraction_part = [] if point is None else pattern[point + 1:]
    places = sum(1 for kind, text in fraction_part if kind == "code" and text in "0#?")
    grouping = any(kind == "code" and text == "," for kind, text in whole_part)
    rounded = magnitude.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    whole_digits, _, fraction_digits = format(rounded, "f").partition(".")
    if rounded == 0 and sign:
        sign = ""  # -0.04 at one decimal prints 0.0, not -0.0
    whole = _fill_whole(whole_part, whole_digits.lstrip("0"), grouping)
    fraction = _fill_fraction(fraction_part, fraction_digits)
    return sign + whole + ("." + fraction if point is not None else "")


def _fill_whole(part: list[tuple[str, str]], digits: str, grouping: bool) -> str:
    placeholders = [text for kind, text in part if kind == "code" and text in "0#?"]
    required = sum(1 for char in placeholders if char in "0?")
    digits = digits.rjust(required, "0") if required else digits
    if grouping and digits:
        digits = f"{int(digits):,}"
    # the digits go where the first placeholder is; literals keep their places around them
    out, placed = [], False
    for kind, text in part:
        if kind == "code" and text in "0#?,":
            if not placed and text != ",":
                out.append(digits)
                placed = True
        elif kind == "code" and text == "%":
            out.append("%")
        else:
            out.append(text)
    return "".join(out)


def _fill_fraction(part: list[tuple[str, str]], digits: str) -> str:
    out, index = [], 0
    for kind, text in part:
        if kind == "code" and text in "0#?":
            out.append(digits[index] if index < len(digits) else "0")
            index += 1
        elif kind == "code" and text == "%":
            out.append("%")
        else:
            out.append(text)
    text = "".join(out)
    # `#` places drop trailing zeros
    hashes = [char for kind, char in part if kind == "code" and char == "#"]
    if hashes and part and all(char == "#" for kind, char in part if kind == "code" and char in "0#?"):
        text = text.rstrip("0")
    return text


def _date_from_serial(number: Decimal) -> dt.datetime:
    days = int(number)
    if days < 1:
        raise UnknownFormat(str(number))
    base = dt.datetime(1899, 12, 30)  # Excel's 1900 system, past its 1900-02-29
    return base + dt.timedelta(days=days, seconds=round(float(number - days) * 86400))


def _render_date_value(value: dt.date, code: str | None) -> Rendered:
    moment = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
    if not code or code.lower() == "general":
        return Rendered(f"{moment.year}/{moment.month}/{moment.day}")
    try:
        tokens, japanese = _clean(_tokens(split_sections(code)[0]))
        return Rendered(_format_date(moment, tokens, japanese))
    except UnknownFormat:
        return Rendered(f"{moment.year}/{moment.month}/{moment.day}", Text(
            f"日付の表示形式「{code}」は対応していないため、年/月/日で読みました",
            f"the date format {code!r} is not one plancheck renders: the date is read as year/month/day"))


def _era(moment: dt.datetime) -> tuple[str, str, int]:
    for start, name, initial in _ERAS:
        if moment.date() >= start:
            return name, initial, moment.year - start.year + 1
    raise UnknownFormat("era")


def _format_date(moment: dt.datetime, tokens: list[tuple[str, str]], japanese: bool) -> str:
    out: list[str] = []
    runs: list[tuple[str, str]] = []
    for kind, text in tokens:  # consecutive equal codes form one run: yyyy, mm, ggg
        if kind == "code" and runs and runs[-1][0] == "code" and runs[-1][1][-1].lower() == text.lower():
            runs[-1] = ("code", runs[-1][1] + text)
        else:
            runs.append((kind, text))
    has_hour = any(kind == "code" and text[0].lower() == "h" for kind, text in runs)
    for position, (kind, text) in enumerate(runs):
        if kind != "code" or not text[0].isalpha():
            out.append(text)  # a separator (/ . :) prints as it is in a date
            continue
        letter, width = text[0].lower(), len(text)
        if letter == "y":
            out.append(str(moment.year) if width > 2 else f"{moment.year % 100:02d}")
        elif letter == "m":
            minute = has_hour and any(k == "code" and t[0].lower() in "hs" for k, t in runs[max(0, position - 2):position + 3]
                                      if (k, t) != (kind, text))
            if minute:
                out.append(f"{moment.minute:02d}" if width > 1 else str(moment.minute))
            elif width >= 3:
                raise UnknownFormat(text)  # month names
            else:
                out.append(f"{moment.month:02d}" if width == 2 else str(moment.month))
        elif letter == "d":
            if width >= 3:
                raise UnknownFormat(text)  # weekday names
            out.append(f"{moment.day:02d}" if width == 2 else str(moment.day))
        elif letter == "h":
            out.append(f"{moment.hour:02d}" if width > 1 else str(moment.hour))
        elif letter == "s":
            out.append(f"{moment.second:02d}" if width > 1 else str(moment.second))
        elif letter == "g":
            name, initial, _ = _era(moment)
            out.append(initial if width == 1 else name[0] if width == 2 else name)
        elif letter == "e":
            _, _, year = _era(moment)
            out.append(f"{year:02d}" if width > 1 else str(year))
        else:
            raise UnknownFormat(text)
    del japanese
    return "".join(out)
