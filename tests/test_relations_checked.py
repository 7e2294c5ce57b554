"""Every sum, table relation and outlook count says whether it was checked: a Checked record
at the stated value it evaluated, an Unchecked record at the value that blocked it (with
why), NotApplicable where nothing is stated. And `means_zero` declares which absence marks
are 0, so a cost sheet that prints zeros as blanks is checked in every column."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from checker.diagnostics import Checked, Finding, Location, NotApplicable, Text, Unchecked
from checker.functions import FUNCTIONS, load_builtin_functions, select
from checker.values import Unreadable
from tests.conftest import ROOT, check_text, codes, load_plan_text

load_builtin_functions()

KINDS = ROOT / "tests" / "data" / "kinds"
COST_SHEET = ROOT / "tests" / "data" / "tables" / "cost-sheet-declared.yaml"
SETTLEMENT = KINDS / "settlement-by-kan.yaml"

EVAL = "plan: {id: x, title: t, municipality: 小平市, kind: policy_evaluation, source: {seed: a.txt}%s}\n"
STATS = "plan: {id: x, title: t, municipality: 小金井市, kind: statistics, source: {seed: a.txt}%s}\n"


def run(text: str, given: str, function: str, options: dict | None = None, mutate=None) -> list:
    """What `function` yields on every target of `given` in the plan `text` (findings and
    relation records), with the function's default options under `options`."""
    loaded = load_plan_text(text)
    assert loaded.model is not None, loaded.findings
    if mutate is not None:
        mutate(loaded.model)
    spec = FUNCTIONS[function]
    out: list = []
    for target in select(given, [loaded]):
        out += list(spec.run(target, dict(options or {})))
    return out


def records(items: list) -> list:
    return [item for item in items if not isinstance(item, Finding)]


def findings(items: list) -> list[Finding]:
    return [item for item in items if isinstance(item, Finding)]


def at(*path) -> Location:
    return Location("plan.yaml", tuple(path))


# --- a project list's 合計 -------------------------------------------------------------------


def project_list(costs: list[str], total: str = "300", plan: str = "", extra: str = "") -> str:
    rows = "".join(f"        - {{no: {n}, name: 事業{n}, cost: {cost}}}\n" for n, cost in enumerate(costs, 1))
    return (EVAL % plan) + (
        f"themes:\n  - id: a\n    title: t\n    projects:\n      unit: 千円\n{extra}      items:\n{rows}"
        f"      total: {total}\n"
    )


TOTAL = ("themes", 0, "projects", "total")
LIST_SUM = Text("合計 ＝ 内訳の事業費の和", "the total = the sum of the items' costs")


def cost_at(index: int) -> Location:
    return at("themes", 0, "projects", "items", index, "cost")


def test_an_evaluated_total_is_checked_at_the_total_whether_it_holds_or_not():
    assert run(project_list(["100", "200"]), "project_lists", "sum_matches") == [Checked(at(*TOTAL))]
    out = run(project_list(["100", "250"]), "project_lists", "sum_matches")
    assert records(out) == [Checked(at(*TOTAL))]
    [finding] = findings(out)
    assert finding.kind == "beyond_rounding" and finding.args["computed"] == 350


@pytest.mark.parametrize(
    ("printed", "ja", "en"),
    [
        ('"—"', "内訳 2 の事業費が「—」", "item 2's cost is —"),
        ('"-"', "内訳 2 の事業費が「-」", "item 2's cost is -"),
        ('""', "内訳 2 の事業費が空欄", "item 2's cost is blank"),
        ('"(※4)"', "内訳 2 の事業費が「(※4)」", "item 2's cost is (※4)"),
        ("未集計", "内訳 2 の事業費が「未集計」", "item 2's cost is 未集計 (not yet counted)"),
    ],
)
def test_an_item_without_a_cost_leaves_the_total_unchecked_at_that_cost(printed, ja, en):
    # 100 + ? + 250 against 300: without the second cost nothing can be said about the total
    out = run(project_list(["100", printed, "250"]), "project_lists", "sum_matches")
    assert out == [Unchecked(cost_at(1), LIST_SUM, Text(ja, en))]


def test_an_unreadable_cost_leaves_the_total_unchecked():
    def unreadable(model):
        model.themes[0].projects.items[0].cost = Unreadable("約12,300", "unreadable")

    out = run(project_list(["100", "200"]), "project_lists", "sum_matches", mutate=unreadable)
    assert out == [Unchecked(cost_at(0), LIST_SUM,
                             Text("内訳 1 の事業費が読み取れない値「約12,300」", "item 1's cost is the unreadable value 約12,300"))]


def test_every_missing_cost_is_named_in_one_record():
    [record] = run(project_list(['"—"', "100", '""']), "project_lists", "sum_matches")
    assert record.location == cost_at(0)
    assert record.reason == Text("内訳 1 の事業費が「—」、内訳 3 の事業費が空欄", "item 1's cost is —; item 3's cost is blank")


def test_an_absent_total_or_an_empty_list_is_unchecked_at_the_total():
    assert run(project_list(["100"], total='"—"'), "project_lists", "sum_matches") == [
        Unchecked(at(*TOTAL), LIST_SUM, Text("合計が「—」", "the total is —"))]
    empty = (EVAL % "") + "themes:\n  - id: a\n    title: t\n    projects: {unit: 千円, items: [], total: 0}\n"
    assert run(empty, "project_lists", "sum_matches") == [
        Unchecked(at(*TOTAL), LIST_SUM, Text("合計に含まれる内訳がない", "the list has no items the total counts"))]


def test_a_list_without_a_printed_total_has_no_sum():
    text = (EVAL % "") + ("themes:\n  - id: a\n    title: t\n    projects:\n      unit: 千円\n      items:\n"
                          "        - {no: 1, name: 事業1, cost: 100}\n")
    assert run(text, "project_lists", "sum_matches") == []


def test_a_restated_item_the_total_leaves_out_does_not_block_it():
    text = project_list(["100", "200"], extra="      restated_in_total: false\n").replace(
        "        - {no: 2, name: 事業2, cost: 200}\n", "        - {no: 2, name: 事業2, cost: \"—\", restated: true}\n"
        "        - {no: 3, name: 事業3, cost: 200}\n")
    assert run(text, "project_lists", "sum_matches") == [Checked(at(*TOTAL))]


def test_a_list_declaring_blanks_zero_counts_them_and_says_so():
    text = project_list(["100", '""', "250"], extra="      means_zero: [blank]\n")
    out = run(text, "project_lists", "sum_matches")
    assert records(out) == [Checked(at(*TOTAL))]
    [finding] = findings(out)
    # the blank is exactly 0: it is listed, with its note, but adds no rounding allowance
    assert finding.args["computed"] == 350 and finding.args["count"] == 2
    assert [related.label for related in finding.related] == [
        Text("内訳 1", "item 1"), Text("内訳 2（空欄を0とした）", "item 2 (blank, taken as 0)"), Text("内訳 3", "item 3")]


def test_a_cell_taken_as_zero_carries_no_rounding():
    text = project_list(["100", '""', "250"], total="351", extra="      means_zero: [blank]\n")
    [finding] = findings(run(text, "project_lists", "sum_matches"))
    assert finding.kind == "within_rounding" and finding.args["allowance"] == 1
    rows = ('      - {key: a, name: 甲, values: {A: 1.0}}\n'
            '      - {key: b, name: 乙, values: {A: ""}}\n'
            '      - {key: total, name: 計, values: {A: 1.6}}\n')
    declared = table(rows, SUM, columns="A", extra="    rounding: 四捨五入\n    means_zero: [blank]\n")
    [mismatch] = findings(run(declared, "tables", "table_relations"))
    assert mismatch.kind == "sum_beyond_declared_rounding" and mismatch.args["computed_interval"] == "[0.95, 1.05]"


def test_the_lists_declaration_wins_over_the_plans():
    # the plan says blanks and dashes are 0; this list prints 「-」 for no figure
    text = project_list(["100", '"-"', "200"], plan=', means_zero: [blank, "-"]', extra="      means_zero: [blank]\n")
    assert records(run(text, "project_lists", "sum_matches")) == [
        Unchecked(cost_at(1), LIST_SUM, Text("内訳 2 の事業費が「-」", "item 2's cost is -"))]
    plan_only = project_list(["100", '"-"', "200"], plan=', means_zero: [blank, "-"]')
    assert run(plan_only, "project_lists", "sum_matches") == [Checked(at(*TOTAL))]


def test_a_note_never_means_zero_even_where_blanks_do():
    text = project_list(["100", '"(※4)"', "200"], plan=', means_zero: [blank, "-", "—"]')
    assert run(text, "project_lists", "sum_matches") == [
        Unchecked(cost_at(1), LIST_SUM, Text("内訳 2 の事業費が「(※4)」", "item 2's cost is (※4)"))]


@pytest.mark.parametrize(
    ("declared", "problem"),
    [('["(※4)"]', "0 を意味できるのは空欄"), ("[未集計]", "0 を意味できるのは空欄"), ("true", "記号のリスト")],
)
def test_a_declaration_that_would_make_a_note_or_word_zero_is_refused(recommended, declared, problem):
    [diagnostic] = check_text(recommended, project_list(["100", "200"], extra=f"      means_zero: {declared}\n"))
    assert diagnostic.code == "LOAD006" and (diagnostic.span.line, diagnostic.span.column) == (7, 19)
    assert problem in diagnostic.message["ja"]


def test_the_message_shows_a_blank_as_0_with_its_note(recommended):
    text = project_list(["100", '""', "250"], extra="      means_zero: [blank]\n")
    [diagnostic] = check_text(recommended, text)
    assert diagnostic.code == "TOT001" and diagnostic.args["computed"] == 350
    assert [rel.label.ja for rel, _ in diagnostic.related][1] == "内訳 2（空欄を0とした）"
    assert [span.line for _, span in diagnostic.related] == [9, 10, 11]


# --- statistics tables, column by column --------------------------------------------------------


def table(rows: str, relations: str, columns: str = "A, B, C, D", plan: str = "", extra: str = "") -> str:
    cols = ", ".join(f"{{key: {key}{', means_zero: [blank]' if key == 'Z' else ''}}}" for key in columns.split(", "))
    return (STATS % plan) + (
        f"tables:\n  - id: t\n    title: 表\n{extra}    columns: [{cols}]\n    rows:\n{rows}    relations:\n{relations}"
    )


def cell(row: int, column: str, table_index: int = 0) -> Location:
    return at("tables", table_index, "rows", row, "values", column)


SUM_ROWS = (
    '      - {key: a, name: 甲, values: {A: 1, B: 2, C: "", D: 5}}\n'
    '      - {key: b, name: 乙, values: {A: 3, B: "", C: "—", D: 6}}\n'
    '      - {key: total, name: 計, values: {A: 4, B: 9, C: "", D: ""}}\n'
)
SUM = "      - {check: sum, row: total, of: [a, b]}\n"


def sum_relation(column: str) -> Text:
    return Text(f"計 ＝ 甲、乙 の和（「{column}」列）", f"計 = the sum of 甲; 乙 (column {column})")


def test_a_table_sum_is_a_record_per_column():
    out = run(table(SUM_ROWS, SUM), "tables", "table_relations")
    assert records(out) == [
        Checked(cell(2, "A")),
        Unchecked(cell(1, "B"), sum_relation("B"), Text("乙の「B」が空欄", "乙, column B, is blank")),
        NotApplicable(cell(2, "C"), sum_relation("C"),
                      Text("この列はどの行にも値がない", "no row states a value in this column")),
        # the printed table has a hole where its 計 should be: that is a relation not checked
        Unchecked(cell(2, "D"), sum_relation("D"), Text("計の「D」が空欄", "計, column D, is blank")),
    ]
    assert findings(out) == []


def test_a_cell_that_is_text_or_unreadable_blocks_its_column():
    rows = SUM_ROWS.replace("B: 2,", "B: 集計中,")

    def unreadable(model):
        model.tables[0].rows[0].values["A"] = Unreadable("1,2,3", "malformed_number")

    out = records(run(table(rows, SUM), "tables", "table_relations", mutate=unreadable))
    assert out[0] == Unchecked(cell(0, "A"), sum_relation("A"),
                               Text("甲の「A」が読み取れない値「1,2,3」", "甲, column A, is the unreadable value 1,2,3"))
    assert out[1].reason == Text("甲の「B」が「集計中」（未集計）、乙の「B」が空欄",
                                 "甲, column B, is 集計中 (not yet counted); 乙, column B, is blank")


def test_a_row_that_leaves_a_column_out_has_a_blank_there():
    rows = ('      - {key: a, name: 甲, values: {A: 1}}\n'
            '      - {key: total, name: 計, values: {A: 1, B: 2}}\n')
    out = records(run(table(rows, "      - {check: sum, row: total, of: [a]}\n", columns="A, B"),
                      "tables", "table_relations"))
    assert out == [Checked(cell(1, "A")),
                   Unchecked(cell(0, "B"), Text("計 ＝ 甲 の和（「B」列）", "計 = the sum of 甲 (column B)"),
                             Text("甲の「B」が空欄", "甲, column B, is blank"))]


RATIO_ROWS = (
    '      - {key: part, name: 部分, values: {A: 25, B: 3, C: "", D: 1}}\n'
    '      - {key: whole, name: 全体, values: {A: 100, B: 0, C: 40, D: ""}}\n'
    '      - {key: share, name: 割合, values: {A: 25.0, B: "-", C: 0.0, D: "-"}}\n'
)
RATIO = "      - {check: ratio, row: share, numerator: part, denominator: whole, scale: 100, places: 1}\n"


def ratio_relation(column: str) -> Text:
    return Text(f"割合 ＝ 部分 ÷ 全体 × 100（「{column}」列）", f"割合 = 部分 / 全体 × 100 (column {column})")


def test_a_ratio_whose_denominator_is_zero_is_unchecked_at_the_denominator():
    out = run(table(RATIO_ROWS, RATIO, extra="    means_zero: [blank]\n"), "tables", "table_relations")
    assert records(out) == [
        Checked(cell(2, "A")),
        # 「-」 is not declared: the stated ratio is missing
        Unchecked(cell(2, "B"), ratio_relation("B"), Text("割合の「B」が「-」", "割合, column B, is -")),
        # the blank numerator is 0 here: 0 / 40 = 0.0
        Checked(cell(2, "C")),
        Unchecked(cell(2, "D"), ratio_relation("D"), Text("割合の「D」が「-」", "割合, column D, is -")),
    ]
    dashes = RATIO_ROWS.replace('B: "-"', "B: 1.0").replace('D: "-"', "D: 1.0")
    out = records(run(table(dashes, RATIO, extra="    means_zero: [blank]\n"), "tables", "table_relations"))
    assert out[1] == Unchecked(cell(1, "B"), ratio_relation("B"),
                               Text("分母の全体の「B」が 0", "the denominator, 全体 in column B, is 0"))
    # a blank denominator taken as 0 is still a zero denominator
    assert out[3] == Unchecked(cell(1, "D"), ratio_relation("D"),
                               Text("分母の全体（空欄を0とした）の「D」が 0",
                                    "the denominator, 全体 (blank, taken as 0) in column D, is 0"))


def test_a_blank_ratio_taken_as_zero_is_compared_at_the_relations_places():
    rows = ('      - {key: part, name: 部分, values: {A: 1}}\n'
            '      - {key: whole, name: 全体, values: {A: 400}}\n'
            '      - {key: share, name: 割合, values: {A: ""}}\n')
    out = run(table(rows, RATIO, columns="A", extra="    means_zero: [blank]\n"), "tables", "table_relations")
    [finding] = findings(out)
    assert finding.kind == "ratio_mismatch" and finding.args["stated"] == 0 and finding.args["computed"] == Decimal("0.3")
    assert finding.args["row"] == Text("割合（空欄を0とした）", "割合 (blank, taken as 0)")


PAIR_ROWS = (
    '      - {key: all, name: 全体, values: {A: 10, B: "", C: "", D: 4}}\n'
    '      - {key: some, name: うち数, values: {A: 4, B: 3, C: "", D: 5}}\n'
)


def test_subset_and_equal_are_records_per_column():
    subset = Text("うち数 ≦ 全体", "うち数 ≤ 全体")
    out = run(table(PAIR_ROWS, "      - {check: subset, row: some, of: [all]}\n"), "tables", "table_relations")
    assert records(out) == [
        Checked(cell(1, "A")),
        Unchecked(cell(0, "B"), _in(subset, "B"), Text("全体の「B」が空欄", "全体, column B, is blank")),
        NotApplicable(cell(1, "C"), _in(subset, "C"), Text("この列はどの行にも値がない", "no row states a value in this column")),
        Checked(cell(1, "D")),
    ]
    assert [(f.kind, f.location, f.args["stated"], f.args["whole"]) for f in findings(out)] == [
        ("subset_exceeds", cell(1, "D"), Decimal(5), Decimal(4))]
    equal = run(table(PAIR_ROWS, "      - {check: equal, row: some, other: all}\n"), "tables", "table_relations")
    assert [type(record).__name__ for record in records(equal)] == ["Checked", "Unchecked", "NotApplicable", "Checked"]
    assert records(equal)[1].relation == Text("うち数 ＝ 全体（「B」列）", "うち数 = 全体 (column B)")


def _in(relation: Text, column: str) -> Text:
    return Text(f"{relation.ja}（「{column}」列）", f"{relation.en} (column {column})")


def test_a_column_the_other_table_does_not_have_is_not_applicable():
    text = (STATS % "") + (
        "tables:\n"
        "  - id: first\n    title: 表1\n    columns: [{key: A}]\n"
        "    rows:\n      - {key: old, name: 老年人口, values: {A: 5}}\n"
        "  - id: second\n    title: 表2\n    columns: [{key: A}, {key: B}]\n"
        "    rows:\n      - {key: total, name: 合計, values: {A: 5, B: 6}}\n"
        "    relations:\n      - {check: equal, row: total, other: first/old}\n"
    )
    out = run(text, "tables", "table_relations")
    assert out == [
        Checked(cell(0, "A", 1)),
        NotApplicable(cell(0, "B", 1), Text("合計 ＝ first 老年人口（「B」列）", "合計 = first 老年人口 (column B)"),
                      Text("表「表1」に「B」の列がない", "table 表1 has no column B")),
    ]


def test_the_nearest_declaration_wins_relation_column_table_plan():
    rows = ('      - {key: a, name: 甲, values: {A: 1, Z: 2}}\n'
            '      - {key: b, name: 乙, values: {A: "", Z: ""}}\n'
            '      - {key: total, name: 計, values: {A: 1, Z: 2}}\n')
    relation = "      - {check: sum, row: total, of: [a, b]%s}\n"

    def kinds(plan: str = "", extra: str = "", declared: str = "") -> list[str]:
        text = table(rows, relation % declared, columns="A, Z", plan=plan, extra=extra)
        return [type(record).__name__ for record in records(run(text, "tables", "table_relations"))]

    # column Z declares blanks zero; column A has no declaration
    assert kinds() == ["Unchecked", "Checked"]
    assert kinds(plan=", means_zero: [blank]") == ["Checked", "Checked"]
    assert kinds(plan=", means_zero: [blank]", extra="    means_zero: []\n") == ["Unchecked", "Checked"]
    assert kinds(extra="    means_zero: [blank]\n") == ["Checked", "Checked"]
    # the relation's own declaration is nearest of all, also over the column's
    assert kinds(extra="    means_zero: [blank]\n", declared=", means_zero: []") == ["Unchecked", "Unchecked"]


def test_a_declared_dash_is_zero_and_other_dashes_and_notes_are_not():
    rows = ('      - {key: a, name: 甲, values: {A: 3, B: 3, C: 3}}\n'
            '      - {key: b, name: 乙, values: {A: "－", B: "—", C: "(※4)"}}\n'
            '      - {key: total, name: 計, values: {A: 3, B: 3, C: 3}}\n')
    out = records(run(table(rows, SUM, columns="A, B, C", extra='    means_zero: ["-"]\n'), "tables", "table_relations"))
    # the full-width 「－」 is the dash 「-」 declared; 「—」 and the note are not
    assert [type(record).__name__ for record in out] == ["Checked", "Unchecked", "Unchecked"]
    assert out[2].reason == Text("乙の「C」が「(※4)」", "乙, column C, is (※4)")


def test_row_non_decreasing_and_row_bound_yield_a_record_per_cell():
    rows = ('      - {key: cum, name: 累計, values: {A: 1, B: "", C: 3, D: 2}}\n'
            '      - {key: none, name: 未定, values: {A: "", B: "", C: "", D: ""}}\n')
    text = table(rows, "      - {check: subset, row: none, of: [cum]}\n")
    growth = Text("累計が前の列から減らない", "累計 does not decrease from one column to the next")
    out = run(text, "tables", "row_non_decreasing", {"row": "cum"})
    assert records(out) == [
        Unchecked(cell(0, "B"), _in(growth, "B"), Text("「B」が空欄", "column B is blank")),
        Checked(cell(0, "C")),
        Checked(cell(0, "D")),
    ]
    [decrease] = findings(out)
    assert decrease.location == cell(0, "D") and decrease.args["previous"] == 3 and decrease.args["previous_column"] == "C"
    assert records(run(text, "tables", "row_non_decreasing", {"row": "none"})) == [
        NotApplicable(cell(1, "A"), Text("未定が前の列から減らない", "未定 does not decrease from one column to the next"),
                      Text("この行はどの列にも値がない", "the row states no value in any column"))]
    bound = run(text.replace('C: 3, D: 2', 'C: 大幅増, D: 2'), "tables", "row_bound", {"row": "cum", "min": 2})
    kinds = [(type(item).__name__, item.location.path[-1]) for item in bound]
    assert kinds == [("Checked", "A"), ("Finding", "A"), ("NotApplicable", "B"), ("Unchecked", "C"), ("Checked", "D")]


# --- outlook counts ---------------------------------------------------------------------------


def outlooks(outlook_of_second: str, counts: str) -> str:
    return (EVAL % "") + (
        "themes:\n  - id: a\n    title: t\n    projects:\n      unit: 千円\n      items:\n"
        "        - {no: 1, name: 事業1, cost: 10, outlook: 拡大}\n"
        f"        - {{no: 2, name: 事業2, cost: 20{outlook_of_second}}}\n"
        "        - {no: 3, name: 事業3, cost: 30, outlook: 維持}\n"
        f"      outlook_counts: {counts}\n"
    )


COUNTS = ("themes", 0, "projects", "outlook_counts")


def test_each_stated_outlook_count_is_checked_and_so_is_their_sum():
    out = run(outlooks(", outlook: 維持", "{拡大: 1, 改善: 0, 維持: 1}"), "project_lists", "outlook_counts")
    assert records(out) == [Checked(at(*COUNTS, "拡大")), Checked(at(*COUNTS, "改善")), Checked(at(*COUNTS, "維持")),
                            Checked(Location("plan.yaml", COUNTS, key=True))]
    assert [(f.kind, f.args["stated"], f.args["computed"]) for f in findings(out)] == [
        ("count_mismatch", 1, 2), ("count_total_mismatch", 2, 3)]


def test_an_item_without_an_outlook_leaves_the_counts_unchecked_but_not_their_sum():
    out = run(outlooks("", "{拡大: 1, 維持: 2}"), "project_lists", "outlook_counts")
    reason = Text("内訳 2 の動向が書かれていない", "item 2 has no outlook")
    assert out == [
        Unchecked(at(*COUNTS, "拡大"), Text("「拡大」の件数 ＝ 「拡大」の事業の数", "the count of 拡大 = the items marked 拡大"),
                  reason),
        Unchecked(at(*COUNTS, "維持"), Text("「維持」の件数 ＝ 「維持」の事業の数", "the count of 維持 = the items marked 維持"),
                  reason),
        Checked(Location("plan.yaml", COUNTS, key=True)),
    ]


# --- realistic fixtures: a cost sheet, a 款別 settlement table ------------------------------------


def fixture_run(path: Path, text: str | None = None) -> list:
    return run(path.read_text(encoding="utf-8") if text is None else text, "tables", "table_relations")


def test_the_cost_sheet_declaring_blanks_zero_is_checked_in_every_column():
    out = fixture_run(COST_SHEET)
    assert findings(out) == []
    assert all(isinstance(record, Checked) for record in out) and len(out) == 4 * 3


def test_the_cost_sheet_without_the_declaration_names_every_blank_that_blocks_a_relation():
    text = COST_SHEET.read_text(encoding="utf-8").replace("    means_zero: [blank]\n", "")
    out = [record for record in fixture_run(COST_SHEET, text) if not isinstance(record, Checked)]
    funding = ("トータルコスト ＝ 国・都支出金、地方債、その他特定財源、一般財源 の和",
               "トータルコスト = the sum of 国・都支出金; 地方債; その他特定財源; 一般財源")
    assert out == [
        Unchecked(cell(1, "令和3年度決算"),
                  Text("人件費 ＝ 正規職員人件費、会計年度任用職員人件費 の和（「令和3年度決算」列）",
                       "人件費 = the sum of 正規職員人件費; 会計年度任用職員人件費 (column 令和3年度決算)"),
                  Text("会計年度任用職員人件費の「令和3年度決算」が空欄", "会計年度任用職員人件費, column 令和3年度決算, is blank")),
        Unchecked(cell(6, "令和3年度決算"), _in(Text(*funding), "令和3年度決算"),
                  Text("地方債の「令和3年度決算」が空欄、その他特定財源の「令和3年度決算」が空欄",
                       "地方債, column 令和3年度決算, is blank; その他特定財源, column 令和3年度決算, is blank")),
        Unchecked(cell(5, "令和4年度決算"), _in(Text(*funding), "令和4年度決算"),
                  Text("国・都支出金の「令和4年度決算」が空欄、地方債の「令和4年度決算」が空欄",
                       "国・都支出金, column 令和4年度決算, is blank; 地方債, column 令和4年度決算, is blank")),
        Unchecked(cell(6, "令和5年度予算"), _in(Text(*funding), "令和5年度予算"),
                  Text("地方債の「令和5年度予算」が空欄", "地方債, column 令和5年度予算, is blank")),
    ]
    assert len([record for record in fixture_run(COST_SHEET, text) if isinstance(record, Checked)]) == 12 - 4


def _span_of(text: str, row_key: str, printed: str) -> tuple[int, int]:
    for number, line in enumerate(text.splitlines(), 1):
        if f"key: {row_key}," in line:
            return number, line.index(printed) + 1
    raise AssertionError(row_key)


def test_a_changed_cell_of_the_cost_sheet_is_reported_with_the_blanks_as_0(recommended):
    text = COST_SHEET.read_text(encoding="utf-8").replace('一般財源, values: {令和3年度決算: "14,440", 令和4年度決算: "20,060"',
                                                          '一般財源, values: {令和3年度決算: "14,440", 令和4年度決算: "20,600"')
    [diagnostic] = check_text(recommended, text, "cost-sheet.yaml")
    assert diagnostic.code == "TAB001"
    assert (diagnostic.span.line, diagnostic.span.column) == _span_of(text, "total-cost", '"21,260"')
    assert diagnostic.args["stated"] == 21260 and diagnostic.args["computed"] == 21800
    assert diagnostic.args["difference"] == -540 and diagnostic.args["column"] == "令和4年度決算"
    assert "国・都支出金（空欄を0とした）" in diagnostic.message["ja"]
    assert "地方債 (blank, taken as 0)" in diagnostic.message["en"]
    # the トータルコスト is confirmed (= 人件費 + 事業費 holds), and nothing else confirms a
    # source of funding: they are the suspects (checker/functions/blame.py)
    assert [rel.label.ja for rel, _ in diagnostic.related] == [
        "誤りの候補: 国・都支出金（空欄を0とした）", "誤りの候補: 地方債（空欄を0とした）", "誤りの候補: その他特定財源",
        "誤りの候補: 一般財源"]
    assert diagnostic.message["en"].endswith("so the suspects are 国・都支出金, 令和4年度決算; 地方債, 令和4年度決算; "
                                             "その他特定財源, 令和4年度決算; 一般財源, 令和4年度決算")
    assert diagnostic.related[0][1].line == _span_of(text, "national-prefectural", '""')[0]


def test_a_changed_project_cost_of_the_cost_sheet_breaks_its_total(recommended):
    text = COST_SHEET.read_text(encoding="utf-8").replace('令和4年度決算: "13,010"', '令和4年度決算: "13,100"')
    found = check_text(recommended, text, "cost-sheet.yaml")
    assert codes(found) == ["TAB001"]
    # the トータルコスト is confirmed by its sources and the 人件費 by its parts: the finding is
    # at the 事業費, the one cell nothing confirms (checker/functions/blame.py)
    assert (found[0].span.line, found[0].span.column) == _span_of(text, "project", '"13,100"')
    assert found[0].args["computed"] == 21350 and found[0].args["of"] == [Text("人件費", "人件費"), Text("事業費", "事業費")]
    assert found[0].message["en"].endswith("so 事業費, 令和4年度決算 13,100 is the likely error (this relation needs 13,010 there)")
    assert found[0].related[0][1].line == _span_of(text, "total-cost", '"21,260"')[0]


def test_the_settlement_tables_dash_is_no_figure_so_those_years_are_unchecked():
    out = fixture_run(SETTLEMENT)
    assert findings(out) == []
    kans = ("議会費、総務費、民生費、衛生費、労働費、農林業費、商工費、土木費、消防費、教育費、災害復旧費、公債費、諸支出金",
            "議会費; 総務費; 民生費; 衛生費; 労働費; 農林業費; 商工費; 土木費; 消防費; 教育費; 災害復旧費; 公債費; 諸支出金")
    relation = Text(f"合計 ＝ {kans[0]} の和", f"合計 = the sum of {kans[1]}")
    assert out == [
        Unchecked(cell(10, "令和2年度"), _in(relation, "令和2年度"),
                  Text("災害復旧費の「令和2年度」が「-」", "災害復旧費, column 令和2年度, is -")),
        Checked(cell(13, "令和3年度")),
        Unchecked(cell(10, "令和4年度"), _in(relation, "令和4年度"),
                  Text("災害復旧費の「令和4年度」が「-」", "災害復旧費, column 令和4年度, is -")),
    ]
    # were 「-」 declared to mean zero (the legend says it does not), every year would be checked
    declared = SETTLEMENT.read_text(encoding="utf-8").replace("    rounding: 四捨五入\n",
                                                              '    rounding: 四捨五入\n    means_zero: ["-"]\n')
    assert all(isinstance(record, Checked) for record in fixture_run(SETTLEMENT, declared))


def test_a_changed_cell_of_the_settlement_table_is_reported_under_its_rounding(recommended):
    text = SETTLEMENT.read_text(encoding="utf-8").replace('令和3年度: "30,123"', '令和3年度: "30,223"')
    [diagnostic] = check_text(recommended, text, "settlement.yaml")
    assert diagnostic.code == "TAB006"
    assert (diagnostic.span.line, diagnostic.span.column) == _span_of(text, "total", '"62,312"')
    assert diagnostic.args["stated"] == 62312 and diagnostic.args["computed"] == 62412
    assert diagnostic.args["stated_interval"] == "[62,311.5, 62,312.5]"
    assert diagnostic.args["computed_interval"] == "[62,405.5, 62,418.5]"


def _documented_cost_sheet() -> str:
    doc = (ROOT / "docs" / "plan-format.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(tables:\n  - id: cost-sheet\n.*?)```", doc, re.S)
    assert block, "the worked cost sheet is in docs/plan-format.md"
    return (STATS % "") + block.group(1)


def test_the_documented_cost_sheet_is_checked_everywhere_and_reports_the_documented_typo(recommended):
    text = _documented_cost_sheet()
    out = run(text, "tables", "table_relations")
    assert out == [record for record in out if isinstance(record, Checked)] and len(out) == 3 * 3
    typo = text.replace('令和4年度決算: "20,060"', '令和4年度決算: "20,600"')
    [diagnostic] = check_text(recommended, typo)
    assert diagnostic.code == "TAB001" and diagnostic.args["stated"] == 21260 and diagnostic.args["computed"] == 21800
    assert "国・都支出金（空欄を0とした）、地方債（空欄を0とした）、その他特定財源、一般財源" in diagnostic.message["ja"]
    undeclared = [record for record in run(text.replace("    means_zero: [blank]\n", ""), "tables", "table_relations")
                  if not isinstance(record, Checked)]
    assert [record.location.path[-1] for record in undeclared] == ["令和3年度決算", "令和4年度決算", "令和5年度予算"]
    assert undeclared[0].reason.ja == "地方債の「令和3年度決算」が空欄、その他特定財源の「令和3年度決算」が空欄"


def test_the_fixtures_are_clean(recommended):
    for path in (COST_SHEET, SETTLEMENT):
        assert check_text(recommended, path.read_text(encoding="utf-8"), path.name) == []
