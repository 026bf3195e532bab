"""Errors raised by quic_multistream.

Every error the package raises derives from :class:`QuicError`, so callers can
catch the package's errors in one place. Errors about bad arguments also derive
from :class:`ValueError`, timeouts from :class:`TimeoutError` and connection
failures from :class:`ConnectionError`, so generic handlers keep working.
"""

from __future__ import annotations

__all__ = [
    "CertificateError",
    "ConfigurationError",
    "ConnectionClosed",
    "ConnectionFailed",
    "HandshakeError",
    "MessageTooLarge",
    "QuicError",
    "StreamReset",
    "Timeout",
]


class QuicError(Exception):
    """Base class of every error raised by ``quic_multistream``."""


class ConfigurationError(QuicError, ValueError):
    """An argument has a bad type or value; the message names the argument."""


class ConnectionFailed(QuicError, ConnectionError):
    """A connection could not be established (unreachable, refused, timed out)."""


class HandshakeError(ConnectionFailed):
    """The TLS handshake failed: bad ALPN, protocol violation, rejected peer.

    ``error_code`` is the QUIC error code carried by CONNECTION_CLOSE when known.
    """

    def __init__(self, message: str, *, error_code: int | None = None) -> None:
        super().__init__(message)
        self.error_code = error_code


class CertificateError(HandshakeError):
    """A certificate was missing, expired, untrusted or unfit for its purpose.

    ``alert`` is the TLS alert number (RFC 8446 section 6) that describes it,
    for example 116 ``certificate_required`` or 48 ``unknown_ca``.
    """

    def __init__(self, message: str, *, alert: int, error_code: int | None = None) -> None:
        super().__init__(message, error_code=0x100 + alert if error_code is None else error_code)
        self.alert = alert


class ConnectionClosed(QuicError, ConnectionError):
    """The connection is closed; ``error_code`` and ``reason`` come from the peer or us."""

    def __init__(self, message: str, *, error_code: int = 0, reason: str = "") -> None:
        super().__init__(message)
        self.error_code = error_code
        self.reason = reason


class StreamReset(QuicError):
    """The peer reset the stream (RESET_STREAM / STOP_SENDING) with ``error_code``."""

    def __init__(self, stream_id: int, error_code: int) -> None:
        super().__init__(f"stream {stream_id} was reset by the peer with code {error_code}")
        self.stream_id = stream_id
        self.error_code = error_code


class MessageTooLarge(QuicError, ValueError):
    """A framed message is longer than ``max_message_size``."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"message of {size} bytes exceeds max_message_size={limit}")
        self.size = size
        self.limit = limit


class Timeout(QuicError, TimeoutError):
    """An operation did not complete within its timeout."""
