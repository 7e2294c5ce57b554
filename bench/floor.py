"""The floors: the least any checker must do over every *.yaml under the given paths, in
one process, and nothing else.

    python bench/floor.py [--parser NAME] PATH...
    python bench/floor.py --available       # the parsers installed, one a line

- ruamel: ruamel.yaml's C-accelerated composer (nodes with positions), what a checker that
  reports positions through ruamel must at least do (plancheck's own loader reads its C
  parser's events);
- rapidyaml: rapidyaml's C++ parser into its tree (styles and positions kept, no Python
  objects: the fastest parse a Python process can ask for);
- pyyaml: PyYAML's libyaml loader (CSafeLoader) into Python data;
- ryaml: ryaml (Rust, serde_yaml) into Python data;
- read: reading and decoding the bytes, no parse at all.

The parsers other than ruamel are the `bench` extra's (pyproject.toml); one that is not
installed is left out of `--available`, and the benchmark says so.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import sys
from collections.abc import Callable
from pathlib import Path

PARSERS = ("ruamel", "rapidyaml", "pyyaml", "ryaml", "read")
MODULES = {"ruamel": "ruamel.yaml", "rapidyaml": "ryml", "pyyaml": "yaml", "ryaml": "ryaml", "read": None}


def available() -> list[str]:
    """The parsers this environment has (PyYAML only with its C loader)."""
    found = []
    for name in PARSERS:
        module = MODULES[name]
        if module is not None and importlib.util.find_spec(module.split(".")[0]) is None:
            continue
        if name == "pyyaml":
            import yaml

            if not getattr(yaml, "__with_libyaml__", False):
                continue
        found.append(name)
    return found


def parser(name: str) -> Callable[[bytes], object]:
    """bytes -> what the parser builds (decoded first where the parser takes text)."""
    if name == "ruamel":
        from ruamel.yaml import YAML

        composer = YAML(typ="safe", pure=False)
        return lambda data: composer.compose(io.StringIO(data.decode("utf-8")))
    if name == "rapidyaml":
        import ryml

        return ryml.parse_in_arena
    if name == "pyyaml":
        import yaml

        return lambda data: yaml.load(data.decode("utf-8"), Loader=yaml.CSafeLoader)
    if name == "ryaml":
        import ryaml

        return lambda data: ryaml.loads(data.decode("utf-8"))
    if name == "read":
        return lambda data: data.decode("utf-8")
    raise ValueError(f"unknown parser {name!r}: one of {', '.join(PARSERS)}")


def main(argv: list[str] | None = None) -> int:
    arguments = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    arguments.add_argument("--parser", default="ruamel", choices=PARSERS)
    arguments.add_argument("--available", action="store_true", help="list the parsers installed and stop")
    arguments.add_argument("paths", nargs="*")
    args = arguments.parse_args(argv)
    if args.available:
        print("\n".join(available()))
        return 0
    parse = parser(args.parser)
    count = 0
    for top in args.paths:
        for path in sorted(Path(top).rglob("*.yaml")):
            parse(path.read_bytes())
            count += 1
    print(f"{args.parser}: {count} files", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
