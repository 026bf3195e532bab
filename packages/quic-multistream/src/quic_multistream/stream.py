"""One QUIC stream of a :class:`~quic_multistream.Connection`."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import ConfigurationError, ConnectionClosed, QuicError, StreamReset
from .framing import HEADER_SIZE, MessageDecoder, encode_message
from .priority import StreamPriority

if TYPE_CHECKING:
    from .scheduler import SendScheduler


@dataclass(frozen=True, slots=True)
class StreamLink:
    """What a :class:`Stream` uses of its connection.

    The connection builds one from its own methods and shares it with all its
    streams; a stream never touches the connection's attributes.
    """

    #: the connection's send queue (the stream pushes to it and reads its level)
    scheduler: SendScheduler
    #: raise the connection's close error (or ConnectionClosed after close())
    check_open: Callable[[], None]
    #: the connection's close error, None while open
    closed_error: Callable[[], QuicError | None]
    #: schedule a transmit (queued data, new credit for the peer)
    transmit_soon: Callable[[], None]
    #: ``reset_stream(stream, code)``: RESET_STREAM, and stop sending
    reset_stream: Callable[[Stream, int], None]
    #: ``stop_stream(stream, code)``: STOP_SENDING
    stop_stream: Callable[[Stream, int], None]
    #: ``hold_received(n)``: n received bytes are now buffered (receive budget)
    hold_received: Callable[[int], None]
    #: ``release_received(n)``: n buffered bytes were handed to the application
    release_received: Callable[[int], None]
    send_buffer: int
    receive_window: int
    max_message_size: int


__all__ = ["Stream", "StreamLink"]


def _check_bytes(data: object, name: str = "data") -> memoryview:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ConfigurationError(f"{name} must be bytes-like, got {type(data).__name__}")
    return memoryview(data).cast("B")


class Stream:
    """A bidirectional or unidirectional QUIC stream.

    Streams come from :meth:`Connection.open_bi_stream`,
    :meth:`Connection.open_uni_stream`, :meth:`Connection.accept_bi_stream` and
    :meth:`Connection.accept_uni_stream`; do not create them directly.

    Sending queues at most ``send_buffer`` bytes per stream: :meth:`send` waits
    while the stream's queue is full, and the queue drains only as fast as the
    peer's flow control and the connection's congestion window allow, in priority
    order. Receiving holds at most the receive window of unread bytes: the peer
    is granted more credit only as the application reads.

    Iterating with ``async for`` yields received chunks until the peer finishes.
    """

    def __init__(
        self,
        link: StreamLink,
        stream_id: int,
        *,
        priority: StreamPriority,
        can_send: bool,
        can_recv: bool,
    ) -> None:
        self._link = link
        self.stream_id = stream_id
        self.can_send = can_send
        self.can_recv = can_recv
        self._priority = priority
        # receive side
        self._rbuf = bytearray()
        self._eof = not can_recv
        self._reset_code: int | None = None  # peer reset our receive side
        self._stop_code: int | None = None  # peer asked us to stop sending
        self._readable = asyncio.Event()
        self._consumed = 0
        self._credit_mark = 0
        self._decoder = MessageDecoder(link.max_message_size)
        self._messages: deque[bytes] = deque()
        self._arrived = 0  # bytes the QUIC stack passed to us (flow-control accounting)
        self._held = 0  # of those, bytes still buffered here (rbuf, decoder, messages)
        # send side
        self._writable = asyncio.Event()
        self._writable.set()
        self._fin_queued = not can_send
        self._send_done = not can_send
        self._local_reset = False

    # -- properties ------------------------------------------------------------------

    @property
    def is_unidirectional(self) -> bool:
        """Whether this stream carries data one way only."""
        return bool(self.stream_id & 2)

    @property
    def priority(self) -> StreamPriority:
        """Send priority; settable at any time, queued data follows the new level."""
        return self._priority

    @priority.setter
    def priority(self, value: StreamPriority) -> None:
        if not self.can_send:
            raise ConfigurationError(f"stream {self.stream_id} is receive-only: no priority")
        if self.stream_id in self._link.scheduler:
            self._link.scheduler.set_priority(self.stream_id, value)
        elif not isinstance(value, StreamPriority):
            raise ConfigurationError(f"priority must be a StreamPriority, got {value!r}")
        self._priority = StreamPriority(value)

    @property
    def queued(self) -> int:
        """Bytes queued by :meth:`send` and not yet handed to QUIC."""
        return self._link.scheduler.queued(self.stream_id)

    @property
    def buffered(self) -> int:
        """Received bytes not yet read."""
        return len(self._rbuf)

    # -- sending -----------------------------------------------------------------------

    def _check_send(self) -> None:
        if not self.can_send:
            raise QuicError(f"stream {self.stream_id} is receive-only")
        if self._stop_code is not None:
            raise StreamReset(self.stream_id, self._stop_code)
        if self._local_reset:
            raise QuicError(f"stream {self.stream_id} was reset locally")
        if self._fin_queued:
            raise QuicError(f"stream {self.stream_id} is finished; cannot send more")
        self._link.check_open()

    async def send(self, data: bytes | bytearray | memoryview) -> None:
        """Queue ``data``, waiting while this stream's send buffer is full.

        Raises
        ------
        StreamReset
            The peer asked us to stop sending (STOP_SENDING).
        ConnectionClosed
            The connection closed before all of ``data`` was queued.
        """
        view = _check_bytes(data)
        self._check_send()
        limit = self._link.send_buffer
        sched = self._link.scheduler
        while len(view):
            room = limit - sched.queued(self.stream_id)
            if room <= 0:
                self._writable.clear()
                await self._writable.wait()
                self._check_send()
                continue
            piece, view = view[:room], view[room:]
            sched.push(self.stream_id, piece)
            self._link.transmit_soon()

    async def send_message(self, payload: bytes | bytearray | memoryview) -> None:
        """Send one length-prefixed message (at most ``max_message_size`` bytes)."""
        await self.send(encode_message(payload, self._link.max_message_size))

    async def finish(self) -> None:
        """Send FIN after the queued data; the stream then accepts no more data."""
        self._check_send()
        self._fin_queued = True
        self._link.scheduler.push(self.stream_id, b"", end_stream=True)
        self._link.transmit_soon()

    def reset(self, code: int = 0) -> None:
        """Abort sending (RESET_STREAM with ``code``) and drop queued data."""
        if isinstance(code, bool) or not isinstance(code, int) or not 0 <= code < 2**62:
            raise ConfigurationError(f"code must be an int in [0, 2**62), got {code!r}")
        if not self.can_send or self._send_done or self._local_reset:
            return
        self._local_reset = True
        self._fin_queued = True
        self._link.reset_stream(self, code)
        self._writable.set()

    def stop(self, code: int = 0) -> None:
        """Ask the peer to stop sending (STOP_SENDING) and discard unread data."""
        if isinstance(code, bool) or not isinstance(code, int) or not 0 <= code < 2**62:
            raise ConfigurationError(f"code must be an int in [0, 2**62), got {code!r}")
        if not self.can_recv or self._eof:
            return
        self._link.stop_stream(self, code)
        self._rbuf.clear()
        self._decoder = MessageDecoder(self._link.max_message_size)
        self._messages.clear()
        self._release(self._held)
        self._eof = True
        self._readable.set()

    # -- receiving ---------------------------------------------------------------------

    async def _wait_readable(self) -> None:
        while not self._rbuf and not self._eof and self._reset_code is None:
            error = self._link.closed_error()
            if error is not None:
                raise error
            self._readable.clear()
            await self._readable.wait()

    def _release(self, n: int) -> None:
        if n:
            self._held -= n
            self._link.release_received(n)

    def _consume(self, n: int, release: bool = True) -> bytes:
        rbuf = self._rbuf
        if n >= len(rbuf):
            n = len(rbuf)
            data = bytes(rbuf)  # one copy; the usual case
            rbuf.clear()
        else:
            data = bytes(rbuf[:n])
            del rbuf[:n]
        self._consumed += n
        if release:
            self._release(n)
        if self._consumed - self._credit_mark >= self._link.receive_window // 4:
            self._credit_mark = self._consumed
            self._link.transmit_soon()  # lets the peer know it may send more
        return data

    async def recv(self, n: int = -1) -> bytes:
        """Read up to ``n`` bytes (all buffered when ``n < 0``); ``b""`` at end of stream.

        Raises
        ------
        StreamReset
            The peer reset the stream before finishing it.
        ConnectionClosed
            The connection closed before the stream finished.
        """
        if isinstance(n, bool) or not isinstance(n, int):
            raise ConfigurationError(f"n must be an int, got {type(n).__name__}")
        return await self._recv(n, release=True)

    async def _recv(self, n: int, *, release: bool) -> bytes:
        if not self.can_recv:
            raise QuicError(f"stream {self.stream_id} is send-only")
        if n == 0:
            return b""
        await self._wait_readable()
        if self._rbuf:
            return self._consume(len(self._rbuf) if n < 0 else n, release)
        if self._reset_code is not None:
            raise StreamReset(self.stream_id, self._reset_code)
        return b""

    async def read_all(self) -> bytes:
        """Read until the end of the stream."""
        parts = []
        while chunk := await self.recv():
            parts.append(chunk)
        return b"".join(parts)

    async def recv_message(self) -> bytes | None:
        """Read one length-prefixed message; None at a clean end of stream.

        Raises
        ------
        MessageTooLarge
            The peer announced a message above ``max_message_size``; the stream
            is stopped.
        QuicError
            The stream ended inside a message.
        """
        while not self._messages:
            # Bytes stay counted against the connection's receive budget until
            # their message is returned: partial messages are buffered memory too.
            chunk = await self._recv(-1, release=False)
            if not chunk:
                self._decoder.check_eof()
                return None
            try:
                self._messages.extend(self._decoder.feed(chunk))
            except QuicError:
                self.stop(1)
                raise
        message = self._messages.popleft()
        self._release(HEADER_SIZE + len(message))
        return message

    async def messages(self) -> AsyncIterator[bytes]:
        """Yield messages until the end of the stream."""
        while (msg := await self.recv_message()) is not None:
            yield msg

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        while chunk := await self.recv():
            yield chunk

    # -- events from the connection ----------------------------------------------------

    def _on_data(self, data: bytes, end_stream: bool) -> None:
        self._arrived += len(data)
        if self._eof:
            return  # stopped: discarded, so never held
        self._rbuf += data
        self._held += len(data)
        self._link.hold_received(len(data))
        if end_stream:
            self._eof = True
        self._readable.set()

    def _on_reset(self, code: int) -> None:
        self._reset_code = code
        self._readable.set()

    def _on_stop_sending(self, code: int) -> None:
        self._stop_code = code
        self._writable.set()

    def _on_closed(self) -> None:
        self._readable.set()
        self._writable.set()

    @property
    def _recv_done(self) -> bool:
        return self._eof or self._reset_code is not None

    def __repr__(self) -> str:
        kind = "uni" if self.is_unidirectional else "bi"
        return f"<Stream id={self.stream_id} {kind} priority={self._priority}>"


def closed_error(code: int, reason: str) -> ConnectionClosed:
    """The error raised by operations on a closed connection."""
    return ConnectionClosed(
        f"connection closed (code {code:#x}{': ' + reason if reason else ''})",
        error_code=code,
        reason=reason,
    )
