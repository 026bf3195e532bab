"""Stream priority levels."""

from __future__ import annotations

import enum

__all__ = ["StreamPriority"]


class StreamPriority(enum.IntEnum):
    """Send priority of a stream; a smaller value is sent first.

    Examples
    --------
    >>> StreamPriority.CRITICAL < StreamPriority.LOW
    True
    >>> str(StreamPriority.HIGH)
    'High'
    """

    CRITICAL = 0
    HIGH = 1
    NORMAL = 2
    LOW = 3

    def __str__(self) -> str:
        return self.name.capitalize()
