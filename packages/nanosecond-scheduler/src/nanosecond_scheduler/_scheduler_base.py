"""What the thread and asyncio schedulers share: submitting, managing, reporting.

``SchedulerBase`` validates what the compiled ``Dispatcher`` does not read itself
(batches, reschedule) and keeps the error counter; ``ExecutorHooks`` is the part of
the hooks the two executors have in common (failures and misses). Each queue call is
atomic with respect to other Python threads (it holds the GIL and runs no Python
code), so producers on other threads may schedule and cancel while an executor pops,
without a lock on the dispatch path.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from ._dispatcher import Dispatcher, task_id_value
from ._queue import TaskQueue
from ._validation import (
    FOREVER,
    MAX_TASKS,
    MissHook,
    check_clock,
    deadline_time,
    int64_array,
    miss_code,
    ns,
    period_and_wcet,
    priority_array,
    priority_value,
    release_time,
)
from .deadline import Deadline
from .errors import InvalidTaskError, QueueFull, TaskNotFoundError, TaskRunningError
from .policy import Policy
from .priority import Priority
from .stats import LatencySummary, SchedulerStats

logger = logging.getLogger("nanosecond_scheduler")

Clock = Callable[[], int]
ErrorHook = Callable[[int, BaseException], object]
_KEEP: Any = object()  # "argument not given" for reschedule
TASK_BYTES = 136  # queue memory per task: slot, two heap entries, position, id


class ExecutorHooks:
    """Failure and miss reporting, common to both executors' dispatcher hooks."""

    def __init__(self, on_error: ErrorHook | None) -> None:
        self.on_error = on_error
        self.errors = 0
        self.lock = threading.Lock()

    def notify(self, release: int) -> None:
        """A task releases at ``release``, before ``_notify_before``: wake the executor."""

    def task_failed(self, task_id: int, exc: BaseException) -> None:
        with self.lock:
            self.errors += 1
        hook = self.on_error
        if hook is None:
            logger.error("task %d raised", task_id, exc_info=exc)
            return
        try:
            hook(task_id, exc)
        except Exception:
            logger.exception("on_error hook raised for task %d", task_id)

    def missed(self, task_id: int, miss_callback: MissHook | None, late: int) -> None:
        """A job starts ``late`` ns after its deadline under ``skip`` or ``callback``."""
        if miss_callback is not None:
            try:
                miss_callback(task_id, late)
            except Exception as exc:
                self.task_failed(task_id, exc)

    def start_coroutine(self, task_id: int, start: int, coro: Any) -> None:
        coro.close()
        raise InvalidTaskError(
            f"task {task_id} returned a coroutine; schedule coroutine functions on an "
            "AsyncScheduler"
        )

    def wait_until(self, target: int | None, spin: int) -> None:
        raise NotImplementedError("this executor does not wait")


class SchedulerBase(Dispatcher):
    """Scheduling, cancelling and statistics, without an executor."""

    def __init__(
        self,
        policy: Policy | str = "edf",
        *,
        clock: Clock = time.monotonic_ns,
        max_queue_size: int | None = None,
        on_error: ErrorHook | None = None,
        hooks: ExecutorHooks | None = None,
    ) -> None:
        self.policy = Policy.coerce(policy)
        check_clock(clock)
        if max_queue_size is not None:
            max_queue_size = ns("max_queue_size", max_queue_size, positive=True)
        if on_error is not None and not callable(on_error):
            raise InvalidTaskError("on_error must be callable or None")
        hooks = hooks if hooks is not None else ExecutorHooks(on_error)
        super().__init__(TaskQueue(self.policy.code, max_queue_size or 0), clock, hooks)
        self.max_queue_size = max_queue_size
        self._lock = threading.Lock()  # guards reschedule's read-modify-write

    @property
    def on_error(self) -> ErrorHook | None:
        """``on_error(task_id, exception)`` for exceptions raised by tasks, or None (log)."""
        return self._hooks.on_error  # type: ignore[no-any-return,unused-ignore]

    @on_error.setter
    def on_error(self, hook: ErrorHook | None) -> None:
        if hook is not None and not callable(hook):
            raise InvalidTaskError("on_error must be callable or None")
        self._hooks.on_error = hook

    # ------------------------------------------------------------------ submit

    def schedule_many(
        self,
        fn: Callable[[int], Any],
        count: int | None = None,
        *,
        deadline: npt.ArrayLike | None = None,
        priority: npt.ArrayLike = Priority.MEDIUM,
        at: npt.ArrayLike | None = None,
        wcet: npt.ArrayLike | None = None,
        on_miss: str = "run_late",
        miss_callback: MissHook | None = None,
    ) -> npt.NDArray[np.int64]:
        """Queue ``n`` one-shot tasks in one kernel call; task ``i`` runs ``fn(i)``.

        ``deadline`` (absolute ns), ``priority``, ``at`` (absolute release ns) and
        ``wcet`` are arrays of length ``n`` or scalars; ``n`` comes from the arrays or
        ``count`` (at most 2**32 - 1 tasks in a scheduler). Returns the task ids in
        input order. All or nothing: on :class:`QueueFull` no task is queued.
        """
        if not callable(fn):
            raise InvalidTaskError(f"fn must be callable, got {type(fn).__name__}")
        given = {
            name: v
            for name, v in (("deadline", deadline), ("at", at), ("wcet", wcet))
            if v is not None
        }
        given["priority"] = priority
        for name, v in given.items():
            if np.ndim(v) > 1:
                raise InvalidTaskError(f"{name} must be one-dimensional, got shape {np.shape(v)}")
        sizes = {np.shape(v)[0] for v in given.values() if np.ndim(v) == 1}
        if count is not None:
            sizes.add(ns("count", count))
        if len(sizes) != 1:
            raise InvalidTaskError(
                "schedule_many needs count= or 1-D arrays of one common length, "
                f"got lengths {sorted(sizes)}"
            )
        n = sizes.pop()
        if n > MAX_TASKS - len(self):
            raise InvalidTaskError(
                f"count {n} is too large: a scheduler holds at most 2**32 - 1 tasks "
                f"({len(self)} queued or running)"
            )
        now = self._clock()
        release = int64_array("at", now if at is None else at, n)
        if deadline is None:
            d = np.broadcast_to(np.int64(FOREVER), (n,))
        else:
            d = int64_array("deadline", deadline, n)
        w = int64_array("wcet", 0 if wcet is None else wcet, n)
        p_arr = priority_array(priority, n)
        task = (fn, None, miss_code(on_miss, miss_callback), miss_callback)
        try:
            ids = np.empty(n, dtype=np.int64)
            full = self._queue.add_many(now, release, d, w, p_arr, task, ids) < 0
        except MemoryError:
            raise QueueFull(
                f"not enough memory for {n} more tasks (about {n * TASK_BYTES / 2**30:.1f} GiB)"
            ) from None
        if full:
            raise QueueFull(f"{n} more tasks would exceed max_queue_size={self.max_queue_size}")
        first = int(release.min()) if n else now
        if first < self._notify_before:
            self._hooks.notify(first)
        return ids

    # ------------------------------------------------------------------ manage

    def reschedule(
        self,
        task_id: int,
        *,
        deadline: int | Deadline | None = _KEEP,
        priority: int = _KEEP,
        period: int | None = _KEEP,
        wcet: int | None = _KEEP,
        at: int | None = None,
        delay: int | None = None,
    ) -> None:
        """Change a queued task's deadline, priority, period, wcet or release, in O(log n).

        Arguments not given keep their value. Raises :class:`TaskNotFoundError` for an
        unknown id and :class:`TaskRunningError` while the task runs.
        """
        tid = task_id_value(task_id)
        with self._lock:
            info = self._queue.info(tid)
            if info is None:
                raise TaskNotFoundError(f"no queued task with id {task_id}")
            old_release, old_deadline, old_period, old_wcet, old_priority, _state = info
            now = self._clock()
            keep_release = at is None and delay is None
            release = old_release if keep_release else release_time(now, at, delay)
            p = old_priority if priority is _KEEP else priority_value(priority)
            per, w = period_and_wcet(
                (old_period or None) if period is _KEEP else period,
                old_wcet if wcet is _KEEP else wcet,
            )
            d = old_deadline if deadline is _KEEP else deadline_time(now, release, deadline, per)
            result = self._queue.update(tid, now, release, d, per, w, p)
        if result == 0:
            raise TaskNotFoundError(f"no queued task with id {task_id}")
        if result == 2:
            raise TaskRunningError(f"task {task_id} is running; reschedule it after it finishes")
        if release < self._notify_before:
            self._hooks.notify(release)

    def pop_ready(self, n: int = 1) -> npt.NDArray[np.int64]:
        """Remove up to ``n`` released tasks in policy order without running them.

        Returns their ids (periodic tasks are re-released for their next period).
        """
        # No more than are queued now can be taken: size the output to that.
        out = np.empty(min(ns("n", n), self._queue.n_queued), dtype=np.int64)
        k = self._queue.pop_many(self._now(), out)
        return out[:k]

    def clear(self) -> int:
        """Cancel every queued task; return how many were removed."""
        return int(self._queue.clear())

    def __len__(self) -> int:
        """Tasks queued or running."""
        return int(self._queue.n_active)

    def next_release(self) -> int | None:
        """Clock time of the earliest not-yet-released task, or None."""
        return self._queue.next_release()

    # ------------------------------------------------------------------ report

    def stats(self) -> SchedulerStats:
        """A snapshot of counters and latency/lateness/jitter percentiles."""
        q = self._queue
        return SchedulerStats(
            scheduled=q.scheduled,
            completed=q.completed,
            missed=q.missed,
            skipped=q.skipped,
            cancelled=q.cancelled,
            taken=q.taken,
            errors=self._hooks.errors,
            queued=q.n_queued,
            running=q.running,
            latency=LatencySummary.of(q.latency),
            lateness=LatencySummary.of(q.lateness),
            jitter=LatencySummary.of(q.jitter),
        )
