"""Dispatch order equals a reference sort (all released) or a reference simulation."""

import heapq
import sched

from hypothesis import given, settings
from hypothesis import strategies as st

from nanosecond_scheduler import Policy, Scheduler


class FakeClock:
    """Simulated time: ``sleep`` and ``advance`` move it; nothing waits for real."""

    def __init__(self, t=1_000):
        self.t = t

    def __call__(self):
        return self.t

    def sleep(self, ns):
        assert ns >= 0
        self.t += ns

    advance = sleep


INF = float("inf")
POLICIES = [p.value for p in Policy]


def ref_key(policy, t, seq):
    # Relative to the release; a periodic task's implicit deadline is its period.
    deadline = t["deadline"] if t["deadline"] is not None else t["period"]
    d = INF if deadline is None else deadline
    if policy == "fifo":
        return (seq,)
    if policy == "fixed_priority":
        return (-t["priority"], d, seq)
    if policy == "edf":
        return (d, seq)
    if policy == "rate_monotonic":
        return (t["period"] or INF, seq)
    if policy == "least_laxity":
        return (d - (t["wcet"] or 0) if deadline is not None else INF, seq)
    raise AssertionError(policy)


@st.composite
def task_sets(draw, periodic=True):
    n = draw(st.integers(0, 40))
    tasks = []
    for _ in range(n):
        period = draw(st.one_of(st.none(), st.integers(1, 20))) if periodic else None
        wcet = draw(st.one_of(st.none(), st.integers(0, period or 30)))
        deadline = draw(st.one_of(st.none(), st.integers(0, 40)))
        if period is not None and deadline is not None:
            deadline = max(deadline, 1)  # a periodic deadline comes after its release
        tasks.append(
            {
                "priority": draw(st.integers(-3, 3)),
                "deadline": deadline,
                "period": period,
                "wcet": wcet,
            }
        )
    return tasks


def submit(s, clock, tasks, fn=None, with_release=False):
    ids = []
    for i, t in enumerate(tasks):
        ids.append(
            s.schedule(
                fn or (lambda: None),
                *((i,) if fn else ()),
                priority=t["priority"],
                deadline=None if t["deadline"] is None else clock.t + t["deadline"],
                period=t["period"],
                wcet=t["wcet"],
                at=clock.t + t["release"] if with_release else None,
            )
        )
    return ids


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(POLICIES), task_sets())
def test_pop_ready_order_equals_reference_sort(policy, tasks):
    clock = FakeClock()
    s = Scheduler(policy, clock=clock, sleep=clock.sleep)
    ids = submit(s, clock, tasks)
    expected = [
        ids[i] for i in sorted(range(len(tasks)), key=lambda i: ref_key(policy, tasks[i], i))
    ]
    assert s.pop_ready(len(tasks) + 5).tolist() == expected


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(POLICIES), task_sets(periodic=False))
def test_run_until_idle_order_equals_reference_sort(policy, tasks):
    clock = FakeClock()
    ran = []
    s = Scheduler(policy, clock=clock, sleep=clock.sleep)
    submit(s, clock, tasks, fn=ran.append)
    assert s.run_until_idle() == len(tasks)
    assert ran == sorted(range(len(tasks)), key=lambda i: ref_key(policy, tasks[i], i))


@st.composite
def released_sets(draw):
    tasks = draw(task_sets(periodic=False))
    for t in tasks:
        t["release"] = draw(st.integers(0, 60))
        t["exec"] = draw(st.integers(0, 6))
    return tasks


def reference_simulation(policy, tasks, start):
    """Non-preemptive dispatch in simulated time, written the obvious way."""
    now, pending, order = start, list(range(len(tasks))), []
    while pending:
        ready = [i for i in pending if start + tasks[i]["release"] <= now]
        if not ready:
            now = min(start + tasks[i]["release"] for i in pending)
            continue
        i = min(ready, key=lambda i: ref_key(policy, tasks[i], i))
        order.append((i, now))
        pending.remove(i)
        now += tasks[i]["exec"]
    return order


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(POLICIES), released_sets())
def test_simulated_time_dispatch_equals_reference_simulation(policy, tasks):
    clock = FakeClock()
    start = clock.t
    ran = []

    def job(i):
        ran.append((i, clock.t))
        clock.advance(tasks[i]["exec"])

    s = Scheduler(policy, clock=clock, sleep=clock.sleep)
    submit(s, clock, tasks, fn=job, with_release=True)
    s.run_until_idle()
    assert ran == reference_simulation(policy, tasks, start)
    st_ = s.stats()
    assert st_.completed == len(tasks) and st_.queued == 0
    latencies = sorted(t - (start + tasks[i]["release"]) for i, t in ran)
    if latencies:
        assert st_.latency.max_ns == latencies[-1] and st_.latency.min_ns == latencies[0]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 50), max_size=60))
def test_edf_order_matches_heapq_peer(deadlines):
    clock = FakeClock()
    s = Scheduler("edf", clock=clock, sleep=clock.sleep)
    ids = [s.schedule(lambda: None, deadline=d) for d in deadlines]
    heap = [(d, i) for i, d in enumerate(deadlines)]
    heapq.heapify(heap)
    expected = [ids[heapq.heappop(heap)[1]] for _ in deadlines]
    assert s.pop_ready(len(deadlines)).tolist() == expected


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.integers(-5, 5)), max_size=40))
def test_fixed_priority_matches_sched_peer(items):
    """sched.scheduler runs events by (time, priority, insertion); at equal times that is
    our fixed-priority order with the priority sign flipped and no deadlines."""
    ran_peer, ran_ours = [], []
    peer = sched.scheduler(timefunc=lambda: 0, delayfunc=lambda s: None)
    for i, (_, prio) in enumerate(items):
        peer.enterabs(0, -prio, ran_peer.append, (i,))
    peer.run()
    clock = FakeClock()
    s = Scheduler("fixed_priority", clock=clock, sleep=clock.sleep)
    for i, (_, prio) in enumerate(items):
        s.schedule(ran_ours.append, i, priority=prio)
    s.run_until_idle()
    assert ran_ours == ran_peer
