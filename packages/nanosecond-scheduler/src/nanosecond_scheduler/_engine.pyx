"""The hot paths of the schedulers: submitting one task and dispatching ready tasks.

``Engine`` is the compiled base class of ``SchedulerCore``. ``schedule`` accepts the
common argument types (plain ints, ``Priority``, ``None``) directly and hands every
other case to the fully validating Python method ``_schedule_checked``, so both
paths raise the same errors. The dispatch loops call tasks with the GIL held and
only call back into Python to wait, report errors or start coroutines.
"""

from libc.stdint cimport int64_t

import operator
import time
from asyncio import iscoroutine

from ._queue cimport TaskQueue
from .errors import InvalidTaskError, TaskNotFoundError
from .priority import Priority

cdef extern from *:
    """
    #define ENGINE_FOREVER INT64_MAX
    #define ENGINE_NEVER INT64_MIN
    #if defined(__linux__)
    #include <time.h>
    /* What time.monotonic_ns() reads on Linux, without a Python call or int object. */
    static int64_t engine_monotonic_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000000000LL + (int64_t)ts.tv_nsec;
    }
    #define ENGINE_NATIVE_CLOCK 1
    #else
    static int64_t engine_monotonic_ns(void) { return 0; }
    #define ENGINE_NATIVE_CLOCK 0
    #endif
    """
    int64_t ENGINE_FOREVER
    int64_t ENGINE_NEVER
    bint ENGINE_NATIVE_CLOCK
    int64_t engine_monotonic_ns() noexcept nogil
    # The value of an int (or int subclass) known to be one: never fails, sets
    # ``overflow`` instead of raising when it does not fit in 64 bits.
    int64_t engine_as_int64 "PyLong_AsLongLongAndOverflow" (object o, int* overflow) noexcept

def _task_id(task_id):
    """``task_id`` as an int, or :class:`TaskNotFoundError`."""
    if type(task_id) is not int:
        try:
            task_id = operator.index(task_id)
        except TypeError:
            raise TaskNotFoundError(f"task ids are ints, got {type(task_id).__name__}") from None
    if not (-ENGINE_FOREVER <= task_id <= ENGINE_FOREVER):
        raise TaskNotFoundError(f"no queued task with id {task_id}")  # ids are int64
    return task_id


def _clock_value(value):
    """A clock reading as an int; a float (seconds?) is refused rather than truncated."""
    if isinstance(value, bool) or isinstance(value, float):
        raise InvalidTaskError(
            f"clock must return integer nanoseconds, got {type(value).__name__} {value!r}"
        )
    try:
        return operator.index(value)
    except TypeError:
        raise InvalidTaskError(
            f"clock must return integer nanoseconds, got {type(value).__name__}"
        ) from None


cdef int64_t PRIORITY_LIMIT = (<int64_t> 1) << 62
cdef object PRIORITY_TYPE = Priority
cdef object MEDIUM = Priority.MEDIUM
cdef int64_t MEDIUM_VALUE = Priority.MEDIUM


cdef class Engine:
    """Queue, clock and the compiled submit/dispatch paths (subclassed in Python)."""

    cdef readonly TaskQueue _queue
    cdef readonly object _clock
    cdef bint native_clock              # _clock is time.monotonic_ns: read it directly
    cdef public int64_t _notify_before   # schedule() calls _notify for releases before this
    cdef public bint _stopping

    def __init__(self, TaskQueue queue, clock):
        self._queue = queue
        self._clock = clock
        self.native_clock = ENGINE_NATIVE_CLOCK and clock is time.monotonic_ns
        self._notify_before = ENGINE_NEVER
        self._stopping = False

    cdef inline int64_t now(self) except? -1:
        if self.native_clock:
            return engine_monotonic_ns()
        value = self._clock()
        if type(value) is not int:
            value = _clock_value(value)
        return value

    def _now(self):
        """The clock's current time, read the way the dispatch loops read it."""
        return self.now()

    def schedule(self, fn, /, *args, priority=MEDIUM, deadline=None, period=None, wcet=None,
                 at=None, delay=None, on_miss="run_late", miss_callback=None):
        """Queue ``fn(*args)``; return its task id.

        Parameters
        ----------
        fn
            The callable (for :class:`AsyncScheduler`, also a coroutine function).
        priority
            Any int (larger first under ``fixed_priority``) or a :class:`Priority`.
        deadline
            Absolute clock time in ns (``int``), relative (:class:`Deadline`), or None.
            Periodic tasks default to an implicit deadline: release + period.
        period
            Release the task again every ``period`` ns (release times drift-free).
        wcet
            Worst-case execution time estimate in ns (used by ``least_laxity`` and
            admission); at most ``period``.
        at, delay
            First release: absolute clock time, or ns from now (default: now).
        on_miss
            ``"run_late"`` (default), ``"skip"`` or ``"callback"``: what happens when a
            job starts after its deadline. ``callback`` calls
            ``miss_callback(task_id, late_ns)`` instead of the task.

        Raises
        ------
        InvalidTaskError
            For a non-callable ``fn`` or an invalid time, priority or miss argument.
        QueueFull
            When ``max_queue_size`` tasks are already queued.
        """
        cdef int64_t now, p, d = 0, per = 0, w = 0, task_id
        cdef int overflow = 0
        # Fast path: exact ints / None / Priority only, read as C integers without
        # creating Python ints; anything else, or any value out of range, goes to the
        # Python method, which validates it (and rejects it with a clear message).
        if (
            at is not None or delay is not None or miss_callback is not None
            or not (on_miss == "run_late") or not callable(fn)
        ):
            return self._schedule_checked(fn, args, priority, deadline, period, wcet, at, delay,
                                          on_miss, miss_callback)
        if priority is MEDIUM:
            p = MEDIUM_VALUE
        elif type(priority) is int or type(priority) is PRIORITY_TYPE:
            p = engine_as_int64(priority, &overflow)
            if overflow or not (-PRIORITY_LIMIT < p < PRIORITY_LIMIT):
                return self._schedule_checked(fn, args, priority, deadline, period, wcet, at,
                                              delay, on_miss, miss_callback)
        else:
            return self._schedule_checked(fn, args, priority, deadline, period, wcet, at, delay,
                                          on_miss, miss_callback)
        if period is not None:
            if type(period) is not int:
                return self._schedule_checked(fn, args, priority, deadline, period, wcet, at,
                                              delay, on_miss, miss_callback)
            per = engine_as_int64(period, &overflow)
            if overflow or not (0 < per < ENGINE_FOREVER):
                return self._schedule_checked(fn, args, priority, deadline, period, wcet, at,
                                              delay, on_miss, miss_callback)
        if wcet is not None:
            if type(wcet) is not int:
                return self._schedule_checked(fn, args, priority, deadline, period, wcet, at,
                                              delay, on_miss, miss_callback)
            w = engine_as_int64(wcet, &overflow)
            if overflow or not (0 <= w < ENGINE_FOREVER) or (per and w > per):
                return self._schedule_checked(fn, args, priority, deadline, period, wcet, at,
                                              delay, on_miss, miss_callback)
        if deadline is not None:
            if type(deadline) is not int:
                return self._schedule_checked(fn, args, priority, deadline, period, wcet, at,
                                              delay, on_miss, miss_callback)
            d = engine_as_int64(deadline, &overflow)
            if overflow or not (0 <= d < ENGINE_FOREVER):
                return self._schedule_checked(fn, args, priority, deadline, period, wcet, at,
                                              delay, on_miss, miss_callback)
        now = self.now()
        if deadline is None:
            d = now + per if 0 < per <= ENGINE_FOREVER - now else ENGINE_FOREVER
        elif per and d <= now:
            return self._schedule_checked(fn, args, priority, deadline, period, wcet, at, delay,
                                          on_miss, miss_callback)
        task_id = self._queue.add(now, now, d, per, w, p, -1, (fn, args, 0, None))
        if task_id < 0:
            return self._schedule_checked(fn, args, priority, deadline, period, wcet, at, delay,
                                          on_miss, miss_callback)
        if now < self._notify_before:
            self._notify(now)
        return task_id

    def _schedule_checked(self, fn, args, priority, deadline, period, wcet, at, delay, on_miss,
                          miss_callback):
        raise NotImplementedError  # provided by SchedulerCore

    def _notify(self, release):
        pass

    def cancel(self, task_id):
        """Remove a queued task in O(log n); a running periodic task is not re-released.

        Raises
        ------
        TaskNotFoundError
            When ``task_id`` is unknown, finished, or a one-shot task already running.
        """
        if type(task_id) is not int:
            task_id = _task_id(task_id)
        if not (-ENGINE_FOREVER <= task_id <= ENGINE_FOREVER) or self._queue.cancel(task_id) == 0:
            raise TaskNotFoundError(f"no queued task with id {task_id}")

    def pop_next(self):
        """Remove the first released task in policy order without running it; its id or None."""
        return self._queue.pop_one(self.now())

    cpdef int64_t _run_loop(self, object stop_at, bint until_idle, int64_t spin,
                            bint simulated) except -1:
        """Dispatch until stopped, ``stop_at`` passes, or (``until_idle``) nothing is left."""
        cdef TaskQueue q = self._queue
        cdef int64_t stop = ENGINE_FOREVER if stop_at is None else <int64_t> stop_at
        cdef int64_t now, late, s, tag, task_id, n = 0
        cdef tuple task
        while not self._stopping:
            now = self.now()
            if now >= stop:
                break
            s = q.take(now, &late)
            if s < 0:
                if until_idle and q.n_ready + q.n_pending + q.running == 0:
                    break
                target = q.next_release()
                if stop_at is not None and (target is None or target > stop):
                    target = stop
                if target is None and simulated and q.running == 0:
                    break  # simulated time with nothing left that could ever arrive
                self._wait_until(target, spin)
                continue
            task = <tuple> q.slots[s].payload
            tag = q.slots[s].tag
            task_id = q.id_of(s)
            if late > 0 and <int> task[2] != 0:
                self._missed(task_id, task, late, now)
                continue
            try:
                if tag < 0:
                    result = task[0](*<tuple> task[1])
                else:
                    result = task[0](tag)
                if result is not None and iscoroutine(result):
                    result.close()
                    self._start_coroutine(task_id, now, result)  # raises: needs a loop
            except Exception as exc:
                self._task_failed(task_id, exc)
            q.complete(task_id, now, self.now())
            n += 1
        return n

    cpdef int64_t _dispatch_ready(self) except -1:
        """Run every released callback now; stop after starting one coroutine.

        Returns the number of jobs started.
        """
        cdef TaskQueue q = self._queue
        cdef int64_t now, late, s, tag, task_id, n = 0
        cdef tuple task
        while True:
            now = self.now()
            s = q.take(now, &late)
            if s < 0:
                break
            task = <tuple> q.slots[s].payload
            tag = q.slots[s].tag
            task_id = q.id_of(s)
            if late > 0 and <int> task[2] != 0:
                self._missed(task_id, task, late, now)
                continue
            n += 1
            try:
                if tag < 0:
                    result = task[0](*<tuple> task[1])
                else:
                    result = task[0](tag)
            except Exception as exc:
                self._task_failed(task_id, exc)
                q.complete(task_id, now, self.now())
                continue
            if result is not None and iscoroutine(result):
                self._start_coroutine(task_id, now, result)
                break
            q.complete(task_id, now, self.now())
        return n
