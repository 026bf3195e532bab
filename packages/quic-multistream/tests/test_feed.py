"""The sans-I/O send core (_feed.py): feed budget, LOW window, rounds, ACK policy.

Plain numbers, no sockets; the last test drives the LOW window against an exact
model of a bottleneck queue.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quic_multistream._feed import (
    ACK_EVERY,
    ACK_MAX,
    LOW_MIN_WINDOW,
    LOW_TARGET_DELAY,
    MIN_ROOM,
    AckPolicy,
    FeedController,
    RttSample,
)


@given(
    st.integers(1, 1 << 20),
    st.integers(0, 1 << 22),
    st.integers(0, 1 << 24),
    st.integers(0, 1 << 24),
)
def test_budget_is_the_larger_of_unsent_window_and_window_room_less_unsent(
    window, unsent, cwnd, in_flight
):
    ctl = FeedController(unsent_window=window)
    expect = max(window, cwnd - in_flight) - unsent
    assert ctl.budget(unsent=unsent, cwnd=cwnd, in_flight=in_flight) == expect


def test_full_window_lets_only_levels_above_what_the_stack_holds():
    assert FeedController.levels_when_full([3, 2, 2], 4) == 2
    assert FeedController.levels_when_full([], 4) == 4  # nothing held: any level


@pytest.mark.parametrize(
    ("sent", "pending", "paced", "room", "again"),
    [
        (1, True, False, MIN_ROOM, True),
        (0, True, False, 10 * MIN_ROOM, False),  # the last round sent nothing
        (3, False, False, 10 * MIN_ROOM, False),  # nothing queued
        (3, True, True, 10 * MIN_ROOM, False),  # the pacer stopped the burst
        (3, True, False, MIN_ROOM - 1, False),  # no room for a packet
    ],
)
def test_another_round(sent, pending, paced, room, again):
    assert (
        FeedController.another_round(
            sent=sent, pending=pending, paced=paced, cwnd=100_000, in_flight=100_000 - room
        )
        is again
    )


def sample(count, latest, minimum=0.001, smoothed=0.002):
    return RttSample(count, latest, minimum, smoothed)


def test_low_window_shrinks_on_queueing_delay_down_to_the_floor():
    ctl = FeedController(65536)
    start = ctl.low_cap
    now = 0.0
    caps = []
    for i in range(1, 30):
        now += 0.01
        caps.append(ctl.low_window(now, sample(i, latest=0.003), cwnd=10**6))
    assert caps[0] == start * 3 // 4
    assert caps == sorted(caps, reverse=True)
    assert caps[-1] == LOW_MIN_WINDOW


def test_low_window_grows_only_when_limited_and_up_to_cwnd():
    ctl = FeedController(65536)
    now, cap = 0.0, ctl.low_cap
    for i in range(1, 5):  # not window-limited: stays
        now += 0.01
        assert ctl.low_window(now, sample(i, latest=0.001), cwnd=10**6) == cap
    grown = []
    for i in range(5, 60):
        now += 0.01
        ctl.low_allowance(
            10**6, now=now, rtt=sample(i - 1, 0.001), cwnd=50_000, in_flight=0, unsent=0
        )
        ctl.low_taken(10**6)  # LOW filled the window: limited
        grown.append(ctl.low_window(now + 0.005, sample(i, latest=0.001), cwnd=50_000))
    assert grown[0] > cap
    assert max(grown) == 50_000 and grown[-1] == 50_000


def test_low_window_reacts_once_per_rtt_and_only_to_fresh_samples():
    ctl = FeedController(65536)
    cap = ctl.low_cap
    first = ctl.low_window(1.0, sample(1, latest=0.01, smoothed=0.1), cwnd=10**6)
    assert first == cap * 3 // 4
    # same sample later, or a new one within the smoothed RTT: no second reaction
    assert ctl.low_window(2.0, sample(1, latest=0.01, smoothed=0.1), cwnd=10**6) == first
    assert ctl.low_window(1.05, sample(2, latest=0.01, smoothed=0.1), cwnd=10**6) == first
    assert ctl.low_window(1.2, sample(3, latest=0.01, smoothed=0.1), cwnd=10**6) < first
    # no sample yet: no reaction at all
    fresh = FeedController(65536)
    assert fresh.low_window(5.0, sample(0, latest=0.0, minimum=float("inf")), 10**6) == cap


def test_low_allowance():
    ctl = FeedController(65536)
    rtt = sample(0, 0.0, float("inf"))
    cap = ctl.low_cap
    assert ctl.low_allowance(0, now=0.0, rtt=rtt, cwnd=10**6, in_flight=0, unsent=0) == 0
    assert ctl.low_allowance(500, now=0.0, rtt=rtt, cwnd=10**6, in_flight=0, unsent=0) == 500
    got = ctl.low_allowance(10**6, now=0.0, rtt=rtt, cwnd=10**6, in_flight=1000, unsent=200)
    assert got == cap - 1200
    assert ctl.low_allowance(10**6, now=0.0, rtt=rtt, cwnd=10**6, in_flight=cap, unsent=0) == 0


@pytest.mark.parametrize("rate_mbps", [10, 100, 1000])
@pytest.mark.parametrize("base_rtt", [0.0002, 0.002, 0.02])
def test_saturating_low_traffic_keeps_the_bottleneck_queue_short(rate_mbps, base_rtt):
    """A LOW sender that always has data, against an exact bottleneck model.

    The bottleneck drains ``rate`` bytes/s; what is in flight beyond the
    bandwidth-delay product waits in its queue, adding (in_flight - bdp) / rate
    of delay. The window must settle where the queueing delay stays near the
    target (what a CRITICAL message sent now would wait behind), or at the floor.
    """
    rate = rate_mbps * 125_000
    bdp = rate * base_rtt
    target = max(LOW_TARGET_DELAY, base_rtt / 4)
    ctl = FeedController(65536)
    now, delays, windows = 0.0, [], []
    for i in range(1, 400):
        in_flight = ctl.low_cap
        queue = max(0.0, (in_flight - bdp) / rate)
        rtt = base_rtt + queue
        now += rtt
        seen = sample(i, rtt, base_rtt, rtt)
        ctl.low_allowance(10**9, now=now, rtt=seen, cwnd=10**8, in_flight=0, unsent=0)
        ctl.low_taken(10**9)  # always more LOW data than the window
        ctl.low_window(now, seen, cwnd=10**8)
        delays.append(queue)
        windows.append(in_flight)
    settled, used = delays[200:], windows[200:]
    floor_delay = max(0.0, (LOW_MIN_WINDOW - bdp) / rate)
    # The window grows by a quarter past the point where the delay exceeds the
    # target, then shrinks: the queue stays within 1.25 x (target + BDP) - BDP.
    bound = 1.25 * target + 0.25 * base_rtt + MIN_ROOM / rate
    assert max(settled) <= max(floor_delay, bound)
    # and LOW still uses the link: at least 95 % of the bandwidth-delay product
    assert sum(min(w, bdp) for w in used) / len(used) >= 0.95 * bdp


def test_ack_every_few_packets_and_every_sixteen_during_bulk():
    acks = AckPolicy()
    due = [acks.received(300, 1252, ack_pending=True) for _ in range(2 * ACK_EVERY)]
    assert due.index(True) == ACK_EVERY - 1
    acks = AckPolicy()
    for _ in range(ACK_MAX):  # a run of full-size datagrams
        acks.received(1252, 1252, ack_pending=False)
    assert acks.bulk
    due = [acks.received(1252, 1252, ack_pending=True) for _ in range(ACK_MAX)]
    assert due.index(True) == ACK_MAX - 1
    # a short datagram now and then ends bulk mode quickly
    for _ in range(3):
        acks.received(200, 1252, ack_pending=False)
    assert not acks.bulk


def test_ack_sent_restarts_the_count_and_no_ack_is_due_when_none_is_owed():
    acks = AckPolicy()
    for _ in range(ACK_EVERY - 1):
        assert not acks.received(300, 1252, ack_pending=True)
    acks.ack_sent()
    assert not acks.received(300, 1252, ack_pending=True)
    assert not any(acks.received(300, 1252, ack_pending=False) for _ in range(20))
