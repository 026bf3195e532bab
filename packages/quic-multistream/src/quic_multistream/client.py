"""``connect``: open a client :class:`Connection`."""

from __future__ import annotations

import asyncio
import socket
import ssl
import warnings
from collections.abc import Generator, Sequence
from typing import Any, Literal

from ._assembly import assemble_connection
from ._backend import get_backend
from ._backend_api import Backend
from ._lifecycle import Lifecycle
from ._options import check_alpn, load_identity
from ._receive_budget import ReceiveBudget
from .certs import load_certificates
from .connection import Connection
from .errors import ConfigurationError, ConnectionFailed, QuicError
from .options import Options
from .tickets import SessionTicketStore

__all__ = ["InsecureConnectionWarning", "connect"]


class InsecureConnectionWarning(UserWarning):
    """Warned when a client connects with ``insecure_skip_verify=True``."""


class _Connect:
    """Awaitable and async context manager returned by :func:`connect`."""

    def __init__(self, coro_factory: Any) -> None:
        self._factory = coro_factory
        self._conn: Connection | None = None

    def __await__(self) -> Generator[Any, None, Connection]:
        return self._factory().__await__()

    async def __aenter__(self) -> Connection:
        self._conn = await self._factory()
        return self._conn

    async def __aexit__(self, *exc: object) -> None:
        if self._conn is not None:
            await self._conn.__aexit__(*exc)


def connect(
    host: str,
    port: int,
    *,
    ca_file: Any = None,
    server_name: str | None = None,
    client_certificate: Any = None,
    client_key: Any = None,
    session_ticket_store: SessionTicketStore | None = None,
    zero_rtt: bool = False,
    alpn: Sequence[str] = ("midstream/1",),
    insecure_skip_verify: bool = False,
    options: Options | None = None,
    max_streams: int | None = None,
    idle_timeout: float | None = None,
    max_message_size: int | None = None,
    datagrams: bool | None = None,
    receive_window: int | None = None,
    send_buffer: int | None = None,
    unsent_window: int | None = None,
    keepalive_interval: float | None = None,
    incremental: bool | None = None,
    receive_budget: int | None = None,
    connect_timeout: float = 10.0,
    backend: Literal["aioquic", "qh3"] = "aioquic",
) -> _Connect:
    """Connect to a QUIC server; use with ``async with`` (or ``await`` it).

    Parameters
    ----------
    host, port : str, int
        The server's address.
    ca_file : path, PEM bytes or certificates, optional
        CAs to verify the server against; default the system store. The server's
        certificate must match ``server_name`` (default ``host``).
    server_name : str, optional
        Name for SNI and certificate verification.
    client_certificate, client_key : path, PEM bytes or objects, optional
        Our certificate for mutual TLS.
    session_ticket_store : SessionTicketStore, optional
        Where tickets are kept for resumption (see :mod:`quic_multistream.tickets`).
    zero_rtt : bool
        With a stored ticket, return before the handshake completes so the first
        stream data goes out as 0-RTT early data (replayable: idempotent requests
        only). Check ``connection.early_data_accepted`` afterwards.
    alpn : sequence of str
        Application protocols offered.
    insecure_skip_verify : bool
        Do not verify the server certificate. For tests only; warns with
        :class:`InsecureConnectionWarning`.
    options : Options, optional
        Transport settings (:class:`~quic_multistream.Options`); the keyword
        arguments below override its fields when given (not None).
    max_streams, idle_timeout, max_message_size, datagrams, receive_window
        As for :func:`~quic_multistream.serve`.
    send_buffer, unsent_window, keepalive_interval, incremental, receive_budget
        As for :func:`~quic_multistream.serve`.
    connect_timeout : float
        Seconds to wait for the handshake.
    backend : "aioquic" or "qh3"
        The QUIC implementation; "qh3" needs ``pip install 'quic-multistream[fast]'``
        (see the README's Backends section for what differs).

    Returns
    -------
    awaitable async context manager yielding a :class:`Connection`

    Raises
    ------
    CertificateError
        The server's certificate failed verification, or the server rejected ours.
    HandshakeError
        The handshake failed otherwise (for example no common ALPN).
    ConnectionFailed
        The server did not answer within ``connect_timeout``.
    """
    _check_arguments(
        host,
        port,
        connect_timeout,
        client_certificate,
        client_key,
        server_name,
        session_ticket_store,
    )
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
    if insecure_skip_verify:
        warnings.warn(
            "insecure_skip_verify=True: the server certificate is NOT verified; "
            "anyone on the path can impersonate the server",
            InsecureConnectionWarning,
            stacklevel=2,
        )
    name = server_name or host
    config = _tls_configuration(
        be,
        options,
        server_name=name,
        alpn=alpn,
        verify=not insecure_skip_verify,
        ca_file=ca_file,
        client_certificate=client_certificate,
        client_key=client_key,
        session_ticket=None if session_ticket_store is None else session_ticket_store.get(name),
    )

    async def open_connection() -> Connection:
        family, addr = await _resolve(host, port)
        quic = be.connection(
            configuration=config,
            session_ticket_handler=(
                session_ticket_store.put if session_ticket_store is not None else None
            ),
        )
        protocol, conn, life = assemble_connection(
            be,
            quic,
            options,
            is_client=True,
            budget=ReceiveBudget(options.receive_budget),
            connection_factory=Connection,
        )
        await _bind_endpoint(be, protocol, family)
        protocol.connect(addr)
        if not (zero_rtt and config.session_ticket is not None):
            await _handshake(conn, life, f"{host}:{port}", connect_timeout)
        if options.keepalive_interval is not None:
            life.start_keepalive(options.keepalive_interval)
        return conn

    return _Connect(open_connection)


def _check_arguments(
    host: Any,
    port: Any,
    connect_timeout: Any,
    client_certificate: Any,
    client_key: Any,
    server_name: Any,
    session_ticket_store: Any,
) -> None:
    """Refuse bad arguments of :func:`connect` before anything is opened."""
    if not isinstance(host, str) or not host:
        raise ConfigurationError(f"host must be a non-empty str, got {host!r}")
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ConfigurationError(f"port must be an int in [1, 65535], got {port!r}")
    if (
        isinstance(connect_timeout, bool)
        or not isinstance(connect_timeout, (int, float))
        or not connect_timeout > 0
    ):
        raise ConfigurationError(
            f"connect_timeout must be a positive number, got {connect_timeout!r}"
        )
    if (client_certificate is None) != (client_key is None):
        raise ConfigurationError("client_certificate and client_key must be given together")
    if server_name is not None and (not isinstance(server_name, str) or not server_name):
        raise ConfigurationError(f"server_name must be a non-empty str, got {server_name!r}")
    if session_ticket_store is not None and not (
        hasattr(session_ticket_store, "get") and hasattr(session_ticket_store, "put")
    ):
        raise ConfigurationError("session_ticket_store must have get() and put() methods")


def _tls_configuration(
    be: Backend,
    options: Options,
    *,
    server_name: str,
    alpn: Sequence[str],
    verify: bool,
    ca_file: Any,
    client_certificate: Any,
    client_key: Any,
    session_ticket: Any,
) -> Any:
    """The backend's client configuration: transport ``options`` and TLS settings."""
    config = be.configuration(
        is_client=True, alpn_protocols=check_alpn(alpn), server_name=server_name
    )
    options.apply(config)
    if not verify:
        config.verify_mode = ssl.CERT_NONE
    if ca_file is not None:
        from cryptography.hazmat.primitives import serialization

        cas = load_certificates(ca_file, "ca_file")
        config.cadata = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in cas)
    if client_certificate is not None:
        load_identity(
            config,
            client_certificate,
            client_key,
            "client_certificate",
            "client_key",
            convert=be.convert_identity,
        )
    if session_ticket is not None:
        config.session_ticket = be.convert_ticket(session_ticket)
    return config


async def _resolve(host: str, port: int) -> tuple[int, Any]:
    """(address family, address) of the server."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
    except OSError as exc:
        raise ConnectionFailed(f"cannot resolve {host}:{port}: {exc}") from exc
    return infos[0][0], infos[0][4]


async def _bind_endpoint(be: Backend, protocol: Any, family: int) -> None:
    """Our UDP socket (any local port) of ``family``, delivering to ``protocol``."""
    local = ("::", 0) if family == socket.AF_INET6 else ("0.0.0.0", 0)
    try:
        await be.create_endpoint(lambda: protocol, local, family)
    except OSError as exc:
        raise ConnectionFailed(f"cannot open a UDP socket: {exc}") from exc


async def _handshake(conn: Connection, life: Lifecycle, where: str, timeout: float) -> None:
    """Wait for the handshake; on failure release the connection and raise."""
    try:
        await asyncio.wait_for(life.wait_handshake(), timeout)
    except asyncio.TimeoutError:
        conn.close(0, "connect timeout")
        life.release()
        raise ConnectionFailed(f"no handshake with {where} within {timeout} s") from None
    except QuicError:
        life.release()
        raise
