#!/usr/bin/env python3
"""Turn a release tag into what the release workflow builds.

``python scripts/release_plan.py <dist>-v<version>`` prints ``dist=``, ``version=`` and
``compiled=`` lines (GitHub Actions outputs) and fails when the tag names an unknown
distribution or a version other than the tree's.
``python scripts/release_plan.py --check-pins-on-pypi`` fails unless every version the
``midstream`` meta-package pins is already on PyPI.
"""

from __future__ import annotations

import json
import sys
import urllib.request

from packaging.utils import canonicalize_name

import monorepo


def plan(tag: str) -> dict[str, str]:
    dist_name, sep, version = tag.rpartition("-v")
    if not sep or not dist_name:
        raise ValueError(f"tag {tag!r} is not <dist>-v<version>")
    dists = monorepo.load()
    dist = dists.get(canonicalize_name(dist_name))
    if dist is None:
        raise ValueError(f"tag {tag!r} names no distribution; known: {', '.join(sorted(dists))}")
    if dist.version != version:
        raise ValueError(f"tag {tag!r} says {version} but the tree has {dist.name} {dist.version}")
    return {"dist": dist.name, "version": version, "compiled": str(dist.backend == "meson").lower()}


def pins_on_pypi() -> list[str]:
    missing = []
    for req in monorepo.load()[monorepo.META_DIST].requires:
        version = str(req.specifier).removeprefix("==")
        url = f"https://pypi.org/pypi/{req.name}/{version}/json"
        try:
            with urllib.request.urlopen(url, timeout=30) as resp:
                json.load(resp)
        except OSError:
            missing.append(f"{req.name}=={version}")
    return missing


def main(argv: list[str]) -> int:
    if argv == ["--check-pins-on-pypi"]:
        missing = pins_on_pypi()
        for m in missing:
            print(f"not on PyPI yet: {m}", file=sys.stderr)
        return 1 if missing else 0
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        out = plan(argv[0])
    except ValueError as exc:
        print(f"release_plan: {exc}", file=sys.stderr)
        return 1
    print("\n".join(f"{k}={v}" for k, v in out.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
