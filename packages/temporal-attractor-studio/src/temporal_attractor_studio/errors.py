"""Errors raised by temporal_attractor_studio.

Every error the package raises derives from :class:`AttractorError`, so callers can
catch the package's errors in one place, or as the builtin ``ValueError``.
"""

from __future__ import annotations

__all__ = ["AttractorError"]


class AttractorError(ValueError):
    """Base class of every error raised by ``temporal_attractor_studio``."""
