"""The ``midstream`` command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from . import __version__
from .demo import run_demo
from .distributions import installed

__all__ = ["main"]


def _cmd_version(args: argparse.Namespace) -> int:
    statuses = installed()
    if args.json:
        print(json.dumps({"midstream": __version__, "pinned": [s.to_dict() for s in statuses]}))
    else:
        print(f"midstream {__version__}")
        for s in statuses:
            mark = "ok" if s.matches else "MISMATCH"
            print(f"  {s.name:28} {s.installed or 'not installed':10} pinned {s.pinned:10} {mark}")
    return 0 if all(s.matches for s in statuses) else 1


def _cmd_demo(args: argparse.Namespace) -> int:
    def progress(msg: str) -> None:
        print(f"[demo] {msg}", file=sys.stderr)

    report = run_demo(samples=args.samples, window=args.window, seed=args.seed, progress=progress)
    if args.json:
        print(json.dumps(report.to_dict()))
        return 0
    print(f"stream of {report.samples} samples, window {report.window}")
    print(
        f"newest window best repeats the one at {report.best_match_start} "
        f"(euclidean {report.best_match_distance:.3f})"
    )
    for start, dist in report.closest_windows:
        print(f"  window at {start:5d}  distance {dist:.3f}")
    print(f"mean phase-space neighbour distance {report.mean_neighbor_distance:.4f}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="midstream", description="Analyse streams while they flow."
    )
    parser.add_argument("--version", action="version", version=f"midstream {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("version", help="versions of the pinned distributions")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_version)
    p = sub.add_parser("demo", help="run the end-to-end demo on embedded defaults")
    p.add_argument("--samples", type=int, default=2000)
    p.add_argument("--window", type=int, default=50)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ValueError as exc:
        print(f"midstream: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
