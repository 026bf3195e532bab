"""Admission control for periodic task sets on one processor.

- ``rate_monotonic`` / ``fixed_priority``: exact response-time analysis (Joseph &
  Pandya; Audsley et al.) for deadlines at most the period; the Liu & Layland bound
  ``n (2^(1/n) - 1)`` is reported as well (sufficient for rate-monotonic with
  implicit deadlines).
- ``edf`` / ``least_laxity``: ``U <= 1`` (exact for implicit deadlines); with some
  deadline shorter than its period the density ``sum C/D <= 1`` is used, which is
  sufficient but not necessary, and a refusal says so.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from .errors import InvalidTaskError
from .policy import Policy

__all__ = ["AdmissionResult", "PeriodicTask", "admit"]


def _positive_int(name: str, value: object, *, allow_zero: bool = False) -> int:
    if isinstance(value, float) and math.isnan(value):
        raise InvalidTaskError(f"{name} must be a number, got NaN")
    try:
        v = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise InvalidTaskError(f"{name} must be an integer, got {type(value).__name__}") from None
    if v < 0 or (v == 0 and not allow_zero):
        raise InvalidTaskError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {v}")
    return int(v)


@dataclass(frozen=True)
class PeriodicTask:
    """A periodic task for admission: ``wcet`` every ``period``, due ``deadline`` after release.

    Times are integers in any one unit (ns, µs, ...). ``deadline`` defaults to
    ``period`` and must not exceed it; ``priority`` (larger first) is used by
    ``fixed_priority``.

    Examples
    --------
    >>> PeriodicTask(wcet=1, period=4)
    PeriodicTask(wcet=1, period=4, deadline=4, priority=0, name='')
    """

    wcet: int
    period: int
    deadline: int | None = None
    priority: int = 0
    name: str = ""

    def __post_init__(self) -> None:
        wcet = _positive_int("wcet", self.wcet, allow_zero=True)
        period = _positive_int("period", self.period)
        deadline = period if self.deadline is None else _positive_int("deadline", self.deadline)
        if wcet > period:
            raise InvalidTaskError(f"wcet ({wcet}) must not exceed period ({period})")
        if deadline > period:
            raise InvalidTaskError(f"deadline ({deadline}) must not exceed period ({period})")
        object.__setattr__(self, "wcet", wcet)
        object.__setattr__(self, "period", period)
        object.__setattr__(self, "deadline", deadline)
        object.__setattr__(self, "priority", operator.index(self.priority))


@dataclass(frozen=True)
class AdmissionResult:
    """Whether a task set is schedulable, and why.

    ``response_times`` (fixed-priority policies) holds each task's worst-case response
    time in input order, or None where it exceeds the deadline. Truthy when admitted.
    """

    admitted: bool
    policy: str
    utilization: float
    bound: float | None
    response_times: tuple[int | None, ...] | None
    reason: str

    def __bool__(self) -> bool:
        return self.admitted

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def liu_layland_bound(n: int) -> float:
    """``n (2^(1/n) - 1)``: rate-monotonic utilisation bound for n implicit-deadline tasks."""
    return n * (2.0 ** (1.0 / n) - 1.0) if n else 1.0


def response_time(task: PeriodicTask, higher: list[PeriodicTask]) -> int | None:
    """Worst-case response time under preemptive fixed priority, or None if > deadline."""
    assert task.deadline is not None
    if task.wcet == 0:
        return 0  # nothing to run, nothing to wait for
    r = task.wcet + sum(t.wcet for t in higher)
    while r <= task.deadline:
        nxt = task.wcet + sum(-(-r // t.period) * t.wcet for t in higher)
        if nxt == r:
            return r
        r = nxt
    return None


def admit(
    tasks: Iterable[PeriodicTask], policy: Policy | str = "rate_monotonic"
) -> AdmissionResult:
    """Decide whether ``tasks`` meet every deadline under ``policy`` on one processor.

    Examples
    --------
    >>> ts = [PeriodicTask(1, 4), PeriodicTask(2, 6), PeriodicTask(3, 12)]
    >>> r = admit(ts, "rate_monotonic")
    >>> r.admitted, r.response_times
    (True, (1, 3, 10))
    >>> round(r.utilization, 3), round(r.bound, 3)
    (0.833, 0.78)
    >>> admit(ts + [PeriodicTask(1, 12)], "edf").reason
    'utilisation 0.917 <= 1 (exact for implicit deadlines)'
    """
    p = Policy.coerce(policy)
    task_list = list(tasks)
    for t in task_list:
        if not isinstance(t, PeriodicTask):
            raise InvalidTaskError(f"admit() takes PeriodicTask items, got {type(t).__name__}")
    n = len(task_list)
    u = sum(t.wcet / t.period for t in task_list)
    implicit = all(t.deadline == t.period for t in task_list)
    if p in (Policy.EDF, Policy.LEAST_LAXITY):
        if implicit:
            ok = u <= 1.0
            rel = "<=" if ok else ">"
            return AdmissionResult(
                ok,
                p.value,
                u,
                1.0,
                None,
                f"utilisation {u:.3f} {rel} 1 (exact for implicit deadlines)",
            )
        density = sum(t.wcet / (t.deadline or t.period) for t in task_list)
        ok = density <= 1.0
        reason = (
            f"density {density:.3f} <= 1"
            if ok
            else f"density {density:.3f} > 1; a sufficient test only (deadlines shorter "
            "than periods), the set may still be feasible"
        )
        if u > 1.0:
            ok, reason = False, f"utilisation {u:.3f} > 1"
        return AdmissionResult(ok, p.value, u, 1.0, None, reason)
    if p not in (Policy.RATE_MONOTONIC, Policy.FIXED_PRIORITY):
        raise InvalidTaskError(
            f"admission analysis covers rate_monotonic, fixed_priority, edf and least_laxity, "
            f"not {p.value!r}"
        )
    if p is Policy.RATE_MONOTONIC:
        order = sorted(range(n), key=lambda i: (task_list[i].period, i))
    else:
        order = sorted(range(n), key=lambda i: (-task_list[i].priority, i))
    bound = liu_layland_bound(n)
    times: list[int | None] = [None] * n
    for rank, i in enumerate(order):
        times[i] = response_time(task_list[i], [task_list[j] for j in order[:rank]])
    failing = [i for i in range(n) if times[i] is None]
    if failing:
        i = failing[0]
        t = task_list[i]
        label = t.name or f"task {i}"
        reason = (
            f"{label} (wcet {t.wcet}, period {t.period}, deadline {t.deadline}) can miss: its "
            f"worst-case response time exceeds the deadline; utilisation {u:.3f}"
        )
        return AdmissionResult(False, p.value, u, bound, tuple(times), reason)
    if p is Policy.RATE_MONOTONIC and implicit and u <= bound:
        reason = f"utilisation {u:.3f} <= Liu & Layland bound {bound:.3f}"
    else:
        reason = f"every response time is within its deadline (utilisation {u:.3f})"
    return AdmissionResult(True, p.value, u, bound, tuple(times), reason)
