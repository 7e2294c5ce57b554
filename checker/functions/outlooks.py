"""事務事業の動向: the stated counts of items per outlook (拡大 / 改善 / 維持 / 縮小 / 廃止)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from checker.diagnostics import Finding, Fix, Location, Related, Text
from checker.functions import Target, check_function
from checker.functions.sums import unread


@check_function("outlook_counts", given=("project_lists",), kinds=("count_mismatch", "count_total_mismatch"))
def outlook_counts(target: Target, options: dict[str, Any]) -> Iterator[Finding]:
    """Each stated count equals the number of items with that outlook, and the counts add
    up to the number of items. When an item has no outlook the per-outlook counts cannot
    be recomputed and only their sum is checked."""
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
    if all_known:
        for outlook in OUTLOOKS:
            expected = counted.get(outlook, 0)
            given = stated.get(outlook)
            if given is None:
                if expected == 0:
                    continue
                location = Location(target.file, target.path + ("outlook_counts",), key=True)
                fix = None
            else:
                if given == expected:
                    continue
                location = Location(target.file, target.path + ("outlook_counts", outlook))
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
    if total != len(items):
        yield Finding(
            "count_total_mismatch",
            Location(target.file, target.path + ("outlook_counts",), key=True),
            {"stated": total, "computed": len(items),
             "counts": [Text(f"{name} {count}", f"{name} {count}") for name, count in stated.items()]},
        )
