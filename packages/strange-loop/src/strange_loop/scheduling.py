"""Meta-update cycles on nanosecond-scheduler, with deadlines; late cycles are deferred.

Each meta cycle is submitted to an EDF :class:`nanosecond_scheduler.Scheduler` with a
start-by deadline ``now + budget - expected_cost``, where ``expected_cost`` is a
moving average of measured cycle times, and ``on_miss="callback"``. A cycle predicted
to overrun its budget (its deadline already passed when it would start) is not run:
the scheduler reports the miss, the cycle is counted in ``deferred`` and its
statistics stay pending, merged into the next cycle. Nothing is dropped silently.
After ``max_deferrals`` deferrals in a row the cycle runs anyway (counted in
``forced``) so adaptation cannot starve. A cycle that ran but finished past its
budget is counted in ``overran``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import nanosecond_scheduler as nss

from ._validation import as_int

__all__ = ["CycleScheduler"]


class CycleScheduler:
    """Runs meta cycles under a time budget (nanoseconds).

    Examples
    --------
    >>> class Clock:
    ...     t = 0
    ...     def __call__(self): return self.t
    >>> clock = Clock()
    >>> def slow():
    ...     clock.t += 2_000   # this cycle takes 2 µs of simulated time
    >>> cs = CycleScheduler(1_000, clock=clock)
    >>> cs.run_cycle(slow), cs.run_cycle(slow)   # the first teaches the cost
    (True, False)
    >>> cs.deferred, cs.overran
    (1, 1)
    """

    def __init__(
        self,
        budget_ns: int,
        *,
        clock: Callable[[], int] = time.monotonic_ns,
        max_deferrals: int = 4,
        smoothing: float = 0.2,
    ) -> None:
        self.budget_ns = as_int(budget_ns, "budget_ns", minimum=1)
        self.max_deferrals = as_int(max_deferrals, "max_deferrals", minimum=0)
        self.smoothing = float(smoothing)
        self.clock = clock
        self.scheduler = nss.Scheduler("edf", clock=clock)
        self.expected_cost_ns = 0.0
        self.ran = 0
        self.deferred = 0
        self.forced = 0
        self.overran = 0
        self._streak = 0

    def run_cycle(self, fn: Callable[[], Any]) -> bool:
        """Run ``fn`` now unless it would miss its deadline; True when it ran."""
        start = self.clock()
        forced = self._streak >= self.max_deferrals
        slack = self.budget_ns - int(self.expected_cost_ns)
        # a deadline already in the past is a predicted miss: the scheduler calls
        # `missed` instead of the task
        deadline = start + self.budget_ns if forced else (start + slack if slack > 0 else start - 1)
        outcome: list[bool] = []

        def run() -> None:
            t0 = self.clock()
            fn()
            cost = self.clock() - t0
            if self.ran:
                self.expected_cost_ns += self.smoothing * (cost - self.expected_cost_ns)
            else:  # the first measurement replaces the initial guess of 0
                self.expected_cost_ns = float(cost)
            if t0 + cost > start + self.budget_ns:
                self.overran += 1
            outcome.append(True)

        def missed(task_id: int, late_ns: int) -> None:
            outcome.append(False)

        if forced:  # runs even if it starts late (counted in `overran` if it ends late)
            self.scheduler.schedule(run, deadline=deadline)
        else:
            self.scheduler.schedule(
                run, deadline=deadline, on_miss="callback", miss_callback=missed
            )
        self.scheduler.run_until_idle()
        if outcome and outcome[0]:
            self.ran += 1
            if forced:
                self.forced += 1
            self._streak = 0
            return True
        self.deferred += 1
        self._streak += 1
        return False

    def stats(self) -> dict[str, Any]:
        return {
            "ran": self.ran,
            "deferred": self.deferred,
            "forced": self.forced,
            "overran": self.overran,
            "expected_cost_ns": self.expected_cost_ns,
            "budget_ns": self.budget_ns,
        }
