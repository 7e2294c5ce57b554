"""The cache directory, tried as a hostile repository would: a cache that is a link, tags
and kind directories that are links, a configured cache-dir that is someone else's
directory, the project's root or the plan directory, a cache another user owns; a signed
entry copied over another; a key file others can write; a FIFO or a link to /dev/zero
where an entry should be. Each run still reports what an uncached run reports, says why
the cache was not used, and nothing outside the project changes."""

from __future__ import annotations

import hmac
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
    assert names == [".gitignore", "CACHEDIR.TAG", "file", "index", "ruleset", "run", "stat"]
    assert stat.S_IMODE((project / CACHE).stat().st_mode) == 0o700


# --- the signature ---------------------------------------------------------------

def _entries(project: Path, kind: str) -> set[Path]:
    return {path for path in (project / CACHE / kind).rglob("*") if path.is_file() and not path.name.startswith(".")}


def _failing_and_clean_entries(project: Path) -> tuple[set[Path], set[Path], set[Path], set[Path]]:
    """A failing run's entries and, after the plan was corrected, a clean run's; the plan
    then put back as it failed."""
    bad = project / "plans" / "bad.yaml"
    failing = bad.read_text(encoding="utf-8")
    assert _run()[0] == 1
    failing_runs, failing_files = _entries(project, "run"), _entries(project, "file")
    bad.write_text(failing.replace("total: 4870", "total: 3870"), encoding="utf-8")
    assert _run()[0] == 0
    clean_runs, clean_files = _entries(project, "run") - failing_runs, _entries(project, "file") - failing_files
    assert len(clean_runs) == 1 and len(clean_files) == 1
    bad.write_text(failing, encoding="utf-8")
    return failing_runs, failing_files, clean_runs, clean_files


def test_a_signed_entry_copied_over_another_does_not_turn_a_failing_run_into_a_passing_one(project, uncached):
    failing_runs, failing_files, clean_runs, clean_files = _failing_and_clean_entries(project)
    (clean_run,), (clean_file,) = clean_runs, clean_files
    for entry in failing_runs:
        entry.write_bytes(clean_run.read_bytes())  # the clean run's report, validly signed, at the failing run's key
    for entry in failing_files:
        entry.write_bytes(clean_file.read_bytes())  # the corrected file's entry over the failing file's
    code, stdout, stderr = _run()
    assert (code, stdout) == uncached and "cache" not in stderr
    # every copied entry was a miss and was written again, this time as its own
    assert all(entry.read_bytes() != clean_run.read_bytes() for entry in failing_runs)


def test_an_entry_moved_to_another_kind_is_a_miss(project):
    from checker.cache import Cache

    store = Cache(project / CACHE, "fingerprint", root=project)
    key = store.key("one")
    store.put("run", key, ["a clean report"])
    (project / CACHE / "file" / key[:2]).mkdir(parents=True)
    (project / CACHE / "run" / key[:2] / key).rename(project / CACHE / "file" / key[:2] / key)
    assert store.get("file", key) is None and store.get("run", key) is None
    store.put("file", key, ["the file's own"])
    assert store.get("file", key) == ["the file's own"]


# --- the key ---------------------------------------------------------------------

def _key_file(project: Path) -> Path:
    return project.parent / "user-cache" / "plancheck" / "cache-key"


def _forge(project: Path, key: bytes) -> None:
    """What someone who knows the key can do: sign the clean run's report at the failing
    run's place."""
    failing_runs, _, clean_runs, _ = _failing_and_clean_entries(project)
    (clean_run,) = clean_runs
    payload = clean_run.read_bytes()[32:]
    for entry in failing_runs:
        signature = hmac.digest(key, b"%s%s\0%s\0%s" % (cache_module._SIGNED, b"run", entry.name.encode(), payload),
                                cache_module._MAC)
        entry.write_bytes(signature + payload)


def test_the_key_is_made_for_the_user_only(project, uncached):
    assert _run()[:2] == uncached
    key = _key_file(project)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert len(key.read_bytes()) == 32


def test_a_forged_entry_is_believed_only_under_the_key_it_was_signed_with(project, uncached):
    """The control for the tests below: an entry signed under the trusted key passes."""
    _run("--no-cache")
    known = b"k" * 32
    _key_file(project).parent.mkdir(parents=True, mode=0o700)
    _key_file(project).write_bytes(known)
    _key_file(project).chmod(0o600)
    cache_module._key_at.cache_clear()
    _forge(project, known)
    cache_module._key_at.cache_clear()
    assert _run()[0] == 0  # whoever holds the key decides what a run reports


@pytest.mark.parametrize("loosen", ["group-writable key", "world-writable key", "group-writable directory",
                                    "linked key", "key of another user"])
def test_a_key_others_could_have_written_is_not_trusted(project, uncached, loosen):
    """Someone who can write the key file (or its directory) could sign entries: a key
    anyone else could have written is not used, and the entries signed with it are misses."""
    key = _key_file(project)
    known = b"k" * 32
    key.parent.mkdir(parents=True, mode=0o700)
    key.write_bytes(known)
    key.chmod(0o600)
    cache_module._key_at.cache_clear()
    _forge(project, known)
    shown = key
    if loosen == "group-writable key":
        key.chmod(0o620)
    elif loosen == "world-writable key":
        key.chmod(0o606)
    elif loosen == "group-writable directory":
        key.parent.chmod(0o770)
        shown = key.parent
    elif loosen == "linked key":
        planted = project.parent / "outside" / "planted-key"
        planted.write_bytes(known)
        key.unlink()
        key.symlink_to(planted)
    else:
        if os.geteuid() != 0:
            pytest.skip("making a file another user's needs root")
        os.chown(key, 65534, 65534)
    reason = {"linked key": "is a symbolic link", "key of another user": "belongs to another user"}.get(
        loosen, "is writable by its group or by others")
    before = _snapshot(project.parent / "outside")
    cache_module._key_at.cache_clear()
    key_before = os.readlink(key) if key.is_symlink() else key.read_bytes()
    code, stdout, stderr = _run()
    assert (code, stdout) == uncached
    assert (f"plancheck: cache key not trusted: {shown} {reason}; using a key for this run only "
            "(chmod go-w fixes it)") in stderr.splitlines(), stderr
    assert _snapshot(project.parent / "outside") == before
    assert (os.readlink(key) if key.is_symlink() else key.read_bytes()) == key_before  # never replaced either


# --- reading entries -------------------------------------------------------------

def _replace_entries(project: Path, make) -> list[Path]:
    entries = [entry for kind in ("file", "run", "ruleset") for entry in _entries(project, kind)]
    for entry in entries:
        entry.unlink()
        make(entry)
    return entries


@pytest.mark.slow
@pytest.mark.parametrize("planted", ["fifo", "link to /dev/zero"])
def test_a_fifo_or_a_device_where_an_entry_should_be_is_a_miss_never_a_hang(project, uncached, planted):
    import subprocess
    import sys

    assert _run()[:2] == uncached
    _replace_entries(project, os.mkfifo if planted == "fifo" else lambda entry: entry.symlink_to("/dev/zero"))
    before = _snapshot(project.parent / "outside")
    environment = {**os.environ, "NO_COLOR": "1", "GITHUB_ACTIONS": "",
                   "XDG_CACHE_HOME": str(project.parent / "user-cache")}
    process = subprocess.Popen([sys.executable, "-m", "checker", "--format", "concise", "--lang", "en"], cwd=project,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)
    try:
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert (process.returncode, stdout) == uncached, stderr
    assert _snapshot(project.parent / "outside") == before


def test_an_entry_that_is_not_a_regular_file_is_a_miss(project):
    from checker.cache import Cache

    store = Cache(project / CACHE, "fingerprint", root=project)
    key = store.key("one")
    store.put("file", key, "value")
    entry = project / CACHE / "file" / key[:2] / key
    entry.unlink()
    os.mkfifo(entry)  # opened without blocking, then refused: a hang would stop this test here
    assert store.get("file", key) is None
    entry.unlink()
    entry.symlink_to("/dev/zero")
    assert store.get("file", key) is None
    entry.unlink()
    entry.mkdir()
    assert store.get("file", key) is None and store.misses == 3 and store.hits == 0


def test_an_entry_larger_than_the_cap_is_neither_read_nor_written(project):
    from checker.cache import Cache

    roomy = Cache(project / CACHE, "fingerprint", root=project, max_entry_bytes=10_000)
    key = roomy.key("one")
    roomy.put("file", key, "x" * 2_000)
    assert roomy.get("file", key) == "x" * 2_000
    tight = Cache(project / CACHE, "fingerprint", root=project, max_entry_bytes=1_000)
    assert tight.get("file", key) is None  # its size is seen before a byte is read
    other = tight.key("two")
    tight.put("file", other, "y" * 2_000)
    assert not (project / CACHE / "file" / other[:2] / other).exists()


def test_a_cache_dir_of_an_empty_plan_directory_is_refused_before_anything_is_written(project, uncached):
    """The ruleset cache is opened before any plan file is found: a configured plan
    directory is protected from the start, even with nothing in it yet."""
    (project / "plans" / "later").mkdir()
    (project / "plancheck.toml").write_text('plans = ["plans/later", "plans"]\ncache-dir = "plans/later"\n',
                                            encoding="utf-8")
    _refused(project, uncached, "plans/later contains plan files (plans/later)")
    assert list((project / "plans" / "later").iterdir()) == []


def test_a_cache_directory_swapped_for_a_link_after_it_was_checked_is_not_followed(project):
    """Between the check and the writes, the directory is replaced by a link to the user's
    files: the writes still go to the directory that was checked (opened once, then every
    step relative to it)."""
    from checker.cache import Cache

    store = Cache(project / CACHE, "fingerprint", root=project)
    before = _snapshot(project.parent / "outside")
    (project / CACHE).rename(project / "checked")
    (project / CACHE).symlink_to(project.parent / "outside")
    key = store.key("one")
    store.put("run", key, "value")
    assert store.get("run", key) == "value"
    assert _snapshot(project.parent / "outside") == before
    assert (project / "checked" / "run" / key[:2] / key).is_file()


@pytest.mark.slow
def test_runs_making_the_cache_at_the_same_moment_never_refuse_each_others(project, uncached):
    """A tag or the key is published whole (written aside, linked into place): a run that
    checks the directory while another makes it never sees half a tag and refuses it."""
    import shutil
    import subprocess
    import sys

    environment = {**os.environ, "NO_COLOR": "1", "GITHUB_ACTIONS": "",
                   "XDG_CACHE_HOME": str(project.parent / "user-cache")}
    command = [sys.executable, "-m", "checker", "--format", "concise", "--lang", "en"]
    for _ in range(3):
        shutil.rmtree(project / CACHE, ignore_errors=True)
        shutil.rmtree(project.parent / "user-cache", ignore_errors=True)
        processes = [subprocess.Popen(command, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True, env=environment) for _ in range(3)]
        outputs = [(process.communicate(timeout=60), process.returncode) for process in processes]
        for (stdout, stderr), code in outputs:
            assert (code, stdout) == uncached and "cache" not in stderr, stderr
        assert not [path for path in (project / CACHE).iterdir() if path.name.startswith(".tmp-")]
        assert len(_key_file(project).read_bytes()) == 32
