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
from collections.abc import Awaitable, Collection, Mapping
from typing import Any

from aioquic.h3.connection import H3_ALPN
from aioquic.quic.configuration import QuicConfiguration

from ._admission import (
    DEFAULT_MAX_UNVALIDATED,
    DEFAULT_MAX_UNVALIDATED_PER_ADDRESS,
    HandshakeAdmission,
)
from ._h3_server import (
    HEALTH_BODY,
    HEALTH_PATH,
    SESSION_GONE,
    Handler,
    _Endpoint,
    _HttpConnection,
    _serve_connection,
)
from ._options import load_identity
from ._receive_budget import (
    DEFAULT_SERVER_RECEIVE_BUDGET,
    ReceivePool,
    check_budget,
)
from ._wt_session import WebTransportSession
from .certs import spki_sha256
from .errors import ConfigurationError, QuicError
from .options import Options
from .server import Server, _Serve, check_server_arguments
from .stream import Stream

__all__ = [
    "HEALTH_BODY",
    "HEALTH_PATH",
    "SESSION_GONE",
    "WebTransportSession",
    "serve_webtransport",
    "spki_sha256",
    "webtransport_echo",
]


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
