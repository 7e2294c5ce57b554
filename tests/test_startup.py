"""A one-file run as a whole process (issue 20): it imports only what it needs, the plan
validator comes from the cache (signed) and validates exactly as pydantic's own, and the
process's end skips nothing that must happen. Module names and outputs are asserted,
never timings (bench/run.py measures those)."""

from __future__ import annotations

import gc
import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pydantic_core
import pytest
from click.testing import CliRunner

from checker import loader
from checker.cli import main
from checker.model import PlanFile, _validation_schema

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "plans" / "kodaira" / "policy-evaluation-r4" / "theme-18-environment.yaml"

# What a check of one file never needs: the other commands, the other formats, the fixer,
# worker processes, the workbook importer, the language server, the test-only libraries.
NEVER = ("checker.importer", "checker.server", "checker.docs", "checker.terminal_docs", "checker.report.html",
         "checker.report.sarif", "checker.report.ci", "checker.report.charts", "checker.fixes", "difflib",
         "multiprocessing", "concurrent.futures.process", "openpyxl", "python_calamine", "pygls", "lsprotocol",
         "hypothesis")

# runs the CLI as its console script does and prints, at the process's end, what it imported
PROBE = """
import atexit, json, sys
atexit.register(lambda: print(json.dumps(sorted(sys.modules)), file=sys.__stderr__))
sys.argv = ["plancheck", *sys.argv[1:]]
from checker.cli import main
main()
"""


def _environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "NO_COLOR": "1", "GITHUB_ACTIONS": "", "XDG_CACHE_HOME": str(tmp_path / "user-cache"),
            "PYTHONPATH": str(ROOT), **extra}


# what the interpreter holds before the CLI is imported, in the same environment: under
# `make coverage`, coverage measures subprocesses and imports multiprocessing itself
BARE = "import json, sys; print(json.dumps(sorted(sys.modules)), file=sys.__stderr__)"


def _probe(tmp_path: Path, *args: str, cwd: Path | None = None, **env: str) -> tuple[subprocess.CompletedProcess,
                                                                                     set[str]]:
    """The run's result, and the modules the CLI imported beyond the bare interpreter's."""
    def modules_of(*command: str) -> tuple[subprocess.CompletedProcess, set[str]]:
        result = subprocess.run([sys.executable, "-c", *command], cwd=cwd or tmp_path, capture_output=True, text=True,
                                timeout=120, env=_environment(tmp_path, **env))
        return result, set(json.loads(result.stderr.strip().splitlines()[-1]))

    result, imported = modules_of(PROBE, *args)
    return result, imported - modules_of(BARE)[1]


def _one_file(tmp_path: Path) -> Path:
    path = tmp_path / "one.yaml"
    shutil.copyfile(PLAN, path)
    return path


@pytest.mark.parametrize("cache", [["--no-cache"], []], ids=["no-cache", "fresh-cache"])
def test_a_concise_check_of_one_file_imports_neither_rich_nor_what_only_other_commands_use(tmp_path, cache):
    path = _one_file(tmp_path)
    result, modules = _probe(tmp_path, *cache, "--format", "concise", str(path),
                             PLANCHECK_CACHE_DIR=str(tmp_path / "cache"))
    assert result.returncode == 1 or result.returncode == 0, result.stderr
    assert f"{path.name}:" in result.stdout and "TOT002" in result.stdout  # it did check the file
    assert "Found 1 problem" in result.stderr
    assert not {name for name in modules if name.split(".")[0] == "rich"}
    assert not {name for name in modules for never in NEVER if name == never or name.startswith(never + ".")}


def test_the_full_format_of_one_file_imports_only_what_it_renders_with(tmp_path):
    path = _one_file(tmp_path)
    result, modules = _probe(tmp_path, str(path), PLANCHECK_CACHE_DIR=str(tmp_path / "cache"))
    assert "TOT002" in result.stdout, result.stderr
    assert "rich.console" in modules  # the terminal's colours and width are rich's decision
    assert not {name for name in modules for never in NEVER if name == never or name.startswith(never + ".")}


def test_a_file_in_the_plan_set_is_checked_with_its_context_and_without_worker_processes(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(ROOT / "plans", project / "plans")
    path = project / "plans" / PLAN.relative_to(ROOT / "plans")
    result, modules = _probe(tmp_path, "--no-cache", "--format", "concise", str(path), cwd=project)
    assert "TOT002" in result.stdout, result.stderr
    assert "multiprocessing" not in modules and "rich" not in modules


def _validator_entries(cache: Path) -> list[Path]:
    """The cache's plan validator entries (a 'file' entry whose payload names itself)."""
    return [entry for entry in (cache / "file").rglob("*") if entry.is_file() and
            b"plancheck validator 2 checker.model.PlanFile" in entry.read_bytes()]


def test_the_second_process_takes_the_validator_from_the_cache_and_reports_the_same(tmp_path):
    cache = tmp_path / "cache"
    reports = []
    for name in ("first.yaml", "second.yaml", "third.yaml"):  # each new to the cache
        path = tmp_path / name
        shutil.copyfile(PLAN, path)
        probe = PROBE.replace("main()", "try:\n    main()\nfinally:\n    import checker.model as model\n"
                                        "    print('cached validator', model.PlanFile in model.validators_from_cache)")
        result = subprocess.run([sys.executable, "-c", probe, "--format", "json", str(path)], cwd=tmp_path,
                                capture_output=True, text=True, timeout=120,
                                env=_environment(tmp_path, PLANCHECK_CACHE_DIR=str(cache)))
        report = json.loads(result.stdout[:result.stdout.rindex("cached validator")].replace(name, "one.yaml"))
        reports.append((report, result.stdout.strip().splitlines()[-1]))
    assert [installed for _, installed in reports] == ["cached validator False", "cached validator True",
                                                       "cached validator True"]
    assert reports[0][0] == reports[1][0] == reports[2][0]
    assert [d["code"] for d in reports[0][0]["diagnostics"]] == ["TOT002"]
    assert len(_validator_entries(cache)) == 1


def test_a_tampered_validator_entry_is_a_miss_and_the_validator_is_built_again(tmp_path):
    cache = tmp_path / "cache"
    env = _environment(tmp_path, PLANCHECK_CACHE_DIR=str(cache))
    first = _one_file(tmp_path)
    subprocess.run([sys.executable, "-m", "checker", str(first)], cwd=tmp_path, capture_output=True, timeout=120,
                   env=env)
    (entry,) = _validator_entries(cache)
    blob = bytearray(entry.read_bytes())
    blob[-5] ^= 1  # the payload changed under its signature
    entry.write_bytes(bytes(blob))
    second = tmp_path / "second.yaml"
    shutil.copyfile(PLAN, second)
    probe = PROBE.replace("main()", "try:\n    main()\nfinally:\n    import checker.model as model\n"
                                    "    print('cached validator', model.PlanFile in model.validators_from_cache)")
    result = subprocess.run([sys.executable, "-c", probe, "--format", "concise", str(second)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120, env=env)
    assert "second.yaml:" in result.stdout and "TOT002" in result.stdout
    assert result.stdout.strip().endswith("cached validator False")
    assert entry.read_bytes() != bytes(blob)  # the good entry was written over it


def _plan_data() -> list[tuple[Path, object]]:
    """What the loader hands the model, for every plan the tests and the real data hold
    (the valid ones and the broken ones)."""
    found = []
    for top in ("plans", "tests/data", "checker/starters"):
        for path in sorted((ROOT / top).rglob("*.yaml")):
            loaded = loader.load_bytes(loader.LoadedFile(path=path, name=str(path)), path.read_bytes(),
                                       loader.DEFAULT_LIMITS, loader.Budget(loader.DEFAULT_LIMITS))
            if loaded.data is not None:
                found.append((path, loaded.data))
    return found


def test_the_validator_made_from_the_cached_schema_validates_exactly_as_pydantics_own():
    PlanFile.model_rebuild(force=True)
    own = PlanFile.__pydantic_validator__
    reduced: Any = own.__reduce__()
    schema, config = reduced[1][:2]
    cached = pydantic_core.SchemaValidator(pickle.loads(pickle.dumps(_validation_schema(schema))), config)
    data = _plan_data()
    assert len(data) > 60
    failures = 0
    for path, value in data:
        outcomes: list[tuple] = []
        for validator in (own, cached):
            try:
                outcomes.append(("valid", validator.validate_python(value)))
            except pydantic_core.ValidationError as error:
                outcomes.append(("invalid", error.title, error.errors(include_url=False), str(error)))
        assert outcomes[0] == outcomes[1], path
        failures += outcomes[0][0] == "invalid"
    assert failures > 0  # the broken plans were among them


def test_only_schema_nodes_lose_their_serialization_and_metadata_never_a_field_so_named():
    schema = {"type": "model-fields", "metadata": {"js": "x"}, "fields": {
        "metadata": {"type": "model-field", "schema": {"type": "str", "serialization": {"f": 1}}},
        "serialization": {"type": "model-field", "schema": {"type": "int"}, "metadata": {}}}}
    assert _validation_schema(schema) == {"type": "model-fields", "fields": {
        "metadata": {"type": "model-field", "schema": {"type": "str"}},
        "serialization": {"type": "model-field", "schema": {"type": "int"}}}}


def test_an_embedding_program_keeps_its_garbage_collector_and_a_process_runs_its_atexit_handlers(tmp_path):
    path = _one_file(tmp_path)
    frozen = gc.get_freeze_count()
    result = CliRunner().invoke(main, ["--no-cache", "--format", "concise", str(path)])
    assert result.exit_code in (0, 1) and "TOT002" in result.output
    assert gc.get_freeze_count() == frozen  # only the process's own command line freezes, as it ends
    marker = tmp_path / "atexit-ran"
    probe = (f"import atexit, pathlib; atexit.register(lambda: pathlib.Path({str(marker)!r}).write_text('yes'))\n"
             + PROBE)
    process = subprocess.run([sys.executable, "-c", probe, "--no-cache", str(path)], cwd=tmp_path,
                             capture_output=True, text=True, timeout=120, env=_environment(tmp_path))
    assert "TOT002" in process.stdout
    assert marker.read_text() == "yes"  # coverage's data is written the same way, in the tests' processes


def test_the_collector_is_held_from_discovery_on_and_given_back_after(tmp_path, monkeypatch):
    from checker import discovery

    path = _one_file(tmp_path)
    seen: list[bool] = []
    original = discovery.discover

    def discovering(*args, **kwargs):
        seen.append(gc.isenabled())
        return original(*args, **kwargs)

    monkeypatch.setattr(discovery, "discover", discovering)
    assert gc.isenabled()
    result = CliRunner().invoke(main, ["--no-cache", "--format", "concise", str(path)])
    assert result.exit_code in (0, 1) and "TOT002" in result.output
    assert seen == [False]  # discovery's stats and paths live as long as the files loaded after them
    assert gc.isenabled()


def test_a_signed_entry_pydantic_core_refuses_is_a_miss_and_the_validator_is_built(tmp_path):
    script = """
import pydantic_core
from checker.cache import MemoryCache
from checker import model
cache = MemoryCache("fingerprint")
key = model.validator_key(cache, model.PlanFile)
cache.put("file", key, (model._validator_tag(model.PlanFile), {"type": "no such schema"}, {}))
model.build_validator(cache)
print(model.PlanFile in model.validators_from_cache, model.PlanFile.__pydantic_complete__)
from pathlib import Path
from checker import loader
path = Path(PLAN)
loaded = loader.load_bytes(loader.LoadedFile(path=path, name="one.yaml"), path.read_bytes(), loader.DEFAULT_LIMITS,
                           loader.Budget(loader.DEFAULT_LIMITS))
print(type(loaded.model).__name__, len(loaded.findings))
""".replace("PLAN", repr(str(PLAN)))
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120, env=_environment(tmp_path))
    assert result.stdout.split() == ["False", "True", "PlanFile", "0"], result.stderr


@pytest.mark.parametrize(("plan", "finding", "models"), [
    (PLAN, "TOT002", "FunctionOptions PlanFile SumOptions"),
    # a table of a document kind: the kinds' registry and the relations it expands to as well
    (ROOT / "tests" / "data" / "kinds" / "account-budget.yaml", "All checks passed",
     "FunctionOptions HalfUnitOptions PlanFile Registry Relation"),
], ids=["plan", "kind-table"])
def test_a_one_file_run_with_a_warm_cache_builds_no_model_and_never_looks_for_pydantic_plugins(tmp_path, plan,
                                                                                                finding, models):
    """The plan's validator and the other models' validators come from the cache: no model
    is built by pydantic, so its plugin lookup (importlib.metadata) never runs."""
    cache = tmp_path / "cache"
    probe = PROBE.replace("main()", "try:\n    main()\nfinally:\n    import checker.model as model\n"
                                    "    print('from cache', *sorted(m.__name__ for m in model.validators_from_cache))")
    runs = []
    for name in ("first.yaml", "second.yaml"):  # each new to the cache
        path = tmp_path / name
        shutil.copyfile(plan, path)
        result = subprocess.run([sys.executable, "-c", probe, "--format", "concise", str(path)], cwd=tmp_path,
                                capture_output=True, text=True, timeout=120,
                                env=_environment(tmp_path, PLANCHECK_CACHE_DIR=str(cache)))
        *report, from_cache = result.stdout.strip().splitlines()
        *summary, modules = result.stderr.strip().splitlines()
        runs.append(("\n".join(report + summary).replace(name, "one.yaml"), from_cache, set(json.loads(modules))))
    (first, _, first_modules), (second, second_from_cache, second_modules) = runs
    assert finding in first
    assert "importlib.metadata" in first_modules  # the first process built them, as pydantic does
    assert second_from_cache == f"from cache {models}"
    assert first == second  # the same report
    assert "importlib.metadata" not in second_modules and "pydantic.plugin._loader" not in second_modules


def test_installing_or_changing_a_distribution_on_the_import_path_is_a_new_validator_key(tmp_path, monkeypatch):
    from checker import model
    from checker.cache import MemoryCache

    cache = MemoryCache("fingerprint")

    def key() -> str:
        monkeypatch.setattr(model, "_PLUGIN_STATE", [])
        return model.validator_key(cache, PlanFile)

    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.setattr(sys, "path", [*sys.path, str(site)])
    before = key()
    (site / "not-a-distribution").mkdir()
    assert key() == before  # only what importlib.metadata reads counts
    plugin = site / "a_plugin-1.0.dist-info"
    plugin.mkdir()
    installed = key()
    assert installed != before
    (plugin / "entry_points.txt").write_text("[pydantic]\na = a_plugin:plugin\n")
    assert key() != installed
    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "__all__")
    assert key() not in (before, installed)


def test_the_options_models_come_from_the_cache_build_validator_was_given_and_only_while_it_lives(tmp_path):
    script = """
import gc
from checker.cache import MemoryCache
from checker import model
from checker.functions.sums import SumOptions
writer = MemoryCache("fingerprint")
model.build_validator(writer)
model.prepare_validator(SumOptions)  # built by pydantic, and kept in the cache
print(SumOptions in model._validators_kept, SumOptions.model_validate({}).half_unit_per_item)
del writer
gc.collect()
print(model._validator_cache())  # the run's cache is not kept alive by the model
"""
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120, env=_environment(tmp_path))
    assert result.stdout.split() == ["True", "True", "None"], result.stderr


PLUGIN = '''
import os

class Plugin:
    def new_schema_validator(self, schema, schema_type, schema_type_path, schema_kind, config, plugin_settings):
        with open(os.environ["PLUGIN_LOG"], "a") as log:
            log.write(getattr(schema_type, "__name__", str(schema_type)) + "\\n")
        return None, None, None

plugin = Plugin()
'''


def test_with_a_pydantic_plugin_installed_and_enabled_every_process_builds_its_validators_through_pydantic(tmp_path):
    """The CLI turns pydantic's plugins off unless PYDANTIC_DISABLE_PLUGINS says otherwise; a
    user who turns them on (here: the variable set, empty) has a plugin see every validator
    pydantic makes: none is taken from the cache instead, in the process that finds the
    plugin or after."""
    site = tmp_path / "site"
    (site / "probe_plugin-1.0.dist-info").mkdir(parents=True)
    (site / "probe_plugin.py").write_text(PLUGIN)
    (site / "probe_plugin-1.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: probe-plugin\n"
                                                                  "Version: 1.0\n")
    (site / "probe_plugin-1.0.dist-info" / "entry_points.txt").write_text("[pydantic]\nprobe = probe_plugin:plugin\n")
    cache = tmp_path / "cache"
    env = {"PLANCHECK_CACHE_DIR": str(cache), "PLUGIN_LOG": str(tmp_path / "plugin.log")}
    probe = PROBE.replace("main()", "try:\n    main()\nfinally:\n    import checker.model as model\n"
                                    "    print('from cache', len(model.validators_from_cache))")
    path = _one_file(tmp_path)
    # a first process without the plugin keeps the validators in the cache
    subprocess.run([sys.executable, "-c", probe, "--format", "concise", str(path)], cwd=tmp_path,
                   capture_output=True, text=True, timeout=120, env=_environment(tmp_path, **env))
    logs = []
    for name in ("with-plugin.yaml", "again.yaml"):
        shutil.copyfile(PLAN, tmp_path / name)
        (tmp_path / "plugin.log").write_text("")
        environment = _environment(tmp_path, **env)
        environment["PYTHONPATH"] = os.pathsep.join([str(site), environment["PYTHONPATH"]])
        environment["PYDANTIC_DISABLE_PLUGINS"] = ""  # none disabled
        result = subprocess.run([sys.executable, "-c", probe, "--format", "concise", str(tmp_path / name)],
                                cwd=tmp_path, capture_output=True, text=True, timeout=120, env=environment)
        assert "TOT002" in result.stdout and result.stdout.strip().endswith("from cache 0"), result.stderr
        logs.append(set((tmp_path / "plugin.log").read_text().split()))
    assert logs[0] == logs[1] and {"PlanFile", "SumOptions"} <= logs[0]


def test_a_clean_file_new_to_a_warm_cache_is_checked_without_importing_ruamel(tmp_path):
    """The fast path types plain scalars by ruamel's resolver table, kept in the cache after the
    first process: a later process new to a clean file never imports ruamel.yaml (spans, and so
    ruamel, only for a file with findings)."""
    clean = ROOT / "plans" / "kodaira" / "policy-evaluation-r4" / "theme-10-gender-equality.yaml"
    cache = str(tmp_path / "cache")
    seen = []
    for name in ("first.yaml", "second.yaml"):
        path = tmp_path / name
        shutil.copyfile(clean, path)
        result, modules = _probe(tmp_path, "--format", "concise", str(path), PLANCHECK_CACHE_DIR=cache)
        assert result.returncode == 0 and "All checks passed" in result.stderr, result.stderr
        seen.append(modules)
    assert ("ruamel.yaml" in seen[0], "ruamel.yaml" in seen[1]) == (True, False)
    with_finding = tmp_path / "third.yaml"
    shutil.copyfile(PLAN, with_finding)
    result, modules = _probe(tmp_path, "--format", "concise", str(with_finding), PLANCHECK_CACHE_DIR=cache)
    assert "TOT002" in result.stdout and "ruamel.yaml" in modules  # its span is ruamel's


def test_the_resolver_table_from_the_cache_is_ruamels_own_and_a_bad_entry_is_a_miss(monkeypatch):
    from checker import model
    from checker.cache import MemoryCache

    cache = MemoryCache("test")
    import weakref

    monkeypatch.setattr(model, "_validator_cache", weakref.ref(cache))
    built, kept = loader._resolver_table()
    assert kept and loader._resolver_table() == (built, True)  # the second from the cache
    from ruamel.yaml.resolver import VersionedResolver

    own = VersionedResolver().versioned_resolver
    assert {first: [(str(tag), pattern.pattern, pattern.flags) for tag, pattern in candidates]
            for first, candidates in own.items()} == built
    from checker.cache import parse_fingerprint

    key = cache.key("plain resolvers", parse_fingerprint())
    for bad in [("plancheck plain resolvers 1", {"1": [("tag", 5, 0)]}), ("another entry", built), "text"]:
        cache.put("file", key, bad)
        assert loader._resolver_table() == (built, True)  # a miss: built from ruamel again, and kept
        assert cache.get("file", key)[1] == built


def test_without_a_cache_the_resolver_table_is_made_once_not_per_file(monkeypatch):
    from checker import model

    monkeypatch.setattr(model, "_validator_cache", None)
    monkeypatch.setattr(loader, "_PLAIN_RESOLVERS", None)
    monkeypatch.setattr(loader, "_RESOLVERS_KEPT", False)
    made: list[int] = []
    original = loader._resolver_table

    def counted():
        made.append(1)
        return original()

    monkeypatch.setattr(loader, "_resolver_table", counted)
    for _ in range(20):  # a file's build asks for it each time
        loader._plain_resolver()
    assert len(made) == 1
