"""Independent plan sets (`plan-sets`): each directory the globs match is one plan set, and
the rules across documents relate the files of the same set only; a file in none of them
is checked on its own, and the run says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.config import ConfigError, load_config
from checker.run import RunOptions, execute, prepare

EVAL = ("plan: {id: x, title: t, municipality: 小平市, kind: policy_evaluation, "
        "period: {start: 令和3年度, end: 令和6年度}, as_of: 令和4年度, source: {seed: a.txt}}\n")
ONE = EVAL + "themes:\n  - id: a\n    title: t\n    indicators:\n      - {key: k/x, name: n, unit: 件, targets: {R3: 1, R4: 1, R5: 1, R6: 1}}\n"


def _project(tmp_path: Path, config: str, files: dict[str, str]) -> Path:
    (tmp_path / "plancheck.toml").write_text(config, encoding="utf-8")
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def _same_key_in_two_cities() -> dict[str, str]:
    # the same key in another unit, in another document: UNIT004 when they are one plan set
    return {"plans/kodaira/a.yaml": ONE,
            "plans/koganei/b.yaml": ONE.replace("unit: 件", "unit: 人").replace("id: x,", "id: y,")}


def _run(project: Path, monkeypatch, **options):
    monkeypatch.chdir(project)
    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(project / ".cache"))
    return execute(prepare(RunOptions(**options)))


def test_without_plan_sets_the_whole_plan_set_is_one(tmp_path, monkeypatch):
    project = _project(tmp_path, 'plans = ["plans"]\n', _same_key_in_two_cities())
    result = _run(project, monkeypatch)
    assert [(d.code, d.file) for d in result.diagnostics] == [("UNIT004", "plans/koganei/b.yaml")]


def test_files_of_two_plan_sets_are_never_compared(tmp_path, monkeypatch):
    project = _project(tmp_path, 'plans = ["plans"]\nplan-sets = ["plans/*"]\n', _same_key_in_two_cities())
    assert _run(project, monkeypatch).diagnostics == []
    # reported alone from a warm cache: the same
    assert _run(project, monkeypatch, paths=("plans/koganei/b.yaml",), plan_set_only=True).diagnostics == []


def test_files_of_one_plan_set_are_compared(tmp_path, monkeypatch):
    files = _same_key_in_two_cities()
    files["plans/kodaira/c.yaml"] = files.pop("plans/koganei/b.yaml")
    files["plans/koganei/d.yaml"] = ONE.replace("id: x,", "id: z,")
    project = _project(tmp_path, 'plans = ["plans"]\nplan-sets = ["plans/*"]\n', files)
    result = _run(project, monkeypatch)
    assert [(d.code, d.file) for d in result.diagnostics] == [("UNIT004", "plans/kodaira/c.yaml")]
    assert result.notes == []
    alone = _run(project, monkeypatch, paths=("plans/kodaira/c.yaml",), plan_set_only=True)
    assert alone.diagnostics == result.diagnostics


def test_a_file_in_no_plan_set_is_checked_on_its_own_and_said(tmp_path, monkeypatch):
    files = _same_key_in_two_cities()
    files["plans/loose.yaml"] = files.pop("plans/koganei/b.yaml")
    project = _project(tmp_path, 'plans = ["plans"]\nplan-sets = ["plans/*/"]\n', files)
    result = _run(project, monkeypatch)
    assert result.diagnostics == []
    [note] = result.notes
    assert "1 plan file(s) lie in none of the configuration's plan-sets" in note.en
    assert "plan-sets" in note.ja and "1 件" in note.ja


@pytest.mark.parametrize("glob", ["/abs/*", "../other/*", ""])
def test_a_plan_set_outside_the_project_is_refused(tmp_path, glob):
    config = tmp_path / "plancheck.toml"
    config.write_text(f'plan-sets = ["{glob}"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(config)
    assert "plan-sets" in raised.value.message.en and "below this file" in raised.value.message.en
    assert "plan-sets" in raised.value.message.ja


def test_plan_sets_must_be_a_list_of_strings(tmp_path):
    config = tmp_path / "plancheck.toml"
    config.write_text("plan-sets = [1]\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config(config)


def test_a_file_belongs_to_the_deepest_plan_set_that_holds_it(tmp_path):
    for name in ("plans/a", "plans/a/b", "plans/c"):
        (tmp_path / name).mkdir(parents=True)
    config = tmp_path / "plancheck.toml"
    config.write_text('plan-sets = ["plans/*", "plans/a/*"]\n', encoding="utf-8")
    settings = load_config(config)
    assert settings.plan_set_of(tmp_path / "plans/a/b/x.yaml") == "plans/a/b"
    assert settings.plan_set_of(tmp_path / "plans/a/x.yaml") == "plans/a"
    assert settings.plan_set_of(tmp_path / "plans/x.yaml") is None


def test_declaring_plan_sets_is_a_new_run_not_the_cached_one(tmp_path, monkeypatch):
    project = _project(tmp_path, 'plans = ["plans"]\n', _same_key_in_two_cities())
    assert [d.code for d in _run(project, monkeypatch).diagnostics] == ["UNIT004"]
    (project / "plancheck.toml").write_text('plans = ["plans"]\nplan-sets = ["plans/*"]\n', encoding="utf-8")
    again = _run(project, monkeypatch)
    assert not again.from_cache and again.diagnostics == []


def test_many_plan_sets_are_found_by_lookup_not_by_comparing_every_file_with_every_set(tmp_path, monkeypatch):
    """A national run has 1,324 plan sets: each file's set is its nearest ancestor among them,
    looked up, and the plan sets to search are settled once each. Comparing every file with
    every set took the warm national run from 12 s to 213 s (make bench)."""
    import pathlib

    files = {f"plans/city{number:03}/{name}.yaml": ONE.replace("id: x,", f"id: c{number}{name},")
             for number in range(150) for name in ("a", "b")}
    project = _project(tmp_path, 'plans = ["plans"]\nplan-sets = ["plans/*"]\n', files)
    compared = [0]
    original = pathlib.PurePath.is_relative_to

    def counted(self, *other):
        compared[0] += 1
        return original(self, *other)

    monkeypatch.setattr(pathlib.PurePath, "is_relative_to", counted)
    result = _run(project, monkeypatch, paths=("plans",), no_cache=True)
    assert len(result.checked) == 300 and not result.diagnostics
    # a few per plan set at most (where its root lies), never 150 x 300
    assert compared[0] < 10 * 150, compared[0]
