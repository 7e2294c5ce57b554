"""`plancheck init --kind KIND`: a starter file for every document kind, clean under the
recommended rules with its relations checked, never written over an existing file; and a
plan's `source` that fits any city (an address, a file name, pages, a publication date)."""

from __future__ import annotations

import typing

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.model import PlanHeader, Source, StatisticsTable
from checker.starters import STARTERS, starter
from tests.conftest import check_text, load_plan_text

ENV = {"PLANCHECK_LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "", "NO_COLOR": "1"}


def _literals(annotation) -> set[str]:
    found: set[str] = set()
    for arg in typing.get_args(annotation):
        found |= _literals(arg) if typing.get_args(arg) else ({arg} if isinstance(arg, str) else set())
    return found


def test_there_is_a_starter_for_every_plan_kind_table_kind_and_the_kpi_sheet():
    kinds = _literals(PlanHeader.model_fields["kind"].annotation) | _literals(StatisticsTable.model_fields["kind"].annotation)
    assert kinds | {"kpi_sheet"} == set(STARTERS)


@pytest.mark.parametrize("kind", sorted(STARTERS))
def test_init_writes_a_clean_starter_for_each_kind(recommended, kind, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["init", "--kind", kind, "--lang", "en"], env=ENV, prog_name="plancheck")
    assert result.exit_code == 0, result.output
    path = tmp_path / f"{kind}.yaml"
    text = path.read_text(encoding="utf-8")
    assert text == starter(kind)
    assert f"wrote a {kind} starter to {kind}.yaml" in result.output
    loaded = load_plan_text(text)
    assert loaded.findings == [] and loaded.model is not None
    assert check_text(recommended, text) == []
    plan = loaded.model.plan
    # the kind asked for is the document's kind, or the kind of its table
    table_kinds = {table.kind for table in loaded.model.tables}
    assert kind in {plan.kind, *table_kinds} or (kind == "kpi_sheet" and plan.bands is not None)
    assert plan.source.url and plan.source.file and plan.source.pages and plan.source.published
    assert plan.source.seed is None  # a city's own document, not one of this project's seeds


@pytest.mark.parametrize("kind", ["budget", "cost_sheet", "kpi_sheet", "policy_evaluation", "service_progress"])
def test_a_starter_checks_its_relations(recommended, kind):
    from checker.engine import Engine

    loaded = load_plan_text(starter(kind))
    diagnostics, relations = Engine(recommended).check([loaded])
    assert diagnostics == []
    assert relations.checked >= 9
    assert not relations.unchecked


def test_a_changed_starter_number_is_found(recommended):
    """A starter is checked, not just parsed: change a part of a total and it is reported."""
    text = starter("budget").replace('{key: tax, name: 市税, values: {current: "1,000,000"',
                                     '{key: tax, name: 市税, values: {current: "1,000,001"')
    assert "TAB001" in [d.code for d in check_text(recommended, text)]


def test_init_never_overwrites(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("plan: mine\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", "--kind", "budget", str(path), "--lang", "ja"], env=ENV,
                                prog_name="plancheck")
    assert result.exit_code == 2
    assert f"{path} はすでにあります。上書きしません" in result.output
    assert path.read_text(encoding="utf-8") == "plan: mine\n"
    # nor through a symbolic link
    link = tmp_path / "link.yaml"
    link.symlink_to(tmp_path / "elsewhere.yaml")
    assert CliRunner().invoke(main, ["init", "--kind", "budget", str(link)], env=ENV).exit_code == 2
    assert not (tmp_path / "elsewhere.yaml").exists()


def test_an_unknown_kind_lists_the_kinds_in_japanese():
    result = CliRunner().invoke(main, ["init", "--kind", "budgett", "--lang", "ja"], env=ENV, prog_name="plancheck")
    assert result.exit_code == 2
    assert "'--kind' の値が正しくありません: 'budgett' は" in result.output and "'kpi_sheet'" in result.output


def test_source_takes_any_citys_description_and_the_seed_stays_one_option():
    header = "plan: {id: x, title: t, municipality: 架空市, kind: statistics, source: %s}\n"
    for source in ("{url: 'https://www.city.example.lg.jp/a.pdf'}", "{file: 資料.pdf, pages: [[3, 5], 9, 資料編 2]}",
                   "{published: 2024-03-29}", "{published: 令和6年3月}", "{seed: a.txt, lines: [1, 20]}", "{}"):
        loaded = load_plan_text(header % source)
        assert loaded.findings == [], (source, loaded.findings)
    source = load_plan_text(header % "{file: 資料.pdf, pages: [[3, 5], 9], published: 2024-03-29}").model.plan.source
    assert source.pages == [(3, 5), 9] and source.published == "2024-03-29"
    for name in ("url", "file", "pages", "published", "seed"):
        assert Source.model_fields[name].description  # described in both languages: tests/test_schema.py
