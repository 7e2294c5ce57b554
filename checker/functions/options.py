"""The options a check function takes, as a typed model: a ruleset's `then.options` are
validated against it when the ruleset is loaded (an unknown option, a missing one or a
value of the wrong type is a `RulesetError` at its line), and the function receives the
validated instance. Only the modules of functions with options import this (and pydantic):
a run answered from the cache imports neither."""

from __future__ import annotations

import types
import typing
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from checker.diagnostics import Text


class FunctionOptions(BaseModel):
    """A function's options: every field typed and described; a field without a default
    is an option every rule calling the function must give."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


_TYPE_TEXTS = {
    str: Text("文字列", "a string"),
    int: Text("整数", "a whole number"),
    Decimal: Text("数", "a number"),
    float: Text("数", "a number"),
    bool: Text("true か false", "true or false"),
}


def describe_type(annotation: Any) -> Text:
    """What a value of this type is, in both languages (for errors and the reference)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        parts = [describe_type(arg) for arg in typing.get_args(annotation) if arg is not type(None)]
        return Text("または".join(part.ja for part in parts), " or ".join(part.en for part in parts))
    if origin in (list, tuple):
        (item, *_) = typing.get_args(annotation) or (Any,)
        inner = describe_type(item)
        return Text(f"{inner.ja}のリスト", f"a list of {inner.en.removeprefix('a ').removeprefix('an ')}s")
    return _TYPE_TEXTS.get(annotation, Text(str(annotation), str(annotation)))
