"""What ``midstream serve`` and ``midstream send`` run: files, stdout and status lines
around :func:`~midstream.serve.serve_events` and :func:`~midstream.send.send_events`."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

from .errors import MidstreamError
from .send import SendProgress, read_json_lines, send_events
from .serve import EventServer, serve_events

__all__ = ["run_sender", "run_server"]


def _status(quiet: bool, text: str) -> None:
    if not quiet:
        print(text, file=sys.stderr, flush=True)


def run_server(args: argparse.Namespace) -> int:
    """``midstream serve``: write received events as JSON lines until stopped."""
    if args.config and not args.analyze:
        raise MidstreamError("--config: only with --analyze")
    if args.sources is not None and args.sources < 1:
        raise MidstreamError(f"--sources: must be >= 1, got {args.sources}")
    with ExitStack() as stack:
        out: IO[bytes] = (
            sys.stdout.buffer if args.out == "-" else stack.enter_context(open(args.out, "ab"))
        )

        async def main() -> None:
            async with serve_events(
                args.host,
                args.port,
                certificate=args.cert,
                private_key=args.key,
                client_ca=args.client_ca,
                stop_after_sources=args.sources,
            ) as server:
                loop = asyncio.get_running_loop()
                loop.add_signal_handler(signal.SIGTERM, server.stop)
                auth = (
                    f"mutual TLS, clients verified against {args.client_ca}"
                    if args.client_ca
                    else "TLS without client certificates: any client may send "
                    "(pass --client-ca in production)"
                )
                _status(args.quiet, f"listening on {args.host}:{server.port} ({auth})")
                if args.analyze:
                    await _analyze(server, out, args.config)
                else:
                    async for _, events in server.batches():
                        out.write(b"\n".join(events) + b"\n")
                        out.flush()
                stats = server.stats
                _status(
                    args.quiet,
                    f"received {stats.events} events from {stats.sources} sources over "
                    f"{stats.connections} connections ({stats.duplicates} duplicates dropped)",
                )

        asyncio.run(main())
    return 0


async def _analyze(server: EventServer, out: IO[bytes], config_path: str | None) -> None:
    """Run the pipeline over the received events: records to ``out``, alerts back to
    the senders (CRITICAL control streams)."""
    import concurrent.futures

    from .config import default_config, load_config
    from .pipeline import Pipeline

    config = load_config(config_path) if config_path else default_config()

    async def sink(record: dict[str, Any]) -> None:
        out.write(json.dumps(record).encode() + b"\n")
        out.flush()
        if record.get("kind") == "alert":
            await server.send_alert(record)

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        # The summary record reaches the sink too, as the last record.
        await Pipeline(config, on_record=sink, executor=pool).run(server.events())


def _progress_printer(
    quiet: bool, where: str
) -> tuple[Callable[[SendProgress], None] | None, float]:
    tty = sys.stderr.isatty()

    def show(p: SendProgress) -> None:
        if not p.connections:
            text = f"connecting to {where}, {p.events_read:,} events read"
        else:
            text = (
                f"sent {p.events_acked:,} events acknowledged, {p.events_read:,} read"
                + (f", {p.events_skipped:,} skipped (resume)" if p.events_skipped else "")
                + f", {p.events_per_s:,.0f} events/s, connection {p.connections}"
            )
        if tty:
            print("\r" + text + "\033[K", end="", file=sys.stderr, flush=True)
        else:
            print(text, file=sys.stderr, flush=True)

    return (None if quiet else show), (0.2 if tty else 2.0)


def run_sender(args: argparse.Namespace) -> int:
    """``midstream send``: send the inputs; print alerts that come back to stdout."""
    if args.source and len(args.source) != len(args.inputs):
        raise MidstreamError(
            f"--source: give one per input ({len(args.inputs)} inputs, {len(args.source)} ids)"
        )
    if args.inputs.count("-") > 1:
        raise MidstreamError("FILE: stdin (-) can be read only once")
    names = args.source or [("stdin" if p == "-" else Path(p).stem) for p in args.inputs]
    if len(set(names)) != len(names):
        raise MidstreamError(f"inputs have the same source id {names}; name them with --source")
    with ExitStack() as stack:
        files: list[tuple[str, IO[bytes], str]] = []
        for path, name in zip(args.inputs, names, strict=True):
            if path == "-":
                files.append((name, sys.stdin.buffer, "<stdin>"))
                continue
            p = Path(path)
            if not p.is_file():
                raise MidstreamError(f"FILE: no such file: {path}")
            files.append((name, stack.enter_context(p.open("rb")), path))
        show, interval = _progress_printer(args.quiet, f"{args.host}:{args.port}")

        def on_alert(record: bytes) -> None:
            sys.stdout.buffer.write(record + b"\n")
            sys.stdout.flush()

        started = time.perf_counter()
        report = asyncio.run(
            send_events(
                [(name, read_json_lines(f, label)) for name, f, label in files],
                args.host,
                args.port,
                ca_file=args.ca,
                client_certificate=args.cert,
                client_key=args.key,
                server_name=args.server_name,
                resume=args.resume,
                retry_for=args.retry_for,
                batch_events=args.batch,
                progress=show,
                progress_interval=interval,
                on_alert=on_alert,
            )
        )
    if show is not None and sys.stderr.isatty():
        print(file=sys.stderr)
    _status(
        args.quiet,
        f"sent {report.events:,} events from {report.sources} source(s) in "
        f"{time.perf_counter() - started:.2f} s ({report.events_per_s:,.0f} events/s) over "
        f"{report.connections} connection(s)"
        + (f"; {report.skipped:,} already on the server (resume)" if report.skipped else ""),
    )
    if args.json:
        print(json.dumps(report.to_dict()))
    return 0
