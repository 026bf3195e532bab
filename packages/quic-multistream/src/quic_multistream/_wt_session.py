"""A WebTransport session: its streams, datagrams and close handshake.

Sessions are created by the HTTP/3 responder (:mod:`._h3_server`) for each
accepted extended CONNECT; the stream and datagram calls come from
:class:`~quic_multistream._surface.StreamSurface`, the CLOSE_WEBTRANSPORT_SESSION
parsing from :mod:`._capsules`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aioquic.buffer import encode_uint_var

from ._aioquic import datagram_room, stream_acknowledged
from ._capsules import (
    MAX_REASON,
    CapsuleReader,
    CloseCapsule,
    MalformedCapsule,
    encode_close_capsule,
)
from ._surface import StreamSurface
from .connection import Connection
from .errors import ConfigurationError, ConnectionClosed, QuicError
from .priority import StreamPriority
from .server import HANDLER_ERROR
from .stream import Stream, StreamLink

__all__ = ["SessionHost", "WebTransportSession"]

logger = logging.getLogger("quic_multistream")


@dataclass(frozen=True)
class SessionHost:
    """What a session uses of the HTTP/3 connection that carries it (``_h3_server``).

    The connection builds one from its own members and shares it with all its
    sessions; a session never touches the connection's attributes.
    """

    #: the connection itself (public members only: ``is_closed``, ``stats()``, ...)
    connection: Connection
    #: ``http()``: aioquic's ``H3Connection`` of the connection
    http: Callable[[], Any]
    #: the backend's ``QuicConnection``
    quic: Any
    #: what the session's streams use of the connection
    stream_link: StreamLink
    #: the connection's streams by id (read only)
    streams: Mapping[int, Stream]
    #: datagrams a session keeps unread at most
    datagram_queue: int
    #: ``register(session, stream)``: a new stream of the session
    register: Callable[[Any, Stream], None]
    #: ``session_gone(stream)``: the session of ``stream`` ended
    session_gone: Callable[[Stream], None]
    #: ``forget(session_id)``: the session ended
    forget: Callable[[int], None]


class WebTransportSession(StreamSurface):
    """One WebTransport session; ``handler(session)`` gets it from :func:`serve_webtransport`.

    Offers the stream and datagram calls of :class:`~quic_multistream.Connection`;
    the streams are :class:`~quic_multistream.Stream` objects. ``path`` (with
    query), ``authority``, ``origin`` (None when the client sent none) and
    ``headers`` (lower-case names, repeated headers joined by ``", "``) describe
    the CONNECT request. ``connection`` is the underlying QUIC connection (for
    ``stats()``); it carries no streams of its own.
    """

    def __init__(
        self,
        conn: SessionHost,
        session_id: int,
        *,
        path: str,
        authority: str,
        origin: str | None,
        headers: dict[str, str],
    ) -> None:
        self._conn = conn
        self.session_id = session_id
        self.path = path
        self.authority = authority
        self.origin = origin
        self.headers = headers
        self._stream_ids: set[int] = set()
        self._init_surface()
        self.datagrams_dropped = 0
        self._close_error: QuicError | None = None
        self._closed_event = asyncio.Event()
        self._close_sent = False
        self._capsules = CapsuleReader()  # CONNECT stream data from the client

    # -- public API ------------------------------------------------------------------

    @property
    def connection(self) -> Connection:
        """The QUIC connection carrying this session."""
        return self._conn.connection

    @property
    def is_closed(self) -> bool:
        """Whether the session has ended (either side closed it, or the connection)."""
        return self._close_error is not None

    @property
    def close_error(self) -> QuicError | None:
        """Why the session ended (None while open); ``error_code``/``reason`` from the closer."""
        return self._close_error

    def send_datagram(self, data: bytes | bytearray | memoryview) -> None:
        """Send an unreliable datagram in this session.

        Raises
        ------
        QuicError
            ``data`` exceeds what the client accepts in one datagram.
        """
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise ConfigurationError(f"data must be bytes-like, got {type(data).__name__}")
        self._check_open()
        room = datagram_room(self._conn.quic)
        if room is None:
            raise QuicError("the client did not enable datagrams")
        room -= len(encode_uint_var(self.session_id // 4))  # the session id prefix
        if len(data) > room:
            raise QuicError(f"datagram of {len(data)} bytes exceeds the {room}-byte limit")
        self._conn.http().send_datagram(self.session_id, bytes(data))
        self._conn.stream_link.transmit_soon()

    def close(self, code: int = 0, reason: str = "") -> None:
        """End the session now: CLOSE_WEBTRANSPORT_SESSION with ``code`` and ``reason``.

        The session's streams are reset; the QUIC connection stays open.
        """
        if isinstance(code, bool) or not isinstance(code, int) or not 0 <= code < 2**32:
            raise ConfigurationError(f"code must be an int in [0, 2**32), got {code!r}")
        if not isinstance(reason, str):
            raise ConfigurationError(f"reason must be a str, got {type(reason).__name__}")
        raw = reason.encode()[:MAX_REASON]
        self._send_close(code, raw)
        self._terminate(code, raw.decode(errors="replace"), by="server")

    async def wait_closed(self) -> None:
        """Wait until the session has ended."""
        await self._closed_event.wait()

    async def drain(self, timeout: float = 5.0) -> None:
        """Wait (up to ``timeout``) until the client acknowledged all data queued on our streams."""
        conn = self._conn
        deadline = asyncio.get_running_loop().time() + timeout
        while not self.is_closed and asyncio.get_running_loop().time() < deadline:
            pending = False
            for sid in list(self._stream_ids):
                stream = conn.streams.get(sid)
                queued = stream is not None and (
                    conn.stream_link.scheduler.queued(sid) > 0
                    or (stream._fin_queued and not stream._send_done)
                )
                if queued or not stream_acknowledged(conn.quic, sid):
                    pending = True
                    break
            if not pending:
                return
            await asyncio.sleep(0.005)

    async def __aenter__(self) -> WebTransportSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        if not self.is_closed:
            self.close()

    def __repr__(self) -> str:
        state = "closed" if self.is_closed else "open"
        return f"<WebTransportSession {self.path!r} {state} streams={len(self._stream_ids)}>"

    # -- internals --------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._close_error is not None:
            raise self._close_error
        self._conn.stream_link.check_open()

    def _open(self, uni: bool, priority: StreamPriority) -> Stream:
        if not isinstance(priority, StreamPriority):
            raise ConfigurationError(f"priority must be a StreamPriority, got {priority!r}")
        self._check_open()
        conn = self._conn
        # aioquic writes the stream header (type and session id) itself.
        sid = conn.http().create_webtransport_stream(self.session_id, is_unidirectional=uni)
        stream = Stream(conn.stream_link, sid, priority=priority, can_send=True, can_recv=not uni)
        conn.register(self, stream)
        conn.stream_link.transmit_soon()
        return stream

    def _on_datagram(self, data: bytes) -> None:
        if len(self._datagrams) >= self._conn.datagram_queue:
            self.datagrams_dropped += 1
            return
        self._datagrams.append(data)
        self._datagram_event.set()

    def _on_connect_data(self, data: bytes, ended: bool) -> None:
        """Capsules on the CONNECT stream; only CLOSE_WEBTRANSPORT_SESSION matters."""
        capsule = self._capsules.feed(data)
        if isinstance(capsule, MalformedCapsule):
            self.close(HANDLER_ERROR, "malformed CLOSE_WEBTRANSPORT_SESSION capsule")
            return
        if isinstance(capsule, CloseCapsule):
            self._send_close(None, b"")
            self._terminate(capsule.code, capsule.reason.decode(errors="replace"), by="client")
            return
        if ended:
            # A FIN on the CONNECT stream ends the session (code 0).
            self._send_close(None, b"")
            self._terminate(0, "", by="client")

    def _send_close(self, code: int | None, reason: bytes) -> None:
        """Finish our side of the CONNECT stream, with a close capsule when ``code`` is set."""
        conn = self._conn
        if self._close_sent or conn.connection.is_closed or self.is_closed:
            return
        self._close_sent = True
        payload = b"" if code is None else encode_close_capsule(code, reason)
        try:
            conn.http().send_data(self.session_id, payload, end_stream=True)
        except Exception:  # the stream may already be reset or finished
            logger.debug("could not finish CONNECT stream %d", self.session_id, exc_info=True)
        conn.stream_link.transmit_soon()

    def _terminate(
        self, code: int, reason: str, *, by: str, error: QuicError | None = None
    ) -> None:
        if self._close_error is not None:
            return
        self._close_error = error or ConnectionClosed(
            f"WebTransport session closed by the {by} (code {code}"
            f"{': ' + reason if reason else ''})",
            error_code=code,
            reason=reason,
        )
        conn = self._conn
        for sid in list(self._stream_ids):
            stream = conn.streams.get(sid)
            if stream is not None:
                conn.session_gone(stream)
        self._incoming_event.set()
        self._datagram_event.set()
        self._closed_event.set()
        conn.forget(self.session_id)
