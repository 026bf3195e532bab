#!/usr/bin/env python3
"""Leak check at the issue's scale: N connect/echo/close cycles against one server.

``.venv/bin/python benchmarks/quic/connect_cycles.py [--backend aioquic|qh3] [--cycles 1000]``

Prints, after 100 cycles and after each further quarter of the run: process RSS,
memory traced by tracemalloc (Python objects), asyncio tasks beyond the server's
own, and live ``Connection`` objects (both ends; the loop's last client is one).
The test suite runs the same loop scaled down (test_network_robustness.py); this
is the full-size run for a closing note.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import time
import tracemalloc
import weakref

from quic_multistream import Connection, connect, generate_ca, issue_certificate, serve


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def run(backend: str, cycles: int) -> None:
    ca = generate_ca("cycles CA")
    cert = issue_certificate(ca, "localhost", names=["localhost", "127.0.0.1"])
    alive: weakref.WeakSet[Connection] = weakref.WeakSet()

    async def echo(conn: Connection) -> None:
        alive.add(conn)
        stream = await conn.accept_bi_stream()
        await stream.send_message(await stream.recv_message())
        await stream.finish()

    async with serve(
        "127.0.0.1",
        0,
        certificate=cert.certificate,
        private_key=cert.private_key,
        handler=echo,
        backend=backend,
    ) as server:
        baseline = len(asyncio.all_tasks())
        start = time.perf_counter()
        for i in range(1, cycles + 1):
            async with connect(
                "127.0.0.1", server.port, ca_file=ca.certificate, backend=backend
            ) as conn:
                alive.add(conn)
                stream = await conn.open_bi_stream()
                await stream.send_message(i.to_bytes(4, "big"))
                assert await stream.recv_message() == i.to_bytes(4, "big")
                await stream.finish()
            if i == 100 or i % (cycles // 4) == 0:
                for _ in range(200):  # let the server notice the last close
                    if not server.connections and len(asyncio.all_tasks()) <= baseline:
                        break
                    await asyncio.sleep(0.02)
                gc.collect()
                traced = tracemalloc.get_traced_memory()[0] / 1024
                print(
                    f"{backend}: after {i} cycles: RSS {rss_mib():.1f} MiB, "
                    f"traced {traced:.0f} KiB, extra tasks "
                    f"{len(asyncio.all_tasks()) - baseline}, live Connections {len(alive)}",
                    flush=True,
                )
        elapsed = time.perf_counter() - start
    print(f"{backend}: {cycles} cycles in {elapsed:.1f} s ({elapsed / cycles * 1e3:.0f} ms each)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("aioquic", "qh3"), default="aioquic")
    parser.add_argument("--cycles", type=int, default=1000)
    args = parser.parse_args()
    if args.cycles < 100:
        parser.error("--cycles must be at least 100")
    tracemalloc.start()
    asyncio.run(run(args.backend, args.cycles))


if __name__ == "__main__":
    main()
