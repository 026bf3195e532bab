#!/usr/bin/env python3
"""Set a distribution's version and move every pin on it together.

``python scripts/bump.py <dist> <version> [--root DIR]``

* writes the version into the one file that holds it (meson.build or pyproject.toml);
* the ``midstream`` meta-package's exact pin follows, and the meta-package's own
  patch version goes up whenever one of its pins changes;
* sibling ranges that would exclude the new version are reset to the compatible
  range (same minor below 1.0, same major from 1.0).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from packaging.utils import canonicalize_name

import monorepo


def bump(root: Path, name: str, version: str) -> list[str]:
    """Apply the bump under *root*; return a line per file changed."""
    new_version = monorepo.parse_version(version)
    dists = monorepo.load(root)
    canonical = canonicalize_name(name)
    if canonical not in dists:
        raise ValueError(f"unknown distribution {name!r}; known: {', '.join(sorted(dists))}")
    dist = dists[canonical]
    changes: list[str] = []
    if dist.version != str(new_version):
        monorepo.write_version(dist, str(new_version))
        changes.append(f"{dist.name}: version {dist.version} -> {new_version}")
    meta = dists[monorepo.META_DIST]
    for other in dists.values():
        if other is dist:
            continue
        for extra, req in other.all_requirements():
            if canonicalize_name(req.name) != canonical:
                continue
            if other is meta and extra is None:
                spec = f"=={new_version}"
            elif req.specifier and req.specifier.contains(str(new_version), prereleases=True):
                continue
            else:
                spec = monorepo.compatible_range(str(new_version))
            if monorepo.rewrite_requirement(other.path / "pyproject.toml", dist.name, spec):
                changes.append(f"{other.name}: requirement on {dist.name} -> {spec}")
    if dist is not meta and any(c.startswith(f"{meta.name}: requirement") for c in changes):
        meta = monorepo.load(root)[meta.name]
        v = monorepo.parse_version(meta.version)
        meta_version = f"{v.major}.{v.minor}.{v.micro + 1}"
        monorepo.write_version(meta, meta_version)
        changes.append(f"{meta.name}: version {meta.version} -> {meta_version} (a pin changed)")
    return changes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dist")
    parser.add_argument("version")
    parser.add_argument("--root", type=Path, default=monorepo.ROOT)
    args = parser.parse_args(argv)
    try:
        changes = bump(args.root, args.dist, args.version)
    except ValueError as exc:
        print(f"bump: {exc}", file=sys.stderr)
        return 2
    print("\n".join(changes) if changes else "nothing to change")
    return 0


if __name__ == "__main__":
    sys.exit(main())
