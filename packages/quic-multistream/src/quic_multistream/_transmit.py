"""The transmit loop and the receive-side send decisions, shared by both backends.

One ``transmit`` of a connection feeds queued stream data into the QUIC stack,
lets a pending ACK ride along with that data, sends the datagrams the stack
builds and repeats while the congestion window has room (at most
:data:`~._feed.MAX_FEED_ROUNDS` rounds); then the stack's timer is re-armed.
:func:`transmit_rounds` is that loop, written once: it drives a
:class:`TransmitStack` (the backend's thin adapter over aioquic or qh3 and its
socket) and touches nothing else. :func:`timer_change` and :func:`after_datagram`
are the remaining decisions of the asyncio protocols, as plain functions of
numbers and flags. tests/test_transmit.py checks all three with a fake stack.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any, Protocol

from ._counters import Counters
from ._feed import MAX_FEED_ROUNDS, FeedController

__all__ = [
    "AfterDatagram",
    "TransmitStack",
    "after_datagram",
    "same_address_run",
    "timer_change",
    "transmit_rounds",
]

Datagram = tuple[bytes, Any]  # (payload, address)


class TransmitStack(Protocol):
    """What :func:`transmit_rounds` needs of one connection's QUIC stack and socket."""

    def feed(self) -> int:
        """Move queued stream data into the stack; bytes moved (0: nothing)."""
        ...

    def has_queued(self) -> bool:
        """Whether stream data still waits in our queue (outside the stack)."""
        ...

    def ack_due(self) -> bool:
        """Whether the stack owes the peer an ACK it would send on its own timer."""
        ...

    def ack_now(self, now: float) -> None:
        """Make the owed ACK go out in the next datagram built."""
        ...

    def datagrams(self, now: float) -> Sequence[Datagram]:
        """The datagrams the stack builds now."""
        ...

    def send(self, datagrams: Sequence[Datagram]) -> int:
        """Put ``datagrams`` on the wire; the bytes sent."""
        ...

    def paced(self) -> bool:
        """Whether the stack's pacer stopped the last burst early."""
        ...

    def window(self) -> tuple[int, int]:
        """(congestion window, bytes in flight) in bytes."""
        ...


def transmit_rounds(stack: TransmitStack, now: float, counters: Counters, *, feed: bool) -> int:
    """Feed and send until nothing more should go out now; the rounds run.

    ``feed`` is False when no connection is attached yet (the handshake's
    first packets): then one round sends what the stack has, nothing is fed.
    Each round: feed; if data was fed and an ACK is owed, the ACK rides along
    (instead of costing a packet of its own when the stack's ACK timer fires);
    send; then another round only if :meth:`FeedController.another_round` says so.
    """
    for rounds in range(1, MAX_FEED_ROUNDS + 1):
        if feed and stack.feed() and stack.ack_due():
            stack.ack_now(now)
        datagrams = stack.datagrams(now)
        sent = len(datagrams)
        if not sent:
            return rounds  # nothing built: another round would build nothing either
        counters.bytes_sent += stack.send(datagrams)
        counters.packets_sent += sent
        if not feed or not stack.has_queued():
            return rounds
        # (another_round's remaining inputs, read only when data still waits)
        cwnd, in_flight = stack.window()
        if not FeedController.another_round(
            sent=sent, pending=True, paced=stack.paced(), cwnd=cwnd, in_flight=in_flight
        ):
            return rounds
    return MAX_FEED_ROUNDS


def timer_change(armed: bool, armed_at: float | None, wanted_at: float | None) -> tuple[bool, bool]:
    """(cancel the armed timer, arm a new one at ``wanted_at``) after a transmit.

    A timer armed for another deadline is cancelled; a new one is armed when a
    deadline is wanted and none stays armed.
    """
    cancel = armed and armed_at != wanted_at
    arm = wanted_at is not None and (not armed or cancel)
    return cancel, arm


def same_address_run(datagrams: Sequence[Datagram]) -> bool:
    """Whether ``datagrams`` (more than one) all go to one address: one sendmsg can
    carry them (UDP segmentation offload where the kernel has it)."""
    if len(datagrams) < 2:
        return False
    addr = datagrams[0][1]
    return all(a == addr for _, a in datagrams)


class AfterDatagram(enum.Enum):
    """What the protocol does once a received datagram has been processed."""

    #: transmit in the next loop iteration (the usual case)
    TRANSMIT_SOON = "transmit soon"
    #: transmit one iteration later: a waiting ``accept`` got a new stream, and
    #: the task it starts replies only then
    TRANSMIT_AFTER_NEXT = "transmit after next"
    #: only re-arm the stack's timer: bulk data is arriving, nothing of ours
    #: waits and no ACK is due, so a transmit would build no packet
    TIMER_ONLY = "timer only"
    #: nothing: a transmit is already scheduled and will send
    NOTHING = "nothing"


def after_datagram(
    *,
    new_stream_handed: bool,
    transmit_queued: bool,
    bulk: bool,
    ack_queued: bool,
    ack_at: float | None,
    now: float,
    has_queued: bool,
    attached: bool = True,
    space_ready: bool = True,
) -> AfterDatagram:
    """The send decision after a received datagram (aioquic's protocol).

    ``new_stream_handed``: a task waiting in ``accept`` was given a new stream;
    ``transmit_queued``: a transmit is already scheduled; ``bulk``: full-size
    datagrams dominate (:attr:`AckPolicy.bulk`); ``ack_queued``: an immediate
    ACK is already scheduled; ``ack_at``: when the stack's ACK timer fires
    (None: no ACK owed); ``has_queued``: our stream data waits to be fed;
    ``attached``: a connection drives the protocol (not so during the first
    handshake packets); ``space_ready``: the 1-RTT packet space exists.
    """
    if new_stream_handed:
        # An already scheduled transmit keeps its turn.
        return AfterDatagram.NOTHING if transmit_queued else AfterDatagram.TRANSMIT_AFTER_NEXT
    if (
        attached
        and bulk
        and not transmit_queued
        and not ack_queued
        and space_ready
        and (ack_at is None or ack_at > now)
        and not has_queued
    ):
        return AfterDatagram.TIMER_ONLY
    return AfterDatagram.TRANSMIT_SOON
