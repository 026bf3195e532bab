"""Errors raised by nanosecond_scheduler.

Every error the package raises derives from :class:`SchedulerError`, so callers can
catch the package's errors in one place. Errors about bad arguments also derive from
``ValueError``; lookups of unknown task ids from ``LookupError``; a refused
real-time request from ``PermissionError``.
"""

from __future__ import annotations

__all__ = [
    "DeadlineMissed",
    "InvalidTaskError",
    "QueueFull",
    "RealtimeUnavailable",
    "SchedulerClosed",
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


class SchedulerClosed(SchedulerError, RuntimeError):
    """The scheduler was closed; it accepts no more tasks."""


class DeadlineMissed(SchedulerError):
    """A task's job was skipped by its miss policy: it would have started too late.

    Set on an :class:`~nanosecond_scheduler.TaskHandle` whose one-shot task was
    skipped (``on_miss="skip"`` or ``"callback"``); ``late_ns`` says by how much.
    """

    def __init__(self, task_id: int, late_ns: int) -> None:
        super().__init__(f"task {task_id} was skipped: it would have started {late_ns} ns late")
        self.task_id = task_id
        self.late_ns = late_ns
