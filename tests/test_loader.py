"""Bad input becomes a located diagnostic, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from checker.engine import Engine
from checker.loader import load_file
from tests.conftest import check_text

HEADER = "plan: {id: x, title: t, municipality: 小平市, kind: policy_evaluation, source: {seed: a.txt}}\n"


def _only(diagnostics, code):
    found = [d for d in diagnostics if d.code == code]
    assert found, [d.code for d in diagnostics]
    return found[0]


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("plan:\n  id: x\n\ttitle: t\n", 3, 1),  # a tab where indentation is expected
        ("plan:\n  id: x\n title: t\n", 3, 2),  # bad indentation
        ('plan: {id: "x, title: t}\n', 1, 12),  # unclosed quote: where it opens
        ("plan: {id: x, title: [t}\n", 1, 22),  # unclosed bracket: where it opens
    ],
)
def test_syntax_errors_are_located(recommended, text, line, column):
    diagnostic = _only(check_text(recommended, text), "LOAD001")
    assert (diagnostic.span.line, diagnostic.span.column) == (line, column)
    assert "YAML" in diagnostic.message["ja"] and "YAML syntax error" in diagnostic.message["en"]


def test_duplicate_key_points_at_the_second(recommended):
    diagnostic = _only(check_text(recommended, HEADER + "themes:\n  - id: a\n    title: x\n    title: y\n"), "LOAD003")
    assert (diagnostic.span.line, diagnostic.span.column) == (5, 5)
    assert diagnostic.args == {"key": "title", "first_line": 4}


def test_unknown_field_suggests_the_closest(recommended):
    diagnostic = _only(check_text(recommended, HEADER + "themes:\n  - id: a\n    titel: x\n"), "LOAD005")
    assert (diagnostic.span.line, diagnostic.span.column) == (4, 5)
    assert "did you mean title?" in diagnostic.message["en"]
    assert "「title」" in diagnostic.message["ja"]


def test_wrong_type_is_located(recommended):
    diagnostic = _only(check_text(recommended, HEADER + "themes:\n  - id: a\n    title: x\n    indicators: 5\n"), "LOAD006")
    assert diagnostic.span.line == 5
    assert diagnostic.message["ja"] and diagnostic.message["en"]


def test_missing_field(recommended):
    diagnostic = _only(check_text(recommended, HEADER + "themes:\n  - id: a\n"), "LOAD008")
    assert diagnostic.args["field"] == "title"


def test_unquoted_leading_zero_code(recommended):
    text = HEADER + "themes:\n  - id: a\n    title: x\n    projects:\n      unit: 千円\n      items:\n        - {name: n, code: 030309, cost: 1}\n"
    diagnostics = check_text(recommended, text)
    diagnostic = _only(diagnostics, "LOAD007")
    assert (diagnostic.span.line, diagnostic.span.column) == (8, 27)
    assert diagnostic.args == {"text": "030309"}
    assert [d.code for d in diagnostics] == ["LOAD007"]  # the code survives as text: nothing else breaks


def test_unsafe_tag_is_reported_not_run(recommended, tmp_path):
    marker = tmp_path / "ran"
    text = f"plan: !!python/object/apply:os.system ['touch {marker}']\n"
    diagnostic = _only(check_text(recommended, text), "LOAD004")
    assert diagnostic.args["tag"] == "!!python/object/apply:os.system"  # as written
    assert not marker.exists()


def test_era_year_mismatch(recommended):
    text = "plan: {id: x, title: t, municipality: m, kind: activity_plan, period: {start: 令和元(2019)年度, end: 令和9(2028)年度}, source: {seed: a}}\n"
    diagnostic = _only(check_text(recommended, text), "YEAR005")
    assert diagnostic.message["en"] == "令和9(2028)年度: the era year (FY2027) and the western year (2028) disagree"
    assert diagnostic.span.line == 1


@pytest.mark.parametrize(("text", "code"), [("", "LOAD009"), ("# only a comment\n", "LOAD009"), ("- a\n- b\n", "LOAD010")])
def test_empty_and_non_mapping(recommended, text, code):
    assert [d.code for d in check_text(recommended, text)] == [code]


def test_alias_bomb_is_bounded(recommended):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    diagnostic = _only(check_text(recommended, "\n".join(lines) + "\n"), "LOAD011")
    assert diagnostic.message["en"] == "the input exceeds a limit (node count: 200,000)"
    assert diagnostic.message["ja"] == "入力が上限を超えています（ノード数: 200,000）"


def test_deep_nesting_is_bounded(recommended):
    text = "a: " + "[" * 500 + "]" * 500 + "\n"
    _only(check_text(recommended, text), "LOAD011")


@pytest.mark.slow
@pytest.mark.parametrize("text", [
    "a: " + "[" * 200_000 + "]" * 200_000 + "\n",
    "a: " + "{a: " * 100_000 + "}" * 100_000 + "\n",
    "- " * 100_000 + "x\n",
], ids=["flow-sequences", "flow-mappings", "block-sequences"])
def test_nesting_that_crashed_the_c_composer_is_a_diagnostic(tmp_path, text):
    # ruamel.yaml's C composer recurses in C: 100,000 levels killed the process with
    # SIGSEGV before the loader built from parser events with its own stack
    path = tmp_path / "deep.yaml"
    path.write_text(text, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "checker", "--isolated", "--format", "concise", "--lang", "en",
                             str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert result.stdout.strip().endswith("LOAD011 [error] the input exceeds a limit (nesting depth: 100)")


@pytest.mark.slow
def test_limits_are_configurable_and_each_is_named(tmp_path):
    from checker.loader import Limits

    path = tmp_path / "plan.yaml"
    path.write_text(HEADER + "themes:\n  - {id: a, title: b, indicators: [{name: n, targets: {R3: [[[1]]]}}]}\n",
                    encoding="utf-8")
    recommended_limits = [
        (Limits(file_bytes=100), "file size: 100 bytes", "ファイルの大きさ: 100 バイト"),
        (Limits(nodes=10), "node count: 10", "ノード数: 10"),
        (Limits(depth=5), "nesting depth: 5", "入れ子の深さ: 5"),
        (Limits(seconds=1e-9), "time to check one file: 0.000000001 s", "1 ファイルの検査時間: 0.000000001 秒"),
    ]
    from checker.rules import load_ruleset

    ruleset = load_ruleset("recommended")
    for limits, english, japanese in recommended_limits:
        diagnostics = Engine(ruleset).run([load_file(path, "plan.yaml", limits)])
        assert [d.code for d in diagnostics] == ["LOAD011"]
        assert english in diagnostics[0].message["en"] and japanese in diagnostics[0].message["ja"]
    (tmp_path / "plancheck.toml").write_text("[limits]\ndepth = 5\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "checker", "--format", "concise", "--lang", "en", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "(nesting depth: 5)" in result.stdout
    (tmp_path / "plancheck.toml").write_text("[limits]\ndpeth = 5\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "checker", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "unknown limit dpeth (did you mean depth?)" in result.stderr


def _load(path: Path, recommended):
    return Engine(recommended).run([load_file(path, path.name)])


@pytest.mark.parametrize(
    ("data", "encoding_named"),
    [
        ("plan: {id: x, title: 施策評価}\n".encode("cp932"), "Shift_JIS/CP932"),
        ("plan: {id: x, title: 施策評価}\n".encode("euc_jp"), "EUC-JP"),
        ("plan: {id: x, title: 施策評価}\n".encode("utf-16"), "UTF-16"),
        ("plan: {id: x, title: café}\n".encode("latin-1"), "Latin-1"),
        (b"plan: {id: x\x00}\n", "NUL"),
    ],
)
def test_non_utf8_names_the_encoding(recommended, tmp_path, data, encoding_named):
    path = tmp_path / "plan.yaml"
    path.write_bytes(data)
    diagnostic = _only(_load(path, recommended), "LOAD002")
    assert encoding_named in diagnostic.message["en"] and encoding_named in diagnostic.message["ja"]


def test_utf8_bom_is_accepted(recommended, tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + HEADER.encode())
    assert _load(path, recommended) == []


def test_directory_and_dangling_link_are_unreadable(recommended, tmp_path):
    (tmp_path / "dir.yaml").mkdir()
    os.symlink(tmp_path / "nowhere", tmp_path / "link.yaml")
    for name in ("dir.yaml", "link.yaml"):
        diagnostic = _only(_load(tmp_path / name, recommended), "LOAD012")
        assert diagnostic.span.line == 1


@pytest.mark.slow
def test_cli_never_prints_a_traceback(tmp_path):
    bad = {
        "tab.yaml": b"plan:\n\tid: x\n",
        "sjis.yaml": "plan: 施策\n".encode("cp932"),
        # a plan (a file without a top-level `plan:` is not searched for: it is skipped, with a note)
        "bomb.yaml": b"plan: bomb\na: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n",
        "inf.yaml": (HEADER + "themes:\n  - {id: a, title: b, indicators: [{name: n, targets: {R3: .inf}, rates: {R3: .nan}}]}\n").encode(),
        "ok.yaml": HEADER.encode(),
    }
    for name, data in bad.items():
        (tmp_path / name).write_bytes(data)
    os.symlink(tmp_path / "nowhere", tmp_path / "dangling.yaml")
    result = subprocess.run([sys.executable, "-m", "checker", "--format", "concise", str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 1
    reported = {line.split(":")[0].rsplit("/", 1)[-1] for line in result.stdout.splitlines()}
    assert reported == {"tab.yaml", "sjis.yaml", "bomb.yaml", "inf.yaml", "dangling.yaml"}  # one bad file never stops the others


def test_a_pickled_file_goes_without_its_index_and_rebuilds_the_same():
    """The source index is most of a loaded file; the cache and worker processes send it
    without, and a diagnostic that needs a span gets the same one from the text."""
    import pickle

    path = next(Path(__file__).parent.parent.glob("plans/**/*.yaml"))
    loaded = load_file(path)
    assert loaded.model is not None and len(loaded.spans) > 100
    with_index = len(pickle.dumps(loaded.__dict__))
    sent = pickle.loads(pickle.dumps(loaded))
    assert sent.index is None and len(pickle.dumps(loaded)) < with_index / 2
    assert sent.model == loaded.model and sent.findings == loaded.findings
    assert sent.spans == loaded.spans and sent.key_spans == loaded.key_spans and sent.data == loaded.data
    deepest = max(loaded.spans, key=len)
    assert sent.span_of(deepest) == loaded.span_of(deepest)


def test_a_file_that_went_past_a_limit_is_never_parsed_again():
    """Rebuilding an index has no limits (the text passed them once), so a file that did
    not pass keeps its empty index through a pickle: an alias bomb is not set off twice."""
    import pickle

    from checker.loader import Limits, LoadedFile, load_text

    bomb = "a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    loaded = load_text(LoadedFile(path=Path("bomb.yaml"), name="bomb.yaml"), bomb, Limits(nodes=500))
    assert [finding.kind for finding in loaded.findings] == ["too_large"]
    sent = pickle.loads(pickle.dumps(loaded))
    assert sent.index is not None and sent.spans == {} and sent.data is None
