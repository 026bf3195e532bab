import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quic_multistream import ConfigurationError, MessageDecoder, MessageTooLarge, encode_message
from quic_multistream.errors import QuicError


def reference_encode(msg: bytes) -> bytes:
    # Independent spelling of the wire format: struct-free, digit by digit.
    n = len(msg)
    return bytes([(n >> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255]) + msg


@settings(max_examples=60, deadline=None)
@given(
    msgs=st.lists(st.binary(max_size=300), max_size=12),
    cuts=st.lists(st.integers(min_value=0, max_value=5000), max_size=20),
)
def test_roundtrip_any_split(msgs, cuts):
    wire = b"".join(encode_message(m, 1000) for m in msgs)
    assert wire == b"".join(reference_encode(m) for m in msgs)
    points = sorted({c % (len(wire) + 1) for c in cuts} | {0, len(wire)})
    dec = MessageDecoder(1000)
    out = []
    for a, b in itertools.pairwise(points):
        out.extend(dec.feed(wire[a:b]))
    assert out == msgs
    dec.check_eof()
    assert dec.buffered == 0


def test_too_large_rejected_from_header_alone():
    dec = MessageDecoder(10)
    with pytest.raises(MessageTooLarge) as info:
        dec.feed(reference_encode(b"x" * 11)[:4])  # the header is enough
    assert info.value.size == 11 and info.value.limit == 10
    with pytest.raises(MessageTooLarge):
        encode_message(b"x" * 11, 10)
    assert isinstance(info.value, ValueError)


def test_limit_is_inclusive_and_empty_message():
    assert MessageDecoder(3).feed(reference_encode(b"abc") + reference_encode(b"")) == [b"abc", b""]


def test_truncated_stream_detected():
    dec = MessageDecoder(100)
    dec.feed(reference_encode(b"hello")[:6])
    with pytest.raises(QuicError, match="inside a message"):
        dec.check_eof()


@pytest.mark.parametrize("bad", [-1, 2**32, 1.5, "10", True, None])
def test_bad_max_message_size(bad):
    with pytest.raises(ConfigurationError, match="max_message_size"):
        MessageDecoder(bad)


def test_bad_payload_type():
    with pytest.raises(ConfigurationError, match="payload"):
        encode_message("text", 100)  # type: ignore[arg-type]
