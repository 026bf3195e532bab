"""The HTTP/3 side of :func:`~quic_multistream.serve_webtransport`: a server
:class:`~quic_multistream.Connection` that speaks HTTP/3 (aioquic's
``H3Connection``), answers plain requests, accepts extended CONNECTs as
:class:`~quic_multistream.WebTransportSession` objects and routes each
WebTransport stream's bytes past its header straight to a
:class:`~quic_multistream.Stream`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from aioquic.h3 import events as h3
from aioquic.h3.connection import H3_ALPN, H3Connection
from aioquic.quic import events
from aioquic.quic.connection import stream_is_client_initiated

from ._aioquic import delivered_offset, release_h3_stream
from ._backend_api import QuicProtocol
from ._wt_session import SessionHost, WebTransportSession
from .connection import Connection
from .errors import QuicError
from .priority import StreamPriority
from .server import HANDLER_ERROR
from .stream import Stream

__all__ = ["HEALTH_BODY", "HEALTH_PATH", "SESSION_GONE", "Handler"]

logger = logging.getLogger("quic_multistream")

#: GET on this path (and on ``/`` unless ``pages`` has it) answers 200.
HEALTH_PATH = "/.well-known/midstream"
HEALTH_BODY = b"midstream webtransport ok\n"

#: Stream error code for streams of a terminated session (draft-ietf-webtrans-http3).
SESSION_GONE = 0x170D7B68

Handler = Callable[["WebTransportSession"], Awaitable[Any]]


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

    def __init__(self, protocol: QuicProtocol, *, endpoint: _Endpoint, **kwargs: Any) -> None:
        super().__init__(protocol, **kwargs)
        self._endpoint = endpoint
        self._h3: H3Connection | None = None
        self._sessions: dict[int, WebTransportSession] = {}
        self._stream_session: dict[int, WebTransportSession] = {}
        self._session_tasks: set[asyncio.Task[None]] = set()
        self._life.on_close.append(self._end_sessions)
        self._session_host = SessionHost(
            connection=self,
            http=lambda: self._http,
            quic=self._quic,
            stream_link=self._stream_link,
            streams=self._streams,
            datagram_queue=self._datagram_queue,
            register=self._register,
            session_gone=self._session_gone,
            forget=self._forget_session,
        )

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
        stream = Stream(
            self._stream_link, sid, priority=StreamPriority.NORMAL, can_send=not uni, can_recv=True
        )
        self._register(session, stream)
        session._add_incoming(stream)
        stream._on_data(event.data, event.stream_ended)
        if event.stream_ended:
            self._maybe_forget(stream)

    def _forget_session(self, session_id: int) -> None:
        self._sessions.pop(session_id, None)

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
            self._session_host, sid, path=path, authority=authority, origin=origin, headers=headers
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


async def _serve_connection(conn: Connection) -> None:
    assert isinstance(conn, _HttpConnection)
    await conn._serve()
