"""The one converter between plancheck's spans (1-based, code points, YAML's line breaks)
and LSP positions (0-based, UTF-16 code units by default, LF/CRLF/CR lines)."""

from __future__ import annotations

import pytest

from checker.loader import LoadedFile, load_text
from checker.positions import Positions

LINE = "  - {name: 𠮷野の事業, cost: 1234}"


def test_a_character_outside_the_bmp_counts_two_utf16_units():
    text = "plan: x\n" + LINE + "\n"
    column = LINE.index("1234") + 1  # the span's 1-based column, in characters
    positions = Positions(text)
    assert positions.to_lsp(2, column) == (1, column - 1 + 1)  # 𠮷 is a surrogate pair: one unit more
    assert positions.to_lsp(2, column)[1] == len(LINE[:column - 1].encode("utf-16-le")) // 2
    assert positions.from_lsp(1, column) == (2, column)
    # the end of the value, exclusive, and a round trip of every column of the line
    assert positions.to_lsp(2, column + 4) == (1, column + 4)
    for each in range(1, len(LINE) + 2):
        assert positions.from_lsp(*positions.to_lsp(2, each)) == (2, each)


def test_a_position_inside_a_surrogate_pair_is_the_character_it_is_in():
    positions = Positions(LINE)
    at = LINE.index("𠮷")
    assert positions.from_lsp(0, at + 1) == (1, at + 1)  # the pair's second unit: still 𠮷
    assert positions.from_lsp(0, at + 2) == (1, at + 2)  # the character after it


@pytest.mark.parametrize(("encoding", "expected"), [("utf-8", len("  - {name: 𠮷野の事業, cost: ".encode())),
                                                    ("utf-32", LINE.index("1234"))])
def test_the_negotiated_encoding_is_counted(encoding, expected):
    assert Positions(LINE, encoding).to_lsp(1, LINE.index("1234") + 1) == (0, expected)


def test_the_spans_of_the_loader_land_on_their_value_in_utf16():
    text = "plan: {id: x, title: 𠮷, municipality: 小平市, kind: policy_evaluation, source: {seed: a.txt}}\n"
    loaded = load_text(LoadedFile(path=None, name="a.yaml"), text)  # type: ignore[arg-type]
    span = loaded.span_of(("plan", "municipality"))
    assert span is not None
    start = Positions(text).to_lsp(span.line, span.column)
    end = Positions(text).to_lsp(span.end_line, span.end_column)
    units = text.encode("utf-16-le")
    assert units[start[1] * 2:end[1] * 2].decode("utf-16-le") == "小平市"


def test_lines_yaml_breaks_and_lsp_does_not_move_nothing():
    # U+2028 is a line break to YAML (and so to spans) but not to LSP; CRLF is one break to both
    text = "a: 1 # x\u2028b\r\nc: 𠮷2\n"
    positions = Positions(text)
    assert positions.to_lsp(3, 4) == (1, 3)  # YAML's line 3 is LSP's line 1 (after the CRLF)
    assert positions.to_lsp(2, 1) == (0, text.index("b"))
    assert positions.from_lsp(1, 3) == (3, 4)
    assert positions.to_lsp(9, 9) == (2, 0)  # past the end: clamped to the text
