"""The fast parse path (checker/fastload.py: libyaml's events through PyYAML's C parser)
and the ruamel path give the same data, findings, spans, model, diagnostics and limit
decisions: on plans/, on the broken and hostile fixtures, on generated corpora, on what
the fast path must leave to the ruamel path, and (tests/test_fuzz.py) under the fuzzer.
Neither path is timed here (bench/parse.py measures them)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from checker import fastload, loader
from checker.engine import Engine
from checker.loader import Limits, LoadedFile
from fuzz.fuzz import both_paths
from tests.conftest import PLANS, ROOT, codes

DATA = ROOT / "tests" / "data"
HEADER = ("plan: {id: x, title: t, municipality: 小平市, kind: policy_evaluation, "
          "period: {start: 令和3年度, end: 令和3年度}, as_of: 令和3年度, source: {seed: a.txt}}\n")


def _yaml_under(directory: Path) -> list[Path]:
    return sorted(directory.rglob("*.yaml"))


@pytest.mark.parametrize("path", _yaml_under(PLANS), ids=lambda path: path.name)
def test_plans_take_the_fast_path_and_agree(path):
    assert both_paths(path.read_bytes(), name=str(path.relative_to(ROOT)))


def test_the_plan_set_gives_the_same_findings_on_both_paths(recommended, monkeypatch):
    """The 21 findings of plans/ (tests/test_real_data.py), the plan set's rules included,
    whichever path built the files."""
    def run(fast: bool):
        monkeypatch.setattr(loader, "FAST_PATH", fast)
        files = [loader.load_file(path, str(path.relative_to(ROOT))) for path in _yaml_under(PLANS)]
        return [(d.code, d.file, d.span, d.args, d.message, d.related) for d in Engine(recommended).run(files)]

    ruamel = run(False)
    assert len(ruamel) == 21
    assert run(True) == ruamel


FIXTURES = [path for folder in ("broken", "figures", "kinds", "mutation", "report", "tables")
            for path in _yaml_under(DATA / folder)]
# the fixtures whose every finding is the ruamel path's to make while it builds the data
LEFT_TO_RUAMEL = {"alias-bomb.yaml", "complex-key.yaml", "deep-nesting.yaml", "duplicate-key.yaml", "empty.yaml",
                  "leading-zero-code.yaml", "only-comments.yaml", "root-is-a-list.yaml", "syntax-bad-indent.yaml",
                  "syntax-tab-indent.yaml", "syntax-unclosed-bracket.yaml", "syntax-unclosed-quote.yaml",
                  "tag-custom.yaml", "tag-python-apply.yaml"}
NOT_TEXT = {"cp932.yaml", "euc-jp.yaml", "invalid-utf8-sequence.yaml", "latin-1.yaml", "nul-byte.yaml",
            "shift-jis.yaml", "utf-16-be-bom.yaml", "utf-16-le-bom.yaml", "utf-16-le-no-bom.yaml"}


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_fixtures_agree_and_the_unusual_ones_take_the_ruamel_path(path):
    fast = both_paths(path.read_bytes(), name=path.name)
    assert fast == (path.parent.name != "broken" or path.name not in LEFT_TO_RUAMEL | NOT_TEXT)


def test_a_generated_corpus_takes_the_fast_path_and_agrees(tmp_path):
    from bench.corpus import generate

    for path in generate(tmp_path / "plans", 40, seed=3):
        assert both_paths(path.read_bytes(), name=path.name), path.name


# What the fast path must never decide: each is the ruamel path's, with its finding at a
# place (or its data kept as the ruamel path keeps it).
UNUSUAL = {
    "anchor and alias": HEADER + "themes:\n  - &t {id: a, title: x}\n  - *t\n",
    "anchored scalar": HEADER + "note: &n text\nother: *n\n",
    "merge key": HEADER + "base: &b {unit: 千円}\nthemes:\n  - <<: *b\n    id: a\n    title: x\n",
    "undefined alias": HEADER + "themes: *nothing\n",
    "custom tag": HEADER + "themes: !include other.yaml\n",
    "standard tag": HEADER + "note: !!str 12\n",
    "non-specific tag": HEADER + "note: ! 12\n",
    "python tag": HEADER + "x: !!python/object/apply:os.system [echo]\n",
    "duplicate key": HEADER + "themes:\n  - id: a\n    title: x\n    title: y\n",
    "duplicate key in flow": HEADER + "x: {a: 1, a: 2}\n",
    "complex key": HEADER + "? [a, b]\n: c\n",
    "complex mapping key": HEADER + "x: {? {a: 1} : 2}\n",
    "leading zero value": HEADER + "themes:\n  - id: a\n    title: x\n    code: 030309\n",
    "leading zero key": HEADER + "x: {010: a}\n",
    "yaml 1.1 directive": "%YAML 1.1\n---\n" + HEADER + "x: yes\ny: 0o17\n",
    "tag directive": "%TAG !e! tag:example.com,2000:\n---\n" + HEADER,
    "two documents": HEADER + "---\nplan: {}\n",
    "empty": "",
    "comments only": "# nothing\n",
    "scalar root": "just text\n",
    "list root": "- a\n- b\n",
    "syntax error": HEADER + "themes:\n  - id: a\n   title: x\n",
    "unclosed quote": HEADER + 'x: "abc\n',
    "tab": HEADER + "x:\n\t- 1\n",
    "control character": HEADER + "x: a\x07b\n",
    "line separator": HEADER + "x: \u2028x\n",
    # ruamel.yaml.clib's libyaml refuses `:` and `?` in a plain scalar inside [...] or {...},
    # PyYAML's (0.2.5) reads them
    "colon in a flow scalar": HEADER + "x: [2022-01-01, 12:30]\n",
    "question mark in a flow scalar": HEADER + "x: {a: b?c}\n",
}


@pytest.mark.parametrize("text", UNUSUAL.values(), ids=UNUSUAL.keys())
def test_the_unusual_is_left_to_the_ruamel_path(text):
    assert not both_paths(text.encode("utf-8"))


# The usual that both paths type alike (YAML 1.2 core as plancheck reads it), on the fast path.
USUAL = {
    "numbers keep their digits": HEADER + "x: [1.50, -0.0, +3, .5, 5., 1e3, 0x10, 0o17, 1_000, 12,300]\n",
    "special numbers": HEADER + "x: [.inf, -.inf, +.inf, .NaN, .Inf]\n",
    "quoted stays text": HEADER + "x: ['1.50', \"030309\", 'true', \"~\", '']\n",
    "booleans and null": HEADER + "x: [true, True, TRUE, false, yes, no, on, off, ~, null, Null]\n",
    "empty values": HEADER + "x:\ny: {a: , b}\nz: [a, b, ]\n",
    "keys as written": HEADER + "x: {1: a, 1.0: b, true: c, null: d, ~: e, '2': f}\n",
    "block scalars": HEADER + "note: |\n  12\n  13\nother: >-\n  1.50\n",
    "comma number in flow": HEADER + "themes:\n  - id: a\n    title: x\n    projects:\n      unit: 千円\n"
                            "      items:\n        - {no: 1, name: a, cost: 12,300}\n      total: 12300\n",
    "unknown field": HEADER + "themes:\n  - id: a\n    titel: x\n",
    "wrong type": HEADER + "themes: {a: 1}\n",
    "dates and times as text": HEADER + "x: 2022-01-01\ny: 12:30\nz: [2022-01-01]\n",
    "unicode": HEADER + "note: 令和４年度　△1,234 ①\u3000x\n",
    "explicit document": "---\n" + HEADER + "...\n",
}


@pytest.mark.parametrize("text", USUAL.values(), ids=USUAL.keys())
def test_the_usual_takes_the_fast_path_and_agrees(text):
    assert both_paths(text.encode("utf-8"))


# Where libyaml changed between ruamel.yaml.clib's (0.1.7) and PyYAML's (0.2.x): each
# either refused by the newer (the ruamel path decides) or left to the ruamel path by the
# fast one; either way the two paths agree.
LIBYAML_CHANGES = {
    "a colon in a flow scalar (0.2.2)": HEADER + "x: {a:1}\n",
    "a JSON-like key": HEADER + 'x: {"a":1}\n',
    "a question mark in a flow scalar (0.2.5)": HEADER + "x: [a?b, ?c]\n",
    "%YAML 1.2 (0.2.3)": "%YAML 1.2\n---\n" + HEADER,
    "an escaped single quote in double quotes (0.2.1)": HEADER + 'x: "a\\\'b"\n',
    "an unindented closing single quote (0.2.2)": HEADER + "x:\n  y: 'a\nb'\n",
    "a byte order mark inside the text": HEADER + "x: a\ufeffb\n",
    "a local tag with a flow indicator (0.2.5)": HEADER + "x: [!a,b c]\n",
}


@pytest.mark.parametrize("text", LIBYAML_CHANGES.values(), ids=LIBYAML_CHANGES.keys())
def test_the_libyaml_versions_differences_agree(text):
    both_paths(text.encode("utf-8"))


LIMITS = [Limits(nodes=40), Limits(nodes=300), Limits(depth=3), Limits(depth=6), Limits(nodes=60, depth=4)]


@pytest.mark.parametrize("limits", LIMITS, ids=repr)
@pytest.mark.parametrize("path", [*_yaml_under(PLANS)[:2], DATA / "broken" / "alias-bomb.yaml",
                                  DATA / "broken" / "deep-nesting.yaml"], ids=lambda path: path.name)
def test_limit_decisions_are_the_same(path, limits):
    both_paths(path.read_bytes(), limits=limits)


def test_a_limit_near_is_left_to_the_ruamel_path():
    """Half the node or depth limit, and the ruamel path decides (and says where)."""
    text = (HEADER + "x: [" + ", ".join(["1"] * 30) + "]\n").encode("utf-8")
    assert both_paths(text)
    assert not both_paths(text, limits=Limits(nodes=60))
    deep = (HEADER + "x: " + "[" * 8 + "]" * 8 + "\n").encode("utf-8")
    assert both_paths(deep)
    assert not both_paths(deep, limits=Limits(depth=16))


def test_out_of_time_is_the_ruamel_paths_decision(monkeypatch):
    """A file whose time is spent before it is parsed: the LOAD011 at the file's start,
    its data not built, on either path."""
    text = _yaml_under(PLANS)[0].read_bytes()
    both_paths(text, limits=Limits(seconds=1e-9))
    monkeypatch.setattr(loader, "FAST_PATH", True)
    loaded = loader.load_bytes(LoadedFile(path=Path("a.yaml"), name="a.yaml"), text, Limits(seconds=1e-9))
    assert [finding.kind for finding in loaded.findings] == ["too_large"]


def _pending(loaded: LoadedFile) -> bool:
    assert loaded.index is not None
    return loaded.index.spans_pending


def test_spans_are_taken_from_ruamel_only_when_asked(monkeypatch):
    """A clean file built by the fast path is never indexed by ruamel; a finding's span
    is (lazily), and is the ruamel path's span."""
    calls: list[str] = []
    real = loader._index_of

    def indexed(loaded: LoadedFile) -> loader.SourceIndex:
        calls.append(loaded.name)
        return real(loaded)

    monkeypatch.setattr(loader, "_index_of", indexed)
    clean = loader.load_text(LoadedFile(path=Path("a.yaml"), name="a.yaml"),
                             HEADER + "themes:\n  - id: a\n    title: x\n")
    assert clean.findings == [] and clean.model is not None and calls == []
    assert _pending(clean)
    assert clean.span_of(("themes", 0, "title")) == loader.Span(4, 12, 4, 13)
    assert calls == ["a.yaml"] and not _pending(clean)
    bad = loader.load_text(LoadedFile(path=Path("b.yaml"), name="b.yaml"), HEADER + "themes:\n  - id: a\n    titel: x\n")
    [unknown] = [finding for finding in bad.findings if finding.kind == "unknown_field"]
    assert unknown.location.span == loader.Span(4, 5, 4, 10)
    assert calls == ["a.yaml", "b.yaml"]


def test_a_pickled_fast_file_goes_without_its_index_and_rebuilds_it():
    loaded = loader.load_text(LoadedFile(path=Path("a.yaml"), name="a.yaml"), HEADER + "themes:\n  - id: a\n    title: x\n")
    again = pickle.loads(pickle.dumps(loaded))
    assert again.index is None
    assert again.span_of(("themes", 0, "id")) == loader.Span(3, 9, 3, 10)
    assert again.data == loaded.data


@pytest.fixture
def without_libyaml(monkeypatch):
    """PyYAML missing, or built without libyaml (no wheel for the platform)."""
    monkeypatch.setattr(fastload, "_PARSER", False)


def test_without_libyaml_every_file_takes_the_ruamel_path(without_libyaml, recommended):
    assert not fastload.available()
    for path in [*_yaml_under(PLANS), DATA / "broken" / "duplicate-key.yaml"]:
        assert not both_paths(path.read_bytes(), name=path.name)
    files = [loader.load_file(path, str(path.relative_to(ROOT))) for path in _yaml_under(PLANS)]
    assert all(not file.index.spans_pending for file in files if file.index is not None)
    assert len(codes(Engine(recommended).run(files))) == 21


def test_the_missing_import_is_found_once(monkeypatch):
    """`available()` looks for PyYAML's C parser once, and an import error is no error."""
    import builtins

    monkeypatch.setattr(fastload, "_PARSER", None)
    real_import = builtins.__import__

    def refuse(name, *args, **kwargs):
        if name.startswith("yaml"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", refuse)
    assert not fastload.available()
    assert fastload._PARSER is False
    with pytest.raises(fastload.Fallback):
        fastload.build(HEADER, loader.DEFAULT_LIMITS, loader.Budget(loader.DEFAULT_LIMITS))
