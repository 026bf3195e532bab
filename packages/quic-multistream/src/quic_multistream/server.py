"""``serve``: a QUIC server whose handler gets one :class:`Connection` per client."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Coroutine, Generator, Sequence
from typing import Any, Literal

from aioquic.quic.packet import QuicErrorCode

from ._admission import (
    DEFAULT_MAX_UNVALIDATED,
    DEFAULT_MAX_UNVALIDATED_PER_ADDRESS,
    HandshakeAdmission,
    Verdict,
    inspect_initial,
)
from ._assembly import assemble_connection
from ._backend import get_backend
from ._backend_api import Backend
from ._lifecycle import Lifecycle
from ._options import check_alpn, load_identity
from ._receive_budget import (
    DEFAULT_SERVER_RECEIVE_BUDGET,
    ReceiveBudget,
    ReceivePool,
    check_budget,
)
from .certs import load_certificates
from .connection import Connection
from .errors import ConfigurationError
from .options import Options
from .tickets import ServerTicketStore

__all__ = ["Server", "serve"]

logger = logging.getLogger("quic_multistream")

Handler = Callable[[Connection], Awaitable[Any]]

#: Application error code sent when a handler raises.
HANDLER_ERROR = 0x1


class Server:
    """A running server; from :func:`serve`. Use as an async context manager."""

    def __init__(
        self,
        *,
        handler: Handler,
        options: Options,
        max_connections: int,
        start_early: bool,
        incremental: bool = True,
        handshake_timeout: float = 10.0,
        backend: Backend | None = None,
        connection_factory: Callable[..., Connection] = Connection,
        admission: HandshakeAdmission | None = None,
        receive_pool: ReceivePool | None = None,
    ) -> None:
        self._backend = backend if backend is not None else get_backend("aioquic")
        # webtransport.py passes a Connection subclass that speaks HTTP/3.
        self._connection_factory = connection_factory
        self._handshake_timeout = handshake_timeout
        self._incremental = incremental
        self._handler = handler
        self._options = options
        self._max_connections = max_connections
        self._start_early = start_early
        self._quic_server: Any = None  # aioquic's or qh3's QuicServer
        self.connections: set[Connection] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._established: set[Connection] = set()
        self._admission = admission if admission is not None else HandshakeAdmission()
        self._receive_pool = (
            receive_pool if receive_pool is not None else ReceivePool(DEFAULT_SERVER_RECEIVE_BUDGET)
        )
        self._accepting = True
        self._closed = asyncio.Event()
        self.refused = 0
        self.handshake_timeouts = 0
        self.host = ""
        self.port = 0

    # -- public ----------------------------------------------------------------------------

    def close(self) -> None:
        """Stop listening and close every connection now."""
        if self._quic_server is None or self._closed.is_set():
            return
        self._accepting = False
        for conn in list(self.connections):
            conn.close(0, "server closing")
        for task in self._tasks:
            task.cancel()
        self._quic_server.close()
        self._closed.set()

    async def wait_closed(self) -> None:
        """Wait until :meth:`close` has run and the handler tasks have ended."""
        await self._closed.wait()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5.0)

    async def shutdown(self, timeout: float = 10.0) -> None:
        """Graceful shutdown: refuse new connections, let handlers finish, then close."""
        self._accepting = False
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)
        self.close()
        await self.wait_closed()

    async def __aenter__(self) -> Server:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()
        await self.wait_closed()

    def __repr__(self) -> str:
        return f"<Server {self.host}:{self.port} connections={len(self.connections)}>"

    # -- internals -------------------------------------------------------------------------

    async def _listening(self, host: str, port: int, config: Any, **kwargs: Any) -> Server:
        await self._listen(host, port, config, **kwargs)
        return self

    async def _listen(
        self,
        host: str,
        port: int,
        config: Any,
        *,
        client_ca: Sequence[Any] | None = None,
        require_client_cert: bool = False,
        tickets: ServerTicketStore | None = None,
    ) -> None:
        """Bind the UDP socket and serve through the admission gate."""
        backend = self._backend
        server_class = gated_server(backend.server, backend)

        def create_protocol(quic: Any, stream_handler: Any = None) -> Any:
            return self._create_protocol(
                quic, stream_handler, client_ca=client_ca, require_client_cert=require_client_cert
            )

        try:
            transport, protocol = await backend.create_endpoint(
                lambda: server_class(
                    admission=self._admission,
                    configuration=config,
                    create_protocol=create_protocol,
                    session_ticket_fetcher=tickets.pop if tickets is not None else None,
                    session_ticket_handler=tickets.add if tickets is not None else None,
                ),
                (host, port),
            )
        except OSError as exc:
            raise ConfigurationError(f"cannot listen on {host}:{port}: {exc}") from exc
        self._quic_server = protocol
        sockname = transport.get_extra_info("sockname")
        self.host, self.port = sockname[0], sockname[1]

    @property
    def unvalidated_handshakes(self) -> int:
        """Handshakes in progress from client addresses not yet proved."""
        return self._admission.unvalidated

    @property
    def retries_sent(self) -> int:
        """Retry packets sent to validate client addresses."""
        return self._admission.retries

    @property
    def initials_dropped(self) -> int:
        """Datagrams that looked like a new connection but did not decrypt."""
        return int(getattr(self._quic_server, "initials_dropped", 0))

    def _create_protocol(
        self,
        quic: Any,
        stream_handler: Any = None,
        *,
        client_ca: Sequence[Any] | None,
        require_client_cert: bool,
    ) -> Any:
        opts = self._options
        protocol, conn, life = assemble_connection(
            self._backend,
            quic,
            opts,
            is_client=False,
            budget=ReceiveBudget(opts.receive_budget, self._receive_pool),
            connection_factory=self._connection_factory,
            incremental=self._incremental,
            client_ca=client_ca,
            require_client_cert=require_client_cert,
        )
        # Set by the gate (_gated_server) around the call that creates us.
        address, validated = getattr(self._quic_server, "pending", None) or ("", True)
        self._admission.opened(conn, address, validated=validated)
        self.connections.add(conn)
        life.on_close.append(lambda: self._forget(conn))
        life.on_handshake.append(lambda: self._handshake_completed(conn))
        if self._start_early:
            # 0-RTT: start at the first stream data from a decrypted 0-RTT (or
            # 1-RTT) packet, or at the end of the handshake, whichever is first;
            # never for an Initial packet alone, which anyone can forge.
            life.on_app_data.append(lambda: self._start_early_data(conn))
        if opts.keepalive_interval is not None:
            life.start_keepalive(opts.keepalive_interval)
        # A client (or a forged Initial packet) that never finishes the handshake
        # must not hold a connection slot until the idle timeout.
        timer = asyncio.get_running_loop().call_later(
            self._handshake_timeout, self._expire_handshake, conn, life
        )
        life.on_handshake.append(timer.cancel)
        life.on_close.append(timer.cancel)
        return protocol

    def _expire_handshake(self, conn: Connection, life: Lifecycle) -> None:
        if not life.handshake_done() and not conn.is_closed:
            self.handshake_timeouts += 1
            self._admission.finished(conn)
            conn.close(QuicErrorCode.CONNECTION_REFUSED, "handshake timeout")

    def _forget(self, conn: Connection) -> None:
        self.connections.discard(conn)
        self._established.discard(conn)
        self._admission.finished(conn)

    def _handshake_completed(self, conn: Connection) -> None:
        # max_connections counts connections past the handshake (or started on
        # 0-RTT data): half-open ones are bounded by the admission gate instead.
        self._admission.finished(conn)
        if conn in self._established:
            return  # started on 0-RTT data
        if not self._accepting or len(self._established) >= self._max_connections:
            self.refused += 1
            conn.close(QuicErrorCode.CONNECTION_REFUSED, "server busy")
            return
        self._established.add(conn)
        self._start(conn)

    def _start_early_data(self, conn: Connection) -> None:
        if self._accepting and len(self._established) < self._max_connections:
            self._established.add(conn)
            self._start(conn)
        # otherwise the end of the handshake decides (and refuses)

    def _start(self, conn: Connection) -> None:
        if conn.is_closed:
            return
        task = asyncio.get_running_loop().create_task(self._run(conn))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, conn: Connection) -> None:
        try:
            await self._handler(conn)
        except asyncio.CancelledError:
            conn.close(0, "server closing")
            raise
        except Exception as exc:
            if not conn.is_closed:
                logger.exception("connection handler failed")
                conn.close(HANDLER_ERROR, f"handler error: {type(exc).__name__}")
            return
        # Graceful: what the handler queued is delivered before CONNECTION_CLOSE.
        if not conn.is_closed:
            await conn.shutdown(timeout=self._options.idle_timeout)


def gated_server(base: type, backend: Backend) -> type:
    """``base`` (aioquic's or qh3's ``QuicServer``) behind a :class:`HandshakeAdmission`.

    Datagrams for known connections pass straight through. A datagram that could
    start a connection is created a connection only if its Initial packet
    decrypts, and only if the admission policy admits it; otherwise the base
    class's Retry path answers it statelessly. ``pending`` tells
    :meth:`Server._create_protocol` the address and whether it was validated.
    """

    class GatedServer(base):
        _retry: Any

        def __init__(self, *, admission: HandshakeAdmission, **kwargs: Any) -> None:
            super().__init__(retry=True, **kwargs)
            self._admission = admission
            self._tokens: Any = self._retry  # the Retry token handler, used per datagram
            self._retry = None
            self.pending: tuple[str, bool] | None = None
            #: datagrams that looked like a new connection but did not decrypt
            self.initials_dropped = 0

        def datagram_received(self, data: bytes | str, addr: Any) -> None:
            raw = data if isinstance(data, bytes) else bytes(data, "latin-1")
            if (
                len(raw) >= 1200
                and raw[0] & 0x80
                and raw[6 : 6 + raw[5]] not in self._protocols
                and int.from_bytes(raw[1:5], "big") in self._configuration.supported_versions
            ):
                self._new_connection(raw, addr)
            else:
                super().datagram_received(data, addr)

        def _new_connection(self, data: bytes, addr: Any) -> None:
            initial = inspect_initial(data, self._configuration.connection_id_length)
            if initial is None:
                self.initials_dropped += 1
                return
            validated = bool(initial.token) and backend.retry_token_valid(
                self._tokens, addr, initial.destination_cid, initial.token, self._loop.time()
            )
            verdict = self._admission.decide(addr[0], validated=validated)
            # The base class validates a token again (and takes the original
            # connection ID from it) or sends a Retry when _retry is set.
            self._retry = self._tokens if validated or verdict is Verdict.RETRY else None
            self.pending = (addr[0], validated)
            try:
                super().datagram_received(data, addr)
            finally:
                self.pending = None
                self._retry = None

    return GatedServer


def is_async_callable(obj: object) -> bool:
    """Whether calling ``obj`` returns a coroutine (async def, a partial of one, or an
    object whose ``__call__`` is async def): checked up front so a plain function is
    refused at ``serve`` instead of failing on every connection."""
    if inspect.iscoroutinefunction(obj):
        return True
    call = getattr(obj, "__call__", None)  # noqa: B004 - the callable's own method
    return not inspect.isfunction(obj) and inspect.iscoroutinefunction(call)


def check_server_arguments(
    handler: Any, host: Any, port: Any, max_connections: Any, handshake_timeout: Any
) -> None:
    """Validate the arguments every server entry point takes (serve, serve_webtransport)."""
    if not is_async_callable(handler):
        raise ConfigurationError(
            f"handler must be an async function (async def handler(connection): ...), "
            f"got {handler!r}"
        )
    if not isinstance(host, str):
        raise ConfigurationError(f"host must be a str, got {type(host).__name__}")
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ConfigurationError(f"port must be an int in [0, 65535], got {port!r}")
    if (
        isinstance(max_connections, bool)
        or not isinstance(max_connections, int)
        or max_connections < 1
    ):
        raise ConfigurationError(f"max_connections must be a positive int, got {max_connections!r}")
    if (
        isinstance(handshake_timeout, bool)
        or not isinstance(handshake_timeout, (int, float))
        or not 0 < handshake_timeout < float("inf")
    ):
        raise ConfigurationError(
            f"handshake_timeout must be a positive number, got {handshake_timeout!r}"
        )


class _Serve:
    """Awaitable and async context manager returned by :func:`serve`."""

    def __init__(self, coro: Coroutine[Any, Any, Server]) -> None:
        self._coro = coro
        self._server: Server | None = None

    def __await__(self) -> Generator[Any, None, Server]:
        return self._coro.__await__()

    async def __aenter__(self) -> Server:
        self._server = await self._coro
        return self._server

    async def __aexit__(self, *exc: object) -> None:
        if self._server is not None:
            await self._server.__aexit__(*exc)


def serve(
    host: str,
    port: int,
    *,
    certificate: Any,
    private_key: Any,
    handler: Handler,
    client_ca: Any = None,
    require_client_cert: bool = False,
    alpn: Sequence[str] = ("midstream/1",),
    options: Options | None = None,
    max_streams: int | None = None,
    idle_timeout: float | None = None,
    max_message_size: int | None = None,
    max_connections: int = 1024,
    datagrams: bool | None = None,
    allow_0rtt: bool = False,
    receive_window: int | None = None,
    send_buffer: int | None = None,
    unsent_window: int | None = None,
    keepalive_interval: float | None = None,
    incremental: bool | None = None,
    retry: bool = False,
    handshake_timeout: float = 10.0,
    backend: Literal["aioquic", "qh3"] = "aioquic",
    max_unvalidated_handshakes: int = DEFAULT_MAX_UNVALIDATED,
    max_unvalidated_per_address: int = DEFAULT_MAX_UNVALIDATED_PER_ADDRESS,
    receive_budget: int | None = None,
    server_receive_budget: int = DEFAULT_SERVER_RECEIVE_BUDGET,
) -> _Serve:
    """Start a QUIC server; ``await handler(connection)`` runs for each client.

    Use ``async with serve(...) as server`` or ``server = await serve(...)``.

    Parameters
    ----------
    host, port : str, int
        Where to listen (port 0 picks a free port; see ``server.port``).
    certificate, private_key : path, PEM bytes or cryptography objects
        The server's certificate chain and key.
    handler : async callable
        Called with each :class:`Connection` once its handshake (and client
        certificate check) succeeded. When it returns, queued data is delivered
        and the connection closed; if it raises, the connection is closed with
        application error 1.
    client_ca : path, PEM bytes or certificates, optional
        Request client certificates and verify them against these CAs (chain,
        validity, clientAuth usage) during the handshake. An invalid certificate
        closes the connection with the matching TLS alert.
    require_client_cert : bool
        Refuse clients without a certificate (alert 116). Needs ``client_ca``.
    alpn : sequence of str
        Application protocols offered.
    options : Options, optional
        Transport settings (:class:`~quic_multistream.Options`); the keyword
        arguments below that are also fields of it (``max_streams``,
        ``idle_timeout``, ``max_message_size``, ``datagrams``,
        ``receive_window``, ``receive_budget``, ``send_buffer``,
        ``unsent_window``, ``keepalive_interval``, ``incremental``) override it
        when given (not None).
    max_streams : int
        Concurrent streams a client may open per direction.
    idle_timeout : float
        Seconds of silence after which a connection is dropped.
    max_message_size : int
        Largest message :meth:`Stream.recv_message` accepts.
    max_connections : int
        Concurrent connections past the handshake; more are closed with
        CONNECTION_REFUSED ("server busy") when their handshake completes.
    datagrams : bool
        Enable RFC 9221 datagrams.
    allow_0rtt : bool
        Issue single-use session tickets and accept 0-RTT data. 0-RTT data can be
        replayed by an attacker across servers: enable only when the handler's
        first requests are idempotent. The handler then starts at the first
        stream data of a decrypted 0-RTT packet, before the handshake completes
        (never for an Initial packet alone). Not combinable with ``client_ca``.
    receive_window : int
        Unread bytes a client may send per stream before it must wait.
    send_buffer : int
        Bytes :meth:`Stream.send` queues per stream before it waits.
    unsent_window : int
        Bytes handed to aioquic and not yet sent, across streams; keeps
        priorities effective.
    keepalive_interval : float, optional
        Send a PING this often (seconds) so idle connections stay open.
    incremental : bool
        Within one priority level, serve streams round-robin (True) or one at a
        time in the order they became ready (False).
    retry : bool
        Validate every client address with a Retry packet first (costs one RTT).
        Without it, Retry is still sent automatically when the unvalidated
        handshake limits below are reached.
    handshake_timeout : float
        Seconds a client has to complete the handshake before it is dropped.
    backend : "aioquic" or "qh3"
        The QUIC implementation; "qh3" needs ``pip install 'quic-multistream[fast]'``
        and cannot request client certificates (``client_ca`` is refused).
    max_unvalidated_handshakes : int
        Handshakes from client addresses not yet proved, in progress at once;
        beyond it new clients get a stateless Retry. Only Initial packets that
        decrypt create a connection at all.
    max_unvalidated_per_address : int
        The same limit per client IP address.
    receive_budget : int
        Bytes one connection may have us buffer, across all its streams: unread
        data, partial and unreturned messages, out-of-order data (default 64
        MiB). Connection-level flow control holds the peer to it on aioquic;
        on qh3, which grants credit by itself, exceeding it closes the
        connection (application error 3). At least ``max_message_size`` + 4
        and ``receive_window``.
    server_receive_budget : int
        The same over all connections of the server (default 1 GiB): credit is
        granted to a connection only while the total stays within it.

    Returns
    -------
    awaitable async context manager yielding a :class:`Server`
    """
    check_server_arguments(handler, host, port, max_connections, handshake_timeout)
    be = get_backend(backend)
    options = Options.merge(
        options,
        max_streams=max_streams,
        idle_timeout=idle_timeout,
        max_message_size=max_message_size,
        datagrams=datagrams,
        receive_window=receive_window,
        send_buffer=send_buffer,
        unsent_window=unsent_window,
        keepalive_interval=keepalive_interval,
        incremental=incremental,
        receive_budget=receive_budget,
    )
    _timeout = float(handshake_timeout)
    cas = None if client_ca is None else load_certificates(client_ca, "client_ca")
    if require_client_cert and cas is None:
        raise ConfigurationError("require_client_cert=True needs client_ca")
    if allow_0rtt and cas is not None:
        raise ConfigurationError(
            "allow_0rtt cannot be combined with client_ca: resumed sessions carry no "
            "client certificate"
        )
    if be.name == "qh3" and (cas is not None or require_client_cert):
        raise ConfigurationError(
            "client_ca and require_client_cert are not supported with backend='qh3': "
            "qh3's TLS server never sends a CertificateRequest, so it cannot ask "
            "clients for a certificate; use backend='aioquic' for mutual TLS"
        )
    config = be.configuration(is_client=False, alpn_protocols=check_alpn(alpn))
    options.apply(config)
    load_identity(config, certificate, private_key, convert=be.convert_identity)
    server = Server(
        handler=handler,
        options=options,
        max_connections=max_connections,
        start_early=allow_0rtt,
        incremental=options.incremental,
        handshake_timeout=_timeout,
        backend=be,
        admission=HandshakeAdmission(
            max_unvalidated_handshakes, max_unvalidated_per_address, always_retry=bool(retry)
        ),
        receive_pool=ReceivePool(
            check_budget("server_receive_budget", server_receive_budget, options.receive_budget)
        ),
    )
    tickets = ServerTicketStore() if allow_0rtt else None
    return _Serve(
        server._listening(
            host,
            port,
            config,
            client_ca=cas,
            require_client_cert=bool(require_client_cert),
            tickets=tickets,
        )
    )
