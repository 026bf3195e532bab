"""The qh3 backend: its asyncio protocol and the functions of :mod:`._aioquic`, for qh3 2.x.

qh3 keeps aioquic's Python shape, but its ``QuicConnection`` is a facade over a
Rust packet core: there are no per-stream sender objects or loss-recovery state
to read, and no hooks for the receive window or client certificates. What this
module uses instead:

* ``QuicConnection.get_send_buffer_size(stream_id)`` (public): bytes of a stream
  qh3 holds and has not sent yet. qh3 does not expose the peer's per-stream
  credit, so at most :data:`STREAM_HOLD` bytes per stream are handed to qh3;
  the rest waits in our queue (and ``send()`` waits when that queue is full).
* the core's ``congestion_window``, ``bytes_in_flight``, ``smoothed_rtt``,
  ``latest_rtt`` and ``loss_total`` for the feed loop, the LOW window and stats.
* the core's ``stream_limits`` (the peer's MAX_STREAMS): qh3 refuses to open a
  stream beyond it instead of queueing it, so our streams get their QUIC stream
  only once the peer allows it (:class:`_Streams`); until then their data waits
  in our queue, as aioquic's blocked streams do.
* the core's constructor and the transport parameters, for ``max_streams``
  (qh3 hard-codes 100 and 103): see :func:`_install_core_factory` and
  :func:`_advertise_stream_limit`.
* qh3's UDP transport (``qh3.asyncio._transport``), which reads datagrams in
  bursts; the server hands each burst for one connection to the core at once
  (:class:`_Server`), and the protocol sends once per burst.

What qh3 cannot do here: request a client certificate (its TLS server never
sends a CertificateRequest), and tie the receive window to what the
application read (its core grants credit as data is delivered to us).
"""

from __future__ import annotations

import asyncio
import datetime
import socket
import threading
from collections.abc import Sequence
from typing import Any

import qh3
import qh3.quic.connection as _qh3_connection
from cryptography.hazmat.primitives import serialization
from qh3 import tls as qh3_tls
from qh3._hazmat import Buffer, pull_quic_header
from qh3.asyncio._transport import create_optimized_datagram_transport
from qh3.asyncio.protocol import QuicConnectionProtocol
from qh3.asyncio.server import QuicServer
from qh3.quic import events
from qh3.quic.configuration import QuicConfiguration
from qh3.quic.connection import QuicConnection, QuicConnectionError
from qh3.quic.packet import (
    QuicErrorCode,
    pull_quic_transport_parameters,
    push_quic_transport_parameters,
)

from ._backend_api import Backend, ConnectionLink
from ._counters import Counters
from ._protocol_base import LinkedProtocol
from ._tls_checks import check_server_usage, record_local_alerts
from ._tls_group import watch_context
from ._transmit import same_address_run, transmit_rounds
from .errors import ConfigurationError, QuicError

__all__ = ["STREAM_HOLD", "backend"]

#: Bytes of one stream handed to qh3 and not yet sent, at most. qh3 sends what
#: it holds whatever our priorities say, so this bounds how much a CRITICAL
#: message can find queued ahead of it per stream.
STREAM_HOLD = 32 * 1024
_CORE_ARGS = 28  # QuicConnectionCore's positional parameters in qh3 2.1
_MAX_STREAMS_BIDI, _MAX_STREAMS_UNI = 21, 22  # their positions

_limits = threading.local()
_factory_lock = threading.Lock()


def _install_core_factory() -> None:
    """Let :func:`tune_connection` choose the stream limits qh3 hard-codes.

    ``QuicConnection._create_core`` passes 100 and 103 to ``QuicConnectionCore``
    and the core has no setter, so the module's ``QuicConnectionCore`` name is
    replaced (once) by a function that substitutes the limit for connections
    being created inside :func:`tune_connection`'s wrapper on this thread and
    passes everything else through unchanged.
    """
    with _factory_lock:
        original = _qh3_connection.QuicConnectionCore
        if getattr(original, "_quic_multistream", False):
            return

        def core_factory(*args: Any) -> Any:
            limit = getattr(_limits, "max_streams", None)
            if limit is not None:
                if len(args) != _CORE_ARGS:
                    raise QuicError(
                        f"qh3 {qh3.__version__} changed QuicConnectionCore; "
                        "max_streams cannot be applied (tested with qh3 2.1)"
                    )
                patched = list(args)
                patched[_MAX_STREAMS_BIDI] = patched[_MAX_STREAMS_UNI] = limit
                args = tuple(patched)
            return original(*args)

        core_factory._quic_multistream = True  # type: ignore[attr-defined]
        _qh3_connection.QuicConnectionCore = core_factory  # type: ignore[misc,assignment]


def _advertise_stream_limit(bridge: Any, limit: int) -> None:
    """Announce ``limit`` streams per direction in our QUIC transport parameters.

    qh3's TLS bridge writes 100 and 103 into the transport parameters when it is
    created (and again after a version change); rewrite them to match the limit
    the core enforces.
    """

    def rewrite(data: bytes) -> bytes:
        params = pull_quic_transport_parameters(Buffer(data=data))
        params.initial_max_streams_bidi = params.initial_max_streams_uni = limit
        out = Buffer(capacity=len(data) + 64)
        push_quic_transport_parameters(out, params)
        return bytes(out.data)

    context = bridge.tls
    kind = qh3_tls.ExtensionType.QUIC_TRANSPORT_PARAMETERS
    context.handshake_extensions = [
        (t, rewrite(v) if t == kind else v) for t, v in context.handshake_extensions
    ]
    serialize = bridge.serialize_transport_parameters
    bridge.serialize_transport_parameters = lambda: rewrite(serialize())


class _Streams:
    """Our stream ids on one qh3 connection, and FINs waiting for the peer's limit."""

    def __init__(self, quic: QuicConnection) -> None:
        self.quic = quic
        self.is_client = bool(quic.configuration.is_client)
        first = 0 if self.is_client else 1
        self.next_id = {False: first, True: first + 2}
        self.waiting_fins: set[int] = set()
        self.send = quic.send_stream_data
        self.reset = quic.reset_stream
        self.stop = quic.stop_stream

    def is_local(self, stream_id: int) -> bool:
        return (stream_id & 1) == (0 if self.is_client else 1)

    def allowed(self, stream_id: int) -> bool:
        """Whether the peer's stream limit lets this stream of ours exist."""
        if not self.is_local(stream_id):
            return True
        core = self.quic._core
        if core is None:
            return False
        return stream_id >> 2 < core.stream_limits[1 if stream_id & 2 else 0]

    def open(self, uni: bool) -> int:
        sid = max(self.next_id[uni], self.quic.get_next_available_stream_id(uni))
        self.next_id[uni] = sid + 4
        return sid

    def closing(self) -> bool:
        # qh3 raises on stream operations once the connection is closing; our
        # layer learns of the close only at ConnectionTerminated, later.
        return self.quic._close_event is not None

    def send_stream_data(self, stream_id: int, data: Any, end_stream: bool = False) -> None:
        if self.closing():
            return
        if self.allowed(stream_id):
            self.send(stream_id, data, end_stream)
        elif len(data):
            # credit_left() is 0 for such streams, so only a bare FIN gets here.
            raise QuicError(f"stream {stream_id} is not allowed by the peer yet")
        elif end_stream:
            self.waiting_fins.add(stream_id)

    def reset_stream(self, stream_id: int, error_code: int) -> None:
        if self.closing():
            return
        if self.allowed(stream_id):
            self.reset(stream_id, error_code)
        else:  # never on the wire: nothing to reset
            self.waiting_fins.discard(stream_id)

    def stop_stream(self, stream_id: int, error_code: int) -> None:
        if not self.closing() and self.allowed(stream_id):
            self.stop(stream_id, error_code)

    def flush(self) -> None:
        """Send the FINs of streams the peer now allows."""
        if self.closing():
            return
        for sid in sorted(self.waiting_fins):
            if self.allowed(sid):
                self.waiting_fins.discard(sid)
                self.send(sid, b"", True)


def _unless_closing(quic: QuicConnection, method: Any) -> Any:
    """``method`` that does nothing once the connection is closing (qh3 raises)."""

    def call(*args: Any) -> None:
        if quic._close_event is None:
            method(*args)

    return call


def _streams(quic: QuicConnection) -> _Streams:
    return quic._quic_multistream_streams  # type: ignore[attr-defined]


def tune_connection(
    quic: QuicConnection,
    *,
    max_streams: int,
    receive_window: int,
    consumed_offset: Any,
    counters: Counters,
    client_ca: Any = None,
    require_client_cert: bool = False,
    on_peer_identity: Any = None,
    on_key_exchange_group: Any = None,
    on_local_alert: Any = None,
    receive_budget: Any = None,
) -> None:
    """Prepare ``quic`` before its first packet: stream limit and group watcher.

    ``receive_window`` is already in the configuration (``max_stream_data``);
    qh3 renews it as data arrives, so ``consumed_offset`` is not used, and
    ``receive_budget`` cannot set MAX_DATA: the connection enforces it by closing
    (``ReceiveBudget.overrun``).
    """
    if client_ca is not None or require_client_cert:
        raise ConfigurationError(
            "client_ca / require_client_cert are not supported with backend='qh3': "
            "qh3's TLS server never requests a client certificate"
        )
    _install_core_factory()
    streams = _Streams(quic)
    quic._quic_multistream_streams = streams  # type: ignore[attr-defined]
    quic.send_stream_data = streams.send_stream_data  # type: ignore[method-assign]
    quic.reset_stream = streams.reset_stream  # type: ignore[method-assign]
    quic.stop_stream = streams.stop_stream  # type: ignore[method-assign]
    for name in ("send_ping", "send_datagram_frame"):
        setattr(quic, name, _unless_closing(quic, getattr(quic, name)))
    create_core = quic._create_core

    def create_core_with_limits(*args: Any) -> None:
        _limits.max_streams = max_streams
        try:
            create_core(*args)
        finally:
            _limits.max_streams = None

    quic._create_core = create_core_with_limits  # type: ignore[method-assign,assignment]
    create_tls = quic._create_tls

    def create_tls_tuned(*args: Any, **kwargs: Any) -> Any:
        bridge = create_tls(*args, **kwargs)
        _advertise_stream_limit(bridge, max_streams)
        if quic.configuration.is_client:
            check_server_usage(bridge.tls, qh3_tls)
        if on_local_alert is not None:
            record_local_alerts(bridge.tls, qh3_tls, on_local_alert)
        if on_key_exchange_group is not None:
            watch_context(bridge.tls, quic.configuration.is_client, on_key_exchange_group)
        return bridge

    quic._create_tls = create_tls_tuned  # type: ignore[method-assign]


def unsent_bytes(quic: QuicConnection, stream_id: int) -> int:
    """Bytes of a stream qh3 holds and has not sent yet (including flow-blocked ones)."""
    return int(quic.get_send_buffer_size(stream_id))


def credit_left(quic: QuicConnection, stream_id: int) -> int:
    """How much more of a stream may be handed to qh3 (see :data:`STREAM_HOLD`)."""
    if not _streams(quic).allowed(stream_id):
        return 0
    return max(0, STREAM_HOLD - int(quic.get_send_buffer_size(stream_id)))


def open_stream(quic: QuicConnection, uni: bool) -> int:
    """A new stream id of ours; qh3 opens the stream when its first data goes out."""
    return _streams(quic).open(uni)


def all_acknowledged(quic: QuicConnection) -> bool:
    """Whether qh3 has sent everything it holds and nothing is awaiting an ACK."""
    core = quic._core
    if core is None:
        return True
    return quic.get_send_buffer_size() == 0 and core.bytes_in_flight == 0


class _Loss:
    """The three loss-recovery numbers the feed loop reads, from the qh3 core."""

    __slots__ = ("_quic",)

    def __init__(self, quic: QuicConnection) -> None:
        self._quic = quic

    @property
    def congestion_window(self) -> int:
        core = self._quic._core
        return 0 if core is None else int(core.congestion_window)

    @property
    def bytes_in_flight(self) -> int:
        core = self._quic._core
        return 0 if core is None else int(core.bytes_in_flight)

    @property
    def _rtt_smoothed(self) -> float:
        core = self._quic._core
        rtt = None if core is None else core.smoothed_rtt
        return 0.0 if rtt is None else float(rtt)


def _sample(quic: QuicConnection, counters: Counters) -> None:
    """Copy the core's latest RTT sample and loss count into ``counters``."""
    core = quic._core
    if core is None:
        return
    counters.lost_packets = int(core.loss_total)
    latest = core.latest_rtt
    if latest is not None and latest != counters.rtt_latest:
        counters.rtt_samples += 1
        counters.rtt_latest = float(latest)
        counters.rtt_min = min(counters.rtt_min, float(latest))


def _rtt(quic: QuicConnection, counters: Counters) -> tuple[float, float] | None:
    core = quic._core
    smoothed = None if core is None else core.smoothed_rtt
    if smoothed is None or counters.rtt_samples == 0:
        return None
    return float(smoothed), counters.rtt_min


def _datagram_room(quic: QuicConnection) -> int | None:
    limit = quic._remote_max_datagram_frame_size
    if quic.configuration.max_datagram_frame_size is None or limit is None:
        return None
    return min(limit, quic.configuration.max_datagram_size) - 64


def _prune_forgotten(quic: QuicConnection, forgotten: set[int]) -> None:
    # qh3 does not list its streams; keep the newest half (peer streams are
    # opened in order, so late frames concern recent ones).
    keep = sorted(forgotten)[len(forgotten) // 2 :]
    forgotten.clear()
    forgotten.update(keep)


def _convert_identity(certs: list[Any], key: Any) -> tuple[Any, list[Any], Any]:
    pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)
    loaded = qh3_tls.load_pem_x509_certificates(pem)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return loaded[0], loaded[1:], qh3_tls.load_pem_private_key(key_pem)


def _naive_utc(when: datetime.datetime) -> datetime.datetime:
    # qh3 compares ticket times with a naive UTC "now"; aioquic's are aware.
    if when.tzinfo is None:
        return when
    return when.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def _convert_ticket(ticket: Any) -> Any:
    """A stored ticket (aioquic's type, from FileTicketStore) as a qh3 ticket."""
    if ticket is None or isinstance(ticket, qh3_tls.SessionTicket):
        return ticket
    return qh3_tls.SessionTicket(
        age_add=ticket.age_add,
        cipher_suite=qh3_tls.CipherSuite(int(ticket.cipher_suite)),
        not_valid_after=_naive_utc(ticket.not_valid_after),
        not_valid_before=_naive_utc(ticket.not_valid_before),
        resumption_secret=ticket.resumption_secret,
        server_name=ticket.server_name,
        ticket=ticket.ticket,
        max_early_data_size=ticket.max_early_data_size,
        other_extensions=list(ticket.other_extensions),
    )


#: The qh3 2.x core error :func:`poll_datagrams` contains (docs: "qh3 upstream").
BUILDER_EXHAUSTED = "packet builder capacity exhausted"


def poll_datagrams(quic: QuicConnection, now: float) -> tuple[list[tuple[bytes, Any]], bool]:
    """``quic.datagrams_to_send(now)`` that keeps what was built before a core failure.

    qh3 2.1's core sometimes fails to build a packet ("packet builder capacity
    exhausted", seen with an aioquic client during the handshake). qh3 turns it
    into an exception that drops every datagram already built in that call, and
    raised from our ``transmit`` it skipped re-arming the timer: the handshake
    then waited for a loss timeout. Here the datagrams built so far are returned
    and the flag says the core failed; other core errors propagate as before.
    """
    core = quic._core
    out: list[tuple[bytes, Any]] = []
    if core is None:
        return out, False
    logging = quic._quic_logger is not None
    while True:
        try:
            transmit = core.poll_transmit(now)
        except RuntimeError as exc:
            if BUILDER_EXHAUSTED not in str(exc):
                raise QuicConnectionError(QuicErrorCode.INTERNAL_ERROR, None, str(exc)) from exc
            return out, True
        if transmit is None:
            return out, False
        if logging:
            quic._log_datagram("datagrams_sent", transmit[0])
            quic._log_packets("packet_sent", transmit[0])
        out.append((transmit[0], transmit[1]))


class Qh3Protocol(LinkedProtocol, QuicConnectionProtocol):
    """qh3's protocol with the same priority-aware ``transmit`` and counters.

    It is the :class:`~._transmit.TransmitStack` that
    :func:`~._transmit.transmit_rounds` drives; qh3's core acknowledges and
    paces by itself, so no ACK is ever owed to the loop and the pacer never
    stops it.
    """

    def __init__(self, quic: QuicConnection, counters: Counters) -> None:
        super().__init__(quic)
        self.counters = counters
        self.link: ConnectionLink | None = None  # set by the Connection this drives
        #: times qh3's core failed with "packet builder capacity exhausted"
        #: (see :func:`poll_datagrams`)
        self.builder_exhausted = 0

    def datagram_received(self, data: bytes | str, addr: Any) -> None:
        counters = self.counters
        counters.packets_received += 1
        counters.bytes_received += len(data)
        self._quic.receive_datagram(data, addr, now=self._loop.time())
        self._process_events()
        # qh3's transport delivers a burst of datagrams in one callback: send once
        # after it (call_soon runs after the burst).
        self._transmit_soon()

    def datagrams_received(self, data: list[bytes], addr: Any) -> None:
        counters = self.counters
        counters.packets_received += len(data)
        counters.bytes_received += sum(map(len, data))
        self._quic.receive_many_datagrams(data, addr, now=self._loop.time())
        self._process_events()
        self.transmit()

    def close(self, error_code: int = 0, reason_phrase: str = "") -> None:
        self._quic.close(error_code=error_code, reason_phrase=reason_phrase)
        self.transmit()

    def transmit(self) -> None:
        self._transmit_task = None
        if self._transport is None:
            return
        streams = _streams(self._quic)
        if streams.waiting_fins:
            streams.flush()
        transmit_rounds(self, self._loop.time(), self.counters, feed=self.link is not None)
        _sample(self._quic, self.counters)
        self._rearm_timer()

    # -- TransmitStack (see _transmit.py) --------------------------------------------------

    def ack_due(self) -> bool:
        return False  # qh3's core decides its ACKs

    def ack_now(self, now: float) -> None:
        pass

    def datagrams(self, now: float) -> list[tuple[bytes, Any]]:
        datagrams, exhausted = poll_datagrams(self._quic, now)
        if exhausted:
            self.builder_exhausted += 1
        return datagrams

    def send(self, datagrams: Sequence[tuple[bytes, Any]]) -> int:
        transport: Any = self._transport
        payloads = [data for data, _ in datagrams]
        sendto_many = getattr(transport, "sendto_many", None)
        if sendto_many is not None and same_address_run(datagrams):
            sendto_many(payloads, datagrams[0][1])
        else:
            for data, to in datagrams:
                transport.sendto(data, to)
        return sum(map(len, payloads))

    def paced(self) -> bool:
        return False  # qh3's core paces inside poll_transmit

    def window(self) -> tuple[int, int]:
        core = self._quic._core
        if core is None:
            return 0, 0
        return int(core.congestion_window), int(core.bytes_in_flight)


class _Server(QuicServer):
    """qh3's server, taking the bursts its transport reads in one call.

    Consecutive datagrams for the same established connection go to it as one
    batch (``receive_many_datagrams`` in the core); anything else, such as a new
    connection's Initial packet, takes qh3's own per-datagram path.
    """

    def datagrams_received(self, datagrams: list[bytes], addr: Any) -> None:
        batch: list[bytes] = []
        target: Any = None
        cid_length = self._configuration.connection_id_length
        for data in datagrams:
            try:
                protocol = self._protocols.get(pull_quic_header(data, 0, cid_length)[3])
            except ValueError:
                protocol = None
            if protocol is not target and batch:
                target.datagrams_received(batch, addr)
                batch = []
            if protocol is None:
                target = None
                self.datagram_received(data, addr)
            else:
                target = protocol
                batch.append(data)
        if batch:
            target.datagrams_received(batch, addr)


def _retry_token_valid(handler: Any, addr: Any, dcid: bytes, token: bytes, now: float) -> bool:
    try:
        handler.validate_token(addr, token)
    except Exception:  # qh3 decrypts with RSA in Rust: junk fails in various ways
        return False
    return True


async def create_endpoint(factory: Any, local_addr: Any, family: int = 0) -> Any:
    """A UDP endpoint on qh3's transport, which reads datagrams in bursts.

    Our protocol defers its transmit to the end of a burst, so one round of
    feeding and sending (and one ACK) answers several received packets.
    """
    loop = asyncio.get_running_loop()
    if not family:
        host, port = local_addr
        infos = await loop.getaddrinfo(
            host or None, port, type=socket.SOCK_DGRAM, flags=socket.AI_PASSIVE
        )
        family, local_addr = infos[0][0], infos[0][4]
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.bind(local_addr)
    except OSError:
        sock.close()
        raise
    return await create_optimized_datagram_transport(loop, factory, sock=sock)


def backend() -> Backend:
    """The qh3 :class:`~quic_multistream._backend.Backend`."""
    return Backend(
        name="qh3",
        configuration=QuicConfiguration,
        connection=QuicConnection,
        server=_Server,
        protocol=Qh3Protocol,
        events=events,
        tune_connection=tune_connection,
        unsent_bytes=unsent_bytes,
        credit_left=credit_left,
        open_stream=open_stream,
        all_acknowledged=all_acknowledged,
        loss=_Loss,
        rtt=_rtt,
        datagram_room=_datagram_room,
        prune_forgotten=_prune_forgotten,
        convert_identity=_convert_identity,
        convert_ticket=_convert_ticket,
        create_endpoint=create_endpoint,
        retry_token_valid=_retry_token_valid,
        reset_final_size=lambda quic, stream_id: None,
    )
