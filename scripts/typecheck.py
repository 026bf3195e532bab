#!/usr/bin/env python3
"""mypy over each distribution's pure-Python modules (compiled modules are seen via .pyi).

``python scripts/typecheck.py [dist ...]``: one mypy run per distribution so that
same-named modules in two packages never collide; exit 1 if any run fails.
"""

from __future__ import annotations

import subprocess
import sys

import monorepo


def main(argv: list[str]) -> int:
    dists = monorepo.load()
    names = argv or sorted(dists)
    failed = []
    for name in names:
        dist = dists[name]
        src = dist.path / "src" / dist.import_name
        cmd = [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(monorepo.ROOT / "pyproject.toml"),
            str(src),
        ]
        print("+", " ".join(cmd), flush=True)
        if subprocess.run(cmd, check=False).returncode != 0:
            failed.append(name)
    if failed:
        print(f"mypy failed for: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
