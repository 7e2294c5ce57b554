"""Positions between plancheck's spans and an editor's (the language server's one converter).

A `Span` is 1-based, in lines as YAML counts them (LF, CRLF, CR, NEL, U+2028, U+2029) and
columns in characters (code points). The Language Server Protocol counts 0-based lines
broken only at LF, CRLF and CR, and columns in the units of the negotiated position
encoding: UTF-16 code units by default, so a character outside the BMP (𠮷) counts two;
UTF-8 bytes or UTF-32 code points when the client asked for them. Both ways go through the
character offset in the text, so a line break YAML counts and LSP does not (U+2028 in a
comment) moves neither.
"""

from __future__ import annotations

import bisect
import re

from checker.fixes import LINE_BREAK

_LSP_BREAK = re.compile("\r\n|\r|\n")
# code units of one character in each encoding, by its code point
_WIDTH = {"utf-16": lambda char: 2 if ord(char) > 0xFFFF else 1,
          "utf-8": lambda char: len(char.encode("utf-8", errors="surrogatepass")),
          "utf-32": lambda char: 1}


class Positions:
    """One text's positions: a span's (line, column) to an LSP (line, character) and back."""

    def __init__(self, text: str, encoding: str = "utf-16") -> None:
        self.text = text
        self.width = _WIDTH.get(encoding.lower(), _WIDTH["utf-16"])
        self._yaml_starts = [0] + [match.end() for match in LINE_BREAK.finditer(text)]
        self._lsp_starts = [0] + [match.end() for match in _LSP_BREAK.finditer(text)]

    def _line_end(self, starts: list[int], index: int, breaks: re.Pattern[str]) -> int:
        """The offset where line `index` (0-based) of `starts` ends, before its break."""
        if index + 1 >= len(starts):
            return len(self.text)
        match = breaks.search(self.text, starts[index])
        return match.start() if match else len(self.text)

    def offset(self, line: int, column: int) -> int:
        """The character offset of a span's 1-based line and column (clamped to the line)."""
        index = min(max(line - 1, 0), len(self._yaml_starts) - 1)
        start = self._yaml_starts[index]
        return min(start + max(column - 1, 0), self._line_end(self._yaml_starts, index, LINE_BREAK))

    def to_lsp(self, line: int, column: int) -> tuple[int, int]:
        """A span's 1-based (line, column) as LSP's 0-based (line, character)."""
        at = self.offset(line, column)
        index = bisect.bisect_right(self._lsp_starts, at) - 1
        return index, sum(self.width(char) for char in self.text[self._lsp_starts[index]:at])

    def from_lsp(self, line: int, character: int) -> tuple[int, int]:
        """LSP's 0-based (line, character) as a span's 1-based (line, column); a character
        in the middle of a surrogate pair (or a UTF-8 sequence) is the character it is in."""
        index = min(max(line, 0), len(self._lsp_starts) - 1)
        at, end = self._lsp_starts[index], self._line_end(self._lsp_starts, index, _LSP_BREAK)
        units = 0
        while at < end and units + self.width(self.text[at]) <= character:
            units += self.width(self.text[at])
            at += 1
        yaml_index = bisect.bisect_right(self._yaml_starts, at) - 1
        return yaml_index + 1, at - self._yaml_starts[yaml_index] + 1
