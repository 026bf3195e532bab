"""asyncio integration: the same policies, dispatching inside a running event loop."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ._dispatcher import task_id_value
from ._scheduler_base import Clock, ErrorHook, ExecutorHooks, SchedulerBase
from ._task_handle import HANDLE_CANCELLED as CANCELLED
from ._task_handle import HANDLE_DONE as DONE
from ._task_handle import HANDLE_FAILED as FAILED
from ._task_handle import TaskHandle
from ._validation import FOREVER
from .errors import SchedulerClosed, TaskNotFoundError
from .policy import Policy

__all__ = ["AsyncScheduler"]


class AsyncScheduler(SchedulerBase):
    """Dispatch callbacks and coroutine functions in policy order on an asyncio loop.

    :meth:`schedule` accepts plain callables (run inside the dispatch step) and
    coroutine functions (started with ``loop.create_task`` in policy order; the job
    completes, for statistics and periodic re-release, when the coroutine returns),
    and returns a :class:`TaskHandle`: ``await`` it for the task's result or
    exception, ``cancel()`` it to cancel the task. One loop callback drains every
    released callback, so many tasks cost one loop wake-up; after starting a
    coroutine the drain yields once so that the coroutine's first step runs before
    the next task starts. The clock must advance like the loop's (default
    ``time.monotonic_ns``). Like the loop itself, an ``AsyncScheduler`` is used from
    the loop's thread (other threads go through ``loop.call_soon_threadsafe``).
    After :meth:`close` it refuses new tasks with :class:`SchedulerClosed`.

    Examples
    --------
    >>> import asyncio, time
    >>> from nanosecond_scheduler import AsyncScheduler
    >>> async def main():
    ...     started = []
    ...     sched = AsyncScheduler("edf")
    ...     async def job(name):
    ...         started.append(name)
    ...         return name.upper()
    ...     now = time.monotonic_ns()
    ...     handles = [
    ...         sched.schedule(job, name, deadline=now + d)
    ...         for name, d in [("late", 3_000_000), ("soon", 1_000_000), ("mid", 2_000_000)]
    ...     ]
    ...     results = await asyncio.gather(*handles)
    ...     return started, results
    >>> asyncio.run(main())
    (['soon', 'mid', 'late'], ['LATE', 'SOON', 'MID'])
    """

    def __init__(
        self,
        policy: Policy | str = "edf",
        *,
        clock: Clock = time.monotonic_ns,
        max_queue_size: int | None = None,
        on_error: ErrorHook | None = None,
    ) -> None:
        super().__init__(
            policy,
            clock=clock,
            max_queue_size=max_queue_size,
            on_error=on_error,
            hooks=_AsyncHooks(self, on_error),
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._handle: asyncio.Handle | asyncio.TimerHandle | None = None
        self._armed_for: int | None = None
        self._coroutines: dict[int, asyncio.Task[Any]] = {}
        self._idle: asyncio.Event | None = None
        self._notify_before = FOREVER
        self._make_handles = True  # schedule() returns handles

    # ------------------------------------------------------------------ submit

    if TYPE_CHECKING:
        # The compiled Dispatcher.schedule returns a TaskHandle here (see _make_handles).
        def schedule(  # type: ignore[override]
            self, fn: Callable[..., Any], /, *args: Any, **options: Any
        ) -> TaskHandle: ...

    def schedule_many(
        self, fn: Callable[[int], Any], count: int | None = None, **options: Any
    ) -> npt.NDArray[np.int64]:
        """:meth:`Scheduler.schedule_many`: ids, no handles (``join()`` waits for them)."""
        if self._closed:
            raise SchedulerClosed("this AsyncScheduler is closed; it accepts no more tasks")
        return super().schedule_many(fn, count, **options)

    # ------------------------------------------------------------------ manage

    def cancel(self, task_id: int) -> None:
        """Remove a queued task (its handle is cancelled); see :meth:`Scheduler.cancel`."""
        tid = task_id_value(task_id)
        payload = self._queue.payload(tid)
        super().cancel(tid)
        if self._queue.info(tid) is None:  # removed, not a running periodic task
            _resolve(payload, CANCELLED)

    def pop_next(self) -> int | None:
        """Take the first released task without running it; its handle is cancelled."""
        queued = dict(self._queue.queued_payloads())  # O(n): the handles travel in payloads
        task_id = super().pop_next()
        if task_id is not None and self._queue.info(task_id) is None:
            _resolve(queued.get(task_id), CANCELLED)
        return task_id

    def pop_ready(self, n: int = 1) -> npt.NDArray[np.int64]:
        """Take up to ``n`` released tasks without running them; their handles are cancelled."""
        queued = dict(self._queue.queued_payloads())
        ids = super().pop_ready(n)
        for task_id in ids.tolist():
            if self._queue.info(task_id) is None:
                _resolve(queued.get(task_id), CANCELLED)
        return ids

    def clear(self) -> int:
        """Cancel every queued task (and its handle); return how many were removed."""
        queued = self._queue.queued_payloads()
        n = super().clear()
        for _task_id, payload in queued:
            _resolve(payload, CANCELLED)
        return n

    def close(self) -> None:
        """Stop dispatching: cancel the pending drain and every queued task, and refuse
        new ones. Coroutines already running finish."""
        self._closed = True
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
            self._armed_for = None
        self._notify_before = FOREVER
        self.clear()

    @property
    def closed(self) -> bool:
        """True after :meth:`close`."""
        return self._closed

    # --------------------------------------------------------------- dispatch

    def _arm(self) -> None:
        """Make sure a drain runs at the next release (now if something is ready)."""
        loop = self._loop
        assert loop is not None
        queue = self._queue
        now = self._clock()
        target = now if queue.has_ready(now) else queue.next_release()
        if target is None:
            return
        if self._handle is not None:
            if self._armed_for is not None and self._armed_for <= target:
                return
            self._handle.cancel()
        self._armed_for = target
        self._notify_before = target  # later releases are covered by this drain
        if target <= now:
            self._handle = loop.call_soon(self._drain)
        else:
            self._handle = loop.call_later((target - now) / 1e9, self._drain)

    def _drain(self) -> None:
        self._handle = None
        self._armed_for = None
        self._notify_before = FOREVER
        self._dispatch_ready()
        self._arm()
        self._check_idle()

    def _coroutine_done(self, task_id: int, start: int, job: asyncio.Task[Any]) -> None:
        self._coroutines.pop(task_id, None)
        info = self._queue.info(task_id)
        periodic = info is not None and info[2] > 0
        outcome: int
        if job.cancelled():
            outcome, value = CANCELLED, None
        elif job.exception() is not None:
            outcome, value = FAILED, job.exception()
            assert value is not None
            self._hooks.task_failed(task_id, value)
        else:
            outcome, value = DONE, job.result()
        if periodic:
            outcome = CANCELLED  # a periodic task ends only by cancel
        payload = self._queue.payload(task_id)
        if not self._queue.complete(task_id, start, self._clock()):
            _resolve(payload, outcome, value)
        self._arm()  # a periodic coroutine was re-released
        self._check_idle()

    def _check_idle(self) -> None:
        if self._idle is not None and self._queue.n_active == 0:
            self._idle.set()

    async def join(self) -> None:
        """Wait until no task is queued or running (periodic tasks keep it busy)."""
        self._loop = asyncio.get_running_loop()
        self._arm()
        while self._queue.n_active:
            self._idle = asyncio.Event()
            self._check_idle()
            await self._idle.wait()
        self._idle = None

    async def wait_for(self, aw: Awaitable[Any]) -> Any:
        """Await ``aw`` while this scheduler dispatches (convenience for scripts)."""
        self._loop = asyncio.get_running_loop()
        self._arm()
        return await aw


def _resolve(payload: Any, state: int, value: Any = None) -> None:
    """Resolve the handle a task's payload carries (its fifth item), if any."""
    if payload is not None and len(payload) > 4:
        payload[4].resolve(state, value)


class _AsyncHooks(ExecutorHooks):
    """How the asyncio executor is woken, starts coroutines and resolves handles."""

    def __init__(self, scheduler: AsyncScheduler, on_error: ErrorHook | None) -> None:
        super().__init__(on_error)
        self.scheduler = scheduler

    def notify(self, release: int) -> None:
        s = self.scheduler
        if s._loop is None:
            try:
                s._loop = asyncio.get_running_loop()
            except RuntimeError:
                return  # armed by join() once a loop runs
        s._arm()

    def start_coroutine(self, task_id: int, start: int, coro: Any) -> None:
        # The drain stops after this, so the coroutine's first step runs before the
        # next task starts: coroutines and callbacks start in one policy order.
        s = self.scheduler
        assert s._loop is not None
        job = s._loop.create_task(coro)
        s._coroutines[task_id] = job
        job.add_done_callback(functools.partial(s._coroutine_done, task_id, start))

    def cancel_handle(self, handle: TaskHandle) -> bool:
        """Cancel a handle's task: unqueue it, or cancel its running coroutine."""
        s = self.scheduler
        job = s._coroutines.get(handle.id)
        if job is not None:
            s._queue.cancel(handle.id)  # a periodic task is not re-released
            return job.cancel()
        try:
            s.cancel(handle.id)
        except TaskNotFoundError:
            return False
        return True
