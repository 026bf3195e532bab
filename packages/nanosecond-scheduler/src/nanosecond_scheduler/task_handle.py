"""The awaitable handle that :meth:`AsyncScheduler.schedule` returns."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Generator
from typing import Any, Protocol

__all__ = ["TaskHandle"]

_PENDING, _DONE, _FAILED, _CANCELLED = "pending", "done", "failed", "cancelled"


class _Canceller(Protocol):
    def cancel_handle(self, handle: TaskHandle) -> bool: ...


class TaskHandle:
    """One scheduled task: its id, and its outcome to await.

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

    Examples
    --------
    >>> import asyncio
    >>> from nanosecond_scheduler import AsyncScheduler
    >>> async def main():
    ...     sched = AsyncScheduler("edf")
    ...     async def double(x):
    ...         return 2 * x
    ...     handle = sched.schedule(double, 21)
    ...     return await handle, handle == handle.id, handle.done()
    >>> asyncio.run(main())
    (42, True, True)
    """

    __slots__ = ("_callbacks", "_owner", "_state", "_value", "_waiters", "id")

    def __init__(self, task_id: int, owner: _Canceller) -> None:
        self.id = task_id
        self._owner = owner
        self._state = _PENDING
        self._value: Any = None
        self._waiters: list[asyncio.Future[None]] = []
        self._callbacks: list[Callable[[TaskHandle], object]] = []

    # ------------------------------------------------------------- the id

    def __index__(self) -> int:
        return self.id

    def __int__(self) -> int:
        return self.id

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TaskHandle):
            return self.id == other.id
        if isinstance(other, int) and not isinstance(other, bool):
            return self.id == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return f"<TaskHandle id={self.id} {self._state}>"

    # -------------------------------------------------------- the outcome

    def done(self) -> bool:
        """True once the task finished, failed, was skipped or was cancelled."""
        return self._state != _PENDING

    def cancelled(self) -> bool:
        return self._state == _CANCELLED

    def result(self) -> Any:
        """What the task returned; raises its exception, or ``CancelledError``.

        Raises :class:`asyncio.InvalidStateError` while the task is pending.
        """
        if self._state == _PENDING:
            raise asyncio.InvalidStateError(f"task {self.id} has not finished")
        if self._state == _CANCELLED:
            raise asyncio.CancelledError(f"task {self.id} was cancelled")
        if self._state == _FAILED:
            raise self._value
        return self._value

    def exception(self) -> BaseException | None:
        """The exception the task raised (or was skipped with), or None."""
        if self._state == _PENDING:
            raise asyncio.InvalidStateError(f"task {self.id} has not finished")
        if self._state == _CANCELLED:
            raise asyncio.CancelledError(f"task {self.id} was cancelled")
        return self._value if self._state == _FAILED else None

    def cancel(self) -> bool:
        """Cancel the task: unqueue it, or cancel its running coroutine.

        Returns False when it already finished (or is a callback running right now).
        """
        if self._state != _PENDING:
            return False
        return self._owner.cancel_handle(self)

    def add_done_callback(self, fn: Callable[[TaskHandle], object]) -> None:
        """Call ``fn(handle)`` once the task is done (at once if it already is)."""
        if self._state != _PENDING:
            fn(self)
        else:
            self._callbacks.append(fn)

    def __await__(self) -> Generator[Any, None, Any]:
        if self._state == _PENDING:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                yield from waiter.__await__()
            except asyncio.CancelledError:
                if self._state == _PENDING:
                    self.cancel()  # the awaiting task was cancelled: so is this task
                raise
        return self.result()

    # --------------------------------------------- set by the scheduler only

    def set_outcome(self, state: str, value: Any = None) -> None:
        """Resolve the handle (``"done"``, ``"failed"`` or ``"cancelled"``); once only."""
        if self._state != _PENDING:
            return
        self._state = state
        self._value = value
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()
        callbacks, self._callbacks = self._callbacks, []
        for fn in callbacks:
            fn(self)
