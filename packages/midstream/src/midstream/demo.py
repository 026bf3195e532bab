"""``midstream demo``: the whole pipeline, live, on a bundled workload over mutual-TLS QUIC.

A QUIC server starts on an ephemeral loopback port with a throwaway PKI (a CA, a
server certificate for ``localhost`` and a client certificate; the server requires
the client's). One producer per workload stream (at least eight) replays its
events over its own QUIC stream, paced over ``duration`` seconds. The server feeds
every stream into one :class:`~midstream.pipeline.Pipeline` with the demo's
detectors; at the end the records are checked against the facts the workload
planted (:mod:`midstream.workload`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec

from quic_multistream import Connection, StreamPriority, connect, serve
from quic_multistream.certs import generate_ca, issue_certificate

from .errors import MidstreamError
from .pipeline import Pipeline
from .records import Record
from .workload import Workload, check_facts, demo_config, make_workload

__all__ = ["DemoResult", "run_demo"]

PRODUCER_NAME = "midstream-demo-producer"
_CHUNK = 64  # events per QUIC message
_encode = msgspec.json.Encoder().encode


@dataclass
class DemoResult:
    """What the demo sent, what arrived, and what the pipeline found."""

    streams: int
    sent: int
    received: int
    summary: Record
    facts: dict[str, Any]
    producer_identity: str
    records: list[Record] = field(default_factory=list, repr=False)

    @property
    def lost(self) -> int:
        return (self.sent - self.received) + int(self.summary.get("lost", 0))

    @property
    def ok(self) -> bool:
        return self.facts["found_all"] and self.lost == 0

    def to_dict(self) -> dict[str, Any]:
        s = self.summary
        return {
            "streams": self.streams,
            "sent": self.sent,
            "received": self.received,
            "events": s["events"],
            "lost": self.lost,
            "dropped": s["dropped"],
            "alerts": s["alerts"],
            "events_per_s": s["events_per_s"],
            "latency_p50_ms": s["latency_p50_ms"],
            "latency_p99_ms": s["latency_p99_ms"],
            "alert_latency_p99_ms": s["alert_latency_p99_ms"],
            "producer_identity": self.producer_identity,
            "found_all": self.facts["found_all"],
            "facts": self.facts["facts"],
            "unexpected_alerts": self.facts["unexpected_alerts"],
            "ok": self.ok,
        }


class _Intake:
    """Server side: events from every QUIC stream into one bounded queue (backpressure)."""

    def __init__(self, expected_streams: int, maxsize: int = 64) -> None:
        self.queue: asyncio.Queue[list[bytes] | None] = asyncio.Queue(maxsize=maxsize)
        self.expected = expected_streams
        self.finished = 0
        self.received = 0
        self.identity = ""

    async def handle(self, conn: Connection) -> None:
        ident = conn.peer_identity
        self.identity = (ident.common_name or ident.subject) if ident else ""
        tasks: set[asyncio.Task[None]] = set()
        async for stream in conn:
            task = asyncio.ensure_future(self._serve(stream))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _serve(self, stream: Any) -> None:
        async for message in stream.messages():
            lines = bytes(message).split(b"\n")
            self.received += len(lines)
            await self.queue.put(lines)
        self.finished += 1
        if self.finished == self.expected:
            await self.queue.put(None)

    async def events(self) -> AsyncIterator[bytes]:
        while True:
            lines = await self.queue.get()
            if lines is None:
                return
            for line in lines:
                yield line


async def _produce(
    conn: Connection, events: list[dict[str, Any]], start: float, duration: float
) -> int:
    stream = await conn.open_uni_stream(priority=StreamPriority.NORMAL)
    chunks = [events[i : i + _CHUNK] for i in range(0, len(events), _CHUNK)]
    loop = asyncio.get_running_loop()
    for i, chunk in enumerate(chunks):
        due = start + duration * i / max(len(chunks), 1)
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        await stream.send_message(b"\n".join(_encode(e) for e in chunk))
    await stream.finish()
    return sum(len(c) for c in chunks)


async def _run(
    workload: Workload, duration: float, on_record: Callable[[Record], None]
) -> DemoResult:
    ca = generate_ca("Midstream demo CA", valid_days=1)
    server_cert = issue_certificate(ca, "localhost", names=["localhost", "127.0.0.1"], valid_days=1)
    client_cert = issue_certificate(ca, PRODUCER_NAME, client=True, valid_days=1)
    intake = _Intake(len(workload.streams))
    records: list[Record] = []

    def keep(rec: Record) -> None:
        records.append(rec)
        on_record(rec)

    server = await serve(
        "127.0.0.1",
        0,
        certificate=server_cert.certificate,
        private_key=server_cert.private_key,
        handler=intake.handle,
        client_ca=ca.certificate,
        require_client_cert=True,
        idle_timeout=30.0,
    )
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pipeline = Pipeline(demo_config(), on_record=keep, executor=pool)
        async with server:
            conn_cm: Any = connect(
                "127.0.0.1",
                server.port,
                ca_file=ca.certificate,
                server_name="localhost",
                client_certificate=client_cert.certificate,
                client_key=client_cert.private_key,
                idle_timeout=30.0,
            )
            async with conn_cm as conn:
                analysis = asyncio.ensure_future(pipeline.run(intake.events()))
                start = asyncio.get_running_loop().time()
                sent = await asyncio.gather(
                    *(_produce(conn, evs, start, duration) for evs in workload.streams.values())
                )
                summary = await analysis
    return DemoResult(
        streams=len(workload.streams),
        sent=sum(sent),
        received=intake.received,
        summary=summary,
        facts=check_facts(workload.facts, records),
        producer_identity=intake.identity,
        records=records,
    )


def run_demo(
    *,
    duration: float = 5.0,
    streams: int = 8,
    seed: int = 7,
    on_record: Callable[[Record], None] | None = None,
) -> DemoResult:
    """Run the demo and return what it found.

    Parameters
    ----------
    duration : float
        Seconds over which the producers replay the workload (> 0).
    streams : int
        Number of concurrent producer streams, >= 8 (the eight planted ones plus
        plain chat streams).
    seed : int
        Seed of the workload.
    on_record : callable, optional
        Called with each output record as it is made (for a live view).
    """
    if not duration > 0:
        raise MidstreamError(f"duration: must be > 0 seconds, got {duration}")
    if streams < 8:
        raise MidstreamError(f"streams: must be >= 8 (the planted streams), got {streams}")
    workload = make_workload(seed, extra=streams - 8)
    t0 = time.perf_counter()
    result = asyncio.run(_run(workload, duration, on_record or (lambda _r: None)))
    result.summary["wall_seconds"] = time.perf_counter() - t0
    return result
