"""The stream and datagram calls a :class:`~quic_multistream.Connection` and a
:class:`~quic_multistream.WebTransportSession` share.

Both open streams, accept the peer's streams (of one kind or either, or by
iterating) and receive datagrams the same way; they differ only in how a stream
is opened (:meth:`StreamSurface._open`) and when they count as closed
(:meth:`StreamSurface._check_open`).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator

from .errors import ConnectionClosed
from .priority import StreamPriority
from .stream import Stream

__all__ = ["StreamSurface"]


class StreamSurface:
    """Incoming stream queues, datagram queue and the calls on them."""

    _incoming: dict[bool, deque[Stream]]
    _incoming_any: deque[Stream]
    _incoming_event: asyncio.Event
    _datagrams: deque[bytes]
    _datagram_event: asyncio.Event

    def _init_surface(self) -> None:
        self._incoming = {True: deque(), False: deque()}
        self._incoming_any = deque()
        self._incoming_event = asyncio.Event()
        self._datagrams = deque()
        self._datagram_event = asyncio.Event()

    # -- what each kind defines ---------------------------------------------------------

    def _open(self, uni: bool, priority: StreamPriority) -> Stream:
        raise NotImplementedError

    def _check_open(self) -> None:
        raise NotImplementedError

    # -- shared ---------------------------------------------------------------------------

    async def open_bi_stream(self, priority: StreamPriority = StreamPriority.NORMAL) -> Stream:
        """Open a bidirectional stream with a send ``priority``."""
        return self._open(False, priority)

    async def open_uni_stream(self, priority: StreamPriority = StreamPriority.NORMAL) -> Stream:
        """Open a send-only stream with a send ``priority``."""
        return self._open(True, priority)

    async def accept_bi_stream(self) -> Stream:
        """Wait for the peer to open a bidirectional stream."""
        return await self._accept(False)

    async def accept_uni_stream(self) -> Stream:
        """Wait for the peer to open a unidirectional stream."""
        return await self._accept(True)

    async def accept_stream(self) -> Stream:
        """Wait for the peer to open a stream of either kind."""
        return await self._accept(None)

    def __aiter__(self) -> AsyncIterator[Stream]:
        return self._iter_streams()

    async def _iter_streams(self) -> AsyncIterator[Stream]:
        while True:
            try:
                yield await self._accept(None)
            except ConnectionClosed:
                return

    async def recv_datagram(self) -> bytes:
        """Wait for the next datagram from the peer."""
        while not self._datagrams:
            self._check_open()
            self._datagram_event.clear()
            await self._datagram_event.wait()
        return self._datagrams.popleft()

    def _add_incoming(self, stream: Stream) -> None:
        self._incoming[stream.is_unidirectional].append(stream)
        self._incoming_any.append(stream)
        self._incoming_event.set()

    async def _accept(self, uni: bool | None) -> Stream:
        queue = self._incoming_any if uni is None else self._incoming[uni]
        while True:
            if queue:
                stream = queue.popleft()
                if uni is None:
                    self._incoming[stream.is_unidirectional].remove(stream)
                else:
                    self._incoming_any.remove(stream)
                return stream
            self._check_open()
            self._incoming_event.clear()
            await self._wait_incoming()

    async def _wait_incoming(self) -> None:
        await self._incoming_event.wait()
