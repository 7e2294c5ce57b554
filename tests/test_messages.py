"""Every message the CLI prints itself exists in Japanese and English, with the same
placeholders, and the CLI prints no message that is not one of them; the run (whose notes
the CLI prints) never prints at all."""

from __future__ import annotations

import re
import string

import pytest

from checker.diagnostics import Text
from checker.messages import MESSAGES, message
from tests.conftest import ROOT
from tests.test_cli import run


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_cli_message_has_both_languages_with_the_same_placeholders():
    for key, text in MESSAGES.items():
        assert isinstance(text, Text), key
        assert text.ja and text.en, key
        assert _fields(text.ja) == _fields(text.en), key


def test_a_message_is_filled_in_both_languages_and_a_text_argument_per_language():
    hint = message("did_you_mean", candidate="TOT001")
    filled = message("no_rule", code="TOT01", hint=hint)
    assert filled == Text("ルール TOT01 はありません（TOT001 の誤りではありませんか）", "no rule TOT01 (did you mean TOT001?)")


def test_the_cli_prints_its_messages_only_through_the_table():
    source = (ROOT / "checker" / "cli.py").read_text(encoding="utf-8")
    assert not re.findall(r'echo\(\s*f?"plancheck:', source)
    assert not re.findall(r'Usage(Error|Exception)\(\s*f?"', source)
    # the run tells the CLI what to say (notes from the table); it never prints
    run = (ROOT / "checker" / "run.py").read_text(encoding="utf-8")
    assert not re.findall(r"\bclick\b|\bprint\(|sys\.std(out|err)|\.echo\(", run)
    assert not re.findall(r'notes\.append\((?!message\()', run)


@pytest.mark.slow
def test_cli_messages_follow_the_language(tmp_path):
    missing = str(tmp_path / "missing.yaml")
    assert "ファイルまたはディレクトリがありません" in run("--lang", "ja", missing).stderr
    assert "no such file or directory" in run("--lang", "en", missing).stderr
    (tmp_path / "plancheck.toml").write_text('lang = "ja"\nfail_level = "x"\n', encoding="utf-8")
    result = run("--lang", "ja", missing, cwd=tmp_path)
    assert result.returncode == 2 and "設定の誤り" in result.stderr
    assert "plancheck.toml:2: fail_level: 知らない設定項目です（fail-level の誤りではありませんか）" in result.stderr
    (tmp_path / "plancheck.toml").write_text('select = ["TOT01"]\n', encoding="utf-8")
    result = run("--lang", "ja", missing, cwd=tmp_path)
    assert "select: 'TOT01' で始まるルールコードはありません（TOT001 の誤りではありませんか）" in result.stderr
    result = run("rule", "TOT01", "--lang", "ja")
    assert result.returncode == 2 and "ルール TOT01 はありません（TOT001 の誤りではありませんか）" in result.stderr
