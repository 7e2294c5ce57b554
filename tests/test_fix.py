"""--fix and --diff on copies of real plans: only stated derived values change, everything
else (comments, quoting, spacing, key order, BOM, permissions) stays byte for byte, a
second --fix changes nothing, and a file changed meanwhile is never overwritten."""

from __future__ import annotations

import os
import stat

import pytest

from checker.fixes import FixError, write_atomically
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
    diff = run("--diff", str(path))
    assert diff.returncode == 1
    assert "-        rates:   {令和3年度: 76.4%" in diff.stdout and "+        rates:   {令和3年度: 75.4%" in diff.stdout
    assert "+      outlook_counts: {拡大: 1," in diff.stdout
    assert path.read_text(encoding="utf-8") == broken  # --diff writes nothing
    fixed = run("--fix", "--format", "concise", str(path))
    assert "fixed 2 value(s) in 1 file(s)" in fixed.stderr
    assert path.read_text(encoding="utf-8") == original  # comments, spacing, order: all as published
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert "RATE001" not in fixed.stdout and "CNT001" not in fixed.stdout
    again = run("--fix", str(path))
    assert "fixed" not in again.stderr and path.read_text(encoding="utf-8") == original
    assert run("--diff", str(path)).returncode == 0


@pytest.mark.slow
def test_fix_rewrites_a_ratio_row_and_keeps_the_quoting(tmp_path):
    path, original, _ = _broken_copy(tmp_path, TABLES, ("令和元年: 21.1, 令和2年: 21.2", "令和元年: 21.1, 令和2年: 21.9"))
    run("--fix", str(path))
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
    run("--fix", str(path))
    assert path.read_bytes() == b"\xef\xbb\xbf" + original.encode("utf-8")


def test_a_file_changed_since_it_was_checked_is_not_overwritten(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text("edited by someone else\n", encoding="utf-8")
    with pytest.raises(FixError):
        write_atomically(path, "fixed\n", expected="as checked\n")
    assert path.read_text(encoding="utf-8") == "edited by someone else\n"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.yaml"]  # no temporary file left behind
