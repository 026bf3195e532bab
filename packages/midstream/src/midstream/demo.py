"""``midstream demo``: the whole pipeline, live, on a bundled workload over mutual-TLS QUIC.

A QUIC server (:func:`midstream.serve.serve_events`) starts on an ephemeral
loopback port with a throwaway PKI (a CA, a server certificate for ``localhost``
and a client certificate; the server requires the client's). The producers
(:func:`midstream.send.send_events`, sequence numbers and acknowledgements) replay
each workload stream (at least eight) as one source on its own QUIC stream, paced
over ``duration`` seconds. The server feeds every event into one
:class:`~midstream.pipeline.Pipeline` with the demo's detectors and sends each
alert back to the producers at CRITICAL priority; at the end the records are
checked against the facts the workload planted (:mod:`midstream.workload`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec

from quic_multistream.certs import generate_ca, issue_certificate

from .errors import MidstreamError
from .pipeline import Pipeline
from .records import Record
from .send import send_events
from .serve import serve_events
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
    duplicates: int = 0
    alerts_returned: int = 0  # alerts the producers received back over QUIC
    records: list[Record] = field(default_factory=list, repr=False)

    @property
    def lost(self) -> int:
        return (self.sent - self.received) + int(self.summary.get("lost", 0))

    @property
    def ok(self) -> bool:
        return self.facts["found_all"] and self.lost == 0 and self.duplicates == 0

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
            "duplicates": self.duplicates,
            "alerts_returned": self.alerts_returned,
            "found_all": self.facts["found_all"],
            "facts": self.facts["facts"],
            "unexpected_alerts": self.facts["unexpected_alerts"],
            "ok": self.ok,
        }


async def _paced(
    events: list[dict[str, Any]], start: float, duration: float
) -> AsyncIterator[list[bytes]]:
    """One stream's events as JSON lines, in chunks spread evenly over ``duration``."""
    loop = asyncio.get_running_loop()
    chunks = [events[i : i + _CHUNK] for i in range(0, len(events), _CHUNK)]
    for i, chunk in enumerate(chunks):
        delay = start + duration * i / max(len(chunks), 1) - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        yield [_encode(e) for e in chunk]


async def _run(
    workload: Workload, duration: float, on_record: Callable[[Record], None]
) -> DemoResult:
    ca = generate_ca("Midstream demo CA", valid_days=1)
    server_cert = issue_certificate(ca, "localhost", names=["localhost", "127.0.0.1"], valid_days=1)
    client_cert = issue_certificate(ca, PRODUCER_NAME, client=True, valid_days=1)
    records: list[Record] = []
    returned: list[bytes] = []
    n = len(workload.streams)
    async with serve_events(
        "127.0.0.1",
        0,
        certificate=server_cert.certificate_pem(),
        private_key=server_cert.private_key_pem(),
        client_ca=ca.certificate_pem(),  # mutual TLS: producers must show a demo-CA cert
        stop_after_sources=n,
    ) as server:

        async def keep(rec: Record) -> None:
            records.append(rec)
            on_record(rec)
            if rec["kind"] == "alert":  # back to the producers at CRITICAL priority
                await server.send_alert(rec)

        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            pipeline = Pipeline(demo_config(), on_record=keep, executor=pool)
            analysis = asyncio.ensure_future(pipeline.run(server.events()))
            start = asyncio.get_running_loop().time()
            report = await send_events(
                [(name, _paced(evs, start, duration)) for name, evs in workload.streams.items()],
                "127.0.0.1",
                server.port,
                ca_file=ca.certificate_pem(),
                server_name="localhost",
                client_certificate=client_cert.certificate_pem(),
                client_key=client_cert.private_key_pem(),
                on_alert=returned.append,
            )
            summary = await analysis
        stats = server.stats
    return DemoResult(
        streams=n,
        sent=report.events,
        received=stats.events,
        duplicates=stats.duplicates,
        summary=summary,
        facts=check_facts(workload.facts, records),
        alerts_returned=len(returned),
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
