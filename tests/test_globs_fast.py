"""The literal fast path of `checker.globs.Glob` (a plain name at any depth, as every
default exclusion is) decides exactly as the general matcher does."""

from __future__ import annotations

import itertools

import pytest

from checker.config import DEFAULT_EXCLUDE
from checker.globs import Glob

PATTERNS = [*DEFAULT_EXCLUDE, "node_modules", "!build/", "a.yaml", "\\!x", "plans/", "*.yml", "a/b", "/build/"]
PATHS = [[], ["build"], ["src", "build"], ["build", "x.yaml"], ["a", "build", "b", "c.yaml"], ["node_modules"],
         ["x", "node_modules", "y"], ["a.yaml"], ["d", "a.yaml"], ["a.yaml", "e"], ["!x"], ["plans"],
         ["plans", "p.yaml"], ["builds"], ["xbuild"], [".git"], [".git", "HEAD"], ["a", "b"]]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_literal_fast_path_matches_as_the_general_matcher(pattern):
    glob = Glob.parse(pattern)
    assert glob is not None
    general = Glob(glob.text, glob.negated, glob.directory_only, glob.segments)
    general.literal = None
    for components, is_dir in itertools.product(PATHS, (False, True)):
        assert glob.matches(list(components), is_dir) == general.matches(list(components), is_dir), \
            (pattern, components, is_dir)


def test_default_exclusions_take_the_fast_path():
    assert all(Glob.parse(pattern).literal == pattern.rstrip("/") for pattern in DEFAULT_EXCLUDE)
    assert Glob.parse("*.yml").literal is None
    assert Glob.parse("a/b").literal is None


@pytest.mark.parametrize("where", ["/tmp", "/"])
def test_display_name_on_strings_is_relative_to_as_before(where, monkeypatch):
    from pathlib import Path

    from checker.discovery import display_name

    monkeypatch.chdir(where)

    def before(path: Path) -> str:
        try:
            return str(path.absolute().relative_to(Path.cwd()))
        except ValueError:
            return str(path)

    for raw in ["a/b", ".", "..", "../x", "/tmp", "/tmp/a/b", "/tmpx/a", "/", "a//b/", "./a", "/tmp/../tmp/a", "/a"]:
        assert display_name(Path(raw)) == before(Path(raw)), raw
