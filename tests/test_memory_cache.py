"""The language server's in-memory cache: the entries of `Cache`, in memory, bounded."""

from __future__ import annotations

from checker.cache import MemoryCache


def test_entries_are_fresh_copies_and_keys_depend_on_the_fingerprint():
    cache = MemoryCache("ruleset-a")
    key = cache.key("file", "plans/a.yaml", b"bytes")
    assert key != MemoryCache("ruleset-b").key("file", "plans/a.yaml", b"bytes")
    assert key == MemoryCache("ruleset-a").key("file", "plans/a.yaml", b"bytes")
    value = {"findings": [1, 2]}
    cache.put("file", key, value)
    got = cache.get("file", key)
    assert got == value and got is not value
    got["findings"].append(3)
    assert cache.get("file", key) == {"findings": [1, 2]}
    assert cache.get("run", key) is None and (cache.hits, cache.misses) == (2, 1)


def test_the_least_recently_used_entries_go_past_the_bound():
    cache = MemoryCache("f", max_bytes=1000)
    for index in range(3):
        cache.put("file", str(index), b"x" * 400)
    assert len(cache) == 2 and cache.get("file", "0") is None  # three pickles of over 400 bytes: the oldest went
    assert cache.get("file", "1") is not None  # used: now the most recent
    cache.put("file", "3", b"y" * 400)
    assert cache.get("file", "2") is None and cache.get("file", "1") is not None
    cache.put("file", "big", b"z" * 1001)  # larger than the bound: never kept
    assert cache.get("file", "big") is None and len(cache) == 2
