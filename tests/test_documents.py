"""Within one document (the files sharing plan.id) and the same quantity across editions:
a key used twice, a list number used twice, parts whose headers disagree, running totals
(累計) of another edition's per-year counts, revised targets (改訂後の期待値), and the
relation records of the link and cross-document checks. Fixtures are small documents in
the shapes of the real ones (a strategy's KPI table in two editions, an execution plan
split into files), with invented numbers."""

from __future__ import annotations

from decimal import Decimal

from checker.diagnostics import Checked, Finding, NotApplicable, Unchecked
from checker.functions import FUNCTIONS, load_builtin_functions, select
from checker.model import PlanFile
from checker.values import Unreadable
from tests.conftest import check_text, check_texts, load_plan_text

load_builtin_functions()

STRATEGY = ("plan: {{id: {id}, title: 小平市総合戦略 {title} 進捗状況, municipality: 小平市, kind: strategy_progress, "
            "as_of: {as_of}, source: {{seed: {seed}}}}}\n")
PLAN = ("plan: {{id: kodaira-execution-plan, title: 小平市 第1期中期実行プラン, municipality: 小平市, kind: execution_plan, "
        "period: {{start: 令和3年度, end: {end}}}, source: {{seed: 000.txt}}}}\n")


def strategy(plan_id: str, indicators: str, as_of: str = "令和2年度", title: str = "令和2年度", seed: str = "004.txt"):
    header = STRATEGY.format(id=plan_id, title=title, as_of=as_of, seed=seed)
    return header + "goals:\n  - id: g3\n    number: 3\n    title: 地域力\n    indicators:\n" + indicators


def run(function: str, texts: dict[str, str], given: str = "plan_set"):
    """The loaded files and everything `function` yields over them, called directly."""
    files = [load_plan_text(text, name) for name, text in texts.items()]
    spec = FUNCTIONS[function]
    results = []
    for target in select(given, files):
        results += list(spec.run(target, {}))
    return files, results


def where(files, location) -> tuple[str, int, int]:
    loaded = next(item for item in files if item.name == location.file)
    span = loaded.nearest_span(location.path, key=location.key)
    return location.file, span.line, span.column


def position(text: str, needle: str, after: str = "") -> tuple[int, int]:
    """(line, column) of the first `after` + `needle` in `text`, pointing at `needle`."""
    for number, line in enumerate(text.splitlines(), 1):
        found = line.find(after + needle)
        if found >= 0:
            return number, found + len(after) + 1
    raise AssertionError(needle)


def records(results, kind):
    return [item for item in results if isinstance(item, kind)]


# --- 1. a key used twice in one document ---------------------------------------------------

PART_1 = PLAN.format(end="令和6年度") + """policies:
  - title: 多様性を尊重するまちづくり
    indicators:
      - {no: 1, key: kodaira/consultations, name: 女性のための相談件数, unit: 件, baseline: {year: 令和2年度, value: 15}, targets: {令和3年度: 17, 令和4年度: 18, 令和5年度: 19, 令和6年度: 20}}
"""
PART_2 = PLAN.format(end="令和6年度") + """policies:
  - title: 地域共生社会の実現
    indicators:
      - {no: 1, key: kodaira/consultations, name: 福祉総合相談の件数, unit: 人, baseline: {year: 令和2年度, value: 410}, targets: {令和3年度: 430, 令和4年度: 450, 令和5年度: 470, 令和6年度: 490}}
"""
EVALUATION = """plan: {id: kodaira-evaluation-r4, title: 小平市 施策評価（令和4年度）, municipality: 小平市, kind: policy_evaluation, period: {start: 令和3年度, end: 令和6年度}, as_of: 令和4年度, source: {seed: 001.txt}}
themes:
  - id: II-1-10
    title: 男女共同参画
    indicators:
      - {no: 1, key: kodaira/consultations, name: 女性のための相談件数, unit: 件, baseline: {year: 令和2年度, value: 15}, targets: {令和3年度: 17, 令和4年度: 18, 令和5年度: 19, 令和6年度: 20}, actuals: {令和3年度: 16, 令和4年度: 18}, rates: {令和3年度: 94.1%, 令和4年度: 100.0%}}
"""


def test_a_key_used_twice_in_one_document_is_reported_at_the_second_naming_the_first(recommended):
    found = check_texts(recommended, {"plan/01-diversity.yaml": PART_1, "plan/03-community.yaml": PART_2})
    [diagnostic] = found
    assert diagnostic.code == "DOC001" and diagnostic.file == "plan/03-community.yaml"
    assert (diagnostic.span.line, diagnostic.span.column) == position(PART_2, "kodaira/consultations", "key: ")
    assert diagnostic.args["first_file"] == "plan/01-diversity.yaml" and diagnostic.args["first_line"] == "5"
    assert diagnostic.args["first_indicator"] == "女性のための相談件数" and diagnostic.args["indicator"] == "福祉総合相談の件数"
    assert "plan/01-diversity.yaml line 5" in diagnostic.message["en"] and "5 行目" in diagnostic.message["ja"]
    [(related, span)] = diagnostic.related
    assert related.location.file == "plan/01-diversity.yaml" and span.line == 5
    # not "another document" with another unit or other values (UNIT004, XDOC001/XDOC002)
    assert [d.code for d in found] == ["DOC001"]


def test_the_first_use_is_what_another_document_is_compared_with(recommended):
    texts = {"plan/01-diversity.yaml": PART_1, "plan/03-community.yaml": PART_2, "z-evaluation.yaml": EVALUATION}
    assert [d.code for d in check_texts(recommended, texts)] == ["DOC001"]
    # the other document disagreeing with the first use is reported against it
    texts["z-evaluation.yaml"] = EVALUATION.replace("value: 15}", "value: 16}")
    found = [d for d in check_texts(recommended, texts) if d.code != "DOC001"]
    assert [(d.code, d.file, d.args["stated"], d.args["reference"], d.args["reference_file"]) for d in found] == [
        ("XDOC001", "z-evaluation.yaml", 16, 15, "plan/01-diversity.yaml")]


def test_a_restated_or_component_row_may_carry_the_key_it_links_to(recommended):
    restated = PART_2.replace("key: kodaira/consultations,", "key: kodaira/consultations, restates: kodaira/consultations,")
    restated = restated.replace("name: 福祉総合相談の件数, unit: 人, baseline: {year: 令和2年度, value: 410}, targets: {令和3年度: 430, 令和4年度: 450, 令和5年度: 470, 令和6年度: 490}",
                                "name: 女性のための相談件数, unit: 件, baseline: {year: 令和2年度, value: 15}, targets: {令和3年度: 17, 令和4年度: 18, 令和5年度: 19, 令和6年度: 20}")
    _, results = run("document_keys", {"plan/01.yaml": PART_1, "plan/03.yaml": restated})
    assert records(results, Finding) == []


def test_the_same_key_in_two_documents_is_no_duplicate():
    _, results = run("document_keys", {"plan/01-diversity.yaml": PART_1, "z-evaluation.yaml": EVALUATION})
    assert results == []


# --- 2. a number used twice in one list -------------------------------------------------------

PROJECTS = """plan: {id: kodaira-evaluation-r4, title: 小平市 施策評価（令和4年度）, municipality: 小平市, kind: policy_evaluation, period: {start: 令和3年度, end: 令和6年度}, as_of: 令和4年度, source: {seed: 001.txt}}
themes:
  - id: II-1-10
    title: 男女共同参画
    projects:
      year: 令和4年度
      unit: 千円
      items:
        - {no: 1, name: 男女共同参画推進事業, department: 市民協働・男女参画推進課, cost: 19, outlook: 維持}
        - {no: 2, name: 女性のための相談事業, department: 市民協働・男女参画推進課, cost: 2377, outlook: 拡大}
        - {no: 2, name: 配偶者暴力防止事業, department: 市民協働・男女参画推進課, cost: 3851, outlook: 維持}
      total: 6247
      outlook_counts: {拡大: 1, 改善: 0, 維持: 2, 縮小: 0, 廃止: 0}
"""


def test_a_number_used_twice_in_a_project_list_names_the_first_line(recommended):
    [diagnostic] = check_texts(recommended, {"theme-10.yaml": PROJECTS})
    assert diagnostic.code == "DOC002" and diagnostic.severity.label == "warning"
    assert (diagnostic.span.line, diagnostic.span.column) == position(PROJECTS, "2, name: 配偶者暴力防止事業", "no: ")
    assert diagnostic.args == {"number": "2", "name": "配偶者暴力防止事業", "first_name": "女性のための相談事業",
                               "first_line": "10"}
    assert [span.line for _, span in diagnostic.related] == [10]
    assert "line 10" in diagnostic.message["en"] and "10 行目" in diagnostic.message["ja"]


def test_measures_indicators_and_directions_are_numbered_lists_too():
    text = strategy("s", "      - {no: 1, key: a, name: 指標A, unit: 人}\n      - {no: 1, key: b, name: 指標B, unit: 人}\n")
    text += """    areas:
      - number: ①
        title: 地域の担い手
        measures:
          - {no: 4, name: 自治会への加入促進}
          - {no: 4, name: 地域活動の情報発信}
      - number: ①
        title: 見守り
"""
    files, results = run("list_numbers", {"goal-3.yaml": text})
    found = [(where(files, item.location)[1:], item.args["number"], item.args["first_line"])
             for item in records(results, Finding)]
    # a list is reported before the lists inside its entries
    assert found == [((8, 14), "1", "7"), ((15, 17), "①", "10"), ((14, 18), "4", "13")]


def test_labelled_sub_rows_share_their_number_and_a_repeated_label_does_not():
    rows = ("      - {no: 2, subrow: 大沼ルート, key: onuma, name: 1日平均乗車人数, unit: 人}\n"
            "      - {no: 2, subrow: 栄町ルート, key: sakae, name: 1日平均乗車人数, unit: 人}\n")
    files, results = run("list_numbers", {"t.yaml": strategy("s", rows)})
    assert results == []
    files, results = run("list_numbers", {"t.yaml": strategy("s", rows + rows.split("\n")[0].replace("onuma", "x") + "\n")})
    [finding] = results
    assert where(files, finding.location)[1] == 9 and finding.args["first_line"] == "7"


# --- 3. parts of one document whose headers disagree -------------------------------------------

def test_a_later_part_whose_header_disagrees_is_reported_at_that_field(recommended):
    later = PART_2.replace("end: 令和6年度", "end: 令和7年度").replace("第1期中期実行プラン", "第2期中期実行プラン")
    later = later.replace("令和6年度: 490}", "令和6年度: 490, 令和7年度: 510}")
    found = check_texts(recommended, {"plan/01.yaml": PART_1, "plan/03.yaml": later.replace("kodaira/consultations", "k/2")})
    title, period = found
    assert (title.code, title.file, title.args["stated"], title.args["reference"]) == (
        "DOC003", "plan/03.yaml", "小平市 第2期中期実行プラン", "小平市 第1期中期実行プラン")
    assert (title.span.line, title.span.column) == position(later, "小平市 第2期", "title: ")
    assert (period.code, period.args["stated"].ja, period.args["reference"].ja) == (
        "DOC003", "令和3年度～令和7年度", "令和3年度～令和6年度")
    assert (period.span.line, period.span.column) == position(later, "{start: 令和3年度, end: 令和7年度}", "period: ")
    assert period.args["field"].en == "plan period" and period.args["reference_file"] == "plan/01.yaml"
    assert "令和3年度 (FY2021) to 令和6年度 (FY2024)" in period.message["en"]
    assert [(rel.location.file, span.line) for rel, span in period.related] == [("plan/01.yaml", 1)]


def test_footnotes_given_by_both_parts_must_read_the_same_and_a_missing_field_differs():
    first = strategy("s", "      - {key: a, name: 指標A, unit: 人}\n").replace(
        "source: {seed: 004.txt}}", "source: {seed: 004.txt}, footnotes: {※1: 平成26年度末の数値ではない, ※2: 速報値}}")
    second = strategy("s", "      - {key: b, name: 指標B, unit: 人}\n").replace(
        "source: {seed: 004.txt}}", "source: {seed: 004.txt}, footnotes: {※2: 確定値}}").replace("as_of: 令和2年度, ", "")
    files, results = run("document_headers", {"goal-1.yaml": first, "goal-2.yaml": second})
    found = [(item.args["field"].en, str(item.args["stated"]), str(item.args["reference"]), where(files, item.location)[1:])
             for item in records(results, Finding)]
    # a part without as_of is located at its header (there is no field to point at)
    assert found == [("reporting year (as_of)", "—", "Year(year=2020)", (1, 7)),
                     ("footnote ※2", "確定値", "速報値", position(second, "確定値"))]
    # every compared field is a checked relation, at the later part
    assert len(records(results, Checked)) == 9 and {item.location.file for item in records(results, Checked)} == {"goal-2.yaml"}


def test_one_file_documents_and_agreeing_parts_are_clean():
    _, results = run("document_headers", {"a.yaml": PART_1, "b.yaml": PART_2, "c.yaml": EVALUATION})
    assert records(results, Finding) == [] and len(records(results, Checked)) == 8


# --- 4. per-year values in one edition, a running total in the next ---------------------------

EDITION_R4 = strategy("kodaira-strategy-r4", """      - key: kodaira/new-watch-volunteers
        name: 見守りボランティアの新規登録者数
        unit: 人
        baseline: {year: 令和2年度, value: 41}
        actuals: {令和3年度: 30, 令和4年度: 25}
""", as_of="令和4年度", title="令和4年度", seed="r4.txt")
EDITION_R5 = strategy("kodaira-strategy-r5", """      - key: kodaira/watch-volunteers-total
        name: 見守りボランティアの登録者数（累計）
        unit: 人
        cumulative: true
        running_total_of: {key: kodaira/new-watch-volunteers, since: 令和3年度}
        baseline: {year: 令和2年度, value: 411}
        actuals: {令和3年度: 30, 令和4年度: 55, 令和5年度: 97}
""", as_of="令和5年度", title="令和5年度", seed="r5.txt")


def test_a_running_total_is_the_sum_of_the_per_year_values_since_its_start(recommended):
    good = EDITION_R4.replace("令和4年度: 25}", "令和4年度: 25, 令和5年度: 42}")
    assert check_texts(recommended, {"r4.yaml": good, "r5.yaml": EDITION_R5}) == []
    bad = good.replace("令和5年度: 42}", "令和5年度: 40}")
    [diagnostic] = check_texts(recommended, {"r4.yaml": bad, "r5.yaml": EDITION_R5})
    assert diagnostic.code == "XDOC003" and diagnostic.file == "r5.yaml"
    assert (diagnostic.span.line, diagnostic.span.column) == position(EDITION_R5, "97", "令和5年度: ")
    assert (diagnostic.args["stated"], diagnostic.args["computed"], diagnostic.args["difference"],
            diagnostic.args["count"]) == (97, 95, 2, 3)
    assert diagnostic.args["since"].year == 2021 and diagnostic.args["year"].year == 2023
    assert [(rel.location.file, span.line) for rel, span in diagnostic.related] == [("r4.yaml", 11)] * 3
    assert "30 + 25 + 40" not in diagnostic.message["en"] and "95" in diagnostic.message["en"]


def test_each_running_total_year_is_a_relation_and_a_missing_per_year_value_blocks_it():
    files, results = run("running_totals", {"r4.yaml": EDITION_R4, "r5.yaml": EDITION_R5})
    assert records(results, Finding) == []
    [before] = records(results, NotApplicable)  # 令和2年度's 411 counts from before the window
    assert where(files, before.location) == ("r5.yaml", *position(EDITION_R5, "411"))
    assert "令和3年度" in before.reason.ja
    assert [where(files, item.location) for item in records(results, Checked)] == [
        ("r5.yaml", *position(EDITION_R5, "30", "令和3年度: ")), ("r5.yaml", *position(EDITION_R5, "55"))]
    [blocked] = records(results, Unchecked)  # 令和5年度: 令和5年度's new registrations are not printed
    assert where(files, blocked.location) == ("r4.yaml", *position(EDITION_R4, "{令和3年度", "actuals: "))
    assert blocked.reason.en == "no per-year value for 令和5年度 (FY2023)"


def test_a_blank_or_lagged_per_year_value_leaves_the_year_unchecked_at_that_value():
    blank = EDITION_R4.replace("令和4年度: 25}", '令和4年度: "—", 令和5年度: 42}')
    files, results = run("running_totals", {"r4.yaml": blank, "r5.yaml": EDITION_R5})
    blocked = records(results, Unchecked)
    assert len(blocked) == 2 and {where(files, item.location)[1:] for item in blocked} == {position(blank, '"—"')}
    lagged = EDITION_R4.replace("令和4年度: 25}", '令和4年度: "25 (令和3年度)", 令和5年度: 42}')
    files, results = run("running_totals", {"r4.yaml": lagged, "r5.yaml": EDITION_R5})
    assert {item.reason.en for item in records(results, Unchecked)} == {"measured at another time (令和3年度)"}


def test_a_running_total_names_a_per_year_key_in_its_unit(recommended):
    wrong_key = EDITION_R5.replace("{key: kodaira/new-watch-volunteers,", "{key: kodaira/new-watch-volunter,")
    [diagnostic] = check_texts(recommended, {"r4.yaml": EDITION_R4, "r5.yaml": wrong_key})
    assert diagnostic.code == "XDOC004" and diagnostic.args["key"] == "kodaira/new-watch-volunter"
    assert (diagnostic.span.line, diagnostic.span.column) == position(wrong_key, "kodaira/new-watch-volunter", "{key: ")
    other_unit = EDITION_R4.replace("unit: 人", "unit: 件").replace("令和4年度: 25}", "令和4年度: 25, 令和5年度: 42}")
    [diagnostic] = check_texts(recommended, {"r4.yaml": other_unit, "r5.yaml": EDITION_R5})
    assert diagnostic.code == "XDOC005" and (diagnostic.args["unit"], diagnostic.args["per_year_unit"]) == ("人", "件")
    assert diagnostic.span.line == 9


def test_a_running_total_sharing_the_per_year_key_is_not_compared_as_equal_values(recommended):
    shared = EDITION_R5.replace("key: kodaira/watch-volunteers-total", "key: kodaira/new-watch-volunteers")
    per_year = EDITION_R4.replace("令和4年度: 25}", "令和4年度: 25, 令和5年度: 42}")
    # 令和4年度: 25 new registrations, 55 since 令和3年度; 令和2年度: 41 new, 411 registered
    assert check_texts(recommended, {"r4.yaml": per_year, "r5.yaml": shared}) == []
    # two editions printing the running total are compared as equal values
    again = shared.replace("kodaira-strategy-r5", "kodaira-strategy-r6").replace("令和5年度: 97}", "令和5年度: 99}")
    found = check_texts(recommended, {"r4.yaml": per_year, "r5.yaml": shared, "r6.yaml": again})
    assert sorted((d.code, d.file, d.args["stated"]) for d in found) == [("XDOC001", "r6.yaml", 99), ("XDOC003", "r6.yaml", 99)]


# --- 5. revised targets (改訂後の期待値) ------------------------------------------------------

REVISED = PLAN.format(end="令和6年度") + """policies:
  - title: 障がい者の自立
    footnotes: {※: 新型コロナウイルス感染症の影響により、令和5年度以降の期待値を改訂}
    indicators:
      - key: kodaira/employment-transition
        name: 就労移行支援の実利用者数
        unit: 人/月
        cumulative: true
        baseline: {year: 令和2年度, value: 46}
        targets: {令和3年度: 61, 令和4年度: 69, 令和5年度: 78, 令和6年度: 78}
        actuals: {令和3年度: 46, 令和4年度: 54}
        revisions:
          - year: 令和5年度
            baseline: {year: 令和4年度, value: 54}
            targets: {令和5年度: 56, 令和6年度: 58}
            note: ※
"""


def test_the_target_in_force_is_the_revised_one_from_the_revision_on():
    indicator = PlanFile.model_validate(load_plan_text(REVISED).data).policies[0].indicators[0]
    assert indicator.target_in_force(2022) == (("targets", 2022), indicator.targets[2022])
    path, cell = indicator.target_in_force(2023)
    assert path == ("revisions", 0, "targets", 2023) and cell.value == 56
    assert indicator.target_in_force(2025) == (("targets", 2025), None)
    original = indicator.model_copy(update={"revisions": [indicator.revisions[0].model_copy(update={"rates_against": "original"})]})
    assert original.target_in_force(2023, for_rates=True)[0] == ("targets", 2023)
    assert original.target_in_force(2023)[0] == ("revisions", 0, "targets", 2023)


def test_a_consistent_revision_is_clean_and_its_baseline_is_a_checked_relation(recommended):
    assert check_texts(recommended, {"plan.yaml": REVISED}) == []
    files, results = run("target_revisions", {"plan.yaml": REVISED}, given="indicators")
    assert results == [Checked(results[0].location)]
    assert where(files, results[0].location) == ("plan.yaml", *position(REVISED, "54}", "令和4年度, value: "))


def test_revised_targets_outside_the_period_before_the_base_or_before_in_force(recommended):
    text = REVISED.replace("targets: {令和5年度: 56, 令和6年度: 58}", "targets: {令和4年度: 55, 令和5年度: 56, 令和7年度: 60}")
    found = [(d.code, (d.span.line, d.span.column), d.args["year"].year) for d in check_texts(recommended, {"p.yaml": text})]
    assert found == [("DOC005", position(text, "令和4年度: 55"), 2022), ("DOC004", position(text, "令和7年度: 60"), 2025)]
    text = REVISED.replace("baseline: {year: 令和4年度, value: 54}", "baseline: {year: 令和3年度, value: 46}")
    text = text.replace("targets: {令和5年度: 56, 令和6年度: 58}", "targets: {令和4年度: 52, 令和5年度: 56, 令和6年度: 58}")
    [diagnostic] = check_texts(recommended, {"p.yaml": text})
    assert (diagnostic.code, diagnostic.args["year"].year, diagnostic.args["in_force"].year) == ("DOC006", 2022, 2023)
    assert diagnostic.related[0][1].line == 14


def test_a_revision_baseline_that_differs_from_the_actual(recommended):
    text = REVISED.replace("value: 54}\n            targets", "value: 52}\n            targets")
    [diagnostic] = check_texts(recommended, {"p.yaml": text})
    assert diagnostic.code == "DOC007" and (diagnostic.args["stated"], diagnostic.args["actual"]) == (52, 54)
    assert (diagnostic.span.line, diagnostic.span.column) == position(text, "52}", "令和4年度, value: ")
    assert diagnostic.related[0][1].line == 12  # the 令和4年度 actual


def test_cumulative_floors_restart_at_the_revision(recommended):
    # 56 and 58 are below the original 69 (令和4年度): the revised chain starts at its own base
    files, results = run("cumulative_series", {"plan.yaml": REVISED}, given="indicators")
    assert records(results, Finding) == []
    checked = [where(files, item.location)[1:] for item in records(results, Checked)]
    revised = [position(REVISED, "56", "令和5年度: "), position(REVISED, "58}", "令和6年度: ")]
    assert checked[-2:] == revised  # each revised target against its floor
    falling = REVISED.replace("令和6年度: 58}", "令和6年度: 50}")
    [diagnostic] = check_texts(recommended, {"p.yaml": falling})
    assert diagnostic.code == "CUM002" and (diagnostic.args["stated"], diagnostic.args["earlier"]) == (50, 56)
    assert (diagnostic.span.line, diagnostic.span.column) == position(falling, "50}", "令和6年度: ")


def test_another_document_may_differ_from_a_revised_target_as_from_a_reset_one(recommended):
    evaluation = EVALUATION.replace("kodaira/consultations", "kodaira/employment-transition").replace(
        "令和5年度: 19, 令和6年度: 20", "令和5年度: 56, 令和6年度: 58").replace("unit: 件", "unit: 人/月").replace(
        "value: 15}", "value: 46}").replace("令和3年度: 17, 令和4年度: 18", "令和3年度: 61, 令和4年度: 69").replace(
        "actuals: {令和3年度: 16, 令和4年度: 18}, rates: {令和3年度: 94.1%, 令和4年度: 100.0%}",
        "actuals: {令和3年度: 46, 令和4年度: 54}, rates: {令和3年度: 75.4%, 令和4年度: 78.3%}")
    assert check_texts(recommended, {"plan.yaml": REVISED, "z.yaml": evaluation}) == []
    files, results = run("same_quantity_across_plans", {"plan.yaml": REVISED, "z.yaml": evaluation})
    revised = records(results, NotApplicable)
    assert [where(files, item.location)[1:] for item in revised] == [
        position(evaluation, "56", "令和5年度: "), position(evaluation, "58}", "令和6年度: ")]
    assert revised[0].reason.ja == "目標が改訂されている（※）"
    # without the revision, the changed targets are findings
    unrevised = REVISED.split("        revisions:")[0]
    assert [d.code for d in check_texts(recommended, {"plan.yaml": unrevised, "z.yaml": evaluation})] == ["XDOC002"] * 2


# --- 6. relation records of the link and cross-document checks ---------------------------------

VOLUNTEERS = strategy("kodaira-strategy-r2", """      - {key: volunteers, name: ボランティア数等, unit: 人, actuals: {令和元年度: 665, 令和2年度: 524}, targets: {令和2年度: 708}}
      - {key: adopt, name: アダプト制度の登録者数, unit: 人, component_of: volunteers, actuals: {令和元年度: 129, 令和2年度: 101}, targets: {令和2年度: 118}}
      - {key: watch, name: 見守りボランティアの登録者数, unit: 人, component_of: volunteers, actuals: {令和元年度: 400, 令和2年度: 411}, targets: {令和2年度: 450}}
      - {key: sports, name: スポーツボランティアの登録者数, unit: 人, component_of: volunteers, actuals: {令和元年度: 136, 令和2年度: 12}, targets: {令和2年度: "—"}}
""")


def test_components_sum_checks_each_parent_cell_and_names_the_blocking_component():
    files, results = run("components_sum", {"goal-3.yaml": VOLUNTEERS})
    assert records(results, Finding) == []
    assert [where(files, item.location)[1:] for item in records(results, Checked)] == [
        position(VOLUNTEERS, "665"), position(VOLUNTEERS, "524")]
    [blocked] = records(results, Unchecked)  # the 令和2年度 target of スポーツ is blank
    assert where(files, blocked.location)[1:] == position(VOLUNTEERS, '"—"', "令和2年度: ")
    assert blocked.reason.en == "no value (—)" and blocked.relation.en.startswith("parent row")


def test_components_sum_unreadable_parent_and_absent_component():
    files = [load_plan_text(VOLUNTEERS, "goal-3.yaml")]
    files[0].model.goals[0].indicators[0].actuals[2020] = Unreadable("約524", "malformed_number")  # as salvaged
    results = list(FUNCTIONS["components_sum"].run(select("plan_set", files)[0], {}))
    first = records(results, Unchecked)[0]
    assert where(files, first.location)[1:] == position(VOLUNTEERS, "524")
    assert first.reason.en == "unreadable value (約524)"
    absent = VOLUNTEERS.replace("actuals: {令和元年度: 136, 令和2年度: 12}", "actuals: {令和2年度: 12}")
    files, results = run("components_sum", {"goal-3.yaml": absent})
    first = records(results, Unchecked)[0]
    assert where(files, first.location)[1] == 10 and first.reason.en == "the value is not stated"


def test_cumulative_series_records_each_pair_and_a_break_as_not_applicable():
    text = strategy("s", """      - key: encounters
        name: 出会いの創出による交流数（累計）
        unit: 件
        cumulative: true
        series_breaks: [{year: 令和元年度, kind: restarted, note: "※ 令和元年度から新たに累計"}]
        baseline: {year: 平成26年度, value: 0}
        actuals: {平成27年度: 0, 平成28年度: 84, 平成29年度: 84, 平成30年度: 128, 令和元年度: 10, 令和2年度: 42}
""")
    files, results = run("cumulative_series", {"goal-2.yaml": text}, given="indicators")
    assert records(results, Finding) == []
    assert len(records(results, Checked)) == 5
    [restart] = records(results, NotApplicable)
    assert where(files, restart.location)[1:] == position(text, "10", "令和元年度: ")
    assert "※ 令和元年度から新たに累計" in restart.reason.ja


def test_restated_rows_record_each_compared_field():
    text = VOLUNTEERS + ("      - {name: 見守りボランティアの登録者数（再掲）, unit: 人, restates: watch, "
                         "actuals: {令和元年度: 400, 令和2年度: 411}, targets: {令和2年度: 450}}\n")
    _, results = run("restated_indicators", {"goal-3.yaml": text})
    assert records(results, Finding) == [] and len(records(results, Checked)) == 4  # unit, 2 actuals, target
    restated = PROJECTS.replace("cost: 3851, outlook: 維持}", "cost: 3851, outlook: 維持, code: \"010103\"}").replace(
        "      total:", "        - {no: 4, name: 配偶者暴力防止事業, department: 市民協働・男女参画推進課, cost: 3851, "
        "outlook: 維持, code: \"010103\", restated: true}\n      total:")
    _, results = run("restated_projects", {"theme-10.yaml": restated})
    assert [item.kind for item in records(results, Finding)] == ["double_counted"]
    # name, department, cost, outlook (the budget account: neither row states it)
    assert [item.location.path[-1] for item in records(results, Checked)] == ["name", "department", "cost", "outlook"]


def test_same_quantity_records_compared_lagged_and_broken_statements():
    r2 = strategy("kodaira-strategy-r2", """      - {key: kodaira/riders, name: 市内の駅の一日平均乗降客数, unit: 人, baseline: {year: 平成26年度, value: "187,066人 (平成25年度)"}, actuals: {令和元年度: "193,000"}}
      - {key: kodaira/disaster-orgs, name: 自主防災組織の組織数, unit: 組織, actuals: {令和元年度: 70, 令和2年度: 72}}
""")
    plan = PLAN.format(end="令和6年度") + """policies:
  - title: 安全・安心
    indicators:
      - {key: kodaira/riders, name: 市内の駅の一日平均乗降客数, unit: 人, baseline: {year: 平成26年度, value: "187,066"}}
      - {key: kodaira/disaster-orgs, name: 自主防災組織の組織数, unit: 組織, baseline: {year: 令和2年度, value: 72}, series_breaks: [{year: 令和2年度, kind: redefined, note: ※ 令和2年度から町会単位}]}
"""
    files, results = run("same_quantity_across_plans", {"a-plan.yaml": plan, "b-strategy.yaml": r2})
    assert records(results, Finding) == []
    [lagged] = records(results, Unchecked)
    assert where(files, lagged.location)[0] == "b-strategy.yaml" and lagged.reason.en == "measured at another time (平成25年度)"
    [broken] = records(results, NotApplicable)  # the plan declares the break
    assert where(files, broken.location)[0] == "a-plan.yaml" and "町会単位" in broken.reason.ja
    assert records(results, Checked) == []
    files, results = run("same_quantity_across_plans", {"a.yaml": plan.replace(", series_breaks: [{year: 令和2年度, kind: redefined, note: ※ 令和2年度から町会単位}]", ""), "b.yaml": r2})
    [checked] = records(results, Checked)  # 004's 令和2年度 actual against the plan's baseline
    assert where(files, checked.location) == ("b.yaml", *position(r2, "72}"))


def test_indicator_links_record_each_link():
    files, results = run("indicator_links", {"goal-3.yaml": VOLUNTEERS})
    assert [where(files, item.location)[1] for item in records(results, Checked)] == [8, 9, 10]


def test_every_single_change_in_a_running_total_or_a_revision_baseline_is_reported(recommended):
    from tests.mutation import mutate
    from tests.mutation import points_at as _points_at
    from tests.test_mutations import relation_sites

    texts = {"r4.yaml": EDITION_R4.replace("令和4年度: 25}", "令和4年度: 25, 令和5年度: 42}"), "r5.yaml": EDITION_R5,
             "plan.yaml": REVISED}
    assert check_texts(recommended, texts) == []
    files = [load_plan_text(text, name) for name, text in texts.items()]
    sites = [site for site in relation_sites(files) if site.why.startswith(("running total", "revision baseline"))]
    assert sorted((site.file, site.why) for site in sites) == sorted(
        [("r5.yaml", "running total")] * 3 + [("r4.yaml", "running total's per-year value")] * 3
        + [("plan.yaml", "revision baseline"), ("plan.yaml", "revision baseline's actual")])
    by_name = {loaded.name: loaded for loaded in files}
    for site in sites:
        mutated, line = mutate(texts[site.file], by_name[site.file], site.path)
        found = check_texts(recommended, {**texts, site.file: mutated})
        assert any(_points_at(d, site.file, line) for d in found), site


def test_an_unreadable_value_blocks_a_restatement_or_a_comparison_at_that_value():
    text = VOLUNTEERS + ("      - {name: 見守りボランティアの登録者数（再掲）, unit: 人, restates: watch, "
                         "actuals: {令和元年度: 400, 令和2年度: 411}, targets: {令和2年度: 450}}\n")
    files = [load_plan_text(text, "goal-3.yaml")]
    files[0].model.goals[0].indicators[4].actuals[2020] = Unreadable("41l", "malformed_number")  # as salvaged
    results = list(FUNCTIONS["restated_indicators"].run(select("plan_set", files)[0], {}))
    [blocked] = records(results, Unchecked)
    assert where(files, blocked.location)[1:] == position(text, "411}", "restates: watch, actuals: {令和元年度: 400, 令和2年度: ")
    assert blocked.reason.en == "unreadable value (41l)" and records(results, Finding) == []
    files = [load_plan_text(PART_1, "a.yaml"), load_plan_text(EVALUATION, "b.yaml")]
    files[1].model.themes[0].indicators[0].baseline.value = Unreadable("l5", "malformed_number")
    results = list(FUNCTIONS["same_quantity_across_plans"].run(select("plan_set", files)[0], {}))
    [blocked] = records(results, Unchecked)
    assert where(files, blocked.location) == ("b.yaml", *position(EVALUATION, "15}", "value: "))
    assert records(results, Finding) == [] and len(records(results, Checked)) == 4  # the four targets


REVISED_RATES = """\
plan: {id: x, title: t, municipality: 小平市, kind: policy_evaluation, period: {start: 令和3年度, end: 令和6年度}, as_of: 令和5年度, source: {seed: a.txt}}
themes:
  - id: a
    title: テーマ
    indicators:
      - name: 就労移行支援の実利用者数
        unit: 人/月
        baseline: {year: 令和2年度, value: 46}
        targets: {令和3年度: 61, 令和4年度: 69, 令和5年度: 78, 令和6年度: 78}
        actuals: {令和3年度: 46, 令和4年度: 54, 令和5年度: 56}
        rates: {令和3年度: 75.4%, 令和4年度: 78.3%, 令和5年度: RATE%}
        revisions:
          - year: 令和5年度
            baseline: {year: 令和4年度, value: 54}
            targets: {令和5年度: 56, 令和6年度: 58}
            note: "※ 改訂"
"""


def test_a_rate_is_checked_against_the_revised_target_in_force(recommended):
    assert check_text(recommended, REVISED_RATES.replace("RATE", "100.0")) == []  # 56 / 56
    [diagnostic] = check_text(recommended, REVISED_RATES.replace("RATE", "71.8"))  # 56 / 78: the original
    assert diagnostic.code == "RATE001" and diagnostic.span.line == 11
    assert diagnostic.args["denominator"] == 56 and diagnostic.args["computed"] == Decimal("100.0")
    assert [(related.label.en, span.line) for related, span in diagnostic.related] == [("actual", 10),
                                                                                      ("revised target", 15)]
