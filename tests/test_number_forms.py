"""Numbers that would be read wrong without a word (issue 16): each hostile or odd form is
read as what it means, or is LOAD006 at the value with a message in both languages that
names what is wrong; never a wrong number. And no regular expression plancheck applies to a
cell backtracks super-linearly: each is timed on adversarial text of 10,000 and 20,000
characters, and the ratio of the times must stay near 2, not 4.

The plan puts the value in block style on a line of its own, so that a plain YAML scalar
(`0x10`, `.inf`, `1_000`) reaches the loader whole, and its line and column are known.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
import unicodedata
from decimal import Decimal

import pytest

from checker import fiscal, loader, values
from checker.patterns import LazyPattern
from checker.values import Number, Qualitative
from tests.conftest import check_text, load_plan_text

PLAN = """\
plan: {{id: numbers, title: 施策評価, municipality: 小平市, kind: policy_evaluation, period: {{start: 令和3年度, end: 令和6年度}}, as_of: 令和4年度, source: {{seed: a.txt}}}}
themes:
  - id: II-4-11
    title: 障がい者の自立に向けた支援の充実
    indicators:
      - name: 就労移行支援の実利用者数
        baseline: {{year: 令和2年度, value: 46}}
        targets: {{令和3年度: 61, 令和4年度: 69, 令和5年度: 78, 令和6年度: 78}}
        actuals:
          令和3年度: {actual}
    projects:
      year: 令和4年度
      unit: 千円
      items:
        - no: 1
          name: 心身障害児福祉手当事業
          cost: {cost}
        - {{no: 2, name: 障害者日常生活用具給付事業, cost: 1958}}
      total: 18167
"""
# the indicator declares no unit: a figure there is read without a unit to compare against
ACTUAL_LINE, ACTUAL_COLUMN = 10, len("          令和3年度: ") + 1
COST_LINE, COST_COLUMN = 17, len("          cost: ") + 1


def q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def plan(actual: str = "46", cost: str = "16209") -> str:
    return PLAN.format(actual=actual, cost=cost)


def only_load006(recommended, text: str):
    diagnostics = check_text(recommended, text)
    found = [d for d in diagnostics if d.code == "LOAD006"]
    assert len(found) == 1, [(d.code, d.span.line, d.span.column, d.message["en"]) for d in diagnostics]
    return found[0]


def test_the_plan_around_the_values_is_clean(recommended):
    assert check_text(recommended, plan()) == []


# --- each form, as text and (where YAML reads one) as a plain scalar: an error at the value --

FORMS = [
    # (written, plain YAML too, English words, Japanese words)
    ("∞", True, ["an infinite value", "not a figure a plan states"], ["無限大", "計画の数値ではありません"]),
    ("Infinity", True, ["an infinite value"], ["無限大"]),
    ("-Infinity", True, ["an infinite value"], ["無限大"]),
    ("−∞", False, ["an infinite value"], ["無限大"]),
    (".inf", True, ["an infinite value"], ["無限大"]),
    ("-.inf", True, ["an infinite value"], ["無限大"]),
    ("NaN", True, ["NaN (not a number)"], ["NaN（非数）"]),
    ("NaN%", True, ["NaN (not a number)"], ["NaN（非数）"]),
    (".nan", True, ["NaN (not a number)"], ["NaN（非数）"]),
    ("ー1000", True, ["ー before the digits is not a minus sign", "−1000 or △1000"],
     ["数字の前の「ー」はマイナス記号ではありません", "−1000 か △1000"]),
    ("ｰ1,000", True, ["ー before the digits is not a minus sign"], ["「ー」"]),   # half-width, NFKC's ー
    ("ー 1,000", False, ["ー before the digits"], ["「ー」"]),
    ("―1000", True, ["― before the digits is not a minus sign"], ["「―」"]),
    ("1²", True, ["² is a numeral symbol", "not the digit 2"], ["「²」は丸数字や上付き数字", "数字の 2 ではありません"]),
    ("①2", True, ["① is a numeral symbol", "not the digit 1"], ["「①」"]),
    ("0x10", True, ["another base than decimal (0x...)", "written in decimal digits"], ["0x で始まる10進数でない数"]),
    ("0o17", True, ["another base than decimal (0o...)"], ["0o で始まる"]),
    ("0b101", True, ["another base than decimal (0b...)"], ["0b で始まる"]),
    ("1_000", True, ["_ between its digits", "write 1000"], ["数字の間に _", "1000 と書きます"]),
    ("+1e3", True, ["exponent notation", "(1,000)"], ["指数表記", "1,000 のように"]),
    ("1.5E2", True, ["exponent notation", "(150)"], ["150 のように"]),
    ("5e-3", True, ["exponent notation", "(0.005)"], ["0.005 のように"]),
    ("1e400", True, ["beyond what a plan states"], ["大きすぎる"]),
    ("54-60", True, ["two numbers (54 and 60)"], ["2つの数（54 と 60）"]),
    ("54/100", True, ["two numbers (54 and 100)"], ["2つの数（54 と 100）"]),
    ("2024-04-01", True, ["a date where a figure is expected"], ["数値の欄に日付があります"]),
    ("2024/4/1", True, ["a date where a figure is expected"], ["日付"]),
    ("R6.4.1", True, ["a date where a figure is expected"], ["日付"]),
    ("令和6.4.1", True, ["a date"], ["日付"]),
    ("78,3%", True, ["decimal comma", "write 78.3%"], ["小数点がコンマ", "78.3% と書きます"]),
]


@pytest.mark.parametrize(("written", "plain", "english", "japanese"), FORMS, ids=[form[0] for form in FORMS])
@pytest.mark.parametrize("where", ["actual", "cost"])
def test_a_form_that_would_read_wrong_is_an_error_at_the_value(recommended, written, plain, english, japanese,
                                                               where):
    line, column = (ACTUAL_LINE, ACTUAL_COLUMN) if where == "actual" else (COST_LINE, COST_COLUMN)
    for text in (q(written), written) if plain else (q(written),):
        diagnostic = only_load006(recommended, plan(**{where: text}))
        assert (diagnostic.span.line, diagnostic.span.column) == (line, column), text
        assert diagnostic.severity.label == "error"
        for words in english:
            assert words in diagnostic.message["en"], diagnostic.message["en"]
        for words in japanese:
            assert words in diagnostic.message["ja"], diagnostic.message["ja"]
        # and nothing is computed through it: no total, no rate from a number it was read as
        loaded = load_plan_text(plan(**{where: text}))
        theme = loaded.model.themes[0]
        cell = theme.indicators[0].actuals[2021] if where == "actual" else theme.projects.items[0].cost
        assert isinstance(cell, values.Unreadable), cell


def test_a_plain_yaml_number_in_another_notation_is_never_its_value(recommended):
    """YAML reads 0x10 as 16, 0o17 as 15, 1_000 as 1000, 1e3 as 1000: the loader keeps them
    as written, and no key or count is read from them either."""
    for written in ("0x10", "0o17", "0b11", "1_000", "1e3", "+1e3", "1.5e2"):
        assert loader._number(written) == written
    assert loader._number("46") == Decimal(46) and loader._number("-0.5") == Decimal("-0.5")
    assert loader._number(".5") == Decimal("0.5") and loader._number("+7") == Decimal(7)
    # a year key in hexadecimal (0x7E6 = 2022) is no year
    text = plan().replace("令和3年度: 46", "0x7E6: 46")
    loaded = load_plan_text(text)
    assert 2022 not in loaded.model.themes[0].indicators[0].actuals
    diagnostic = only_load006(recommended, text)
    assert (diagnostic.span.line, diagnostic.span.column) == (ACTUAL_LINE, len("          ") + 1)


# --- read as what they mean -----------------------------------------------------------------

@pytest.mark.parametrize(("written", "value"), [("(1,000)", 1000), ("（1,000）", 1000), ("(−1,000)", -1000)])
def test_a_bracketed_figure_keeps_its_sign_and_is_marked(written, value):
    """(1,000) is a revised or reference figure, printed in brackets (issue 13's reading): never
    silently negative the way an accountant's brackets would be."""
    loaded = load_plan_text(plan(actual=q(written)))
    cell = loaded.model.themes[0].indicators[0].actuals[2021]
    assert isinstance(cell, Number) and cell.value == value and cell.bracketed
    assert [finding for finding in loaded.findings if finding.kind == "invalid_value"] == []


def test_a_bracketed_cost_is_positive_and_in_its_total(recommended):
    assert check_text(recommended, plan(cost=q("(16,209)"))) == []
    diagnostic = [d for d in check_text(recommended, plan(cost=q("(16,309)"))) if d.code == "TOT001"]
    assert len(diagnostic) == 1 and diagnostic[0].args["computed"] == 18267


@pytest.mark.parametrize("written", ["−1,000", "− 1,000", "△1,000", "▲ 1,000", "-1000"])
def test_a_minus_sign_is_a_minus(recommended, written):
    cell = load_plan_text(plan(actual=q(written))).model.themes[0].indicators[0].actuals[2021]
    assert isinstance(cell, Number) and cell.value == -1000
    diagnostic = only_load006(recommended, plan(cost=q(written)))
    assert (diagnostic.span.line, diagnostic.span.column) == (COST_LINE, COST_COLUMN)
    assert "never negative" in diagnostic.message["en"] and "負になりません" in diagnostic.message["ja"]


@pytest.mark.parametrize("written", ["①", "⑩", "②③", "① 計画の策定", "㉑"])
def test_a_circled_number_is_text_where_text_is_allowed_and_never_a_figure(recommended, written):
    cell = load_plan_text(plan(actual=q(written))).model.themes[0].indicators[0].actuals[2021]
    assert cell == Qualitative(written)
    assert [d for d in check_text(recommended, plan(actual=q(written))) if d.code.startswith("LOAD")] == []
    diagnostic = only_load006(recommended, plan(cost=q(written)))
    assert (diagnostic.span.line, diagnostic.span.column) == (COST_LINE, COST_COLUMN)
    symbol = written[0]
    digit = unicodedata.normalize("NFKC", symbol)
    assert f"{symbol} is a numeral symbol (a label or a mark), not the digit {digit}" in diagnostic.message["en"]
    assert f"「{symbol}」は丸数字や上付き数字などの記号で、数字の {digit} ではありません" in diagnostic.message["ja"]


def test_a_unit_with_a_superscript_stays_a_unit():
    cell = load_plan_text(plan(actual=q("1,200m²"))).model.themes[0].indicators[0].actuals[2021]
    assert isinstance(cell, Number) and cell.value == 1200 and values.normalise_unit(cell.unit) == "m2"


def test_full_width_and_other_decimal_digits_are_their_digits():
    assert values.parse_cell("１，２３４") == Number(Decimal(1234), 0, "１，２３４")
    assert values.parse_cell("𝟏𝟐").value == 12


def test_an_era_year_with_a_circled_number_is_no_year():
    with pytest.raises(fiscal.FiscalYearError):
        fiscal.parse_fiscal_year("令和④年度")
    assert fiscal.parse_fiscal_year("令和４年度") == 2022


def test_the_numeral_symbols_are_every_numeral_nfkc_turns_into_a_digit():
    """fiscal.NUMERAL_SYMBOLS is written out (a class, fast); it must hold every character of
    this Python's Unicode tables that is a numeral (No) and that NFKC turns into digits."""
    symbols = re.compile(f"[{fiscal.NUMERAL_SYMBOLS}]")
    missing = [f"U+{code:04X}" for code in range(0x110000)
               if unicodedata.category(chr(code)) == "No"
               and any(c.isdigit() for c in unicodedata.normalize("NFKC", chr(code)))
               and not symbols.match(chr(code))]
    assert missing == []


def test_a_cell_longer_than_any_is_an_error_before_any_pattern(recommended):
    written = "1," * 600 + "x"
    diagnostic = only_load006(recommended, plan(actual=q(written)))
    assert (diagnostic.span.line, diagnostic.span.column) == (ACTUAL_LINE, ACTUAL_COLUMN)
    assert f"a value of {len(written)} characters, longer than any cell (1000), is not read" in diagnostic.message["en"]
    assert f"{len(written)} 文字の値で、値の欄の上限（1000 文字）を超えるため読みません" in diagnostic.message["ja"]


# --- no pattern applied to user data backtracks super-linearly --------------------------------

ADVERSARIAL = ["1,", "(", "※", " ", "1", "1 ", "1.", "(※", "[※", "1(", "以上", "人", "-", "1-", "O", "1O", "※1",
               " (", "1 (", ")", "1 1", " 1", "(1", "*", " *", "1,1", "0", "約", "ー", "①", "e", "1e"]
ENDINGS = ["", "x", "a", "\n", "%", "以上", ")", "程度", "速報"]

# (the pattern, how plancheck applies it)
PATTERNS = [
    *[(value, "match") for name, value in vars(values).items() if isinstance(value, (re.Pattern, LazyPattern))
      and name not in ("_DIGIT_RE", "_DIGIT_OUTSIDE_UNIT_RE", "_NOT_A_UNIT_RE", "_BOUND_WORDS_RE", "_UNDERSCORE_RE",
                       "_NUMERAL_SYMBOL_RE", "_NUMERAL_SYMBOL_NEAR_DIGITS_RE")],
    *[(getattr(values, name), "search") for name in ("_DIGIT_RE", "_DIGIT_OUTSIDE_UNIT_RE", "_NOT_A_UNIT_RE",
                                                      "_BOUND_WORDS_RE", "_UNDERSCORE_RE", "_NUMERAL_SYMBOL_RE",
                                                      "_NUMERAL_SYMBOL_NEAR_DIGITS_RE")],
    (fiscal._ERA_RE, "match"), (fiscal._WESTERN_RE, "match"), (fiscal._NUMERAL_SYMBOL_RE, "search"),
    (loader._LEADING_ZERO_RE, "match"), (loader._LONG_FRACTION_RE, "search"), (loader._DECIMAL_RE, "match"),
]


def _seconds(function, text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        function(text)
        best = min(best, time.perf_counter() - start)
    return best


def _ratio(function, unit: str, ending: str) -> float:
    """How much longer `function` takes on 20,000 characters than on 10,000; a floor on the
    times keeps timer noise on tiny times from making a ratio."""
    short = unit * (10_000 // len(unit)) + ending
    long = unit * (20_000 // len(unit)) + ending
    return max(_seconds(function, long), 2e-4) / max(_seconds(function, short), 1e-4)


@pytest.mark.slow
@pytest.mark.parametrize(("pattern", "method"), PATTERNS, ids=[f"{p.pattern[:30]}.{m}" for p, m in PATTERNS])
def test_no_pattern_backtracks_super_linearly(pattern, method):
    function = getattr(pattern, method)
    worst = max(((_ratio(function, unit, ending), unit, ending) for unit in ADVERSARIAL for ending in ENDINGS),
                key=lambda found: found[0])
    for _ in range(6):  # more looks, so that another process taking the CPU is no failure
        if worst[0] < 3.0:
            break
        worst = (min(worst[0], _ratio(function, worst[1], worst[2])), worst[1], worst[2])
    assert worst[0] < 3.0, worst  # linear doubles (2); quadratic quadruples (4)


@pytest.mark.slow
def test_reading_a_cell_is_linear_below_the_bound_and_constant_above_it():
    """parse_cell runs every pattern; below MAX_CELL_CHARS its time grows linearly, above it
    the cell is an error before any pattern runs."""
    def read(text: str) -> None:
        with contextlib.suppress(values.CellError):
            values.parse_cell(text)

    for unit in ADVERSARIAL:
        for ending in ENDINGS:
            short = unit * (450 // len(unit)) + ending
            long = unit * (900 // len(unit)) + ending
            ratio = max(_seconds(read, long), 2e-4) / max(_seconds(read, short), 1e-4)
            for _ in range(3):
                if ratio < 3.0:
                    break
                ratio = min(ratio, max(_seconds(read, long), 2e-4) / max(_seconds(read, short), 1e-4))
            assert ratio < 3.0, (unit, ending, ratio)
    start = time.perf_counter()
    read("(" * 100_000 + "1")
    assert time.perf_counter() - start < 0.05
