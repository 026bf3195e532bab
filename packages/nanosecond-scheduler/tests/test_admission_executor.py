"""``admit`` against the executor it promises about.

Two independent runs of every scenario: a slow, obviously correct non-preemptive
simulation written here (integer time, one job at a time, the executor's tie-breaking
by submission order), and ``Scheduler`` itself on a simulated clock whose tasks
advance the clock by their wcet. They must agree on every miss count; a set ``admit``
accepts must never miss; a set an exact analysis refuses must miss in one of the
worst-case release patterns (synchronous, or one task released a tick before the
others so that it blocks them).
"""

import math
import os
import random
from dataclasses import dataclass

import pytest

from nanosecond_scheduler import PeriodicTask, Scheduler, admit

KEYS = {
    "edf": lambda job: (job.deadline,),
    "fixed_priority": lambda job: (-job.task.priority, job.deadline),
    "rate_monotonic": lambda job: (job.task.period,),
    "least_laxity": lambda job: (job.deadline - job.task.wcet,),
    "fifo": lambda job: (),
}


@dataclass
class Job:
    """The next job of one task: when it is released, due, and its queue position."""

    task: PeriodicTask
    release: int
    deadline: int
    seq: int


def reference_misses(tasks, policy, offsets, horizon):
    """Non-preemptive simulation; returns the number of jobs that finish late.

    Jobs start while the time is before ``horizon``. Among released jobs the policy's
    key decides, then the order in which jobs were queued: a task's first job when it
    was scheduled, each later one when the one before it finished.
    """
    jobs = [
        Job(t, off, off + t.deadline, i)
        for i, (t, off) in enumerate(zip(tasks, offsets, strict=True))
    ]
    seq = len(jobs)
    now = min(offsets)
    misses = 0
    while now < horizon:
        ready = [j for j in jobs if j.release <= now]
        if not ready:
            now = min(horizon, min(j.release for j in jobs))
            continue
        job = min(ready, key=lambda j: (*KEYS[policy](j), j.seq))
        now += job.task.wcet
        misses += now > job.deadline
        job.release += job.task.period
        job.deadline += job.task.period
        job.seq = seq
        seq += 1
    return misses


class SimClock:
    def __init__(self, t):
        self.t = t

    def __call__(self):
        return self.t

    def sleep(self, ns):
        self.t += ns


def executor_misses(tasks, policy, offsets, horizon):
    """Run the set on ``Scheduler`` in simulated time; its count of missed jobs."""
    clock = SimClock(min(offsets))
    s = Scheduler(policy, clock=clock, sleep=clock.sleep)

    def job(wcet):
        clock.t += wcet

    for t, off in zip(tasks, offsets, strict=True):
        s.schedule(
            job,
            t.wcet,
            period=t.period,
            wcet=t.wcet,
            at=off,
            deadline=off + t.deadline,
            priority=t.priority,
        )
    s.run(until=horizon)
    return s.stats().missed


def random_set(rng, policy):
    n = rng.randint(2, 5)
    while True:
        tasks = []
        for k in range(n):
            period = rng.randint(3, 30)
            wcet = rng.randint(0, max(1, period // 2))
            deadline = rng.randint(max(1, wcet), period) if rng.random() < 0.4 else period
            prio = rng.randint(0, 3) if policy == "fixed_priority" and rng.random() < 0.2 else k
            tasks.append(PeriodicTask(wcet, period, deadline, priority=prio))
        u = sum(t.wcet / t.period for t in tasks)
        if 0.3 <= u <= 1.0:
            return tasks


def scenarios(tasks, rng):
    """Synchronous release, each task one tick ahead of the rest, random offsets."""
    n = len(tasks)
    yield [0] * n
    for k in range(n):
        yield [0 if i == k else 1 for i in range(n)]
    yield [rng.randint(0, t.period - 1) for t in tasks]


def horizon_of(tasks, offsets):
    return min(math.lcm(*(t.period for t in tasks)), 400) + max(offsets) + 1


POLICIES = ["rate_monotonic", "fixed_priority", "edf", "least_laxity", "fifo"]
SETS = int(os.environ.get("NS_ADMISSION_SETS", "60"))  # per seed


def check_policy(policy, seed, sets):
    """Counts for ``sets`` random task sets: admitted, admitted that miss, refused by an
    exact test, refused by an exact test that miss, disagreements with the executor."""
    rng = random.Random(seed)
    counts = dict(admitted=0, admitted_miss=0, exact_refused=0, exact_refused_miss=0, sets=0)
    for _ in range(sets):
        tasks = random_set(rng, policy)
        verdict = admit(tasks, policy)
        worst = 0
        for offsets in scenarios(tasks, rng):
            horizon = horizon_of(tasks, offsets)
            expected = reference_misses(tasks, policy, offsets, horizon)
            got = executor_misses(tasks, policy, offsets, horizon)
            assert got == expected, (tasks, policy, offsets)
            worst = max(worst, expected)
        counts["sets"] += 1
        if verdict.admitted:
            counts["admitted"] += 1
            counts["admitted_miss"] += worst > 0
        elif verdict.exact:
            counts["exact_refused"] += 1
            counts["exact_refused_miss"] += worst > 0
    return counts


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("policy", POLICIES)
def test_admitted_sets_never_miss_on_the_executor(policy, seed):
    counts = check_policy(policy, seed=10 * seed + POLICIES.index(policy), sets=SETS)
    print(f"\nadmission {policy} seed {seed}: {counts}")  # shown with pytest -s
    assert counts["admitted_miss"] == 0, counts
    assert counts["exact_refused_miss"] == counts["exact_refused"], counts
    assert counts["admitted"] >= SETS // 10, counts  # the check is not vacuous


def test_the_reference_simulation_sees_blocking():
    # The issue's minimal case: a 3-unit job started just before the 1-unit task's
    # release makes it finish at 4 > 3.
    tasks = [PeriodicTask(1, 2), PeriodicTask(3, 10)]
    assert reference_misses(tasks, "edf", [1, 0], 20) > 0
    assert executor_misses(tasks, "edf", [1, 0], 20) == reference_misses(tasks, "edf", [1, 0], 20)
    assert reference_misses([PeriodicTask(1, 2)], "edf", [0], 20) == 0


@pytest.mark.parametrize("policy", ["rate_monotonic", "edf", "least_laxity", "fixed_priority"])
def test_issue_example_is_refused_because_the_executor_misses(policy):
    tasks = [PeriodicTask(1, 2, priority=1), PeriodicTask(3, 10, priority=0)]
    assert executor_misses(tasks, policy, [0, 0], 30) > 0
    r = admit(tasks, policy)
    assert not r.admitted and not r.preemptive
    # The preemptive analyses still admit it, for tasks that yield.
    assert admit(tasks, policy, preemptive=True).admitted


def test_least_laxity_example_from_the_issue():
    tasks = [PeriodicTask(5, 10), PeriodicTask(19, 40)]
    assert executor_misses(tasks, "least_laxity", [0, 0], 80) > 0
    r = admit(tasks, "least_laxity")
    assert not r.admitted and not r.exact and "sufficient" in r.reason


def test_least_laxity_picks_the_smallest_laxity_at_every_dispatch():
    # Jobs run to completion, so at a dispatch decision no ready job has started and
    # its laxity is deadline - now - wcet: check the executor's choice against it.
    rng = random.Random(7)
    for _ in range(30):
        clock = SimClock(0)
        s = Scheduler("least_laxity", clock=clock, sleep=clock.sleep)
        jobs = {}
        started = []

        def run(i, clock=clock, jobs=jobs, started=started):
            started.append((i, clock.t))
            clock.t += jobs[i][2]

        for i in range(12):
            release, wcet = rng.randint(0, 40), rng.randint(0, 6)
            deadline = release + wcet + rng.randint(1, 30)
            jobs[i] = (release, deadline, wcet)
            s.schedule(run, i, at=release, deadline=deadline, wcet=wcet)
        s.run_until_idle()
        done = set()
        for i, now in started:
            ready = [j for j in jobs if j not in done and jobs[j][0] <= now]
            laxity = {j: jobs[j][1] - now - jobs[j][2] for j in ready}
            assert laxity[i] == min(laxity.values()), (i, now, laxity)
            done.add(i)
        assert len(started) == len(jobs)


def test_unit_ns_makes_the_blocking_term_exact_in_coarser_units():
    # In ms, the lower-priority 3 ms job can start 1 ns (not 1 ms) before the 1 ms
    # task's release and block it for 3 ms - 1 ns: its response is ~4 ms > 3 ms.
    tasks = [PeriodicTask(1, 3), PeriodicTask(3, 10)]
    ms = 1_000_000
    assert admit(tasks, "rate_monotonic").admitted  # correct when the unit is ns
    r = admit(tasks, "rate_monotonic", unit_ns=ms)
    assert not r.admitted and "unit_ns=1000000" in r.reason
    in_ns = [PeriodicTask(t.wcet * ms, t.period * ms) for t in tasks]
    assert executor_misses(in_ns, "rate_monotonic", [1, 0], 30 * ms) > 0
    assert reference_misses(in_ns, "rate_monotonic", [1, 0], 30 * ms) > 0
    ok = admit([PeriodicTask(1, 4), PeriodicTask(2, 6), PeriodicTask(3, 12)], unit_ns=1000)
    assert ok.admitted and ok.response_times == (4, 6, 6)  # rounded up to whole µs
