"""The thread executor: run tasks on the calling thread or a pool of worker threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

from ._scheduler_base import Clock, ErrorHook, ExecutorHooks, SchedulerBase
from ._validation import FOREVER, NEVER, ns
from .errors import InvalidTaskError
from .policy import Policy
from .realtime import RT_SPIN_CAP_NS, RealtimeStatus, realtime_thread, validate_cpus

__all__ = ["Scheduler"]

Sleep = Callable[[int], object]
IDLE_POLL_S = 0.05  # upper bound on one blocking wait; wake-ups normally come earlier


class Scheduler(SchedulerBase):
    """A deadline-aware task scheduler with a Cython ready queue.

    Parameters
    ----------
    policy
        ``"edf"`` (default), ``"fixed_priority"``, ``"rate_monotonic"``,
        ``"least_laxity"`` or ``"fifo"`` (see :class:`Policy`).
    clock
        Returns the current time in integer nanoseconds (default
        ``time.monotonic_ns``). Inject a fake clock for simulated time.
    sleep
        ``sleep(ns)`` used instead of the precise wait; with a simulated clock it
        must advance that clock (and executors never spin).
    spin_threshold_ns
        Sleep until this long before a release, then spin on the clock.
    workers
        Number of threads that run tasks; 1 runs them on the calling thread.
    max_queue_size
        Raise :class:`QueueFull` beyond this many queued tasks.
    on_error
        ``on_error(task_id, exception)`` for exceptions raised by tasks (default:
        logged). The loop keeps running either way.
    realtime, cpu_affinity, realtime_priority, realtime_fallback
        Linux only: run executor threads under ``SCHED_FIFO`` at
        ``realtime_priority`` with 1 ns timer slack, pinned to ``cpu_affinity``. When
        SCHED_FIFO is refused, ``realtime_fallback="raise"`` raises
        :class:`RealtimeUnavailable` (a ``PermissionError``); ``"warn"`` logs and
        runs without it. Spinning is capped (see :mod:`nanosecond_scheduler.realtime`).

    Examples
    --------
    >>> from nanosecond_scheduler import Deadline, Scheduler
    >>> ran = []
    >>> s = Scheduler("edf")
    >>> for name, us in [("b", 300), ("a", 100), ("c", 500)]:
    ...     _ = s.schedule(ran.append, name, deadline=Deadline.from_micros(us))
    >>> s.run_until_idle()
    3
    >>> ran
    ['a', 'b', 'c']
    """

    def __init__(
        self,
        policy: Policy | str = "edf",
        *,
        clock: Clock = time.monotonic_ns,
        sleep: Sleep | None = None,
        spin_threshold_ns: int = 200_000,
        workers: int = 1,
        max_queue_size: int | None = None,
        on_error: ErrorHook | None = None,
        realtime: bool = False,
        cpu_affinity: Iterable[int] | None = None,
        realtime_priority: int = 10,
        realtime_fallback: str = "raise",
    ) -> None:
        if sleep is not None and not callable(sleep):
            raise InvalidTaskError("sleep must be callable or None")
        super().__init__(
            policy,
            clock=clock,
            max_queue_size=max_queue_size,
            on_error=on_error,
            hooks=_ThreadHooks(self, on_error),
        )
        self.spin_threshold_ns = ns("spin_threshold_ns", spin_threshold_ns)
        self.workers = ns("workers", workers, positive=True)
        if realtime_fallback not in ("raise", "warn"):
            raise InvalidTaskError(
                f"realtime_fallback must be 'raise' or 'warn', got {realtime_fallback!r}"
            )
        if not 1 <= int(realtime_priority) <= 99:
            raise InvalidTaskError(f"realtime_priority must be 1..99, got {realtime_priority}")
        self.realtime = bool(realtime)
        self.cpu_affinity = validate_cpus(cpu_affinity)
        self.realtime_priority = int(realtime_priority)
        self.realtime_fallback = realtime_fallback
        self.realtime_status: RealtimeStatus | None = None
        self._sleep = sleep
        self._wake = threading.Event()
        self._sleepers = 0

    # --------------------------------------------------------------- executors

    def run_until_idle(self) -> int:
        """Run tasks (waiting for future releases) until none is queued or running.

        Periodic tasks never let the scheduler go idle; use :meth:`run` for them.
        Returns the number of jobs dispatched.
        """
        return self._execute(None, until_idle=True)

    def run(self, duration: int | None = None, *, until: int | None = None) -> int:
        """Run tasks for ``duration`` ns, or until the clock reaches ``until``."""
        if (duration is None) == (until is None):
            raise InvalidTaskError("give exactly one of duration= or until=")
        stop_at = until if duration is None else self._clock() + ns("duration", duration)
        return self._execute(ns("until", stop_at), until_idle=False)

    def run_forever(self) -> int:
        """Run tasks until :meth:`stop` is called (from a task or another thread)."""
        return self._execute(None, until_idle=False)

    def stop(self) -> None:
        """Make a running executor return after the job in progress."""
        self._stopping = True
        self._wake.set()

    def _execute(self, stop_at: int | None, until_idle: bool) -> int:
        self._stopping = False
        if self.workers == 1:
            return self._worker(stop_at, until_idle)
        counts = [0] * self.workers
        failures: list[BaseException] = []

        def work(i: int) -> None:
            try:
                counts[i] = self._worker(stop_at, until_idle)
            except BaseException as exc:  # re-raised on the calling thread
                failures.append(exc)
                self.stop()

        threads = [
            threading.Thread(target=work, args=(i,), name=f"nanosecond-scheduler-{i}")
            for i in range(self.workers)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if failures:
            raise failures[0]
        return sum(counts)

    def _worker(self, stop_at: int | None, until_idle: bool) -> int:
        if not self.realtime and self.cpu_affinity is None:
            return self._loop(stop_at, until_idle, self.spin_threshold_ns)
        with realtime_thread(
            realtime=self.realtime,
            cpus=self.cpu_affinity,
            fifo_priority=self.realtime_priority,
            fallback=self.realtime_fallback,
        ) as rt:
            self.realtime_status = rt.status
            spin = self.spin_threshold_ns
            if rt.status.fifo:
                spin = min(spin, RT_SPIN_CAP_NS)
            return self._loop(stop_at, until_idle, spin)

    def _loop(self, stop_at: int | None, until_idle: bool, spin: int) -> int:
        return self._run_loop(stop_at, until_idle, spin, self._sleep is not None)


class _ThreadHooks(ExecutorHooks):
    """How the thread executor waits and is woken (see ``Dispatcher``)."""

    def __init__(self, scheduler: Scheduler, on_error: ErrorHook | None) -> None:
        super().__init__(on_error)
        self.scheduler = scheduler

    def notify(self, release: int) -> None:
        s = self.scheduler
        if s._sleepers:
            s._wake.set()

    def wait_until(self, target: int | None, spin: int) -> None:
        """Sleep until shortly before ``target``, then spin; return early on new work."""
        s = self.scheduler
        clock = s._clock
        if s._sleep is not None:
            if target is not None:
                remaining = target - clock()
                if remaining > 0:
                    s._sleep(remaining)
            return
        remaining = int(IDLE_POLL_S * 1e9) if target is None else target - clock()
        if remaining > spin:
            queue = s._queue
            with s._lock:
                s._sleepers += 1
                s._notify_before = FOREVER  # every schedule() now calls notify
            s._wake.clear()
            # Re-check after announcing the sleep: work queued before this point is
            # seen here, work queued after it sets the event (see notify).
            nr = queue.next_release()
            if not (
                s._stopping
                or queue.has_ready(clock())
                or (nr is not None and (target is None or nr < target))
            ):
                s._wake.wait(min((remaining - spin) / 1e9, IDLE_POLL_S))
            with s._lock:
                s._sleepers -= 1
                if not s._sleepers:
                    s._notify_before = NEVER
            return
        if target is None:
            return
        # A task queued during the spin waits for it to end (at most ``spin`` ns).
        while clock() < target and not s._stopping:
            pass
