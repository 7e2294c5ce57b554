import contextlib
from decimal import Decimal

import pytest

from checker.fiscal import FiscalYearError, era_label, parse_fiscal_year
from checker.values import (
    Absent,
    Bound,
    CellError,
    Number,
    Qualitative,
    Relative,
    decimal_places,
    money_scale,
    parse_cell,
    stated_number,
)


@pytest.mark.parametrize(
    ("text", "year"),
    [("令和4年度", 2022), ("令和元年度", 2019), ("R4", 2022), ("平成30年度", 2018), ("令和４年度", 2022),
     ("2022", 2022), (2022, 2022), ("令和9(2027)年度", 2027), ("令和元(2019)年度", 2019), ("昭和64年度", 1989)],
)
def test_fiscal_years(text, year):
    assert parse_fiscal_year(text) == year


@pytest.mark.parametrize(("text", "kind"), [("令和0年度", "era_zero"), ("令和9(2028)年度", "era_mismatch"),
                                            ("来年度", "unreadable"), ("3022", "out_of_range")])
def test_bad_fiscal_years(text, kind):
    with pytest.raises(FiscalYearError) as error:
        parse_fiscal_year(text)
    assert error.value.kind == kind


def test_era_labels():
    assert era_label(2022) == "令和4年度"
    assert era_label(2019) == "令和元年度"
    assert era_label(2018) == "平成30年度"


def test_numbers_keep_stated_precision():
    cell = parse_cell(Decimal("27.0"))
    assert cell == Number(Decimal("27.0"), 1, "27.0")
    assert parse_cell("1,234").value == 1234
    assert parse_cell("１，２３４").value == 1234
    assert parse_cell("△1,234").value == -1234
    assert parse_cell("▲5").value == -5


def test_units_marks_and_measurement_notes():
    cost = parse_cell("8,345 千円")
    assert (cost.value, cost.unit) == (Decimal(8345), "千円")
    reset = parse_cell("58 [※]")
    assert (reset.value, reset.reset, reset.marks) == (Decimal(58), True, ("※",))
    assert parse_cell("24.2(※)").reset is True
    lagged = parse_cell("15.6 (平成30年度)")
    assert (lagged.value, lagged.places, lagged.measured_year) == (Decimal("15.6"), 1, 2018)
    noted = parse_cell("27.0* (令和3年5月)")
    assert (noted.value, noted.marks, noted.measured) == (Decimal("27.0"), ("*",), "令和3年5月")
    assert parse_cell("75.4%").unit == "%"


def test_target_forms():
    assert isinstance(parse_cell("4以上"), Bound) and parse_cell("4以上").kind == "at_least"
    assert parse_cell("以上4").number.value == 4
    assert parse_cell("前年度比減") == Relative("decrease", "前年度比減")
    assert parse_cell("前年以下").kind == "not_above"
    assert parse_cell("前年比同程度").kind == "about_same"
    assert parse_cell("充実") == Qualitative("充実")
    assert parse_cell("年2回実施") == Qualitative("年2回実施")
    for absent in ("—", "-", "(※4)"):
        assert isinstance(parse_cell(absent), Absent)


def test_malformed_numbers_are_errors():
    for text in ("1.2.3", "12,34"):
        with pytest.raises(CellError):
            parse_cell(text)


def test_budget_accounts_keep_their_special_account_prefix():
    from checker.model import BudgetAccount

    assert BudgetAccount.model_validate("3-4-4").fund == "general"
    assert BudgetAccount.model_validate("介3-1-1").fund == "介"
    assert BudgetAccount.model_validate("後1-1-2").model_dump() == {"fund": "後", "kan": 1, "kou": 1, "moku": 2}


# --- the value forms of real documents ---------------------------------------------------

from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from checker.values import (  # noqa: E402
    ABSENCE_REASONS,
    ABSENT_WORDS,
    Unreadable,
    float_artifact_reading,
    format_decimal,
)


@pytest.mark.parametrize(("text", "reason"), [
    ("無し", "not_applicable"), ("なし", "not_applicable"), ("(記載なし)", "not_stated"), ("（記載なし）", "not_stated"),
    ("記載なし", "not_stated"), ("未集計", "not_counted"), ("調査中", "under_survey"), (" 無し ", "not_applicable"),
    ("\u2212", "not_applicable"), ("\u2015", "not_applicable"), ("\u2012", "not_applicable"),
    ("\ufe63", "not_applicable"), ("\uff0d", "not_applicable"), ("\u2011", "not_applicable"),
    ("…", "not_available"), ("x", "confidential"), ("(※4)", "note ※4"), ("", "blank"),
])
def test_absences_say_why(text, reason):
    cell = parse_cell(text)
    assert cell == Absent(reason, text)
    ja, en = cell.describe()
    assert ja and en and (reason.startswith("note") or (ja, en) == ABSENCE_REASONS[reason])


def test_every_absence_word_has_a_reason_in_both_languages():
    assert set(ABSENT_WORDS.values()) <= set(ABSENCE_REASONS)
    assert Absent("note ※4", "(※4)").describe() == ("注記※4のとおり", "see note ※4")


@pytest.mark.parametrize("text", ["△ 1,234", "▲ 1,234", "△1,234", "\u22121,234", "\u2212 1,234", "-1,234",
                                  "△\u30001,234", "▲１，２３４", "\uff0d1,234"])
def test_negatives_in_every_printed_minus(text):
    cell = parse_cell(text)
    assert isinstance(cell, Number) and cell.value == -1234 and cell.places == 0


@pytest.mark.parametrize(("text", "kind", "details"), [
    ("2,52O", "letter_in_number", {"character": "O", "digit": "0"}),
    ("1O0", "letter_in_number", {"character": "O", "digit": "0"}),
    ("l23", "letter_in_number", {"character": "l", "digit": "1"}),
    ("2,52l", "letter_in_number", {"character": "l", "digit": "1"}),
    ("12O人", "letter_in_number", {"character": "O", "digit": "0"}),
    ("約12,300", "approximate", {"word": "約"}),
    ("およそ12,300", "approximate", {"word": "およそ"}),
    ("12,300程度", "approximate", {"word": "程度"}),
    ("12,300人程度", "approximate", {"word": "程度"}),
    ("約20か所", "approximate", {"word": "約"}),
    ("78,3%", "decimal_comma", {"suggestion": "78.3%"}),
    ("0,5", "decimal_comma", {"suggestion": "0.5"}),
    ("12,34", "decimal_comma", {"suggestion": "12.34"}),
    ("(10,000", "unbalanced_bracket", {}),
    ("10,000)", "unbalanced_bracket", {}),
    ("（10,000", "unbalanced_bracket", {}),
    ("24.2(※", "unbalanced_bracket", {}),
    ("54-60", "two_numbers", {"first": "54", "second": "60"}),
    ("54/100", "two_numbers", {"first": "54", "second": "100"}),
    ("54～60人", "two_numbers", {"first": "54", "second": "60"}),
    ("54 60", "two_numbers", {"first": "54", "second": "60"}),
    ("8,345 千円 3,960 千円", "two_numbers", {"first": "8,345", "second": "3,960"}),
    ("54\u221260", "two_numbers", {"first": "54", "second": "60"}),
    ("1.2.3", "malformed_number", {}),
    ("1,23,456", "malformed_number", {}),
])
def test_numbers_with_a_defect_say_which(text, kind, details):
    with pytest.raises(CellError) as error:
        parse_cell(text)
    assert (error.value.kind, error.value.text, error.value.details) == (kind, text, details)


@pytest.mark.parametrize("text", ["充実", "継続", "年2回実施", "窓口運営開始 (令和4年度)", "計画の策定", "3か月に1回程度",
                                  "年末2日間", "O157対策の推進", "IoT導入", "令和4年4月1日", "約束の実施", "およそ半数",
                                  "前年度比同程度以上", "週1回程度", "1日 2回", "10人 20件"])
def test_words_with_figures_in_them_are_qualitative(text):
    assert parse_cell(text) == Qualitative(text)


def test_units_that_are_not_letters_for_digits_stay_units():
    assert (parse_cell("5l").value, parse_cell("5l").unit) == (5, "l")
    assert parse_cell("1,000kl").unit == "kl"
    assert parse_cell("46人/月").unit == "人/月"
    assert parse_cell("12.5m2").unit == "m2"


@pytest.mark.parametrize(("text", "value"), [("(10,000)", 10000), ("（10,000）", 10000), ("(△1,234)", -1234),
                                             ("(75.4%)", Decimal("75.4"))])
def test_bracketed_figures_are_marked_numbers(text, value):
    cell = parse_cell(text)
    assert isinstance(cell, Number) and cell.value == value and cell.bracketed and cell.text == text


@pytest.mark.parametrize(("text", "provisional", "estimate", "unit"), [
    ("1,234（速報値）", True, False, None), ("1,234 (見込み)", False, True, None), ("1,234見込", False, True, None),
    ("1,234人（見込み）", False, True, "人"), ("1,234 速報", True, False, None), ("1,234（推計値）", False, True, None),
])
def test_provisional_and_estimated_figures(text, provisional, estimate, unit):
    cell = parse_cell(text)
    assert isinstance(cell, Number) and cell.value == 1234
    assert (cell.provisional, cell.estimate, cell.unit, cell.measured) == (provisional, estimate, unit, None)


@pytest.mark.parametrize(("written", "read"), [
    ("99.99999999999999", "100"), ("0.30000000000000004", "0.3"), ("12.799999999999999", "12.8"),
    ("1234.5600000000001", "1234.56"), ("-0.30000000000000004", "-0.3"), ("0.12345600000000001", "0.123456"),
])
def test_float_artifacts_read_at_a_sensible_precision(written, read):
    assert float_artifact_reading(Decimal(written)) == Decimal(read)
    for raw in (Decimal(written), written):
        cell = parse_cell(raw)
        assert (cell.value, cell.places, cell.float_artifact, cell.text) == (
            Decimal(read), decimal_places(Decimal(read)), True, written)


@pytest.mark.parametrize("written", ["0.1234567", "1.50000000", "27.0", "0.00000001", "3.14159265"])
def test_stated_precision_is_no_artifact(written):
    assert float_artifact_reading(Decimal(written)) is None
    assert not parse_cell(written).float_artifact


def test_a_long_number_that_is_no_artifact_is_still_out_of_range():
    with pytest.raises(CellError) as error:
        parse_cell(Decimal("3.14159265358979"))
    assert error.value.kind == "out_of_range"


# --- properties ---------------------------------------------------------------------------

CELL_TYPES = (Number, Absent, Bound, Relative, Qualitative, Unreadable)
# The characters printed values are made of, so that random text is near the forms.
PRINTED = st.sampled_from(list("0123456789０１２３,.，．△▲-−–―+ (（)）[]※*%％約程度見込速報値OolI人千円年度令和以上下未満無し記載集計調査中前年比減\u3000/～:…x"))


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(PRINTED, max_size=16), st.text(max_size=12)))
@example("2,52O")
@example("約12,300")
@example("(10,000")
@example("−")
def test_any_text_is_a_form_or_a_cell_error(text):
    try:
        cell = parse_cell(text)
    except CellError as error:
        assert error.text == text and error.kind  # noqa: PT017 (either outcome is allowed: raises() would demand the error)
        return
    assert isinstance(cell, CELL_TYPES)
    assert cell.text == text


@settings(max_examples=800, deadline=None)
@given(st.one_of(st.integers(), st.decimals(allow_nan=True, allow_infinity=True), st.floats(), st.booleans(),
                 st.none()))
def test_any_scalar_is_a_form_or_a_cell_error(raw):
    with contextlib.suppress(CellError):
        assert isinstance(parse_cell(raw), CELL_TYPES)


FULL_WIDTH = str.maketrans("0123456789,.%", "０１２３４５６７８９，．％")


@st.composite
def written_numbers(draw):
    """A number and one way a document prints it."""
    places = draw(st.integers(0, 4))
    value = Decimal(draw(st.integers(-10**12, 10**12))).scaleb(-places)
    magnitude = format_decimal(abs(value)) if draw(st.booleans()) else f"{abs(value):f}"
    minus = draw(st.sampled_from(["-", "△", "▲", "\u2212", "△ ", "▲ ", "\u2212 ", "\uff0d"]))
    text = (minus if value < 0 else draw(st.sampled_from(["", "+"]))) + magnitude
    text += draw(st.sampled_from(["", "人", " 千円", "%", "件", "人/月", "※", " [※]", " (令和3年度)", "（速報値）",
                                  " (見込み)"]))
    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    if draw(st.booleans()) and "(" not in text and "（" not in text:
        text = f"({text})"
    return value, text


@settings(max_examples=800, deadline=None)
@given(written_numbers())
def test_a_number_in_every_written_form_reads_back(case):
    value, text = case
    cell = parse_cell(text)
    assert isinstance(cell, Number), text
    assert cell.value == value and cell.places == decimal_places(value), text
    assert cell.text == text


def test_every_cell_problem_is_worded_in_both_languages_with_the_same_placeholders():
    import string

    from checker.loader import _PROBLEMS_JA
    from checker.model import _CELL_PROBLEMS

    def placeholders(template):
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}

    for kind, english in _CELL_PROBLEMS.items():
        japanese = _PROBLEMS_JA[f"cell_{kind}"]
        assert placeholders(english) == placeholders(japanese), kind


def test_money_scale_is_the_one_table_of_money_units():
    # a money unit as written (full width, spaces) gives its power of ten; others none
    assert [money_scale(unit) for unit in ("円", "千円", "万円", " 百万円", "億円", "十億円")] == [0, 3, 4, 6, 8, 9]
    assert money_scale("人") is None and money_scale(None) is None and money_scale("千円/人") is None
    # per: the money a unit cost counts (円/人 is yen per person)
    assert money_scale("千円/人", per=True) == 3 and money_scale("円/件", per=True) == 0
    assert money_scale("人/月", per=True) is None


def test_stated_number_reads_numbers_and_bounds_only():
    assert stated_number(parse_cell("8,345 千円")) == Number(Decimal("8345"), 0, "8,345 千円", unit="千円")
    bound = parse_cell("4以上")
    assert isinstance(bound, Bound) and stated_number(bound) == bound.number
    assert stated_number(parse_cell("—")) is None and stated_number(None) is None
