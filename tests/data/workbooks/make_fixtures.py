"""Make the workbooks tests/test_import.py imports: `python tests/data/workbooks/make_fixtures.py`.

Each is a small realistic workbook made with openpyxl (invented numbers, the shapes cities
publish: a merged two-row header, the `△` number format, 6-digit codes as numbers shown with
`000000`, a `=SUM` 合計, a drop-down 動向 list, 和暦 headers, a hidden row, a number stored as
text; and, for the workbook lint, a budget kept against the 統一ルール). openpyxl writes a formula without the value a spreadsheet would cache for it, so the
script writes each cached value into the sheet XML itself (`<v>` beside `<f>`), and rewrites
the zip with fixed timestamps and order, so that running it twice gives the same bytes and no
LibreOffice is needed. The CSV is the same list saved as Excel on Windows does: CP932; the
.ods the same list as LibreOffice saves it (its XML written here: values, no number formats).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment
from openpyxl.worksheet.datavalidation import DataValidation

HERE = Path(__file__).resolve().parent
FIXED = dt.datetime(2023, 4, 1, 9, 0, 0)
AMOUNT = '#,##0;"△"#,##0'

# 男女共同参画 (DOMAIN.md: 8 projects, 46,371 千円, 拡大 2 + 維持 6); names and codes invented
PROJECTS: list[tuple[int, str, str, tuple[str, str, str], int, int | str, str]] = [
    (1, "男女共同参画推進事業", "市民協働・男女参画推進課", ("2", "1", "9"), 20110, 19, "拡大"),
    (2, "女性のための相談事業", "市民協働・男女参画推進課", ("2", "1", "9"), 20111, "2,377", "維持"),
    (3, "配偶者暴力相談支援事業", "子育て支援課", ("3", "2", "1"), 30201, 3851, "維持"),
    (4, "★ワーク・ライフ・バランス推進事業", "産業振興課", ("5", "1", "2"), 50102, 8379, "拡大"),
    (5, "男女平等推進センター運営事業", "市民協働・男女参画推進課", ("2", "1", "9"), 20112, 6091, "維持"),
    (6, "介護者支援事業", "高齢者支援課", ("介3", "1", "1"), 130101, 14326, "維持"),
    (7, "男女共同参画情報誌発行事業", "市民協働・男女参画推進課", ("2", "1", "9"), 20113, 41, "維持"),
    (8, "女性のキャリア形成支援事業", "産業振興課", ("5", "1", "2"), 50103, 11287, "維持"),
]
HIDDEN_ROW = 9  # project 5: hidden in the workbook, still part of the table and its SUM


def project_list(total_range: str = "H5:H12") -> tuple[openpyxl.Workbook, dict[str, str]]:
    """The 関連事務事業一覧 of one theme; the cached values of its formulas, by cell."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "関連事務事業一覧"
    sheet["A1"] = "基本目標Ⅱ－方針4－テーマ11 男女共同参画社会の実現"
    sheet.merge_cells("A1:I1")
    sheet["H2"] = "（単位：千円）"
    for column, label in zip("ABC", ("No", "事務事業名", "担当課")):
        sheet[f"{column}3"] = label
        sheet.merge_cells(f"{column}3:{column}4")
    sheet["D3"] = "予算科目"
    sheet.merge_cells("D3:F3")
    for column, label in zip("DEF", ("款", "項", "目")):
        sheet[f"{column}4"] = label
    sheet["G3"] = "コード"
    sheet.merge_cells("G3:G4")
    sheet["H3"] = "令和4年度\n事業費"
    sheet.merge_cells("H3:H4")
    sheet["I3"] = "令和5年度の動向"
    sheet.merge_cells("I3:I4")
    for cell in sheet[3]:
        cell.alignment = Alignment(wrap_text=True, horizontal="center")
    for offset, (no, name, department, account, code, cost, outlook) in enumerate(PROJECTS):
        row = 5 + offset
        sheet.cell(row, 1, no)
        sheet.cell(row, 2, name)
        sheet.cell(row, 3, department)
        for number, part in zip((4, 5, 6), account):
            sheet.cell(row, number, int(part) if part.isdigit() else part)
        sheet.cell(row, 7, code).number_format = "000000"
        sheet.cell(row, 8, cost).number_format = AMOUNT  # "2,377": a number stored as text
        sheet.cell(row, 9, outlook)
    sheet.row_dimensions[HIDDEN_ROW].hidden = True
    choices = DataValidation(type="list", formula1='"拡大,改善,維持,縮小,廃止"', allow_blank=True)
    choices.add("I5:I12")
    sheet.add_data_validation(choices)
    sheet["B13"] = "合計"
    sheet["H13"] = f"=SUM({total_range})"
    sheet["H13"].number_format = AMOUNT
    low, high = (int(n) for n in re.findall(r"\d+", total_range))
    total = sum(int(str(p[5]).replace(",", "")) for i, p in enumerate(PROJECTS) if low <= 5 + i <= high)
    counts = {"拡大": 0, "改善": 0, "維持": 0, "縮小": 0, "廃止": 0}
    for project in PROJECTS:
        counts[project[6]] += 1
    sheet["A15"] = "事務事業の動向"
    for index, (word, count) in enumerate(counts.items()):
        sheet.cell(15, 2 + 2 * index, word)
        sheet.cell(15, 3 + 2 * index, count)
    return book, {"H13": str(total)}


# 障がい者の自立 (DOMAIN.md: 46/61 = 75.4 %, 54/69 = 78.3 %); the second indicator invented
INDICATORS = [
    ("就労移行支援の実利用者数", "人/月", 46, (61, 69, 78, 78), (46, 54), None),
    ("自主防災組織の組織数", "組織", 72, (74, 76, 78, 80), (73, 75), None),
]


def indicator_sheet(rates: dict[tuple[int, int], float] | None = None) -> openpyxl.Workbook:
    """A theme's indicator block: 成果指標, 単位, 基準値（令和2年度）, then 目標 / 実績 / 達成率 rows
    across 和暦 year columns, the name, unit and baseline merged down over each indicator's
    three rows; 達成率 a formula-free value shown with `0.0%`. `rates` overrides a printed
    rate (indicator, year index) to plant an inconsistency."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "成果指標"
    sheet["A1"] = "テーマ11 障がい者の自立に向けた支援の充実"
    for column, label in zip("ABCD", ("成果指標", "単位", "基準値\n（令和2年度）", "区分")):
        sheet[f"{column}3"] = label
    for offset, year in enumerate(("令和3年度", "令和4年度", "令和5年度", "令和6年度")):
        sheet.cell(3, 5 + offset, year)
    for index, (name, unit, base, targets, actuals, _) in enumerate(INDICATORS):
        top = 4 + 3 * index
        for number, value in zip((1, 2, 3), (name, unit, base)):
            sheet.cell(top, number, value)
            sheet.merge_cells(start_row=top, start_column=number, end_row=top + 2, end_column=number)
        for offset, label in enumerate(("目標", "実績", "達成率")):
            sheet.cell(top + offset, 4, label)
        for year_index, target in enumerate(targets):
            sheet.cell(top, 5 + year_index, target).number_format = "#,##0"
        for year_index, actual in enumerate(actuals):
            sheet.cell(top + 1, 5 + year_index, actual).number_format = "#,##0"
            rate = (rates or {}).get((index, year_index), actual / targets[year_index])
            sheet.cell(top + 2, 5 + year_index, rate).number_format = "0.0%"
    return book


# 年齢3区分別人口 (DOMAIN.md: 14,668 + 80,907 + 25,592 = 121,167, 高齢化率 21.1); later years invented
POPULATION = {"年少人口": (14668, 14512, 14390), "生産年齢人口": (80907, 80755, 80602), "老年人口": (25592, 25811, 26004)}


def population_table(total_range_end: int = 7) -> tuple[openpyxl.Workbook, dict[str, str]]:
    """A statistics table: a merged two-row header (人口 over 和暦 years), the unit line, three
    rows, a =SUM 合計 row with its cached values, a 高齢化率 row shown with `0.0`. With
    `total_range_end` 6 the SUM leaves out 老年人口 (row 7)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "人口"
    sheet["A1"] = "年齢3区分別人口の推移（各年10月1日現在）"
    sheet["D2"] = "（単位：人）"
    sheet["A3"] = "区分"
    sheet.merge_cells("A3:A4")
    sheet["B3"] = "人口"
    sheet.merge_cells("B3:D3")
    for offset, year in enumerate(("令和2年", "令和3年", "令和4年")):
        sheet.cell(4, 2 + offset, year)
    for index, (name, values) in enumerate(POPULATION.items()):
        sheet.cell(5 + index, 1, name)
        for offset, value in enumerate(values):
            sheet.cell(5 + index, 2 + offset, value).number_format = "#,##0"
    sheet["A8"] = "合計"
    sheet["A9"] = "高齢化率（％）"
    cached = {}
    for offset, column in enumerate("BCD"):
        sheet[f"{column}8"] = f"=SUM({column}5:{column}{total_range_end})"
        sheet[f"{column}8"].number_format = "#,##0"
        total = sum(values[offset] for index, values in enumerate(POPULATION.values()) if 5 + index <= total_range_end)
        cached[f"{column}8"] = str(total)
        full = sum(values[offset] for values in POPULATION.values())
        sheet[f"{column}9"] = POPULATION["老年人口"][offset] / full * 100
        sheet[f"{column}9"].number_format = "0.0"
    return book, cached


# 歳出予算 by 款 (invented): 増減 printed with △ where the budget fell
BUDGET = [("議会費", 412345, 420011), ("総務費", 5123456, 4987654), ("民生費", 28765432, 27890123)]


def budget_table(typed_over: bool = False) -> tuple[openpyxl.Workbook, dict[str, str]]:
    """A budget by 款: 本年度予算額, 前年度予算額, 増減 (a formula, `#,##0;"△"#,##0`), 合計 by =SUM.
    With `typed_over`, 議会費's 増減 is a number typed over its formula (−7,566, not −7,666)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "歳出予算"
    sheet["A1"] = "令和5年度 一般会計歳出予算（款別）"
    sheet["D2"] = "（単位：千円）"
    for column, label in zip("ABCD", ("款", "本年度予算額", "前年度予算額", "増減")):
        sheet[f"{column}3"] = label
    cached = {}
    for index, (name, current, previous) in enumerate(BUDGET):
        row = 4 + index
        sheet.cell(row, 1, name)
        sheet.cell(row, 2, current).number_format = AMOUNT
        sheet.cell(row, 3, previous).number_format = AMOUNT
        sheet.cell(row, 4, f"=B{row}-C{row}").number_format = AMOUNT
        cached[f"D{row}"] = str(current - previous)
        if typed_over and index == 0:
            sheet.cell(row, 4, current - previous + 100).number_format = AMOUNT
            del cached[f"D{row}"]
    sheet["A7"] = "合計"
    for offset, column in enumerate("BCD"):
        sheet[f"{column}7"] = f"=SUM({column}4:{column}6)"
        sheet[f"{column}7"].number_format = AMOUNT
        cached[f"{column}7"] = str(sum((row[1], row[2], row[1] - row[2])[offset] for row in BUDGET))
    return book, cached


def _table_sheet(name: str, title: str, unit_cell: str, label: str) -> tuple[openpyxl.Workbook, Any]:
    """A new book whose sheet `name` has its title line, its unit line (千円) and the row labels'
    header `label` merged down the two header rows."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = name
    sheet["A1"] = title
    sheet[unit_cell] = "（単位：千円）"
    sheet["A3"] = label
    sheet.merge_cells("A3:A4")
    return book, sheet


# 介護保険事業計画の進捗 (invented): 計画値 / 実績値 / 進捗率 under each 和暦 year, 進捗率 a ROUND formula
SERVICES = [("訪問介護", (1234000, 1289000, 1345000), (1198765, 1301234, 1290001)),
            ("通所介護", (1876000, 1934000, 1990000), (1789012, 1901111, 1955555)),
            ("短期入所生活介護", (456000, 470000, 485000), (401234, 455678, 470001))]


def service_progress(typed_rate: str | None = None) -> tuple[openpyxl.Workbook, dict[str, str]]:
    """A service_progress table: 和暦 years merged over 計画値, 実績値, 進捗率（%）, a 合計 row of =SUM,
    進捗率 `=ROUND(C5/B5*100,1)` with cached values. With `typed_rate` (a cell), that 進捗率 is a
    number typed over its formula, 1 point off."""
    book, sheet = _table_sheet("介護給付費", "第8期介護保険事業計画 介護給付費の計画値と実績", "J2", "サービス")
    cached: dict[str, str] = {}
    for year_index, year in enumerate(("令和3年度", "令和4年度", "令和5年度")):
        left = 2 + 3 * year_index
        sheet.cell(3, left, year)
        sheet.merge_cells(start_row=3, start_column=left, end_row=3, end_column=left + 2)
        for offset, label in enumerate(("計画値", "実績値", "進捗率（%）")):
            sheet.cell(4, left + offset, label)
    for row_index, (name, plans, actuals) in enumerate(SERVICES):
        row = 5 + row_index
        sheet.cell(row, 1, name)
        for year_index in range(3):
            left = 2 + 3 * year_index
            plan_ref, actual_ref = (openpyxl.utils.get_column_letter(left + n) for n in (0, 1))
            sheet.cell(row, left, plans[year_index]).number_format = AMOUNT
            sheet.cell(row, left + 1, actuals[year_index]).number_format = AMOUNT
            rate_cell = sheet.cell(row, left + 2, f"=ROUND({actual_ref}{row}/{plan_ref}{row}*100,1)")
            rate_cell.number_format = "0.0"
            rate = _round_half_up(actuals[year_index] / plans[year_index] * 100, 1)
            cached[rate_cell.coordinate] = str(rate)
            if typed_rate == rate_cell.coordinate:
                sheet.cell(row, left + 2, rate + 1).number_format = "0.0"
                del cached[rate_cell.coordinate]
    total = 5 + len(SERVICES)
    sheet.cell(total, 1, "合計")
    for year_index in range(3):
        left = 2 + 3 * year_index
        for offset in (0, 1):
            letter = openpyxl.utils.get_column_letter(left + offset)
            sheet.cell(total, left + offset, f"=SUM({letter}5:{letter}{total - 1})").number_format = AMOUNT
            cached[f"{letter}{total}"] = str(sum((s[1] if offset == 0 else s[2])[year_index] for s in SERVICES))
        plan_ref, actual_ref, rate_ref = (openpyxl.utils.get_column_letter(left + n) for n in (0, 1, 2))
        sheet[f"{rate_ref}{total}"] = f"=ROUND({actual_ref}{total}/{plan_ref}{total}*100,1)"
        sheet[f"{rate_ref}{total}"].number_format = "0.0"
        cached[f"{rate_ref}{total}"] = str(_round_half_up(
            sum(s[2][year_index] for s in SERVICES) / sum(s[1][year_index] for s in SERVICES) * 100, 1))
    return book, cached


def _round_half_up(value: float, places: int) -> float:
    from decimal import ROUND_HALF_UP, Decimal

    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


# 総合計画 達成状況 by 章 (invented): 事業数, 計画事業費（A）, 実績事業費（B）, 進捗率（B）/（A）
CHAPTERS = [("第1章 健康・福祉", 57, 4690000, 4499999), ("第2章 子育て・教育", 38, 2345000, 2287654),
            ("第3章 環境・都市基盤", 41, 3120000, 2987001), ("第4章 産業・文化", 22, 870000, 901234)]


def achievement_matrix(typed_rate: bool = False) -> tuple[openpyxl.Workbook, dict[str, str]]:
    """An achievement_matrix: 令和4年度事業費 merged over 計画（A）/実績（B）, 進捗率 `=ROUND(C5/B5*100,1)`
    merged down two rows, 合計 by =SUM (sums down, ratios across), amounts in `#,##0;"△"#,##0`.
    With `typed_rate`, 第2章's 進捗率 is typed over (97.0, not 97.6)."""
    book, sheet = _table_sheet("達成状況", "令和4年度 総合計画実施計画 章別達成状況", "E2", "章")
    sheet["B3"] = "事業数"
    sheet.merge_cells("B3:B4")
    sheet["C3"] = "令和4年度事業費"
    sheet.merge_cells("C3:D3")
    for column, label in zip("CD", ("計画（A）", "実績（B）")):
        sheet[f"{column}4"] = label
    sheet["E3"] = "進捗率（B）/（A）"
    sheet.merge_cells("E3:E4")
    cached: dict[str, str] = {}
    for index, (name, count, plan, actual) in enumerate(CHAPTERS):
        row = 5 + index
        sheet.cell(row, 1, name)
        sheet.cell(row, 2, count).number_format = "#,##0"
        sheet.cell(row, 3, plan).number_format = AMOUNT
        sheet.cell(row, 4, actual).number_format = AMOUNT
        sheet.cell(row, 5, f"=ROUND(D{row}/C{row}*100,1)").number_format = "0.0"
        cached[f"E{row}"] = str(_round_half_up(actual / plan * 100, 1))
        if typed_rate and index == 1:
            sheet.cell(row, 5, 97.0).number_format = "0.0"
            del cached[f"E{row}"]
    total = 5 + len(CHAPTERS)
    sheet.cell(total, 1, "合計")
    for offset, column in enumerate("BCD"):
        sheet[f"{column}{total}"] = f"=SUM({column}5:{column}{total - 1})"
        sheet[f"{column}{total}"].number_format = AMOUNT
        cached[f"{column}{total}"] = str(sum((c[1], c[2], c[3])[offset] for c in CHAPTERS))
    sheet[f"E{total}"] = f"=ROUND(D{total}/C{total}*100,1)"
    sheet[f"E{total}"].number_format = "0.0"
    cached[f"E{total}"] = str(_round_half_up(sum(c[3] for c in CHAPTERS) / sum(c[2] for c in CHAPTERS) * 100, 1))
    return book, cached


# 行政コスト (a cost sheet, invented): 3 years' 決算 / 予算 under their 和暦 years
COSTS = {"人件費": (8740, 8250, 8400), "物件費等": (12340, 13010, 15200),
         "国・都支出金": (6000, None, 7500), "その他特定財源": (None, 1200, 1200)}
BENEFICIARIES = (512, 530, 600)


def cost_sheet(typed_general: bool = False) -> tuple[openpyxl.Workbook, dict[str, str]]:
    """A cost_sheet: 令和3年度 | 令和4年度 over 決算, 令和5年度 over 予算 (a merged two-row header),
    トータルコスト `=B5+B6`, 一般財源 `=B7-B8-B9` (the 特定財源 blank where none), 受益者数 and
    一人当たりコスト `=ROUND(B7/B11*1000,0)` (千円 ÷ 人 in 円). With `typed_general`, 令和4年度's
    一般財源 is typed over (20,600, not 20,060): the 財源 no longer add up to the トータルコスト."""
    book, sheet = _table_sheet("コストシート", "事務事業評価 コストシート（生涯学習講座事業）", "D2", "区分")
    for offset, (year, basis) in enumerate((("令和3年度", "決算"), ("令和4年度", "決算"), ("令和5年度", "予算"))):
        sheet.cell(3, 2 + offset, year)
        sheet.cell(4, 2 + offset, basis)
    labels = ["人件費", "物件費等", "トータルコスト", "国・都支出金", "その他特定財源", "一般財源", "受益者数（人）",
              "一人当たりコスト（円）"]
    for index, label in enumerate(labels):
        sheet.cell(5 + index, 1, label)
    cached: dict[str, str] = {}
    for offset in range(3):
        column = 2 + offset
        letter = openpyxl.utils.get_column_letter(column)
        personnel, things = COSTS["人件費"][offset] or 0, COSTS["物件費等"][offset] or 0
        national, other = COSTS["国・都支出金"][offset], COSTS["その他特定財源"][offset]
        sheet.cell(5, column, personnel).number_format = AMOUNT
        sheet.cell(6, column, things).number_format = AMOUNT
        sheet.cell(7, column, f"={letter}5+{letter}6").number_format = AMOUNT
        full = personnel + things
        cached[f"{letter}7"] = str(full)
        if national is not None:
            sheet.cell(8, column, national).number_format = AMOUNT
        if other is not None:
            sheet.cell(9, column, other).number_format = AMOUNT
        sheet.cell(10, column, f"={letter}7-{letter}8-{letter}9").number_format = AMOUNT
        cached[f"{letter}10"] = str(full - (national or 0) - (other or 0))
        if typed_general and offset == 1:
            sheet.cell(10, column, 20600).number_format = AMOUNT
            del cached[f"{letter}10"]
        sheet.cell(11, column, BENEFICIARIES[offset]).number_format = "#,##0"
        sheet.cell(12, column, f"=ROUND({letter}7/{letter}11*1000,0)").number_format = "#,##0"
        cached[f"{letter}12"] = str(int(_round_half_up(full / BENEFICIARIES[offset] * 1000, 0)))
    return book, cached


# 歳入決算 by 会計 (invented): 予算現額, 調定額, 収入済額, 不納欠損額, 収入未済額, 収入率
SETTLEMENT = [("一般会計", 61234567, 60123456, 59012345, 12345), ("国民健康保険事業特別会計", 12345678, 12001234, 11234567, 45678),
              ("介護保険事業特別会計", 10987654, 10876543, 10765432, 2345)]


def settlement(typed_arrears: bool = False) -> tuple[openpyxl.Workbook, dict[str, str]]:
    """A 決算 (account settlement) table: 令和4年度 merged over its six columns, 収入未済額
    `=C5-D5-E5`, 収入率 `=ROUND(D5/C5*100,1)`, a 合計 of =SUM, `△` format. With `typed_arrears`,
    一般会計's 収入未済額 is typed over (1,098,765 for 1,098,766)."""
    book, sheet = _table_sheet("歳入決算", "令和4年度 会計別歳入決算の状況", "G2", "会計")
    sheet["B3"] = "令和4年度"
    sheet.merge_cells("B3:G3")
    for column, label in zip("BCDEFG", ("予算現額", "調定額", "収入済額", "不納欠損額", "収入未済額", "収入率（%）")):
        sheet[f"{column}4"] = label
    cached: dict[str, str] = {}
    arrears_typed = 0
    for index, (name, budget, assessed, received, written_off) in enumerate(SETTLEMENT):
        row = 5 + index
        sheet.cell(row, 1, name)
        for col_no, value in zip((2, 3, 4, 5), (budget, assessed, received, written_off)):
            sheet.cell(row, col_no, value).number_format = AMOUNT
        sheet.cell(row, 6, f"=C{row}-D{row}-E{row}").number_format = AMOUNT
        cached[f"F{row}"] = str(assessed - received - written_off)
        if typed_arrears and index == 0:
            sheet.cell(row, 6, assessed - received - written_off - 1).number_format = AMOUNT
            del cached[f"F{row}"]
            arrears_typed = -1  # the 合計's SUM adds the typed value, as a spreadsheet recalculates it
        sheet.cell(row, 7, f"=ROUND(D{row}/C{row}*100,1)").number_format = "0.0"
        cached[f"G{row}"] = str(_round_half_up(received / assessed * 100, 1))
    total = 5 + len(SETTLEMENT)
    sheet.cell(total, 1, "合計")
    for offset, column in enumerate("BCDEF"):
        sheet[f"{column}{total}"] = f"=SUM({column}5:{column}{total - 1})"
        sheet[f"{column}{total}"].number_format = AMOUNT
        cached[f"{column}{total}"] = str(sum((s[1], s[2], s[3], s[4], s[2] - s[3] - s[4])[offset] for s in SETTLEMENT)
                                         + (arrears_typed if column == "F" else 0))
    sheet[f"G{total}"] = f"=ROUND(D{total}/C{total}*100,1)"
    sheet[f"G{total}"].number_format = "0.0"
    cached[f"G{total}"] = str(_round_half_up(sum(s[3] for s in SETTLEMENT) / sum(s[2] for s in SETTLEMENT) * 100, 1))
    return book, cached


def unreadable_budget() -> openpyxl.Workbook:
    """A budget by 款 and 項 as many are kept for printing, against the 統一ルール (the workbook
    lint's fixture): 和暦 headers without 西暦, no unit line, ① and ㈱ in labels, 「総　務　費」
    spaced out with full-width spaces, 総務費 merged down over its two 項 rows, a number
    stored as text (Excel's green triangle), a hidden working column (査定額)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "歳出予算"
    sheet["A1"] = "令和5年度 一般会計歳出予算（款・項別）"
    for column, label in zip("ABCDEF", ("款", "項", "令和5年度予算額", "令和4年度予算額", "査定額", "主な委託先")):
        sheet[f"{column}3"] = label
    rows: list[tuple[str | None, str, int | str, int, int, str | None]] = [
        ("①議会費", "議会費", 412345, 420011, 410000, None),
        ("総　務　費", "総務管理費", "4,123,456", 3987654, 4100000, "㈱小平サービス"),
        (None, "徴税費", 1000000, 1000000, 1000000, None),
        ("民生費", "社会福祉費", 28765432, 27890123, 28700000, None),
    ]
    for offset, values in enumerate(rows):
        for col_no, entry in enumerate(values, 1):
            if entry is not None:
                cell = sheet.cell(4 + offset, col_no, entry)
                if isinstance(entry, int):
                    cell.number_format = "#,##0"
    sheet.merge_cells("A5:A6")
    sheet.column_dimensions["E"].hidden = True
    return book


def save(book: openpyxl.Workbook, cached: dict[str, str], name: str, sheet_xml: str = "xl/worksheets/sheet1.xml") -> None:
    book.properties.created = book.properties.modified = FIXED
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in sorted(source.namelist()):
            data = source.read(entry)
            if entry == sheet_xml:
                data = _with_cached_values(data.decode("utf-8"), cached).encode("utf-8")
            if entry == "docProps/core.xml":
                data = re.sub(rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>",
                              b'<dcterms:modified xsi:type="dcterms:W3CDTF">2023-04-01T09:00:00Z</dcterms:modified>',
                              data)
            info = zipfile.ZipInfo(entry, date_time=(2023, 4, 1, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)
    (HERE / name).write_bytes(out.getvalue())


def _with_cached_values(xml: str, cached: dict[str, str]) -> str:
    """Each formula cell of `cached` given its value (`<v>`), as a spreadsheet saves it."""
    for ref, value in cached.items():
        pattern = re.compile(rf'(<c r="{ref}"[^>]*>)(<f>[^<]*</f>)(?:<v>[^<]*</v>|<v\s*/>)?(</c>)')
        xml, count = pattern.subn(rf"\g<1>\g<2><v>{value}</v>\g<3>", xml)
        if count != 1:
            raise SystemExit(f"formula cell {ref} not found in the sheet XML")
    return xml


def project_csv() -> bytes:
    """The same list as a CSV saved by Excel on Windows: CP932, the codes with their zeros."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["関連事務事業一覧（令和4年度）", "", "", "", "", "（単位：千円）", ""])
    writer.writerow(["No", "事務事業名", "担当課", "予算科目", "コード", "事業費", "令和5年度の動向"])
    for no, name, department, account, code, cost, outlook in PROJECTS:
        cost_text = cost if isinstance(cost, str) else f"{cost:,}"
        writer.writerow([no, name, department, "-".join(account), f"{code:06d}", cost_text, outlook])
    writer.writerow(["", "合計", "", "", "", "46,371", ""])
    return buffer.getvalue().encode("cp932")


def project_ods() -> bytes:
    """The same list as an OpenDocument spreadsheet (what LibreOffice saves), written as its
    XML directly: the cells' values only, the 合計 as a formula with its cached value."""
    from xml.sax.saxutils import escape

    def cell(value: object) -> str:
        if isinstance(value, int):
            return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
        if value is None:
            return "<table:table-cell/>"
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'

    rows: list[list[object]] = [["関連事務事業一覧（令和4年度）", None, None, None, None, "（単位：千円）", None],
            ["No", "事務事業名", "担当課", "予算科目", "コード", "事業費", "令和5年度の動向"]]
    for no, name, department, account, code, cost, outlook in PROJECTS:
        rows.append([no, name, department, "-".join(account), f"{code:06d}", int(str(cost).replace(",", "")), outlook])
    body = "".join("<table:table-row>" + "".join(cell(value) for value in row) + "</table:table-row>" for row in rows)
    body += ('<table:table-row><table:table-cell/><table:table-cell office:value-type="string"><text:p>合計</text:p>'
             "</table:table-cell><table:table-cell/><table:table-cell/><table:table-cell/>"
             '<table:table-cell table:formula="of:=SUM([.F3:.F10])" office:value-type="float" office:value="46371">'
             "<text:p>46371</text:p></table:table-cell></table:table-row>")
    return ods_document("関連事務事業一覧", body)


def ods_document(table: str, body: str) -> bytes:
    """A minimal ods (as LibreOffice writes one) of one table whose rows are `body` (XML)."""
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               f'<office:body><office:spreadsheet><table:table table:name="{table}">'
               f"{body}</table:table></office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data, method in (("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED),
                                   ("content.xml", content, zipfile.ZIP_DEFLATED),
                                   ("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)):
            info = zipfile.ZipInfo(name, date_time=(2023, 4, 1, 9, 0, 0))
            info.compress_type = method
            archive.writestr(info, data.encode("utf-8"))
    return out.getvalue()


def main() -> None:
    book, cached = project_list()
    save(book, cached, "project_list.xlsx")
    # the classic drift: a row added at the table's edge, the SUM's range not widened
    book, cached = project_list("H5:H11")
    save(book, cached, "project_list_short_sum.xlsx")
    # never recalculated: the formula saved without a cached value
    book, _ = project_list()
    save(book, {}, "project_list_uncalculated.xlsx")
    (HERE / "project_list_cp932.csv").write_bytes(project_csv())
    save(indicator_sheet(), {}, "indicators.xlsx")
    save(*population_table(), "population.xlsx")
    save(*population_table(6), "population_short_sum.xlsx")
    save(*budget_table(), "budget.xlsx")
    save(*budget_table(typed_over=True), "budget_typed_over.xlsx")
    # a printed rate that is not its target and actual's: 54 / 69 = 78.3 %, printed 78.9 %
    save(indicator_sheet({(0, 1): 0.789}), {}, "indicators_wrong_rate.xlsx")
    (HERE / "project_list.ods").write_bytes(project_ods())
    save(*service_progress(), "service_progress.xlsx")
    save(*service_progress("G6"), "service_progress_typed_over.xlsx")
    save(*achievement_matrix(), "achievement_matrix.xlsx")
    save(*achievement_matrix(typed_rate=True), "achievement_matrix_typed_over.xlsx")
    save(*cost_sheet(), "cost_sheet.xlsx")
    save(*cost_sheet(typed_general=True), "cost_sheet_typed_over.xlsx")
    save(*settlement(), "settlement.xlsx")
    save(*settlement(typed_arrears=True), "settlement_typed_over.xlsx")
    save(unreadable_budget(), {}, "budget_unreadable.xlsx")
    far = far_cell_xls()
    if far is not None:
        (HERE / "far_cell.xls").write_bytes(far)


def far_cell_xls() -> bytes | None:
    """An xls of two cells, A1 and IV65536 (the format's last): 5.6 KB whose grid is 16.7
    million cells, which python-calamine builds whole before anything can measure it. Made with
    xlwt (`pip install xlwt`; not a dependency of plancheck or its tests, which read the file
    kept here), whose output has no timestamp: the same bytes each time. None without xlwt."""
    try:
        import xlwt  # type: ignore[import-not-found]
    except ImportError:
        print("xlwt is not installed: far_cell.xls is left as it is", file=sys.stderr)
        return None
    book = xlwt.Workbook()
    sheet = book.add_sheet("事業一覧")
    sheet.write(0, 0, "男女共同参画推進事業")
    sheet.write(65_535, 255, "メモ")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


if __name__ == "__main__":
    main()
