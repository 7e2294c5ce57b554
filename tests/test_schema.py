"""`plancheck schema`: the JSON Schema of plan files that editors validate and complete with.

Every field of every model is described in English (`description`) and Japanese
(`x-description-ja`), and in both as `markdownDescription` (what VS Code's JSON and YAML
language servers show); the schema is valid JSON Schema 2020-12; every plan of plans/ and
every table-kind fixture validates against it; a year-keyed map's keys are held to the year
forms plancheck reads, so an editor flags a bad year at the key.
"""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from checker import model
from checker.cli import main
from checker.fiscal import FiscalYearError, parse_fiscal_year
from checker.loader import load_file
from checker.model import DESCRIPTION_JA, YEAR_PATTERN, plan_json_schema
from tests.conftest import ROOT, real_plan_files

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
KIND_FIXTURES = sorted((ROOT / "tests/data/kinds").glob("*.yaml"))


@pytest.fixture(scope="module")
def schema():
    return plan_json_schema()


def _models():
    return [cls for _, cls in inspect.getmembers(model, inspect.isclass)
            if issubclass(cls, model.Model) and cls is not model.Model and cls.__module__ == model.__name__]


def _as_json(path: Path):
    """A plan file as an editor's JSON view of it sees it: keys are strings (`2022:` too)."""
    return json.loads(json.dumps(YAML(typ="safe").load(path.read_text(encoding="utf-8")), default=str))


def test_every_field_of_every_model_is_described_in_both_languages():
    fields = 0
    missing = []
    for cls in _models():
        for name, field in cls.model_fields.items():
            fields += 1
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            english, japanese = field.description or "", extra.get(DESCRIPTION_JA, "")
            if not (_LATIN_WORD.search(english) and isinstance(japanese, str) and _JAPANESE.search(japanese)):
                missing.append(f"{cls.__name__}.{name}")
    assert missing == []
    assert fields >= 200  # the model's size this session: a model dropped from the walk would show here


def test_every_model_is_described_in_both_languages(schema):
    """Its docstring in English, `json_schema_extra=japanese(...)` of its own (a subclass
    that inherits its base's Japanese would describe itself as its base)."""
    missing = []
    for cls in _models():
        extra = cls.model_config.get("json_schema_extra")
        japanese = extra.get(DESCRIPTION_JA, "") if isinstance(extra, dict) else ""
        inherited = any(base.model_config.get("json_schema_extra") == extra for base in cls.__mro__[1:]
                        if issubclass(base, model.Model))
        if not (_LATIN_WORD.search(cls.__doc__ or "") and _JAPANESE.search(japanese)) or inherited:
            missing.append(cls.__name__)
    assert missing == []
    for name, definition in {"PlanFile": schema, **schema["$defs"]}.items():
        assert definition["markdownDescription"] == f"{definition[DESCRIPTION_JA]}\n\n{definition['description']}", name


def test_every_property_of_every_definition_is_described_in_both_languages(schema):
    definitions = {"PlanFile": schema, **schema["$defs"]}
    assert {"PlanFile", "Column", "TableRow", "Relation", "BandScale", "Band", "BandCount", "Figure", "CellRef",
            "FigureChange", "FigureRank", "Schedule", "StatisticsTable", "Indicator"} <= set(definitions)
    missing = []
    for name, definition in definitions.items():
        for prop, described in definition.get("properties", {}).items():
            english, japanese = described.get("description", ""), described.get(DESCRIPTION_JA, "")
            if not (_LATIN_WORD.search(english) and _JAPANESE.search(japanese)):
                missing.append(f"{name}.{prop}")
            elif described.get("markdownDescription") != f"{japanese}\n\n{english}":
                missing.append(f"{name}.{prop} (markdownDescription)")
    assert missing == []
    # the inherited fields are described once, in Section, and every section has them
    assert schema["$defs"]["Theme"]["properties"]["title"][DESCRIPTION_JA] == "節の表題（印字どおり）。"


def test_the_schema_is_valid_2020_12_and_every_plan_and_kind_fixture_validates(schema):
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    # plans/, the table-kind fixtures, and every other fixture plancheck loads without a load
    # error: what the loader reads, an editor must not flag (`of: current` for `of: [current]`)
    fixtures = [path for path in sorted((ROOT / "tests/data").rglob("*.yaml"))
                if "broken" not in path.parts and path not in KIND_FIXTURES and not load_file(path, path.name).findings]
    files = [*real_plan_files(), *KIND_FIXTURES, *fixtures]
    assert len(KIND_FIXTURES) >= 2 and len(files) > 30
    for path in files:
        errors = [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(_as_json(path))]
        assert errors == [], path


def test_the_command_prints_the_same_schema():
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed == plan_json_schema()
    # Japanese is printed as is, not as \u escapes: the file is read by people too
    assert "基準値" in result.output


# Every way plancheck reads a year, and look-alikes it refuses.
GOOD_YEARS = ["令和4年度", "令和元年度", "R4", "R.4", "Ｒ４", "令和４年度", "平成30年度", "平成30年", "昭和64年度", "H30",
              "令和9(2027)年度", "令和9（2027）年度", "2022", "２０２２", "2022年度", "令和2年度末", " 令和4年度 "]
BAD_YEARS = ["令和0年度", "令和00年度", "FY2022", "2022年4月", "令和四年度", "R", "22", "20222", "大正10年度", "4年度",
             "令和4年度分", "r4"]


@pytest.mark.parametrize("text", GOOD_YEARS)
def test_the_year_pattern_accepts_every_form_plancheck_reads(text):
    parse_fiscal_year(text)  # the form is one the model reads
    assert re.search(YEAR_PATTERN, text)


@pytest.mark.parametrize("text", BAD_YEARS)
def test_the_year_pattern_refuses_what_plancheck_refuses(text):
    with pytest.raises(FiscalYearError):
        parse_fiscal_year(text)
    assert not re.search(YEAR_PATTERN, text)


def test_a_bad_year_key_is_flagged_at_the_key(schema):
    validator = jsonschema.Draft202012Validator(schema)
    path = ROOT / "plans/kodaira/policy-evaluation-r4/theme-11-disability.yaml"
    plan = _as_json(path)
    indicator = plan["themes"][0]["indicators"][0]
    assert validator.is_valid(plan)
    for field in ("targets", "actuals", "rates"):
        if not indicator.get(field):
            continue
        bad = json.loads(json.dumps(plan))
        values = bad["themes"][0]["indicators"][0][field]
        first = next(iter(values))
        values["FY2022"] = values.pop(first)
        errors = list(validator.iter_errors(bad))
        assert errors, field
        assert any(list(error.absolute_path) == ["themes", 0, "indicators", 0, field]
                   and "propertyNames" in error.schema_path and "FY2022" in error.message for error in errors), field
    # a year value is held to the same forms
    bad = json.loads(json.dumps(plan))
    bad["plan"]["as_of"] = "令和0年度"
    assert not validator.is_valid(bad)


def test_the_ruleset_schema_describes_its_own_fields_in_both_languages():
    from checker.docs import ruleset_json_schema

    schema = ruleset_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    # the functions' options (under then) are described by their modules' options models
    schema["$defs"]["rule"]["properties"].pop("then")
    found: list[tuple] = []
    missing: list[tuple] = []

    def walk(node, path):
        if isinstance(node, dict):
            if isinstance(node.get("description"), str):
                (found if _JAPANESE.search(node.get(DESCRIPTION_JA, "")) else missing).append(path)
            for key, value in node.items():
                walk(value, (*path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, (*path, index))

    walk(schema, ())
    assert missing == [] and len(found) >= 6
