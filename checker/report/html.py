"""The HTML report: one self-contained file for the people who decide on a plan.

`render_html(diagnostics, context, rules)` returns one HTML document: inline CSS and SVG,
no script, no font, image or style sheet fetched (a Content-Security-Policy of
`default-src 'none'` says so to the browser too), so it opens offline from a file share and
prints on A4. It restates what the run found and the plans it checked; it computes nothing:

- first screen: the verdict in one sentence (「重大な不整合 1 件、丸め誤差の可能性 8 件」), the
  counts by severity and by family (the letters of the code), the relations checked, not
  checked and not applicable, and the documents checked;
- per document (the files sharing one `plan.id`, in path order) and within it in the plan's
  own order (themes, policies, goals, tables): each finding as its message, its numbers
  (the finding's arguments, labelled), whether rounding explains it, its location
  (file:line:column) with the YAML line, its related locations, and the items of a total,
  the indicator's years or the table it is about, with the cell it points at marked;
- charts (`checker.report.charts`): the stated achievement rates against 100 % and the
  plan's bands, each indicator's targets and actuals over the years, and each total against
  the sum of its items, each with a table as its text equivalent;
- the relations that could not be checked, where and why.

Everything a plan, a ruleset or a file name wrote goes through `esc` (shown, then escaped),
so no value can become markup; ids are counters, never user text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from checker.diagnostics import Diagnostic, Severity, Span, Text, render_arg
from checker.fiscal import era_label
from checker.report import ReportContext, summary_counts
from checker.report.charts import BandZone, Gap, Point, RateBar, esc, gap_chart, rate_chart, series_chart

# --- words -------------------------------------------------------------------------------

_SEVERITY = {
    Severity.ERROR: Text("✕ エラー", "✕ error"),
    Severity.WARNING: Text("▲ 警告", "▲ warning"),
    Severity.INFO: Text("ⓘ 情報", "ⓘ info"),
}
_SEVERITY_CLASS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}

# the verdict's classes: an error, a gap rounding may explain, another warning, information
_VERDICT = {
    "serious": Text("重大な不整合 {n} 件", "{n} serious inconsistenc{ies}"),
    "rounding": Text("丸め誤差の可能性 {n} 件", "{n} possible rounding difference{s}"),
    "file": Text("ファイルの読み込みの問題 {n} 件", "{n} problem{s} reading the files"),
    "review": Text("要確認 {n} 件", "{n} to review"),
    "info": Text("参考情報 {n} 件", "{n} for information"),
    "internal": Text("plancheck の内部エラー {n} 件", "{n} internal error{s} of plancheck"),
}
# the families whose findings are about reading a file, not about its numbers
_FILE_FAMILIES = {"LOAD": "file", "INT": "internal"}

# the finding kinds whose gap rounding explains (a function's kind: sums, components and
# table sums within half a unit per item, or consistent with truncation)
_ROUNDING_SUFFIXES = ("within_rounding", "truncated")

FAMILIES = {
    "LOAD": Text("ファイルの読み込み", "loading the file"),
    "TOT": Text("合計と内訳", "totals and their items"),
    "RATE": Text("達成率", "achievement rates"),
    "YEAR": Text("年度・計画期間", "years and the plan period"),
    "UNIT": Text("単位", "units"),
    "CNT": Text("動向の件数", "outlook counts"),
    "CMP": Text("内数", "components"),
    "LINK": Text("指標の参照", "indicator links"),
    "CUM": Text("累計", "running totals"),
    "RES": Text("再掲", "restatements"),
    "TAB": Text("統計表の関係", "statistics tables"),
    "XDOC": Text("文書間の一致", "across documents"),
    "DOC": Text("文書の構成", "document structure"),
    "ASSESS": Text("目標達成度合い", "assessments"),
    "BAND": Text("評価区分", "evaluation bands"),
    "TGT": Text("目標値の算出", "target schedules"),
    "FIG": Text("本文中の数値", "figures in the text"),
    "KIND": Text("表の種類ごとの関係", "relations of a table's kind"),
    "SUP": Text("抑制コメント", "suppression comments"),
    "INT": Text("内部エラー", "internal errors"),
    "RULE": Text("規則の対象", "rule targets"),
}

KINDS = {
    "execution_plan": Text("中期実行プラン", "medium-term execution plan"),
    "policy_evaluation": Text("施策評価", "policy evaluation"),
    "strategy_progress": Text("総合戦略の進捗", "strategy progress report"),
    "statistics": Text("統計表", "statistics"),
    "activity_plan": Text("活動計画", "activity plan"),
    "budget": Text("予算", "budget"),
    "settlement": Text("決算", "settlement"),
    "project_evaluation": Text("事務事業評価", "project evaluation"),
    "welfare_plan": Text("福祉計画", "welfare plan"),
    "comprehensive_plan": Text("総合計画", "comprehensive plan"),
}

# the labels of a finding's arguments (an argument not named here shows its own name)
ARGS = {
    "stated": Text("記載値", "stated"),
    "computed": Text("計算値", "computed"),
    "difference": Text("差", "difference"),
    "count": Text("件数", "count"),
    "allowance": Text("端数処理で説明できる範囲（±）", "allowed by rounding (±)"),
    "unit": Text("単位", "unit"),
    "year": Text("年度", "year"),
    "indicator": Text("指標", "indicator"),
    "exact": Text("計算値（端数処理前）", "exact quotient"),
    "numerator": Text("分子", "numerator"),
    "denominator": Text("分母", "denominator"),
    "formula": Text("計算式", "formula"),
    "places": Text("小数の桁数", "decimal places"),
    "rounding": Text("端数処理", "rounding"),
    "rounding_name": Text("端数処理", "rounding"),
    "stated_interval": Text("記載値の幅", "stated interval"),
    "computed_interval": Text("計算値の幅", "computed interval"),
    "other_formula": Text("逆の計算式", "the other formula"),
    "missing": Text("欠けている値", "missing"),
    "target": Text("目標", "target"),
    "actual": Text("実績", "actual"),
    "project": Text("事業", "project"),
    "cost": Text("事業費", "cost"),
    "theme": Text("テーマ", "theme"),
    "original_theme": Text("再掲元のテーマ", "original theme"),
    "assessment": Text("目標達成度合い", "assessment"),
    "reached": Text("目標に達した指標", "indicators reaching the target"),
    "rates": Text("達成率", "rates"),
    "row": Text("行", "row"),
    "column": Text("列", "column"),
    "table": Text("表", "table"),
    "kind": Text("種類", "kind"),
    "indicators": Text("指標数", "indicators"),
    "value": Text("値", "value"),
    "other_value": Text("他方の値", "other value"),
    "previous": Text("前の値", "previous"),
    "line": Text("行・列", "line"),
    "at": Text("位置", "at"),
    "of": Text("内訳", "of"),
    "total": Text("合計", "total"),
    "whole": Text("全体", "whole"),
    "whole_line": Text("全体の行・列", "the whole's line"),
    "whole_row": Text("全体の行", "the whole's row"),
    "whole_share": Text("全体の構成比", "the whole's share"),
    "rounded_sum": Text("丸めた値の和", "sum of the rounded values"),
    "numerator_row": Text("分子の行", "numerator row"),
    "denominator_row": Text("分母の行", "denominator row"),
    "scale": Text("倍率", "scale"),
    "expected": Text("期待される値", "expected"),
    "amount": Text("金額", "amount"),
    "base": Text("基準", "base"),
    "base_year": Text("基準年度", "base year"),
    "previous_year": Text("前年度", "previous year"),
    "previous_column": Text("前の列", "previous column"),
    "earlier": Text("前の値", "earlier value"),
    "earlier_year": Text("前の年度", "earlier year"),
    "direction": Text("方向", "direction"),
    "declaration": Text("宣言", "declaration"),
    "declared": Text("宣言された値", "declared"),
    "implied": Text("目標から読み取れる方向", "implied by the target"),
    "mark": Text("評価", "mark"),
    "marks": Text("評価", "marks"),
    "counts": Text("件数", "counts"),
    "low": Text("下限", "low"),
    "high": Text("上限", "high"),
    "min": Text("最小", "min"),
    "max": Text("最大", "max"),
    "lower": Text("下限", "lower"),
    "upper": Text("上限", "upper"),
    "step": Text("毎年の増分", "step"),
    "factor": Text("倍率", "factor"),
    "figure": Text("数値", "figure"),
    "rank": Text("順位", "rank"),
    "position": Text("順位", "position"),
    "years": Text("年度", "years"),
    "since": Text("開始年度", "since"),
    "start": Text("開始", "start"),
    "end": Text("終了", "end"),
    "as_of": Text("報告年度", "as of"),
    "in_force": Text("適用年度", "in force from"),
    "written": Text("記載", "written"),
    "original": Text("元の値", "original"),
    "other": Text("他方", "other"),
    "other_unit": Text("他方の単位", "other unit"),
    "reference": Text("参照", "reference"),
    "reference_unit": Text("参照先の単位", "reference unit"),
    "reference_file": Text("参照先のファイル", "reference file"),
    "per_year_unit": Text("各年度の値の単位", "per-year unit"),
    "per_year_file": Text("各年度の値のファイル", "per-year file"),
    "first_file": Text("最初のファイル", "first file"),
    "first_line": Text("最初の行", "first line"),
    "first_name": Text("最初の名前", "first name"),
    "first_indicator": Text("最初の指標", "first indicator"),
    "components": Text("内数", "components"),
    "name": Text("名称", "name"),
    "key": Text("キー", "key"),
    "code": Text("コード", "code"),
    "number": Text("番号", "number"),
    "outlook": Text("動向", "outlook"),
    "rate": Text("達成率", "rate"),
    "problem": Text("問題", "problem"),
    "suggestion": Text("候補", "suggestion"),
}

_WORDS = {
    "title": Text("plancheck 検査報告", "plancheck report"),
    "verdict": Text("結論", "Verdict"),
    "none_found": Text("不整合は見つかりませんでした", "No inconsistencies were found"),
    "none_in_checked": Text("検査した範囲に不整合はありません", "No inconsistencies in what could be checked"),
    "nothing_checked": Text("検査できる関係がありませんでした", "Nothing could be checked"),
    "coverage": Text("{files} ファイル（{documents} 文書）を検査しました。関係 {checked} 件を検査、{unchecked} 件は未検査、"
                     "{na} 件は対象外（まだ値のない年度など）です。",
                     "{files} file(s) in {documents} document(s) checked: {checked} relation(s) checked, "
                     "{unchecked} not checked, {na} not applicable (a year without a value yet)."),
    "coverage_unknown": Text("{files} ファイル（{documents} 文書）を検査しました。", "{files} file(s) in {documents} document(s) checked."),
    "by_severity": Text("重大度別", "By severity"),
    "by_family": Text("種類別（規則コードの英字）", "By family (the code's letters)"),
    "relations": Text("検査した関係", "Relations"),
    "checked": Text("検査済み", "checked"),
    "unchecked": Text("未検査", "not checked"),
    "not_applicable": Text("対象外", "not applicable"),
    "documents": Text("検査した文書", "Documents checked"),
    "document": Text("文書", "document"),
    "kind": Text("種類", "kind"),
    "files": Text("ファイル", "files"),
    "findings": Text("指摘", "findings"),
    "severity": Text("重大度", "severity"),
    "family": Text("種類", "family"),
    "count": Text("件数", "count"),
    "total": Text("合計", "total"),
    "period": Text("計画期間", "plan period"),
    "as_of": Text("報告年度", "as of"),
    "location": Text("場所", "location"),
    "related": Text("関連する値", "related values"),
    "numbers": Text("数値", "numbers"),
    "rounding_explains": Text("端数処理で説明できるか", "explained by rounding"),
    "rounding_yes": Text("説明できる（丸め誤差の可能性）", "yes (possibly a rounding difference)"),
    "rounding_no": Text("説明できない", "no"),
    "help": Text("対処", "what to do"),
    "whole_document": Text("文書全体", "the whole document"),
    "no_findings": Text("この文書に指摘はありません。", "No findings in this document."),
    "unchecked_head": Text("検査できなかった関係", "Relations not checked"),
    "reason": Text("理由", "reason"),
    "relation": Text("関係", "relation"),
    "rules": Text("規則", "rules"),
    "charts": Text("図", "Charts"),
    "rates_title": Text("達成率（{year}）と 100%", "Achievement rates ({year}) against 100 %"),
    "rates_desc": Text("{n} 指標の記載された達成率。{reached} 指標が 100% 以上、{short} 指標が 100% 未満、{none} 指標は記載なし。",
                       "The stated rates of {n} indicators: {reached} at or above 100 %, {short} below, {none} not stated."),
    "bands_note": Text("網掛けは計画の評価区分: {bands}", "Shaded: the plan's bands: {bands}"),
    "no_rate": Text("記載なし", "not stated"),
    "rate": Text("達成率", "rate"),
    "indicator": Text("指標", "indicator"),
    "unit": Text("単位", "unit"),
    "gaps_title": Text("合計と内訳の和の差", "Totals against the sum of their items"),
    "gaps_desc": Text("{n} 件の合計。差が端数処理で説明できる範囲を超えるもの {beyond} 件、範囲内 {within} 件、一致 {equal} 件。",
                      "{n} totals: {beyond} beyond what rounding explains, {within} within it, {equal} equal."),
    "gaps_axis": Text("横軸は差（合計 − 内訳の和）を端数処理で説明できる範囲を単位に示します（網掛けが ±1 倍）。○ は範囲内、✕ は範囲外。",
                      "The axis shows the gap (total − sum of items) in units of what rounding explains (shaded: ±1); "
                      "○ within, ✕ beyond."),
    "equal": Text("一致", "equal"),
    "consistent": Text("内訳の和と整合", "consistent with its items"),
    "not_compared": Text("未検査", "not checked"),
    "sums_off": Text("差の有無は不明（合計の規則の一部が無効）", "not known (some of the total rules are off)"),
    "sum_of_items": Text("内訳の和", "sum of items"),
    "series_title": Text("目標と実績の推移", "Targets and actuals over the years"),
    "series_legend": Text("□ 破線: 目標　● 実線: 実績　◇: 基準値", "□ dashed: target   ● solid: actual   ◇: baseline"),
    "series_desc": Text("{name}: 目標 {targets}; 実績 {actuals}", "{name}: targets {targets}; actuals {actuals}"),
    "baseline": Text("基準値", "baseline"),
    "targets": Text("目標", "target"),
    "actuals": Text("実績", "actual"),
    "rates": Text("達成率", "rate"),
    "year": Text("年度", "year"),
    "items": Text("内訳", "items"),
    "no": Text("No", "No"),
    "name": Text("名称", "name"),
    "department": Text("担当課", "department"),
    "amount": Text("事業費", "cost"),
    "outlook": Text("動向", "outlook"),
    "suspect": Text("指摘箇所", "the value pointed at"),
    "text_equivalent": Text("図の数値（表）", "The chart's numbers (table)"),
    "contents": Text("目次", "Contents"),
    "key_findings": Text("主な指摘", "The findings"),
    "and_more": Text("ほか {n} 件は各文書の節にあります。", "{n} more are in their documents below."),
    "generated": Text("plancheck {version} が作成しました。", "Made by plancheck {version}."),
    "source_line": Text("YAML の該当行", "the YAML line"),
    "source": Text("出典", "printed in"),
    "restated_mark": Text("【再掲】", "(restated)"),
    "restated_note": Text("【再掲】の事業は合計に含みません", "restated items are not counted in the total"),
}


def _w(key: str, lang: str, **args: Any) -> str:
    """A word of the report in `lang`, filled (numbers with separators, plurals in English)."""
    text = _WORDS[key].render(lang) if key in _WORDS else _VERDICT[key].render(lang)
    return _fill(text, args)


def _fill(text: str, args: dict[str, Any]) -> str:
    n = args.get("n")
    plurals = {"s": "" if n == 1 else "s", "ies": "y" if n == 1 else "ies"}
    return text.format(**{**plurals, **{key: render_arg(value, "en") for key, value in args.items()}})


def _short_year(year: int, lang: str) -> str:
    """A year on a chart's axis: R4 (令和4年度), H30; 2022 in English."""
    if lang != "ja":
        return str(year)
    label = era_label(year)
    for era, letter in (("令和", "R"), ("平成", "H"), ("昭和", "S")):
        if label.startswith(era):
            return letter + label[len(era):].removesuffix("年度").replace("元", "1")
    return str(year)


# --- what the report is about ------------------------------------------------------------

@dataclass
class _Placed:
    """A diagnostic with its place in the report: its document, its section and the
    section's context table it points into."""

    diagnostic: Diagnostic
    kind: str | None  # the rule's function kind (None: the rule is not in the ruleset)
    section: int  # index into its document's sections (-1: the document as a whole)
    ident: str = ""  # its id in the page (a counter: doc-2-f3)
    where: str = ""  # the title of its section (or of the document)


@dataclass
class _Section:
    file: Any  # LoadedFile
    path: tuple  # model path of the section (themes, 0)
    node: Any
    span: Span | None
    title: str
    placed: list[_Placed] = field(default_factory=list)


@dataclass
class _Document:
    ident: str
    title: str
    header: Any  # PlanHeader or None (a file that did not load)
    files: list[Any] = field(default_factory=list)  # LoadedFile
    names: list[str] = field(default_factory=list)  # file names, also of files without a model
    sections: list[_Section] = field(default_factory=list)
    whole: list[_Placed] = field(default_factory=list)  # findings outside any section


def _section_title(node: Any, path: tuple, lang: str) -> str:
    head = path[0]
    title = getattr(node, "title", None) or getattr(node, "id", "") or ""
    if head == "themes" and getattr(node, "numbering", None) is not None:
        numbering = node.numbering
        prefix = (f"基本目標{numbering.goal}－方針{numbering.policy}－テーマ{numbering.theme}"
                  if lang == "ja" else f"goal {numbering.goal}, policy {numbering.policy}, theme {numbering.theme}")
        return f"{prefix}　{title}"
    if head == "goals" and getattr(node, "number", None) is not None:
        return (f"基本目標 {node.number}　{title}" if lang == "ja" else f"goal {node.number}: {title}")
    if head == "tables" and getattr(node, "number", None):
        return f"{node.number} {title}"
    return str(title)


def _inside(span: Span, outer: Span | None) -> bool:
    if outer is None:
        return False
    return (outer.line, outer.column) <= (span.line, span.column) <= (outer.end_line, outer.end_column)


def _documents(diagnostics: list[Diagnostic], context: ReportContext, kinds: dict[str, str | None]) -> list[_Document]:
    """The checked files as documents (by plan id, in path order), their sections in the
    plan's order, and each diagnostic placed in its section."""
    lang = context.lang
    loaded = {file.name: file for file in context.files}
    documents: dict[str, _Document] = {}
    by_file: dict[str, _Document] = {}
    for name in context.checked:
        file = loaded.get(name)
        model = getattr(file, "model", None)
        key = f"plan:{model.plan.id}" if model is not None else f"file:{name}"
        if key not in documents:
            documents[key] = _Document(ident=f"doc-{len(documents) + 1}",
                                       title=model.plan.title if model is not None else name,
                                       header=model.plan if model is not None else None)
        document = documents[key]
        document.names.append(name)
        by_file[name] = document
        if file is None or model is None:
            continue
        document.files.append(file)
        for head in ("themes", "policies", "goals", "tables"):
            for index, node in enumerate(getattr(model, head)):
                path = (head, index)
                document.sections.append(_Section(file, path, node, file.span_of(path),
                                                  _section_title(node, path, lang)))
    for diagnostic in diagnostics:
        home = by_file.get(diagnostic.file)
        if home is None:  # not a checked file (cannot happen: the run reports only those)
            continue
        placed = _Placed(diagnostic, kinds.get(diagnostic.code), -1)
        for index, part in enumerate(home.sections):
            if part.file.name == diagnostic.file and _inside(diagnostic.span, part.span):
                placed.section = index
                part.placed.append(placed)
                break
        else:
            home.whole.append(placed)
    for document in documents.values():
        for number, (placed, where) in enumerate(_ordered(document), 1):
            placed.ident = f"{document.ident}-f{number}"
            placed.where = where.title if where is not None else document.title
    return list(documents.values())


def _ordered(document: _Document) -> list[tuple[_Placed, _Section | None]]:
    """A document's findings in the order the report shows them: those about the document
    as a whole, then each section's in the plan's order, by line."""
    found: list[tuple[_Placed, _Section | None]] = [(placed, None) for placed in document.whole]
    for section in document.sections:
        found += [(placed, section) for placed in sorted(section.placed, key=lambda p: p.diagnostic.sort_key())]
    return found


def _is_rounding(kind: str | None) -> bool:
    return kind is not None and kind.endswith(_ROUNDING_SUFFIXES)


def verdict_counts(diagnostics: list[Diagnostic], kinds: dict[str, str | None]) -> dict[str, int]:
    """The verdict's classes: errors that rounding does not explain (serious), gaps
    rounding may explain (rounding), problems reading a file (the LOAD family), other
    warnings (review), information, and plancheck's own failures (INT)."""
    counts = dict.fromkeys(_VERDICT, 0)
    for diagnostic in diagnostics:
        if family(diagnostic.code) in _FILE_FAMILIES:
            counts[_FILE_FAMILIES[family(diagnostic.code)]] += 1
        elif _is_rounding(kinds.get(diagnostic.code)):
            counts["rounding"] += 1
        elif diagnostic.severity == Severity.ERROR:
            counts["serious"] += 1
        elif diagnostic.severity == Severity.WARNING:
            counts["review"] += 1
        else:
            counts["info"] += 1
    return counts


def verdict(diagnostics: list[Diagnostic], context: ReportContext, kinds: dict[str, str | None]) -> str:
    """The verdict in one sentence: 「重大な不整合 1 件、丸め誤差の可能性 8 件」 (the classes
    that have any), or that nothing was found, or that nothing could be checked."""
    lang = context.lang
    relations = context.relations
    if not diagnostics:
        if relations is not None and relations.checked == 0:
            return _w("nothing_checked", lang)
        if relations is not None and relations.unchecked:
            return _w("none_in_checked", lang)
        return _w("none_found", lang)
    counts = verdict_counts(diagnostics, kinds)
    parts = [_fill(_VERDICT[key].render(lang), {"n": n}) for key, n in counts.items() if n]
    return ("、" if lang == "ja" else ", ").join(parts)


def family(code: str) -> str:
    """The letters of a rule code: TOT of TOT001."""
    letters = ""
    for char in code:
        if not char.isalpha():
            break
        letters += char
    return letters or code


# --- the page ----------------------------------------------------------------------------

_CSS = """
:root{--ink:#1b1b1b;--muted:#555;--line:#c8c8c8;--error:#b00020;--warning:#8a5a00;--info:#1f4e9c;--ok:#2d6a2d}
*{box-sizing:border-box}
body{margin:0;font-family:"Noto Sans CJK JP","Noto Sans JP","Hiragino Sans","Yu Gothic","Meiryo",sans-serif;
color:var(--ink);line-height:1.55;font-size:15px;background:#fff}
header.first,main,footer{max-width:1060px;margin:0 auto;padding:0 20px}
h1{font-size:1.35rem;margin:18px 0 6px}
.key-head{border:0;margin:10px 0 2px;font-size:1.05rem}
ol.key-findings{margin:4px 0 12px;padding-left:24px;font-size:.92rem}
ol.key-findings li{margin:3px 0}
h2{font-size:1.2rem;border-bottom:2px solid var(--ink);padding-bottom:3px;margin-top:34px}
h3{font-size:1.05rem;margin:22px 0 6px;border-left:5px solid var(--line);padding-left:8px}
h4{font-size:.95rem;margin:14px 0 4px}
.verdict{font-size:1.45rem;font-weight:700;margin:6px 0 4px;padding:10px 14px;border:2px solid var(--ink);border-radius:6px}
.verdict.bad{border-color:var(--error)} .verdict.warn{border-color:var(--warning)} .verdict.good{border-color:var(--ok)}
.coverage{margin:4px 0 14px;color:var(--muted)}
.overview{display:flex;flex-wrap:wrap;gap:14px;align-items:flex-start}
.overview>section{flex:1 1 230px}
table{border-collapse:collapse;margin:6px 0 10px;font-size:.88rem}
th,td{border:1px solid var(--line);padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f2f2f2;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
caption{text-align:left;font-weight:600;padding:2px 0}
.sev{font-weight:700;white-space:nowrap}
.sev.error{color:var(--error)} .sev.warning{color:var(--warning)} .sev.info{color:var(--info)}
article.finding{border:1px solid var(--line);border-left:6px solid var(--line);padding:8px 12px;margin:10px 0;
break-inside:avoid;page-break-inside:avoid}
article.finding.error{border-left-color:var(--error)} article.finding.warning{border-left-color:var(--warning)}
article.finding.info{border-left-color:var(--info)}
.finding .message{font-weight:600;margin:2px 0 6px}
.finding .code{font-family:ui-monospace,"Noto Sans Mono CJK JP",monospace;font-size:.85rem;color:var(--muted)}
dl.numbers{display:grid;grid-template-columns:max-content 1fr;gap:1px 12px;margin:4px 0;font-size:.88rem}
dl.numbers dt{color:var(--muted)} dl.numbers dd{margin:0;font-variant-numeric:tabular-nums}
.loc{font-family:ui-monospace,"Noto Sans Mono CJK JP",monospace;font-size:.82rem;overflow-wrap:anywhere}
pre.line{background:#f6f6f6;border:1px solid #e2e2e2;padding:4px 8px;font-size:.8rem;white-space:pre-wrap;
overflow-wrap:anywhere;margin:4px 0}
ul.related{margin:2px 0;padding-left:20px;font-size:.85rem}
td.suspect{outline:3px solid var(--error);outline-offset:-3px;font-weight:700;background:#fff0f0}
td.suspect::before{content:"⚠ "}
td.related-cell{background:#eef3fb}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.context{overflow-x:auto}
.meta{color:var(--muted);font-size:.9rem;margin:2px 0}
figure{margin:10px 0 16px;break-inside:avoid;page-break-inside:avoid}
figcaption{font-weight:600;font-size:.92rem}
svg.chart{max-width:100%;height:auto;font-family:inherit}
svg .label,svg .value,svg .axis,svg .band-mark{font-size:11px;fill:var(--ink)}
svg .axis{fill:var(--muted)}
svg .tick{stroke:#e4e4e4} svg .hundred{stroke:var(--ink);stroke-width:1.5;stroke-dasharray:4 3}
svg .band-a{fill:#f3f0e6} svg .band-b{fill:#e9eef4}
svg .reached rect{fill:#4b7f52} svg .short rect{fill:url(#hatch);stroke:#a0522d}
svg .value,svg .label{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
svg .over{fill:var(--ink)}
svg .allowance{fill:#e8eef6} svg .zero{stroke:var(--ink)}
svg .within circle{fill:none;stroke:var(--ok);stroke-width:2}
svg .beyond path{stroke:var(--error);stroke-width:2.5;fill:none} svg .beyond path.over{fill:var(--error);stroke:none}
svg .unchecked path{stroke:var(--muted);stroke-width:2}
svg .axis-line{stroke:var(--line)}
svg .target-line{fill:none;stroke:#666;stroke-dasharray:4 3} svg .target{fill:#fff;stroke:#333;stroke-width:1.3}
svg .actual-line{fill:none;stroke:#1f4e9c;stroke-width:2} svg .actual{fill:#1f4e9c}
svg .baseline{fill:#fff;stroke:#8a5a00;stroke-width:1.5}
.series{display:flex;flex-wrap:wrap;gap:10px}
.series figure{flex:0 1 310px;margin:4px 0}
.series figcaption{font-weight:400;font-size:.82rem;min-height:2.4em}
details.numbers-table summary{cursor:pointer;font-size:.85rem;color:var(--muted)}
nav.contents ol{columns:2;font-size:.9rem}
a{color:#1f4e9c}
@page{size:A4;margin:14mm 12mm}
@media print{
 body{font-size:10.5pt}
 header.first,main,footer{max-width:none;padding:0}
 section.document{break-before:page;page-break-before:always}
 nav.contents{display:none}
 tr,article.finding,figure{break-inside:avoid;page-break-inside:avoid}
 thead{display:table-header-group}
 details.numbers-table>*{display:block}
 .context{overflow:visible}
 table{font-size:8.5pt}
 a{color:inherit;text-decoration:none}
}
"""

# the hatching of a bar below 100 % (a pattern, so the difference is not colour alone)
_DEFS = ('<svg xmlns="http://www.w3.org/2000/svg" width="0" height="0" aria-hidden="true" style="position:absolute">'
         '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
         '<rect width="6" height="6" fill="#f4d9c4"/><line x1="0" y1="0" x2="0" y2="6" stroke="#a0522d" stroke-width="2"/>'
         '</pattern></defs></svg>')


def _version() -> str:
    try:
        return version("plancheck")
    except PackageNotFoundError:
        return ""


def render_html(diagnostics: list[Diagnostic], context: ReportContext, rules: list[Any]) -> str:
    """The report as one HTML document (see the module's docstring)."""
    lang = context.lang
    kinds = {rule.code: rule.kind for rule in rules}
    documents = _documents(diagnostics, context, kinds)
    # a total is shown as consistent only when every outcome of the sum check has a rule on
    sums_reported = {
        "projects": _every_gap_reported(rules, "sum_matches", ("beyond_rounding", "beyond_declared_rounding"),
                                        ("within_rounding", "truncated")),
        "tables": _every_gap_reported(rules, "table_relations", ("sum_mismatch", "sum_beyond_declared_rounding"),
                                      ("sum_within_rounding", "sum_truncated")),
    }
    out: list[str] = [
        "<!DOCTYPE html>",
        f'<html lang="{"ja" if lang == "ja" else "en"}"><head><meta charset="utf-8">',
        # nothing may be fetched: no script, font, image, frame or style sheet from anywhere
        ("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "img-src data:\">"),
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="plancheck">',
        f"<title>{esc(_w('title', lang))}: {esc(verdict(diagnostics, context, kinds))}</title>",
        f"<style>{_CSS}</style></head><body>", _DEFS,
    ]
    out += _first_screen(diagnostics, context, kinds, documents)
    out.append("<main>")
    for document in documents:
        out += _document(document, context, sums_reported)
    out.append("</main>")
    out.append(f'<footer><p class="meta">{esc(_w("generated", lang, version=_version()))}</p></footer>')
    out.append("</body></html>\n")
    return _scoped("\n".join(out))


def _every_gap_reported(rules: list[Any], function: str, always: tuple[str, ...], half_unit: tuple[str, ...]) -> bool:
    """Whether a sum the function compares that has no finding is consistent: a rule
    reports every outcome it can give (those within half a unit per item only where a rule
    of it allows that half unit, `half_unit_per_item`)."""
    mine = [rule for rule in rules if rule.function == function]
    kinds = {rule.kind for rule in mine}
    needed = set(always) | (set(half_unit) if any(rule.options.get("half_unit_per_item") for rule in mine) else set())
    return needed <= kinds


_THEAD = re.compile(r"<thead>.*?</thead>", re.S)
_HEAD_CELL = re.compile(r"<th(?=[ >])")
_ROW_HEAD = re.compile(r"(<tr(?: [^>]*)?>)<th(?=[ >])(?! scope)")


def _scoped(document: str) -> str:
    """Every header cell says what it heads (a screen reader reads a cell with its column
    and row): `scope="col"` in a table's head, `scope="row"` at the start of a row. Plain
    text never holds `<th`: every user string is escaped (`<` is `&lt;`)."""
    document = _THEAD.sub(lambda match: _HEAD_CELL.sub('<th scope="col"', match.group()), document)
    return _ROW_HEAD.sub(r'\1<th scope="row"', document)


def _first_screen(diagnostics: list[Diagnostic], context: ReportContext, kinds: dict[str, str | None],
                  documents: list[_Document]) -> list[str]:
    lang = context.lang
    counts = summary_counts(diagnostics)
    verdict_class = ("bad" if counts[Severity.ERROR] else "warn" if diagnostics else "good")
    relations = context.relations
    if relations is not None:
        coverage = _w("coverage", lang, files=len(context.checked), documents=len(documents),
                      checked=relations.checked, unchecked=len(relations.unchecked), na=relations.not_applicable)
    else:
        coverage = _w("coverage_unknown", lang, files=len(context.checked), documents=len(documents))
    out = ['<header class="first">', f"<h1>{esc(_w('title', lang))}</h1>",
           f'<p class="verdict {verdict_class}" id="verdict">{esc(verdict(diagnostics, context, kinds))}</p>',
           f'<p class="coverage" id="coverage">{esc(coverage)}</p>', '<div class="overview">']
    # by severity
    out.append(f'<section><table id="by-severity"><caption>{esc(_w("by_severity", lang))}</caption>'
               f'<thead><tr><th>{esc(_w("severity", lang))}</th><th class="num">{esc(_w("count", lang))}</th></tr></thead><tbody>')
    for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO):
        out.append(f'<tr data-severity="{severity.label}"><td><span class="sev {_SEVERITY_CLASS[severity]}">'
                   f'{esc(_SEVERITY[severity].render(lang))}</span></td><td class="num">{counts[severity]}</td></tr>')
    out.append(f'</tbody><tfoot><tr><th>{esc(_w("total", lang))}</th><td class="num">{len(diagnostics)}</td></tr>'
               "</tfoot></table></section>")
    # by family
    families = Counter(family(d.code) for d in diagnostics)
    out.append(f'<section><table id="by-family"><caption>{esc(_w("by_family", lang))}</caption>'
               f'<thead><tr><th>{esc(_w("family", lang))}</th><th class="num">{esc(_w("count", lang))}</th></tr></thead><tbody>')
    for name, count in sorted(families.items(), key=lambda item: (-item[1], item[0])):
        label = FAMILIES[name].render(lang) if name in FAMILIES else ""
        out.append(f'<tr data-family="{esc(name)}"><td><span class="code">{esc(name)}</span> {esc(label)}</td>'
                   f'<td class="num">{count}</td></tr>')
    out.append("</tbody></table></section>")
    # relations
    if relations is not None:
        out.append(f'<section><table id="relations"><caption>{esc(_w("relations", lang))}</caption><tbody>'
                   f'<tr data-relations="checked"><th>{esc(_w("checked", lang))}</th><td class="num">{relations.checked}</td></tr>'
                   f'<tr data-relations="unchecked"><th>{esc(_w("unchecked", lang))}</th>'
                   f'<td class="num">{len(relations.unchecked)}</td></tr>'
                   f'<tr data-relations="not_applicable"><th>{esc(_w("not_applicable", lang))}</th>'
                   f'<td class="num">{relations.not_applicable}</td></tr></tbody></table></section>')
    out.append("</div>")
    # documents
    out.append(f'<table id="documents"><caption>{esc(_w("documents", lang))}</caption><thead><tr>'
               f'<th>{esc(_w("document", lang))}</th><th>{esc(_w("kind", lang))}</th>'
               f'<th class="num">{esc(_w("files", lang))}</th><th class="num">{esc(_severity_word(Severity.ERROR, lang))}</th>'
               f'<th class="num">{esc(_severity_word(Severity.WARNING, lang))}</th>'
               f'<th class="num">{esc(_severity_word(Severity.INFO, lang))}</th></tr></thead><tbody>')
    for document in documents:
        found = summary_counts([p.diagnostic for p in _all_placed(document)])
        header = document.header
        kind = KINDS[header.kind].render(lang) if header is not None and header.kind in KINDS else ""
        municipality = (f"{header.municipality} " if header is not None and header.municipality not in document.title
                        else "")
        out.append(f'<tr><td><a href="#{document.ident}">{esc(municipality + document.title)}</a></td><td>{esc(kind)}</td>'
                   f'<td class="num">{len(document.names)}</td><td class="num">{found[Severity.ERROR]}</td>'
                   f'<td class="num">{found[Severity.WARNING]}</td><td class="num">{found[Severity.INFO]}</td></tr>')
    out.append("</tbody></table>")
    out += _key_findings(documents, kinds, lang)
    out.append("</header>")
    return out


# the first screen lists at most this many findings (the most serious first); every one
# of them is in its document below
MAX_KEY_FINDINGS = 20
_CLASS_ORDER = {"internal": 0, "serious": 1, "file": 2, "rounding": 3, "review": 4, "info": 5}


def _verdict_class(placed: _Placed) -> str:
    if family(placed.diagnostic.code) in _FILE_FAMILIES:
        return _FILE_FAMILIES[family(placed.diagnostic.code)]
    if _is_rounding(placed.kind):
        return "rounding"
    return {Severity.ERROR: "serious", Severity.WARNING: "review"}.get(placed.diagnostic.severity, "info")


def _key_findings(documents: list[_Document], kinds: dict[str, str | None], lang: str) -> list[str]:
    """The findings in plain words, the most serious first, each linked to its place."""
    every = [(placed, document) for document in documents for placed, _ in _ordered(document)]
    if not every:
        return []
    # a number that disagrees before a unit that does (a figure in 人 restating a count in 件
    # whose numbers agree), each class in the plans' own order
    every.sort(key=lambda pair: (_CLASS_ORDER[_verdict_class(pair[0])], "unit" in (pair[0].kind or "")))
    shown_here = every[:MAX_KEY_FINDINGS]
    out = [f'<section class="key"><h2 class="key-head">{esc(_w("key_findings", lang))}</h2><ol class="key-findings">']
    for placed, _ in shown_here:
        d = placed.diagnostic
        css = _SEVERITY_CLASS[d.severity]
        label = _VERDICT_LABEL[_verdict_class(placed)].render(lang)
        out.append(f'<li data-code="{esc(d.code)}"><span class="sev {css}">{esc(_SEVERITY[d.severity].render(lang))}</span> '
                   f'<strong>{esc(label)}</strong>: <a href="#{placed.ident}">{esc(placed.where)}</a>'
                   f'<br>{esc(d.message.get(lang, ""))}</li>')
    out.append("</ol>")
    if len(every) > len(shown_here):
        out.append(f'<p class="meta">{esc(_w("and_more", lang, n=len(every) - len(shown_here)))}</p>')
    out.append("</section>")
    return out


_VERDICT_LABEL = {
    "serious": Text("重大な不整合", "serious inconsistency"),
    "rounding": Text("丸め誤差の可能性", "possibly rounding"),
    "file": Text("ファイルの読み込み", "reading the file"),
    "internal": Text("内部エラー", "internal error"),
    "review": Text("要確認", "to review"),
    "info": Text("参考情報", "for information"),
}


def _severity_word(severity: Severity, lang: str) -> str:
    return _SEVERITY[severity].render(lang).split(" ", 1)[1]


def _all_placed(document: _Document) -> list[_Placed]:
    return [*document.whole, *(placed for section in document.sections for placed in section.placed)]


# --- a document --------------------------------------------------------------------------

def _document(document: _Document, context: ReportContext, sums_reported: dict[str, bool]) -> list[str]:
    lang = context.lang
    header = document.header
    out = [f'<section class="document" id="{document.ident}" aria-labelledby="{document.ident}-h">',
           f'<h2 id="{document.ident}-h">{esc(document.title)}</h2>']
    if header is not None:
        facts = [f"{header.municipality}", KINDS[header.kind].render(lang) if header.kind in KINDS else header.kind]
        if header.period is not None:
            facts.append(f"{_w('period', lang)}: {era_label(header.period.start)}–{era_label(header.period.end)}")
        if header.as_of is not None:
            facts.append(f"{_w('as_of', lang)}: {era_label(header.as_of)}")
        source = _source(header.source, None, lang)
        if source:
            facts.append(source)
        out.append(f'<p class="meta">{esc(" / ".join(facts))}</p>')
    out.append(f'<p class="meta loc">{esc(_w("files", lang))}: {esc(", ".join(document.names))}</p>')
    placed = _all_placed(document)
    if not placed:
        out.append(f'<p>{esc(_w("no_findings", lang))}</p>')
    heading: object = ()  # the section whose heading was written last (None: the document as a whole)
    for item, section in _ordered(document):
        if section is not heading:
            title = section.title if section is not None else _w("whole_document", lang)
            out.append(f"<h3>{esc(title)}</h3>")
            source = _source(getattr(section.node, "source", None), header, lang) if section is not None else ""
            if source:
                out.append(f'<p class="meta">{esc(source)}</p>')
            heading = section
        out += _finding(item, section, context)
    out += _charts(document, context, sums_reported)
    out += _unchecked(document, context)
    out.append("</section>")
    return out


def _source(source: Any, header: Any, lang: str) -> str:
    """Where the numbers were printed: the source document (the section's, else the plan's),
    its heading and lines, as the plan file records them."""
    if source is None:
        return ""
    seed = source.seed or getattr(getattr(header, "source", None), "seed", None)
    parts = [part for part in (seed, source.heading) if part]
    ranges = source.line_ranges()
    if ranges:
        lines = ", ".join(f"{first}–{last}" for first, last in ranges)
        parts.append(f"{lines} 行" if lang == "ja" else f"lines {lines}")
    return (_w("source", lang) + ": " + ", ".join(parts)) if parts else ""


def _location(file: str, span: Span, cell: str | None = None) -> str:
    """file:line:col, and for imported data the workbook cell the value came from."""
    return f"{esc(file)}:{span.line}:{span.column}" + (f' <span class="cell">({esc(cell)})</span>' if cell else "")


def _finding(item: _Placed, section: _Section | None, context: ReportContext) -> list[str]:
    lang = context.lang
    d = item.diagnostic
    ident = item.ident
    css = _SEVERITY_CLASS[d.severity]
    out = [(f'<article class="finding {css}" id="{ident}" data-code="{esc(d.code)}" data-severity="{d.severity.label}" '
           f'data-line="{d.span.line}">'),
           (f'<p><span class="sev {css}">{esc(_SEVERITY[d.severity].render(lang))}</span> '
           f'<span class="code">{esc(d.code)} {esc(d.name)}</span></p>'),
           f'<p class="message">{esc(d.message.get(lang, ""))}</p>']
    numbers = _numbers(d, item.kind, lang)
    if numbers:
        out.append(f'<dl class="numbers" aria-label="{esc(_w("numbers", lang))}">{numbers}</dl>')
    out.append(f'<p class="loc">{esc(_w("location", lang))}: {_location(d.file, d.span, d.cell)}</p>')
    line = _source_line(context, d.file, d.span)
    if line:
        out.append(f'<pre class="line" aria-label="{esc(_w("source_line", lang))}">{line}</pre>')
    if d.related:
        out.append(f'<details class="numbers-table"{" open" if len(d.related) <= 6 else ""}><summary>'
                   f'{esc(_w("related", lang))} ({len(d.related)})</summary><ul class="related">')
        cells = d.related_cells or (None,) * len(d.related)
        for (related, span), cell in zip(d.related, cells):
            out.append(f'<li><span class="loc">{_location(related.location.file, span, cell)}</span> '
                       f'{esc(related.label.render(lang))}</li>')
        out.append("</ul></details>")
    if section is not None:
        out += _context_table(d, section, lang)
    if d.help.get(lang):
        out.append(f'<p class="meta">{esc(_w("help", lang))}: {esc(d.help[lang])}</p>')
    out.append("</article>")
    return out


def _numbers(d: Diagnostic, kind: str | None, lang: str) -> str:
    rows = []
    for key, value in d.args.items():
        if value is None or value == "":
            continue
        label = ARGS[key].render(lang) if key in ARGS else key
        text = render_arg(value, lang)
        if key == "year" and isinstance(value, int) and not isinstance(value, bool):
            text = era_label(value) if lang == "ja" else f"{era_label(value)} (FY{value})"
        rows.append(f"<dt>{esc(label)}</dt><dd>{esc(text)}</dd>")
    if "allowance" in d.args or _is_rounding(kind):
        answer = _w("rounding_yes", lang) if _is_rounding(kind) else _w("rounding_no", lang)
        rows.append(f'<dt>{esc(_w("rounding_explains", lang))}</dt><dd class="rounding">{esc(answer)}</dd>')
    return "".join(rows)


def _source_line(context: ReportContext, file: str, span: Span) -> str:
    lines = context.sources.get(file) or []
    if not 1 <= span.line <= len(lines):
        return ""
    return f"{span.line} | {esc(lines[span.line - 1].strip())}"


def _cell_class(span: Span | None, d: Diagnostic, related: set[tuple[int, int]]) -> str:
    if span is None:
        return ""
    if (span.line, span.column) == (d.span.line, d.span.column):
        return "suspect"
    return "related-cell" if (span.line, span.column) in related else ""


def _cell(text: str, css: str, lang: str, numeric: bool = True) -> str:
    classes = " ".join(part for part in ("num" if numeric else "", css) if part)
    hidden = f'<span class="visually-hidden">（{esc(_w("suspect", lang))}）</span>' if css == "suspect" else ""
    return f'<td{f" class={chr(34)}{classes}{chr(34)}" if classes else ""}>{text}{hidden}</td>'


def _printed(value: Any) -> str:
    if value is None:
        return ""
    return esc(getattr(value, "text", value))


def _context_table(d: Diagnostic, section: _Section, lang: str) -> list[str]:
    """The table the finding is about, with the cell it points at marked: a project list's
    items and total, an indicator's years, or a statistics table."""
    file, path, node = section.file, section.path, section.node
    related = {(span.line, span.column) for rel, span in d.related if rel.location.file == d.file}
    projects = getattr(node, "projects", None)
    if projects is not None and hasattr(projects, "total") and _inside(d.span, file.span_of((*path, "projects"))):
        return _items_table(d, file, (*path, "projects"), projects, related, lang)
    for index, indicator in enumerate(getattr(node, "indicators", []) or []):
        where = (*path, "indicators", index)
        if _inside(d.span, file.span_of(where)):
            return _indicator_table(d, file, where, indicator, related, lang)
    if path[0] == "tables" and _inside(d.span, section.span):
        return _statistics_table(d, file, path, node, related, lang)
    return []


def _items_table(d, file, where, projects, related, lang) -> list[str]:
    # marking every item of a total as related says nothing: only a few are marked
    items = projects.items
    mark_related = len(related) < max(2, len(items) // 2)
    head = (f'<div class="context"><table class="items"><caption>{esc(_w("items", lang))}'
            f'（{esc(projects.unit)}）</caption><thead><tr><th class="num">{esc(_w("no", lang))}</th>'
            f'<th>{esc(_w("name", lang))}</th><th>{esc(_w("department", lang))}</th>'
            f'<th class="num">{esc(_w("amount", lang))}</th><th>{esc(_w("outlook", lang))}</th></tr></thead><tbody>')
    out = [head]
    for index, item in enumerate(items):
        span = file.span_of((*where, "items", index, "cost"))
        css = _cell_class(span, d, related if mark_related else set())
        restated = f' {esc(_w("restated_mark", lang))}' if item.restated else ""
        out.append(f'<tr><td class="num">{esc(item.no if item.no is not None else index + 1)}</td>'
                   f'<td>{esc(item.name)}{restated}</td><td>{esc(item.department or "")}</td>'
                   f'{_cell(_printed(item.cost), css, lang)}<td>{esc(item.outlook or "")}</td></tr>')
    out.append("</tbody><tfoot>")
    total_span = file.span_of((*where, "total"))
    out.append(f'<tr><th colspan="3">{esc(_w("total", lang))}</th>'
               f'{_cell(_printed(projects.total), _cell_class(total_span, d, related), lang)}<td></td></tr>')
    if "computed" in d.args:
        out.append(f'<tr><th colspan="3">{esc(_w("sum_of_items", lang))}</th>'
                   f'<td class="num">{esc(render_arg(d.args["computed"], lang))}</td><td></td></tr>')
    if "difference" in d.args:
        out.append(f'<tr><th colspan="3">{esc(ARGS["difference"].render(lang))}</th>'
                   f'<td class="num">{esc(render_arg(d.args["difference"], lang))}</td><td></td></tr>')
    out.append("</tfoot></table>")
    if any(item.restated for item in items) and not projects.restated_in_total:
        out.append(f'<p class="meta">{esc(_w("restated_note", lang))}</p>')
    out.append("</div>")
    return out


def _indicator_years(indicator) -> list[int]:
    years = set(indicator.targets) | set(indicator.actuals) | set(indicator.rates)
    if indicator.baseline is not None:
        years.add(indicator.baseline.year)
    return sorted(years)


def _indicator_table(d, file, where, indicator, related, lang) -> list[str]:
    years = _indicator_years(indicator)
    unit = f"（{esc(indicator.unit)}）" if indicator.unit else ""
    out = [f'<div class="context"><table class="indicator"><caption>{esc(indicator.name)}{unit}</caption><thead><tr>'
           f'<th></th>' + "".join(f'<th class="num">{esc(era_label(year))}</th>' for year in years) + "</tr></thead><tbody>"]
    if indicator.baseline is not None:
        span = file.span_of((*where, "baseline", "value"))
        cells = "".join(_cell(_printed(indicator.baseline.value), _cell_class(span, d, related), lang)
                        if year == indicator.baseline.year else "<td></td>" for year in years)
        out.append(f'<tr><th>{esc(_w("baseline", lang))}</th>{cells}</tr>')
    for field_name in ("targets", "actuals", "rates"):
        values = getattr(indicator, field_name)
        if not values:
            continue
        cells = "".join(
            _cell(_printed(values[year]), _cell_class(file.span_of((*where, field_name, year)), d, related), lang)
            if year in values else "<td></td>" for year in years)
        out.append(f'<tr><th>{esc(_w(field_name, lang))}</th>{cells}</tr>')
    out.append("</tbody></table></div>")
    return out


def _statistics_table(d, file, where, table, related, lang) -> list[str]:
    # every column that holds a value (a header over sub-columns may state their sum)
    leaves = [column for _, column, _ in table.all_columns()
              if not column.columns or any(column.key in row.values for _, row, _ in table.all_rows())]
    out = [f'<div class="context"><table class="statistics"><caption>{esc(table.title)}'
           f'{f"（{esc(table.unit)}）" if table.unit else ""}</caption><thead><tr><th></th>'
           + "".join(f'<th class="num">{esc(column.name or column.key)}</th>' for column in leaves)
           + "</tr></thead><tbody>"]
    depths: dict[int, int] = {}
    for row_path, row, parent in table.all_rows():
        depth = depths[id(row)] = depths.get(id(parent), -1) + 1 if parent is not None else 0
        cells = []
        for column in leaves:
            value = row.values.get(column.key)
            span = file.span_of((*where, *row_path, "values", column.key))
            cells.append(_cell(_printed(value), _cell_class(span, d, related), lang) if value is not None else "<td></td>")
        out.append(f'<tr><th style="padding-left:{7 + 14 * depth}px">{esc(row.name)}</th>{"".join(cells)}</tr>')
    out.append("</tbody></table></div>")
    return out


# --- charts ------------------------------------------------------------------------------

def _indicators(document: _Document) -> list[tuple[_Section, Any]]:
    return [(section, indicator) for section in document.sections
            for indicator in getattr(section.node, "indicators", []) or []]


def _number(value: Any) -> Decimal | None:
    """The number a stated cell holds (a bound's number too), for a chart; None otherwise."""
    from checker.values import stated_number

    number = stated_number(value)
    return None if number is None else number.value


def _charts(document: _Document, context: ReportContext, sums_reported: dict[str, bool]) -> list[str]:
    lang = context.lang
    out: list[str] = []
    rates = _rate_figure(document, lang)
    gaps = _gap_figure(document, context, lang, sums_reported)
    series = _series_figures(document, lang)
    if not (rates or gaps or series):
        return out
    out.append(f'<h3>{esc(_w("charts", lang))}</h3>')
    return out + rates + gaps + series


def _rate_year(document: _Document, indicators) -> int | None:
    header = document.header
    if header is not None and header.as_of is not None:
        return header.as_of
    years = [year for _, indicator in indicators for year, value in indicator.rates.items() if _number(value) is not None]
    return max(years) if years else None


def _rate_figure(document: _Document, lang: str) -> list[str]:
    indicators = _indicators(document)
    if not any(indicator.rates for _, indicator in indicators):
        return []
    year = _rate_year(document, indicators)
    if year is None:
        return []
    bars = []
    for _, indicator in indicators:
        value = indicator.rates.get(year)
        rate = _number(value)
        text = value.text if rate is not None else _w("no_rate", lang)
        mark = (getattr(indicator, "evaluations", None) or {}).get(year)
        # the band the document printed for it (評価 A, B+, ◎)
        bars.append(RateBar(indicator.name, rate, text, f"[{mark}]" if mark else ""))
    bands = _bands(document.header)
    reached = sum(1 for bar in bars if bar.rate is not None and bar.rate >= 100)
    short = sum(1 for bar in bars if bar.rate is not None and bar.rate < 100)
    title = _w("rates_title", lang, year=era_label(year))
    desc = _w("rates_desc", lang, n=len(bars), reached=reached, short=short, none=len(bars) - reached - short)
    ident = f"{document.ident}-rates"
    svg = rate_chart(bars, title, desc, ident, bands, no_rate=_w("no_rate", lang))
    out = [f'<figure class="rates" id="{ident}-fig" data-marks="{len(bars)}"><figcaption>{esc(title)}</figcaption>', svg,
           f'<p class="meta">{esc(desc)}</p>']
    if bands:
        names = ", ".join(f"{band.mark} {_band_range(band)}" for band in bands)
        out.append(f'<p class="meta">{esc(_w("bands_note", lang, bands=names))}</p>')
    out.append(f'<details class="numbers-table"><summary>{esc(_w("text_equivalent", lang))}</summary>'
               f'<table><thead><tr><th>{esc(_w("indicator", lang))}</th><th class="num">{esc(_w("rate", lang))}</th>'
               "</tr></thead><tbody>")
    out += [f'<tr><td>{esc(bar.label)}</td><td class="num">{esc(bar.text)} {esc(bar.note)}</td></tr>' for bar in bars]
    out.append("</tbody></table></details></figure>")
    return out


def _band_range(band: BandZone) -> str:
    from checker.values import format_decimal

    low = format_decimal(band.low) if band.low is not None else ""
    high = format_decimal(band.high) if band.high is not None else ""
    return f"{low}–{high}%"


def _bands(header: Any) -> list[BandZone]:
    scale = getattr(header, "bands", None)
    if scale is None:
        return []
    zones = []
    for band in scale.bands:
        high = band.below if band.below is not None else band.max
        zones.append(BandZone(band.mark, band.min, high))
    return sorted(zones, key=lambda zone: zone.low if zone.low is not None else Decimal(-1))


def _gap_figure(document: _Document, context: ReportContext, lang: str, sums_reported: dict[str, bool]) -> list[str]:
    """Each stated total against the sum of its items, as the run found it: a project list's
    合計, and each line of a table's declared `sum` relation at each cross line (a 合計 row in
    each column). The finding's numbers where a rule reported the gap, 未検査 where the
    relation was not checked, else consistent (checked, no gap reported), and that only when
    a rule reports every outcome of the comparison (`sums_reported`): with TOT002 turned off,
    a total with no finding may still differ within rounding."""
    unchecked = context.relations.unchecked if context.relations is not None else []
    gaps: list[Gap] = []
    for section in document.sections:
        projects = getattr(section.node, "projects", None)
        if projects is not None and getattr(projects, "total", None) is not None:
            where = (*section.path, "projects")
            cells = [section.file.span_of((*where, "items", index, "cost")) for index in range(len(projects.items))]
            gaps.append(_gap(section, str(getattr(section.node, "title", "") or section.title),
                             section.file.span_of((*where, "total")), cells, projects.total, unchecked,
                             sums_reported["projects"], lang))
        if section.path[0] == "tables":
            gaps += _table_gaps(section, unchecked, sums_reported["tables"], lang)
    if not gaps:
        return []
    beyond = sum(1 for gap in gaps if gap.difference and (not gap.allowance or abs(gap.difference) > gap.allowance))
    within = sum(1 for gap in gaps if gap.difference and gap.allowance and abs(gap.difference) <= gap.allowance)
    equal = sum(1 for gap in gaps if gap.difference == 0)
    title = _w("gaps_title", lang)
    desc = _w("gaps_desc", lang, n=len(gaps), beyond=beyond, within=within, equal=equal)
    ident = f"{document.ident}-gaps"
    out = [f'<figure class="gaps" id="{ident}-fig" data-marks="{len(gaps)}"><figcaption>{esc(title)}</figcaption>',
           gap_chart(gaps, title, desc, ident), f'<p class="meta">{esc(desc)} {esc(_w("gaps_axis", lang))}</p>',
           f'<details class="numbers-table"><summary>{esc(_w("text_equivalent", lang))}</summary><table><tbody>']
    out += [f"<tr><td>{esc(gap.label)}</td><td>{esc(gap.text)}</td></tr>" for gap in gaps]
    out.append("</tbody></table></details></figure>")
    return out


def _same(span: Span | None, other: Span | None) -> bool:
    return span is not None and other is not None and (span.line, span.column) == (other.line, other.column)


def _gap(section: _Section, label: str, stated_span: Span | None, part_spans: list[Span | None], stated: Any,
         unchecked: list, reported: bool, lang: str) -> Gap:
    """One total of the gap chart: the finding at its stated cell, or the relation not
    checked at one of its cells, or consistent."""
    found = next((p.diagnostic for p in section.placed if "computed" in p.diagnostic.args
                  and "stated" in p.diagnostic.args and _same(p.diagnostic.span, stated_span)), None)
    if found is not None:
        args = found.args
        difference, allowance = args.get("difference"), args.get("allowance")
        text = (f"{ARGS['difference'].render(lang)} {render_arg(difference, lang)}"
                + (f"（±{render_arg(allowance, lang)}）" if allowance else "")
                + f" {_w('total', lang)} {render_arg(args['stated'], lang)}")
        return Gap(label, difference, allowance or None, text)
    cells = [stated_span, *part_spans]
    blocked = next((u for u in unchecked if u.file == section.file.name and any(_same(u.span, cell) for cell in cells)),
                   None)
    if blocked is not None:
        return Gap(label, None, None, f"{_w('not_compared', lang)}: {blocked.reason.render(lang)}")
    if not reported:
        return Gap(label, None, None, _w("sums_off", lang))
    return Gap(label, Decimal(0), None, f"{_w('consistent', lang)} {_w('total', lang)} {_printed_plain(stated)}")


def _table_gaps(section: _Section, unchecked: list, reported: bool, lang: str) -> list[Gap]:
    """The totals of a table's declared `sum` relations: per relation, each cross line (a
    column for a row's sum, a row for a column's) where the stated cell holds a value."""
    table, file, where = section.node, section.file, section.path
    rows = {row.key: (path, row) for path, row, _ in table.all_rows()}
    columns = [column.key for _, column, _ in table.all_columns()]
    gaps = []
    name = table.number or table.title  # the table's number (①) keeps the label short; the title is in the section's heading

    def label(row_name: str, key: str) -> str:
        return f"{name} {row_name}（{key}）"

    for relation in table.relations:
        if relation.check != "sum":
            continue
        line = getattr(relation, "row", None)
        across = getattr(relation, "column", None)
        parts = [part for part in relation.of if "/" not in part]
        skip = set(getattr(relation, "skip", None) or ())
        only = getattr(relation, "only", None)
        if line is not None and line in rows:
            path, row = rows[line]
            crosses = [key for key in (only or columns) if key not in skip and key in row.values]
            for key in crosses:
                spans = [file.span_of((*where, *rows[part][0], "values", key)) for part in parts if part in rows]
                gaps.append(_gap(section, label(row.name, key),
                                 file.span_of((*where, *path, "values", key)), spans, row.values[key],
                                 unchecked, reported, lang))
        elif across is not None and across in columns:
            for key, (path, row) in rows.items():
                if (only and key not in only) or key in skip or across not in row.values:
                    continue
                spans = [file.span_of((*where, *path, "values", part)) for part in parts]
                gaps.append(_gap(section, label(row.name, across),
                                 file.span_of((*where, *path, "values", across)), spans, row.values[across],
                                 unchecked, reported, lang))
    return gaps


def _printed_plain(value: Any) -> str:
    return str(getattr(value, "text", value))


def _series_figures(document: _Document, lang: str) -> list[str]:
    figures = []
    for index, (_, indicator) in enumerate(_indicators(document), 1):
        targets = [Point(year, number) for year, value in sorted(indicator.targets.items())
                   if (number := _number(value)) is not None]
        actuals = [Point(year, number) for year, value in sorted(indicator.actuals.items())
                   if (number := _number(value)) is not None]
        baseline = None
        if indicator.baseline is not None and (number := _number(indicator.baseline.value)) is not None:
            baseline = Point(indicator.baseline.year, number)
        if not targets and not actuals:
            continue
        years = sorted({p.year for p in (*targets, *actuals)} | ({baseline.year} if baseline else set()))
        ident = f"{document.ident}-s{index}"
        listed_targets = ", ".join(f"{_short_year(p.year, lang)} {_plain(p.value)}" for p in targets) or "—"
        listed_actuals = ", ".join(f"{_short_year(p.year, lang)} {_plain(p.value)}" for p in actuals) or "—"
        name = indicator.name + (f"（{indicator.unit}）" if indicator.unit else "")
        desc = _w("series_desc", lang, name=name, targets=listed_targets, actuals=listed_actuals)
        svg = series_chart(name, years, targets, actuals, baseline, name, desc, ident,
                           year_label=lambda year: _short_year(year, lang))
        figures.append(f'<figure id="{ident}-fig" data-indicator="{index}"><figcaption>{esc(name)}</figcaption>{svg}'
                       f'<p class="visually-hidden">{esc(desc)}</p></figure>')
    if not figures:
        return []
    return [f'<h4>{esc(_w("series_title", lang))}</h4>', f'<p class="meta">{esc(_w("series_legend", lang))}</p>',
            f'<div class="series" data-marks="{len(figures)}">', *figures, "</div>"]


def _plain(value: Decimal) -> str:
    from checker.values import format_decimal

    return format_decimal(value)


def _unchecked(document: _Document, context: ReportContext) -> list[str]:
    lang = context.lang
    if context.relations is None:
        return []
    names = set(document.names)
    rows = [u for u in context.relations.unchecked if u.file in names]
    if not rows:
        return []
    out = [f'<h3>{esc(_w("unchecked_head", lang))}</h3>', ('<table class="unchecked"><thead><tr>'
           f'<th>{esc(_w("location", lang))}</th><th>{esc(_w("relation", lang))}</th><th>{esc(_w("reason", lang))}</th>'
           f'<th>{esc(_w("rules", lang))}</th></tr></thead><tbody>')]
    for u in rows:
        out.append(f'<tr><td class="loc">{_location(u.file, u.span)}</td><td>{esc(u.relation.render(lang))}</td>'
                   f'<td>{esc(u.reason.render(lang))}</td><td>{esc(", ".join(u.codes))}</td></tr>')
    out.append("</tbody></table>")
    return out
