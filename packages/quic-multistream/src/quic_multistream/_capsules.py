"""Capsules on a WebTransport CONNECT stream (RFC 9297 framing), sans-I/O.

A capsule is a varint type, a varint length and that many bytes. A WebTransport
server needs only CLOSE_WEBTRANSPORT_SESSION (a 32-bit code and a reason of at
most 1,024 bytes); :class:`CapsuleReader` skips every other capsule as its bytes
arrive, never buffering it whole, so a client cannot make it hold more than one
close capsule.
"""

from __future__ import annotations

from dataclasses import dataclass

from aioquic.buffer import Buffer, BufferReadError, encode_uint_var

__all__ = [
    "CLOSE_CAPSULE",
    "MAX_REASON",
    "CapsuleReader",
    "CloseCapsule",
    "MalformedCapsule",
    "encode_close_capsule",
]

#: CLOSE_WEBTRANSPORT_SESSION
CLOSE_CAPSULE = 0x2843
#: Longest close reason in bytes.
MAX_REASON = 1024
_MAX_CLOSE_BODY = 4 + MAX_REASON


@dataclass(frozen=True)
class CloseCapsule:
    """The client closed the session with ``code`` and ``reason``."""

    code: int
    reason: bytes


@dataclass(frozen=True)
class MalformedCapsule:
    """A CLOSE_WEBTRANSPORT_SESSION capsule whose length is out of range."""

    length: int


def encode_close_capsule(code: int, reason: bytes) -> bytes:
    """A CLOSE_WEBTRANSPORT_SESSION capsule.

    >>> encode_close_capsule(7, b"bye").hex()
    '68430700000007627965'
    """
    body = code.to_bytes(4, "big") + reason[:MAX_REASON]
    return encode_uint_var(CLOSE_CAPSULE) + encode_uint_var(len(body)) + body


class CapsuleReader:
    """Reads CONNECT stream data until a close capsule (or a malformed one).

    Examples
    --------
    >>> reader = CapsuleReader()
    >>> data = bytes([0x21, 2, 0xAA, 0xBB]) + encode_close_capsule(5, b"done")
    >>> [reader.feed(data[i : i + 3]) for i in range(0, len(data), 3)][-1]
    CloseCapsule(code=5, reason=b'done')
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._skip = 0  # bytes of an ignored capsule still to come

    @property
    def buffered(self) -> int:
        """Bytes held: at most one close capsule's header and body."""
        return len(self._buffer)

    def feed(self, data: bytes) -> CloseCapsule | MalformedCapsule | None:
        """Take the next bytes; the close capsule once complete, else None."""
        if self._skip:
            n = min(self._skip, len(data))
            self._skip -= n
            data = data[n:]
        self._buffer += data
        while self._buffer:
            buf = Buffer(data=bytes(self._buffer[:16]))
            try:
                kind = buf.pull_uint_var()
                length = buf.pull_uint_var()
            except BufferReadError:
                return None  # the header is incomplete
            start = buf.tell()
            if kind != CLOSE_CAPSULE:
                n = min(start + length, len(self._buffer))
                self._skip = start + length - n
                del self._buffer[:n]
                continue
            if not 4 <= length <= _MAX_CLOSE_BODY:
                return MalformedCapsule(length)
            if len(self._buffer) < start + length:
                return None
            body = bytes(self._buffer[start : start + length])
            del self._buffer[: start + length]
            return CloseCapsule(int.from_bytes(body[:4], "big"), body[4:])
        return None
