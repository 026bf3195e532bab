"""A QUIC connection: streams, datagrams, statistics; the thin asyncio layer.

:class:`Connection` wraps one aioquic ``QuicConnection``. Outgoing stream data
goes through a :class:`~quic_multistream.scheduler.SendScheduler`; the protocol's
``transmit`` feeds aioquic from it only while aioquic holds less than
``unsent_window`` bytes it has not yet put on the wire, so a CRITICAL message
waits behind at most that window, never behind megabytes of LOW data.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from aioquic.quic import events
from aioquic.quic.connection import stream_is_client_initiated

from ._backend_api import ConnectionLink
from ._feed import FeedController, RttSample
from ._lifecycle import Lifecycle
from ._receive_budget import DEFAULT_RECEIVE_BUDGET, ReceiveBudget
from ._surface import StreamSurface
from .errors import (
    CertificateError,
    ConfigurationError,
    ConnectionClosed,
    HandshakeError,
    QuicError,
)
from .priority import StreamPriority
from .scheduler import SendScheduler
from .stats import ConnectionStats
from .stream import Stream, StreamLink, closed_error
from .verify import PeerIdentity

if TYPE_CHECKING:
    from ._backend_api import Backend, QuicProtocol

__all__ = ["Connection"]

logger = logging.getLogger("quic_multistream")

_CRYPTO_ERROR = 0x100
#: Application error code of a close because a receive budget was exceeded
#: (only where the QUIC stack grants credit by itself: qh3).
RECEIVE_BUDGET_ERROR = 0x3


_LEVELS = len(StreamPriority)
# Levels strictly above each level (by int value; 0 is the highest priority).
_ABOVE = [tuple(p for p in StreamPriority if p < level) for level in range(_LEVELS + 1)]
_ABOVE_LOW = _ABOVE[StreamPriority.LOW]
_ONLY_LOW = (StreamPriority.LOW,)


_CERTIFICATE_ALERTS = (42, 43, 44, 45, 46, 48, 116)


def error_from_close(
    code: int,
    reason: str,
    *,
    handshake: bool,
    application: bool = False,
    local_alert: tuple[int, str] | None = None,
    peer: str = "peer",
) -> QuicError:
    """Map a CONNECTION_CLOSE to our exception type.

    Codes 0x100-0x1ff are TLS alerts only in a transport close; in an
    application close they are the application's (HTTP/3's H3_NO_ERROR is 0x100).
    ``local_alert`` is the (alert, reason) our own TLS stack raised, if it did:
    then this side refused, and the message says so and why; otherwise the
    ``peer`` ("server" or "client") did.
    """
    suffix = f": {reason}" if reason else ""
    if not application and _CRYPTO_ERROR <= code < _CRYPTO_ERROR + 256:
        alert = code - _CRYPTO_ERROR
        if local_alert is not None and local_alert[0] == alert:
            why = local_alert[1] or reason
            if alert in _CERTIFICATE_ALERTS:
                return CertificateError(
                    f"we refused the {peer}'s certificate (TLS alert {alert}): {why}",
                    alert=alert,
                    error_code=code,
                )
            return HandshakeError(
                f"we aborted the TLS handshake with the {peer} (TLS alert {alert}): {why}",
                error_code=code,
            )
        if alert in _CERTIFICATE_ALERTS:
            return CertificateError(
                f"the {peer} refused the TLS handshake: certificate problem "
                f"(TLS alert {alert}){suffix}",
                alert=alert,
                error_code=code,
            )
        return HandshakeError(
            f"the {peer} aborted the TLS handshake (TLS alert {alert}){suffix}",
            error_code=code,
        )
    if handshake:
        return HandshakeError(
            f"connection closed during the handshake (code {code:#x}){suffix}",
            error_code=code,
        )
    return closed_error(code, reason)


class Connection(StreamSurface):
    """One QUIC connection, from :func:`~quic_multistream.connect` or a server handler.

    Use it as an async context manager (``async with connect(...) as conn``) or
    call :meth:`close` and :meth:`wait_closed`. ``async for stream in conn``
    yields incoming streams of both kinds until the connection closes.
    """

    def __init__(
        self,
        protocol: QuicProtocol,
        *,
        is_client: bool,
        max_message_size: int,
        send_buffer: int,
        receive_window: int,
        unsent_window: int,
        incremental: bool = True,
        datagram_queue: int = 1024,
        backend: Backend | None = None,
        receive_budget: ReceiveBudget | None = None,
        lifecycle: Lifecycle | None = None,
    ) -> None:
        if backend is None:
            from ._backend import get_backend

            backend = get_backend("aioquic")
        self._backend = backend
        self._protocol = protocol
        self._quic = protocol.quic
        self.is_client = is_client
        self.max_message_size = max_message_size
        self.send_buffer = send_buffer
        self.receive_window = receive_window
        self.unsent_window = unsent_window
        self._scheduler = SendScheduler(incremental=incremental, quantum=16384)
        self._budget = (
            receive_budget if receive_budget is not None else ReceiveBudget(DEFAULT_RECEIVE_BUDGET)
        )
        self._budget.wake = self._transmit_soon
        self._streams: dict[int, Stream] = {}
        self._feeder = FeedController(unsent_window)
        self._in_quic: set[int] = set()  # streams whose data aioquic may not have sent
        self._init_surface()
        # Peer streams we finished with; aioquic may still report on them.
        self._forgotten: set[int] = set()
        self._accept_waiting = 0  # tasks waiting in _accept
        self._handed_new_stream = False  # see _transmit.after_datagram
        self._datagram_queue = datagram_queue
        self.datagrams_dropped = 0
        self._closed_error: QuicError | None = None
        self._closed_event = asyncio.Event()
        self._handshake_done = False
        self._closing = False  # close() was called; the peer may not know yet
        self.peer_identity: PeerIdentity | None = None
        self.alpn_protocol: str | None = None
        self.early_data_accepted = False
        self.session_resumed = False
        self.key_exchange_group: str | None = None
        # (alert, reason) when our own TLS stack aborted the handshake.
        self._local_alert: tuple[int, str] | None = None
        self._handshake_waiters: list[asyncio.Future[None]] = []
        self._keepalive: asyncio.Task[None] | None = None
        # Run at the first stream or datagram event: only a packet that decrypted
        # with 0-RTT or 1-RTT keys carries one, so the peer proved something.
        life = lifecycle if lifecycle is not None else Lifecycle()
        life.handshake_done = lambda: self._handshake_done
        life.wait_handshake = self._wait_handshake
        life.start_keepalive = self._start_keepalive
        life.release = self._release
        self._life = life
        self._stream_link = StreamLink(
            scheduler=self._scheduler,
            check_open=self._check_open,
            closed_error=lambda: self._closed_error,
            transmit_soon=self._transmit_soon,
            reset_stream=self._reset_stream,
            stop_stream=self._stop_stream,
            hold_received=self._hold_received,
            release_received=self._release_received,
            send_buffer=send_buffer,
            receive_window=receive_window,
            max_message_size=max_message_size,
        )
        protocol.link = ConnectionLink(
            feed=self._feed,
            has_queued=self._scheduler.has_pending,
            on_event=self._on_quic_event,
            take_new_stream=self._take_new_stream,
            consumed_offset=self._consumed_offset,
            handshake_fact=self._handshake_fact,
        )

    # -- public API ----------------------------------------------------------------------

    @property
    def is_closed(self) -> bool:
        """Whether the connection has terminated."""
        return self._closed_error is not None

    @property
    def close_error(self) -> QuicError | None:
        """Why the connection closed (None while open)."""
        return self._closed_error

    def send_datagram(self, data: bytes | bytearray | memoryview) -> None:
        """Send an unreliable datagram (RFC 9221); both ends must enable datagrams.

        Raises
        ------
        QuicError
            Datagrams were not negotiated, or ``data`` exceeds the peer's limit.
        """
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise ConfigurationError(f"data must be bytes-like, got {type(data).__name__}")
        self._check_open()
        room = self._backend.datagram_room(self._quic)
        if room is None:
            raise QuicError("datagrams are not enabled on both ends (datagrams=True)")
        if len(data) > room:
            raise QuicError(f"datagram of {len(data)} bytes exceeds the {room}-byte limit")
        self._quic.send_datagram_frame(bytes(data))
        self._transmit_soon()

    def stats(self) -> ConnectionStats:
        """A snapshot of RTTs, traffic counters and active streams."""
        c = self._protocol.counters
        rtt = self._backend.rtt(self._quic, c)
        bi = sum(1 for s in self._streams if not s & 2)
        return ConnectionStats(
            smoothed_rtt=None if rtt is None else rtt[0],
            min_rtt=None if rtt is None else rtt[1],
            bytes_sent=c.bytes_sent,
            bytes_received=c.bytes_received,
            packets_sent=c.packets_sent,
            packets_received=c.packets_received,
            lost_packets=c.lost_packets,
            active_bi_streams=bi,
            active_uni_streams=len(self._streams) - bi,
            key_exchange_group=self.key_exchange_group,
        )

    async def ping(self, timeout: float = 5.0) -> None:
        """Send a PING and wait for its acknowledgement."""
        self._check_open()
        try:
            await asyncio.wait_for(self._protocol.ping(), timeout)
        except asyncio.TimeoutError:
            raise_timeout("ping", timeout)
        except ConnectionError:
            self._check_open()
            raise

    def close(self, code: int = 0, reason: str = "") -> None:
        """Close the connection now (CONNECTION_CLOSE with ``code`` and ``reason``)."""
        if isinstance(code, bool) or not isinstance(code, int) or not 0 <= code < 2**62:
            raise ConfigurationError(f"code must be an int in [0, 2**62), got {code!r}")
        if not isinstance(reason, str):
            raise ConfigurationError(f"reason must be a str, got {type(reason).__name__}")
        if self._closed_error is None:
            self._closing = True
            self._protocol.close(error_code=code, reason_phrase=reason)

    async def wait_closed(self) -> None:
        """Wait until the connection has terminated."""
        await self._closed_event.wait()

    async def drain(self) -> None:
        """Wait until the peer has acknowledged every byte queued on every stream."""
        while True:
            self._check_open()
            if not self._scheduler.has_pending() and self._backend.all_acknowledged(self._quic):
                return
            await asyncio.sleep(0.005)

    async def shutdown(self, timeout: float = 5.0, code: int = 0, reason: str = "") -> None:
        """Graceful close: let queued data be delivered (up to ``timeout``), then close."""
        with contextlib.suppress(asyncio.TimeoutError, QuicError):
            await asyncio.wait_for(self.drain(), timeout)
        self.close(code, reason)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.wait_closed(), timeout)

    async def __aenter__(self) -> Connection:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()
        try:
            # Closing lasts three probe timeouts (RFC 9000 section 10.2); under
            # heavy load that can be long, and nothing is left to deliver anyway.
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.wait_closed(), 1.0)
        finally:
            self._release()

    def __repr__(self) -> str:
        role = "client" if self.is_client else "server"
        state = "closed" if self.is_closed else "open"
        return f"<Connection {role} {state} streams={len(self._streams)}>"

    # -- internals used by Stream ----------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed_error is not None:
            raise self._closed_error
        if self._closing:
            raise ConnectionClosed("connection closed by us: close() was called")

    def _transmit_soon(self) -> None:
        self._protocol.schedule_transmit()

    def _open(self, uni: bool, priority: StreamPriority) -> Stream:
        if not isinstance(priority, StreamPriority):
            raise ConfigurationError(f"priority must be a StreamPriority, got {priority!r}")
        self._check_open()
        sid = self._backend.open_stream(self._quic, uni)
        stream = Stream(self._stream_link, sid, priority=priority, can_send=True, can_recv=not uni)
        self._streams[sid] = stream
        self._scheduler.add_stream(sid, priority)
        return stream

    async def _wait_incoming(self) -> None:
        self._accept_waiting += 1  # see _peer_stream and AioquicProtocol.datagram_received
        try:
            await self._incoming_event.wait()
        finally:
            self._accept_waiting -= 1

    def _reset_stream(self, stream: Stream, code: int) -> None:
        self._scheduler.remove_stream(stream.stream_id)
        if self._closed_error is None:
            self._quic.reset_stream(stream.stream_id, code)
            self._transmit_soon()
        stream._send_done = True
        self._maybe_forget(stream)

    def _stop_stream(self, stream: Stream, code: int) -> None:
        if self._closed_error is None:
            self._quic.stop_stream(stream.stream_id, code)
            self._transmit_soon()

    def _maybe_forget(self, stream: Stream) -> None:
        if stream._send_done and stream._recv_done:
            self._streams.pop(stream.stream_id, None)
            if stream_is_client_initiated(stream.stream_id) != self.is_client:
                self._forgotten.add(stream.stream_id)
                if len(self._forgotten) > 1024:
                    self._backend.prune_forgotten(self._quic, self._forgotten)

    def _hold_received(self, n: int) -> None:
        budget = self._budget
        budget.hold(n)
        if budget.granted is None and not self._closing:
            reason = budget.overrun()
            if reason is not None:
                logger.warning("closing a connection: %s", reason)
                self.close(RECEIVE_BUDGET_ERROR, reason)

    def _release_received(self, n: int) -> None:
        if self._budget.release(n) and self._budget.granted is not None:
            self._transmit_soon()  # announce the new MAX_DATA

    def _consumed_offset(self, stream_id: int) -> int | None:
        stream = self._streams.get(stream_id)
        return None if stream is None else stream._consumed

    def _feed(self) -> int:
        """Move queued data into aioquic, highest priority first; return bytes moved."""
        sched = self._scheduler
        if not sched.has_pending() or self._closed_error is not None:
            return 0
        quic = self._quic
        backend = self._backend
        in_quic = self._in_quic
        unsent = 0
        for sid in list(in_quic):
            n = backend.unsent_bytes(quic, sid)
            if n:
                unsent += n
            else:
                in_quic.discard(sid)
        # Feed what the congestion window lets the stack send right now (at
        # least unsent_window): data leaves promptly, and nothing queues inside
        # it where a later CRITICAL message would have to wait behind it.
        feeder = self._feeder
        loss = backend.loss(quic)
        cwnd, in_flight = loss.congestion_window, loss.bytes_in_flight
        budget = feeder.budget(unsent=unsent, cwnd=cwnd, in_flight=in_flight)
        credit = self._credit
        if budget <= 0:
            # The window is full of lower-priority data: a stream above every
            # level waiting in the stack may still add one quantum, which the
            # stack's round-robin puts in the next packet.
            top = feeder.levels_when_full(
                [int(sched.priority(sid)) for sid in in_quic if sid in sched], _LEVELS
            )
            chunks = sched.pop(sched.quantum, credit, levels=_ABOVE[top])
            if chunks and top <= StreamPriority.LOW:  # only levels above LOW were served
                feeder.above_low_fed(self._protocol.now(), loss._rtt_smoothed)
        else:
            # Levels above LOW first; LOW is background traffic: it may fill only
            # the delay-controlled window (FeedController.low_window), so the LOW
            # packets in flight (and queued at a busy receiver) cannot hold up a
            # later CRITICAL message for long.
            chunks = sched.pop(budget, credit, levels=_ABOVE_LOW)
            if chunks:
                feeder.above_low_fed(self._protocol.now(), loss._rtt_smoothed)
            if sched.has_pending_at(StreamPriority.LOW):
                left = budget - sum(len(c.data) for c in chunks)
                counters = self._protocol.counters
                rtt = RttSample(
                    counters.rtt_samples, counters.rtt_latest, counters.rtt_min, loss._rtt_smoothed
                )
                allowance = feeder.low_allowance(
                    left,
                    now=self._protocol.now(),
                    rtt=rtt,
                    cwnd=cwnd,
                    in_flight=in_flight,
                    unsent=unsent,
                )
                if allowance > 0:
                    low = sched.pop(allowance, credit, levels=_ONLY_LOW)
                    chunks += low
                    feeder.low_taken(sum(len(c.data) for c in low))

        moved = 0
        half_buffer = self.send_buffer // 2
        for chunk in chunks:
            sid = chunk.stream_id
            quic.send_stream_data(sid, chunk.data, end_stream=chunk.end_stream)
            in_quic.add(sid)
            moved += len(chunk.data)
            stream = self._streams.get(sid)
            if stream is not None:
                if chunk.end_stream:
                    stream._send_done = True
                    self._maybe_forget(stream)
                # Low-water mark: wake a waiting send() when half the buffer is
                # free, so it refills in large pieces rather than per packet.
                if sched.queued(sid) <= half_buffer:
                    stream._writable.set()
        return moved or int(bool(sched.has_pending()))

    def _handshake_fact(self, name: str, value: Any) -> None:
        if name == "peer_identity":
            self.peer_identity = value
        elif name == "key_exchange_group":
            self.key_exchange_group = value
        elif name == "local_alert":
            self._local_alert = value
        else:
            raise ValueError(f"unknown handshake fact {name!r}")

    def _take_new_stream(self) -> bool:
        handed, self._handed_new_stream = self._handed_new_stream, False
        return handed

    def _credit(self, stream_id: int) -> int:
        # Never hand aioquic more than the peer's flow control lets it send: what
        # the peer will not accept stays in our bounded per-stream queue, so
        # send() waits (backpressure) instead of filling aioquic's buffer.
        return self._backend.credit_left(self._quic, stream_id)

    # -- events from aioquic -------------------------------------------------------------

    def _peer_stream(self, sid: int) -> Stream | None:
        stream = self._streams.get(sid)
        if stream is not None:
            return stream
        if stream_is_client_initiated(sid) == self.is_client:
            return None  # one of ours that we already forgot
        uni = bool(sid & 2)
        if sid not in self._forgotten and self._closed_error is None:
            stream = Stream(
                self._stream_link,
                sid,
                priority=StreamPriority.NORMAL,
                can_send=not uni,
                can_recv=True,
            )
            self._streams[sid] = stream
            if not uni:
                self._scheduler.add_stream(sid, StreamPriority.NORMAL)
            self._incoming[uni].append(stream)
            self._incoming_any.append(stream)
            self._incoming_event.set()
            if self._accept_waiting:
                self._handed_new_stream = True
            return stream
        return None

    def _on_quic_event(self, event: events.QuicEvent) -> None:
        """Every event of the QUIC stack, for the receive budget, then :meth:`_on_event`."""
        if isinstance(event, self._backend.events.StreamDataReceived):
            self._budget.arrived(len(event.data))
        self._on_event(event)

    def _on_event(self, event: events.QuicEvent) -> None:
        events = self._backend.events  # aioquic's or qh3's event classes
        life = self._life
        if life.on_app_data and isinstance(
            event,
            (
                events.StreamDataReceived,
                events.DatagramFrameReceived,
                events.StreamReset,
                events.StopSendingReceived,
            ),
        ):
            hooks, life.on_app_data = life.on_app_data, []
            for hook in hooks:
                hook()
        if isinstance(event, events.StreamDataReceived):
            stream = self._peer_stream(event.stream_id)
            if stream is not None:
                stream._on_data(event.data, event.end_stream)
                if event.end_stream:
                    self._maybe_forget(stream)
        elif isinstance(event, events.StreamReset):
            stream = self._peer_stream(event.stream_id)
            if stream is not None:
                final_size = self._backend.reset_final_size(self._quic, event.stream_id)
                if final_size is not None:
                    # Counted by the peer's flow control, never delivered to us.
                    self._budget.reset_gap(final_size - stream._arrived)
                stream._on_reset(event.error_code)
                self._maybe_forget(stream)
        elif isinstance(event, events.StopSendingReceived):
            stream = self._streams.get(event.stream_id)
            if stream is not None:
                stream._on_stop_sending(event.error_code)
                self._scheduler.remove_stream(event.stream_id)
                stream._send_done = True
                self._maybe_forget(stream)
        elif isinstance(event, events.DatagramFrameReceived):
            if len(self._datagrams) >= self._datagram_queue:
                self.datagrams_dropped += 1
            else:
                self._datagrams.append(event.data)
                self._datagram_event.set()
        elif isinstance(event, events.HandshakeCompleted):
            self._handshake_done = True
            self.alpn_protocol = event.alpn_protocol
            self.early_data_accepted = event.early_data_accepted
            self.session_resumed = event.session_resumed
            for w in self._handshake_waiters:
                if not w.done():
                    w.set_result(None)
            self._handshake_waiters.clear()
            for hook in life.on_handshake:
                hook()
            life.on_handshake.clear()
            life.on_app_data.clear()
        elif isinstance(event, events.ConnectionTerminated):
            # aioquic gives no frame type for an application CONNECTION_CLOSE.
            self._on_terminated(
                event.error_code, event.reason_phrase, application=event.frame_type is None
            )

    def _on_terminated(self, code: int, reason: str, *, application: bool = False) -> None:
        if self._closed_error is not None:
            return
        err = error_from_close(
            code,
            reason,
            handshake=not self._handshake_done,
            application=application,
            local_alert=self._local_alert,
            peer="server" if self.is_client else "client",
        )
        self._closed_error = err
        for w in self._handshake_waiters:
            if not w.done():
                w.set_exception(err)
        self._handshake_waiters.clear()
        for stream in self._streams.values():
            stream._on_closed()
        self._incoming_event.set()
        self._datagram_event.set()
        self._closed_event.set()
        if self._keepalive is not None:
            self._keepalive.cancel()
        self._budget.close()
        life = self._life
        for hook in life.on_close:
            hook()
        life.on_close.clear()
        life.on_handshake.clear()
        life.on_app_data.clear()

    async def _wait_handshake(self) -> None:
        if self._handshake_done:
            return
        self._check_open()
        waiter = asyncio.get_running_loop().create_future()
        self._handshake_waiters.append(waiter)
        await waiter

    def _start_keepalive(self, interval: float) -> None:
        async def run() -> None:
            while self._closed_error is None:
                await asyncio.sleep(interval)
                if self._closed_error is None:
                    self._quic.send_ping(0)
                    self._transmit_soon()

        self._keepalive = asyncio.get_running_loop().create_task(run())

    def _release(self) -> None:
        if self._keepalive is not None:
            self._keepalive.cancel()
        self._protocol.release(
            close_transport=self.is_client, cancel_timer=self.is_closed or self.is_client
        )


def raise_timeout(what: str, timeout: float) -> None:
    from .errors import Timeout

    raise Timeout(f"{what} did not complete within {timeout} s")
