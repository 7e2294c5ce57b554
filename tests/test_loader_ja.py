"""What the loader says is said for a person, in both languages: YAML syntax errors explained
in Japanese, the unquoted comma number of a flow row, Japanese field names, a value that is
none of its choices (the choices listed, a did-you-mean), paths by the row's own `no:`."""

from __future__ import annotations

import pytest

from tests.conftest import check_text, load_plan_text

HEADER = "plan: {id: x, title: t, municipality: 小平市, kind: policy_evaluation, source: {seed: a.txt}}\n"
ITEMS = HEADER + "themes:\n  - id: II-4-11\n    title: テーマ\n    projects:\n      unit: 千円\n      items:\n"


def only(diagnostics, code):
    found = [d for d in diagnostics if d.code == code]
    assert len(found) == 1, [(d.code, d.message["en"]) for d in diagnostics]
    return found[0]


def at(text: str, needle: str) -> tuple[int, int]:
    offset = text.index(needle)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


@pytest.mark.parametrize(("text", "japanese"), [
    ("plan:\n  id: x\n\ttitle: t\n", "タブ文字があります。YAML の字下げには空白（半角スペース）だけを使います"),
    ("plan:\n  id: x\n title: t\n", "字下げがそろっていません。同じ階層のキーは同じ列から書き始めます"),
    ('plan: {id: "x, title: t}\n', "ここで開いた引用符が閉じていません"),
    ("plan: {id: x, title: [t}\n", "ここで「[」と開いたリストが閉じていません"),
    ("plan: {id: x, title: t\n", "ここで「{」と開いたマッピングが閉じていません"),
    ("plan:\n  title: 計画: 令和4年度\n", "ここには「キー: 値」の「:」を書けません。値の中に「: 」があるなら値を引用符で囲み"),
    ("plan: {id: @x}\n", "値の先頭に置けない文字（@ や ` など）があります"),
])
def test_yaml_syntax_errors_are_explained_in_japanese(recommended, text, japanese):
    diagnostic = only(check_text(recommended, text), "LOAD001")
    assert diagnostic.message["ja"].startswith("YAML の構文エラーです: " + japanese)
    assert not any(word in diagnostic.message["ja"] for word in ("while", "found", "expected"))
    assert diagnostic.message["en"].startswith("YAML syntax error: ")  # the parser's own words


def test_an_unknown_parser_problem_still_says_it_in_japanese():
    from checker.loader import syntax_problem

    problem = syntax_problem("something new the parser says")
    assert problem.ja == "YAML として読めません（パーサーの説明: something new the parser says）"


@pytest.mark.parametrize("number", ["12,300", "1,234,567"])
def test_an_unquoted_comma_number_in_a_flow_row_says_so_at_the_number(recommended, number):
    text = ITEMS + f"        - {{no: 1, name: 事業, cost: {number}, outlook: 維持}}\n"
    diagnostics = check_text(recommended, text)
    diagnostic = only(diagnostics, "LOAD006")
    assert (diagnostic.span.line, diagnostic.span.column) == at(text, number)
    assert diagnostic.span.end_column - diagnostic.span.column == len(number)
    plain = number.replace(",", "")
    first, *rest = number.split(",")
    assert diagnostic.message["ja"] == (
        f"themes[II-4-11].projects.items[no: 1].cost の値 {number} が不正です: 引用符のないコンマ入りの数です。"
        f"{{...}} の中ではコンマが項目の区切りになるため、cost: {first} と別の項目（{'、'.join(rest)}）に分かれて"
        f"読まれます。cost: \"{number}\" か cost: {plain} と書いてください")
    assert f'write cost: "{number}" or cost: {plain}' in diagnostic.message["en"]
    # the parts after the comma are not reported again as unknown fields or unquoted codes
    assert not [d.code for d in diagnostics if d.code in ("LOAD005", "LOAD007")]


def test_a_comma_number_that_is_quoted_or_in_block_style_is_fine(recommended):
    assert not check_text(recommended, ITEMS + '        - {no: 1, name: 事業, cost: "12,300"}\n      total: 12300\n')
    assert not check_text(recommended, ITEMS + "        - no: 1\n          name: 事業\n          cost: 12,300\n"
                                               "      total: 12300\n")


@pytest.mark.parametrize(("written", "field"), [
    ("目標", "targets"), ("目標値", "targets"), ("実績", "actuals"), ("実績値", "actuals"), ("達成率", "rates"),
    ("単位", "unit"), ("基準値", "baseline"),
])
def test_a_japanese_field_name_on_an_indicator_suggests_the_field(recommended, written, field):
    text = HEADER + f"themes:\n  - id: a\n    title: テーマ\n    indicators:\n      - {{name: 指標, {written}: 1}}\n"
    diagnostic = only(check_text(recommended, text), "LOAD005")
    assert (diagnostic.span.line, diagnostic.span.column) == at(text, written + ":")
    assert diagnostic.message["ja"] == f"不明なフィールド「{written}」です。フィールド名は英語で書きます。「{written}」は「{field}」です"
    assert diagnostic.message["en"] == f"unknown field {written}; field names are English: {written} is {field}"


@pytest.mark.parametrize(("written", "field"), [("事業費", "cost"), ("所管課", "department"), ("合計", "total")])
def test_a_japanese_field_name_in_a_project_list_suggests_the_field(recommended, written, field):
    where = "        - {no: 1, name: 事業, cost: 1, 事業費: 1}\n" if written != "合計" else "        - {no: 1, name: 事業, cost: 1}\n      合計: 1\n"
    if written == "所管課":
        where = "        - {no: 1, name: 事業, cost: 1, 所管課: 子育て支援課}\n"
    text = ITEMS + where
    diagnostic = only(check_text(recommended, text), "LOAD005")
    assert f"「{written}」は「{field}」です" in diagnostic.message["ja"]


def test_a_value_none_of_its_choices_lists_them_with_a_did_you_mean_by_the_rows_no(recommended):
    text = ITEMS + "        - {no: 1, name: 事業, cost: 1, outlook: 維持}\n        - {no: 7, name: 事業2, cost: 2, outlook: 拡充}\n"
    diagnostic = only(check_text(recommended, text), "LOAD006")
    assert (diagnostic.span.line, diagnostic.span.column) == at(text, "拡充")
    assert diagnostic.message["ja"] == ("themes[II-4-11].projects.items[no: 7].outlook の値 拡充 が不正です: "
                                        "使える値は 拡大・改善・維持・縮小・廃止 のどれかです（拡大 の誤りではありませんか）")
    assert diagnostic.message["en"] == ("invalid value 拡充 for themes[II-4-11].projects.items[no: 7].outlook: "
                                        "allowed values: 拡大, 改善, 維持, 縮小, 廃止; did you mean 拡大?")


def test_a_misspelt_english_choice_gets_a_did_you_mean(recommended):
    text = HEADER.replace("policy_evaluation", "policy_evalution")
    diagnostic = only(check_text(recommended, text), "LOAD006")
    assert "did you mean policy_evaluation?" in diagnostic.message["en"]
    assert "（policy_evaluation の誤りではありませんか）" in diagnostic.message["ja"]


def test_paths_name_rows_by_no_key_or_name_and_else_count_from_one():
    from checker.loader import readable_path

    data = {"themes": [{"id": "a", "indicators": [{"name": "指標"}, {"key": "k"}, {"unit": "人"}],
                        "projects": {"items": [{"no": 3}]}}]}
    assert readable_path(data, ("themes", 0, "indicators", 0, "unit")) == "themes[a].indicators[指標].unit"
    assert readable_path(data, ("themes", 0, "indicators", 1)) == "themes[a].indicators[k]"
    assert readable_path(data, ("themes", 0, "indicators", 2, "unit")) == "themes[a].indicators[#3].unit"
    assert readable_path(data, ("themes", 0, "projects", "items", 0, "cost")) == "themes[a].projects.items[no: 3].cost"
    assert readable_path(data, ()) == "(root)"


def test_a_mapping_where_a_value_belongs_is_shown_as_written_not_as_a_python_type(recommended):
    text = HEADER + "themes:\n  - id: a\n    title: {ja: テーマ}\n"
    diagnostic = only(check_text(recommended, text), "LOAD006")
    assert "{ja: テーマ}" in diagnostic.message["ja"] and "dict" not in diagnostic.message["en"]
    assert "themes[a].title" in diagnostic.message["en"]


def test_load_plan_text_keeps_the_problem_in_both_languages():
    [finding] = load_plan_text("plan: {id: [x}\n").findings
    assert finding.args["problem"].ja.startswith("ここで「[」と開いたリスト")


def test_a_wrong_type_names_no_python_class(recommended):
    text = HEADER + "themes:\n  - id: a\n    title: t\n    indicators:\n      - 5\n"
    diagnostic = only(check_text(recommended, text), "LOAD006")
    assert diagnostic.message["en"] == "invalid value 5 for themes[a].indicators[#1]: Input should be a mapping"
    assert diagnostic.message["ja"] == "themes[a].indicators[#1] の値 5 が不正です: マッピングでなければなりません"


def test_an_unquoted_comma_number_in_a_tables_values_is_read_as_written_and_reported_once(recommended):
    """`values` takes any column key, so YAML's split (`令和4年: 14` and a key `668`) would
    otherwise pass validation and check 14 in place of 14,668."""
    text = HEADER.replace("policy_evaluation", "statistics") + (
        "tables:\n  - id: p\n    title: 人口\n    unit: 人\n    columns: [{key: 令和4年}, {key: 令和5年}]\n    rows:\n"
        "      - {key: a, name: 男, values: {令和4年: 14,668, 令和5年: 14,400}}\n"
        '      - {key: b, name: 女, values: {令和4年: "15,000", 令和5年: "15,100"}}\n'
        '      - {key: t, name: 計, values: {令和4年: "29,668", 令和5年: "29,500"}}\n'
        "    relations:\n      - {check: sum, row: t, of: [a, b]}\n")
    diagnostics = check_text(recommended, text)
    assert [(d.code, d.span.line, d.span.column) for d in diagnostics] == [
        ("LOAD006", *at(text, "14,668")), ("LOAD006", *at(text, "14,400"))]
    assert "令和4年: \"14,668\" か 令和4年: 14668 と書いてください" in diagnostics[0].message["ja"]
    loaded = load_plan_text(text)
    row = loaded.model.tables[0].rows[0]
    assert set(row.values) == {"令和4年", "令和5年"}  # no column 668 or 400
    # the sum is checked with 14,668: changing the total is found
    wrong = text.replace('"29,668"', '"29,669"')
    assert "TAB001" in [d.code for d in check_text(recommended, wrong)]


def test_an_unquoted_comma_cost_keeps_its_item(recommended):
    text = ITEMS + "        - {no: 1, name: 事業, cost: 12,300}\n        - {no: 2, name: 事業2, cost: 700}\n      total: 13000\n"
    diagnostics = check_text(recommended, text)
    assert [d.code for d in diagnostics] == ["LOAD006"]  # the total is checked against 12,300 + 700 and holds
    items = load_plan_text(text).model.themes[0].projects.items
    assert [item.no for item in items] == [1, 2]


def test_a_comma_with_a_space_is_two_entries_not_a_number(recommended):
    text = ITEMS + "        - {no: 1, name: 事業, cost: 12, 300: x}\n"
    diagnostic = only(check_text(recommended, text), "LOAD005")
    assert "300" in diagnostic.message["en"]
