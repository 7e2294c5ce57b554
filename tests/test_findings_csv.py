"""The findings as CSV (`--format csv`, `-o findings.csv`): read back with the csv module,
UTF-8 with a BOM, and formula injection neutralised (the OWASP rule)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.report.csvfile import COLUMNS, neutralised

WORKBOOKS = Path(__file__).parent / "data" / "workbooks"


def _rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # Excel opens it as UTF-8
    text = data[3:].decode("utf-8")
    assert "\r\n" in text
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return list(reader)


def _check(*args: str):
    return CliRunner().invoke(main, ["check", "--no-cache", "--isolated", *args])


@pytest.fixture
def imported(tmp_path, monkeypatch) -> Path:
    pytest.importorskip("openpyxl")
    monkeypatch.chdir(tmp_path)
    shutil.copyfile(WORKBOOKS / "project_list_short_sum.xlsx", tmp_path / "list.xlsx")
    assert CliRunner().invoke(main, ["import", "list.xlsx", "-o", "plans/theme.yaml"]).exit_code == 1
    return tmp_path / "plans" / "theme.yaml"


def test_an_imported_plans_finding_is_one_row_with_its_cell_and_numbers(imported, tmp_path):
    run = _check("plans/theme.yaml", "--lang", "ja", "-o", "findings.csv")
    assert run.exit_code == 1, run.output
    rows = _rows((tmp_path / "findings.csv").read_bytes())
    assert len(rows) == 1
    row = rows[0]
    total_line = next(number for number, line in enumerate(imported.read_text(encoding="utf-8").splitlines(), 1)
                      if line.strip() == 'total: "35,084"')
    assert (row["file"], row["line"], row["column"], row["code"], row["severity"]) == \
        ("plans/theme.yaml", str(total_line), "14", "TOT001", "error")
    assert row["message"].startswith("合計 35,084 千円 が内訳 8 件の和 46,371 千円 と一致しません")
    assert row["cell"] == "関連事務事業一覧!H13"
    assert row["related_cells"].split() == [f"関連事務事業一覧!H{number}" for number in range(5, 13)]
    assert json.loads(row["numbers"]) == {"allowance": "4", "computed": "46371", "count": 8,
                                          "difference": "-11287", "stated": "35084", "unit": "千円"}
    # the fingerprint is the baseline's, the one GitLab's report gives
    gitlab = json.loads(_check("plans/theme.yaml", "--format", "gitlab").stdout)
    assert row["fingerprint"] == gitlab[0]["fingerprint"]
    # in English: the same row, the message in English
    english = _check("plans/theme.yaml", "--lang", "en", "--format", "csv", "-q")
    assert english.stdout_bytes.startswith(b"\xef\xbb\xbf")
    assert _rows(english.stdout_bytes)[0]["message"].startswith("total 35,084 千円 differs from the sum")


def test_a_field_a_spreadsheet_would_run_as_a_formula_gets_an_apostrophe(tmp_path, monkeypatch):
    for value in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralised(value) == "'" + value
    for value in ("1,234", "plans/a.yaml", "合計 = 1", "", "{\"a\": 1}"):
        assert neutralised(value) == value
    # through the CLI: a plan file whose name is a formula, with a finding
    monkeypatch.chdir(tmp_path)
    plan = tmp_path / "=HYPERLINK(1).yaml"
    plan.write_text("plan:\n  id: x\n  title: x\n  municipality: x\n  kind: policy_evaluation\n"
                    "  source:\n    file: x.pdf\nthemes:\n  - id: a\n", encoding="utf-8")
    run = _check("=HYPERLINK(1).yaml", "--lang", "en", "-o", "findings.csv")
    rows = _rows((tmp_path / "findings.csv").read_bytes())
    assert rows and all(row["file"] == "'=HYPERLINK(1).yaml" for row in rows), run.output
    assert all(not value.startswith(("=", "+", "-", "@")) for row in rows for value in row.values())


def test_a_clean_run_is_the_header_alone(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plan.yaml").write_text("plan:\n  id: x\n  title: x\n  municipality: x\n  kind: policy_evaluation\n"
                                         "  source:\n    file: x.pdf\nthemes:\n  - id: a\n    title: a\n",
                                         encoding="utf-8")
    run = _check("plan.yaml", "--format", "csv", "-q")
    assert run.exit_code == 0, run.output
    assert _rows(run.stdout_bytes) == []
