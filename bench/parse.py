"""The cold per-file cost in one process: plancheck's per-file work (read, decode, parse,
build, validate, the file's own rules) on the fast path and on the ruamel path, against
the ruamel composer floor (bench/floor.py), on generated corpora (bench/corpus.py).

    python bench/parse.py --sizes 1000,5000 --repeat 3
    git worktree add /tmp/before HEAD~3 && python bench/parse.py --before /tmp/before

Each figure is a fresh process (as a cold run is: its results kept, so the garbage
collector sees what a run's does), the modes alternating within each repeat so a loaded
machine weighs on them alike; each is the process's CPU time (user and system) for the
files, less than the wall clock skewed by the other processes of a shared machine; medians
are printed in ms per file with the ratios to the floor. `--gc-freeze` freezes the objects made before the files are checked (the ruleset,
the model) and `--gc-off` turns the cyclic collector off, to measure what it costs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODES = ("floor", "ruamel", "fast")


def child(mode: str, directory: Path, gc_mode: str, root: Path = ROOT) -> float:
    """Seconds for `mode` over every plan file under `directory`, in this process, with
    plancheck's code from `root` (`--before`: another checkout, on its own path)."""
    import gc
    import io

    sys.path.insert(0, str(root))
    paths = sorted(directory.rglob("*.yaml"))
    if mode == "floor":
        from ruamel.yaml import YAML

        yaml = YAML(typ="safe", pure=False)
        began = time.process_time()
        for path in paths:  # as bench/floor.py: each composed and dropped
            yaml.compose(io.StringIO(path.read_text(encoding="utf-8")))
        return time.process_time() - began
    from checker import loader
    from checker.engine import Engine
    from checker.model import build_validator
    from checker.rules import load_ruleset
    from checker.run import _parse_and_check

    loader.FAST_PATH = mode == "fast"  # (an older checkout has no fast path: "before")
    build_validator()
    engine = Engine(load_ruleset("recommended"))
    if gc_mode == "freeze":
        gc.freeze()
    elif gc_mode == "off":
        gc.disable()
    began = time.process_time()
    results = []
    for path in paths:
        stub, raw = loader.read_file(path)
        results.append(stub if raw is None else _parse_and_check(engine, stub, raw, loader.DEFAULT_LIMITS))
    return time.process_time() - began


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--gc", choices=("on", "freeze", "off"), default="on")
    parser.add_argument("--corpus", type=Path, help="where the corpora are kept (made when missing)")
    parser.add_argument("--before", type=Path, help="another checkout (git worktree or archive) to time as "
                        "the mode 'before', e.g. the commit before a change")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]), args.gc, Path(args.child[2]))))
        return 0
    from bench.corpus import generate

    base = args.corpus or Path(tempfile.mkdtemp(prefix="plancheck-parse-"))
    modes = args.modes.split(",") + (["before"] if args.before else [])
    for size in (int(size) for size in args.sizes.split(",")):
        directory = base / f"c{size}"
        if not directory.exists():
            generate(directory / "plans", size)
        times: dict[str, list[float]] = {mode: [] for mode in modes}
        for _ in range(args.repeat):
            for mode in modes:
                root = args.before.resolve() if mode == "before" else ROOT
                out = subprocess.run([sys.executable, __file__, "--gc", args.gc, "--child", mode, str(directory), str(root)],
                                     capture_output=True, text=True, check=True, cwd=ROOT)
                times[mode].append(json.loads(out.stdout) / size * 1000)
        medians = {mode: statistics.median(values) for mode, values in times.items()}
        floor = medians.get("floor")
        line = ", ".join(f"{mode} {value:.2f} ms/file" + (f" ({value / floor:.2f} x floor)" if floor else "")
                         for mode, value in medians.items())
        print(f"{size} files (gc {args.gc}): {line}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
