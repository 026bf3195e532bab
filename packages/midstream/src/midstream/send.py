"""Send events to a ``midstream serve`` peer over QUIC, resuming after drops.

Each source (a JSONL file, stdin, any iterable of JSON lines) gets its own QUIC
stream; events travel in batches under :mod:`midstream.wire`'s send/ack protocol.
When the connection breaks, :func:`send_events` reconnects with backoff and
replays what the server had not acknowledged, so every event arrives exactly once.
A connection's control stream (CRITICAL priority) brings alerts back.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from quic_multistream import (
    ConfigurationError,
    HandshakeError,
    QuicError,
    Stream,
    StreamPriority,
    connect,
)

from ._serialise import record_dict, round_rate
from .errors import MidstreamError
from .serve import TransportError
from .wire import Ack, Alert, Control, Done, Refuse, Sender, Welcome, WireError, decode

__all__ = ["SendProgress", "SendReport", "read_json_lines", "send_events"]

Lines = AsyncIterable[list[bytes]] | Iterable[bytes]


@dataclass(frozen=True)
class SendProgress:
    """Where a running :func:`send_events` is; passed to its ``progress`` callback."""

    events_read: int
    events_acked: int
    events_skipped: int
    connections: int
    elapsed_s: float

    @property
    def events_per_s(self) -> float:
        return self.events_acked / self.elapsed_s if self.elapsed_s > 0 else 0.0


@dataclass(frozen=True)
class SendReport:
    """What :func:`send_events` did."""

    sources: int
    events: int
    skipped: int
    connections: int
    alerts: int
    seconds: float

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return record_dict(self, extra=("events_per_s",), convert={"events_per_s": round_rate})


async def read_json_lines(
    file: IO[bytes], name: str, *, block: int = 1 << 16
) -> AsyncIterator[list[bytes]]:
    """Yield lists of the JSON-object lines of ``file`` as they become available.

    Reads happen in a worker thread and return whatever a pipe holds (``read1``),
    so events written slowly to stdin go out as they come instead of waiting for a
    full chunk. Blank lines are skipped; a line that is not a JSON object raises
    :class:`MidstreamError` naming ``name`` and the line number.
    """
    read = getattr(file, "read1", file.read)
    number = 0
    rest = b""

    def parse(lines: list[bytes]) -> list[bytes]:
        nonlocal number
        out: list[bytes] = []
        for raw in lines:
            number += 1
            line = raw.strip()
            if not line:
                continue
            try:
                value = json.loads(line)
            except ValueError as exc:
                raise MidstreamError(f"{name}:{number}: not JSON: {exc}") from None
            if not isinstance(value, dict):
                raise MidstreamError(
                    f"{name}:{number}: an event must be a JSON object, got {type(value).__name__}"
                )
            out.append(line)
        return out

    def next_lines() -> list[bytes] | None:
        nonlocal rest
        while True:
            data = read(block)
            if not data:
                tail, rest = rest, b""
                return parse([tail]) if tail.strip() else None
            lines = (rest + data).split(b"\n")
            rest = lines.pop()
            if lines:
                return parse(lines)

    while (lines := await asyncio.to_thread(next_lines)) is not None:
        if lines:
            yield lines


async def _chunks(lines: Lines) -> AsyncIterator[list[bytes]]:
    if isinstance(lines, AsyncIterable):
        async for chunk in lines:
            yield chunk
        return
    batch: list[bytes] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= 1024:
            yield batch
            batch = []
            await asyncio.sleep(0)
    if batch:
        yield batch


class _Source:
    """One source's :class:`Sender` and the events that wake its tasks."""

    def __init__(self, sender: Sender) -> None:
        self.sender = sender
        self.data = asyncio.Event()  # new events, or the input ended
        self.room = asyncio.Event()  # acknowledgements freed window space
        self.acked = asyncio.Event()  # an ACK arrived (the writer waits for the last one)

    async def feed(self, lines: Lines) -> None:
        sender = self.sender
        async for chunk in _chunks(lines):
            for line in chunk:
                while not sender.room:
                    self.data.set()  # let the writer send what is pushed so far
                    self.room.clear()
                    await self.room.wait()
                sender.push(line)
            self.data.set()
        sender.finish()
        self.data.set()

    async def run(self, stream: Stream) -> None:
        """Send this source on ``stream`` until the server acknowledged all of it."""
        sender = self.sender
        await stream.send_message(sender.hello().encode())
        first = await stream.recv_message()
        if first is None:
            raise ConnectionError(f"source {sender.source!r}: server closed the stream")
        welcome = decode(first)
        if not isinstance(welcome, Welcome | Refuse):
            raise WireError(f"expected WELCOME, got {type(welcome).__name__}")
        sender.receive(welcome)  # REFUSE raises WireError: another sender has the source
        self.room.set()
        reader = asyncio.create_task(self._read_acks(stream))
        try:
            while not sender.done:
                message = sender.next_message()
                if message is not None:
                    await stream.send_message(message.encode())
                    continue
                if reader.done():
                    reader.result()  # raises what broke the stream
                    raise ConnectionError(f"source {sender.source!r}: stream ended early")
                self.data.clear()
                self.acked.clear()
                waiters = [asyncio.ensure_future(self.data.wait()), reader]
                if sender.finished:
                    waiters.append(asyncio.ensure_future(self.acked.wait()))
                _, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
                for w in pending:
                    if w is not reader:
                        w.cancel()
            await stream.finish()
        finally:
            if not reader.done():
                reader.cancel()
            elif not reader.cancelled():
                reader.exception()  # retrieved: the writer's own error is the one raised

    async def _read_acks(self, stream: Stream) -> None:
        sender = self.sender
        while not sender.done:
            data = await stream.recv_message()
            if data is None:
                raise ConnectionError(f"source {sender.source!r}: server closed the stream")
            message = decode(data)
            if not isinstance(message, Ack | Done):
                raise WireError(f"expected ACK or DONE, got {type(message).__name__}")
            sender.receive(message)
            self.room.set()
            self.acked.set()


async def send_events(
    sources: Sequence[tuple[str, Lines]],
    host: str,
    port: int,
    *,
    ca_file: str | Path | bytes | None = None,
    client_certificate: str | Path | bytes | None = None,
    client_key: str | Path | bytes | None = None,
    server_name: str | None = None,
    resume: bool = False,
    retry_for: float = 30.0,
    window: int = 8192,
    batch_events: int = 512,
    progress: Callable[[SendProgress], None] | None = None,
    progress_interval: float = 0.5,
    on_alert: Callable[[bytes], None] | None = None,
    connect_timeout: float = 5.0,
    idle_timeout: float = 30.0,
) -> SendReport:
    """Send every source's events to ``host:port``; return when all are acknowledged.

    Parameters
    ----------
    sources : sequence of (source id, lines)
        ``lines`` is an iterable of JSON bytes (one event each, no newline) or an
        async iterable of lists of them (see :func:`read_json_lines`).
    ca_file : path or PEM bytes, optional
        CA to verify the server against (default: the system store).
    client_certificate, client_key : path or PEM bytes, optional
        Our certificate for mutual TLS.
    resume : bool
        The inputs are the same as an earlier, interrupted ``send``: skip the events
        the server already holds for these source ids (see :class:`~midstream.wire.Sender`).
    retry_for : float
        After a dropped connection, keep reconnecting (with backoff) this many seconds.
    window : int
        Unacknowledged events kept per source (bounds memory).
    on_alert : callable, optional
        Called with each alert record (JSON bytes) the server sends back.

    Raises
    ------
    TransportError
        The server cannot be reached, the certificates are refused or unreadable, or
        reconnecting failed for ``retry_for`` seconds.
    WireError
        The server breaks the protocol, or exactly-once delivery cannot continue.
    """
    ids = [name for name, _ in sources]
    if len(set(ids)) != len(ids):
        raise MidstreamError(f"sources: source ids must be unique, got {ids}")
    states = [
        _Source(Sender(name, window=window, batch_events=batch_events, resume=resume))
        for name, _ in sources
    ]
    started = time.perf_counter()
    connections = 0
    alerts = 0

    def snapshot() -> SendProgress:
        return SendProgress(
            events_read=sum(s.sender.pushed for s in states),
            events_acked=sum(s.sender.acked for s in states),
            events_skipped=sum(s.sender.skipped for s in states),
            connections=connections,
            elapsed_s=time.perf_counter() - started,
        )

    async def read_alerts(control: Stream) -> None:
        nonlocal alerts
        async for data in control.messages():
            message = decode(data)
            if isinstance(message, Alert):
                alerts += 1
                if on_alert is not None:
                    on_alert(message.record)

    async def one_connection() -> None:
        nonlocal connections
        async with connect(
            host,
            port,
            ca_file=ca_file,
            server_name=server_name,
            client_certificate=client_certificate,
            client_key=client_key,
            connect_timeout=connect_timeout,
            idle_timeout=idle_timeout,
        ) as conn:
            connections += 1
            control = await conn.open_bi_stream(priority=StreamPriority.CRITICAL)
            await control.send_message(Control().encode())
            alert_task = asyncio.create_task(read_alerts(control))
            runs: list[asyncio.Task[None]] = []
            try:
                for state in states:
                    if not state.sender.done:
                        stream = await conn.open_bi_stream()
                        runs.append(asyncio.create_task(state.run(stream)))
                await _until_all_done(runs)
            finally:
                await _cancel([alert_task, *runs])
            await control.finish()

    async def connection_loop() -> None:
        delay = 0.05
        lost_since: float | None = None
        while not all(s.sender.done for s in states):
            before = connections
            try:
                await one_connection()
                lost_since = None
                delay = 0.05
                continue
            except Exception as exc:  # classified below
                if connections > before:  # it connected, then broke: a new outage
                    lost_since = None
                    delay = 0.05
                cause = exc
                if isinstance(cause, HandshakeError):
                    raise TransportError(
                        f"TLS handshake with {host}:{port} failed: {_describe(cause)}"
                    ) from None
                if not isinstance(cause, QuicError | ConnectionError | OSError) or isinstance(
                    cause, ConfigurationError
                ):
                    raise cause from None
            for state in states:
                state.sender.connection_lost()
            if connections == 0:
                raise TransportError(f"cannot connect to {host}:{port}: {_describe(cause)}")
            now = time.monotonic()
            lost_since = lost_since or now
            if now - lost_since > retry_for:
                raise TransportError(
                    f"lost the connection to {host}:{port} and could not reconnect "
                    f"for {retry_for:g} s: {_describe(cause)}"
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)

    async def report_progress() -> None:
        assert progress is not None
        while True:
            await asyncio.sleep(progress_interval)
            progress(snapshot())

    feeders = [
        asyncio.create_task(state.feed(lines))
        for state, (_, lines) in zip(states, sources, strict=True)
    ]
    ticker = [asyncio.create_task(report_progress())] if progress else []
    sending = asyncio.create_task(connection_loop())
    try:
        waiting: set[asyncio.Task[None]] = {sending, *feeders}
        while not sending.done():
            done, waiting = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # a feeder's bad input line, or the sender's error
    finally:
        await _cancel([sending, *feeders, *ticker])
    if progress is not None:
        progress(snapshot())
    return SendReport(
        sources=len(states),
        events=sum(s.sender.pushed - s.sender.skipped for s in states),
        skipped=sum(s.sender.skipped for s in states),
        connections=connections,
        alerts=alerts,
        seconds=time.perf_counter() - started,
    )


async def _until_all_done(tasks: list[asyncio.Task[None]]) -> None:
    """Wait for every task; the first failure is raised at once."""
    pending = set(tasks)
    while pending:
        done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            task.result()


async def _cancel(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel what is still running and wait for it; retrieve every outcome."""
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
