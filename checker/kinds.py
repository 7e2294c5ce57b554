"""Document kinds of statistics tables: a table that declares its `kind` states only its
data, and the kind knows the arithmetic.

The kinds are data, in rules/kinds/tables.yaml (shipped as checker/rules/kinds/tables.yaml):
per kind, the roles its rows and columns play with the labels they are printed with, and
its relations over roles in the form of a table's `relations:`. This module

- recognises each line's role: its explicit `role`, else its printed label normalised
  (NFKC, spaces and brackets removed; then also without what is in brackets, and without
  the signs between them: 増減（A）－（B） is 増減A-B, then 増減) against the kind's labels, else a
  label ending the kind names (…特別会計), else the kind's default role (a budget's 款). Roles
  are recognised per group of sibling lines: the top-level rows, each row's sub-rows, the
  top-level columns, each header's sub-columns (見込量, 実績, 対計画比 under 令和3年度);
- expands the kind's relations into `checker.model.Relation`s over the table's keys, per
  group, an operand looked up in the group and then in the groups enclosing it. A relation
  whose stated line the table does not print is NotApplicable at the table's `kind`; one
  whose operand is missing is NotApplicable at its stated line, naming the missing line,
  unless the operand is optional (a cost sheet without 地方債 sums its other sources);
- says which lines the kind checks nothing of (KIND003), which `role` it does not know
  (KIND001, with a did-you-mean) and which role two lines of one group claim (KIND002).

`table_relations` evaluates the relations on the table with its kind in force
(`kind_in_force`: a copy whose relations are the declared ones and the kind's, and whose
`means_zero` is the kind's default where the table declares none), by the same code as a
declared relation's (`kind_relations`), so one mistake is one code whoever declared the
relation; their `where` is the table's `kind` field.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from checker.diagnostics import Finding, Location, ModelPath, NotApplicable, Related, RelationRecord, Text, Unchecked
from checker.functions import Target, check_function
from checker.patterns import lazy_pattern
from checker.values import Absent, money_scale

Axis = Literal["row", "column"]
_AXES: tuple[Axis, Axis] = ("row", "column")
_AXIS_TEXT = {"row": Text("行", "row"), "column": Text("列", "column")}
_FIELD = {"row": "rows", "column": "columns"}

KIND_KINDS = {
    "role_unknown": ("role", "axis", "line", "kind", "known", "suggestion"),
    "role_repeated": ("role", "axis", "line", "first", "kind"),
    "line_unrecognised": ("line", "axis", "kind", "known"),
    "role_without_kind": ("role", "line"),
}


# --- the registry -------------------------------------------------------------------------


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Words(_Spec):
    ja: str
    en: str

    @property
    def text(self) -> Text:
        return Text(self.ja, self.en)


class RoleSpec(_Spec):
    """A part a line plays in a kind of table, and how it is printed."""

    name: Words
    labels: tuple[str, ...] = ()
    many: bool = Field(False, description="Several lines of one group may play it (the 款 of a budget).")
    default: bool = Field(False, description="A line that no label recognises plays it.")
    suffixes: tuple[str, ...] = Field((), description="A label that ends so plays it (…特別会計).")
    additive: bool = Field(True, description="false: a rate; no sum runs across its cells.")


class RelationSpec(_Spec):
    """A relation of a kind, over roles: the fields of checker.model.Relation, with `line`
    (the stated role) for row/column, and what the expansion needs."""

    model_config = ConfigDict(extra="allow", frozen=True, defer_build=True)

    check: str
    line: str
    optional: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    instead: dict[str, tuple[str, ...]] = Field({}, description="An operand role -> the roles of its parts: where "
                                               "the operand is not printed, those of its parts printed stand for it "
                                               "(翌年度繰越額 = 繰越明許費 + 事故繰越し + 継続費逓次繰越).")
    unit_scale: bool = False
    per: tuple[str, ...] = Field((), description="Roles of sub-lines: the relation holds between the stated "
                                 "line's sub-line of each role and its operands' (計's 事業数 = Σ each 会計's).")

    def form(self) -> dict[str, Any]:
        """The Relation fields, roles in place of keys."""
        return dict(self.model_extra or {})


class YearRoles(_Spec):
    """Columns printed by their year (令和6年度予算額, 令和5年度予算額): the latest year's plays
    `latest`, the one before it `before`."""

    latest: str
    before: str


class KindSpec(_Spec):
    title: Words
    means_zero: tuple[str, ...] | None = None
    years: YearRoles | None = None
    rows: dict[str, RoleSpec] = Field(default_factory=dict)
    columns: dict[str, RoleSpec] = Field(default_factory=dict)
    relations: tuple[RelationSpec, ...] = ()

    def roles(self, axis: Axis) -> dict[str, RoleSpec]:
        return self.rows if axis == "row" else self.columns

    def role_name(self, role: str) -> Text:
        spec = self.rows.get(role) or self.columns.get(role)
        return spec.name.text if spec is not None else Text(role, role)


class Registry(_Spec):
    kinds: dict[str, KindSpec]


_OPERANDS = ("of", "numerator", "denominator", "total", "by", "other")


def registry_path() -> Any:
    from checker.rules import builtin_rules_dir

    return builtin_rules_dir() / "kinds" / "tables.yaml"


@cache
def registry() -> dict[str, KindSpec]:
    """The kinds, read once with plancheck's own YAML reader (as a ruleset is: no tags,
    the loader's limits) and validated; a problem in the file is a bug of plancheck."""
    from checker.model import Relation, prepare_validator
    from checker.rules import _read_yaml

    for model in (Registry, Relation):  # from the run's cache, as the plan's: pydantic need not build them
        prepare_validator(model)
    parsed = _read_yaml(registry_path())
    try:
        kinds = Registry.model_validate(parsed.data).kinds
    except ValidationError as error:
        raise RuntimeError(f"{parsed.source}: {error}") from None
    for name, kind in kinds.items():
        for relation in kind.relations:
            _validate_relation(name, kind, relation)
    return kinds


def _validate_relation(name: str, kind: KindSpec, relation: RelationSpec) -> None:
    from checker.model import Relation

    form = relation.form()
    roles = set(kind.rows) | set(kind.columns)
    used = [relation.line, *relation.optional, *relation.unless, *relation.instead,
            *(part for parts in relation.instead.values() for part in parts)]
    for operand in _OPERANDS:
        value = form.get(operand)
        used += value if isinstance(value, list) else [value] if isinstance(value, str) else []
    unknown = [role for role in used if role not in roles]
    if unknown:
        raise RuntimeError(f"kind {name}: relation over {relation.line} names unknown roles {unknown}")
    Relation.model_validate({"check": relation.check, "row": relation.line, **form})


# --- recognition ---------------------------------------------------------------------------


_BRACKETS = "()[]{}「」『』【】〈〉《》〔〕<>＜＞"
_BRACKETED = lazy_pattern(r"[(\[{「『【〈《〔<＜][^()\[\]{}「」『』【】〈〉《》〔〕<>＜＞]*[)\]}」』】〉》〕>＞]")
_SIGNS = lazy_pattern(r"[-−‐‑–—―/÷×*・,、.。:：%‰]")


def normalised(label: str) -> tuple[str, str, str]:
    """A printed label as compared: NFKC, no spaces, no bracket characters; then without
    what is in brackets and without the signs between words; then what is in brackets
    alone (本年度予算額（A） is 本年度予算額a, 本年度予算額 and a; 増減（A）－（B） is 増減a-b, 増減
    and ab)."""
    text = "".join(unicodedata.normalize("NFKC", label).split()).casefold()
    whole = "".join(char for char in text if char not in _BRACKETS)
    bare = text
    while True:
        stripped = _BRACKETED.sub("", bare)
        if stripped == bare:
            break
        bare = stripped
    bare = _SIGNS.sub("", "".join(char for char in bare if char not in _BRACKETS))
    inside = "".join(match.group()[1:-1] for match in _BRACKETED.finditer(text))
    return whole, bare or whole, _SIGNS.sub("", inside)


@dataclass(eq=False)
class KindLine:
    """A row or column of a kinded table, with the role the kind gives it."""

    axis: Axis
    path: ModelPath  # within the table
    node: Any
    parent: Any
    role: str | None = None
    how: str | None = None  # "role", "label", "year", "suffix", "default"
    year: int | None = None  # the year a label printed before the rest ("year")

    @property
    def key(self) -> str:
        return str(self.node.key)

    @property
    def label(self) -> str:
        return str(self.node.name or self.node.key)

    @property
    def children(self) -> list[Any]:
        return list(getattr(self.node, _FIELD[self.axis]))


@dataclass(eq=False)
class Group:
    """Sibling lines: the top-level rows or columns, or the sub-lines of one line."""

    axis: Axis
    owner: KindLine | None
    lines: list[KindLine]
    enclosing: Group | None = None

    def with_role(self, role: str) -> list[KindLine]:
        return [line for line in self.lines if line.role == role]

    def find(self, role: str) -> list[KindLine]:
        """The lines playing `role` here, else in the nearest enclosing group that has any."""
        group: Group | None = self
        while group is not None:
            found = group.with_role(role)
            if found:
                return found
            group = group.enclosing
        return []


@dataclass
class Recognition:
    kind: str
    spec: KindSpec
    groups: dict[Axis, list[Group]]
    findings: list[Finding] = field(default_factory=list)
    repeated: set[tuple[int, str]] = field(default_factory=set)  # (id of group, role) claimed twice
    rows: dict[str, Any] = field(default_factory=dict)  # every row by key, at any depth

    def lines(self, axis: Axis) -> Iterator[KindLine]:
        for group in self.groups[axis]:
            yield from group.lines


def _label_index(roles: dict[str, RoleSpec]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    index: dict[str, str] = {}
    for position in (0, 1):  # a label as printed before a label without its brackets and signs
        for role, spec in roles.items():
            for label in spec.labels:
                index.setdefault(normalised(label)[position], role)
    suffixes = [(normalised(suffix)[1], role) for role, spec in roles.items() for suffix in spec.suffixes]
    return index, sorted(suffixes, key=lambda item: -len(item[0]))


_YEAR_PREFIX = lazy_pattern(r"^(?:(?:令和|平成|昭和)(?:元|\d+)年度?|[rh]\d+年?度?|\d{4}年度?)")


def _year_of(line: KindLine, bare: str) -> tuple[int | None, str]:
    """The year a label begins with (or the line's `year`), and the rest of the label."""
    from checker.fiscal import FiscalYearError, parse_fiscal_year

    match = _YEAR_PREFIX.match(bare)
    rest = bare[match.end():] if match else bare
    year = getattr(line.node, "year", None)
    if match and year is None:
        try:
            year = parse_fiscal_year(match.group().upper())
        except FiscalYearError:
            return None, bare
    return (year, rest) if match or (year is not None and not rest) else (None, bare)


def _recognise_line(line: KindLine, roles: dict[str, RoleSpec], index: dict[str, str],
                    suffixes: list[tuple[str, str]], default: str | None, years: YearRoles | None = None) -> None:
    whole, bare, inside = normalised(line.label)
    for form in (whole, bare, inside):  # 増減（A）－（B）, then 増減, then the (A) of 当初予算額（A）
        if form and form in index:
            line.role, line.how = index[form], "label"
            return
    if years is not None:  # 令和6年度予算額, 令和6年度: an amount of a year, which the years order
        year, rest = _year_of(line, bare)
        if year is not None and (not rest or index.get(rest) == years.latest):
            line.role, line.how, line.year = years.latest, "year", year
            return
    for suffix, role in suffixes:
        if bare.endswith(suffix) and bare != suffix:
            line.role, line.how = role, "suffix"
            return
    if default is not None:
        line.role, line.how = default, "default"


def recognise(file: str, table_path: ModelPath, table: Any) -> Recognition | None:
    """The roles of a kinded table's lines, per group; None for a table without a kind."""
    kind = getattr(table, "kind", None)
    if kind is None:
        return None
    spec = registry()[kind]
    recognition = Recognition(kind, spec, {"row": [], "column": []})
    for _, row, _ in table.all_rows():
        recognition.rows.setdefault(row.key, row)
    for axis in _AXES:
        _Walk(file, table_path, recognition, axis).group(list(getattr(table, _FIELD[axis])), (_FIELD[axis],), None, None)
    return recognition


@dataclass
class _Walk:
    """Recognition of one axis's tree, group by group (a group before the groups under it)."""

    file: str
    table_path: ModelPath
    recognition: Recognition
    axis: Axis

    def __post_init__(self) -> None:
        self.roles = self.recognition.spec.roles(self.axis)
        self.index, self.suffixes = _label_index(self.roles)
        self.default = next((role for role, spec in self.roles.items() if spec.default), None)
        spec = self.recognition.spec
        self.years = spec.years if self.axis == "column" and spec.years is not None else None

    def group(self, nodes: list[Any], path: ModelPath, owner: KindLine | None, enclosing: Group | None) -> None:
        lines = [KindLine(self.axis, (*path, position), node, owner.node if owner else None)
                 for position, node in enumerate(nodes)]
        group = Group(self.axis, owner, lines, enclosing)
        self.recognition.groups[self.axis].append(group)
        for line in lines:
            explicit = getattr(line.node, "role", None)
            if explicit is None:
                _recognise_line(line, self.roles, self.index, self.suffixes, self.default, self.years)
            elif explicit in self.roles:
                line.role, line.how = explicit, "role"
            else:
                self.recognition.findings.append(
                    _unknown_role(self.file, self.table_path, self.recognition, line, explicit))
        if self.years is not None:
            _order_years(group, self.years)
        _repeated(self.file, self.table_path, self.recognition, group)
        for line in lines:
            if line.children:
                self.group(line.children, (*line.path, _FIELD[self.axis]), line, group)


def _order_years(group: Group, years: YearRoles) -> None:
    """Of the lines recognised by their year, the latest plays `latest` and the next older
    `before` (unless a line's label says which is which); any older one plays nothing."""
    dated = sorted((line for line in group.lines if line.how == "year"), key=lambda line: -(line.year or 0))
    if len(dated) < 2:
        return
    taken = {line.role for line in group.lines if line.how != "year"}
    latest, *older = dated
    if years.latest in taken:
        older = dated
    for line in older:
        line.role, line.how = None, None
    if older and years.before not in taken and older[0].year != latest.year:
        older[0].role, older[0].how = years.before, "year"


def _where(table_path: ModelPath, line: KindLine, name: str) -> ModelPath:
    return (*table_path, *line.path, name)


def _label_field(line: KindLine) -> str:
    return "name" if line.node.name is not None else "key"


def _known(spec: KindSpec, axis: Axis) -> list[Text]:
    return [Text(f"{role_spec.labels[0] if role_spec.labels else role_spec.name.ja}（{role}）",
                 f"{role_spec.labels[0] if role_spec.labels else role_spec.name.ja} ({role})")
            for role, role_spec in spec.roles(axis).items() if not role_spec.default]


def _unknown_role(file: str, table_path: ModelPath, recognition: Recognition, line: KindLine, role: str) -> Finding:
    from checker.diagnostics import closest, did_you_mean

    spec = recognition.spec
    roles = list(spec.roles(line.axis))
    near = closest(role, roles)
    other: Axis = "column" if line.axis == "row" else "row"
    if near is None and role in spec.roles(other):
        suggestion = Text(f"（{role} は{_AXIS_TEXT[other].ja}の役割です）", f" ({role} is a {other} role)")
    else:
        suggestion = did_you_mean(near)
    return Finding(
        "role_unknown", Location(file, _where(table_path, line, "role")),
        {"role": role, "axis": _AXIS_TEXT[line.axis], "line": line.label, "kind": spec.title.text,
         "known": Text("、".join(roles) or "なし", ", ".join(roles) or "none"), "suggestion": suggestion},
    )


def _repeated(file: str, table_path: ModelPath, recognition: Recognition, group: Group) -> None:
    seen: dict[str, KindLine] = {}
    for line in group.lines:
        if line.role is None or recognition.spec.roles(line.axis)[line.role].many:
            continue
        first = seen.setdefault(line.role, line)
        if first is line:
            continue
        recognition.repeated.add((id(group), line.role))
        recognition.findings.append(Finding(
            "role_repeated", Location(file, _where(table_path, line, _label_field(line))),
            {"role": recognition.spec.role_name(line.role), "axis": _AXIS_TEXT[line.axis], "line": line.label,
             "first": first.label, "kind": recognition.spec.title.text},
            [Related(Location(file, _where(table_path, first, _label_field(first))),
                     Text("同じ役割の最初の行・列", "the first line with this role"))],
        ))


# --- expansion -----------------------------------------------------------------------------


@dataclass
class Expansion:
    relations: list[Any] = field(default_factory=list)  # checker.model.Relation
    records: list[RelationRecord] = field(default_factory=list)
    used: set[tuple[Axis, str]] = field(default_factory=set)


def money_factor(unit: str | None) -> Decimal | None:
    """円 per unit of a money unit (千円: 1,000; 百万円: 1,000,000; 円/人: 1); None for any other."""
    scale = money_scale(unit, per=True)
    return None if scale is None else Decimal(10) ** scale


def _unit(table: Any, line: KindLine) -> str | None:
    unit = getattr(line.node, "unit", None)
    parent = line.parent
    while unit is None and parent is not None:
        unit = getattr(parent, "unit", None)
        parent = None  # one level is what a header gives its sub-lines
    return unit if unit is not None else getattr(table, "unit", None)


def _describe(spec: KindSpec, relation: RelationSpec) -> Text:
    """The relation in words, over the roles' names: 増減 ＝ 本年度 − 前年度."""
    form = relation.form()
    name = spec.role_name(relation.line)

    def names(value: Any) -> list[Text]:
        return [spec.role_name(role) for role in (value if isinstance(value, list) else [value])]

    if relation.check in ("ratio", "share"):
        top = names(form.get("numerator") or form.get("of"))[0]
        bottom = names(form.get("denominator") or form.get("total"))[0]
        scale = form.get("scale")
        times = (f" × {scale}", f" × {scale}") if scale is not None else ("", "")
        return Text(f"{name.ja} ＝ {top.ja} ÷ {bottom.ja}{times[0]}", f"{name.en} = {top.en} / {bottom.en}{times[1]}")
    ja, en = {"sum": (" ＋ ", " + "), "difference": (" − ", " − ")}.get(relation.check, ("、", ", "))
    parts = names(form.get("of", []))
    return Text(f"{name.ja} ＝ {ja.join(part.ja for part in parts)}", f"{name.en} = {en.join(part.en for part in parts)}")


def _missing(spec: KindSpec, role: str, axis: Axis) -> Text:
    name = spec.role_name(role)
    return Text(f"{name.ja}の{_AXIS_TEXT[axis].ja}がない", f"no {name.en} {axis}")


def _non_additive(recognition: Recognition, axis: Axis) -> list[str]:
    """The keys of the lines of `axis` no sum runs across: a rate by role, or declared
    additive: false."""
    roles = recognition.spec.roles(axis)
    return [line.key for line in recognition.lines(axis)
            if line.node.additive is False or (line.node.additive is None and line.role is not None
                                                and not roles[line.role].additive)]


def zero_default(table: Any) -> tuple[str, ...] | None:
    """The absence marks the table's kind makes zero (a cost sheet's blanks), where the
    table declares no `means_zero` of its own; a column's or a relation's declaration still
    wins over it, as over any table's."""
    kind = getattr(table, "kind", None)
    if kind is None or table.means_zero is not None:
        return None
    return registry()[kind].means_zero


def expand(file: str, table_path: ModelPath, table: Any, recognition: Recognition) -> Expansion:
    """The kind's relations over this table's lines, and a record for each it cannot state."""
    from checker.model import Relation

    spec = recognition.spec
    out = Expansion()
    kind_at = Location(file, (*table_path, "kind"))
    for template in spec.relations:
        description = _describe(spec, template)
        stated_anywhere = False
        for axis in _AXES:
            if template.line not in spec.roles(axis):
                continue
            for group in recognition.groups[axis]:
                stated = group.with_role(template.line)
                if not stated:
                    continue
                stated_anywhere = True
                if any(group.find(role) for role in template.unless):
                    continue
                line = stated[0]
                at = Location(file, _where(table_path, line, _label_field(line)))
                if (id(group), template.line) in recognition.repeated:
                    out.records.append(Unchecked(at, description, Text(
                        f"{spec.role_name(template.line).ja}の{_AXIS_TEXT[axis].ja}が二つある",
                        f"two {axis}s are {spec.role_name(template.line).en}"), kind="role_repeated"))
                    continue
                if template.per and line.children:
                    _per_sub_role(recognition, template, axis, group, line, out, description, at)
                    continue
                if template.check == "sum" and line.children:
                    continue  # a line made of its sub-lines: the hierarchy sums it
                built = _build(recognition, table, template, axis, group, line)
                if isinstance(built, tuple):
                    out.records.append(Unchecked(at, description, built[1], kind="role_repeated")
                                       if built[0] == "unchecked" else NotApplicable(at, description, built[1]))
                    continue
                relation = Relation.model_validate(built)
                if any(_same(own, relation) for own in table.relations):
                    continue  # the table declares it itself: its own declaration is the one checked
                _add(out, relation, axis, recognition)
        if not stated_anywhere:
            axis = "row" if template.line in spec.rows else "column"
            out.records.append(NotApplicable(kind_at, description, _missing(spec, template.line, axis)))
    return out


def _same(one: Any, other: Any) -> bool:
    """Whether two relations state the same: form, line and operands."""
    return (one.check, one.axis, one.line, sorted(one.of), one.numerator, one.denominator, one.total) == (
        other.check, other.axis, other.line, sorted(other.of), other.numerator, other.denominator, other.total)


def _add(out: Expansion, relation: Any, axis: Axis, recognition: Recognition) -> None:
    """Keep a relation, and the lines it uses: its own, and every cross line it is evaluated at."""
    out.relations.append(relation)
    out.used.add((axis, relation.line))
    for operand in ("of", "numerator", "denominator"):
        value = getattr(relation, operand)
        for key in value if isinstance(value, list) else [value] if value else []:
            out.used.add((axis, key))
    cross: Axis = "column" if axis == "row" else "row"
    if relation.total is not None:
        out.used.add((cross, relation.total))
    for other in recognition.lines(cross):
        if other.key not in relation.skip and (relation.only is None or other.key in relation.only):
            out.used.add((cross, other.key))


def _per_sub_role(recognition: Recognition, template: RelationSpec, axis: Axis, group: Group,
                  line: KindLine, out: Expansion, description: Text, at: Location) -> None:
    """A relation between headers, held by their sub-lines role by role: the 計 header's
    事業数 = Σ each 会計 header's 事業数, and so on for each role of `per` its sub-lines print."""
    from checker.model import Relation

    spec = recognition.spec
    under = {id(sub.owner): sub for sub in recognition.groups[axis] if sub.owner is not None}
    parts = [candidate for role in template.form().get("of", []) for candidate in group.find(role)
             if candidate is not line]
    mine = under.get(id(line))
    for role in template.per:
        stated = mine.with_role(role) if mine is not None else []
        if not stated:
            continue  # the header prints no such sub-line: nothing is stated
        keys: list[str] = []
        for part in parts:
            found = under[id(part)].with_role(role) if id(part) in under else []
            if not found:
                name = Text(part.label, part.label)
                out.records.append(NotApplicable(
                    at, description, Text(f"{name.ja}の下に{spec.role_name(role).ja}がない",
                                                        f"no {spec.role_name(role).en} under {name.en}")))
                keys = []
                break
            keys.append(found[0].key)
        if keys:
            built = {"check": template.check, axis: stated[0].key, "of": keys}
            if template.check == "sum":
                other: Axis = "column" if axis == "row" else "row"
                skip = _non_additive(recognition, other)
                if skip:
                    built["skip"] = skip
            _add(out, Relation.model_validate(built), axis, recognition)


def _states(recognition: Recognition, axis: Axis, key: str, cross: KindLine) -> bool:
    """Whether the cell where line `key` of `axis` meets `cross` states a value."""
    row, column = (key, cross.key) if axis == "row" else (cross.key, key)
    node = recognition.rows.get(row)
    cell = node.values.get(column) if node is not None else None
    return cell is not None and not isinstance(cell, Absent)


def _top_level_only(table: Any, recognition: Recognition, axis: Axis, key: str) -> list[str] | None:
    """The top-level cross lines, when the stated line prints values there and at no deeper
    cross line (a 構成比 printed for the 款 only, not for their 項): the sub-lines' blanks are
    the layout, not holes. None: every cross line."""
    other: Axis = "column" if axis == "row" else "row"
    groups = recognition.groups[other]
    if not groups:
        return None
    top = groups[0].lines
    deeper = [line for group in groups[1:] for line in group.lines]
    if not deeper or any(_states(recognition, axis, key, line) for line in deeper):
        return None
    if not any(_states(recognition, axis, key, line) for line in top):
        return None
    return [line.key for line in top]


def _build(recognition: Recognition, table: Any, template: RelationSpec, axis: Axis, group: Group,
           line: KindLine) -> dict[str, Any] | tuple[str, Text]:
    """The Relation's fields over keys, or why it cannot be stated: ("not_applicable", the
    missing line) or ("unchecked", the role two lines claim)."""
    spec = recognition.spec
    form = template.form()
    built: dict[str, Any] = {"check": template.check, axis: line.key,
                             **{name: value for name, value in form.items() if name not in _OPERANDS}}
    other: Axis = "column" if axis == "row" else "row"
    operands: dict[str, KindLine] = {}
    for name in _OPERANDS:
        value = form.get(name)
        if value is None:
            continue
        if name == "total":  # a line of the other axis, at the top
            found = recognition.groups[other][0].with_role(value) if recognition.groups[other] else []
            if not found:
                return "not_applicable", _missing(spec, value, other)
            built[name] = found[0].key
            continue
        if name == "by" and not isinstance(value, str):
            continue
        roles = value if isinstance(value, list) else [value]
        keys: list[str] = []
        for role in roles:
            found = [candidate for candidate in group.find(role) if candidate is not line]
            if not found and role in template.instead:
                # the operand's parts that are printed stand for it (each may be played once)
                parts = [[candidate for candidate in group.find(part) if candidate is not line]
                         for part in template.instead[role]]
                if any(parts):
                    for part, played in zip(template.instead[role], parts, strict=True):
                        if len(played) > 1 and not spec.roles(axis)[part].many:
                            name_of = spec.role_name(part)
                            return "unchecked", Text(f"{name_of.ja}の{_AXIS_TEXT[axis].ja}が二つある",
                                                     f"two {axis}s are {name_of.en}")
                        keys += [candidate.key for candidate in played]
                    continue
            if not found:
                if role in template.optional:
                    continue
                return "not_applicable", _missing(spec, role, axis)
            if not spec.roles(axis)[role].many and len(found) > 1:
                name_of = spec.role_name(role)
                return "unchecked", Text(f"{name_of.ja}の{_AXIS_TEXT[axis].ja}が二つある",
                                         f"two {axis}s are {name_of.en}")
            keys += [candidate.key for candidate in found]
            operands[role] = found[0]
        if not keys:
            return "not_applicable", _missing(spec, roles[0], axis)
        built[name] = keys if isinstance(value, list) else keys[0]
    if template.check == "sum":
        skip = [key for key in _non_additive(recognition, other) if key not in built.get("only", [])]
        if skip:
            built["skip"] = [*built.get("skip", []), *skip]
    top_level = _top_level_only(table, recognition, axis, line.key)
    if top_level is not None and "only" not in built:
        built["only"] = top_level
    if template.unit_scale and "numerator" in form:
        numerator = money_factor(_unit(table, operands[form["numerator"]]))
        mine = money_factor(_unit(table, line))
        if numerator is not None and mine is not None:
            built["scale"] = Decimal(str(built.get("scale", 1))) * numerator / mine
    return built


# --- what a table's kind checks ----------------------------------------------------------------


# the last tables expanded, by identity (a table's relations are asked for by every sum and
# share evaluated on it): the table is kept with its entry, so its id is not reused meanwhile
_EXPANDED: dict[int, tuple[Any, str, ModelPath, tuple[Recognition, Expansion] | None]] = {}
_EXPANDED_KEPT = 32


def kind_expansion(file: str, table_path: ModelPath, table: Any) -> tuple[Recognition, Expansion] | None:
    """The table's recognised lines and the kind's relations over them (None without a kind)."""
    kept = _EXPANDED.get(id(table))
    if kept is not None and kept[0] is table and kept[1] == file and kept[2] == table_path:
        return kept[3]
    recognition = recognise(file, table_path, table)
    result = None if recognition is None else (recognition, expand(file, table_path, table, recognition))
    _keep(table, file, table_path, result)
    return result


def _keep(table: Any, file: str, table_path: ModelPath, result: tuple[Recognition, Expansion] | None) -> None:
    if len(_EXPANDED) >= _EXPANDED_KEPT:
        _EXPANDED.pop(next(iter(_EXPANDED)))
    _EXPANDED[id(table)] = (table, file, table_path, result)


def kind_in_force(target: Target) -> Target:
    """The table target with its kind in force: a copy of the table (and of its plan, holding
    the copy in its place) whose `relations` are its declared ones and the kind's, so that
    whatever reads a table's relations (which lines are rates, which sums a 構成比 column's
    端数調整 follows, the hierarchy) sees the kind's too, and whose `means_zero` is the kind's
    default where the table declares none (a cost sheet's blanks, for every relation of the
    table, the hierarchy's included). The target itself for a table without a kind. Shallow
    copies: the rows, columns and cells are the table's own, at the same model paths."""
    table = target.node
    expanded = kind_expansion(target.file, target.path, table)
    if expanded is None:
        return target
    update: dict[str, Any] = {"relations": [*table.relations, *expanded[1].relations]}
    zero = zero_default(table)
    if zero is not None:
        update["means_zero"] = zero
    node = table.model_copy(update=update)
    _keep(node, target.file, target.path, expanded)  # the copy's kind relations are the table's, not its own again
    plan = target.plan.model_copy(update={"tables": [node if other is table else other for other in target.plan.tables]})
    return Target(target.file, target.path, node, plan)


def kind_relations(target: Target, options: Any) -> Iterator[Finding | RelationRecord]:
    """The kind's relations of a table `kind_in_force` gave (those after its declared ones),
    evaluated as declared ones are, reported at the table's `kind`."""
    from checker.functions.tables import evaluate_relation

    expanded = kind_expansion(target.file, target.path, target.node)
    if expanded is None:
        return
    where = (*target.path, "kind")
    for relation in expanded[1].relations:
        yield from evaluate_relation(target, relation, where, options)


def _declared_use(table: Any) -> set[str]:
    keys: set[str] = set()
    for relation in table.relations:
        keys.add(relation.line)
        for name in _OPERANDS:
            value = getattr(relation, name, None)
            keys.update(value if isinstance(value, list) else [value] if isinstance(value, str) else [])
        for cross in (relation.only or []) + list(relation.skip):
            keys.add(cross)
    return keys


def kind_findings(target: Any) -> Iterator[Finding | RelationRecord]:
    """Roles the kind does not know, roles two lines claim, lines the kind checks nothing of;
    a `role` on a table without a kind."""
    table = target.node
    expanded = kind_expansion(target.file, target.path, table)
    if expanded is None:
        for axis in _AXES:
            lines = table.all_rows() if axis == "row" else table.all_columns()
            for path, node, _ in lines:
                if node.role is not None:
                    yield Finding("role_without_kind", Location(target.file, (*target.path, *path, "role")),
                                  {"role": node.role, "line": node.name or node.key})
        return
    recognition, expansion = expanded
    yield from recognition.findings
    yield from expansion.records  # the kind's relations that cannot be stated, and why
    declared = _declared_use(table)
    for axis in _AXES:
        if not recognition.spec.roles(axis):
            continue  # the kind's relations run across these lines (a cost sheet's years)
        for line in recognition.lines(axis):
            if line.role is not None or line.node.role is not None or line.parent is not None or line.children:
                continue  # a role (or one KIND001 reports), or a part of the tree (the hierarchy sums it)
            if (axis, line.key) in expansion.used or line.key in declared:
                continue
            yield Finding(
                "line_unrecognised", Location(target.file, _where(target.path, line, _label_field(line))),
                {"line": line.label, "axis": _AXIS_TEXT[axis], "kind": recognition.spec.title.text,
                 "known": _known_text(recognition.spec, axis)},
            )


def _known_text(spec: KindSpec, axis: Axis) -> Text:
    known = _known(spec, axis)
    return Text("、".join(text.ja for text in known), ", ".join(text.en for text in known))


# --- the check function ------------------------------------------------------------------------


@check_function("table_kind", given=("tables",), kinds=KIND_KINDS)
def table_kind(target: Target, options: Any) -> Iterator[Finding | RelationRecord]:
    """A kinded table's lines against its kind (rules/kinds/tables.yaml): every explicit
    `role` is one the kind has, no two lines of one group claim one role, and a line that no
    role recognises and no relation uses is said to be checked by nothing (a `role` on a
    table without a kind too). The kind's relations themselves are evaluated by
    `table_relations`, under the rules of their forms."""
    yield from kind_findings(target)
