"""Task priority levels."""

from __future__ import annotations

import enum

__all__ = ["Priority"]


class Priority(enum.IntEnum):
    """Named priority levels; larger runs first under fixed-priority scheduling.

    Any ``int`` is accepted where a priority is expected; these are the named ones.

    Examples
    --------
    >>> Priority.CRITICAL > Priority.LOW
    True
    """

    CRITICAL = 100
    HIGH = 75
    MEDIUM = 50
    LOW = 25
    BACKGROUND = 10
