"""A mutation fuzzer over the whole pipeline, as users run it: bytes written to a plan file
in a project, checked through `checker.run` (the path the command line takes: settings,
discovery, the plan set as context, the cache, the engine, per-file ignores, `--diff`),
then rendered by every reporter.

Seeds are the real plans in plans/ and the broken-input fixtures in tests/data/broken/.
Each input is a seed mutated a few times (bytes flipped, inserted, deleted, duplicated,
spliced from another seed, or YAML and plan tokens dropped in: anchors, tags, tabs, NULs,
BOMs, △, 令和0年度, huge numbers, ...). Every tenth input is checked inside the real plan
set (so the cross-document rules and the file cache run too), some others with `--diff`
(so the fixes are planned on it). Every input is also loaded on both parse paths, which
must agree (`both_paths`: the fast path of checker/fastload.py and the ruamel path). An
input fails if anything raises, or if it takes longer than the hang bound. Failing inputs are written to fuzz/crashes/ with the error.

    python fuzz/fuzz.py --count 100000 --jobs 2        # the documented run
    python fuzz/fuzz.py --count 300                     # the smoke tests/test_fuzz.py runs

Exit 0 when no input failed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sys
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKENS = [
    b": ", b"- ", b"[", b"]", b"{", b"}", b",", b"&a ", b"*a", b"&b [*a, *a, *a, *a] ", b"<<: *a\n", b"? ",
    b"!!python/object/apply:os.system ", b"!include ", b"!!str ", b"!!int ", b"!!binary ", b"\t", b"\x00", b"'",
    b'"', b"#", b"\n", b"\r\n", b"\r", b"---\n", b"...\n", b"%YAML 1.1\n", b"|\n", b">-\n", b"\xef\xbb\xbf",
    b"\xff\xfe", b"\xe2\x96\xb3", "△1,234".encode(), "令和0年度".encode(), "令和99年度".encode(), "平成31年度".encode(),
    "令和元(2020)年度".encode(), b"9" * 60, b"1e400", b"-1e400", b".inf", b"-.inf", b".nan", b"-", b"0x1F", b"0o17",
    b"030309", b"%", "‰".encode(), "千円".encode(), "百万円".encode(), "以上".encode(), "以下".encode(),
    "前年度比減".encode(), "（再掲）".encode(), "[※]".encode(), "(※)".encode(), "—".encode(), b"null", b"~",
    b"true", b"2022-01-01", b"R4", b"2022", "施策評価".encode("cp932"), b"\xc3", b"\x80", b"\xed\xa0\x80",
]
# The number forms that read wrong without a word (issue 16) and the value forms of issue 13,
# dropped in where a value is, plain and quoted; and cells built to make a pattern backtrack.
NUMBER_FORMS = [
    "∞", "Infinity", "-Infinity", "NaN", "NaN%", ".inf", ".nan", "(1,000)", "（1,000）", "(−1,000)", "−1,000",
    "ー1000", "ｰ1,000", "―1000", "①", "⑩", "1²", "①2", "0x10", "0o17", "0b11", "1_000", "+1e3", "1e400", "5e-3",
    "54-60", "54/100", "2024-04-01", "R6.4.1", "78,3%", "0,5", "2,52O", "l23", "約12,300", "12,300人程度",
    "(10,000", "1.2.3", "1,234（速報値）", "1,234見込", "58 [※]", "24.2(※)", "(※4)", "無し", "未集計", "…", "x",
    "5未満", "4以上", "99.99999999999999", "９９．９９９９９９９９９９９９９９", "△ 1,234", "1,200m²", "8,345 千円",
    "1," * 600, "(" * 2000 + "1", "※" * 1200 + "x", " " * 1200 + "a", "1 " * 500 + "%", "1e" * 600 + "x",
]
FIELDS = [b"total", b"cost", b"targets", b"actuals", b"rates", b"baseline", b"unit", b"period", b"as_of",
          b"key", b"restates", b"component_of", b"cumulative", b"relations", b"rows", b"columns", b"items",
          b"outlook_counts", b"outlook", b"restated", b"series_breaks", b"rounding", b"target_years"]


def seeds() -> list[bytes]:
    paths = sorted((ROOT / "plans").rglob("*.yaml")) + sorted((ROOT / "tests" / "data" / "broken").glob("*.yaml"))
    return [path.read_bytes() for path in paths]


def mutate(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    buffer = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 3, 5, 8))):
        where = rng.randrange(len(buffer) + 1)
        choice = rng.randrange(10)
        if choice == 0 and buffer:  # flip a byte
            buffer[min(where, len(buffer) - 1)] = rng.randrange(256)
        elif choice == 1:  # a token
            buffer[where:where] = rng.choice(TOKENS)
        elif choice == 2:  # a field name, as a key
            buffer[where:where] = rng.choice(FIELDS) + b": "
        elif choice == 3 and buffer:  # delete a range
            del buffer[where:where + rng.randrange(1, 64)]
        elif choice == 4 and buffer:  # duplicate a range (duplicate keys, repeated rows)
            start = rng.randrange(len(buffer))
            buffer[where:where] = buffer[start:start + rng.randrange(1, 200)]
        elif choice == 5:  # splice from another seed
            other = rng.choice(pool)
            start = rng.randrange(len(other) + 1)
            buffer[where:where] = other[start:start + rng.randrange(1, 400)]
        elif choice == 6 and buffer:  # replace a digit run with another number
            digits = [i for i in range(len(buffer)) if 48 <= buffer[i] <= 57]
            if digits:
                at = rng.choice(digits)
                buffer[at:at + 1] = str(rng.choice((0, -1, 10**30, 7, 123456789))).encode()
        elif choice == 8:  # a number form where a value is (after a key's `: `), plain or quoted
            colons = [i + 2 for i in range(len(buffer) - 1) if buffer[i:i + 2] == b": "]
            if colons:
                at = rng.choice(colons)
                end = at
                while end < len(buffer) and buffer[end] not in b",}\n":
                    end += 1
                form = rng.choice(NUMBER_FORMS)
                text = form if rng.random() < 0.5 else '"' + form.replace('"', '\\"') + '"'
                buffer[at:end] = text.encode()
        elif choice == 7:  # indentation damage
            line_start = buffer.rfind(b"\n", 0, where) + 1
            buffer[line_start:line_start] = b" " * rng.randrange(1, 5)
        else:  # truncate
            del buffer[where:]
    return bytes(buffer)


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang("no result within the hang bound")


class Project:
    """A project as a user has one, in a temporary directory: a plancheck.toml naming the
    plan set, and the real plans under plans/. An input is written as a plan file beside
    the plan set (checked alone) or inside it (checked with the plan set as context)."""

    def __init__(self, directory: Path) -> None:
        from checker.run import RunOptions, prepare

        self.directory = directory
        shutil.copytree(ROOT / "plans", directory / "plans")
        (directory / "plancheck.toml").write_text('plans = ["plans"]\n', encoding="utf-8")
        self.prepared = prepare(RunOptions(config_path=str(directory / "plancheck.toml"), no_cache=True))
        # the plan set's files are parsed once, into the cache; each input's own entries
        # are removed after it, so a long run leaves the cache as it found it
        self.cache = directory / "cache"
        self.prepared.settings.cache_dir = self.cache
        self.check(b"", with_context=True)
        self._kept = set(self.cache.rglob("*"))

    def check(self, data: bytes, with_context: bool = False, diff: bool = False, kind: str = "file"):
        """The run on `data`, written as a plan file (or, by `kind`, a plan path that is a
        FIFO, a link to /dev/zero or a directory: what a hostile repository can hold): a
        `checker.run.RunResult`."""
        from checker.run import execute

        path = self.directory / ("plans" if with_context else "") / "fuzz.yaml"
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "device":
            path.symlink_to("/dev/zero")
        elif kind == "directory":
            path.mkdir()
        else:
            path.write_bytes(data)
        options = self.prepared.options._replace(paths=(str(path),), no_cache=not with_context, diff=diff)
        try:
            return execute(self.prepared._replace(options=options))
        finally:
            path.rmdir() if kind == "directory" else path.unlink()
            if with_context and hasattr(self, "_kept"):
                for entry in sorted(set(self.cache.rglob("*")) - self._kept, reverse=True):
                    entry.rmdir() if entry.is_dir() else entry.unlink()


# Every so many inputs the plan path is another kind of file, which must be a diagnostic
# at the path, never a read that hangs or a crash.
FILE_KINDS = ("fifo", "device", "directory")


def check_one(project: Project, data: bytes, with_context: bool = False, render_all: bool = False,
              diff: bool = False, kind: str = "file") -> None:
    """One input through the run and the reporters, as the command line takes it."""
    from checker.report import REGISTRY, ReportContext, ReportRefused, render, render_binary

    result = project.check(data, with_context, diff, kind)
    if kind == "directory":  # a directory is searched, and this one holds no plan
        assert not result.checked, result.checked
        return
    assert result.checked and not result.missing, result.notes
    if kind != "file":
        assert [d.code for d in result.diagnostics if d.file.endswith("fuzz.yaml")] == ["LOAD015"], kind
    for diagnostic in result.diagnostics:
        assert diagnostic.message.get("ja") and diagnostic.message.get("en"), diagnostic.code
        assert diagnostic.span.line >= 1 and diagnostic.span.column >= 1, diagnostic
    for note in result.notes:
        assert note.ja and note.en, note
    report = ReportContext(lang="ja", sources=result.sources, checked=result.checked)
    for name in REGISTRY if render_all else ("concise", "json"):
        if not REGISTRY[name].binary:
            render(name, result.diagnostics, report, result.ruleset)
            continue
        refusal = None
        try:  # the annotated workbook: a fuzzed plan was never imported, so a refusal is the answer
            render_binary(name, result.diagnostics, report)
        except ReportRefused as refused:
            refusal = refused.text
        assert refusal is not None and refusal.ja and refusal.en, name


def _canonical(value: Any) -> Any:
    """Plain data with each value's type and written form: `Decimal("1.50")` is not
    `Decimal("1.5")`, nor `1` the string `"1"`, and a mapping's order counts."""
    if isinstance(value, dict):
        return ("map", tuple((_canonical(key), _canonical(item)) for key, item in value.items()))
    if isinstance(value, list):
        return ("seq", tuple(_canonical(item) for item in value))
    return type(value).__name__, repr(value)


def _one_path(data: bytes, fast: bool, limits: Any, engine: Any, name: str) -> dict[str, Any]:
    from checker import loader

    kept, loader.FAST_PATH = loader.FAST_PATH, fast
    try:
        stub = loader.LoadedFile(path=Path(name), name=name)
        loaded = loader.load_bytes(stub, data, limits)
        diagnostics = engine.file_diagnostics(loaded)
    finally:
        loader.FAST_PATH = kept
    model = loaded.model.model_dump() if loaded.model is not None else None
    return {
        "data": _canonical(loaded.data),
        "findings": [(f.kind, f.location, f.args, f.fix) for f in loaded.findings],
        "model": _canonical(model),
        "kept items": loaded.kept_items,
        "diagnostics": [(d.code, d.file, d.span, d.args, d.message, d.related, d.fix, d.path) for d in diagnostics],
        "spans": dict(loaded.spans),
        "key spans": dict(loaded.key_spans),
        "relations": loaded.relations,
    }


_ENGINE: Any = None


def both_paths(data: bytes, limits: Any = None, name: str = "fuzz.yaml") -> bool:
    """Load `data` on the fast path and on the ruamel path and assert that they give the
    same data, findings (codes, spans, args, fixes), model, diagnostics of the file's own
    rules, spans and limit decisions; True when the fast path built the file itself (it
    did not give it to the ruamel path)."""
    from checker import fastload, loader
    from checker.engine import Engine
    from checker.rules import load_ruleset

    global _ENGINE
    if _ENGINE is None:
        _ENGINE = Engine(load_ruleset("recommended"))
    limits = limits or loader.DEFAULT_LIMITS
    ruamel = _one_path(data, False, limits, _ENGINE, name)
    fast = _one_path(data, True, limits, _ENGINE, name)
    for part, expected in ruamel.items():
        assert fast[part] == expected, f"the fast path's {part} differ: {fast[part]!r} != {expected!r}"
    stub = loader.LoadedFile(path=Path(name), name=name)
    text = loader.decode(stub, data)
    if text is None:
        return False
    return fastload.available() and loader._fast_index(text, limits, loader.Budget(limits)) is not None


def run_batch(job: int, count: int, seed: int, hang_seconds: float, crash_dir: str) -> dict:
    pool = seeds()
    rng = random.Random(seed * 1000 + job)
    signal.signal(signal.SIGALRM, _alarm)
    failures, slowest = [], 0.0
    with tempfile.TemporaryDirectory(prefix="plancheck-fuzz-") as directory:
        project = Project(Path(directory))
        for number in range(count):
            data = mutate(rng, rng.choice(pool), pool)
            with_context = number % 10 == 0
            started = time.perf_counter()
            signal.setitimer(signal.ITIMER_REAL, hang_seconds)
            try:
                kind = FILE_KINDS[number // 50 % len(FILE_KINDS)] if number % 50 == 25 else "file"
                check_one(project, data, with_context, render_all=with_context or number % 7 == 0,
                          diff=number % 10 == 5, kind=kind)
                both_paths(data)  # the fast parse path decides as the ruamel path does
            except BaseException as error:
                if isinstance(error, KeyboardInterrupt):
                    raise
                name = f"job{job}-{number}"
                Path(crash_dir).mkdir(parents=True, exist_ok=True)
                Path(crash_dir, f"{name}.yaml").write_bytes(data)
                Path(crash_dir, f"{name}.txt").write_text(traceback.format_exc(), encoding="utf-8")
                failures.append(f"{name}: {type(error).__name__}: {error}")
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            slowest = max(slowest, time.perf_counter() - started)
    return {"count": count, "failures": failures, "slowest": slowest}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000, help="inputs in all (default 100,000)")
    parser.add_argument("--jobs", type=int, default=1, help="processes (the machine has 2 cores)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hang-seconds", type=float, default=10.0, help="an input slower than this is a hang")
    parser.add_argument("--crashes", default=str(ROOT / "fuzz" / "crashes"), help="where failing inputs go")
    args = parser.parse_args(argv)
    started = time.monotonic()
    shares = [args.count // args.jobs + (1 if job < args.count % args.jobs else 0) for job in range(args.jobs)]
    if args.jobs == 1:
        results = [run_batch(0, shares[0], args.seed, args.hang_seconds, args.crashes)]
    else:
        with ProcessPoolExecutor(args.jobs) as pool:
            futures = [pool.submit(run_batch, job, share, args.seed, args.hang_seconds, args.crashes)
                       for job, share in enumerate(shares)]
            results = [future.result() for future in futures]
    elapsed = time.monotonic() - started
    total = sum(result["count"] for result in results)
    failures = [failure for result in results for failure in result["failures"]]
    slowest = max(result["slowest"] for result in results)
    print(f"fuzz: {total:,} inputs in {elapsed:.1f} s ({total / elapsed:,.0f}/s, {args.jobs} job(s), seed {args.seed}); "
          f"slowest input {slowest * 1000:.0f} ms; failures: {len(failures)}")
    for failure in failures[:20]:
        print("  " + failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
