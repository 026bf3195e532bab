"""Errors raised by nanosecond_scheduler.

Every error the package raises derives from :class:`SchedulerError`, so callers can
catch the package's errors in one place.
"""

from __future__ import annotations

__all__ = ["SchedulerError"]


class SchedulerError(Exception):
    """Base class of every error raised by ``nanosecond_scheduler``."""
