from collections.abc import Callable
from typing import Any

from ._queue import TaskQueue
from .deadline import Deadline

def _task_id(task_id: object) -> int: ...

class Engine:
    _queue: TaskQueue
    _clock: Callable[[], int]
    _notify_before: int
    _stopping: bool
    def __init__(self, queue: TaskQueue, clock: Callable[[], int]) -> None: ...
    def schedule(
        self,
        fn: Callable[..., Any],
        /,
        *args: Any,
        priority: int = ...,
        deadline: int | Deadline | None = None,
        period: int | None = None,
        wcet: int | None = None,
        at: int | None = None,
        delay: int | None = None,
        on_miss: str = "run_late",
        miss_callback: Callable[[int, int], object] | None = None,
    ) -> int: ...
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
        miss_callback: Callable[[int, int], object] | None,
    ) -> int: ...
    def _notify(self, release: int) -> None: ...
    def cancel(self, task_id: int) -> None: ...
    def pop_next(self) -> int | None: ...
    def _now(self) -> int: ...
    def _run_loop(
        self, stop_at: int | None, until_idle: bool, spin: int, simulated: bool
    ) -> int: ...
    def _dispatch_ready(self) -> int: ...
