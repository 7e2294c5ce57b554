"""Built-in check functions and the selectors that feed them.

A rule names a selector (`given`) and a function (`then.function`) with options. The
selector yields `Target`s, the model nodes the rule applies to; the function takes one
target and its options and yields `Finding`s. Functions are pure: no I/O, no globals,
deterministic order. Cross-document functions take the `plan_set` target, which holds
every loaded plan.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from checker.diagnostics import Finding, ModelPath, RelationRecord

if TYPE_CHECKING:
    from pydantic import BaseModel

    from checker.functions.options import FunctionOptions


# a NamedTuple, not a frozen dataclass: nothing compares or hashes targets, and a frozen
# dataclass costs every process about 1 ms to make at import (its generated methods exec'd)
class Target(NamedTuple):
    file: str  # the LoadedFile name, for locations
    path: ModelPath  # the model path of `node` within its file
    node: Any
    plan: Any  # the PlanFile the node belongs to (None for plan_set)


# A check yields findings, and a record of each relation it evaluated, could not evaluate
# (and why) or found not applicable: a clean run must mean "checked and consistent". It
# receives its options as its validated options model (checker.functions.options).
CheckFunction = Callable[[Target, Any], Iterable[Finding | RelationRecord]]


@dataclass(frozen=True)
class FunctionSpec:
    """A check function and its contract with the rules that call it."""

    name: str
    run: CheckFunction  # takes the options model, or a mapping it validates first
    given: tuple[str, ...]  # the selectors it accepts
    # kind -> the arguments its findings carry: exactly the placeholders a message may use
    kinds: dict[str, tuple[str, ...]]
    options: type[FunctionOptions] | None = None  # its options model; None: it takes none
    # the kind of its findings that say a rule does not fit the data (a row the table does
    # not have): reported as RULE001 whatever the rule's kind, never by the rule itself
    target_mismatch: str | None = None
    doc: str = ""

    @property
    def options_model(self) -> type[FunctionOptions]:
        if self.options is not None:
            return self.options
        from checker.functions.options import FunctionOptions

        return FunctionOptions

    @property
    def rule_kinds(self) -> dict[str, tuple[str, ...]]:
        """The kinds a rule may report (all but the target mismatch)."""
        return {kind: args for kind, args in self.kinds.items() if kind != self.target_mismatch}

    def make_options(self, options: Any) -> Any:
        """The options as the function takes them: its model, validated."""
        if isinstance(options, Mapping):
            from checker.model import prepare_validator

            model = self.options_model
            prepare_validator(model)  # from the run's cache: pydantic need not build it
            return model.model_validate(dict(options))
        return options


FUNCTIONS: dict[str, FunctionSpec] = {}


def check_function(
    name: str,
    given: tuple[str, ...],
    kinds: dict[str, tuple[str, ...]],
    options: type[FunctionOptions] | None = None,
    target_mismatch: str | None = None,
):
    """Register a check function: the selectors it takes, each finding kind it reports with
    the arguments its findings carry, its options model, and the kind (if any) that means
    the rule does not fit the data."""
    if target_mismatch is not None and target_mismatch not in kinds:
        raise ValueError(f"{name}: target_mismatch {target_mismatch} is not one of its kinds")

    def register(function: CheckFunction) -> CheckFunction:
        spec: FunctionSpec

        def run(target: Target, options: Any) -> Iterable[Finding | RelationRecord]:
            return function(target, spec.make_options(options))

        spec = FunctionSpec(name, run, given, {kind: tuple(args) for kind, args in kinds.items()}, options,
                            target_mismatch, inspect.cleandoc(function.__doc__ or ""))
        FUNCTIONS[name] = spec
        return function

    return register


# --- selectors --------------------------------------------------------------------------


def plan_sections(plan: Any) -> Iterator[tuple[ModelPath, Any]]:
    """Every section of a plan with its path, a goal before its measure groups."""
    for index, theme in enumerate(plan.themes):
        yield ("themes", index), theme
    for index, policy in enumerate(plan.policies):
        yield ("policies", index), policy
    for index, goal in enumerate(plan.goals):
        yield ("goals", index), goal
        for area_index, area in enumerate(goal.areas):
            yield ("goals", index, "areas", area_index), area
    for index, table in enumerate(plan.tables):
        yield ("tables", index), table


def plan_indicators(plan: Any) -> Iterator[tuple[ModelPath, Any]]:
    """Every indicator of a plan with its model path."""
    for path, section in plan_sections(plan):
        for index, indicator in enumerate(section.indicators):
            yield path + ("indicators", index), indicator


def plan_set_indicators(files: list[Any]) -> Iterator[tuple[Any, ModelPath, Any]]:
    """(loaded file, path, indicator) over a plan set, files in name order."""
    for loaded in sorted(files, key=lambda item: item.name):
        for path, indicator in plan_indicators(loaded.model):
            yield loaded, path, indicator


def parse_given(given: str) -> tuple[str, dict[str, str]]:
    """`tables[id=population-by-age]` -> ("tables", {"id": "population-by-age"}): a
    selector narrowed to the nodes whose fields have those values."""
    match = re.fullmatch(r"\s*([a-z_]+)\s*(?:\[(.*)\])?\s*", given)
    if not match:
        raise ValueError(f"not a selector: {given!r}")
    filters: dict[str, str] = {}
    for part in filter(None, (piece.strip() for piece in (match[2] or "").split(","))):
        name, sep, value = part.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"a selector filter is field=value, not {part!r}")
        filters[name.strip()] = value.strip().strip("\"'")
    return match[1], filters


def _matches(node: Any, filters: dict[str, str]) -> bool:
    return all(str(getattr(node, name, None)) == value for name, value in filters.items())


_PARSED: dict[str, tuple[str, dict[str, str]]] = {}  # each selector a ruleset names, parsed once


def select(given: str, files: list[Any]) -> list[Target]:
    """The targets of selector `given` (with its filters) over the files that have a model."""
    parsed = _PARSED.get(given)
    if parsed is None:
        parsed = parse_given(given)
        if len(_PARSED) < 1000:
            _PARSED[given] = parsed
    name, filters = parsed
    targets = _select(name, files)
    return [target for target in targets if _matches(target.node, filters)] if filters else targets


def _select(given: str, files: list[Any]) -> list[Target]:
    """The targets of selector `given` over the loaded files that have a model."""
    from checker.model import MajorProjectList, ProjectList, StatisticsTable

    valid = [loaded for loaded in files if loaded.model is not None]
    targets: list[Target] = []
    if given == "plan_set":
        return [Target("", (), valid, None)]
    for loaded in valid:
        plan = loaded.model
        if given == "plans":
            targets.append(Target(loaded.name, (), plan, plan))
            continue
        for path, section in plan_sections(plan):
            if given == "sections":
                targets.append(Target(loaded.name, path, section, plan))
            elif given == "indicators":
                for index, indicator in enumerate(section.indicators):
                    targets.append(Target(loaded.name, path + ("indicators", index), indicator, plan))
            elif given == "project_lists":
                if isinstance(getattr(section, "projects", None), ProjectList):
                    targets.append(Target(loaded.name, path + ("projects",), section.projects, plan))
            elif given == "major_project_lists":
                if isinstance(getattr(section, "projects", None), MajorProjectList):
                    targets.append(Target(loaded.name, path + ("projects",), section.projects, plan))
            elif given == "tables":
                if isinstance(section, StatisticsTable):
                    targets.append(Target(loaded.name, path, section, plan))
            else:
                raise KeyError(given)
    return targets


SELECTORS = ("plans", "plan_set", "sections", "indicators", "project_lists", "major_project_lists", "tables")


_BUILTINS_LOADED: list[bool] = []  # once imported: the engine asks before every check


def load_builtin_functions() -> None:
    """Import the function modules so they register themselves."""
    if _BUILTINS_LOADED:
        return
    from checker import kinds  # noqa: F401  (table_kind: the document kinds of tables)
    from checker.functions import (  # noqa: F401
        bands,
        blame,
        documents,
        figures,
        links,
        outlooks,
        plan_set,
        rates,
        series,
        sums,
        tables,
        units,
        years,
    )

    _BUILTINS_LOADED.append(True)


def selector_models(given: str) -> tuple[type[BaseModel], ...]:
    """The model classes of the nodes a selector yields: the fields its filters may name
    (none for plan_set, which yields the whole set)."""
    from checker.model import (
        Area,
        Goal,
        Indicator,
        MajorProjectList,
        PlanFile,
        Policy,
        ProjectList,
        StatisticsTable,
        Theme,
    )

    return {
        "plans": (PlanFile,),
        "plan_set": (),
        "sections": (Theme, Policy, Goal, Area, StatisticsTable),
        "indicators": (Indicator,),
        "project_lists": (ProjectList,),
        "major_project_lists": (MajorProjectList,),
        "tables": (StatisticsTable,),
    }[given]
