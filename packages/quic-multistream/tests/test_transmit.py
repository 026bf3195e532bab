"""The shared transmit loop and receive-side decisions (_transmit.py), without sockets.

A fake stack stands in for aioquic/qh3 and the socket: it records what the loop
did, so each rule of the loop both backends run is checked with plain numbers.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from quic_multistream._counters import Counters
from quic_multistream._feed import MAX_FEED_ROUNDS, MIN_ROOM
from quic_multistream._transmit import (
    AfterDatagram,
    after_datagram,
    same_address_run,
    timer_change,
    transmit_rounds,
)

ADDR = ("127.0.0.1", 4433)


class LinkModel:
    """A stack over a link: ``queued`` bytes wait in our queue; the stack sends
    1200-byte packets while the congestion window has room; ``acked`` bytes
    leave the window after each round (an ACK arriving between rounds)."""

    def __init__(
        self,
        *,
        queued: int,
        cwnd: int,
        in_flight: int = 0,
        ack_owed: bool = False,
        pace_after: int | None = None,
        feed_limit: int = 1 << 30,
    ) -> None:
        self.queued = queued
        self.in_stack = 0
        self.cwnd = cwnd
        self.in_flight = in_flight
        self.ack_owed = ack_owed
        self.ack_forced_at: float | None = None
        self.pace_after = pace_after  # packets per round the pacer lets out
        self.feed_limit = feed_limit
        self.was_paced = False
        self.log: list[str] = []
        self.sent: list[bytes] = []

    def feed(self) -> int:
        n = min(self.queued, self.feed_limit)
        self.queued -= n
        self.in_stack += n
        self.log.append(f"feed {n}")
        return n

    def has_queued(self) -> bool:
        return self.queued > 0

    def ack_due(self) -> bool:
        return self.ack_owed

    def ack_now(self, now: float) -> None:
        self.ack_forced_at = now
        self.log.append("ack")

    def datagrams(self, now: float) -> list[tuple[bytes, Any]]:
        out = []
        self.was_paced = False
        while self.in_stack and self.cwnd - self.in_flight >= MIN_ROOM:
            if self.pace_after is not None and len(out) == self.pace_after:
                self.was_paced = True
                break
            n = min(MIN_ROOM, self.in_stack)
            self.in_stack -= n
            self.in_flight += MIN_ROOM
            out.append((b"p" * n, ADDR))
        if self.ack_forced_at is not None and not out:
            out.append((b"a" * 40, ADDR))  # an ACK-only packet
        self.ack_owed = False
        self.ack_forced_at = None
        return out

    def send(self, datagrams: Any) -> int:
        self.log.append(f"send {len(datagrams)}")
        self.sent.extend(d for d, _ in datagrams)
        return sum(len(d) for d, _ in datagrams)

    def paced(self) -> bool:
        return self.was_paced

    def window(self) -> tuple[int, int]:
        return self.cwnd, self.in_flight


def test_without_a_connection_one_round_sends_what_the_stack_has_and_feeds_nothing():
    stack = LinkModel(queued=10_000, cwnd=100_000)
    stack.in_stack = 2400
    counters = Counters()
    assert transmit_rounds(stack, 1.0, counters, feed=False) == 1
    assert stack.log == ["send 2"]
    assert stack.queued == 10_000
    assert (counters.packets_sent, counters.bytes_sent) == (2, 2400)


def test_an_owed_ack_rides_along_only_when_data_was_fed():
    fed = LinkModel(queued=500, cwnd=100_000, ack_owed=True)
    transmit_rounds(fed, 2.5, Counters(), feed=True)
    assert fed.log[:2] == ["feed 500", "ack"]
    assert fed.sent == [b"p" * 500]  # the ACK went in the data packet, not alone

    idle = LinkModel(queued=0, cwnd=100_000, ack_owed=True)
    transmit_rounds(idle, 2.5, Counters(), feed=True)
    assert "ack" not in idle.log  # the stack's own ACK timer decides
    assert idle.sent == []


def test_rounds_stop_when_the_window_is_full():
    # 20 packets of room; 100 packets queued; the feed hands over 4 packets a round.
    stack = LinkModel(queued=100 * MIN_ROOM, cwnd=20 * MIN_ROOM, feed_limit=4 * MIN_ROOM)
    rounds = transmit_rounds(stack, 0.0, Counters(), feed=True)
    assert rounds == 5
    assert stack.in_flight == 20 * MIN_ROOM
    assert stack.cwnd - stack.in_flight < MIN_ROOM


def test_rounds_stop_when_nothing_is_queued_or_nothing_was_sent():
    drained = LinkModel(queued=3 * MIN_ROOM, cwnd=100 * MIN_ROOM, feed_limit=MIN_ROOM)
    assert transmit_rounds(drained, 0.0, Counters(), feed=True) == 3
    assert drained.queued == 0 and len(drained.sent) == 3

    blocked = LinkModel(queued=5 * MIN_ROOM, cwnd=100 * MIN_ROOM, feed_limit=0)
    assert transmit_rounds(blocked, 0.0, Counters(), feed=True) == 1  # fed 0, sent 0


def test_the_pacer_ends_the_burst():
    stack = LinkModel(queued=50 * MIN_ROOM, cwnd=100 * MIN_ROOM, pace_after=3)
    assert transmit_rounds(stack, 0.0, Counters(), feed=True) == 1
    assert len(stack.sent) == 3


def test_rounds_are_capped():
    stack = LinkModel(queued=10 * MAX_FEED_ROUNDS * MIN_ROOM, cwnd=1 << 40, feed_limit=MIN_ROOM)
    assert transmit_rounds(stack, 0.0, Counters(), feed=True) == MAX_FEED_ROUNDS
    assert len(stack.sent) == MAX_FEED_ROUNDS


@given(
    queued=st.integers(0, 200 * MIN_ROOM),
    cwnd=st.integers(0, 120 * MIN_ROOM),
    feed_limit=st.integers(1, 40 * MIN_ROOM),
)
def test_the_loop_sends_what_window_and_queue_allow_and_counts_it(queued, cwnd, feed_limit):
    stack = LinkModel(queued=queued, cwnd=cwnd, feed_limit=feed_limit)
    counters = Counters()
    rounds = transmit_rounds(stack, 0.0, counters, feed=True)
    packets = len(stack.sent)
    assert counters.packets_sent == packets
    assert counters.bytes_sent == sum(map(len, stack.sent))
    assert packets * MIN_ROOM <= cwnd  # never past the window
    # Stopped early only with nothing left to feed or no room for a packet.
    if rounds < MAX_FEED_ROUNDS:
        assert stack.queued == 0 or cwnd - stack.in_flight < MIN_ROOM


@pytest.mark.parametrize(
    ("armed", "armed_at", "wanted", "expect"),
    [
        (False, None, None, (False, False)),
        (False, None, 5.0, (False, True)),
        (True, 5.0, 5.0, (False, False)),  # same deadline: keep it
        (True, 5.0, 6.0, (True, True)),  # moved: cancel and re-arm
        (True, 5.0, None, (True, False)),  # no deadline any more
        (False, 5.0, 5.0, (False, True)),  # fired meanwhile: arm again
    ],
)
def test_timer_change(armed, armed_at, wanted, expect):
    assert timer_change(armed, armed_at, wanted) == expect


@given(st.booleans(), st.none() | st.floats(0, 10), st.none() | st.floats(0, 10))
def test_timer_change_leaves_exactly_one_timer_at_the_wanted_deadline(armed, armed_at, wanted):
    assume(not armed or armed_at is not None)  # an armed timer has a deadline
    cancel, arm = timer_change(armed, armed_at, wanted)
    assert not (cancel and not armed)
    live = (armed and not cancel) or arm
    assert live == (wanted is not None)
    if armed and not cancel:
        assert armed_at == wanted and not arm


def test_same_address_run():
    assert not same_address_run([])
    assert not same_address_run([(b"x", ADDR)])
    assert same_address_run([(b"x", ADDR), (b"y", ADDR)])
    assert not same_address_run([(b"x", ADDR), (b"y", ("127.0.0.1", 1))])


def _after(**kw):
    args = dict(
        new_stream_handed=False,
        transmit_queued=False,
        bulk=False,
        ack_queued=False,
        ack_at=None,
        now=1.0,
        has_queued=False,
        attached=True,
        space_ready=True,
    )
    args.update(kw)
    return after_datagram(**args)


def test_after_datagram_usual_case_transmits_soon():
    assert _after() is AfterDatagram.TRANSMIT_SOON


def test_after_datagram_new_stream_for_a_waiting_accept_waits_an_iteration():
    assert _after(new_stream_handed=True) is AfterDatagram.TRANSMIT_AFTER_NEXT
    assert _after(new_stream_handed=True, transmit_queued=True) is AfterDatagram.NOTHING


def test_after_datagram_bulk_receive_with_nothing_to_say_only_rearms_the_timer():
    assert _after(bulk=True) is AfterDatagram.TIMER_ONLY
    assert _after(bulk=True, ack_at=1.001) is AfterDatagram.TIMER_ONLY  # ACK not yet due


@pytest.mark.parametrize(
    "change",
    [
        {"ack_at": 1.0},  # ACK due now
        {"ack_at": 0.5},
        {"has_queued": True},  # our data waits
        {"ack_queued": True},  # an immediate ACK is scheduled: its transmit follows
        {"transmit_queued": True},
        {"attached": False},
        {"space_ready": False},
    ],
)
def test_after_datagram_bulk_receive_transmits_when_something_is_owed(change):
    assert _after(bulk=True, **change) is AfterDatagram.TRANSMIT_SOON
