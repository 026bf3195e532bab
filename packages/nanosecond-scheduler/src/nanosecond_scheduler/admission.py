"""Admission control for periodic task sets on one processor.

The executors run every job to completion, so by default ``admit`` uses
**non-preemptive** analyses, in integer time (a job released at the instant another
one starts is seen first, so a running job blocks for at most its wcet minus one):

- ``rate_monotonic`` / ``fixed_priority``: the revised non-preemptive response-time
  analysis of Davis, Burns, Bril & Lukkien (2007): blocking by one lower-priority job,
  every job of the level-i busy period. Exact for distinct priorities (periods under
  ``rate_monotonic``); with ties, equal-priority tasks count both as blockers and as
  interference, which is safe but may refuse a schedulable set.
- ``edf``: the processor-demand test with blocking of George, Rivierre & Spuri (1996),
  which for implicit deadlines is Jeffay, Stanat & Martel's (1991) condition. Exact.
- ``least_laxity``: the executor orders ready jobs by ``deadline - wcet`` (their
  laxity at the dispatch instant, as none has started), which is non-preemptive EDF on
  the deadlines ``D - C``; the set is admitted when that EDF test, or the work-
  conserving busy-period bound, shows every job finishes in time. Sufficient only.
- ``fifo``: the work-conserving busy-period bound (every job finishes within the
  longest busy period). Sufficient only.

``preemptive=True`` gives the classic preemptive analyses, for tasks that yield
(split their work into short jobs): exact response-time analysis (Joseph & Pandya;
Audsley et al.) with the Liu & Layland bound reported for ``rate_monotonic``; the
exact processor-demand (demand-bound function) test of Baruah, Rosier & Howell (1990)
for ``edf`` and for ``least_laxity`` (true least-laxity-first is optimal on one
processor, Mok 1983, so it schedules exactly the EDF-feasible sets).

Analyses whose busy period would span more than ``MAX_STEPS`` jobs or test points give
up and refuse the set, saying the answer is unknown. The executors modelled are one
processor running jobs to completion: ``Scheduler`` with one worker and
``AsyncScheduler`` callbacks. Coroutine tasks that ``await`` (they interleave) and
``Scheduler(workers=N > 1)`` (a multiprocessor) are outside every analysis here.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from fractions import Fraction
from typing import Any

from .errors import InvalidTaskError
from .policy import Policy

__all__ = ["AdmissionResult", "PeriodicTask", "admit"]

MAX_STEPS = 1_000_000  # jobs or test points one analysis may visit before giving up


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

    Times are integers in any one unit (ns, µs, ...; tell :func:`admit` which with
    ``unit_ns`` unless it is nanoseconds). ``deadline`` defaults to ``period`` and
    must not exceed it; ``priority`` (larger first) is used by ``fixed_priority``.

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
    time in input order, or None where it exceeds the deadline. ``exact`` says whether
    a refusal means the set really can miss (True) or only that the test, sufficient
    but not necessary, could not show it safe. Truthy when admitted.
    """

    admitted: bool
    policy: str
    utilization: float
    bound: float | None
    response_times: tuple[int | None, ...] | None
    reason: str
    preemptive: bool = False
    exact: bool = False

    def __bool__(self) -> bool:
        return self.admitted

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Unknown(Exception):
    """An analysis gave up (too many jobs or test points); the message says why."""


def liu_layland_bound(n: int) -> float:
    """``n (2^(1/n) - 1)``: rate-monotonic utilisation bound for n implicit-deadline tasks."""
    return n * (2.0 ** (1.0 / n) - 1.0) if n else 1.0


def _fixed_point(f: Any, start: int, limit: int | None = None) -> int | None:
    """Least fixed point of the non-decreasing ``f`` at or above ``start``, iterating up.

    None once the iterate exceeds ``limit``; :class:`_Unknown` after MAX_STEPS steps.
    """
    x = start
    if limit is not None and x > limit:
        return None
    for _ in range(MAX_STEPS):
        nxt = f(x)
        if nxt == x:
            return x
        if limit is not None and nxt > limit:
            return None
        x = nxt
    raise _Unknown(f"a busy-period iteration did not settle within {MAX_STEPS} steps")


def response_time(task: PeriodicTask, higher: list[PeriodicTask]) -> int | None:
    """Worst-case response time under preemptive fixed priority, or None if > deadline."""
    assert task.deadline is not None
    if task.wcet == 0:
        return 0  # nothing to run, nothing to wait for
    return _fixed_point(
        lambda r: task.wcet + sum(-(-r // t.period) * t.wcet for t in higher),
        task.wcet + sum(t.wcet for t in higher),
        task.deadline,
    )


def np_response_time(
    task: PeriodicTask, higher: Sequence[PeriodicTask], blocking: int
) -> int | None:
    """Worst-case response time under non-preemptive fixed priority, or None if > deadline.

    Davis, Burns, Bril & Lukkien (2007), in integer time: ``higher`` may run before
    ``task`` and ``blocking`` is the longest a lower-priority job already running can
    keep the processor (its wcet - 1). Every job of the level-i busy period is checked,
    as a job's own earlier jobs can push it past its deadline even when the first job
    meets its own.
    """
    assert task.deadline is not None
    c, period = task.wcet, task.period
    hep = [*higher, task]
    if sum(Fraction(t.wcet, t.period) for t in hep) > 1:
        return None
    if sum(Fraction(t.wcet, t.period) for t in hep) == 1 and blocking > 0:
        return None  # the level-i busy period never ends: the backlog grows without bound
    busy = _fixed_point(
        lambda t: blocking + sum(-(-t // x.period) * x.wcet for x in hep),
        max(1, blocking + sum(x.wcet for x in hep)),
    )
    assert busy is not None
    jobs = max(1, -(-busy // period))
    if jobs > MAX_STEPS:
        raise _Unknown(f"the level-i busy period holds {jobs} jobs of one task")
    worst = 0
    for q in range(jobs):
        # Job q starts once blocking, q earlier jobs and every higher job released up
        # to (and at) that instant have run.
        start = _fixed_point(
            lambda w, q=q: blocking + q * c + sum((w // x.period + 1) * x.wcet for x in higher),
            blocking + q * c + sum(x.wcet for x in higher),
            task.deadline + q * period - c,
        )
        if start is None:
            return None
        worst = max(worst, start + c - q * period)
    return worst


def _busy_period(tasks: Sequence[PeriodicTask], blocking: int = 0) -> int | None:
    """Longest busy period (blocking + all work released in it); None when unbounded."""
    u = sum(Fraction(t.wcet, t.period) for t in tasks)
    if u > 1 or (u == 1 and blocking > 0):
        return None
    if u == 1:
        return math.lcm(*(t.period for t in tasks))  # the synchronous pattern repeats
    return _fixed_point(
        lambda t: blocking + sum(-(-t // x.period) * x.wcet for x in tasks),
        max(1, blocking + sum(x.wcet for x in tasks)),
    )


def _demand_points(tasks: Sequence[PeriodicTask], horizon: int) -> list[int]:
    """Every absolute deadline ``D + k T`` up to ``horizon`` of a synchronous release."""
    count = sum(max(0, (horizon - t.deadline) // t.period + 1) for t in tasks if t.deadline)
    if count > MAX_STEPS:
        raise _Unknown(f"the demand test would check {count} deadlines")
    points: set[int] = set()
    for t in tasks:
        assert t.deadline is not None
        points.update(range(t.deadline, horizon + 1, t.period))
    return sorted(points)


def _demand(tasks: Sequence[PeriodicTask], t: int) -> int:
    """Demand-bound function: work released in [0, t) and due by t, synchronous release."""
    total = 0
    for x in tasks:
        assert x.deadline is not None
        if t >= x.deadline:
            total += ((t - x.deadline) // x.period + 1) * x.wcet
    return total


def edf_demand_violation(tasks: Sequence[PeriodicTask], *, preemptive: bool) -> int | None:
    """First interval length whose demand (plus blocking) exceeds it; None if none does.

    Preemptive: ``dbf(t) <= t`` (Baruah, Rosier & Howell 1990). Non-preemptive:
    ``dbf(t) + max(C_k - 1 : D_k > t) <= t`` (George, Rivierre & Spuri 1996; Jeffay,
    Stanat & Martel 1991 for implicit deadlines), checked at every deadline of the
    longest busy period (with blocking). Needs utilisation <= 1.
    """
    blockers = [] if preemptive else sorted(((t.deadline, t.wcet - 1) for t in tasks), reverse=True)
    blocking_max = max((b for _, b in blockers), default=0)
    horizon = _busy_period(tasks, max(blocking_max, 0))
    if horizon is None:
        # Utilisation 1 with blocking: beyond the longest deadline blocking is gone and
        # the demand grows by exactly one hyperperiod per hyperperiod.
        horizon = math.lcm(*(t.period for t in tasks)) + max(t.deadline or 0 for t in tasks)
    for t in _demand_points(tasks, horizon):
        block = max((b for d, b in blockers if d is not None and d > t), default=0)
        if _demand(tasks, t) + max(block, 0) > t:
            return t
    return None


def _busy_period_bound(tasks: Sequence[PeriodicTask]) -> tuple[bool, str]:
    """Any work-conserving order: every job ends within the longest busy period."""
    busy = _busy_period(tasks)
    shortest = min(t.deadline or t.period for t in tasks)
    if busy is not None and busy <= shortest:
        return True, f"the longest busy period ({busy}) fits in the shortest deadline ({shortest})"
    length = "unbounded" if busy is None else str(busy)
    return False, f"the longest busy period ({length}) exceeds the shortest deadline ({shortest})"


def admit(
    tasks: Iterable[PeriodicTask],
    policy: Policy | str = "rate_monotonic",
    *,
    preemptive: bool = False,
    unit_ns: int = 1,
) -> AdmissionResult:
    """Decide whether ``tasks`` meet every deadline under ``policy`` on one processor.

    Parameters
    ----------
    tasks
        The :class:`PeriodicTask` set (sporadic release: at least ``period`` apart).
    policy
        ``rate_monotonic`` (default), ``fixed_priority``, ``edf``, ``least_laxity``
        or ``fifo``.
    preemptive
        False (default): the analysis of the executors this package ships, which run
        each job to completion. True: the classic preemptive analyses, for tasks that
        yield between short jobs.
    unit_ns
        Nanoseconds per unit of the tasks' times (1000 for microseconds). The
        executors' clock ticks in nanoseconds, so a running job can block a newly
        released one for its wcet minus one nanosecond, not minus one of your units:
        the non-preemptive analyses need the unit to be exact (and safe). Response
        times are reported in your unit, rounded up.

    Examples
    --------
    >>> ts = [PeriodicTask(1, 4), PeriodicTask(2, 6), PeriodicTask(3, 12)]
    >>> r = admit(ts, "rate_monotonic")
    >>> r.admitted, r.response_times
    (True, (3, 5, 6))
    >>> admit(ts, "rate_monotonic", preemptive=True).response_times
    (1, 3, 10)
    >>> admit([PeriodicTask(1, 2), PeriodicTask(3, 10)], "edf").admitted
    False
    >>> admit([PeriodicTask(1, 2), PeriodicTask(3, 10)], "edf", preemptive=True).reason
    'no interval demands more than its length (utilisation 0.800, preemptive processor-demand test)'
    """
    p = Policy.coerce(policy)
    task_list = list(tasks)
    for t in task_list:
        if not isinstance(t, PeriodicTask):
            raise InvalidTaskError(f"admit() takes PeriodicTask items, got {type(t).__name__}")
    if not isinstance(preemptive, bool):
        raise InvalidTaskError(f"preemptive must be True or False, got {preemptive!r}")
    unit = _positive_int("unit_ns", unit_ns)
    if unit != 1 and not preemptive:
        # Analyse in clock ticks; report response times back in the caller's unit.
        result = admit(
            [
                PeriodicTask(
                    t.wcet * unit, t.period * unit, (t.deadline or 0) * unit, t.priority, t.name
                )
                for t in task_list
            ],
            p,
        )
        if result.response_times is not None:
            times = tuple(None if r is None else -(-r // unit) for r in result.response_times)
            result = replace(result, response_times=times)
        return replace(result, reason=f"{result.reason} (analysed in ns, unit_ns={unit})")
    if not task_list:
        return AdmissionResult(True, p.value, 0.0, 1.0, (), "no tasks", preemptive, True)
    u_exact = sum(Fraction(t.wcet, t.period) for t in task_list)
    u = float(u_exact)
    mode = "preemptive" if preemptive else "non-preemptive"
    try:
        if p in (Policy.RATE_MONOTONIC, Policy.FIXED_PRIORITY):
            return _fixed_priority(task_list, p, u, preemptive)
        if u_exact > 1:
            return AdmissionResult(
                False, p.value, u, 1.0, None, f"utilisation {u:.3f} > 1", preemptive, True
            )
        if p is Policy.EDF or (p is Policy.LEAST_LAXITY and preemptive):
            bad = edf_demand_violation(task_list, preemptive=preemptive)
            test = f"{mode} processor-demand test"
            if bad is None:
                reason = f"no interval demands more than its length (utilisation {u:.3f}, {test})"
            else:
                extra = "" if preemptive else " plus blocking"
                reason = f"jobs due within {bad} need more than {bad}{extra} ({test})"
            return AdmissionResult(bad is None, p.value, u, 1.0, None, reason, preemptive, True)
        ok, reason = _busy_period_bound(task_list)
        if p is Policy.LEAST_LAXITY and not ok:
            shifted = [
                PeriodicTask(t.wcet, t.period, (t.deadline or t.period) - t.wcet)
                for t in task_list
                if (t.deadline or t.period) > t.wcet
            ]
            if len(shifted) == len(task_list) and (
                edf_demand_violation(shifted, preemptive=False) is None
            ):
                ok = True
                reason = (
                    "non-preemptive EDF on deadlines D - C (the order least_laxity uses) "
                    "finishes every job in time"
                )
        reason += "; a sufficient test only" if not ok else ""
        return AdmissionResult(ok, p.value, u, 1.0, None, f"{reason} ({mode})", preemptive, False)
    except _Unknown as exc:
        return AdmissionResult(
            False, p.value, u, None, None, f"UNKNOWN, refused: {exc}", preemptive, False
        )


def _fixed_priority(
    task_list: list[PeriodicTask], p: Policy, u: float, preemptive: bool
) -> AdmissionResult:
    n = len(task_list)
    if p is Policy.RATE_MONOTONIC:
        rank = [t.period for t in task_list]  # smaller runs first
    else:
        rank = [-t.priority for t in task_list]
    exact = preemptive or len(set(rank)) == n
    times: list[int | None] = [None] * n
    for i, t in enumerate(task_list):
        if preemptive:
            # The classic analysis: ties go to the task listed first.
            higher = [x for j, x in enumerate(task_list) if (rank[j], j) < (rank[i], i)]
            times[i] = response_time(t, higher)
        else:
            # The executor breaks ties by deadline and submission order, which vary
            # from job to job: count an equal task both as interference and as a
            # blocker (safe).
            higher = [x for j, x in enumerate(task_list) if j != i and rank[j] <= rank[i]]
            lower = [x.wcet - 1 for j, x in enumerate(task_list) if j != i and rank[j] >= rank[i]]
            times[i] = np_response_time(t, higher, max(0, *lower) if lower else 0)
    bound = liu_layland_bound(n) if preemptive else None
    implicit = all(t.deadline == t.period for t in task_list)
    analysis = "preemptive" if preemptive else "non-preemptive, with blocking"
    failing = [i for i in range(n) if times[i] is None]
    if failing:
        i = failing[0]
        t = task_list[i]
        label = t.name or f"task {i}"
        reason = (
            f"{label} (wcet {t.wcet}, period {t.period}, deadline {t.deadline}) can miss: its "
            f"worst-case response time ({analysis}) exceeds the deadline; utilisation {u:.3f}"
        )
        if not exact:
            reason += "; tied priorities make this a sufficient test only"
        return AdmissionResult(False, p.value, u, bound, tuple(times), reason, preemptive, exact)
    if preemptive and p is Policy.RATE_MONOTONIC and implicit and bound and u <= bound:
        reason = f"utilisation {u:.3f} <= Liu & Layland bound {bound:.3f}"
    else:
        reason = (
            f"every worst-case response time ({analysis}) is within its deadline "
            f"(utilisation {u:.3f})"
        )
    return AdmissionResult(True, p.value, u, bound, tuple(times), reason, preemptive, exact)
