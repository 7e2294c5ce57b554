"""What the human formats print of a repository's text: shown, never interpreted.

Every user-derived string (a value, a key, a comment, a file name, a rule's code, name or
message, a related value's label, a line of source) goes through `shown` before the full
and concise formats print it, and the CLI's notes on stderr too. A control character (C0,
DEL, C1: ESC starts the sequences that set a window title, write the clipboard, make a
hyperlink or clear the screen), a bidi override, embedding, isolate or mark (they make a
line read differently from what it holds), a surrogate (an undecodable file name) and a
line break (a message is one line) are shown escaped, `\\x1b`, `\\u202e` (`\\n`, `\\r`, `\\t`
for the common three), as rustc and ruff show them. GitHub Actions runs a line that starts
with `::` (after blanks) as a workflow command and looks for the older `##[` anywhere in a
line: a leading `::` and every `##[` are escaped as well, so a value cannot add an
annotation, mask a secret or stop the runner's commands.

A backslash is left as it is: the escapes are for safety, not a reversible encoding
(Windows paths stay readable).
"""

from __future__ import annotations

import os
import re

# C0 (tab, line feed and carriage return too), DEL, C1 (NEL too), the Arabic letter mark,
# LRM/RLM, the line and paragraph separators, LRE/RLE/PDF/LRO/RLO, LRI/RLI/FSI/PDI, and
# surrogates (what surrogateescape makes of an undecodable byte)
_UNSAFE = "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_UNSAFE_CHAR = re.compile(f"[{_UNSAFE}]")
_NEEDS_ESCAPING = re.compile(f"[{_UNSAFE}]|##\\[|^\\s*::")

# a string longer than this is cut (a message or a label holding a megabyte value): the
# full and concise formats are for reading; the JSON and SARIF keep everything
MAX_SHOWN = 2000
ELLIPSIS = "…"


_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def escaped_char(char: str) -> str:
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: object, limit: int | None = MAX_SHOWN) -> str:
    """`text` as it may be printed: one line, no control or bidi character, no workflow
    command (see the module's docstring); longer than `limit` characters, cut with `…`."""
    text = str(text)
    if limit is not None and len(text) > limit:
        text = text[:limit] + ELLIPSIS
    if not _NEEDS_ESCAPING.search(text):
        return text
    text = _UNSAFE_CHAR.sub(lambda match: escaped_char(match.group()), text)
    text = text.replace("##[", "##\\x5b")
    stripped = text.lstrip()
    if stripped.startswith("::"):
        blanks = len(text) - len(stripped)
        text = text[:blanks] + "\\x3a" + text[blanks + 1:]
    return text


def shown_pieces(text: str) -> list[str]:
    """`text` character by character as shown: each piece is what one character becomes, so
    a column of `text` can be found in the shown line (a snippet's underline). The same
    escapes as `shown`; a leading `::` is left alone (a snippet line starts with its gutter)."""
    if not _UNSAFE_CHAR.search(text) and "##[" not in text:
        return list(text)
    pieces = [escaped_char(char) if _UNSAFE_CHAR.match(char) else char for char in text]
    for index in range(2, len(text)):
        if text[index] == "[" and text[index - 2:index] == "##":
            pieces[index] = "\\x5b"
    return pieces


# what XML 1.0 allows (its `Char` production): anything else makes the document ill-formed
# the complement of XML 1.0's Char production, written as what it leaves out: the negated
# class over the astral planes took 8 ms to compile at every start
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def xml_safe(document: str) -> str:
    """An XML document with every character XML 1.0 forbids (a control character, a
    surrogate of an undecodable file name) shown escaped, as `shown` shows it: none of them
    is markup, so the document as a whole can be mended after it is built."""
    return _NOT_XML.sub(lambda match: escaped_char(match.group()), document)


def json_safe(document: str) -> str:
    """A JSON document (`ensure_ascii=False`) that is valid UTF-8 whatever the file names:
    a surrogate (an undecodable byte of a name, by surrogateescape) can only be inside a
    string, where it becomes the JSON escape `\\udcff`, which reads back as the same name."""
    return _SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", document)


_GIT_ESCAPES = {"\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r",
                '"': '\\"', "\\": "\\\\"}


def git_quoted(name: str) -> str:
    """A file name as git writes it in a diff header: as it is when plain; in double quotes
    with C escapes (`\\t`, `\\n`, `\\"`, `\\\\`) and octal bytes (`\\033`, the UTF-8 bytes of a
    bidi control, an undecodable byte) when it holds one of those. Other non-ASCII
    characters stay as written (git's `core.quotePath=false`)."""
    if not _UNSAFE_CHAR.search(name) and '"' not in name and "\\" not in name:
        return name
    quoted = []
    for char in name:
        if char in _GIT_ESCAPES:
            quoted.append(_GIT_ESCAPES[char])
        elif _UNSAFE_CHAR.match(char):
            quoted.append("".join(f"\\{byte:03o}" for byte in _name_bytes(char)))
        else:
            quoted.append(char)
    return '"' + "".join(quoted) + '"'


def _name_bytes(char: str) -> bytes:
    """The bytes a character of a file name stands for (an undecodable byte for a surrogate
    of surrogateescape)."""
    try:
        return os.fsencode(char)
    except UnicodeEncodeError:  # a surrogate surrogateescape does not make
        return char.encode("utf-8", "surrogatepass")
