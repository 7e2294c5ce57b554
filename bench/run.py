"""The speed benchmark: plancheck against the YAML parsing floor and its peers, on
synthetic corpora modelled on plans/ (bench/corpus.py), every figure from one run.

    make bench                      # sets everything up, runs this, writes bench/results.json
    python bench/run.py --sizes 100,500 --repeat 3      # a quicker look

For each corpus size it times whole processes (wall clock, median of --repeat runs) and
reads their peak memory and CPU time from /usr/bin/time:

- floor: ruamel.yaml's C composer over every file (bench/floor.py), the least a checker
  that needs positions must do;
- plancheck cold (no cache) and warm (nothing changed since the last run);
- yamllint with its default configuration, and check-jsonschema with plancheck's own JSON
  Schema, on the same files;
- the renderers' cost per finding, full against concise, on a generated plan with 4,000
  findings (bench/render.py; `--render-only` runs only that);
- on the smallest corpus, plancheck on one file outside the plan set (the editor case;
  in the concise and the default full format) and on one file inside a warm plan set (the
  pre-commit case), the file edited before every run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> dict:
    """One run: wall seconds, CPU seconds (user + system) and peak memory (MB)."""
    report = Path(tempfile.mktemp(prefix="bench-time-"))
    started = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-o", str(report), "-f", "%U %S %M", *command], cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **(env or {})})
    wall = time.perf_counter() - started
    user, system, peak_kb = report.read_text().split()[-3:]
    report.unlink()
    return {"wall": wall, "cpu": float(user) + float(system), "peak_mb": int(peak_kb) / 1024,
            "exit": result.returncode, "stderr": result.stderr.decode(errors="replace")[-500:]}


def median_of(runs: list[dict]) -> dict:
    return {"wall": statistics.median(r["wall"] for r in runs), "cpu": statistics.median(r["cpu"] for r in runs),
            "peak_mb": max(r["peak_mb"] for r in runs), "exits": sorted({r["exit"] for r in runs})}


def measure(name: str, command: list[str], cwd: Path, repeat: int, before=None, env=None) -> dict:
    runs = []
    for _ in range(repeat):
        if before:
            before()
        runs.append(timed(command, cwd, env))
    result = median_of(runs)
    if any(exit_code not in (0, 1) for exit_code in result["exits"]):
        print(f"  {name}: exit {result['exits']}: {runs[-1]['stderr']}", file=sys.stderr)
    return result


def edit(path: Path) -> None:
    """A one-line edit: a comment appended (every file of the corpus ends with a newline)."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.split("# edited ")[0] + f"# edited {time.perf_counter_ns()}\n", encoding="utf-8")


def corpus(base: Path, files: int) -> Path:
    from bench.corpus import generate

    home = base / f"corpus-{files}"
    generate(home / "plans", files=files, seed=0)
    return home


def run(sizes: list[int], repeat: int, out: Path | None) -> dict:
    import compileall

    # pip compiles an installed package's bytecode; an editable install on a machine with
    # PYTHONDONTWRITEBYTECODE set would otherwise time the compiler on every run
    compileall.compile_dir(str(ROOT / "checker"), quiet=1)
    plancheck = [str(BIN / "plancheck"), "--format", "concise", "--exit-zero"]
    base = Path(tempfile.mkdtemp(prefix="plancheck-bench-"))
    schema = base / "plan.schema.json"
    schema.write_text(subprocess.run([str(BIN / "plancheck"), "schema"], capture_output=True, text=True,
                                     check=True).stdout, encoding="utf-8")
    results: dict = {"date": date.today().isoformat(), "machine": f"{os.cpu_count()} cores, "
                     f"{platform.machine()}, Python {platform.python_version()}", "sizes": {}}
    try:
        for files in sizes:
            home = corpus(base, files)
            paths = sorted(str(p.relative_to(home)) for p in (home / "plans").rglob("*.yaml"))
            cache = home / ".plancheck_cache"
            def clear(cache: Path = cache) -> None:
                shutil.rmtree(cache, ignore_errors=True)
            print(f"corpus of {files} files ({sum((home / p).stat().st_size for p in paths) / 1e6:.1f} MB)",
                  file=sys.stderr)
            row = {
                "floor": measure("floor", [sys.executable, str(ROOT / "bench" / "floor.py"), "plans"], home, repeat),
                "cold": measure("cold", [*plancheck, "plans"], home, repeat, before=clear),
            }
            timed([*plancheck, "plans"], home)  # fills the cache
            row["warm"] = measure("warm", [*plancheck, "plans"], home, repeat)
            row["yamllint"] = measure("yamllint", [str(BIN / "yamllint"), "-f", "parsable", "plans"], home, repeat)
            row["check-jsonschema"] = measure(
                "check-jsonschema", [str(BIN / "check-jsonschema"), "--schemafile", str(schema), *paths], home, repeat)
            if files == min(sizes):
                # the file is edited before every run, as in an editor or a commit: the file
                # itself is never a cache hit (the ruleset and the rest of the plan set are)
                single = base / "single.yaml"
                shutil.copyfile(home / paths[0], single)
                row["one file"] = measure("one file", [*plancheck, str(single)], base, max(repeat, 10),
                                          before=lambda: edit(single))  # noqa: B023 - called within this iteration
                row["one file, full"] = measure("one file, full", [*plancheck, "--format", "full", str(single)], base,
                                                max(repeat, 10), before=lambda: edit(single))  # noqa: B023 - called within this iteration
                changed = home / paths[len(paths) // 2]
                original = changed.read_text(encoding="utf-8")
                row["pre-commit"] = measure("pre-commit", [*plancheck, str(changed.relative_to(home))], home,
                                            max(repeat, 10), before=lambda: edit(changed))  # noqa: B023 - called within this iteration
                changed.write_text(original, encoding="utf-8")
            results["sizes"][files] = row
            print(table({files: row}), file=sys.stderr)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    results["render"] = render_costs()
    results["targets"] = [{"target": target, "measured": measured, "holds": holds}
                          for target, measured, holds in targets(results["sizes"]) + render_targets(results["render"])]
    if out is not None:
        out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return results


def render_costs(findings: int = 4000) -> dict:
    from bench.render import measure
    from bench.render import table as render_table

    row = measure(findings)
    print(render_table(row), file=sys.stderr)
    return row


def render_targets(row: dict) -> list[tuple[str, str, bool]]:
    """Issue 19's target: the full format costs no more than the concise one per finding by
    more than a small factor (the whole run's CPU time; the renderer alone is reported beside it)."""
    return [(f"{row['findings']} findings: full run at most 1.5x concise (CPU)",
             (f"{row['run_ratio']:.2f}x (renderer {row['full']['render_us_per_finding']:.0f} against "
             f"{row['concise']['render_us_per_finding']:.0f} µs a finding)"), row["run_ratio"] <= 1.5)]


def table(sizes: dict) -> str:
    lines = [f"{'files':>6} {'measure':<18} {'wall s':>8} {'per file ms':>12} {'× floor':>8} {'cpu/wall':>9} {'peak MB':>8}"]
    for files, row in sizes.items():
        floor = row["floor"]["wall"]
        for name, figures in row.items():
            count = 1 if name.startswith(("one file", "pre-commit")) else int(files)
            lines.append(f"{files:>6} {name:<18} {figures['wall']:>8.3f} {figures['wall'] / count * 1000:>12.2f} "
                         f"{figures['wall'] / floor:>8.2f} {figures['cpu'] / figures['wall']:>9.2f} "
                         f"{figures['peak_mb']:>8.0f}")
    return "\n".join(lines)


def targets(sizes: dict) -> list[tuple[str, str, bool]]:
    """Issue 7's targets against this run's figures: (target, measured, whether it holds)."""
    rows = []
    counts = sorted(sizes, key=int)
    smallest, largest = sizes[counts[0]], sizes[counts[-1]]
    if "one file" in smallest:
        for name in ("one file", "one file, full"):
            wall = smallest[name]["wall"] * 1000
            rows.append((f"{name}: at most 150 ms", f"{wall:.0f} ms", wall <= 150))
    for files in counts:
        row = sizes[files]
        cold, floor, warm = row["cold"]["wall"], row["floor"]["wall"], row["warm"]["wall"]
        rows.append((f"{files} files, cold: at most 2x the floor", f"{cold / floor:.2f}x", cold <= 2 * floor))
        rows.append((f"{files} files, warm: at most 10 % of cold", f"{warm / cold:.0%}", warm <= 0.1 * cold))
        for peer in ("yamllint", "check-jsonschema"):
            rows.append((f"{files} files, cold: faster than {peer}", f"{row[peer]['wall'] / cold:.1f}x faster",
                         cold < row[peer]["wall"]))
    rows.append((f"{counts[-1]} files: both cores used", f"cpu/wall {largest['cold']['cpu'] / largest['cold']['wall']:.2f}",
                 largest["cold"]["cpu"] / largest["cold"]["wall"] >= 1.5))
    per_file = [sizes[files]["cold"]["wall"] / int(files) for files in counts]
    spread = max(per_file) / min(per_file) - 1
    rows.append(("cold per-file cost within ±25 % across sizes",
                 " / ".join(f"{cost * 1000:.2f}" for cost in per_file) + f" ms (spread {spread:.0%})", spread <= 0.25))
    if "one file" in smallest:
        start = smallest["one file"]["wall"]  # the fixed cost: start-up and one file
        net = [(sizes[files]["cold"]["wall"] - start) / (int(files) - 1) for files in counts]
        spread = max(net) / min(net) - 1
        rows.append(("  the same, net of start-up (cold - one file)",
                     " / ".join(f"{cost * 1000:.2f}" for cost in net) + f" ms (spread {spread:.0%})", spread <= 0.25))
    peak = largest["cold"]["peak_mb"]
    rows.append((f"{counts[-1]} files: peak memory at most 500 MB", f"{peak:.0f} MB",
                 int(counts[-1]) < 2000 or peak <= 500))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,500,1000,2000", help="corpus sizes, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measure (the median is kept)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.json"), help="where the figures go ('' for nowhere)")
    parser.add_argument("--render-only", action="store_true", help="only the renderers' cost per finding")
    args = parser.parse_args(argv)
    if args.render_only:
        row = render_costs()
        for target, measured, holds in render_targets(row):
            print(f"{'holds' if holds else 'MISSED':<7} {target:<48} {measured}")
        return 0
    sizes = sorted(int(size) for size in args.sizes.split(","))
    results = run(sizes, args.repeat, Path(args.out) if args.out else None)
    print(f"plancheck benchmark, {results['date']}, {results['machine']}")
    print(table(results["sizes"]))
    print()
    for target, measured, holds in targets(results["sizes"]) + render_targets(results["render"]):
        print(f"{'holds' if holds else 'MISSED':<7} {target:<48} {measured}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
