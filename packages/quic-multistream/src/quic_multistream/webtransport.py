"""WebTransport (draft-02, as in aioquic) and a small HTTP/3 responder on one QUIC server.

:func:`serve_webtransport` listens for HTTP/3 (ALPN ``h3``). An extended CONNECT
with ``:protocol webtransport`` on ``path`` opens a :class:`WebTransportSession`
and runs ``handler(session)``; the session opens and accepts streams that are
ordinary :class:`~quic_multistream.Stream` objects (priorities, backpressure,
``send_message``/``recv_message`` framing bounded by ``max_message_size``) and
carries datagrams. Browsers send an ``Origin`` header: by default only the
server's own origin (``https://`` + the request's authority) is accepted,
others get 403. Other requests get a small plain HTTP/3 answer: ``GET`` on ``/``
or ``/.well-known/midstream`` returns 200 (a health check for curl and the like),
``pages`` adds HTML documents, anything else is 404 (405 for other methods).

>>> import asyncio
>>> from quic_multistream import generate_ca, issue_certificate
>>> ca = generate_ca("Example CA")
>>> cert = issue_certificate(ca, "localhost", names=["localhost", "127.0.0.1"])
>>> async def echo(session):
...     stream = await session.accept_bi_stream()
...     async for message in stream.messages():
...         await stream.send_message(message)
...     await stream.finish()
>>> async def main():
...     async with serve_webtransport(
...         "127.0.0.1", 0, certificate=cert.certificate, private_key=cert.private_key,
...         handler=echo,
...     ) as server:
...         return server.port > 0
>>> asyncio.run(main())
True
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping
from typing import Any
from urllib.parse import urlsplit

from aioquic.buffer import Buffer, BufferReadError, encode_uint_var
from aioquic.h3 import events as h3
from aioquic.h3.connection import H3_ALPN, H3Connection
from aioquic.quic import events
from aioquic.quic.configuration import QuicConfiguration
from aioquic.quic.connection import stream_is_client_initiated

from ._admission import (
    DEFAULT_MAX_UNVALIDATED,
    DEFAULT_MAX_UNVALIDATED_PER_ADDRESS,
    HandshakeAdmission,
)
from ._engine import datagram_room, delivered_offset, release_h3_stream, stream_acknowledged
from ._options import load_identity
from ._receive_budget import (
    DEFAULT_SERVER_RECEIVE_BUDGET,
    ReceivePool,
    check_budget,
)
from .certs import spki_sha256
from .connection import Connection, _Protocol
from .errors import ConfigurationError, ConnectionClosed, QuicError
from .options import Options
from .priority import StreamPriority
from .server import HANDLER_ERROR, Server, _Serve, check_server_arguments
from .stream import Stream

__all__ = [
    "HEALTH_PATH",
    "WebTransportSession",
    "serve_webtransport",
    "spki_sha256",
    "webtransport_echo",
]

logger = logging.getLogger("quic_multistream")

#: GET on this path (and on ``/`` unless ``pages`` has it) answers 200.
HEALTH_PATH = "/.well-known/midstream"
HEALTH_BODY = b"midstream webtransport ok\n"

#: Stream error code for streams of a terminated session (draft-ietf-webtrans-http3).
SESSION_GONE = 0x170D7B68
_CLOSE_CAPSULE = 0x2843  # CLOSE_WEBTRANSPORT_SESSION: 32-bit code, then the reason
_MAX_CAPSULE = 1024 + 4  # the reason is at most 1024 bytes
_MAX_REASON = 1024

Handler = Callable[["WebTransportSession"], Awaitable[Any]]


class WebTransportSession:
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
        conn: _HttpConnection,
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
        self._incoming: dict[bool, deque[Stream]] = {True: deque(), False: deque()}
        self._incoming_any: deque[Stream] = deque()
        self._incoming_event = asyncio.Event()
        self._datagrams: deque[bytes] = deque()
        self._datagram_event = asyncio.Event()
        self.datagrams_dropped = 0
        self._close_error: QuicError | None = None
        self._closed_event = asyncio.Event()
        self._close_sent = False
        self._capsules = bytearray()  # CONNECT stream data: capsules from the client
        self._skip = 0  # bytes of an ignored capsule still to come

    # -- public API ------------------------------------------------------------------

    @property
    def connection(self) -> Connection:
        """The QUIC connection carrying this session."""
        return self._conn

    @property
    def is_closed(self) -> bool:
        """Whether the session has ended (either side closed it, or the connection)."""
        return self._close_error is not None

    @property
    def close_error(self) -> QuicError | None:
        """Why the session ended (None while open); ``error_code``/``reason`` from the closer."""
        return self._close_error

    async def open_bi_stream(self, priority: StreamPriority = StreamPriority.NORMAL) -> Stream:
        """Open a bidirectional stream in this session with a send ``priority``."""
        return self._open(False, priority)

    async def open_uni_stream(self, priority: StreamPriority = StreamPriority.NORMAL) -> Stream:
        """Open a send-only stream in this session with a send ``priority``."""
        return self._open(True, priority)

    async def accept_bi_stream(self) -> Stream:
        """Wait for the client to open a bidirectional stream in this session."""
        return await self._accept(False)

    async def accept_uni_stream(self) -> Stream:
        """Wait for the client to open a unidirectional stream in this session."""
        return await self._accept(True)

    async def accept_stream(self) -> Stream:
        """Wait for the client to open a stream of either kind."""
        return await self._accept(None)

    def __aiter__(self) -> AsyncIterator[Stream]:
        return self._iter_streams()

    async def _iter_streams(self) -> AsyncIterator[Stream]:
        while True:
            try:
                yield await self._accept(None)
            except ConnectionClosed:
                return

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
        room = datagram_room(self._conn._quic)
        if room is None:
            raise QuicError("the client did not enable datagrams")
        room -= len(encode_uint_var(self.session_id // 4))  # the session id prefix
        if len(data) > room:
            raise QuicError(f"datagram of {len(data)} bytes exceeds the {room}-byte limit")
        self._conn._http.send_datagram(self.session_id, bytes(data))
        self._conn._transmit_soon()

    async def recv_datagram(self) -> bytes:
        """Wait for the next datagram of this session."""
        while not self._datagrams:
            self._check_open()
            self._datagram_event.clear()
            await self._datagram_event.wait()
        return self._datagrams.popleft()

    def close(self, code: int = 0, reason: str = "") -> None:
        """End the session now: CLOSE_WEBTRANSPORT_SESSION with ``code`` and ``reason``.

        The session's streams are reset; the QUIC connection stays open.
        """
        if isinstance(code, bool) or not isinstance(code, int) or not 0 <= code < 2**32:
            raise ConfigurationError(f"code must be an int in [0, 2**32), got {code!r}")
        if not isinstance(reason, str):
            raise ConfigurationError(f"reason must be a str, got {type(reason).__name__}")
        raw = reason.encode()[:_MAX_REASON]
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
                stream = conn._streams.get(sid)
                queued = stream is not None and (
                    conn._scheduler.queued(sid) > 0
                    or (stream._fin_queued and not stream._send_done)
                )
                if queued or not stream_acknowledged(conn._quic, sid):
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
        self._conn._check_open()

    def _open(self, uni: bool, priority: StreamPriority) -> Stream:
        if not isinstance(priority, StreamPriority):
            raise ConfigurationError(f"priority must be a StreamPriority, got {priority!r}")
        self._check_open()
        conn = self._conn
        # aioquic writes the stream header (type and session id) itself.
        sid = conn._http.create_webtransport_stream(self.session_id, is_unidirectional=uni)
        stream = Stream(conn, sid, priority=priority, can_send=True, can_recv=not uni)
        conn._register(self, stream)
        conn._transmit_soon()
        return stream

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
            await self._incoming_event.wait()

    def _on_datagram(self, data: bytes) -> None:
        if len(self._datagrams) >= self._conn._datagram_queue:
            self.datagrams_dropped += 1
            return
        self._datagrams.append(data)
        self._datagram_event.set()

    def _on_connect_data(self, data: bytes, ended: bool) -> None:
        """Capsules on the CONNECT stream; only CLOSE_WEBTRANSPORT_SESSION matters."""
        if self._skip:
            n = min(self._skip, len(data))
            self._skip -= n
            data = data[n:]
        self._capsules += data
        while self._capsules:
            buf = Buffer(data=bytes(self._capsules[:16]))
            try:
                kind = buf.pull_uint_var()
                length = buf.pull_uint_var()
            except BufferReadError:
                break
            start = buf.tell()
            if kind != _CLOSE_CAPSULE:
                # Other capsules are skipped as they arrive, never buffered whole.
                n = min(start + length, len(self._capsules))
                self._skip = start + length - n
                del self._capsules[:n]
                continue
            if not 4 <= length <= _MAX_CAPSULE:
                self.close(HANDLER_ERROR, "malformed CLOSE_WEBTRANSPORT_SESSION capsule")
                return
            if len(self._capsules) < start + length:
                break
            body = bytes(self._capsules[start : start + length])
            del self._capsules[: start + length]
            self._send_close(None, b"")
            code = int.from_bytes(body[:4], "big")
            self._terminate(code, body[4:].decode(errors="replace"), by="client")
            return
        if ended:
            # A FIN on the CONNECT stream ends the session (code 0).
            self._send_close(None, b"")
            self._terminate(0, "", by="client")

    def _send_close(self, code: int | None, reason: bytes) -> None:
        """Finish our side of the CONNECT stream, with a close capsule when ``code`` is set."""
        conn = self._conn
        if self._close_sent or conn.is_closed or self.is_closed:
            return
        self._close_sent = True
        payload = b""
        if code is not None:
            body = code.to_bytes(4, "big") + reason
            payload = encode_uint_var(_CLOSE_CAPSULE) + encode_uint_var(len(body)) + body
        try:
            conn._http.send_data(self.session_id, payload, end_stream=True)
        except Exception:  # the stream may already be reset or finished
            logger.debug("could not finish CONNECT stream %d", self.session_id, exc_info=True)
        conn._transmit_soon()

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
            stream = conn._streams.get(sid)
            if stream is not None:
                conn._session_gone(stream)
        self._incoming_event.set()
        self._datagram_event.set()
        self._closed_event.set()
        conn._sessions.pop(self.session_id, None)


class _Endpoint:
    """What serve_webtransport was configured with; shared by the server's connections."""

    def __init__(
        self,
        *,
        handler: Handler,
        path: str,
        allowed_origins: frozenset[str] | None,
        pages: dict[str, bytes],
        close_timeout: float,
    ) -> None:
        self.handler = handler
        self.path = path
        self.allowed_origins = allowed_origins
        self.pages = pages
        self.close_timeout = close_timeout

    def origin_allowed(self, origin: str | None, authority: str) -> bool:
        if origin is None:
            return True  # not a browser: nothing can forge a request on a user's behalf
        origin = origin.rstrip("/").lower()
        if self.allowed_origins is None:
            return origin == f"https://{authority.lower()}"
        return "*" in self.allowed_origins or origin in self.allowed_origins


class _HttpConnection(Connection):
    """A server connection that speaks HTTP/3 and hosts WebTransport sessions.

    QUIC events go through aioquic's ``H3Connection`` until a WebTransport stream's
    header (type and session id) has been read; from then on its data is plain
    stream data and goes straight to a :class:`Stream`, so it gets the same
    scheduler, flow control and framing as streams of :class:`Connection`.
    """

    def __init__(self, protocol: _Protocol, *, endpoint: _Endpoint, **kwargs: Any) -> None:
        super().__init__(protocol, **kwargs)
        self._endpoint = endpoint
        self._h3: H3Connection | None = None
        self._sessions: dict[int, WebTransportSession] = {}
        self._stream_session: dict[int, WebTransportSession] = {}
        self._session_tasks: set[asyncio.Task[None]] = set()
        self._on_close_hooks.append(self._end_sessions)

    @property
    def _http(self) -> H3Connection:
        if self._h3 is None:  # pragma: no cover - sessions exist only after ALPN
            raise QuicError("HTTP/3 not negotiated")
        return self._h3

    # Raw QUIC streams and datagrams would break the HTTP/3 peer: use sessions.
    def _open(self, uni: bool, priority: StreamPriority) -> Stream:
        raise QuicError("an HTTP/3 connection has no raw streams: use the WebTransportSession")

    async def _accept(self, uni: bool | None) -> Stream:
        raise QuicError("an HTTP/3 connection has no raw streams: use the WebTransportSession")

    def send_datagram(self, data: bytes | bytearray | memoryview) -> None:
        raise QuicError("use WebTransportSession.send_datagram on an HTTP/3 connection")

    async def recv_datagram(self) -> bytes:
        raise QuicError("use WebTransportSession.recv_datagram on an HTTP/3 connection")

    # -- Connection hooks ----------------------------------------------------------------

    def _peer_stream(self, sid: int) -> Stream | None:
        return self._streams.get(sid)  # streams are created from HTTP/3 events only

    def _consumed_offset(self, stream_id: int) -> int | None:
        # The receive window follows what the application read, counted in QUIC
        # stream offsets (which include the WebTransport stream header).
        stream = self._streams.get(stream_id)
        if stream is None:
            # A request or CONNECT stream: its body is discarded as it arrives, so
            # never grant more than the first receive window (a bound on what a
            # client can make us parse there); other streams keep aioquic's rule.
            return 0 if stream_id & 3 == 0 else None
        delivered = delivered_offset(self._quic, stream_id)
        return None if delivered is None else delivered - stream.buffered

    def _maybe_forget(self, stream: Stream) -> None:
        super()._maybe_forget(stream)
        sid = stream.stream_id
        if sid not in self._streams:
            # Late frames for it must not reach the HTTP/3 parser as a new stream.
            self._forgotten.add(sid)
            session = self._stream_session.pop(sid, None)
            if session is not None:
                session._stream_ids.discard(sid)

    def _on_event(self, event: events.QuicEvent) -> None:
        if isinstance(event, events.ProtocolNegotiated):
            if event.alpn_protocol in H3_ALPN and self._h3 is None:
                self._h3 = H3Connection(self._quic, enable_webtransport=True)
            return
        if isinstance(
            event,
            (
                events.StreamDataReceived,
                events.StreamReset,
                events.StopSendingReceived,
                events.DatagramFrameReceived,
            ),
        ):
            sid = getattr(event, "stream_id", None)
            if sid is not None and (sid in self._streams or sid in self._forgotten):
                super()._on_event(event)  # a WebTransport stream past its header
                return
            if self._h3 is None:
                return
            if isinstance(event, events.StreamReset) and sid in self._sessions:
                self._sessions[sid]._terminate(
                    event.error_code, "CONNECT stream reset", by="client"
                )
            for http_event in self._h3.handle_event(event):
                self._on_http(http_event)
            return
        super()._on_event(event)

    # -- HTTP/3 events ------------------------------------------------------------------

    def _on_http(self, event: h3.H3Event) -> None:
        if isinstance(event, h3.WebTransportStreamDataReceived):
            self._on_stream_header(event)
        elif isinstance(event, h3.DatagramReceived):
            session = self._sessions.get(event.stream_id)
            if session is not None:
                session._on_datagram(event.data)
        elif isinstance(event, h3.HeadersReceived):
            session = self._sessions.get(event.stream_id)
            if session is not None:
                session._on_connect_data(b"", event.stream_ended)  # trailers
            else:
                self._on_request(event)
        elif isinstance(event, h3.DataReceived):
            session = self._sessions.get(event.stream_id)
            if session is not None:
                session._on_connect_data(event.data, event.stream_ended)
            # Request bodies of plain requests are not used: dropped.

    def _on_stream_header(self, event: h3.WebTransportStreamDataReceived) -> None:
        sid = event.stream_id
        # From now on this stream's frames bypass the HTTP/3 parser (see _on_event).
        release_h3_stream(self._http, sid)
        session = self._sessions.get(event.session_id)
        uni = bool(sid & 2)
        if session is None or stream_is_client_initiated(sid) is False:
            # No such session (or it ended): refuse the stream.
            self._forgotten.add(sid)
            self._quic.stop_stream(sid, SESSION_GONE)
            if not uni:
                self._quic.reset_stream(sid, SESSION_GONE)
            self._transmit_soon()
            return
        stream = Stream(self, sid, priority=StreamPriority.NORMAL, can_send=not uni, can_recv=True)
        self._register(session, stream)
        session._add_incoming(stream)
        stream._on_data(event.data, event.stream_ended)
        if event.stream_ended:
            self._maybe_forget(stream)

    def _register(self, session: WebTransportSession, stream: Stream) -> None:
        sid = stream.stream_id
        self._streams[sid] = stream
        if stream.can_send:
            self._scheduler.add_stream(sid, stream.priority)
        self._stream_session[sid] = session
        session._stream_ids.add(sid)

    def _session_gone(self, stream: Stream) -> None:
        """Reset both directions of a stream whose session ended."""
        if not stream._recv_done:
            stream._on_reset(SESSION_GONE)
            if not self.is_closed:
                self._quic.stop_stream(stream.stream_id, SESSION_GONE)
        if stream.can_send and not stream._send_done:
            stream._on_stop_sending(SESSION_GONE)
            self._reset_stream(stream, SESSION_GONE)
        self._maybe_forget(stream)
        self._transmit_soon()

    def _on_request(self, event: h3.HeadersReceived) -> None:
        pseudo: dict[str, str] = {}
        headers: dict[str, str] = {}
        for raw_name, raw_value in event.headers:
            name = raw_name.decode("latin-1").lower()
            value = raw_value.decode("utf-8", errors="replace")
            if name.startswith(":"):
                pseudo[name] = value
            elif name in headers:
                headers[name] += ", " + value
            else:
                headers[name] = value
        sid = event.stream_id
        method = pseudo.get(":method", "")
        target = pseudo.get(":path", "")
        route = urlsplit(target).path
        ep = self._endpoint
        if method == "CONNECT" and pseudo.get(":protocol") == "webtransport":
            authority = pseudo.get(":authority", "")
            origin = headers.get("origin")
            if route != ep.path:
                self._respond(sid, 404, b"no WebTransport endpoint at this path\n")
            elif not ep.origin_allowed(origin, authority):
                self._respond(sid, 403, b"origin not allowed\n")
            else:
                session = self._start_session(sid, target, authority, origin, headers)
                if event.stream_ended:  # a CONNECT that ends at once closes the session
                    session._on_connect_data(b"", True)
            return
        if method not in ("GET", "HEAD"):
            self._respond(sid, 405, b"method not allowed\n")
            return
        head = method == "HEAD"
        if route in ep.pages:
            self._respond(sid, 200, ep.pages[route], "text/html; charset=utf-8", head=head)
        elif route in ("/", HEALTH_PATH):
            self._respond(sid, 200, HEALTH_BODY, head=head)
        else:
            self._respond(sid, 404, b"not found\n", head=head)

    def _respond(
        self,
        sid: int,
        status: int,
        body: bytes,
        content_type: str = "text/plain; charset=utf-8",
        *,
        head: bool = False,
    ) -> None:
        http = self._http
        headers = [
            (b":status", str(status).encode()),
            (b"server", b"quic-multistream"),
            (b"content-type", content_type.encode()),
        ]
        if not head:  # optional for HEAD, and strict clients check it against the body
            headers.append((b"content-length", str(len(body)).encode()))
        http.send_headers(sid, headers, end_stream=head or not body)
        if body and not head:
            http.send_data(sid, body, end_stream=True)
        self._transmit_soon()

    def _start_session(
        self, sid: int, path: str, authority: str, origin: str | None, headers: dict[str, str]
    ) -> WebTransportSession:
        self._http.send_headers(
            sid,
            [
                (b":status", b"200"),
                (b"server", b"quic-multistream"),
                # draft-02's answer to the client's sec-webtransport-http3-draft02.
                (b"sec-webtransport-http3-draft", b"draft02"),
            ],
        )
        self._transmit_soon()
        session = WebTransportSession(
            self, sid, path=path, authority=authority, origin=origin, headers=headers
        )
        self._sessions[sid] = session
        task = asyncio.get_running_loop().create_task(self._run_session(session))
        self._session_tasks.add(task)
        task.add_done_callback(self._session_tasks.discard)
        return session

    async def _run_session(self, session: WebTransportSession) -> None:
        try:
            await self._endpoint.handler(session)
        except asyncio.CancelledError:
            if not session.is_closed and not self.is_closed:
                session.close(0, "server closing")
            raise
        except Exception as exc:
            if not session.is_closed and not self.is_closed:
                logger.exception("WebTransport session handler failed")
                session.close(HANDLER_ERROR, f"handler error: {type(exc).__name__}")
            return
        # Graceful: what the handler queued is delivered before the session closes.
        if not session.is_closed and not self.is_closed:
            await session.drain(self._endpoint.close_timeout)
            if not session.is_closed and not self.is_closed:
                session.close()

    def _end_sessions(self) -> None:
        err = self.close_error
        for session in list(self._sessions.values()):
            session._terminate(0, "", by="connection", error=err)

    async def _serve(self) -> None:
        """The server's per-connection task: lasts as long as the connection."""
        try:
            await self.wait_closed()
        finally:
            tasks = list(self._session_tasks)
            if tasks:
                # Sessions see the closed connection on their next call; give them
                # a moment to return, then cancel what still runs.
                await asyncio.wait(tasks, timeout=1.0)
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)


async def webtransport_echo(session: WebTransportSession) -> None:
    """A session handler that echoes: bytes on each bidirectional stream, each
    unidirectional stream's data on a new unidirectional stream, and datagrams.

    Runs until the session ends; used by ``python -m quic_multistream
    webtransport-server``.
    """

    async def bidi(stream: Stream) -> None:
        while chunk := await stream.recv():
            await stream.send(chunk)
        await stream.finish()

    async def uni(stream: Stream) -> None:
        data = await stream.read_all()
        out = await session.open_uni_stream()
        await out.send(data)
        await out.finish()

    async def datagrams() -> None:
        while True:
            session.send_datagram(await session.recv_datagram())

    async def guarded(work: Awaitable[None]) -> None:
        with contextlib.suppress(QuicError):  # the client reset the stream or left
            await work

    tasks = {asyncio.ensure_future(guarded(datagrams()))}
    try:
        async for stream in session:
            job = bidi(stream) if stream.can_send else uni(stream)
            task = asyncio.ensure_future(guarded(job))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
    finally:
        for task in tasks:
            task.cancel()


async def _serve_connection(conn: Connection) -> None:
    assert isinstance(conn, _HttpConnection)
    await conn._serve()


def _check_origins(allowed_origins: object) -> frozenset[str] | None:
    if allowed_origins is None:
        return None
    if isinstance(allowed_origins, (str, bytes)) or not isinstance(allowed_origins, Collection):
        raise ConfigurationError(
            f"allowed_origins must be a collection of str (or None), got {allowed_origins!r}"
        )
    out = set()
    for origin in allowed_origins:
        if not isinstance(origin, str) or not origin:
            raise ConfigurationError(
                f"allowed_origins entries must be non-empty str, got {origin!r}"
            )
        if origin != "*" and "://" not in origin:
            raise ConfigurationError(
                f"allowed_origins entries are scheme://host[:port] or '*', got {origin!r}"
            )
        out.add(origin.rstrip("/").lower())
    return frozenset(out)


def _check_pages(pages: object) -> dict[str, bytes]:
    if pages is None:
        return {}
    if not isinstance(pages, Mapping):
        raise ConfigurationError(f"pages must be a mapping of path to HTML, got {pages!r}")
    out = {}
    for route, html in pages.items():
        if not isinstance(route, str) or not route.startswith("/"):
            raise ConfigurationError(f"pages keys must be paths starting with '/', got {route!r}")
        if isinstance(html, str):
            html = html.encode()
        if not isinstance(html, bytes):
            raise ConfigurationError(f"pages[{route!r}] must be str or bytes, got {html!r}")
        out[route] = html
    return out


def serve_webtransport(
    host: str,
    port: int,
    *,
    certificate: Any,
    private_key: Any,
    handler: Handler,
    path: str = "/midstream",
    allowed_origins: Collection[str] | None = None,
    pages: Mapping[str, str | bytes] | None = None,
    options: Options | None = None,
    max_streams: int | None = None,
    idle_timeout: float | None = None,
    max_message_size: int | None = None,
    max_connections: int = 1024,
    receive_window: int | None = None,
    send_buffer: int | None = None,
    unsent_window: int | None = None,
    keepalive_interval: float | None = None,
    handshake_timeout: float = 10.0,
    retry: bool = False,
    max_unvalidated_handshakes: int = DEFAULT_MAX_UNVALIDATED,
    max_unvalidated_per_address: int = DEFAULT_MAX_UNVALIDATED_PER_ADDRESS,
    receive_budget: int | None = None,
    server_receive_budget: int = DEFAULT_SERVER_RECEIVE_BUDGET,
) -> _Serve:
    """Serve WebTransport sessions (and small HTTP/3 answers) over QUIC.

    Use ``async with serve_webtransport(...) as server`` or ``await`` it. ALPN is
    ``h3``; datagrams are always enabled (WebTransport needs them).

    Parameters
    ----------
    host, port : str, int
        Where to listen (port 0 picks a free port; see ``server.port``).
    certificate, private_key : path, PEM bytes or cryptography objects
        The server's certificate chain and key.
    handler : async callable
        ``await handler(session)`` runs for each :class:`WebTransportSession`.
        When it returns, data it queued is delivered (up to ``idle_timeout``)
        and the session is closed; if it raises, the session is closed with
        code 1.
    path : str
        The path of the extended CONNECT that opens a session; other paths get 404.
    allowed_origins : collection of str, optional
        Origins (``"https://host:port"``) whose pages may open sessions; ``"*"``
        allows any. Default: only the server's own origin. Requests without an
        ``Origin`` header (not from a browser) are always accepted.
    pages : mapping of path to HTML, optional
        Documents served on GET (for example a page that opens a session).
    options : Options, optional
        Transport settings, as for :func:`~quic_multistream.serve` (datagrams
        are always on).
    max_streams, idle_timeout, max_message_size, max_connections
        As for :func:`~quic_multistream.serve`.
    receive_window, send_buffer, unsent_window, keepalive_interval
        As for :func:`~quic_multistream.serve`.
    handshake_timeout, retry, max_unvalidated_handshakes, max_unvalidated_per_address
        As for :func:`~quic_multistream.serve`.
    receive_budget, server_receive_budget
        As for :func:`~quic_multistream.serve`.

    Returns
    -------
    awaitable async context manager yielding a :class:`~quic_multistream.Server`
    """
    check_server_arguments(handler, host, port, max_connections, handshake_timeout)
    if not isinstance(path, str) or not path.startswith("/") or "?" in path:
        raise ConfigurationError(
            f"path must be a str starting with '/', without query, got {path!r}"
        )
    options = Options.merge(
        options,
        max_streams=max_streams,
        idle_timeout=idle_timeout,
        max_message_size=max_message_size,
        datagrams=True,
        receive_window=receive_window,
        send_buffer=send_buffer,
        unsent_window=unsent_window,
        keepalive_interval=keepalive_interval,
        receive_budget=receive_budget,
    )
    endpoint = _Endpoint(
        handler=handler,
        path=path,
        allowed_origins=_check_origins(allowed_origins),
        pages=_check_pages(pages),
        close_timeout=options.idle_timeout,
    )
    config = QuicConfiguration(is_client=False, alpn_protocols=list(H3_ALPN))
    options.apply(config)
    load_identity(config, certificate, private_key)
    server = Server(
        handler=_serve_connection,
        options=options,
        max_connections=max_connections,
        start_early=False,
        handshake_timeout=float(handshake_timeout),
        connection_factory=functools.partial(_HttpConnection, endpoint=endpoint),
        admission=HandshakeAdmission(
            max_unvalidated_handshakes, max_unvalidated_per_address, always_retry=bool(retry)
        ),
        receive_pool=ReceivePool(
            check_budget("server_receive_budget", server_receive_budget, options.receive_budget)
        ),
    )

    return _Serve(server._listening(host, port, config))
