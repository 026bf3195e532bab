#!/usr/bin/env python3
"""Run the side-by-side peer comparisons and print a Markdown table.

``python benchmarks/peers/run.py [module ...] [--repeat N] [-k SUBSTRING]``

Modules are the files beside this one named after a package's import name
(``temporal_compare.py``, ...); each defines ``WORKLOADS: list[Workload]``.
Run it inside the environment made by ``scripts/bench-peers``.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
# Workload files are named after the package they measure (temporal_compare.py), so
# this folder must come after site-packages: the real package wins `import
# temporal_compare`, and `import harness` still resolves here.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]

from harness import format_table, run_workload  # noqa: E402


def load_workloads(name: str) -> ModuleType:
    """Load ``<name>.py`` from this folder under a name that cannot shadow a package."""
    spec = importlib.util.spec_from_file_location(f"peer_workloads_{name}", HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses defined in it look their module up here
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    available = sorted(p.stem for p in HERE.glob("*.py") if p.stem not in {"harness", "run"})
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help=f"any of: {', '.join(available)}")
    parser.add_argument("--repeat", type=int, default=None, help="override each workload's repeat")
    parser.add_argument("-k", dest="keyword", default="", help="only workloads whose name has this")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.modules) - set(available))
    if unknown:
        parser.error(f"unknown module(s) {', '.join(unknown)}; choose from {', '.join(available)}")
    for name in args.modules or available:
        module = load_workloads(name)
        rows = []
        for workload in module.WORKLOADS:
            if args.keyword in workload.name:
                print(f"running {name}: {workload.name}", file=sys.stderr, flush=True)
                rows.extend(run_workload(workload, args.repeat))
        if rows:
            print(f"\n### {name}\n\n{format_table(rows)}\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
