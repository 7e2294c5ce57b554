"""The command line in Japanese: `--lang ja` or a Japanese locale makes help, usage errors and
click's own messages Japanese (checker/cli_ja.py)."""

from __future__ import annotations

import inspect

import click
import pytest
from click.testing import CliRunner

from checker import cli_ja
from checker.cli import main


def invoke(*args: str, env: dict[str, str] | None = None):
    base = {"PLANCHECK_LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "", "NO_COLOR": "1"}
    return CliRunner().invoke(main, list(args), env={**base, **(env or {})}, catch_exceptions=False,
                             prog_name="plancheck")


def test_lang_ja_help_is_japanese_for_every_command():
    group = invoke("--lang", "ja", "--help")
    assert group.exit_code == 0
    assert group.output.startswith("使い方: plancheck [OPTIONS] COMMAND [ARGS]...")
    assert "オプション:" in group.output and "コマンド:" in group.output
    assert "このヘルプを表示して終了します。" in group.output and "Show this message" not in group.output
    assert "バージョンを表示して終了します。" in group.output
    check = invoke("check", "--lang", "ja", "--help")
    assert "計画ファイルを検査します" in check.output
    assert "安全な修正（印刷された数値を変えない修正）を適用します。" in check.output
    for command in main.commands:
        text = invoke(command, "--lang", "ja", "--help").output
        assert text.startswith(f"使い方: plancheck {command} "), (command, text)
        assert "Show this message" not in text
        # every option of every command has its Japanese help
        for param in main.commands[command].params:
            if isinstance(param, click.Option) and param.help:
                assert param.name in cli_ja.HELP_JA[command], (command, param.name)


def test_english_again_after_japanese():
    invoke("--lang", "ja", "--help")
    text = invoke("--help").output
    assert text.startswith("Usage: plancheck") and "Show this message and exit." in text
    assert "Check plan files" in text


def test_locale_makes_help_and_usage_errors_japanese():
    text = invoke("check", "--help", env={"LANG": "ja_JP.UTF-8"}).output
    assert text.startswith("使い方: plancheck check")
    unknown = invoke("--fail-levle", "error", env={"LANG": "ja_JP.UTF-8"})
    assert unknown.exit_code == 2
    assert "エラー: オプション '--fail-levle' はありません。" in unknown.output
    assert "'--fail-level'" in unknown.output and "の誤りではありませんか" in unknown.output
    assert "'plancheck check --help' でヘルプを表示します。" in unknown.output
    missing = invoke("rule", "--lang", "ja")
    assert "エラー: 引数が指定されていません: 'CODE'." in missing.output
    invalid = invoke("--lang", "ja", "--format", "xml")
    assert "'--format' の値が正しくありません: 'xml' は 'auto', 'full'" in invalid.output
    assert "のどれでもありません。" in invalid.output
    # and English without a Japanese locale
    assert "No such option '--fail-levle'" in invoke("--fail-levle", "error").output


@pytest.mark.parametrize(("environ", "expected"), [
    ({"LANG": "ja_JP.UTF-8"}, "ja"),
    ({"LC_ALL": "ja_JP.eucJP", "LANG": "en_US.UTF-8"}, "ja"),
    ({"LC_ALL": "C", "LANG": "ja_JP.UTF-8"}, "en"),  # LC_ALL decides when it is set
    ({"LC_MESSAGES": "ja_JP", "LANG": "en_US"}, "ja"),
    ({"PLANCHECK_LANG": "en", "LANG": "ja_JP.UTF-8"}, "en"),
    ({}, "en"),
])
def test_locale_detection(environ, expected):
    assert cli_ja.choose_lang(environ, windows=lambda: None) == expected


def test_windows_ui_language_when_no_variable_is_set(monkeypatch):
    assert cli_ja.choose_lang({}, windows=lambda: "ja") == "ja"
    assert cli_ja.choose_lang({"LANG": "en_US"}, windows=lambda: "ja") == "en"
    # the Windows probe itself: the UI language 0x0411 (ja-JP) is Japanese, 0x0409 is not
    import ctypes
    import sys
    import types

    for langid, expected in ((0x0411, "ja"), (0x0409, "en")):
        kernel32 = types.SimpleNamespace(GetUserDefaultUILanguage=lambda langid=langid: langid)
        monkeypatch.setattr(sys, "platform", "win32")
        monkeypatch.setattr(ctypes, "windll", types.SimpleNamespace(kernel32=kernel32), raising=False)
        assert cli_ja._windows_lang() == expected
    monkeypatch.setattr(sys, "platform", "linux")
    assert cli_ja._windows_lang() is None


def test_lang_among_the_arguments():
    assert cli_ja.lang_in(["check", "--lang", "ja", "plans"]) == "ja"
    assert cli_ja.lang_in(["--lang=en"]) == "en"
    assert cli_ja.lang_in(["--", "--lang", "ja"]) is None
    assert cli_ja.without_lang(["--lang", "ja", "--help"]) == ["--help"]


def test_every_catalogue_message_is_one_click_makes():
    """A click upgrade that rewords a message must not leave its Japanese unused unseen."""
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting
    import click.parser
    import click.types

    sources = "".join(inspect.getsource(module) for module in (
        click.core, click.exceptions, click.parser, click.types, click.decorators, click.formatting))
    unused = [message for message in cli_ja.CLICK_JA if repr(message) not in sources
              and f'"{message}"' not in sources]
    assert not unused


def test_a_ruleset_error_is_said_in_the_configurations_language(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.plancheck]\nlang = "ja"\nrulesets = ["r.yaml"]\n', encoding="utf-8")
    (tmp_path / "r.yaml").write_text("rules:\n  TOT001: {severty: warning}\n", encoding="utf-8")
    (tmp_path / "plan.yaml").write_text("plan: {id: x, title: t, municipality: 架空市, kind: statistics, source: {}}\n",
                                        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke("--no-cache", "plan.yaml")
    assert result.exit_code == 2
    assert "plancheck: 設定の誤り: " in result.output
    assert "ルール TOT001: 項目 severty はありません（severity の誤りではありませんか）" in result.output


def test_click_is_english_again_after_a_japanese_run():
    import click.exceptions

    invoke("--lang", "ja", "--help")
    assert click.exceptions._("Usage:") == "Usage:"
    assert main.commands["check"].help.startswith("Check plan files")
