"""The cache: what a run computed, kept so that the next run over unchanged files is cheap.

Two kinds of entry, both keyed by content, never by modification time:

- a loaded file (its data, spans, model and findings), keyed by its bytes, its name and the
  fingerprint (plancheck's code, the ruleset, the limits): a changed file is loaded again,
  the others come from here;
- a whole run's diagnostics, keyed by the fingerprint, every loaded file's name and bytes
  (context files too) and which files are reported: if any file of the plan set changed,
  the key changes, so a cross-document finding is never stale;
- the project's cross-document index (`checker.crossdoc.IndexStore`): each file's tokens
  by its file entry's key, one entry for the whole plan set, so that a run reporting one
  file reads 20,000 indices in one read and loads only the files related to it.

The cache directory usually sits in the repository, so everything in it is treated as
hostile (docs/security.md, "The cache"):

- Entries are pickles signed with HMAC under a key kept outside the repository (in the
  user's cache directory, trusted only when it and its directory are the user's and no
  one else can write them), over the entry's kind and key as well as its payload: an entry
  planted in a repository, or a signed one copied over another, is a miss, never unpickled.
- The directory is refused (`CacheRefused`, and the run goes on without a cache) when it is
  a symbolic link, is not a directory, belongs to another user, holds anything but the
  tag files and the kind directories, or is the project's root or holds plan files.
- Every directory below it is opened relative to its parent without following a symbolic
  link, and every file is created with `O_EXCL | O_NOFOLLOW`: nothing is written outside it.
- An entry is read only from a regular file no larger than a cap: a FIFO, a device or a
  link to `/dev/zero` is a miss, never a hang.

Entries are written to a temporary file and renamed into place, so two runs sharing the
cache (pre-commit and an editor) never see half an entry; an entry that cannot be read or
verified is a miss. The directory holds a `.gitignore` and a `CACHEDIR.TAG`.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import json
import os
import pickle
import stat
import struct
import sys
import weakref
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Iterable

if TYPE_CHECKING:
    from checker.diagnostics import Text

CACHE_DIR_NAME = ".plancheck_cache"
KINDS = ("file", "run", "ruleset", "index", "stat", "walk")
TAGS = {
    ".gitignore": b"# created by plancheck\n*\n",
    "CACHEDIR.TAG": b"Signature: 8a477f597d28d172789f06886806bc55\n# plancheck's cache: https://bford.info/cachedir/\n",
}
# an entry larger than this is neither read nor written (a loaded file's entry is a few
# times its bytes; open_cache raises it with the configured file size limit)
MAX_ENTRY_BYTES = 64 * 1024 * 1024
_DIGEST = 32
_SIGNED = b"plancheck cache entry 3\0"  # what a signature covers, before the kind, the key and the payload
_MAC = "sha256"  # the digest of the entries' HMAC (_DIGEST bytes)

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
# non-blocking, so that opening a FIFO returns at once (and is then refused as not a regular file)
_READ = os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
# every step relative to a directory already opened; without that (Windows) the cache is off
# (os.replace takes the same directories as os.rename, but only rename is listed)
SUPPORTED = {os.open, os.mkdir, os.stat, os.rename, os.unlink, os.link} <= os.supports_dir_fd \
    and os.listdir in os.supports_fd and bool(_NOFOLLOW)


class CacheRefused(Exception):
    """A cache directory (or key) that is not plancheck's to use: the reason, in both languages."""

    def __init__(self, reason: Text) -> None:
        super().__init__(reason.en)
        self.reason = reason


def _shown(path: Path) -> str:
    """A path as a message names it: relative to the working directory when below it."""
    try:
        return str(Path(path).absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _uid() -> int | None:
    return os.getuid() if hasattr(os, "getuid") else None  # no owners to compare on Windows


def _problem(status: os.stat_result, path: Path, regular: bool) -> Text | None:
    """Why a file or directory (from `lstat` or `fstat`) is not safe to trust, or None."""
    from checker.messages import message

    if stat.S_ISLNK(status.st_mode):
        return message("unsafe_symlink", path=_shown(path))
    if regular and not stat.S_ISREG(status.st_mode):
        return message("unsafe_not_regular", path=_shown(path))
    if not regular and not stat.S_ISDIR(status.st_mode):
        return message("unsafe_not_directory", path=_shown(path))
    uid = _uid()
    if uid is not None and status.st_uid != uid:
        return message("unsafe_owner", path=_shown(path))
    return None


def _refusal(name: str | Path, parent: int | None, path: Path, regular: bool) -> CacheRefused:
    """Why `name` could not be opened without following a link (ELOOP, ENOTDIR)."""
    from checker.messages import message

    problem = _problem(os.stat(name, dir_fd=parent, follow_symlinks=False), path, regular)
    return CacheRefused(problem or message("unsafe_not_regular" if regular else "unsafe_not_directory",
                                           path=_shown(path)))


_NOT_FOLLOWED = (errno.ELOOP, errno.ENOTDIR, errno.EMLINK)  # a link, or a file where a directory should be


def _open_directory(name: str | Path, parent: int | None, path: Path, create: bool) -> int:
    """A directory's descriptor, opened without following a symbolic link (relative to
    `parent` when given); created (for this user only) when missing and `create`.
    `CacheRefused` when it is a link, not a directory, or another user's."""
    try:
        try:
            descriptor = os.open(name, _DIRECTORY, dir_fd=parent)
        except FileNotFoundError:
            if not create:
                raise
            # mkdir never follows a link in the last component; one already there (another
            # run's directory, or a planted link) is opened, and refused, next
            with contextlib.suppress(FileExistsError):
                os.mkdir(name, 0o700, dir_fd=parent)
            descriptor = os.open(name, _DIRECTORY, dir_fd=parent)
    except OSError as error:
        if error.errno not in _NOT_FOLLOWED:
            raise
        raise _refusal(name, parent, path, regular=False) from None
    problem = _problem(os.fstat(descriptor), path, regular=False)
    if problem is not None:
        os.close(descriptor)
        raise CacheRefused(problem)
    return descriptor


def _read_regular(name: str, directory: int | None, limit: int) -> tuple[bytes | None, os.stat_result]:
    """A regular file's bytes, opened without following a link and without blocking (None
    when it is anything else or larger than `limit`), and its status. OSError when it
    cannot be opened (ELOOP: a link)."""
    descriptor = os.open(name, _READ, dir_fd=directory)
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode) or status.st_size > limit:
            return None, status
        chunks, size = [], 0
        while size <= limit:  # the file may have grown since fstat: never read past the limit
            chunk = os.read(descriptor, min(limit + 1 - size, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return (b"".join(chunks) if size <= limit else None), status
    finally:
        os.close(descriptor)


def _write_new(name: str, directory: int, data: bytes) -> None:
    """A new file (never an existing one, never through a link) holding `data`."""
    descriptor = os.open(name, _CREATE, 0o600, dir_fd=directory)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view):]
    finally:
        os.close(descriptor)


def _publish(name: str, directory: int, data: bytes) -> None:
    """`name` holding `data`, whole or not at all (written aside, then linked into place),
    unless it exists already: a run reading it at the same moment never sees it half
    written, and a file another run published first is kept."""
    import secrets

    temporary = f".tmp-{secrets.token_hex(8)}"
    _write_new(temporary, directory, data)
    try:
        with contextlib.suppress(FileExistsError):
            os.link(temporary, name, src_dir_fd=directory, dst_dir_fd=directory, follow_symlinks=False)
    finally:
        os.unlink(temporary, dir_fd=directory)


# --- the key ---------------------------------------------------------------------

def key_path() -> Path:
    """Where the user's key is kept (outside every repository)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "plancheck" / "cache-key"


def _secret() -> tuple[bytes, Text | None]:
    """The key entries are signed with, and why the user's key file is not trusted (then the
    key is this run's only), or None."""
    return _key_at(str(key_path()))


@lru_cache(maxsize=8)
def _key_at(location: str) -> tuple[bytes, Text | None]:
    import secrets

    path = Path(location)
    try:
        return _trusted_key(path), None
    except CacheRefused as refused:
        return secrets.token_bytes(32), refused.reason
    except OSError:
        # no home to keep a key in: this run's entries verify only within it (quietly, as before)
        return secrets.token_bytes(32), None


def _trusted_key(path: Path) -> bytes:
    """The key in `path`, made when missing; `CacheRefused` when the file or its directory
    is a link, another user's, or writable by others (anyone who can replace the key can
    sign an entry, and an entry is a pickle)."""
    import secrets

    path.parent.parent.mkdir(parents=True, exist_ok=True)
    directory = _open_directory(path.parent, None, path.parent, create=True)
    try:
        if os.fstat(directory).st_mode & 0o022:
            raise CacheRefused(_writable(path.parent))
        for _attempt in range(2):
            try:
                key, status = _read_regular(path.name, directory, 1024)
            except FileNotFoundError:
                _publish(path.name, directory, secrets.token_bytes(32))  # or another run's, made first
                continue
            except OSError as error:
                if error.errno not in _NOT_FOLLOWED:
                    raise
                raise _refusal(path.name, directory, path, regular=True) from None
            problem = _problem(status, path, regular=True)
            if problem is not None:
                raise CacheRefused(problem)
            if status.st_mode & 0o022:
                raise CacheRefused(_writable(path))
            if key is None or len(key) != 32:
                raise OSError(errno.EINVAL, "not a key")
            return key
        raise OSError(errno.EAGAIN, "no key")
    finally:
        os.close(directory)


def _writable(path: Path) -> Text:
    from checker.messages import message

    return message("unsafe_writable", path=_shown(path))


# --- fingerprints ----------------------------------------------------------------

def code_files() -> list[tuple[str, Path]]:
    """What `code_fingerprint` covers, each file by the name it is known by there: the
    package's sources, and the document kinds of tables (data the checks read,
    checker/kinds.py, not a ruleset)."""
    package = Path(__file__).resolve().parent
    files = [(str(source.relative_to(package)), source) for source in sorted(package.rglob("*.py"))]
    from checker.rules import builtin_rules_dir

    files += [(f"kinds/{source.name}", source) for source in sorted((builtin_rules_dir() / "kinds").glob("*.yaml"))]
    return files


@cache
def code_fingerprint() -> str:
    """plancheck's own code: its sources' sizes and modification times (cheap, and any
    edit or upgrade changes it)."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(sys.version.encode())
    for name, source in code_files():
        status = source.stat()
        digest.update(f"{name}:{status.st_size}:{status.st_mtime_ns};".encode())
    return digest.hexdigest()


def parse_fingerprint() -> str:
    """What parsing a ruleset file depends on besides its bytes: plancheck's code and the
    ruamel.yaml installed, known by its package file's place, size and time (another version
    installed is another file) rather than by importing it for its `__version__`, which a
    run over clean files never otherwise imports (tens of milliseconds of a one-file check)."""
    import importlib.util

    spec = importlib.util.find_spec("ruamel.yaml")
    origin = spec.origin if spec is not None else None
    try:
        status = os.stat(origin) if origin else None
    except OSError:
        status = None
    installed = f"{origin} {status.st_size} {status.st_mtime_ns}" if status is not None else "absent"
    return f"ruleset files {code_fingerprint()} ruamel.yaml {installed}"


def ruleset_fingerprint(ruleset: Any, limits: Any) -> str:
    rules = [[rule.code, rule.severity.label if rule.severity else None, rule.function, rule.kind, rule.given,
              rule.options, rule.message, rule.help, rule.fixable] for rule in ruleset.rules.values()]
    text = json.dumps([sorted(rules, key=lambda row: row[0]), repr(limits)], sort_keys=True, default=str,
                      ensure_ascii=False)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


# --- the directory ---------------------------------------------------------------

def _within(inner: str, outer: str) -> bool:
    return inner == outer or inner.startswith(outer.rstrip(os.sep) + os.sep)


def check_placement(directory: Path, root: Path, plan_dirs: Iterable[Path] = ()) -> None:
    """`CacheRefused` when the cache would be the project's root or above it, or would hold
    a directory of plan files (`plan_dirs`: the directories named, and those of the files):
    clearing it, or an entry planted in it, must never touch what is checked."""
    from checker.messages import message

    where = os.path.realpath(directory)
    if _within(os.path.realpath(root), where):
        raise CacheRefused(message("cache_holds_project", path=_shown(directory)))
    for plans in sorted(set(plan_dirs)):
        if _within(os.path.realpath(plans), where):
            raise CacheRefused(message("cache_holds_plans", path=_shown(directory), plan=_shown(plans)))


def _check_contents(descriptor: int, directory: Path) -> set[str]:
    """`CacheRefused` when the directory holds anything but plancheck's tag files (regular,
    with plancheck's contents), kind directories (real directories) and temporary files: a
    directory that is someone else's is never written into, whatever a configuration
    names. The names it holds."""
    from checker.messages import message

    names = set(os.listdir(descriptor))
    for name in sorted(names):
        try:
            status = os.stat(name, dir_fd=descriptor, follow_symlinks=False)
        except FileNotFoundError:
            continue  # another run's temporary file, just removed
        if name in TAGS:
            problem = _problem(status, directory / name, regular=True)
            if problem is None:
                content, _ = _read_regular(name, descriptor, 4096)
                if content != TAGS[name]:
                    problem = message("cache_foreign_file", path=_shown(directory / name))
        elif name in KINDS:
            problem = _problem(status, directory / name, regular=False)
        elif name.startswith(".tmp-"):  # another run's tag being published (never read)
            problem = _problem(status, directory / name, regular=True)
        else:
            problem = message("cache_foreign_file", path=_shown(directory / name))
        if problem is not None:
            raise CacheRefused(problem)
    return names


class Cache:
    """The entries of one directory, signed under the user's key (or this run's).

    Opening it checks the directory (`CacheRefused` when it is not plancheck's to use) and
    creates it with its tags when missing; a directory that cannot be made or opened for
    another reason (a read-only checkout) gives a cache where every entry is a miss."""

    def __init__(self, directory: Path, fingerprint: str, *, root: Path | None = None,
                 plan_dirs: Iterable[Path] = (), max_entry_bytes: int = MAX_ENTRY_BYTES) -> None:
        self.directory = directory
        self.fingerprint = fingerprint
        self.max_entry_bytes = max_entry_bytes
        self.hits = self.misses = 0
        self.notes: list[Text] = []  # what the run should tell the user (a key not trusted)
        self._descriptors: dict[str | None, int] = {}  # the directory (None) and its kind directories
        self._present: set[str] = set()
        weakref.finalize(self, _close_all, self._descriptors)
        if root is not None:
            check_placement(directory, root, plan_dirs)
        if not SUPPORTED:
            self._key = b""
            return
        self._key, untrusted = _secret()
        if untrusted is not None:
            from checker.messages import message

            self.notes.append(message("cache_key_untrusted", reason=untrusted))
        try:
            if not directory.parent.exists():
                directory.parent.mkdir(parents=True, exist_ok=True)
            self._descriptors[None] = _open_directory(directory, None, directory, create=True)
            self._present = _check_contents(self._descriptors[None], directory)
            self._tag()
        except CacheRefused:
            _close_all(self._descriptors)
            raise
        except OSError:
            _close_all(self._descriptors)  # unwritable, or gone: every entry a miss

    def _tag(self) -> None:
        for name, content in TAGS.items():
            if name not in self._present:  # the ones there were checked above
                _publish(name, self._descriptors[None], content)

    def key(self, *parts: bytes | str) -> str:
        return entry_key(self.fingerprint, parts)

    def _signature(self, kind: str, key: str, payload: bytes) -> bytes:
        # kind and key are plain names (no NUL): the signature binds the payload to its place.
        # HMAC-SHA-256: OpenSSL's SHA-256 (with the CPU's SHA instructions) is about 4 times
        # blake2s's speed, and the hook's run signs and checks several megabytes of entries
        return hmac.digest(self._key, b"%s%s\0%s\0%s" % (_SIGNED, kind.encode(), key.encode(), payload), _MAC)

    def _kind_directory(self, kind: str, create: bool) -> int:
        if kind not in self._descriptors:
            if None not in self._descriptors:
                raise FileNotFoundError(errno.ENOENT, "no cache directory")
            self._descriptors[kind] = _open_directory(kind, self._descriptors[None], self.directory / kind, create)
        return self._descriptors[kind]

    def get(self, kind: str, key: str) -> Any:
        try:
            shard = _open_directory(key[:2], self._kind_directory(kind, False), self.directory / kind / key[:2],
                                    create=False)
            try:
                blob, _ = _read_regular(key, shard, self.max_entry_bytes + _DIGEST)
            finally:
                os.close(shard)
            if blob is None:
                self.misses += 1
                return None
            signature, payload = blob[:_DIGEST], blob[_DIGEST:]
            if not hmac.compare_digest(signature, self._signature(kind, key, payload)):
                self.misses += 1
                return None
            value = pickle.loads(payload)
        except Exception:  # noqa: BLE001 - missing, truncated, foreign, not a file, or stale: a miss
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, kind: str, key: str, value: Any) -> None:
        try:
            payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            return  # a value that cannot be kept is only computed again
        self.put_pickled(kind, key, payload)

    def put_pickled(self, kind: str, key: str, payload: bytes) -> bool:
        """Keep a value already pickled (by a worker process); whether it was kept (the thin
        run reads a file's entry back in another process, and sends one that was not)."""
        import secrets

        if len(payload) > self.max_entry_bytes:
            return False  # it would never be read
        try:
            shard = _open_directory(key[:2], self._kind_directory(kind, True), self.directory / kind / key[:2],
                                    create=True)
        except (OSError, CacheRefused):
            return False  # a cache that cannot be written is only slower
        try:
            temporary = f".tmp-{secrets.token_hex(8)}"
            _write_new(temporary, shard, self._signature(kind, key, payload) + payload)
            try:
                # rename replaces a link planted at the entry's name, never what it points to
                os.replace(temporary, key, src_dir_fd=shard, dst_dir_fd=shard)
            except BaseException:
                os.unlink(temporary, dir_fd=shard)
                raise
        except OSError:
            return False
        finally:
            os.close(shard)
        return True

    def handle(self) -> CacheHandle:
        """What a worker process opens this cache with (`CacheHandle.open`): plain data, so
        it reaches a spawned worker too, where the descriptors of this one mean nothing."""
        return CacheHandle(self.directory, self.fingerprint, self._key, self.max_entry_bytes)


class CacheHandle(NamedTuple):
    """A cache directory already checked and opened by the main process, for a worker to
    open again: the same directory, fingerprint and signing key (a worker's entries must be
    the ones the main process verifies; an untrusted key is this run's alone)."""

    directory: Path
    fingerprint: str
    key: bytes
    max_entry_bytes: int

    def __repr__(self) -> str:  # never the key, should a handle be shown
        return f"CacheHandle({str(self.directory)!r})"

    def open(self) -> Cache:
        """The cache, with descriptors of this process's own; a directory that cannot be
        opened any more (removed, replaced by a link) gives a cache where every entry is a
        miss and none is kept, never one outside it."""
        cache = Cache.__new__(Cache)
        cache.directory, cache.fingerprint, cache.max_entry_bytes = self.directory, self.fingerprint, \
            self.max_entry_bytes
        cache.hits = cache.misses = 0
        cache.notes = []
        cache._descriptors, cache._present, cache._key = {}, set(), self.key
        weakref.finalize(cache, _close_all, cache._descriptors)
        if SUPPORTED:
            with contextlib.suppress(OSError, CacheRefused):
                cache._descriptors[None] = _open_directory(self.directory, None, self.directory, create=False)
        return cache


def entry_key(fingerprint: str, parts: tuple[bytes | str, ...]) -> str:
    """An entry's key: the fingerprint and each part, length-prefixed (no two part lists collide)."""
    digest = hashlib.blake2b(fingerprint.encode(), digest_size=20)
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


class MemoryCache:
    """A run's file and run entries kept in this process's memory, the least recently used
    dropped past `max_bytes`: for the language server, whose check at every pause in typing
    would otherwise leave entries on disk for every version of a document. The interface of
    `Cache`'s entries (`key`, `get`, `put`, `put_pickled`); values are kept pickled, so each
    `get` is a fresh copy, as from disk. `fingerprint` names what the entries depend on
    (the ruleset and limits: `ruleset_fingerprint`)."""

    def __init__(self, fingerprint: str, max_bytes: int = 256 * 1024 * 1024) -> None:
        from collections import OrderedDict

        self.fingerprint = code_fingerprint() + fingerprint
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._bytes = 0
        self.hits = self.misses = 0
        self.notes: list = []

    def key(self, *parts: bytes | str) -> str:
        return entry_key(self.fingerprint, parts)

    def get(self, kind: str, key: str) -> Any:
        payload = self._entries.get((kind, key))
        if payload is None:
            self.misses += 1
            return None
        self._entries.move_to_end((kind, key))
        self.hits += 1
        return pickle.loads(payload)

    def put(self, kind: str, key: str, value: Any) -> None:
        try:
            payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            return
        self.put_pickled(kind, key, payload)

    def put_pickled(self, kind: str, key: str, payload: bytes) -> bool:
        if len(payload) > self.max_bytes:
            return False
        previous = self._entries.pop((kind, key), None)
        if previous is not None:
            self._bytes -= len(previous)
        self._entries[(kind, key)] = payload
        self._bytes += len(payload)
        while self._bytes > self.max_bytes:
            _, dropped = self._entries.popitem(last=False)
            self._bytes -= len(dropped)
        return True

    def __len__(self) -> int:
        return len(self._entries)


def _close_all(descriptors: dict) -> None:
    for descriptor in descriptors.values():
        with contextlib.suppress(OSError):
            os.close(descriptor)
    descriptors.clear()


# --- the stat cache ----------------------------------------------------------------------

# a file whose modification time is this close to (or after) the time its entry
# was taken may have changed again within the file system's timestamp granularity after
# it was read (git's "racily clean" entries): it is read again, never trusted
RACY_NS = 2_000_000_000


def file_stat(path: Any) -> tuple[int, int, int, int, int] | None:
    """(size, mtime_ns, ctime_ns, inode, device) of a regular file, not through a
    symbolic link (a link is always read, so that where it leads is checked); None else."""
    try:
        status = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(status.st_mode):
        return None
    return (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev)


# --- entries written as a base and a delta (git's split index) ------------------------

def delta_fits(changed: int, total: int) -> bool:
    """Whether `changed` entries of a base of `total` are still written as a delta beside
    it (`StatStore`, `checker.crossdoc.IndexStore`): at most a tenth of them (at least 16)
    and at most 2,000; past that the base is written again, whole."""
    return changed <= min(2000, max(16, total // 10))


def new_base_id() -> str:
    """The id a base entry is written under: a delta names it, so no delta written over an
    earlier base applies to this one."""
    return os.urandom(8).hex()


class StatStore:
    """What a plan set's files were when last read, like git's index: one signed cache
    entry (kind `stat`) mapping each path to its stat (`file_stat`), the time it was taken
    (before the bytes were read) and what those bytes gave: the file's content key (so that
    a file of the context whose stat has not moved is neither read nor hashed) and whether
    discovery took it for a plan (so that discovery does not open it again:
    `checker.discovery.looks_like_plan`). Anything doubtful is a miss and the file is read:
    another stat, a stat within `RACY_NS` of the time it was taken, a tampered or foreign
    entry (the cache's HMAC), a value of the wrong shape.

    The entry is read on every run and written on most (the file a commit changed), so it
    is kept in columns: the paths, one array of every number (`_WIDTH` a path: the stat and
    the time taken), the content keys, one byte a path for the decision. Unpickling that
    costs a few objects a path, where a tuple a path cost a dozen; what a run learns is kept
    beside it (`_learned`) until it is written. As git's split index: a run that learned
    little (the pre-commit hook's, one file) writes only that, as a second entry (the delta)
    naming the base by its id, read back into `_learned`; one that learned much, or finds
    no base, writes the columns again under a new id, so that no delta before applies."""

    VERSION = 4
    _WIDTH = 6  # size, mtime_ns, ctime_ns, inode, device, taken
    _ROW = struct.Struct(f"{_WIDTH}q")  # a path's numbers, as the array holds them (native, 64-bit)
    _UNKNOWN, _NOT_A_PLAN, _A_PLAN = 0, 1, 2

    def __init__(self, cache: Any, key: str) -> None:
        from array import array

        self.cache, self.key = cache, key
        self._index: dict[str, int] = {}
        self._numbers = array("q")
        self._keys: list[Any] = []
        self._plans = b""
        # path -> (stat, taken, content key or None, plan or None), over the entry read; None: gone
        self._learned: dict[str, tuple[Any, int, str | None, bool | None] | None] = {}
        # path -> (stat, the trusted entry or None): discovery asks of a file's stat, then the
        # read asks of the same stat again; the entry is unpacked and judged once
        self._judged: dict[str, tuple[Any, tuple[Any, int, str | None, bool | None] | None]] = {}
        self.changed = False
        self._delta_key = cache.key("stat delta", key)
        self._base_id: str | None = None
        got = cache.get("stat", key)
        try:
            if isinstance(got, dict) and got.get("version") == self.VERSION and isinstance(got.get("id"), str):
                paths, numbers, keys, plans = got["paths"], got["numbers"], got["keys"], got["plans"]
                if isinstance(paths, list) and isinstance(numbers, array) and numbers.typecode == "q" \
                        and isinstance(keys, list) and isinstance(plans, bytes) \
                        and len(numbers) == self._WIDTH * len(paths) == self._WIDTH * len(keys) == self._WIDTH * len(plans):
                    self._index = {path: position for position, path in enumerate(paths) if isinstance(path, str)}
                    self._numbers, self._keys, self._plans = numbers, keys, plans
                    self._base_id = got["id"]
        except (KeyError, TypeError):
            self._index = {}  # not of this shape: nothing known
        if self._base_id is not None:
            self._learned = self._delta_of(cache.get("stat", self._delta_key))

    @staticmethod
    def _signed(status: tuple[int, ...]) -> tuple[int, ...] | None:
        """The stat as the array holds it (64-bit signed: an inode or device number above
        2**63 wraps), or None for a number no 64 bits hold."""
        if max(status) < 1 << 63 and min(status) >= -(1 << 63):
            return status  # every stat but the rare one: asked for each file of the plan set
        packed = tuple(value - (1 << 64) if value >= 1 << 63 else value for value in status)
        return packed if all(-(1 << 63) <= value < 1 << 63 for value in packed) else None

    def _delta_of(self, delta: Any) -> dict:
        """The entries of a delta written over this base (`save`), each of the shape
        `_entry` gives; nothing when it is another base's or of another shape."""
        if not (isinstance(delta, dict) and delta.get("version") == self.VERSION and delta.get("base") == self._base_id
                and isinstance(delta.get("entries"), dict)):
            return {}
        entries = delta["entries"]
        for path, entry in entries.items():
            if not isinstance(path, str) or not (entry is None or (
                    type(entry) is tuple and len(entry) == 4 and type(entry[0]) is tuple and len(entry[0]) == 5
                    and all(type(number) is int for number in entry[0]) and type(entry[1]) is int
                    and (entry[2] is None or type(entry[2]) is str) and entry[3] in (None, True, False))):
                return {}
        return dict(entries)

    def _entry(self, path: str) -> tuple[Any, int, str | None, bool | None] | None:
        """(stat as signed numbers, taken, content key, plan) for `path`, or None."""
        if path in self._learned:
            return self._learned[path]
        position = self._index.get(path)
        if position is None:
            return None
        numbers = self._ROW.unpack_from(self._numbers, position * self._ROW.size)  # one call: asked of every file of the plan set
        key = self._keys[position]
        plan = self._plans[position]
        return (numbers[:-1], numbers[-1], key if isinstance(key, str) else None,
                None if plan == self._UNKNOWN else plan == self._A_PLAN)

    def _trusted(self, path: str, status: tuple[int, int, int, int, int] | None):
        """The entry for `path` when it was taken with `status`, safely after the file's mtime."""
        if status is None:
            return None
        judged = self._judged.get(path)
        if judged is not None and judged[0] == status:
            return judged[1]
        entry = self._entry(path)
        # a stat as the array holds it is the stat itself but for the rare number of 64 bits
        if entry is None or (entry[0] != status and entry[0] != self._signed(status)) \
                or status[1] >= entry[1] - RACY_NS:
            entry = None  # unknown, another stat, or racy: it may have changed within the timestamp's granularity
        self._judged[path] = (status, entry)
        return entry

    def content_key(self, path: str, status: tuple[int, int, int, int, int] | None) -> str | None:
        """The content key kept for `path` when its stat is `status` and safely older than
        the time it was taken, or None (read the file)."""
        entry = self._trusted(path, status)
        return entry[2] if entry is not None else None

    def is_plan(self, path: str, status: tuple[int, int, int, int, int] | None) -> bool | None:
        """Whether discovery took `path` for a plan when its stat was `status` (safely older
        than the time it was taken), or None (decide from its bytes)."""
        entry = self._trusted(path, status)
        return entry[3] if entry is not None else None

    def learn(self, path: str, status: tuple[int, int, int, int, int] | None, taken: int, file_key: str | None) -> None:
        """Keep what a read found (`status` taken before the read, at `taken`)."""
        self._learn(path, status, taken, 2, file_key)

    def learn_plan(self, path: str, status: tuple[int, int, int, int, int] | None, taken: int, plan: bool) -> None:
        """Keep discovery's decision (`status` taken before the file was opened, at `taken`,
        and the same after; None when it was not)."""
        self._learn(path, status, taken, 3, plan)

    def _learn(self, path: str, status, taken: int, field: int, value: Any) -> None:
        old = self._entry(path)
        signed = self._signed(status) if status is not None else None
        if signed is None or value is None:
            if old is None or old[field] is None:
                return
            new = list(old)
            new[field] = None
        elif old is not None and old[0] == signed and status[1] < old[1] - RACY_NS:
            # the same stat, trusted when it was taken: what else it holds still stands, and
            # the earlier time is safe for both (each was read after it)
            new = list(old)
            new[field] = value
        else:
            new = [signed, taken, None, None]
            new[field] = value
        entry = None if new[2] is None and new[3] is None else (new[0], new[1], new[2], new[3])
        self._judged.pop(path, None)  # what is learned is judged anew
        if entry != old:
            self._learned[path] = entry
            self.changed = True

    def save(self, current: Iterable[str], decided: Iterable[str] = (), within: Iterable[str] | None = None) -> None:
        """Write the entry when it changed, without what is gone: the content keys of the
        paths not in `current` (the run's files), the decisions on those not in `decided`
        (the files discovery met). `within` (absolute directories; None: everywhere): only
        a path under one of them can be gone, since a discovery that searched only some of
        the plan set knows nothing of the rest. The columns read are patched, not rebuilt."""
        from array import array

        heads = None if within is None else tuple(directory.rstrip(os.sep) + os.sep for directory in within)
        keep, met = set(current), set(decided)
        if self._base_id is not None and self._save_delta(keep, met, heads):
            return
        paths, keys = list(self._index), list(self._keys)
        positions = list(self._index.values())
        numbers = self._numbers if positions == list(range(len(self._keys))) else None
        if numbers is None:  # a path of the wrong type was left out on reading: the columns realigned
            numbers = array("q")
            for position in positions:
                numbers.extend(self._numbers[position * self._WIDTH:(position + 1) * self._WIDTH])
            keys = [self._keys[position] for position in positions]
            plans = bytearray(self._plans[position] for position in positions)
        else:
            numbers, plans = array("q", numbers), bytearray(self._plans)
        at = {path: position for position, path in enumerate(paths)}
        for path, entry in self._learned.items():
            if path not in at:
                if entry is None:
                    continue
                at[path] = len(paths)
                paths.append(path)
                keys.append(None)
                plans.append(self._UNKNOWN)
                numbers.extend((0,) * self._WIDTH)
            position = at[path]
            if entry is None:
                keys[position], plans[position] = None, self._UNKNOWN
                continue
            status, taken, key, plan = entry
            numbers[position * self._WIDTH:(position + 1) * self._WIDTH] = array("q", (*status, taken))
            keys[position] = key
            plans[position] = self._UNKNOWN if plan is None else self._A_PLAN if plan else self._NOT_A_PLAN
        gone = False
        for position, path in enumerate(paths):
            if heads is None or path.startswith(heads):
                if keys[position] is not None and path not in keep:
                    keys[position] = None
                    self.changed = True
                if plans[position] != self._UNKNOWN and path not in met:
                    plans[position] = self._UNKNOWN
                    self.changed = True
            gone = gone or (keys[position] is None and plans[position] == self._UNKNOWN)
        if not self.changed:
            return
        if gone:  # a path that holds nothing any more is left out
            kept = [position for position in range(len(paths))
                    if keys[position] is not None or plans[position] != self._UNKNOWN]
            columns = array("q")
            for position in kept:
                columns.extend(numbers[position * self._WIDTH:(position + 1) * self._WIDTH])
            paths, keys, numbers = [paths[i] for i in kept], [keys[i] for i in kept], columns
            plans = bytearray(plans[i] for i in kept)
        self._base_id = new_base_id()
        self.cache.put("stat", self.key, {"version": self.VERSION, "id": self._base_id, "paths": paths,
                                          "numbers": numbers, "keys": keys, "plans": bytes(plans)})
        self.changed = False

    def _save_delta(self, keep: set[str], met: set[str], heads: tuple[str, ...] | None) -> bool:
        """Write what differs from the base as the delta (git's split index), when that is
        little: what was learned, and what the base or the delta read before holds of paths
        now gone (a content key of a path not in `keep`, a decision on one not in `met`,
        under `heads`). False when the base is to be written again instead."""
        for path in [*self._index, *self._learned]:
            current, decided = path in keep, path in met
            if (current and decided) or (heads is not None and not path.startswith(heads)):
                continue
            if path in self._learned:
                learned = self._learned[path]
                has_key, has_plan = learned is not None and learned[2] is not None, \
                    learned is not None and learned[3] is not None
            else:  # from the columns, without unpacking the row: most of these hold nothing to drop
                position = self._index[path]
                has_key, has_plan = isinstance(self._keys[position], str), self._plans[position] != self._UNKNOWN
            if not ((has_key and not current) or (has_plan and not decided)):
                continue
            entry = self._entry(path)
            if entry is None:
                continue
            key, plan = entry[2] if current else None, entry[3] if decided else None
            self._learned[path] = None if key is None and plan is None else (entry[0], entry[1], key, plan)
            self.changed = True
        if not self.changed:
            return True
        if not delta_fits(len(self._learned), len(self._index)):
            return False
        self.cache.put("stat", self._delta_key, {"version": self.VERSION, "base": self._base_id,
                                                 "entries": self._learned})
        self.changed = False
        return True
