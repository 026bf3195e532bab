#!/usr/bin/env python3
"""Install distributions from the tree into the current environment.

``python scripts/dev_install.py [--test] [--no-editable] [dist ...]``

Installs the build requirements of the chosen distributions first, then the
distributions and their in-tree dependencies from local paths in one pip call
(so pip never fetches a same-named project from PyPI), without build isolation:
meson-python editable installs rebuild changed ``.pyx`` files on import and need
their build tools present. With no names, installs all seven. With ``--test``, also
installs each package's ``[tool.midstream] test-no-deps`` list without dependencies.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

import monorepo


def pip(*args: str) -> None:
    cmd = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", *args]
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dists", nargs="*", help="distribution names (default: all)")
    parser.add_argument("--test", action="store_true", help="with each package's [test] extra")
    parser.add_argument("--no-editable", action="store_true", help="build and install wheels")
    args = parser.parse_args(argv)
    dists = monorepo.load()
    chosen = monorepo.with_dependencies(args.dists or sorted(dists), dists)
    build_requires = {r for d in chosen for r in d.build_requires}
    if not args.no_editable and any(d.backend == "hatch" for d in chosen):
        # hatchling asks for this only through get_requires_for_build_editable,
        # which pip skips without build isolation.
        build_requires.add("editables")
    pip(*sorted(build_requires))
    targets: list[str] = []
    for dist in chosen:
        extra = "[test]" if args.test and "test" in dist.extras else ""
        if not args.no_editable:
            targets.append("-e")
        targets.append(f"{dist.path}{extra}")
    pip("--no-build-isolation", *targets)
    no_deps = sorted({r for d in chosen for r in d.test_no_deps}) if args.test else []
    if no_deps:
        # Test-only data packages whose own dependency trees are too heavy for CI
        # (declared per package under [tool.midstream] test-no-deps).
        pip("--no-deps", *no_deps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
