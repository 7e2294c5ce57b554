from decimal import Decimal

import pytest

from checker.fiscal import FiscalYearError, era_label, parse_fiscal_year
from checker.values import Absent, Bound, CellError, Number, Qualitative, Relative, parse_cell


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
