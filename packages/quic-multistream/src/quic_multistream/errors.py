"""Errors raised by quic_multistream.

Every error the package raises derives from :class:`QuicError`, so callers can
catch the package's errors in one place.
"""

from __future__ import annotations

__all__ = ["QuicError"]


class QuicError(Exception):
    """Base class of every error raised by ``quic_multistream``."""
