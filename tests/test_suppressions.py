"""`# plancheck: ignore[CODE] reason` comments: used, unused, without reason, malformed,
on the value's line, on the line above, for the whole file; a # inside quotes is text."""

from __future__ import annotations

from tests.conftest import PLANS, check_text, check_texts

THEME_11 = PLANS / "kodaira/policy-evaluation-r4/theme-11-disability.yaml"

LIST = """plan: {id: x, title: t, municipality: 小平市, kind: policy_evaluation, source: {seed: a.txt}}
themes:
  - id: a
    title: "テーマ # plancheck: ignore[TOT001] in quotes, not a comment"
    projects:
      unit: 千円
      items:
        - {no: 1, name: 事業A, cost: 19}
        - {no: 2, name: 事業B, cost: 2377}
{total}
"""


def _codes(diagnostics):
    return [(d.code, d.span.line) for d in diagnostics]


def test_a_suppression_on_the_line_or_above_hides_only_its_code(recommended):
    same_line = LIST.replace("{total}", "      total: 2397   # plancheck: ignore[TOT002] 円単位の合計を丸めた")
    assert _codes(check_text(recommended, same_line)) == []
    above = LIST.replace("{total}", "      # plancheck: ignore[TOT002] 円単位の合計を丸めた\n      total: 2397")
    assert _codes(check_text(recommended, above)) == []
    other_code = LIST.replace("{total}", "      total: 2397   # plancheck: ignore[TOT001] 別の誤り")
    assert _codes(check_text(recommended, other_code)) == [("TOT002", 10), ("SUP001", 10)]


def test_file_level_suppression(recommended):
    text = "# plancheck: file-ignore[TOT002] この文書の合計は円単位から丸めている\n" + LIST.replace(
        "{total}", "      total: 2397")
    assert _codes(check_text(recommended, text)) == []


def test_suppressions_without_reason_or_codes_are_reported_and_do_not_suppress(recommended):
    no_reason = LIST.replace("{total}", "      total: 2397   # plancheck: ignore[TOT002]")
    [(first, _), (second, _)] = sorted(_codes(check_text(recommended, no_reason)))
    assert (first, second) == ("SUP002", "TOT002")
    blanket = LIST.replace("{total}", "      total: 2397   # plancheck: ignore")
    assert sorted(code for code, _ in _codes(check_text(recommended, blanket))) == ["SUP003", "TOT002"]
    misspelt = LIST.replace("{total}", "      total: 2397   # plancheck: ignore[TOT02] typo")
    [sup] = [d for d in check_text(recommended, misspelt) if d.code == "SUP003"]
    assert sup.args["codes"] == "TOT02" and sup.span.line == 10 and sup.span.column == 21


def test_a_quoted_hash_is_not_a_suppression(recommended):
    text = LIST.replace("{total}", "      total: 4870")
    assert [code for code, _ in _codes(check_text(recommended, text))] == ["TOT001"]


def test_suppressing_a_real_rounding_warning(recommended):
    text = THEME_11.read_text(encoding="utf-8").replace(
        'total: "7,412,808"', 'total: "7,412,808"   # plancheck: ignore[TOT002] 原資料は円単位の合計を丸めている', 1)
    found = check_texts(recommended, {"theme-11.yaml": text})
    assert [d.code for d in found] == []
