"""What plancheck prints cannot attack the terminal or the CI (issue 16).

Each case is built as an attacker with a branch would build it: an escape sequence or a
bidi override in a file name or a value, a workflow command in a value, characters XML
forbids, an undecodable file name, a minified plan of a megabyte, and the machine's side:
a pipe closed early, a full disk, a terminal that is not UTF-8.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from checker.diagnostics import Diagnostic, Location, Related, Severity, Span, Text
from checker.report import ReportContext, render
from checker.report.safe import shown
from checker.report.text import render_concise, render_full
from tests.conftest import ROOT

GOOD = "plan: {id: x, title: t, municipality: 小平市, kind: policy_evaluation, source: {seed: a.txt}}\n"


def _plan(item_name: str = "事業") -> str:
    """A plan whose total is wrong (TOT001), its first item named `item_name` (YAML
    double-quoted: `\\e` is ESC there, as an attacker would write it)."""
    return GOOD + (
        "themes:\n  - id: a\n    title: t\n    projects:\n      unit: 千円\n      items:\n"
        f'        - {{no: 1, name: "{item_name}", cost: 19}}\n        - {{no: 2, name: 事業2, cost: 3851}}\n'
        "      total: 4870\n"
    )


def _diagnostic(file: str = "x.yaml", message: str = "m", span: Span | None = None,
                related: list | None = None, code: str = "TOT001", help_text: str = "") -> Diagnostic:
    return Diagnostic(code=code, name="total-matches-items", severity=Severity.ERROR,
                      message={"ja": message, "en": message}, help={"ja": help_text, "en": help_text} if help_text else {},
                      file=file, span=span or Span(1, 3, 1, 5), related=related or [], args={})


def _full(diagnostics: list[Diagnostic], sources: dict[str, list[str]]) -> str:
    return render_full(diagnostics, ReportContext(lang="en", sources=sources, checked=list(sources), color=False))


def _run(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None, **kwargs) -> subprocess.CompletedProcess:
    environment = {**os.environ, "NO_COLOR": "1", "GITHUB_ACTIONS": "", **(env or {})}
    return subprocess.run([sys.executable, "-m", "checker", *args], cwd=cwd, capture_output=True, timeout=120,
                          env=environment, **kwargs)


# -- the sanitiser ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("a\x1b]0;owned\x07b", "a\\x1b]0;owned\\x07b"),  # set the window title
    ("\x1b]52;c;cHduZWQ=\x07", "\\x1b]52;c;cHduZWQ=\\x07"),  # write the clipboard
    ("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H"),  # clear the screen
    ("\x9b2J", "\\x9b2J"),  # the C1 control sequence introducer
    ("a\x7fb\x00", "a\\x7fb\\x00"),
    ("\u202eexe.yaml", "\\u202eexe.yaml"),
    ("a\u2066b\u2069\u200e\u200f\u061c", "a\\u2066b\\u2069\\u200e\\u200f\\u061c"),
    ("one\ntwo\r\tthree\u2028four\u2029\x85", "one\\ntwo\\r\\tthree\\u2028four\\u2029\\x85"),
    ("::error file=x::pwned", "\\x3a:error file=x::pwned"),
    (" \u3000::add-mask::x", " \u3000\\x3a:add-mask::x"),  # the runner trims blanks first
    ("a ##[error]b ###[x]", "a ##\\x5berror]b ###\\x5bx]"),
    ("\udcff.yaml", "\\udcff.yaml"),  # an undecodable byte of a file name
    ("小平市 a::b [bold]x[/bold] C:\\plans", "小平市 a::b [bold]x[/bold] C:\\plans"),  # left as it is
])
def test_shown_escapes_what_would_act(text, expected):
    assert shown(text) == expected


def test_shown_cuts_a_megabyte():
    assert shown("9" * 1_000_000) == "9" * 2000 + "…"


# -- the full and concise formats ------------------------------------------------------------


def test_full_shows_a_file_name_with_an_escape_sequence_and_a_bidi_override_escaped():
    name = "plans/\x1b]8;;https://evil.invalid\x07a\u202e.yaml"
    text = _full([_diagnostic(name, "total \x1b[2J wrong\n::error::x")], {name: ["a: 12345"]})
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert "--> plans/\\x1b]8;;https://evil.invalid\\x07a\\u202e.yaml:1:3" in text
    assert "error[TOT001] total \\x1b[2J wrong\\n::error::x" in text
    assert not any(line.lstrip().startswith("::") for line in text.splitlines())


def test_full_keeps_the_underline_under_an_escaped_value():
    line = "a: \"\x1b[31m\u202e\" b: 12"
    span = Span(1, line.index("b") + 4, 1, line.index("b") + 6)  # the 12
    quoted = Span(1, 4, 1, 12)  # "\x1b[31m\u202e", eight characters
    related = [(Related(Location("x.yaml", span=quoted), Text("値", "the value")), quoted)]
    text = _full([_diagnostic("x.yaml", "m", span, related)], {"x.yaml": [line]})
    lines = text.splitlines()
    shown_line = next(line for line in lines if line.startswith("1 |"))
    assert shown_line == '1 | a: "\\x1b[31m\\u202e" b: 12'
    underline = lines[lines.index(shown_line) + 1]
    assert shown_line.index("12") == underline.index("^^") and underline.rstrip().endswith("^^")
    value_line = [line for line in lines if line.startswith("1 |")][1]
    assert value_line == shown_line
    labels = lines[lines.index(value_line, lines.index(shown_line) + 1) + 1]
    # the quoted value's eight characters are shown as 16: the underline covers all of them
    assert labels == "  |    " + "-" * 16 + " the value"


def test_full_escapes_markup_after_sanitising_and_a_workflow_command_in_a_value():
    text = _full([_diagnostic("x.yaml", "[link=https://evil.invalid]x[/link] ##[error]y",
                              help_text="::warning::z", code="[bold]C1")], {"x.yaml": ["::error::a ##[group]"]})
    assert "error[[bold]C1] [link=https://evil.invalid]x[/link] ##\\x5berror]y" in text
    assert "= help: \\x3a:warning::z" in text  # each string is shown on its own: rich makes no emoji of it
    assert "1 | ::error::a ##\\x5bgroup]" in text
    assert "##[" not in text


def test_concise_is_one_line_per_finding_whatever_it_holds():
    diagnostics = [_diagnostic("::error::a\u202e.yaml", "first\nsecond\r\u2028third"),
                   _diagnostic(" ::warning x.yaml", "\x1b[2J")]
    text = render_concise(diagnostics, ReportContext(lang="en"))
    assert text.splitlines() == [
        "\\x3a:error::a\\u202e.yaml:1:3: TOT001 [error] first\\nsecond\\r\\u2028third",
        " \\x3a:warning x.yaml:1:3: TOT001 [error] \\x1b[2J",
    ]


@pytest.mark.slow
def test_cli_escapes_a_hostile_file_name_and_value(tmp_path):
    name = "bad\x1b[31m\u202e.yaml"
    (tmp_path / name).write_text(_plan("事業\\e]0;owned\\a::error::x"), encoding="utf-8")
    for output_format in ("full", "concise"):
        result = _run("--format", output_format, "--lang", "en", "--no-cache", name, cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        out = result.stdout.decode("utf-8")
        assert "\x1b" not in out and "\u202e" not in out
        assert "bad\\x1b[31m\\u202e.yaml:10:14" in out
    full = _run("--format", "full", "--lang", "en", "--no-cache", name, cwd=tmp_path).stdout.decode()
    assert ' 8 |         - {no: 1, name: "事業\\e]0;owned\\a::error::x", cost: 19}' in full


# -- JUnit, JSON, SARIF, diff headers --------------------------------------------------------


def test_junit_is_well_formed_whatever_a_value_or_a_name_holds():
    name = "a\x1b[31m\udcff\x00.yaml"
    diagnostic = _diagnostic(name, "value \x07\x0b\x0c\x1f\x7f\ufffe\ud800 <&> end")
    text = render("junit", [diagnostic], ReportContext(lang="en", checked=[name]), None)
    root = ET.fromstring(text.encode("utf-8"))  # well-formed, and valid UTF-8
    [suite] = root
    assert suite.get("name") == "a\\x1b[31m\\udcff\\x00.yaml"
    [failure] = root.iter("failure")
    assert failure.get("message") == "value \\x07\\x0b\\x0c\\x1f\x7f\\ufffe\\ud800 <&> end"


@pytest.mark.parametrize("output_format", ["json", "sarif"])
def test_json_and_sarif_are_utf8_for_an_undecodable_file_name(output_format):
    name = "plans/bad\udcff \x1b\u202e#%.yaml"
    diagnostic = _diagnostic(name, "m")
    rules = type("Rules", (), {"enabled": lambda self: []})()
    text = render(output_format, [diagnostic], ReportContext(lang="en", checked=[name]), rules)
    document = json.loads(text.encode("utf-8"))  # encodes: no lone surrogate is left
    if output_format == "json":
        assert '"file": "plans/bad\\udcff \\u001b\u202e#%.yaml"' in text
        [found] = document["diagnostics"]
        assert found["file"] == name  # the escape reads back as the very name
        assert os.fsencode(found["file"]) == b"plans/bad\xff \x1b\xe2\x80\xae#%.yaml"
        return
    [run_] = document["runs"]
    location = run_["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "plans/bad%FF%20%1B%E2%80%AE%23%25.yaml", "uriBaseId": "%SRCROOT%"}
    base = run_["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == Path.cwd().as_uri() + "/"


def test_sarif_uri_of_a_path_outside_the_directory_is_a_file_uri():
    from checker.report.sarif import _artifact

    assert _artifact("/tmp/計画 1.yaml") == {"uri": "file:///tmp/%E8%A8%88%E7%94%BB%201.yaml"}
    assert _artifact("plans\\a b.yaml") == {"uri": "plans/a%20b.yaml", "uriBaseId": "%SRCROOT%"}


@pytest.mark.slow
def test_sarif_of_a_hostile_file_name_validates(tmp_path):
    import jsonschema

    schema = json.loads((ROOT / "tests/data/sarif-2.1.0.json").read_text(encoding="utf-8"))
    (Path(os.fsdecode(bytes(tmp_path) + b"/bad\xff \x1b.yaml"))).write_text(_plan(), encoding="utf-8")
    result = _run("--format", "sarif", "--lang", "en", "--no-cache", ".", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout.decode("utf-8"))
    jsonschema.validators.validator_for(schema)(schema).validate(document)
    uri = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "bad%FF%20%1B.yaml"


@pytest.mark.slow
@pytest.mark.parametrize("output_format", ["full", "concise", "json", "junit", "github"])
def test_every_format_prints_an_undecodable_file_name(tmp_path, output_format):
    (Path(os.fsdecode(bytes(tmp_path) + b"/bad\xff.yaml"))).write_text(_plan(), encoding="utf-8")
    result = _run("--format", output_format, "--lang", "en", "--no-cache", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert all(line.startswith("Found 1 problem") for line in result.stderr.decode().splitlines())
    out = result.stdout.decode("utf-8")  # valid UTF-8
    assert "bad\\udcff.yaml" in out


def test_diff_headers_quote_odd_file_names_as_git_does():
    from checker.fixes import FileFix
    from checker.loader import LoadedFile

    def headers(name: str) -> list[str]:
        loaded = LoadedFile(path=Path("x.yaml"), name=name)
        loaded.text = "a: 1\n"
        fix = FileFix(loaded, "a: 2\n", 1, [(Span(1, 4, 1, 5), "2", True, "RATE001")])
        return fix.diff().splitlines()[:3]

    assert headers("plans/a.yaml")[1:] == ["--- a/plans/a.yaml", "+++ b/plans/a.yaml"]
    assert headers("plans/a b.yaml")[1:] == ["--- a/plans/a b.yaml\t", "+++ b/plans/a b.yaml\t"]
    assert headers("plans/t\tn\n\x1b\u202e\"\\\udcff.yaml") == [
        "# plans/t\\tn\\n\\x1b\\u202e\"\\\\udcff.yaml:1: RATE001 fix (safe): 2",
        '--- "a/plans/t\\tn\\n\\033\\342\\200\\256\\"\\\\\\377.yaml"',
        '+++ "b/plans/t\\tn\\n\\033\\342\\200\\256\\"\\\\\\377.yaml"',
    ]
    assert headers("plans/小平.yaml")[1] == "--- a/plans/小平.yaml"


# -- one line per message; a reader error at its place ---------------------------------------


@pytest.mark.parametrize(("text", "line", "column", "char"), [
    ("plan:\n  id: x\n  title: a\x07b\n", 3, 11, "0007"),
    ("plan:\r\n  id: x\r\n  title: a\x1b[2Jb\n", 3, 11, "001b"),
    ('plan:\n  title: "a\u2028b"\n  id: \x7f\n', 4, 7, "007f"),  # the reader counts LS as a break
    ("\x9b", 1, 1, "009b"),
])
def test_a_raw_control_character_is_reported_at_its_line_and_column(text, line, column, char):
    from tests.conftest import load_plan_text

    [finding] = load_plan_text(text).findings
    assert finding.kind == "syntax"
    assert finding.location.span == Span(line, column, line, column + 1)
    assert finding.args["problem"].en == f"unacceptable character #x{char}: control characters are not allowed"


@pytest.mark.slow
def test_concise_reports_a_raw_control_character_on_one_line_at_its_place(tmp_path):
    (tmp_path / "plan.yaml").write_text("plan:\n  id: x\n  title: a\x07b\n", encoding="utf-8")
    result = _run("--format", "concise", "--lang", "en", "--no-cache", "plan.yaml", cwd=tmp_path)
    [line] = result.stdout.decode().splitlines()
    assert line.startswith("plan.yaml:3:11: LOAD001 [error] ")
    assert line.endswith("unacceptable character #x0007: control characters are not allowed")
    full = _run("--format", "full", "--lang", "en", "--no-cache", "plan.yaml", cwd=tmp_path).stdout.decode()
    # the underline covers the escape, four cells, under it
    assert "3 |   title: a\\x07b\n  |           ^^^^\n" in full and "\x07" not in full


# -- bounded output --------------------------------------------------------------------------

_THEME = ("{{id: t{n}, title: t, projects: {{unit: 千円, items: [{{no: 1, name: 事業, cost: 19}}, "
          "{{no: 2, name: 事業2, cost: 3851}}], total: 4870}}}}")


def _minified(themes: int, padding: int) -> str:
    """A whole plan on one line (flow style), a title of `padding` characters first, then
    `themes` themes whose total is wrong (a TOT001 each, with two related items)."""
    return ("{plan: {id: x, title: " + "x" * padding + ", municipality: 小平市, kind: policy_evaluation, "
            "source: {seed: a.txt}}, themes: [" + ", ".join(_THEME.format(n=n) for n in range(themes)) + "]}\n")


def test_a_long_line_is_cut_around_its_span_with_the_labels_under_their_values(monkeypatch):
    from checker.report.text import MAX_SNIPPET

    monkeypatch.setenv("COLUMNS", "300")  # a wide terminal: the snippet's own bound

    line = "a" * 100_000 + "total: 4870, " + "b" * 100_000
    start = line.index("4870") + 1
    related = [(Related(Location("x.yaml", span=Span(1, 5, 1, 9)), Text("先頭", "the start")), Span(1, 5, 1, 9))]
    text = _full([_diagnostic("x.yaml", "m", Span(1, start, 1, start + 4), related)], {"x.yaml": [line]})
    lines = text.splitlines()
    [total] = [n for n, shown_line in enumerate(lines) if "total: 4870" in shown_line]
    assert lines[total].startswith("1 | …a") and lines[total].endswith("b…")
    assert len(lines[total]) == len("1 | ") + MAX_SNIPPET  # the two `…` included
    assert lines[total + 1].index("^^^^") == lines[total].index("4870") and lines[total + 1].endswith("^^^^")
    [first] = [n for n, shown_line in enumerate(lines) if shown_line.startswith("1 | aaaa")]
    assert lines[first].endswith("a…") and lines[first + 1] == "  |     ---- the start"  # not cut before it
    assert len(text) < 1000


def test_a_span_longer_than_a_snippet_is_underlined_as_far_as_it_is_shown(monkeypatch):
    from checker.report.text import MAX_SNIPPET

    monkeypatch.setenv("COLUMNS", "300")

    line = "k: " + "x" * 1_000_000
    text = _full([_diagnostic("x.yaml", "m", Span(1, 4, 1, len(line) + 1))], {"x.yaml": [line]})
    lines = text.splitlines()
    assert lines[2] == "1 | k: " + "x" * (MAX_SNIPPET - 4) + "…"
    assert lines[3] == "  |    " + "^" * (MAX_SNIPPET - 4)


@pytest.mark.slow
def test_a_minified_plan_of_a_megabyte_with_many_findings_prints_kilobytes(tmp_path):
    text = _minified(themes=200, padding=1_000_000)
    assert len(text.encode("utf-8")) > 1_000_000 and text.count("\n") == 1
    (tmp_path / "min.yaml").write_text(text, encoding="utf-8")
    for output_format in ("full", "concise"):
        result = _run("--format", output_format, "--lang", "en", "--no-cache", "min.yaml", cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        out = result.stdout.decode("utf-8")
        assert out.count("error[TOT001]" if output_format == "full" else "TOT001 [error]") == 200
        # 600 snippets of the megabyte line, uncut, would be 600 MB
        assert len(out) < 300_000
        assert max(map(len, out.splitlines())) < 400


@pytest.mark.parametrize("spec", ["{stated:>100000000}", "{stated:.100000000}", "{stated:>{count}}"])
def test_a_message_template_cannot_pad_a_value_to_megabytes(tmp_path, spec):
    from tests.test_ruleset_contract import _broken, _invoke

    text = _broken(('en: "{column}: 高齢化率 {stated} is outside', f'en: "{{column}}: 高齢化率 {spec} is outside'))
    (tmp_path / "city.yaml").write_text(text, encoding="utf-8")
    result = _invoke("--lang", "en", "--rules", "city.yaml", str(ROOT / "plans/koganei/welfare-statistics-r5/tables.yaml"),
                     cwd=tmp_path)
    assert result.exit_code == 2
    assert f"message (en) is not a valid template: {spec}: a width is at most 100, written as a number" in result.stderr
    assert len(result.output) < 2000


# -- output errors ---------------------------------------------------------------------------

SUMMARY = "Found 1 problem (1 error, 0 warnings, 0 info) in 1 file checked; 1 relation checked, 0 not checked\n"


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "checker", "--no-cache", "--lang", "en", *args]


@pytest.mark.slow
@pytest.mark.parametrize("output_format", ["full", "concise", "json"])
def test_a_closed_pipe_exits_quietly(tmp_path, output_format):
    (tmp_path / "min.yaml").write_text(_minified(themes=1000, padding=1), encoding="utf-8")
    environment = {**os.environ, "NO_COLOR": "1", "GITHUB_ACTIONS": ""}
    # `plancheck ... | head -1`: hundreds of kilobytes, more than a pipe holds, and the reader
    # goes after one line
    process = subprocess.Popen(_command("--format", output_format, "min.yaml"), cwd=tmp_path, env=environment,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read()
    assert process.wait(timeout=120) == 1  # the run's own exit code: findings
    assert stderr == b""  # no traceback, no "Exception ignored", no summary after the pipe closed


@pytest.mark.slow
@pytest.mark.parametrize("unbuffered", ["", "1"])
@pytest.mark.parametrize("output_format", ["full", "concise", "sarif"])
def test_a_full_disk_is_an_error_with_exit_2(tmp_path, unbuffered, output_format):
    (tmp_path / "plan.yaml").write_text(_plan(), encoding="utf-8")
    environment = {**os.environ, "NO_COLOR": "1", "GITHUB_ACTIONS": "", "PYTHONUNBUFFERED": unbuffered}
    with open("/dev/full", "wb") as full:
        # a report of a few hundred bytes: the disk is found full only when it is flushed
        result = subprocess.run(_command("--format", output_format, "plan.yaml"), cwd=tmp_path, env=environment,
                                stdout=full, stderr=subprocess.PIPE, timeout=120)
    assert result.returncode == 2
    assert result.stderr.decode() == "plancheck: could not write the report: No space left on device\n"


@pytest.mark.slow
def test_an_ascii_terminal_gets_replacements_never_an_error(tmp_path):
    name = "計画\x1b.yaml"
    (tmp_path / name).write_text(_plan(), encoding="utf-8")
    outputs = {}
    for encoding in ("utf-8", "ascii"):
        for output_format in ("full", "concise", "json", "junit"):
            result = _run("--format", output_format, "--lang", "ja", "--no-cache", name, cwd=tmp_path,
                          env={"PYTHONIOENCODING": encoding})
            assert result.returncode == 1, result.stderr
            assert b"Traceback" not in result.stderr and b"internal error" not in result.stderr
            outputs[encoding, output_format] = result.stdout.decode(encoding)
    concise = outputs["ascii", "concise"]
    assert concise.startswith("\\u8a08\\u753b\\x1b.yaml:10:14: TOT001 [error] \\u5408\\u8a08 4,870 \\u5343\\u5186")
    assert concise.count("\n") == 1
    assert "\\x1b.yaml:10:14" in outputs["ascii", "full"]
    # a JSON string's backslash escapes are JSON's own: the document reads back the same
    assert json.loads(outputs["ascii", "json"]) == json.loads(outputs["utf-8", "json"])
    ET.fromstring(outputs["ascii", "junit"])


@pytest.mark.slow
def test_a_c_locale_with_ascii_prints_with_replacements(tmp_path):
    (tmp_path / "plan.yaml").write_text(_plan(), encoding="utf-8")
    result = _run("--format", "concise", "--lang", "ja", "--no-cache", "plan.yaml", cwd=tmp_path,
                  env={"LANG": "C", "LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0",
                       "PYTHONIOENCODING": ""})
    assert result.returncode == 1, result.stderr
    assert result.stdout.decode("ascii").startswith("plan.yaml:10:14: TOT001 [error] \\u5408\\u8a08 4,870")


@pytest.mark.slow
@pytest.mark.parametrize("command", [("rule", "TOT001"), ("rules",), ("schema",)])
def test_the_other_commands_report_a_full_disk_too(command):
    with open("/dev/full", "wb") as full:
        result = subprocess.run([sys.executable, "-m", "checker", *command], cwd=ROOT, stdout=full,
                                stderr=subprocess.PIPE, timeout=120, env={**os.environ, "LANG": "en_US.UTF-8",
                                                                          "PLANCHECK_LANG": "en"})
    assert result.returncode == 2
    assert result.stderr.decode() == "plancheck: could not write the report: No space left on device\n"
