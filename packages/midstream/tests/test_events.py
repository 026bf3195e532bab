import json
from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from midstream import MidstreamError
from midstream.events import (
    Event,
    EventError,
    OrderGuard,
    OutOfOrderError,
    decode_event,
    encode_event,
    parse_timestamp,
)


def test_decode_minimal_and_full_events():
    e = decode_event(b'{"stream": "a", "t": 5}')
    assert e == Event("a", 5)
    e = decode_event(
        '{"v": 1, "stream": "a", "t": 7, "token": "hi", "value": 1.5, "event": "x", '
        '"fields": {"k": [1, 2]}}'
    )
    assert (e.token, e.value, e.event, e.fields) == ("hi", 1.5, "x", {"k": [1, 2]})
    assert decode_event({"stream": "a", "t": 7, "value": 2}) == Event("a", 7, value=2.0)
    assert decode_event(e) is e


@pytest.mark.parametrize(
    ("doc", "reason"),
    [
        ('{"stream": "a", "t": 1, "vaule": 2}', "unknown field `vaule`"),
        ('{"t": 1}', "missing required field `stream`"),
        ('{"stream": "a"}', "missing required field `t`"),
        ('{"stream": "a", "t": 1, "value": "x"}', "$.value"),
        ('{"stream": "", "t": 1}', "stream: must be a non-empty string"),
        ('{"stream": "a", "t": -1}', "t: must be >= 0"),
        ('{"stream": "a", "t": 1, "v": 2}', "unsupported schema version 2"),
        ('{"stream": "a", "t": "yesterday"}', "not an ISO-8601 timestamp"),
        ('{"stream": "a", "t": "2026-01-01T00:00:00"}', "needs a UTC offset"),
        ('{"stream": "a", "t": 1', "invalid JSON"),
        ("[1, 2]", "Expected `object`"),
    ],
)
def test_bad_events_name_the_reason(doc, reason):
    with pytest.raises(EventError, match=None) as info:
        decode_event(doc)
    assert reason in str(info.value)
    assert isinstance(info.value, MidstreamError) and isinstance(info.value, ValueError)


def test_non_finite_value_is_rejected():
    with pytest.raises(EventError, match="value: must be finite"):
        decode_event({"stream": "a", "t": 1, "value": float("nan")})


@given(
    st.datetimes(
        min_value=datetime(1970, 1, 2),
        max_value=datetime(2200, 1, 1),
        timezones=st.just(timezone.utc),
    ),
    st.integers(0, 999),
)
def test_iso_timestamps_match_datetime_to_the_nanosecond(stamp, extra_ns):
    text = stamp.strftime("%Y-%m-%dT%H:%M:%S") + f".{stamp.microsecond:06d}{extra_ns:03d}Z"
    whole = int(stamp.replace(microsecond=0).timestamp())  # exact: integer seconds
    assert parse_timestamp(text) == whole * 10**9 + stamp.microsecond * 1000 + extra_ns


def test_iso_offsets_and_short_fractions():
    assert parse_timestamp("1970-01-01T01:00:00.5+01:00") == 500_000_000
    assert parse_timestamp("1970-01-01T00:00:02Z") == 2 * 10**9
    with pytest.raises(EventError, match="more than 9 fractional digits"):
        parse_timestamp("1970-01-01T00:00:02.1234567891Z")


@given(
    st.builds(
        Event,
        st.text(min_size=1),
        st.integers(0, 2**62),
        st.none() | st.text(),
        st.none() | st.floats(allow_nan=False, allow_infinity=False),
    )
)
def test_encode_decode_round_trip(event):
    assert decode_event(encode_event(event)) == event
    assert json.loads(encode_event(event))["stream"] == event.stream


def test_error_policy_raises_on_backwards_time_but_allows_ties():
    g = OrderGuard("error")
    assert g.push(Event("a", 5)) and g.push(Event("a", 5)) and g.push(Event("b", 1))
    with pytest.raises(OutOfOrderError, match="stream 'a' went backwards"):
        g.push(Event("a", 4))


def test_drop_policy_counts_per_stream():
    g = OrderGuard("drop")
    out = [e.t for t in (1, 3, 2, 4, 0) for e in g.push(Event("a", t))]
    assert out == [1, 3, 4] and g.dropped == {"a": 2} and g.dropped_total == 2


@given(st.lists(st.integers(0, 1000), max_size=60), st.integers(0, 300), st.integers(1, 20))
def test_reorder_releases_sorted_and_accounts_for_every_event(times, window, max_held):
    g = OrderGuard("reorder", window_ns=window, max_held=max_held)
    released = [e.t for t in times for e in g.push(Event("s", t))]
    assert g.held + len(released) + g.dropped_total == len(times)
    released += [e.t for e in g.flush()]
    assert g.held == 0
    assert released == sorted(released)
    assert len(released) + g.dropped_total == len(times)
    # Reference: an event is dropped only if it is older than one already released.
    if max_held >= len(times) and window >= max(times, default=0):
        assert sorted(released) == sorted(times)  # the window held everything


def test_reorder_within_window_restores_order():
    g = OrderGuard("reorder", window_ns=10, max_held=100)
    out = [e.t for t in (5, 3, 8, 1, 30, 25, 50, 10) for e in g.push(Event("s", t))]
    out += [e.t for e in g.flush()]
    # 25 is within the window of 30; 10 arrives after 30 was released: dropped.
    assert out == [1, 3, 5, 8, 25, 30, 50] and g.dropped == {"s": 1}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"policy": "sometimes"}, "policy: expected one of error, drop, reorder"),
        ({"window_ns": -1}, "window_ns: must be >= 0"),
        ({"max_held": 0}, "max_held: must be >= 1"),
    ],
)
def test_order_guard_rejects_bad_arguments(kwargs, message):
    with pytest.raises(MidstreamError, match=message):
        OrderGuard(**kwargs)
