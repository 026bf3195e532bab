"""Errors raised by strange_loop.

Every error the package raises derives from :class:`StrangeLoopError`, so callers can
catch the package's errors in one place.
"""

from __future__ import annotations

__all__ = ["StrangeLoopError"]


class StrangeLoopError(Exception):
    """Base class of every error raised by ``strange_loop``."""
