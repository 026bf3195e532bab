#!/usr/bin/env python3
"""Install distributions from the tree into the current environment.

``python scripts/dev_install.py [--test] [--no-editable] [--progress] [--if-changed] [dist ...]``

Installs the build requirements of the chosen distributions first, then the
distributions and their in-tree dependencies from local paths in one pip call
(so pip never fetches a same-named project from PyPI), without build isolation:
meson-python editable installs rebuild changed ``.pyx`` files on import and need
their build tools present. With no names, installs all seven. With ``--test``, also
installs each package's ``[tool.midstream] test-no-deps`` list without dependencies.

``--progress`` writes pip's output to a log file (``--log``, default
``<venv>/midstream-install.log``) and shows one line per distribution being built
with the elapsed time instead; on failure it prints the end of the log.
Every successful install writes a stamp of the packages' files (``git ls-files -s
packages``, the build metadata's contents), the interpreter and the options into
the venv; ``--if-changed`` skips the install when the stamp still matches.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import threading
import time
from collections import deque
from pathlib import Path
from typing import IO

import monorepo

STAMP_NAME = "midstream-install.stamp"
LOG_NAME = "midstream-install.log"
_BUILD_METADATA = ("pyproject.toml", "meson.build", "meson.options", "meson_options.txt")


def tree_stamp(root: Path, options: list[str]) -> str:
    """A hash that changes whenever an install from ``root`` could differ.

    In a git checkout: the index entries of ``packages/`` (path and blob hash of
    every tracked file) plus the working-tree contents of each build-metadata file
    (an unstaged edit of a pyproject.toml counts). Elsewhere: path, size and mtime
    of every file under ``packages/``. Always: the interpreter and ``options``.
    """
    h = hashlib.sha256()
    h.update(f"{sys.executable}\n{sys.version}\n{options}\n".encode())
    packages = root / "packages"
    try:
        listing = subprocess.run(
            ["git", "ls-files", "-s", "packages"],
            cwd=root,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        listing = b""
    if listing:
        h.update(listing)
        for line in listing.decode().splitlines():
            path = line.split("\t", 1)[1]
            if Path(path).name in _BUILD_METADATA and (root / path).is_file():
                h.update(path.encode() + b"\0" + (root / path).read_bytes())
    else:
        for path in sorted(packages.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                st = path.stat()
                h.update(f"{path.relative_to(root)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def is_current(stamp_file: Path, stamp: str, *, test: bool) -> bool:
    """Whether ``stamp_file`` records an install of ``stamp`` that covers ``test``
    (an install with the test extras also serves a run that does not need them)."""
    try:
        recorded, flag = stamp_file.read_text().split()
    except (OSError, ValueError):
        return False
    return recorded == stamp and (flag == "test=True" or not test)


class PipProgress:
    """Turns pip's output into one line per distribution built and a few phases.

    ``feed(line)`` takes pip's lines one by one; ``out`` gets short status lines.
    On a terminal the current line is redrawn with the elapsed time.
    """

    _OBTAINING = re.compile(r"^(?:Obtaining file://|Processing )(\S*/packages/([\w.-]+))\s*$")
    _BUILDING = re.compile(r"^\s*Building (?:editable|wheel) for ([\w.-]+) .*: started$")
    _FETCH = re.compile(r"^(?:Collecting|Processing|Downloading) (?!.*/packages/)")

    def __init__(self, dists: list[str], out: IO[str], *, tty: bool) -> None:
        self.dists = dists
        self.out = out
        self.tty = tty
        self.current: str | None = None
        self.started = time.monotonic()
        self.phase_started = self.started
        self.done: list[str] = []
        self.fetched = 0
        self._lock = threading.Lock()

    def _begin(self, text: str) -> None:
        with self._lock:
            if self.tty and self.current is not None:
                self.out.write("\n")
            self.current = text
            self.phase_started = time.monotonic()
            if self.tty:
                self.out.write(f"\r{text}")
            else:
                self.out.write(text + "\n")
            self.out.flush()

    def tick(self) -> None:
        """Redraw the current line with its elapsed time (terminal only)."""
        if not self.tty or self.current is None:
            return
        with self._lock:
            spin = "|/-\\"[int(time.monotonic() * 4) % 4]
            elapsed = time.monotonic() - self.phase_started
            self.out.write(f"\r{self.current} {spin} {elapsed:5.1f} s\033[K")
            self.out.flush()

    def feed(self, line: str) -> None:
        if m := self._OBTAINING.match(line):
            name = m.group(2)
            if name in self.dists:
                n = self.dists.index(name) + 1
                self._begin(f"[{n}/{len(self.dists)}] preparing {name}")
        elif m := self._BUILDING.match(line):
            self._begin(f"building {m.group(1)}")
        elif self._FETCH.match(line):
            self.fetched += 1
            if self.fetched == 1:
                self._begin("resolving dependencies")
        elif line.startswith("Installing collected packages:"):
            count = len(line.split(":", 1)[1].split(","))
            self._begin(f"installing {count} packages")

    def finish(self) -> None:
        with self._lock:
            if self.tty and self.current is not None:
                self.out.write("\n")
            self.out.flush()
            self.current = None


def pip(*args: str, progress: PipProgress | None = None, log: IO[str] | None = None) -> None:
    cmd = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", *args]
    if progress is None or log is None:
        print("+", " ".join(cmd), flush=True)
        subprocess.run(cmd, check=True)
        return
    log.write("+ " + " ".join(cmd) + "\n")
    log.flush()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, bufsize=1
    )
    stop = threading.Event()

    def ticker() -> None:
        while not stop.wait(0.25):
            progress.tick()

    thread = threading.Thread(target=ticker, daemon=True)
    thread.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            log.write(line)
            progress.feed(line.rstrip("\n"))
        code = proc.wait()
    finally:
        stop.set()
        thread.join()
    log.flush()
    if code:
        raise subprocess.CalledProcessError(code, cmd)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dists", nargs="*", help="distribution names (default: all)")
    parser.add_argument("--test", action="store_true", help="with each package's [test] extra")
    parser.add_argument("--no-editable", action="store_true", help="build and install wheels")
    parser.add_argument(
        "--progress", action="store_true", help="one line per step; pip's output to --log"
    )
    parser.add_argument(
        "--log", type=Path, help=f"pip log for --progress (default <venv>/{LOG_NAME})"
    )
    parser.add_argument(
        "--if-changed",
        action="store_true",
        help="skip when this environment was installed from the same tree and options",
    )
    args = parser.parse_args(argv)
    dists = monorepo.load()
    chosen = monorepo.with_dependencies(args.dists or sorted(dists), dists)
    options = [f"editable={not args.no_editable}", *sorted(d.name for d in chosen)]
    stamp_file = Path(sys.prefix) / STAMP_NAME
    stamp = tree_stamp(monorepo.ROOT, options)
    if args.if_changed and is_current(stamp_file, stamp, test=args.test):
        print(f"{len(chosen)} Midstream distributions already installed from this tree (unchanged)")
        return 0
    stamp_file.unlink(missing_ok=True)  # a failed or partial install must not look current

    build_requires = {r for d in chosen for r in d.build_requires}
    if not args.no_editable and any(d.backend == "hatch" for d in chosen):
        # hatchling asks for this only through get_requires_for_build_editable,
        # which pip skips without build isolation.
        build_requires.add("editables")
    targets: list[str] = []
    for dist in chosen:
        extra = "[test]" if args.test and "test" in dist.extras else ""
        if not args.no_editable:
            targets.append("-e")
        targets.append(f"{dist.path}{extra}")
    no_deps = sorted({r for d in chosen for r in d.test_no_deps}) if args.test else []

    if not args.progress:
        pip(*sorted(build_requires))
        pip("--no-build-isolation", *targets)
        if no_deps:
            # Test-only data packages whose own dependency trees are too heavy for CI
            # (declared per package under [tool.midstream] test-no-deps).
            pip("--no-deps", *no_deps)
    else:
        log_path = args.log or Path(sys.prefix) / LOG_NAME
        progress = PipProgress([d.path.name for d in chosen], sys.stdout, tty=sys.stdout.isatty())
        started = time.monotonic()
        print(f"installing {len(chosen)} Midstream distributions from the tree (log: {log_path})")
        with log_path.open("w") as log:
            try:
                progress._begin("build tools")
                pip(*sorted(build_requires), progress=progress, log=log)
                pip("--no-build-isolation", *targets, progress=progress, log=log)
                if no_deps:
                    pip("--no-deps", *no_deps, progress=progress, log=log)
            except subprocess.CalledProcessError as exc:
                progress.finish()
                log.flush()
                tail: deque[str] = deque(log_path.open().readlines(), maxlen=40)
                sys.stdout.write("".join(tail))
                print(f"install failed (pip exit {exc.returncode}); full log: {log_path}")
                return 1
        progress.finish()
        print(f"installed in {time.monotonic() - started:.0f} s")
    stamp_file.write_text(f"{stamp} test={args.test}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
