"""A module's regular expressions compiled when first used, not when it is imported.

A process checks one file in a fraction of a second, and compiling a pattern costs 0.1-1 ms
(a large character class more): most of a module's patterns serve forms of values, errors
or layouts a given file does not have. `_NAME = lazy_pattern(source)` stands where
`_NAME = re.compile(source)` stood. Its first use compiles it and puts the compiled
pattern in its place in the module (so the module's functions then use the compiled
pattern itself, at no cost per use), and its methods on this object (for whoever holds it).
Use its methods and attributes (`match`, `search`, `pattern`, ...); before its first use
it is not an `re.Pattern` for `re.sub(pattern, ...)` or `isinstance`."""

from __future__ import annotations

import re
import sys
from typing import Any, cast

# what a pattern is used through: bound onto the object at its first use
_ATTRIBUTES = ("match", "fullmatch", "search", "sub", "subn", "split", "findall", "finditer", "scanner", "pattern",
               "flags", "groups", "groupindex")


class LazyPattern:
    def __init__(self, pattern: str, flags: int, namespace: dict[str, Any]) -> None:
        self._source = (pattern, flags)
        self._namespace = namespace  # the globals of the module that holds it

    def __getattr__(self, name: str) -> Any:  # only until the first use has bound the attributes
        if name.startswith("__") or name in ("_source", "_namespace"):  # copy's and pickle's probes
            raise AttributeError(name)
        compiled = re.compile(*self._source)
        for attribute in _ATTRIBUTES:
            setattr(self, attribute, getattr(compiled, attribute))
        for key, value in list(self._namespace.items()):
            if value is self:
                self._namespace[key] = compiled
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy_pattern({self._source[0]!r}, {self._source[1]!r})"


def lazy_pattern(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`, compiled at its first use; for a module constant."""
    return cast("re.Pattern[str]", LazyPattern(pattern, flags, sys._getframe(1).f_globals))
