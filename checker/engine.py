"""The engine: runs a ruleset's check functions over loaded plans and turns their
findings into diagnostics (code, severity, messages in both languages, spans)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from checker.diagnostics import (
    Checked,
    Diagnostic,
    Finding,
    Location,
    NotApplicable,
    Relations,
    Span,
    Unchecked,
    UncheckedRelation,
    render_arg,
)
from checker.functions import FUNCTIONS, load_builtin_functions, parse_given, select
from checker.loader import Budget, LoadedFile, limit_finding
from checker.rules import INTERNAL_ERROR, LANGS, RULE_TARGET_MISMATCH, Rule, Ruleset

# INTERNAL_ERROR: the finding kind of a check that failed on its input (rule INT001): the CLI
# exits 2 on it. RULE_TARGET_MISMATCH: a rule that does not fit the data (rule RULE001).


class MessageError(Exception):
    """A rule's message names an argument its function does not give."""


def render_message(template: dict[str, str], args: dict[str, Any], code: str) -> dict[str, str]:
    rendered = {}
    for lang in LANGS:
        text = template.get(lang)
        if text is None:
            continue
        values = {key: render_arg(value, lang) for key, value in args.items()}
        try:
            rendered[lang] = text.format_map(values)
        except (KeyError, IndexError, ValueError, AttributeError, TypeError) as error:
            raise MessageError(f"{code}: message ({lang}) uses {error} which is not given") from None
    return rendered


class Engine:
    def __init__(self, ruleset: Ruleset) -> None:
        self.ruleset = ruleset
        # (rule, selector, options as a key, whether the selector is the plan set), once:
        # file_diagnostics runs for every file
        self._calls = [(rule, given, json.dumps(rule.options, sort_keys=True, default=str),
                        parse_given(given)[0] == "plan_set")
                       for rule in ruleset.enabled() if not rule.is_loader for given in rule.given]
        # the enabled rules that share each call: a relation it records is theirs
        self._codes: dict[tuple[str, str, str], dict[str | None, tuple[str, ...]]] = {}
        for rule, given, options, _ in self._calls:
            by_kind = self._codes.setdefault((rule.function, given, options), {})
            for kind in {None, rule.kind}:
                by_kind[kind] = tuple(sorted({*by_kind.get(kind, ()), rule.code}))
        # a record that names no kind is the relation of the function's first (main) kind:
        # a rate's is RATE001's, a total's TOT001's, not every rule's that shares the call
        for (function, _, _), by_kind in self._codes.items():
            spec = FUNCTIONS.get(function)
            main_kind = next(iter(spec.kinds), None) if spec is not None else None
            if main_kind in by_kind:
                by_kind["(main)"] = by_kind[main_kind]
        # each phase's calls (the file's own, the plan set's) with their shared keys, in rule order
        self._phase_calls: dict[bool, list[tuple[Rule, str, tuple[str, str, str]]]] = {False: [], True: []}
        for rule, given, options, on_plan_set in self._calls:
            self._phase_calls[on_plan_set].append((rule, given, (rule.function, given, options)))
        self._options: dict[tuple[str, int], Any] = {}
        self._out_of_time = False  # the last `_rules` stopped because the file's time was spent
        # a check across documents failed (INT001) in the last `set_diagnostics`: over a
        # part of a plan set (run.py's components) its failure is not the whole set's, so
        # the run checks that plan set whole
        self.failed_across = False

    def run(self, files: list[LoadedFile]) -> list[Diagnostic]:
        """Every diagnostic on these files: each file's own, the plan set's, suppressions
        applied, in report order."""
        return self.check(files)[0]

    def check(self, files: list[LoadedFile]) -> tuple[list[Diagnostic], Relations]:
        """Every diagnostic on these files (as `run`), and the relations checked and not."""
        relations = Relations()
        diagnostics = []
        for loaded in files:
            diagnostics += self.file_diagnostics(loaded)
            relations.add(loaded.relations)
        diagnostics += self.set_diagnostics(files, relations=relations)
        relations.unchecked.sort(key=UncheckedRelation.sort_key)
        return self.finish(files, diagnostics), relations

    def file_diagnostics(self, loaded: LoadedFile, budget: Budget | None = None) -> list[Diagnostic]:
        """What one file says on its own: its loader findings and the rules that look at one
        file (every selector but plan_set), unsuppressed. They depend on the file and the
        ruleset alone, so a worker process computes them where it parsed the file, and the
        cache keeps them with it. The relations those rules checked, and could not, are
        kept on the file (`loaded.relations`), so they travel with it too. With `budget` (the
        file's time, started when its work began), the rules stop when it is
        spent: what they found so far stands, with a LOAD011 naming the time limit."""
        by_name = {loaded.name: loaded}
        diagnostics: list[Diagnostic] = []
        for finding in loaded.findings:
            rule = self.ruleset.loader_rule(finding.kind)
            if rule is None or rule.severity is None:
                continue
            diagnostics.append(self._diagnostic(rule, finding, by_name))
        loaded.relations = Relations()
        diagnostics += self._rules([loaded], by_name, plan_set=False, relations=loaded.relations, budget=budget)
        if budget is not None and self._out_of_time:
            rule = self.ruleset.loader_rule("too_large")
            if rule is not None and rule.severity is not None:
                diagnostics.append(self._diagnostic(rule, limit_finding(loaded.name, "time", budget.limits), by_name))
        return diagnostics

    def set_diagnostics(self, files: list[LoadedFile], only: set[str] | None = None,
                        relations: Relations | None = None) -> list[Diagnostic]:
        """What the rules across documents (given: plan_set) find, unsuppressed; with `only`,
        just on those files (the rest are context, and their spans are never looked up).
        The relations they checked and could not (on those files) are added to `relations`."""
        return self._rules(files, {loaded.name: loaded for loaded in files}, plan_set=True, only=only,
                           relations=relations)

    def finish(self, files: list[LoadedFile], diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        """Suppressions applied, in report order."""
        diagnostics = self._suppress(files, diagnostics, {loaded.name: loaded for loaded in files})
        diagnostics.sort(key=Diagnostic.sort_key)
        return diagnostics

    def _rules(self, files: list[LoadedFile], by_name: dict[str, LoadedFile], plan_set: bool,
               only: set[str] | None = None, relations: Relations | None = None,
               budget: Budget | None = None) -> list[Diagnostic]:
        # where a check that failed on the whole plan set is reported: a reported file, so
        # that the failure fails this run
        home = min(only) if only else files[0].name if files else ""
        diagnostics: list[Diagnostic | None] = []  # None: a message that failed, its INT001 in crashed
        results: dict[tuple[str, str, str], list[Finding]] = {}
        crashed: dict[tuple, Diagnostic] = {}  # once per check and target, whichever rules share it
        selected: dict[str, list] = {}  # each selector's targets, found once for the checks that share it
        self._out_of_time = False
        if plan_set:
            self.failed_across = False
        for rule, given, key in self._phase_calls[plan_set]:
            # Rules that share a function call (one per outcome kind) share its result.
            if key not in results:
                load_builtin_functions()  # here: a ruleset from the cache did not import them
                spec = FUNCTIONS[rule.function]
                results[key] = []
                if given not in selected:
                    selected[given] = select(given, files)
                for target in selected[given]:
                    if budget is not None and budget.spent():
                        self._out_of_time = True  # checked between targets, so between rules too
                        break
                    found, records = self._run_contained(spec, target, rule, home, budget)
                    results[key] += found
                    if relations is not None:
                        self._count(records, self._codes[key], by_name, only, relations)
            for finding in results[key]:
                if only is not None and finding.location.file not in only:
                    continue
                if finding.kind == INTERNAL_ERROR:
                    internal = self.ruleset.loader_rule(INTERNAL_ERROR)
                    if internal is not None and internal.severity is not None:
                        crashed.setdefault((id(internal), finding.location.file, finding.location.path,
                                            finding.args["check"]), self._diagnostic(internal, finding, by_name))
                elif finding.kind == FUNCTIONS[rule.function].target_mismatch:
                    mismatch = self.ruleset.loader_rule(RULE_TARGET_MISMATCH)
                    if mismatch is not None and mismatch.severity is not None:
                        routed = Finding(RULE_TARGET_MISMATCH, finding.location, {**finding.args, "rule": rule.code},
                                         finding.related)
                        diagnostics.append(self._contained(mismatch, routed, by_name, crashed))
                elif rule.kind is None or finding.kind == rule.kind:
                    diagnostics.append(self._contained(rule, finding, by_name, crashed))
        return [d for d in diagnostics if d is not None] + list(crashed.values())

    def _contained(self, rule: Rule, finding: Finding, by_name: dict[str, LoadedFile],
                   crashed: dict[tuple, Diagnostic]) -> Diagnostic | None:
        """The rule's diagnostic; a message that cannot be rendered (a validated ruleset
        never has one) is an INT001 at the finding's place, never an abort."""
        try:
            return self._diagnostic(rule, finding, by_name)
        except MessageError as error:
            internal = self.ruleset.loader_rule(INTERNAL_ERROR)
            if internal is not None and internal.severity is not None:
                failed = Finding(INTERNAL_ERROR, finding.location, {"check": rule.code, "error": str(error)})
                crashed.setdefault((id(internal), finding.location.file, finding.location.path, rule.code),
                                   self._diagnostic(internal, failed, by_name))
            return None

    def _run_contained(self, spec, target, rule: Rule, home: str,
                       budget: Budget | None = None) -> tuple[list[Finding], list]:
        """One check on one target: its findings, and its relation records. A bug in a check
        becomes an INT001 at that target (in `home` when the target is the whole plan set),
        and every other check and file still runs: one bad input never hides the rest."""
        findings: list[Finding] = []
        records: list = []
        try:
            options = self._options.get((rule.function, id(rule)))
            if options is None:  # the options model, once per rule (the ruleset validated them)
                options = self._options[(rule.function, id(rule))] = spec.make_options(rule.options)
            for count, item in enumerate(spec.run(target, options), 1):
                (findings if isinstance(item, Finding) else records).append(item)
                if budget is not None and not count & 255 and budget.spent():
                    self._out_of_time = True  # a check with a long loop over one target
                    break
        except MemoryError:
            raise  # not a bug in the check: the file is reported as not checked (run._parse_and_check)
        except Exception as error:  # noqa: BLE001 - reported, with the check and the input
            name = target.file or home
            if not target.file:
                self.failed_across = True  # the whole plan set's target
            text = f"{type(error).__name__}: {error}"
            return [Finding(INTERNAL_ERROR, Location(name, path=target.path), {"check": rule.function, "error": text})], []
        return findings, records

    @staticmethod
    def _count(records: list, codes: dict[str | None, tuple[str, ...]], by_name: dict[str, LoadedFile],
               only: set[str] | None, relations: Relations) -> None:
        """Count one call's relation records (once, whichever rules share the call); each
        one not checked is listed at the value that blocked it."""
        for record in records:
            if only is not None and record.location.file not in only:
                continue
            if isinstance(record, Checked):
                relations.count_checked(record.location.file)
            elif isinstance(record, NotApplicable):
                relations.not_applicable += 1
            elif isinstance(record, Unchecked):
                relations.unchecked.append(UncheckedRelation(
                    record.location.file, resolve(record.location, by_name),
                    codes.get(record.kind or "(main)") or codes[None],
                    record.relation, record.reason))

    def _suppress(self, files: list[LoadedFile], diagnostics: list[Diagnostic],
                  by_name: dict[str, LoadedFile]) -> list[Diagnostic]:
        """Drop what `# plancheck: ignore[CODE] reason` comments suppress; report the
        suppressions that are malformed, lack a reason or suppress nothing."""
        from checker import suppressions

        by_file: dict[str, list[Diagnostic]] = {}
        for diagnostic in diagnostics:
            by_file.setdefault(diagnostic.file, []).append(diagnostic)
        kept: list[Diagnostic] = []
        known = set(self.ruleset.rules)
        for loaded in files:
            mine = by_file.pop(loaded.name, [])
            if loaded.text is None or "plancheck:" not in loaded.text:
                kept += mine
                continue
            remaining, findings = suppressions.apply(loaded.name, loaded.text, mine, known)
            kept += remaining
            for finding in findings:
                rule = self.ruleset.loader_rule(finding.kind)
                if rule is not None and rule.severity is not None:
                    kept.append(self._diagnostic(rule, finding, by_name))
        for rest in by_file.values():
            kept += rest
        return kept

    def _diagnostic(self, rule: Rule, finding: Finding, files: dict[str, LoadedFile]) -> Diagnostic:
        assert rule.severity is not None
        return Diagnostic(
            code=rule.code,
            name=rule.name,
            severity=rule.severity,
            message=render_message(rule.message, finding.args, rule.code),
            help=render_message(rule.help, finding.args, rule.code) if rule.help else {},
            file=finding.location.file,
            span=resolve(finding.location, files),
            related=[(related, resolve(related.location, files)) for related in finding.related],
            args=finding.args,
            # a rule that declares its fix unsafe makes it so, whatever the check said
            fix=(finding.fix if rule.fix_safety == "safe" else replace(finding.fix, safe=False))
            if finding.fix and rule.fixable else None,
            fix_span=resolve(finding.fix.location, files) if finding.fix and rule.fixable else None,
            path=_labelled(files.get(finding.location.file), finding.location.path),
            cell=cell_of(finding.location, files),
            related_cells=tuple(cell_of(related.location, files) for related in finding.related),
        )


def _labelled(loaded: LoadedFile | None, path: tuple) -> tuple:
    """The finding's model path with list items named (a baseline's fingerprint)."""
    if not path or loaded is None or loaded.model is None:
        return path
    from checker.baseline import labelled_path

    return labelled_path(loaded.model, path)


def cell_of(location: Location, files: dict[str, LoadedFile]) -> str | None:
    """The workbook cell an imported value at `location` came from (None when not imported)."""
    loaded = files.get(location.file)
    if loaded is None or location.span is not None or not getattr(loaded.model, "cells", None):
        return None
    return loaded.cell_of(location.path)


def resolve(location: Location, files: dict[str, LoadedFile]) -> Span:
    if location.span is not None:
        return location.span
    loaded = files.get(location.file)
    if loaded is None:
        return Span(1, 1, 1, 2)
    return loaded.nearest_span(location.path, key=location.key)
