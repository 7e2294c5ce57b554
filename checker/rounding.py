"""The roundings a document declares (四捨五入, 切り捨て, 切り上げ), for every value or per kind
of value. Plain data: the checks read it without importing the plan model."""

from __future__ import annotations

from dataclasses import dataclass

ROUNDINGS: tuple[str, ...] = ("四捨五入", "切り捨て", "切り上げ")
# The kinds of value a rounding can be declared for: achievement rates and table ratio rows,
# and sums (a list's 合計, a table's sum rows, a parent row of (内数) components).
ROUNDING_KINDS: tuple[str, ...] = ("rates", "totals")


@dataclass(frozen=True)
class RoundingByKind:
    """`rounding: {rates: 切り捨て, totals: 四捨五入}`: a rounding for some kinds of value;
    a kind it leaves out has the rounding declared further out (the plan's), or none."""

    rates: str | None = None
    totals: str | None = None

    def of(self, kind: str) -> str | None:
        return getattr(self, kind)
