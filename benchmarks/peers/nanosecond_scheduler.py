"""nanosecond_scheduler against heapq, sched, numpy and asyncio.

Run through ``./scripts/bench-peers nanosecond_scheduler``. Each workload's median is
for the whole batch named in the workload (divide by the count for per-task
numbers). ``python benchmarks/peers/nanosecond_scheduler.py --lateness`` measures
wake-up lateness (release -> start) of 10k deadlines 100 µs apart instead.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import os
import sched
import statistics
import sys
import time

import numpy as np
from harness import Workload  # first: it puts the installed package ahead of this file

# isort: split
import nanosecond_scheduler as _ns

AsyncScheduler = _ns.AsyncScheduler
Scheduler = _ns.Scheduler


def noop(*args):
    return None


# ---------------------------------------------------------- steady queue (1k)

PAIRS = 10_000


def _steady():
    keys = np.random.default_rng(0).integers(0, 10**12, PAIRS + 1_000).tolist()
    ours = Scheduler("edf")
    for k in keys[:1_000]:
        ours.schedule(noop, deadline=k)
    heap = []
    counter = itertools.count()
    for k in keys[:1_000]:
        heapq.heappush(heap, (k, next(counter), noop, ()))
    return ours, heap, counter, keys[1_000:]


def _ours_steady(ours, heap, counter, keys):
    schedule, pop = ours.schedule, ours.pop_next
    for k in keys:
        schedule(noop, deadline=k)
        pop()
    return len(ours)


def _heapq_steady(ours, heap, counter, keys):
    push, pop = heapq.heappush, heapq.heappop
    for k in keys:
        push(heap, (k, next(counter), noop, ()))
        pop(heap)
    return len(heap)


# ------------------------------------------------------------- batch (1M)

BATCH = 1_000_000


def _batch():
    deadlines = np.random.default_rng(1).integers(0, 10**12, BATCH)
    ours = Scheduler("edf")
    ours.pop_ready(ours.schedule_many(noop, deadline=deadlines).size)  # size the arrays once
    return ours, deadlines


def _ours_batch(ours, deadlines):
    ids = ours.schedule_many(noop, deadline=deadlines)
    out = ours.pop_ready(BATCH)
    return ids, out


def _argsort_batch(ours, deadlines):
    return np.argsort(deadlines, kind="stable")


def _same_order(ours_result, peer_result):
    ids, out = ours_result
    index = {tid: i for i, tid in enumerate(ids.tolist())}
    return [index[t] for t in out.tolist()] == list(np.asarray(peer_result))


# ---------------------------------------- cancel and dispatch (prepared queues)

QUEUE = 100_000
CANCELS = 10_000
DISPATCH = 100_000
POOL = 16  # one prepared queue per call: the warm-up plus up to 15 repetitions


class _Pool:
    """Queues prepared in setup, handed out one per timed call (each call consumes one)."""

    def __init__(self, make):
        self.items = [make(i) for i in range(POOL)]

    def take(self):
        if not self.items:
            raise RuntimeError(f"more than {POOL} calls: raise POOL")
        return self.items.pop()


def _cancel():
    def ours(i):
        rng = np.random.default_rng(i)
        s = Scheduler("edf")
        ids = [s.schedule(noop, deadline=d) for d in rng.integers(1, 10**12, QUEUE).tolist()]
        return s, [ids[j] for j in rng.choice(QUEUE, CANCELS, replace=False).tolist()]

    def peer(i):
        # The heapq documentation's recipe for removable entries: mark, skip on pop.
        rng = np.random.default_rng(i)
        heap, finder = [], {}
        for j, d in enumerate(rng.integers(1, 10**12, QUEUE).tolist()):
            entry = [d, j, j]
            finder[j] = entry
            heapq.heappush(heap, entry)
        return finder, rng.choice(QUEUE, CANCELS, replace=False).tolist()

    return _Pool(ours), _Pool(peer)


def _ours_cancel(ours, peer):
    s, pick = ours.take()
    cancel = s.cancel
    for tid in pick:
        cancel(tid)
    return len(s)


def _heapq_cancel(ours, peer):
    finder, pick = peer.take()
    for j in pick:
        finder.pop(j)[-1] = None  # mark removed (O(1)); the heap keeps the dead entry
    return len(finder)


def _dispatch():
    def ours(i):
        s = Scheduler("edf")
        for d in np.random.default_rng(i).integers(0, 10**9, DISPATCH).tolist():
            s.schedule(noop, deadline=d)
        return s

    def peer(i):
        s = sched.scheduler(timefunc=lambda: 0, delayfunc=lambda x: None)
        for d in np.random.default_rng(i).integers(0, 10**9, DISPATCH).tolist():
            s.enterabs(0, d, noop)
        return s

    return _Pool(ours), _Pool(peer)


def _ours_dispatch(ours, peer):
    return ours.take().run_until_idle()


def _sched_dispatch(ours, peer):
    peer.take().run()
    return DISPATCH


def _schedule_dispatch():
    return (np.random.default_rng(3).integers(0, 10**9, DISPATCH).tolist(),)


def _ours_schedule_dispatch(deadlines):
    s = Scheduler("edf")
    for d in deadlines:
        s.schedule(noop, deadline=d)
    return s.run_until_idle()


def _sched_schedule_dispatch(deadlines):
    s = sched.scheduler(timefunc=lambda: 0, delayfunc=lambda x: None)
    for d in deadlines:
        s.enterabs(0, d, noop)
    s.run()
    return DISPATCH


# --------------------------------------------------------- asyncio (100k)

CALLBACKS = 100_000


def _async():
    return (np.random.default_rng(4).integers(0, 10**9, CALLBACKS).tolist(),)


def _ours_async(deadlines):
    async def main():
        s = AsyncScheduler("edf")
        for d in deadlines:
            s.schedule(noop, deadline=d)
        await s.join()
        return s.stats().completed

    return asyncio.run(main())


def _call_at_async(deadlines):
    async def main():
        loop = asyncio.get_running_loop()
        now = loop.time()
        done = loop.create_future()
        count = [0]

        def cb():
            count[0] += 1
            if count[0] == CALLBACKS:
                done.set_result(None)

        for d in deadlines:
            loop.call_at(now + d * 1e-18, cb)  # all due now, ordered by deadline
        await done
        return count[0]

    return asyncio.run(main())


WORKLOADS = [
    Workload(
        name=f"schedule + pop, steady queue of 1,000 ({PAIRS:,} pairs)",
        setup=_steady,
        ours=_ours_steady,
        peers={"heapq push+pop (tuples)": _heapq_steady},
        repeat=15,
        goal="<= 250 ns/pair, >= 2.5x heapq",
    ),
    Workload(
        name=f"batched schedule_many + pop_ready ({BATCH:,} tasks)",
        setup=_batch,
        ours=_ours_batch,
        peers={"numpy argsort (stable)": _argsort_batch},
        repeat=5,
        goal="<= 50 ns/task",
        check=_same_order,
    ),
    Workload(
        name=f"cancel {CANCELS:,} tasks of a {QUEUE:,} queue",
        setup=_cancel,
        ours=_ours_cancel,
        peers={"heapq mark-removed recipe": _heapq_cancel},
        repeat=9,
        goal="O(log n), <= 1 µs per cancel",
    ),
    Workload(
        name=f"run_until_idle over {DISPATCH:,} queued no-op tasks",
        setup=_dispatch,
        ours=_ours_dispatch,
        peers={"sched.scheduler run": _sched_dispatch},
        repeat=9,
        goal=">= 1M tasks/s",
    ),
    Workload(
        name=f"schedule + run {DISPATCH:,} no-op tasks",
        setup=_schedule_dispatch,
        ours=_ours_schedule_dispatch,
        peers={"sched.scheduler enterabs + run": _sched_schedule_dispatch},
        repeat=9,
    ),
    Workload(
        name=f"asyncio: schedule + run {CALLBACKS:,} callbacks",
        setup=_async,
        ours=_ours_async,
        peers={"loop.call_at": _call_at_async},
        repeat=7,
        goal=">= 3x faster than loop.call_at",
    ),
]


# ------------------------------------------------------------------ lateness

N_WAKEUPS = 10_000
SPACING_NS = 100_000
LEAD_NS = 500_000_000  # scheduling 10k tasks must finish before the first release


def _percentiles(samples):
    xs = sorted(samples)
    pick = lambda p: xs[min(len(xs) - 1, max(0, -(-len(xs) * p // 100) - 1))]  # noqa: E731
    return pick(50), pick(99), xs[-1]


def lateness_ours(**options):
    lateness = []
    clock = time.monotonic_ns
    s = Scheduler("edf", **options)
    start = clock() + LEAD_NS
    for i in range(N_WAKEUPS):
        release = start + i * SPACING_NS
        s.schedule(lambda r=release: lateness.append(clock() - r), at=release)
    s.run_until_idle()
    return _percentiles(lateness), s


def lateness_sleep():
    """The obvious loop: time.sleep until each release."""
    lateness = []
    clock = time.monotonic_ns
    start = clock() + LEAD_NS
    for i in range(N_WAKEUPS):
        release = start + i * SPACING_NS
        wait = release - clock()
        if wait > 0:
            time.sleep(wait / 1e9)
        lateness.append(clock() - release)
    return _percentiles(lateness)


def lateness_sched():
    lateness = []
    clock = time.monotonic_ns
    s = sched.scheduler(timefunc=clock, delayfunc=lambda ns: time.sleep(ns / 1e9))
    start = clock() + LEAD_NS
    for i in range(N_WAKEUPS):
        release = start + i * SPACING_NS
        s.enterabs(release, 0, lambda r=release: lateness.append(clock() - r))
    s.run()
    return _percentiles(lateness)


def lateness_call_at():
    async def main():
        loop = asyncio.get_running_loop()
        lateness = []
        clock = time.monotonic_ns
        start = clock() + LEAD_NS
        done = loop.create_future()
        for i in range(N_WAKEUPS):
            release = start + i * SPACING_NS

            def cb(r=release):
                lateness.append(clock() - r)
                if len(lateness) == N_WAKEUPS:
                    done.set_result(None)

            loop.call_at(release / 1e9, cb)  # loop.time() is time.monotonic()
        await done
        return _percentiles(lateness)

    return asyncio.run(main())


def lateness_table():
    cpu = max(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    rows = []
    (p50, p99, mx), _ = lateness_ours()
    rows.append(("nanosecond_scheduler default (spin 200 µs)", p50, p99, mx))
    (p50, p99, mx), _ = lateness_ours(spin_threshold_ns=0)
    rows.append(("nanosecond_scheduler spin_threshold_ns=0 (sleep only)", p50, p99, mx))
    try:
        (p50, p99, mx), _ = lateness_ours(realtime=True, cpu_affinity=[cpu])
        rows.append((f"nanosecond_scheduler realtime=True, pinned to CPU {cpu}", p50, p99, mx))
    except PermissionError as exc:
        rows.append((f"realtime=True refused: {exc}", None, None, None))
    rows.append(("time.sleep loop", *lateness_sleep()))
    rows.append(("sched.scheduler", *lateness_sched()))
    rows.append(("asyncio loop.call_at", *lateness_call_at()))
    fmt = lambda ns: "-" if ns is None else f"{ns / 1000:.1f} µs"  # noqa: E731
    lines = [
        "| wake-up lateness, 10k releases 100 µs apart | p50 | p99 | max |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {name} | {fmt(a)} | {fmt(b)} | {fmt(c)} |" for name, a, b, c in rows]
    return "\n".join(lines)


# ------------------------------------------------------------ CPU time per task


def cpu_table(repeat=9):
    """The three per-task goals timed in CPU time of this thread (``time.thread_time``),
    which a shared, oversubscribed machine inflates far less than wall time (it still
    counts cache and memory contention). Implementations interleaved, medians."""
    cases = [
        (
            "batched schedule_many + pop_ready, per task",
            _batch,
            BATCH,
            _ours_batch,
            "numpy argsort (stable)",
            _argsort_batch,
        ),
        (
            "cancel in a 100,000 queue, per cancel",
            _cancel,
            CANCELS,
            _ours_cancel,
            "heapq mark-removed recipe",
            _heapq_cancel,
        ),
        (
            "run_until_idle over 100,000 tasks, per task",
            _dispatch,
            DISPATCH,
            _ours_dispatch,
            "sched.scheduler run",
            _sched_dispatch,
        ),
    ]
    lines = [
        "| workload (CPU time) | ours | peer | peer | ours/peer |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, setup, n, ours, peer_name, peer in cases:
        args = setup()
        times = {"ours": [], "peer": []}
        for _ in range(min(repeat, POOL - 1)):
            for key, fn in (("ours", ours), ("peer", peer)):
                start = time.thread_time()
                fn(*args)
                times[key].append(time.thread_time() - start)
        a, b = (statistics.median(times[k]) / n * 1e9 for k in ("ours", "peer"))
        lines.append(f"| {name} | {a:.0f} ns | {peer_name} | {b:.0f} ns | {a / b:.2f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    if "--lateness" in sys.argv:
        print(lateness_table())
    if "--cpu" in sys.argv:
        print(cpu_table())
