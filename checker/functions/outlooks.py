"""事務事業の動向: the stated counts of items per outlook (拡大 / 改善 / 維持 / 縮小 / 廃止)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from checker.diagnostics import Checked, Finding, Fix, Location, Related, RelationRecord, Text, Unchecked
from checker.functions import Target, check_function
from checker.functions.sums import unread


@check_function("outlook_counts", given=("project_lists",),
                kinds={"count_mismatch": ("outlook", "stated", "computed"),
                       "count_total_mismatch": ("stated", "computed", "counts")})
def outlook_counts(target: Target, options: dict[str, Any]) -> Iterator[Finding | RelationRecord]:
    """Each stated count equals the number of items with that outlook, and the counts add
    up to the number of items. When an item has no outlook the per-outlook counts cannot
    be recomputed (each is reported unchecked, naming the items) and only their sum is
    checked."""
    from checker.model import OUTLOOKS  # here: a run answered from the cache never loads the model

    projects = target.node
    stated = projects.outlook_counts
    if stated is None:
        return
    counts = target.path + ("outlook_counts",)
    relation = Text("事務事業の動向の件数 = 各動向の項目の数", "the outlook counts = the items of each outlook")
    blocked = unread(target, target.path + ("items",), counts, relation) or unread(target, counts, counts, relation)
    if blocked is not None:
        yield blocked
        return
    items = projects.items
    counted = Counter(item.outlook for item in items if item.outlook is not None)
    all_known = all(item.outlook is not None for item in items)
    if not all_known:
        unknown = [f"{item.no or index + 1}" for index, item in enumerate(items) if item.outlook is None]
        reason = Text(f"内訳 {'、'.join(unknown)} の動向が書かれていない",
                      f"item{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
                      f"{'have' if len(unknown) > 1 else 'has'} no outlook")
        for outlook in stated:
            relation = Text(f"「{outlook}」の件数 ＝ 「{outlook}」の事業の数",
                            f"the count of {outlook} = the items marked {outlook}")
            yield Unchecked(Location(target.file, target.path + ("outlook_counts", outlook)), relation, reason)
    if all_known:
        for outlook in OUTLOOKS:
            expected = counted.get(outlook, 0)
            given = stated.get(outlook)
            if given is None:
                if expected == 0:
                    continue  # neither printed nor implied: no count to check
                location = Location(target.file, target.path + ("outlook_counts",), key=True)
                yield Checked(location)
                fix = None
            else:
                location = Location(target.file, target.path + ("outlook_counts", outlook))
                yield Checked(location)
                if given == expected:
                    continue
                fix = Fix(location, str(expected))
            yield Finding(
                "count_mismatch",
                location,
                {"outlook": outlook, "stated": "—" if given is None else given, "computed": expected},
                [Related(Location(target.file, target.path + ("items", index, "outlook")),
                         Text(f"{outlook}: {item.no or index + 1}", f"{outlook}: item {item.no or index + 1}"))
                 for index, item in enumerate(items) if item.outlook == outlook],
                fix,
            )
    total = sum(stated.values())
    yield Checked(Location(target.file, target.path + ("outlook_counts",), key=True))
    if total != len(items):
        yield Finding(
            "count_total_mismatch",
            Location(target.file, target.path + ("outlook_counts",), key=True),
            {"stated": total, "computed": len(items),
             "counts": [Text(f"{name} {count}", f"{name} {count}") for name, count in stated.items()]},
        )
