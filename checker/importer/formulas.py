"""A small, bounded recogniser of the formulas a table's computed lines hold, so that the
import can declare the relation they compute instead of trusting the value (a rate typed
over its formula is then caught by the check).

Formula text comes from an untrusted workbook: it is never evaluated, only tokenised (a
fixed set of tokens, anything else refuses the formula) and parsed by a recursive descent
bounded in length, tokens and depth. What is recognised, over cells of the same sheet:

- a quotient: `=D5/D6`, `=D5/D$20*100`, `=(D5/D6)*100`, `=D5*100/D6`, `=ROUND(D5/D6*100,1)`,
  `=IFERROR(D5/D6,"-")`: one cell over one cell, times a constant (the scale), rounded to
  `places` when ROUND says so;
- a sum: `=SUM(B5:B9)`, `=SUM(B5,B7)`, `=B5+B6+B7`;
- a difference: `=B5-C5`, `=B5-C5-D5`.

Anything else (another sheet, a function other than ROUND, SUM and IFERROR, a constant
added, a product of two cells) is `None` with the reason, which the import reports
(IMP010), never guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from checker.diagnostics import Text
from checker.importer.workbook import column_number

MAX_LENGTH = 300
MAX_TOKENS = 80
MAX_DEPTH = 12
MAX_RANGE = 10_000  # cells a SUM range may span

_TOKEN = re.compile(r"""\s*(?:
    (?P<ref>\$?[A-Z]{1,3}\$?[1-9][0-9]{0,6}(?![A-Za-z0-9_(]))
  | (?P<func>[A-Z][A-Z0-9.]{0,15})\(
  | (?P<num>[0-9]+(?:\.[0-9]+)?)
  | (?P<str>"[^"]{0,40}")
  | (?P<op>[-+*/(),:])
)""", re.VERBOSE)


@dataclass(frozen=True)
class Ref:
    row: int
    column: int


@dataclass(frozen=True)
class Quotient:
    numerator: Ref
    denominator: Ref
    scale: Decimal
    places: int | None


@dataclass(frozen=True)
class Sum:
    parts: tuple[Ref, ...]


@dataclass(frozen=True)
class Difference:
    parts: tuple[Ref, ...]  # the minuend, then the subtrahends


Formula = Quotient | Sum | Difference


class NotRecognised(Exception):
    def __init__(self, reason: Text) -> None:
        super().__init__(reason.en)
        self.reason = reason


def _ref(text: str) -> Ref:
    match = re.fullmatch(r"\$?([A-Z]{1,3})\$?(\d+)", text)
    assert match is not None
    return Ref(int(match.group(2)), column_number(match.group(1)))


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise NotRecognised(Text(f"読めない記号があります（{text[position:position + 10]}）",
                                     f"a character not recognised ({text[position:position + 10]})"))
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
        if len(tokens) > MAX_TOKENS:
            raise NotRecognised(Text("数式が長すぎます", "the formula is too long"))
    return tokens


# The parsed form: ("ref", Ref) | ("num", Decimal) | ("str", text) | ("range", Ref, Ref)
# | ("bin", op, left, right) | ("call", NAME, [args])
Node = tuple


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.at = 0
        self.depth = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise NotRecognised(Text("数式の形が読めません", "the formula's shape is not one plancheck reads"))
        self.at += 1
        return token

    def expression(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise NotRecognised(Text("数式の入れ子が深すぎます", "the formula nests too deeply"))
        node = self.term()
        while self.peek() is not None and self.peek()[1] in "+-":  # type: ignore[index]
            op = self.take()[1]
            node = ("bin", op, node, self.term())
        self.depth -= 1
        return node

    def term(self) -> Node:
        node = self.factor()
        while self.peek() is not None and self.peek()[1] in "*/":  # type: ignore[index]
            op = self.take()[1]
            node = ("bin", op, node, self.factor())
        return node

    def factor(self) -> Node:
        kind, value = self.take()
        if kind == "ref":
            if self.peek() == ("op", ":"):
                self.take(":")
                end_kind, end = self.take()
                if end_kind != "ref":
                    raise NotRecognised(Text("範囲の形が読めません", "a range not recognised"))
                return ("range", _ref(value), _ref(end))
            return ("ref", _ref(value))
        if kind == "num":
            return ("num", Decimal(value))
        if kind == "str":
            return ("str", value)
        if kind == "func":
            args: list[Node] = []
            if self.peek() != ("op", ")"):
                args.append(self.expression())
                while self.peek() == ("op", ","):
                    self.take(",")
                    args.append(self.expression())
            self.take(")")
            return ("call", value, args)
        if value == "(":
            node = self.expression()
            self.take(")")
            return node
        if value == "-" and self.peek() is not None and self.peek()[0] == "num":  # type: ignore[index]
            return ("num", -Decimal(self.take()[1]))
        raise NotRecognised(Text("数式の形が読めません", "the formula's shape is not one plancheck reads"))


def parse(formula: str) -> Node:
    text = formula.strip()
    if len(text) > MAX_LENGTH:
        raise NotRecognised(Text("数式が長すぎます", "the formula is too long"))
    if text.startswith("="):
        text = text[1:]
    text = text.upper() if '"' not in text else text
    if "!" in text:
        raise NotRecognised(Text("別のシートを参照しています", "it refers to another sheet"))
    parser = _Parser(_tokens(text))
    node = parser.expression()
    if parser.peek() is not None:
        raise NotRecognised(Text("数式の形が読めません", "the formula's shape is not one plancheck reads"))
    return node


def recognise(formula: str) -> Formula:
    """The relation a formula computes, or NotRecognised with why."""
    try:
        node = parse(formula)
    except (InvalidOperation, RecursionError):
        raise NotRecognised(Text("数式の形が読めません", "the formula's shape is not one plancheck reads")) from None
    places: int | None = None
    while node[0] == "call" and node[1] in ("ROUND", "IFERROR"):
        args = node[2]
        if node[1] == "IFERROR":
            if len(args) != 2 or args[1][0] not in ("str", "num"):
                raise NotRecognised(Text("IFERROR の形が読めません", "an IFERROR not recognised"))
            node = args[0]
            continue
        if len(args) != 2 or args[1][0] != "num" or args[1][1] != args[1][1].to_integral_value() \
                or not 0 <= args[1][1] <= 10 or places is not None:
            raise NotRecognised(Text("ROUND の桁数が読めません", "the decimals of a ROUND not recognised"))
        places = int(args[1][1])
        node = args[0]
    if node[0] == "call":
        if node[1] != "SUM" or places is not None:
            raise NotRecognised(Text(f"関数 {node[1]} は読みません", f"the function {node[1]} is not one plancheck reads"))
        return Sum(tuple(_cells(node[2])))
    if node[0] == "bin" and node[1] == "+":
        return Sum(tuple(_chain(node, "+")))
    if node[0] == "bin" and node[1] == "-":
        parts = _chain(node, "-")
        return Difference(tuple(parts))
    if node[0] == "bin" and node[1] in "*/":
        numerator, denominator, scale = _product(node)
        if len(numerator) != 1 or len(denominator) != 1:
            raise NotRecognised(Text("セル一つをセル一つで割る形ではありません", "not one cell divided by one cell"))
        return Quotient(numerator[0], denominator[0], scale, places)
    raise NotRecognised(Text("関係を表す形ではありません", "not a relation between cells"))


def _cells(args: list[Node]) -> list[Ref]:
    cells: list[Ref] = []
    for arg in args:
        if arg[0] == "ref":
            cells.append(arg[1])
        elif arg[0] == "range":
            start, end = arg[1], arg[2]
            rows = range(min(start.row, end.row), max(start.row, end.row) + 1)
            columns = range(min(start.column, end.column), max(start.column, end.column) + 1)
            if len(rows) * len(columns) > MAX_RANGE:
                raise NotRecognised(Text("範囲が大きすぎます", "the range is too large"))
            cells += [Ref(row, column) for row in rows for column in columns]
        else:
            raise NotRecognised(Text("SUM の引数がセルではありません", "a SUM of something other than cells"))
    if not cells:
        raise NotRecognised(Text("SUM の引数がありません", "a SUM of nothing"))
    return cells


def _chain(node: Node, op: str) -> list[Ref]:
    """a op b op c, left to right, each a cell."""
    if node[0] == "ref":
        return [node[1]]
    if node[0] == "bin" and node[1] == op:
        right = node[3]
        if right[0] != "ref":
            raise NotRecognised(Text("セルでない項があります", "a term that is not a cell"))
        return [*_chain(node[2], op), right[1]]
    raise NotRecognised(Text("足し算・引き算が混ざっています", "sums and differences mixed, or a term that is not a cell"))


def _product(node: Node) -> tuple[list[Ref], list[Ref], Decimal]:
    """The cells multiplied, the cells divided by, and the constant factor of a */ chain."""
    if node[0] == "ref":
        return [node[1]], [], Decimal(1)
    if node[0] == "num":
        return [], [], node[1]
    if node[0] == "bin" and node[1] in "*/":
        top, bottom, factor = _product(node[2])
        right_top, right_bottom, right_factor = _product(node[3])
        if node[1] == "*":
            return top + right_top, bottom + right_bottom, factor * right_factor
        if right_factor == 0:
            raise NotRecognised(Text("0 で割っています", "a division by 0"))
        return top + right_bottom, bottom + right_top, factor / right_factor
    raise NotRecognised(Text("掛け算・割り算の項がセルでも数でもありません", "a factor that is neither a cell nor a number"))
