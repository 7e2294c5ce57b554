"""A short run of the mutation fuzzer (the documented run is 100,000 inputs:
`python fuzz/fuzz.py --count 100000 --jobs 2`), and property tests: any bytes go through
the whole pipeline (the run the command line takes, and every reporter) without an
exception, and a generated plan whose totals and rates are consistent is reported clean,
however its numbers are written."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz.fuzz import Project, both_paths, check_one, mutate, seeds
from fuzz.fuzz import main as fuzz_main

# the fuzzer's smoke run and hundreds of generated examples: seconds each
pytestmark = pytest.mark.slow

@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return Project(tmp_path_factory.mktemp("fuzz-project"))


def test_fuzz_smoke(tmp_path):
    assert fuzz_main(["--count", "300", "--seed", "7", "--crashes", str(tmp_path)]) == 0
    assert not list(tmp_path.iterdir())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000), st.booleans())
def test_any_bytes_give_diagnostics_not_exceptions(project, data, diff):
    check_one(project, data, render_all=True, diff=diff)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("ab:- []{},&*!#'\"\n\t|>?%@`0123456789.△令和年度千円")), max_size=400))
def test_any_yaml_like_text_gives_diagnostics_not_exceptions(project, text):
    check_one(project, text.encode("utf-8"), render_all=True)


def test_an_input_in_the_plan_set_is_checked_with_it_as_context(project):
    """The fuzzer's inputs meet the cross-document rules: a file in the plan set that
    restates another document's baseline differently is an XDOC finding."""
    from checker.rules import load_ruleset

    bad = load_ruleset("recommended").rules["XDOC001"].docs["bad"]
    strategy = bad["strategy.yaml"].encode("utf-8")
    check_one(project, strategy)  # alone: checked, no exception (check_one asserts what a run must be)
    (project.directory / "plans" / "execution-plan.yaml").write_text(bad["execution-plan.yaml"], encoding="utf-8")
    try:
        codes = [d.code for d in project.check(strategy, with_context=True).diagnostics]
        assert "XDOC001" in codes
        assert "XDOC001" not in [d.code for d in project.check(strategy).diagnostics]
    finally:
        (project.directory / "plans" / "execution-plan.yaml").unlink()


def _written(value: int, style: int) -> str:
    """One integer written the ways plan files write it."""
    return [str(value), f'"{value:,}"', f'"{value:,} 千円"', f"{value}"][style % 4]


@st.composite
def consistent_plans(draw):
    themes = []
    for number in range(draw(st.integers(1, 4))):
        costs = draw(st.lists(st.integers(0, 10**9), min_size=1, max_size=12))
        styles = draw(st.lists(st.integers(0, 3), min_size=len(costs), max_size=len(costs)))
        items = "".join(f"        - {{no: {i + 1}, name: 事業{i + 1}, cost: {_written(cost, style)}}}\n"
                        for i, (cost, style) in enumerate(zip(costs, styles)))
        indicators = ""
        for index in range(draw(st.integers(0, 3))):
            target = draw(st.integers(1, 10**6))
            actual = draw(st.integers(0, 10**6))
            places = draw(st.integers(0, 2))
            rate = (Decimal(actual) / Decimal(target) * 100).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
            indicators += (f"      - {{name: 指標{index}, unit: 件, targets: {{令和3年度: {target}}}, "
                           f"actuals: {{令和3年度: {actual}}}, rates: {{令和3年度: {rate}%}}}}\n")
        themes.append(f"  - id: t{number}\n    title: テーマ{number}\n"
                      + (f"    indicators:\n{indicators}" if indicators else "")
                      + f"    projects:\n      unit: 千円\n      items:\n{items}"
                      + f"      total: {_written(sum(costs), draw(st.integers(0, 3)))}\n")
    header = ("plan: {id: x, title: t, municipality: 小平市, kind: policy_evaluation, "
              "period: {start: 令和3年度, end: 令和3年度}, as_of: 令和3年度, source: {seed: a.txt}}\n")
    return header + "themes:\n" + "".join(themes)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(consistent_plans())
def test_a_consistent_plan_is_clean(project, text):
    diagnostics = project.check(text.encode("utf-8")).diagnostics
    assert [(d.code, d.span.line, d.message["en"]) for d in diagnostics] == []


# --- the two parse paths (checker/fastload.py and the ruamel path) ----------------------

_SCALARS = ["1", "1.50", "-0.0", "+3", ".5", "5.", "1e3", "0x10", "0o17", "1_000", "030309", "-012", "0", "00",
            ".inf", "-.Inf", ".NaN", "true", "False", "yes", "off", "~", "null", "", "2022-01-01", "12:30", "a?b",
            "令和4年度", "△1,234", "1,234", "x y", "-", "#", "a#b", "a: b", "&a", "*a", "!t", "%", "@", "`", "'",
            '"', "\\", "\t", "\u2028", "\x85", "\x07", "☃", "no"]


@st.composite
def yaml_documents(draw, depth: int = 0):
    """YAML text of mappings and lists, block and flow, whose scalars are the ones plain
    scalars are typed by (numbers, booleans, nulls, codes) and the characters that break
    them, each plain, single- or double-quoted."""
    def scalar() -> str:
        text = draw(st.sampled_from(_SCALARS))
        style = draw(st.integers(0, 2))
        if style == 1:
            return "'" + text.replace("'", "''") + "'"
        if style == 2:
            return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return text

    def node(level: int, flow: bool) -> str:
        kind = draw(st.integers(0, 2)) if level < 3 else 0
        if kind == 0:
            return scalar()
        keys = [scalar() for _ in range(draw(st.integers(0, 4)))]
        if flow or draw(st.booleans()):
            if kind == 1:
                return "{" + ", ".join(f"{key}: {node(level + 1, True)}" for key in keys) + "}"
            return "[" + ", ".join(node(level + 1, True) for _ in keys) + "]"
        indent = "  " * (level + 1)
        if not keys:
            return "{}" if kind == 1 else "[]"
        if kind == 1:
            return "".join(f"\n{indent}{key}: {node(level + 1, False)}" for key in keys)
        return "".join(f"\n{indent}- {node(level + 1, True)}" for _ in keys)

    body = "".join(f"{scalar()}: {node(0, False)}\n" for _ in range(draw(st.integers(1, 5))))
    return ("plan: {id: x, title: t, municipality: 小平市, kind: policy_evaluation, "
            "period: {start: 令和3年度, end: 令和3年度}, as_of: 令和3年度, source: {seed: a.txt}}\n") + body


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(yaml_documents())
def test_both_parse_paths_agree_on_generated_yaml(text):
    both_paths(text.encode("utf-8"))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False))
def test_both_parse_paths_agree_on_mutated_seeds(rng):
    pool = seeds()
    both_paths(mutate(rng, rng.choice(pool), pool))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("ab:- []{},&*!#'\"\n\t|>?%@`0123456789.△令和年度千円")), max_size=400))
def test_both_parse_paths_agree_on_yaml_like_text(text):
    both_paths(text.encode("utf-8"))
