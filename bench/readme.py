"""README.md's benchmark table, generated from bench/results.json (never by hand).

    python bench/readme.py           # rewrite the table between the markers in README.md
    python bench/readme.py --check   # exit 1 when README.md's table is not results.json's

`make bench` (bench/run.py) calls it after writing results.json. Everything between
BEGIN and END in README.md is replaced; the prose around it is written by hand and says
what the figures mean, not what they are.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
RESULTS = ROOT / "bench" / "results.json"
BEGIN = "<!-- bench:begin: generated from bench/results.json by bench/readme.py; do not edit by hand -->"
END = "<!-- bench:end -->"
FLOOR_NAMES = {"rapidyaml": "rapidyaml", "pyyaml": "PyYAML (libyaml)", "ryaml": "ryaml", "read": "reading the bytes"}


def _s(figure: dict | None, places: int = 2) -> str:
    return "—" if figure is None else f"{figure['wall']:.{places}f} s"


def _mb(figure: dict | None) -> str:
    return "—" if figure is None else f"{figure['peak_mb']:,.0f} / {figure['tree_mb']:,.0f}"


def table(results: dict[str, Any]) -> str:
    """The generated part: the targets, the figures by size, the floors, the projection."""
    count = int(results["machine"].split()[0])
    loads = results["load_before"][:1] + results["load_after"][:1]
    shared = (f" The machine was shared (load average {' and '.join(f'{load:g}' for load in loads)} on {count} cores, "
              "before and after): the wall-clock figures are mostly waiting, so compare the ratios within this run "
              "and the CPU times in bench/results.json.") if loads and max(loads) > count else ""
    out = [(f"Measured {results['date']} on {results['machine']}, plancheck at {results['commit']}; the run took "
            f"{results['duration_s'] / 60:.0f} min.{shared}"), ""]
    out += ["| | target | measured | beside it | met |", "|---|---|---|---|---|"]
    for row in results["targets"]:
        verdict = {True: "yes", False: "**no**", None: "—"}[row["holds"]]
        out.append(f"| {row['name']} | {row['target']} | {row['measured']} | {row['beside']} | {verdict} |")
    out += ["", ("| files | ruamel floor | plancheck cold | × floor | cold, 1 worker | warm | pre-commit | pre-commit, "
            "resident process | yamllint | check-jsonschema | peak MB (largest / all processes, cold) |"),
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    peer_max = results["settings"].get("peer_max")
    for files, row in sorted(results["sizes"].items(), key=lambda item: int(item[0])):
        floor, cold = row.get("floor"), row["cold"]
        # at the cold size, the median of the run-by-run ratios (`measure_pair`)
        ratio = f"{row.get('cold_ratio', cold['wall'] / floor['wall']):.2f}" if floor else "—"
        peers = [_s(row.get(peer)) if peer in row else f"skipped (> {peer_max:,})" for peer in ("yamllint",
                                                                                           "check-jsonschema")]
        out.append(f"| {int(files):,} | {_s(floor)} | {_s(cold)} | {ratio} | {_s(row.get('cold, 1 worker'))} | "
                   f"{_s(row['warm'])} | {_s(row.get('pre-commit'), 3)} | {_s(row.get('pre-commit, resident'), 3)} | "
                   f"{' | '.join(peers)} | {_mb(cold)} |")
    national = results.get("national")
    if national:
        sets = f"{national['sets']:,} plan sets" if national["plan_sets"] else "one plan set"
        out.append(f"| {national['files']:,} (national, {sets}) | — | {_s(national['cold'], 1)} | — | — | "
                   f"{_s(national['warm'])} | — | — | skipped | skipped | {_mb(national['cold'])} |")
    floors = next(((files, row) for files, row in results["sizes"].items() if any(k.startswith("floor ") for k in row)),
                  None)
    if floors:
        files, row = floors
        named = [f"the ruamel composer {_s(row.get('floor'))}"] + [
            f"{FLOOR_NAMES.get(name[6:], name[6:])} {_s(row[name])}" for name in row if name.startswith("floor ")]
        missing = [FLOOR_NAMES[name] for name in ("rapidyaml", "pyyaml", "ryaml") if name not in results["parsers"]]
        out += ["", f"Floors at {int(files):,} files, one process each: {', '.join(named)}."
                + (f" Not installed: {', '.join(missing)}." if missing else "")]
    one = results.get("one_file")
    if one:
        out += ["", (f"One file new to the cache, the whole process: {one['full']['wall'] * 1000:.0f} ms in the default "
                f"(full) format, {one['concise']['wall'] * 1000:.0f} ms concise"
                + (f"; {one['full, resident']['wall'] * 1000:.0f} ms handed to the resident process (`plancheck daemon "
                   "start`)" if "full, resident" in one else "")
                + f"; `python -c pass` takes {one['interpreter']['wall'] * 1000:.0f} ms on the same machine in the same "
                  "run.")]
    cores = results.get("many_cores")
    if cores and cores["speedup"] <= 1:
        out += ["", (f"Many cores: 1 worker {cores['one_worker_s']:.1f} s, 2 workers {cores['two_workers_s']:.1f} s at the "
                "cold size; two workers were no faster than one in this run (the other core was busy), so it gives no "
                "projection.")]
    elif cores:
        shares = cores["share_of_one_worker_time"]
        out += ["", (f"Many cores, from the cold run at the cold size: 1 worker {cores['one_worker_s']:.1f} s, 2 workers "
                f"{cores['two_workers_s']:.1f} s, a speed-up of {cores['speedup']:.2f}; Amdahl's serial share "
                f"{cores['serial_share']:.0%}. Projected:"), "",
                "| cores | " + " | ".join(shares) + " |", "|---|" + "---|" * len(shares),
                "| speed-up over 1 worker | " + " | ".join(f"{1 / share:.1f}" for share in shares.values()) + " |"]
        if national and "national_cold_s" in cores:
            out.append(f"| national cold run ({national['files']:,} files) | "
                       + " | ".join(f"{seconds:.0f} s" for seconds in cores["national_cold_s"].values()) + " |")
    return "\n".join(out)


def update(results: dict[str, Any], readme: Path = README) -> bool:
    """Replace the generated part of README.md; False when the markers are missing."""
    text = readme.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        print(f"readme: {readme} has no {BEGIN!r} … {END!r} markers; nothing written", file=sys.stderr)
        return False
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{BEGIN}\n{table(results)}\n{END}{tail}", encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only say whether README.md is up to date")
    args = parser.parse_args(argv)
    results = json.loads(RESULTS.read_text(encoding="utf-8"))
    if args.check:
        text = README.read_text(encoding="utf-8")
        current = BEGIN in text and f"{BEGIN}\n{table(results)}\n{END}" in text
        print("README.md's table is results.json's" if current else "README.md's table is not results.json's")
        return 0 if current else 1
    return 0 if update(results) else 1


if __name__ == "__main__":
    sys.exit(main())
