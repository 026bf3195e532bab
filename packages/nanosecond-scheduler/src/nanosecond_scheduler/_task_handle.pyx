"""The awaitable handle that ``AsyncScheduler.schedule`` returns (compiled: one is
made for every task, so it costs what a tuple does, not what a Python object does)."""

import asyncio
import weakref

from libc.stdint cimport int64_t

cdef extern from "Python.h":
    void gc_track "PyObject_GC_Track" (object o) noexcept
    int gc_is_tracked "PyObject_GC_IsTracked" (object o) noexcept

cdef object Future = asyncio.Future
cdef object CancelledError = asyncio.CancelledError
cdef object InvalidStateError = asyncio.InvalidStateError
cdef object get_running_loop = asyncio.get_running_loop

# The outcomes ``resolve`` takes, for Python callers.
HANDLE_DONE = DONE
HANDLE_FAILED = FAILED
HANDLE_CANCELLED = CANCELLED


cdef class TaskHandle:
    """One task scheduled on an ``AsyncScheduler``: its id, and its outcome to await.

    ``await handle`` returns what the task returned (a coroutine function's result),
    raises what it raised, raises :class:`~nanosecond_scheduler.DeadlineMissed` when
    its miss policy skipped it, and :class:`asyncio.CancelledError` when it was
    cancelled. A periodic task's handle completes only when the task is cancelled
    (each job's errors go to ``on_error``). Cancelling the awaiting coroutine (for
    example ``asyncio.wait_for`` timing out) cancels the task, as awaiting a future
    does.

    The handle stands for its id: ``int(handle)``, ``handle == task_id`` and
    ``hash(handle) == hash(task_id)``, and every method that takes a task id takes a
    handle.
    """

    def __init__(self, int64_t task_id, owner):
        self.id = task_id
        self.owner = weakref.ref(owner)
        self.state = PENDING

    cdef void track(self) noexcept:
        # A pending handle holds only its id and a weak reference to its scheduler, so
        # the dispatcher leaves it untracked by the cyclic GC (thousands of queued
        # handles would otherwise be traversed by every collection); once it holds a
        # value or listeners, which may lead back to it, it is tracked again.
        if not gc_is_tracked(self):
            gc_track(self)

    # ------------------------------------------------------------- the id

    def __index__(self):
        return self.id

    def __int__(self):
        return self.id

    def __eq__(self, other):
        if isinstance(other, TaskHandle):
            return self.id == (<TaskHandle> other).id
        if isinstance(other, int) and not isinstance(other, bool):
            return self.id == other
        return NotImplemented

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self):
        return hash(self.id)

    def __repr__(self):
        names = {PENDING: "pending", DONE: "done", FAILED: "failed", CANCELLED: "cancelled"}
        return f"<TaskHandle id={self.id} {names[self.state]}>"

    # -------------------------------------------------------- the outcome

    def done(self):
        """True once the task finished, failed, was skipped or was cancelled."""
        return self.state != PENDING

    def cancelled(self):
        """True when the task was cancelled (or taken by ``pop_next``/``pop_ready``)."""
        return self.state == CANCELLED

    def result(self):
        """What the task returned; raises its exception, or ``CancelledError``.

        Raises :class:`asyncio.InvalidStateError` while the task is pending.
        """
        if self.state == PENDING:
            raise InvalidStateError(f"task {self.id} has not finished")
        if self.state == CANCELLED:
            raise CancelledError(f"task {self.id} was cancelled")
        if self.state == FAILED:
            raise self.value
        return self.value

    def exception(self):
        """The exception the task raised (or was skipped with), or None."""
        if self.state == PENDING:
            raise InvalidStateError(f"task {self.id} has not finished")
        if self.state == CANCELLED:
            raise CancelledError(f"task {self.id} was cancelled")
        return self.value if self.state == FAILED else None

    def cancel(self):
        """Cancel the task: unqueue it, or cancel its running coroutine.

        Returns False when it already finished (or is a callback running right now).
        """
        if self.state != PENDING:
            return False
        owner = self.owner()
        return False if owner is None else owner.cancel_handle(self)

    def add_done_callback(self, fn):
        """Call ``fn(handle)`` once the task is done (at once if it already is)."""
        if self.state != PENDING:
            fn(self)
        elif self.listeners is None:
            self.track()
            self.listeners = [fn]
        else:
            self.listeners.append(fn)

    def __await__(self):
        if self.state == PENDING:
            waiter = get_running_loop().create_future()
            if self.listeners is None:
                self.track()
                self.listeners = [waiter]
            else:
                self.listeners.append(waiter)
            try:
                yield from waiter.__await__()
            except CancelledError:
                if self.state == PENDING:
                    self.cancel()  # the awaiting task was cancelled: so is this task
                raise
        return self.result()

    cpdef resolve(self, int state, object value):
        """Set the outcome (DONE, FAILED with the exception, or CANCELLED), once."""
        if self.state != PENDING:
            return
        self.state = state
        if value is not None:
            self.track()
        self.value = value
        listeners = self.listeners
        self.listeners = None
        if listeners is None:
            return
        for listener in listeners:
            if isinstance(listener, Future):
                if not listener.done():
                    listener.set_result(None)
            else:
                listener(self)
