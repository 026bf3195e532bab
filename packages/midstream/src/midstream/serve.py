"""Receive events from ``midstream send`` peers over QUIC.

One QUIC stream per source carries batches of JSON events under the send/ack
protocol of :mod:`midstream.wire`; acknowledgements go back on the same stream and
alerts on each connection's control stream, both at CRITICAL priority so they
overtake bulk data. :class:`EventServer` hands the received events to the
application as an async iterator, with backpressure: while the consumer does not
read, the server stops reading its streams and QUIC flow control stops the senders.
"""

from __future__ import annotations

import asyncio
import errno
import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quic_multistream import Connection, QuicError, Stream, StreamPriority
from quic_multistream import serve as quic_serve

from ._serialise import record_dict
from .errors import MidstreamError
from .wire import Alert, Batch, Control, End, Hello, Receiver, Refuse, WireError, decode

__all__ = ["EventServer", "ServerStats", "TransportError", "check_readable", "serve_events"]

# Application error code on a stream the server refuses (protocol error, stale HELLO).
_PROTOCOL_ERROR = 0x10


class TransportError(MidstreamError):
    """A network or certificate problem of ``serve``/``send`` (one clear message)."""


def check_readable(path: str | Path | None, flag: str) -> None:
    """Raise :class:`TransportError` unless ``path`` (given as ``flag``) is a readable file."""
    if path is None:
        return
    p = Path(path)
    if not p.exists():
        raise TransportError(f"{flag}: no such file: {p}")
    if not p.is_file():
        raise TransportError(f"{flag}: not a file: {p}")
    try:
        with p.open("rb"):
            pass
    except OSError as exc:
        raise TransportError(f"{flag}: cannot read {p}: {exc.strerror}") from None


@dataclass(frozen=True)
class ServerStats:
    """Counters of an :class:`EventServer`."""

    events: int
    duplicates: int
    batches: int
    connections: int
    sources: int
    sources_complete: int
    protocol_errors: int
    alerts_sent: int

    def to_dict(self) -> dict[str, int]:
        return record_dict(self)


class EventServer:
    """Events received from senders; create it with :func:`serve_events`.

    Iterate :meth:`events` (JSON bytes, one per event), :meth:`records` (dicts) or
    :meth:`batches` (``(source, [bytes, ...])``); send alerts back with
    :meth:`send_alert`.
    """

    def __init__(self, *, queue_batches: int, stop_after_sources: int | None) -> None:
        self._receiver = Receiver()
        self._queue: asyncio.Queue[tuple[str, list[bytes]] | None] = asyncio.Queue(queue_batches)
        self._locks: dict[str, asyncio.Lock] = {}
        self._controls: set[Stream] = set()
        self._connections: set[Connection] = set()
        self._stop_after = stop_after_sources
        self._complete: set[str] = set()
        self._closed = False
        self.port = 0
        self._events = 0
        self._batches = 0
        self._connection_count = 0
        self._protocol_errors = 0
        self._alerts_sent = 0
        self.last_error: str | None = None
        self._end_marker: asyncio.Task[None] | None = None

    # -- consumer side ---------------------------------------------------------------

    async def batches(self) -> AsyncIterator[tuple[str, list[bytes]]]:
        """Yield ``(source, events)`` in arrival order (each source's events in order).

        Ends after ``stop_after_sources`` sources sent END, or when the server closes.
        """
        while True:
            item = await self._queue.get()
            if item is None:
                return
            yield item

    async def events(self) -> AsyncIterator[bytes]:
        """Yield each event as the JSON bytes the sender read."""
        async for _, events in self.batches():
            for event in events:
                yield event

    async def records(self) -> AsyncIterator[dict[str, Any]]:
        """Yield each event decoded as a dict."""
        async for event in self.events():
            yield json.loads(event)

    async def send_alert(self, record: Mapping[str, Any] | bytes) -> int:
        """Send an output record to every connected sender at CRITICAL priority.

        Returns how many control streams it was sent on.
        """
        data = record if isinstance(record, bytes) else json.dumps(record).encode()
        message = Alert(data).encode()
        sent = 0
        for stream in list(self._controls):
            try:
                await stream.send_message(message)
                sent += 1
            except QuicError:
                self._controls.discard(stream)
        self._alerts_sent += sent
        return sent

    @property
    def stats(self) -> ServerStats:
        return ServerStats(
            events=self._events,
            duplicates=self._receiver.duplicates,
            batches=self._batches,
            connections=self._connection_count,
            sources=len(self._receiver.sources),
            sources_complete=len(self._complete),
            protocol_errors=self._protocol_errors,
            alerts_sent=self._alerts_sent,
        )

    def stop(self) -> None:
        """End the event iterators (after what is queued); the server keeps listening
        until its ``serve_events`` block exits."""
        self._finish_consumers()

    def drop_connections(self, reason: str = "dropped") -> int:
        """Close every client connection abruptly (senders reconnect and resume)."""
        conns = list(self._connections)
        for conn in conns:
            conn.close(0x11, reason)
        return len(conns)

    # -- network side ----------------------------------------------------------------

    def _finish_consumers(self) -> None:
        if not self._closed:
            self._closed = True
            # The consumer may be slow: do not wait for room, drop nothing queued.
            # (Kept referenced: the loop holds tasks only weakly.)
            self._end_marker = asyncio.get_running_loop().create_task(self._queue.put(None))

    async def _handle(self, conn: Connection) -> None:
        self._connections.add(conn)
        self._connection_count += 1
        tasks: set[asyncio.Task[None]] = set()
        try:
            async for stream in conn:
                task = asyncio.create_task(self._stream(stream))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
        except QuicError:
            pass
        finally:
            self._connections.discard(conn)
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)

    async def _stream(self, stream: Stream) -> None:
        try:
            first = await stream.recv_message()
            if first is None:
                return
            message = decode(first)
            if isinstance(message, Control):
                await self._control(stream)
            elif isinstance(message, Hello):
                await self._source(stream, message)
            else:
                raise WireError(f"stream opened with {type(message).__name__}, not HELLO")
        except WireError as exc:
            self._protocol_errors += 1
            self.last_error = str(exc)
            with suppress(QuicError):
                stream.reset(_PROTOCOL_ERROR)
                stream.stop(_PROTOCOL_ERROR)
        except QuicError:
            pass  # the connection went away; the sender resumes on a new one

    async def _control(self, stream: Stream) -> None:
        stream.priority = StreamPriority.CRITICAL
        self._controls.add(stream)
        try:
            while await stream.recv_message() is not None:
                pass
        finally:
            self._controls.discard(stream)

    async def _source(self, stream: Stream, hello: Hello) -> None:
        source = hello.source
        receiver = self._receiver
        lock = self._locks.setdefault(source, asyncio.Lock())
        async with lock:
            opened = receiver.open(hello)
        if opened is None:  # a late HELLO of a connection the sender gave up
            await stream.finish()
            return
        if isinstance(opened, Refuse):  # the source was taken over by another sender
            await stream.send_message(opened.encode())
            await stream.finish()
            return
        session, welcome = opened
        stream.priority = StreamPriority.CRITICAL
        await stream.send_message(welcome.encode())
        queue = self._queue
        async for data in stream.messages():
            message = decode(data)
            if isinstance(message, Batch):
                async with lock:
                    new = receiver.accept(session, source, message)
                    if new:
                        await queue.put((source, new))
                        receiver.delivered(source, message.first_seq + len(message.events) - 1)
                        self._events += len(new)
                        self._batches += 1
                    current = receiver.current(session, source)
                if not current:
                    break
                await stream.send_message(receiver.ack(source).encode())
            elif isinstance(message, End):
                async with lock:
                    done = receiver.end(session, source, message)
                if done is None:
                    break
                await stream.send_message(done.encode())
                if source not in self._complete:
                    self._complete.add(source)
                    if self._stop_after is not None and len(self._complete) >= self._stop_after:
                        self._finish_consumers()
            else:
                raise WireError(f"source {source!r}: unexpected {type(message).__name__}")
        with suppress(QuicError):
            await stream.finish()


@asynccontextmanager
async def serve_events(
    host: str,
    port: int,
    *,
    certificate: str | Path | bytes,
    private_key: str | Path | bytes,
    client_ca: str | Path | bytes | None = None,
    require_client_cert: bool | None = None,
    queue_batches: int = 64,
    stop_after_sources: int | None = None,
    idle_timeout: float = 30.0,
) -> AsyncIterator[EventServer]:
    """Listen for senders; use as ``async with serve_events(...) as server``.

    Parameters
    ----------
    host, port : str, int
        Where to listen (port 0 picks a free one: ``server.port``).
    certificate, private_key : path or PEM bytes
        The server's certificate chain and key.
    client_ca : path or PEM bytes, optional
        Verify client certificates against this CA (mutual TLS, the production
        default); ``require_client_cert`` then defaults to true.
    queue_batches : int
        Batches buffered for a slow consumer before the server stops reading.
    stop_after_sources : int, optional
        End the event iterators once this many sources have sent all their events.

    Raises
    ------
    TransportError
        The port is in use or the address is unusable; the certificate files are
        missing or not valid PEM.

    Examples
    --------
    >>> import asyncio
    >>> from quic_multistream import generate_ca, issue_certificate
    >>> ca = generate_ca("Example CA")
    >>> leaf = issue_certificate(ca, "localhost", names=["127.0.0.1"])
    >>> async def main():
    ...     async with serve_events("127.0.0.1", 0, certificate=leaf.certificate_pem(),
    ...                             private_key=leaf.private_key_pem()) as server:
    ...         return server.port > 0
    >>> asyncio.run(main())
    True
    """
    if queue_batches < 1:
        raise TransportError(f"queue_batches: must be >= 1, got {queue_batches}")
    if require_client_cert is None:
        require_client_cert = client_ca is not None
    server = EventServer(queue_batches=queue_batches, stop_after_sources=stop_after_sources)
    try:
        quic = await quic_serve(
            host,
            port,
            certificate=certificate,
            private_key=private_key,
            handler=server._handle,
            client_ca=client_ca,
            require_client_cert=require_client_cert,
            idle_timeout=idle_timeout,
        )
    except (QuicError, OSError) as exc:
        # quic-multistream wraps bind() errors in ConfigurationError("cannot listen ...").
        cause = exc.__cause__ if isinstance(exc.__cause__, OSError) else exc
        if isinstance(cause, OSError) and cause.errno == errno.EADDRINUSE:
            raise TransportError(f"port {port} on {host} is in use") from exc
        raise TransportError(str(exc)) from exc
    server.port = quic.port
    try:
        yield server
    finally:
        server._finish_consumers()
        await quic.shutdown(1.0)
