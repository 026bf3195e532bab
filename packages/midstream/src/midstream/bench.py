"""``midstream bench``: the peer tables of the tree, and events/s over QUIC.

The peer comparisons (``benchmarks/peers/run.py``) live in the source tree, next to
the packages they measure; :func:`find_peer_benchmarks` locates them from the
current directory or from an editable install. :func:`quic_throughput` measures
``send`` to ``serve`` over loopback with mutual TLS, in one process.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._serialise import record_dict, round_rate
from .errors import MidstreamError
from .send import send_events
from .serve import serve_events

__all__ = ["QuicThroughput", "find_peer_benchmarks", "quic_throughput"]

_RUNNER = Path("benchmarks") / "peers" / "run.py"


def find_peer_benchmarks(start: Path | None = None) -> Path:
    """Path of ``benchmarks/peers/run.py``: ``$MIDSTREAM_SOURCE``, then upward from
    ``start`` (default the current directory), then upward from this installed file.

    Raises
    ------
    MidstreamError
        No source tree holds the runner (an installed wheel has no benchmarks).
    """
    candidates: list[Path] = []
    if env := os.environ.get("MIDSTREAM_SOURCE"):
        candidates.append(Path(env))
    for origin in (start or Path.cwd(), Path(__file__).resolve()):
        candidates.extend([origin, *origin.parents])
    for directory in candidates:
        if (directory / _RUNNER).is_file():
            return directory / _RUNNER
    raise MidstreamError(
        "the peer benchmarks live in the Midstream source tree (benchmarks/peers/run.py); "
        "run inside a checkout or set MIDSTREAM_SOURCE to one"
    )


@dataclass(frozen=True)
class QuicThroughput:
    """Result of :func:`quic_throughput`."""

    events: int
    sources: int
    event_bytes: int
    batch_events: int
    seconds: float
    connections: int

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds

    def to_dict(self) -> dict[str, Any]:
        return record_dict(self, extra=("events_per_s",), convert={"events_per_s": round_rate})


def _event(source: str, i: int) -> bytes:
    return json.dumps(
        {"stream": source, "t": 1_700_000_000_000_000_000 + i * 1_000_000, "value": i * 0.25}
    ).encode()


def quic_throughput(
    events: int = 200_000, sources: int = 4, batch_events: int = 512
) -> QuicThroughput:
    """Events/s from :func:`~midstream.send.send_events` to a consumer of
    :func:`~midstream.serve.serve_events` over loopback QUIC with mutual TLS.

    Timed from the first send to the last event read by the consumer; events
    are generated before the clock starts (about 70 bytes of JSON each).
    """
    from quic_multistream import generate_ca, issue_certificate

    if events < 1 or sources < 1 or batch_events < 1:
        raise MidstreamError("events, sources and batch_events: must be >= 1")
    ca = generate_ca("bench CA")
    leaf = issue_certificate(ca, "localhost", names=["localhost", "127.0.0.1"])
    client = issue_certificate(ca, "bench", client=True)
    per = [events // sources + (1 if i < events % sources else 0) for i in range(sources)]
    inputs = [(f"s{i}", [_event(f"s{i}", j) for j in range(n)]) for i, n in enumerate(per)]

    async def run() -> QuicThroughput:
        async with serve_events(
            "127.0.0.1",
            0,
            certificate=leaf.certificate_pem(),
            private_key=leaf.private_key_pem(),
            client_ca=ca.certificate_pem(),
            stop_after_sources=sources,
        ) as server:

            async def consume() -> int:
                count = 0
                async for _ in server.events():
                    count += 1
                return count

            consumer = asyncio.create_task(consume())
            start = time.perf_counter()
            report = await send_events(
                inputs,
                "127.0.0.1",
                server.port,
                ca_file=ca.certificate_pem(),
                client_certificate=client.certificate_pem(),
                client_key=client.private_key_pem(),
                batch_events=batch_events,
            )
            received = await consumer
            seconds = time.perf_counter() - start
        if received != events:
            raise MidstreamError(f"benchmark lost events: sent {events}, received {received}")
        return QuicThroughput(
            events=events,
            sources=sources,
            event_bytes=sum(len(e) for _, ev in inputs for e in ev) // events,
            batch_events=batch_events,
            seconds=seconds,
            connections=report.connections,
        )

    return asyncio.run(run())
