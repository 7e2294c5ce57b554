"""`plancheck server` end to end, as an editor drives it: the server in a subprocess, spoken
to over its stdio by pygls's LanguageClient (tests/lsp_client.py). Edits the server offers
are applied by the client's own UTF-16 arithmetic, and sent back as changes."""

from __future__ import annotations

import asyncio
import time

import pytest

pytest.importorskip("pygls", reason="the lsp extra is not installed (pip install -e '.[lsp]')")

from lsprotocol import types

from checker.rules import load_ruleset
from tests.lsp_client import Client, apply, edits_of, utf16_column

pytestmark = pytest.mark.slow  # each test starts the server

HEADER = "plan: {id: x, title: t, municipality: 小平市, kind: policy_evaluation, source: {seed: a.txt}}\n"
# the stated total 4870 after a character outside the BMP on its line (𠮷: two UTF-16 units);
# a leading-zero code (LOAD007, a safe fix) on the line below another
TOTAL_LINE = "    projects: {unit: 千円, items: [{no: 1, name: 𠮷野事業, cost: 19}, {no: 2, name: 事業2, cost: 3851}], total: 4870}\n"
PLAN = HEADER + "themes:\n  - id: a\n    title: 𠮷の施策\n" + TOTAL_LINE + (
    "  - id: b\n    title: t\n    projects:\n      unit: 千円\n      items:\n"
    "        - {no: 1, name: 𠮷事業, code: 030309, cost: 5}\n      total: 5\n")


def _run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 240))


def _range_of(text: str, line: int, needle: str) -> tuple[int, int]:
    """The UTF-16 columns of `needle` on 0-based line `line`, computed here."""
    content = text.split("\n")[line]
    index = content.index(needle)
    return utf16_column(content, index), utf16_column(content, index + len(needle))


def _by_code(diagnostics: list[types.Diagnostic]) -> dict[str, types.Diagnostic]:
    return {str(d.code): d for d in diagnostics}


@pytest.fixture
def project(tmp_path):
    (tmp_path / "plans").mkdir()
    return tmp_path


def test_diagnostics_fix_suppression_and_hover(project):
    path = project / "plans" / "a.yaml"
    path.write_text("on disk: replaced by the open document\n", encoding="utf-8")

    async def scenario():
        client = Client(project)
        await client.start()
        try:
            uri = client.open(path, PLAN)
            version, found = await client.diagnostics(uri)
            assert version == 1
            codes = _by_code(found)
            assert set(codes) == {"TOT001", "LOAD007"}, found
            total = codes["TOT001"]
            start, end = _range_of(PLAN, 4, "4870")
            assert (total.range.start.line, total.range.start.character) == (4, start)
            assert (total.range.end.line, total.range.end.character) == (4, end)
            assert start == TOTAL_LINE.index("4870") + 1  # one unit more than characters: 𠮷
            assert total.severity == types.DiagnosticSeverity.Error and total.source == "plancheck"
            assert "total 4,870 千円 differs from the sum of its 2 items, 3,870 千円" in total.message
            related = total.related_information or []
            assert [(r.location.uri, r.location.range.start.line,
                     r.location.range.start.character, r.location.range.end.character) for r in related] == [
                (uri, 4, *_range_of(PLAN, 4, "19")), (uri, 4, *_range_of(PLAN, 4, "3851"))]

            # the safe fix, offered for LOAD007 and applied as the workspace edit says
            leading = codes["LOAD007"]
            assert (leading.range.start.line, leading.range.start.character) == (10, _range_of(PLAN, 10, "030309")[0])
            actions = await client.actions(uri, leading)
            fix = next(action for action in actions if action.title.startswith("Fix LOAD007"))
            assert fix.is_preferred and fix.kind == types.CodeActionKind.QuickFix
            text = apply(PLAN, edits_of(fix))
            assert text == PLAN.replace("code: 030309", 'code: "030309"')
            client.change(uri, edits_of(fix))
            version, found = await client.diagnostics(uri)
            assert version == 2 and set(_by_code(found)) == {"TOT001"}

            # the total's fix rewrites a printed figure (unsafe): not offered; a suppression is
            total = _by_code(found)["TOT001"]
            actions = await client.actions(uri, total)
            assert [action.title for action in actions] == ["Suppress TOT001 on this line (with a reason)"]
            edits = edits_of(actions[0])
            text = apply(text, edits)
            assert text.split("\n")[4] == TOTAL_LINE.rstrip("\n") + \
                "  # plancheck: ignore[TOT001] (write here why this finding is not a mistake)"
            client.change(uri, edits)
            version, found = await client.diagnostics(uri)
            assert version == 3 and found == []  # suppressed, and the suppression has its reason

            # hover on the stated total (diagnostics gone) is on the suppression's code instead
            comment_at = text.split("\n")[4].index("TOT001")
            hover = await client.hover(uri, types.Position(4, utf16_column(text.split("\n")[4], comment_at)))
            assert hover is not None and isinstance(hover.contents, types.MarkupContent)
            assert hover.contents.value.startswith("**TOT001** total\\-matches\\-items")
            assert "What it checks" in hover.contents.value and "sum of its items" in hover.contents.value
            assert await client.hover(uri, types.Position(0, 0)) is None
            assert path.read_text(encoding="utf-8") == "on disk: replaced by the open document\n"
        finally:
            await client.stop()

    _run(scenario())


def test_hover_on_a_finding_is_in_the_clients_language(project):
    path = project / "plans" / "a.yaml"

    async def scenario():
        client = Client(project, locale="ja")
        await client.start()
        try:
            uri = client.open(path, PLAN)
            _, found = await client.diagnostics(uri)
            total = _by_code(found)["TOT001"]
            assert total.message.startswith("合計 4,870 千円 が内訳 2 件の和 3,870 千円 と一致しません")
            hover = await client.hover(uri, total.range.start)
            assert hover is not None and isinstance(hover.contents, types.MarkupContent)
            assert "**TOT001**" in hover.contents.value and "検査内容" in hover.contents.value
        finally:
            await client.stop()

    _run(scenario())


def test_the_plan_set_on_disk_is_the_context_of_cross_document_rules(project):
    pair = load_ruleset("recommended").rules["XDOC001"].docs["bad"]
    (first, first_text), (second, second_text) = pair.items()
    (project / "plans" / first).write_text(first_text, encoding="utf-8")

    async def scenario():
        client = Client(project)
        await client.start()
        try:
            uri = client.open(project / "plans" / second, second_text)
            _, found = await client.diagnostics(uri)
            cross = _by_code(found)["XDOC001"]
            assert any(r.location.uri == (project / "plans" / first).as_uri()
                       for r in cross.related_information or [])
        finally:
            await client.stop()

    _run(scenario())


def test_a_configuration_change_reloads_and_an_error_in_it_is_a_diagnostic(project):
    path = project / "plans" / "a.yaml"
    config = project / "plancheck.toml"
    config.write_text('plans = ["plans"]\n', encoding="utf-8")

    async def scenario():
        client = Client(project)
        await client.start()
        try:
            uri = client.open(path, PLAN)
            _, found = await client.diagnostics(uri)
            assert set(_by_code(found)) == {"TOT001", "LOAD007"}
            config.write_text('plans = ["plans"]\nignore = ["TOT001"]\n', encoding="utf-8")
            client.files_changed(config)
            _, found = await client.diagnostics(uri)
            assert set(_by_code(found)) == {"LOAD007"}
            config.write_text('plans = ["plans"\n', encoding="utf-8")  # not TOML
            client.files_changed(config)
            _, found = await client.diagnostics(uri)
            assert len(found) == 1 and found[0].range.start == types.Position(0, 0)
            assert "plancheck.toml" in found[0].message and "Traceback" not in found[0].message
            # a ruleset the configuration names: changing it reloads too
            (project / "local.yaml").write_text("extends: recommended\nrules:\n  LOAD007: {severity: off}\n",
                                                encoding="utf-8")
            config.write_text('plans = ["plans"]\nrulesets = ["local.yaml"]\n', encoding="utf-8")
            client.files_changed(config)
            _, found = await client.diagnostics(uri)
            assert set(_by_code(found)) == {"TOT001"}
            (project / "local.yaml").write_text("extends: recommended\nrules:\n  TOT001: {severity: off}\n",
                                                encoding="utf-8")
            client.files_changed(project / "local.yaml")
            _, found = await client.diagnostics(uri)
            assert set(_by_code(found)) == {"LOAD007"}
            # saving the ruleset in the editor reloads it too (no file watcher needed)
            (project / "local.yaml").write_text("extends: recommended\nrules:\n  TOT001: {severity: off}\n"
                                                "  LOAD007: {severity: off}\n", encoding="utf-8")
            client.client.text_document_did_save(types.DidSaveTextDocumentParams(
                text_document=types.TextDocumentIdentifier(uri=(project / "local.yaml").as_uri())))
            _, found = await client.diagnostics(uri)
            assert found == []
            # a file the configuration excludes: no diagnostics at all
            config.write_text('plans = ["plans"]\nextend-exclude = ["a.yaml"]\n', encoding="utf-8")
            client.files_changed(config)
            _, found = await client.diagnostics(uri)
            assert found == []
        finally:
            await client.stop()

    _run(scenario())


def test_changes_are_debounced_and_the_latest_text_is_published(project):
    path = project / "plans" / "a.yaml"

    async def scenario():
        client = Client(project)
        await client.start()
        try:
            uri = client.open(path, PLAN)
            await client.diagnostics(uri)
            # three quick changes: one check, of the last text (version 4), published once
            client.replace(uri, PLAN.replace("total: 4870", "total: 4871"))
            client.replace(uri, PLAN.replace("total: 4870", "total: 4872"))
            fixed = PLAN.replace("total: 4870", "total: 3870")
            started = time.monotonic()
            client.replace(uri, fixed)
            version, found = await client.diagnostics(uri)
            assert version == 4 and set(_by_code(found)) == {"LOAD007"}
            assert time.monotonic() - started >= 0.25  # the debounce waited
            with pytest.raises(TimeoutError):
                await client.diagnostics(uri, timeout=1.5)
        finally:
            await client.stop()

    _run(scenario())


def test_positions_follow_the_encoding_the_client_asks_for(project):
    path = project / "plans" / "a.yaml"

    async def scenario():
        client = Client(project, encodings=["utf-8", "utf-16"])
        await client.start()
        try:
            uri = client.open(path, PLAN)
            _, found = await client.diagnostics(uri)
            total = _by_code(found)["TOT001"]
            before = TOTAL_LINE[:TOTAL_LINE.index("4870")]
            assert total.range.start == types.Position(4, len(before.encode("utf-8")))
        finally:
            await client.stop()

    _run(scenario())


@pytest.mark.parametrize("failure", [RuntimeError("boom"), KeyError("x")])
def test_an_internal_error_is_a_diagnostic_not_a_traceback(project, monkeypatch, failure):
    """In this process: the server's check with the run failing inside."""
    import checker.run
    from checker.server import build_server

    def broken(prepared, progress=None):
        raise failure

    monkeypatch.chdir(project)
    monkeypatch.setattr(checker.run, "execute", broken)
    server = build_server("en")
    path = project / "plans" / "a.yaml"
    checked, published = server.check(path.as_uri(), path, PLAN, 1, {path: PLAN})
    assert checked.diagnostics == []
    assert len(published) == 1 and published[0].range.start == types.Position(0, 0)
    assert published[0].message.startswith("plancheck internal error (a bug; please report it): ")
    assert type(failure).__name__ in published[0].message


def test_a_yaml_file_that_is_not_a_plan_gets_no_plan_diagnostics(project):
    """An editor sends the server every YAML file it opens: a ruleset opened before any plan,
    a workflow or .pre-commit-config.yaml is not a plan and gets no LOAD005/LOAD008; a file of
    the plan set being written, without its `plan` key yet, is told what it lacks."""
    (project / "plancheck.toml").write_text('plans = ["plans"]\nrulesets = ["local.yaml"]\n', encoding="utf-8")
    ruleset = project / "local.yaml"
    ruleset.write_text("extends: recommended\nrules:\n  LOAD007: {severity: off}\n", encoding="utf-8")
    hook = project / ".pre-commit-config.yaml"
    hook.write_text("repos: []\n", encoding="utf-8")
    elsewhere = project / "notes" / "plan.yaml"
    elsewhere.parent.mkdir()

    async def scenario():
        client = Client(project)
        await client.start()
        try:
            for path in (ruleset, hook):
                _, found = await client.diagnostics(client.open(path, path.read_text(encoding="utf-8")))
                assert found == [], (path.name, found)
            # outside the plan set but a plan by its text: checked
            _, found = await client.diagnostics(client.open(elsewhere, PLAN))
            assert set(_by_code(found)) == {"TOT001"}  # LOAD007 is off in the ruleset
            # in the plan set without a plan key yet: what it lacks is said
            draft = project / "plans" / "draft.yaml"
            _, found = await client.diagnostics(client.open(draft, "themes: []\n"))
            assert "LOAD008" in _by_code(found)
        finally:
            await client.stop()

    _run(scenario())
