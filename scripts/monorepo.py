"""The monorepo's distributions, read from their own files.

Every script (pins, bumps, installs, builds, asv hooks) goes through this module
so they all agree on names, versions and the sibling dependency graph. The
version of a meson-python package lives in its ``meson.build``; the version of a
hatchling package lives in its ``pyproject.toml``. Nothing else holds a version.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
META_DIST = "midstream"

_MESON_VERSION = re.compile(r"(project\(.*?\bversion\s*:\s*')([^']+)(')", re.S)
_PYPROJECT_VERSION = re.compile(r'(?m)^(version\s*=\s*")([^"]+)(")')


@dataclass(frozen=True)
class Dist:
    """One distribution under ``packages/``."""

    name: str
    path: Path
    backend: str  # "meson" or "hatch"
    version: str
    requires: tuple[Requirement, ...]
    extras: dict[str, tuple[Requirement, ...]]
    build_requires: tuple[str, ...]
    test_no_deps: tuple[str, ...] = ()

    @property
    def import_name(self) -> str:
        return self.name.replace("-", "_")

    @property
    def version_file(self) -> Path:
        return self.path / ("meson.build" if self.backend == "meson" else "pyproject.toml")

    def all_requirements(self) -> list[tuple[str | None, Requirement]]:
        """Runtime requirements (extra None) followed by each extra's."""
        out: list[tuple[str | None, Requirement]] = [(None, r) for r in self.requires]
        for extra, reqs in self.extras.items():
            out.extend((extra, r) for r in reqs)
        return out


def _read_version(path: Path, backend: str) -> str:
    if backend == "meson":
        m = _MESON_VERSION.search((path / "meson.build").read_text())
        where = "meson.build project(version: ...)"
    else:
        m = _PYPROJECT_VERSION.search((path / "pyproject.toml").read_text())
        where = 'pyproject.toml [project] version = "..."'
    if m is None:
        raise ValueError(f"{path.name}: no version found in {where}")
    return m.group(2)


def load(root: Path = ROOT) -> dict[str, Dist]:
    """Read every ``packages/*/pyproject.toml`` under *root*, keyed by canonical name."""
    dists: dict[str, Dist] = {}
    for pyproject in sorted((root / "packages").glob("*/pyproject.toml")):
        data = tomllib.loads(pyproject.read_text())
        project = data["project"]
        build = data.get("build-system", {})
        backend = "meson" if build.get("build-backend", "").startswith("mesonpy") else "hatch"
        name = canonicalize_name(project["name"])
        dists[name] = Dist(
            name=name,
            path=pyproject.parent,
            backend=backend,
            version=_read_version(pyproject.parent, backend),
            requires=tuple(Requirement(r) for r in project.get("dependencies", [])),
            extras={
                extra: tuple(Requirement(r) for r in reqs)
                for extra, reqs in project.get("optional-dependencies", {}).items()
            },
            build_requires=tuple(build.get("requires", [])),
            test_no_deps=tuple(data.get("tool", {}).get("midstream", {}).get("test-no-deps", [])),
        )
    return dists


def sibling_requirements(dist: Dist, dists: dict[str, Dist]) -> list[Requirement]:
    """The runtime requirements of *dist* that name another distribution in the tree."""
    return [r for r in dist.requires if canonicalize_name(r.name) in dists]


def with_dependencies(names: list[str], dists: dict[str, Dist]) -> list[Dist]:
    """*names* plus their in-tree dependencies, dependencies first."""
    ordered: list[Dist] = []
    seen: set[str] = set()

    def visit(name: str, stack: tuple[str, ...]) -> None:
        if name in stack:
            raise ValueError(f"dependency cycle: {' -> '.join((*stack, name))}")
        if name in seen:
            return
        dist = dists[name]
        for req in sibling_requirements(dist, dists):
            visit(canonicalize_name(req.name), (*stack, name))
        seen.add(name)
        ordered.append(dist)

    for name in names:
        canonical = canonicalize_name(name)
        if canonical not in dists:
            raise ValueError(f"unknown distribution {name!r}; known: {', '.join(sorted(dists))}")
        visit(canonical, ())
    return ordered


def compatible_range(version: str) -> str:
    """The range siblings use for *version*: same minor below 1.0, same major from 1.0."""
    v = Version(version)
    if v.major == 0:
        return f">={v.major}.{v.minor},<{v.major}.{v.minor + 1}"
    return f">={v.major}.{v.minor},<{v.major + 1}"


def parse_version(text: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion as exc:
        raise ValueError(f"version {text!r} is not a valid PEP 440 version") from exc


def write_version(dist: Dist, version: str) -> None:
    """Rewrite the single place that holds *dist*'s version."""
    pattern = _MESON_VERSION if dist.backend == "meson" else _PYPROJECT_VERSION
    text = dist.version_file.read_text()
    new, count = pattern.subn(lambda m: m.group(1) + version + m.group(3), text, count=1)
    if count != 1:
        raise ValueError(f"{dist.version_file}: version not found")
    dist.version_file.write_text(new)


def rewrite_requirement(pyproject: Path, target: str, specifier: str) -> bool:
    """Set the specifier of every requirement on *target* in *pyproject*; True if changed."""
    text = pyproject.read_text()
    # A quoted requirement string: name, optional extras, specifier, optional marker.
    pattern = re.compile(
        r'"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?P<extras>\[[^\]]*\])?\s*(?P<spec>[^";]*)'
        r'(?P<marker>;[^"]*)?"'
    )

    def replace(m: re.Match[str]) -> str:
        if canonicalize_name(m.group("name")) != canonicalize_name(target):
            return m.group(0)
        line_start = text.rfind("\n", 0, m.start()) + 1
        if re.fullmatch(r"\s*name\s*=\s*", text[line_start : m.start()]):
            return m.group(0)  # the project's own name, not a requirement
        return f'"{m.group("name")}{m.group("extras") or ""}{specifier}{m.group("marker") or ""}"'

    new = pattern.sub(replace, text)
    if new != text:
        pyproject.write_text(new)
        return True
    return False
