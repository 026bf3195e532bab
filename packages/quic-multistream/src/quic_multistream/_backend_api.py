"""The QUIC implementation under a connection: aioquic (default) or qh3.

Both keep aioquic's Python shape (configuration, connection, asyncio protocol,
events), so :mod:`~quic_multistream.connection` needs only the pieces collected in
a :class:`Backend`: the classes to build a connection from, and the engine
functions that read state each implementation exposes differently
(:mod:`._aioquic` for aioquic, :mod:`._qh3` for qh3). Both protocol classes
satisfy :class:`QuicProtocol`, the part of an asyncio protocol
:class:`~quic_multistream.Connection` drives.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any, Protocol

from ._counters import Counters

__all__ = ["Backend", "ConnectionLink", "QuicProtocol"]


@dataclasses.dataclass(frozen=True)
class ConnectionLink:
    """What a backend's asyncio protocol calls on the connection it drives.

    :class:`~quic_multistream.Connection` builds one from its own methods and
    sets it as the protocol's ``link``; the protocol never touches the
    connection's attributes.
    """

    #: ``feed()``: move queued stream data into the QUIC stack; bytes moved
    #: (or 1 when data still waits), 0 when nothing was fed.
    feed: Callable[[], int]
    #: ``has_queued()``: whether stream data waits in our queue.
    has_queued: Callable[[], bool]
    #: ``on_event(event)``: an event of the QUIC stack.
    on_event: Callable[[Any], None]
    #: ``take_new_stream()``: whether a task waiting in ``accept`` was handed a
    #: new stream since the last call (see :func:`._transmit.after_datagram`).
    take_new_stream: Callable[[], bool]
    #: ``consumed_offset(stream_id)``: how far the application read a stream
    #: (None: not ours to decide), for the receive window.
    consumed_offset: Callable[[int], int | None]
    #: ``handshake_fact(name, value)``: something the TLS handshake learned:
    #: ``"peer_identity"`` (a verified client certificate), ``"key_exchange_group"``
    #: or ``"local_alert"`` ((alert, reason): our own TLS stack refused).
    handshake_fact: Callable[[str, Any], None]


class QuicProtocol(Protocol):
    """What :class:`~quic_multistream.Connection` uses of a backend's asyncio protocol
    (``_aioquic.AioquicProtocol``, ``_qh3.Qh3Protocol``: aioquic's
    ``QuicConnectionProtocol`` shape plus our counters and transmit loop)."""

    counters: Counters
    link: ConnectionLink | None

    @property
    def quic(self) -> Any:
        """The backend's ``QuicConnection`` (sans-I/O state machine)."""
        ...

    def now(self) -> float:
        """The event loop's clock, in seconds."""
        ...

    def release(self, *, close_transport: bool, cancel_timer: bool) -> None:
        """Close our UDP socket and/or cancel the stack's timer (a client's own
        socket; a closed connection's timer)."""
        ...

    def connect(self, addr: Any) -> None: ...

    def close(self, error_code: int = 0, reason_phrase: str = "") -> None: ...

    async def ping(self) -> None: ...

    def schedule_transmit(self) -> None: ...

    def transmit(self) -> None: ...


@dataclasses.dataclass(frozen=True)
class Backend:
    """One QUIC implementation and the adapters quic-multistream uses on it."""

    name: str
    configuration: type
    connection: type
    server: type
    protocol: type
    events: ModuleType
    tune_connection: Callable[..., None]
    unsent_bytes: Callable[[Any, int], int]
    credit_left: Callable[[Any, int], int]
    #: ``open_stream(quic, uni)``: the id of a new stream of ours.
    open_stream: Callable[[Any, bool], int]
    all_acknowledged: Callable[[Any], bool]
    #: ``loss(quic)``: an object with ``congestion_window``, ``bytes_in_flight``
    #: and ``_rtt_smoothed`` (aioquic's loss recovery object, or an adapter).
    loss: Callable[[Any], Any]
    #: ``rtt(quic, counters)``: (smoothed, minimum) RTT in seconds, or None
    #: before the first sample.
    rtt: Callable[[Any, Any], tuple[float, float] | None]
    #: ``datagram_room(quic)``: largest DATAGRAM payload we may send, None if off.
    datagram_room: Callable[[Any], int | None]
    #: ``prune_forgotten(quic, ids)``: shrink the set of finished peer stream ids
    #: whose late events are ignored.
    prune_forgotten: Callable[[Any, set[int]], None]
    #: ``convert_identity(certificates, key)``: cryptography objects to what the
    #: configuration's ``certificate``/``certificate_chain``/``private_key`` take.
    convert_identity: Callable[[list[Any], Any], tuple[Any, list[Any], Any]]
    #: ``convert_ticket(ticket)``: a stored session ticket in this backend's type.
    convert_ticket: Callable[[Any], Any]
    #: ``await create_endpoint(protocol_factory, local_addr, family=0)``: a UDP
    #: socket bound to ``local_addr`` and its (transport, protocol).
    create_endpoint: Callable[..., Awaitable[tuple[Any, Any]]]
    #: ``retry_token_valid(handler, addr, destination_cid, token, now)``: whether
    #: ``token`` is a Retry token the server's ``handler`` issued to ``addr``.
    retry_token_valid: Callable[[Any, Any, bytes, bytes, float], bool]
    #: ``reset_final_size(quic, stream_id)``: the final size of a stream the peer
    #: reset (None where the stack does not count it against MAX_DATA for us).
    reset_final_size: Callable[[Any, int], int | None]
