"""Blame: which cell explains a relation that fails, given the relations that hold.

Every relation evaluated on one table (declared ones, the hierarchy's sums, the relations
its kind adds: everything `table_relations` yields) is one evaluation per cross line. An
evaluation that states an equality says which cells it read: its `Checked` record names
the relation at its cross line and its operands (`Checked.relation`, `Checked.operands`);
the finding right after it at the same cell, if any, says that it failed. Inequalities
(a うち line, a bound) name no operands: a value within a bound confirms nothing.

After the table is evaluated, each failing evaluation's cells are sorted out:

- a cell that takes part in an evaluation that holds is *confirmed*;
- when exactly one cell is unconfirmed, it explains the failure: the finding moves there
  (its primary location; the stated cell it was at becomes a related span, and a fix that
  rewrote the stated cell is dropped), and its message says which relation confirms the
  other cells and, where the relation is linear in that cell (a sum, difference, running
  sum, change, lag or equality), the value the cell would need;
- when several are unconfirmed and exactly one of them is in another failing evaluation
  too (and in none that holds), it is the common suspect, which explains both: the
  finding moves there, saying so;
- otherwise the unconfirmed cells are named as suspects (their related spans labelled
  so), the finding staying where it is.

Findings keep their kind (the failing relation's rule). Their `blame` argument is the
sentence their rule's message ends with, empty when nothing can be said.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from checker.diagnostics import Checked, Finding, Location, Related, RelationRecord, Text
from checker.functions import FUNCTIONS, Target
from checker.functions.sums import joined
from checker.values import format_decimal

# the kinds whose findings say an equality failed at one evaluation: the ones blame moves
BLAMED_KINDS = frozenset({
    "sum_mismatch", "sum_beyond_declared_rounding", "tree_sum_mismatch", "difference_mismatch", "ratio_mismatch",
    "product_mismatch", "share_mismatch", "not_equal", "running_sum_mismatch", "running_sum_start_mismatch",
    "change_mismatch", "lag_mismatch",
})
_NOTHING = Text("", "")

_Cell = tuple[str, tuple[Any, ...]]


def declare_blame(kinds: dict[str, tuple[str, ...]]) -> None:
    """Add the `blame` argument to the blamed kinds among `kinds` (table_relations' own)."""
    for kind in BLAMED_KINDS & set(kinds):
        if "blame" not in kinds[kind]:
            kinds[kind] = (*kinds[kind], "blame")


def _declare() -> None:
    from checker.functions import tables

    declare_blame(tables.RELATION_KINDS)
    spec = FUNCTIONS.get("table_relations")
    if spec is not None:
        declare_blame(spec.kinds)


@dataclass
class _Evaluation:
    checked: Checked
    finding: Finding | None
    position: int  # of the finding in the stream (-1: none)

    @property
    def cells(self) -> list[_Cell]:
        return [_key(self.checked.location), *(_key(operand.location) for operand in self.checked.operands)]

    @property
    def holds(self) -> bool:
        return self.finding is None

    @property
    def fails(self) -> bool:
        return self.finding is not None and self.finding.kind in BLAMED_KINDS


def _key(location: Location) -> _Cell:
    return (location.file, location.path)


def assign_blame(target: Target, found: Iterable[Finding | RelationRecord]) -> Iterator[Finding | RelationRecord]:
    """The findings and records of the relations evaluated on one table, with each failing
    relation's finding blamed on the cell that explains it (the module's docstring)."""
    items = list(found)
    evaluations = []
    for position, item in enumerate(items):
        if isinstance(item, Checked) and item.relation is not None:
            after = items[position + 1] if position + 1 < len(items) else None
            paired = isinstance(after, Finding) and after.location == item.location
            evaluations.append(_Evaluation(item, after if paired else None, position + 1 if paired else -1))  # type: ignore[arg-type]
    confirming: dict[_Cell, list[Text]] = {}
    failing: dict[_Cell, list[_Evaluation]] = {}
    for evaluation in evaluations:
        for cell in evaluation.cells:
            if evaluation.holds:
                confirming.setdefault(cell, []).append(evaluation.checked.relation)  # type: ignore[arg-type]
            elif evaluation.fails:
                failing.setdefault(cell, []).append(evaluation)
    labels = _Labels(target)
    blamed = {evaluation.position: _blamed(labels, evaluation, confirming, failing)
              for evaluation in evaluations if evaluation.fails}
    for position, item in enumerate(items):
        if position in blamed:
            yield blamed[position]
        elif isinstance(item, Finding) and item.kind in BLAMED_KINDS and "blame" not in item.args:
            yield replace(item, args={**item.args, "blame": _NOTHING})
        else:
            yield item


def _unique(texts: Iterable[Text]) -> list[Text]:
    seen: list[Text] = []
    for text in texts:
        if text not in seen:
            seen.append(text)
    return seen


def _blamed(labels: _Labels, evaluation: _Evaluation, confirming: dict[_Cell, list[Text]],
            failing: dict[_Cell, list[_Evaluation]]) -> Finding:
    finding = evaluation.finding
    assert finding is not None
    cells = list(dict.fromkeys(evaluation.cells))
    unconfirmed = [cell for cell in cells if cell not in confirming]
    confirmed = [cell for cell in cells if cell in confirming]
    confirmers = _unique(text for cell in confirmed for text in confirming[cell])
    common = [cell for cell in unconfirmed if len(failing.get(cell, [])) >= 2]
    if len(unconfirmed) == 1 and confirmers:
        return _moved(labels, evaluation, unconfirmed[0], confirmers, [])
    if len(unconfirmed) > 1 and len(common) == 1:
        others = _unique(other.checked.relation for other in failing[common[0]]  # type: ignore[misc]
                         if other is not evaluation)
        return _moved(labels, evaluation, common[0], [], others)
    if len(unconfirmed) > 1 and (confirmers or len(common) > 1):
        suspects = common if len(common) > 1 else unconfirmed
        names = joined([labels(cell) for cell in suspects])
        if confirmers:
            by = _confirmed_by(confirmers)
            kept = joined([labels(cell) for cell in confirmed])
            text = Text(f"。{kept.ja}は{by.ja}ため、誤りの候補は {names.ja} です",
                        f"; {kept.en} {by.en}, so the suspects are {names.en}")
        else:
            text = Text(f"。誤りの候補は、ほかの不一致の関係にも加わる {names.ja} です",
                        f"; the suspects are {names.en}, which take part in other failing relations too")
        related = [Related(rel.location, Text(f"誤りの候補: {rel.label.ja}", f"suspect: {rel.label.en}"))
                   if _key(rel.location) in suspects else rel for rel in finding.related]
        return replace(finding, args={**finding.args, "blame": text}, related=related)
    return replace(finding, args={**finding.args, "blame": _NOTHING})


def _confirmed_by(confirmers: list[Text]) -> Text:
    names = joined(confirmers)
    return Text(f"成り立つ関係（{names.ja}）で確かめられる",
                f"are confirmed by {names.en}, which hold{'s' if len(confirmers) == 1 else ''}")


def _moved(labels: _Labels, evaluation: _Evaluation, suspect: _Cell, confirmers: list[Text], others: list[Text]
           ) -> Finding:
    """The finding blamed on one cell, the one its `confirmers` (relations that hold)
    leave unconfirmed, or the one it shares with the failing relations `others` (the
    common suspect): moved there unless it is the stated one, saying why and the value the
    relation needs there (when it is linear in the cell)."""
    finding = evaluation.finding
    assert finding is not None
    checked = evaluation.checked
    stated_value = finding.args.get("stated")
    label = labels(suspect)
    at_stated = suspect == _key(checked.location)
    value: Decimal | None = stated_value if at_stated else next(
        (operand.value for operand in checked.operands if _key(operand.location) == suspect), None)
    needed = _needed(evaluation, suspect) if isinstance(stated_value, Decimal) else None
    shown = "" if value is None else f" {format_decimal(value)}"
    need = (Text("", "") if needed is None else
            Text(f"（この関係を満たすには {format_decimal(needed)}）", f" (this relation needs {format_decimal(needed)} there)"))
    if others:
        names = joined(others)
        shared = Text(f"この関係と{names.ja}の{'両方' if len(others) == 1 else 'すべて'}に加わり、成り立つ関係で確かめられない",
                      f"it takes part in this relation and in {names.en}, which fail{'s' if len(others) == 1 else ''} "
                      "too, and in none that holds")
        text = (Text(f"。この値は{shared.ja}ため、{'両方' if len(others) == 1 else 'すべて'}の不一致の原因と考えられます"
                     f"{need.ja}", f"; this value is the likely cause of {'both' if len(others) == 1 else 'them all'}: {shared.en}{need.en}")
                if at_stated else
                Text(f"。{label.ja}の値{shown} が誤りと考えられます（{shared.ja}）{need.ja}",
                     f"; {label.en}{shown} is the likely error ({shared.en}){need.en}"))
    else:
        by = _confirmed_by(confirmers)
        text = (Text(f"。ほかのセルは{by.ja}ため、誤りはこの値と考えられます{need.ja}",
                     f"; the other cells {by.en}, so this value is the likely error{need.en}")
                if at_stated else
                Text(f"。ほかのセルは{by.ja}ため、誤りは{label.ja}の値{shown} と考えられます{need.ja}",
                     f"; the other cells {by.en}, so {label.en}{shown} is the likely error{need.en}"))
    if at_stated:
        return replace(finding, args={**finding.args, "blame": text})
    stated_label = labels(_key(checked.location))
    related = [rel for rel in finding.related if _key(rel.location) != suspect]
    related.insert(0, Related(checked.location, Text(f"関係の値: {stated_label.ja}", f"the relation's value: {stated_label.en}")))
    location = next(operand.location for operand in checked.operands if _key(operand.location) == suspect)
    return replace(finding, location=location, args={**finding.args, "blame": text}, related=related, fix=None)


def _needed(evaluation: _Evaluation, suspect: _Cell) -> Decimal | None:
    """The value `suspect` needs for the relation to hold exactly, when the relation is
    linear in every cell (stated = Σ weight × operand); None otherwise."""
    checked, finding = evaluation.checked, evaluation.finding
    assert finding is not None
    operands = checked.operands
    if not operands or any(operand.weight is None for operand in operands):
        return None
    stated = finding.args["stated"]
    computed = sum((operand.value * operand.weight for operand in operands), Decimal(0))  # type: ignore[operator]
    if suspect == _key(checked.location):
        return computed
    operand = next(operand for operand in operands if _key(operand.location) == suspect)
    return operand.value + (stated - computed) / operand.weight


class _Labels:
    """Table cells by their row's name and their column's title (一般財源の「令和4年度決算」),
    with one index per table of the file."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.indexes: dict[int, Any] = {}

    def __call__(self, cell: _Cell) -> Text:
        from checker.functions.tables import TableIndex, table_prefix

        target, path = self.target, cell[1]
        try:
            position, column = int(path[1]), str(path[-1])
            table = target.plan.tables[position]
            node: Any = table
            for step in path[2:-2]:
                node = getattr(node, step) if isinstance(step, str) else node[step]
            if position not in self.indexes:
                self.indexes[position] = TableIndex.of(table, position)
            title = self.indexes[position].column_title(column)
            prefix = table_prefix(table, target.node)
            return Text(f"{prefix}{node.name}の「{title}」", f"{prefix}{node.name}, {title}")
        except (AttributeError, IndexError, KeyError, TypeError, ValueError):
            shown = "/".join(str(part) for part in path)
            return Text(shown, shown)


_declare()
