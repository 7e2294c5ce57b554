"""Shared helpers: check YAML text or files with the recommended ruleset."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.engine import Engine
from checker.loader import LoadedFile, load_file, load_text
from checker.rules import load_ruleset

ROOT = Path(__file__).resolve().parent.parent
PLANS = ROOT / "plans"


@pytest.fixture(scope="session")
def recommended():
    return load_ruleset("recommended")


def load_plan_text(text: str, name: str = "plan.yaml") -> LoadedFile:
    return load_text(LoadedFile(path=Path(name), name=name), text)


def check_texts(ruleset, texts: dict[str, str]):
    files = [load_plan_text(text, name) for name, text in texts.items()]
    return Engine(ruleset).run(files)


def check_text(ruleset, text: str, name: str = "plan.yaml"):
    return check_texts(ruleset, {name: text})


def real_plan_files() -> list[Path]:
    return sorted(PLANS.rglob("*.yaml"))


def real_files(replace: dict[Path, str] | None = None):
    """Every file of plans/ loaded, with some files' text replaced (mutated copies)."""
    replace = replace or {}
    files = []
    for path in real_plan_files():
        name = str(path.relative_to(ROOT))
        if path in replace:
            files.append(load_plan_text(replace[path], name))
        else:
            files.append(load_file(path, name))
    return files


def check_real(ruleset, replace: dict[Path, str] | None = None):
    """Check every file of plans/, with some files' text replaced (mutated copies)."""
    return Engine(ruleset).run(real_files(replace))


def codes(diagnostics) -> list[str]:
    return [d.code for d in diagnostics]


def section_of(markdown: str, heading: str) -> str:
    """A `## ` section of a Markdown document, from its heading to the next `## ` heading
    (one inside a code block not counted), whatever order the sections are in."""
    start = markdown.index(heading)
    fenced = False
    offset = start + len(heading)
    for line in markdown[offset:].split("\n"):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("## "):
            return markdown[start:markdown.index("\n" + line, offset) + 1]
    return markdown[start:]
