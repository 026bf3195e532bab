from collections import deque

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quic_multistream import ConfigurationError, SendScheduler, StreamPriority


def reference_order(streams, quantum, budget):
    """Obviously-correct model: strict levels, round-robin by quantum within a level.

    ``streams`` is a list of (stream_id, priority, data) in registration order with
    all data queued up front; returns the (stream_id, bytes) pieces in send order.
    """
    out = []
    for level in sorted({p for _, p, _ in streams}):
        ring = deque([sid, data] for sid, p, data in streams if p == level and data)
        while ring and budget > 0:
            item = ring.popleft()
            take = min(quantum, budget, len(item[1]))
            out.append((item[0], item[1][:take]))
            budget -= take
            item[1] = item[1][take:]
            if item[1]:
                ring.append(item)
        if budget <= 0:
            break
    return out


stream_specs = st.lists(
    st.tuples(st.sampled_from(list(StreamPriority)), st.binary(min_size=1, max_size=200)),
    min_size=1,
    max_size=8,
)


@settings(max_examples=80, deadline=None)
@given(specs=stream_specs, quantum=st.integers(1, 64), budget=st.integers(1, 2000))
def test_matches_reference_model(specs, quantum, budget):
    s = SendScheduler(quantum=quantum)
    streams = []
    for i, (prio, data) in enumerate(specs):
        sid = 4 * i
        s.add_stream(sid, prio)
        s.push(sid, data)
        streams.append((sid, prio, data))
    got = [(c.stream_id, c.data) for c in s.pop(budget)]
    assert got == reference_order(streams, quantum, budget)
    assert s.total_queued == sum(len(d) for _, _, d in streams) - sum(len(d) for _, d in got)


@settings(max_examples=80, deadline=None)
@given(
    specs=stream_specs,
    quantum=st.integers(1, 64),
    budget=st.integers(1, 2000),
    levels=st.sets(st.sampled_from(list(StreamPriority))),
)
def test_levels_restrict_pop_to_those_levels(specs, quantum, budget, levels):
    s = SendScheduler(quantum=quantum)
    streams = []
    for i, (prio, data) in enumerate(specs):
        s.add_stream(4 * i, prio)
        s.push(4 * i, data)
        streams.append((4 * i, prio, data))
    got = [(c.stream_id, c.data) for c in s.pop(budget, levels=levels)]
    chosen = [spec for spec in streams if spec[1] in levels]
    assert got == reference_order(chosen, quantum, budget)
    # the other levels kept all their data
    for sid, prio, data in streams:
        if prio not in levels:
            assert s.queued(sid) == len(data)


def test_levels_must_be_priorities():
    s = SendScheduler()
    with pytest.raises(ConfigurationError, match="priority"):
        s.pop(10, levels=["high"])


@settings(max_examples=60, deadline=None)
@given(specs=stream_specs, budgets=st.lists(st.integers(1, 300), min_size=1, max_size=30))
def test_every_byte_delivered_once_in_stream_order(specs, budgets):
    s = SendScheduler(quantum=50, incremental=False)
    for i, (prio, data) in enumerate(specs):
        s.add_stream(i, prio)
        s.push(i, data, end_stream=True)
    received = {i: b"" for i in range(len(specs))}
    fins = set()
    rounds = sum(len(d) for _, d in specs) + len(specs) + 1  # each pop moves >= 1 byte or FIN
    for b in (budgets * rounds)[:rounds]:
        for c in s.pop(b):
            assert c.stream_id not in fins
            received[c.stream_id] += c.data
            if c.end_stream:
                fins.add(c.stream_id)
        if not s.has_pending():
            break
    assert not s.has_pending()
    assert received == {i: data for i, (_, data) in enumerate(specs)}
    assert fins == set(range(len(specs)))


def test_strict_priority_when_critical_arrives_late():
    s = SendScheduler(quantum=1000)
    s.add_stream(0, StreamPriority.LOW)
    s.push(0, b"L" * 10_000)
    first = s.pop(1000)
    assert [c.stream_id for c in first] == [0]
    s.add_stream(4, StreamPriority.CRITICAL)
    s.push(4, b"C" * 10)
    nxt = s.pop(1000)
    assert nxt[0].stream_id == 4 and nxt[0].data == b"C" * 10


def test_non_incremental_drains_one_stream_at_a_time():
    s = SendScheduler(quantum=2, incremental=False)
    for sid in (0, 4):
        s.add_stream(sid, StreamPriority.NORMAL)
        s.push(sid, b"abcdef")
    assert [(c.stream_id, c.data) for c in s.pop(100)] == [(0, b"abcdef"), (4, b"abcdef")]


def test_allowance_caps_a_stream_without_blocking_others():
    s = SendScheduler(quantum=4)
    s.add_stream(0, StreamPriority.CRITICAL)
    s.add_stream(4, StreamPriority.LOW)
    s.push(0, b"x" * 20)
    s.push(4, b"y" * 8)
    out = s.pop(100, allowance=lambda sid: 6 if sid == 0 else 100)
    assert sum(len(c.data) for c in out if c.stream_id == 0) == 6
    assert b"".join(c.data for c in out if c.stream_id == 4) == b"y" * 8
    assert s.queued(0) == 14


def test_set_priority_moves_queued_data_and_remove_drops_it():
    s = SendScheduler(quantum=100)
    s.add_stream(0, StreamPriority.LOW)
    s.add_stream(4, StreamPriority.NORMAL)
    s.push(0, b"low")
    s.push(4, b"normal")
    s.set_priority(0, StreamPriority.CRITICAL)
    assert [c.stream_id for c in s.pop(100)] == [0, 4]
    s.push(4, b"more")
    assert s.remove_stream(4) == 4
    assert not s.has_pending() and s.total_queued == 0


def test_fin_without_data_is_free_and_ends_stream():
    s = SendScheduler()
    s.add_stream(8)
    s.push(8, b"", end_stream=True)
    (c,) = s.pop(0)
    assert c.end_stream and c.data == b""
    assert 8 not in s


def test_bad_input():
    s = SendScheduler()
    with pytest.raises(ConfigurationError, match="quantum"):
        SendScheduler(quantum=0)
    with pytest.raises(ConfigurationError, match="priority"):
        s.add_stream(0, 7)  # type: ignore[arg-type]
    s.add_stream(0)
    with pytest.raises(ConfigurationError, match="already registered"):
        s.add_stream(0)
    with pytest.raises(ConfigurationError, match="not registered"):
        s.push(99, b"x")
    s.push(0, b"", end_stream=True)
    with pytest.raises(ConfigurationError, match="finished"):
        s.push(0, b"x")


def test_has_pending_at_tracks_each_level():
    s = SendScheduler(quantum=4)
    s.add_stream(0, StreamPriority.LOW)
    s.add_stream(4, StreamPriority.CRITICAL)
    assert not any(s.has_pending_at(p) for p in StreamPriority)
    s.push(0, b"bulk")
    assert s.has_pending_at(StreamPriority.LOW)
    assert not s.has_pending_at(StreamPriority.CRITICAL)
    s.set_priority(0, StreamPriority.HIGH)
    assert s.has_pending_at(StreamPriority.HIGH) and not s.has_pending_at(StreamPriority.LOW)
    s.pop(budget=100)
    assert not s.has_pending_at(StreamPriority.HIGH)
    with pytest.raises(ConfigurationError):
        s.has_pending_at(9)
