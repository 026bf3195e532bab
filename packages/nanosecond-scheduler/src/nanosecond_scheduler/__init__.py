"""nanosecond_scheduler: deadline-aware task scheduling with a Cython ready queue.

Policies: fixed priority, EDF, rate-monotonic, least-laxity and FIFO; executors on
the calling thread, a thread pool, or an asyncio loop (awaitable task handles);
admission control for periodic task sets that matches the run-to-completion
executors; HDR-style latency statistics; Linux real-time options.
"""

from importlib.metadata import version as _version

from ._task_handle import TaskHandle
from .admission import AdmissionResult, PeriodicTask, admit
from .aio import AsyncScheduler
from .deadline import Deadline
from .errors import (
    DeadlineMissed,
    InvalidTaskError,
    QueueFull,
    RealtimeUnavailable,
    SchedulerClosed,
    SchedulerError,
    TaskNotFoundError,
    TaskRunningError,
)
from .policy import Policy
from .priority import Priority
from .realtime import RealtimeStatus
from .scheduler import Scheduler
from .stats import LatencySummary, SchedulerStats

__version__: str = _version("nanosecond-scheduler")

__all__ = [
    "AdmissionResult",
    "AsyncScheduler",
    "Deadline",
    "DeadlineMissed",
    "InvalidTaskError",
    "LatencySummary",
    "PeriodicTask",
    "Policy",
    "Priority",
    "QueueFull",
    "RealtimeStatus",
    "RealtimeUnavailable",
    "Scheduler",
    "SchedulerClosed",
    "SchedulerError",
    "SchedulerStats",
    "TaskHandle",
    "TaskNotFoundError",
    "TaskRunningError",
    "__version__",
    "admit",
]
