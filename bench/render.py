"""The renderers' cost per finding: one generated plan with many findings (4,000 by
default: a statistics table per 4 findings, each 合計 row off in every column, each finding
with three related values), checked once, then rendered in the concise and the full format
(in-process, CPU time, the best of --repeat), and the whole command timed in each format
(its CPU time, the median of --repeat: on a shared machine the wall clock is mostly waiting).

    python bench/render.py                   # 4,000 findings
    python bench/render.py --findings 400    # a quicker look

`bench/run.py` runs it as well and reports it beside the corpora (`--render-only`: only it).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
COLUMNS = ["平成30年", "令和元年", "令和2年", "令和3年"]


def plan(findings: int) -> str:
    """A statistics plan with exactly `findings` TAB001 findings (a multiple of 4 rounded up):
    each table's 合計 row is 9 off the sum of its three parts in each of its 4 columns."""
    lines = ["plan: {id: bench-render, title: 人口統計, municipality: 架空市, kind: statistics, source: {seed: a.txt}}",
             "tables:"]
    for table in range(-(-findings // len(COLUMNS))):
        parts = {"young": ("年少人口", 14_668 + table), "working": ("生産年齢人口", 80_907), "old": ("老年人口", 25_592)}
        lines += [f"  - id: t{table}", f"    title: 年齢3区分別人口 その{table + 1}",
                  "    columns: [" + ", ".join(f"{{key: {column}}}" for column in COLUMNS) + "]", "    rows:"]
        for key, (name, base) in parts.items():
            cells = ", ".join(f'{column}: "{base + step:,}"' for step, column in enumerate(COLUMNS))
            lines.append(f"      - {{key: {key}, name: {name}, values: {{{cells}}}}}")
        totals = ", ".join(f'{column}: "{sum(base for _, base in parts.values()) + 3 * step + 9:,}"'
                           for step, column in enumerate(COLUMNS))
        lines += [f"      - {{key: total, name: 合計, values: {{{totals}}}}}", "    relations:",
                  "      - {check: sum, row: total, of: [young, working, old]}"]
    return "\n".join(lines) + "\n"


def measure(findings: int = 4000, repeat: int = 3) -> dict:
    """Each format's renderer cost per finding (µs, in-process) and its whole run (s)."""
    from checker.report import ReportContext, render
    from checker.run import RunOptions, run

    with tempfile.TemporaryDirectory(prefix="plancheck-bench-render-") as home:
        path = Path(home) / "findings.yaml"
        path.write_text(plan(findings), encoding="utf-8")
        result = run(RunOptions(paths=(str(path),), no_cache=True, lang="ja", isolated=True))
        count = len(result.diagnostics)
        context = ReportContext(lang="ja", sources=result.sources, checked=result.checked, color=False,
                                relations=result.relations)
        row: dict = {"findings": count}
        for name in ("concise", "full"):
            render(name, result.diagnostics[:10], context, result.ruleset)  # its imports, outside the timing
            costs = []
            for _ in range(repeat):
                started = time.process_time()
                render(name, result.diagnostics, context, result.ruleset)
                costs.append(time.process_time() - started)
            walls, cpus = [], []
            for _ in range(repeat):
                started, children = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
                subprocess.run([str(BIN / "plancheck"), "--isolated", "--no-cache", "--exit-zero", "--format", name,
                                str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={"COLUMNS": "80", "NO_COLOR": "1", "PATH": str(BIN)}, check=False)
                walls.append(time.perf_counter() - started)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpus.append(after.ru_utime - children.ru_utime + after.ru_stime - children.ru_stime)
            # CPU time decides (a shared machine's wall clock is mostly waiting); the wall is shown too
            row[name] = {"render_us_per_finding": min(costs) / count * 1e6, "run_s": statistics.median(walls),
                         "run_cpu_s": statistics.median(cpus),
                         "run_ms_per_finding": statistics.median(cpus) / count * 1000}
        row["render_ratio"] = row["full"]["render_us_per_finding"] / max(row["concise"]["render_us_per_finding"], 1e-9)
        row["run_ratio"] = row["full"]["run_cpu_s"] / row["concise"]["run_cpu_s"]
    return row


def table(row: dict) -> str:
    lines = [(f"{row['findings']} findings   {'render µs/finding':>18} {'run cpu s':>10} {'run wall s':>11} "
             f"{'run cpu ms/finding':>19}")]
    for name in ("concise", "full"):
        figures = row[name]
        lines.append(f"  {name:<17}{figures['render_us_per_finding']:>18.1f} {figures['run_cpu_s']:>10.2f} "
                     f"{figures['run_s']:>11.2f} {figures['run_ms_per_finding']:>19.3f}")
    lines.append(f"  full / concise   {row['render_ratio']:>17.1f}x {row['run_ratio']:>9.2f}x")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--findings", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="the figures as JSON")
    args = parser.parse_args(argv)
    row = measure(args.findings, args.repeat)
    print(json.dumps(row, indent=2) if args.json else table(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
