"""The parsing floor: ruamel.yaml's C-accelerated composer over every *.yaml under the
given paths, and nothing else. A checker that reports positions must at least do this."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from ruamel.yaml import YAML


def main(paths: list[str]) -> int:
    yaml = YAML(typ="safe", pure=False)
    count = 0
    for top in paths:
        for path in sorted(Path(top).rglob("*.yaml")):
            yaml.compose(io.StringIO(path.read_text(encoding="utf-8")))
            count += 1
    print(f"composed {count} files", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
