"""The demo's alert channel: mutual-TLS QUIC on loopback with a throwaway dev PKI.

A sensor (client) sends each detection as a CRITICAL-priority message and its
telemetry as LOW-priority messages; the collector (server) acknowledges every alert
and records the sensor's verified certificate identity.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from quic_multistream import Connection, Stream, StreamPriority, connect, serve
from quic_multistream.certs import generate_ca, issue_certificate

__all__ = ["AlertChannel", "Collector", "open_alert_channel"]

SENSOR_NAME = "midstream-demo-sensor"


@dataclass
class Collector:
    """Server side: what arrived, from whom."""

    alerts: list[bytes] = field(default_factory=list)
    telemetry_messages: int = 0
    peer_identities: list[str] = field(default_factory=list)

    async def handle(self, conn: Connection) -> None:
        identity = conn.peer_identity
        self.peer_identities.append(identity.common_name or identity.subject if identity else "")
        tasks: set[asyncio.Task[None]] = set()
        async for stream in conn:
            task = asyncio.ensure_future(self._serve_stream(stream))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        for task in list(tasks):
            task.cancel()

    async def _serve_stream(self, stream: Stream) -> None:
        async for message in stream.messages():
            if stream.can_send:  # bidirectional: the alert stream, acknowledged
                self.alerts.append(message)
                await stream.send_message(b"ack " + message[:32])
            else:
                self.telemetry_messages += 1


@dataclass
class AlertChannel:
    """Client side: one acknowledged alert stream and one telemetry stream."""

    alerts: Stream
    telemetry: Stream
    round_trips_ns: list[int] = field(default_factory=list)

    async def alert(self, payload: bytes) -> None:
        """Send one alert and wait for its acknowledgement."""
        start = time.perf_counter_ns()
        await self.alerts.send_message(payload)
        ack = await asyncio.wait_for(self.alerts.recv_message(), 5.0)
        if ack is None or not ack.startswith(b"ack "):
            raise ConnectionError(f"alert not acknowledged: {ack!r}")
        self.round_trips_ns.append(time.perf_counter_ns() - start)

    async def report(self, payload: bytes) -> None:
        await self.telemetry.send_message(payload)


@asynccontextmanager
async def open_alert_channel(collector: Collector) -> AsyncIterator[AlertChannel]:
    """Start the collector on an ephemeral loopback port and connect a sensor to it.

    Both ends authenticate: the server requires a client certificate chained to the
    demo CA, and the client verifies the server's certificate for ``localhost``.
    """
    ca = generate_ca("Midstream demo CA", valid_days=1)
    server_cert = issue_certificate(ca, "localhost", names=["localhost", "127.0.0.1"], valid_days=1)
    sensor_cert = issue_certificate(ca, SENSOR_NAME, client=True, valid_days=1)
    server = await serve(
        "127.0.0.1",
        0,
        certificate=server_cert.certificate,
        private_key=server_cert.private_key,
        handler=collector.handle,
        client_ca=ca.certificate,
        require_client_cert=True,
        idle_timeout=10.0,
    )
    async with server:
        conn_cm: Any = connect(
            "127.0.0.1",
            server.port,
            ca_file=ca.certificate,
            server_name="localhost",
            client_certificate=sensor_cert.certificate,
            client_key=sensor_cert.private_key,
            idle_timeout=10.0,
        )
        async with conn_cm as conn:
            channel = AlertChannel(
                alerts=await conn.open_bi_stream(priority=StreamPriority.CRITICAL),
                telemetry=await conn.open_uni_stream(priority=StreamPriority.LOW),
            )
            yield channel
            await channel.telemetry.finish()
            await channel.alerts.finish()
