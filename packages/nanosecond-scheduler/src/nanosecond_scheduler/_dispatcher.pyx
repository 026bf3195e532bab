"""The compiled dispatcher: submitting one task and running the released ones.

A ``Dispatcher`` holds the ``TaskQueue``, the clock and a hooks object; the thread
and asyncio executors differ only in their hooks (how to wait, how to report a
failure, a miss, a coroutine or a finished job). ``schedule`` reads the common
argument types (exact ints, ``Priority``, ``None``) as C integers in one parser,
``read_fast``; anything else goes once through the validating Python function
``validate_task``, which returns the same normalised values or raises, so both
paths accept and refuse the same inputs. The dispatch loops call tasks with the GIL
held and call into Python only through the hooks.
"""

from libc.stdint cimport int64_t

import operator
import time
import weakref
from asyncio import iscoroutine

from ._queue cimport TaskQueue
from ._task_handle cimport CANCELLED, DONE, FAILED, PENDING, TaskHandle
from ._validation import validate_task
from .errors import (
    DeadlineMissed,
    InvalidTaskError,
    QueueFull,
    SchedulerClosed,
    TaskNotFoundError,
)
from .priority import Priority

cdef extern from *:
    """
    #define DISPATCH_FOREVER INT64_MAX
    #define DISPATCH_NEVER INT64_MIN
    #if defined(__linux__)
    #include <time.h>
    /* What time.monotonic_ns() reads on Linux, without a Python call or int object. */
    static int64_t dispatch_monotonic_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000000000LL + (int64_t)ts.tv_nsec;
    }
    #define DISPATCH_NATIVE_CLOCK 1
    #else
    static int64_t dispatch_monotonic_ns(void) { return 0; }
    #define DISPATCH_NATIVE_CLOCK 0
    #endif
    """
    int64_t DISPATCH_FOREVER
    int64_t DISPATCH_NEVER
    bint DISPATCH_NATIVE_CLOCK
    int64_t dispatch_monotonic_ns() noexcept nogil
    # The value of an int (or int subclass) known to be one: never fails, sets
    # ``overflow`` instead of raising when it does not fit in 64 bits.
    int64_t as_int64 "PyLong_AsLongLongAndOverflow" (object o, int* overflow) noexcept
    void gc_untrack "PyObject_GC_UnTrack" (object o) noexcept

def task_id_value(task_id):
    """``task_id`` as an int64 int, or :class:`TaskNotFoundError`."""
    if type(task_id) is not int:
        try:
            task_id = operator.index(task_id)
        except TypeError:
            raise TaskNotFoundError(f"task ids are ints, got {type(task_id).__name__}") from None
    if not (-DISPATCH_FOREVER <= task_id <= DISPATCH_FOREVER):
        raise TaskNotFoundError(f"no queued task with id {task_id}")  # ids are int64
    return task_id


def clock_value(value):
    """A clock reading as an int; a float (seconds?) is refused rather than truncated."""
    if isinstance(value, (bool, float)):
        raise InvalidTaskError(
            f"clock must return integer nanoseconds, got {type(value).__name__} {value!r}"
        )
    try:
        return operator.index(value)
    except TypeError:
        raise InvalidTaskError(
            f"clock must return integer nanoseconds, got {type(value).__name__}"
        ) from None


cdef inline int resolve(tuple task, bint periodic, int state, object value) except -1:
    """Resolve the handle of a task that ended for good (a periodic one by cancel)."""
    if len(task) > 4:
        (<TaskHandle> task[4]).resolve(CANCELLED if periodic else state, value)
    return 0


cdef int64_t PRIORITY_LIMIT = (<int64_t> 1) << 62
cdef object PRIORITY_TYPE = Priority
cdef object MEDIUM = Priority.MEDIUM
cdef int64_t MEDIUM_VALUE = Priority.MEDIUM


cdef struct Spec:
    int64_t release
    int64_t deadline
    int64_t period
    int64_t wcet
    int64_t priority


cdef inline bint read_int(object value, int64_t low, int64_t high, int64_t* out) noexcept:
    """``value`` is an exact int (or Priority) within [low, high]: store it, return True."""
    cdef int overflow = 0
    if type(value) is not int and type(value) is not PRIORITY_TYPE:
        return False
    out[0] = as_int64(value, &overflow)
    return not overflow and low <= out[0] <= high


cdef inline bint read_fast(int64_t now, object priority, object deadline, object period,
                           object wcet, Spec* spec) noexcept:
    """The common ``schedule`` arguments as C integers; False sends the call to the
    validating path, which also words the error for a value refused here."""
    spec.release = now
    if priority is MEDIUM:
        spec.priority = MEDIUM_VALUE
    elif not read_int(priority, -PRIORITY_LIMIT + 1, PRIORITY_LIMIT - 1, &spec.priority):
        return False
    spec.period = 0
    if period is not None and (
        type(period) is not int or not read_int(period, 1, DISPATCH_FOREVER - 1, &spec.period)
    ):
        return False
    spec.wcet = 0
    if wcet is not None and (
        type(wcet) is not int or not read_int(wcet, 0, DISPATCH_FOREVER - 1, &spec.wcet)
        or (spec.period and spec.wcet > spec.period)
    ):
        return False
    if deadline is None:
        if spec.period and spec.period <= DISPATCH_FOREVER - now:
            spec.deadline = now + spec.period
        else:
            spec.deadline = DISPATCH_FOREVER
        return True
    if type(deadline) is not int or not read_int(deadline, 0, DISPATCH_FOREVER - 1,
                                                 &spec.deadline):
        return False
    return not (spec.period and spec.deadline <= now)


cdef class Dispatcher:
    """Queue, clock and hooks; the compiled submit and dispatch paths.

    The executors subclass it for its compiled public methods; it calls back only
    into ``_hooks``, an object with ``notify(release)``, ``wait_until(target, spin)``,
    ``task_failed(task_id, exc)``, ``missed(task_id, miss_callback, late)``,
    ``start_coroutine(task_id, start, coro)``. With ``_make_handles`` set,
    ``schedule`` returns a :class:`TaskHandle` instead of the id; it travels as the
    payload's fifth item, where the dispatch loops find and resolve it without a
    lookup.
    """

    cdef readonly TaskQueue _queue
    cdef readonly object _clock
    cdef public object _hooks
    cdef bint native_clock              # _clock is time.monotonic_ns: read it directly
    cdef public int64_t _notify_before   # schedule() calls hooks.notify for releases before this
    cdef public bint _stopping
    cdef public bint _make_handles       # schedule() returns a TaskHandle (kept in the payload)
    cdef object _owner_ref               # weakref to _hooks, shared by every handle
    cdef int64_t job_end                 # when the last job run_job finished ended
    cdef public bint _closed             # schedule() refuses new tasks

    def __init__(self, TaskQueue queue, clock, hooks):
        self._queue = queue
        self._clock = clock
        self._hooks = hooks
        self.native_clock = DISPATCH_NATIVE_CLOCK and clock is time.monotonic_ns
        self._notify_before = DISPATCH_NEVER
        self._stopping = False
        self._make_handles = False
        self._closed = False
        self._owner_ref = weakref.ref(hooks)

    cdef inline int64_t now(self) except? -1:
        if self.native_clock:
            return dispatch_monotonic_ns()
        value = self._clock()
        if type(value) is not int:
            value = clock_value(value)
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

        Returns
        -------
        int or TaskHandle
            The task id; :class:`AsyncScheduler` returns an awaitable
            :class:`TaskHandle` that carries it.

        Raises
        ------
        InvalidTaskError
            For a non-callable ``fn`` or an invalid time, priority or miss argument.
        QueueFull
            When ``max_queue_size`` tasks are already queued.
        SchedulerClosed
            After ``AsyncScheduler.close()``.
        """
        cdef Spec spec
        cdef int64_t task_id
        cdef TaskHandle handle = None
        if self._closed:
            raise SchedulerClosed("this scheduler is closed; it accepts no more tasks")
        cdef int64_t now = self.now()
        if self._make_handles:
            handle = TaskHandle.__new__(TaskHandle)
            handle.owner = self._owner_ref
            handle.state = PENDING
        if (
            at is None and delay is None and miss_callback is None
            and type(on_miss) is str and on_miss == "run_late" and callable(fn)
            and read_fast(now, priority, deadline, period, wcet, &spec)
        ):
            payload = (fn, args, 0, None) if handle is None else (fn, args, 0, None, handle)
        else:
            (spec.release, spec.deadline, spec.period, spec.wcet, spec.priority,
             payload) = validate_task(now, fn, args, priority, deadline, period, wcet, at,
                                      delay, on_miss, miss_callback)
            if handle is not None:
                payload = payload + (handle,)
        # The queue's reference to the payload is invisible to the cyclic GC, which
        # therefore could never free it while queued; untracked, it also costs nothing
        # in each collection (100k queued tasks made GC a tenth of the dispatch time).
        # A pending handle is untracked for the same reason (see TaskHandle.track).
        gc_untrack(payload)
        task_id = self._queue.add(now, spec.release, spec.deadline, spec.period, spec.wcet,
                                  spec.priority, -1, payload)
        if task_id < 0:
            raise QueueFull(f"max_queue_size={self._queue.max_queued} tasks are already queued")
        if spec.release < self._notify_before:
            self._hooks.notify(spec.release)
        if handle is None:
            return task_id
        handle.id = task_id
        gc_untrack(handle)
        return handle

    def cancel(self, task_id):
        """Remove a queued task in O(log n); a running periodic task is not re-released.

        Raises
        ------
        TaskNotFoundError
            When ``task_id`` is unknown, finished, or a one-shot task already running.
        """
        if type(task_id) is not int:
            task_id = task_id_value(task_id)
        if not (-DISPATCH_FOREVER <= task_id <= DISPATCH_FOREVER) or self._queue.cancel(task_id) == 0:
            raise TaskNotFoundError(f"no queued task with id {task_id}")

    def pop_next(self):
        """Remove the first released task in policy order without running it; its id or None."""
        return self._queue.pop_one(self.now())

    cdef int64_t run_job(self, int64_t s, int64_t now, int64_t late) except -1:
        """Run the job in slot ``s`` (taken at ``now``); 1 if it ran, 2 if it started a
        coroutine (still running), 0 if its miss policy skipped it."""
        cdef TaskQueue q = self._queue
        cdef tuple task = <tuple> q.slots[s].payload
        cdef int64_t tag = q.slots[s].tag
        cdef int64_t task_id = q.id_of(s)
        cdef bint periodic = q.slots[s].period > 0
        if late > 0 and <int> task[2] != 0:
            self._hooks.missed(task_id, task[3], late)
            if not q.skip(task_id, now) and self._make_handles:
                resolve(task, periodic, FAILED, DeadlineMissed(task_id, late))
            return 0
        try:
            if tag >= 0:
                result = task[0](tag)
            elif len(<tuple> task[1]) == 0:
                result = task[0]()  # a vectorcall, no argument tuple to unpack
            else:
                result = task[0](*<tuple> task[1])
            if result is not None and iscoroutine(result):
                self._hooks.start_coroutine(task_id, now, result)
                return 2
        except Exception as exc:
            self._hooks.task_failed(task_id, exc)
            self.job_end = self.now()
            if not q.complete(task_id, now, self.job_end) and self._make_handles:
                resolve(task, periodic, FAILED, exc)
            return 1
        self.job_end = self.now()
        if not q.complete(task_id, now, self.job_end) and self._make_handles:
            resolve(task, periodic, DONE, result)
        return 1

    cpdef int64_t _run_loop(self, object stop_at, bint until_idle, int64_t spin,
                            bint simulated) except -1:
        """Dispatch until stopped, ``stop_at`` passes, or (``until_idle``) nothing is left."""
        cdef TaskQueue q = self._queue
        cdef int64_t stop = DISPATCH_FOREVER if stop_at is None else <int64_t> stop_at
        cdef int64_t now = 0, late, s, ran, n = 0
        cdef bint have_now = False
        while not self._stopping:
            if not have_now:
                now = self.now()
            have_now = False
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
                self._hooks.wait_until(target, spin)
                continue
            ran = self.run_job(s, now, late)
            if ran:
                n += 1
            if ran == 1:
                now = self.job_end  # read just now: the next job starts at it
                have_now = True
        return n

    cpdef int64_t _dispatch_ready(self) except -1:
        """Run every released callback now; stop after starting one coroutine.

        Returns the number of jobs started.
        """
        cdef TaskQueue q = self._queue
        cdef int64_t now, late, s, ran, n = 0
        while True:
            now = self.now()
            s = q.take(now, &late)
            if s < 0:
                break
            ran = self.run_job(s, now, late)
            if ran:
                n += 1
            if ran == 2:
                break
        return n
