from collections.abc import Callable
from typing import Any

from ._queue import TaskQueue
from .deadline import Deadline

def task_id_value(task_id: object) -> int: ...
def clock_value(value: object) -> int: ...

class Dispatcher:
    _queue: TaskQueue
    _clock: Callable[[], int]
    _hooks: Any
    _notify_before: int
    _stopping: bool
    _make_handles: bool
    _closed: bool
    def __init__(self, queue: TaskQueue, clock: Callable[[], int], hooks: Any) -> None: ...
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
    def cancel(self, task_id: int) -> None: ...
    def pop_next(self) -> int | None: ...
    def _now(self) -> int: ...
    def _run_loop(
        self, stop_at: int | None, until_idle: bool, spin: int, simulated: bool
    ) -> int: ...
    def _dispatch_ready(self) -> int: ...
