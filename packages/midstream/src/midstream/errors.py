"""Errors raised by midstream.

Every error the package raises derives from :class:`MidstreamError`, so callers can
catch the package's errors in one place, or as the builtin ``ValueError``.
"""

from __future__ import annotations

__all__ = ["MidstreamError"]


class MidstreamError(ValueError):
    """Base class of every error raised by ``midstream``."""
