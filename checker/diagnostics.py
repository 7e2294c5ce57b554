"""What a check says: findings from check functions and the loader, and the diagnostics
the engine makes of them by adding the rule's code, severity and messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import IntEnum
from typing import Any, NamedTuple

from checker.fiscal import year_label
from checker.values import format_decimal

ModelPath = tuple[str | int, ...]


class Severity(IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]

    @property
    def label(self) -> str:
        return self.name.lower()


class Span(NamedTuple):
    """1-based line and column; `end_column` is exclusive (as in SARIF). A named tuple: a
    plan set holds one per value and key, and they cross process and cache boundaries by
    the million (a slotted dataclass pickles field by field, in Python)."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Year:
    """A fiscal year in a message: shown as 令和4年度 (and FY2022 in English)."""

    year: int

    def render(self, lang: str) -> str:
        return year_label(self.year, lang)


@dataclass(frozen=True)
class Text:
    """Words that differ by language, for message arguments."""

    ja: str
    en: str

    def render(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


def render_arg(value: Any, lang: str) -> str:
    if isinstance(value, (Year, Text)):
        return value.render(lang)
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return format_decimal(Decimal(value))
    if isinstance(value, (list, tuple)):
        sep = "、" if lang == "ja" else ", "
        return sep.join(render_arg(item, lang) for item in value)
    return str(value)


def plain_arg(value: Any) -> Any:
    """An argument as JSON data: numbers stay exact (as strings), years as western ints."""
    if isinstance(value, Year):
        return value.year
    if isinstance(value, Text):
        return {"ja": value.ja, "en": value.en}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [plain_arg(item) for item in value]
    return value


@dataclass(frozen=True)
class Location:
    """A place in a loaded file: by model path (resolved to a span by the engine), or by
    span directly (the loader's own findings, made before there is a model)."""

    file: str
    path: ModelPath = ()
    span: Span | None = None
    key: bool = False  # point at the mapping key rather than its value


@dataclass(frozen=True)
class Related:
    location: Location
    label: Text


@dataclass(frozen=True)
class Fix:
    """Replace the scalar at `location` with `replacement` (YAML text of a plain scalar)."""

    location: Location
    replacement: str
    safe: bool = True


@dataclass(frozen=True)
class Operand:
    """A cell an evaluated relation read besides its stated value: where it is, its value
    (0 for a mark declared zero), and its weight when the relation is linear in it (the
    stated value = Σ weight × value: 1 for a part of a sum, −1 for a subtrahend), None when
    it is not (a ratio's denominator)."""

    location: Location
    value: Decimal
    weight: int | None = None


@dataclass(frozen=True)
class Checked:
    """A relation a check evaluated (whether it held or not): a total against its items, a
    rate against its operands. `location` is the stated value that restates the others.
    `note` says what it was checked against when that is not the usual (a band mark
    against the stated rate because the rate cannot be recomputed).

    A relation that states an equality (a table's sum, difference, ratio, running sum…)
    also names itself at its cross line (`relation`) and the other cells it read
    (`operands`): the blame pass (checker/functions/blame.py) takes a cell of a relation
    that holds as confirmed. None of these is compared: a record is the same relation
    either way."""

    location: Location
    note: Text | None = field(default=None, compare=False)
    relation: Text | None = field(default=None, compare=False)
    operands: tuple[Operand, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Unchecked:
    """A relation a check would evaluate but cannot: at the value that blocked it (a blank
    operand, a cell that is text, no target for that year, an unreadable number), with
    what the relation is and why it could not be evaluated, in both languages."""

    location: Location
    relation: Text
    reason: Text
    # the finding kind this relation would have reported: it names the rule that did not
    # run (None: the check's main kind). Who reports it, not what it is: not compared.
    kind: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class NotApplicable:
    """A relation that does not apply yet (a future year without an actual): neither
    checked nor a gap in what was checked."""

    location: Location
    relation: Text
    reason: Text


RelationRecord = Checked | Unchecked | NotApplicable


@dataclass(frozen=True)
class UncheckedRelation:
    """A relation that could not be checked, as the run reports it: where, which rules'
    relation it is, what it is and why it was not checked."""

    file: str
    span: Span
    codes: tuple[str, ...]
    relation: Text
    reason: Text

    def sort_key(self) -> tuple:
        return (self.file, self.span.line, self.span.column, self.codes)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file, "line": self.span.line, "column": self.span.column,
            "end_line": self.span.end_line, "end_column": self.span.end_column,
            "rule": ", ".join(self.codes), "rules": list(self.codes),
            "relation": {"ja": self.relation.ja, "en": self.relation.en},
            "reason": {"ja": self.reason.ja, "en": self.reason.en},
        }


@dataclass
class Relations:
    """How many relations a run (or one file) evaluated, how many it could not (each
    listed), and how many did not apply yet. A clean run means "checked and consistent"
    only for the relations counted as checked."""

    checked_by_file: dict[str, int] = field(default_factory=dict)
    not_applicable: int = 0
    unchecked: list[UncheckedRelation] = field(default_factory=list)

    @property
    def checked(self) -> int:
        return sum(self.checked_by_file.values())

    def count_checked(self, file: str) -> None:
        self.checked_by_file[file] = self.checked_by_file.get(file, 0) + 1

    def add(self, other: Relations) -> None:
        for file, count in other.checked_by_file.items():
            self.checked_by_file[file] = self.checked_by_file.get(file, 0) + count
        self.not_applicable += other.not_applicable
        self.unchecked.extend(other.unchecked)

    def unchecked_in(self, file: str) -> list[UncheckedRelation]:
        return [relation for relation in self.unchecked if relation.file == file]

    def to_json(self) -> dict[str, Any]:
        return {"checked": self.checked, "unchecked": len(self.unchecked), "not_applicable": self.not_applicable}


def closest(word: str, candidates, cutoff: float = 0.6) -> str | None:
    """The candidate nearest to `word`, for a did-you-mean; None when none is close."""
    import difflib

    found = difflib.get_close_matches(str(word), [str(candidate) for candidate in candidates], n=1, cutoff=cutoff)
    return found[0] if found else None


def did_you_mean(near: str | None) -> Text:
    """The did-you-mean a message ends with, in both languages; empty when nothing is near."""
    return Text(f"（{near} の誤りではありませんか）", f" (did you mean {near}?)") if near else Text("", "")


@dataclass
class Finding:
    """What a check function or the loader found. `kind` picks the rule that reports it."""

    kind: str
    location: Location
    args: dict[str, Any] = field(default_factory=dict)
    related: list[Related] = field(default_factory=list)
    fix: Fix | None = None


@dataclass
class Diagnostic:
    code: str
    name: str
    severity: Severity
    message: dict[str, str]
    help: dict[str, str]
    file: str
    span: Span
    related: list[tuple[Related, Span]]
    args: dict[str, Any]
    fix: Fix | None = None
    fix_span: Span | None = None
    # where in the model the finding is (empty: a loader finding made before there was a
    # model): a baseline's fingerprint, which must not move with the lines (checker/baseline.py)
    path: ModelPath = ()
    # the workbook cell the value was imported from (`plancheck import`: PlanFile.cells), and
    # each related value's (None where it has none)
    cell: str | None = None
    related_cells: tuple[str | None, ...] = ()

    def sort_key(self) -> tuple:
        return (self.file, self.span.line, self.span.column, self.code)


    def to_json(self) -> dict[str, Any]:
        data = self._json()
        if self.cell is not None:
            data["cell"] = self.cell
        for entry, cell in zip(data["related"], self.related_cells):
            if cell is not None:
                entry["cell"] = cell
        return data

    def _json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.label,
            "message": self.message,
            "help": self.help,
            "file": self.file,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "related": [
                {
                    "file": rel.location.file,
                    "line": span.line,
                    "column": span.column,
                    "end_line": span.end_line,
                    "end_column": span.end_column,
                    "label": {"ja": rel.label.ja, "en": rel.label.en},
                }
                for rel, span in self.related
            ],
            "numbers": {key: plain_arg(value) for key, value in self.args.items()},
            "fix": None
            if self.fix is None
            else {"replacement": self.fix.replacement, "safe": self.fix.safe},
        }
