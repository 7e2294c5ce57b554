"""The cache: what a run computed, kept so that the next run over unchanged files is cheap.

Two kinds of entry, both keyed by content, never by modification time:

- a loaded file (its data, spans, model and findings), keyed by its bytes, its name and the
  fingerprint (plancheck's code, the ruleset, the limits): a changed file is loaded again,
  the others come from here;
- a whole run's diagnostics, keyed by the fingerprint, every loaded file's name and bytes
  (context files too) and which files are reported: if any file of the plan set changed,
  the key changes, so a cross-document finding is never stale.

Entries are pickles signed with HMAC under a key kept outside the repository (in the
user's cache directory), so an entry planted in a repository is ignored, not unpickled.
They are written to a temporary file and renamed into place, so two runs sharing the cache
(pre-commit and an editor) never see half an entry; an entry that cannot be read or
verified is a miss. The directory holds a `.gitignore` and a `CACHEDIR.TAG`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
import sys
from functools import cache
from pathlib import Path
from typing import Any

CACHE_DIR_NAME = ".plancheck_cache"
_DIGEST = 32


@cache
def _secret() -> bytes:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "plancheck"
    path = base / "cache-key"
    try:
        key = path.read_bytes()
        if len(key) == 32:
            return key
    except OSError:
        pass
    import secrets
    import tempfile

    key = secrets.token_bytes(32)
    try:
        base.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=base)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
        return path.read_bytes()  # whichever run's key won the race
    except OSError:
        return key  # no writable home: this run's entries verify only within it


@cache
def code_fingerprint() -> str:
    """plancheck's own code: its sources' sizes and modification times (cheap, and any
    edit or upgrade changes it)."""
    package = Path(__file__).resolve().parent
    digest = hashlib.blake2b(digest_size=16)
    digest.update(sys.version.encode())
    for source in sorted(package.rglob("*.py")):
        status = source.stat()
        digest.update(f"{source.relative_to(package)}:{status.st_size}:{status.st_mtime_ns};".encode())
    return digest.hexdigest()


def parse_fingerprint() -> str:
    """What parsing a ruleset file depends on besides its bytes."""
    from ruamel.yaml import __version__ as ruamel_version

    return f"ruleset files {code_fingerprint()} ruamel.yaml {ruamel_version}"


def ruleset_fingerprint(ruleset: Any, limits: Any) -> str:
    rules = [[rule.code, rule.severity.label if rule.severity else None, rule.function, rule.kind, rule.given,
              rule.options, rule.message, rule.help, rule.fixable] for rule in ruleset.rules.values()]
    text = json.dumps([sorted(rules, key=lambda row: row[0]), repr(limits)], sort_keys=True, default=str,
                      ensure_ascii=False)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


class Cache:
    def __init__(self, directory: Path, fingerprint: str) -> None:
        self.directory = directory
        self.fingerprint = fingerprint
        self._key = _secret()
        self.hits = self.misses = 0
        self._made: set[Path] = set()

    def key(self, *parts: bytes | str) -> str:
        digest = hashlib.blake2b(self.fingerprint.encode(), digest_size=20)
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "little"))
            digest.update(data)
        return digest.hexdigest()

    def _path(self, kind: str, key: str) -> Path:
        return self.directory / kind / key[:2] / key

    def get(self, kind: str, key: str) -> Any:
        try:
            blob = self._path(kind, key).read_bytes()
            signature, payload = blob[:_DIGEST], blob[_DIGEST:]
            if not hmac.compare_digest(signature, hmac.new(self._key, payload, "blake2s").digest()):
                self.misses += 1
                return None
            value = pickle.loads(payload)
        except Exception:  # noqa: BLE001 - missing, truncated, foreign or stale: a miss
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

    def put_pickled(self, kind: str, key: str, payload: bytes) -> None:
        """Keep a value already pickled (by a worker process)."""
        import tempfile  # here: a run that only reads the cache never needs it

        try:
            path = self._path(kind, key)
            if path.parent not in self._made:  # once per directory and run: 2,000 entries are written cold
                path.parent.mkdir(parents=True, exist_ok=True)
                self._mark_directory()
                self._made.add(path.parent)
            descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(descriptor, "wb") as handle:
                    handle.write(hmac.new(self._key, payload, "blake2s").digest() + payload)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError:
            pass  # a cache that cannot be written is only slower

    def _mark_directory(self) -> None:
        ignore = self.directory / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# created by plancheck\n*\n", encoding="utf-8")
            (self.directory / "CACHEDIR.TAG").write_text(
                "Signature: 8a477f597d28d172789f06886806bc55\n# plancheck's cache: https://bford.info/cachedir/\n",
                encoding="utf-8")
