"""`plancheck -`: the plan read from standard input, with `--stdin-filename` for its path
(its name in findings, its configuration and plan set), through the same loader as a file;
`--fix` writes the fixed text to standard output and never touches the file at that path."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import main
from tests.test_cli import BAD_TOTAL, GOOD

ROOT = Path(__file__).resolve().parent.parent
# a leading-zero code (LOAD007, safe fix: quote it) and a wrong total (TOT001) after a
# character outside the BMP
PLAN = GOOD + (
    "themes:\n  - id: a\n    title: t\n    projects:\n      unit: 千円\n      items:\n"
    "        - {no: 1, name: 𠮷事業, code: 030309, cost: 19}\n"
    "        - {no: 2, name: 事業2, cost: 3851}\n      total: 4870\n"
)


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_ACTIONS", "")
    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "plans").mkdir()
    return tmp_path


def _run(*args: str, stdin: bytes | str):
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    return CliRunner().invoke(main, ["--format", "concise", "--lang", "en", *args], input=data)


def test_findings_name_the_stdin_filename_at_the_values_line_and_column(project):
    result = _run("-", "--stdin-filename", "plans/new.yaml", stdin=PLAN)
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if ": LOAD" in line or ": TOT" in line]
    assert lines[0].startswith("plans/new.yaml:8:36: LOAD007")
    assert lines[1].startswith("plans/new.yaml:10:14: TOT001")
    assert "differs from the sum of its 2 items, 3,870" in lines[1]
    assert not (project / "plans" / "new.yaml").exists()


def test_the_stdin_filename_chooses_the_configuration(project):
    (project / "sub").mkdir()
    (project / "sub" / "plancheck.toml").write_text('ignore = ["TOT001"]\n', encoding="utf-8")
    outside = _run("-", "--stdin-filename", "plans/x.yaml", stdin=BAD_TOTAL)
    inside = _run("-", "--stdin-filename", "sub/x.yaml", stdin=BAD_TOTAL)
    assert "plans/x.yaml:10:14: TOT001" in outside.stdout and outside.exit_code == 1
    assert "TOT001" not in inside.stdout and inside.exit_code == 0


def test_the_plan_set_on_disk_is_the_context_of_the_stdin_plan(project):
    from checker.rules import load_ruleset

    pair = load_ruleset("recommended").rules["XDOC001"].docs["bad"]
    (first, first_text), (second, second_text) = pair.items()
    (project / "plans" / first).write_text(first_text, encoding="utf-8")
    (project / "plans" / second).write_text("this file on disk is replaced by standard input\n", encoding="utf-8")
    result = _run("-", "--stdin-filename", f"plans/{second}", stdin=second_text)
    assert "XDOC001" in result.stdout and f"plans/{second}:" in result.stdout
    assert "LOAD" not in result.stdout  # the text on disk was not read


def test_fix_writes_the_fixed_text_to_stdout_and_never_the_file(project):
    on_disk = project / "plans" / "new.yaml"
    on_disk.write_text("the file at that path, untouched\n", encoding="utf-8")
    result = _run("-", "--stdin-filename", "plans/new.yaml", "--fix", stdin=PLAN)
    assert result.stdout == PLAN.replace("code: 030309", 'code: "030309"')
    assert "plans/new.yaml:10:14: TOT001" in result.stderr and "LOAD007" not in result.stderr
    assert result.exit_code == 1  # the total is still wrong (its fix is unsafe)
    assert on_disk.read_text(encoding="utf-8") == "the file at that path, untouched\n"


def test_fix_with_nothing_to_fix_gives_the_input_back_byte_for_byte(project):
    data = "\ufeff".encode() + BAD_TOTAL.replace("\n", "\r\n").encode("utf-8")
    result = _run("-", "--stdin-filename", "plans/a.yaml", "--fix", stdin=data)
    assert result.stdout_bytes == data


def test_stdin_goes_through_the_loader_encoding_and_size_limit(project):
    shift_jis = BAD_TOTAL.encode("shift_jis")
    decoded = _run("-", "--stdin-filename", "plans/sjis.yaml", stdin=shift_jis)
    assert "plans/sjis.yaml:1:39: LOAD002" in decoded.stdout and "Shift_JIS" in decoded.stdout
    (project / "plancheck.toml").write_text("[limits]\nfile-bytes = 1000\n", encoding="utf-8")
    big = (GOOD + "# " + "x" * 5000 + "\n").encode()
    limited = _run("-", "--stdin-filename", "plans/big.yaml", stdin=big)
    assert "plans/big.yaml:1:1: LOAD011" in limited.stdout and limited.exit_code == 1
    # --fix cannot check it, and gives every byte back, past the limit too
    fixed = _run("-", "--stdin-filename", "plans/big.yaml", "--fix", stdin=big)
    assert fixed.stdout_bytes == big


def test_without_a_filename_stdin_is_named_dash_and_stdin_is_alone(project):
    result = _run("-", stdin=BAD_TOTAL)
    assert "-:10:14: TOT001" in result.stdout
    mixed = _run("-", "plans", stdin=BAD_TOTAL)
    assert mixed.exit_code == 2 and "standard input" in mixed.output
    # --stdin-filename alone reads standard input too (as ruff does); with a path it is an error
    alone = _run("--stdin-filename", "plans/b.yaml", stdin=BAD_TOTAL)
    assert "plans/b.yaml:10:14: TOT001" in alone.stdout
    named = _run("--stdin-filename", "plans/b.yaml", "plans", stdin=BAD_TOTAL)
    assert named.exit_code == 2 and "standard input" in named.output


@pytest.mark.slow
def test_a_pipe_is_read_to_its_end(tmp_path):
    """A writer that pauses between halves: the plan is read whole, not as the empty file
    (or the first half) a read that stops at the first empty moment would see."""
    process = subprocess.Popen([sys.executable, "-m", "checker", "-", "--stdin-filename", "plans/p.yaml",
                                "--format", "concise", "--lang", "en", "--no-cache"], cwd=tmp_path,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "GITHUB_ACTIONS": ""})
    assert process.stdin is not None
    data = BAD_TOTAL.encode()
    process.stdin.write(data[:50])
    process.stdin.flush()
    time.sleep(1.0)
    process.stdin.write(data[50:])
    process.stdin.close()
    process.stdin = None  # closed: communicate only reads
    out, err = process.communicate(timeout=120)
    assert process.returncode == 1, err
    assert b"plans/p.yaml:10:14: TOT001" in out
