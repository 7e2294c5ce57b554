"""The command line in Japanese: the language a run speaks, click's own messages and every
command's help.

`checker/cli.py` declares its commands in English; before click parses anything,
`prepare(group, args)` decides the language (`--lang` among the arguments, else the
locale: `choose_lang`) and, for Japanese, binds click's messages (`Usage:`, `No such
option`, `Missing argument`, `Invalid value`...) and the commands' help to their Japanese
here. Click marks each of its messages with gettext's `_` (and `ngettext`), looked up in
its own modules when the message is made; `use_click_messages` binds those names to a
catalogue (`CLICK_JA`) instead of a gettext domain, which would need a compiled `.mo` file
and would change the process's default domain for every other library too. A message not
in the catalogue stays in English. `tests/test_cli_ja.py` holds the catalogue to the click
installed (each message must still be one click uses).
"""

from __future__ import annotations

import gettext
import importlib
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

# click's messages (the msgid as click writes it) in Japanese; placeholders kept
CLICK_JA: dict[str, str] = {
    "Usage:": "使い方:",
    "Options": "オプション",
    "Commands": "コマンド",
    "Positional arguments": "位置引数",
    "Show this message and exit.": "このヘルプを表示して終了します。",
    "Show the version and exit.": "バージョンを表示して終了します。",
    "%(prog)s, version %(version)s": "%(prog)s バージョン %(version)s",
    "Error: {message}": "エラー: {message}",
    "Try '{command} {option}' for help.": "'{command} {option}' でヘルプを表示します。",
    "No such option {name!r}.": "オプション {name!r} はありません。",
    "No such command {name!r}.": "コマンド {name!r} はありません。",
    "Did you mean {possibility}?": "{possibility} の誤りではありませんか？",
    "(Did you mean one of: {possibilities}?)": "（{possibilities} のどれかの誤りではありませんか）",
    "Missing argument": "引数が指定されていません:",
    "Missing option": "オプションが指定されていません:",
    "Missing parameter": "引数が指定されていません:",
    "Missing {param_type}": "{param_type} がありません",
    "Missing parameter: {param_name}": "引数がありません: {param_name}",
    "Missing command.": "コマンドがありません。",
    "Invalid value: {message}": "値が正しくありません: {message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} の値が正しくありません: {message}",
    "{value!r} is not {choice}.": "{value!r} は {choice} ではありません。",
    "{value!r} is not one of {choices}.": "{value!r} は {choices} のどれでもありません。",
    "Option {name!r} requires an argument.": "オプション {name!r} には値が必要です。",
    "Option {name!r} requires {nargs} arguments.": "オプション {name!r} には {nargs} 個の値が必要です。",
    "Option {name!r} does not take a value.": "オプション {name!r} は値を取りません。",
    "Got unexpected extra argument ({args})": "余分な引数があります（{args}）",
    "Got unexpected extra arguments ({args})": "余分な引数があります（{args}）",
    "{value!r} is not a valid {number_type}.": "{value!r} は正しい {number_type} ではありません。",
    "integer": "整数",
    "float": "数値",
    "Aborted!": "中止しました。",
    "file": "ファイル",
    "directory": "ディレクトリ",
    "path": "パス",
    "{name} {filename!r} does not exist.": "{name} {filename!r} がありません。",
    "{name} {filename!r} is a file.": "{name} {filename!r} はファイルです。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} はディレクトリです。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} は読めません。",
    "default: {default}": "既定: {default}",
    "env var: {var}": "環境変数: {var}",
    "required": "必須",
}

# the modules of click that make messages, whose `_` and `ngettext` are rebound
_CLICK_MODULES = ("click.core", "click.exceptions", "click.parser", "click.types", "click.decorators",
                  "click.formatting", "click.termui", "click.utils")


def _translated(message: str) -> str:
    return CLICK_JA.get(message, message)


def _translated_plural(singular: str, plural: str, count: int) -> str:
    return _translated(singular if count == 1 else plural)


def use_click_messages(lang: str) -> None:
    """Click's messages in `lang` from here on (English: gettext's, as click ships them)."""
    japanese = lang == "ja"
    for name in _CLICK_MODULES:
        module = sys.modules.get(name) or importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = _translated if japanese else gettext.gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _translated_plural if japanese else gettext.ngettext  # type: ignore[attr-defined]


# --- the language of a run -----------------------------------------------------------------
def _windows_lang() -> str | None:
    """Windows' language for the user: the UI language (GetUserDefaultUILanguage, whose
    primary language 0x11 is Japanese), else the locale Python reads (`Japanese_Japan`)."""
    platform = sys.platform  # read at run time (mypy would take the branch for dead on Linux)
    if platform != "win32":
        return None
    try:
        import ctypes

        langid = ctypes.windll.kernel32.GetUserDefaultUILanguage()  # type: ignore[attr-defined,unused-ignore]
        return "ja" if (langid & 0x3FF) == 0x11 else "en"
    except (AttributeError, OSError):
        import locale

        name = (locale.getlocale()[0] or "").lower()
        return "ja" if name.startswith(("ja", "japanese")) else None


def choose_lang(environ: Mapping[str, str] | None = None, windows=_windows_lang) -> str:
    """The language of a run without `--lang` or a configured `lang`: PLANCHECK_LANG, then
    the POSIX locale variables in their order of precedence (LC_ALL, LC_MESSAGES, LANG;
    the first that is set decides: `ja_JP.UTF-8`, `ja`), then on Windows the user's UI
    language; English otherwise."""
    environ = os.environ if environ is None else environ
    for variable in ("PLANCHECK_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable)
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return windows() or "en"


def without_lang(args: Sequence[str]) -> list[str]:
    """The arguments without their `--lang` (for `plancheck --lang ja --help`, the group's
    help: the group itself takes no `--lang`)."""
    rest, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--lang":
            skip = True
        elif not arg.startswith("--lang="):
            rest.append(arg)
    return rest


def lang_in(args: Sequence[str]) -> str | None:
    """The value of a `--lang` among the arguments (`--lang ja`, `--lang=ja`), if any."""
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


# --- help ------------------------------------------------------------------------------------
# Japanese help per command (its docstring's first paragraph is the English) and per option
# (keyed by the parameter's name); the group's own help under "".
HELP_JA: dict[str, dict[str, str]] = {
    "": {
        "": "plancheck: 自治体の計画データの整合性を検査するリンターです。\n\n"
            "`plancheck PATH...` は `plancheck check PATH...` と同じです。",
        "version": "バージョンを表示して終了します。",
    },
    "check": {
        "": "計画ファイルを検査します（既定: 設定の計画セット、plans/）。",
        "output_format": "出力形式（既定: 設定の値。なければ auto: GitHub Actions の下では github、それ以外は full）。",
        "lang": "メッセージの言語（既定: 設定の値。なければロケール）。",
        "select": "このルールコードか接頭辞だけを検査します（コンマ区切り。ALL ですべてのルール）。",
        "extend_select": "このルールコードか接頭辞も検査します。",
        "ignore": "このルールコードか接頭辞は検査しません。",
        "rulesets": "推奨ルールセットの代わりに使うルールセットファイル（推奨ルールセットを拡張できます）。繰り返し指定できます。",
        "config_path": "設定ファイル（既定: いちばん近い plancheck.toml か pyproject.toml の [tool.plancheck]）。",
        "isolated": "設定ファイルをすべて無視します。",
        "fail_level": "この重大度以上の指摘があれば終了コード 1 で終わります（既定: error）。",
        "exit_zero": "指摘があっても終了コード 0 で終わります。",
        "force_exclude": "除外されたファイルは、コマンドラインで指定されても飛ばします（pre-commit 用）。",
        "color": "色付けを強制的にオン・オフにします（既定: NO_COLOR / FORCE_COLOR / 端末かどうか）。",
        "fix": "安全な修正（印刷された数値を変えない修正）を適用します。",
        "unsafe_fixes": "--fix か --diff と一緒に使い、安全でない修正も適用します。ルールが正確に計算し直せる"
                        "印刷された数値（率、比率の行、動向の件数）を書き換えます。",
        "show_diff": "--fix が何を変えるかを、書き込まずに表示します。変更があれば終了コード 1 です。",
        "statistics": "指摘の代わりに、コードごとの指摘の件数を表示します。",
        "no_cache": "キャッシュ（.plancheck_cache）を読みも書きもしません。",
        "show_unchecked": "検査できなかった関係を、妨げた値の位置とその理由とともにすべて表示します。",
        "exclude": "ディレクトリを探すときに飛ばす gitignore 形式のグロブ。設定の exclude の代わりに使います（コンマ区切り。"
                   "繰り返し指定できます）。",
        "extend_exclude": "設定の exclude に加えて飛ばすグロブ。",
        "respect_gitignore": "リポジトリの .gitignore と .git/info/exclude が無視するものを飛ばします（既定: オン）。",
        "show_settings": "使う設定ファイルと、解決後の設定を表示します。検査はしません。",
        "show_files": "検査するファイル（標準出力）と、飛ばすものとその理由（標準エラー）を一覧にします。検査はしません。",
        "plan_set_only": "指定されたファイルのうち、設定の計画セットに入る計画だけを検査します（pre-commit フックが変更された"
                         "YAML ファイルをすべて渡すときのため）。",
        "baseline": "このベースラインにない指摘と、もうどの指摘にも合わないベースラインの項目だけを報告します。",
        "write_baseline": "指摘を報告する代わりに、いまの指摘を FILE に記録します（--baseline で使うベースライン）。",
        "quiet": "指摘だけを表示します（最後の要約の行を出しません）。",
        "verbose": "使った設定とルール、検査した各ファイル、所要時間も（標準エラーに）表示します。",
        "max_diagnostics": "指摘を最大 N 件まで表示します（残りの件数を1行で示します）。終了コードは変わりません。",
        "stdin_filename": "パスに `-` を指定したとき、標準入力から読んだ計画をこのファイルとして扱います（指摘に出る名前、"
                          "設定と計画セット）。--fix は修正後のテキストを標準出力に書きます。",
        "outputs": "報告を PATH にも書きます（繰り返し指定できます: -o report.html -o results.sarif）。形式は FORMAT: "
                   "があればそれ（html:report.out）、なければ PATH の拡張子（.html .htm は html、.sarif は sarif、"
                   ".json は json、.xml は junit、.csv は csv、.xlsx は xlsx: 取り込み元ブックの注釈つきの写し）、それもなければ "
                   "--format の形式です。端末にはいつもの報告が出ます"
                   "（--format の形式を使うファイルがなければその形式、あれば auto）。各ファイルは一時ファイルに書いて"
                   "から置き換えます。書けないファイルがあれば終了コード 2 です。",
    },
    "import": {
        "": "Excel などのブック（xlsx、xls、ods、xlsb）か CSV ファイルを、計画の YAML として取り込みます。値はシートの"
            "表示どおりに、取り込んだセルとともに書きます。ブックは読むだけです。判別する表の形と、それ以外の表のための"
            "対応づけファイルは docs/import.md にあります。終了コード 0: 書き出した、"
            "1: 書き出したが --fail-level（error）以上の問題がある、2: 何も認識できなかったか、ファイルを受け付けなかった。"
            "--lint-only では 0: 指摘なし、1: --fail-level（warning）以上の指摘がある、2: ファイルを受け付けなかった。",
        "output": "計画の YAML をこのファイルに書きます（既定: 標準出力）。",
        "explain": "各シートで何を認識したかを表示し、YAML は書きません。",
        "mapping": "認識できないシート（事務事業の一覧、指標、統計表）の読み方を示す対応づけファイル"
                   "（docs/import.md の「対応づけファイル」）。",
        "mapping_schema": "対応づけファイルの JSON Schema を表示し、何も取り込みません。",
        "drop_comments": "-o のファイルに人が書き加えたコメントがあっても上書きします（取り込み直すと消えます）。",
        "municipality": "計画のヘッダーに書く自治体名（小平市）。",
        "plan_id": "計画の id（既定: ファイル名から）。",
        "lang": "メッセージの言語（既定: 環境から）。",
        "output_format": "取り込みの問題の報告のしかた（標準エラーに。json なら --explain か -o のとき標準出力に）。",
        "lint": "ブックの機械判読性（WB001–WB020: 総務省の統一ルール）も報告します（--no-lint で報告しません）。",
        "lint_only": "ブックの機械判読性だけを確かめます（WB コード）。YAML は書かず、--fail-level 以上の指摘があれば終了コード 1。",
        "fail_level": "この重大度以上の問題があれば終了コード 1（既定: error。--lint-only では warning）。",
        "select": "これらの IMP・WB のコードまたは接頭辞の問題だけを報告します（カンマ区切り。ALL ですべて）。",
        "ignore": "これらの IMP・WB のコードまたは接頭辞の問題を報告しません（より詳しい --select が優先）。"
                  "ファイルを受け付けなかった理由は常に報告します。",
    },
    "server": {
        "": "エディタ向けに、標準入出力で言語サーバーを動かします（lsp の追加機能が必要です: pip install 'plancheck[lsp]'）。",
        "lang": "診断とホバーの言語（既定: エディタのロケール。なければ設定の値）。",
    },
    "schema": {
        "": "計画ファイル形式の JSON Schema を表示します（--ruleset ならルールセットファイルの）。",
        "ruleset_schema": "代わりにルールセットファイルの JSON Schema を表示します。",
    },
    "rules": {
        "": "すべてのルールを一覧にします: コード、名前、概要、重大度、自動修正の可否。",
        "lang": "表示の言語（既定: 設定の値。なければロケール）。",
        "output_format": "出力形式（text か json）。",
        "rulesets": "一覧にするルールセットファイル。",
    },
    "rule": {
        "": "1つのルールの説明を表示します: 何を検査するか、なぜ必要か、悪い例と良い例。",
        "lang": "表示の言語（既定: 設定の値。なければロケール）。",
        "output_format": "出力形式: 端末向けに整形（text）、書かれたままの Markdown（markdown）、JSON（json）。",
        "rulesets": "ルールを探すルールセットファイル。",
    },
    "format": {
        "": "計画ファイルの書き方（docs/plan-format.md）を表示します。TOPIC を指定すると、その見出しの節だけを表示します。",
        "lang": "表示の言語（既定: 設定の値。なければロケール）。",
        "raw": "端末向けに整形せず、Markdown のまま表示します。",
    },
    "daemon": {
        "": "常駐プロセスを起動・終了し、その状態を表示します。動いている間、plancheck の実行（pre-commit フック、エディタ、"
            "手元の実行）は、すべてを読み込み済みのプロセスから fork した子で行い、毎回インタプリタが読み込み直すことはありません（Linux）。",
        "action": "start（起動）、stop（終了）、status（状態）。",
        "idle_timeout": "start: 実行のないまま、この分数がたてば終了します（既定: 60）。",
        "lang": "表示の言語（既定: ロケール）。",
    },
    "init": {
        "": "文書の種類ごとのひな形ファイルを書き出します。既存のファイルは上書きしません。",
        "kind": "文書の種類。",
        "lang": "表示の言語（既定: ロケール）。",
    },
}

_ENGLISH = "_plancheck_help_en"


def localize(group: Any, lang: str) -> None:
    """Every command's and option's help in `lang`: the Japanese of `HELP_JA`, or the
    English the command declares (kept on the object the first time it is replaced)."""
    commands = [("", group), *group.commands.items()]
    for name, command in commands:
        texts = HELP_JA.get(name, {}) if lang == "ja" else {}
        for item, key in ((command, ""), *((param, param.name) for param in command.params)):
            if not hasattr(item, _ENGLISH):
                setattr(item, _ENGLISH, item.help)
            english = getattr(item, _ENGLISH)
            item.help = texts.get(key, english)
        if getattr(command, "_help_option", None) is not None:
            command._help_option = None  # click keeps the help option it made, in the language then


def prepare(group: Any, args: Sequence[str]) -> str:
    """The language of this invocation, with click's messages and the help set to it."""
    lang = lang_in(args)
    if lang not in ("ja", "en"):
        lang = choose_lang()
    use_click_messages(lang)
    localize(group, lang)
    return lang
