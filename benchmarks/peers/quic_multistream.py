"""quic-multistream against raw aioquic, raw qh3 and asyncio TCP/TLS, on loopback.

Servers run in a child process (this file with ``--serve DIR``) so client and
server use both cores; clients run on one persistent event loop in the harness
process. Every stream starts with one mode byte: ``E`` echoes bytes back, ``S``
sinks bytes and answers the 8-byte count at end of stream.

The "qh3 backend" rows compare quic-multistream on qh3 (``backend="qh3"``) with
raw qh3 and with quic-multistream on aioquic; they are skipped without qh3.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import ssl
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from harness import Workload  # first: it puts the installed package ahead of this file

# isort: split
from aioquic.asyncio import connect as aq_connect
from aioquic.asyncio import serve as aq_serve
from aioquic.quic.configuration import QuicConfiguration

import quic_multistream as qm

HERE = Path(__file__).resolve().parent

try:
    from qh3.asyncio import connect as qh3_connect
    from qh3.asyncio import serve as qh3_serve
    from qh3.quic.configuration import QuicConfiguration as Qh3Configuration
except ImportError:  # the qh3 rows are left out
    qh3_connect = qh3_serve = Qh3Configuration = None

ALPN = ["midstream/1"]
PAYLOAD = b"x" * 64
BULK = 8 * 1024 * 1024  # bytes per throughput sample (the issue's 200 MB, scaled)


# -- servers (child process) ------------------------------------------------------------


async def _serve_stream(recv, send, finish) -> None:
    # Clients end connections while streams are open (timed samples stop there).
    with contextlib.suppress(Exception):
        await _serve_stream_inner(recv, send, finish)


async def _serve_stream_inner(recv, send, finish) -> None:
    mode = await recv(1)
    if mode == b"L":  # length-prefixed sink, for transports without half-close
        header = b""
        while len(header) < 8:
            header += await recv(8 - len(header))
        left = int.from_bytes(header, "big")
        while left:
            left -= len(await recv(min(left, 65536)))
        await send(int.from_bytes(header, "big").to_bytes(8, "big"))
    elif mode == b"E":
        while chunk := await recv(65536):
            await send(chunk)
    else:
        n = 0
        while chunk := await recv(65536):
            n += len(chunk)
        await send(n.to_bytes(8, "big"))
    await finish()


async def _ours_handler(conn) -> None:
    tasks = set()
    async for s in conn:

        async def finish(s=s):
            await s.finish()

        t = asyncio.ensure_future(_serve_stream(s.recv, s.send, finish))
        tasks.add(t)
        t.add_done_callback(tasks.discard)


_SERVER_TASKS: set[asyncio.Task[None]] = set()


def _aq_stream_handler(reader, writer) -> None:
    async def recv(n):
        return await reader.read(n)

    async def send(data):
        writer.write(data)

    async def finish():
        writer.write_eof()

    task = asyncio.ensure_future(_serve_stream(recv, send, finish))
    _SERVER_TASKS.add(task)
    task.add_done_callback(_SERVER_TASKS.discard)


async def _tcp_handler(reader, writer) -> None:
    async def recv(n):
        return await reader.read(n)

    async def send(data):
        writer.write(data)
        await writer.drain()

    async def finish():
        writer.close()

    await _serve_stream(recv, send, finish)


async def _serve_all(cert_dir: Path) -> None:
    cert, key = cert_dir / "server.pem", cert_dir / "server.key"
    ours = await qm.serve(
        "127.0.0.1",
        0,
        certificate=cert,
        private_key=key,
        handler=_ours_handler,
        max_streams=2048,
        allow_0rtt=True,
    )
    cfg = QuicConfiguration(is_client=False, alpn_protocols=ALPN)
    cfg.load_cert_chain(cert, key)
    tickets: dict[bytes, Any] = {}
    raw = await aq_serve(
        "127.0.0.1",
        0,
        configuration=cfg,
        stream_handler=_aq_stream_handler,
        session_ticket_fetcher=tickets.pop,
        session_ticket_handler=lambda t: tickets.__setitem__(t.ticket, t),
    )
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    tcp = await asyncio.start_server(_tcp_handler, "127.0.0.1", 0, ssl=tls)
    ports = {
        "ours": ours.port,
        "raw": raw._transport.get_extra_info("sockname")[1],
        "tcp": tcp.sockets[0].getsockname()[1],
    }
    if qh3_serve is not None:
        ours_qh3 = await qm.serve(
            "127.0.0.1",
            0,
            certificate=cert,
            private_key=key,
            handler=_ours_handler,
            max_streams=2048,
            backend="qh3",
        )
        qcfg = Qh3Configuration(is_client=False, alpn_protocols=ALPN)
        qcfg.load_cert_chain(cert, key)
        raw_qh3 = await qh3_serve(
            "127.0.0.1", 0, configuration=qcfg, stream_handler=_aq_stream_handler
        )
        ports["ours_qh3"] = ours_qh3.port
        ports["raw_qh3"] = raw_qh3._transport.get_extra_info("sockname")[1]
    print(json.dumps(ports), flush=True)
    await asyncio.Event().wait()


# -- clients (harness process) -------------------------------------------------------------


class _Bench:
    """Server process, client loop and long-lived connections, made once."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="qm-bench-"))
        ca = qm.generate_ca()
        ca.write(self.dir / "ca.pem", self.dir / "ca.key")
        qm.issue_certificate(ca, "localhost", names=["localhost", "127.0.0.1"]).write(
            self.dir / "server.pem", self.dir / "server.key"
        )
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(self.dir)], stdout=subprocess.PIPE, text=True
        )
        self.ports = json.loads(self.proc.stdout.readline())
        self.loop = asyncio.new_event_loop()
        self.stack = contextlib.AsyncExitStack()
        self.ca = str(self.dir / "ca.pem")
        self.closing: set[asyncio.Task[None]] = set()
        self.run(self._open())

    def run(self, coro):
        return self.loop.run_until_complete(coro)

    def ours(self, backend: str = "aioquic", port: int | None = None, **kw):
        return qm.connect(
            "127.0.0.1",
            port or self.ports["ours" if backend == "aioquic" else "ours_qh3"],
            backend=backend,
            ca_file=self.ca,
            server_name="localhost",
            max_streams=2048,
            **kw,
        )

    def raw_config(self) -> QuicConfiguration:
        cfg = QuicConfiguration(is_client=True, alpn_protocols=ALPN, server_name="localhost")
        cfg.load_verify_locations(self.ca)
        return cfg

    async def _open(self) -> None:
        # Long-lived: rows far apart (the 1,000-stream row takes a while) must not
        # find it closed by the 30 s idle timeout ("ours on aioquic" in the qh3 rows).
        self.conn = await self.stack.enter_async_context(self.ours(keepalive_interval=5.0))
        self.raw = await self.stack.enter_async_context(
            aq_connect("127.0.0.1", self.ports["raw"], configuration=self.raw_config())
        )
        ctx = ssl.create_default_context(cafile=self.ca)
        self.tcp_r, self.tcp_w = await asyncio.open_connection(
            "127.0.0.1", self.ports["tcp"], ssl=ctx, server_hostname="localhost"
        )
        self.tcp_w.write(b"E")
        self.echo = await self.conn.open_bi_stream()
        await self.echo.send(b"E")
        self.raw_r, self.raw_w = await self.raw.create_stream()
        self.raw_w.write(b"E")

    async def open_qh3(self) -> None:
        """Fresh qh3 connections (ones from an earlier row may have idled out)."""
        if qh3_connect is not None:
            self.conn_qh3 = await self.stack.enter_async_context(self.ours(backend="qh3"))
            qcfg = Qh3Configuration(is_client=True, alpn_protocols=ALPN, server_name="localhost")
            qcfg.load_verify_locations(self.ca)
            self.raw_qh3 = await self.stack.enter_async_context(
                qh3_connect("127.0.0.1", self.ports["raw_qh3"], configuration=qcfg)
            )
            self.echo_qh3 = await self.conn_qh3.open_bi_stream()
            await self.echo_qh3.send(b"E")
            self.raw_qh3_r, self.raw_qh3_w = await self.raw_qh3.create_stream()
            self.raw_qh3_w.write(b"E")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.run(self.stack.aclose())
        self.proc.terminate()
        self.proc.wait(timeout=10)


_BENCH: _Bench | None = None


def _bench() -> tuple[_Bench]:
    global _BENCH
    if _BENCH is None:
        _BENCH = _Bench()
        import atexit

        atexit.register(_BENCH.close)
    return (_BENCH,)


async def _ours_recv_exact(s, n: int) -> bytes:
    parts, got = [], 0
    while got < n:
        chunk = await s.recv(n - got)
        if not chunk:
            raise EOFError
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


async def _ours_new_stream(conn) -> bytes:
    s = await conn.open_bi_stream()
    await s.send(b"E" + PAYLOAD)
    await s.finish()
    return await s.read_all()


# echo RTT


def ours_echo(b: _Bench, backend: str = "aioquic") -> bytes:
    echo = b.echo if backend == "aioquic" else b.echo_qh3

    async def go():
        await echo.send(PAYLOAD)
        return await _ours_recv_exact(echo, 64)

    return b.run(go())


def raw_echo(b: _Bench, backend: str = "aioquic") -> bytes:
    r, w = (b.raw_r, b.raw_w) if backend == "aioquic" else (b.raw_qh3_r, b.raw_qh3_w)

    async def go():
        w.write(PAYLOAD)
        return await r.readexactly(64)

    return b.run(go())


def tcp_echo(b: _Bench) -> bytes:
    async def go():
        b.tcp_w.write(PAYLOAD)
        return await b.tcp_r.readexactly(64)

    return b.run(go())


# new stream per message


def ours_new_stream(b: _Bench) -> bytes:
    return b.run(_ours_new_stream(b.conn))


def raw_new_stream(b: _Bench) -> bytes:
    async def go():
        r, w = await b.raw.create_stream()
        w.write(b"E" + PAYLOAD)
        w.write_eof()
        return await r.read()

    return b.run(go())


# throughput

_BLOCK = b"t" * 65536


def ours_throughput(b: _Bench, streams: int, priority: Any = None, backend: str = "aioquic") -> int:
    conn = b.conn if backend == "aioquic" else b.conn_qh3

    async def one(n):
        s = await conn.open_bi_stream(priority or qm.StreamPriority.NORMAL)
        await s.send(b"S")
        for _ in range(n // len(_BLOCK)):
            await s.send(_BLOCK)
        await s.finish()
        return int.from_bytes(await s.read_all(), "big")

    async def go():
        return sum(await asyncio.gather(*(one(BULK // streams) for _ in range(streams))))

    return b.run(go())


def raw_throughput(b: _Bench, streams: int, backend: str = "aioquic") -> int:
    conn = b.raw if backend == "aioquic" else b.raw_qh3

    async def one(n):
        r, w = await conn.create_stream()
        w.write(b"S")
        for _ in range(n // len(_BLOCK)):
            w.write(_BLOCK)
            if backend == "aioquic":  # qh3's stream writers have no drain()
                await w.drain()
        w.write_eof()
        return int.from_bytes(await r.read(), "big")

    async def go():
        return sum(await asyncio.gather(*(one(BULK // streams) for _ in range(streams))))

    return b.run(go())


def tcp_throughput(b: _Bench) -> int:
    async def go():
        ctx = ssl.create_default_context(cafile=b.ca)
        r, w = await asyncio.open_connection(
            "127.0.0.1", b.ports["tcp"], ssl=ctx, server_hostname="localhost"
        )
        w.write(b"L" + BULK.to_bytes(8, "big"))
        for _ in range(BULK // len(_BLOCK)):
            w.write(_BLOCK)
            await w.drain()
        n = int.from_bytes(await r.readexactly(8), "big")
        w.close()
        return n

    return b.run(go())


# handshake to first response (the close runs in the background, untimed)


def _close_later(b: _Bench, ctx) -> None:
    task = asyncio.ensure_future(ctx.__aexit__(None, None, None))
    b.closing.add(task)
    task.add_done_callback(b.closing.discard)


def ours_handshake(b: _Bench) -> bytes:
    async def go():
        ctx = b.ours()
        c = await ctx.__aenter__()
        out = await _ours_new_stream(c)
        _close_later(b, ctx)
        return out

    return b.run(go())


def _ticket_pool() -> tuple[_Bench]:
    """Server tickets are single-use: one fresh ticket per 0-RTT sample."""
    (b,) = _bench()

    async def fill():
        b.pool = []
        for _ in range(60):
            store = qm.MemoryTicketStore()
            async with b.ours(session_ticket_store=store) as c:
                await _ours_new_stream(c)
                for _ in range(200):
                    if len(store):
                        break
                    await asyncio.sleep(0.005)
            b.pool.append(store)

    b.run(fill())
    return (b,)


def ours_handshake_0rtt(b: _Bench) -> bytes:
    async def go():
        ctx = b.ours(session_ticket_store=b.pool.pop(), zero_rtt=True)
        c = await ctx.__aenter__()
        out = await _ours_new_stream(c)
        accepted = c.early_data_accepted
        _close_later(b, ctx)
        if not accepted:
            raise RuntimeError("0-RTT was not accepted")
        return out

    return b.run(go())


def raw_handshake(b: _Bench) -> bytes:
    async def go():
        ctx = aq_connect("127.0.0.1", b.ports["raw"], configuration=b.raw_config())
        c = await ctx.__aenter__()
        r, w = await c.create_stream()
        w.write(b"E" + PAYLOAD)
        w.write_eof()
        out = await r.read()
        _close_later(b, ctx)
        return out

    return b.run(go())


# CRITICAL latency under LOW bulk load


class _Loaded:
    """A LOW bulk upload kept running on the same connection as the timed echo."""

    def __init__(self, b: _Bench, kind: str, **options: Any) -> None:
        self.b, self.kind, self.stop, self.options = b, kind, False, options
        self.active = False  # only the implementation being timed runs its bulk upload
        _LOADED.append(self)
        b.run(self._start())

    async def _start(self) -> None:
        b = self.b
        if self.kind == "ours":
            self.conn = await b.stack.enter_async_context(b.ours(**self.options))
            self.low = await self.conn.open_bi_stream(priority=qm.StreamPriority.LOW)
            await self.low.send(b"S")
            self.crit = await self.conn.open_bi_stream(priority=qm.StreamPriority.CRITICAL)
            await self.crit.send(b"E")

            async def bulk():
                while not self.stop:
                    if self.active:
                        await self.low.send(_BLOCK)
                    else:
                        await asyncio.sleep(0.005)

        else:
            self.conn = await b.stack.enter_async_context(
                aq_connect("127.0.0.1", b.ports["raw"], configuration=b.raw_config())
            )
            _, self.low_w = await self.conn.create_stream()
            self.low_w.write(b"S")
            self.crit_r, self.crit_w = await self.conn.create_stream()
            self.crit_w.write(b"E")

            async def bulk():
                # aioquic's drain() never blocks; cap what sits in its buffer at 64 MiB
                # so the benchmark stays within memory, refilling as it drains.
                stream = self.conn._quic._streams[self.low_w.get_extra_info("stream_id")]
                while not self.stop:
                    sender = stream.sender
                    if self.active and sender._buffer_stop - sender._buffer_start < 64 << 20:
                        self.low_w.write(_BLOCK * 16)
                    await asyncio.sleep(0 if self.active else 0.005)

        self.task = asyncio.ensure_future(bulk())

    def rtt(self) -> bytes:
        async def go():
            if self.kind == "ours":
                await self.crit.send(PAYLOAD)
                return await _ours_recv_exact(self.crit, 64)
            self.crit_w.write(PAYLOAD)
            return await self.crit_r.readexactly(64)

        return self.b.run(go())


_LOADED: list[_Loaded] = []


def _quiet_bench() -> tuple[_Bench]:
    """Setup after the CRITICAL rows: no LOW upload from an earlier row.

    The last row's upload would otherwise keep running (and growing its
    buffer) in this process while later rows are timed and measured.
    """
    (b,) = _bench()
    if _LOADED:
        for old in _LOADED:
            old.stop = True
            old.active = False
            # Closing drops the megabytes still buffered for the upload, which
            # would otherwise keep the server busy during these rows.
            old.conn.close()
        _LOADED.clear()
        b.run(asyncio.sleep(0.5))
    return (b,)


def _qh3_bench() -> tuple[_Bench]:
    """Setup of the qh3 rows: no LOW upload from an earlier row, fresh connections."""
    (b,) = _quiet_bench()
    b.run(b.open_qh3())
    return (b,)


def _loaded(kind: str, **options: Any):
    """Setup for one implementation under load; earlier loads are stopped first,
    so exactly one bulk upload runs while a row is measured."""

    def setup() -> tuple[_Loaded]:
        (b,) = _bench()
        for old in _LOADED:
            old.stop = True
            old.active = False
        _LOADED.clear()
        b.run(asyncio.sleep(1.0))  # let the previous upload's backlog drain
        load = _Loaded(b, kind, **options)
        load.active = True
        b.run(asyncio.sleep(0.5))  # saturate
        return (load,)

    return setup


# one message at a time while N streams are open (CPU per message vs open streams)


class _OpenStreams:
    """N echo streams open on ours and on raw aioquic; each call sends one 64 B
    message on the next stream in turn (the other N - 1 are open and idle)."""

    def __init__(self, b: _Bench, n: int) -> None:
        self.b, self.n, self.i = b, n, 0
        self.conn = b.run(b.stack.enter_async_context(b.ours(keepalive_interval=5.0)))
        self.raw = b.run(
            b.stack.enter_async_context(
                aq_connect("127.0.0.1", b.ports["raw"], configuration=b.raw_config())
            )
        )

        async def open_all():
            ours = [await self.conn.open_bi_stream() for _ in range(n)]
            for s in ours:
                await s.send(b"E")
            raw = []
            for _ in range(n):
                # aioquic creates a stream at its first write: write before the next.
                r, w = await self.raw.create_stream()
                w.write(b"E")
                raw.append((r, w))
            return ours, raw

        self.ours_streams, self.raw_streams = b.run(open_all())
        for _ in range(n):  # every stream carried a message before timing
            self.ours()
            self.raw_one()

    def ours(self) -> bytes:
        s = self.ours_streams[self.i % self.n]
        self.i += 1

        async def go():
            await s.send(PAYLOAD)
            return await _ours_recv_exact(s, 64)

        return self.b.run(go())

    def raw_one(self) -> bytes:
        r, w = self.raw_streams[self.i % self.n]
        self.i += 1

        async def go():
            w.write(PAYLOAD)
            return await r.readexactly(64)

        return self.b.run(go())

    def cpu(self, messages: int = 600) -> str:
        """CPU time of this (client) process per message, ours and raw, measured once."""
        import time

        out = []
        for name, fn in (("ours", self.ours), ("raw aioquic", self.raw_one)):
            start = time.process_time()
            for _ in range(messages):
                fn()
            out.append(f"{name} {(time.process_time() - start) / messages * 1e6:.0f}")
        return f"client CPU per message, us: {', '.join(out)}"


def _open_streams(n: int):
    def setup():
        (b,) = _quiet_bench()  # no LOW upload left running from the CRITICAL rows
        return (_OpenStreams(b, n),)

    return setup


# 1,000 concurrent streams


def ours_thousand_streams(b: _Bench) -> int:
    async def go():
        async with b.ours() as c:
            streams = [await c.open_bi_stream() for _ in range(1000)]
            for s in streams:
                await s.send(b"E" + PAYLOAD)
            replies = await asyncio.gather(*(_ours_recv_exact(s, 64) for s in streams))
            assert c.stats().active_bi_streams == 1000
            for s in streams:
                await s.finish()
            return len(replies)

    return b.run(go())


def ack_packets(b: _Bench, streams: int) -> str:
    """Datagrams the uploading client receives (ACKs, mostly) per 8 MiB upload."""
    counters = b.conn._protocol.counters
    before = counters.packets_received
    ours_throughput(b, streams)
    ours = counters.packets_received - before
    quic = b.raw._quic
    seen = [0]
    receive = quic.receive_datagram

    def counting(*args: Any, **kwargs: Any) -> None:
        seen[0] += 1
        receive(*args, **kwargs)

    quic.receive_datagram = counting
    try:
        raw_throughput(b, streams)
    finally:
        del quic.receive_datagram  # back to the class's method
    return f"datagrams back to the sender per upload: ours {ours}, raw aioquic {seen[0]}"


def thousand_streams_memory(b: _Bench, n: int = 1000) -> str:
    """tracemalloc bytes per open stream, both ends in this process (untimed)."""
    import gc
    import tracemalloc

    async def go():
        server = await qm.serve(
            "127.0.0.1",
            0,
            certificate=b.dir / "server.pem",
            private_key=b.dir / "server.key",
            handler=_ours_handler,
            max_streams=2048,
        )
        try:
            async with b.ours(port=server.port) as c:
                await c.ping()
                gc.collect()
                tracemalloc.start()
                try:
                    base = tracemalloc.get_traced_memory()[0]
                    streams = [await c.open_bi_stream() for _ in range(n)]
                    for s in streams:
                        await s.send(b"E" + PAYLOAD)
                    await asyncio.gather(*(_ours_recv_exact(s, 64) for s in streams))
                    (srv_conn,) = server.connections
                    if srv_conn.stats().active_bi_streams != n:
                        raise RuntimeError("server does not hold every stream")
                    gc.collect()
                    used = tracemalloc.get_traced_memory()[0] - base
                finally:
                    tracemalloc.stop()
                for s in streams:
                    await s.finish()
                # the server's stream tasks end once they see our FIN
                await asyncio.gather(*(s.read_all() for s in streams))
        finally:
            server.close()
            await server.wait_closed()
        return used

    used = b.run(go())
    return f"memory {used / n / 1024:.1f} KiB per open stream, both ends (tracemalloc)"


if Workload is not None:
    same = bytes.__eq__
    WORKLOADS = [
        Workload(
            name="64 B echo RTT, one stream",
            setup=_bench,
            ours=ours_echo,
            peers={"raw aioquic": raw_echo, "asyncio TCP/TLS": tcp_echo},
            number=200,
            goal="<= 1.1x raw aioquic",
            check=same,
        ),
        Workload(
            name="new stream per 64 B message RTT",
            setup=_bench,
            ours=ours_new_stream,
            peers={"raw aioquic": raw_new_stream},
            number=100,
            goal="<= 1.1x raw aioquic",
            check=same,
        ),
        Workload(
            name="throughput 1 stream, 8 MiB",
            setup=_bench,
            ours=lambda b: ours_throughput(b, 1),
            peers={
                "raw aioquic": lambda b: raw_throughput(b, 1),
                "asyncio TCP/TLS": tcp_throughput,
            },
            repeat=5,
            goal=">= 0.9x raw aioquic throughput",
            check=int.__eq__,
            report=lambda b: ack_packets(b, 1),
        ),
        Workload(
            name="throughput 1 stream, 8 MiB, LOW priority (delay-controlled window)",
            setup=_bench,
            ours=lambda b: ours_throughput(b, 1, qm.StreamPriority.LOW),
            peers={
                "raw aioquic": lambda b: raw_throughput(b, 1),
                "ours NORMAL": lambda b: ours_throughput(b, 1),
            },
            repeat=5,
            goal="report: LOW alone should use the link",
            check=int.__eq__,
        ),
        Workload(
            name="throughput 8 streams, 8 MiB",
            setup=_bench,
            ours=lambda b: ours_throughput(b, 8),
            peers={"raw aioquic": lambda b: raw_throughput(b, 8)},
            repeat=5,
            goal=">= 0.9x raw aioquic throughput",
            check=int.__eq__,
            report=lambda b: ack_packets(b, 8),
        ),
        Workload(
            name="handshake to first response, 1-RTT",
            setup=_bench,
            ours=ours_handshake,
            peers={"raw aioquic": raw_handshake},
            number=5,
            goal="<= 1.1x raw aioquic (connect to first echo)",
            check=same,
        ),
        Workload(
            name="handshake to first response, ours 0-RTT",
            setup=_ticket_pool,
            ours=ours_handshake_0rtt,
            peers={"ours 1-RTT": ours_handshake, "raw aioquic 1-RTT": raw_handshake},
            number=5,
            goal="0-RTT saves >= 1 RTT",
            check=same,
        ),
        *(
            Workload(
                name=f"CRITICAL 64 B RTT under LOW bulk upload: {label}",
                setup=_loaded(kind, **options),
                ours=_Loaded.rtt,
                number=20,
                goal="<= 3x idle RTT (row 1); one implementation per row",
                check=same,
            )
            for label, kind, options in [
                ("midstream", "ours", {}),
                ("raw aioquic (no priorities)", "raw", {}),
            ]
        ),
        *(
            Workload(
                name=f"64 B echo RTT, one at a time, {n} open stream{'s' if n > 1 else ''}",
                setup=_open_streams(n),
                ours=_OpenStreams.ours,
                peers={"raw aioquic": _OpenStreams.raw_one},
                number=100,
                goal="flat in the number of open streams",
                check=same,
                report=_OpenStreams.cpu,
            )
            for n in (1, 10, 100)
        ),
        Workload(
            name="1,000 concurrent streams: connect, open, echo",
            setup=_quiet_bench,
            ours=ours_thousand_streams,
            repeat=3,
            goal="works (aioquic alone: 128 max)",
            report=thousand_streams_memory,
        ),
    ]
    if qh3_connect is not None:
        # "ours" is quic-multistream on qh3 in these rows.
        WORKLOADS += [
            Workload(
                name="qh3 backend: 64 B echo RTT, one stream",
                setup=_qh3_bench,
                ours=lambda b: ours_echo(b, "qh3"),
                peers={"raw qh3": lambda b: raw_echo(b, "qh3"), "ours on aioquic": ours_echo},
                number=200,
                goal="report",
                check=same,
            ),
            *(
                Workload(
                    name=f"qh3 backend: throughput {n} stream{'s' if n > 1 else ''}, 8 MiB",
                    setup=_qh3_bench,
                    ours=lambda b, n=n: ours_throughput(b, n, backend="qh3"),
                    peers={
                        "raw qh3": lambda b, n=n: raw_throughput(b, n, "qh3"),
                        "ours on aioquic": lambda b, n=n: ours_throughput(b, n),
                    },
                    repeat=7,
                    goal=">= 100 MB/s (8 MiB in <= 84 ms)",
                    check=int.__eq__,
                )
                for n in (1, 8)
            ),
        ]


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "--serve":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_all(Path(sys.argv[2])))
    os._exit(0)
