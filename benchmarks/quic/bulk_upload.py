#!/usr/bin/env python3
"""The issue's bulk throughput at full size: upload N MB over 1 and 8 streams.

``.venv/bin/python benchmarks/quic/bulk_upload.py [--backend aioquic|qh3] [--mb 200] [--runs 3]``

The server runs in a child process (so each end has a core, as in
benchmarks/peers), counts what arrives on each stream and answers with the count;
the client checks it. Prints the median time and MB/s (10^6 bytes) per stream
count. benchmarks/peers/quic_multistream.py compares 8 MiB uploads with raw
aioquic and raw qh3 in one interleaved run; this is the long-transfer figure.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import time
from typing import Any

from quic_multistream import Stream, connect, generate_ca, issue_certificate, serve

CHUNK = 64 * 1024


def run_server(backend: str, cert: Any, ports: Any) -> None:
    async def count(stream: Stream) -> None:
        received = 0
        async for chunk in stream:
            received += len(chunk)
        await stream.send(received.to_bytes(8, "big"))
        await stream.finish()

    async def handler(conn: Any) -> None:
        tasks = set()
        async for stream in conn:
            task = asyncio.ensure_future(count(stream))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

    async def main() -> None:
        async with serve(
            "127.0.0.1",
            0,
            certificate=cert.certificate,
            private_key=cert.private_key,
            handler=handler,
            backend=backend,
        ) as server:
            ports.put(server.port)
            await asyncio.Event().wait()  # until the parent terminates us

    asyncio.run(main())


async def upload(backend: str, ca: Any, port: int, streams: int, size: int) -> float:
    payload = os.urandom(CHUNK)
    async with connect("127.0.0.1", port, ca_file=ca.certificate, backend=backend) as conn:

        async def one(share: int) -> None:
            stream = await conn.open_bi_stream()
            left = share
            while left:
                n = min(left, CHUNK)
                await stream.send(payload[:n])
                left -= n
            await stream.finish()
            assert int.from_bytes(await stream.read_all(), "big") == share

        start = time.perf_counter()
        await asyncio.gather(*(one(size // streams) for _ in range(streams)))
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("aioquic", "qh3"), default="aioquic")
    parser.add_argument("--mb", type=int, default=200, help="MB (10^6 bytes) per upload")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.mb < 1 or args.runs < 1:
        parser.error("--mb and --runs must be positive")
    ca = generate_ca("bulk upload CA")
    cert = issue_certificate(ca, "localhost", names=["localhost", "127.0.0.1"])
    ports: Any = multiprocessing.Queue()
    server = multiprocessing.Process(target=run_server, args=(args.backend, cert, ports))
    server.start()
    try:
        port = ports.get(timeout=60)
        size = args.mb * 1_000_000
        for streams in (1, 8):
            times = [
                asyncio.run(upload(args.backend, ca, port, streams, size)) for _ in range(args.runs)
            ]
            median = statistics.median(times)
            print(
                f"{args.backend}: {args.mb} MB over {streams} stream(s): median {median:.2f} s"
                f" = {size / median / 1e6:.0f} MB/s (runs: {', '.join(f'{t:.2f}' for t in times)})",
                flush=True,
            )
    finally:
        server.terminate()
        server.join()


if __name__ == "__main__":
    main()
