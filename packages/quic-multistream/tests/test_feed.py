"""The sans-I/O send core (_feed.py): feed budget, LOW window, rounds, ACK policy.

Plain numbers, no sockets; the last test drives the LOW window against an exact
model of a bottleneck queue.
"""

import heapq
from collections import deque

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quic_multistream._feed import (
    ACK_EVERY,
    ACK_MAX,
    LOW_MIN_WINDOW,
    LOW_TARGET_DELAY,
    LOW_YIELD_TIME,
    LOW_YIELD_WINDOW,
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


def test_low_yields_to_data_above_it_for_a_while():
    ctl = FeedController(65536)
    rtt = sample(1, latest=0.001)
    cap = ctl.low_cap
    assert cap > LOW_YIELD_WINDOW
    args = {"rtt": rtt, "cwnd": 10**6, "unsent": 0}
    assert ctl.low_allowance(10**6, now=1.0, in_flight=0, **args) == cap
    ctl.above_low_fed(1.0, smoothed_rtt=0.0005)
    assert ctl.low_allowance(10**6, now=1.0, in_flight=0, **args) == LOW_YIELD_WINDOW
    assert ctl.low_allowance(10**6, now=1.0, in_flight=LOW_YIELD_WINDOW, **args) == 0
    just_before = 1.0 + LOW_YIELD_TIME * 0.999
    assert ctl.low_allowance(10**6, now=just_before, in_flight=200, **args) == (
        LOW_YIELD_WINDOW - 200
    )
    # over: the delay window again
    assert ctl.low_allowance(10**6, now=1.0 + LOW_YIELD_TIME, in_flight=0, **args) == cap
    # a long RTT stretches the yield to two smoothed RTTs
    ctl.above_low_fed(5.0, smoothed_rtt=LOW_YIELD_TIME)
    later = 5.0 + 1.5 * LOW_YIELD_TIME
    assert ctl.low_allowance(10**6, now=later, in_flight=0, **args) == LOW_YIELD_WINDOW
    assert ctl.low_allowance(10**6, now=5.0 + 2 * LOW_YIELD_TIME, in_flight=0, **args) == cap


@given(
    st.lists(
        st.tuples(
            st.floats(0, 0.05),  # time step
            st.booleans(),  # data above LOW fed at this step
            st.integers(0, 40_000),  # bytes in flight
            st.integers(0, 40_000),  # bytes unsent in the stack
            st.integers(0, 10**6),  # budget left by the other levels
        ),
        min_size=1,
        max_size=60,
    ),
    st.floats(0.0001, 0.03),
)
def test_while_yielding_low_never_exceeds_one_packet_in_flight_and_unsent(steps, srtt):
    ctl = FeedController(65536)
    now, until = 0.0, float("-inf")
    for i, (step, above, in_flight, unsent, left) in enumerate(steps):
        now += step
        if above:
            ctl.above_low_fed(now, srtt)
            until = max(until, now + max(LOW_YIELD_TIME, 2 * srtt))
        rtt = RttSample(i, 0.001, 0.001, srtt)
        got = ctl.low_allowance(
            left, now=now, rtt=rtt, cwnd=10**6, in_flight=in_flight, unsent=unsent
        )
        ctl.low_taken(got)
        assert 0 <= got <= max(0, left)
        if now < until:
            assert got <= max(0, LOW_YIELD_WINDOW - in_flight - unsent)
        else:  # the delay window, as without yielding
            assert got == max(0, min(left, ctl.low_cap - in_flight - unsent))


def test_being_held_by_a_yield_does_not_grow_the_low_window():
    ctl = FeedController(65536)
    cap = ctl.low_cap
    now = 0.0
    for i in range(1, 50):  # low delay, LOW fills what it may: limited only by the yield
        now += 0.002
        ctl.above_low_fed(now, smoothed_rtt=0.002)
        got = ctl.low_allowance(
            10**6, now=now, rtt=sample(i, latest=0.001), cwnd=10**6, in_flight=0, unsent=0
        )
        ctl.low_taken(got)
        ctl.low_allowance(
            10**6, now=now, rtt=sample(i, latest=0.001), cwnd=10**6, in_flight=got, unsent=0
        )
    assert ctl.low_cap == cap


def _exchange_behind_low(yields: bool, service: float = 0.00015, exchanges: int = 40):
    """Exact event simulation: a receiver that handles datagrams one at a time.

    The receiver spends ``service`` seconds per datagram in arrival order (the
    Python cost that dominates on loopback; the wire takes no time) and
    acknowledges each at once. LOW always has data and sends 1200-byte
    datagrams whenever its allowance lets it. After a warm-up, a CRITICAL
    request is sent; each reply arrives ``service`` after the request was
    handled, and the next request leaves at once. Returns, per request, the
    LOW datagrams waiting ahead of it, and the LOW datagrams sent during the
    exchanges and in as long a time once the yield after them is over.
    """
    ctl = FeedController(65536)
    queue: deque[tuple[str, float]] = deque()  # ("low"|"crit", sent at), head in service
    events: list[tuple[float, int, str]] = []  # (time, tie-break, "done"|"crit")
    seq = 0
    stats = {"count": 0, "latest": 0.0, "min": float("inf"), "smoothed": 0.0}
    ahead: list[int] = []
    sent_at: list[float] = []

    def push(t: float, what: str) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(events, (t, seq, what))

    def enqueue(kind: str, now: float) -> None:
        if not queue:
            push(now + service, "done")
        queue.append((kind, now))

    def fill(now: float) -> None:
        while True:
            rtt = RttSample(stats["count"], stats["latest"], stats["min"], stats["smoothed"])
            in_flight = MIN_ROOM * sum(1 for kind, _ in queue if kind == "low")
            room = ctl.low_allowance(
                10**9, now=now, rtt=rtt, cwnd=10**8, in_flight=in_flight, unsent=0
            )
            if room <= 0:
                return
            ctl.low_taken(min(room, MIN_ROOM))
            enqueue("low", now)
            sent_at.append(now)

    warm_up = 2000 * service
    push(warm_up, "crit")
    fill(0.0)
    done = 0
    end = stop = None
    while events:
        now, _, what = heapq.heappop(events)
        if stop is not None and now >= stop:
            break
        if what == "crit":
            ahead.append(sum(1 for kind, _ in queue if kind == "low"))
            if yields:  # what Connection._feed does when it feeds data above LOW
                ctl.above_low_fed(now, stats["smoothed"])
            enqueue("crit", now)
        else:
            kind, t0 = queue.popleft()
            if queue:
                push(now + service, "done")
            if kind == "low":
                latest = now - t0
                stats["count"] += 1
                stats["latest"], stats["min"] = latest, min(stats["min"], latest)
                old = stats["smoothed"]
                stats["smoothed"] = old * 7 / 8 + latest / 8 if old else latest
            else:
                done += 1
                if done < exchanges:
                    push(now + service, "crit")
                elif end is None:
                    end = now
                    stop = end + LOW_YIELD_TIME + (end - warm_up)
        fill(now)
    during = sum(1 for t in sent_at if warm_up <= t < end)
    after = sum(1 for t in sent_at if end + LOW_YIELD_TIME <= t < stop)
    return ahead, during, after


@pytest.mark.parametrize("service", [0.00005, 0.00015, 0.0005])
def test_an_exchange_above_low_waits_behind_at_most_one_low_datagram(service):
    ahead, during, after = _exchange_behind_low(yields=True, service=service)
    # the first request meets LOW's delay window; every later one at most one datagram
    assert max(ahead[1:]) <= LOW_YIELD_WINDOW // MIN_ROOM
    assert during > 0  # LOW keeps moving during the exchange
    # once the yield is over LOW takes its delay window again
    assert after > during
    # without yielding (the policy before) the same model queues several ahead
    old_ahead, _, _ = _exchange_behind_low(yields=False, service=service)
    assert min(old_ahead[1:]) >= 3


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
