from typing import Any

import numpy as np
import numpy.typing as npt

from ._histogram import LatencyHistogram

POLICY_CODES: dict[str, int]

class TaskQueue:
    policy: int
    max_queued: int
    running: int
    scheduled: int
    completed: int
    missed: int
    skipped: int
    cancelled: int
    taken: int
    latency: LatencyHistogram
    lateness: LatencyHistogram
    jitter: LatencyHistogram
    def __init__(self, policy: int, max_queued: int = 0, capacity: int = 64) -> None: ...
    @property
    def n_queued(self) -> int: ...
    @property
    def n_active(self) -> int: ...
    def add(
        self,
        now: int,
        release: int,
        deadline: int,
        period: int,
        wcet: int,
        priority: int,
        tag: int,
        payload: object,
    ) -> int: ...
    def add_many(
        self,
        now: int,
        release: npt.NDArray[np.int64],
        deadline: npt.NDArray[np.int64],
        wcet: npt.NDArray[np.int64],
        priority: npt.NDArray[np.int64],
        payload: object,
        ids_out: npt.NDArray[np.int64],
    ) -> int: ...
    def pop(self, now: int) -> tuple[int, Any, int, int] | None: ...
    def complete(self, task_id: int, start: int, end: int) -> bool: ...
    def skip(self, task_id: int, now: int) -> bool: ...
    def cancel(self, task_id: int) -> int: ...
    def update(
        self,
        task_id: int,
        now: int,
        release: int,
        deadline: int,
        period: int,
        wcet: int,
        priority: int,
    ) -> int: ...
    def payload(self, task_id: int) -> Any: ...
    def queued_payloads(self) -> list[tuple[int, Any]]: ...
    def info(self, task_id: int) -> tuple[int, int, int, int, int, int] | None: ...
    def pop_many(self, now: int, ids_out: npt.NDArray[np.int64]) -> int: ...
    def pop_one(self, now: int) -> int | None: ...
    def next_release(self) -> int | None: ...
    def has_ready(self, now: int) -> bool: ...
    def clear(self) -> int: ...
