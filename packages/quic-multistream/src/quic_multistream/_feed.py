"""The send-side decisions of a connection, sans-I/O: numbers in, decisions out.

:class:`FeedController` decides how many queued bytes to hand to the QUIC stack
on each transmit (the feed budget), how much of it LOW-priority traffic may take
(a delay-controlled window, LEDBAT-like) and whether another round of feeding
is worthwhile. :class:`AckPolicy` decides when received packets deserve an
immediate ACK. The asyncio protocols of both backends read the numbers from
their stack (unsent bytes, congestion window, bytes in flight, RTT samples, the
clock) and act on the answers; nothing here touches a socket or an event loop,
so every rule is unit-tested with plain numbers (tests/test_feed.py).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ACK_EVERY",
    "ACK_MAX",
    "LOW_MIN_WINDOW",
    "LOW_TARGET_DELAY",
    "LOW_YIELD_TIME",
    "LOW_YIELD_WINDOW",
    "MAX_FEED_ROUNDS",
    "MIN_ROOM",
    "AckPolicy",
    "FeedController",
    "RttSample",
]

MIN_ROOM = 1200  # bytes: one full-size QUIC packet
MAX_FEED_ROUNDS = 64  # feed-and-send rounds per transmit, at most
LOW_MIN_WINDOW = 4 * MIN_ROOM  # LOW traffic always keeps a few packets in flight
LOW_TARGET_DELAY = 0.0005  # s: queuing delay LOW traffic may add (at least)
# After data above LOW goes out, LOW keeps at most one packet in flight for a
# while: every LOW datagram sent before a CRITICAL one is processed first by
# the receiver (on loopback ~0.15 ms of Python per datagram), so an exchange
# above LOW waits behind LOW's whole window unless LOW steps aside.
LOW_YIELD_WINDOW = MIN_ROOM
LOW_YIELD_TIME = 0.02  # s (at least; 2 smoothed RTTs when longer)
ACK_EVERY = 4  # received packets per immediate ACK
ACK_MAX = 16  # the same while full-size datagrams dominate
FULL_SLACK = 100  # bytes a "full-size" datagram may lack (no room for another frame)


@dataclass(frozen=True)
class RttSample:
    """The RTT state the LOW window reacts to.

    ``count`` identifies the latest sample (it changes with each new one);
    ``latest`` and ``minimum`` exclude the peer's ACK delay; ``smoothed`` paces
    the reactions (once per round trip).
    """

    count: int
    latest: float
    minimum: float
    smoothed: float


class FeedController:
    """Feed budget, LOW window and feeding rounds of one connection.

    Parameters
    ----------
    unsent_window : int
        Bytes the QUIC stack may hold unsent at least (more when the congestion
        window has room): small enough that a CRITICAL message never waits
        behind much queued data inside the stack.

    Examples
    --------
    >>> ctl = FeedController(unsent_window=65536)
    >>> ctl.budget(unsent=0, cwnd=14720, in_flight=0)  # at least unsent_window
    65536
    >>> ctl.budget(unsent=4096, cwnd=1_000_000, in_flight=100_000)  # the window's room
    895904
    """

    def __init__(self, unsent_window: int) -> None:
        self.unsent_window = unsent_window
        #: bytes in flight below which LOW data may be sent
        self.low_cap = 10 * MIN_ROOM
        self._low_next = 0.0
        self._low_sample = 0  # no reaction before the first RTT sample
        self._low_limited = False
        self._left = self._room = 0  # the last low_allowance call's numbers
        self._yield_until = float("-inf")  # LOW yields until then (above_low_fed)
        self._yielding = False  # the last low_allowance call was capped by yielding

    def budget(self, *, unsent: int, cwnd: int, in_flight: int) -> int:
        """Bytes to hand over now: what the congestion window lets the stack send
        right away (at least ``unsent_window``), less what it holds unsent.

        Zero or less means the stack already holds enough; then only a stream of
        a level above everything it holds may add one quantum (see
        :meth:`levels_when_full`).
        """
        return max(self.unsent_window, cwnd - in_flight) - unsent

    @staticmethod
    def levels_when_full(levels_in_stack: list[int], all_levels: int) -> int:
        """With the budget used up: the level above which one quantum may still go.

        ``levels_in_stack`` are the priorities (0 highest) of streams whose data
        the stack holds unsent; ``all_levels`` when it holds none. A stream above
        every one of them can still overtake through the stack's round-robin.
        """
        return min(levels_in_stack, default=all_levels)

    def low_window(self, now: float, rtt: RttSample, cwnd: int) -> int:
        """Bytes in flight below which LOW data may be sent.

        Once per smoothed RTT and only for a fresh sample: when the latest RTT
        exceeds the minimum by more than the target queuing delay (or a quarter
        of the minimum), the window shrinks by a quarter, down to
        :data:`LOW_MIN_WINDOW`; when LOW filled the window and the delay is low,
        it grows by a quarter (at least a packet), up to ``cwnd``.
        """
        if rtt.count != self._low_sample and now >= self._low_next:
            self._low_next = now + max(rtt.smoothed, 0.001)
            self._low_sample = rtt.count
            if rtt.latest - rtt.minimum > max(LOW_TARGET_DELAY, rtt.minimum / 4):
                self.low_cap = max(LOW_MIN_WINDOW, self.low_cap * 3 // 4)
            elif self._low_limited:
                grown = self.low_cap + max(MIN_ROOM, self.low_cap // 4)
                self.low_cap = max(LOW_MIN_WINDOW, min(grown, cwnd))
            self._low_limited = False
        return self.low_cap

    def above_low_fed(self, now: float, smoothed_rtt: float) -> None:
        """Data of a level above LOW went to the stack at ``now``.

        For the next :data:`LOW_YIELD_TIME` (or two smoothed RTTs when longer)
        LOW keeps at most :data:`LOW_YIELD_WINDOW` bytes in flight and unsent,
        so the next message of that exchange (a reply, the next request) finds
        at most one LOW datagram ahead of it at the receiver.
        """
        self._yield_until = max(self._yield_until, now + max(LOW_YIELD_TIME, 2 * smoothed_rtt))

    def low_allowance(
        self, left: int, *, now: float, rtt: RttSample, cwnd: int, in_flight: int, unsent: int
    ) -> int:
        """Bytes LOW data may take of ``left`` (the budget the other levels left).

        Call only while LOW data is queued, then :meth:`low_taken` with what was
        taken. While LOW yields (:meth:`above_low_fed`) its window is at most
        :data:`LOW_YIELD_WINDOW`, and being held there does not count as
        window-limited (the delay window does not grow from it).
        """
        window = self.low_window(now, rtt, cwnd)
        self._yielding = now < self._yield_until and window > LOW_YIELD_WINDOW
        if self._yielding:
            window = LOW_YIELD_WINDOW
        room = window - in_flight - unsent
        self._left, self._room = left, room
        if left <= 0:
            return 0
        if room <= 0:
            if not self._yielding:
                self._low_limited = True  # LOW wanted to send but the window was full
            return 0
        return min(left, room)

    def low_taken(self, taken: int) -> None:
        """LOW took ``taken`` bytes of its allowance; window-limited if it filled the window."""
        if not self._yielding and 0 < self._room <= self._left and taken >= self._room:
            self._low_limited = True

    @staticmethod
    def another_round(*, sent: int, pending: bool, paced: bool, cwnd: int, in_flight: int) -> bool:
        """Whether to feed and send again in the same transmit.

        Only when the last round sent something, data still waits, the pacer
        did not stop the burst and the congestion window has room for a packet;
        otherwise the next ACK (or timer) brings the protocol back.
        """
        return sent > 0 and pending and not paced and cwnd - in_flight >= MIN_ROOM


class AckPolicy:
    """When received packets get an ACK at once instead of after the stack's timer.

    An immediate ACK every :data:`ACK_EVERY` ack-eliciting packets clocks out a
    sender whose window is a few packets (RFC 9000 section 13.2.2 suggests two);
    during a long run of full-size datagrams (bulk data from a large window) one
    every :data:`ACK_MAX` is enough, and each ACK costs both ends a packet's work.

    Examples
    --------
    >>> acks = AckPolicy()
    >>> [acks.received(1200, 1252, ack_pending=True) for _ in range(4)]
    [False, False, False, True]
    """

    def __init__(self) -> None:
        self.pending = 0  # ack-eliciting packets since the last ACK we sent
        self.full_run = 0  # score: +1 per full-size datagram, -ACK_MAX/2 per short one

    def ack_sent(self) -> None:
        """Our stack has no ACK pending: one went out since the last packet."""
        self.pending = 0

    def received(self, size: int, max_size: int, *, ack_pending: bool) -> bool:
        """A datagram of ``size`` bytes arrived; True when an ACK is due now.

        ``ack_pending``: the stack owes the peer an ACK after processing it.
        """
        if size + FULL_SLACK < max_size:
            # One short datagram in a bulk flow (a burst ended early) barely
            # counts; one every few packets (LOW windows) keeps the score low.
            self.full_run = max(0, self.full_run - ACK_MAX // 2)
        else:
            self.full_run = min(self.full_run + 1, 2 * ACK_MAX)
        if not ack_pending:
            return False
        self.pending += 1
        return self.pending >= (ACK_MAX if self.bulk else ACK_EVERY)

    @property
    def bulk(self) -> bool:
        """Whether full-size datagrams dominate (bulk data is arriving)."""
        return self.full_run >= ACK_MAX
