"""CONNECT-stream capsule reading, sans-I/O, against a whole-buffer reference parser."""

import itertools

from hypothesis import given
from hypothesis import strategies as st

from quic_multistream._capsules import (
    CLOSE_CAPSULE,
    MAX_REASON,
    CapsuleReader,
    CloseCapsule,
    MalformedCapsule,
    encode_close_capsule,
)


def varint(n: int) -> bytes:
    """RFC 9000 section 16, written out independently of aioquic."""
    if n < 1 << 6:
        return bytes([n])
    if n < 1 << 14:
        return (n | 0x4000).to_bytes(2, "big")
    if n < 1 << 30:
        return (n | 0x8000_0000).to_bytes(4, "big")
    return (n | 0xC000_0000_0000_0000).to_bytes(8, "big")


def read_varint(data: bytes, pos: int):
    if pos >= len(data):
        return None
    size = 1 << (data[pos] >> 6)
    if pos + size > len(data):
        return None
    value = int.from_bytes(data[pos : pos + size], "big") & ((1 << (8 * size - 2)) - 1)
    return value, pos + size


def reference(data: bytes):
    """First close capsule (or malformed one) in the whole byte string."""
    pos = 0
    while True:
        kind = read_varint(data, pos)
        if kind is None:
            return None
        length = read_varint(data, kind[1])
        if length is None:
            return None
        start = length[1]
        if kind[0] == CLOSE_CAPSULE:
            if not 4 <= length[0] <= 4 + MAX_REASON:
                return MalformedCapsule(length[0])
            if start + length[0] > len(data):
                return None
            body = data[start : start + length[0]]
            return CloseCapsule(int.from_bytes(body[:4], "big"), body[4:])
        pos = start + length[0]


other = st.builds(
    lambda kind, body: varint(kind) + varint(len(body)) + body,
    st.integers(0, 2**20).filter(lambda k: k != CLOSE_CAPSULE),
    st.binary(max_size=3000),
)
close = st.builds(encode_close_capsule, st.integers(0, 2**32 - 1), st.binary(max_size=MAX_REASON))
bad_close = st.builds(
    lambda n: varint(CLOSE_CAPSULE) + varint(n) + bytes(min(n, 64)),
    st.one_of(st.integers(0, 3), st.integers(4 + MAX_REASON + 1, 1 << 20)),
)


@given(
    st.lists(other, max_size=6),
    st.one_of(close, bad_close, st.just(b"")),
    st.lists(st.integers(0, 9000), max_size=12),
)
def test_any_split_gives_the_reference_result(before, last, cuts):
    data = b"".join(before) + last
    expect = reference(data)
    reader = CapsuleReader()
    got = None
    points = sorted({min(c, len(data)) for c in cuts} | {0, len(data)})
    for a, b in itertools.pairwise(points):
        got = reader.feed(data[a:b])
        if got is not None:
            break
    if got is None and len(points) == 1:
        got = reader.feed(b"")
    assert got == expect
    # other capsules are skipped, not buffered: at most one close capsule is held
    assert reader.buffered <= 16 + 4 + MAX_REASON


def test_reason_is_truncated_to_the_limit():
    capsule = encode_close_capsule(1, b"x" * (MAX_REASON + 10))
    assert CapsuleReader().feed(capsule) == CloseCapsule(1, b"x" * MAX_REASON)
