"""A mutation fuzzer over the whole pipeline: bytes -> loader -> engine -> every reporter.

Seeds are the real plans in plans/ and the broken-input fixtures in tests/data/broken/.
Each input is a seed mutated a few times (bytes flipped, inserted, deleted, duplicated,
spliced from another seed, or YAML and plan tokens dropped in: anchors, tags, tabs, NULs,
BOMs, △, 令和0年度, huge numbers, ...). An input fails if anything raises, or if it takes
longer than the hang bound. Failing inputs are written to fuzz/crashes/ with the error.

    python fuzz/fuzz.py --count 100000 --jobs 2        # the documented run
    python fuzz/fuzz.py --count 300                     # the smoke tests/test_fuzz.py runs

Exit 0 when no input failed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import io
import random
import signal
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

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
        choice = rng.randrange(9)
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


def check_one(data: bytes, context: list, ruleset, render_all: bool) -> None:
    """The whole pipeline on one input, as the CLI runs it."""
    from checker.engine import Engine
    from checker.loader import LoadedFile, decode, load_text
    from checker.report import ReportContext
    from checker.report.ci import render_github, render_junit
    from checker.report.sarif import render_sarif
    from checker.report.text import render_concise, render_full, render_json

    loaded = LoadedFile(path=Path("fuzz.yaml"), name="fuzz.yaml")
    text = decode(loaded, data)
    if text is not None:
        load_text(loaded, text)
    files = [loaded, *context]
    diagnostics = Engine(ruleset).run(files)
    for diagnostic in diagnostics:
        assert diagnostic.message.get("ja") and diagnostic.message.get("en"), diagnostic.code
        assert diagnostic.span.line >= 1 and diagnostic.span.column >= 1, diagnostic
    report = ReportContext(lang="ja", sources={f.name: f.lines for f in files}, checked=[f.name for f in files])
    render_concise(diagnostics, report)
    render_json(diagnostics, report)
    if render_all:
        render_full(diagnostics, report, stream=io.StringIO())
        render_sarif(diagnostics, report, ruleset.enabled())
        render_github(diagnostics, report)
        render_junit(diagnostics, report)


def run_batch(job: int, count: int, seed: int, hang_seconds: float, crash_dir: str) -> dict:
    from checker.loader import load_file
    from checker.rules import load_ruleset

    ruleset = load_ruleset("recommended")
    pool = seeds()
    rng = random.Random(seed * 1000 + job)
    # every tenth input is checked with the real plan set, so cross-document rules run too
    plan_set = [load_file(path, str(path.relative_to(ROOT))) for path in sorted((ROOT / "plans").rglob("*.yaml"))]
    signal.signal(signal.SIGALRM, _alarm)
    failures, slowest = [], 0.0
    for number in range(count):
        data = mutate(rng, rng.choice(pool), pool)
        with_context = number % 10 == 0
        started = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, hang_seconds)
        try:
            check_one(data, plan_set if with_context else [], ruleset, render_all=with_context or number % 7 == 0)
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
