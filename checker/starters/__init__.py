"""Starter files, one per document kind, for `plancheck init --kind KIND`: a small plan of
that kind with the shape the source documents print (invented, consistent numbers, so a
starter is clean under plancheck and each of its relations is checked), its `source` with
an address, a file name, pages and a publication date, comments in Japanese on what to
replace. tests/test_init.py checks every starter with the recommended rules."""

from __future__ import annotations

import os
from pathlib import Path

HERE = Path(__file__).parent

# a kind -> its starter file; a plan kind whose document is mostly one table kind shares its starter
STARTERS: dict[str, str] = {
    "policy_evaluation": "policy_evaluation.yaml",
    "execution_plan": "execution_plan.yaml",
    "strategy_progress": "strategy_progress.yaml",
    "statistics": "statistics.yaml",
    "activity_plan": "activity_plan.yaml",
    "budget": "budget.yaml",
    "settlement": "settlement.yaml",
    "settlement_revenue": "settlement.yaml",
    "settlement_expenditure": "settlement.yaml",
    "account_budget": "account_budget.yaml",
    "cost_sheet": "cost_sheet.yaml",
    "project_evaluation": "cost_sheet.yaml",
    "service_progress": "service_progress.yaml",
    "welfare_plan": "service_progress.yaml",
    "achievement_matrix": "achievement_matrix.yaml",
    "comprehensive_plan": "achievement_matrix.yaml",
    "kpi_sheet": "kpi_sheet.yaml",
}


def starter(kind: str) -> str:
    return (HERE / STARTERS[kind]).read_text(encoding="utf-8")


def write_new(path: Path, text: str) -> None:
    """Write `text` to `path`, which must not exist (FileExistsError otherwise, even when it
    appears between a check and the write: the file is created exclusively)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as file:
        file.write(text)
