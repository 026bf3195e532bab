"""The ``midstream`` command line."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import traceback
from collections.abc import Callable, Sequence

from . import __version__
from .demo import run_demo
from .distributions import installed
from .errors import MidstreamError

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

    report = run_demo(
        samples=args.samples,
        chunk=args.chunk,
        period_us=args.period_us,
        seed=args.seed,
        progress=progress,
    )
    if args.json:
        print(json.dumps(report.to_dict()))
        return 0 if report.detected_all else 1
    r = report
    print(
        f"stream: {r.samples} Lorenz samples in {r.chunks} chunks, events planted at "
        f"{list(r.planted_at)}"
    )
    print("detections (StreamMatcher, SPRING DTW):")
    for start, end, distance in r.matches:
        print(f"  samples {start:5d}-{end:5d}  DTW distance {distance:.2f}")
    print(
        f"scheduler (EDF): {r.deadline_misses} deadline misses; dispatch latency "
        f"p50 {r.dispatch_latency_p50_us:.0f} us, p99 {r.dispatch_latency_p99_us:.0f} us"
    )
    print(
        f"QUIC (mutual TLS, sensor {r.sensor_identity!r}): {r.alerts_acknowledged} alerts "
        f"acknowledged, RTT p50 {r.alert_rtt_p50_ms:.2f} ms; "
        f"{r.telemetry_messages} telemetry messages"
    )
    print(
        f"LTL monitor 'G (match -> F acked)': {r.monitor_verdict}; "
        f"STL 'G (x < 30)' robustness {r.stl_robustness:.2f}"
    )
    print(
        f"dynamics: {r.attractor_type}, largest Lyapunov exponent {r.lyapunov_exponent:.3f} "
        f"(published Lorenz value 0.906)"
    )
    print(f"all planted events found and nothing else: {r.detected_all} ({r.seconds:.2f} s)")
    return 0 if r.detected_all else 1


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


def _add_transport_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    p.add_argument("--out", default="-", help="where to write events (default stdout)")
    p.add_argument("--sources", type=int, help="exit after this many sources completed")
    p.add_argument("--quiet", action="store_true", help="no status lines on stderr")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    p.set_defaults(func=_cmd_serve)

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
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    p.set_defaults(func=_cmd_send)

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
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    p.set_defaults(func=_cmd_bench)


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
    p.add_argument("--samples", type=int, default=10_000, help="stream length (>= 3000)")
    p.add_argument("--chunk", type=int, default=100, help="samples per arriving chunk")
    p.add_argument("--period-us", type=int, default=2000, help="time between chunk arrivals")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_demo)
    _add_transport_commands(sub)
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
