"""--fix and --diff on copies of real plans: only stated derived values change, everything
else (comments, quoting, spacing, key order, BOM, permissions) stays byte for byte, a
second --fix changes nothing, and a file changed meanwhile is never overwritten."""

from __future__ import annotations

import os
import stat

import pytest

from checker.fixes import FixError, project_roots, write_atomically
from tests.conftest import PLANS
from tests.test_cli import run

THEME_11 = PLANS / "kodaira/policy-evaluation-r4/theme-11-disability.yaml"
TABLES = PLANS / "koganei/welfare-statistics-r5/tables.yaml"


def _broken_copy(tmp_path, source, *edits):
    original = source.read_text(encoding="utf-8")
    text = original
    for old, new in edits:
        assert text.count(old) >= 1, old
        text = text.replace(old, new, 1)
    path = tmp_path / source.name
    path.write_text(text, encoding="utf-8")
    return path, original, text


@pytest.mark.slow
def test_fix_restores_the_published_file_exactly(tmp_path):
    path, original, broken = _broken_copy(
        tmp_path, THEME_11,
        ("rates:   {令和3年度: 75.4%", "rates:   {令和3年度: 76.4%"),      # a stated rate
        ("outlook_counts: {拡大: 1,", "outlook_counts: {拡大: 2,"),      # an outlook count
    )
    os.chmod(path, 0o640)
    diff = run("--diff", "--unsafe-fixes", "--lang", "en", str(path))
    assert diff.returncode == 1
    assert "-        rates:   {令和3年度: 76.4%" in diff.stdout and "+        rates:   {令和3年度: 75.4%" in diff.stdout
    assert "+      outlook_counts: {拡大: 1," in diff.stdout
    assert "RATE001 fix (unsafe): 75.4%" in diff.stdout  # --diff says which fix is which
    assert path.read_text(encoding="utf-8") == broken  # --diff writes nothing
    fixed = run("--fix", "--unsafe-fixes", "--format", "concise", "--lang", "en", str(path))
    assert "fixed 2 value(s) in 1 file(s)" in fixed.stderr
    assert path.read_text(encoding="utf-8") == original  # comments, spacing, order: all as published
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert "RATE001" not in fixed.stdout and "CNT001" not in fixed.stdout
    again = run("--fix", "--unsafe-fixes", str(path))
    assert "fixed" not in again.stderr and path.read_text(encoding="utf-8") == original
    assert run("--diff", "--unsafe-fixes", str(path)).returncode == 0


def test_fix_alone_never_rewrites_a_printed_figure(tmp_path):
    """A mistyped actual makes the printed rate disagree: the printed rate is the evidence of
    the typo, so --fix leaves it, says why, and only --unsafe-fixes rewrites it."""
    path, _, broken = _broken_copy(tmp_path, THEME_11, ("actuals: {令和3年度: 46,", "actuals: {令和3年度: 47,"))
    fixed = run("--fix", "--format", "concise", "--lang", "en", str(path))
    assert path.read_text(encoding="utf-8") == broken
    assert fixed.returncode == 1 and "RATE001" in fixed.stdout
    assert "1 fix(es) not applied: they rewrite a printed figure" in fixed.stderr
    assert run("--diff", str(path)).stdout == ""
    run("--fix", "--unsafe-fixes", str(path))
    assert "rates:   {令和3年度: 77.0%" in path.read_text(encoding="utf-8")


def test_a_safe_fix_quotes_a_code_and_changes_no_figure(tmp_path):
    path, original, _ = _broken_copy(tmp_path, THEME_11, ('code: "030309"', "code: 030309"))
    result = run("--fix", "--format", "concise", "--lang", "en", str(path))
    assert "fixed 1 value(s) in 1 file(s)" in result.stderr
    assert path.read_text(encoding="utf-8") == original


SHARES = """\
plan: {id: budget, title: 歳出予算, municipality: 架空市, kind: statistics, source: {seed: budget.pdf}}
tables:
  - id: expenditure-shares
    title: 歳出の構成比
    unit: 千円
    columns: [{key: 令和6年度}]
    rows:
      - {key: welfare, name: 民生費, values: {令和6年度: 1000}}
      - {key: education, name: 教育費, values: {令和6年度: 1000}}
      - {key: other, name: その他, values: {令和6年度: 1000}}
      - {key: total, name: 合計, values: {令和6年度: 3000}}
      - {key: welfare-share, name: 民生費 構成比, unit: "%", values: {令和6年度: 33.4}}   # 端数調整: 33.3 rounded up
      - {key: education-share, name: 教育費 構成比, unit: "%", values: {令和6年度: 33.3}}
      - {key: other-share, name: その他 構成比, unit: "%", values: {令和6年度: 33.3}}
      - {key: share-total, name: 構成比 計, unit: "%", values: {令和6年度: 100.0}}
    relations:
      - {check: sum, row: total, of: [welfare, education, other]}
      - {check: ratio, row: welfare-share, numerator: welfare, denominator: total, scale: 100, places: 1}
      - {check: ratio, row: education-share, numerator: education, denominator: total, scale: 100, places: 1}
      - {check: ratio, row: other-share, numerator: other, denominator: total, scale: 100, places: 1}
      - {check: sum, row: share-total, of: [welfare-share, education-share, other-share]}
"""


def test_a_fix_that_breaks_another_relation_is_not_applied(tmp_path):
    """A city rounds one share the other way so that its column totals 100.0 (端数調整):
    "fixing" 33.4 into 33.3 would make the 計 of 100.0 wrong, so the fix is refused."""
    path = tmp_path / "shares.yaml"
    path.write_text(SHARES, encoding="utf-8")
    result = run("--fix", "--unsafe-fixes", "--format", "concise", "--lang", "en", str(path))
    assert path.read_text(encoding="utf-8") == SHARES
    assert "TAB002" in result.stdout  # the share still differs from its quotient, and says so
    assert "shares.yaml:12: the TAB002 fix would make TAB001 at line 15 fail" in result.stderr


@pytest.mark.slow
def test_fix_rewrites_a_ratio_row_and_keeps_the_quoting(tmp_path):
    path, original, _ = _broken_copy(tmp_path, TABLES, ("令和元年: 21.1, 令和2年: 21.2", "令和元年: 21.1, 令和2年: 21.9"))
    run("--fix", "--unsafe-fixes", str(path))
    assert path.read_text(encoding="utf-8") == original


@pytest.mark.slow
def test_fix_never_touches_a_value_that_needs_judgement(tmp_path):
    path, _, broken = _broken_copy(tmp_path, THEME_11, ('total: "7,412,808"', 'total: "7,412,900"'))
    result = run("--fix", "--format", "concise", str(path))
    assert result.returncode == 1 and "TOT001" in result.stdout
    assert path.read_text(encoding="utf-8") == broken


@pytest.mark.slow
def test_fix_keeps_a_byte_order_mark(tmp_path):
    path, original, broken = _broken_copy(tmp_path, THEME_11, ("rates:   {令和3年度: 75.4%", "rates:   {令和3年度: 76.4%"))
    path.write_bytes(b"\xef\xbb\xbf" + broken.encode("utf-8"))
    run("--fix", "--unsafe-fixes", str(path))
    assert path.read_bytes() == b"\xef\xbb\xbf" + original.encode("utf-8")


def test_a_file_changed_since_it_was_checked_is_not_overwritten(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text("edited by someone else\n", encoding="utf-8")
    with pytest.raises(FixError, match="changed or was replaced since it was checked"):
        write_atomically(path, "fixed\n", expected="as checked\n", roots=project_roots(tmp_path))
    assert path.read_text(encoding="utf-8") == "edited by someone else\n"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.yaml"]  # no temporary file left behind


OWN_FORMULAS = """\
plan: {id: x, title: 子ども・子育て支援の評価, municipality: 架空市, kind: policy_evaluation, period: {start: 令和3年度, end: 令和4年度}, as_of: 令和4年度, source: {seed: a.pdf}}
themes:
  - id: a
    title: 子育て
    indicators:
      - name: 待機児童数
        unit: 人
        direction: lower_is_better
        rate_formula: target_over_actual      # the document prints 目標 ÷ 実績
        targets: {令和3年度: 30, 令和4年度: 25}
        actuals: {令和3年度: 33, 令和4年度: 28}
        rates: {令和3年度: 90.9%, 令和4年度: 89.3%}
      - name: 交通事故件数
        unit: 件
        targets: {令和3年度: 30以下, 令和4年度: 28以下}
        actuals: {令和3年度: 33, 令和4年度: 28}
        rates: {令和3年度: 90.9%, 令和4年度: 100.0%}
      - name: 市民農園の区画数
        unit: 区画
        rate_formula: progress
        baseline: {year: 令和2年度, value: 100}
        targets: {令和3年度: 150, 令和4年度: 200}
        actuals: {令和3年度: 130, 令和4年度: 150}
        rates: {令和3年度: 60.0%, 令和4年度: 50.0%}
"""


def test_fix_changes_nothing_where_the_rates_follow_the_documents_own_formula(tmp_path):
    """Lower-is-better rates printed 目標 ÷ 実績, an at-most target and a progress rate are
    read by the document's formula: even --unsafe-fixes has nothing to rewrite."""
    path = tmp_path / "rates.yaml"
    path.write_text(OWN_FORMULAS, encoding="utf-8")
    result = run("--fix", "--unsafe-fixes", "--format", "concise", "--lang", "en", str(path))
    assert result.returncode == 0 and result.stdout == ""
    assert path.read_text(encoding="utf-8") == OWN_FORMULAS
    assert result.stderr == "All checks passed (1 file, 6 relations checked)\n"
