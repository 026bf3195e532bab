"""Relative deadlines, resolved against the scheduler's clock when a task is scheduled."""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass

from .errors import InvalidTaskError

__all__ = ["Deadline"]


def _nonnegative_ns(name: str, value: object) -> int:
    if isinstance(value, float):
        if math.isnan(value):
            raise InvalidTaskError(f"{name} must be a number, got NaN")
        if not math.isfinite(value):
            raise InvalidTaskError(f"{name} must be finite, got {value}")
        if value < 0:
            raise InvalidTaskError(f"{name} must be >= 0, got {value}")
        return round(value)
    try:
        ns = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise InvalidTaskError(
            f"{name} must be an integer number of nanoseconds, got {type(value).__name__}"
        ) from None
    if ns < 0:
        raise InvalidTaskError(f"{name} must be >= 0, got {ns}")
    return ns


@dataclass(frozen=True)
class Deadline:
    """A deadline relative to the moment the task is scheduled.

    Pass one as ``deadline=`` to :meth:`Scheduler.schedule`; the scheduler adds it to
    its clock's current time. An ``int`` deadline is absolute (clock nanoseconds).

    Examples
    --------
    >>> Deadline.from_micros(250)
    Deadline(relative_ns=250000)
    >>> Deadline.from_millis(1.5).relative_ns
    1500000
    """

    relative_ns: int

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "relative_ns", _nonnegative_ns("relative deadline", self.relative_ns)
        )

    @classmethod
    def from_now(cls, nanoseconds: int) -> Deadline:
        """``nanoseconds`` after the task is scheduled."""
        return cls(_nonnegative_ns("nanoseconds", nanoseconds))

    @classmethod
    def from_micros(cls, microseconds: float) -> Deadline:
        """``microseconds`` after the task is scheduled."""
        if isinstance(microseconds, float):
            return cls(_nonnegative_ns("microseconds", microseconds * 1e3))
        return cls(_nonnegative_ns("microseconds", microseconds) * 1_000)

    @classmethod
    def from_millis(cls, milliseconds: float) -> Deadline:
        """``milliseconds`` after the task is scheduled."""
        if isinstance(milliseconds, float):
            return cls(_nonnegative_ns("milliseconds", milliseconds * 1e6))
        return cls(_nonnegative_ns("milliseconds", milliseconds) * 1_000_000)
