"""asyncio integration: the same policies, dispatching inside a running event loop."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable
from typing import Any

from ._core import FOREVER, Clock, ErrorHook, SchedulerCore
from .policy import Policy

__all__ = ["AsyncScheduler"]


class AsyncScheduler(SchedulerCore):
    """Dispatch callbacks and coroutine functions in policy order on an asyncio loop.

    :meth:`schedule` accepts plain callables (run inside the dispatch step) and
    coroutine functions (started with ``loop.create_task`` in policy order; the job
    completes, for statistics and periodic re-release, when the coroutine returns).
    One loop callback drains every released callback, so many tasks cost one loop
    wake-up; after starting a coroutine the drain yields once so that the
    coroutine's first step runs before the next task starts. The clock must advance
    like the loop's (default ``time.monotonic_ns``). Like the loop itself, an
    ``AsyncScheduler`` is used from the loop's thread (other threads go through
    ``loop.call_soon_threadsafe``).

    Examples
    --------
    >>> import asyncio, time
    >>> from nanosecond_scheduler import AsyncScheduler
    >>> async def main():
    ...     started = []
    ...     sched = AsyncScheduler("edf")
    ...     async def job(name):
    ...         started.append(name)
    ...     now = time.monotonic_ns()
    ...     for name, d in [("late", 3_000_000), ("soon", 1_000_000), ("mid", 2_000_000)]:
    ...         _ = sched.schedule(job, name, deadline=now + d)
    ...     await sched.join()
    ...     return started
    >>> asyncio.run(main())
    ['soon', 'mid', 'late']
    """

    def __init__(
        self,
        policy: Policy | str = "edf",
        *,
        clock: Clock = time.monotonic_ns,
        max_queue_size: int | None = None,
        on_error: ErrorHook | None = None,
    ) -> None:
        super().__init__(policy, clock=clock, max_queue_size=max_queue_size, on_error=on_error)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._handle: asyncio.Handle | asyncio.TimerHandle | None = None
        self._armed_for: int | None = None
        self._coroutines: set[asyncio.Task[Any]] = set()
        self._idle: asyncio.Event | None = None
        self._notify_before = FOREVER

    def _notify(self, release: int) -> None:
        if self._loop is None:
            try:
                self._loop = asyncio.get_running_loop()
            except RuntimeError:
                return  # armed by join() once a loop runs
        self._arm()

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

    def _start_coroutine(self, task_id: int, start: int, coro: Any) -> None:
        # The drain stops after this, so the coroutine's first step runs before the
        # next task starts: coroutines and callbacks start in one policy order.
        assert self._loop is not None
        job = self._loop.create_task(coro)
        self._coroutines.add(job)
        job.add_done_callback(functools.partial(self._coroutine_done, task_id, start))

    def _coroutine_done(self, task_id: int, start: int, job: asyncio.Task[Any]) -> None:
        self._coroutines.discard(job)
        if not job.cancelled() and job.exception() is not None:
            exc = job.exception()
            assert exc is not None
            self._task_failed(task_id, exc)
        self._queue.complete(task_id, start, self._clock())
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

    def close(self) -> None:
        """Stop dispatching: cancel the pending drain and every queued task."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
            self._armed_for = None
        self._notify_before = FOREVER
        self.clear()

    async def wait_for(self, aw: Awaitable[Any]) -> Any:
        """Await ``aw`` while this scheduler dispatches (convenience for scripts)."""
        self._loop = asyncio.get_running_loop()
        self._arm()
        return await aw
