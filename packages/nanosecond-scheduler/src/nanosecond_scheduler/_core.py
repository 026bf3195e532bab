"""Task bookkeeping shared by the thread and asyncio schedulers.

Validation happens here; the Cython ``TaskQueue`` trusts what it is given. Each
queue call is atomic with respect to other Python threads (it holds the GIL and runs
no Python code), so producers on other threads may schedule and cancel while an
executor pops, without a lock on the dispatch path.
"""

from __future__ import annotations

import logging
import math
import operator
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from ._engine import Engine, _task_id
from ._queue import TaskQueue
from .deadline import Deadline
from .errors import (
    InvalidTaskError,
    QueueFull,
    TaskNotFoundError,
    TaskRunningError,
)
from .policy import Policy
from .priority import Priority
from .stats import LatencySummary, SchedulerStats

logger = logging.getLogger("nanosecond_scheduler")

FOREVER = 2**63 - 1
NEVER = -(2**63)
PRIORITY_LIMIT = 2**62
RUN_LATE, SKIP, CALLBACK = 0, 1, 2
MISS_POLICIES = {"run_late": RUN_LATE, "skip": SKIP, "callback": CALLBACK}
_KEEP: Any = object()  # "argument not given" for reschedule

Clock = Callable[[], int]
ErrorHook = Callable[[int, BaseException], object]
MissHook = Callable[[int, int], object]


# What the queue carries for a task: (fn, args or None for a batch, miss code,
# miss callback). A tuple, not an object, because it is built on every schedule().
Payload = tuple[Callable[..., Any], "tuple[Any, ...] | None", int, "MissHook | None"]


def _ns(name: str, value: object, *, positive: bool = False) -> int:
    """An int64 count of nanoseconds, or an :class:`InvalidTaskError` naming ``name``."""
    if type(value) is not int:
        if isinstance(value, float):
            if math.isnan(value):
                raise InvalidTaskError(f"{name} must be a number, got NaN")
            if not math.isfinite(value) or value != int(value):
                raise InvalidTaskError(
                    f"{name} must be a whole number of nanoseconds, got {value!r}"
                )
            value = int(value)
        else:
            try:
                value = operator.index(value)  # type: ignore[arg-type]
            except TypeError:
                raise InvalidTaskError(
                    f"{name} must be an integer number of nanoseconds, got {type(value).__name__}"
                ) from None
    assert isinstance(value, int)
    if value < 0 or (positive and value == 0):
        raise InvalidTaskError(f"{name} must be {'> 0' if positive else '>= 0'}, got {value}")
    if value >= FOREVER:
        raise InvalidTaskError(f"{name} must be below 2**63 - 1, got {value}")
    return value


def _priority(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        p = int(value)
    elif isinstance(value, bool) or not hasattr(value, "__index__"):
        raise InvalidTaskError(f"priority must be an int or Priority, got {type(value).__name__}")
    else:
        p = operator.index(value)
    if not -PRIORITY_LIMIT < p < PRIORITY_LIMIT:
        raise InvalidTaskError(f"priority must be within +-2**62, got {p}")
    return p


def _miss(on_miss: str, miss_callback: MissHook | None) -> int:
    try:
        code = MISS_POLICIES[on_miss]
    except (KeyError, TypeError):
        raise InvalidTaskError(
            f"on_miss must be one of {', '.join(map(repr, MISS_POLICIES))}, got {on_miss!r}"
        ) from None
    if code == CALLBACK and not callable(miss_callback):
        raise InvalidTaskError("on_miss='callback' needs a callable miss_callback")
    if code != CALLBACK and miss_callback is not None:
        raise InvalidTaskError("miss_callback is only used with on_miss='callback'")
    return code


def _int64_array(name: str, values: object, n: int | None) -> npt.NDArray[np.int64]:
    """``values`` as int64, validated; a scalar becomes a read-only stride-0 view of n."""
    arr = np.asarray(values)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise InvalidTaskError(f"{name} must be an array of integers, got dtype {arr.dtype}")
    if arr.ndim > 1 or (arr.ndim == 0 and n is None):
        raise InvalidTaskError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if arr.ndim == 1 and n is not None and arr.shape[0] != n:
        raise InvalidTaskError(f"{name} has {arr.shape[0]} values, expected {n}")
    if np.issubdtype(arr.dtype, np.floating):
        if np.isnan(arr).any():
            raise InvalidTaskError(f"{name} contains NaN")
        if not np.isfinite(arr).all() or (arr != np.round(arr)).any():
            raise InvalidTaskError(f"{name} must hold whole, finite nanosecond counts")
        if arr.size and arr.max() >= 2.0**63:
            raise InvalidTaskError(f"{name} must be below 2**63 - 1")
    elif arr.size and arr.max() >= FOREVER:
        # Compared before the cast: uint64 values from 2**63 on would wrap negative.
        raise InvalidTaskError(f"{name} must be below 2**63 - 1, found {arr.max()}")
    if arr.size and arr.min() < 0:
        raise InvalidTaskError(f"{name} must be >= 0, found {arr.min()}")
    arr = arr.astype(np.int64, copy=False)
    if arr.ndim == 0:
        assert n is not None
        return np.broadcast_to(arr, (n,))
    return arr


# Clocks in float seconds: with them every deadline in nanoseconds lies ~1e9 ticks away.
_SECONDS_CLOCKS = {
    time.monotonic: "time.monotonic_ns",
    time.perf_counter: "time.perf_counter_ns",
    time.time: "time.time_ns",
    time.process_time: "time.process_time_ns",
    time.thread_time: "time.thread_time_ns",
}


def _check_clock(clock: object) -> None:
    """Refuse a clock that is not callable or does not return integer nanoseconds."""
    if not callable(clock):
        raise InvalidTaskError(f"clock must be callable, got {type(clock).__name__}")
    try:
        hint = _SECONDS_CLOCKS.get(clock)  # type: ignore[call-overload]
    except TypeError:  # unhashable callable
        hint = None
    if hint is not None:
        raise InvalidTaskError(
            f"clock must return integer nanoseconds; {clock.__name__} returns float seconds, "
            f"use {hint}"
        )
    sample = clock()
    if isinstance(sample, bool) or not isinstance(sample, (int, np.integer)):
        raise InvalidTaskError(
            "clock must return integer nanoseconds (like time.monotonic_ns), "
            f"got {type(sample).__name__} {sample!r}"
        )


MAX_TASKS = 2**32 - 1  # a task id keeps its slot in 32 bits
TASK_BYTES = 136  # queue memory per task: slot, two heap entries, position, id


class SchedulerCore(Engine):
    """Scheduling, cancelling and statistics, without an executor."""

    def __init__(
        self,
        policy: Policy | str = "edf",
        *,
        clock: Clock = time.monotonic_ns,
        max_queue_size: int | None = None,
        on_error: ErrorHook | None = None,
    ) -> None:
        self.policy = Policy.coerce(policy)
        _check_clock(clock)
        if max_queue_size is not None:
            max_queue_size = _ns("max_queue_size", max_queue_size, positive=True)
        if on_error is not None and not callable(on_error):
            raise InvalidTaskError("on_error must be callable or None")
        super().__init__(TaskQueue(self.policy.code, max_queue_size or 0), clock)
        self.max_queue_size = max_queue_size
        self.on_error = on_error
        self._errors = 0
        self._lock = threading.Lock()  # guards reschedule's read-modify-write and counters

    # ------------------------------------------------------------------ submit

    def _schedule_checked(
        self,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        priority: object,
        deadline: object,
        period: object,
        wcet: object,
        at: object,
        delay: object,
        on_miss: str,
        miss_callback: MissHook | None,
    ) -> int:
        """``schedule`` for every argument type, validating each (see ``Engine.schedule``)."""
        if not callable(fn):
            raise InvalidTaskError(f"fn must be callable, got {type(fn).__name__}")
        now = self._clock()
        release = self._release(now, at, delay)
        p = _priority(priority)
        per = 0 if period is None else _ns("period", period, positive=True)
        w = 0 if wcet is None else _ns("wcet", wcet)
        if per and w > per:
            raise InvalidTaskError(f"wcet ({w} ns) must not exceed period ({per} ns)")
        d = self._deadline(now, release, deadline, per)
        if on_miss == "run_late" and miss_callback is None:
            miss = RUN_LATE
        else:
            miss = _miss(on_miss, miss_callback)
        task_id = self._queue.add(
            now, release, d, per, w, p, -1, (fn, tuple(args), miss, miss_callback)
        )
        if task_id < 0:
            raise QueueFull(f"max_queue_size={self.max_queue_size} tasks are already queued")
        if release < self._notify_before:
            self._notify(release)
        return task_id

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
        ``count``. Returns the task ids in input order. All or nothing: on
        :class:`QueueFull` no task is queued.
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
            sizes.add(_ns("count", count))
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
        release = _int64_array("at", now if at is None else at, n)
        if deadline is None:
            d = np.broadcast_to(np.int64(FOREVER), (n,))
        else:
            d = _int64_array("deadline", deadline, n)
        w = _int64_array("wcet", 0 if wcet is None else wcet, n)
        p_arr = np.asarray(priority)
        if p_arr.dtype == object or not np.issubdtype(p_arr.dtype, np.integer):
            raise InvalidTaskError(f"priority must be integers, got dtype {p_arr.dtype}")
        if p_arr.size and (p_arr.min() <= -PRIORITY_LIMIT or p_arr.max() >= PRIORITY_LIMIT):
            raise InvalidTaskError("priority must be within +-2**62")
        p_arr = np.broadcast_to(p_arr.astype(np.int64, copy=False), (n,))
        task = (fn, None, _miss(on_miss, miss_callback), miss_callback)
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
            self._notify(first)
        return ids

    def _release(self, now: int, at: object, delay: object) -> int:
        if at is not None and delay is not None:
            raise InvalidTaskError("give at= or delay=, not both")
        if at is not None:
            return _ns("at", at)
        if delay is not None:
            release = now + _ns("delay", delay)
            if release >= FOREVER:
                raise InvalidTaskError(f"delay {delay} puts the release beyond 2**63 - 1 ns")
            return release
        return now

    def _deadline(self, now: int, release: int, deadline: object, period: int) -> int:
        if deadline is None:
            return min(release + period, FOREVER) if period else FOREVER
        if isinstance(deadline, Deadline):
            d = now + deadline.relative_ns
            if d >= FOREVER:
                raise InvalidTaskError(f"{deadline} puts the deadline beyond 2**63 - 1 ns")
        else:
            d = _ns("deadline", deadline)
        if period and d <= release:
            raise InvalidTaskError(
                f"a periodic task's deadline ({d}) must come after its release ({release})"
            )
        return d

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
        tid = _task_id(task_id)
        with self._lock:
            info = self._queue.info(tid)
            if info is None:
                raise TaskNotFoundError(f"no queued task with id {task_id}")
            old_release, old_deadline, old_period, old_wcet, old_priority, _state = info
            now = self._clock()
            release = old_release if at is None and delay is None else self._release(now, at, delay)
            p = old_priority if priority is _KEEP else _priority(priority)
            per = (
                old_period
                if period is _KEEP
                else (0 if period is None else _ns("period", period, positive=True))
            )
            w = old_wcet if wcet is _KEEP else (0 if wcet is None else _ns("wcet", wcet))
            if per and w > per:
                raise InvalidTaskError(f"wcet ({w} ns) must not exceed period ({per} ns)")
            d = old_deadline if deadline is _KEEP else self._deadline(now, release, deadline, per)
            result = self._queue.update(tid, now, release, d, per, w, p)
        if result == 0:
            raise TaskNotFoundError(f"no queued task with id {task_id}")
        if result == 2:
            raise TaskRunningError(f"task {task_id} is running; reschedule it after it finishes")
        if release < self._notify_before:
            self._notify(release)

    def pop_ready(self, n: int = 1) -> npt.NDArray[np.int64]:
        """Remove up to ``n`` released tasks in policy order without running them.

        Returns their ids (periodic tasks are re-released for their next period).
        """
        # No more than are queued now can be taken: size the output to that.
        out = np.empty(min(_ns("n", n), self._queue.n_queued), dtype=np.int64)
        k = self._queue.pop_many(self._clock(), out)
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
            errors=self._errors,
            queued=q.n_queued,
            running=q.running,
            latency=LatencySummary.of(q.latency),
            lateness=LatencySummary.of(q.lateness),
            jitter=LatencySummary.of(q.jitter),
        )

    # --------------------------------------------------------------- execution

    def _notify(self, release: int) -> None:
        """Tell the executor that a task releases at ``release`` (overridden).

        Called only for releases before ``self._notify_before``.
        """

    def _start_coroutine(self, task_id: int, start: int, coro: Any) -> None:
        raise InvalidTaskError(
            f"task {task_id} returned a coroutine; schedule coroutine functions on an "
            "AsyncScheduler"
        )

    def _task_failed(self, task_id: int, exc: BaseException) -> None:
        with self._lock:
            self._errors += 1
        hook = self.on_error
        if hook is None:
            logger.error("task %d raised", task_id, exc_info=exc)
            return
        try:
            hook(task_id, exc)
        except Exception:
            logger.exception("on_error hook raised for task %d", task_id)

    def _missed(self, task_id: int, task: Payload, late: int, now: int) -> None:
        """Apply a ``skip`` or ``callback`` miss policy to a job that started late."""
        on_miss = task[3]
        if on_miss is not None:
            try:
                on_miss(task_id, late)
            except Exception as exc:
                self._task_failed(task_id, exc)
        self._queue.skip(task_id, now)
