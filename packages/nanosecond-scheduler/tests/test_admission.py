import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nanosecond_scheduler import InvalidTaskError, PeriodicTask, admit
from nanosecond_scheduler.admission import liu_layland_bound


def test_rm_response_times_match_hand_computation():
    # R1 = 1; R2 = 2 + ceil(3/4)*1 = 3; R3: 6 -> 7 -> 9 -> 10 -> 10 (3 + 3*1 + 2*2).
    r = admit([PeriodicTask(1, 4), PeriodicTask(2, 6), PeriodicTask(3, 12)], preemptive=True)
    assert r.admitted and r.response_times == (1, 3, 10)
    assert r.utilization == pytest.approx(1 / 4 + 2 / 6 + 3 / 12)
    assert r.bound == pytest.approx(3 * (2 ** (1 / 3) - 1))
    assert r.utilization > r.bound  # exact analysis admits what the bound cannot
    assert "response time" in r.reason and bool(r) is True


def test_rm_refusal_names_the_task():
    # R3: 7 -> 3 + 2*2 + 2*2 = 11 -> 3 + 3*2 + 2*2 = 13 > 12.
    r = admit(
        [PeriodicTask(2, 4), PeriodicTask(2, 6), PeriodicTask(3, 12, name="logger")],
        preemptive=True,
    )
    assert not r.admitted and r.response_times == (2, 4, None)
    assert "logger" in r.reason and "exceeds the deadline" in r.reason
    assert r.to_dict()["admitted"] is False


def test_liu_layland_bound_admission():
    r = admit(
        [PeriodicTask(1, 4), PeriodicTask(1, 5), PeriodicTask(1, 10)],
        "rate_monotonic",
        preemptive=True,
    )
    assert r.admitted and r.response_times == (1, 2, 3)
    assert "Liu & Layland" in r.reason
    assert liu_layland_bound(1) == 1.0
    assert liu_layland_bound(2) == pytest.approx(0.8284271)
    assert liu_layland_bound(1000) == pytest.approx(math.log(2), abs=1e-3)


def test_fixed_priority_uses_the_given_priorities():
    # The period-6 task has higher priority: R = 2; the period-4 task: 1 + 2 = 3 <= 4.
    r = admit(
        [PeriodicTask(1, 4, priority=1), PeriodicTask(2, 6, priority=3)],
        "fixed_priority",
        preemptive=True,
    )
    assert r.admitted and r.response_times == (3, 2)


def test_constrained_deadlines():
    r = admit([PeriodicTask(1, 4, deadline=2), PeriodicTask(2, 6, deadline=3)], preemptive=True)
    assert r.admitted and r.response_times == (1, 3)
    r = admit([PeriodicTask(1, 4, deadline=2), PeriodicTask(2, 6, deadline=2)], preemptive=True)
    assert not r.admitted and r.response_times == (1, None)


def test_edf_utilisation_and_demand():
    assert admit([PeriodicTask(2, 4), PeriodicTask(3, 6)], "edf", preemptive=True).admitted
    r = admit([PeriodicTask(2, 4), PeriodicTask(3, 6), PeriodicTask(1, 100)], "edf")
    assert not r.admitted and "1.010 > 1" in r.reason and r.exact
    # Density 1.125 > 1, yet feasible: the demand test admits what density refused.
    ts = [PeriodicTask(1, 4, 2), PeriodicTask(1, 8, 2), PeriodicTask(1, 8)]
    assert admit(ts, "edf", preemptive=True).admitted
    r = admit([PeriodicTask(1, 4, 2), PeriodicTask(1, 4, 2), PeriodicTask(1, 8)], "least_laxity")
    assert not r.admitted and not r.exact and "sufficient test only" in r.reason
    assert admit([PeriodicTask(1, 4, 2), PeriodicTask(1, 8)], "least_laxity").admitted
    r = admit([PeriodicTask(2, 4, 2), PeriodicTask(1, 4, 2)], "edf", preemptive=True)
    assert not r.admitted and "within 2" in r.reason


def preemptive_edf_misses(tasks):
    """Unit-step preemptive EDF from a synchronous release, over two hyperperiods plus
    the longest deadline: True when some job is unfinished at its deadline."""
    horizon = 2 * math.lcm(*(t.period for t in tasks)) + max(t.deadline for t in tasks)
    jobs = []  # [deadline, left]
    for now in range(horizon):
        for t in tasks:
            if now % t.period == 0 and t.wcet:
                jobs.append([now + t.deadline, t.wcet])
        if any(d <= now and left > 0 for d, left in jobs):
            return True
        live = [j for j in jobs if j[1] > 0]
        if live:
            min(live)[1] -= 1
        jobs = [j for j in jobs if j[1] > 0]
    return any(d <= horizon for d, _ in jobs)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.integers(1, 12), st.integers(1, 12)),
        min_size=1,
        max_size=4,
    )
)
def test_preemptive_demand_test_matches_an_edf_simulation(raw):
    tasks = [PeriodicTask(min(c, t, d), t, min(d, t)) for c, t, d in raw]
    if sum(t.wcet / t.period for t in tasks) > 1:
        return
    feasible = not preemptive_edf_misses(tasks)
    assert admit(tasks, "edf", preemptive=True).admitted == feasible
    # True least-laxity-first is optimal on one processor: the same sets.
    assert admit(tasks, "least_laxity", preemptive=True).admitted == feasible


def preemptive_first_job_responses(tasks, prio_order):
    """Unit-step preemptive fixed-priority simulation from a synchronous release (the
    critical instant): each task's first-job response time, or None if unfinished by D."""
    horizon = max(t.deadline for t in tasks)
    remaining = {i: [] for i in range(len(tasks))}  # outstanding jobs: [release, left]
    first = [None] * len(tasks)
    for now in range(horizon):
        for i, t in enumerate(tasks):
            if now % t.period == 0:
                remaining[i].append([now, t.wcet])
        for i in prio_order:
            jobs = [j for j in remaining[i] if j[1] > 0]
            if jobs:
                jobs[0][1] -= 1
                if jobs[0][1] == 0 and jobs[0][0] == 0:
                    first[i] = now + 1
                break
    for i, t in enumerate(tasks):
        if t.wcet == 0:
            first[i] = 0
        if first[i] is not None and first[i] > t.deadline:
            first[i] = None
    return first


@settings(max_examples=120, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(1, 20), st.integers(0, 19)),
        min_size=1,
        max_size=5,
    )
)
def test_response_time_analysis_matches_a_preemptive_simulation(raw):
    tasks = [PeriodicTask(min(c, t), t, max(1, min(d or t, t))) for c, t, d in raw]
    order = sorted(range(len(tasks)), key=lambda i: (tasks[i].period, i))
    expected = preemptive_first_job_responses(tasks, order)
    r = admit(tasks, "rate_monotonic", preemptive=True)
    assert list(r.response_times) == expected
    assert r.admitted == all(x is not None for x in expected)


def test_bad_task_sets():
    with pytest.raises(InvalidTaskError, match="wcet"):
        PeriodicTask(5, 4)
    with pytest.raises(InvalidTaskError, match="period"):
        PeriodicTask(1, 0)
    with pytest.raises(InvalidTaskError, match="deadline"):
        PeriodicTask(1, 4, deadline=5)
    with pytest.raises(InvalidTaskError, match="NaN"):
        PeriodicTask(float("nan"), 4)
    with pytest.raises(InvalidTaskError, match="PeriodicTask"):
        admit([(1, 4)])  # type: ignore[list-item]
    with pytest.raises(InvalidTaskError, match="preemptive"):
        admit([PeriodicTask(1, 4)], "edf", preemptive=1)  # type: ignore[arg-type]
    assert admit([PeriodicTask(1, 4)], "fifo").admitted
    with pytest.raises(InvalidTaskError, match="unknown policy"):
        admit([PeriodicTask(1, 4)], "lottery")
