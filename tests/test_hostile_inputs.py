"""Plan files from a repository plancheck does not control, built the way an attacker would:
a FIFO where a plan should be (a reader would wait for ever), a link to a device (/dev/zero
never ends), a Unix socket, a symbolic link to a file outside the project (its contents
would reach the report), a plan that takes too long, and globs that backtrack.

Each case asserts the exit code, the code and location of the diagnostic, that the run
finishes within a timeout, and that nothing outside the temporary project was read: the
outside file's contents appear in no output format.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from checker.engine import Engine
from checker.loader import Limits, read_file
from checker.rules import load_ruleset
from tests.test_broken_input import GOOD_PLAN

TIMEOUT = 60  # seconds for one CLI run: a hang is a failure, never a stuck suite
FORMATS = ("full", "concise", "json", "sarif", "github", "junit")
# in the outside file, on a line with a syntax error: a report that read it would show it
SECRET = "SECRET-token-4f1c9a"
RULESET = load_ruleset("recommended")


def _within(seconds: float, work):
    """`work()`'s result, or a failure when it does not return within `seconds` (a read that
    blocks on a FIFO never returns; the thread is a daemon, so the suite still ends)."""
    outcome: list = []
    thread = threading.Thread(target=lambda: outcome.append(work()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"did not finish within {seconds} s"
    return outcome[0]


@pytest.fixture
def project(tmp_path):
    """A project (its configuration at the top) with one good plan, and beside it, outside
    the project, a file with a secret in it."""
    root = tmp_path / "project"
    (root / "plans").mkdir(parents=True)
    (root / "plancheck.toml").write_text('plans = ["plans"]\n', encoding="utf-8")
    (root / "plans" / "good.yaml").write_text(GOOD_PLAN, encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(f"plan:\n  id: [{SECRET}\n", encoding="utf-8")
    return root


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "GITHUB_ACTIONS": ""}
    result = subprocess.run([sys.executable, "-m", "checker", "--no-cache", *args], cwd=cwd, capture_output=True,
                            text=True, timeout=TIMEOUT, env=env, stdin=subprocess.DEVNULL)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def _json(cwd: Path, *args: str) -> tuple[int, list[tuple[str, str, int, int]]]:
    result = _cli(cwd, "--format", "json", "--lang", "en", *args)
    document = json.loads(result.stdout)
    return result.returncode, sorted((Path(d["file"]).name, d["code"], d["line"], d["column"])
                                     for d in document["diagnostics"])


def _loaded_diagnostics(path: Path, root: Path | None = None, limits: Limits | None = None):
    loaded, raw = read_file(path, path.name, limits, root)
    assert raw is None
    return Engine(RULESET).run([loaded])


# --- plan files are regular files only ----------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_plan_is_reported_never_opened(project):
    fifo = project / "plans" / "pipe.yaml"
    os.mkfifo(fifo)
    # opened for reading, a FIFO with no writer blocks for ever: this must return at once
    [diagnostic] = _within(10, lambda: _loaded_diagnostics(fifo))
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("LOAD015", 1, 1)
    assert "named pipe (FIFO)" in diagnostic.message["en"] and "名前付きパイプ" in diagnostic.message["ja"]


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_plan_in_a_project_run(project):
    os.mkfifo(project / "plans" / "pipe.yaml")
    # found by the walk and named directly: reported, and the good plan is still checked
    for named in ((), ("plans",), ("plans/pipe.yaml", "plans/good.yaml")):
        code, found = _json(project, *named)
        assert (code, found) == (1, [("pipe.yaml", "LOAD015", 1, 1)])


def test_links_to_devices_are_reported_never_read(project):
    # /dev/zero never ends and /dev/null is empty: neither is a plan, and neither is read
    for device in ("/dev/zero", "/dev/null"):
        if not Path(device).exists():
            pytest.skip(f"no {device} here")
        link = project / "plans" / f"{Path(device).name}.yaml"
        link.symlink_to(device)
        [diagnostic] = _within(10, lambda link=link: _loaded_diagnostics(link, project))
        assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("LOAD015", 1, 1)
        assert "character device" in diagnostic.message["en"] and "キャラクタデバイス" in diagnostic.message["ja"]


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no Unix sockets here")
def test_a_socket_plan_is_reported(project):
    path = project / "plans" / "socket.yaml"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listening:
        listening.bind(str(path))
        [diagnostic] = _within(10, lambda: _loaded_diagnostics(path))
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("LOAD015", 1, 1)
    assert "a socket" in diagnostic.message["en"] and "ソケット" in diagnostic.message["ja"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_swapped_in_after_the_check_is_not_read(project, monkeypatch):
    """The path is a regular file when it is checked and a FIFO when it is opened: the
    descriptor is checked again (and opened without blocking), so it is refused."""
    from checker import loader

    path = project / "plans" / "swapped.yaml"
    path.write_text(GOOD_PLAN, encoding="utf-8")
    real_check = loader._check_regular
    checks: list[os.stat_result] = []

    def check_then_swap(status):
        real_check(status)
        if not checks:
            path.unlink()
            os.mkfifo(path)
        checks.append(status)

    monkeypatch.setattr(loader, "_check_regular", check_then_swap)
    [diagnostic] = _within(10, lambda: _loaded_diagnostics(path))
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("LOAD015", 1, 1)
    assert len(checks) == 1  # the second check (on the descriptor) refused it


def test_a_read_is_capped_at_the_size_limit(project, monkeypatch):
    """A file that grows after its size was taken is never read past the limit."""
    from checker import loader

    path = project / "plans" / "growing.yaml"
    path.write_text(GOOD_PLAN, encoding="utf-8")
    asked = []
    real_read_capped = loader._read_capped

    def read_capped(descriptor, cap):
        asked.append(cap)
        with path.open("a", encoding="utf-8") as grow:
            grow.write("# more\n" * 10_000)
        return real_read_capped(descriptor, cap)

    monkeypatch.setattr(loader, "_read_capped", read_capped)
    limit = len(GOOD_PLAN.encode()) + 100
    [diagnostic] = _loaded_diagnostics(path, limits=Limits(file_bytes=limit))
    assert asked == [limit + 1]
    assert (diagnostic.code, diagnostic.span.line) == ("LOAD011", 1)
    assert f"file size: {limit:,} bytes" in diagnostic.message["en"]


# --- a symbolic link out of the project ------------------------------------------------------

def test_a_link_out_of_the_project_is_reported_never_read(project, monkeypatch):
    from checker import loader

    link = project / "plans" / "stolen.yaml"
    link.symlink_to(project.parent / "outside" / "secret.yaml")
    opened = []
    real_open = os.open

    def recording_open(file, *args, **kwargs):
        opened.append(file)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", recording_open)
    loaded, raw = loader.read_file(link, "plans/stolen.yaml", root=project)
    assert raw is None and loaded.text is None and opened == []
    [diagnostic] = Engine(RULESET).run([loaded])
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("LOAD016", 1, 1)
    assert "outside the project" in diagnostic.message["en"] and "プロジェクト" in diagnostic.message["ja"]
    assert SECRET not in json.dumps(diagnostic.message, ensure_ascii=False)
    # a link that stays inside the project is a plan like any other
    inside = project / "plans" / "alias.yaml"
    inside.symlink_to(project / "plans" / "good.yaml")
    loaded, raw = loader.read_file(inside, "plans/alias.yaml", root=project)
    assert raw == GOOD_PLAN.encode() and Engine(RULESET).run([loader.load_bytes(loaded, raw)]) == []
    # a link that is itself outside the project was named by the user: read where it leads
    named = project.parent / "outside" / "named.yaml"
    named.symlink_to(project / "plans" / "good.yaml")
    assert loader.read_file(named, "named.yaml", root=project)[1] == GOOD_PLAN.encode()


@pytest.mark.slow
def test_a_link_out_of_the_project_shows_nothing_of_it_in_any_format(project):
    (project / "plans" / "stolen.yaml").symlink_to(project.parent / "outside" / "secret.yaml")
    # a directory link too: its files named through it lead out of the project as well
    (project / "plans" / "shared").symlink_to(project.parent / "outside", target_is_directory=True)
    for named in ((), ("plans/stolen.yaml", "plans/shared/secret.yaml")):
        for output_format in FORMATS:
            result = _cli(project, "--format", output_format, *named)
            assert result.returncode == 1, result.stdout + result.stderr
            assert SECRET not in result.stdout + result.stderr, output_format
            assert "LOAD016" in result.stdout
    code, found = _json(project, "plans/stolen.yaml", "plans/shared/secret.yaml")
    assert (code, found) == (1, [("secret.yaml", "LOAD016", 1, 1), ("stolen.yaml", "LOAD016", 1, 1)])
    # with no configuration the project is the working directory
    (project / "plancheck.toml").unlink()
    code, found = _json(project, "plans")
    assert (code, found) == (1, [("stolen.yaml", "LOAD016", 1, 1)])


# --- the time limit bounds all of a file's work ----------------------------------------------

def _large_plan(themes: int) -> str:
    """A plan of `themes` copies of GOOD_PLAN's theme, each with its own id, and in each one
    unknown field (a validation error, so validation and salvage have work too)."""
    header, theme = GOOD_PLAN.split("themes:\n")
    copies = [theme.replace("II-4-11", f"II-4-{number}").replace("employment-transition-users", f"users-{number}")
              .replace("    assessment:", "    colour: red\n    assessment:") for number in range(themes)]
    return header + "themes:\n" + "".join(copies)


def _timed_load(text: str, limits: Limits):
    import time

    from checker.loader import LoadedFile, load_bytes

    start = time.monotonic()
    loaded = load_bytes(LoadedFile(path=Path("large.yaml"), name="large.yaml"), text.encode(), limits)
    return loaded, time.monotonic() - start


def _time_limit(diagnostics) -> list:
    return [d for d in diagnostics if d.code == "LOAD011" and "time to check one file" in d.message["en"]]


def test_the_time_limit_covers_validation_and_salvage(monkeypatch):
    """Past the parse (which already checked the clock), the budget still runs: validation
    that takes too long is a LOAD011 at 1:1; the errors validation found so far stand."""
    from checker import loader

    real_report = loader._report_validation

    def slow_report(loaded, problem):
        import time

        time.sleep(0.05)
        real_report(loaded, problem)

    text = _large_plan(200)
    _, unhindered = _timed_load(text, Limits())
    # twice the whole work as it is, and a second more: the parse passes, the slow reports
    # (200 unknown fields: 10 s of them) do not
    seconds = round(2 * unhindered + 1.0, 1)  # room for a machine that is busy
    monkeypatch.setattr(loader, "_report_validation", slow_report)
    loaded, took = _within(60, lambda: _timed_load(text, Limits(seconds=seconds)))
    assert took < seconds + 2.0, (took, seconds)  # stopped near the limit, not after every report
    kinds = [finding.kind for finding in loaded.findings]
    assert kinds[-1] == "too_large" and 0 < kinds.count("unknown_field") < 200, kinds
    assert loaded.model is None  # no rule runs on a model that was not finished
    diagnostics = Engine(RULESET).run([loaded])
    [limit] = _time_limit(diagnostics)
    assert (limit.span.line, limit.span.column) == (1, 1)
    _, value = Limits(seconds=seconds).describe("time")
    assert f"time to check one file: {value.en}" in limit.message["en"]
    assert f"1 ファイルの検査時間: {value.ja}" in limit.message["ja"]
    assert {d.code for d in diagnostics} == {"LOAD005", "LOAD011"}


def test_a_tiny_time_limit_on_a_large_generated_plan():
    text = _large_plan(400)
    loaded, took = _within(60, lambda: _timed_load(text, Limits()))
    assert [finding.kind for finding in loaded.findings].count("unknown_field") == 400 and loaded.model is not None
    # a third of what the whole work took: it stops wherever it is, reports the limit, and
    # takes not much more than the limit
    limit = max(took / 3, 0.01)
    loaded, took_limited = _within(60, lambda: _timed_load(text, Limits(seconds=limit)))
    assert took_limited < limit + 2.0, (took_limited, limit)
    diagnostics = Engine(RULESET).run([loaded])
    assert len(_time_limit(diagnostics)) == 1
    assert loaded.model is None


def test_a_slow_rule_is_stopped_by_the_files_time_limit(monkeypatch):
    """The file's own rules share its time: a rule that is slow on every target is stopped
    between targets (and between rules); what the rules found before stands."""
    import time

    from checker.run import RunOptions, run

    path = Path(__file__).parent / "data" / "broken" / "unknown-field.yaml"
    full = run(RunOptions(paths=(str(path),), isolated=True, no_cache=True))
    assert {d.code for d in full.diagnostics} >= {"LOAD005", "YEAR001", "RATE006"}
    calls = []
    real_run_contained = Engine._run_contained

    def slow_after_the_first(self, spec, target, rule, home, budget=None):
        if budget is None:  # the plan set's rules: not one file's work
            return real_run_contained(self, spec, target, rule, home, budget)
        calls.append(rule.code)
        if len(calls) > 1:
            time.sleep(0.2)
        return real_run_contained(self, spec, target, rule, home, budget)

    monkeypatch.setattr(Engine, "_run_contained", slow_after_the_first)
    limited = _within(60, lambda: _run_with_limits(path, Limits(seconds=0.5)))
    found = [(d.code, d.span.line, d.span.column) for d in limited.diagnostics]
    assert ("LOAD011", 1, 1) in found and ("LOAD005",) in [item[:1] for item in found]
    assert 2 <= len(calls) <= 5  # the first check and the slow ones before the time ran out
    [limit] = _time_limit(limited.diagnostics)
    assert "0.5 s" in limit.message["en"]
    # everything else it reports, the full run reports too: nothing invented by the stop
    everything = {(d.code, d.span.line, d.span.column) for d in full.diagnostics}
    assert set(found) - {("LOAD011", 1, 1)} <= everything
    assert limited.failed


def _run_with_limits(path: Path, limits: Limits):
    """A run of the file, as the CLI runs it, with these limits."""
    from dataclasses import replace

    from checker.run import RunOptions, execute, prepare

    prepared = prepare(RunOptions(paths=(str(path),), isolated=True, no_cache=True))
    return execute(prepared._replace(settings=replace(prepared.settings, limits=limits)))


# --- exclude and per-file-ignores globs are matched in linear time ---------------------------

# Patterns and paths made to defeat a backtracking matcher: pathspec's regular expression for
# `*a*a*a*a*b` takes 15 s on 250 `a`s, and each further star multiplies that.
ADVERSARIAL = [
    ("*a*a*a*a*b", "a" * 250, False),
    ("*a*a*a*a*b", "a" * 250 + "b", True),
    ("*a*a*a*a*a*a*a*a*a*a*b", "a" * 10_000, False),
    ("**/a/**/a/**/a/**/a/**/b", "a/" * 5_000, False),
    ("**/a/**/a/**/a/**/a/**/b", "a/" * 5_000 + "b", True),
    ("**/**/**/**/a", "x/" * 5_000, False),
    ("**/**/**/**/a", "x/" * 5_000 + "a", True),
    ("a*[!b]*a*?*a*b/**/c*a*a*d", "/".join(["a" * 200] * 50), False),
]
GLOB_PATTERNS = ["*.yaml", "plans/*.yaml", "/plans", "plans/", "drafts/", "**/old/*.yml", "a/**", "a/**/b", "**/b",
                 "*_draft.yaml", "[ab]*.yaml", "[!a]*.yaml", "x?.yaml", "!keep.yaml", "a/b/", "/a/*/c", "b",
                 "\\#x.yaml", "*.y*ml", "c/**/*.yaml", "a*b*c*.yaml", "# a comment", "", "plans/**/x.yaml"]
GLOB_PATHS = ["a.yaml", "plans/a.yaml", "plans/sub/a.yaml", "plans/", "drafts/", "x/drafts/", "x/drafts/a.yaml",
              "a/x/b", "a/b", "a/", "a/b/", "a/b/c.yaml", "q/old/z.yml", "old/z.yml", "z_draft.yaml", "bx.yaml",
              "ax.yaml", "xy.yaml", "keep.yaml", "a/q/c", "a/q/c/d.yaml", "#x.yaml", "c/d/e.yaml", "c/e.yaml",
              "aXbYc1.yaml", "b", "b/", "x/b/y.yaml", "plans/x.yaml", "plans/q/r/x.yaml"]


@pytest.mark.parametrize(("pattern", "path", "matched"), ADVERSARIAL,
                         ids=[f"{pattern} on {len(path)} characters" for pattern, path, _ in ADVERSARIAL])
def test_an_adversarial_glob_is_matched_in_linear_time(pattern, path, matched):
    from checker.globs import GlobSpec

    spec = GlobSpec.from_lines([pattern])
    assert _within(5, lambda: spec.match_file(path)) is matched


def test_globs_mean_what_gitignore_and_pathspec_mean():
    """The same answers as pathspec's GitIgnoreSpec (which plancheck used before) for every
    pattern and pair of patterns here, on every path: negation, anchoring, directories."""
    import itertools

    pathspec = pytest.importorskip("pathspec")
    from checker.globs import GlobSpec

    differences = []
    for count in (1, 2):
        for patterns in itertools.combinations(GLOB_PATTERNS, count):
            theirs, ours = pathspec.GitIgnoreSpec.from_lines(list(patterns)), GlobSpec.from_lines(list(patterns))
            differences += [(patterns, path) for path in GLOB_PATHS if theirs.match_file(path) != ours.match_file(path)]
    assert differences == []


def test_a_directory_decided_once_decides_its_entries_as_the_whole_path_does():
    """A walk matches each entry by its name, from its directory's verdict
    (`Glob.matches_under`, `Glob.for_entries`): the same answer as matching the whole path,
    for every pattern here on every path, every prefix of it, as a file and as a directory."""
    from checker.globs import Glob, matches_shape

    paths = GLOB_PATHS + ["a/b/c/d/e.yaml", "x/a/b/old/q.yml", "plans/old/a/b", "c/c/c.yaml"]
    differences = []
    for line in GLOB_PATTERNS + ["a/**/", "**/", "**", "*", "/a/**/b/", "old/", "*/b", "/x/*", "a/b/*.yaml", "/a*a*b",
                 "plans/**/x*.yaml", "a/*/b/**/c*", "**/b/*a*a*"]:
        glob = Glob.parse(line)
        if glob is None:
            continue
        for path in paths:
            components = [part for part in path.split("/") if part]
            for end in range(1, len(components) + 1):
                above = components[:end - 1]
                for is_dir in (False, True):
                    expected = glob.matches(components[:end], is_dir)
                    parent = glob.matches(above, True)
                    test = glob.for_entries(parent, tuple(above), is_dir)  # the directory's way, one name
                    by_test = test if isinstance(test, bool) else matches_shape(test, components[end - 1]) \
                        if test is not None else glob.matches_under(parent, components[:end], is_dir)
                    if glob.matches_under(parent, components[:end], is_dir) != expected or by_test != expected:
                        differences.append((line, "/".join(components[:end]), is_dir))
    assert differences == []


def test_a_name_pattern_of_one_star_is_matched_by_its_ends_as_the_general_matcher_matches_it():
    """`*.log`, `*.py[cod]`, `~$*.xlsx`: matched by what comes before and after the star
    (`globs._shape`), or as a regular expression, the same answer as the general matcher on
    every name here."""
    import re

    from checker import globs

    patterns = ["*.log", "*.py[cod]", "~$*.xlsx", "build", "*", "a*", "*a", "a*a", "?*", "*?", "??", "[!a]*",
                "[a-c]x*[!.]", "\\**", "x[z-a]*", "[!z-a]*", "*~", ".*", "a?c*", "", "abc", "[]]*", "[-a]*",
                "[\\]]x", "[^a]*", "a.b*", "(x)*", "$*"]
    names = ["", "a", "aa", "aaa", "abc", "abca", "x.log", ".log", "log", "m.pyc", "m.pyx", "m.py", "~$Book1.xlsx",
             "~$.xlsx", "~$xlsx", "build", "builds", "b.x", "bxq", "*z", "*", "xq", "file~", ".hidden", "a.c.d", "axcq",
             "]x", "-q", "^a", "a\nb", "(x)y", "$z", "\\x", "axb", "a.bc"]
    differences = []
    for pattern in patterns:
        segment = globs._segment(pattern)
        shape = globs._shape(segment)
        if shape is None:
            continue
        expression = re.compile(globs.shape_pattern(shape), re.DOTALL)  # as a directory's alternation has it
        differences += [(pattern, name) for name in names
                        if not globs.matches_shape(shape, name) == globs._component_matches(segment, name)
                        == (expression.fullmatch(name) is not None)]
    assert differences == []
    assert globs._shape(globs._segment("*a*b")) is None  # more stars: the general matcher


def test_gitignores_decided_directory_by_directory_mean_what_each_whole_path_means(tmp_path):
    """Every .gitignore on the way and .git/info/exclude, the last match deciding: the same
    answer for each file and directory of a tree as the patterns matched along each path,
    over twenty trees of patterns drawn at random."""
    import random

    from checker.discovery import GitIgnores
    from checker.globs import Glob

    directories = ["", "a", "a/b", "a/b/c", "plans", "plans/old", "x/drafts", "c/d"]
    lines_drawn = [line for line in GLOB_PATTERNS if line] + ["!b", "!*.yaml", "a/**/", "/x/*", "b/c/", "!/a/b"]
    differences, ignored = [], 0
    for seed in range(20):
        chooser, root = random.Random(seed), tmp_path / str(seed)
        layers: dict[str, list[Glob]] = {}
        (root / ".git" / "info").mkdir(parents=True)
        for directory in ["<info>", *directories]:
            lines = chooser.sample(lines_drawn, 5)
            target = root / ".git" / "info" / "exclude" if directory == "<info>" else root / directory / ".gitignore"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("\n".join(lines) + "\n", encoding="utf-8")
            layers[directory] = [glob for glob in map(Glob.parse, lines) if glob is not None]

        def reference(relative: str, is_dir: bool, layers=layers) -> bool:
            parts = relative.split("/")
            decided = False
            for layer, depth in [("<info>", 0)] + [("/".join(parts[:depth]), depth) for depth in range(len(parts))]:
                for glob in layers.get(layer, []):
                    if glob.matches(parts[depth:], is_dir):
                        decided = not glob.negated
            return decided

        ignores = GitIgnores(root)
        for directory in directories:
            for name, is_dir in [("a.yaml", False), ("keep.yaml", False), ("b", True), ("old", True), ("c", True),
                                 ("x.yaml", False), ("b", False)]:
                relative = f"{directory}/{name}".lstrip("/")
                ours = ignores.ignored(root / relative, is_dir) is not None
                ignored += ours
                if ours != reference(relative, is_dir):
                    differences.append((seed, relative, is_dir))
    assert differences == []
    assert 0 < ignored < 20 * len(directories) * 7  # some entries are ignored, not all


@pytest.mark.slow
def test_a_backtracking_exclude_does_not_stall_a_run(project):
    """A repository's configuration and file names chosen together against the matcher."""
    (project / "plancheck.toml").write_text(
        'plans = ["plans"]\nexclude = ["*a*a*a*a*a*a*b"]\n[per-file-ignores]\n"*a*a*a*a*a*a*c" = ["LOAD"]\n',
        encoding="utf-8")
    (project / "plans" / ("a" * 240 + ".yaml")).write_text("plan: [\n", encoding="utf-8")
    code, found = _json(project)
    assert (code, found) == (1, [("a" * 240 + ".yaml", "LOAD001", 2, 1)])
