"""The aioquic backend: its asyncio protocol, and the adjustments and state readers
aioquic has no API for.

aioquic 1.x fixes the concurrent stream limit at 128, grows every receive window
as data *arrives* (not as the application reads it), and can request a client
certificate only through a private flag without ever verifying it. The helpers
here change those behaviours on one connection object and read the state the
feeding loop needs (unsent bytes, credit, RTT, datagram room); :func:`backend`
collects them for :mod:`._backend`. They rely on aioquic 1.x internals (checked
against 1.7.2 in the test suite); the only other code that does is the ACK and
packet-space timing of the aioquic protocol in :mod:`.connection`.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
from collections.abc import Callable, Sequence
from typing import Any, cast

from aioquic import tls
from aioquic.asyncio.protocol import QuicConnectionProtocol
from aioquic.quic import events
from aioquic.quic.configuration import QuicConfiguration
from aioquic.quic.connection import QuicConnection
from cryptography import x509

from ._backend_api import Backend, ConnectionLink
from ._counters import Counters
from ._feed import AckPolicy
from ._protocol_base import LinkedProtocol
from ._receive_budget import ReceiveBudget
from ._tls_checks import check_server_usage, record_local_alerts
from ._transmit import AfterDatagram, after_datagram, transmit_rounds
from .errors import CertificateError, QuicError
from .verify import PeerIdentity, verify_client_certificate

__all__ = [
    "AioquicProtocol",
    "all_acknowledged",
    "backend",
    "credit_left",
    "datagram_room",
    "delivered_offset",
    "release_h3_stream",
    "stream_acknowledged",
    "tune_connection",
    "unsent_bytes",
]


def _alert(err: CertificateError) -> tls.Alert:
    alert = tls.Alert(str(err))
    alert.description = tls.AlertDescription(err.alert)
    return alert


def tune_connection(
    quic: QuicConnection,
    *,
    max_streams: int,
    receive_window: int,
    consumed_offset: Callable[[int], int | None],
    counters: Counters,
    client_ca: Sequence[x509.Certificate] | None = None,
    require_client_cert: bool = False,
    on_peer_identity: Callable[[PeerIdentity], None] | None = None,
    on_local_alert: Callable[[int, str], None] | None = None,
    receive_budget: ReceiveBudget | None = None,
) -> None:
    """Prepare ``quic`` before its first packet is processed.

    * ``max_streams``: concurrent streams the peer may open per direction.
    * ``receive_window``: bytes a peer may send on a stream beyond what the
      application has read (``consumed_offset(stream_id)``; None keeps aioquic's
      own rule for that stream).
    * ``client_ca`` (server only): request a client certificate and verify it
      during the handshake; a missing certificate is refused when
      ``require_client_cert``. Failures close the connection with the TLS alert.
    * a client refuses a server certificate not issued for serverAuth.
    * ``on_local_alert(alert, reason)``: this side aborted the handshake.
    * ``receive_budget``: MAX_DATA follows what the application released plus
      the budget, instead of doubling as data arrives.
    """
    missing = [
        name
        for name in ("_local_max_streams_bidi", "_initialize", "_write_stream_limits", "_loss")
        if not hasattr(quic, name)
    ]
    if missing:
        import aioquic

        raise QuicError(
            f"aioquic {aioquic.__version__} lacks {', '.join(missing)}; "
            "quic-multistream needs aioquic 1.x"
        )
    for limit in (quic._local_max_streams_bidi, quic._local_max_streams_uni):
        limit.value = limit.sent = max_streams

    original_initialize = quic._initialize

    def initialize(peer_cid: bytes) -> None:
        original_initialize(peer_cid)
        if quic.configuration.is_client:
            check_server_usage(quic.tls, tls)
        if on_local_alert is not None:
            record_local_alerts(quic.tls, tls, on_local_alert)
        if client_ca is not None:
            _request_client_certificate(quic.tls, client_ca, require_client_cert, on_peer_identity)

    quic._initialize = initialize  # type: ignore[method-assign]

    original_limits = quic._write_stream_limits
    half = receive_window // 2

    def write_stream_limits(builder: Any, space: Any, stream: Any) -> None:
        # aioquic doubles the window when half of it has *arrived*; here the
        # window follows what the application consumed. Setting the field to
        # half the target when aioquic is about to double it makes the frame
        # aioquic writes carry exactly the target. Runs for every stream on every
        # packet, hence the early exits.
        local = stream.max_stream_data_local
        if local:
            arrived = stream.receiver.highest_offset
            if (
                local - arrived > half
                and stream.max_stream_data_local_sent == local
                and arrived * 2 <= local
            ):
                # Fast path, no callback: less than half the window has arrived
                # (so less than half is consumed) and the limit was announced.
                return
            consumed = consumed_offset(stream.stream_id)
            if consumed is not None:
                arrived2 = stream.receiver.highest_offset * 2
                # Announce more credit only once half the window is used up, so
                # MAX_STREAM_DATA goes out about twice per window, not per packet.
                target = consumed + receive_window
                if local - consumed > half:
                    target = local
                if target <= local:
                    if stream.max_stream_data_local_sent == local:
                        # Nothing to announce. (Past half the window aioquic
                        # would double the limit; skipping it skips that too,
                        # and its debug log line, on every packet until the
                        # application catches up.)
                        return
                    if arrived2 <= local:
                        original_limits(builder, space, stream)
                        return
                    target = local
                target += target & 1
                stream.max_stream_data_local = target // 2 if arrived2 > target // 2 else target
        original_limits(builder, space, stream)

    quic._write_stream_limits = write_stream_limits  # type: ignore[method-assign]
    if receive_budget is not None:
        _apply_receive_budget(quic, receive_budget)

    loss = quic._loss
    original_lost = loss._on_packets_lost

    def on_packets_lost(*, packets: Any, **kwargs: Any) -> None:
        if not packets:
            return  # after every ACK; with nothing lost aioquic does nothing
        packets = list(packets)
        if kwargs.get("congestion_event", True):
            counters.lost_packets += len(packets)
        original_lost(packets=packets, **kwargs)

    loss._on_packets_lost = on_packets_lost  # type: ignore[method-assign]

    original_ack = loss.on_ack_received

    def on_ack_received(*, ack_rangeset: Any, ack_delay: float, now: float, space: Any) -> None:
        packet = space.sent_packets.get(ack_rangeset.bounds().stop - 1)
        original_ack(ack_rangeset=ack_rangeset, ack_delay=ack_delay, now=now, space=space)
        if packet is not None and packet.is_ack_eliciting:
            delay = min(ack_delay, loss.max_ack_delay)
            sample = max(0.0, now - packet.sent_time - delay)
            counters.rtt_samples += 1
            counters.rtt_latest = sample
            counters.rtt_min = min(counters.rtt_min, sample)

    loss.on_ack_received = on_ack_received  # type: ignore[method-assign]


def _apply_receive_budget(quic: QuicConnection, budget: ReceiveBudget) -> None:
    """Let ``budget`` decide MAX_DATA (aioquic doubles it whenever half has arrived)."""
    limit = quic._local_max_data
    limit.value = limit.sent = budget.initial(limit.value)  # the transport parameter
    original = quic._write_connection_limits

    def write_connection_limits(builder: Any, space: Any) -> None:
        target = budget.max_data(limit.sent)
        if target is not None and target > limit.value:
            limit.value = target
        # aioquic raises the limit itself when used * 2 > value; hide the usage
        # for that check (it is not read otherwise in this method).
        used, limit.used = limit.used, 0
        try:
            original(builder, space)
        finally:
            limit.used = used

    quic._write_connection_limits = write_connection_limits  # type: ignore[method-assign]


def _reset_final_size(quic: QuicConnection, stream_id: int) -> int | None:
    stream = quic._streams.get(stream_id)
    return None if stream is None else stream.receiver._final_size


def _request_client_certificate(
    context: tls.Context,
    client_ca: Sequence[x509.Certificate],
    require: bool,
    on_peer_identity: Callable[[PeerIdentity], None] | None,
) -> None:
    context._request_client_certificate = True
    handle_certificate = context._server_handle_certificate
    handle_verify = context._server_handle_certificate_verify

    # aioquic < 1.4 (the newest available for Python 3.10) also passes an output
    # buffer to these handlers; forward whatever the installed version passes.
    def server_handle_certificate(input_buf: Any, *rest: Any) -> None:
        handle_certificate(input_buf, *rest)
        if context._peer_certificate is None and require:
            try:
                verify_client_certificate(None, [], client_ca)
            except CertificateError as err:
                raise _alert(err) from err

    def server_handle_certificate_verify(input_buf: Any, *rest: Any) -> None:
        # The signature check inside proves the client holds the key; then the chain.
        handle_verify(input_buf, *rest)
        try:
            identity = verify_client_certificate(
                context._peer_certificate,
                context._peer_certificate_chain,
                client_ca,
                now=_dt.datetime.now(_dt.timezone.utc),
            )
        except CertificateError as err:
            raise _alert(err) from err
        if on_peer_identity is not None:
            on_peer_identity(identity)

    context._server_handle_certificate = server_handle_certificate  # type: ignore[method-assign]
    context._server_handle_certificate_verify = server_handle_certificate_verify  # type: ignore[method-assign]


def unsent_bytes(quic: QuicConnection, stream_id: int) -> int:
    """Bytes of a stream held by aioquic that it could send now but has not yet.

    Data beyond the peer's stream flow-control limit, or on a stream blocked by
    the peer's stream count limit, is not counted: it cannot delay other streams.
    """
    stream = quic._streams.get(stream_id)
    if stream is None or stream.is_blocked:
        return 0
    limit = stream.max_stream_data_remote
    total = 0
    for r in stream.sender._pending:
        stop = min(r.stop, limit)
        if stop > r.start:
            total += stop - r.start
    return total


def credit_left(quic: QuicConnection, stream_id: int) -> int:
    """Stream flow-control credit the peer granted beyond what aioquic already holds."""
    stream = quic._streams.get(stream_id)
    if stream is None:
        return 0
    return max(0, stream.max_stream_data_remote - stream.sender._buffer_stop)


def all_acknowledged(quic: QuicConnection) -> bool:
    """Whether the peer acknowledged every byte (and FIN) we handed to aioquic."""
    for stream in quic._streams.values():
        sender = stream.sender
        if sender.is_finished:
            continue
        if sender._buffer_fin is not None or sender._buffer_start != sender._buffer_stop:
            return False
    return True


def stream_acknowledged(quic: QuicConnection, stream_id: int) -> bool:
    """Whether the peer acknowledged every byte (and FIN) handed to aioquic on a stream."""
    stream = quic._streams.get(stream_id)
    if stream is None:
        return True  # aioquic forgets a stream once both directions are done
    sender = stream.sender
    if sender.is_finished:
        return True
    return sender._buffer_fin is None and sender._buffer_start == sender._buffer_stop


def delivered_offset(quic: QuicConnection, stream_id: int) -> int | None:
    """Offset up to which aioquic has passed a stream's received data on (None: unknown)."""
    stream = quic._streams.get(stream_id)
    return None if stream is None else stream.receiver.starting_offset()


def release_h3_stream(http: Any, stream_id: int) -> None:
    """Make aioquic's ``H3Connection`` forget a WebTransport stream past its header.

    Its later data is raw stream data that webtransport.py passes on itself; left
    in the H3 layer, a bidirectional stream's state would never be freed (its
    sending side is not written through H3).
    """
    http._stream.pop(stream_id, None)


def datagram_room(quic: QuicConnection) -> int | None:
    """Largest DATAGRAM payload we may send now (None: datagrams not negotiated)."""
    limit = quic._remote_max_datagram_frame_size
    if quic.configuration.max_datagram_frame_size is None or limit is None:
        return None
    # The DATAGRAM frame and packet headers take some of the peer's limit.
    return min(limit, quic._max_datagram_size) - 64


def _rtt(quic: QuicConnection, counters: Any) -> tuple[float, float] | None:
    loss = quic._loss
    return (loss._rtt_smoothed, loss._rtt_min) if loss._rtt_initialized else None


def _open_stream(quic: QuicConnection, uni: bool) -> int:
    sid = quic.get_next_available_stream_id(is_unidirectional=uni)
    quic.send_stream_data(sid, b"")  # creates the stream in aioquic
    return sid


def _retry_token_valid(handler: Any, addr: Any, dcid: bytes, token: bytes, now: float) -> bool:
    try:
        handler.validate_token(address=addr, destination_cid=dcid, token=token, now=now)
    except ValueError:
        return False
    return True


async def _create_endpoint(factory: Any, local_addr: Any, family: int = 0) -> Any:
    loop = asyncio.get_running_loop()
    return await loop.create_datagram_endpoint(factory, local_addr=local_addr, family=family)


class AioquicProtocol(LinkedProtocol, QuicConnectionProtocol):
    """aioquic's protocol with a priority-aware ``transmit`` and traffic counters.

    The decisions are in :mod:`._transmit` and :mod:`._feed`; this class reads
    aioquic's state for them, acts on the answers and is the
    :class:`~._transmit.TransmitStack` that :func:`~._transmit.transmit_rounds` drives.
    """

    def __init__(self, quic: QuicConnection, counters: Counters) -> None:
        super().__init__(quic)
        self.counters = counters
        self.link: ConnectionLink | None = None  # set by the Connection this drives
        self._acks = AckPolicy()
        self._ack_soon = False  # an _ack_now call is queued
        self._spaces_seen: dict[Any, Any] | None = None  # aioquic's dict when _space was read
        self._space: Any = None

    def _app_space(self) -> Any:
        """aioquic's 1-RTT packet space (None before it exists).

        aioquic replaces its dict of spaces only when it (re)initializes; looking
        the enum key up on every packet costs a Python-level hash.
        """
        spaces = self._quic._spaces
        if spaces is not self._spaces_seen:
            self._spaces_seen = spaces
            self._space = spaces.get(tls.Epoch.ONE_RTT)
        return self._space

    def datagram_received(self, data: bytes | str, addr: Any) -> None:
        counters = self.counters
        counters.packets_received += 1
        counters.bytes_received += len(data)
        now = self._loop.time()
        space = self._app_space()
        if space is None or space.ack_at is None:
            self._acks.ack_sent()
        self._quic.receive_datagram(cast(bytes, data), addr, now=now)
        self._process_events()
        # aioquic acknowledges after a 1 ms timer however many packets arrive;
        # AckPolicy asks for an ACK every few packets instead (see _feed.py).
        space = self._app_space()
        ack_at = None if space is None else space.ack_at
        due = self._acks.received(
            len(data), self._quic._max_datagram_size, ack_pending=ack_at is not None
        )
        if due and not self._ack_soon:
            # Not now but once the application has seen the data (its task
            # wake-up is already queued): a reply it sends carries the ACK,
            # instead of waiting behind a packet holding only the ACK.
            self._ack_soon = True
            self._loop.call_soon(self._ack_now)
        link = self.link
        step = after_datagram(
            new_stream_handed=link is not None and link.take_new_stream(),
            transmit_queued=self._transmit_task is not None,
            bulk=self._acks.bulk,
            ack_queued=self._ack_soon,
            ack_at=ack_at,
            now=now,
            has_queued=link is not None and link.has_queued(),
            attached=link is not None,
            space_ready=space is not None,
        )
        if step is AfterDatagram.TRANSMIT_SOON:
            self._transmit_soon()
        elif step is AfterDatagram.TRANSMIT_AFTER_NEXT:
            self._transmit_task = self._loop.call_soon(self._transmit_after_next)
        elif step is AfterDatagram.TIMER_ONLY:
            self._rearm_timer()

    def _transmit_after_next(self) -> None:
        self._transmit_task = self._loop.call_soon(self.transmit)

    def _ack_now(self) -> None:
        self._ack_soon = False
        space = self._app_space()
        if space is not None and space.ack_at is not None:
            space.ack_at = self._loop.time()
            if self._transmit_task is not None:
                # transmit() below also sends what a transmit_soon() queued.
                self._transmit_task.cancel()
            self.transmit()

    def transmit(self) -> None:
        self._transmit_task = None
        if self._transport is None:
            return
        transmit_rounds(self, self._loop.time(), self.counters, feed=self.link is not None)
        self._rearm_timer()

    # -- TransmitStack (see _transmit.py) --------------------------------------------------

    def ack_due(self) -> bool:
        space = self._app_space()
        return space is not None and space.ack_at is not None

    def ack_now(self, now: float) -> None:
        self._app_space().ack_at = now

    def datagrams(self, now: float) -> list[tuple[bytes, Any]]:
        return self._quic.datagrams_to_send(now=now)

    def send(self, datagrams: Sequence[tuple[bytes, Any]]) -> int:
        sendto = self._transport.sendto
        size = 0
        for data, addr in datagrams:
            sendto(data, addr)
            size += len(data)
        return size

    def paced(self) -> bool:
        return self._quic._pacing_at is not None  # aioquic's pacer stopped the burst

    def window(self) -> tuple[int, int]:
        loss = self._quic._loss
        return loss.congestion_window, loss.bytes_in_flight


def backend() -> Backend:
    """The aioquic :class:`~quic_multistream._backend.Backend`."""
    from aioquic.asyncio.server import QuicServer

    from ._tls_group import watch_aioquic

    def tune(quic: QuicConnection, **kwargs: Any) -> None:
        group_seen = kwargs.pop("on_key_exchange_group", None)
        tune_connection(quic, **kwargs)
        if group_seen is not None:
            watch_aioquic(quic, group_seen)

    return Backend(
        name="aioquic",
        configuration=QuicConfiguration,
        connection=QuicConnection,
        server=QuicServer,
        protocol=AioquicProtocol,
        events=events,
        tune_connection=tune,
        unsent_bytes=unsent_bytes,
        credit_left=credit_left,
        open_stream=_open_stream,
        all_acknowledged=all_acknowledged,
        loss=lambda quic: quic._loss,
        rtt=_rtt,
        datagram_room=datagram_room,
        prune_forgotten=lambda quic, ids: ids.intersection_update(quic._streams),
        convert_identity=lambda certs, key: (certs[0], certs[1:], key),
        convert_ticket=lambda ticket: ticket,
        create_endpoint=_create_endpoint,
        retry_token_valid=_retry_token_valid,
        reset_final_size=_reset_final_size,
    )
