"""The documentation plancheck prints itself, for a terminal: `plancheck rules`, `plancheck
rule CODE` and `plancheck format [TOPIC]` (the plan format reference, docs/plan-format.md,
shipped in the package so an installed plancheck has it without the repository).

Rendered with rich (headings, paragraphs, YAML examples) in the language asked for, in colour
only on a terminal; a ruleset from a repository wrote much of it, so every text goes through
`shown` first and is never read as rich markup (Markdown without links: no terminal
hyperlink is made from it).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any, TextIO

from checker.diagnostics import Text, closest
from checker.report.safe import shown

HEADS = {
    "ja": {"what": "検査内容", "why": "理由", "bad": "悪い例", "good": "良い例", "severity": "重大度",
           "fixable": "自動修正", "ruleset": "例を検査するルールセット", "message": "メッセージ", "help": "ヒント"},
    "en": {"what": "What it checks", "why": "Why it matters", "bad": "Bad", "good": "Good", "severity": "Severity",
           "fixable": "Fixable", "ruleset": "The ruleset the examples are checked with", "message": "Message",
           "help": "Help"},
}
SAFETY = {
    "ja": {"safe": "可（安全: 印刷された数値は変えません）",
           "unsafe": "可（安全でない: 印刷された数値を書き換えるため --unsafe-fixes が必要です）", None: "不可"},
    "en": {"safe": "yes (safe: no printed figure changes)",
           "unsafe": "yes (unsafe: it rewrites a printed figure, so only --unsafe-fixes applies it)", None: "no"},
}
SEVERITY_JA = {"error": "エラー", "warning": "警告", "info": "情報", "off": "無効"}


def for_terminal(stream: TextIO) -> tuple[bool, int]:
    """Colour and width for `stream`: colour and the terminal's width on a terminal (and
    not NO_COLOR), plain text 100 columns wide otherwise."""
    terminal = bool(getattr(stream, "isatty", lambda: False)())
    color = terminal and not os.environ.get("NO_COLOR")
    return color, shutil.get_terminal_size((100, 24)).columns if terminal else 100


def _console(color: bool, width: int) -> Any:
    from rich.console import Console

    return Console(file=io.StringIO(), force_terminal=color, no_color=not color, color_system="auto" if color else None,
                   width=width, highlight=False, emoji=False, markup=False, soft_wrap=False)


def _out(console: Any) -> str:
    return "".join(line.rstrip() + "\n" for line in console.file.getvalue().splitlines())


def _markdown(text: str) -> Any:
    from rich.markdown import Markdown

    return Markdown(_lines_shown(text), hyperlinks=False, code_theme="ansi_dark")


def _lines_shown(text: str) -> str:
    """Each line as `shown` shows it, however long (documentation, not a value)."""
    return "\n".join(shown(line, limit=None) for line in text.split("\n"))


def _summary(rule: Any, lang: str) -> str:
    """A rule's summary: the first sentence of what it checks, in `lang`."""
    what = (rule.docs or {}).get("what")
    text = what.get(lang, "") if isinstance(what, dict) else ""
    text = re.sub(r"`([^`]*)`", r"\1", str(text)).strip().replace("\n", " ")
    depth = 0
    for index, char in enumerate(text):
        if char in "（(「『[":
            depth += 1
        elif char in "）)」』]":
            depth = max(depth - 1, 0)
        elif depth == 0 and (char == "。" or (char == "." and text[index + 1:index + 2] in (" ", ""))):
            return text[:index + 1]
    return text


def severity_label(rule: Any, lang: str) -> str:
    label = rule.severity.label if rule.severity else "off"
    return SEVERITY_JA.get(label, label) if lang == "ja" else label


def title_of(rule: Any, lang: str) -> str:
    """A rule's short title in `lang` ("" when its ruleset gives none)."""
    title = getattr(rule, "title", None)
    return str(title.get(lang, "")) if isinstance(title, dict) else ""


def rule_heading(rule: Any, lang: str) -> str:
    """The first line of a rule's documentation: `TAB001 表の合計と内訳の和 (table-sum-matches)`,
    or `CODE (name)` for a rule without a title."""
    title = title_of(rule, lang)
    return f"{rule.code} {title} ({rule.name})" if title else f"{rule.code} ({rule.name})"


def rules_listing(rules: list[Any], lang: str, color: bool, width: int) -> str:
    """Every rule on one line: code, title and name, severity, fix, and what it checks in `lang`."""
    from rich.table import Table
    from rich.text import Text as RichText

    table = Table(box=None, show_header=True, header_style="bold" if color else "", pad_edge=False, expand=False)
    heads = (("コード", "見出し", "名前", "重大度", "自動修正", "概要") if lang == "ja"
             else ("code", "title", "name", "severity", "fix", "summary"))
    for head in heads[:5]:
        table.add_column(head, no_wrap=True)
    table.add_column(heads[5], overflow="fold" if color else "ignore", no_wrap=not color)
    for rule in rules:
        fix = ""
        if rule.fixable:
            fix = ("修正可（安全）" if rule.fix_safety == "safe" else "修正可（要 --unsafe-fixes）") if lang == "ja" \
                else f"fixable ({rule.fix_safety})"
        table.add_row(*(RichText(shown(part)) for part in (
            rule.code, title_of(rule, lang), rule.name, severity_label(rule, lang), fix, _summary(rule, lang))))
    console = _console(color, width if color else 10_000)
    console.print(table)
    return _out(console)


def render_rule(rule: Any, lang: str, color: bool, width: int) -> str:
    """One rule's documentation for a terminal: its code, title and name, severity and fix, what it
    checks and why (Markdown), its message and help, and its examples as YAML."""
    from rich.padding import Padding
    from rich.syntax import Syntax
    from rich.text import Text as RichText

    heads = HEADS[lang]
    console = _console(color, width)
    docs = rule.docs or {}
    console.print(RichText(shown(rule_heading(rule, lang)), style="bold" if color else ""))
    console.print(RichText(f"{heads['severity']}: {severity_label(rule, lang)}   "
                           f"{heads['fixable']}: {SAFETY[lang][rule.fix_safety]}"))
    if getattr(rule, "family_label", None):  # an import problem or a workbook lint (checker/importer/problems.py)
        console.print(RichText(rule.family_label[lang]))

    def head(title: str) -> None:
        console.print()
        console.print(RichText(title, style="bold underline" if color else ""))

    for key in ("what", "why"):
        if isinstance(docs.get(key), dict) and docs[key].get(lang):
            head(heads[key])
            console.print(Padding(_markdown(str(docs[key][lang])), (0, 0, 0, 2)))
    for key in ("message", "help"):
        text = getattr(rule, key, None)
        if isinstance(text, dict) and text.get(lang):
            head(heads[key])
            console.print(Padding(RichText(shown(str(text[lang]))), (0, 0, 0, 2)))

    def example(text: str) -> None:
        code = _lines_shown(text.rstrip())
        if not color:  # for a pipe or a file: every line whole, as it can be copied
            for example_line in code.split("\n"):
                console.out("  " + example_line, highlight=False)
            return
        console.print(Padding(Syntax(code, "yaml", theme="ansi_dark", background_color="default", word_wrap=True),
                              (0, 0, 0, 2)))

    for key in ("ruleset", "bad", "good"):
        value = docs.get(key)
        if not value:
            continue
        head(heads[key])
        if isinstance(value, dict):  # a cross-document example: one block per file
            for name, text in value.items():
                console.print(RichText(f"  {shown(str(name))}:"))
                example(str(text))
        else:
            example(str(value))
    return _out(console)


# --- the plan format reference ---------------------------------------------------------------
def plan_format_path() -> Path:
    """docs/plan-format.md: shipped in the wheel as checker/reference, or the repository's."""
    packaged = Path(__file__).parent / "reference" / "plan-format.md"
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parent.parent / "docs" / "plan-format.md"


def plan_format() -> str:
    return plan_format_path().read_text(encoding="utf-8")


def sections(markdown: str) -> list[tuple[int, str, str]]:
    """The reference's sections: (level, heading, the section's Markdown with its
    subsections), a heading in a code block not counted."""
    lines = markdown.split("\n")
    heads: list[tuple[int, int, str]] = []
    fenced = False
    for number, text in enumerate(lines):
        if text.startswith("```"):
            fenced = not fenced
        match = None if fenced else re.match(r"^(#{1,6})\s+(.*)$", text)
        if match:
            heads.append((number, len(match.group(1)), match.group(2).strip()))
    found = []
    for index, (start, level, title) in enumerate(heads):
        end = next((line for line, other, _ in heads[index + 1:] if other <= level), len(lines))
        found.append((level, title, "\n".join(lines[start:end]).strip() + "\n"))
    return found


# Japanese words for the sections whose headings have none (the others are found by their own
# Japanese: 施策評価シート, 達成率, 統計資料, 評価区分, 二次元の表 ...)
TOPICS_JA = {"値": "writing values", "値の書き方": "writing values", "書き方": "writing values",
             "ヘッダー": "header", "ヘッダ": "header", "表題": "header", "指標": "indicators",
             "表": "statistics tables", "予算": "tables in two dimensions", "決算": "tables in two dimensions",
             "コメント": "comments", "注釈": "comments", "図表外": "figures outside the grid"}


def topic_section(markdown: str, topic: str) -> tuple[str | None, list[str]]:
    """The section a topic names (a word of its heading, either language, any case; the
    first and shortest match), or None and the headings to choose from."""
    found = sections(markdown)
    wanted = TOPICS_JA.get(topic.strip(), topic.strip()).lower()
    matches = [(level, title, body) for level, title, body in found if level > 1 and wanted in title.lower()]
    if matches:
        # a field name in backticks (`tables`) first, then the highest level, the shortest heading
        return min(matches, key=lambda match: (f"`{wanted}`" not in match[1].lower(), match[0], len(match[1])))[2], []
    return None, [title for level, title, _ in found if level == 2]


def no_topic(topic: str, titles: list[str]) -> Text:
    close = closest(topic, titles, cutoff=0.4)
    listed = "\n".join(f"  {title}" for title in titles)
    hint_ja = f"（{close} の誤りではありませんか）" if close else ""
    hint_en = f" (did you mean {close}?)" if close else ""
    return Text(f"計画ファイルの書き方に「{topic}」の節はありません{hint_ja}。節の見出し:\n{listed}",
                f"no section {topic} in the plan format{hint_en}; the sections:\n{listed}")


def render_markdown(markdown: str, color: bool, width: int) -> str:
    console = _console(color, width)
    console.print(_markdown(markdown))
    return _out(console)


def stdout_terminal() -> tuple[bool, int]:
    return for_terminal(sys.stdout)
