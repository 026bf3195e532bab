"""Length-prefixed message framing, sans-I/O.

A message on a stream is a 4-byte big-endian length followed by that many bytes.
:class:`MessageDecoder` takes bytes as they arrive and returns whole messages; it
rejects a length above ``max_message_size`` as soon as the header is read, before
buffering the body, so a peer cannot make us allocate more than the limit.
"""

from __future__ import annotations

from .errors import ConfigurationError, MessageTooLarge, QuicError

__all__ = ["HEADER_SIZE", "MAX_FRAME_LIMIT", "MessageDecoder", "encode_message"]

HEADER_SIZE = 4
#: The largest length the 4-byte header can carry.
MAX_FRAME_LIMIT = 2**32 - 1


def check_max_message_size(max_message_size: object) -> int:
    """Validate a ``max_message_size`` argument and return it as ``int``."""
    if isinstance(max_message_size, bool) or not isinstance(max_message_size, int):
        raise ConfigurationError(
            f"max_message_size must be an int, got {type(max_message_size).__name__}"
        )
    if not 0 <= max_message_size <= MAX_FRAME_LIMIT:
        raise ConfigurationError(
            f"max_message_size must be in [0, {MAX_FRAME_LIMIT}], got {max_message_size}"
        )
    return max_message_size


def encode_message(payload: bytes | bytearray | memoryview, max_message_size: int) -> bytes:
    """Frame one message: a 4-byte big-endian length, then the payload.

    Parameters
    ----------
    payload : bytes-like
        The message body.
    max_message_size : int
        Largest accepted body length in bytes.

    Returns
    -------
    bytes
        Header and body.

    Raises
    ------
    MessageTooLarge
        If ``len(payload) > max_message_size``.

    Examples
    --------
    >>> encode_message(b"hi", 1024)
    b'\\x00\\x00\\x00\\x02hi'
    """
    if not isinstance(payload, (bytes, bytearray, memoryview)):
        raise ConfigurationError(f"payload must be bytes-like, got {type(payload).__name__}")
    size = memoryview(payload).nbytes
    if size > max_message_size:
        raise MessageTooLarge(size, max_message_size)
    return size.to_bytes(HEADER_SIZE, "big") + bytes(payload)


class MessageDecoder:
    """Incremental decoder of length-prefixed messages.

    Parameters
    ----------
    max_message_size : int
        Largest accepted body length; a longer header raises
        :class:`MessageTooLarge` before any of the body is buffered.

    Examples
    --------
    >>> d = MessageDecoder(max_message_size=100)
    >>> d.feed(b"\\x00\\x00\\x00\\x03ab")
    []
    >>> d.feed(b"c\\x00\\x00\\x00\\x00")
    [b'abc', b'']
    """

    def __init__(self, max_message_size: int) -> None:
        self.max_message_size = check_max_message_size(max_message_size)
        self._buffer = bytearray()
        self._need: int | None = None  # body length of the message being read

    @property
    def buffered(self) -> int:
        """Bytes held for an incomplete message."""
        return len(self._buffer)

    def feed(self, data: bytes | bytearray | memoryview) -> list[bytes]:
        """Add received bytes; return every message they complete, in order."""
        self._buffer += data
        out: list[bytes] = []
        while True:
            if self._need is None:
                if len(self._buffer) < HEADER_SIZE:
                    return out
                size = int.from_bytes(self._buffer[:HEADER_SIZE], "big")
                if size > self.max_message_size:
                    raise MessageTooLarge(size, self.max_message_size)
                del self._buffer[:HEADER_SIZE]
                self._need = size
            if len(self._buffer) < self._need:
                return out
            out.append(bytes(self._buffer[: self._need]))
            del self._buffer[: self._need]
            self._need = None

    def check_eof(self) -> None:
        """Raise :class:`QuicError` if the stream ended inside a message."""
        if self._need is not None or self._buffer:
            raise QuicError(
                f"stream ended inside a message ({len(self._buffer)} bytes of an "
                "incomplete message)"
            )
