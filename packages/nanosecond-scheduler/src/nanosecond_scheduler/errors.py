"""Errors raised by nanosecond_scheduler.

Every error the package raises derives from :class:`SchedulerError`, so callers can
catch the package's errors in one place. Errors about bad arguments also derive from
``ValueError``; lookups of unknown task ids from ``LookupError``; a refused
real-time request from ``PermissionError``.
"""

from __future__ import annotations

__all__ = [
    "InvalidTaskError",
    "QueueFull",
    "RealtimeUnavailable",
    "SchedulerError",
    "TaskNotFoundError",
    "TaskRunningError",
]


class SchedulerError(Exception):
    """Base class of every error raised by ``nanosecond_scheduler``."""


class InvalidTaskError(SchedulerError, ValueError):
    """An argument (callable, deadline, period, wcet, priority, policy, ...) is invalid."""


class TaskNotFoundError(SchedulerError, LookupError):
    """The task id is unknown: never issued, already finished or cancelled."""


class TaskRunningError(SchedulerError):
    """The task is running now, so it cannot be rescheduled."""


class QueueFull(SchedulerError):
    """Scheduling would exceed the scheduler's ``max_queue_size``."""


class RealtimeUnavailable(SchedulerError, PermissionError):
    """The operating system refused (or does not offer) a real-time request."""
