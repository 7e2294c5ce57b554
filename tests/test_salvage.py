"""One load error no longer hides the rest of its file.

A plan file that fails validation has every error reported as before, and then the rest of
it is modelled (each error repaired as little as possible) and checked: a file with one
typo still has its totals, rates and years checked. Each test here puts one load error and
one independent inconsistency in a realistic plan and asserts both are reported, with their
code, line and column; where a list lost an item, the relation over it is recorded as not
checked instead of being evaluated on the rest.
"""

from __future__ import annotations

import pickle

import pytest

from checker.diagnostics import Finding, Unchecked
from checker.engine import Engine, resolve
from checker.functions import FUNCTIONS, select
from checker.loader import load_file
from checker.values import Unreadable
from tests.conftest import PLANS, load_plan_text

HEADER = """\
plan:
  id: salvage-evaluation
  title: 小平市 施策評価（令和4年度）
  municipality: 小平市
  kind: policy_evaluation
  period: {start: 令和3年度, end: 令和6年度}
  as_of: 令和4年度
  source:
    seed: 001_958fb6f3d48a1e95.txt
"""

# 001's 男女共同参画 theme (its first four projects, with a total for them) and 就労移行支援:
# every relation holds; each test changes one line to a load error and one to a real
# inconsistency.
PLAN = HEADER + """\
themes:
  - id: II-4-11
    title: 障がい者の自立に向けた支援の充実
    assessment: 一定の成果が上がっている
    indicators:
      - no: 1
        key: salvage-evaluation/employment-transition-users
        name: 就労移行支援の実利用者数
        unit: 人/月
        baseline: {year: 令和2年度, value: 46}
        targets: {令和3年度: 61, 令和4年度: 69, 令和5年度: 78, 令和6年度: 78}
        actuals: {令和3年度: 46, 令和4年度: 54}
        rates: {令和3年度: 75.4%, 令和4年度: 78.3%}
      - no: 2
        name: 一般就労への移行者数
        unit: 人
        baseline: {year: 令和2年度, value: 20}
        targets: {令和3年度: 25, 令和4年度: 28, 令和5年度: 30, 令和6年度: 32}
        actuals: {令和3年度: 24, 令和4年度: 21}
        rates: {令和3年度: 96.0%, 令和4年度: 75.0%}
    projects:
      year: 令和4年度
      unit: 千円
      items:
        - {no: 1, name: 男女共同参画推進事業, department: 市民協働推進課, cost: 19, outlook: 維持}
        - {no: 2, name: 男女共同参画センター管理運営事業, department: 市民協働推進課, cost: 2377, outlook: 拡大}
        - {no: 3, name: 配偶者暴力防止等事業, department: 市民協働推進課, cost: 3851, outlook: 維持}
        - {no: 4, name: 女性のための相談事業, department: 市民協働推進課, cost: 8379, outlook: 拡大}
      total: 14626
      outlook_counts: {拡大: 2, 改善: 0, 維持: 2, 縮小: 0, 廃止: 0}
  - id: II-4-12
    title: 地域で支え合う仕組みづくり
    projects:
      year: 令和4年度
      unit: 千円
      items:
        - {no: 1, name: 地域福祉推進事業, department: 地域福祉課, cost: 6091, outlook: 維持}
        - {no: 2, name: 民生委員・児童委員活動支援事業, department: 地域福祉課, cost: 14326, outlook: 維持}
        - {no: 3, name: 社会福祉協議会補助事業, department: 地域福祉課, cost: 41, outlook: 維持}
      total: 20458
"""


def _edit(text: str, *changes: tuple[str, str]) -> str:
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def _line_of(text: str, fragment: str) -> int:
    [line] = [number for number, line in enumerate(text.splitlines(), 1) if fragment in line]
    return line


def _column_of(text: str, fragment: str, value: str) -> int:
    line = text.splitlines()[_line_of(text, fragment) - 1]
    return line.index(value, line.index(fragment)) + 1


def _report(recommended, text: str) -> list[tuple[str, int, int]]:
    return [(d.code, d.span.line, d.span.column) for d in Engine(recommended).run([load_plan_text(text)])]


def _records(loaded, function: str, given: str) -> list:
    spec = FUNCTIONS[function]
    return [item for target in select(given, [loaded]) for item in spec.run(target, {})]


def test_the_plan_these_tests_start_from_is_clean(recommended):
    assert _report(recommended, PLAN) == []


def test_an_unknown_field_is_left_out_and_a_wrong_rate_is_still_reported(recommended):
    text = _edit(PLAN, ("department: 市民協働推進課, cost: 3851", "departmnet: 市民協働推進課, cost: 3851"),
                 ("rates: {令和3年度: 96.0%, 令和4年度: 75.0%}", "rates: {令和3年度: 96.0%, 令和4年度: 57.0%}"))
    loaded = load_plan_text(text)
    assert loaded.model.themes[0].projects.items[2].department is None
    assert _report(recommended, text) == [
        ("RATE001", _line_of(text, "令和4年度: 57.0%"), _column_of(text, "rates: {令和3年度: 96.0%", "57.0%")),
        ("LOAD005", _line_of(text, "departmnet"), _column_of(text, "配偶者暴力防止等事業", "departmnet")),
    ]
    [rate] = [d for d in Engine(recommended).run([loaded]) if d.code == "RATE001"]
    assert (rate.args["stated"], rate.args["computed"]) == (57, 75)


def test_an_invalid_optional_value_takes_the_default_and_a_wrong_total_is_still_reported(recommended):
    text = _edit(PLAN, ("cost: 2377, outlook: 拡大", "cost: 2377, outlook: 拡充"),
                 ("total: 14626", "total: 14662"))
    loaded = load_plan_text(text)
    assert loaded.model.themes[0].projects.items[1].outlook is None
    assert _report(recommended, text) == [
        ("LOAD006", _line_of(text, "拡充"), _column_of(text, "cost: 2377", "拡充")),
        ("TOT001", _line_of(text, "total: 14662"), 14),
    ]
    [total] = [d for d in Engine(recommended).run([loaded]) if d.code == "TOT001"]
    assert (total.args["stated"], total.args["computed"], total.args["count"]) == (14662, 14626, 4)
    # the item is still counted: only the per-outlook counts wait for its outlook
    assert not [r for r in _records(loaded, "outlook_counts", "project_lists") if isinstance(r, Finding)]


def test_an_invalid_cell_is_unreadable_and_nothing_is_computed_through_it(recommended):
    text = _edit(PLAN, ("actuals: {令和3年度: 46, 令和4年度: 54}", 'actuals: {令和3年度: 46, 令和4年度: "5,4"}'),
                 ("cost: 3851", 'cost: "3,85,1"'),
                 ("total: 20458", "total: 20548"))
    loaded = load_plan_text(text)
    assert loaded.model.themes[0].indicators[0].actuals[2022] == Unreadable("5,4", "decimal_comma")  # 5.4 with a decimal comma
    assert loaded.model.themes[0].projects.items[2].cost == Unreadable("3,85,1", "malformed_number")
    # no RATE002 ("the actual is not stated"), no total of the three readable costs: only the
    # two load errors and the other theme's wrong total
    assert _report(recommended, text) == [
        ("LOAD006", _line_of(text, '"5,4"'), _column_of(text, "actuals: {令和3年度: 46", '"5,4"')),
        ("LOAD006", _line_of(text, "3,85,1"), _column_of(text, "配偶者暴力防止等事業", '"3,85,1"')),
        ("TOT001", _line_of(text, "total: 20548"), 14),
    ]
    unchecked = [r for r in _records(loaded, "sum_matches", "project_lists") if isinstance(r, Unchecked)]
    [record] = unchecked
    assert record.location.path == ("themes", 0, "projects", "items", 2, "cost")
    assert record.reason.en == "item 3's cost is the unreadable value 3,85,1" and "3,85,1" in record.reason.ja
    assert resolve(record.location, {loaded.name: loaded}).line == _line_of(text, "3,85,1")


@pytest.mark.parametrize(("year_map", "code"), [
    ("targets: {令和3年度: 25, 令和4年度: 28, 令和5年度: 30, 令和6年度: 32, 令和0年度: 30}", "LOAD006"),  # no year 0
    ("targets: {令和3年度: 25, 令和4年度: 28, 令和5年度: 30, 令和6年度: 32, R6: 33}", "YEAR006"),  # R6 again
])
def test_a_bad_year_key_is_left_out_and_a_wrong_rate_is_still_reported(recommended, year_map, code):
    text = _edit(PLAN, ("targets: {令和3年度: 25, 令和4年度: 28, 令和5年度: 30, 令和6年度: 32}", year_map),
                 ("actuals: {令和3年度: 46, 令和4年度: 54}", "actuals: {令和3年度: 46, 令和4年度: 45}"))
    loaded = load_plan_text(text)
    assert sorted(loaded.model.themes[0].indicators[1].targets) == [2021, 2022, 2023, 2024]
    assert str(loaded.model.themes[0].indicators[1].targets[2024].value) == "32"  # the first R6 stands
    key = year_map.rsplit(", ", 1)[1].split(":")[0]
    assert _report(recommended, text) == [
        ("RATE001", _line_of(text, "令和4年度: 78.3%"), _column_of(text, "令和4年度: 78.3%", "78.3%")),
        (code, _line_of(text, key + ":"), _column_of(text, year_map[:20], key)),
    ]


def test_a_project_that_cannot_be_read_blocks_its_total_not_the_rest(recommended):
    """Item 2 has no name: it is left out, and its list's total and outlook counts are not
    checked on the other three (14,626 - 2,377 would be a false TOT001); the other theme's
    wrong total is reported, at its line."""
    text = _edit(PLAN, ("{no: 2, name: 男女共同参画センター管理運営事業, ", "{no: 2, "),
                 ("total: 20458", "total: 20548"))
    loaded = load_plan_text(text)
    assert [item.no for item in loaded.model.themes[0].projects.items] == [1, 3, 4]
    assert _report(recommended, text) == [
        ("LOAD008", _line_of(text, "{no: 2, department"), 11),
        ("TOT001", _line_of(text, "total: 20548"), 14),
    ]
    projects = ("themes", 0, "projects")
    [dropped] = loaded.model.dropped_items(projects + ("items",))
    assert (dropped.position, dropped.key) == (2, None)
    for function, at in (("sum_matches", projects + ("total",)), ("outlook_counts", projects + ("outlook_counts",))):
        records = [r for r in _records(loaded, function, "project_lists") if r.location.path[:2] == ("themes", 0)]
        assert [type(r) for r in records] == [Unchecked], (function, records)
        [record] = records
        assert record.location.path == at
        assert record.reason.en == "item 2 could not be read" and record.reason.ja == "2番目の項目を読めませんでした"
        assert record.relation.ja and record.relation.en


def test_findings_after_a_dropped_item_point_at_their_own_lines(recommended):
    """The first indicator has no name and is left out: the second is the model's first, and
    its wrong rate is still reported at its own line and column (the model's index is
    mapped back to the source's)."""
    text = _edit(PLAN, ("        name: 就労移行支援の実利用者数\n", ""),
                 ("rates: {令和3年度: 96.0%, 令和4年度: 75.0%}", "rates: {令和3年度: 69.0%, 令和4年度: 75.0%}"))
    loaded = load_plan_text(text)
    assert [indicator.no for indicator in loaded.model.themes[0].indicators] == [2]
    assert loaded.kept_items == {("themes", 0, "indicators"): (1,)}
    rate = ("RATE001", _line_of(text, "69.0%"), _column_of(text, "rates: {令和3年度: 69.0%", "69.0%"))
    diagnostics = Engine(recommended).run([loaded])
    assert [(d.code, d.span.line, d.span.column) for d in diagnostics] == [("LOAD008", _line_of(text, "      - no: 1"), 9), rate]
    assert loaded.span_of(("themes", 0, "indicators", 0, "name")).line == _line_of(text, "一般就労への移行者数")
    # past the kept items there is no indicator: not the source's second one (the model's first)
    assert loaded.span_of(("themes", 0, "indicators", 1)) == loaded.spans[("themes", 0, "indicators")]
    # the assessment is not compared with one indicator of two
    [record] = _records(loaded, "assessment_consistency", "sections")
    assert isinstance(record, Unchecked) and record.reason.en == "item 1 could not be read"


def test_findings_inside_a_list_item_after_a_dropped_item_point_at_their_own_lines(recommended):
    """Lists within lists: a first theme without a title is left out, and so is the next
    theme's first indicator; the second indicator's wrong rate is still found at its line."""
    text = _edit(PLAN, ("themes:\n", "themes:\n  - id: II-4-10\n    assessment: 順調に成果が上がっている\n"),
                 ("        name: 就労移行支援の実利用者数\n", ""),
                 ("rates: {令和3年度: 96.0%, 令和4年度: 75.0%}", "rates: {令和3年度: 69.0%, 令和4年度: 75.0%}"))
    loaded = load_plan_text(text)
    assert loaded.kept_items == {("themes",): (1, 2), ("themes", 0, "indicators"): (1,)}
    assert _report(recommended, text) == [
        ("LOAD008", _line_of(text, "- id: II-4-10"), 5),
        ("LOAD008", _line_of(text, "      - no: 1"), 9),
        ("RATE001", _line_of(text, "69.0%"), _column_of(text, "rates: {令和3年度: 69.0%", "69.0%")),
    ]


def test_a_pickled_salvaged_file_resolves_the_same_spans(recommended):
    """The cache and the worker processes send a loaded file without its source index; the
    index map travels with it, and the model keeps what its lists lost."""
    text = _edit(PLAN, ("        name: 就労移行支援の実利用者数\n", ""),
                 ("rates: {令和3年度: 96.0%, 令和4年度: 75.0%}", "rates: {令和3年度: 69.0%, 令和4年度: 75.0%}"),
                 ("{no: 2, name: 男女共同参画センター管理運営事業, ", "{no: 2, "))
    loaded = load_plan_text(text)
    here = [(d.code, d.span) for d in Engine(recommended).run([loaded])]
    sent = pickle.loads(pickle.dumps(loaded))
    assert sent.index is None and sent.kept_items == loaded.kept_items
    assert sent.model.dropped_items(("themes", 0, "projects", "items")) == loaded.model.dropped_items(
        ("themes", 0, "projects", "items"))
    assert [(d.code, d.span) for d in Engine(recommended).run([sent])] == here
    column = _column_of(text, "rates: {令和3年度: 69.0%", "69.0%")
    assert ("RATE001", (_line_of(text, "69.0%"), column, _line_of(text, "69.0%"), column + 5)) in here


def test_a_missing_header_field_still_leaves_no_model(recommended):
    text = _edit(PLAN, ("  municipality: 小平市\n", ""), ("total: 20458", "total: 20548"))
    loaded = load_plan_text(text)
    assert loaded.model is None
    assert _report(recommended, text) == [("LOAD008", 1, 1)]


def test_an_optional_header_field_that_is_wrong_is_left_out(recommended):
    text = _edit(PLAN, ("as_of: 令和4年度", "as_of: 昨年度"), ("total: 20458", "total: 20548"))
    loaded = load_plan_text(text)
    assert loaded.model.plan.as_of is None
    codes = [code for code, _, _ in _report(recommended, text)]
    # read as written, the report has no as-of year, and the run says what that costs
    assert codes == ["YEAR009", "LOAD006", "TOT001"]


STATISTICS = """\
plan:
  id: salvage-statistics
  title: 福祉に係る市の統計資料
  municipality: 小金井市
  kind: statistics
  source:
    seed: 002_b25145246f293b7d.txt

tables:
  - id: population-by-age
    number: ①
    title: 年齢3区分別人口の推移
    unit: 人
    columns:
      - {key: 平成30年, year: 平成30年}
      - {key: 令和元年, year: 令和元年}
    rows:
      - {key: young, name: 年少人口（0～14歳）, values: {平成30年: "14,668", 令和元年: "14,987"}}
      - {key: working-age, name: 生産年齢人口（15～64歳）, values: {平成30年: "80,907", 令和元年: "81,443"}}
      - {key: old, name: 老年人口（65歳以上）, values: {平成30年: "25,592", 令和元年: "25,840"}}
      - {key: total, name: 合計, values: {平成30年: "121,167", 令和元年: "122,270"}}
      - {key: aging-rate, name: 高齢化率, unit: "%", values: {平成30年: 21.1, 令和元年: 21.1}}
    relations:
      - {check: sum, row: total, of: [young, working-age, old]}
      - {check: ratio, row: aging-rate, numerator: old, denominator: total, scale: 100, places: 1}
  - id: elderly
    number: ③
    title: 前期高齢者と後期高齢者の推移
    unit: 人
    columns:
      - {key: 平成30年, year: 平成30年}
      - {key: 令和元年, year: 令和元年}
    rows:
      - {key: early, name: 前期高齢者, values: {平成30年: "12,335", 令和元年: "12,240"}}
      - {key: late, name: 後期高齢者, values: {平成30年: "13,257", 令和元年: "13,600"}}
      - {key: total, name: 合計, values: {平成30年: "25,592", 令和元年: "25,840"}}
    relations:
      - {check: sum, row: total, of: [early, late]}
      - {check: equal, row: total, other: population-by-age/old}
"""


def test_the_statistics_these_tests_start_from_are_clean(recommended):
    assert _report(recommended, STATISTICS) == []


def test_a_row_that_cannot_be_read_is_not_an_unknown_row(recommended):
    """The 生産年齢人口 row lost its name: the sum naming it is not checked (no TAB005
    "unknown row", no TAB001 on the other two rows), and the ratio below it, now one row
    up in the model, is still checked and reported at its own cell."""
    text = _edit(STATISTICS, ("{key: working-age, name: 生産年齢人口（15～64歳）, ", "{key: working-age, "),
                 ("令和元年: 21.1}}", "令和元年: 21.3}}"))
    loaded = load_plan_text(text)
    assert [row.key for row in loaded.model.tables[0].rows] == ["young", "old", "total", "aging-rate"]
    ratio_line = _line_of(text, "21.3}}")
    assert _report(recommended, text) == [
        ("LOAD008", _line_of(text, "{key: working-age"), 9),
        ("TAB002", ratio_line, _column_of(text, "高齢化率", "21.3")),
    ]
    records = _records(loaded, "table_relations", "tables")
    unchecked = [r for r in records if isinstance(r, Unchecked)]
    [record] = unchecked
    assert record.location.path == ("tables", 0, "relations", 0)
    assert record.reason.en == "item 2 could not be read"
    assert "working-age" in record.relation.en and "working-age" in record.relation.ja
    assert resolve(record.location, {loaded.name: loaded}).line == _line_of(text, "{check: sum, row: total, of: [young")
    # the ratio is the only finding; the cross-table equality names ①'s 老年人口, which was read
    assert [r.kind for r in records if isinstance(r, Finding)] == ["ratio_mismatch"]


def test_a_table_that_cannot_be_read_is_not_an_unknown_table(recommended):
    text = _edit(STATISTICS, ("    title: 年齢3区分別人口の推移\n", ""))
    loaded = load_plan_text(text)
    assert [table.id for table in loaded.model.tables] == ["elderly"]
    assert [code for code, _, _ in _report(recommended, text)] == ["LOAD008"]
    [record] = [r for r in _records(loaded, "table_relations", "tables") if isinstance(r, Unchecked)]
    assert record.location.path == ("tables", 0, "relations", 1)
    assert record.reason.en == "item 1 could not be read"


def test_a_row_named_by_a_typo_is_still_unknown_when_another_row_was_lost(recommended):
    """Only a reference the lost row may answer is unchecked: the lost row wrote its key."""
    text = _edit(STATISTICS, ("{key: working-age, name: 生産年齢人口（15～64歳）, ", "{key: working-age, "),
                 ("numerator: old, denominator: total", "numerator: olld, denominator: total"))
    codes = [code for code, _, _ in _report(recommended, text)]
    assert codes == ["LOAD008", "TAB005"]


def test_a_component_that_cannot_be_read_blocks_its_parent_sum_and_links(recommended):
    text = HEADER.replace("  period: {start: 令和3年度, end: 令和6年度}\n", "") + """\
themes:
  - id: III-3
    title: 地域の担い手
    indicators:
      - {key: volunteers, name: ボランティア数等, unit: 人, actuals: {令和3年度: 524}}
      - {key: watch, name: 介護予防見守りボランティア, unit: 人, component_of: volunteers, actuals: {令和3年度: 101}}
      - {key: sports, unit: 人, component_of: volunteers, actuals: {令和3年度: 411}}
      - {key: parks, name: 公園等アダプト制度, unit: 人, component_of: volunteers, actuals: {令和3年度: 12}}
      - {key: restated, name: スポーツボランティア（再掲）, unit: 人, restates: sports, actuals: {令和3年度: 411}}
"""
    loaded = load_plan_text(text)
    # no CMP001 (101 + 12 is not 524 only because 411 could not be read), no LINK001
    assert [code for code, _, _ in _report(recommended, text)] == ["LOAD008"]
    from checker.functions import FUNCTIONS as registry

    spec = registry["components_sum"]
    [record] = list(spec.run(select("plan_set", [loaded])[0], {}))
    assert isinstance(record, Unchecked) and record.reason.en == "item 3 could not be read"
    spec = registry["indicator_links"]
    [record] = [item for item in spec.run(select("plan_set", [loaded])[0], {}) if isinstance(item, Unchecked)]
    assert record.location.path == ("themes", 0, "indicators", 3, "restates")
    assert resolve(record.location, {loaded.name: loaded}).line == _line_of(text, "restates: sports")


def test_an_outlook_count_that_cannot_be_read_blocks_the_counts(recommended):
    text = _edit(PLAN, ("縮小: 0, 廃止: 0}", "縮小: 0, 廃止: -1}"), ("total: 20458", "total: 20548"))
    loaded = load_plan_text(text)
    assert _report(recommended, text) == [
        ("LOAD006", _line_of(text, "廃止: -1"), _column_of(text, "outlook_counts", "-1")),
        ("TOT001", _line_of(text, "total: 20548"), 14),
    ]
    records = [r for r in _records(loaded, "outlook_counts", "project_lists")]
    [record] = records
    assert isinstance(record, Unchecked) and record.reason.en == "廃止 could not be read"


def test_a_file_that_validates_is_never_salvaged(monkeypatch):
    import checker.loader as loader

    def fail(*args):
        raise AssertionError("salvage ran on a valid file")

    monkeypatch.setattr(loader, "_salvage", fail)
    for path in sorted(PLANS.rglob("*.yaml")):
        loaded = load_file(path)
        assert loaded.model is not None and loaded.kept_items == {}, path


def test_salvage_never_writes_a_number():
    """Every value of the salvaged model is one the file wrote, or marked unreadable."""
    text = _edit(PLAN, ("cost: 3851", 'cost: "3,85,1"'), ("actuals: {令和3年度: 24, 令和4年度: 21}",
                                                        "actuals: {令和3年度: 24, 令和4年度: 21, 令和0年度: 22}"))
    loaded = load_plan_text(text)
    costs = [item.cost for item in loaded.model.themes[0].projects.items]
    assert [getattr(cost, "text", None) for cost in costs] == ["19", "2377", "3,85,1", "8379"]
    assert isinstance(costs[2], Unreadable)
    assert sorted(loaded.model.themes[0].indicators[1].actuals) == [2021, 2022]

