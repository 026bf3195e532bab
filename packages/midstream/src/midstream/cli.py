"""The ``midstream`` command line.

Each subcommand is one ``_add_<name>(sub)`` function that registers its parser and
sets ``func``; user errors (``MidstreamError``, formula errors, unreadable files)
print one message on stderr and exit 2 (``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

import msgspec

import temporal_neural_solver as tns

from . import __version__
from .config import Config, default_config, load_config
from .distributions import installed
from .errors import MidstreamError
from .records import Record

__all__ = ["build_parser", "main"]

_encode = msgspec.json.Encoder().encode


def _print_json_line(rec: Record) -> None:
    sys.stdout.write(_encode(rec).decode() + "\n")


def _describe(rec: Record) -> str | None:
    """One human line for the records worth showing live (alerts, verdicts, dynamics)."""
    kind = rec["kind"]
    if kind == "alert":
        return f"ALERT {rec['severity']:8} {rec['stream']:16} {rec['detector']}: {rec['message']}"
    if kind == "verdict":
        return (
            f"verdict        {rec['stream']:16} {rec['formula']}: {rec['previous']} -> "
            f"{rec['verdict']} at event {rec['position']}"
        )
    if kind == "dynamics":
        return f"dynamics       {rec['stream']:16} {rec['class']} ({rec['reason']})"
    return None


# ---------------------------------------------------------------------- version


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


def _add_version(sub: Any) -> None:
    p = sub.add_parser("version", help="versions of the pinned distributions")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_cmd_version)


# ---------------------------------------------------------------------- analyze


def _config(args: argparse.Namespace) -> Config:
    if args.config is not None:
        return load_config(args.config)
    return default_config()


def _cmd_analyze(args: argparse.Namespace) -> int:
    import asyncio
    import concurrent.futures

    from .pipeline import Pipeline
    from .sources import BadInput, open_source

    config = _config(args)
    bad = BadInput()
    show: Callable[[Record], None]
    if args.json:
        show = _print_json_line
    else:

        def show(rec: Record) -> None:
            line = _describe(rec)
            if line is not None:
                print(line)

    async def main() -> Record:
        source = open_source(args.file, args.format, skip_bad=args.skip_bad, bad=bad)
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return await Pipeline(config, on_record=show, executor=pool).run(source)

    summary = asyncio.run(main())
    if bad.count:
        print(
            f"midstream: skipped {bad.count} bad record(s); first: {bad.first[0]}", file=sys.stderr
        )
    if not args.json:
        print(
            f"{summary['events']} events in {summary['streams']} streams, "
            f"{summary['alerts']} alerts, {bad.count} bad skipped, {summary['dropped']} dropped, "
            f"lost {summary['lost']} ({summary['events_per_s']:.0f} events/s)"
        )
    return 0


def _add_analyze(sub: Any) -> None:
    from .sources import FORMATS

    p = sub.add_parser(
        "analyze",
        help="run the pipeline over a file or stdin",
        description="Analyse a recorded or piped stream of events with the configured "
        "detectors (default: repetition loops and dynamics on every stream). Prints alerts, "
        "verdict changes and dynamics, then a summary; --json prints every output record "
        "as a JSON line.",
    )
    p.add_argument("file", help="input file, or - for stdin")
    p.add_argument("--format", choices=FORMATS, default="jsonl", help="input format")
    p.add_argument("--json", action="store_true", help="output records as JSON lines")
    p.add_argument(
        "--skip-bad",
        action="store_true",
        help="skip and count malformed records instead of failing",
    )
    p.add_argument(
        "--config", help="TOML configuration file (see examples/llm.toml, examples/sensor.toml)"
    )
    p.set_defaults(func=_cmd_analyze)


# ---------------------------------------------------------------------- check


def _cmd_check(args: argparse.Namespace) -> int:
    import asyncio

    from .detectors import compile_formula, trace_of
    from .sources import open_source

    formula = compile_formula(args.formula)
    fmt = args.format or ("csv" if args.file.endswith(".csv") else "jsonl")

    async def read() -> list[Any]:
        return [e async for e in open_source(args.file, fmt)]

    events = [e for e in asyncio.run(read()) if args.stream is None or e.stream == args.stream]
    if not events:
        raise MidstreamError(
            f"{args.file}: no events" + (f" in stream {args.stream!r}" if args.stream else "")
        )
    trace = trace_of(events)
    times = None
    if formula.has_intervals():
        t0 = events[0].t
        times = [(e.t - t0) / 1e9 for e in events]
    verdict = tns.evaluate(formula, trace, times=times, unknown="false")
    out = {
        "formula": args.formula,
        "holds": verdict.holds,
        "witness": list(verdict.witness) if verdict.witness is not None else None,
        "counterexample": list(verdict.counterexample)
        if verdict.counterexample is not None
        else None,
        "events": len(events),
    }
    if args.json:
        print(json.dumps(out))
    else:
        word = "holds" if verdict.holds else "fails"
        label = "witness" if verdict.holds else "counterexample"
        at = ", ".join(str(p) for p in verdict.positions) or "-"
        print(f"{args.formula}: {word} over {len(events)} events; {label} at event {at}")
    return 0 if verdict.holds else 1


def _add_check(sub: Any) -> None:
    p = sub.add_parser(
        "check",
        help="evaluate a temporal formula over a trace; exit 0 if it holds, 1 if not",
        description="Each event is a step: its event name is a true atom, value and fields are "
        "signals. Timed bounds may carry units (F[0,5s]). Positions are event indices (from 0).",
    )
    p.add_argument("formula", help='e.g. "G (tool_call -> F[0,5s] tool_result)"')
    p.add_argument("file", help="JSONL or CSV trace, or - for stdin (JSONL)")
    p.add_argument("--format", choices=["jsonl", "csv"], help="default: from the file name")
    p.add_argument("--stream", help="only the events of this stream")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_cmd_check)


# ---------------------------------------------------------------------- demo


def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    def live(rec: Record) -> None:
        line = _describe(rec)
        if line is not None and rec["kind"] != "verdict":
            print(line, file=sys.stderr if args.json else sys.stdout, flush=True)
        elif rec["kind"] == "stats" and not args.json:
            p99 = rec["latency_p99_ms"]
            print(
                f"stats          {rec['events']} events, {rec['events_per_s']:.0f}/s, "
                f"p99 {p99 if p99 is None else round(p99, 2)} ms, lost {rec['lost']}",
                flush=True,
            )

    result = run_demo(duration=args.duration, streams=args.streams, seed=args.seed, on_record=live)
    d = result.to_dict()
    if args.json:
        print(json.dumps(d))
        return 0 if result.ok else 1
    print(
        f"\n{d['streams']} streams over mutual-TLS QUIC (producer {d['producer_identity']!r}): "
        f"{d['sent']} events sent, {d['events']} analysed, lost {d['lost']}, "
        f"p99 latency {d['latency_p99_ms']:.2f} ms"
    )
    for fact in d["facts"]:
        mark = "found " if fact["found"] else "MISSED"
        print(f"  {mark} {fact['name']:20} {fact['stream']:14} {fact['description']}")
    for a in d["unexpected_alerts"]:
        print(f"  unexpected alert: {a['stream']} {a['detector']}: {a['message']}")
    print("every planted fact found, nothing lost" if result.ok else "NOT everything was found")
    return 0 if result.ok else 1


def _add_demo(sub: Any) -> None:
    p = sub.add_parser(
        "demo",
        help="the whole pipeline live over mutual-TLS QUIC on a bundled workload",
    )
    p.add_argument("--duration", type=float, default=5.0, help="seconds of replay (default 5)")
    p.add_argument("--streams", type=int, default=8, help="concurrent producer streams (>= 8)")
    p.add_argument("--seed", type=int, default=7, help="workload seed")
    p.add_argument(
        "--no-dashboard", action="store_true", help="plain lines instead of the live dashboard"
    )
    p.add_argument("--json", action="store_true", help="machine-readable summary on stdout")
    p.set_defaults(func=_cmd_demo)


# ---------------------------------------------------------------------- main

SUBCOMMANDS = [_add_version, _add_analyze, _add_check, _add_demo]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="midstream", description="Analyse streams while they flow."
    )
    parser.add_argument("--version", action="version", version=f"midstream {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    sub = parser.add_subparsers(dest="command", required=True)
    for add in SUBCOMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (MidstreamError, tns.TemporalLogicError, OSError) as exc:
        if args.debug:
            raise
        print(f"midstream: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
