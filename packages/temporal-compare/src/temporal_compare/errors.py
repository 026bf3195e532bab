"""Errors raised by temporal_compare.

Every error the package raises derives from :class:`TemporalCompareError`, so callers can
catch the package's errors in one place, or as the builtin ``ValueError``.
"""

from __future__ import annotations

__all__ = ["TemporalCompareError"]


class TemporalCompareError(ValueError):
    """Base class of every error raised by ``temporal_compare``."""
