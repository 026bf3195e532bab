"""The ``midstream`` command line.

Each subcommand is one ``_add_<name>(sub)`` function that registers its parser and
sets ``func``; user errors (``MidstreamError``, formula errors, unreadable files)
print one message on stderr and exit 2 (``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import traceback
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


def _track(state: dict[str, dict[str, str]], rec: Record) -> None:
    """Keep the latest verdicts, dynamics class and robustness of each stream."""
    kind = rec["kind"]
    row = state.setdefault(rec["stream"], {}) if rec["stream"] else {}
    if kind == "verdict":
        verdicts = dict(v.split("=", 1) for v in row.get("verdicts", "").split("; ") if v)
        verdicts[rec["detector"]] = rec["verdict"]
        row["verdicts"] = "; ".join(f"{k}={v}" for k, v in verdicts.items())
    elif kind == "dynamics":
        row["dynamics"] = rec["class"]
    elif kind == "robustness":
        row["robustness"] = f"{rec['value']:.3g}"
    elif kind == "similarity":
        row["similarity"] = f"{rec['value']:.2f}"


def _print_table(state: dict[str, dict[str, str]], summary: Record, limit: int = 50) -> None:
    """Per-stream results as a table (at most ``limit`` rows)."""
    from rich.console import Console
    from rich.table import Table

    per_stream = summary.get("per_stream") or {}
    if not per_stream:
        return
    table = Table(title="streams", title_justify="left")
    for column in (
        "stream",
        "events",
        "alerts",
        "verdicts",
        "dynamics",
        "robustness",
        "similarity",
    ):
        table.add_column(column, justify="right" if column in ("events", "alerts") else "left")
    for name in sorted(per_stream)[:limit]:
        counts = per_stream[name]
        row = state.get(name, {})
        table.add_row(
            name,
            str(counts["events"]),
            str(counts["alerts"]),
            *(row.get(c, "-") for c in ("verdicts", "dynamics", "robustness", "similarity")),
        )
    Console(width=160).print(table)
    if len(per_stream) > limit:
        print(f"... {len(per_stream) - limit} more streams (--json has them all)")


def _cmd_analyze(args: argparse.Namespace) -> int:
    import asyncio
    import concurrent.futures

    from .pipeline import Pipeline
    from .sources import BadInput, open_sources

    config = _config(args)
    _check_collected_options(args, config)
    bad = BadInput()
    state: dict[str, dict[str, str]] = {}  # stream -> column -> latest text
    show: Callable[[Record], None]
    if args.json:
        show = _print_json_line
    else:

        def show(rec: Record) -> None:
            line = _describe(rec)
            if line is not None:
                print(line)
            _track(state, rec)

    records: list[Record] = []
    seen: list[Any] = []

    def keep(rec: Record) -> None:
        records.append(rec)
        show(rec)

    async def recorded(source: Any) -> Any:
        async for event in source:
            seen.append(event)
            yield event

    source: Any = open_sources(args.files, args.format, skip_bad=args.skip_bad, bad=bad)
    if args.report:
        source = recorded(source)

    async def live() -> Record:
        sink = keep if args.report else show
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return await Pipeline(config, on_record=sink, executor=pool).run(source)

    if args.ordered or args.dask is not None:
        records = _analyze_collected(args, config, source)
        for rec in records:
            show(rec)
        summary = records[-1]
    else:
        summary = asyncio.run(live())
    if args.report:
        title = "midstream analyze " + " ".join(args.files)
        _write_report(args.report, records, _series(seen), title)
    if bad.count:
        print(
            f"midstream: skipped {bad.count} bad record(s); first: {bad.first[0]}", file=sys.stderr
        )
    if not args.json:
        _print_table(state, summary)
        print(
            f"{summary['events']} events in {summary['streams']} streams, "
            f"{summary['alerts']} alerts, {bad.count} bad skipped, {summary['dropped']} dropped, "
            f"lost {summary['lost']} ({summary['events_per_s']:.0f} events/s)"
        )
    return 0


def _check_collected_options(args: argparse.Namespace, config: Config) -> None:
    """Option errors of --ordered/--dask, before any input is read or cluster started."""
    if args.dask is None:
        if args.partitions is not None:
            raise MidstreamError("--partitions: only with --dask")
        if args.dask_timeout is not None:
            raise MidstreamError("--dask-timeout: only with --dask")
        return
    from .cluster import parse_address
    from .partition import check_partitionable

    parse_address(args.dask)
    check_partitionable(config)
    if args.partitions is not None and args.partitions < 1:
        raise MidstreamError(f"--partitions: must be >= 1, got {args.partitions}")
    if args.dask_timeout is not None and not args.dask_timeout > 0:
        raise MidstreamError(f"--dask-timeout: must be > 0 seconds, got {args.dask_timeout}")


def _analyze_collected(args: argparse.Namespace, config: Config, source: Any) -> list[Record]:
    """--ordered (one partition, here) or --dask (partitions on a cluster): every record
    collected, then merged in the deterministic order of midstream.partition."""
    import asyncio
    import concurrent.futures
    import time

    from .partition import analyse_partition, buffer_events, merge_results

    if args.dask is None:
        started = time.monotonic()

        async def here() -> list[Any]:
            with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
                return [await analyse_partition(config, source, pool)]

        results = asyncio.run(here())
    else:
        from .cluster import analyse_on_cluster, connect

        timeout = args.dask_timeout if args.dask_timeout is not None else 10.0
        with connect(args.dask, timeout=timeout) as client:
            started = time.monotonic()  # a local cluster's start-up is not analysis time
            events = asyncio.run(buffer_events(source, config))
            results = analyse_on_cluster(client, config, events, args.partitions)
    return merge_results(results, time.monotonic() - started, now_ns=time.time_ns())


def _add_analyze(sub: Any) -> None:
    from .sources import FORMATS

    p = sub.add_parser(
        "analyze",
        help="run the pipeline over files or stdin, here or on a Dask cluster",
        description="Analyse recorded or piped streams of events with the configured "
        "detectors (default: repetition loops and dynamics on every stream). Prints alerts, "
        "verdict changes and dynamics, then a summary; --json prints every output record "
        "as a JSON line. Several files are read one after another, as if concatenated. "
        "Records appear as analysis produces them, so streams interleave differently from "
        "run to run; --ordered and --dask print them in one deterministic order (by event "
        "time, then stream, detector and sequence) after the whole input is analysed.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="input files, or - for stdin")
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
    p.add_argument(
        "--report", metavar="DIR", help="write an HTML report with PNG figures (plot extra)"
    )
    p.add_argument(
        "--ordered",
        action="store_true",
        help="collect every record and print them in the deterministic order --dask uses",
    )
    p.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="analyse on Dask (dask extra): a scheduler address (tcp://host:8786), or "
        "local / local:N to start N worker processes for this run (default: one per CPU). "
        "Streams are split across workers, never a stream; output as with --ordered",
    )
    p.add_argument(
        "--partitions",
        type=int,
        help="--dask: groups of streams to analyse as separate tasks (default: 4 per "
        "worker thread, at most one per stream)",
    )
    p.add_argument(
        "--dask-timeout",
        type=float,
        metavar="SECONDS",
        help="--dask: how long to wait for the scheduler and a worker (default 10)",
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


def _series(events: Any) -> dict[str, tuple[list[int], list[float]]]:
    """Each stream's numeric ``value`` signal, for the report's figures."""
    from .report import SeriesCollector

    collector = SeriesCollector()
    for e in events:
        collector.add(e)
    return collector.series()


def _write_report(directory: str, records: list[Record], series: Any, title: str) -> None:
    from .report import write_report

    result = write_report(directory, records, series, title=title)
    print(
        f"report: {result.index} ({len(result.figures)} figures)",
        file=sys.stderr,
    )


def _cmd_demo(args: argparse.Namespace) -> int:
    from rich.console import Console

    from .dashboard import Dashboard
    from .demo import run_demo
    from .workload import make_workload

    def plain(rec: Record) -> None:
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

    def run(on_record: Callable[[Record], None]) -> Any:
        return run_demo(
            duration=args.duration, streams=args.streams, seed=args.seed, on_record=on_record
        )

    if args.json or args.no_dashboard:
        result = run(plain)
    else:
        with Dashboard(Console(), duration=args.duration, title="midstream demo") as board:
            result = run(board.update)
    d = result.to_dict()
    if args.report:
        workload = make_workload(args.seed, extra=args.streams - 8)
        series = _series(e for evs in workload.streams.values() for e in evs)
        _write_report(args.report, result.records, series, "midstream demo")
    if args.json:
        print(json.dumps(d))
        return 0 if result.ok else 1
    print(
        f"\n{d['streams']} streams over mutual-TLS QUIC: {d['sent']} events sent, "
        f"{d['received']} received ({d['duplicates']} duplicates), {d['events']} analysed, "
        f"lost {d['lost']}; latency p50 {d['latency_p50_ms']:.2f} ms, "
        f"p99 {d['latency_p99_ms']:.2f} ms; {d['alerts_returned']} alerts returned to producers"
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
    p.add_argument(
        "--report", metavar="DIR", help="write an HTML report with PNG figures (plot extra)"
    )
    p.set_defaults(func=_cmd_demo)


# ------------------------------------------------------- serve, send, bench


def _transport_errors(args: argparse.Namespace, run: Callable[[], int]) -> int:
    """Run a network command: a user error is one stderr line (``--debug``: traceback)."""
    from quic_multistream import QuicError

    try:
        return run()
    except KeyboardInterrupt:
        print(f"midstream {args.command}: interrupted", file=sys.stderr)
        return 130
    except (MidstreamError, QuicError, OSError) as exc:
        if args.debug:
            traceback.print_exc()
        print(f"midstream {args.command}: {_flag_names(str(exc))}", file=sys.stderr)
        return 2


# Library argument names as the serve/send command lines spell them.
_FLAGS = {
    "certificate": "--cert",
    "private_key": "--key",
    "client_ca": "--client-ca",
    "ca_file": "--ca",
    "client_certificate": "--cert",
    "client_key": "--key",
}


def _flag_names(message: str) -> str:
    for name, flag in _FLAGS.items():
        message = re.sub(rf"(^|match ){name}\b", rf"\g<1>{flag}", message)
    return message


def _cmd_serve(args: argparse.Namespace) -> int:
    from .serve import check_readable
    from .transport_cli import run_server

    def run() -> int:
        check_readable(args.cert, "--cert")
        check_readable(args.key, "--key")
        check_readable(args.client_ca, "--client-ca")
        check_readable(args.config, "--config")
        return run_server(args)

    return _transport_errors(args, run)


def _cmd_send(args: argparse.Namespace) -> int:
    from .serve import check_readable
    from .transport_cli import run_sender

    def run() -> int:
        for path, flag in ((args.ca, "--ca"), (args.cert, "--cert"), (args.key, "--key")):
            check_readable(path, flag)
        return run_sender(args)

    return _transport_errors(args, run)


def _cmd_bench(args: argparse.Namespace) -> int:
    from .bench import find_peer_benchmarks, quic_throughput

    def run() -> int:
        if args.quic:
            result = quic_throughput(args.events, args.sources, args.batch)
            if args.json:
                print(json.dumps(result.to_dict()))
            else:
                print(
                    f"QUIC send -> serve, loopback, mutual TLS: {result.events} events "
                    f"({result.event_bytes} B of JSON each) from {result.sources} sources, "
                    f"{result.batch_events} per batch: {result.seconds:.2f} s = "
                    f"{result.events_per_s:,.0f} events/s"
                )
            return 0
        runner = find_peer_benchmarks()
        cmd = [sys.executable, str(runner), *args.modules]
        if args.keyword:
            cmd += ["-k", args.keyword]
        if args.repeat:
            cmd += ["--repeat", str(args.repeat)]
        return subprocess.run(cmd, check=False).returncode

    return _transport_errors(args, run)


def _add_debug(p: argparse.ArgumentParser) -> None:
    # SUPPRESS: without the flag here, `midstream --debug serve` keeps the top-level value.
    p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="tracebacks")


def _add_serve(sub: Any) -> None:
    p = sub.add_parser(
        "serve",
        help="receive events from `midstream send` over QUIC and write them as JSON lines",
        description="Receive events over QUIC (one stream per source, exactly once) and "
        "write them as JSON lines. Production: pass --client-ca so only clients with a "
        "certificate from that CA may send (mutual TLS).",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=4433, help="UDP port (0: pick a free one)")
    p.add_argument("--cert", required=True, help="server certificate chain (PEM file)")
    p.add_argument("--key", required=True, help="server private key (PEM file)")
    p.add_argument("--client-ca", help="CA (PEM) that client certificates must chain to")
    p.add_argument(
        "--analyze",
        action="store_true",
        help="run the pipeline on the received events: write its records instead of the "
        "events, and send each alert back to the connected senders (CRITICAL priority)",
    )
    p.add_argument("--config", help="pipeline configuration (TOML) for --analyze")
    p.add_argument("--out", default="-", help="where to write events or records (default stdout)")
    p.add_argument("--sources", type=int, help="exit after this many sources completed")
    p.add_argument("--quiet", action="store_true", help="no status lines on stderr")
    _add_debug(p)
    p.set_defaults(func=_cmd_serve)


def _add_send(sub: Any) -> None:
    p = sub.add_parser(
        "send",
        help="send JSONL files or stdin to `midstream serve` over QUIC",
        description="Send events (JSON objects, one per line) to a `midstream serve`. "
        "Each input is one source on its own QUIC stream; after a dropped connection "
        "the sender reconnects and resumes without losing or repeating events.",
    )
    p.add_argument("inputs", nargs="+", metavar="FILE", help="JSONL file, or - for stdin")
    p.add_argument("--host", default="127.0.0.1", help="server address")
    p.add_argument("--port", type=int, default=4433, help="server UDP port")
    p.add_argument("--ca", help="CA (PEM) to verify the server against (default: system)")
    p.add_argument("--cert", help="client certificate (PEM) for mutual TLS")
    p.add_argument("--key", help="client private key (PEM) for mutual TLS")
    p.add_argument("--server-name", help="name to verify in the server certificate")
    p.add_argument("--source", action="append", help="source id per input (default: file stem)")
    p.add_argument(
        "--resume",
        action="store_true",
        help="the inputs were sent before and interrupted: skip what the server already has",
    )
    p.add_argument("--retry-for", type=float, default=30.0, help="seconds to keep reconnecting")
    p.add_argument("--batch", type=int, default=512, help="events per QUIC message")
    p.add_argument("--json", action="store_true", help="print the final report as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    _add_debug(p)
    p.set_defaults(func=_cmd_send)


def _add_bench(sub: Any) -> None:
    p = sub.add_parser(
        "bench",
        help="peer-comparison tables of the installed packages, or --quic events/s",
        description="Run benchmarks/peers/run.py of the source tree (peers must be "
        "installed: ./scripts/bench-peers makes that environment), or with --quic measure "
        "events/s from send to serve over loopback with mutual TLS.",
    )
    p.add_argument("modules", nargs="*", help="peer modules (default: all)")
    p.add_argument("-k", dest="keyword", default="", help="only workloads whose name has this")
    p.add_argument("--repeat", type=int, help="override each workload's repeat")
    p.add_argument("--quic", action="store_true", help="measure QUIC send -> serve events/s")
    p.add_argument("--events", type=int, default=200_000, help="--quic: events in all")
    p.add_argument("--sources", type=int, default=4, help="--quic: concurrent sources")
    p.add_argument("--batch", type=int, default=512, help="--quic: events per message")
    p.add_argument("--json", action="store_true", help="--quic: print JSON")
    _add_debug(p)
    p.set_defaults(func=_cmd_bench)


# ---------------------------------------------------------------------- main

SUBCOMMANDS = [_add_version, _add_analyze, _add_check, _add_demo, _add_serve, _add_send, _add_bench]


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
