"""The cache directory, tried as a hostile repository would: a cache that is a link, tags
and kind directories that are links, a configured cache-dir that is someone else's
directory, the project's root or the plan directory, a cache another user owns; a signed
entry copied over another; a key file others can write; a FIFO or a link to /dev/zero
where an entry should be. Each run still reports what an uncached run reports, says why
the cache was not used, and nothing outside the project changes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker import cache as cache_module
from checker.cli import main
from tests.test_cli import BAD_TOTAL, GOOD

CACHE = ".plancheck_cache"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project with a failing and a clean plan, and, beside it, a directory of the user's
    that an attacker would like plancheck to write into."""
    root = tmp_path / "project"
    (root / "plans").mkdir(parents=True)
    (root / "plans" / "bad.yaml").write_text(BAD_TOTAL, encoding="utf-8")
    (root / "plans" / "good.yaml").write_text(GOOD, encoding="utf-8")
    victim = tmp_path / "outside"
    victim.mkdir()
    (victim / ".bashrc").write_text("export PATH=/usr/bin\n", encoding="utf-8")
    (victim / "notes").mkdir()
    (victim / "notes" / "todo.txt").write_text("keep me\n", encoding="utf-8")
    monkeypatch.chdir(root)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.delenv("PLANCHECK_CACHE_DIR", raising=False)
    cache_module._key_at.cache_clear()
    return root


def _snapshot(directory: Path) -> dict[str, tuple[int, bytes | str | None]]:
    """Every path under `directory` (links not followed): its mode and its bytes or target."""
    found = {}
    for path in sorted(directory.rglob("*")):
        status = path.lstat()
        content: bytes | str | None = None
        if stat.S_ISLNK(status.st_mode):
            content = os.readlink(path)
        elif stat.S_ISREG(status.st_mode):
            content = path.read_bytes()
        found[str(path.relative_to(directory))] = (status.st_mode, content)
    return found


def _run(*args: str):
    result = CliRunner().invoke(main, ["--format", "concise", "--lang", "en", *args],
                                env={"NO_COLOR": "1", "GITHUB_ACTIONS": ""})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def uncached(project):
    """What the project's check reports with no cache at all."""
    code, stdout, _ = _run("--no-cache")
    assert code == 1 and "TOT001" in stdout
    return code, stdout


def _refused(project, uncached, reason: str, *args: str) -> None:
    """A run that refuses the cache with `reason`, reports what an uncached run does, and
    changes nothing outside the project (run twice: the second finds no cache either)."""
    outside = project.parent / "outside"
    before = _snapshot(outside)
    for _ in range(2):
        code, stdout, stderr = _run(*args)
        assert (code, stdout) == uncached
        assert f"plancheck: cache not used: {reason}; going on without it" in stderr.splitlines(), stderr
    assert _snapshot(outside) == before


# --- the directory ---------------------------------------------------------------

def test_a_cache_directory_that_is_a_link_is_never_written_into(project, uncached):
    (project / CACHE).symlink_to(project.parent / "outside")
    _refused(project, uncached, f"{CACHE} is a symbolic link")


def test_a_cache_directory_linked_to_an_empty_directory_is_refused_too(project, uncached):
    empty = project.parent / "outside" / "empty"
    empty.mkdir()
    (project / CACHE).symlink_to(empty)
    _refused(project, uncached, f"{CACHE} is a symbolic link")
    assert list(empty.iterdir()) == []


@pytest.mark.parametrize("tag", [".gitignore", "CACHEDIR.TAG"])
def test_a_tag_file_linked_to_a_users_file_is_never_written(project, uncached, tag):
    (project / CACHE).mkdir()
    (project / CACHE / tag).symlink_to(project.parent / "outside" / ".bashrc")
    _refused(project, uncached, f"{CACHE}/{tag} is a symbolic link")


@pytest.mark.parametrize("kind", ["file", "run", "ruleset"])
def test_a_kind_directory_linked_outside_is_never_written_into(project, uncached, kind):
    (project / CACHE).mkdir()
    (project / CACHE / kind).symlink_to(project.parent / "outside" / "notes")
    _refused(project, uncached, f"{CACHE}/{kind} is a symbolic link")


def test_shard_directories_linked_outside_are_skipped(project, uncached):
    """A link deeper in the cache (where an entry's directory should be): nothing is written
    through it, and the entries there are misses."""
    assert _run()[:2] == uncached  # a real cache
    shards = [shard for kind in ("file", "run", "ruleset") for shard in (project / CACHE / kind).iterdir()]
    for shard in shards:
        for entry in shard.iterdir():
            entry.unlink()
        shard.rmdir()
        shard.symlink_to(project.parent / "outside" / "notes")
    before = _snapshot(project.parent / "outside")
    code, stdout, stderr = _run()
    assert (code, stdout) == uncached and "cache" not in stderr
    assert _snapshot(project.parent / "outside") == before


def test_a_cache_path_that_is_a_file_is_refused(project, uncached):
    (project / CACHE).write_text("not a directory\n", encoding="utf-8")
    _refused(project, uncached, f"{CACHE} is not a directory")
    assert (project / CACHE).read_text(encoding="utf-8") == "not a directory\n"


def test_a_configured_cache_dir_holding_other_files_is_never_written_into(project, uncached):
    (project / "plancheck.toml").write_text('cache-dir = "../outside"\n', encoding="utf-8")
    _refused(project, uncached, "../outside/.bashrc is not a file of plancheck's cache")


def test_the_user_cache_dir_variable_is_checked_the_same_way(project, uncached, monkeypatch):
    monkeypatch.setenv("PLANCHECK_CACHE_DIR", str(project.parent / "outside" / "notes"))
    _refused(project, uncached, f"{project.parent / 'outside' / 'notes' / 'todo.txt'} is not a file of plancheck's cache")


def test_a_cache_dir_that_is_the_project_root_is_refused(project, uncached):
    (project / "plancheck.toml").write_text('cache-dir = "."\n', encoding="utf-8")
    _refused(project, uncached, ". is the project's root or a directory above it")
    assert sorted(path.name for path in project.iterdir()) == ["plancheck.toml", "plans"]


def test_a_cache_dir_above_the_project_is_refused(project, uncached):
    (project / "plancheck.toml").write_text('cache-dir = ".."\n', encoding="utf-8")
    _refused(project, uncached, ".. is the project's root or a directory above it")


def test_a_cache_dir_that_holds_plan_files_is_refused(project, uncached):
    (project / "plancheck.toml").write_text('cache-dir = "plans"\n', encoding="utf-8")
    _refused(project, uncached, "plans contains plan files (plans)")
    assert sorted(path.name for path in (project / "plans").iterdir()) == ["bad.yaml", "good.yaml"]


def test_a_cache_dir_linked_to_the_plans_is_refused(project, uncached):
    (project / "plans-link").symlink_to(project / "plans")
    (project / "plancheck.toml").write_text('cache-dir = "plans-link"\n', encoding="utf-8")
    _refused(project, uncached, "plans-link contains plan files (plans)")


def test_a_cache_dir_above_plans_named_on_the_command_line_is_refused(project, uncached, tmp_path):
    elsewhere = tmp_path / "elsewhere" / "plans"
    elsewhere.mkdir(parents=True)
    (elsewhere / "bad.yaml").write_text(BAD_TOTAL, encoding="utf-8")
    (project / "plancheck.toml").write_text(f'cache-dir = "{tmp_path / "elsewhere"}"\n', encoding="utf-8")
    code, stdout, stderr = _run("--config", "plancheck.toml", str(elsewhere / "bad.yaml"))
    assert code == 1 and "TOT001" in stdout
    assert f"cache not used: {tmp_path / 'elsewhere'} contains plan files ({elsewhere})" in stderr
    assert sorted(path.name for path in (tmp_path / "elsewhere").iterdir()) == ["plans"]


def test_a_cache_directory_of_another_user_is_refused(project, uncached, monkeypatch):
    (project / CACHE).mkdir()
    if os.geteuid() == 0:
        os.chown(project / CACHE, 65534, 65534)  # a directory someone else made where ours should be
    else:
        monkeypatch.setattr(cache_module, "_uid", lambda: os.getuid() + 1)
    _refused(project, uncached, f"{CACHE} belongs to another user")
    assert list((project / CACHE).iterdir()) == []


def test_a_cache_plancheck_made_is_used_and_kept_to_its_own_files(project, uncached):
    assert _run()[:2] == uncached
    code, stdout, stderr = _run()
    assert (code, stdout) == uncached and "cache" not in stderr
    names = sorted(path.name for path in (project / CACHE).iterdir())
    assert names == [".gitignore", "CACHEDIR.TAG", "file", "ruleset", "run"]
    assert stat.S_IMODE((project / CACHE).stat().st_mode) == 0o700
