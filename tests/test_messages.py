"""Every message the CLI prints itself exists in Japanese and English, with the same
placeholders, and the CLI prints no message that is not one of them."""

from __future__ import annotations

import re
import string

import pytest

from checker.messages import MESSAGES
from tests.conftest import ROOT
from tests.test_cli import run


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_cli_message_has_both_languages_with_the_same_placeholders():
    for key, texts in MESSAGES.items():
        assert set(texts) == {"ja", "en"}, key
        assert all(texts.values()), key
        assert _fields(texts["ja"]) == _fields(texts["en"]), key


def test_the_cli_prints_its_messages_only_through_the_table():
    source = (ROOT / "checker" / "cli.py").read_text(encoding="utf-8")
    assert not re.findall(r'echo\(\s*f?"plancheck:', source)
    assert not re.findall(r'Usage(Error|Exception)\(\s*f?"', source)


@pytest.mark.slow
def test_cli_messages_follow_the_language(tmp_path):
    missing = str(tmp_path / "missing.yaml")
    assert "ファイルまたはディレクトリがありません" in run("--lang", "ja", missing).stderr
    assert "no such file or directory" in run("--lang", "en", missing).stderr
    (tmp_path / "plancheck.toml").write_text('lang = "ja"\nfail_level = "x"\n', encoding="utf-8")
    result = run("--lang", "ja", missing, cwd=tmp_path)
    assert result.returncode == 2 and "設定の誤り" in result.stderr
    assert "plancheck.toml:2: fail_level: 知らない設定項目です（fail-level のことですか？）" in result.stderr
    (tmp_path / "plancheck.toml").write_text('select = ["TOT01"]\n', encoding="utf-8")
    result = run("--lang", "ja", missing, cwd=tmp_path)
    assert "select: 'TOT01' で始まる規則コードはありません（TOT001 のことですか？）" in result.stderr
    result = run("rule", "TOT01", "--lang", "ja")
    assert result.returncode == 2 and "規則 TOT01 はありません（TOT001 のことですか？）" in result.stderr
