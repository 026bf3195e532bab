#!/usr/bin/env python3
"""Fail when an in-tree dependency disagrees with the version in the tree.

Rules: the ``midstream`` meta-package pins every other distribution exactly
(``==``); every other in-tree requirement (runtime or extra) is a range that
contains the sibling's current version.

Usage: ``python scripts/check_pins.py [--root DIR]``; exit 0 when consistent, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from packaging.utils import canonicalize_name

import monorepo


def problems(root: Path) -> list[str]:
    dists = monorepo.load(root)
    found: list[str] = []
    meta = dists.get(monorepo.META_DIST)
    if meta is None:
        return [f"no {monorepo.META_DIST!r} meta-package under {root / 'packages'}"]
    pinned = {canonicalize_name(r.name) for r in meta.requires}
    for name in sorted(set(dists) - {meta.name} - pinned):
        found.append(f"{meta.name}: does not pin {name}")
    for dist in dists.values():
        for extra, req in dist.all_requirements():
            target = dists.get(canonicalize_name(req.name))
            if target is None or target is dist:
                continue
            where = f"{dist.name}" + (f"[{extra}]" if extra else "")
            spec = str(req.specifier)
            if dist is meta and extra is None:
                if spec != f"=={target.version}":
                    found.append(
                        f"{where}: pins {target.name}{spec or ' (no pin)'}, "
                        f"but the tree has {target.version}; expected =={target.version}"
                    )
            elif not spec:
                found.append(f"{where}: requires {target.name} without a version range")
            elif not req.specifier.contains(target.version, prereleases=True):
                found.append(
                    f"{where}: requires {target.name}{spec}, "
                    f"which excludes the tree's {target.version}"
                )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=monorepo.ROOT)
    args = parser.parse_args(argv)
    found = problems(args.root)
    for line in found:
        print(f"pin mismatch: {line}", file=sys.stderr)
    if not found:
        print(f"pins consistent across {len(monorepo.load(args.root))} distributions")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
